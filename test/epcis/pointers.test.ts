// A rule of the event writer that an EPCIS event breaks is reported at the member of the EPCIS
// event the client sent (`/inputQuantityList/0/quantity`, `/epcList/3`, `/parentID`), never at the
// native event's field the writer checked (`/inputs/0/quantity`): by POST /epcis/events, and by a
// capture job at the event's place in the document (`/epcisBody/eventList/1/…`).
import { completeGs1 } from '../../src/codes/gs1.js';
import { declarationFieldsSentAt, EpcisFields, namedIdentifiers } from '../../src/epcis/mapping.js';
import { captured, EPCIS_CONTEXT, epcisDocument, observation } from '../fixtures/epcis.js';
import { type Actor, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const MEAT = 'https://id.gs1.org/01/06901234000016/10/MEAT-1';
const CURED = 'https://id.gs1.org/01/06901234000023/10/CURED-1';
const item = (serial: string) => `https://id.gs1.org/01/06901234000030/21/${serial}`;
const A_PALLET = 'urn:epc:id:sscc:6901234.0000000017';
const NEW_CASE = 'urn:epc:id:sscc:6901234.0000000024';

const commissioned = (fields: object) => observation(1, { action: 'ADD', bizStep: 'commissioning', ...fields });
/**
 * A's commissioning of its meat, with an eventID: B re-sending it sends an event of its own (eventIDs
 * are each party's), refused as B's commissioning of A's meat would be.
 */
const A_MEAT = commissioned({
  eventID: 'urn:uuid:0d7d3b1e-5d0c-4c0e-8f7a-000000000001',
  quantityList: [{ epcClass: MEAT, quantity: 100, uom: 'KGM' }],
});
/** A's commissioning of its packs, without an eventID (named by its event hash). */
const A_PACKS = commissioned({ epcList: ['A1', 'A2', 'A3', 'A4'].map(item) });

async function chain(world: World) {
  const a = await world.party('processor');
  const b = await world.party('processor');
  const stock = await captured(
    world,
    a.key,
    epcisDocument([
      A_MEAT,
      A_PACKS,
      observation(2, { action: 'ADD', bizStep: 'packing', type: 'AggregationEvent', parentID: A_PALLET, childEPCs: [item('A3')] }),
    ]),
  );
  const own = await captured(world, b.key, epcisDocument([commissioned({ epcList: [item('B1'), item('B2')] })]));
  if (!stock.job?.success || !own.job?.success) throw new Error(`setup: ${JSON.stringify([stock.job, own.job])}`);
  return { a, b };
}

t.test('writer problems name the member of the EPCIS event, by POST /epcis/events and in capture jobs', async (t) => {
  const world = await createWorld(t);
  const { a, b } = await chain(world);
  const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString().replace('Z', '+00:00');
  const report = (time: string) => ({ type: 'Temperature', value: 3.5, uom: 'CEL', time });
  const cases: [string, Actor, object, number, string][] = [
    [
      'an error declaration of another party’s event (by its eventID), which is the sender’s own commissioning of that party’s meat',
      b,
      { ...A_MEAT, errorDeclaration: { declarationTime: '2026-03-05T08:00:00+08:00', reason: 'incorrect_data' } },
      403,
      '/quantityList/0/epcClass',
    ],
    [
      'an error declaration of another party’s event (by its hash), which is the sender’s own commissioning of that party’s packs',
      b,
      { ...A_PACKS, errorDeclaration: { declarationTime: '2026-03-05T08:00:00+08:00', reason: 'incorrect_data' } },
      403,
      '/epcList/0',
    ],
    [
      'a destruction of more than is on hand, named after an EPC',
      a,
      observation(3, {
        action: 'DELETE',
        bizStep: 'destroying',
        epcList: [item('A1')],
        quantityList: [{ epcClass: MEAT, quantity: 250, uom: 'KGM' }],
      }),
      409,
      '/quantityList/0/quantity',
    ],
    [
      'a transformation of more than is on hand',
      a,
      {
        type: 'TransformationEvent',
        eventTime: '2026-03-03T08:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        bizStep: 'commissioning',
        inputQuantityList: [{ epcClass: MEAT, quantity: 250, uom: 'KGM' }],
        outputQuantityList: [{ epcClass: CURED, quantity: 200, uom: 'KGM' }],
      },
      409,
      '/inputQuantityList/0/quantity',
    ],
    [
      'a sale of a pack another party holds',
      b,
      observation(3, { bizStep: 'retail_selling', epcList: [item('B1'), item('A1')] }),
      403,
      '/epcList/1',
    ],
    ['a sighting of a lot another party holds', b, observation(3, { quantityList: [{ epcClass: MEAT }] }), 403, '/quantityList/0/epcClass'],
    [
      'an inspection of a pack another party holds',
      b,
      observation(3, { bizStep: 'inspecting', epcList: [item('B1'), item('A1')] }),
      403,
      '/epcList/1',
    ],
    [
      'a sale naming a pack twice (as a Digital Link and as an EPC URN)',
      a,
      observation(3, { bizStep: 'retail_selling', epcList: [...['A1', 'A2', 'A4'].map(item), 'urn:epc:id:sgtin:6901234.000003.A1'] }),
      422,
      '/epcList/3',
    ],
    [
      'packing a pack another party holds',
      b,
      observation(3, {
        type: 'AggregationEvent',
        action: 'ADD',
        bizStep: 'packing',
        parentID: NEW_CASE,
        childEPCs: [item('B1'), item('A2')],
      }),
      403,
      '/childEPCs/1',
    ],
    [
      "packing into another party's pallet",
      b,
      observation(3, { type: 'AggregationEvent', action: 'ADD', bizStep: 'packing', parentID: A_PALLET, childEPCs: [item('B1')] }),
      403,
      '/parentID',
    ],
    [
      "unpacking another party's pallet",
      b,
      observation(3, { type: 'AggregationEvent', action: 'DELETE', bizStep: 'unpacking', parentID: A_PALLET }),
      403,
      '/parentID',
    ],
    [
      "a transformation of another party's pack",
      b,
      {
        type: 'TransformationEvent',
        eventTime: '2026-03-03T08:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        bizStep: 'commissioning',
        inputEPCList: [item('A1')],
        outputEPCList: [item('B9')],
      },
      403,
      '/inputEPCList/0',
    ],
    [
      "a transformation into another party's pack",
      b,
      {
        type: 'TransformationEvent',
        eventTime: '2026-03-03T08:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        bizStep: 'commissioning',
        inputEPCList: [item('B1')],
        outputEPCList: [item('B9'), item('A2')],
      },
      403,
      '/outputEPCList/1',
    ],
    [
      'a sensor report taken in the future',
      a,
      observation(3, {
        epcList: [item('A1')],
        sensorElementList: [{ sensorReport: [report(inHours(-2)), report(inHours(-1)), report(inHours(24))] }],
      }),
      422,
      '/sensorElementList/0/sensorReport/2/time',
    ],
    [
      'a new class commissioned with nothing of it',
      a,
      commissioned({ epcList: [item('A9')], quantityList: [{ epcClass: CURED, quantity: 0, uom: 'KGM' }] }),
      400,
      '/quantityList/0/quantity',
    ],
    [
      'a shipment to the shipping party itself',
      a,
      observation(3, {
        bizStep: 'shipping',
        epcList: [item('A1')],
        destinationList: [
          { type: 'location', destination: 'urn:epc:id:sgln:6901234.00001.0' },
          { type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${a.code}` },
        ],
      }),
      422,
      '/destinationList/1/destination',
    ],
  ];
  for (const [what, party, event, status, pointer] of cases) {
    const single = await world.app.inject({
      method: 'POST',
      url: '/epcis/events',
      payload: { '@context': EPCIS_CONTEXT, ...event },
      headers: { authorization: `Bearer ${party.key}`, 'content-type': 'application/ld+json' },
    });
    t.equal(single.statusCode, status, `POST /epcis/events: ${what} is a ${status}`);
    t.strictSame(
      single.json().errors?.map((error: { pointer: string }) => error.pointer),
      [pointer],
      `POST /epcis/events: ${what} is named at ${pointer}`,
    );
    // the event second in the document, after one the party may record
    const { job } = await captured(world, party.key, epcisDocument([commissioned({ epcList: [item('FILLER')] }), event]));
    t.strictSame(
      job?.errors.map((error: { eventIndex: number; pointer: string }) => [error.eventIndex, error.pointer]),
      [[1, `/epcisBody/eventList/1${pointer}`]],
      `POST /epcis/capture: ${what} is named at its place in the document`,
    );
  }
});

t.test('a field with no precise EPCIS member is named by the nearest member holding it, at worst the event', async (t) => {
  const event = {
    type: 'TransformationEvent',
    inputEPCList: [item('A1'), item('A2')],
    outputEPCList: [item('C1')],
    outputQuantityList: [{ epcClass: CURED, quantity: 2, uom: 'KGM' }],
  };
  const named = namedIdentifiers(event);
  const { sentAt } = new EpcisFields()
    .list(
      'inputs',
      named.filter((entry) => entry.role === 'input'),
    )
    .list(
      'outputs',
      named.filter((entry) => entry.role === 'output'),
    );
  t.strictSame(sentAt(['inputs', 1, 'lotCode']), ['inputEPCList', 1], 'an EPC is its own member');
  t.strictSame(sentAt(['inputs', 1, 'quantity']), ['inputEPCList', 1], 'what is used of it too');
  t.strictSame(sentAt(['outputs', 1, 'quantity']), ['outputQuantityList', 0, 'quantity'], "a class's quantity");
  t.strictSame(sentAt(['outputs', 1, 'productCode']), ['outputQuantityList', 0, 'epcClass'], 'anything else of a class: its epcClass');
  t.strictSame(sentAt(['inputs']), ['inputEPCList'], 'a native list whose entries come from one EPCIS list: that list');
  t.strictSame(sentAt(['outputs']), [], 'from two lists: the event');
  t.strictSame(sentAt(['shipmentId']), [], 'a native field the event has no member for: the event');
  t.strictSame(sentAt(['transformationID']), ['transformationID'], 'members the writer names as EPCIS does');
  t.strictSame(sentAt(['sensorElementList', 0, 'sensorReport', 2, 'time']), ['sensorElementList', 0, 'sensorReport', 2, 'time']);

  const declared = { ...event, errorDeclaration: { declarationTime: '2026-03-05T08:00:00+08:00' } };
  t.strictSame(declarationFieldsSentAt(declared)(['correctsEventId']), ['errorDeclaration'], 'an event named by its hash');
  t.strictSame(declarationFieldsSentAt({ ...declared, eventID: 'urn:uuid:x' })(['correctsEventId']), ['eventID'], 'or by its eventID');
  t.strictSame(declarationFieldsSentAt(declared)(['eventTime']), ['errorDeclaration', 'declarationTime']);
  t.strictSame(declarationFieldsSentAt({ ...event, errorDeclaration: {} })(['eventTime']), ['errorDeclaration']);
});

t.test('a second receipt of what one document booked in is a sighting under proceed, as in a document of its own', async (t) => {
  const world = await createWorld(t);
  const { a, b } = await chain(world);
  const shipped = await captured(
    world,
    a.key,
    epcisDocument([
      observation(2, {
        bizStep: 'shipping',
        epcList: [item('A1')],
        destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${b.code}` }],
      }),
    ]),
  );
  t.match(shipped.job, { success: true });
  // under proceed the second receipt is planned again once the first is stored: it finds the shipment
  // received, and is a sighting (it was refused 409 at /epcList/1 when the document was read once)
  const receipt = (minute: number) => ({
    ...observation(3, { bizStep: 'receiving', epcList: [item('B1'), item('A1')] }),
    eventTime: `2026-03-03T08:0${minute}:00+08:00`,
  });
  const { job } = await captured(world, b.key, epcisDocument([receipt(1), receipt(2)]), { 'gs1-capture-error-behaviour': 'proceed' });
  t.match(job, { success: true, captured: 2, errors: [] }, 'both captured, the second a sighting');
});

t.test('a refusal names an SSCC as the EPCIS event wrote it, never by the container code it maps to', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('distributor');
  const shop = await world.party('retailer');
  const product = await plant.product('kg');
  const lot = await plant.commission(product, 10);
  const [caseSscc, palletSscc] = [completeGs1('06901234000000011'), completeGs1('06901234000000012')];
  // an SSCC's EPC URN: company prefix (7 digits here), then the extension digit and the serial reference
  const urnOf = (sscc: string) => `urn:epc:id:sscc:${sscc.slice(1, 8)}.${sscc[0]}${sscc.slice(8, 17)}`;
  const [caseUrn, caseLink, palletUrn] = [urnOf(caseSscc), `https://id.gs1.org/00/${caseSscc}`, urnOf(palletSscc)];
  const packed = await world.ok(plant.event({ type: 'aggregate', parent: { sscc: caseSscc }, children: [{ lotCode: lot }] }));
  const caseCode: string = packed.createdLotCodes[0];
  const pallet = (await world.ok(plant.event({ type: 'aggregate', parent: { sscc: palletSscc }, children: [{ lotCode: caseCode }] })))
    .createdLotCodes[0];
  await world.handOver(plant, store, pallet);
  const held = await plant.commission(product, 10);
  const heldSscc = completeGs1('06901234000000013');
  const heldPallet = (await world.ok(plant.event({ type: 'aggregate', parent: { sscc: heldSscc }, children: [{ lotCode: held }] })))
    .createdLotCodes[0];
  await world.handOver(plant, store, heldPallet);

  const refused = async (event: object, pointer: string, names: string[], what: string) => {
    const reply = await world.app.inject({
      method: 'POST',
      url: '/epcis/events',
      payload: { ...event, '@context': EPCIS_CONTEXT },
      headers: { authorization: `Bearer ${store.key}`, 'content-type': 'application/ld+json' },
    });
    t.equal(reply.statusCode, 409, `${what}: ${reply.body}`);
    t.match(reply.json(), { errors: [{ pointer }] }, what);
    for (const name of names) t.match(reply.json().detail, name, `${what}: names ${name}`);
    for (const code of [caseCode, pallet, heldPallet]) t.notMatch(reply.json().detail, code, `${what}: not the container code ${code}`);
  };
  const toShop = [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${shop.code}` }];
  await refused(
    observation(20, { bizStep: 'shipping', epcList: [caseUrn], destinationList: toShop }),
    '/epcList/0',
    [caseUrn],
    'a case still packed on the pallet',
  );
  const caseTag = `urn:epc:tag:sscc-96:0.${caseUrn.slice('urn:epc:id:sscc:'.length)}`;
  await refused(
    observation(20, { bizStep: 'shipping', epcList: [caseTag], destinationList: toShop }),
    '/epcList/0',
    [caseTag],
    'the case by its tag URI',
  );
  await refused(
    observation(20, { type: 'AggregationEvent', action: 'ADD', bizStep: 'packing', parentID: caseLink, childEPCs: [palletUrn] }),
    '/childEPCs/0',
    [palletUrn, caseLink],
    'the pallet packed into the case it holds',
  );
  expectStatus(t, await plant.api.post('/holds', { lotCodes: [held], reason: 'pending test' }), 201, 'the producer holds its lot');
  await refused(
    observation(21, { bizStep: 'shipping', epcList: [urnOf(heldSscc)], destinationList: toShop }),
    '/epcList/0',
    [urnOf(heldSscc)],
    'a pallet with a lot on hold inside',
  );

  const native = await store.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: caseCode }] });
  t.equal(native.status, 409);
  t.match(native.body.detail, caseCode, 'the native API names its own code');
});
