import { spawn } from 'node:child_process';
import fs, { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import type { Test } from 'tap';
import {
  acquireDataDirLock,
  DataDirLockedError,
  DataDirUnusableError,
  dataDirLockHolder,
  sameSpace,
  thisProcessSpace,
} from '../../src/db/lock.js';
import { sleep, spawnProcess } from '../fixtures/service-process.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** The lock file: the highest numbered (a bare service.lock is one of an earlier version). */
const lockOf = (dir: string) => {
  const [top] = readdirSync(dir)
    .filter((name) => /^service\.lock(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b.split('.')[2] ?? 0) - Number(a.split('.')[2] ?? 0));
  return join(dir, top);
};
/** The pid the lock names. */
const holderOf = (dir: string) => dataDirLockHolder(dir)?.pid;
/** The lock an earlier version left: a bare service.lock. */
const legacyLock = (dir: string, content: string) => writeFileSync(join(dir, 'service.lock'), content);

/** What acquiring threw. */
async function refusal(acquiring: Promise<unknown>): Promise<unknown> {
  try {
    await acquiring;
  } catch (error) {
    return error;
  }
  return undefined;
}

t.test('a lock names this process; release leaves it naming none', async (t) => {
  const dir = t.testdir();
  const release = await acquireDataDirLock(dir);
  t.match(JSON.parse(readFileSync(lockOf(dir), 'utf8')), { pid: process.pid, ...thisProcessSpace(), instance: /^[0-9a-f-]{36}$/ });
  release();
  t.equal(dataDirLockHolder(dir), null, 'released');
  t.doesNotThrow(() => release(), 'releasing twice is harmless');
  // and can be acquired again afterwards
  const again = await acquireDataDirLock(dir);
  t.equal(holderOf(dir), process.pid);
  again();
  t.same(
    readdirSync(dir).filter((name) => name.startsWith('service.lock')),
    [lockOf(dir).split('/').pop()],
    'one lock file is left, no drafts',
  );
});

t.test('creates a missing data directory', async (t) => {
  const dir = join(t.testdir(), 'nested', 'data');
  const release = await acquireDataDirLock(dir);
  t.equal(holderOf(dir), process.pid);
  release();
});

t.test('a second acquire in the same process re-takes its own lock', async (t) => {
  const dir = t.testdir();
  const release = await acquireDataDirLock(dir);
  const again = await acquireDataDirLock(dir);
  t.equal(holderOf(dir), process.pid);
  release();
  t.equal(holderOf(dir), process.pid, 'the earlier acquire’s release leaves the later one’s lock');
  again();
});

t.test('a live other process holds the lock (a bare pid, as an earlier version wrote it)', async (t) => {
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
  legacyLock(dir, String(pid));

  const caught = await refusal(acquireDataDirLock(dir));
  t.type(caught, DataDirLockedError);
  t.ok((caught as Error).message.includes(dir), 'message names the directory');
  t.ok((caught as Error).message.includes(String(pid)), 'message names the holder');
  t.equal(readFileSync(join(dir, 'service.lock'), 'utf8'), String(pid), 'the lock is left alone');

  // process.ppid is alive too
  legacyLock(dir, String(process.ppid));
  t.type(await refusal(acquireDataDirLock(dir)), DataDirLockedError);
});

t.test('a lock of a process gone is taken over', async (t) => {
  const dir = t.testdir();
  const done = spawn('true', [], { stdio: 'ignore' });
  await new Promise((resolve, reject) => {
    done.once('exit', resolve);
    done.once('error', reject);
  });
  const pid = done.pid as number;
  t.throws(() => process.kill(pid, 0), 'sanity: the process is gone');
  legacyLock(dir, String(pid));

  const release = await acquireDataDirLock(dir);
  t.equal(holderOf(dir), process.pid);
  t.equal(dataDirLockHolder(dir)?.pid, process.pid);
  t.match(JSON.parse(readFileSync(join(dir, 'service.lock'), 'utf8')), { pid: process.pid }, 'the old lock names this process now');
  release();
  t.equal(dataDirLockHolder(dir), null);
});

t.test('a lock file with garbage is taken over', async (t) => {
  const dir = t.testdir();
  legacyLock(dir, 'not a pid');
  const release = await acquireDataDirLock(dir);
  t.equal(holderOf(dir), process.pid);
  release();
});

// An empty lock file (a crash between creating and writing it, in an earlier version) names no holder.
t.test('an empty lock file is taken over', async (t) => {
  const dir = t.testdir();
  legacyLock(dir, '');
  (await acquireDataDirLock(dir))();
  legacyLock(dir, '  \n');
  (await acquireDataDirLock(dir))();
});

t.test('a DATA_DIR that cannot be a directory is a message naming it, not a stack trace', async (t) => {
  const dir = t.testdir({ 'a-file': 'not a directory' });
  const path = join(dir, 'a-file');
  const caught = await refusal(acquireDataDirLock(path));
  t.type(caught, DataDirUnusableError);
  t.match((caught as Error).message, `DATA_DIR: ${path} cannot hold the database: EEXIST`);
});

/** A process holding the lock of `dir`, of this host unless `env` says otherwise. */
async function holder(t: Test, dir: string, env: Record<string, string> = {}) {
  const process = spawnProcess(t, ['test/fixtures/lock-holder.ts'], { LOCK_DIR: dir, ...env });
  await process.waitFor(/^locked$/m);
  return process;
}

/** Runs `acquire` with this process's clock `ms` off (Date only: a clock set wrong, or one that jumped). */
async function withClockOff<T>(ms: number, acquire: () => Promise<T>): Promise<T> {
  const now = Date.now;
  Date.now = () => now() + ms;
  try {
    return await acquire();
  } finally {
    Date.now = now;
  }
}

const HOUR = 3_600_000;

t.test('a paused holder keeps its lock; a killed one loses it', async (t) => {
  const dir = t.testdir();
  const paused = await holder(t, dir);
  const pid = paused.child.pid as number;
  paused.child.kill('SIGSTOP');
  t.teardown(() => {
    paused.child.kill('SIGCONT');
  });
  // however long it has been paused, and whatever the clocks say
  await sleep(300);
  for (const off of [0, HOUR, -HOUR]) {
    const caught = await withClockOff(off, () => refusal(acquireDataDirLock(dir, { staleAfterMs: 100 })));
    t.type(caught, DataDirLockedError, `refused with the clock ${off / HOUR} h off`);
    t.match((caught as Error).message, `in use by process ${pid}`);
  }
  t.equal(holderOf(dir), pid, 'the lock is left alone');

  await paused.stop('SIGKILL');
  const release = await acquireDataDirLock(dir);
  t.equal(holderOf(dir), process.pid, 'a killed holder’s lock is taken over at once');
  release();
});

t.test('of starters racing for the lock of a holder gone, exactly one takes it', async (t) => {
  for (let round = 0; round < 5; round++) {
    const dir = t.testdir();
    const gone = await holder(t, dir);
    await gone.stop('SIGKILL');
    const go = join(dir, 'go');
    const starters = Array.from({ length: 3 }, () =>
      spawnProcess(t, ['test/fixtures/lock-holder.ts'], { LOCK_DIR: dir, LOCK_GO_FILE: go, LOCK_SLOW_WRITES_MS: '300' }),
    );
    await Promise.all(starters.map((starter) => starter.waitFor(/^ready$/m)));
    writeFileSync(go, '');
    // each says it holds the lock or why not (an output may end after its process does)
    while (!starters.every((starter) => /^(locked|.* is in use by .*)$/m.test(starter.output()))) await sleep(20);
    const winners = starters.filter((starter) => /^locked$/m.test(starter.output()));
    t.equal(winners.length, 1, `round ${round}: one starter holds the lock`, { output: starters.map((starter) => starter.output()) });
    t.equal(holderOf(dir), winners[0]?.child.pid, 'and the lock names it');
    for (const starter of starters.filter((starter) => !winners.includes(starter)))
      t.match(starter.output(), `is in use by process ${winners[0]?.child.pid}`, 'the others are refused, naming it');
    await Promise.all(starters.map((starter) => starter.stop('SIGKILL')));
  }
});

// Two containers on one volume: each is PID 1 in a PID namespace of its own, and neither can ask
// whether the other's process lives.
const CONTAINER_A = { LOCK_HOST: 'container-a', LOCK_PID_NAMESPACE: 'pid:[4026532001]', LOCK_PID: '1', LOCK_HEARTBEAT_MS: '100' };
const CONTAINER_B = { space: { host: 'container-b', pidNamespace: 'pid:[4026532002]' }, pid: 1 };

t.test('a lock of another container is held while its holder touches it, whatever the clocks say', async (t) => {
  const dir = t.testdir();
  const holderA = await holder(t, dir, CONTAINER_A);
  t.match(JSON.parse(readFileSync(lockOf(dir), 'utf8')), { host: 'container-a', pid: 1 });

  const caught = await refusal(acquireDataDirLock(dir, { ...CONTAINER_B, staleAfterMs: 3_000 }));
  t.type(caught, DataDirLockedError, 'PID 1 of another container is not this PID 1');
  t.match((caught as Error).message, `${dir} is in use by process 1 on host container-a`);
  t.match(JSON.parse(readFileSync(lockOf(dir), 'utf8')), { host: 'container-a' }, 'the lock is left alone');

  // the lock's times are the holder's clock, and this process's clock is its own: neither counts
  const old = new Date(Date.now() - HOUR);
  utimesSync(lockOf(dir), old, old);
  t.type(await refusal(acquireDataDirLock(dir, { ...CONTAINER_B, staleAfterMs: 3_000 })), DataDirLockedError, 'stamped an hour back');
  for (const off of [HOUR, -HOUR])
    t.type(
      await withClockOff(off, () => refusal(acquireDataDirLock(dir, { ...CONTAINER_B, staleAfterMs: 3_000 }))),
      DataDirLockedError,
      `with this clock ${off / HOUR} h off`,
    );

  // killed without releasing (a lost container): taken over once nothing touched it for staleAfterMs
  await holderA.stop('SIGKILL');
  const release = await acquireDataDirLock(dir, { ...CONTAINER_B, staleAfterMs: 3_000 });
  t.match(JSON.parse(readFileSync(lockOf(dir), 'utf8')), { host: 'container-b', pid: 1 }, 'a lock left untouched is taken over');
  release();
  t.equal(dataDirLockHolder(dir), null, 'and released');
});

t.test('a lock of another container is not taken for one of this process’s own', async (t) => {
  const dir = t.testdir();
  const holderA = await holder(t, dir, CONTAINER_A);
  // the same pid, the same host name even (containers on the host's network share it): another PID namespace
  for (const space of [{ host: 'container-a', pidNamespace: 'pid:[4026532002]' }, thisProcessSpace()])
    t.type(
      await refusal(acquireDataDirLock(dir, { space, pid: 1, staleAfterMs: 3_000 })),
      DataDirLockedError,
      `as ${space.host} ${space.pidNamespace}`,
    );
  await holderA.stop('SIGKILL');
});

t.test('releasing a lock another process took over leaves that lock alone', async (t) => {
  const dir = t.testdir();
  const release = await acquireDataDirLock(dir, { ...CONTAINER_B, heartbeatMs: HOUR });
  // a holder that stopped touching its lock (another container's, so this process cannot ask it)
  const releaseOther = await acquireDataDirLock(dir, { staleAfterMs: 300 });
  release();
  t.equal(holderOf(dir), process.pid, 'the new holder keeps it');
  t.match(JSON.parse(readFileSync(join(dir, 'service.lock'), 'utf8')), { pid: process.pid }, 'and the bare lock naming it');
  releaseOther();
});

// An earlier version only creates a bare service.lock (exclusively) and never looks at numbered ones.
t.test('while held, a bare service.lock names the holder, so an earlier version refuses', async (t) => {
  const dir = t.testdir();
  legacyLock(dir, '999999999'); // a holder gone, of an earlier version
  const release = await acquireDataDirLock(dir);
  const bare = join(dir, 'service.lock');
  t.match(JSON.parse(readFileSync(bare, 'utf8')), { pid: process.pid, ...thisProcessSpace() }, 'in the format an earlier version reads');
  t.throws(() => writeFileSync(bare, 'x', { flag: 'wx' }), { code: 'EEXIST' }, 'an earlier version cannot create it');
  release();
  t.notOk(readdirSync(dir).includes('service.lock'), 'released: removed');
});

t.test('a live holder of an earlier version in a bare service.lock is refused beside numbered lock files', async (t) => {
  const dir = t.testdir();
  (await acquireDataDirLock(dir))(); // released: the numbered file stays
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.teardown(() => {
    sleeper.kill();
  });
  await new Promise((resolve) => sleeper.once('spawn', resolve));
  legacyLock(dir, JSON.stringify({ ...thisProcessSpace(), pid: sleeper.pid, instance: 'earlier' }));
  const caught = await refusal(acquireDataDirLock(dir));
  t.type(caught, DataDirLockedError);
  t.match((caught as Error).message, `in use by process ${sleeper.pid}`);
});

t.test('a holder of another space that releases while watched gives the lock up', async (t) => {
  const dir = t.testdir();
  // a holder between two touches (a touch would be refused as renewed)
  const releaseA = await acquireDataDirLock(dir, {
    space: { host: 'container-a', pidNamespace: 'pid:[4026532001]' },
    pid: 1,
    heartbeatMs: HOUR,
  });
  const logged: string[] = [];
  const starting = acquireDataDirLock(dir, { ...CONTAINER_B, staleAfterMs: 3_000, log: (line) => logged.push(line) });
  await sleep(500);
  releaseA();
  const release = await starting;
  t.match(JSON.parse(readFileSync(lockOf(dir), 'utf8')), { host: 'container-b' }, 'taken');
  t.match(logged, [/waiting up to 3 s for the holder of .* \(process 1 on host container-a\)/], 'the wait is logged');
  release();
});

t.test('a file system without hard links: the lock file is created exclusively', async (t) => {
  const dir = t.testdir();
  const link = fs.linkSync;
  fs.linkSync = () => {
    throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
  };
  syncBuiltinESMExports();
  t.teardown(() => {
    fs.linkSync = link;
    syncBuiltinESMExports();
  });
  const release = await acquireDataDirLock(dir);
  t.equal(holderOf(dir), process.pid);
  t.type(await refusal(acquireDataDirLock(dir, { pid: process.ppid })), DataDirLockedError, 'held');
  release();
  const again = await acquireDataDirLock(dir);
  t.equal(holderOf(dir), process.pid, 'taken again');
  again();
  t.notOk(
    readdirSync(dir).some((name) => name.startsWith('service.lock-')),
    'no drafts left',
  );
});

t.test('a holder counts as of this space only when that is known', async (t) => {
  const known = { host: 'h', pidNamespace: 'pid:[1]', bootId: 'b' };
  t.ok(sameSpace(known, known));
  t.notOk(sameSpace({ ...known, pidNamespace: 'pid:[2]' }, known), 'another PID namespace');
  t.notOk(sameSpace({ ...known, host: 'g' }, known), 'another host');
  const unknown = { ...known, pidNamespace: '' };
  t.ok(sameSpace(unknown, unknown), 'namespace unknown: host and boot id match');
  t.notOk(sameSpace({ ...unknown, bootId: 'c' }, unknown), 'namespace unknown, another boot');
  t.notOk(sameSpace({ ...unknown, bootId: '' }, { ...unknown, bootId: '' }), 'nothing but the host name known: another space');
  t.notOk(sameSpace(unknown, known), 'one namespace known, the other not');
});
