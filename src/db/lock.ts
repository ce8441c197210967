import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { SetupError } from '../errors/setup.js';

export class DataDirLockedError extends SetupError {
  override name = 'DataDirLockedError';
}

/** A DATA_DIR the service cannot make or write its lock in (a file, a folder it may not write). */
export class DataDirUnusableError extends SetupError {
  override name = 'DataDirUnusableError';
}

/**
 * Where a process runs: its host and its PID namespace (and the kernel's boot id, for when the
 * namespace cannot be read; '' when unknown). A pid says something only to a process of the same
 * namespace: two containers on one volume are each PID 1 in their own.
 */
export type ProcessSpace = { host: string; pidNamespace: string; bootId?: string };

/** What a lock file records of its holder; `instance` is one acquire's own. */
type LockRecord = ProcessSpace & { pid: number; instance: string };

/**
 * How often a holder touches its lock file, and how long a process of another space watches a lock
 * that does not change before it counts as left.
 */
export const LOCK_HEARTBEAT_MS = 5_000;
export const LOCK_STALE_AFTER_MS = 30_000;

export type LockOptions = {
  /** This process's space and pid (tests set them; by default this host, PID namespace and pid). */
  space?: ProcessSpace;
  pid?: number;
  heartbeatMs?: number;
  staleAfterMs?: number;
  /** Where a wait for a holder elsewhere is told (console.warn). */
  log?: (line: string) => void;
};

function pidNamespace(): string {
  // macOS and Windows have no PID namespaces: every process of the host shares one pid space
  if (process.platform !== 'linux') return `host:${process.platform}`;
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return ''; // /proc hidden
  }
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

export const thisProcessSpace = (): ProcessSpace => ({ host: hostname(), pidNamespace: pidNamespace(), bootId: bootId() });

/**
 * Whether a holder's pid can be asked about here. Without PID namespaces two containers of one host
 * name would both be "PID 1 here", so then the host and the boot must both be known to match; what
 * cannot be told is another space (watched, not asked).
 */
export function sameSpace(holder: ProcessSpace, space: ProcessSpace): boolean {
  if (holder.host !== space.host || holder.pidNamespace !== space.pidNamespace) return false;
  return holder.pidNamespace !== '' || (!!space.bootId && holder.bootId === space.bootId);
}

// `service.lock.<generation>`; a bare `service.lock` is the lock of a version before generations (generation 0)
const LOCK_FILE = /^service\.lock(?:\.(\d+))?$/;
const lockFile = (generation: number) => (generation === 0 ? 'service.lock' : `service.lock.${generation}`);
const LEGACY = 'service.lock';

/** The generations of lock files in the directory, highest first. */
function generations(dataDir: string): number[] {
  return readdirSync(dataDir)
    .map((name) => LOCK_FILE.exec(name))
    .filter((match) => match !== null)
    .map((match) => Number(match[1] ?? 0))
    .sort((a, b) => b - a);
}

/** The holder a lock file names; null when it names none (released, gone, empty or garbled). */
function readHolder(path: string): Omit<LockRecord, 'instance'> | LockRecord | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
  // a bare pid: the lock of a version before process spaces, which ran on this machine
  if (/^\d+$/.test(text)) return { ...thisProcessSpace(), pid: Number(text) };
  try {
    const record = JSON.parse(text) as LockRecord;
    return typeof record.host === 'string' && typeof record.pidNamespace === 'string' && Number.isInteger(record.pid) ? record : null;
  } catch {
    return null;
  }
}

/** Whoever holds the data directory, or null when none does (for tests and tools; a holder of another space may have died). */
export function dataDirLockHolder(dataDir: string): { host: string; pid: number } | null {
  const [top] = generations(dataDir);
  return top === undefined ? null : readHolder(join(dataDir, lockFile(top)));
}

/**
 * A holder touches its lock file from a thread of its own, so that a long statement of PGlite (which
 * runs on the main thread) does not make it look gone. The time it sets says nothing: a watcher looks
 * only for a change. It touches only a lock still its own.
 */
const HEARTBEAT = `
const { workerData: { lockPaths, instance, heartbeatMs } } = require('node:worker_threads');
const { readFileSync, utimesSync } = require('node:fs');
let beat = 0;
setInterval(() => {
  // a new time at each beat, whatever this process's clock does
  const at = new Date(Date.now() + (++beat % 2));
  for (const lockPath of lockPaths) {
    try {
      if (JSON.parse(readFileSync(lockPath, 'utf8')).instance !== instance) continue;
      utimesSync(lockPath, at, at);
    } catch {}
  }
}, heartbeatMs);
`;

/** What changes when a holder touches its lock, or another process takes the directory. */
function stamp(dataDir: string, generation: number): string {
  try {
    const stat = statSync(join(dataDir, lockFile(generation)));
    return `${generations(dataDir)[0]} ${stat.mtimeMs} ${stat.ctimeMs}`;
  } catch {
    return 'gone';
  }
}

/**
 * PGlite corrupts a data directory opened by two processes at once, so a process claims the
 * directory with a lock file naming it: host, PID namespace and pid. Lock files are numbered; the
 * highest is the lock. Taking the directory is creating the next number, which the file system lets
 * exactly one process do (link(2) of a file already written), so of two starters only one wins.
 *
 * The lock's holder is asked whether it lives, where it can be: a holder of this host and PID
 * namespace holds it while its pid lives (a stopped or paused process lives; one gone is taken over
 * at once; our own pid is this process, or a dead one whose pid it was given). A holder elsewhere
 * (another container on the same volume, another host) cannot be asked: it touches its lock every
 * few seconds, and a starter watches the lock for `staleAfterMs` by its own monotonic clock, taking
 * it over only if nothing touched it meanwhile. No clock is compared with another.
 */
export async function acquireDataDirLock(dataDir: string, options: LockOptions = {}): Promise<() => void> {
  const space = options.space ?? thisProcessSpace();
  const pid = options.pid ?? process.pid;
  const staleAfterMs = options.staleAfterMs ?? LOCK_STALE_AFTER_MS;
  const record: LockRecord = { ...space, pid, instance: randomUUID() };
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw unusable(dataDir, error);
  }
  const generation = await claim(dataDir, record, staleAfterMs, options);
  const lockPath = join(dataDir, lockFile(generation));
  // the older lock files are of holders gone; the bare one is kept naming this holder (replaced whole,
  // so it never is missing), as an earlier version looks at it alone and refuses while it names a live holder
  for (const older of generations(dataDir).filter((g) => g > 0 && g < generation)) rmSync(join(dataDir, lockFile(older)), { force: true });
  const legacyPath = join(dataDir, LEGACY);
  const legacyDraft = join(dataDir, `service.lock-${record.instance}`);
  try {
    writeFileSync(legacyDraft, JSON.stringify(record));
    renameSync(legacyDraft, legacyPath);
  } catch (error) {
    rmSync(legacyDraft, { force: true });
    rmSync(lockPath, { force: true });
    throw unusable(dataDir, error);
  }
  const heartbeat = new Worker(HEARTBEAT, {
    eval: true,
    workerData: { lockPaths: [lockPath, legacyPath], instance: record.instance, heartbeatMs: options.heartbeatMs ?? LOCK_HEARTBEAT_MS },
  });
  heartbeat.unref();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    void heartbeat.terminate();
    // The highest lock file stays (a lower number is never the lock again, so a starter that looked
    // long ago cannot take it); it names no holder now. One a later holder removed stays removed.
    try {
      const fd = openSync(lockPath, 'r+');
      ftruncateSync(fd);
      writeSync(fd, 'released');
      closeSync(fd);
    } catch {}
    try {
      if ((JSON.parse(readFileSync(legacyPath, 'utf8')) as LockRecord).instance === record.instance) rmSync(legacyPath, { force: true });
    } catch {}
  };
}

const unusable = (dataDir: string, error: unknown) =>
  new DataDirUnusableError(`DATA_DIR: ${dataDir} cannot hold the database: ${(error as Error).message}`);

/** Claims the next generation of lock file for `record`, or throws; the generation claimed. */
async function claim(dataDir: string, record: LockRecord, staleAfterMs: number, options: LockOptions): Promise<number> {
  const { pid, ...space } = record;
  const log = options.log ?? console.warn;
  judge: for (;;) {
    const top = generations(dataDir)[0];
    // the lock, and a bare service.lock naming another holder (a live process of an earlier version)
    const named = (g: number) => readHolder(join(dataDir, lockFile(g)));
    const judged = top === undefined ? [] : top === 0 || JSON.stringify(named(0)) === JSON.stringify(named(top)) ? [top] : [top, 0];
    for (const g of judged) {
      const holder = named(g);
      if (holder && sameSpace(holder, space)) {
        if (holder.pid > 0 && holder.pid !== pid && isAlive(holder.pid)) {
          throw new DataDirLockedError(`${dataDir} is in use by process ${holder.pid}; stop it first or set DATA_DIR to another folder`);
        }
      } else if (holder) {
        log(
          `waiting up to ${staleAfterMs / 1000} s for the holder of ${dataDir} (process ${holder.pid} on host ${holder.host}) ` +
            'to show it lives; it is taken over if not',
        );
        const seen = stamp(dataDir, g);
        const until = performance.now() + staleAfterMs;
        while (performance.now() < until) {
          await sleep(Math.min(1_000, staleAfterMs / 10));
          if (stamp(dataDir, g) === seen) continue;
          // changed: renewed by the same holder, or released, or taken by another: judged again
          const now = generations(dataDir)[0] === top ? named(g) : null;
          if (now && JSON.stringify(now) === JSON.stringify(holder)) {
            throw new DataDirLockedError(
              `${dataDir} is in use by process ${holder.pid} on host ${holder.host} (its lock is renewed; ` +
                `taken over once not renewed for ${staleAfterMs / 1000} s); stop it first or set DATA_DIR to another folder`,
            );
          }
          continue judge;
        }
      }
    }
    const next = (top ?? 0) + 1;
    if (!create(dataDir, record, join(dataDir, lockFile(next)))) continue; // another starter took it first: judge its lock
    // A starter that looked long ago may have made a number a later holder had already removed: the
    // lock is the highest.
    if (generations(dataDir)[0] === next) return next;
    rmSync(join(dataDir, lockFile(next)), { force: true });
  }
}

/** Creates the lock file `path` naming `record`; false when it exists already. */
function create(dataDir: string, record: LockRecord, path: string): boolean {
  // written whole first: no one reads a lock file half written
  const draft = join(dataDir, `service.lock-${record.instance}`);
  try {
    writeFileSync(draft, JSON.stringify(record));
    linkSync(draft, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // no hard links here (exFAT, some CIFS and FUSE, Docker Desktop bind mounts): created exclusively,
    // which leaves a moment where the file is empty (read as naming no holder)
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw unusable(dataDir, error);
  } finally {
    rmSync(draft, { force: true });
  }
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw unusable(dataDir, error);
  }
  try {
    writeSync(fd, JSON.stringify(record));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
