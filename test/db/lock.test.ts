import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireDataDirLock, DataDirLockedError, DataDirUnusableError } from '../../src/db/lock.js';
import { fileTest } from '../root.js';

const t = fileTest();

const lockOf = (dir: string) => join(dir, 'service.lock');

t.test('creates service.lock with our pid; release removes it', async (t) => {
  const dir = t.testdir();
  const release = acquireDataDirLock(dir);
  t.ok(existsSync(lockOf(dir)));
  t.equal(readFileSync(lockOf(dir), 'utf8'), String(process.pid));
  release();
  t.notOk(existsSync(lockOf(dir)), 'released');
  t.doesNotThrow(() => release(), 'releasing twice is harmless');
  // and can be acquired again afterwards
  const again = acquireDataDirLock(dir);
  t.equal(readFileSync(lockOf(dir), 'utf8'), String(process.pid));
  again();
});

t.test('creates a missing data directory', async (t) => {
  const dir = join(t.testdir(), 'nested', 'data');
  const release = acquireDataDirLock(dir);
  t.equal(readFileSync(lockOf(dir), 'utf8'), String(process.pid));
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
  t.equal(readFileSync(lockOf(dir), 'utf8'), String(process.pid));
  release();
  t.notOk(existsSync(lockOf(dir)));
});

t.test('a lock file with garbage is taken over', async (t) => {
  const dir = t.testdir();
  writeFileSync(lockOf(dir), 'not a pid');
  const release = acquireDataDirLock(dir);
  t.equal(readFileSync(lockOf(dir), 'utf8'), String(process.pid));
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
