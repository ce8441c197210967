// `npm start` as a process manager runs it: a SIGTERM sent to npm's own process (as some managers
// send it, to the process they started and no other) must reach the service, which then stops
// gracefully and frees its port and data directory, leaving no service running on without npm.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDirLockHolder } from '../src/db/lock.js';
import { loadMigratedPglite } from './database.js';
import { ROOT, sleep } from './fixtures/service-process.js';
import { fileTest } from './root.js';

const t = fileTest();
t.setTimeout(300_000);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const refusesConnections = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

t.test('SIGTERM sent to npm start stops the service gracefully: it exits and frees its port and data', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'county-trace-npm-start-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  await (await loadMigratedPglite(dataDir)).close();

  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_V8_COVERAGE;
  delete env.DATABASE_URL;
  Object.assign(env, {
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'info',
    ADMIN_API_KEY: 'npm-start-test-admin-key-000000000',
  });
  const npm = spawn('npm', ['start', '--silent'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npm.stdout.on('data', (data) => (output += data));
  npm.stderr.on('data', (data) => (output += data));
  const npmExited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let servicePid: number | undefined;
  t.teardown(async () => {
    // whatever the outcome, nothing this test started keeps running
    if (npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
    if (servicePid !== undefined && alive(servicePid)) process.kill(servicePid, 'SIGKILL');
  });

  let ready: RegExpExecArray | null = null;
  for (const deadline = Date.now() + 120_000; !ready && Date.now() < deadline && npm.exitCode === null; await sleep(50)) {
    ready = /service ready on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
  }
  if (!ready) throw new Error(`npm start did not get ready:\n${output}`);
  const port = Number(ready[1]);
  // the service logs its own pid with every line (pino)
  servicePid = Number(/"pid":(\d+)/.exec(output)?.[1]);
  t.ok(servicePid && alive(servicePid), `the service runs (pid ${servicePid}, npm ${npm.pid})`);
  t.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200, 'and answers');

  npm.kill('SIGTERM');
  const exit = await npmExited;
  t.same(exit, { code: 0, signal: null }, 'npm exits as the service did: cleanly', { output });
  t.match(output, /"signal":"SIGTERM".*"msg":"shutting down"/, 'the service received the signal and shut down');
  // the service is npm's child, waited for by npm: it has ended by the time npm exits
  t.notOk(alive(servicePid as number), 'the service process is gone, not left running without npm');
  t.ok(await refusesConnections(port), 'its port is free');
  t.equal(dataDirLockHolder(dataDir), null, 'its data directory is released');
});
