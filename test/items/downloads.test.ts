// Downloads of a code job's codes: a large codes.csv streams while other requests are answered.
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/**
 * A client on a thread of its own (the service's event loop cannot hold it up, as it could a client
 * in the same process): downloads `url` whole, reading as fast as the bytes come, and once the first
 * bytes are in asks for `other`; says whether `other` was answered before the download's last byte.
 */
const CLIENT = `
const { parentPort, workerData: { url, other, headers } } = require('node:worker_threads');
(async () => {
  try {
    const response = await fetch(url, { headers });
    let bytes = 0;
    let otherAnswered;
    let answeredBeforeEnd = false;
    for await (const chunk of response.body) {
      bytes += chunk.byteLength;
      otherAnswered ??= fetch(other).then(async (reply) => { await reply.arrayBuffer(); answeredBeforeEnd = true; return reply.status; });
    }
    const before = answeredBeforeEnd;
    const otherStatus = await otherAnswered;
    parentPort.postMessage({ status: response.status, bytes, otherStatus, before });
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
})();`;

/** A succeeded job of `count` codes of the party's lot, written straight into the tables (issuing that many would take long). */
async function storedJob(world: Awaited<ReturnType<typeof createWorld>>, party: { code: string }, lot: string, count: number) {
  const id = `00000000-0000-4000-8000-${String(count).padStart(12, '0')}`;
  await world.database.db.execute(
    sql`insert into code_jobs (id, party_code, lot_code, total, done, status) values (${id}, ${party.code}, ${lot}, ${count}, ${count}, 'succeeded')`,
  );
  await world.database.db.execute(
    sql`insert into items (code, lot_code, party_code, job_id)
      select 'C' || lpad(((n * 7919) % ${count})::text, 10, '0'), ${lot}, ${party.code}, ${id} from generate_series(0, ${count - 1}) n`,
  );
  return id;
}

t.test('other requests are answered while a large codes.csv streams', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('kg'), 5);
  const count = 30_000;
  const jobId = await storedJob(world, processor, lot, count);
  await world.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = world.app.server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  const worker = new Worker(CLIENT, {
    eval: true,
    workerData: {
      url: `${base}/code-jobs/${jobId}/codes.csv`,
      other: `${base}/openapi.json`,
      headers: { authorization: `Bearer ${processor.key}` },
    },
  });
  t.teardown(() => worker.terminate());
  const result = await new Promise<any>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  t.notOk(result.error, result.error);
  t.equal(result.status, 200);
  t.ok(result.bytes > 1_300_000, `the whole download (${result.bytes} bytes, many pages)`);
  t.equal(result.otherStatus, 200);
  t.ok(result.before, 'the other request was answered while the codes streamed, not once they had all been sent');
});
