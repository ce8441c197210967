// The queue that tap's worker processes share in `npm test`. Each worker (worker-N.test.ts, as many
// as tap's `jobs`) takes the next file nobody has taken, loads it into its own process under a
// subtest (test/root.ts) and takes another, until none is left: start-up is paid once per worker,
// not once per file, and no worker idles while another has a backlog.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import tap from 'tap';
import { runTestFile } from '../root.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TESTS = join(ROOT, 'test');

// Files that take longest (service processes, large captures, whole corpora) go first, so the
// short ones fill the workers' gaps at the end instead of one long file finishing alone.
const LONGEST_FIRST = [
  'test/epcis/crash.test.ts',
  'test/server.test.ts',
  'test/server-start.test.ts',
  'test/epcis/jobs.test.ts',
  'test/epcis/conformance.test.ts',
  'test/app-fuzz.test.ts',
  'test/rfid/crash.test.ts',
  'test/recalls/recalls.test.ts',
  'test/server-start-refusals.test.ts',
  'test/db/migration-log.test.ts',
];

/** A file's time limit, as tap gives each test file run as its own process. */
const FILE_TIMEOUT_MS = 180_000;
/** A worker's: far more than a run takes, so only a worker stuck between files meets it. */
const WORKER_TIMEOUT_MS = 30 * 60_000;

/** The queue of this tap run: the workers and tap's `before` step are children of the same tap process. */
export const claimsOfThisRun = () => join(tmpdir(), 'county-trace-tests', `claims-${process.ppid}`);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * A fresh queue for this run (tap's `before` step, before any worker starts): drops a queue left
 * under the same process id and those of runs that have ended.
 */
export function resetClaims(): void {
  const parent = dirname(claimsOfThisRun());
  mkdirSync(parent, { recursive: true });
  for (const name of readdirSync(parent)) {
    const pid = Number(/^claims-(\d+)$/.exec(name)?.[1]);
    if (pid && (pid === process.ppid || !alive(pid))) rmSync(join(parent, name), { recursive: true, force: true });
  }
}

function testFiles(): string[] {
  const all = readdirSync(TESTS, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts') && !name.startsWith('workers/'))
    .map((name) => relative(ROOT, join(TESTS, name)))
    .sort();
  return [...LONGEST_FIRST.filter((path) => all.includes(path)), ...all.filter((path) => !LONGEST_FIRST.includes(path))];
}

/** Whether this worker is the first to claim the file (mkdir is atomic: exactly one claimant succeeds). */
function claim(claims: string, path: string): boolean {
  try {
    mkdirSync(join(claims, encodeURIComponent(path)));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

export async function work(): Promise<void> {
  const claims = claimsOfThisRun();
  mkdirSync(claims, { recursive: true });
  // tap's limit (package.json) is meant for one file: a worker runs a share of the suite
  tap.setTimeout(WORKER_TIMEOUT_MS);
  for (const path of testFiles()) {
    // an error no test can be blamed for (thrown after its file's time ran out) ends this worker's
    // run: the files left go to the other workers instead of each failing here unrun
    if (tap.results || tap.ended || tap.bailedOut) return;
    if (claim(claims, path)) await runTestFile(path, pathToFileURL(join(ROOT, path)).href, FILE_TIMEOUT_MS);
  }
}
