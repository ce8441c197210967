import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { ConfigError, labelBaseUrlWarning, loadConfig, loadEnvFile, misspelledSettings, SETTING_NAMES } from '../src/config.js';
import { DEFAULT_YIELD_ALLOWANCES } from '../src/lots/ledger.js';
import { RECALL_DEADLINES } from '../src/recalls/deadlines.js';
import { fileTest } from './root.js';

const t = fileTest();

const KEY = 'k'.repeat(24);

// Returns the ConfigError thrown for env, failing the test if none (or another error) is thrown.
function configError(t: Test, env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    t.type(error, ConfigError);
    return (error as Error).message;
  }
  t.fail(`expected ConfigError for ${JSON.stringify(env)}`);
  return '';
}

t.test('defaults', async (t) => {
  t.strictSame(loadConfig({}), {
    PORT: 3000,
    HOST: '127.0.0.1',
    DATA_DIR: './data',
    LOG_LEVEL: 'info',
    BODY_LIMIT_BYTES: 1024 * 1024,
    SCAN_FLAG_THRESHOLD: 20,
    COMPLAINTS_PER_HOUR: 5,
    SCANS_PER_MINUTE: 300,
    REGISTRATIONS_PER_HOUR: 5,
    QR_IMAGES_PER_MINUTE: 120,
    COMPLAINT_LOOKUPS_PER_MINUTE: 30,
    CODES_QUEUED_PER_PARTY: 2_000_000,
    BRAND_DISPOSAL_DAYS: 30,
    SEED_DEMO: true,
    WEBHOOKS_ALLOW_INSECURE: false,
    SUBSCRIPTIONS_PER_PARTY: 20,
    NAMED_QUERIES_PER_PARTY: 100,
    QUERY_TIMEOUT_SECONDS: 10,
    WEBHOOK_DELIVERIES_PER_PROCESS: 4,
    WEBHOOK_BACKOFF_MAX_SECONDS: 300,
    WEBHOOK_STOP_AFTER_FAILURES: 500,
    WEBHOOK_STOP_AFTER_HOURS: 24,
    CREDIT_RECOMPUTE_HOURS: 24,
    JOB_LEASE_SECONDS: 30,
    CONSUMER_CREDIT_GRADE: false,
  });
  const config = loadConfig({});
  t.equal(config.DATABASE_URL, undefined);
  t.equal(config.ADMIN_API_KEY, undefined);
});

t.test('values are read and coerced', async (t) => {
  const config = loadConfig({
    PORT: '8080',
    HOST: '0.0.0.0',
    DATA_DIR: '/var/lib/trace',
    DATABASE_URL: 'postgresql://u:p@db:5432/trace',
    ADMIN_API_KEY: KEY,
    LOG_LEVEL: 'debug',
    BODY_LIMIT_BYTES: '2048',
    SEED_DEMO: 'false',
    WEBHOOKS_ALLOW_INSECURE: 'true',
    PATH: '/usr/bin',
  });
  t.equal(config.PORT, 8080);
  t.equal(config.HOST, '0.0.0.0');
  t.equal(config.DATA_DIR, '/var/lib/trace');
  t.equal(config.DATABASE_URL, 'postgresql://u:p@db:5432/trace');
  t.equal(config.ADMIN_API_KEY, KEY);
  t.equal(config.LOG_LEVEL, 'debug');
  t.equal(config.BODY_LIMIT_BYTES, 2048);
  t.equal(config.SEED_DEMO, false);
  t.equal(config.WEBHOOKS_ALLOW_INSECURE, true);
  t.notOk('PATH' in config, 'unrelated variables dropped');
  t.equal(loadConfig({ DATABASE_URL: 'postgres://localhost/x' }).DATABASE_URL, 'postgres://localhost/x');
  t.equal(loadConfig({ SEED_DEMO: 'true' }).SEED_DEMO, true);
  t.equal(loadConfig({ PORT: '0' }).PORT, 0);
  t.equal(loadConfig({ CREDIT_RECOMPUTE_HOURS: '0' }).CREDIT_RECOMPUTE_HOURS, 0, '0 turns the timer off');
  t.equal(loadConfig({ CONSUMER_CREDIT_GRADE: 'true' }).CONSUMER_CREDIT_GRADE, true);
  t.equal(loadConfig({ PORT: '65535' }).PORT, 65535);
  t.equal(loadConfig({ WEBHOOK_DELIVERIES_PER_PROCESS: '16' }).WEBHOOK_DELIVERIES_PER_PROCESS, 16);
  t.match(loadConfig({ WEBHOOK_BACKOFF_MAX_SECONDS: '3600', WEBHOOK_STOP_AFTER_FAILURES: '20', WEBHOOK_STOP_AFTER_HOURS: '0.5' }), {
    WEBHOOK_BACKOFF_MAX_SECONDS: 3600,
    WEBHOOK_STOP_AFTER_FAILURES: 20,
    WEBHOOK_STOP_AFTER_HOURS: 0.5,
  });
  t.equal(loadConfig({ QUERY_TIMEOUT_SECONDS: '0.25' }).QUERY_TIMEOUT_SECONDS, 0.25, 'a fraction of a second');
});

t.test('bad values throw ConfigError naming the variable', async (t) => {
  for (const port of ['abc', '70000', '-1', '80.5']) {
    t.match(configError(t, { PORT: port }), /PORT/, `PORT=${port}`);
  }
  const url = configError(t, { DATABASE_URL: 'mysql://localhost/x' });
  t.match(url, /DATABASE_URL/);
  t.match(url, /postgres/);
  for (const unparsable of ['postgres://x@127.0.0.1:99999/db', 'postgres://a:b@[zz/db']) {
    t.match(configError(t, { DATABASE_URL: unparsable }), /DATABASE_URL: is not a valid URL/, `DATABASE_URL=${unparsable}`);
  }
  const key = configError(t, { ADMIN_API_KEY: 'k'.repeat(23) });
  t.match(key, /ADMIN_API_KEY/);
  t.match(key, /24/);
  t.match(configError(t, { LOG_LEVEL: 'verbose' }), /LOG_LEVEL/);
  t.match(configError(t, { BODY_LIMIT_BYTES: '100' }), /BODY_LIMIT_BYTES/);
  t.match(configError(t, { SEED_DEMO: 'yes' }), /SEED_DEMO/);
  t.match(configError(t, { CREDIT_RECOMPUTE_HOURS: '1000' }), /CREDIT_RECOMPUTE_HOURS/, 'beyond what a timer can wait');
  for (const places of ['0', '2.5', 'four', '101']) {
    t.match(
      configError(t, { WEBHOOK_DELIVERIES_PER_PROCESS: places }),
      /WEBHOOK_DELIVERIES_PER_PROCESS: /,
      `WEBHOOK_DELIVERIES_PER_PROCESS=${places}`,
    );
  }
  for (const [name, values] of [
    ['WEBHOOK_BACKOFF_MAX_SECONDS', ['0', '1.5', '86401', 'soon']],
    ['WEBHOOK_STOP_AFTER_FAILURES', ['0', '-3', '2.5', '100001']],
    ['WEBHOOK_STOP_AFTER_HOURS', ['0', '-1', '8761', 'a day']],
    ['QUERY_TIMEOUT_SECONDS', ['0', '-1', '3601', 'ten']],
  ] as const) {
    for (const value of values) t.match(configError(t, { [name]: value }), new RegExp(`${name}: `), `${name}=${value}`);
  }

  const several = configError(t, { PORT: 'abc', ADMIN_API_KEY: 'short' });
  t.match(several, /PORT/, 'every problem listed');
  t.match(several, /ADMIN_API_KEY/);
  t.notMatch(several, /DATABASE_URL/);
});

t.test('TRUST_PROXY: a number of proxies, or their addresses and ranges', async (t) => {
  t.equal(loadConfig({}).TRUST_PROXY, undefined, 'no proxy trusted unless named');
  t.equal(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY, 1);
  t.same(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,loopback' }).TRUST_PROXY, ['10.0.0.0/8', '127.0.0.1', '::1', 'loopback']);
  for (const bad of ['true', 'proxy.example.cn', '10.0.0.0/33', '1,']) {
    t.match(configError(t, { TRUST_PROXY: bad }), /TRUST_PROXY: /, `TRUST_PROXY=${bad}`);
  }
  t.same(loadConfig({ TRUST_PROXY: 'fe80::1%eth0,::ffff:10.0.0.0/104' }).TRUST_PROXY, ['fe80::1%eth0', '::ffff:10.0.0.0/104']);
  // each of these the proxy list Fastify compiles refuses (a stack trace at start-up) or reads as another
  // address than the one meant (a count in a list is the address 0.0.0.1; 127.1 is 127.0.0.1)
  for (const bad of ['0.0.0.0/0', '::/0', '10.0.0.0/', '1,10.0.0.1', '127.1', '0x0a.0.0.1', '3232235777,loopback']) {
    t.match(configError(t, { TRUST_PROXY: bad }), /TRUST_PROXY: /, `TRUST_PROXY=${bad}`);
  }
});

t.test('PUBLIC_BASE_URL: an http(s) origin, with a path at most, as labels print it', async (t) => {
  for (const [value, read] of [
    ['https://fj.example.cn', 'https://fj.example.cn'],
    ['https://fj.example.cn/', 'https://fj.example.cn'],
    ['http://192.168.1.20:3000', 'http://192.168.1.20:3000'],
    ['https://example.cn/trace', 'https://example.cn/trace'],
    ['https://example.cn/trace/', 'https://example.cn/trace'],
  ] as const) {
    t.equal(loadConfig({ PUBLIC_BASE_URL: value }).PUBLIC_BASE_URL, read, value);
  }
  // a label URL is the base followed by /t/{code}: a query or fragment would swallow the code, and a
  // path the URL parser rewrites (dot segments, backslashes, spaces) is not the one printed
  for (const value of [
    'https://fj.example.cn/?a=1',
    'https://fj.example.cn?',
    'https://fj.example.cn/#top',
    'https://fj.example.cn#',
    'https://fj.example.cn/trace/..',
    'https://fj.example.cn/./trace',
    'https://fj.example.cn\\trace',
    'https://fj.example.cn/a b',
    'https://user:secret@fj.example.cn',
    'ftp://fj.example.cn',
  ]) {
    const message = configError(t, { PUBLIC_BASE_URL: value });
    t.match(message, /^ {2}PUBLIC_BASE_URL: .+$/m, `PUBLIC_BASE_URL=${value}: refused, named`);
    t.equal(message.split('\n').length, 2, `PUBLIC_BASE_URL=${value}: in one line`);
    t.notMatch(message, /secret/, `PUBLIC_BASE_URL=${value}: a password is not repeated`);
  }
});

t.test('empty strings count as unset', async (t) => {
  const config = loadConfig({
    PORT: '',
    HOST: '',
    DATA_DIR: '',
    DATABASE_URL: '',
    ADMIN_API_KEY: '',
    LOG_LEVEL: '',
    BODY_LIMIT_BYTES: '',
    SEED_DEMO: '',
  });
  t.strictSame(config, loadConfig({}));
  t.equal(config.PORT, 3000, 'not coerced to 0');
  // a blank left by a template or an editor is no setting either: a number read from it would be 0,
  // which is any free port for PORT and no recompute at all for CREDIT_RECOMPUTE_HOURS
  const blank = loadConfig({ PORT: ' ', CREDIT_RECOMPUTE_HOURS: '\t', HOST: '  ' });
  t.strictSame(blank, loadConfig({}), 'blanks count as unset');
});

t.test('yield allowances', async (t) => {
  t.equal(loadConfig({}).YIELD_ALLOWANCES, undefined, 'unset: the app takes the defaults');
  const allowances = loadConfig({ YIELD_ALLOWANCES: 'curing=0.55-0.65, smoking=0.7-0.9' }).YIELD_ALLOWANCES;
  t.strictSame(allowances?.curing, { min: 0.55, max: 0.65 });
  t.strictSame(allowances?.smoking, { min: 0.7, max: 0.9 });
  t.strictSame(allowances?.slaughter, DEFAULT_YIELD_ALLOWANCES.slaughter, 'kinds not named keep their defaults');
  t.strictSame(loadConfig({ YIELD_ALLOWANCES: 'other=0-1.2' }).YIELD_ALLOWANCES?.other, { min: 0, max: 1.2 }, 'a gain may be allowed');
  for (const [value, problem] of [
    ['curing=lots', /YIELD_ALLOWANCES: "curing=lots" is not kind=min-max/],
    ['roasting=0.5-0.7', /YIELD_ALLOWANCES: "roasting=0.5-0.7" is not kind=min-max with kind one of slaughter, cutting/],
    ['curing=0.7', /YIELD_ALLOWANCES: "curing=0.7" is not kind=min-max/],
    ['curing=-0.5-0.7', /YIELD_ALLOWANCES: "curing=-0.5-0.7" is not kind=min-max/],
    ['Curing=0.5-0.7', /YIELD_ALLOWANCES: "Curing=0.5-0.7" is not kind=min-max/],
    ['curing=0.7-0.5', /YIELD_ALLOWANCES: "curing=0.7-0.5": the lower yield exceeds the upper/],
  ] as const) {
    t.match(configError(t, { YIELD_ALLOWANCES: value }), problem, `YIELD_ALLOWANCES=${value}`);
  }
});

t.test('recall deadlines', async (t) => {
  t.equal(loadConfig({}).RECALL_DEADLINES, undefined, 'unset: the app takes the defaults');
  t.strictSame(
    loadConfig({ RECALL_DEADLINES: '1=12h/5d, 2=36h/15d,3=72h/30d' }).RECALL_DEADLINES,
    {
      1: { startWithinHours: 12, finishWithinWorkingDays: 5 },
      2: { startWithinHours: 36, finishWithinWorkingDays: 15 },
      3: { startWithinHours: 72, finishWithinWorkingDays: 30 },
    },
    'every level',
  );
  t.strictSame(
    loadConfig({ RECALL_DEADLINES: '1=12h/10d' }).RECALL_DEADLINES,
    { ...RECALL_DEADLINES, 1: { startWithinHours: 12, finishWithinWorkingDays: 10 } },
    'levels not named keep their defaults',
  );
  t.strictSame(
    loadConfig({ RECALL_DEADLINES: '1=24h/10d,2=48h/20d,3=72h/30d' }).RECALL_DEADLINES,
    RECALL_DEADLINES,
    'the defaults written out',
  );
  for (const [value, problem] of [
    ['soon', /RECALL_DEADLINES: "soon" is not level=<hours>h\/<working days>d, e\.g\. 1=24h\/10d/],
    ['1=24/10', /RECALL_DEADLINES: "1=24\/10" is not level=/],
    ['1=24h/10wd', /RECALL_DEADLINES: "1=24h\/10wd" is not level=/],
    ['1=1.5h/10d', /RECALL_DEADLINES: "1=1\.5h\/10d" is not level=/],
    ['1=24h/10d,', /RECALL_DEADLINES: "" is not level=/],
    ['4=24h/10d', /RECALL_DEADLINES: "4=24h\/10d": the level must be one of 1, 2, 3/],
    ['1=24h/10d,1=12h/5d', /RECALL_DEADLINES: "1=12h\/5d": level 1 is given twice/],
    ['1=0h/10d', /RECALL_DEADLINES: "1=0h\/10d": the start must be within 1 to 8760 hours/],
    ['3=9000h/30d', /RECALL_DEADLINES: "3=9000h\/30d": the start must be within 1 to 8760 hours/],
    ['1=24h/0d', /RECALL_DEADLINES: "1=24h\/0d": the finish must be within 1 to 260 working days/],
    ['3=8760h/1d', /RECALL_DEADLINES: "3=8760h\/1d": the start may not be due after the finish/],
    ['2=12h/20d', /RECALL_DEADLINES: level 1 \(24h\/10d\) is more serious than level 2 \(12h\/20d\) and may not have more time/],
    ['3=72h/15d', /RECALL_DEADLINES: level 2 \(48h\/20d\) is more serious than level 3 \(72h\/15d\)/],
  ] as const) {
    t.match(configError(t, { RECALL_DEADLINES: value }), problem, `RECALL_DEADLINES=${value}`);
  }
});

t.test('.env is loaded when present, and the real environment wins', async (t) => {
  const dir = t.testdir();
  const path = join(dir, '.env');
  writeFileSync(path, '# as .env.example suggests\nCT_TEST_FROM_FILE=3001\nCT_TEST_SET_TOO=from-file\n');
  process.env.CT_TEST_SET_TOO = 'from-environment';
  t.teardown(() => {
    delete process.env.CT_TEST_FROM_FILE;
    delete process.env.CT_TEST_SET_TOO;
  });
  loadEnvFile(path);
  t.equal(process.env.CT_TEST_FROM_FILE, '3001', 'a setting only the file has');
  t.equal(process.env.CT_TEST_SET_TOO, 'from-environment', 'a variable set in the environment is kept');
  t.doesNotThrow(() => loadEnvFile(join(dir, 'missing.env')), 'no file, no error');
});

t.test('a .env that cannot be read stops start-up with one line naming it', async (t) => {
  // what a bind mount of a missing file leaves: a folder in its place
  const folder = join(t.testdir({ '.env': {} }), '.env');
  t.throws(() => loadEnvFile(folder), { name: 'ConfigError', message: `${folder}: cannot be read as a settings file (it is not a file)` });
});

t.test('every setting the service reads is in .env.example and in README’s configuration table', async (t) => {
  const example = readFileSync('.env.example', 'utf8');
  const readme = readFileSync('README.md', 'utf8');
  for (const name of SETTING_NAMES) {
    t.match(example, new RegExp(`^(# )?${name}=`, 'm'), `.env.example sets or shows ${name}`);
    t.match(readme, new RegExp(`^\\| \`${name}\`| / \`${name}\``, 'm'), `README's table has ${name}`);
  }
});

t.test('a start listening beyond this machine with label links naming this machine only is warned of', async (t) => {
  const warning = (env: NodeJS.ProcessEnv) => labelBaseUrlWarning(loadConfig({ ADMIN_API_KEY: KEY, ...env }));
  t.equal(warning({}), null, 'the default: listening on 127.0.0.1, links to it');
  t.equal(warning({ HOST: '0.0.0.0', PUBLIC_BASE_URL: 'https://fj.example.cn' }), null, 'a public base URL');
  t.equal(warning({ HOST: '::1', PUBLIC_BASE_URL: 'http://localhost:3000' }), null, 'loopback both ways');
  t.match(warning({ HOST: '0.0.0.0' }), /PUBLIC_BASE_URL is not set while the service listens on 0\.0\.0\.0/, 'unset');
  for (const base of ['http://127.0.0.1:3000', 'http://localhost:3000', 'http://app.localhost', 'http://[::1]:3000', 'http://127.1.2.3'])
    t.match(warning({ HOST: '0.0.0.0', PUBLIC_BASE_URL: base }), /names this machine only while the service listens on 0\.0\.0\.0/, base);
  t.match(warning({ HOST: '192.168.1.20', PUBLIC_BASE_URL: 'http://127.0.0.1:3000' }), /names this machine only/, 'a LAN address');
  t.equal(warning({ HOST: '192.168.1.20', PUBLIC_BASE_URL: 'http://192.168.1.20:3000' }), null, 'a LAN address both ways');
});

t.test('a variable that nearly names a setting is named, with the setting it likely meant', async (t) => {
  t.same(
    misspelledSettings({
      DATABSE_URL: 'postgres://x',
      SEED_DEMOS: 'true',
      PORT: '3000',
      PATH: '/bin',
      HOME: '/root',
      NODE_ENV: 'production',
      PGPORT: '5432',
      PGHOST: 'db',
      PWD: '/srv',
    }),
    [
      'DATABSE_URL is no setting and is ignored; did you mean DATABASE_URL?',
      'SEED_DEMOS is no setting and is ignored; did you mean SEED_DEMO?',
    ],
  );
});
