// The consumer page's cold chain counts a container's readings only while the lot lay in it.
import type { Test } from 'tap';
import { demoCalendar, seedDemoChain } from '../../seeds/fengjie.js';
import { epcisRequests, palletEvents } from '../fixtures/epcis.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { at, createWorld, expectStatus } from '../fixtures/world.js';
import { buildTestApp, client, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Step = { stage: string; time: string; action: string; temperatures?: { readings: number } };

t.test('a reading on the demo pallet after it was emptied is not the pack’s cold chain', async (t) => {
  // one instant for the load and the days counted from it, lest the day turn between them
  const loadedAt = new Date();
  const { app, adminKey } = await buildTestApp(t, undefined, { now: () => loadedAt });
  const demo = await seedDemoChain(app.services);
  const { at } = demoCalendar(loadedAt);
  const admin = client(app, adminKey);
  const coldStore = client(app, (await admin.post('/api-keys', { role: 'operator', partyCode: demo.parties.coldStore })).body.key);
  const processor = client(app, (await admin.post('/api-keys', { role: 'operator', partyCode: demo.parties.processor })).body.key);
  const palletCode = (await processor.get(`/trace/${demo.retailLotCode}?direction=forward&depth=1`)).body.nodes.find(
    (node: { kind: string }) => node.kind === 'container',
  ).code;

  // the pallet was emptied on the demo's day 27 at 07:30 (+08:00); the cold store logs a warm room on it the
  // next day, and a reading taken the day before (while the packs lay on it) reported late with it
  const late = await coldStore.post('/events', {
    type: 'observe',
    eventTime: at(28, '08:00'),
    lotCodes: [palletCode],
    readings: [
      { type: 'temperature', value: 3.0, unit: 'Cel', time: at(26, '08:00') },
      { type: 'temperature', value: 31.5, unit: 'Cel', time: at(28, '08:00') },
    ],
  });
  t.equal(late.status, 201, 'the late report is recorded');
  const after = await coldStore.post('/events', {
    type: 'observe',
    eventTime: at(28, '09:00'),
    lotCodes: [palletCode],
    readings: [{ type: 'temperature', value: 29.0, unit: 'Cel' }],
  });
  t.equal(after.status, 201, 'and the warm room');

  const summary = (await app.inject({ method: 'GET', url: `/t/${demo.itemCode}?format=json` })).json();
  t.match(
    summary.coldChain,
    { readings: 4, minCelsius: 2.6, maxCelsius: 3.1, withinLimits: true },
    'the three readings on the pallet while the packs lay on it, and the late-reported one taken then',
  );
  const observed = summary.timeline.filter((step: Step) => step.action === 'observe').map((step: Step) => step.time);
  t.same(
    observed,
    [at(24, '08:00'), at(28, '08:00')].map((time) => new Date(time).toISOString()),
    'no step for the observation whose readings were all taken after the pallet was emptied',
  );
});

t.test('a case on a pallet: each level’s readings count while the lot lay in it, open-ended while it still does', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('kg');
  const event = (hour: number, body: Record<string, unknown>) => world.ok(processor.api.post('/events', { eventTime: at(hour), ...body }));
  const lot = (await event(1, { type: 'commission', lots: [{ productCode: product, quantity: 10 }] })).createdLotCodes[0];
  const other = (await event(2, { type: 'commission', lots: [{ productCode: product, quantity: 10 }] })).createdLotCodes[0];
  const [pack] = await issuePacks(world, processor, lot, 1);
  const observe = (hour: number, code: string, value: number) =>
    event(hour, { type: 'observe', lotCodes: [code], readings: [{ type: 'temperature', value, unit: 'Cel' }] });

  const pallet = (await event(3, { type: 'aggregate', parent: {}, children: [{ lotCode: other, quantity: 10 }] })).createdLotCodes[0];
  await observe(4, pallet, 20); // before the lot's case was on it
  const caseCode = (await event(5, { type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 5 }] })).createdLotCodes[0];
  await observe(6, pallet, 21); // the case made, not yet on the pallet
  await event(8, { type: 'aggregate', parent: { containerCode: pallet }, children: [{ lotCode: caseCode, quantity: 1 }] });
  await observe(9, pallet, 4); // the lot in the case on the pallet
  await observe(10, caseCode, 5);
  await event(11, { type: 'disaggregate', parentCode: pallet, children: [caseCode] });
  await observe(12, pallet, 25); // the case taken off it
  await observe(13, caseCode, 6); // the lot still in the case

  const summary = (await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` })).json();
  t.match(summary.coldChain, { readings: 3, minCelsius: 4, maxCelsius: 6, withinLimits: true });
  t.match(
    summary.timeline.filter((step: Step) => step.action === 'observe'),
    [{ temperatures: { readings: 3, minCelsius: 4, maxCelsius: 6 } }],
    'the readings that count, one party’s logs one after another: one step of them',
  );
});

t.test('a pack and an unpack at the same time pair as they were recorded, whatever their event ids', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('kg');
  const event = (hour: number, body: Record<string, unknown>) => world.ok(processor.api.post('/events', { eventTime: at(hour), ...body }));
  // native event ids are random: each lot's pack and unpack sort either way by id, and every lot must come out the same
  const packs: string[] = [];
  for (let index = 0; index < 8; index++) {
    const lot = (await event(1, { type: 'commission', lots: [{ productCode: product, quantity: 10 }] })).createdLotCodes[0];
    packs.push(...(await issuePacks(world, processor, lot, 1)));
    const pallet = (await event(5, { type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 10 }] })).createdLotCodes[0];
    await event(5, { type: 'disaggregate', parentCode: pallet });
    await event(9, { type: 'observe', lotCodes: [pallet], readings: [{ type: 'temperature', value: 31, unit: 'Cel' }] });
  }
  for (const pack of packs) {
    const summary = (await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` })).json();
    t.equal(summary.coldChain, null, 'the emptied pallet’s reading is none of the lot’s');
  }
});

t.test('an unpacking dated before its packing is refused: the lot stays in the container, whose readings count', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('kg');
  const event = (hour: number, body: Record<string, unknown>) => processor.api.post('/events', { eventTime: at(hour), ...body });
  const ok = (hour: number, body: Record<string, unknown>) => world.ok(event(hour, body));
  const lot = (await ok(1, { type: 'commission', lots: [{ productCode: product, quantity: 10 }] })).createdLotCodes[0];
  const other = (await ok(1, { type: 'commission', lots: [{ productCode: product, quantity: 10 }] })).createdLotCodes[0];
  const [pack] = await issuePacks(world, processor, lot, 1);
  const pallet = (await ok(2, { type: 'aggregate', parent: {}, children: [{ lotCode: other, quantity: 10 }] })).createdLotCodes[0];
  await ok(5, { type: 'aggregate', parent: { containerCode: pallet }, children: [{ lotCode: lot, quantity: 10 }] });
  expectStatus(t, await event(3, { type: 'disaggregate', parentCode: pallet, children: [lot] }), 422, 'an unpacking before the packing');
  await ok(9, { type: 'observe', lotCodes: [pallet], readings: [{ type: 'temperature', value: 4, unit: 'Cel' }] });
  const summary = (await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` })).json();
  t.match(summary.coldChain, { readings: 1, minCelsius: 4 });
});

t.test('a container’s maker who no longer holds it reports nothing of the lots packed into it since', async (t) => {
  const world = await createWorld(t);
  const [maker, keeper] = [await world.party('processor'), await world.party('processor')];
  const post = (party: typeof maker, hour: number, body: Record<string, unknown>) =>
    world.ok(party.api.post('/events', { eventTime: at(hour), ...body }));
  const reading = (value: number) => [{ type: 'temperature', value, unit: 'Cel' }];
  const makersLot = await maker.commission(await maker.product('kg'), 10);
  const [makersPack] = await issuePacks(world, maker, makersLot, 1);
  const pallet = (await post(maker, 30, { type: 'aggregate', parent: {}, children: [{ lotCode: makersLot, quantity: 10 }] }))
    .createdLotCodes[0];
  await post(maker, 31, { type: 'observe', lotCodes: [pallet], readings: reading(2) }); // the maker's own lot on it
  const shipmentId = (await post(maker, 32, { type: 'ship', toPartyCode: keeper.code, lines: [{ lotCode: pallet }] })).shipmentId;
  await post(keeper, 33, { type: 'receive', shipmentId });
  await post(keeper, 34, { type: 'disaggregate', parentCode: pallet });
  const keepersLot = (await post(keeper, 35, { type: 'commission', lots: [{ productCode: await keeper.product('kg'), quantity: 10 }] }))
    .createdLotCodes[0];
  const [pack] = await issuePacks(world, keeper, keepersLot, 1);
  await post(keeper, 36, { type: 'aggregate', parent: { containerCode: pallet }, children: [{ lotCode: keepersLot, quantity: 10 }] });
  await post(keeper, 37, { type: 'observe', lotCodes: [pallet], readings: reading(3) });
  // the maker may still observe the pallet it made (owner or holder)
  await post(maker, 38, { type: 'observe', lotCodes: [pallet], readings: reading(35) });

  const summary = (await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` })).json();
  t.match(summary.coldChain, { readings: 1, minCelsius: 3, maxCelsius: 3, withinLimits: true }, 'the holder’s reading alone');
  const makers = (await world.app.inject({ method: 'GET', url: `/t/${makersPack}?format=json` })).json();
  t.match(
    makers.coldChain,
    { readings: 1, minCelsius: 2, maxCelsius: 2 },
    'the maker’s reading while it held the pallet with its lot on it',
  );
});

t.test('a maker’s EPCIS shipping sighting of a pallet it no longer holds makes it no holder again', async (t) => {
  const world = await createWorld(t);
  const [maker, keeper, other] = [await world.party('processor'), await world.party('processor'), await world.party('processor')];
  const { capture } = epcisRequests(world);
  const PALLET = 'urn:epc:id:sscc:6901234.0000000017';
  const MEAT = 'https://id.gs1.org/01/06901234000016/10/MEAT-1';
  const post = (party: typeof maker, hour: number, body: Record<string, unknown>) =>
    world.ok(party.api.post('/events', { eventTime: at(hour), ...body }));
  const reading = (value: number) => [{ type: 'temperature', value, unit: 'Cel' }];
  const ev = (hour: number, fields: object) => ({ eventTime: at(hour), eventTimeZoneOffset: '+08:00', ...fields });
  t.match(
    await capture(maker.key, [
      ev(29, {
        type: 'ObjectEvent',
        action: 'ADD',
        bizStep: 'commissioning',
        quantityList: [{ epcClass: MEAT, quantity: 100, uom: 'KGM' }],
      }),
      ev(30, {
        type: 'AggregationEvent',
        action: 'ADD',
        bizStep: 'packing',
        parentID: PALLET,
        childQuantityList: [{ epcClass: MEAT, quantity: 40, uom: 'KGM' }],
      }),
    ]),
    { success: true },
  );
  const pallet = (await world.regulator.get(`/trace/${encodeURIComponent(PALLET)}?depth=0`)).body.query.lotCodes[0];
  const shipmentId = (await post(maker, 32, { type: 'ship', toPartyCode: keeper.code, lines: [{ lotCode: pallet }] })).shipmentId;
  await post(keeper, 33, { type: 'receive', shipmentId });
  await post(keeper, 34, { type: 'disaggregate', parentCode: pallet });
  const keepersLot = await keeper.commission(await keeper.product('kg'), 10);
  const [pack] = await issuePacks(world, keeper, keepersLot, 1);
  await post(keeper, 36, { type: 'aggregate', parent: { containerCode: pallet }, children: [{ lotCode: keepersLot, quantity: 10 }] });
  await post(keeper, 37, { type: 'observe', lotCodes: [pallet], readings: reading(3) });
  // the maker "sees it depart" (an OBSERVE departing naming a destination): stored as a ship that opens no shipment
  t.match(
    await capture(maker.key, [
      ev(38, {
        type: 'ObjectEvent',
        action: 'OBSERVE',
        bizStep: 'departing',
        epcList: [PALLET],
        destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${other.code}` }],
      }),
    ]),
    { success: true },
  );
  await post(maker, 39, { type: 'observe', lotCodes: [pallet], readings: reading(35) });
  const summary = (await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` })).json();
  t.match(summary.coldChain, { readings: 1, minCelsius: 3, maxCelsius: 3 }, 'the keeper’s reading alone');
});

t.test('a later holder’s reading dated back into the maker’s time, after it packed into the pallet, is not the maker’s', async (t) => {
  const world = await createWorld(t);
  const [maker, keeper] = [await world.party('processor'), await world.party('processor')];
  const post = (party: typeof maker, hour: number, body: Record<string, unknown>) =>
    world.ok(party.api.post('/events', { eventTime: at(hour), ...body }));
  const makersLot = await maker.commission(await maker.product('kg'), 10);
  const [makersPack] = await issuePacks(world, maker, makersLot, 1);
  const pallet = (await post(maker, 30, { type: 'aggregate', parent: {}, children: [{ lotCode: makersLot, quantity: 5 }] }))
    .createdLotCodes[0];
  await post(maker, 31, { type: 'observe', lotCodes: [pallet], readings: [{ type: 'temperature', value: 2, unit: 'Cel' }] });
  const shipmentId = (await post(maker, 40, { type: 'ship', toPartyCode: keeper.code, lines: [{ lotCode: pallet }] })).shipmentId;
  await post(keeper, 41, { type: 'receive', shipmentId });
  const keepersLot = (await post(keeper, 1, { type: 'commission', lots: [{ productCode: await keeper.product('kg'), quantity: 10 }] }))
    .createdLotCodes[0];
  // the keeper packs into the pallet once it received it, then reports a reading for hour 33, while the maker held it
  await post(keeper, 42, { type: 'aggregate', parent: { containerCode: pallet }, children: [{ lotCode: keepersLot, quantity: 1 }] });
  await post(keeper, 43, {
    type: 'observe',
    lotCodes: [pallet],
    readings: [{ type: 'temperature', value: 30, unit: 'Cel', time: at(33) }],
  });
  const makers = (await world.app.inject({ method: 'GET', url: `/t/${makersPack}?format=json` })).json();
  t.match(makers.coldChain, { readings: 1, minCelsius: 2, maxCelsius: 2 }, 'not the keeper’s reading from before it received the pallet');
});

/**
 * A party's EPCIS captures of a meat lot (100 kg) and a fish lot made at hour 1, the fish packed onto a
 * pallet at hour 2; `pack` is a pack of the meat lot, `capture` the party's (rolling back on an error).
 */
async function palletByEpcis(t: Test) {
  const world = await createWorld(t);
  const maker = await world.party('processor');
  const { capture } = epcisRequests(world);
  const PALLET = 'urn:epc:id:sscc:6901234.0000000024';
  const MEAT = 'https://id.gs1.org/01/06901234000016/10/MEAT-2';
  const FISH = 'https://id.gs1.org/01/06901234000016/10/FISH-2';
  const { packing, commissioning } = palletEvents(PALLET);
  t.match(await capture(maker.key, [commissioning(MEAT), commissioning(FISH), packing(2, 'ADD', FISH)], 'rollback'), { success: true });
  const lotOf = async (identifier: string) =>
    (await world.regulator.get(`/trace/${encodeURIComponent(identifier)}?depth=0`)).body.query.lotCodes[0] as string;
  const [meat, pallet] = [await lotOf(MEAT), await lotOf(PALLET)];
  const [pack] = await issuePacks(world, maker, meat, 1);
  const observe = (hour: number, celsius: number) =>
    world.ok(
      maker.api.post('/events', {
        type: 'observe',
        eventTime: at(hour),
        lotCodes: [pallet],
        readings: [{ type: 'temperature', value: celsius, unit: 'Cel' }],
      }),
    );
  const coldChain = async () => (await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` })).json().coldChain;
  /** The meat lot's packing links onto the pallet, as the ledger keeps them (unpacked once ended). */
  const links = async () =>
    (await world.regulator.get(`/trace/${meat}?direction=forward&depth=1`)).body.edges
      .filter((edge: { kind: string }) => edge.kind === 'aggregate')
      .map((edge: { status: string | null }) => edge.status);
  return {
    world,
    maker,
    capture: (events: object[]) => capture(maker.key, events, 'rollback'),
    packing,
    MEAT,
    PALLET,
    observe,
    coldChain,
    links,
  };
}

t.test('an unpacking and a repacking dated before it in one capture: the lot lies on the pallet since the repacking', async (t) => {
  const { capture, packing, MEAT, observe, coldChain, links } = await palletByEpcis(t);
  t.match(await capture([packing(10, 'ADD', MEAT)]), { success: true });
  // one capture: the packing of hour 10 undone at hour 12, and the meat packed again at hour 11
  t.match(await capture([packing(12, 'DELETE', MEAT), packing(11, 'ADD', MEAT)]), { success: true });
  t.same((await links()).sort(), ['unpacked', null].sort(), 'the ledger: the first packing ended, the second in force');
  await observe(13, 5);
  await observe(13 + 720, 6);
  t.match(await coldChain(), { readings: 2, minCelsius: 5, maxCelsius: 6 }, 'the pallet’s readings since the repacking count');
});

t.test('a pack and an unpack of the same time in one capture: the pallet’s later readings are not the lot’s', async (t) => {
  const { capture, packing, MEAT, observe, coldChain, links } = await palletByEpcis(t);
  t.match(await capture([packing(12, 'ADD', MEAT), packing(12, 'DELETE', MEAT)]), { success: true });
  t.same(await links(), ['unpacked']);
  await observe(13, 31.5);
  t.equal(await coldChain(), null);
});

t.test(
  'a capture packing at 12:00 and unpacking at 11:00 is refused: the pallet’s readings a month later are none of the lot’s',
  async (t) => {
    const { capture, packing, MEAT, observe, coldChain, links } = await palletByEpcis(t);
    t.match(await capture([packing(12, 'ADD', MEAT), packing(11, 'DELETE', MEAT)]), { success: false, captured: 0 });
    t.same(await links(), [], 'rolled back whole');
    await observe(12 + 720, 31.5); // a month later, the pallet emptied
    t.equal(await coldChain(), null);
  },
);

t.test('a capture packing more of a lot onto a pallet and then unpacking it ends every packing of it there', async (t) => {
  const { capture, packing, MEAT, observe, coldChain, links } = await palletByEpcis(t);
  t.match(await capture([packing(10, 'ADD', MEAT)]), { success: true });
  t.match(await capture([packing(11, 'ADD', MEAT), packing(12, 'DELETE', MEAT)]), { success: true });
  t.same(await links(), ['unpacked', 'unpacked'], 'the stored packing ended with the captured one');
  await observe(13, 31.5);
  t.equal(await coldChain(), null);
});

/**
 * A processor's lot and another lot made at hour 1, a pallet made at hour 2 holding the other lot; `packed` puts 3 kg of
 * the lot on the pallet, `unpacked` takes the lot off it, `coldChain` is what a scan of a pack of the lot says.
 */
async function lotAndPallet(t: Test) {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('kg');
  const send = (hour: number, body: Record<string, unknown>) => processor.api.post('/events', { eventTime: at(hour), ...body });
  const ok = (hour: number, body: Record<string, unknown>) => world.ok(send(hour, body));
  const lot = (await ok(1, { type: 'commission', lots: [{ productCode: product, quantity: 10 }] })).createdLotCodes[0];
  const other = (await ok(1, { type: 'commission', lots: [{ productCode: product, quantity: 10 }] })).createdLotCodes[0];
  const [pack] = await issuePacks(world, processor, lot, 1);
  const pallet = (await ok(2, { type: 'aggregate', parent: {}, children: [{ lotCode: other, quantity: 10 }] })).createdLotCodes[0];
  return {
    ok,
    send,
    packed: (hour: number) => ok(hour, { type: 'aggregate', parent: { containerCode: pallet }, children: [{ lotCode: lot, quantity: 3 }] }),
    unpacked: (hour: number) => ok(hour, { type: 'disaggregate', parentCode: pallet, children: [lot] }),
    observe: (hour: number, celsius: number) =>
      ok(hour, { type: 'observe', lotCodes: [pallet], readings: [{ type: 'temperature', value: celsius, unit: 'Cel' }] }),
    coldChain: async () => (await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` })).json().coldChain,
  };
}

t.test(
  'a packing reported late, before an unpacking recorded ahead of it, ends there: a later unpacking ending it too does not span the gap',
  async (t) => {
    const { packed, unpacked, observe, coldChain } = await lotAndPallet(t);
    await packed(3);
    await unpacked(5);
    await packed(4); // reported late: the unpacking of hour 5 took it off with the rest
    await observe(6, 31.5); // the lot off the pallet
    await packed(7);
    await observe(8, 4);
    await unpacked(9); // ends the packing of hour 4 too, which the ledger kept in force
    t.match(await coldChain(), { readings: 1, minCelsius: 4, maxCelsius: 4 }, 'only the reading of hour 8, when the lot lay on the pallet');
  },
);

t.test(
  'a packing reported late and left in force, then ended by an unpacking that took out nothing else: recording that unpacking drops no reading',
  async (t) => {
    // each scan in a world of its own: the page keeps a lot's chain for 30 s
    const recorded = async (unpackedAtLast: boolean) => {
      const { packed, unpacked, observe, coldChain } = await lotAndPallet(t);
      await packed(3);
      await unpacked(5);
      await packed(4); // reported late, and in force
      await observe(6, 31.5);
      await observe(8, 4);
      // takes the lot's 3 kg off the pallet: the ledger had them there until hour 9
      if (unpackedAtLast) await unpacked(9);
      return coldChain();
    };
    const inForce = await recorded(false);
    t.match(inForce, { readings: 2, minCelsius: 4, maxCelsius: 31.5 }, 'the packing in force: both readings count');
    t.same(await recorded(true), inForce, 'ended at hour 9: the same readings count');
  },
);

t.test(
  'a capture packing late before an unpacking recorded ahead of it: the pallet’s readings after that unpacking are not the lot’s',
  async (t) => {
    const { capture, packing, MEAT, observe, coldChain, links } = await palletByEpcis(t);
    t.match(await capture([packing(10, 'ADD', MEAT)]), { success: true });
    t.match(await capture([packing(12, 'DELETE', MEAT)]), { success: true });
    t.match(await capture([packing(11, 'ADD', MEAT)]), { success: true }, 'captured late');
    await observe(13, 31.5);
    t.match(await capture([packing(14, 'ADD', MEAT), packing(16, 'DELETE', MEAT)]), { success: true });
    t.same(await links(), ['unpacked', 'unpacked', 'unpacked'], 'the late packing ended by the last unpacking');
    await observe(15, 5);
    t.match(await coldChain(), { readings: 1, minCelsius: 5, maxCelsius: 5 }, 'the reading of hour 15 alone');
  },
);

t.test('an unpacking is declared in error only after the later ones: the lot lies on the pallet as the ledger holds it', async (t) => {
  const { send, packed, unpacked, observe, coldChain } = await lotAndPallet(t);
  await packed(3);
  const mistaken = await unpacked(5);
  await observe(6, 4);
  await packed(7);
  await observe(8, 5);
  await unpacked(9);
  await observe(10, 31.5); // the pallet emptied
  const declared = await send(11, { type: 'correction', correctsEventId: mistaken.event.id, reason: '录入错误' });
  expectStatus(t, declared, 409, 'not while the unpacking at 9 took the lot off again');
  t.match(await coldChain(), { readings: 1, minCelsius: 5, maxCelsius: 5 }, 'the reading of hour 8 alone: the lot lay there 3–5 and 7–9');
});
