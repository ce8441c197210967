// Idempotency-Key on the writes a client retries: a retry under the key writes nothing and is
// answered as the first request was; the key with another request is refused.
import { eq, sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { codeJobs, recalls } from '../../src/db/schema.js';
import { holdLocked, meetInOrder } from '../fixtures/locks.js';
import { type Actor, at, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { postgresOnly, type Reply } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

const keyed = (key: string) => ({ 'idempotency-key': key });
/** A time after every event the world's fixtures date (one hour apart from its start): retries carry the same one. */
const later = (hours: number) => at(500 + hours);

/** The reply is the first one again, said to be a replay. */
function expectReplay(t: Test, reply: Reply, first: Reply, what: string) {
  expectStatus(t, reply, first.status, what);
  t.equal(reply.headers['idempotent-replayed'], 'true', `${what}: said to be a replay`);
  t.same(reply.body, first.body, `${what}: the first answer's body`);
}

/** A ship of the lot to the buyer, an hour after the fixtures' events: a retry sends the same body. */
const shipping = (lot: string, buyer: Actor, quantity: number) => ({
  type: 'ship',
  eventTime: later(1),
  toPartyCode: buyer.code,
  lines: [{ lotCode: lot, quantity }],
});

/** A farm with a lot of 10 kg of its product, and a buyer. */
async function farmWithLot(world: World) {
  const farm = await world.party('farm');
  const buyer = await world.party('processor');
  const lot = await farm.commission(await farm.product(), 10);
  return { farm, buyer, lot };
}

t.test('native events under an Idempotency-Key', async (t) => {
  let clock = new Date();
  const world = await createWorld(t, undefined, { now: () => clock });

  t.test('a retried ship is one shipment and takes the stock once', async (t) => {
    const { farm, buyer, lot } = await farmWithLot(world);
    const body = shipping(lot, buyer, 4);
    const first = expectStatus(t, await farm.api.post('/events', body, keyed('ship-0001')), 201, 'the ship');
    t.equal(first.headers['idempotent-replayed'], undefined, 'the first answer is no replay');
    expectReplay(t, await farm.api.post('/events', body, keyed('ship-0001')), first, 'the same ship again');
    t.same((await farm.lot(lot)).holders, [{ partyCode: farm.code, onHand: 6 }], '4 kg taken once');
    const ships = await farm.api.get(`/events?type=ship&lotCode=${lot}`);
    t.equal(ships.body.items.length, 1, 'one ship event');
    expectStatus(
      t,
      await buyer.api.post('/events', { type: 'receive', eventTime: later(2), shipmentId: first.body.shipmentId }),
      201,
      'one shipment to receive',
    );
  });

  t.test('a retried disaggregate is one event', async (t) => {
    const { farm, lot } = await farmWithLot(world);
    const box = await farm.pack([{ lotCode: lot }]);
    const body = { type: 'disaggregate', eventTime: later(3), parentCode: box };
    const first = expectStatus(t, await farm.api.post('/events', body, keyed('unpack')), 201, 'the unpacking');
    expectReplay(t, await farm.api.post('/events', body, keyed('unpack')), first, 'the unpacking again');
    t.equal((await farm.api.get(`/events?type=disaggregate&lotCode=${box}`)).body.items.length, 1, 'one disaggregate event');
  });

  t.test('the same key with another request is refused', async (t) => {
    const { farm, buyer, lot } = await farmWithLot(world);
    expectStatus(t, await farm.api.post('/events', shipping(lot, buyer, 1), keyed('order-7')), 201, 'the ship');
    const other = expectStatus(
      t,
      await farm.api.post('/events', shipping(lot, buyer, 2), keyed('order-7')),
      422,
      'another body under the key',
    );
    t.match(other.headers['content-type'], /^application\/problem\+json/);
    t.match(other.body, { type: /idempotency-key-reused$/, errors: [{ in: 'headers', pointer: '/idempotency-key' }] });
    const commission = await farm.api.post(
      '/events',
      { type: 'commission', eventTime: later(1), lots: [{ productCode: await farm.product(), quantity: 1 }] },
      keyed('order-7'),
    );
    expectStatus(t, commission, 422, 'another event type under the key');
    t.same((await farm.lot(lot)).holders, [{ partyCode: farm.code, onHand: 9 }], 'only the first ship took stock');
  });

  t.test('a refused request keeps no key: corrected, it is written under it', async (t) => {
    const { farm, buyer, lot } = await farmWithLot(world);
    const refused = await farm.api.post('/events', shipping(lot, buyer, 50), keyed('retry-after-fix'));
    t.ok(refused.status >= 400 && refused.status < 500, `more than on hand is refused (${refused.status})`);
    expectStatus(
      t,
      await farm.api.post('/events', shipping(lot, buyer, 5), keyed('retry-after-fix')),
      201,
      'the corrected ship under the key',
    );
  });

  t.test("keys are the calling party's own", async (t) => {
    const one = await farmWithLot(world);
    const two = await farmWithLot(world);
    const product = await one.farm.product();
    const commission = { type: 'commission', eventTime: later(1), lots: [{ productCode: product, quantity: 1 }] };
    const first = expectStatus(t, await one.farm.api.post('/events', commission, keyed('shared')), 201, "one party's key");
    const productTwo = await two.farm.product();
    const second = await two.farm.api.post('/events', { ...commission, lots: [{ productCode: productTwo, quantity: 1 }] }, keyed('shared'));
    expectStatus(t, second, 201, "another party's event under the same key");
    t.equal(second.headers['idempotent-replayed'], undefined, 'no replay of the other party’s answer');
    t.not(second.body.createdLotCodes[0], first.body.createdLotCodes[0]);
  });

  t.test('a correction under a key is recorded once', async (t) => {
    const { farm, lot } = await farmWithLot(world);
    const events = await farm.api.get(`/events?type=commission&lotCode=${lot}`);
    const body = { type: 'correction', eventTime: later(5), correctsEventId: events.body.items[0].id, reason: 'typed twice' };
    const first = expectStatus(t, await farm.api.post('/events', body, keyed('void-1')), 201, 'the correction');
    expectReplay(t, await farm.api.post('/events', body, keyed('void-1')), first, 'the correction again');
  });

  t.test('the same keyed request sent many times at once is written once', async (t) => {
    const { farm, lot } = await farmWithLot(world);
    const body = { type: 'observe', eventTime: later(6), lotCodes: [lot] };
    const replies = await Promise.all(Array.from({ length: 8 }, () => farm.api.post('/events', body, keyed('burst'))));
    for (const reply of replies) expectStatus(t, reply, 201, 'each answered');
    t.equal(new Set(replies.map((reply) => reply.body.event.id)).size, 1, 'all with the one event');
    t.equal(replies.filter((reply) => reply.headers['idempotent-replayed'] !== 'true').length, 1, 'one wrote it, the others replay it');
    t.equal((await farm.api.get(`/events?type=observe&lotCode=${lot}`)).body.items.length, 1, 'one observe event');
  });

  t.test('keys are checked', async (t) => {
    const { farm, lot } = await farmWithLot(world);
    const body = { type: 'observe', eventTime: later(6), lotCodes: [lot] };
    for (const [key, what] of [
      ['', 'an empty key'],
      ['k'.repeat(256), 'a key over 255 characters'],
      ['clé', 'a key not in ASCII'],
    ] as const) {
      const reply = expectStatus(t, await farm.api.post('/events', body, keyed(key)), 400, what);
      t.match(reply.body, { errors: [{ in: 'headers', pointer: '/idempotency-key' }] }, `${what}: the header named`);
    }
    expectStatus(t, await farm.api.post('/events', body, keyed('k'.repeat(255))), 201, 'a key of 255 characters');
    t.equal((await farm.api.get(`/events?type=observe&lotCode=${lot}`)).body.items.length, 1, 'only the good key wrote');
  });

  t.test('a key is kept 24 hours: after that, the request is a new one', async (t) => {
    const { farm, lot } = await farmWithLot(world);
    const body = { type: 'observe', eventTime: later(7), lotCodes: [lot] };
    const first = expectStatus(t, await farm.api.post('/events', body, keyed('daily')), 201, 'the first');
    clock = new Date(clock.getTime() + 23 * 3_600_000);
    expectReplay(t, await farm.api.post('/events', body, keyed('daily')), first, '23 hours on');
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    const again = expectStatus(t, await farm.api.post('/events', body, keyed('daily')), 201, '25 hours on');
    t.equal(again.headers['idempotent-replayed'], undefined, 'written again');
    t.equal((await farm.api.get(`/events?type=observe&lotCode=${lot}`)).body.items.length, 2, 'two observe events');
  });
});

t.test('code jobs under an Idempotency-Key', async (t) => {
  const world = await createWorld(t);
  const jobsOf = async (lot: string) => world.database.db.select().from(codeJobs).where(eq(codeJobs.lotCode, lot));
  const issue = (actor: Actor, lot: string, count: number, key: string) => actor.api.post(`/lots/${lot}/items`, { count }, keyed(key));

  t.test('a retried job is queued once, its answer given again with the job to poll', async (t) => {
    const { farm, lot } = await farmWithLot(world);
    const first = expectStatus(t, await issue(farm, lot, 3, 'labels-1'), 202, 'the job');
    const again = await issue(farm, lot, 3, 'labels-1');
    expectReplay(t, again, first, 'the job again');
    t.equal(again.headers.location, first.headers.location, 'the same job to poll');
    t.equal((await jobsOf(lot)).length, 1, 'one job');
    expectStatus(t, await issue(farm, lot, 4, 'labels-1'), 422, 'another count under the key');
  });

  t.test('the same keyed job asked many times at once is queued once', async (t) => {
    const { farm, lot } = await farmWithLot(world);
    const replies = await Promise.all(Array.from({ length: 8 }, () => issue(farm, lot, 2, 'labels-burst')));
    for (const reply of replies) expectStatus(t, reply, 202, 'each answered');
    t.equal(new Set(replies.map((reply) => reply.body.id)).size, 1, 'all with the one job');
    t.equal((await jobsOf(lot)).length, 1, 'one job');
  });

  t.test('a retry after the lot was put on hold is answered as the job was queued', async (t) => {
    const { farm, lot } = await farmWithLot(world);
    const first = expectStatus(t, await issue(farm, lot, 3, 'labels-before-hold'), 202, 'the job');
    await world.ok(farm.api.post('/holds', { lotCodes: [lot], reason: '抽检' }), 201);
    expectReplay(t, await issue(farm, lot, 3, 'labels-before-hold'), first, 'the job again, the lot on hold');
    const other = expectStatus(t, await issue(farm, lot, 4, 'labels-before-hold'), 422, 'another count under the key');
    t.match(other.body, { type: /idempotency-key-reused$/ }, 'refused for its key, not for the hold');
    expectStatus(t, await issue(farm, lot, 3, 'labels-after-hold'), 409, 'a new key: the hold refuses it');
    t.equal((await jobsOf(lot)).length, 1, 'one job');
  });

  t.test('a refused job keeps no key', async (t) => {
    const { farm, lot } = await farmWithLot(world);
    const other = await world.party('farm');
    expectStatus(t, await issue(other, lot, 1, 'not-mine'), 403, "another party's lot");
    expectStatus(t, await issue(farm, lot, 1, 'not-mine'), 202, 'the owner under the same key: its own');
  });
});

t.test('holds and releases under an Idempotency-Key', async (t) => {
  const world = await createWorld(t);
  const { farm, lot } = await farmWithLot(world);
  const hold = { lotCodes: [lot], reason: 'pending a residue test' };
  const first = expectStatus(t, await farm.api.post('/holds', hold, keyed('hold-1')), 201, 'the hold');
  expectReplay(t, await farm.api.post('/holds', hold, keyed('hold-1')), first, 'the hold again');
  const release = { lotCodes: [lot], reason: 'the test passed' };
  const released = expectStatus(t, await farm.api.post('/holds/release', release, keyed('release-1')), 201, 'the release');
  expectReplay(t, await farm.api.post('/holds/release', release, keyed('release-1')), released, 'the release again');
  expectStatus(t, await farm.api.post('/holds/release', release, keyed('hold-1')), 422, "the hold's key on the release");
  const events = (type: string) => farm.api.get(`/events?type=${type}&lotCode=${lot}`);
  t.equal((await events('hold')).body.items.length, 1, 'one hold event');
  t.equal((await events('release')).body.items.length, 1, 'one release event');
});

/** A recall of the lot, as a bureau or its owner opens it: a retry sends the same body. */
const recallOf = (lot: string, reason = '检出致病菌') => ({ lotCodes: [lot], level: 1, reason, hazard: '沙门氏菌' });
const recallsOf = async (world: World, lot: string) =>
  world.database.db
    .select()
    .from(recalls)
    .where(sql`${recalls.rootLotCodes} @> ${JSON.stringify([lot])}::jsonb`);

t.test('recall openings under an Idempotency-Key', async (t) => {
  const world = await createWorld(t);
  const bureau = await world.partyRegulator();

  t.test('a retried opening opens one recall, its first answer given again with the recall to read', async (t) => {
    const { lot } = await farmWithLot(world);
    const first = expectStatus(t, await bureau.post('/recalls', recallOf(lot), keyed('recall-1')), 201, 'the opening');
    t.equal(first.headers['idempotent-replayed'], undefined, 'the first answer is no replay');
    const again = await bureau.post('/recalls', recallOf(lot), keyed('recall-1'));
    expectReplay(t, again, first, 'the opening again');
    t.equal(again.headers.location, `/recalls/${first.body.id}`, 'the same recall to read');
    t.equal((await recallsOf(world, lot)).length, 1, 'one recall');
    const other = expectStatus(t, await bureau.post('/recalls', recallOf(lot, '标签错误'), keyed('recall-1')), 422, 'another body');
    t.match(other.body, { type: /idempotency-key-reused$/, errors: [{ in: 'headers', pointer: '/idempotency-key' }] });
    expectStatus(t, await bureau.post('/holds', { lotCodes: [lot], reason: 'x' }, keyed('recall-1')), 422, 'the key on another route');
  });

  t.test("a refused opening keeps no key, and keys are the opening party's own", async (t) => {
    const { farm, lot } = await farmWithLot(world);
    const stranger = await world.party('farm');
    expectStatus(t, await stranger.api.post('/recalls', recallOf(lot), keyed('recall-2')), 403, "another party's lot");
    const owner = expectStatus(t, await farm.api.post('/recalls', recallOf(lot), keyed('recall-2')), 201, 'its owner under the key');
    t.equal(owner.headers['idempotent-replayed'], undefined, 'opened afresh');
    t.equal((await recallsOf(world, lot)).length, 1, 'one recall');
  });
});

t.test('the same keyed opening sent twice at once opens one recall (PostgreSQL)', onPostgres, async (t) => {
  const world = await createWorld(t, 'postgres');
  const bureau = await world.partyRegulator();
  const { lot } = await farmWithLot(world);
  // both requests line up behind a hold of the lot, which the opening marks recalled
  const hold = holdLocked(world, sql`select 1 from lots where code = ${lot} for update`);
  const open = () => bureau.post('/recalls', recallOf(lot), keyed('recall-burst'));
  const [first, second] = await meetInOrder(world, hold, open, open);
  expectStatus(t, first, 201, 'the first opens it');
  expectReplay(t, second, first, 'the second, sent while the first waited');
  t.equal((await recallsOf(world, lot)).length, 1, 'one recall');
});
