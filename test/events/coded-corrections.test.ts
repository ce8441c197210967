// A correction's replacement makes a lot again under its code; once item codes were issued or queued
// for the lot, its packs carry what their labels and Digital Links printed (the GTIN and the lot
// number) and there is one code per piece. A replacement that would break them is refused at its
// field, at every door and whichever of the correction and a code job comes first, and so is a
// correction that would void the lot (an EPCIS error declaration keeps it); a lot with no codes is
// corrected as ever.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { createRepositories } from '../../src/app.js';
import { queryRows } from '../../src/db/client.js';
import { createItemService } from '../../src/items/service.js';
import { epcisRequests } from '../fixtures/epcis.js';
import { holdLocked, meetInOrder } from '../fixtures/locks.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { type Actor, at, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { postgresOnly, type Reply, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

const GTIN = '6901234567892';
const OTHER_GTIN = '06901234000030';

/** Makes a lot of the product: the commission event (id and time) and the lot's code. */
async function made(world: World, actor: Actor, lot: Record<string, unknown>) {
  const body = await world.ok(actor.event({ type: 'commission', lots: [lot] }));
  return { eventId: body.event.id as string, eventTime: body.event.eventTime as string, lot: body.createdLotCodes[0] as string };
}

/** Makes two lots of ten pieces of the product in one commission: the event (id and time) and the lots' codes. */
async function madeTwo(world: World, actor: Actor, productCode: string) {
  const lot = { productCode, quantity: 10 };
  const body = await world.ok(actor.event({ type: 'commission', lots: [lot, lot] }));
  return { eventId: body.event.id as string, eventTime: body.event.eventTime as string, lots: body.createdLotCodes as string[] };
}

/** Declares the commission in error and replaces it with one making `lot` (under the lot's code). */
const correct = (actor: Actor, commission: { eventId: string; eventTime: string }, lot: Record<string, unknown>) =>
  actor.event({
    type: 'correction',
    correctsEventId: commission.eventId,
    reason: '录入有误',
    replacement: { type: 'commission', eventTime: commission.eventTime, lots: [lot] },
  });

/** The rows of a finished job's codes.csv: each code with its GS1 Digital Link, as label printers get them. */
async function printedLinks(actor: Actor, jobId: string) {
  const csv = (await actor.api.get(`/code-jobs/${jobId}/codes.csv`)).body as string;
  return csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','))
    .map(([code, , digitalLink]) => ({ code, digitalLink }));
}

const unknownCodeFlags = async (world: World) =>
  (await queryRows<{ count: number }>(world.database.db, sql`select count(*)::int as count from code_flags where kind = 'unknown_code'`))[0]
    .count;

/** A consumer's scan of a printed Digital Link: its status. */
const scan = async (world: World, link: string) =>
  (await world.app.inject({ method: 'GET', url: link.slice(TEST_BASE_URL.length), headers: { accept: 'application/json' } })).statusCode;

t.test('a correction keeps the GTIN and lot number the printed packs of a coded lot carry', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('piece', { gtin: GTIN });
  const other = await plant.product('piece', { gtin: OTHER_GTIN });
  const plain = await plant.product('piece');
  const commission = await made(world, plant, { productCode: product, quantity: 10, lotNumber: 'A/B%C&D' });
  const job = await world.ok(plant.api.post(`/lots/${commission.lot}/items`, { count: 1 }), 202);
  await world.app.services.items.idle();
  const [printed] = await printedLinks(plant, job.id);
  t.equal(printed.digitalLink, `${TEST_BASE_URL}/01/06901234567892/10/A%2FB%25C%26D/21/${printed.code}`, 'the link on the pack');
  t.equal(await scan(world, printed.digitalLink), 200, 'genuine');

  const renumbered = expectStatus(
    t,
    await correct(plant, commission, { productCode: product, quantity: 10, lotNumber: 'NEWLOT1' }),
    409,
    'another lot number',
  );
  t.match(renumbered.body, {
    detail: `lot ${commission.lot} has 1 item code issued or queued, whose labels carry its lot number A/B%C&D: a correction may not change it`,
    errors: [{ pointer: '/replacement/lots/0/lotNumber', detail: 'the lot’s item codes carry lot number A/B%C&D' }],
  });
  const unnumbered = expectStatus(t, await correct(plant, commission, { productCode: product, quantity: 10 }), 409, 'no lot number');
  t.match(unnumbered.body.errors, [{ pointer: '/replacement/lots/0/lotNumber' }]);
  const moved = expectStatus(
    t,
    await correct(plant, commission, { productCode: other, quantity: 10, lotNumber: 'A/B%C&D' }),
    409,
    'a product of another GTIN',
  );
  t.match(moved.body, {
    detail: `lot ${commission.lot} has 1 item code issued or queued, whose Digital Links carry its GTIN 06901234567892: a correction may not move it to product ${other} (GTIN 06901234000030)`,
    errors: [{ pointer: '/replacement/lots/0/productCode', detail: 'the lot’s item codes carry GTIN 06901234567892' }],
  });
  const ungtinned = expectStatus(
    t,
    await correct(plant, commission, { productCode: plain, quantity: 10, lotNumber: 'A/B%C&D' }),
    409,
    'a product with no GTIN',
  );
  t.match(ungtinned.body.detail, `move it to product ${plain} (no GTIN)`);

  const lot = await plant.lot(commission.lot);
  t.match(lot, { productCode: product, lotNumber: 'A/B%C&D', quantity: 10, voidedByEventId: null }, 'the lot is as it was');
  t.equal((await plant.api.get(`/events/${commission.eventId}`)).body.declaredInErrorBy, null, 'its making is not declared in error');
  t.equal(await scan(world, printed.digitalLink), 200, 'the printed link is still genuine');
  t.same(await printedLinks(plant, job.id), [printed], 'and codes.csv gives the link on the pack');
  t.equal(await unknownCodeFlags(world), 0, 'no genuine pack is flagged');

  expectStatus(
    t,
    await correct(plant, commission, { productCode: product, quantity: 4, lotNumber: 'A/B%C&D', productionDate: '2026-02-01' }),
    201,
    'a correction keeping the GTIN and the lot number',
  );
  t.equal((await plant.lot(commission.lot)).quantity, 4);
  t.equal(await scan(world, printed.digitalLink), 200, 'leaves the packs genuine');
  t.same(await printedLinks(plant, job.id), [printed]);
});

t.test('a correction leaves a piece lot no fewer pieces than its item codes issued or queued', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('piece');
  const commission = await made(world, plant, { productCode: product, quantity: 10 });
  const packs = await issuePacks(world, plant, commission.lot, 2);

  const refused = expectStatus(t, await correct(plant, commission, { productCode: product, quantity: 1 }), 409, 'one piece, two codes');
  t.match(refused.body, {
    detail: `lot ${commission.lot} has 2 item codes issued or queued, one per pack: a correction may not make it 1 piece, fewer than its codes`,
    errors: [{ pointer: '/replacement/lots/0/quantity', detail: 'at least 2, one per item code' }],
  });
  t.match(await plant.lot(commission.lot), { quantity: 10, voidedByEventId: null }, 'the lot keeps its ten pieces');
  for (const pack of packs) t.equal((await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` })).statusCode, 200);
  expectStatus(t, await correct(plant, commission, { productCode: product, quantity: 2 }), 201, 'as many pieces as codes');
  t.equal((await plant.lot(commission.lot)).quantity, 2);
  const full = expectStatus(t, await plant.api.post(`/lots/${commission.lot}/items`, { count: 1 }), 409, 'and no code more');
  t.match(full.body.detail, '2 piece and 2 item codes issued or queued already; at most 0 more');

  // codes counted by the kilogram: a correction to a product counted in pieces counts them too
  const byWeight = await plant.product('kg');
  const weighed = await made(world, plant, { productCode: byWeight, quantity: 10 });
  await issuePacks(world, plant, weighed.lot, 25);
  const counted = expectStatus(t, await correct(plant, weighed, { productCode: product, quantity: 20 }), 409, '25 codes, 20 pieces');
  t.match(counted.body.errors, [{ pointer: '/replacement/lots/0/quantity', detail: 'at least 25, one per item code' }]);
  expectStatus(t, await correct(plant, weighed, { productCode: byWeight, quantity: 5 }), 201, 'by the kilogram, any number');
});

t.test('codes queued and not yet issued count as issued ones', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('piece', { gtin: GTIN });
  const commission = await made(world, plant, { productCode: product, quantity: 10, lotNumber: 'Q-1' });
  const repositories = createRepositories(world.database);
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  // a job whose codes wait: queued, none stored
  const service = createItemService({
    items: {
      ...repositories.items,
      async insertCodes(...args) {
        await held;
        return repositories.items.insertCodes(...args);
      },
    },
    lots: repositories.lots,
    products: repositories.products,
    brands: world.app.services.brands,
    publicBaseUrl: TEST_BASE_URL,
  });
  const principal = { keyId: 'k', role: 'operator' as const, partyCode: plant.code };
  const job = await service.issue(principal, commission.lot, 3);
  t.teardown(release);
  const fewer = expectStatus(t, await correct(plant, commission, { productCode: product, quantity: 2, lotNumber: 'Q-1' }), 409, 'fewer');
  t.match(fewer.body.errors, [{ pointer: '/replacement/lots/0/quantity', detail: 'at least 3, one per item code' }]);
  const renumbered = expectStatus(
    t,
    await correct(plant, commission, { productCode: product, quantity: 10, lotNumber: 'Q-2' }),
    409,
    'renumbered',
  );
  t.match(renumbered.body.errors, [{ pointer: '/replacement/lots/0/lotNumber', detail: 'the lot’s item codes carry lot number Q-1' }]);
  release();
  await service.idle();
  t.match(await service.job(principal, job.id), { status: 'succeeded', done: 3 });
  const links = await printedLinks(plant, job.id);
  t.ok(
    links.every(({ code, digitalLink }) => digitalLink === `${TEST_BASE_URL}/01/06901234567892/10/Q-1/21/${code}`),
    'issued under the lot number they were queued with',
  );
});

t.test('a lot with no codes, or whose only job failed, is corrected as ever', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('piece', { gtin: GTIN });
  const other = await plant.product('piece', { gtin: OTHER_GTIN });
  const uncoded = await made(world, plant, { productCode: product, quantity: 10, lotNumber: 'U-1' });
  expectStatus(t, await correct(plant, uncoded, { productCode: other, quantity: 1, lotNumber: 'U-2' }), 201, 'uncoded');
  t.match(await plant.lot(uncoded.lot), { productCode: other, lotNumber: 'U-2', quantity: 1 });

  const repositories = createRepositories(world.database);
  const failing = createItemService({
    items: {
      ...repositories.items,
      async insertCodes() {
        throw new Error('disk full');
      },
    },
    lots: repositories.lots,
    products: repositories.products,
    brands: world.app.services.brands,
    publicBaseUrl: TEST_BASE_URL,
  });
  const failed = await made(world, plant, { productCode: product, quantity: 10, lotNumber: 'F-1' });
  const principal = { keyId: 'k', role: 'operator' as const, partyCode: plant.code };
  const job = await failing.issue(principal, failed.lot, 5);
  await failing.idle();
  t.match(await failing.job(principal, job.id), { status: 'failed' });
  expectStatus(t, await correct(plant, failed, { productCode: other, quantity: 1, lotNumber: 'F-2' }), 201, 'a failed job left no code');
});

/**
 * A two-code job for the lot asked of an item service whose request, once it has read the lot, waits
 * for `correction` to be stored (on PGlite, before the job is queued): the correction's reply, and
 * what the job's request came to (null when queued, else the problem thrown).
 */
async function jobAfterCorrection(world: World, plant: Actor, lot: string, correction: () => Promise<Reply>) {
  const repositories = createRepositories(world.database);
  let corrected: Promise<Reply> | undefined;
  const service = createItemService({
    items: repositories.items,
    lots: {
      ...repositories.lots,
      async findByCodes(...args) {
        const found = await repositories.lots.findByCodes(...args);
        corrected ??= correction();
        await corrected;
        return found;
      },
    },
    products: repositories.products,
    brands: world.app.services.brands,
    publicBaseUrl: TEST_BASE_URL,
  });
  const principal = { keyId: 'k', role: 'operator' as const, partyCode: plant.code };
  const refusal = await service.issue(principal, lot, 2).then(
    () => null,
    (error) => error,
  );
  await service.idle();
  return { corrected: (await corrected) as Reply, refusal };
}

t.test('a correction and a code job meeting at the lot: the second finds the first', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('piece');
  const commission = await made(world, plant, { productCode: product, quantity: 10 });
  const { corrected, refusal } = await jobAfterCorrection(world, plant, commission.lot, () =>
    correct(plant, commission, { productCode: product, quantity: 1 }),
  );
  expectStatus(t, corrected, 201, 'the correction read before the job was queued');
  t.match(refusal, { status: 409, detail: `lot ${commission.lot} has 1 piece and 0 item codes issued or queued already; at most 1 more` });
});

t.test('a code job for a lot voided since its request read it is refused at once', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const commission = await made(world, plant, { productCode: await plant.product('piece'), quantity: 10 });
  const { corrected, refusal } = await jobAfterCorrection(world, plant, commission.lot, () =>
    plant.event({ type: 'correction', correctsEventId: commission.eventId, reason: '录入有误' }),
  );
  expectStatus(t, corrected, 201, 'the correction voiding the lot, stored before the job was queued');
  t.match(refusal, { status: 409, detail: new RegExp(`^lot ${commission.lot} is voided`) }, 'the job is refused, naming the lot');
  const jobs = await queryRows(world.database.db, sql`select id from code_jobs where lot_code = ${commission.lot}`);
  t.equal(jobs.length, 0, 'and none is queued');
  const asked = expectStatus(t, await plant.api.post(`/lots/${commission.lot}/items`, { count: 1 }), 409, 'asked again, the lot voided');
  t.match(asked.body.detail, new RegExp(`^lot ${commission.lot} is voided`));
});

/**
 * The correction and a two-code job for the lot sent at once, in the order asked (each waiting on the
 * lot's lock until both are sent); their statuses, and the codes the lot claims once the job has run.
 */
async function correctionMeetsJob(
  world: World,
  plant: Actor,
  lot: string,
  correction: () => Promise<{ status: number }>,
  correctionFirst: boolean,
) {
  const issue = () => plant.api.post(`/lots/${lot}/items`, { count: 2 });
  const hold = holdLocked(world, sql`select 1 from lots where code = ${lot} for no key update`);
  const [first, second] = correctionFirst
    ? await meetInOrder(world, hold, correction, issue)
    : await meetInOrder(world, hold, issue, correction);
  await world.app.services.items.idle();
  const [{ claimed }] = await queryRows<{ claimed: number }>(
    world.database.db,
    sql`select coalesce(sum(total), 0)::int as claimed from code_jobs where lot_code = ${lot} and status <> 'failed'`,
  );
  return { replies: [first.status, second.status], claimed };
}

t.test('a correction and a code job sent at once (PostgreSQL)', onPostgres, async (t) => {
  const cases = [
    { what: 'the correction first: the job is refused', correctionFirst: true, statuses: [201, 409] },
    { what: 'the job first: the correction is refused', correctionFirst: false, statuses: [202, 409] },
  ];
  for (const { what, correctionFirst, statuses } of cases) {
    await t.test(what, async (t) => {
      const world = await createWorld(t, 'postgres');
      const plant = await world.party('processor');
      const product = await plant.product('piece');
      const commission = await made(world, plant, { productCode: product, quantity: 10 });
      const correction = () => correct(plant, commission, { productCode: product, quantity: 1 });
      const { replies, claimed } = await correctionMeetsJob(world, plant, commission.lot, correction, correctionFirst);
      t.same(replies, statuses, replies.join(' then '));
      const lot = await plant.lot(commission.lot);
      t.ok(claimed <= lot.quantity, `${claimed} codes for ${lot.quantity} pieces`);
    });
  }
});

t.test('a correction voiding a lot and a code job sent at once (PostgreSQL)', onPostgres, async (t) => {
  const cases = [
    { what: 'the correction first: the job is refused', correctionFirst: true, statuses: [201, 409], voided: true },
    { what: 'the job first: the correction is refused', correctionFirst: false, statuses: [202, 409], voided: false },
  ];
  for (const { what, correctionFirst, statuses, voided } of cases) {
    await t.test(what, async (t) => {
      const world = await createWorld(t, 'postgres');
      const plant = await world.party('processor');
      const commission = await made(world, plant, { productCode: await plant.product('piece'), quantity: 10 });
      const correction = () => plant.event({ type: 'correction', correctsEventId: commission.eventId, reason: '录入有误' });
      const { replies, claimed } = await correctionMeetsJob(world, plant, commission.lot, correction, correctionFirst);
      t.same(replies, statuses, replies.join(' then '));
      t.equal((await plant.lot(commission.lot)).voidedByEventId !== null, voided, voided ? 'the lot is voided' : 'the lot stands');
      t.equal(claimed, voided ? 0 : 2, voided ? 'with no code' : 'with its codes');
    });
  }
});

/** The live state of the coded lots and their packs: none voided, every pack genuine, no pack flagged. */
async function stillGenuine(t: Test, world: World, actor: Actor, lots: string[], packs: string[]) {
  for (const code of lots) t.match(await actor.lot(code), { voidedByEventId: null }, `lot ${code} stands`);
  for (const pack of packs) t.equal((await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` })).statusCode, 200, 'genuine');
  t.equal(await unknownCodeFlags(world), 0, 'no genuine pack is flagged');
}

t.test('a correction may not void a coded lot: with no replacement, one making it under another code, or fewer lots', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('piece', { gtin: GTIN });
  const commission = await made(world, plant, { productCode: product, quantity: 10, lotNumber: 'V-1' });
  const packs = await issuePacks(world, plant, commission.lot, 2);

  const alone = expectStatus(
    t,
    await plant.event({ type: 'correction', correctsEventId: commission.eventId, reason: '录入有误' }),
    409,
    'declared in error with no replacement',
  );
  t.match(alone.body, {
    type: /conflict/,
    detail: new RegExp(`^lot ${commission.lot} has 2 item codes issued or queued, .*replacement that makes it again`),
    errors: [{ pointer: '/correctsEventId', detail: `would void lot ${commission.lot}, which has 2 item codes` }],
  });

  // packed into a new container instead: the replacement makes something under a code of its own
  const other = await plant.commission(product, 5);
  const packed = expectStatus(
    t,
    await plant.event({
      type: 'correction',
      correctsEventId: commission.eventId,
      reason: '录入有误',
      replacement: { type: 'aggregate', eventTime: commission.eventTime, parent: {}, children: [{ lotCode: other }] },
    }),
    409,
    'a replacement making no lot under its code',
  );
  t.match(packed.body, {
    detail: new RegExp(`^lot ${commission.lot} has 2 item codes issued or queued, .*makes it again`),
    errors: [{ pointer: '/replacement', detail: `does not make lot ${commission.lot} again, which has 2 item codes` }],
  });

  const pair = await madeTwo(world, plant, product);
  const [first, second] = pair.lots;
  const pairPacks = [...(await issuePacks(world, plant, first, 1)), ...(await issuePacks(world, plant, second, 1))];
  const fewer = expectStatus(
    t,
    await correct(plant, pair, { productCode: product, quantity: 10 }),
    409,
    'a replacement making one lot of two',
  );
  t.match(fewer.body, {
    detail: new RegExp(`^lot ${second} has 1 item code issued or queued, `),
    errors: [{ pointer: '/replacement/lots', detail: `does not make lot ${second} again, which has 1 item code` }],
  });

  t.equal((await plant.api.get(`/events/${commission.eventId}`)).body.declaredInErrorBy, null, 'its making is not declared in error');
  t.equal((await plant.api.get(`/events/${pair.eventId}`)).body.declaredInErrorBy, null, 'nor the pair’s');
  await stillGenuine(t, world, plant, [commission.lot, first, second], [...packs, ...pairPacks]);
});

t.test('a correction voids a lot with no codes as ever', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('piece', { gtin: GTIN });
  const alone = await made(world, plant, { productCode: product, quantity: 10, lotNumber: 'N-1' });
  expectStatus(
    t,
    await plant.event({ type: 'correction', correctsEventId: alone.eventId, reason: '录入有误' }),
    201,
    'declared in error with no replacement',
  );
  t.not((await plant.lot(alone.lot)).voidedByEventId, null, 'the lot is voided');

  const pair = await madeTwo(world, plant, product);
  expectStatus(t, await correct(plant, pair, { productCode: product, quantity: 10 }), 201, 'a replacement making one lot of two');
  const voided = await Promise.all(pair.lots.map(async (code) => (await plant.lot(code)).voidedByEventId));
  t.equal(voided.filter((by) => by !== null).length, 1, 'one of the two is voided');
});

/** A commissioning of `count` pieces of the GTIN's lot `lotNumber`, as EPCIS captures it. */
const commissioning = (id: number, hour: number, lotNumbers: string[]) => ({
  type: 'ObjectEvent',
  eventID: `urn:uuid:7d1c2a3b-0000-4000-8000-${String(id).padStart(12, '0')}`,
  eventTime: at(hour),
  eventTimeZoneOffset: '+08:00',
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: lotNumbers.map((lot) => ({ epcClass: `https://id.gs1.org/01/0${GTIN}/10/${lot}`, quantity: 10, uom: 'H87' })),
});

/** The lot captured under the class of the GTIN's lot `lotNumber`. */
const lotCapturedAs = async (world: World, lotNumber: string) =>
  (
    await queryRows<{ code: string }>(
      world.database.db,
      sql`select lot_code as code from lot_identifiers where kind = 'epc' and value = ${`https://id.gs1.org/01/0${GTIN}/10/${lotNumber}`}`,
    )
  )[0].code;

t.test('an EPCIS error declaration keeps a coded lot, with or without corrective events', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  await plant.product('piece', { gtin: GTIN });
  const { capture } = epcisRequests(world);
  const [alone, replaced, halved] = [commissioning(1, 1, ['E-1']), commissioning(2, 2, ['E-2']), commissioning(3, 3, ['E-3', 'E-4'])];
  t.match(await capture(plant.key, [alone, replaced, halved]), { success: true, captured: 3, errors: [] }, 'made over EPCIS');
  const lots = await Promise.all(['E-1', 'E-2', 'E-3', 'E-4'].map((lot) => lotCapturedAs(world, lot)));
  const packs = (await Promise.all(lots.map((lot) => issuePacks(world, plant, lot, 2)))).flat();

  const declared = (event: object, correctiveEventIDs: string[] = []) => ({
    ...event,
    errorDeclaration: { declarationTime: new Date().toISOString(), reason: 'incorrect_data', correctiveEventIDs },
  });
  // corrective events of their own: their lots are new lots, under new codes, one where there were two
  const [again, once] = [commissioning(4, 4, ['E-5']), commissioning(5, 5, ['E-6'])];
  const job = await capture(plant.key, [
    declared(alone),
    again,
    declared(replaced, [again.eventID]),
    once,
    declared(halved, [once.eventID]),
  ]);
  t.match(job, { success: true, captured: 2, duplicates: 3, errors: [] }, 'declared in error, each event');
  await stillGenuine(t, world, plant, lots, packs);

  // a native event re-sent as GET /epcis/events renders it, with an error declaration
  const product = await plant.product('piece');
  const native = await made(world, plant, { productCode: product, quantity: 10 });
  const nativePacks = await issuePacks(world, plant, native.lot, 2);
  const rendered = (await plant.api.get(`/epcis/events?EQ_eventID=${encodeURIComponent(`urn:uuid:${native.eventId}`)}`)).body.epcisBody
    .queryResults.resultsBody.eventList[0];
  expectStatus(t, await plant.api.post('/epcis/events', declared(rendered)), 200, 'a native making declared in error');
  t.not((await plant.api.get(`/events/${native.eventId}`)).body.declaredInErrorBy, null, 'declared');
  await stillGenuine(t, world, plant, [native.lot], nativePacks);
});

/**
 * Two coded lots of ten pieces made by one event, told apart by their production dates; the first
 * held and released since, so that its row no longer comes first where the lots are stored.
 */
async function twoCodedLots(
  world: World,
  plant: Actor,
  make: (lots: Record<string, unknown>[]) => Promise<{ event: { id: string; eventTime: string }; createdLotCodes: string[] }>,
) {
  const product = await plant.product('piece');
  const lot = (productionDate: string) => ({ productCode: product, quantity: 10, productionDate });
  const made = await make([lot('2026-01-01'), lot('2026-01-02')]);
  const [first, second] = made.createdLotCodes;
  const packs = [await issuePacks(world, plant, first, 1), await issuePacks(world, plant, second, 1)];
  await world.ok(plant.api.post('/holds', { lotCodes: [first], reason: '抽检' }), 201);
  await world.ok(plant.api.post('/holds/release', { lotCodes: [first], reason: '合格' }), 201);
  return { event: made.event, lots: [first, second], packs, corrected: [lot('2026-02-01'), lot('2026-02-02')] };
}

t.test('a replacement of several lots with no lot numbers gives each coded lot its own lot again', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const input = await plant.commission(await plant.product('kg'), 50);
  const kinds = [
    { type: 'commission', list: 'lots', make: (lots: Record<string, unknown>[]) => world.ok(plant.event({ type: 'commission', lots })) },
    {
      type: 'transform',
      list: 'outputs',
      make: (outputs: Record<string, unknown>[]) =>
        world.ok(plant.event({ type: 'transform', inputs: [{ lotCode: input, quantity: 10 }], outputs })),
    },
  ];
  for (const { type, list, make } of kinds) {
    const { event, lots, packs, corrected } = await twoCodedLots(world, plant, make);
    const replaced = await world.ok(
      plant.event({
        type: 'correction',
        correctsEventId: event.id,
        reason: '生产日期录错',
        replacement: {
          type,
          eventTime: event.eventTime,
          ...(type === 'transform' ? { inputs: [{ lotCode: input, quantity: 10 }] } : {}),
          [list]: corrected,
        },
      }),
    );
    t.same(replaced.createdLotCodes, lots, `${type}: the replacement's lots keep the codes in their order`);
    for (const [index, code] of lots.entries()) {
      t.match(
        await plant.lot(code),
        { productionDate: corrected[index].productionDate, voidedByEventId: null },
        `${type}: lot ${index} as corrected`,
      );
      const [pack] = packs[index];
      const scanned = (await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` })).json();
      t.match(scanned.lot, { code, productionDate: corrected[index].productionDate }, `${type}: its pack reads its own lot`);
    }
  }
});
