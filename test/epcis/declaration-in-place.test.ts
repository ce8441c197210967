// An EPCIS document is ordered: an event re-sent with an errorDeclaration declares the stored event
// in error at its place in the document, before the events after it are judged, as two documents
// sent one after the other would.
import { epcisRequests, traced } from '../fixtures/epcis.js';
import { type Actor, createWorld, type World } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const when = (day: number) => ({ eventTime: `2026-03-0${day}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });

/**
 * A pallet (SSCC) shipped to the store holding 2 of a first lot (an empty one is not shipped), and
 * a lot of the plant's to pack into it.
 */
async function shippedPallet(world: World, plant: Actor, store: Actor, serial: number) {
  const { capture } = epcisRequests(world);
  const sscc = `urn:epc:id:sscc:6901234.000000${String(serial).padStart(4, '0')}`;
  const first = await plant.commission(await plant.product('piece'), 10);
  const packedFirst = {
    type: 'AggregationEvent',
    eventTime: '2026-03-02T07:00:00+08:00',
    eventTimeZoneOffset: '+08:00',
    action: 'ADD',
    bizStep: 'packing',
    parentID: sscc,
    childQuantityList: [{ epcClass: `${TEST_BASE_URL}/lots/${first}`, quantity: 2, uom: 'H87' }],
  };
  const shipment = {
    type: 'ObjectEvent',
    eventID: `urn:uuid:7a1c0e00-0000-4000-8000-00000000${String(serial).padStart(4, '0')}`,
    ...when(2),
    action: 'OBSERVE',
    bizStep: 'shipping',
    epcList: [sscc],
    destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
  };
  const job = await capture(plant.key, [packedFirst, shipment]);
  if (job?.success !== true) throw new Error(`the shipment was not captured: ${JSON.stringify(job)}`);
  const lot = await plant.commission(await plant.product('piece'), 10);
  const declared = { ...shipment, errorDeclaration: { declarationTime: '2026-03-03T00:00:00Z', reason: 'incorrect_data' } };
  const packing = {
    type: 'AggregationEvent',
    ...when(4),
    action: 'ADD',
    bizStep: 'packing',
    parentID: sscc,
    childQuantityList: [{ epcClass: `${TEST_BASE_URL}/lots/${lot}`, quantity: 4, uom: 'H87' }],
  };
  return { sscc, first, lot, declared, packing };
}

/**
 * What the API shows of the lot, the pallet and the plant's shipments of the pallet (who holds what,
 * what is packed where), with the codes of this run named by their role so runs compare.
 */
async function standing(plant: Actor, store: Actor, { lot, first, sscc }: { lot: string; first: string; sscc: string }) {
  const pallet = (await traced(plant.api, sscc)).code as string;
  const lotRead = await plant.lot(lot);
  const palletRead = await plant.lot(pallet);
  const trace = (await plant.api.get(`/trace/${encodeURIComponent(sscc)}`)).body;
  const shipments = (await plant.api.get('/shipments')).body.items.filter((shipment: { lines: { lotCode: string }[] }) =>
    shipment.lines.some((line) => line.lotCode === pallet),
  );
  const seen = {
    lot: { holders: lotRead.holders, massBalance: lotRead.massBalance },
    pallet: { holders: palletRead.holders, massBalance: palletRead.massBalance, status: palletRead.status },
    packed: trace.edges.map(({ kind, from, to, quantity }: Record<string, unknown>) => ({ kind, from, to, quantity })),
    shipments: shipments.map(({ status, lines }: Record<string, unknown>) => ({ status, lines })),
  };
  const roles: [string, string][] = [
    [lot, 'lot'],
    [first, 'first'],
    [pallet, 'pallet'],
    [plant.code, 'plant'],
    [store.code, 'store'],
  ];
  const named = JSON.parse(roles.reduce((text, [code, role]) => text.replaceAll(code, role), JSON.stringify(seen)));
  // the trace lists edges in no order of ours: by role, so runs compare
  named.packed.sort((a: { from: string }, b: { from: string }) => a.from.localeCompare(b.from));
  return named;
}

t.test('a stored shipment declared in error in the document, then a packing into its pallet', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const { capture } = epcisRequests(world);

  const apart = await shippedPallet(world, plant, store, 1);
  t.match(await capture(plant.key, [apart.declared]), { success: true, duplicates: 1 }, 'two documents: the declaration');
  t.match(await capture(plant.key, [apart.packing]), { success: true, captured: 1 }, 'then the packing');
  const expected = await standing(plant, store, apart);
  t.same(
    expected,
    {
      lot: expected.lot,
      pallet: { ...expected.pallet, holders: [{ partyCode: 'plant', onHand: 1 }] },
      packed: [
        { kind: 'aggregate', from: 'first', to: 'pallet', quantity: 2 },
        { kind: 'aggregate', from: 'lot', to: 'pallet', quantity: 4 },
      ],
      shipments: [
        {
          status: 'cancelled',
          lines: [
            { lotCode: 'pallet', quantity: 1, receivedQuantity: null },
            { lotCode: 'first', quantity: 2, receivedQuantity: null },
          ],
        },
      ],
    },
    'two documents: the pallet stays with the plant, the lot packed in it beside the first, its shipment cancelled',
  );

  for (const [serial, behaviour] of [
    [2, 'rollback'],
    [3, 'proceed'],
  ] as const) {
    const together = await shippedPallet(world, plant, store, serial);
    t.match(
      await capture(plant.key, [together.declared, together.packing], behaviour),
      { success: true, captured: 1, duplicates: 1, errors: [] },
      `${behaviour}: one document, the declaration before the packing, is captured`,
    );
    t.same(await standing(plant, store, together), expected, `${behaviour}: as the two documents left it`);
  }
});

t.test('a packing before the declaration in the document is judged while the shipment stands', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const { capture } = epcisRequests(world);
  const refusal = /no longer holds any of urn:epc:id:sscc:6901234\.\d+: it was shipped by event /;

  const rolledBack = await shippedPallet(world, plant, store, 4);
  const rollback = await capture(plant.key, [rolledBack.packing, rolledBack.declared], 'rollback');
  t.match(rollback, { success: false, captured: 0, errors: [{ eventIndex: 0, message: refusal }] }, 'rollback: the packing is refused');
  t.equal(rollback.errors.length, 1, 'rollback: only the packing');
  t.same(
    (await standing(plant, store, rolledBack)).shipments,
    [
      {
        status: 'open',
        lines: [
          { lotCode: 'pallet', quantity: 1, receivedQuantity: null },
          { lotCode: 'first', quantity: 2, receivedQuantity: null },
        ],
      },
    ],
    'rollback: nothing of the document stored, the shipment still open',
  );

  const proceeded = await shippedPallet(world, plant, store, 5);
  const proceed = await capture(plant.key, [proceeded.packing, proceeded.declared], 'proceed');
  t.match(
    proceed,
    { success: false, captured: 0, duplicates: 1, errors: [{ eventIndex: 0, message: refusal }] },
    'proceed: the packing is refused',
  );
  t.equal(proceed.errors.length, 1, 'proceed: only the packing');
  const after = await standing(plant, store, proceeded);
  t.same(
    after.shipments,
    [
      {
        status: 'cancelled',
        lines: [
          { lotCode: 'pallet', quantity: 1, receivedQuantity: null },
          { lotCode: 'first', quantity: 2, receivedQuantity: null },
        ],
      },
    ],
    'proceed: the declaration after it is applied',
  );
  t.same(after.packed, [{ kind: 'aggregate', from: 'first', to: 'pallet', quantity: 2 }], 'and nothing more is packed');
});

t.test('a new event whose error declaration is refused: stored without it under proceed, nothing under rollback', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const { capture } = epcisRequests(world);
  const nextYear = new Date(Date.now() + 366 * 86_400_000).toISOString();
  const observed = (serial: number, declared: boolean) => ({
    type: 'ObjectEvent',
    eventID: `urn:uuid:7a1c0e00-0000-4000-8000-1000000000${serial}`,
    ...when(serial),
    action: 'OBSERVE',
    bizStep: 'shipping',
    epcList: [`https://id.gs1.org/01/06901234000030/21/${serial}`],
    ...(declared ? { errorDeclaration: { declarationTime: nextYear, reason: 'incorrect_data' } } : {}),
  });
  const read = async (serial: number) => plant.api.get(`/epcis/events/${encodeURIComponent(observed(serial, false).eventID)}`);

  const rollback = await capture(plant.key, [observed(1, true), observed(2, false)], 'rollback');
  t.match(rollback, { success: false, captured: 0, errors: [{ eventIndex: 0, message: /in the future/ }] }, 'rollback: refused');
  t.equal((await read(1)).status, 404, 'rollback: the event is not stored');
  t.equal((await read(2)).status, 404, 'nor the one after it');

  const proceed = await capture(plant.key, [observed(3, true), observed(4, false)], 'proceed');
  t.match(
    proceed,
    { success: false, captured: 2, duplicates: 0, errors: [{ eventIndex: 0, message: /in the future/ }] },
    'proceed: both events captured, the declaration’s refusal reported',
  );
  t.equal(proceed.errors.length, 1, 'one refusal');
  const stored = await read(3);
  t.equal(stored.status, 200, 'proceed: the event is stored');
  t.notOk(stored.body.errorDeclaration, 'without the declaration that was refused');
  t.equal((await read(4)).status, 200, 'and the one after it');
  const declaredNow = { ...observed(3, false), errorDeclaration: { declarationTime: '2026-03-05T00:00:00Z', reason: 'incorrect_data' } };
  t.match(await capture(plant.key, [declaredNow]), { success: true, duplicates: 1 }, 'it is declared in error when re-sent');
  t.match((await read(3)).body, { errorDeclaration: { reason: /incorrect_data/ } }, 'declared');
});

/** An ObjectEvent making `quantity` kg of a lot of no product, named by its class. */
const made = (epcClass: string, day: number) => ({
  type: 'ObjectEvent',
  ...when(day),
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass, quantity: 10, uom: 'KGM' }],
});

t.test('events after a declaration are planned from what it leaves: a transformation joins no member declared in error', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const { capture } = epcisRequests(world);
  const cls = (lot: string) => `https://id.gs1.org/01/06901234000030/10/${lot}`;
  const step = (serial: number, input: string, output: string, transformationID: string) => ({
    type: 'TransformationEvent',
    eventID: `urn:uuid:7a1c0e00-0000-4000-8000-20000000000${serial}`,
    ...when(3),
    transformationID,
    inputQuantityList: [{ epcClass: cls(input), quantity: 5, uom: 'KGM' }],
    outputQuantityList: [{ epcClass: cls(output), quantity: 5, uom: 'KGM' }],
  });
  const declared = (event: object) => ({
    ...event,
    errorDeclaration: { declarationTime: '2026-03-04T00:00:00Z', reason: 'incorrect_data' },
  });
  /** The lots the trace of `output` finds it made of. */
  const inputsOf = async (output: string) => {
    const code = (await traced(plant.api, cls(output))).code as string;
    const trace = (await plant.api.get(`/trace/${code}`)).body;
    const names = new Map<string, string>();
    for (const lot of output === 'D1' ? ['A1', 'C1'] : ['A2', 'C2']) names.set((await traced(plant.api, cls(lot))).code as string, lot);
    return trace.edges.filter((edge: { to: string }) => edge.to === code).map((edge: { from: string }) => names.get(edge.from));
  };

  t.match(await capture(plant.key, [made(cls('A1'), 1), made(cls('C1'), 1)]), { success: true });
  const first = step(1, 'A1', 'B1', 'urn:uuid:7a1c0e00-0000-4000-8000-2000000000a1');
  t.match(await capture(plant.key, [first]), { success: true, captured: 1 });
  t.match(await capture(plant.key, [declared(first)]), { success: true, duplicates: 1 }, 'two documents: the declaration');
  t.match(await capture(plant.key, [step(2, 'C1', 'D1', first.transformationID)]), { success: true, captured: 1 }, 'then the next step');
  t.same(await inputsOf('D1'), ['C1'], 'two documents: D1 is made of C1 alone');

  t.match(await capture(plant.key, [made(cls('A2'), 1), made(cls('C2'), 1)]), { success: true });
  const again = step(3, 'A2', 'B2', 'urn:uuid:7a1c0e00-0000-4000-8000-2000000000a2');
  t.match(await capture(plant.key, [again]), { success: true, captured: 1 });
  t.match(
    await capture(plant.key, [declared(again), step(4, 'C2', 'D2', again.transformationID)]),
    { success: true, captured: 1, duplicates: 1 },
    'one document: the declaration, then the next step',
  );
  t.same(await inputsOf('D2'), ['C2'], 'one document: D2 is made of C2 alone, as two documents leave it');
});

t.test('a receipt declared in error and received again in one document', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const { capture } = epcisRequests(world);

  for (const [serial, behaviour] of [
    [11, 'rollback'],
    [12, 'proceed'],
  ] as const) {
    const sscc = `urn:epc:id:sscc:6901234.00000000${serial}`;
    const lot = await plant.commission(await plant.product('piece'), 10);
    const packed = {
      type: 'AggregationEvent',
      ...when(2),
      action: 'ADD',
      bizStep: 'packing',
      parentID: sscc,
      childQuantityList: [{ epcClass: `${TEST_BASE_URL}/lots/${lot}`, quantity: 4, uom: 'H87' }],
    };
    const shipped = {
      type: 'ObjectEvent',
      ...when(3),
      action: 'OBSERVE',
      bizStep: 'shipping',
      epcList: [sscc],
      destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
    };
    t.match(await capture(plant.key, [packed, shipped]), { success: true, captured: 2 });
    const receipt = (day: number) => ({
      type: 'ObjectEvent',
      eventID: `urn:uuid:7a1c0e00-0000-4000-8000-3000000000${serial}${day}`,
      ...when(day),
      action: 'OBSERVE',
      bizStep: 'receiving',
      epcList: [sscc],
    });
    t.match(await capture(store.key, [receipt(4)]), { success: true, captured: 1 }, `${behaviour}: received`);
    const declared = { ...receipt(4), errorDeclaration: { declarationTime: '2026-03-05T00:00:00Z', reason: 'incorrect_data' } };
    t.match(
      await capture(store.key, [declared, receipt(6)], behaviour),
      { success: true, captured: 1, duplicates: 1, errors: [] },
      `${behaviour}: the receipt declared in error and the pallet received again, in one document`,
    );
    const pallet = (await traced(plant.api, sscc)).code as string;
    const shipments = (await plant.api.get('/shipments')).body.items.filter((shipment: { lines: { lotCode: string }[] }) =>
      shipment.lines.some((line) => line.lotCode === pallet),
    );
    t.match(shipments, [{ status: 'received' }], `${behaviour}: the shipment is received`);
    t.match((await store.lot(pallet)).holders, [{ partyCode: store.code, onHand: 1 }], `${behaviour}: the store holds the pallet`);
  }
});

t.test('an event re-sent twice with its declaration in one document is declared once, the second a duplicate', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const { capture } = epcisRequests(world);
  const observed = (serial: number) => ({
    type: 'ObjectEvent',
    eventID: `urn:uuid:7a1c0e00-0000-4000-8000-40000000000${serial}`,
    ...when(2),
    action: 'OBSERVE',
    bizStep: 'inspecting',
    epcList: [`https://id.gs1.org/01/06901234000030/21/${serial}`],
  });
  const declared = (serial: number) => ({
    ...observed(serial),
    errorDeclaration: { declarationTime: '2026-03-03T00:00:00Z', reason: 'incorrect_data' },
  });
  t.match(await capture(plant.key, [observed(1)]), { success: true, captured: 1 });
  t.match(await capture(plant.key, [declared(1), declared(1)], 'rollback'), { success: true, duplicates: 2, errors: [] }, 'a stored event');
  t.match(
    await capture(plant.key, [declared(2), declared(2)], 'rollback'),
    { success: true, captured: 1, duplicates: 1, errors: [] },
    'a new event',
  );
  for (const serial of [1, 2]) {
    const read = await plant.api.get(`/epcis/events/${encodeURIComponent(observed(serial).eventID)}`);
    t.match(read.body, { errorDeclaration: { reason: /incorrect_data/ } }, `event ${serial} declared in error`);
  }
});

t.test('a stored packing declared in error, then its pallet shipped, in one document as in two', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const { capture } = epcisRequests(world);
  const packedThenShipped = async (serial: number) => {
    const sscc = `urn:epc:id:sscc:6901234.000000002${serial}`;
    const lot = await plant.commission(await plant.product('piece'), 10);
    // a lot packed in the pallet beside it, not declared: the pallet leaves with it (an empty one may not)
    const first = await plant.commission(await plant.product('piece'), 10);
    const kept = {
      type: 'AggregationEvent',
      ...when(2),
      action: 'ADD',
      bizStep: 'packing',
      parentID: sscc,
      childQuantityList: [{ epcClass: `${TEST_BASE_URL}/lots/${first}`, quantity: 4, uom: 'H87' }],
    };
    t.match(await capture(plant.key, [kept]), { success: true, captured: 1 }, `${serial}: a first lot packed`);
    const packing = {
      type: 'AggregationEvent',
      eventID: `urn:uuid:7a1c0e00-0000-4000-8000-50000000000${serial}`,
      ...when(2),
      action: 'ADD',
      bizStep: 'packing',
      parentID: sscc,
      childQuantityList: [{ epcClass: `${TEST_BASE_URL}/lots/${lot}`, quantity: 4, uom: 'H87' }],
    };
    t.match(await capture(plant.key, [packing]), { success: true, captured: 1 }, `${serial}: packed`);
    const declared = { ...packing, errorDeclaration: { declarationTime: '2026-03-03T00:00:00Z', reason: 'incorrect_data' } };
    const shipping = {
      type: 'ObjectEvent',
      ...when(4),
      action: 'OBSERVE',
      bizStep: 'shipping',
      epcList: [sscc],
      destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
    };
    return { sscc, lot, first, declared, shipping };
  };

  const apart = await packedThenShipped(1);
  t.match(await capture(plant.key, [apart.declared]), { success: true, duplicates: 1 }, 'two documents: the declaration');
  t.match(await capture(plant.key, [apart.shipping]), { success: true, captured: 1 }, 'then the shipment');
  const expected = await standing(plant, store, apart);
  t.same(
    expected.packed.filter((edge: { kind: string }) => edge.kind === 'aggregate'),
    [{ kind: 'aggregate', from: 'first', to: 'pallet', quantity: 4 }],
    'two documents: only the first lot is packed in the pallet',
  );
  t.match(expected.shipments, [{ status: 'open', lines: [{ lotCode: 'pallet' }] }], 'and the pallet is shipped');
  t.same(expected.lot.holders, [{ partyCode: 'plant', onHand: 10 }], 'without the lot, which stays with the plant');

  for (const [serial, behaviour] of [
    [2, 'rollback'],
    [3, 'proceed'],
  ] as const) {
    const together = await packedThenShipped(serial);
    t.match(
      await capture(plant.key, [together.declared, together.shipping], behaviour),
      { success: true, captured: 1, duplicates: 1, errors: [] },
      `${behaviour}: one document, the declaration before the shipment, is captured`,
    );
    t.same(await standing(plant, store, together), expected, `${behaviour}: as the two documents left it`);
  }
});

t.test('declarations between the steps of a document: its steps are captured as without them', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const { capture } = epcisRequests(world);
  const cls = (lot: string) => `https://id.gs1.org/01/06901234000030/10/${lot}`;
  const stored = [1, 2, 3].map((serial) => ({
    ...made(cls(`S${serial}`), 1),
    eventID: `urn:uuid:7a1c0e00-0000-4000-8000-60000000000${serial}`,
  }));
  t.match(await capture(plant.key, stored), { success: true, captured: 3 }, 'three lots made');
  const declared = (event: object) => ({
    ...event,
    errorDeclaration: { declarationTime: '2026-03-02T00:00:00Z', reason: 'incorrect_data' },
  });
  const sscc = 'urn:epc:id:sscc:6901234.0000000301';
  const document = [
    made(cls('X1'), 3),
    declared(stored[0]),
    {
      type: 'TransformationEvent',
      ...when(4),
      transformationID: 'urn:uuid:7a1c0e00-0000-4000-8000-6000000000a1',
      inputQuantityList: [{ epcClass: cls('X1'), quantity: 6, uom: 'KGM' }],
      outputQuantityList: [{ epcClass: cls('Y1'), quantity: 5, uom: 'KGM' }],
    },
    declared(stored[1]),
    {
      type: 'AggregationEvent',
      ...when(5),
      action: 'ADD',
      bizStep: 'packing',
      parentID: sscc,
      childQuantityList: [{ epcClass: cls('Y1'), quantity: 5, uom: 'KGM' }],
    },
    declared(stored[2]),
    {
      type: 'ObjectEvent',
      ...when(6),
      action: 'OBSERVE',
      bizStep: 'shipping',
      epcList: [sscc],
      destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
    },
  ];
  t.match(
    await capture(plant.key, document, 'rollback'),
    { success: true, captured: 4, duplicates: 3, errors: [] },
    'the new events captured, the stored ones declared',
  );
  for (const event of stored) {
    const read = await plant.api.get(`/epcis/events/${encodeURIComponent(event.eventID)}`);
    t.match(read.body, { errorDeclaration: { reason: /incorrect_data/ } }, `${event.eventID}: declared in error`);
  }
  const x1 = (await traced(plant.api, cls('X1'))).code as string;
  const y1 = (await traced(plant.api, cls('Y1'))).code as string;
  const pallet = (await traced(plant.api, sscc)).code as string;
  t.match((await plant.lot(x1)).holders, [{ partyCode: plant.code, onHand: 4 }], 'X1: 6 of 10 kg transformed');
  const trace = (await plant.api.get(`/trace/${pallet}`)).body;
  const edges = trace.edges.map(({ kind, from, to, quantity }: Record<string, unknown>) => ({ kind, from, to, quantity }));
  t.same(
    // in no set order
    edges
      .filter((edge: { kind: string }) => edge.kind !== 'custody')
      .sort((a: { kind: string }, b: { kind: string }) => b.kind.localeCompare(a.kind)),
    [
      { kind: 'transform', from: x1, to: y1, quantity: 6 },
      { kind: 'aggregate', from: y1, to: pallet, quantity: 5 },
    ],
    'X1 made into Y1, Y1 packed in the pallet',
  );
  const shipments = (await plant.api.get('/shipments')).body.items.filter((shipment: { lines: { lotCode: string }[] }) =>
    shipment.lines.some((line) => line.lotCode === pallet),
  );
  t.match(shipments, [{ status: 'open', toPartyCode: store.code }], 'the pallet shipped to the store');
  t.same((await plant.lot(y1)).holders, [], 'Y1 goes with it');
});

t.test('a declaration between two events naming a lot the document made: the later one reads it as two documents would', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const { capture } = epcisRequests(world);
  const cls = (lot: string) => `https://id.gs1.org/01/06901234000030/10/${lot}`;
  for (const [serial, behaviour] of [
    [1, 'rollback'],
    [2, 'proceed'],
  ] as const) {
    const stored = { ...made(cls(`S${serial}`), 1), eventID: `urn:uuid:7a1c0e00-0000-4000-8000-70000000000${serial}` };
    t.match(await capture(plant.key, [stored]), { success: true, captured: 1 }, `${behaviour}: a lot made`);
    const document = [
      made(cls(`A${serial}`), 3),
      { ...stored, errorDeclaration: { declarationTime: '2026-03-02T00:00:00Z', reason: 'incorrect_data' } },
      {
        type: 'ObjectEvent',
        ...when(4),
        action: 'OBSERVE',
        bizStep: 'inspecting',
        quantityList: [{ epcClass: cls(`A${serial}`), quantity: 500, uom: 'GRM' }],
      },
    ];
    t.match(
      await capture(plant.key, document, behaviour),
      { success: true, captured: 2, duplicates: 1, errors: [] },
      `${behaviour}: 500 GRM of a lot made in KGM before the declaration converts, as in a later document`,
    );
  }
});

t.test('a declaration between a sighting of a pallet and its unpacking: the unpacking is refused as two documents refuse it', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const { capture } = epcisRequests(world);
  const cls = (lot: string) => `https://id.gs1.org/01/06901234000030/10/${lot}`;
  const stored = { ...made(cls('S3'), 1), eventID: 'urn:uuid:7a1c0e00-0000-4000-8000-700000000003' };
  t.match(await capture(plant.key, [stored]), { success: true, captured: 1 }, 'a lot made');
  const lot = await plant.commission(await plant.product('piece'), 10);
  const sscc = 'urn:epc:id:sscc:6901234.0000000401';
  const child = { epcClass: `${TEST_BASE_URL}/lots/${lot}`, quantity: 4, uom: 'H87' };
  const document = [
    { type: 'AggregationEvent', ...when(3), action: 'OBSERVE', parentID: sscc, childQuantityList: [child] },
    { ...stored, errorDeclaration: { declarationTime: '2026-03-02T00:00:00Z', reason: 'incorrect_data' } },
    { type: 'AggregationEvent', ...when(4), action: 'DELETE', bizStep: 'unpacking', parentID: sscc, childQuantityList: [child] },
  ];
  t.match(
    await capture(plant.key, document, 'rollback'),
    { success: false, errors: [{ eventIndex: 2, message: /is not in container/ }] },
    'the lot was never packed in the pallet',
  );
});

t.test('a declaration between two receipts of one shipment: the second is read as a later document reads it', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const { capture } = epcisRequests(world);
  const lot = await plant.commission(await plant.product('piece'), 10);
  const sscc = 'urn:epc:id:sscc:6901234.0000000022';
  const child = { epcClass: `${TEST_BASE_URL}/lots/${lot}`, quantity: 4, uom: 'H87' };
  const shipped = await capture(plant.key, [
    { type: 'AggregationEvent', ...when(2), action: 'ADD', bizStep: 'packing', parentID: sscc, childQuantityList: [child] },
    {
      type: 'ObjectEvent',
      ...when(3),
      action: 'OBSERVE',
      bizStep: 'shipping',
      epcList: [sscc],
      destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
    },
  ]);
  t.match(shipped, { success: true, captured: 2 }, 'the pallet packed and shipped to the store');
  const stored = { ...made('https://id.gs1.org/01/06901234000030/10/Z22', 1), eventID: 'urn:uuid:7a1c0e00-0000-4000-8000-700000000022' };
  t.match(await capture(store.key, [stored]), { success: true, captured: 1 }, "a lot of the store's");
  const receiving = { type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'receiving' };
  t.match(
    await capture(
      store.key,
      [
        { ...receiving, ...when(4), epcList: [sscc] },
        { ...stored, errorDeclaration: { declarationTime: '2026-03-02T00:00:00Z', reason: 'incorrect_data' } },
        { ...receiving, ...when(5), quantityList: [child] },
      ],
      'rollback',
    ),
    { success: true, captured: 2, duplicates: 1, errors: [] },
    'the pallet received, then its lot seen again: captured as the two halves are',
  );
});
