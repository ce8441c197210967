import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { completeGs1 } from '../../src/codes/gs1.js';
import { queryRows } from '../../src/db/client.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { EPCIS_CONTEXT } from '../fixtures/epcis.js';
import { actOnCaseWhilePackingFarmLot, waitersReach } from '../fixtures/locks.js';
import { at, createWorld, expectStatus, randomUscc, type World } from '../fixtures/world.js';
import { client, postgresOnly, type Reply, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

t.test('a held lot is not shipped, sold, transformed, packed nor coded until released', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const product = await farm.product('piece');
  const lot = await farm.commission(product, 100);
  const other = await farm.commission(product, 10);

  expectStatus(t, await plant.api.post('/holds', { lotCodes: [lot], reason: 'x' }), 403, 'a party that does not own it');
  const held = expectStatus(
    t,
    await farm.api.post('/holds', { lotCodes: [lot], reason: '抽检待复检', pendingTest: '瘦肉精' }),
    201,
    'the owner holds',
  );
  t.match(held.body, { type: 'hold', partyCode: farm.code, bizStep: 'holding', disposition: 'non_sellable_other' });
  t.match(held.body.details, { reason: '抽检待复检', pendingTest: '瘦肉精' });
  expectStatus(t, await farm.api.post('/holds', { lotCodes: [lot], reason: 'y' }), 409, 'held once');
  const correction = await farm.event({ type: 'correction', correctsEventId: held.body.id, reason: 'x' });
  expectStatus(t, correction, 409, 'a hold is released, not corrected away');

  const ship = expectStatus(t, await farm.event({ type: 'ship', toPartyCode: plant.code, lines: [{ lotCode: lot }] }), 409, 'no shipping');
  t.equal(ship.body.errors[0].pointer, '/lines/0/lotCode');
  const onHold = `lot ${lot} is on hold (抽检待复检)`;
  t.match(ship.body.detail, onHold);
  const sell = expectStatus(t, await farm.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 1 }] }), 409, 'no selling');
  t.match(sell.body, { detail: `${onHold}; nobody may sell it`, errors: [{ pointer: '/lines/0/lotCode' }] });
  const transform = expectStatus(
    t,
    await farm.event({ type: 'transform', inputs: [{ lotCode: lot, quantity: 5 }], outputs: [{ productCode: product, quantity: 5 }] }),
    409,
    'no transforming',
  );
  t.match(transform.body, { detail: `${onHold}; nobody may transform it`, errors: [{ pointer: '/inputs/0/lotCode' }] });
  const pack = expectStatus(
    t,
    await farm.event({ type: 'aggregate', parent: {}, children: [{ lotCode: other }, { lotCode: lot, quantity: 5 }] }),
    409,
    'no packing (a container with the lot in it could be sold)',
  );
  t.match(pack.body, { detail: `${onHold}; nobody may pack it`, errors: [{ pointer: '/children/1/lotCode' }] });
  t.equal((await farm.lot(other)).massBalance.onHand, 10, 'nothing of the batch was packed');
  const codes = expectStatus(t, await farm.api.post(`/lots/${lot}/items`, { count: 10 }), 409, 'no item codes');
  t.match(codes.body.detail, `${onHold}; nobody may issue codes for it`);
  expectStatus(
    t,
    await farm.event({ type: 'destroy', reason: '不合格', lines: [{ lotCode: lot, quantity: 1 }] }),
    201,
    'destroying is allowed',
  );
  expectStatus(t, await farm.event({ type: 'ship', toPartyCode: plant.code, lines: [{ lotCode: other }] }), 201, 'other lots move on');

  // a container packed before the hold does not carry a held lot out
  const boxed = await farm.commission(product, 5);
  const box = await farm.pack([{ lotCode: boxed }]);
  expectStatus(t, await farm.api.post('/holds', { lotCodes: [boxed], reason: '待检' }), 201, 'hold a packed lot');
  expectStatus(t, await farm.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: box }] }), 409, 'its container stays');

  // another party is refused before the lot's hold is looked at: held or not, the same answer
  const releaseBy = (lotCode: string) => plant.api.post('/holds/release', { lotCodes: [lotCode], reason: 'x' });
  const free = await farm.commission(product, 10);
  const strangerHeld = expectStatus(t, await releaseBy(lot), 403, "another party releasing the owner's held lot");
  const strangerFree = expectStatus(t, await releaseBy(free), 403, 'another party releasing a lot not held');
  t.equal(strangerFree.body.detail, `only a regulator or the owner of lot ${free} may release its hold`);
  t.equal(strangerHeld.body.detail, strangerFree.body.detail.replace(free, lot), 'the answers differ only in the lot named');
  t.equal(
    expectStatus(t, await releaseBy(other), 403, 'the party it was shipped to').body.detail,
    `only a regulator or the owner of lot ${other} (${farm.code}) may release its hold`,
    'is told whose lot it is',
  );
  expectStatus(t, await farm.api.post('/holds/release', { lotCodes: [other], reason: 'x' }), 409, 'releasing a lot not held');
  const released = expectStatus(
    t,
    await farm.api.post('/holds/release', { lotCodes: [lot], reason: '复检合格' }),
    201,
    'the owner releases its own hold',
  );
  t.same(released.body.details.releasedHoldEventIds, [held.body.id]);
  expectStatus(t, await farm.event({ type: 'ship', toPartyCode: plant.code, lines: [{ lotCode: lot, quantity: 10 }] }), 201, 'ships again');
  expectStatus(t, await farm.api.post(`/lots/${lot}/items`, { count: 10 }), 202, 'codes again');
  await world.app.services.items.idle();
});

t.test("a refusal to act on another party's lot names its owner, or who held it, only to a party that may read the lot", async (t) => {
  const world = await createWorld(t);
  const owner = await world.party('processor');
  const other = await world.party('processor');
  const lot = await owner.commission(await owner.product('piece'), 10);
  const held = await owner.commission(await owner.product('piece'), 10);
  expectStatus(t, await owner.api.post('/holds', { lotCodes: [held], reason: '待检' }), 201, 'the owner holds one of its lots');
  const attempts = (lotCode: string) => ({
    hold: () => other.api.post('/holds', { lotCodes: [lotCode], reason: 'x' }),
    release: () => other.api.post('/holds/release', { lotCodes: [lotCode], reason: 'x' }),
    recall: () => other.api.post('/recalls', { lotCodes: [lotCode], level: 3, reason: 'r', hazard: 'h' }),
    'item codes': () => other.api.post(`/lots/${lotCode}/items`, { count: 1 }),
  });

  for (const lotCode of [lot, held]) {
    for (const [act, attempt] of Object.entries(attempts(lotCode))) {
      const refused = expectStatus(t, await attempt(), 403, `${act} of ${lotCode === held ? 'a held' : 'a'} lot it may not read`);
      t.match(refused.body.detail, `lot ${lotCode}`, `${act}: the lot as the request named it`);
      t.notMatch(JSON.stringify(refused.body), owner.code, `${act}: names neither its owner nor who held it`);
    }
  }

  // sent some of the lot, the other party may read it: the refusal names whose lot it is
  await world.handOver(owner, other, lot, 2);
  for (const [act, attempt] of Object.entries(attempts(lot))) {
    t.match(expectStatus(t, await attempt(), 403, `${act} of a lot it was sent`).body.detail, `lot ${lot} (${owner.code})`, act);
  }
  await world.app.services.items.idle();
});

t.test('a hold, release or recall naming one lot twice is refused at its second naming', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const lot = await plant.commission(await plant.product('kg'), 50);
  const refused = async (url: string, body: object, what: string) => {
    const twice = expectStatus(t, await plant.api.post(url, body), 422, what);
    t.match(twice.body, {
      type: '/problems/duplicate-lot',
      detail: new RegExp(`^${lot} is listed twice$`),
      errors: [{ pointer: '/lotCodes/1' }],
    });
  };
  await refused('/holds', { lotCodes: [lot, lot], reason: 'x' }, 'hold');
  expectStatus(t, await plant.api.post('/holds', { lotCodes: [lot], reason: 'x' }), 201, 'it was not on hold');
  await refused('/holds/release', { lotCodes: [lot, lot], reason: 'x' }, 'release');
  expectStatus(t, await plant.api.post('/holds/release', { lotCodes: [lot], reason: 'x' }), 201, 'it was on hold');
  await refused('/recalls', { lotCodes: [lot, lot], level: 3, reason: 'r', hazard: 'h' }, 'recall');
  expectStatus(
    t,
    await plant.api.post('/recalls', { lotCodes: [lot], level: 3, reason: 'r', hazard: 'h' }),
    201,
    'recalled once named once',
  );
});

t.test('a container with a held lot inside is neither sold, packed nor transformed until the hold is released', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const product = await farm.product('piece');
  const lot = await farm.commission(product, 12);
  // packed before the hold: in two cases, and in a case on a pallet
  const forSale = await farm.pack([{ lotCode: lot, quantity: 4 }]);
  const forPallet = await farm.pack([{ lotCode: lot, quantity: 4 }]);
  const inner = await farm.pack([{ lotCode: lot, quantity: 4 }]);
  const pallet = await farm.pack([{ lotCode: inner }]);
  expectStatus(t, await farm.api.post('/holds', { lotCodes: [lot], reason: '待检' }), 201, 'the packed lot is held');

  const onHold = (container: string) => `lot ${lot} (packed in ${container}) is on hold (待检)`;
  const packed = expectStatus(
    t,
    await farm.event({ type: 'aggregate', parent: {}, children: [{ lotCode: forPallet }] }),
    409,
    'a case holding it is not packed onto a pallet',
  );
  t.match(packed.body, {
    detail: `${onHold(forPallet)}; nobody may pack it`,
    errors: [{ pointer: '/children/0/lotCode', detail: 'holds a lot on hold' }],
  });
  const repacked = expectStatus(
    t,
    await farm.event({ type: 'aggregate', parent: {}, children: [{ lotCode: pallet }] }),
    409,
    'nor a pallet holding it in a case',
  );
  t.match(repacked.body, { detail: `${onHold(inner)}; nobody may pack it`, errors: [{ pointer: '/children/0/lotCode' }] });
  const sold = expectStatus(t, await farm.event({ type: 'sell', lines: [{ lotCode: forSale }] }), 409, 'a case holding it is not sold');
  t.match(sold.body, {
    detail: `${onHold(forSale)}; nobody may sell it`,
    errors: [{ pointer: '/lines/0/lotCode', detail: 'holds a lot on hold' }],
  });
  const nested = expectStatus(
    t,
    await farm.event({ type: 'sell', lines: [{ lotCode: pallet }] }),
    409,
    'nor a pallet holding it in a case',
  );
  t.match(nested.body, { detail: `${onHold(inner)}; nobody may sell it`, errors: [{ pointer: '/lines/0/lotCode' }] });
  const shop = await world.party('retailer');
  const shipped = expectStatus(
    t,
    await farm.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: pallet }] }),
    409,
    'nor shipped',
  );
  t.match(shipped.body, { detail: `${onHold(inner)}; nobody may ship it`, errors: [{ pointer: '/lines/0/lotCode' }] });
  const transformed = expectStatus(
    t,
    await farm.event({ type: 'transform', inputs: [{ lotCode: forSale, quantity: 1 }], outputs: [{ productCode: product, quantity: 4 }] }),
    409,
    'nor is a case holding it used as a transformation input',
  );
  t.match(transformed.body, { detail: `${onHold(forSale)}; nobody may transform it`, errors: [{ pointer: '/inputs/0/lotCode' }] });

  expectStatus(t, await farm.api.post('/holds/release', { lotCodes: [lot], reason: '复检合格' }), 201, 'released');
  const onPallet = expectStatus(
    t,
    await farm.event({ type: 'aggregate', parent: {}, children: [{ lotCode: forPallet }] }),
    201,
    'the case is packed onto a pallet',
  );
  expectStatus(t, await farm.event({ type: 'sell', lines: [{ lotCode: onPallet.body.createdLotCodes[0] }] }), 201, 'that pallet is sold');
  expectStatus(t, await farm.event({ type: 'sell', lines: [{ lotCode: forSale }] }), 201, 'the other case is sold');
  expectStatus(t, await farm.event({ type: 'sell', lines: [{ lotCode: pallet }] }), 201, 'and the pallet');
});

t.test('a held container is not unpacked until released: its contents would come out free of the hold', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const lot = await plant.commission(await plant.product('kg'), 10);
  const packed = await world.ok(plant.event({ type: 'aggregate', parent: {}, children: [{ lotCode: lot }] }));
  const box = packed.createdLotCodes[0] as string;
  expectStatus(t, await plant.api.post('/holds', { lotCodes: [box], reason: '待检' }), 201, 'the owner holds the container');

  const unpacked = expectStatus(t, await plant.event({ type: 'disaggregate', parentCode: box }), 409, 'the held container is not unpacked');
  t.match(unpacked.body, {
    detail: `lot ${box} is on hold (待检); nobody may unpack it until the hold is released`,
    errors: [{ pointer: '/parentCode', detail: 'on hold' }],
  });
  expectStatus(
    t,
    await plant.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: lot }] }),
    409,
    'so the lot inside is not shipped out of it',
  );
  t.equal((await plant.lot(lot)).massBalance.onHand, 10, 'the lot is still all in the container');

  expectStatus(t, await plant.api.post('/holds/release', { lotCodes: [box], reason: '复检合格' }), 201, 'released');
  expectStatus(t, await plant.event({ type: 'disaggregate', parentCode: box }), 201, 'then it is unpacked');
  expectStatus(t, await plant.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: lot }] }), 201, 'and the lot shipped');
});

t.test('a recalled lot released from its hold stays recalled, and the release event’s disposition says so', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const recalled = await farm.commission(await farm.product('kg'), 10);
  const active = await farm.commission(await farm.product('kg'), 10);
  expectStatus(t, await farm.api.post('/holds', { lotCodes: [recalled, active], reason: '待检' }), 201, 'both held');
  expectStatus(t, await farm.api.post('/recalls', { lotCodes: [recalled], level: 3, reason: 'r', hazard: 'h' }), 201, 'one recalled');

  const both = expectStatus(
    t,
    await farm.api.post('/holds/release', { lotCodes: [recalled, active], reason: '复检' }),
    201,
    'both released',
  );
  t.equal(both.body.disposition, null, 'a recalled and a sellable lot share no disposition: the release names none');
  expectStatus(t, await farm.api.post('/holds', { lotCodes: [recalled], reason: '待检' }), 201, 'held again');
  const one = expectStatus(t, await farm.api.post('/holds/release', { lotCodes: [recalled], reason: '复检' }), 201, 'released again');
  t.equal(one.body.disposition, 'recalled', 'released, the recalled lot is still recalled, not sellable');
  t.equal((await farm.lot(recalled)).status, 'recalled');
  const epcis = expectStatus(t, await farm.api.get(`/epcis/events/${one.body.id}`), 200, 'the release through EPCIS');
  t.match(JSON.stringify(epcis.body), '"disposition":"recalled"', 'reads as recalled there too, not sellable');
  const released = expectStatus(
    t,
    await (async () => {
      await world.ok(farm.api.post('/holds', { lotCodes: [active], reason: '待检' }));
      return farm.api.post('/holds/release', { lotCodes: [active], reason: '复检' });
    })(),
    201,
    'the sellable lot released alone',
  );
  t.equal(released.body.disposition, 'sellable_accessible');
});

t.test('a regulator holds through its regulator party; the owner cannot lift that hold', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const lot = await farm.commission(await farm.product('kg'), 50);
  const bureau = await world.ok(
    world.admin.post('/parties', { kind: 'regulator', name: '县市场监管局', uscc: randomUscc(), regionCode: '500236' }),
  );
  const farmParty = expectStatus(
    t,
    await world.admin.post('/api-keys', { role: 'regulator', partyCode: farm.code }),
    400,
    'a regulator key names a regulator party',
  );
  t.equal(farmParty.body.errors[0].pointer, '/partyCode');
  const regulator = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'regulator', partyCode: bureau.code }))).key);
  expectStatus(t, await world.regulator.post('/holds', { lotCodes: [lot], reason: 'x' }), 403, 'not without its party');
  const job = expectStatus(t, await farm.api.post(`/lots/${lot}/items`, { count: 2 }), 202, 'codes before the hold').body;
  await world.app.services.items.idle();
  const csv = await farm.api.get(`/code-jobs/${job.id}/codes.csv`);
  const itemCode = String(csv.body).split('\n')[1].split(',')[0];
  const held = expectStatus(t, await regulator.post('/holds', { lotCodes: [lot], reason: '快检阳性' }), 201, 'the regulator holds');
  const scanned = await world.app.inject({ url: `/t/${itemCode}`, headers: { accept: 'application/json' } });
  t.same(scanned.json().warnings, ['on_hold'], 'a scan says sale suspended, not counterfeit');
  const page = await world.app.inject({ url: `/t/${itemCode}`, headers: { accept: 'text/html' } });
  t.match(page.body, '暂停销售');
  t.equal(held.body.partyCode, bureau.code, 'recorded under the regulator party');
  t.equal(held.body.details.keyId.length > 0, true, 'with the key that made it');
  const packed = expectStatus(
    t,
    await farm.event({ type: 'aggregate', parent: {}, itemCodes: [itemCode] }),
    409,
    'its serialized packs are not packed either',
  );
  t.match(packed.body, { detail: `lot ${lot} is on hold (快检阳性); nobody may pack it`, errors: [{ pointer: '/itemCodes/0' }] });
  t.equal((await farm.lot(lot)).status, 'active', 'a held lot keeps its status');

  t.equal((await world.regulator.get(`/trace/${lot}`)).body.nodes[0].onHold, true, 'the trace shows the hold');
  expectStatus(
    t,
    await farm.api.post('/holds/release', { lotCodes: [lot], reason: '我方认为合格' }),
    403,
    'the owner may not lift a regulator hold',
  );
  expectStatus(t, await regulator.post('/holds/release', { lotCodes: [lot], reason: '第三方复检合格' }), 201, 'the regulator releases');
  expectStatus(t, await farm.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 1 }] }), 201, 'sold again');
});

t.test('a regulator puts its own hold in place of the owner’s in one act; then only a regulator releases it', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('processor');
  const product = await farm.product('kg');
  const lot = await farm.commission(product, 50);
  const loose = await farm.commission(product, 20);
  const regulatorOf = async (name: string) => {
    const party = await world.ok(world.admin.post('/parties', { kind: 'regulator', name, uscc: randomUscc(), regionCode: '500236' }));
    return {
      code: party.code as string,
      api: client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'regulator', partyCode: party.code }))).key),
    };
  };
  const bureau = await regulatorOf('县市场监管局');
  const province = await regulatorOf('市市场监管局');

  const own = expectStatus(t, await farm.api.post('/holds', { lotCodes: [lot], reason: '自检待复检' }), 201, 'the owner holds');
  const taken = expectStatus(
    t,
    await bureau.api.post('/holds', { lotCodes: [lot, loose], reason: '监督抽检不合格', pendingTest: '瘦肉精 复检' }),
    201,
    'the regulator holds the owner’s held lot and a lot not held, in one act',
  );
  t.match(taken.body, { type: 'hold', partyCode: bureau.code });
  t.same(taken.body.details.replacedHoldEventIds, [own.body.id], 'the owner’s hold it replaced');
  t.same(own.body.details.replacedHoldEventIds, [], 'a hold on lots not held replaces none');

  const released = expectStatus(
    t,
    await farm.api.post('/holds/release', { lotCodes: [lot], reason: '自检合格' }),
    403,
    'the owner can no longer release it',
  );
  t.match(released.body.detail, `put on by ${bureau.code}`);
  t.match(
    expectStatus(t, await farm.api.post('/holds', { lotCodes: [lot], reason: 'x' }), 409, 'nor hold it again').body.detail,
    `already on hold (by ${bureau.code}`,
  );
  t.match(
    expectStatus(t, await province.api.post('/holds', { lotCodes: [lot], reason: 'x' }), 409, 'a regulator’s hold is not taken over').body
      .detail,
    `already on hold (by ${bureau.code}`,
  );
  const shipped = expectStatus(t, await farm.event({ type: 'ship', toPartyCode: plant.code, lines: [{ lotCode: lot }] }), 409, 'held');
  t.match(shipped.body.detail, 'on hold (监督抽检不合格)');

  const lifted = expectStatus(
    t,
    await bureau.api.post('/holds/release', { lotCodes: [lot], reason: '复检合格' }),
    201,
    'the regulator releases',
  );
  t.same(lifted.body.details.releasedHoldEventIds, [taken.body.id]);
  const history = (await world.regulator.get(`/events?lotCode=${lot}&limit=100`)).body.items
    .filter((event: any) => event.type === 'hold' || event.type === 'release')
    .map((event: any) => [event.type, event.partyCode])
    .reverse();
  t.same(
    history,
    [
      ['hold', farm.code],
      ['hold', bureau.code],
      ['release', bureau.code],
    ],
    'the lot’s events (oldest first here) keep both holds and the release',
  );
  t.match((await bureau.api.get('/audit/verify')).body, { ok: true }, 'each act is in the audit log');
});

t.test('EPCIS capture is refused for a held lot like the native API', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const lotUri = 'https://id.gs1.org/01/06901234000016/10/FARM-HOLD';
  const capture = async (event: object) => {
    const reply = await world.app.inject({
      method: 'POST',
      url: '/epcis/capture',
      headers: { 'content-type': 'application/ld+json', authorization: `Bearer ${farm.key}` },
      payload: {
        '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2026-03-10T00:00:00Z',
        epcisBody: { eventList: [{ type: 'ObjectEvent', eventTimeZoneOffset: '+08:00', ...event }] },
      },
    });
    t.equal(reply.statusCode, 202);
    await world.app.services.epcis.idle();
    return (await farm.api.get(`/epcis/capture/${reply.json().captureID}`)).body;
  };
  const made = await capture({
    eventTime: '2026-03-01T08:00:00+08:00',
    action: 'ADD',
    bizStep: 'commissioning',
    quantityList: [{ epcClass: lotUri, quantity: 10, uom: 'H87' }],
  });
  t.equal(made.success, true);
  const lot = (await farm.api.get(`/trace/${encodeURIComponent(lotUri)}`)).body.nodes[0].code;
  const caseUri = 'urn:epc:id:sscc:6901234.0000000024';
  const boxed = await capture({
    type: 'AggregationEvent',
    eventTime: '2026-03-01T09:00:00+08:00',
    action: 'ADD',
    bizStep: 'packing',
    parentID: caseUri,
    childQuantityList: [{ epcClass: lotUri, quantity: 2, uom: 'H87' }],
  });
  t.equal(boxed.success, true, 'two packed in a case before the hold');
  // a second case, already on a pallet when the hold comes
  const [secondCase, pallet] = ['urn:epc:id:sscc:6901234.0000000031', 'urn:epc:id:sscc:6901234.0000000048'];
  const onPallet = (eventTime: string) =>
    capture({ type: 'AggregationEvent', eventTime, action: 'ADD', bizStep: 'packing', parentID: pallet, childEPCs: [secondCase] });
  const secondBoxed = await capture({
    type: 'AggregationEvent',
    eventTime: '2026-03-01T09:10:00+08:00',
    action: 'ADD',
    bizStep: 'packing',
    parentID: secondCase,
    childQuantityList: [{ epcClass: lotUri, quantity: 1, uom: 'H87' }],
  });
  t.equal(secondBoxed.success && (await onPallet('2026-03-01T09:20:00+08:00')).success, true, 'a second case onto a pallet');
  expectStatus(t, await farm.api.post('/holds', { lotCodes: [lot], reason: '待检' }), 201, 'held');
  t.match(
    await onPallet('2026-03-02T06:00:00+08:00'),
    { success: true, errors: [] },
    'the case reported on its pallet again packs nothing, so the hold inside it does not stop the report',
  );
  const caseSold = await capture({
    eventTime: '2026-03-02T07:00:00+08:00',
    action: 'OBSERVE',
    bizStep: 'retail_selling',
    epcList: [caseUri],
  });
  t.equal(caseSold.success, false, 'selling the case fails');
  t.match(JSON.stringify(caseSold.errors), `lot ${lot} (packed in ${caseUri})`, 'the case as the event wrote it');
  t.match(JSON.stringify(caseSold.errors), 'is on hold (待检); nobody may sell it');
  const sold = await capture({
    eventTime: '2026-03-02T08:00:00+08:00',
    action: 'OBSERVE',
    bizStep: 'retail_selling',
    quantityList: [{ epcClass: lotUri, quantity: 1, uom: 'H87' }],
  });
  t.equal(sold.success, false, 'the capture job fails');
  t.match(JSON.stringify(sold.errors), /on hold/);
  t.equal((await farm.lot(lot)).massBalance.sold, 0, 'nothing was sold');
  const packed = await capture({
    type: 'AggregationEvent',
    eventTime: '2026-03-02T09:00:00+08:00',
    action: 'ADD',
    bizStep: 'packing',
    parentID: 'urn:epc:id:sscc:6901234.0000000017',
    childQuantityList: [{ epcClass: lotUri, quantity: 5, uom: 'H87' }],
  });
  t.equal(packed.success, false, 'an aggregation of the held lot fails too');
  t.match(JSON.stringify(packed.errors), `lot ${lotUri} is on hold (待检); nobody may pack it`, 'the lot as the event wrote it');
  t.equal((await farm.lot(lot)).massBalance.onHand, 10, 'nothing was packed');
});

t.test('a hold, release or recall of another party’s lot is refused at the lot it names', async (t) => {
  const world = await createWorld(t);
  const owner = await world.party('processor');
  const other = await world.party('processor');
  const theirs = await owner.commission(await owner.product('kg'), 10);
  const own = await other.commission(await other.product('kg'), 10);
  expectStatus(t, await owner.api.post('/holds', { lotCodes: [theirs], reason: '待检' }), 201, 'the owner holds its lot');
  const refusedAtSecond = async (act: string, reply: Promise<Reply>) => {
    const refused = expectStatus(t, await reply, 403, `${act} of another party's lot, named second`);
    t.match(refused.body, { errors: [{ in: 'body', pointer: '/lotCodes/1' }] }, `${act}: the field path of the lot refused`);
  };
  await refusedAtSecond('hold', other.api.post('/holds', { lotCodes: [own, theirs], reason: 'x' }));
  expectStatus(t, await other.api.post('/holds', { lotCodes: [own], reason: 'x' }), 201, 'its own lot alone is held');
  await refusedAtSecond('release', other.api.post('/holds/release', { lotCodes: [own, theirs], reason: 'x' }));
  await refusedAtSecond('recall', other.api.post('/recalls', { lotCodes: [own, theirs], level: 3, reason: 'r', hazard: 'h' }));
});

t.test('an operator key of a regulator party has no regulator rights: those come with the regulator role', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const product = await farm.product('kg');
  const lot = await farm.commission(product, 50);
  const other = await farm.commission(product, 20);
  const bureau = await world.ok(
    world.admin.post('/parties', { kind: 'regulator', name: '县市场监管局', uscc: randomUscc(), regionCode: '500236' }),
  );
  const issued = await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: bureau.code }));
  const bureauOperator = client(world.app, issued.key);
  const regulator = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'regulator', partyCode: bureau.code }))).key);

  expectStatus(t, await bureauOperator.post('/holds', { lotCodes: [lot], reason: 'x' }), 403, 'it does not hold another party’s lot');
  expectStatus(t, await bureauOperator.post('/recalls', { lotCodes: [lot], level: 1, reason: 'r', hazard: 'h' }), 403, 'nor recall it');
  expectStatus(t, await farm.api.post('/holds', { lotCodes: [other], reason: '自检' }), 201, 'the owner holds');
  expectStatus(t, await bureauOperator.post('/holds', { lotCodes: [other], reason: 'x' }), 403, 'nor take over the owner’s hold');
  expectStatus(t, await regulator.post('/holds', { lotCodes: [lot], reason: '快检阳性' }), 201, 'the regulator key holds');
  expectStatus(
    t,
    await bureauOperator.post('/holds/release', { lotCodes: [lot], reason: 'x' }),
    403,
    'the operator key does not release the regulator’s hold',
  );
  const recall = expectStatus(
    t,
    await regulator.post('/recalls', { lotCodes: [other], level: 3, reason: 'r', hazard: 'h' }),
    201,
    'the regulator key recalls',
  ).body;
  expectStatus(
    t,
    await bureauOperator.post(`/recalls/${recall.id}/close`, { overrideReason: 'x' }),
    403,
    'nor does it close the regulator’s recall with an override',
  );
});

/**
 * Sends `request` while a regulator party's hold on `lot` is written and not yet committed, once it
 * waits for the hold's transaction (or is answered without waiting); its reply, once the hold is
 * committed.
 */
async function sendWhileHoldIsWritten(t: Test, world: World, lot: string, request: () => Promise<Reply>): Promise<Reply> {
  const bureau = await world.ok(
    world.admin.post('/parties', { kind: 'regulator', name: '县市场监管局', uscc: randomUscc(), regionCode: '500236' }),
  );
  const writer = eventWriterOn(world.database);
  let sent!: Promise<Reply>;
  await world.database.db.transaction(async (tx) => {
    const [held] = await writer.write(
      tx as never,
      [
        {
          actor: bureau.code,
          action: { type: 'hold', lotCodes: [lot], reason: '快检阳性', asRegulator: true },
          context: { eventTime: at(500) },
        },
      ],
      'rollback',
    );
    t.ok(held.ok, 'the hold is written');
    sent = request();
    await waitersReach(world, 1, sent);
  });
  return sent;
}

t.test(
  'a case is not shipped while a hold on the lot inside it is being recorded (PostgreSQL, real concurrency)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const farm = await world.party('farm');
    const shop = await world.party('retailer');
    const lot = await farm.commission(await farm.product('piece'), 12);
    const crate = await farm.pack([{ lotCode: lot, quantity: 12 }]);

    // the regulator's hold is written and not yet committed while the owner ships the case the lot lies in
    const shipping = await sendWhileHoldIsWritten(t, world, lot, () =>
      farm.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: crate }] }),
    );

    const refused = expectStatus(t, shipping, 409, 'the ship, behind the hold, finds the lot inside on hold');
    t.match(refused.body.detail, `lot ${lot} (packed in ${crate}) is on hold`);
    t.same((await shop.api.get('/shipments')).body.items, [], 'nothing is on its way to the shop');
  },
);

t.test('no item codes are queued for a lot while a hold on it is being recorded (PostgreSQL, real concurrency)', onPostgres, async (t) => {
  const world = await createWorld(t, 'postgres');
  const farm = await world.party('farm');
  const lot = await farm.commission(await farm.product('piece'), 12);

  // the regulator's hold is written and not yet committed while the owner asks for the lot's codes
  const issuing = await sendWhileHoldIsWritten(t, world, lot, () => farm.api.post(`/lots/${lot}/items`, { count: 2 }));

  const refused = expectStatus(t, issuing, 409, 'the issuance, behind the hold, finds the lot on hold');
  t.match(refused.body.detail, `lot ${lot} is on hold (快检阳性)`);
  const [{ jobs }] = await queryRows<{ jobs: number }>(
    world.database.db,
    sql`select count(*)::int as jobs from code_jobs where lot_code = ${lot}`,
  );
  t.equal(jobs, 0, 'no code job is queued');
});

t.test(
  'a held container is not emptied by declaring its packing in error either: what is in it would come out free of the hold',
  async (t) => {
    const world = await createWorld(t);
    const plant = await world.party('processor');
    const shop = await world.party('retailer');
    const lot = await plant.commission(await plant.product('kg'), 10);
    const packed = await world.ok(plant.event({ type: 'aggregate', parent: {}, children: [{ lotCode: lot }] }));
    const box = packed.createdLotCodes[0] as string;
    expectStatus(t, await plant.api.post('/holds', { lotCodes: [box], reason: '待检' }), 201, 'the owner holds the container');

    const corrected = expectStatus(
      t,
      await plant.event({ type: 'correction', correctsEventId: packed.event.id, reason: '装错了' }),
      409,
      'the packing of the held container is not declared in error',
    );
    t.match(corrected.body, { errors: [{ pointer: '/correctsEventId' }] });
    expectStatus(
      t,
      await plant.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: lot }] }),
      409,
      'so the lot inside is not shipped out of it',
    );

    expectStatus(t, await plant.api.post('/holds/release', { lotCodes: [box], reason: '复检合格' }), 201, 'released');
    expectStatus(t, await plant.event({ type: 'correction', correctsEventId: packed.event.id, reason: '装错了' }), 201, 'then it is');
  },
);

t.test('a case inside a held pallet is not unpacked either: what is in it would come out of the pallet free of the hold', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const lot = await plant.commission(await plant.product('kg'), 10);
  const box = await plant.pack([{ lotCode: lot }]);
  const pallet = await plant.pack([{ lotCode: box }]);
  expectStatus(t, await plant.api.post('/holds', { lotCodes: [pallet], reason: '待检' }), 201, 'the owner holds the pallet');

  const unpacked = expectStatus(t, await plant.event({ type: 'disaggregate', parentCode: box }), 409, 'the case in it is not unpacked');
  t.match(unpacked.body, { detail: new RegExp(`lies in ${pallet}, which is on hold`), errors: [{ pointer: '/parentCode' }] });
  expectStatus(
    t,
    await plant.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: lot }] }),
    409,
    'so the lot is not shipped out of the pallet',
  );
});

t.test('what was packed into a case inside a held pallet is not taken out by declaring that packing in error', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('kg');
  const first = await plant.commission(product, 10);
  const second = await plant.commission(product, 5);
  const box = await plant.pack([{ lotCode: first }]);
  const added = await world.ok(plant.event({ type: 'aggregate', parent: { containerCode: box }, children: [{ lotCode: second }] }));
  const pallet = await plant.pack([{ lotCode: box }]);
  expectStatus(t, await plant.api.post('/holds', { lotCodes: [pallet], reason: '待检' }), 201, 'the owner holds the pallet');

  const corrected = expectStatus(
    t,
    await plant.event({ type: 'correction', correctsEventId: added.event.id, reason: '装错了' }),
    409,
    'the packing into the case is not declared in error',
  );
  t.match(corrected.body, { detail: new RegExp(`container ${pallet} is on hold`), errors: [{ pointer: '/correctsEventId' }] });
});

t.test('a held and recalled lot goes back to its maker, at every door, and nowhere else', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const shop = await world.party('retailer');
  const market = await world.party('retailer');
  const gtin = completeGs1('0690123477771');
  const piece = await farm.product('piece', { gtin });
  const lot = await farm.commission(piece, 20, { lotNumber: 'RET-1' });
  const heldOnly = await farm.commission(piece, 5);
  const box = await farm.pack([{ lotCode: lot, quantity: 4 }]);
  await world.handOver(farm, shop, lot, 10);
  await world.handOver(farm, shop, box);
  await world.handOver(farm, shop, heldOnly);
  expectStatus(t, await farm.api.post('/holds', { lotCodes: [lot, heldOnly], reason: '待检' }), 201, 'the farm holds both lots');
  const recall = await world.ok(farm.api.post('/recalls', { lotCodes: [lot], level: 2, reason: '农残超标', hazard: '毒死蜱' }));

  const toMarket = expectStatus(
    t,
    await shop.event({ type: 'ship', toPartyCode: market.code, lines: [{ lotCode: lot, quantity: 1 }] }),
    409,
    'not to another party',
  );
  t.match(toMarket.body, { detail: `lot ${lot} is on hold (待检)`, errors: [{ pointer: '/lines/0/lotCode' }] });
  expectStatus(t, await shop.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 1 }] }), 409, 'nor sold');
  expectStatus(
    t,
    await shop.event({ type: 'ship', toPartyCode: market.code, lines: [{ lotCode: box }] }),
    422,
    'nor the case with it inside (recalled itself, as what the recall reached)',
  );
  expectStatus(
    t,
    await shop.event({ type: 'ship', toPartyCode: farm.code, lines: [{ lotCode: heldOnly }] }),
    409,
    'a lot on hold and not recalled goes nowhere, its maker included',
  );

  const back = expectStatus(
    t,
    await shop.event({ type: 'ship', toPartyCode: farm.code, lines: [{ lotCode: lot, quantity: 2 }] }),
    201,
    'shipped back to the farm that made it',
  );
  t.match(await farm.receive(back.body.shipmentId), { event: { type: 'receive' } }, 'and the farm receives it');
  expectStatus(t, await shop.event({ type: 'ship', toPartyCode: farm.code, lines: [{ lotCode: box }] }), 201, 'the case goes back too');
  const reported = expectStatus(
    t,
    await shop.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: lot, returned: 3 }] }),
    201,
    'a return reported to the recall is shipped back',
  );
  t.same(
    reported.body.progress.byUnit.map(({ unit, recovered }: { unit: string; recovered: number }) => [unit, recovered]),
    [['piece', 3]],
    'the product, not the case it came in',
  );

  // EPCIS: the destination is the owning party the event names
  const epcisShip = (to: string) =>
    world.app.inject({
      method: 'POST',
      url: '/epcis/events',
      payload: {
        '@context': EPCIS_CONTEXT,
        type: 'ObjectEvent',
        eventTime: '2026-03-20T08:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        action: 'OBSERVE',
        bizStep: 'shipping',
        quantityList: [{ epcClass: `https://id.gs1.org/01/${gtin}/10/RET-1`, quantity: 1, uom: 'H87' }],
        destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${to}` }],
      },
      headers: { authorization: `Bearer ${shop.key}` },
    });
  const capturedToMarket = await epcisShip(market.code);
  t.equal(capturedToMarket.statusCode, 409, 'EPCIS: not to another party');
  t.match(capturedToMarket.body, 'is on hold (待检)');
  t.equal((await epcisShip(farm.code)).statusCode, 201, 'EPCIS: back to the farm');
  t.match((await shop.lot(lot)).massBalance, { onHand: 4 }, '10 received, 6 shipped back');

  // the maker holding it itself sends it nowhere: the rule is the way back, not the maker's freedom
  expectStatus(
    t,
    await farm.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: lot, quantity: 1 }] }),
    409,
    'the farm does not ship it on',
  );
});

t.test('releasing the hold on a lot that has ended records no disposition: it stays destroyed or sold, not sellable', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const kg = await farm.product('kg');
  const [destroyed, sold, live] = [await farm.commission(kg, 10), await farm.commission(kg, 10), await farm.commission(kg, 10)];
  await world.ok(farm.event({ type: 'sell', lines: [{ lotCode: sold, quantity: 10 }] }));
  expectStatus(t, await farm.api.post('/holds', { lotCodes: [destroyed, sold, live], reason: '待检' }), 201, 'held');
  await world.ok(farm.event({ type: 'destroy', reason: '不合格', lines: [{ lotCode: destroyed, quantity: 10 }] }));
  t.equal((await farm.lot(destroyed)).status, 'destroyed', 'destroyed while held');

  const release = (lotCodes: string[]) =>
    world.ok(farm.api.post('/holds/release', { lotCodes, reason: '复检合格' })) as Promise<{ id: string; disposition: string | null }>;
  const ended = await release([destroyed]);
  t.equal(ended.disposition, null, 'a destroyed lot released is not made sellable');
  t.equal((await farm.lot(destroyed)).status, 'destroyed');
  const epcis = expectStatus(t, await farm.api.get(`/epcis/events/${ended.id}`), 200, 'the release through EPCIS');
  t.notMatch(JSON.stringify(epcis.body), 'disposition', 'names no disposition there either: the last one, destroyed, stands');
  t.equal((await release([sold, live])).disposition, null, 'a sold-out lot and a sellable one share no disposition');
  t.equal((await farm.lot(sold)).status, 'sold');
});

t.test('a container’s owner holds it only while all that is packed in it, at every level, is its own, as for a recall', async (t) => {
  const world = await createWorld(t);
  const packer = await world.party('processor');
  const dealer = await world.party('distributor');
  const maker = await world.party('slaughterhouse');
  const regulator = await world.partyRegulator();
  const own = await packer.commission(await packer.product('piece'), 10);
  // the second pallet leaves holding 1 piece of the packer's own lot (an empty container is not shipped)
  const [pallet, second] = [await packer.pack([{ lotCode: own, quantity: 4 }]), await packer.pack([{ lotCode: own, quantity: 1 }])];
  await world.handOver(packer, dealer, pallet);
  await world.handOver(packer, dealer, second);
  const meat = await maker.commission(await maker.product('kg'), 30);
  await world.handOver(maker, dealer, meat, 20);
  const meatCase = (await world.ok(dealer.event({ type: 'aggregate', parent: {}, children: [{ lotCode: meat, quantity: 5 }] })))
    .createdLotCodes[0];
  await world.ok(dealer.event({ type: 'aggregate', parent: { containerCode: pallet }, children: [{ lotCode: meatCase }] }));
  await world.ok(dealer.event({ type: 'aggregate', parent: { containerCode: second }, children: [{ lotCode: meat, quantity: 10 }] }));

  const hold = (lotCodes: string[]) => packer.api.post('/holds', { lotCodes, reason: 'packer hold' });
  const directly = expectStatus(t, await hold([own, second]), 403, 'not the pallet the dealer packed the maker’s meat onto');
  t.match(directly.body, {
    detail: `only a regulator or the owner of lot ${meat} may put ${second} on hold, which holds it`,
    errors: [{ pointer: '/lotCodes/1' }],
  });
  t.notMatch(JSON.stringify(directly.body), maker.code, 'naming nobody’s stock but the lot');
  const nested = expectStatus(t, await hold([pallet]), 403, 'nor the pallet with the maker’s meat in a case on it');
  t.match(nested.body, {
    detail: `only a regulator or the owner of lot ${[meat, meatCase].sort()[0]} may put ${pallet} on hold, which holds it`,
  });
  expectStatus(
    t,
    await packer.event({ type: 'ship', toPartyCode: dealer.code, lines: [{ lotCode: own, quantity: 1 }] }),
    201,
    'none of it held',
  );
  const recalled = expectStatus(
    t,
    await packer.api.post('/recalls', { lotCodes: [second], level: 3, reason: 'r', hazard: 'h' }),
    403,
    'as it may not recall it',
  );
  t.equal(recalled.body.detail, directly.body.detail.replace('put', 'recall').replace(' on hold', ''), 'in the same words');

  expectStatus(t, await dealer.event({ type: 'ship', toPartyCode: maker.code, lines: [{ lotCode: second }] }), 201, 'the pallet moves on');
  expectStatus(t, await regulator.post('/holds', { lotCodes: [pallet], reason: '抽检' }), 201, 'a regulator holds what it reaches');
  expectStatus(t, await dealer.api.post('/holds', { lotCodes: [meatCase], reason: 'x' }), 403, 'nor the dealer its case of the meat');
  expectStatus(t, await maker.api.post('/holds', { lotCodes: [meat], reason: 'x' }), 201, 'the maker its meat');

  const ownPallet = await packer.pack([{ lotCode: own, quantity: 2 }]);
  const onPallet = await packer.pack([{ lotCode: ownPallet }]);
  expectStatus(t, await hold([onPallet]), 201, 'the packer holds a pallet of nothing but its own');
});

t.test(
  'an owner’s hold of its case sent while another party’s lot is packed into it is refused as the case holds that lot (PostgreSQL)',
  onPostgres,
  async (t) => {
    const {
      plant,
      apples,
      caseCode,
      packing,
      acted: held,
    } = await actOnCaseWhilePackingFarmLot(t, (plant, caseCode) => plant.api.post('/holds', { lotCodes: [caseCode], reason: '待检' }));

    expectStatus(t, packing, 201, 'the packing is stored');
    t.match(expectStatus(t, held, 403, 'the plant does not hold its case, which now holds the farm’s apples').body, {
      detail: `only a regulator or the owner of lot ${apples} may put ${caseCode} on hold, which holds it`,
      errors: [{ pointer: '/lotCodes/0' }],
    });
    expectStatus(t, await plant.event({ type: 'disaggregate', parentCode: caseCode }), 201, 'the case is not held: it is unpacked');
  },
);
