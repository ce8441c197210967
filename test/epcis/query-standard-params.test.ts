// The EPCIS 2.0 query parameters (§8.2.7.1) beyond the what/when/where basics, as GET /epcis/events
// and named queries read them against the events stored: captured events as captured, native
// events as they render. Each a party's own events only.

import type { Test } from 'tap';
import { captured, epcisDocument as doc, observation } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const FARM_LOT = 'https://id.gs1.org/01/06901234000016/10/FARM-1';
const CARCASS = 'https://id.gs1.org/01/06901234000023/10/TZ-0310';
const GLN = '6901234000016';
const SITE = 'urn:epc:id:sgln:6901234.00001.0';
const DOCK = 'urn:epc:id:sgln:6901234.00001.7';
const OTHER_SITE = 'urn:epc:id:sgln:6901234.00002.0';
const TRANSFORMATION = 'urn:uuid:2b0c9c52-4a3b-4e5f-9d0a-000000000001';
const PO = 'urn:epcglobal:cbv:bt:6901234000014:PO-1';
const OWNER = 'urn:epc:id:pgln:6901234.00001';
const BUYER = 'urn:epc:id:pgln:6901234.00002';

/** The plant's events, of its lots (another party tells the same of lots of its own). */
const eventsOf = (FARM_LOT: string, CARCASS: string) => [
  observation(1, {
    action: 'ADD',
    bizStep: 'commissioning',
    quantityList: [{ epcClass: FARM_LOT, quantity: 10, uom: 'H87' }],
    readPoint: { id: SITE },
    bizTransactionList: [{ type: 'po', bizTransaction: PO }],
    persistentDisposition: { set: ['completeness_verified'] },
  }),
  observation(2, {
    bizStep: 'shipping',
    quantityList: [{ epcClass: FARM_LOT, quantity: 4, uom: 'H87' }],
    readPoint: { id: DOCK },
    bizLocation: { id: DOCK },
    bizTransactionList: [{ type: 'https://ref.gs1.org/cbv/BTT-po', bizTransaction: 'urn:epcglobal:cbv:bt:6901234000014:PO-2' }],
    sourceList: [{ type: 'https://ref.gs1.org/cbv/SDT-owning_party', source: OWNER }],
    destinationList: [{ type: 'owning_party', destination: BUYER }],
    persistentDisposition: { unset: ['https://ref.gs1.org/cbv/Disp-completeness_verified'] },
  }),
  observation(3, { bizStep: 'inspecting', quantityList: [{ epcClass: FARM_LOT, quantity: 6, uom: 'H87' }], readPoint: { id: OTHER_SITE } }),
  {
    type: 'TransformationEvent',
    eventTime: '2026-03-04T08:00:00+08:00',
    eventTimeZoneOffset: '+08:00',
    transformationID: TRANSFORMATION,
    inputQuantityList: [{ epcClass: FARM_LOT, quantity: 6, uom: 'H87' }],
    outputQuantityList: [{ epcClass: CARCASS, quantity: 300.5, uom: 'KGM' }],
    bizStep: 'urn:county-trace:bizstep:slaughter',
  },
  observation(5, { action: 'DELETE', bizStep: 'destroying', quantityList: [{ epcClass: CARCASS, quantity: 1, uom: 'KGM' }] }),
];

t.test('the standard parameters select what the captured and native events hold, a party its own events only', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const buyer = await world.party('processor');
  t.match((await captured(world, plant.key, doc(eventsOf(FARM_LOT, CARCASS)))).job, { success: true, captured: 5 });
  // the same events captured by another party: never among the plant's results
  const other = (await captured(world, buyer.key, doc(eventsOf(`${FARM_LOT}B`, `${CARCASS}B`)))).job;
  t.match(other, { success: true, captured: 5 }, JSON.stringify(other?.errors));
  // native events: a commission (ADD), a shipment with a reference document (OBSERVE)
  const lot = await plant.commission(await plant.product('kg'), 10);
  expectStatus(
    t,
    await plant.event({
      type: 'ship',
      toPartyCode: buyer.code,
      lines: [{ lotCode: lot, quantity: 3 }],
      referenceDocuments: [{ type: 'quarantine_certificate', number: 'QC 7' }],
    }),
    201,
    'shipped',
  );

  /** The plant's events a query finds: each by its bizStep. */
  const found = async (query: string) => {
    const reply = expectStatus(t, await plant.api.get(`/epcis/events?perPage=100&${query}`), 200, query);
    return (reply.body.epcisBody.queryResults.resultsBody.eventList as { bizStep: string }[]).map((event) => event.bizStep).sort();
  };
  const q = encodeURIComponent;

  t.same(await found('EQ_action=ADD'), ['commissioning', 'commissioning'], 'EQ_action: captured as captured, a native commission ADD');
  t.same(await found('EQ_action=DELETE'), ['destroying']);
  t.same(await found('EQ_action=OBSERVE'), ['inspecting', 'shipping', 'shipping'], 'a native shipment OBSERVEs');
  t.same(await found('EQ_action=ADD|DELETE&eventType=ObjectEvent'), ['commissioning', 'commissioning', 'destroying']);

  t.same(await found(`EQ_transformationID=${q(TRANSFORMATION)}`), ['urn:county-trace:bizstep:slaughter']);
  t.same(await found(`EQ_transformationID=${q('urn:uuid:00000000-0000-4000-8000-000000000000')}`), []);

  t.same(
    await found(`WD_readPoint=${q(SITE)}`),
    ['commissioning', 'shipping'],
    'WD_readPoint: the site and the dock its GLN extension names',
  );
  t.same(await found(`WD_readPoint=${q(`https://id.gs1.org/414/${GLN}`)}`), ['commissioning', 'shipping'], 'the GLN as a Digital Link');
  t.same(await found(`WD_readPoint=${q(DOCK)}`), ['shipping'], 'a sub-location has none under it');
  t.same(await found(`EQ_readPoint=${q(SITE)}`), ['commissioning'], 'EQ_readPoint: the site alone');
  t.same(await found(`WD_bizLocation=${q(SITE)}`), ['shipping']);

  t.same(await found(`EQ_bizTransaction_po=${q(PO)}`), ['commissioning']);
  t.same(
    await found(`EQ_bizTransaction_po=${q(PO)}|${q('urn:epcglobal:cbv:bt:6901234000014:PO-2')}`),
    ['commissioning', 'shipping'],
    'a CBV type as its short name or its URI',
  );
  t.same(await found(`EQ_bizTransaction_desadv=${q(PO)}`), [], 'another type');
  t.same(
    await found(
      `${q('EQ_bizTransaction_urn:county-trace:doc:quarantine_certificate')}=${q('urn:county-trace:doc:quarantine_certificate:QC%207')}`,
    ),
    ['shipping'],
    'a native reference document, as it renders',
  );
  t.same(await found(`EQ_source_owning_party=${q(OWNER)}`), ['shipping']);
  t.same(await found(`EQ_destination_owning_party=${q(BUYER)}`), ['shipping']);
  t.same(await found(`EQ_source_owning_party=${q(BUYER)}`), []);
  t.same(
    await found(`EQ_destination_owning_party=${q(`${TEST_BASE_URL}/parties/${buyer.code}`)}`),
    ['shipping'],
    'a native shipment by its receiver, as it renders',
  );
  t.same(await found(`EQ_source_owning_party=${q(`${TEST_BASE_URL}/parties/${plant.code}`)}`), ['shipping'], 'and by its sender');

  t.same(await found('EQ_quantity=4'), ['shipping']);
  t.same(await found('GT_quantity=6&eventType=ObjectEvent'), ['commissioning', 'commissioning'], 'captured 10, native 10');
  t.same(await found('GE_quantity=6&LT_quantity=10'), ['inspecting', 'urn:county-trace:bizstep:slaughter'], 'any of the quantity lists');
  t.same(await found('LE_quantity=3'), ['destroying', 'shipping'], 'a native shipment of 3');
  t.same(await found('GT_quantity=300.25&LT_quantity=300.75'), ['urn:county-trace:bizstep:slaughter']);

  t.same(await found('EQ_persistentDisposition_set=completeness_verified'), ['commissioning']);
  t.same(await found(`EQ_persistentDisposition_unset=${q('urn:epcglobal:cbv:disp:completeness_verified')}`), ['shipping']);
  t.same(await found('EQ_persistentDisposition_set=in_transit'), []);

  // a named query stores them and runs them as GET does
  const named = expectStatus(
    t,
    await plant.api.post('/epcis/queries', { name: 'adds', query: { EQ_action: 'ADD', EQ_bizTransaction_po: PO } }),
    201,
    'named',
  );
  t.ok(named);
  const ran = expectStatus(t, await plant.api.get('/epcis/queries/adds/events'), 200, 'ran');
  t.same(
    ran.body.epcisBody.queryResults.resultsBody.eventList.map((event: { bizStep: string }) => event.bizStep),
    ['commissioning'],
  );
});

t.test('a value the standard does not allow, or a parameter this service does not read, is a 400 naming it', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const refused = async (query: string) => {
    const reply = await plant.api.get(`/epcis/events?${query}`);
    return { status: reply.status, errors: reply.body.errors };
  };
  t.match(await refused('EQ_action=add'), {
    status: 400,
    errors: [{ pointer: '/EQ_action', detail: /unknown action add; one of ADD, OBSERVE, DELETE/ }],
  });
  t.match(await refused('GT_quantity=ten'), { status: 400, errors: [{ pointer: '/GT_quantity', detail: 'must be a number' }] });
  t.match(await refused('EQ_quantity=1&EQ_quantity=2'), {
    status: 400,
    errors: [{ pointer: '/EQ_quantity', detail: 'must be given once' }],
  });
  for (const name of [
    'GE_value',
    'EQ_sensorMetadata_deviceID',
    'EQ_ILMD_bestBeforeDate',
    'EXISTS_ILMD_lot',
    'EQ_INNER_example:field',
    'maxEventCount',
  ]) {
    t.match(
      await refused(`${q(name)}=1`),
      { status: 400, errors: [{ pointer: `/${name}`, detail: 'a standard EPCIS query parameter this service does not support' }] },
      name,
    );
  }
  // text the database cannot hold never reaches it as a value or a type
  for (const query of [
    'EQ_bizTransaction_po=%00',
    'EQ_bizTransaction_%00=x',
    'EQ_transformationID=a%00',
    'EQ_persistentDisposition_set=%00',
    'WD_readPoint=%00',
    'EQ_source_owning_party=%ED%A0%80',
  ]) {
    const { status } = await refused(query);
    t.ok(status === 200 || status === 400, `${query}: ${status}`);
  }
  t.match(await refused('colour=red'), { status: 400, errors: [{ pointer: '/colour', detail: 'not an EPCIS query parameter' }] });
  const stored = await plant.api.post('/epcis/queries', { name: 'sensors', query: { GE_value: '5' } });
  t.match(
    { status: stored.status, errors: stored.body.errors },
    {
      status: 400,
      errors: [{ in: 'body', pointer: '/query/GE_value', detail: 'a standard EPCIS query parameter this service does not support' }],
    },
  );
});

const q = encodeURIComponent;

/** A plant whose capture of these events succeeded, and the bizSteps of its events a query finds. */
async function plantThatCaptured(t: Test, events: object[]) {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const job = (await captured(world, plant.key, doc(events))).job;
  t.match(job, { success: true, captured: events.length }, JSON.stringify(job?.errors));
  const found = async (query: string) => {
    const reply = expectStatus(t, await plant.api.get(`/epcis/events?perPage=100&${query}`), 200, query);
    return (reply.body.epcisBody.queryResults.resultsBody.eventList as { bizStep: string }[]).map((event) => event.bizStep).sort();
  };
  return { plant, found };
}

t.test('the quantity bounds read every quantity a captured event shows, one class listed twice included', async (t) => {
  const A = 'https://id.gs1.org/01/06901234000016/10/A';
  const B = 'https://id.gs1.org/01/06901234000023/10/B';
  const { found } = await plantThatCaptured(t, [
    observation(1, {
      bizStep: 'urn:x:twice',
      quantityList: [
        { epcClass: A, quantity: 4, uom: 'KGM' },
        { epcClass: A, quantity: 6, uom: 'KGM' },
      ],
    }),
    {
      ...observation(2, { bizStep: 'urn:x:packed' }),
      type: 'AggregationEvent',
      action: 'ADD',
      parentID: 'urn:epc:id:sscc:6901234.0000000001',
      childQuantityList: [
        { epcClass: B, quantity: 2 },
        { epcClass: `${B}2`, quantity: 7 },
      ],
    },
  ]);
  t.same(await found('EQ_quantity=4'), ['urn:x:twice'], 'the first of the class');
  t.same(await found('EQ_quantity=6'), ['urn:x:twice'], 'the second of the class');
  t.same(await found('GT_quantity=4&LT_quantity=6'), [], 'the bounds hold together for one quantity');
  t.same(await found('EQ_quantity=2'), ['urn:x:packed'], 'a child quantity list');
  t.same(await found('EQ_quantity=7'), ['urn:x:packed']);
});

t.test('a quantity bound compares as written, every digit kept; one numeric cannot hold is a 400 naming it', async (t) => {
  const A = 'https://id.gs1.org/01/06901234000016/10/A';
  const { plant, found } = await plantThatCaptured(t, [
    observation(1, { bizStep: 'urn:x:half', quantityList: [{ epcClass: A, quantity: 0.5, uom: 'KGM' }] }),
    observation(2, { bizStep: 'urn:x:huge', quantityList: [{ epcClass: A, quantity: 999999999999.999, uom: 'KGM' }] }),
    observation(3, { bizStep: 'urn:x:none', quantityList: [{ epcClass: A, quantity: 0, uom: 'KGM' }] }),
  ]);
  t.same(await found('EQ_quantity=999999999999.999'), ['urn:x:huge']);
  t.same(await found('EQ_quantity=999999999999.99899999'), [], 'not the nearest double');
  t.same(await found('EQ_quantity=0.5'), ['urn:x:half']);
  t.same(await found('EQ_quantity=0.50000000000000001'), []);
  t.same(await found('EQ_quantity=0'), ['urn:x:none']);
  t.same(await found('LE_quantity=1e-400'), ['urn:x:none'], 'a bound below a double’s range is not zero');
  t.same(await found('GE_quantity=1e-400'), ['urn:x:half', 'urn:x:huge']);
  t.same(await found('LT_quantity=1e400'), ['urn:x:half', 'urn:x:huge', 'urn:x:none'], 'nor one above it infinite');
  for (const [query, detail] of [
    [`EQ_quantity=${'9'.repeat(400)}`, 'must be a number of at most 64 characters'],
    ['GT_quantity=1e-16384', 'must be a number within 131072 digits before the decimal point and 16383 after'],
    ['LE_quantity=1e999999999999', 'must be a number within 131072 digits before the decimal point and 16383 after'],
    ['EQ_quantity=0e1073741823', 'must be a number within 131072 digits before the decimal point and 16383 after'],
  ]) {
    const reply = await plant.api.get(`/epcis/events?${query}`);
    const name = query.slice(0, query.indexOf('='));
    t.match({ status: reply.status, errors: reply.body.errors }, { status: 400, errors: [{ pointer: `/${name}`, detail }] }, query);
  }
});

t.test('a source or destination is found by its EPC URN or its Digital Link, whichever form it was captured in', async (t) => {
  const A = 'https://id.gs1.org/01/06901234000016/10/A';
  const { found } = await plantThatCaptured(t, [
    observation(1, {
      bizStep: 'urn:x:urns',
      quantityList: [{ epcClass: A, quantity: 1, uom: 'KGM' }],
      sourceList: [{ type: 'location', source: 'urn:epc:id:sgln:6901234.00001.0' }],
      destinationList: [{ type: 'owning_party', destination: 'urn:epc:id:pgln:6901234.00001' }],
    }),
    observation(2, {
      bizStep: 'urn:x:links',
      quantityList: [{ epcClass: A, quantity: 1, uom: 'KGM' }],
      sourceList: [{ type: 'owning_party', source: 'https://id.gs1.org/417/6901234000023' }],
      destinationList: [{ type: 'location', destination: 'https://id.gs1.org/414/6901234000023/254/7' }],
    }),
  ]);
  t.same(await found(`EQ_destination_owning_party=${q('https://id.gs1.org/417/6901234000016')}`), ['urn:x:urns'], 'a PGLN URN by its link');
  t.same(await found(`EQ_destination_owning_party=${q('urn:epc:id:pgln:6901234.00001')}`), ['urn:x:urns'], 'and as captured');
  t.same(await found(`EQ_source_location=${q('https://id.gs1.org/414/6901234000016')}`), ['urn:x:urns'], 'an SGLN URN by its link');
  t.same(await found(`EQ_source_owning_party=${q('urn:epc:id:pgln:6901234.00002')}`), ['urn:x:links'], 'a link by its URN');
  t.same(await found(`EQ_destination_location=${q('urn:epc:id:sgln:6901234.00002.7')}`), ['urn:x:links']);
  t.same(await found(`EQ_destination_owning_party=${q('https://id.gs1.org/417/6901234000023')}`), [], 'another party');
});

t.test('a MATCH_ value that is no EPC, class or EPC pattern is a 400 naming it; every form that is one still matches', async (t) => {
  const SERIAL = 'https://id.gs1.org/01/06901234000016/21/S1';
  const CLASS = 'https://id.gs1.org/01/06901234000023/10/L1';
  const { plant, found } = await plantThatCaptured(t, [
    observation(1, { bizStep: 'urn:x:serial', epcList: [SERIAL] }),
    observation(2, { bizStep: 'urn:x:class', quantityList: [{ epcClass: CLASS, quantity: 2, uom: 'KGM' }] }),
  ]);
  for (const [name, value, bizSteps] of [
    ['MATCH_epc', SERIAL, ['urn:x:serial']],
    ['MATCH_epc', 'urn:epc:id:sgtin:6901234.000001.S1', ['urn:x:serial']],
    ['MATCH_anyEPC', 'https://brand.example/dl/01/06901234000016/21/S1', ['urn:x:serial']],
    ['MATCH_epc', 'urn:epc:idpat:sgtin:6901234.000001.*', ['urn:x:serial']],
    ['MATCH_epc', 'urn:epc:idpat:sgtin:6901234.*.*', ['urn:x:serial']],
    ['MATCH_epc', 'urn:epc:id:sgtin:6901234.000001.S2', []],
    ['MATCH_epcClass', 'urn:epc:class:lgtin:6901234.000002.L1', ['urn:x:class']],
    ['MATCH_anyEPCClass', 'urn:epc:idpat:sgtin:6901234.000002.*', ['urn:x:class']],
    ['MATCH_epc', 'urn:uuid:2b0c9c52-4a3b-4e5f-9d0a-000000000009', []],
  ] as const) {
    t.same(await found(`${name}=${q(value)}`), bizSteps, `${name}=${value}`);
  }
  const refused = async (query: string) => {
    const reply = await plant.api.get(`/epcis/events?${query}`);
    return { status: reply.status, type: reply.headers['content-type'], errors: reply.body.errors };
  };
  for (const [value, detail] of [
    ['red', /red is not an identifier this service knows: .*a GS1 Digital Link or an EPC URI/],
    ['urn:epc:id:sgtin:6901234.00001.S1', /not a valid SGTIN EPC URN/],
    ['https://id.gs1.org/01/06901234000017/21/S1', /wrong check digit/],
    ['urn:epc:idpat:sgtin:6901234.*.S1', /is no EPC pattern this service reads: .*\* in every field from the first on/],
    ['urn:epc:idpat:sgln:6901234.0001.*', /is no EPC pattern this service reads/],
    ['urn:epc:idpat:sgtin:6901234.000001', /is no EPC pattern this service reads/],
    [`https://id.gs1.org/01/06901234000016/21/${'9'.repeat(2100)}`, /at most 2000 characters/],
  ] as const) {
    for (const name of [
      'MATCH_epc',
      'MATCH_parentID',
      'MATCH_inputEPC',
      'MATCH_outputEPC',
      'MATCH_anyEPC',
      'MATCH_epcClass',
      'MATCH_inputEPCClass',
      'MATCH_outputEPCClass',
      'MATCH_anyEPCClass',
    ]) {
      t.match(
        await refused(`${name}=${q(SERIAL)}|${q(value)}`),
        { status: 400, type: /application\/problem\+json/, errors: [{ in: 'querystring', pointer: `/${name}`, detail }] },
        `${name}=${value.slice(0, 60)}`,
      );
    }
  }
  const stored = await plant.api.post('/epcis/queries', { name: 'typo', query: { MATCH_epc: ['red'] } });
  t.match(
    { status: stored.status, errors: stored.body.errors },
    { status: 400, errors: [{ in: 'body', pointer: '/query/MATCH_epc', detail: /red is not an identifier this service knows/ }] },
    'a named query is refused as it is created',
  );
});
