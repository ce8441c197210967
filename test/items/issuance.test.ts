import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createRepositories } from '../../src/app.js';
import { hasValidMod31Check, mod31CheckChar } from '../../src/codes/mod31.js';
import { queryRows } from '../../src/db/client.js';
import { jobLease } from '../../src/db/leases.js';
import { createItemService } from '../../src/items/service.js';
import { sentAsDeclared, servedOpenApi } from '../fixtures/openapi.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

async function finished(api: { get: (url: string) => Promise<{ body: any }> }, jobId: string) {
  for (let i = 0; i < 600; i++) {
    const job = (await api.get(`/code-jobs/${jobId}`)).body;
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} did not finish`);
}

t.test('one code per package: bulk issuance, CSV, QR and label sheets', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const other = await world.party('processor');
  const product = await processor.product('piece', { gtin: '6901234567892' });
  const lot = await processor.commission(product, 20_000, { lotNumber: 'KZ/26-A' });

  const accepted = await processor.api.post(`/lots/${lot}/items`, { count: 12_345 });
  expectStatus(t, accepted, 202, 'issuance job accepted');
  t.equal(accepted.headers.location, `/code-jobs/${accepted.body.id}`);
  const job = await finished(processor.api, accepted.body.id);
  t.match(job, { status: 'succeeded', done: 12_345, total: 12_345 });

  const csv = await world.app.inject({
    method: 'GET',
    url: `/code-jobs/${job.id}/codes.csv`,
    headers: { authorization: `Bearer ${processor.key}` },
  });
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  const lines = csv.body.trim().split('\n');
  t.equal(lines[0], 'code,url,digital_link');
  t.equal(lines.length, 12_346, 'every code, streamed');
  const rows = lines.slice(1).map((line) => line.split(','));
  const codes = rows.map(([code]) => code);
  t.equal(new Set(codes).size, codes.length, 'codes are unique');
  t.ok(
    codes.every((code) => code.length === 11 && hasValidMod31Check(code)),
    'short codes with a check character',
  );
  t.ok(
    rows.every(([code, url]) => url === `${TEST_BASE_URL}/t/${code}` && url.length <= 60),
    'short trace URLs (≤ 60 chars)',
  );
  t.equal(rows[0][2], `${TEST_BASE_URL}/01/06901234567892/10/KZ%2F26-A/21/${codes[0]}`, 'GS1 Digital Link with GTIN-14, lot and serial');

  expectStatus(t, await other.api.post(`/lots/${lot}/items`, { count: 1 }), 403, 'only the lot owner issues codes');
  expectStatus(t, await processor.api.post(`/lots/${lot}/items`, { count: 0 }), 400, 'at least one');
  expectStatus(t, await processor.api.post(`/lots/${lot}/items`, { count: 1_000_001 }), 400, 'at most a million per job');
  expectStatus(t, await processor.api.post('/lots/BAAAAAAAAAA1/items', { count: 1 }), 404, 'unknown lot');
  const othersJob = expectStatus(t, await other.api.get(`/code-jobs/${job.id}`), 404, "another party's job reads as an unknown one");
  t.equal(othersJob.body.detail, `no code job ${job.id}`);
  expectStatus(t, await other.api.get(`/code-jobs/${job.id}/codes.csv`), 404, 'and so do its codes');

  const svg = await world.app.inject({ method: 'GET', url: `/items/${codes[0]}/qr.svg?size=300` });
  t.equal(svg.statusCode, 200);
  t.match(svg.headers['content-type'], /image\/svg\+xml/);
  t.match(svg.body, /<svg[^>]*width="300"/);
  const png = await world.app.inject({ method: 'GET', url: `/items/${codes[0]}/qr.png` });
  t.equal(png.headers['content-type'], 'image/png');
  t.same([...png.rawPayload.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG');
  t.equal((await world.app.inject({ method: 'GET', url: '/items/0000000000A/qr.svg' })).statusCode, 400, 'malformed code');
  const unissued = codes[0].slice(0, 10) === '0000000000' ? '1111111111' : '0000000000';
  const { mod31CheckChar } = await import('../../src/codes/mod31.js');
  t.equal(
    (await world.app.inject({ method: 'GET', url: `/items/${unissued}${mod31CheckChar(unissued)}/qr.svg` })).statusCode,
    404,
    'code never issued',
  );

  const sheet = await world.app.inject({
    method: 'GET',
    url: `/code-jobs/${job.id}/labels.svg?page=2`,
    headers: { authorization: `Bearer ${processor.key}` },
  });
  t.equal(sheet.statusCode, 200);
  t.equal((sheet.body.match(/<path /g) ?? []).length, 32, '32 labels on an A4 sheet');
  t.ok(sheet.body.includes(codes[32]) && !sheet.body.includes(`>${codes[0]}<`), 'page 2 starts with the 33rd code');
  t.ok(sheet.body.includes('width="210mm" height="297mm"'), 'A4');
});

t.test('an issuance job is accepted with the Location the OpenAPI document declares, and it leads to the job', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 10);
  const document = await servedOpenApi(world.app);
  const accepted = await processor.api.post(`/lots/${lot}/items`, { count: 3 });
  sentAsDeclared(t, document, ['POST', '/lots/{code}/items'], accepted, 202);
  t.ok(document.paths['/lots/{code}/items'].post.responses['202'].headers?.Location, 'Location declared');
  expectStatus(t, await processor.api.get(String(accepted.headers.location)), 200, 'the job, at its Location');
  await finished(processor.api, accepted.body.id);
});

t.test('a lot counted in pieces gets no more codes than it has pieces; a kilogram lot any number', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 10);
  expectStatus(t, await processor.api.post(`/lots/${lot}/items`, { count: 6 }), 202, 'six of ten');
  const refused = expectStatus(t, await processor.api.post(`/lots/${lot}/items`, { count: 5 }), 409, 'five more would be eleven');
  t.match(refused.body, {
    detail: /6 item codes issued or queued already; at most 4 more/,
    errors: [{ pointer: '/count', detail: 'at most 4' }],
  });
  expectStatus(t, await processor.api.post(`/lots/${lot}/items`, { count: 4 }), 202, 'the last four');
  expectStatus(t, await processor.api.post(`/lots/${lot}/items`, { count: 1 }), 409, 'none left');

  const racing = await processor.commission(await processor.product('piece'), 10);
  const both = await Promise.all([1, 2].map(() => processor.api.post(`/lots/${racing}/items`, { count: 6 })));
  t.strictSame(both.map((reply) => reply.status).sort(), [202, 409], 'two requests at once: only one takes the codes');

  // a job that failed issued nothing, so its codes are free again
  const repository = createRepositories(world.database).items;
  const failing = createItemService({
    items: {
      ...repository,
      async insertCodes() {
        throw new Error('disk full');
      },
    },
    lots: createRepositories(world.database).lots,
    products: createRepositories(world.database).products,
    brands: world.app.services.brands,
    publicBaseUrl: TEST_BASE_URL,
  });
  const principal = { keyId: 'k', role: 'operator' as const, partyCode: processor.code };
  const spare = await processor.commission(await processor.product('piece'), 3);
  await failing.issue(principal, spare, 3);
  await failing.idle();
  expectStatus(t, await processor.api.post(`/lots/${spare}/items`, { count: 3 }), 202, 'the failed job left its three free');

  const loose = await processor.commission(await processor.product('kg'), 10);
  expectStatus(t, await processor.api.post(`/lots/${loose}/items`, { count: 40 }), 202, '10 kg may be packed in 40 packs');
  await world.app.services.items.idle();
});

/** What a job's party is shown of a failure. */
const FAILED = 'issuing the codes failed; the cause is logged';

t.test('a failed job leaves no half-issued codes visible', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 25_000);
  const repository = createRepositories(world.database).items;
  let batches = 0;
  let visibleMidway: unknown = 'not checked';
  const failing = createItemService({
    items: {
      ...repository,
      async insertCodes(jobId, lotCode, partyCode, codes, first, lease) {
        const stored = await repository.insertCodes(jobId, lotCode, partyCode, codes, first, lease);
        visibleMidway = await repository.findItem(codes[0]);
        if (++batches === 2) throw new Error('disk full');
        return stored;
      },
    },
    lots: createRepositories(world.database).lots,
    products: createRepositories(world.database).products,
    brands: world.app.services.brands,
    publicBaseUrl: TEST_BASE_URL,
  });
  const principal = { keyId: 'k', role: 'operator' as const, partyCode: processor.code };
  const job = await failing.issue(principal, lot, 25_000);
  await failing.idle();
  t.equal(visibleMidway, undefined, 'codes of a running job do not resolve');
  const after = await failing.job(principal, job.id);
  t.match(after, { status: 'failed', error: FAILED });
  t.equal(await repository.firstCodeOfLot(lot), undefined, 'no code of the failed job is left');
  const csv = await processor.api.get(`/code-jobs/${job.id}/codes.csv`);
  expectStatus(t, csv, 409, 'a failed job has no codes to download');
});

t.test(
  'a job whose failure cannot be recorded (the database gone) holds back no later job, and runs again at the next start',
  async (t) => {
    const world = await createWorld(t);
    const processor = await world.party('processor');
    const product = await processor.product('piece');
    const [first, second] = [await processor.commission(product, 10), await processor.commission(product, 10)];
    const repository = createRepositories(world.database).items;
    // the connection drops in the middle of a job: its codes are not stored, nor can its failure be
    let down = false;
    let drops = 1;
    const unreachable = () => {
      if (down) throw new Error('connection terminated unexpectedly');
    };
    const logged: object[] = [];
    const service = createItemService({
      items: {
        ...repository,
        async insertCodes(...args) {
          if (drops-- > 0) down = true;
          unreachable();
          return repository.insertCodes(...args);
        },
        async deleteJobCodes(...args) {
          unreachable();
          return repository.deleteJobCodes(...args);
        },
      },
      lots: createRepositories(world.database).lots,
      products: createRepositories(world.database).products,
      brands: world.app.services.brands,
      publicBaseUrl: TEST_BASE_URL,
      log: { error: (object) => logged.push(object) },
    });
    const principal = { keyId: 'k', role: 'operator' as const, partyCode: processor.code };
    const cutOff = await service.issue(principal, first, 3);
    await t.resolves(service.idle(), 'the queue goes on');
    t.ok(logged.length > 0, 'what went wrong is logged');
    down = false;
    const next = await service.issue(principal, second, 3);
    await service.idle();
    t.match(await service.job(principal, next.id), { status: 'succeeded', done: 3 }, 'a later job runs once the database is back');
    t.not((await service.job(principal, cutOff.id)).status, 'succeeded', 'the job cut off is not succeeded');
    t.equal(await repository.firstCodeOfLot(first), undefined, 'and none of its codes resolves');
    t.equal(await service.resumeInterruptedJobs(), 1, 'it runs again at the next start');
    await service.idle();
    t.match(await service.job(principal, cutOff.id), { status: 'succeeded', done: 3 });
  },
);

t.test('a failed job shows its party that issuing failed, never the SQL that did; the cause is logged', async (t) => {
  const logged: string[] = [];
  const world = await createWorld(t, undefined, { logger: { level: 'error', stream: { write: (line: string) => logged.push(line) } } });
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 10);
  // the database refuses every code from here on, with an error drizzle reports with the statement and its parameters
  await world.database.db.execute(
    sql.raw(`create function refuse_items() returns trigger language plpgsql as $$ begin raise exception 'items are refused'; end $$`),
  );
  await world.database.db.execute(sql`create trigger refuse_items before insert on items execute function refuse_items()`);
  const accepted = await processor.api.post(`/lots/${lot}/items`, { count: 3 });
  expectStatus(t, accepted, 202, 'issuance job accepted');
  const job = await finished(processor.api, accepted.body.id);
  t.match(job, { status: 'failed', error: FAILED }, 'the party is told issuing failed');
  t.same(
    ['insert into', 'copy', 'items are refused', 'Failed query', 'params'].filter((text) =>
      JSON.stringify(job).toLowerCase().includes(text.toLowerCase()),
    ),
    [],
    'neither the statement, its parameters nor the database error is shown',
  );
  t.ok(
    logged.some((line) => line.includes('code issuance failed') && line.includes('items are refused')),
    'the cause is logged',
  );
});

t.test('the parties involved in a lot are looked up only to word a refusal, not for its owner', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const other = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 10);
  const lots = createRepositories(world.database).lots;
  let lookups = 0;
  const counting = createItemService({
    items: createRepositories(world.database).items,
    lots: {
      ...lots,
      async involvedParties(lotCode) {
        lookups++;
        return lots.involvedParties(lotCode);
      },
    },
    products: createRepositories(world.database).products,
    brands: world.app.services.brands,
    publicBaseUrl: TEST_BASE_URL,
  });
  await counting.issue({ keyId: 'k', role: 'operator', partyCode: processor.code }, lot, 2);
  await counting.idle();
  t.equal(lookups, 0, 'the owner issues without the lookup');
  const refused = await counting.issue({ keyId: 'k', role: 'operator', partyCode: other.code }, lot, 2).catch((error) => error);
  t.match(refused, { status: 403, detail: `only the owner of lot ${lot} may issue its item codes` }, 'another party is refused');
  t.equal(lookups, 1, 'looked up to decide whether the refusal names the owner');
});

t.test('items are packed into cases with the aggregate event, counted against their lot', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const stranger = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 10);
  const job = await finished(processor.api, (await processor.api.post(`/lots/${lot}/items`, { count: 6 })).body.id);
  const csv = await world.app.inject({
    method: 'GET',
    url: `/code-jobs/${job.id}/codes.csv`,
    headers: { authorization: `Bearer ${processor.key}` },
  });
  const codes = csv.body
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',')[0]);

  const packed = expectStatus(
    t,
    await processor.event({ type: 'aggregate', parent: {}, itemCodes: codes.slice(0, 4) }),
    201,
    'pack four packs into a case',
  );
  const caseCode = packed.body.createdLotCodes[0];
  t.same(
    packed.body.event.lots.find((l: { role: string }) => l.role === 'child'),
    { lotCode: lot, role: 'child', quantity: 4 },
    'counted against the lot',
  );
  t.same(packed.body.event.details.itemCodes, codes.slice(0, 4));
  const back = await processor.api.get(`/trace/${caseCode}`);
  t.ok(
    back.body.nodes.some((n: { code: string }) => n.code === lot),
    'the case traces back to the lot',
  );
  const item = await createRepositories(world.database).items.findItem(codes[0]);
  t.equal(item?.containerCode, caseCode, 'the pack knows its case');

  expectStatus(
    t,
    await processor.event({ type: 'aggregate', parent: {}, itemCodes: [`0000000001${mod31CheckChar('0000000001')}`] }),
    422,
    'unknown item code',
  );
  expectStatus(t, await processor.event({ type: 'aggregate', parent: {}, itemCodes: [codes[4], codes[4]] }), 422, 'the same pack twice');
  const foreign = expectStatus(
    t,
    await stranger.event({ type: 'aggregate', parent: {}, itemCodes: [codes[5]] }),
    403,
    "another party's packs",
  );
  t.equal(
    foreign.body.detail,
    `party ${stranger.code} does not hold lot ${codes[5]}; only its holder may use it`,
    'the refusal names the pack as sent',
  );
  t.same(
    [lot, processor.code].filter((code) => JSON.stringify(foreign.body).includes(code)),
    [],
    'not the code of a lot the party may not read, nor its holder',
  );
  t.match(foreign.body.errors, [{ pointer: '/itemCodes/0' }], 'named at the pack');
  const twice = await processor.event({ type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 1 }], itemCodes: [codes[4]] });
  expectStatus(t, twice, 422, 'a lot packed both as a line and by a pack of it');
  t.match(twice.body.errors, [{ pointer: '/itemCodes/0', detail: 'listed twice' }], 'named at the pack');
  expectStatus(
    t,
    await processor.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 5 }] }),
    201,
    'all but one piece left loose sold',
  );
  const short = await processor.event({ type: 'aggregate', parent: {}, itemCodes: [codes[4], codes[5]] });
  expectStatus(t, short, 409, 'two packs of a lot with one piece left loose');
  t.match(short.body.errors, [{ pointer: '/itemCodes/0', detail: 'at most 1' }], 'named at the first pack of the lot');
  expectStatus(t, await processor.event({ type: 'aggregate', parent: {} }), 422, 'nothing to pack');
  expectStatus(t, await processor.event({ type: 'disaggregate', parentCode: caseCode }), 201, 'unpack');
  t.equal((await createRepositories(world.database).items.findItem(codes[0]))?.containerCode, null, 'unpacked');
});

t.test('concurrent scans share lookups and each gets its own item', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 300);
  const job = await finished(processor.api, (await processor.api.post(`/lots/${lot}/items`, { count: 300 })).body.id);
  const csv = await world.app.inject({
    method: 'GET',
    url: `/code-jobs/${job.id}/codes.csv`,
    headers: { authorization: `Bearer ${processor.key}` },
  });
  const codes = csv.body
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',')[0]);
  const repository = createRepositories(world.database).items;
  await processor.event({ type: 'aggregate', parent: {}, itemCodes: [codes[7]] });

  const unissued = '0000000000';
  const { mod31CheckChar } = await import('../../src/codes/mod31.js');
  const asked = [...codes, codes[3], `${unissued}${mod31CheckChar(unissued)}`];
  const found = await Promise.all(asked.map((code) => repository.findItem(code)));
  t.strictSame(
    found.slice(0, 300).map((item) => item?.code),
    codes,
    'each lookup answers its own code, more than one batch of them',
  );
  t.ok(
    found
      .slice(0, 300)
      .every((item) => item?.lotCode === lot && item.partyCode === processor.code && item.scanCount === 0 && item.flagKinds.length === 0),
  );
  t.ok(found[7]?.containerCode, 'the packed one knows its case');
  t.equal(found[300]?.code, codes[3], 'the same code twice');
  t.equal(found[301], undefined, 'a code never issued');
});

t.test('a job another process took over (this one stopped renewing its lease) gets nothing more from this one', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 25_000);
  const repository = createRepositories(world.database).items;
  const warned: object[] = [];
  let batches = 0;
  const slow = createItemService({
    items: {
      ...repository,
      async insertCodes(...args) {
        // after its first batch, another process claims the job, as when this one's lease ended
        if (++batches === 2) {
          await world.database.db.execute(
            sql`update code_jobs set claimed_by = 'another process', lease_until = now() + interval '1 minute' where id = ${args[0]}`,
          );
        }
        return repository.insertCodes(...args);
      },
    },
    lots: createRepositories(world.database).lots,
    products: createRepositories(world.database).products,
    brands: world.app.services.brands,
    publicBaseUrl: TEST_BASE_URL,
    log: { error: () => {}, warn: (object) => warned.push(object) },
  });
  const principal = { keyId: 'k', role: 'operator' as const, partyCode: processor.code };
  const job = await slow.issue(principal, lot, 25_000);
  await slow.idle();
  t.match(await slow.job(principal, job.id), { status: 'running', done: 10_000 }, 'neither failed nor finished by this process');
  const [{ stored }] = await queryRows<{ stored: number }>(
    world.database.db,
    sql`select count(*)::int as stored from items where job_id = ${job.id}`,
  );
  t.equal(stored, 10_000, 'only the batch stored while it held the job');
  t.match(warned, [{ jobId: job.id }], 'the hand-over is logged');
  t.equal(await slow.resumeInterruptedJobs(), 0, 'nor does a start take it while the other process holds it');
});

t.test('a job accepted while the start takes over unfinished jobs is issued once', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 100);
  const repository = createRepositories(world.database).items;
  let stored = 0;
  let answer: () => void = () => {};
  const answered = new Promise<void>((resolve) => {
    answer = resolve;
  });
  const service = createItemService({
    items: {
      ...repository,
      // the job's row is stored, but the request goes on only after the start's claim (as when its
      // answer comes back from the database later than the claim's)
      async insertJobWithin(...args) {
        const queued = await repository.insertJobWithin(...args);
        await answered;
        return queued;
      },
      async insertCodes(...args) {
        stored += args[3].length;
        return repository.insertCodes(...args);
      },
    },
    lots: createRepositories(world.database).lots,
    products: createRepositories(world.database).products,
    brands: world.app.services.brands,
    publicBaseUrl: TEST_BASE_URL,
    log: { error: () => {}, warn: () => {} },
  });
  const principal = { keyId: 'k', role: 'operator' as const, partyCode: processor.code };
  const issuing = service.issue(principal, lot, 40);
  for (;;) {
    const [{ queued }] = await queryRows<{ queued: number }>(
      world.database.db,
      sql`select count(*)::int as queued from code_jobs where lot_code = ${lot}`,
    );
    if (queued > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await service.resumeInterruptedJobs();
  answer();
  const job = await issuing;
  await service.idle();
  t.match(await service.job(principal, job.id), { status: 'succeeded', done: 40 });
  t.equal(stored, 40, 'its codes are issued once, not again by a second run');
});

t.test('a process that lets go of its jobs (a stop that cannot wait for them) leaves them to another at once', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 25_000);
  const repository = createRepositories(world.database).items;
  const serviceOf = (items: typeof repository, warn: (object: object) => void) =>
    createItemService({
      items,
      lots: createRepositories(world.database).lots,
      products: createRepositories(world.database).products,
      brands: world.app.services.brands,
      publicBaseUrl: TEST_BASE_URL,
      // two processes on one database, each with a lease of an hour
      lease: jobLease({ seconds: 3600 }),
      log: { error: () => {}, warn },
    });
  let go: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    go = resolve;
  });
  let reached: () => void = () => {};
  const atSecondBatch = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let batches = 0;
  const warned: object[] = [];
  const stopping = serviceOf(
    {
      ...repository,
      async insertCodes(...args) {
        if (++batches === 2) {
          reached();
          await held;
        }
        return repository.insertCodes(...args);
      },
    },
    (object) => warned.push(object),
  );
  const principal = { keyId: 'k', role: 'operator' as const, partyCode: processor.code };
  const job = await stopping.issue(principal, lot, 25_000);
  await atSecondBatch;
  t.equal(await stopping.releaseLeases(), 1, 'the job it runs is let go');
  const other = serviceOf(repository, () => {});
  t.equal(await other.resumeInterruptedJobs('expired'), 1, 'another process takes it at its next look, its lease not ended');
  go();
  await stopping.idle();
  await other.idle();
  t.match(await other.job(principal, job.id), { status: 'succeeded', done: 25_000 }, 'and runs it to its end');
  const [{ stored }] = await queryRows<{ stored: number }>(
    world.database.db,
    sql`select count(*)::int as stored from items where job_id = ${job.id}`,
  );
  t.equal(stored, 25_000, 'each code once: the first process stored nothing more of it');
  t.match(warned, [{ jobId: job.id }]);
});

t.test('a party has at most CODES_QUEUED_PER_PARTY item codes queued or being issued at once, in any lot', async (t) => {
  const world = await createWorld(t, undefined, { codesQueuedPerParty: 10 });
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('kg'), 5);
  // six codes another process on the database has queued for the party and holds
  const repository = createRepositories(world.database).items;
  const elsewhere = jobLease({ owner: 'another process', seconds: 3600 });
  const other = await repository.insertJobWithin(
    { id: randomUUID(), partyCode: processor.code, lotCode: lot, total: 6, status: 'queued' },
    { lot: () => Number.POSITIVE_INFINITY, party: Number.POSITIVE_INFINITY },
    elsewhere,
  );
  t.ok(!other.replayed && 'job' in other.answer, 'queued elsewhere');

  const another = await processor.commission(await processor.product('kg'), 5);
  const refused = expectStatus(t, await processor.api.post(`/lots/${another}/items`, { count: 5 }), 409, 'six and five are over ten');
  t.match(refused.body, {
    detail: /at most 10 item codes queued or being issued at once; 6 are/,
    errors: [{ in: 'body', pointer: '/count', detail: 'at most 4 until those are issued' }],
  });
  const own = expectStatus(t, await processor.api.post(`/lots/${another}/items`, { count: 4 }), 202, 'four fit');
  await finished(processor.api, own.body.id);
  expectStatus(t, await processor.api.post(`/lots/${another}/items`, { count: 4 }), 202, 'codes issued no longer count');

  const farm = await world.party('farm');
  const farmLot = await farm.commission(await farm.product('kg'), 5);
  expectStatus(t, await farm.api.post(`/lots/${farmLot}/items`, { count: 11 }), 409, 'one job over the limit alone');
  expectStatus(t, await farm.api.post(`/lots/${farmLot}/items`, { count: 10 }), 202, 'another party has its own allowance');
  await world.app.services.items.idle();
});

t.test('a job queued or resumed once its lot was held, recalled or destroyed issues nothing and fails saying why', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('piece');
  const cases = [
    [
      'held',
      sql`hold = ${JSON.stringify({ eventId: 'e', partyCode: processor.code, reason: 'lab results' })}::jsonb`,
      /is on hold \(lab results\)/,
    ],
    ['recalled', sql`status = 'recalled'`, /is recalled; nobody may issue codes for it/],
    ['destroyed', sql`status = 'destroyed'`, /is destroyed: nothing of it is left to pack/],
  ] as const;
  for (const [what, change, reason] of cases) {
    const lot = await processor.commission(product, 100);
    const accepted = expectStatus(t, await processor.api.post(`/lots/${lot}/items`, { count: 5 }), 202, 'a job');
    await world.app.services.items.idle();
    // as after a restart that cut the job off, the lot changed meanwhile
    await world.database.db.execute(sql`update code_jobs set status = 'queued', done = 0 where id = ${accepted.body.id}`);
    await world.database.db.execute(sql`update lots set ${change} where code = ${lot}`);
    t.equal(await world.app.services.items.resumeInterruptedJobs(), 1, `the job of the ${what} lot is resumed`);
    await world.app.services.items.idle();
    const job = (await processor.api.get(`/code-jobs/${accepted.body.id}`)).body;
    t.match(job, { status: 'failed', done: 0 }, `a ${what} lot gets no codes`);
    t.match(job.error, reason, 'the job says why');
    t.match(job.error, /^no codes were issued: /);
    const [{ left }] = await queryRows<{ left: number }>(
      world.database.db,
      sql`select count(*)::int as "left" from items where job_id = ${accepted.body.id}`,
    );
    t.equal(left, 0, 'none of its codes are left');
    expectStatus(
      t,
      await processor.api.post(`/lots/${lot}/items`, { count: 1 }),
      what === 'recalled' ? 422 : 409,
      'as a request is refused',
    );
  }
});

t.test('a job is dated start and end by the service clock, as brands judge its codes', async (t) => {
  const HOUR = 3_600_000;
  const world = await createWorld(t, undefined, { now: () => new Date(Date.now() + HOUR) });
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('kg'), 5);
  const before = Date.now() + HOUR;
  const accepted = expectStatus(t, await processor.api.post(`/lots/${lot}/items`, { count: 3 }), 202, 'a job');
  await world.app.services.items.idle();
  const after = Date.now() + HOUR;
  const job = (await processor.api.get(`/code-jobs/${accepted.body.id}`)).body;
  t.equal(job.status, 'succeeded');
  for (const field of ['createdAt', 'finishedAt'] as const) {
    const at = new Date(job[field]).getTime();
    t.ok(at >= before && at <= after, `${field} ${job[field]} by the service clock, an hour ahead of the database's`);
  }
  t.ok(job.finishedAt >= job.createdAt, 'and it ends after it starts');
});
