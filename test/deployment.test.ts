// The deployment files as shipped: docker-compose.yml read with compose's own interpolation rules,
// its service environment fed to the service's configuration, and the Dockerfile's image and user
// checked against package.json's engines and every locked dependency's.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import semver from 'semver';
import { parse } from 'yaml';
import { ConfigError, loadConfig, SHUTDOWN_GRACE_MS } from '../src/config.js';
import { fileTest } from './root.js';

const t = fileTest();

const file = (name: string) => readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');

type Service = {
  environment: Record<string, string>;
  ports?: string[];
  restart?: string;
  stop_grace_period?: string;
  healthcheck?: { test: string[] };
  logging?: { driver?: string; options?: Record<string, string> };
};
const compose = parse(file('docker-compose.yml')) as { services: Record<string, Service> };

/** Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?message}` (an unset or empty variable takes the default or fails). */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, operator?: string, word = '') => {
    if (env[name]) return env[name];
    if (operator === '?') throw new Error(`${name}: ${word}`);
    return operator === '-' ? word : '';
  });
}
const environmentOf = (service: Service, env: Record<string, string>) =>
  Object.fromEntries(Object.entries(service.environment).map(([name, value]) => [name, interpolate(String(value), env)]));

const KEY = 'a'.repeat(48);

t.test('compose: no built-in admin key, loopback only, no demo data, health checked and restarted', async (t) => {
  const { service } = compose.services;
  t.throws(() => environmentOf(service, {}), /^ADMIN_API_KEY: set ADMIN_API_KEY/, 'refuses to start without a key, saying which');
  t.throws(() => environmentOf(service, { ADMIN_API_KEY: '' }), /ADMIN_API_KEY/, 'an empty key is no key');

  const environment = environmentOf(service, { ADMIN_API_KEY: KEY });
  let config: ReturnType<typeof loadConfig> | undefined;
  t.doesNotThrow(() => {
    config = loadConfig(environment);
  }, 'the service accepts the environment compose gives it');
  t.equal(config?.ADMIN_API_KEY, KEY, 'the key given');
  t.match(config?.DATABASE_URL, /^postgres:\/\/\w+:[^@]+@postgres:5432\//, 'the PostgreSQL of the compose file');
  t.equal(config?.SEED_DEMO, false, 'no demo chain in a real database');
  t.equal(config?.PUBLIC_BASE_URL, 'http://127.0.0.1:3000', 'labels point where the service is published unless told otherwise');
  t.equal(environmentOf(service, { ADMIN_API_KEY: KEY, SEED_DEMO: 'true' }).SEED_DEMO, 'true', 'the demo chain when asked for');
  t.throws(() => loadConfig(environmentOf(service, { ADMIN_API_KEY: 'short' })), ConfigError, 'a short key stops the service');

  t.ok(service.ports?.length, 'published');
  t.ok(
    service.ports?.every((port) => port.startsWith('127.0.0.1:')),
    `on the loopback address only (${service.ports})`,
  );
  t.ok(['unless-stopped', 'always', 'on-failure'].includes(service.restart ?? ''), `restarted (${service.restart})`);
  t.match(service.healthcheck?.test.join(' '), 'http://127.0.0.1:3000/health', 'its health checked');
  t.ok(compose.services.postgres.healthcheck, 'and the database');
  const stopSeconds = Number(/^(\d+)s$/.exec(service.stop_grace_period ?? '')?.[1] ?? 10);
  t.ok(stopSeconds * 1000 > SHUTDOWN_GRACE_MS, `a stop waits ${stopSeconds} s, longer than the service's grace period, before killing it`);
});

t.test('compose: every service keeps a bounded log (json-file rotated by size)', async (t) => {
  for (const [name, service] of Object.entries(compose.services)) {
    const { driver, options = {} } = service.logging ?? {};
    t.equal(driver, 'json-file', `${name}: the json-file driver, which docker compose logs reads`);
    const size = /^(\d+)([km])$/.exec(options['max-size'] ?? '');
    const files = Number(options['max-file']);
    t.ok(size && Number.isInteger(files) && files >= 1, `${name}: max-size ${options['max-size']}, max-file ${options['max-file']}`);
    const megabytes = size ? (Number(size[1]) * files) / (size[2] === 'k' ? 1024 : 1) : Number.POSITIVE_INFINITY;
    t.ok(megabytes <= 100, `${name}: at most ${megabytes} MB of log kept`);
  }
});

t.test('Dockerfile: an unprivileged user, a health check, a Node every dependency supports', async (t) => {
  const dockerfile = file('Dockerfile');
  const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+ /.test(line));
  const users = instructions.filter((line) => line.startsWith('USER '));
  t.ok(users.length > 0 && !/^USER (root|0)\b/.test(users.at(-1) as string), `runs as ${users.at(-1)}`);
  t.match(dockerfile, /^HEALTHCHECK .*\\\n\s+CMD .*\/health/m, 'a HEALTHCHECK of /health');

  const engines = JSON.parse(file('package.json')).engines.node as string;
  const image = /^FROM node:(\d+)[-\w.]*$/m.exec(dockerfile)?.[1];
  t.ok(image && semver.intersects(`${image}.x`, engines), `the image's Node ${image} is a line engines allows`);
  // a rebuild gets the Node the image was tested with, not the newest of the line that day
  const pinned = /^FROM node:(\d+\.\d+)(?:\.\d+)?-[-\w]+$/m.exec(dockerfile)?.[1];
  t.ok(pinned?.startsWith(`${image}.`), `the image pins a minor release of Node ${image} (${pinned})`);
  t.ok(pinned && semver.satisfies(`${pinned}.0`, engines), `which engines allows`);
  // npm ci prints EBADENGINE for any locked package that does not support the running Node
  const lock = JSON.parse(file('package-lock.json')) as { packages: Record<string, { engines?: { node?: string } }> };
  const unsupported = Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && entry.engines?.node && !semver.subset(engines, entry.engines.node))
    .map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')} wants ${entry.engines?.node}`);
  t.strictSame(unsupported, [], `every locked package supports every Node that engines (${engines}) allows`);
  t.ok(semver.satisfies(process.version, engines), `this Node (${process.version}) is one of them`);
});

t.test('every installed package supports this Node and the whole Node line of the image', async (t) => {
  const image = /^FROM node:(\d+)[-\w.]*$/m.exec(file('Dockerfile'))?.[1];
  t.ok(image, 'the image names a Node line');
  // the packages as installed (nested copies too), not only as locked: what `npm ci` warns about and the service loads
  const root = new URL('../node_modules/', import.meta.url).pathname;
  const wants: [string, string][] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.name.startsWith('@')) {
        walk(path);
        continue;
      }
      const manifest = join(path, 'package.json');
      if (!existsSync(manifest)) continue;
      const node = (JSON.parse(readFileSync(manifest, 'utf8')) as { engines?: { node?: unknown } }).engines?.node;
      if (typeof node === 'string') wants.push([relative(root, path), node]);
      if (existsSync(join(path, 'node_modules'))) walk(join(path, 'node_modules'));
    }
  };
  walk(root);
  t.ok(wants.length > 50, `${wants.length} installed packages name the Node they support`);
  const unsupported = wants
    .filter(([, range]) => !semver.satisfies(process.version, range) || !semver.subset(`${image}.x`, range))
    .map(([path, range]) => `${path} wants ${range}`);
  t.strictSame(unsupported, [], `each supports Node ${process.version} and every Node ${image}`);
});

t.test('npm start and the image start the service alike: node itself, no process in between to lose a signal', async (t) => {
  const start = (JSON.parse(file('package.json')).scripts as Record<string, string>).start;
  const cmd = /^CMD (\[.*\])$/m.exec(file('Dockerfile'))?.[1];
  t.ok(cmd, 'the image has a CMD in exec form');
  // npm runs a script under sh, which dies of a SIGTERM npm passes on without passing it further: exec replaces it
  t.equal(start, `exec ${(JSON.parse(cmd as string) as string[]).join(' ')}`, 'npm start execs the command the image runs');
});

t.test('Dockerfile: the image holds every file the service and the operator scripts load', async (t) => {
  const copied = file('Dockerfile')
    .split('\n')
    .filter((line) => line.startsWith('COPY '))
    .flatMap((line) => line.split(/\s+/).slice(1, -1))
    .filter((source) => !source.startsWith('--'));
  const ignore = file('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const under = (path: string, pattern: string) => path === pattern || path.startsWith(`${pattern.replace(/\/$/, '')}/`);
  /** .dockerignore's last matching line decides; a `!` line takes a path back in. */
  const ignored = (path: string) =>
    ignore.reduce((out, pattern) => (under(path, pattern.replace(/^!/, '')) ? !pattern.startsWith('!') : out), false);
  const inImage = (path: string) => copied.some((source) => under(path, source)) && !ignored(path);

  // every local module reached from the entry points, by their relative imports
  const scripts = JSON.parse(file('package.json')).scripts as Record<string, string>;
  const entries = ['start', 'admin-key', 'seed'].map((name) => /tsx (\S+)/.exec(scripts[name])?.[1] as string);
  const reached = new Set<string>();
  const visit = (path: string) => {
    if (reached.has(path)) return;
    reached.add(path);
    for (const [, target] of file(path).matchAll(/from '(\.\.?\/[^']+)'/g)) {
      visit(posix.normalize(posix.join(posix.dirname(path), target)).replace(/\.js$/, '.ts'));
    }
  };
  for (const entry of entries) visit(entry);
  t.ok(reached.size > 100, `${reached.size} modules reached from ${entries.join(', ')}`);
  t.strictSame(
    [...reached].filter((path) => !inImage(path)),
    [],
    'each of them is copied into the image (npm run admin-key and npm run seed work in the container)',
  );
});
