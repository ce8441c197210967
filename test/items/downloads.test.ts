// Downloads of a code job's codes: a large codes.csv streams while other requests are answered, and
// label sheets page through every code once, in the order of codes.csv.
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { queryRows } from '../../src/db/client.js';
import { LABELS_PER_SHEET } from '../../src/items/labels.js';
import { migrationStatements } from '../fixtures/migrations.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import type { Client } from '../helper.js';
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
  // codes out of code order: seq is the order they were issued in
  await world.database.db.execute(
    sql`insert into items (code, lot_code, party_code, job_id, seq)
      select 'C' || lpad(((n * 7919) % ${count})::text, 10, '0'), ${lot}, ${party.code}, ${id}, n + 1 from generate_series(0, ${count - 1}) n`,
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
      // small and reading the database, so it is answered at once unless the download holds the
      // event loop or the database until its last byte
      other: `${base}/health`,
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

const csvCodes = (body: string) =>
  body
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',')[0]);
const sheetCodes = (svg: string) => [...svg.matchAll(/class="code"[^>]*>([^<]+)<\/text>/g)].map((match) => match[1]);

/** Every label sheet of a job, page by page until the first page past the end (a 404). */
async function allSheets(t: Test, api: Client, jobId: string) {
  const pages: string[][] = [];
  for (let page = 1; ; page++) {
    const sheet = await api.get(`/code-jobs/${jobId}/labels.svg?page=${page}`);
    if (sheet.status === 404) break;
    expectStatus(t, sheet, 200, `page ${page}`);
    pages.push(sheetCodes(String(sheet.body)));
  }
  return pages;
}

t.test('label sheets hold every code of a job once, in the order of codes.csv', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('kg'), 5);
  const count = 3 * LABELS_PER_SHEET + 5;
  const jobId = await storedJob(world, processor, lot, count);

  const csv = await processor.api.get(`/code-jobs/${jobId}/codes.csv`);
  expectStatus(t, csv, 200, 'codes.csv');
  const codes = csvCodes(String(csv.body));
  t.equal(codes.length, count, 'every code in codes.csv');
  t.equal(new Set(codes).size, count, 'once each');
  t.strictSame(
    codes.slice(0, 3),
    [0, 1, 2].map((n) => `C${String((n * 7919) % count).padStart(10, '0')}`),
    'in the order they were issued, not by code',
  );

  const pages = await allSheets(t, processor.api, jobId);
  t.strictSame(
    pages.map((page) => page.length),
    [LABELS_PER_SHEET, LABELS_PER_SHEET, LABELS_PER_SHEET, 5],
    'full sheets, then the rest; the page after the last is a 404',
  );
  t.strictSame(pages.flat(), codes, 'the sheets, one after the other, hold the codes of codes.csv in its order');
});

t.test('codes issued by a job are numbered across its batches; a job of before 0066 keeps its pages in code order', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('kg'), 5);
  // more than one batch of 10,000
  const accepted = expectStatus(t, await processor.api.post(`/lots/${lot}/items`, { count: 10_050 }), 202, 'a job');
  await world.app.services.items.idle();
  t.match((await processor.api.get(`/code-jobs/${accepted.body.id}`)).body, { status: 'succeeded', done: 10_050 });
  const codes = csvCodes(String((await processor.api.get(`/code-jobs/${accepted.body.id}/codes.csv`)).body));
  t.equal(new Set(codes).size, 10_050, 'every code once in codes.csv');
  const last = Math.ceil(10_050 / LABELS_PER_SHEET);
  const lastSheet = await processor.api.get(`/code-jobs/${accepted.body.id}/labels.svg?page=${last}`);
  t.strictSame(sheetCodes(String(lastSheet.body)), codes.slice((last - 1) * LABELS_PER_SHEET), 'the last sheet holds the last codes');
  expectStatus(t, await processor.api.get(`/code-jobs/${accepted.body.id}/labels.svg?page=${last + 1}`), 404, 'and is the last');
  for (const page of [31_251, 67_108_865, 100_000_000]) {
    const beyond = await processor.api.get(`/code-jobs/${accepted.body.id}/labels.svg?page=${page}`);
    expectStatus(t, beyond, 400, `page ${page}: past the last sheet of the largest job, a 400 naming the field`);
    t.match(beyond.body.errors, [{ in: 'querystring', pointer: '/page' }]);
  }
  const numbers = await queryRows<{ seq: number }>(
    world.database.db,
    sql`select seq from items where job_id = ${accepted.body.id} order by seq`,
  );
  t.ok(
    numbers.every((row, i) => row.seq === i + 1),
    'numbered 1 to the total, with no gap between batches',
  );

  // as before 0065: no numbers (the unique index of 0067 allows any distinct ones meanwhile)
  const stored = await storedJob(world, processor, lot, 70);
  await world.database.db.execute(sql`update items set seq = -seq`);
  for (const statement of migrationStatements('0066_items_seq_backfill.sql')) await queryRows(world.database.db, sql.raw(statement));
  const listed = csvCodes(String((await processor.api.get(`/code-jobs/${stored}/codes.csv`)).body));
  t.equal(listed.length, 70);
  t.strictSame(listed, [...listed].sort(), 'codes.csv lists the codes of a job issued before in code order, as it did then');
  t.strictSame((await allSheets(t, processor.api, stored)).flat(), listed, 'and its label sheets hold them in that order, as they did');
  const issued = csvCodes(String((await processor.api.get(`/code-jobs/${accepted.body.id}/codes.csv`)).body));
  t.strictSame(issued, [...codes].sort(), 'so does a larger job');
  for (const page of [1, last]) {
    const sheet = await processor.api.get(`/code-jobs/${accepted.body.id}/labels.svg?page=${page}`);
    t.strictSame(sheetCodes(String(sheet.body)), issued.slice((page - 1) * LABELS_PER_SHEET, page * LABELS_PER_SHEET), `its page ${page}`);
  }
});
