import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { acquireDataDirLock, DataDirLockedError, DataDirUnusableError, LOCK_STALE_AFTER_MS, thisProcessSpace } from '../../src/db/lock.js';
import { sleep, spawnProcess } from '../fixtures/service-process.js';
import { fileTest } from '../root.js';

const t = fileTest();

const lockOf = (dir: string) => join(dir, 'service.lock');
/** The pid the lock names. */
const holderOf = (dir: string) => JSON.parse(readFileSync(lockOf(dir), 'utf8')).pid;

t.test('creates service.lock with our pid; release removes it', async (t) => {
  const dir = t.testdir();
  const release = acquireDataDirLock(dir);
  t.ok(existsSync(lockOf(dir)));
  t.match(JSON.parse(readFileSync(lockOf(dir), 'utf8')), { pid: process.pid, ...thisProcessSpace(), instance: /^[0-9a-f-]{36}$/ });
  release();
  t.notOk(existsSync(lockOf(dir)), 'released');
  t.doesNotThrow(() => release(), 'releasing twice is harmless');
  // and can be acquired again afterwards
  const again = acquireDataDirLock(dir);
  t.equal(holderOf(dir), process.pid);
  again();
});

t.test('creates a missing data directory', async (t) => {
  const dir = join(t.testdir(), 'nested', 'data');
  const release = acquireDataDirLock(dir);
  t.equal(holderOf(dir), process.pid);
  release();
});

t.test('a second acquire in the same process re-takes its own lock', async (t) => {
  const dir = t.testdir();
  const release = acquireDataDirLock(dir);
  t.doesNotThrow(() => acquireDataDirLock(dir));
  release();
});

t.test('a live other process holds the lock', async (t) => {
  const dir = t.testdir();
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.teardown(() => {
    sleeper.kill();
  });
  await new Promise((resolve, reject) => {
    sleeper.once('spawn', resolve);
    sleeper.once('error', reject);
  });
  const pid = sleeper.pid as number;
  t.ok(pid > 0);
  writeFileSync(lockOf(dir), String(pid));

  let caught: unknown;
  try {
    acquireDataDirLock(dir);
  } catch (error) {
    caught = error;
  }
  t.type(caught, DataDirLockedError);
  t.ok((caught as Error).message.includes(dir), 'message names the directory');
  t.ok((caught as Error).message.includes(String(pid)), 'message names the holder');
  t.equal(readFileSync(lockOf(dir), 'utf8'), String(pid), 'the lock is left alone');

  // process.ppid is alive too
  writeFileSync(lockOf(dir), String(process.ppid));
  let second: unknown;
  try {
    acquireDataDirLock(dir);
  } catch (error) {
    second = error;
  }
  t.type(second, DataDirLockedError);
});

t.test('a stale lock is taken over', async (t) => {
  const dir = t.testdir();
  const done = spawn('true', [], { stdio: 'ignore' });
  await new Promise((resolve, reject) => {
    done.once('exit', resolve);
    done.once('error', reject);
  });
  const pid = done.pid as number;
  t.throws(() => process.kill(pid, 0), 'sanity: the process is gone');
  writeFileSync(lockOf(dir), String(pid));

  const release = acquireDataDirLock(dir);
  t.equal(holderOf(dir), process.pid);
  release();
  t.notOk(existsSync(lockOf(dir)));
});

t.test('a lock file with garbage is taken over', async (t) => {
  const dir = t.testdir();
  writeFileSync(lockOf(dir), 'not a pid');
  const release = acquireDataDirLock(dir);
  t.equal(holderOf(dir), process.pid);
  release();
});

// BUG: an empty lock file (e.g. left by a crash between creating and writing it) parses as
// Number('') === 0, and process.kill(0, 0) signals our own process group and succeeds, so the
// directory is reported as "in use by process 0" forever. Same for whitespace-only content.
t.test('an empty lock file is taken over', async (t) => {
  const dir = t.testdir();
  writeFileSync(lockOf(dir), '');
  t.doesNotThrow(() => acquireDataDirLock(dir)());
});

t.test('a DATA_DIR that cannot be a directory is a message naming it, not a stack trace', async (t) => {
  const dir = t.testdir({ 'a-file': 'not a directory' });
  const path = join(dir, 'a-file');
  let caught: unknown;
  try {
    acquireDataDirLock(path);
  } catch (error) {
    caught = error;
  }
  t.type(caught, DataDirUnusableError);
  t.match((caught as Error).message, `DATA_DIR: ${path} cannot hold the database: EEXIST`);
});

/** Spawns a process holding the lock of `dir` as a service in another container would: host `host`, PID 1. */
async function holderElsewhere(t: Test, dir: string, host: string) {
  const holder = spawnProcess(t, ['test/fixtures/lock-holder.ts'], {
    LOCK_DIR: dir,
    LOCK_HOST: host,
    LOCK_PID_NAMESPACE: 'pid:[4026532001]',
    LOCK_PID: '1',
    LOCK_HEARTBEAT_MS: '100',
  });
  await holder.waitFor(/^locked$/m);
  return holder;
}

// Two containers on one volume: each is PID 1 in a PID namespace of its own, and neither can ask
// whether the other's process lives.
const OTHER_CONTAINER = { space: { host: 'container-b', pidNamespace: 'pid:[4026532002]' }, pid: 1 };

t.test('a lock of another container is held while its holder renews it, whatever the pids say', async (t) => {
  const dir = t.testdir();
  const holder = await holderElsewhere(t, dir, 'container-a');
  t.match(JSON.parse(readFileSync(lockOf(dir), 'utf8')), { host: 'container-a', pid: 1 });

  let caught: unknown;
  try {
    acquireDataDirLock(dir, OTHER_CONTAINER);
  } catch (error) {
    caught = error;
  }
  t.type(caught, DataDirLockedError, 'PID 1 of another container is not this PID 1');
  t.match((caught as Error).message, `${dir} is in use by process 1 on host container-a`);
  t.match(JSON.parse(readFileSync(lockOf(dir), 'utf8')), { host: 'container-a' }, 'the lock is left alone');

  // the holder renews its lock: an mtime set far back comes forward again
  const old = new Date(Date.now() - 10 * LOCK_STALE_AFTER_MS);
  utimesSync(lockOf(dir), old, old);
  while (statSync(lockOf(dir)).mtimeMs <= old.getTime()) await sleep(20);
  t.throws(() => acquireDataDirLock(dir, OTHER_CONTAINER), DataDirLockedError, 'renewed, it is held again');

  // killed without releasing (a lost container): held until its lock is no longer renewed
  await holder.stop('SIGKILL');
  t.throws(() => acquireDataDirLock(dir, OTHER_CONTAINER), DataDirLockedError, 'a lock renewed moments ago is still held');
  const left = new Date(Date.now() - LOCK_STALE_AFTER_MS - 1000);
  utimesSync(lockOf(dir), left, left);
  const release = acquireDataDirLock(dir, OTHER_CONTAINER);
  t.match(JSON.parse(readFileSync(lockOf(dir), 'utf8')), { host: 'container-b', pid: 1 }, 'a lock left unrenewed is taken over');
  release();
  t.notOk(existsSync(lockOf(dir)), 'and released');
});

t.test('a lock of another container is not taken for one of this process’s own', async (t) => {
  const dir = t.testdir();
  const holder = await holderElsewhere(t, dir, 'container-a');
  // the same pid, the same host name even (containers on the host's network share it): another PID namespace
  for (const space of [{ host: 'container-a', pidNamespace: 'pid:[4026532002]' }, thisProcessSpace()])
    t.throws(() => acquireDataDirLock(dir, { space, pid: 1 }), DataDirLockedError, `as ${space.host} ${space.pidNamespace}`);
  await holder.stop('SIGKILL');
});

t.test('releasing a lock another process took over leaves that lock alone', async (t) => {
  const dir = t.testdir();
  const release = acquireDataDirLock(dir, { ...OTHER_CONTAINER, heartbeatMs: 3_600_000 });
  const left = new Date(Date.now() - LOCK_STALE_AFTER_MS - 1000);
  utimesSync(lockOf(dir), left, left);
  const releaseOther = acquireDataDirLock(dir);
  release();
  t.equal(holderOf(dir), process.pid, 'the new holder keeps it');
  releaseOther();
});
