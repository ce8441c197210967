import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError } from '../errors/setup.js';

export class DataDirLockedError extends SetupError {
  override name = 'DataDirLockedError';
}

/** A DATA_DIR the service cannot make or write its lock in (a file, a folder it may not write). */
export class DataDirUnusableError extends SetupError {
  override name = 'DataDirUnusableError';
}

/**
 * PGlite corrupts a data directory opened by two processes at once, so the directory is
 * claimed with a lock file holding our pid. A stale lock (its process gone) is taken over.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  const lockPath = join(dataDir, 'service.lock');
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !existsSync(lockPath)) {
      throw new DataDirUnusableError(`DATA_DIR: ${dataDir} cannot hold the database: ${(error as Error).message}`);
    }
    // an empty or garbled lock (a crash between create and write) counts as stale
    const holder = Number(readFileSync(lockPath, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new DataDirLockedError(`${dataDir} is in use by process ${holder}; stop it first or set DATA_DIR to another folder`);
    }
    writeFileSync(lockPath, String(process.pid));
  }
  return () => rmSync(lockPath, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
