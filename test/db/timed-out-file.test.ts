// A test file that times out in a worker of `npm test` (test/workers/queue.ts) while its code goes on
// using its database: the next file the worker loads gets a database of its own, and passes, rather
// than failing in ways of the timed-out file's making (and the file after it, and so on).
import { spawnProcess } from '../fixtures/service-process.js';
import { usingPostgres } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('the file after one that timed out gets a database of its own', async (t) => {
  const env: Record<string, string> = usingPostgres() ? { DATABASE_URL: process.env.DATABASE_URL as string } : {};
  const worker = spawnProcess(t, ['test/fixtures/timed-out-files/worker.ts'], env);
  await worker.exited;
  const output = worker.output();
  t.match(output, /expired: test\/fixtures\/timed-out-files\/slow\.ts/, 'the first file times out', { output });
  t.match(output, /# the timed-out file's database is closed/, "the timed-out file's code, going on, finds its database closed", {
    output,
  });
  t.match(output, /^ok 2 - test\/fixtures\/timed-out-files\/next\.ts/m, 'the next file passes', { output });
});
