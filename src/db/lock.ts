import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
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
 * Where a process runs: its host and its PID namespace. A pid says something only to a process of
 * the same namespace: two containers on one volume are each PID 1 in their own.
 */
export type ProcessSpace = { host: string; pidNamespace: string };

/** What service.lock records of its holder; `instance` is one acquire's own. */
type LockRecord = ProcessSpace & { pid: number; instance: string };

/** How often a holder renews its lock's mtime, and how old a lock of another process space may be before it counts as left. */
export const LOCK_HEARTBEAT_MS = 5_000;
export const LOCK_STALE_AFTER_MS = 30_000;

export type LockOptions = {
  /** This process's space and pid (tests set them; by default this host, PID namespace and pid). */
  space?: ProcessSpace;
  pid?: number;
  heartbeatMs?: number;
  staleAfterMs?: number;
};

function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return ''; // not Linux: the host alone tells
  }
}

export const thisProcessSpace = (): ProcessSpace => ({ host: hostname(), pidNamespace: pidNamespace() });

/** The holder a lock names, null when it names none (empty or garbled: a crash between create and write). */
function readHolder(lockPath: string): Omit<LockRecord, 'instance'> | LockRecord | null {
  const text = readFileSync(lockPath, 'utf8').trim();
  // a bare pid: the lock of a version before process spaces, which ran on this machine
  if (/^\d+$/.test(text)) return { ...thisProcessSpace(), pid: Number(text) };
  try {
    const record = JSON.parse(text) as LockRecord;
    return typeof record.host === 'string' && typeof record.pidNamespace === 'string' && Number.isInteger(record.pid) ? record : null;
  } catch {
    return null;
  }
}

/**
 * The lock's mtime is renewed from a thread of its own, so that a long statement of PGlite (which
 * runs on the main thread) cannot make a live holder look gone. It renews only a lock still its own.
 */
const HEARTBEAT = `
const { workerData: { lockPath, instance, heartbeatMs } } = require('node:worker_threads');
const { readFileSync, utimesSync } = require('node:fs');
setInterval(() => {
  try {
    if (JSON.parse(readFileSync(lockPath, 'utf8')).instance !== instance) return;
    const now = new Date();
    utimesSync(lockPath, now, now);
  } catch {}
}, heartbeatMs);
`;

/**
 * PGlite corrupts a data directory opened by two processes at once, so the directory is claimed
 * with a lock file naming its holder: host, PID namespace and pid. A holder of this process space
 * holds it while its process lives (one gone is taken over at once; our own pid is this process, or
 * a dead one whose pid it was given). A holder of another space (another container on the same
 * volume, another host) cannot be asked whether it lives: it holds the lock while the lock's mtime,
 * which it renews every few seconds, is fresh; one it left by dying is taken over once that is older
 * than `staleAfterMs`.
 */
export function acquireDataDirLock(dataDir: string, options: LockOptions = {}): () => void {
  const lockPath = join(dataDir, 'service.lock');
  const space = options.space ?? thisProcessSpace();
  const pid = options.pid ?? process.pid;
  const staleAfterMs = options.staleAfterMs ?? LOCK_STALE_AFTER_MS;
  const record: LockRecord = { ...space, pid, instance: randomUUID() };
  const content = JSON.stringify(record);
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(lockPath, content, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !existsSync(lockPath)) {
      throw new DataDirUnusableError(`DATA_DIR: ${dataDir} cannot hold the database: ${(error as Error).message}`);
    }
    const holder = readHolder(lockPath);
    if (holder && holder.host === space.host && holder.pidNamespace === space.pidNamespace) {
      if (holder.pid > 0 && holder.pid !== pid && isAlive(holder.pid)) {
        throw new DataDirLockedError(`${dataDir} is in use by process ${holder.pid}; stop it first or set DATA_DIR to another folder`);
      }
    } else if (holder) {
      const age = Date.now() - statSync(lockPath).mtimeMs;
      if (age < staleAfterMs) {
        throw new DataDirLockedError(
          `${dataDir} is in use by process ${holder.pid} on host ${holder.host} (its lock renewed ${Math.max(0, Math.round(age / 1000))} s ago; ` +
            `taken over once not renewed for ${staleAfterMs / 1000} s); stop it first or set DATA_DIR to another folder`,
        );
      }
    }
    writeFileSync(lockPath, content);
  }
  const heartbeat = new Worker(HEARTBEAT, {
    eval: true,
    workerData: { lockPath, instance: record.instance, heartbeatMs: options.heartbeatMs ?? LOCK_HEARTBEAT_MS },
  });
  heartbeat.unref();
  return () => {
    void heartbeat.terminate();
    // not a lock another process took over meanwhile
    if (existsSync(lockPath) && readFileSync(lockPath, 'utf8') === content) rmSync(lockPath, { force: true });
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
