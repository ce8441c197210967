// Idempotency-Key on the writes beyond events, code jobs, holds and recall openings (those are in
// test/events/idempotency.test.ts) that a machine client retries: a recall's reports and its
// closing, tag bindings, EPCIS named queries and subscriptions, products and locations. A retry
// under the key writes nothing and is answered as the first request was; the key with another
// request is refused; the same request sent twice at once writes once.
import { type SQL, sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { queryRows } from '../../src/db/client.js';
import { holdLocked, meetInOrder } from '../fixtures/locks.js';
import { postTagCsv } from '../fixtures/rfid-world.js';
import { type Actor, createWorld, expectStatus, randomUscc, type World } from '../fixtures/world.js';
import { type Client, client, postgresOnly, type Reply } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

const keyed = (key: string) => ({ 'idempotency-key': key });

/** The reply is the first one again, said to be a replay. */
function expectReplay(t: Test, reply: Reply, first: Reply, what: string) {
  expectStatus(t, reply, first.status, what);
  t.equal(reply.headers['idempotent-replayed'], 'true', `${what}: said to be a replay`);
  t.same(reply.body, first.body, `${what}: the first answer's body`);
}

/** The reply refuses the key for being used with another request. */
function expectReused(t: Test, reply: Reply, what: string) {
  expectStatus(t, reply, 422, what);
  t.match(
    reply.body,
    { type: /idempotency-key-reused$/, errors: [{ in: 'headers', pointer: '/idempotency-key' }] },
    `${what}: the key named`,
  );
}

/** The first answer under a key: written, no replay. */
function expectFirst(t: Test, reply: Reply, status: number, what: string) {
  expectStatus(t, reply, status, what);
  t.equal(reply.headers['idempotent-replayed'], undefined, `${what}: no replay`);
  return reply;
}

const count = async (world: World, query: SQL) => Number((await queryRows<{ n: number }>(world.database.db, query))[0].n);

/** A plant whose lot of 10 kg a shop received 6 kg of, recalled by the plant: the shop is a holder. */
async function recalledAtShop(world: World) {
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const lot = await plant.commission(await plant.product('kg'), 10);
  await world.handOver(plant, shop, lot, 6);
  const recall = await world.ok(plant.api.post('/recalls', { lotCodes: [lot], level: 3, reason: '抽检不合格', hazard: '菌落总数超标' }));
  return { plant, shop, lot, recall: recall as { id: string } };
}

const reports = (world: World, recallId: string) =>
  count(world, sql`select count(*)::int as n from recall_reports where recall_id = ${recallId}`);
const destroyedOf = async (actor: Actor, lot: string) => (await actor.lot(lot)).massBalance.destroyed;

/** Tags bound by the party (a TID each) to the lot, as GET /rfid/tags/{tag} reads them. */
const tidsOf = (lot: string, tids: string[]) => ({ tags: tids.map((tid) => ({ tid, code: lot })) });

const queryBody = (name: string, eventType = 'ObjectEvent') => ({ name, query: { eventType } });
const subscriptions = (world: World, queryName: string) =>
  count(world, sql`select count(*)::int as n from epcis_subscriptions where query_name = ${queryName}`);
const productBody = (partyCode: string, name: string) => ({ partyCode, name, category: 'other', unit: 'kg' });
const locationBody = (partyCode: string, name: string) => ({ partyCode, name, kind: 'plant', regionCode: '500236' });

t.test('recall reports and closings under an Idempotency-Key', async (t) => {
  const world = await createWorld(t);
  const bureau = await world.partyRegulator();

  t.test('a retried report books its destruction once and is answered as it was, the recall closed since', async (t) => {
    const { shop, lot, recall } = await recalledAtShop(world);
    const body = { lines: [{ lotCode: lot, destroyed: 2 }], note: '已销毁' };
    const url = `/recalls/${recall.id}/reports`;
    const first = expectFirst(t, await shop.api.post(url, body, keyed('report-1')), 201, 'the report');
    expectReplay(t, await shop.api.post(url, body, keyed('report-1')), first, 'the report again');
    t.equal(await destroyedOf(shop, lot), 2, '2 kg destroyed once');
    t.equal(await reports(world, recall.id), 1, 'one report');
    expectReused(t, await shop.api.post(url, { lines: [{ lotCode: lot, destroyed: 3 }] }, keyed('report-1')), 'another quantity');
    await world.ok(bureau.post(`/recalls/${recall.id}/close`, { overrideReason: '已电话确认' }), 200);
    expectReplay(t, await shop.api.post(url, body, keyed('report-1')), first, 'the report again, the recall closed');
    expectStatus(t, await shop.api.post(url, body, keyed('report-2')), 409, 'a new key: the closed recall refuses it');
    t.equal(await destroyedOf(shop, lot), 2, 'still 2 kg destroyed');
  });

  t.test('a refused report keeps no key', async (t) => {
    const { shop, lot, recall } = await recalledAtShop(world);
    const url = `/recalls/${recall.id}/reports`;
    expectStatus(t, await shop.api.post(url, { lines: [{ lotCode: lot, destroyed: 7 }] }, keyed('fix-me')), 422, 'more than it held');
    expectFirst(t, await shop.api.post(url, { lines: [{ lotCode: lot, destroyed: 6 }] }, keyed('fix-me')), 201, 'corrected under the key');
    t.equal(await destroyedOf(shop, lot), 6);
  });

  t.test('a retried closing is answered as the recall was closed, not refused as closed already', async (t) => {
    const { plant, recall } = await recalledAtShop(world);
    const url = `/recalls/${recall.id}/close`;
    const body = { overrideReason: '批发商已电话确认下架' };
    const first = expectFirst(t, await bureau.post(url, body, keyed('close-1')), 200, 'the closing');
    t.equal(first.body.status, 'closed');
    expectReplay(t, await bureau.post(url, body, keyed('close-1')), first, 'the closing again');
    expectReused(t, await bureau.post(url, { overrideReason: '另一个理由' }, keyed('close-1')), 'another reason');
    expectStatus(t, await bureau.post(url, body, keyed('close-2')), 409, 'a new key: closed already');
    t.equal((await plant.api.get(`/recalls/${recall.id}`)).body.closeEventId, first.body.closeEventId, 'closed by the first request');
  });
});

t.test('tag bindings under an Idempotency-Key', async (t) => {
  const world = await createWorld(t);

  t.test('a retried binding is answered as it was, and does not move back a tag the party moved since', async (t) => {
    const plant = await world.party('processor');
    const product = await plant.product();
    const [one, two] = [await plant.commission(product, 5), await plant.commission(product, 5)];
    const first = expectFirst(t, await plant.api.post('/rfid/tags', tidsOf(one, ['E2801170AA01']), keyed('bind-1')), 201, 'the binding');
    expectReplay(t, await plant.api.post('/rfid/tags', tidsOf(one, ['E2801170AA01']), keyed('bind-1')), first, 'the binding again');
    await world.ok(plant.api.post('/rfid/tags', tidsOf(two, ['E2801170AA01']), keyed('bind-2')));
    expectReplay(t, await plant.api.post('/rfid/tags', tidsOf(one, ['E2801170AA01']), keyed('bind-1')), first, 'the first binding, late');
    t.match((await plant.api.get('/rfid/tags/E2801170AA01')).body, { lotCode: two }, 'the tag stays where it was moved');
    expectReused(t, await plant.api.post('/rfid/tags', tidsOf(two, ['E2801170AA02']), keyed('bind-1')), 'another binding');
  });

  t.test('a retried CSV of bindings is answered as it was; another CSV under the key is refused', async (t) => {
    const plant = await world.party('processor');
    const lot = await plant.commission(await plant.product(), 5);
    const csv = `tid,code\nE2801170BB01,${lot}\nE2801170BB02,${lot}\n`;
    const first = expectFirst(t, await postTagCsv(world, plant, csv, keyed('csv-1')), 201, 'the CSV');
    t.equal(first.body.items.length, 2);
    expectReplay(t, await postTagCsv(world, plant, csv, keyed('csv-1')), first, 'the CSV again');
    expectReused(t, await postTagCsv(world, plant, `tid,code\nE2801170BB03,${lot}\n`, keyed('csv-1')), 'another CSV');
    expectReused(t, await plant.api.post('/rfid/tags', tidsOf(lot, ['E2801170BB01', 'E2801170BB02']), keyed('csv-1')), 'the JSON route');
    t.equal(await count(world, sql`select count(*)::int as n from rfid_tags where lot_code = ${lot}`), 2, 'two bindings');
  });

  t.test('a refused binding keeps no key', async (t) => {
    const plant = await world.party('processor');
    const lot = await plant.commission(await plant.product(), 5);
    expectStatus(t, await plant.api.post('/rfid/tags', tidsOf('BAAAAAAAAAAB', ['E2801170CC01']), keyed('tag-fix')), 400, 'no such lot');
    expectFirst(t, await plant.api.post('/rfid/tags', tidsOf(lot, ['E2801170CC01']), keyed('tag-fix')), 201, 'corrected under the key');
  });
});

t.test('EPCIS named queries and subscriptions under an Idempotency-Key', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const dest = 'http://127.0.0.1:9/hook';

  for (const [who, api] of [
    ['an operator', async () => (await world.party('processor')).api],
    ['a regulator key of no party', async () => world.regulator],
  ] as const) {
    t.test(`a retried named query and subscription, by ${who}, each make one`, async (t) => {
      const client: Client = await api();
      const name = `ships-${Math.random().toString(36).slice(2, 8)}`;
      const made = expectFirst(t, await client.post('/epcis/queries', queryBody(name), keyed(`${name}-q`)), 201, 'the query');
      const again = await client.post('/epcis/queries', queryBody(name), keyed(`${name}-q`));
      expectReplay(t, again, made, 'the query again, not 409 for its name');
      t.equal(again.headers.location, made.headers.location, 'the same query to read');
      expectReused(t, await client.post('/epcis/queries', queryBody(name, 'AggregationEvent'), keyed(`${name}-q`)), 'another query');
      expectStatus(t, await client.post('/epcis/queries', queryBody(name), keyed(`${name}-new`)), 409, 'a new key: the name is taken');

      const url = `/epcis/queries/${name}/subscriptions`;
      const subscribed = expectFirst(t, await client.post(url, { dest, stream: true }, keyed(`${name}-s`)), 201, 'the subscription');
      const resent = await client.post(url, { dest, stream: true }, keyed(`${name}-s`));
      expectReplay(t, resent, subscribed, 'the subscription again');
      t.equal(resent.headers.location, subscribed.headers.location, 'the same subscription to read');
      t.equal(await subscriptions(world, name), 1, 'one subscription');
      expectReused(t, await client.post(url, { dest: `${dest}/2`, stream: true }, keyed(`${name}-s`)), 'another destination');
      expectReused(t, await client.post(url, { dest, stream: true }, keyed(`${name}-q`)), "the query's key");
      expectFirst(t, await client.post(url, { dest, stream: true }, keyed(`${name}-s2`)), 201, 'a new key: a second subscription');
      t.equal(await subscriptions(world, name), 2);
    });
  }

  t.test("one party's regulator and operator keys: each role's keys its own, as it reaches its own queries", async (t) => {
    const bureau = await world.ok(
      world.admin.post('/parties', { kind: 'regulator', name: '监管局', uscc: randomUscc(), regionCode: '500236' }),
    );
    const keyOf = async (role: string) =>
      client(world.app, (await world.ok(world.admin.post('/api-keys', { role, partyCode: bureau.code }))).key);
    const [regulator, operator] = [await keyOf('regulator'), await keyOf('operator')];
    expectFirst(t, await regulator.post('/epcis/queries', queryBody('all-ships'), keyed('bureau-q')), 201, "the regulator key's query");
    const sent = await operator.post('/epcis/queries', queryBody('all-ships'), keyed('bureau-q'));
    expectFirst(
      t,
      sent,
      409,
      'the operator key sending the same is answered afresh (the name is its party’s), not as a replay of a query it cannot reach',
    );
    expectStatus(t, await operator.get('/epcis/queries/all-ships'), 404, 'which it cannot');
  });

  t.test('a refused subscription keeps no key', async (t) => {
    const plant = await world.party('processor');
    expectStatus(t, await plant.api.post('/epcis/queries/none/subscriptions', { dest, stream: true }, keyed('sub')), 404, 'no such query');
    await world.ok(plant.api.post('/epcis/queries', queryBody('none')));
    expectFirst(t, await plant.api.post('/epcis/queries/none/subscriptions', { dest, stream: true }, keyed('sub')), 201, 'made since');
  });
});

t.test('products and locations under an Idempotency-Key', async (t) => {
  const world = await createWorld(t);

  for (const [route, body] of [
    ['/products', productBody],
    ['/locations', locationBody],
  ] as const) {
    t.test(`a retried registration at ${route} registers one, by the party or an admin for it`, async (t) => {
      const plant = await world.party('processor');
      const name = `腊肉 ${route}`;
      const first = expectFirst(t, await plant.api.post(route, body(plant.code, name), keyed('reg-1')), 201, 'the registration');
      expectReplay(t, await plant.api.post(route, body(plant.code, name), keyed('reg-1')), first, 'the registration again');
      expectReused(t, await plant.api.post(route, body(plant.code, `${name} 2`), keyed('reg-1')), 'another name');
      const byAdmin = await world.admin.post(route, body(plant.code, name), keyed('reg-1'));
      expectReplay(t, byAdmin, first, "an admin's same request under the party's key");
      const listed = await plant.api.get(`${route}?partyCode=${plant.code}`);
      t.equal(listed.body.items.filter((item: { name: string }) => item.name === name).length, 1, 'one registered');
      const refused = await plant.api.post(
        route,
        { ...body(plant.code, name), partyCode: (await world.party('farm')).code },
        keyed('reg-x'),
      );
      expectStatus(t, refused, 403, "another party's");
      expectFirst(t, await plant.api.post(route, body(plant.code, `${name} x`), keyed('reg-x')), 201, 'a refused one kept no key');
    });
  }

  t.test('a retried product with a GTIN is answered with it, not refused as registered', async (t) => {
    const plant = await world.party('processor');
    const withGtin = { ...productBody(plant.code, '腊肉 GTIN'), gtin: '06901234567892' };
    const first = expectFirst(t, await plant.api.post('/products', withGtin, keyed('gtin-1')), 201, 'the product');
    expectReplay(t, await plant.api.post('/products', withGtin, keyed('gtin-1')), first, 'the product again');
    expectStatus(t, await plant.api.post('/products', withGtin, keyed('gtin-2')), 409, 'a new key: the GTIN is taken');
  });
});

/**
 * The same keyed request sent twice at once, the first held up in its transaction on `lock` (a row it
 * needs, held by the test): the second waits for the first's key and is answered as the first was.
 */
async function twiceAtOnce(t: Test, world: World, lock: SQL, send: () => Promise<Reply>, status: number) {
  const [first, second] = await meetInOrder(world, holdLocked(world, lock), send, send);
  expectFirst(t, first, status, 'the first writes');
  expectReplay(t, second, first, 'the second, sent while the first waited');
}

t.test('the same keyed request sent twice at once writes once (PostgreSQL)', onPostgres, async (t) => {
  const world = await createWorld(t, 'postgres', { subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } });
  const bureau = await world.partyRegulator();

  t.test('a report', async (t) => {
    const { shop, lot, recall } = await recalledAtShop(world);
    const send = () => shop.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: lot, destroyed: 2 }] }, keyed('burst'));
    await twiceAtOnce(t, world, sql`select 1 from recalls where id = ${recall.id} for update`, send, 201);
    t.equal(await destroyedOf(shop, lot), 2, '2 kg destroyed once');
    t.equal(await reports(world, recall.id), 1, 'one report');
  });

  t.test('a closing', async (t) => {
    const { recall } = await recalledAtShop(world);
    const send = () => bureau.post(`/recalls/${recall.id}/close`, { overrideReason: '已确认' }, keyed('burst'));
    await twiceAtOnce(t, world, sql`select 1 from recalls where id = ${recall.id} for update`, send, 200);
  });

  t.test('a tag binding', async (t) => {
    const plant = await world.party('processor');
    const lot = await plant.commission(await plant.product(), 5);
    // the binding's row refers to the lot: its foreign-key check waits for the lot's row
    const send = () => plant.api.post('/rfid/tags', tidsOf(lot, ['E2801170DD01']), keyed('burst'));
    await twiceAtOnce(t, world, sql`select 1 from lots where code = ${lot} for update`, send, 201);
    t.equal(await count(world, sql`select count(*)::int as n from rfid_tags where lot_code = ${lot}`), 1);
  });

  t.test('a named query and a subscription', async (t) => {
    const plant = await world.party('processor');
    // a party's queries and subscriptions are counted and added under its advisory lock
    const owner = sql`select pg_advisory_xact_lock(hashtext(${`epcis_subscriptions:${plant.code}`}))`;
    await twiceAtOnce(t, world, owner, () => plant.api.post('/epcis/queries', queryBody('burst'), keyed('burst-q')), 201);
    const subscribe = () =>
      plant.api.post('/epcis/queries/burst/subscriptions', { dest: 'http://127.0.0.1:9/hook', stream: true }, keyed('burst-s'));
    await twiceAtOnce(t, world, owner, subscribe, 201);
    t.equal(await subscriptions(world, 'burst'), 1, 'one subscription');
  });

  t.test('a product and a location', async (t) => {
    const plant = await world.party('processor');
    // their rows refer to the party: the foreign-key check waits for the party's row
    const party = sql`select 1 from parties where code = ${plant.code} for update`;
    await twiceAtOnce(t, world, party, () => plant.api.post('/products', productBody(plant.code, '并发腊肉'), keyed('burst-p')), 201);
    await twiceAtOnce(t, world, party, () => plant.api.post('/locations', locationBody(plant.code, '并发冷库'), keyed('burst-l')), 201);
    t.equal(await count(world, sql`select count(*)::int as n from products where party_code = ${plant.code} and name = '并发腊肉'`), 1);
    t.equal(await count(world, sql`select count(*)::int as n from locations where party_code = ${plant.code} and name = '并发冷库'`), 1);
  });
});
