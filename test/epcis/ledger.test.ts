// EPCIS capture goes through the same writer as the native API: captured lots get ledger rows,
// holders and a mass balance, and a party may only consume, move, pack, unpack or dispose of
// what it holds, through /epcis/capture and /epcis/events alike.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { queryRows } from '../../src/db/client.js';
import { EPCIS_CONTEXT, epcisDocument, epcisRequests } from '../fixtures/epcis.js';
import { balanceDifferences } from '../fixtures/ledger.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const at = (day: number) => ({ eventTime: `2026-03-0${day}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
/** An ObjectEvent commissioning `quantity` kg of a lot class on a day. */
const commissioned = (epcClass: string, quantity: number, day: number) => ({
  type: 'ObjectEvent',
  ...at(day),
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass, quantity, uom: 'KGM' }],
});
const MEAT = 'https://id.gs1.org/01/06901234000016/10/MEAT-1';
const CURED = 'https://id.gs1.org/01/06901234000023/10/CURED-1';
const PALLET = 'urn:epc:id:sscc:6901234.0000000017';

async function setup(t: Test) {
  const world = await createWorld(t);
  const a = await world.party('processor');
  const b = await world.party('processor');
  const { post, capture } = epcisRequests(world);
  const lotOf = async (uri: string) =>
    (await world.regulator.get(`/trace/${encodeURIComponent(uri)}?depth=0`)).body.query.lotCodes[0] as string;
  return { world, a, b, post, capture, lotOf };
}

t.test('a chain captured through EPCIS has holders and a mass balance that closes', async (t) => {
  const { a, capture, lotOf } = await setup(t);
  const job = await capture(a.key, [
    commissioned(MEAT, 100, 1),
    {
      type: 'TransformationEvent',
      ...at(2),
      bizStep: 'commissioning',
      inputQuantityList: [{ epcClass: MEAT, quantity: 30, uom: 'KGM' }],
      outputQuantityList: [{ epcClass: CURED, quantity: 20, uom: 'KGM' }],
    },
    { type: 'ObjectEvent', ...at(3), action: 'DELETE', bizStep: 'destroying', quantityList: [{ epcClass: MEAT, quantity: 5, uom: 'KGM' }] },
  ]);
  t.match(job, { success: true, captured: 3 });
  const meat = await a.lot(await lotOf(MEAT));
  t.same(meat.holders, [{ partyCode: a.code, onHand: 65 }], 'the capturing party holds what remains');
  t.match(meat.massBalance, { produced: 100, consumed: 30, destroyed: 5, onHand: 65, unaccounted: 0 });
  const cured = await a.lot(await lotOf(CURED));
  t.match(cured.massBalance, { produced: 20, onHand: 20, unaccounted: 0 });
  const listed = (await a.api.get('/lots')).body.items.map((lot: { code: string }) => lot.code);
  t.ok(listed.includes(meat.code) && listed.includes(cured.code), 'GET /lots lists the captured lots for the party that captured them');

  const overdraw = await capture(a.key, [
    {
      type: 'TransformationEvent',
      ...at(4),
      inputQuantityList: [{ epcClass: MEAT, quantity: 66, uom: 'KGM' }],
      outputQuantityList: [{ epcClass: CURED, quantity: 1, uom: 'KGM' }],
    },
  ]);
  t.match(overdraw, { success: false, captured: 0, errors: [{ eventIndex: 0 }] }, 'more than remains is a per-event error');
  t.match(overdraw.errors[0].message, /only 65 KGM/);
});

t.test('through EPCIS a party cannot use, ship, sell, pack, unpack or destroy what another party holds', async (t) => {
  const { world, a, b, post, capture, lotOf } = await setup(t);
  const store = await world.party('cold_storage');
  t.match(
    await capture(a.key, [
      commissioned(MEAT, 100, 1),
      {
        type: 'AggregationEvent',
        ...at(2),
        action: 'ADD',
        bizStep: 'packing',
        parentID: PALLET,
        childQuantityList: [{ epcClass: MEAT, quantity: 40, uom: 'KGM' }],
      },
      {
        type: 'ObjectEvent',
        ...at(2),
        action: 'OBSERVE',
        bizStep: 'shipping',
        quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }],
        destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
      },
    ]),
    { success: true },
  );
  t.match(
    await capture(store.key, [
      {
        type: 'ObjectEvent',
        ...at(2),
        action: 'OBSERVE',
        bizStep: 'receiving',
        quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }],
      },
    ]),
    { success: true },
    'the store holds some of it too',
  );
  const meat = await lotOf(MEAT);
  const pallet = await lotOf(PALLET);
  const before = await a.lot(meat);
  const OWN = 'https://id.gs1.org/01/06901234000030/10/B-OWN-1';
  const attempts: [string, object, string][] = [
    [
      "use A's lot as a transformation input",
      {
        type: 'TransformationEvent',
        ...at(3),
        inputQuantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }],
        outputQuantityList: [{ epcClass: CURED, quantity: 5, uom: 'KGM' }],
      },
      '/inputQuantityList/0/epcClass',
    ],
    [
      "pack A's lot into B's pallet",
      {
        type: 'AggregationEvent',
        ...at(3),
        action: 'ADD',
        bizStep: 'packing',
        parentID: 'urn:epc:id:sscc:6901234.0000000024',
        childQuantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }],
      },
      '/childQuantityList/0/epcClass',
    ],
    [
      "ship A's lot",
      {
        type: 'ObjectEvent',
        ...at(3),
        action: 'OBSERVE',
        bizStep: 'shipping',
        quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }],
        destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
      },
      '/quantityList/0/epcClass',
    ],
    [
      "sell A's lot",
      {
        type: 'ObjectEvent',
        ...at(3),
        action: 'OBSERVE',
        bizStep: 'retail_selling',
        quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }],
      },
      '/quantityList/0/epcClass',
    ],
    ["unpack A's pallet", { type: 'AggregationEvent', ...at(3), action: 'DELETE', bizStep: 'unpacking', parentID: PALLET }, '/parentID'],
    [
      "pack B's own goods onto A's pallet",
      {
        type: 'AggregationEvent',
        ...at(3),
        action: 'ADD',
        bizStep: 'packing',
        parentID: PALLET,
        childQuantityList: [{ epcClass: OWN, quantity: 1, uom: 'KGM' }],
      },
      '/parentID',
    ],
    [
      "destroy A's product class",
      {
        type: 'ObjectEvent',
        ...at(3),
        action: 'DELETE',
        bizStep: 'destroying',
        quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }],
      },
      '/quantityList/0/epcClass',
    ],
    [
      "record a sighting of A's lot",
      { type: 'ObjectEvent', ...at(3), action: 'OBSERVE', quantityList: [{ epcClass: MEAT }] },
      '/quantityList/0/epcClass',
    ],
    [
      "make A's lot out of B's goods",
      {
        type: 'TransformationEvent',
        ...at(3),
        inputQuantityList: [{ epcClass: OWN, quantity: 1, uom: 'KGM' }],
        outputQuantityList: [{ epcClass: MEAT, quantity: 1, uom: 'KGM' }],
      },
      '/outputQuantityList/0/epcClass',
    ],
  ];
  // B has never owned, held or been sent A's lot: a refusal names it (and the pallet) as B wrote
  // it, by its GS1 key, neither by A's codes for them nor by the parties holding the lot
  const secrets = [meat, pallet, a.code, store.code];
  for (const [what, event, pointer] of attempts) {
    const single = await post(b.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...event });
    t.equal(single.statusCode, 403, `POST /epcis/events: ${what} is forbidden`);
    t.match(single.json().detail, new RegExp(`party ${b.code} `), 'the refusal names the party');
    t.ok(
      single.json().detail.includes(MEAT) || single.json().detail.includes(PALLET),
      `${what}: the refusal names the lot as B wrote it (${single.json().detail})`,
    );
    t.same(
      secrets.filter((secret) => single.body.includes(secret)),
      [],
      `POST /epcis/events: ${what} is refused naming neither A's codes nor the holders`,
    );
    t.strictSame(
      single.json().errors.map((error: { pointer: string }) => error.pointer),
      [pointer],
      `POST /epcis/events: ${what} is named at ${pointer}`,
    );
    const job = await capture(b.key, [event]);
    t.match(job, { success: false, captured: 0, errors: [{ eventIndex: 0 }] }, `POST /epcis/capture: ${what} is a per-event error`);
    t.equal(job.errors[0].message, `event 0: ${single.json().detail}`, `POST /epcis/capture: ${what} is refused in the same words`);
    t.equal(job.errors[0].pointer, `/epcisBody/eventList/0${pointer}`, `POST /epcis/capture: ${what} is named in the document`);
    t.same(
      secrets.filter((secret) => JSON.stringify(job).includes(secret)),
      [],
      `POST /epcis/capture: ${what} is refused naming neither A's codes nor the holders`,
    );
  }
  const twice = await post(b.key, '/epcis/events', {
    '@context': EPCIS_CONTEXT,
    type: 'ObjectEvent',
    ...at(3),
    action: 'OBSERVE',
    bizStep: 'retail_selling',
    quantityList: [
      { epcClass: MEAT, quantity: 1, uom: 'KGM' },
      { epcClass: MEAT, quantity: 1, uom: 'KGM' },
    ],
  });
  t.equal(twice.statusCode, 422, "A's lot named twice is refused as named twice");
  t.same(
    secrets.filter((secret) => twice.body.includes(secret)),
    [],
    "naming it as B named it, not by A's code",
  );
  t.same(await a.lot(meat), before, "A's lot is untouched");
  const forward = (await world.regulator.get(`/trace/${meat}?direction=forward`)).body;
  t.ok(
    forward.nodes.every((node: { partyCode: string }) => node.partyCode === a.code),
    "A's forward trace shows nothing of B",
  );
  t.equal((await world.regulator.get(`/events?partyCode=${b.code}`)).body.items.length, 0, 'nothing was recorded for B');
});

t.test('through EPCIS a party that held a lot before is refused it as it wrote it, naming none of its holders', async (t) => {
  const { world, a, b, post, capture, lotOf } = await setup(t);
  const store = await world.party('cold_storage');
  const shipment = (to: { code: string }, day: number) => ({
    type: 'ObjectEvent',
    ...at(day),
    action: 'OBSERVE',
    bizStep: 'shipping',
    quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }],
    destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${to.code}` }],
  });
  const receipt = (day: number) => ({
    type: 'ObjectEvent',
    ...at(day),
    action: 'OBSERVE',
    bizStep: 'receiving',
    quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }],
  });
  t.match(await capture(a.key, [commissioned(MEAT, 100, 1), shipment(b, 2)]), { success: true, captured: 2 });
  t.match(await capture(b.key, [receipt(3), shipment(store, 4)]), { success: true, captured: 2 }, 'B passes on all it received');
  t.match(await capture(store.key, [receipt(5)]), { success: true, captured: 1 });
  const meat = await lotOf(MEAT);
  const sale = {
    type: 'ObjectEvent',
    ...at(6),
    action: 'OBSERVE',
    bizStep: 'retail_selling',
    quantityList: [{ epcClass: MEAT, quantity: 1, uom: 'KGM' }],
  };
  const single = await post(b.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...sale });
  t.equal(single.statusCode, 403, 'B no longer holds any of it');
  t.equal(
    single.json().detail,
    `party ${b.code} does not hold lot ${MEAT}; only its holder may use it`,
    'the refusal names the lot as B wrote it (B may read it, but its EPCIS client knows no code of it)',
  );
  t.same(
    [meat, a.code, store.code].filter((code) => single.body.includes(code)),
    [],
    'and names neither its code nor the parties holding it',
  );
  const job = await capture(b.key, [sale]);
  t.equal(job.errors[0].message, `event 0: ${single.json().detail}`, 'a capture job is refused in the same words');
});

t.test('through EPCIS quantities are exact and never negative; packing uses stock', async (t) => {
  const { world, a, post, capture, lotOf } = await setup(t);
  const commissioned = (quantity: number, uom = 'KGM', epcClass = MEAT) => ({
    type: 'ObjectEvent',
    ...at(1),
    action: 'ADD',
    bizStep: 'commissioning',
    quantityList: [{ epcClass, quantity, uom }],
  });
  for (const [quantity, what, detail] of [
    [-5, 'a negative quantity', /must not be negative/],
    [0.0001, 'a quantity finer than the ledger keeps', /more than 3 decimals/],
    [0.9996, 'a quantity that would be rounded', /more than 3 decimals/],
  ] as const) {
    for (const url of ['/epcis/capture', '/epcis/events']) {
      const body =
        url === '/epcis/capture' ? epcisDocument([commissioned(quantity)]) : { '@context': EPCIS_CONTEXT, ...commissioned(quantity) };
      const reply = await post(a.key, url, body);
      t.equal(reply.statusCode, 400, `${url}: ${what} is refused`);
      const pointer = url === '/epcis/capture' ? '/epcisBody/eventList/0/quantityList/0/quantity' : '/quantityList/0/quantity';
      t.match(reply.json().errors, [{ pointer, detail }], `${url}: ${what} is named at its field`);
    }
  }
  const halfPiece = await capture(a.key, [commissioned(1.5, 'H87', 'https://id.gs1.org/01/06901234000030/10/PIECES-1')]);
  t.match(halfPiece, { success: false, captured: 0, errors: [{ eventIndex: 0 }] }, 'half a piece is a per-event error');
  t.match(halfPiece.errors[0].message, /whole number/, 'with the precision the unit allows');
  t.equal(halfPiece.errors[0].pointer, '/epcisBody/eventList/0/quantityList/0/quantity', 'at the quantity');
  t.equal((await world.regulator.get(`/events?partyCode=${a.code}`)).body.items.length, 0, 'none of them stored anything');

  const packed = await capture(a.key, [
    commissioned(100),
    {
      type: 'AggregationEvent',
      ...at(2),
      action: 'ADD',
      bizStep: 'packing',
      parentID: PALLET,
      childQuantityList: [{ epcClass: MEAT, quantity: 60, uom: 'KGM' }],
    },
    {
      type: 'AggregationEvent',
      ...at(3),
      action: 'ADD',
      bizStep: 'packing',
      parentID: 'urn:epc:id:sscc:6901234.0000000024',
      childQuantityList: [{ epcClass: MEAT, quantity: 60, uom: 'KGM' }],
    },
    {
      type: 'ObjectEvent',
      ...at(4),
      action: 'DELETE',
      bizStep: 'destroying',
      quantityList: [{ epcClass: MEAT, quantity: 100, uom: 'KGM' }],
    },
  ]);
  t.match(packed, { captured: 2, errors: [{ eventIndex: 2 }, { eventIndex: 3 }] }, 'packing 60 + 60 kg of 100: the second is refused');
  t.match(packed.errors[0].message, /only 40 KGM/, 'only the 40 kg left loose can be packed');
  t.match(packed.errors[1].message, /only 40 KGM/, 'nor can the packed 60 kg be used loose');
  const meat = await a.lot(await lotOf(MEAT));
  t.match(meat.massBalance, { produced: 100, onHand: 100, unaccounted: 0 }, 'packing moved stock; the books close');
  t.same(await balanceDifferences(world.database), [], 'the balances kept by the database follow captured movements');
});

t.test('through EPCIS the receipt and lineage-cycle rules hold as they do natively', async (t) => {
  const { world, a, b, capture } = await setup(t);
  const store = await world.party('cold_storage');
  const PALLET_2 = 'urn:epc:id:sscc:6901234.0000000024';
  const cycle = await capture(a.key, [
    commissioned(MEAT, 100, 1),
    {
      type: 'TransformationEvent',
      ...at(2),
      inputQuantityList: [{ epcClass: MEAT, quantity: 50, uom: 'KGM' }],
      outputQuantityList: [{ epcClass: CURED, quantity: 40, uom: 'KGM' }],
    },
    {
      type: 'TransformationEvent',
      ...at(3),
      inputQuantityList: [{ epcClass: CURED, quantity: 10, uom: 'KGM' }],
      outputQuantityList: [{ epcClass: MEAT, quantity: 5, uom: 'KGM' }],
    },
    { type: 'AggregationEvent', ...at(4), action: 'ADD', bizStep: 'packing', parentID: PALLET, childEPCs: [PALLET_2] },
    { type: 'AggregationEvent', ...at(5), action: 'ADD', bizStep: 'packing', parentID: PALLET_2, childEPCs: [PALLET] },
  ]);
  t.match(
    cycle,
    { captured: 3, errors: [{ eventIndex: 2 }, { eventIndex: 4 }] },
    'making a lot out of its own output is refused, and packing a pallet into what it holds',
  );
  t.match(cycle.errors[0].message, /lineage cycle/);
  t.match(cycle.errors[1].message, /lineage cycle/);
  // events sharing a transformationID are one transformation: joining MEAT's own descendant to it as an input is a cycle too
  const SMOKED = 'https://id.gs1.org/01/06901234000047/10/SMOKED-1';
  const SALT = 'https://id.gs1.org/01/06901234000054/10/SALT-1';
  const joined = await capture(a.key, [
    commissioned(SALT, 10, 5),
    {
      type: 'TransformationEvent',
      ...at(6),
      transformationID: 'urn:uuid:2b0c9c52-4a3b-4e5f-9d0a-00000000000c',
      inputQuantityList: [{ epcClass: CURED, quantity: 10, uom: 'KGM' }],
      outputQuantityList: [{ epcClass: SMOKED, quantity: 8, uom: 'KGM' }],
    },
    {
      type: 'TransformationEvent',
      ...at(6),
      transformationID: 'urn:uuid:2b0c9c52-4a3b-4e5f-9d0a-00000000000c',
      inputQuantityList: [{ epcClass: SALT, quantity: 1, uom: 'KGM' }],
      outputQuantityList: [{ epcClass: MEAT, quantity: 1, uom: 'KGM' }],
    },
  ]);
  t.match(joined, { captured: 2, errors: [{ eventIndex: 2 }] }, 'the transformation that would make MEAT out of its own CURED is refused');
  t.match(joined.errors[0].message, /lineage cycle/);

  // A ships 10 kg to the store; B cannot receive it, the store can
  const shipped = await capture(a.key, [
    {
      type: 'ObjectEvent',
      ...at(6),
      action: 'OBSERVE',
      bizStep: 'shipping',
      quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }],
      destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
    },
  ]);
  t.match(shipped, { success: true, captured: 1 });
  const receipt = {
    type: 'ObjectEvent',
    ...at(7),
    action: 'OBSERVE',
    bizStep: 'receiving',
    quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }],
  };
  const stranger = await capture(b.key, [receipt]);
  const meat = await a.lot((await world.regulator.get(`/trace/${encodeURIComponent(MEAT)}?depth=0`)).body.query.lotCodes[0]);
  t.match(stranger, { captured: 0, errors: [{ eventIndex: 0 }] }, 'B cannot receive what went to the store');
  t.match(stranger.errors[0].message, new RegExp(`party ${b.code} neither owns nor holds`));
  t.equal(stranger.errors[0].pointer, '/epcisBody/eventList/0/quantityList/0/epcClass', 'at the class it names');
  t.notOk(
    meat.holders.some((holder: { partyCode: string }) => holder.partyCode === b.code),
    'B holds none of it',
  );
  t.match(await capture(store.key, [receipt]), { success: true, captured: 1 }, 'the store receives it');
  const received = await store.lot(meat.code);
  t.ok(
    received.holders.some((holder: { partyCode: string; onHand: number }) => holder.partyCode === store.code && holder.onHand === 10),
    'and holds the 10 kg',
  );
});

t.test(
  'through EPCIS a shipping event that moves nothing opens no shipment: it is that event’s error, or a sighting of what already left',
  async (t) => {
    const { world, a, post, capture, lotOf } = await setup(t);
    const store = await world.party('cold_storage');
    // each event at a minute of its own, so that none is a duplicate of one sent before
    let minute = 0;
    const time = (day: number) => ({ ...at(day), eventTime: `2026-03-0${day}T08:${String(++minute).padStart(2, '0')}:00+08:00` });
    const shipping = (day: number, what: object, destination = true) => ({
      type: 'ObjectEvent',
      ...time(day),
      action: 'OBSERVE',
      bizStep: 'shipping',
      ...what,
      ...(destination ? { destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }] } : {}),
    });
    const packed = await capture(a.key, [
      commissioned(MEAT, 100, 1),
      {
        type: 'AggregationEvent',
        ...at(2),
        action: 'ADD',
        bizStep: 'packing',
        parentID: PALLET,
        childQuantityList: [{ epcClass: MEAT, quantity: 40, uom: 'KGM' }],
      },
      shipping(3, { epcList: [PALLET] }),
    ]);
    t.match(packed, { success: true, captured: 3 }, 'the pallet with its 40 kg is shipped');
    const meat = await lotOf(MEAT);
    const shipmentsOfStore = async () => (await store.api.get('/shipments')).body.items;
    t.equal((await shipmentsOfStore()).length, 1);

    const nothing: [string, object][] = [
      ['naming no object', shipping(4, { epcList: [] })],
      ['a quantity of 0 of a lot', shipping(4, { quantityList: [{ epcClass: MEAT, quantity: 0, uom: 'KGM' }] })],
    ];
    for (const [what, event] of nothing) {
      const single = await post(a.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...event });
      t.equal(single.statusCode, 422, `POST /epcis/events: a shipment of ${what} is refused`);
      t.match(single.json(), { type: '/problems/nothing-shipped', detail: new RegExp(`ships nothing to ${store.code}`) }, 'saying why');
      for (const behaviour of ['rollback', 'proceed'] as const) {
        const job = await capture(
          a.key,
          [
            { ...commissioned(CURED, 5, 4), ...time(4) },
            { ...event, ...time(4) },
          ],
          behaviour,
        );
        t.match(
          job,
          { success: false, captured: behaviour === 'proceed' ? 1 : 0, errors: [{ eventIndex: 1, message: /^event 1: .*ships nothing/ }] },
          `POST /epcis/capture (${behaviour}): a shipment of ${what} is that event's error`,
        );
      }
    }
    // shipping, then departing, of one pallet: the second names what is already on its way
    const departing = await capture(a.key, [{ ...shipping(4, { epcList: [PALLET] }), bizStep: 'departing' }]);
    t.match(departing, { success: true, captured: 1 }, 'the pallet already shipped, named again as it departs, is captured');
    const [departed] = (await a.api.get(`/epcis/events?EQ_bizStep=departing`)).body.epcisBody.queryResults.resultsBody.eventList;
    t.ok(departed, 'as an event of its own');
    const transaction = await capture(a.key, [
      {
        ...shipping(4, { epcList: [] }),
        type: 'TransactionEvent',
        parentID: PALLET,
        bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141000005:PO-1' }],
      },
    ]);
    t.match(transaction, { success: true, captured: 1 }, 'so is a transaction naming as its parent the pallet already shipped');
    t.equal((await shipmentsOfStore()).length, 1, 'the store is sent no shipment of nothing');
    t.match((await a.lot(meat)).massBalance, { produced: 100, shipped: 40, onHand: 60 }, 'and nothing more left');

    const mixed = await capture(a.key, [shipping(5, { quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }], epcList: [PALLET] })]);
    t.match(mixed, { success: true, captured: 1 }, 'an event that ships 10 kg and names the pallet already gone is captured');
    const [latest] = await shipmentsOfStore();
    t.same(
      latest.lines.map((line: { lotCode: string; quantity: number }) => [line.lotCode, line.quantity]),
      [[meat, 10]],
      'its shipment carries what moved, no line of nothing',
    );

    const seen = await capture(a.key, [shipping(6, { epcList: [PALLET] }, false)]);
    t.match(seen, { success: true, captured: 1 }, 'a shipping observation without a destination stays an observation');
    t.equal((await shipmentsOfStore()).length, 2, 'and opens no shipment');
  },
);

t.test('through EPCIS a shipping transaction naming only its parent ships that pallet, and a receiving one receives it', async (t) => {
  const { world, a, b, post, capture, lotOf } = await setup(t);
  const store = await world.party('cold_storage');
  const PALLET_2 = 'urn:epc:id:sscc:6901234.0000000024';
  // naming only its parent, a transaction's epcList is empty (EPCIS 2.0 requires the list)
  const transaction = (day: number, bizStep: string, fields: object, to?: { code: string }) => ({
    type: 'TransactionEvent',
    ...at(day),
    action: 'OBSERVE',
    bizStep,
    bizTransactionList: [{ type: 'po', bizTransaction: `urn:epcglobal:cbv:bt:0614141000005:PO-${day}` }],
    epcList: [],
    ...fields,
    ...(to ? { destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${to.code}` }] } : {}),
  });
  const packing = (day: number, parentID: string, quantity: number) => ({
    type: 'AggregationEvent',
    ...at(day),
    action: 'ADD',
    bizStep: 'packing',
    parentID,
    childQuantityList: [{ epcClass: MEAT, quantity, uom: 'KGM' }],
  });
  t.match(
    await capture(a.key, [commissioned(MEAT, 100, 1), commissioned(CURED, 10, 1), packing(2, PALLET, 40), packing(2, PALLET_2, 20)]),
    { success: true },
  );
  const meat = await lotOf(MEAT);
  const pallet = await lotOf(PALLET);

  const foreign = transaction(3, 'shipping', { parentID: PALLET }, store);
  const single = await post(b.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...foreign });
  t.equal(single.statusCode, 403, "B shipping A's pallet by naming it as the parent is refused");
  t.strictSame(
    single.json().errors.map((error: { pointer: string }) => error.pointer),
    ['/parentID'],
    'at the parentID',
  );
  t.notOk(single.body.includes(pallet), "naming the pallet as B did, not by A's code");
  const refused = await capture(b.key, [foreign]);
  t.match(refused, { success: false, captured: 0, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/parentID' }] });

  const shipped = await capture(a.key, [transaction(3, 'shipping', { parentID: PALLET }, store)]);
  t.match(shipped, { success: true, captured: 1 }, 'A ships its pallet by naming only the parent');
  const shipmentsOfStore = async () => (await store.api.get('/shipments')).body.items;
  const [shipment] = await shipmentsOfStore();
  t.same(
    shipment.lines.map((line: { lotCode: string; quantity: number }) => [line.lotCode, line.quantity]),
    [
      [pallet, 1],
      [meat, 40],
    ],
    'the shipment carries the pallet with the 40 kg packed in it',
  );
  t.match((await a.lot(meat)).massBalance, { produced: 100, shipped: 40, onHand: 60 });
  const [event] = (await a.api.get('/epcis/events?EQ_bizStep=shipping')).body.epcisBody.queryResults.resultsBody.eventList;
  t.match(event, { type: 'TransactionEvent', parentID: PALLET }, 'the event is kept as sent');

  const received = await capture(store.key, [transaction(4, 'receiving', { parentID: PALLET })]);
  t.match(received, { success: true, captured: 1 }, 'the store receives the pallet by naming only the parent');
  t.equal((await shipmentsOfStore())[0].status, 'received');
  t.match((await store.lot(meat)).holders, [{ partyCode: store.code, onHand: 40 }], 'and holds what is packed in it');

  // the store passes it on, listing what the pallet holds: A's meat goes along with the pallet, not as a line of its own
  const passedOn = await capture(store.key, [
    transaction(5, 'shipping', { parentID: PALLET, quantityList: [{ epcClass: MEAT, quantity: 40, uom: 'KGM' }] }, b),
  ]);
  t.match(passedOn, { success: true, captured: 1 }, 'a transaction listing the children of its parent ships them with it');
  const [toB] = (await b.api.get('/shipments')).body.items;
  t.same(
    toB.lines.map((line: { lotCode: string; quantity: number }) => [line.lotCode, line.quantity]),
    [
      [pallet, 1],
      [meat, 40],
    ],
    'once',
  );
  t.notOk(
    (await store.lot(meat)).holders.some((holder: { partyCode: string }) => holder.partyCode === store.code),
    'nothing of it is left with the store',
  );

  // a listed child that is not in the parent is shipped alongside it
  const alongside = await capture(a.key, [
    transaction(6, 'shipping', { parentID: PALLET_2, quantityList: [{ epcClass: CURED, quantity: 4, uom: 'KGM' }] }, store),
  ]);
  t.match(alongside, { success: true, captured: 1 });
  const [latest] = (await shipmentsOfStore()).filter((candidate: { status: string }) => candidate.status === 'open');
  t.same(
    latest.lines.map((line: { lotCode: string; quantity: number }) => [line.lotCode, line.quantity]),
    [
      [await lotOf(PALLET_2), 1],
      [await lotOf(CURED), 4],
      [meat, 20],
    ],
    'the second pallet with its 20 kg of meat, and 4 kg of another lot loose',
  );
  t.match((await a.lot(meat)).holders, [{ partyCode: a.code, onHand: 40 }], 'A keeps the meat it packed in neither pallet');
  t.same(await balanceDifferences(world.database), [], 'the balances kept by the database follow the movements');
});

/** A TransactionEvent of a purchase order on a day; naming only its parent, its epcList is empty (EPCIS 2.0 requires the list). */
const transaction = (day: number, action: 'ADD' | 'OBSERVE' | 'DELETE', bizStep: string | null, fields: object) => ({
  type: 'TransactionEvent',
  ...at(day),
  action,
  ...(bizStep ? { bizStep } : {}),
  bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141000005:PO-1' }],
  epcList: [],
  ...fields,
});
const packed = (day: number, parentID: string, epcClass: string, quantity: number) => ({
  type: 'AggregationEvent',
  ...at(day),
  action: 'ADD',
  bizStep: 'packing',
  parentID,
  childQuantityList: [{ epcClass, quantity, uom: 'KGM' }],
});

t.test('through EPCIS a TransactionEvent DELETE takes objects out of a transaction and leaves them as they were', async (t) => {
  const { world, a, post, capture, lotOf } = await setup(t);
  t.match(await capture(a.key, [commissioned(MEAT, 100, 1), packed(2, PALLET, MEAT, 40)]), { success: true });
  const meat = await lotOf(MEAT);
  const pallet = await lotOf(PALLET);
  const before = { meat: await a.lot(meat), pallet: await a.lot(pallet) };

  // whatever its business step: EPCIS 2.0 says DELETE disassociates them from the transaction
  const deleted = [
    transaction(3, 'DELETE', 'destroying', { quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }] }),
    transaction(3, 'DELETE', 'retail_selling', { parentID: PALLET }),
    transaction(3, 'DELETE', null, { quantityList: [{ epcClass: MEAT, quantity: 5, uom: 'KGM' }] }),
  ];
  const job = await capture(a.key, deleted);
  t.match(job, { success: true, captured: 3, errors: [] }, 'captured as a document');
  const single = await post(a.key, '/epcis/events', {
    '@context': EPCIS_CONTEXT,
    ...transaction(4, 'DELETE', 'decommissioning', { parentID: PALLET, quantityList: [{ epcClass: MEAT, quantity: 40, uom: 'KGM' }] }),
  });
  t.equal(single.statusCode, 201, 'and on its own');

  t.same({ meat: await a.lot(meat), pallet: await a.lot(pallet) }, before, 'status, holders, mass balance and contents are unchanged');
  t.same(await balanceDifferences(world.database), [], 'the balances kept by the database follow the movements');

  const found = (await a.api.get('/epcis/events?eventType=TransactionEvent')).body.epcisBody.queryResults.resultsBody.eventList;
  t.equal(found.length, 4);
  t.ok(
    found.every((event: { type: string; action: string }) => event.type === 'TransactionEvent' && event.action === 'DELETE'),
    'each is queried as the TransactionEvent DELETE it was',
  );
  const one = (await a.api.get(`/epcis/events/${encodeURIComponent(single.json().eventID)}`)).body;
  t.match(one, { type: 'TransactionEvent', action: 'DELETE', bizStep: 'decommissioning', parentID: PALLET });
  const observed = (await a.api.get('/events?type=observe')).body.items.filter(
    (event: { details: { epcis?: { type: string } } }) => event.details.epcis?.type === 'TransactionEvent',
  );
  t.equal(observed.length, 4, 'recorded as observations');
  t.equal((await a.api.get('/events?type=destroy')).body.items.length, 0, 'none as a destruction');

  // an ObjectEvent DELETE still destroys what it names
  t.match(
    await capture(a.key, [
      { type: 'ObjectEvent', ...at(5), action: 'DELETE', quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }] },
    ]),
    {
      success: true,
    },
  );
  t.match((await a.lot(meat)).massBalance, { produced: 100, destroyed: 10, onHand: 90 });
});

t.test('through EPCIS a selling or destroying TransactionEvent acts on its parent as the native API does on the container', async (t) => {
  const { world, a, b, post, capture, lotOf } = await setup(t);
  const MEAT_2 = 'https://id.gs1.org/01/06901234000016/10/MEAT-2';
  const CURED_2 = 'https://id.gs1.org/01/06901234000023/10/CURED-2';
  const [PALLET_2, PALLET_3, PALLET_4] = ['24', '31', '48'].map((serial) => `urn:epc:id:sscc:6901234.00000000${serial}`);
  t.match(
    await capture(a.key, [
      commissioned(MEAT, 100, 1),
      commissioned(MEAT_2, 100, 1),
      commissioned(CURED, 10, 1),
      commissioned(CURED_2, 10, 1),
      packed(2, PALLET, MEAT, 40),
      packed(2, PALLET_2, MEAT_2, 40),
      packed(2, PALLET_3, CURED, 6),
      packed(2, PALLET_4, CURED_2, 6),
    ]),
    { success: true },
  );
  const codes = Object.fromEntries(
    await Promise.all(
      Object.entries({ MEAT, MEAT_2, CURED, CURED_2, PALLET, PALLET_2, PALLET_3, PALLET_4 }).map(async ([name, uri]) => [
        name,
        await lotOf(uri),
      ]),
    ),
  );
  const views = async (...names: string[]) => Promise.all(names.map((name) => a.lot(codes[name])));

  const untouched = await views('MEAT', 'MEAT_2', 'CURED', 'CURED_2', 'PALLET', 'PALLET_3');

  // B holds none of A's pallets: refused at the parentID, per event, and nothing is written
  const foreign = transaction(3, 'ADD', 'retail_selling', { parentID: PALLET });
  const single = await post(b.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...foreign });
  t.equal(single.statusCode, 403, "B selling A's pallet by naming it as the parent is refused");
  t.match(single.json().detail, `party ${b.code} does not hold container ${PALLET};`, 'naming the pallet as B wrote it');
  t.strictSame(
    single.json().errors.map((error: { pointer: string }) => error.pointer),
    ['/parentID'],
  );
  t.notOk(single.body.includes(codes.PALLET), "not by A's code");
  const refused = await capture(b.key, [foreign, transaction(3, 'OBSERVE', 'destroying', { parentID: PALLET_3 })]);
  t.match(refused, {
    success: false,
    captured: 0,
    errors: [
      { eventIndex: 0, pointer: '/epcisBody/eventList/0/parentID' },
      { eventIndex: 1, pointer: '/epcisBody/eventList/1/parentID' },
    ],
  });
  t.equal((await world.regulator.get(`/events?partyCode=${b.code}`)).body.items.length, 0, 'nothing was recorded for B');
  t.same(
    await views('MEAT', 'MEAT_2', 'CURED', 'CURED_2', 'PALLET', 'PALLET_3'),
    untouched,
    "A's pallets and their contents are untouched",
  );

  // A sells one pallet natively and the other through EPCIS, naming only the parent: the same
  t.match(await a.event({ type: 'sell', eventTime: '2026-03-03T08:00:00+08:00', lines: [{ lotCode: codes.PALLET_2 }] }), { status: 201 });
  t.match(await capture(a.key, [transaction(3, 'OBSERVE', 'retail_selling', { parentID: PALLET })]), { success: true, captured: 1 });
  const [meat, meat2, pallet, pallet2] = await views('MEAT', 'MEAT_2', 'PALLET', 'PALLET_2');
  t.same(meat.massBalance, meat2.massBalance, 'the meat on the pallet is sold as natively');
  t.match(meat.massBalance, { produced: 100, sold: 40, onHand: 60 });
  t.same([pallet.status, pallet.holders], [pallet2.status, pallet2.holders], 'and so is the pallet');
  t.equal(pallet.status, 'sold');

  // destroying: natively, and through EPCIS naming the parent with what it lists packed in it
  t.match(
    await a.event({ type: 'destroy', eventTime: '2026-03-04T08:00:00+08:00', reason: 'EPCIS', lines: [{ lotCode: codes.PALLET_4 }] }),
    { status: 201 },
  );
  const destroyed = await post(a.key, '/epcis/events', {
    '@context': EPCIS_CONTEXT,
    ...transaction(4, 'ADD', 'destroying', { parentID: PALLET_3, quantityList: [{ epcClass: CURED, quantity: 6, uom: 'KGM' }] }),
  });
  t.equal(destroyed.statusCode, 201);
  const [cured, cured2, pallet3, pallet4] = await views('CURED', 'CURED_2', 'PALLET_3', 'PALLET_4');
  t.same(cured.massBalance, cured2.massBalance, 'what it lists packed in the parent goes with the parent, once');
  t.match(cured.massBalance, { produced: 10, destroyed: 6, onHand: 4 });
  t.same([pallet3.status, pallet3.holders], [pallet4.status, pallet4.holders]);
  t.equal(pallet3.status, 'destroyed');
  t.same(await balanceDifferences(world.database), [], 'the balances kept by the database follow the movements');
});

t.test('a TransactionEvent DELETE naming objects never seen creates nothing', async (t) => {
  const { world, a, post, capture, lotOf } = await setup(t);
  t.match(await capture(a.key, [commissioned(MEAT, 100, 1)]), { success: true });
  const meat = await lotOf(MEAT);
  const lotsBefore = (await a.api.get('/lots')).body.items;
  const unknown = Array.from({ length: 5 }, (_, serial) => `urn:epc:id:sgtin:6901234.000001.${serial}`);

  const job = await capture(a.key, [
    transaction(2, 'DELETE', null, { epcList: unknown, quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }] }),
  ]);
  t.match(job, { success: true, captured: 1, errors: [] }, 'captured');
  const single = await post(a.key, '/epcis/events', {
    '@context': EPCIS_CONTEXT,
    ...transaction(3, 'DELETE', 'retail_selling', { parentID: 'urn:epc:id:sscc:6901234.0000000099', epcList: unknown.slice(0, 2) }),
  });
  t.equal(single.statusCode, 201, 'and on its own');

  t.same((await a.api.get('/lots')).body.items, lotsBefore, 'no lot or container comes into being, and none gains stock');
  t.same(await balanceDifferences(world.database), [], 'the balances kept by the database follow the movements');
  const one = (await a.api.get(`/epcis/events/${encodeURIComponent(single.json().eventID)}`)).body;
  t.match(one, {
    type: 'TransactionEvent',
    action: 'DELETE',
    parentID: 'urn:epc:id:sscc:6901234.0000000099',
    epcList: unknown.slice(0, 2),
  });
  const onMeat = (await a.api.get(`/events?lotCode=${meat}`)).body.items;
  t.equal(onMeat.length, 2, 'a known object it names is linked to it');
});

t.test('proceed: an event after a rejected one is judged by what was stored, as if the rejected one never happened', async (t) => {
  const { world, a, capture, lotOf } = await setup(t);
  const fresh = 'https://id.gs1.org/01/06901234000023/10/NEVER-MADE';
  const pack = 'urn:epc:id:sgtin:6901234.000002.7';
  const tag = 'urn:epc:id:sgtin:6901234.000002.8';
  const overdrawn = {
    type: 'TransformationEvent',
    ...at(2),
    inputQuantityList: [{ epcClass: MEAT, quantity: 250, uom: 'KGM' }],
    outputEPCList: [pack],
    outputQuantityList: [{ epcClass: fresh, quantity: 200, uom: 'KGM' }],
  };
  const disassociated = {
    type: 'TransactionEvent',
    ...at(3),
    action: 'DELETE',
    bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141000005:PO-7' }],
    epcList: [pack],
    quantityList: [
      { epcClass: fresh, quantity: 5, uom: 'KGM' },
      { epcClass: MEAT, quantity: 5, uom: 'KGM' },
    ],
  };
  // a commissioning no capture takes: only a recall marks lots recalled
  const recalledAdd = { type: 'ObjectEvent', ...at(3), action: 'ADD', bizStep: 'commissioning', disposition: 'recalled', epcList: [tag] };
  const seen = { type: 'ObjectEvent', ...at(4), action: 'OBSERVE', epcList: [tag, pack] };
  // a packing of more than there is into a pallet never seen, then its unpacking: a sighting of a pallet never seen
  const packing = (action: string, quantity: number) => ({
    type: 'AggregationEvent',
    ...at(4),
    action,
    parentID: PALLET,
    childQuantityList: [{ epcClass: MEAT, quantity, uom: 'KGM' }],
  });
  const job = await capture(
    a.key,
    [commissioned(MEAT, 100, 1), overdrawn, disassociated, recalledAdd, seen, packing('ADD', 500), packing('DELETE', 1)],
    'proceed',
  );
  t.match(job, { success: false, captured: 4 }, 'the transformation, the recalled commissioning and the packing are rejected');
  t.match(
    job.errors,
    [
      {
        eventIndex: 1,
        pointer: '/epcisBody/eventList/1/inputQuantityList/0/quantity',
        message: `event 1: only 100 KGM of ${MEAT} remain with ${a.code}; 250 requested`,
      },
      { eventIndex: 3, pointer: '/epcisBody/eventList/3/disposition', message: /^event 3: lots are recalled by opening a recall/ },
      {
        eventIndex: 5,
        pointer: '/epcisBody/eventList/5/childQuantityList/0/quantity',
        message: `event 5: only 100 KGM of ${MEAT} remain with ${a.code}; 500 requested`,
      },
    ],
    'each rejected event by its index and the rule it broke',
  );
  t.equal(job.errors.length, 3, 'and no other');

  const meat = await lotOf(MEAT);
  t.match((await a.lot(meat)).massBalance, { produced: 100, consumed: 0, onHand: 100 }, 'nothing of the transformation was booked');
  expectStatus(
    t,
    await world.regulator.get(`/trace/${encodeURIComponent(fresh)}?depth=0`),
    404,
    'its output never came into being, nor did the disassociation make it',
  );
  const onMeat = (await a.api.get(`/events?lotCode=${meat}`)).body.items;
  t.same(
    onMeat.map((event: { type: string }) => event.type),
    ['disaggregate', 'observe', 'commission'],
    'the disassociation and the unpacking are linked to the lot that exists',
  );
  const pallet = await a.lot(await lotOf(PALLET));
  t.equal(pallet.createdByEventId, job.eventIDs[3], 'the pallet came into being with the unpacking, the first stored event naming it');
  const sightedTag = await lotOf(tag);
  const sightedPack = await lotOf(pack);
  t.ok(sightedTag && sightedPack, 'the observation is the first event to name the tag and the pack that was stored: it creates them');
  t.same(
    (await a.api.get(`/events?lotCode=${sightedPack}`)).body.items.map((event: { type: string }) => event.type),
    ['observe'],
    'the pack is linked to the observation only',
  );
  t.same(await balanceDifferences(world.database), [], 'the balances kept by the database follow the movements');
});

t.test('proceed: a rejected event of a transformation joins none of its other events', async (t) => {
  const { world, a, capture, lotOf } = await setup(t);
  const SALT = 'https://id.gs1.org/01/06901234000030/10/SALT-1';
  const transformationID = 'urn:uuid:9f0a6c1e-0000-4000-8000-00000000c0de';
  const step = (input: string, quantity: number, output: string, day: number) => ({
    type: 'TransformationEvent',
    ...at(day),
    transformationID,
    inputQuantityList: [{ epcClass: input, quantity, uom: 'KGM' }],
    outputQuantityList: [{ epcClass: output, quantity: 1, uom: 'KGM' }],
  });
  const never = 'https://id.gs1.org/01/06901234000023/10/NEVER-CURED';
  const job = await capture(
    a.key,
    [commissioned(MEAT, 100, 1), commissioned(SALT, 5, 1), step(SALT, 50, never, 2), step(MEAT, 10, CURED, 3)],
    'proceed',
  );
  t.match(job, {
    success: false,
    captured: 3,
    errors: [{ eventIndex: 2, pointer: '/epcisBody/eventList/2/inputQuantityList/0/quantity' }],
  });
  expectStatus(
    t,
    await world.regulator.get(`/trace/${encodeURIComponent(never)}?depth=0`),
    404,
    'the rejected output never came into being',
  );
  const cured = await lotOf(CURED);
  const upstream = (await a.api.get(`/trace/${cured}?direction=backward`)).body;
  t.same(
    upstream.nodes.map((node: { code: string }) => node.code).sort(),
    [cured, await lotOf(MEAT)].sort(),
    'the other event of the transformation is made of what it took, not of what the rejected one named',
  );
  const [edges] = await queryRows<{ dangling: number }>(
    world.database.db,
    sql`select count(*)::int as dangling from lineage_edges e
      where not exists (select 1 from lots l where l.code = e.upstream_code) or not exists (select 1 from lots l where l.code = e.downstream_code)`,
  );
  t.equal(edges.dangling, 0, 'no lineage edge names a lot that does not exist');
});

/**
 * The lots of a chain, named by label: each event of `events` (labels standing for identifiers)
 * captured in the documents `split` cuts them into, then what came of it, labels for codes.
 */
async function capturedAs(
  { world, a, capture, lotOf }: Awaited<ReturnType<typeof setup>>,
  ids: Record<string, string>,
  events: object[],
  split: number[],
  behaviour: 'rollback' | 'proceed',
) {
  const named = (value: unknown): unknown =>
    JSON.parse(Object.entries(ids).reduce((text, [label, id]) => text.replaceAll(id, label), JSON.stringify(value)));
  const withIds = (event: object) =>
    JSON.parse(Object.entries(ids).reduce((text, [label, id]) => text.replaceAll(`"${label}"`, JSON.stringify(id)), JSON.stringify(event)));
  const errors: unknown[] = [];
  for (const [part, start] of split.entries()) {
    const job = await capture(a.key, events.slice(start, split[part + 1]).map(withIds), behaviour);
    for (const error of job.errors ?? []) {
      errors.push(named({ event: start + error.eventIndex, message: String(error.message).replace(/^event \d+: /, '') }));
    }
  }
  const codes = new Map<string, string>();
  for (const [label, id] of Object.entries(ids)) {
    const found = await world.regulator.get(`/trace/${encodeURIComponent(id)}?depth=0`);
    if (found.status === 200) codes.set(await lotOf(id), label);
  }
  const label = (code: string | null) => (code === null ? null : (codes.get(code) ?? code));
  const lots = await Promise.all(
    [...codes].map(async ([code, name]) => {
      const lot = (await world.regulator.get(`/lots/${code}`)).body;
      const events = (await world.regulator.get(`/events?lotCode=${code}`)).body.items;
      return { name, status: lot.status, holders: lot.holders.length, massBalance: lot.massBalance, events: events.length };
    }),
  );
  const edges = (
    await Promise.all(
      [...codes.keys()].map(async (code) => (await world.regulator.get(`/trace/${code}?direction=backward&depth=1`)).body.edges),
    )
  )
    .flat()
    .filter((edge: { kind: string }) => edge.kind === 'aggregate')
    .map((edge: { from: string; to: string; quantity: number; status: string | null }) =>
      JSON.stringify({ from: label(edge.from), to: label(edge.to), quantity: edge.quantity, status: edge.status }),
    );
  const balances = await queryRows<{ lotCode: string; containerCode: string | null; quantity: string }>(
    world.database.db,
    sql`select lot_code as "lotCode", container_code as "containerCode", quantity::text as quantity from lot_balances
      where lot_code = any(${sql.param([...codes.keys()])}::text[]) and quantity <> 0`,
  );
  return {
    errors,
    lots: lots.sort((x, y) => x.name.localeCompare(y.name)),
    edges: [...new Set(edges)].sort(),
    balances: balances.map((row) => `${label(row.lotCode)} in ${label(row.containerCode) ?? 'loose'}: ${Number(row.quantity)}`).sort(),
  };
}

t.test('an unpacking in the document that packed the pallet ends its packing as one captured later does', async (t) => {
  const context = await setup(t);
  const { world, a, b, capture } = context;
  let run = 0;
  /** Fresh identifiers for each capture of the chain (one world holds them all). */
  const fresh = () => {
    run++;
    return {
      MEAT: `https://id.gs1.org/01/06901234000016/10/MEAT-RUN-${run}`,
      PIECE: `urn:epc:id:sgtin:6901234.000002.${run}`,
      PALLET: `urn:epc:id:sscc:6901234.00000${String(run).padStart(5, '0')}`,
    };
  };
  const aggregation = (day: number, action: 'ADD' | 'DELETE', children: object = {}) => ({
    type: 'AggregationEvent',
    ...at(day),
    action,
    bizStep: action === 'ADD' ? 'packing' : 'unpacking',
    parentID: 'PALLET',
    ...children,
  });
  const made = [
    commissioned('MEAT', 100, 1),
    { type: 'ObjectEvent', ...at(1), action: 'ADD', bizStep: 'commissioning', epcList: ['PIECE'] },
  ];
  const packed = aggregation(2, 'ADD', { childEPCs: ['PIECE'], childQuantityList: [{ epcClass: 'MEAT', quantity: 40, uom: 'KGM' }] });
  // all of it loose again: only then may all 100 kg be destroyed
  const used = {
    type: 'ObjectEvent',
    ...at(5),
    action: 'DELETE',
    bizStep: 'destroying',
    quantityList: [{ epcClass: 'MEAT', quantity: 100, uom: 'KGM' }],
  };
  const chains: [string, object[], number, ('rollback' | 'proceed')[]][] = [
    [
      'packed, then unpacked in part and in full',
      [...made, packed, aggregation(3, 'DELETE', { childEPCs: ['PIECE'] }), aggregation(4, 'DELETE'), used],
      3,
      ['rollback', 'proceed'],
    ],
    ['packed, then unpacked', [...made, packed, aggregation(3, 'DELETE'), used], 3, ['rollback', 'proceed']],
    // what is no longer in the pallet cannot be unpacked from it again, in its own document either
    [
      'unpacked twice',
      [...made, packed, aggregation(3, 'DELETE', { childEPCs: ['PIECE'] }), aggregation(4, 'DELETE', { childEPCs: ['PIECE'] })],
      3,
      ['proceed'],
    ],
    ['unpacked when empty', [...made, packed, aggregation(3, 'DELETE'), aggregation(4, 'DELETE')], 3, ['rollback', 'proceed']],
    // an unpacking sent before the packing is a sighting of a pallet never seen; the packing fills it
    ['unpacked before it was packed', [...made, aggregation(3, 'DELETE'), packed], 3, ['rollback', 'proceed']],
    // dated before the pallet came into being: refused, in its own document or in a later one
    ['unpacked at a time before it was packed', [...made, packed, aggregation(1, 'DELETE')], 3, ['proceed']],
    // a packing of more than there is stores nothing: its unpacking is a sighting of a pallet never seen
    [
      'unpacked after a packing that was rejected',
      [
        ...made,
        aggregation(2, 'ADD', { childEPCs: ['PIECE'], childQuantityList: [{ epcClass: 'MEAT', quantity: 500, uom: 'KGM' }] }),
        aggregation(3, 'DELETE', { childEPCs: ['PIECE'] }),
      ],
      3,
      ['proceed'],
    ],
  ];
  for (const [what, events, cut, behaviours] of chains) {
    for (const behaviour of behaviours) {
      const apart = await capturedAs(context, fresh(), events, [0, cut], behaviour);
      const together = await capturedAs(context, fresh(), events, [0], behaviour);
      t.same(together, apart, `${what} (${behaviour}): one document comes to what two do`);
    }
  }
  const unpacked = await capturedAs(context, fresh(), chains[0][1], [0], 'proceed');
  t.same(unpacked.errors, [], 'every event of the first chain is captured');
  t.same(
    unpacked.edges,
    [
      JSON.stringify({ from: 'MEAT', to: 'PALLET', quantity: 40, status: 'unpacked' }),
      JSON.stringify({ from: 'PIECE', to: 'PALLET', quantity: 1, status: 'unpacked' }),
    ],
    'the packing edges are ended by the unpacking',
  );
  t.same(unpacked.balances, ['PALLET in loose: 1', 'PIECE in loose: 1'], 'nothing is left packed, and the meat was destroyed loose');
  const twice = await capturedAs(context, fresh(), chains[2][1], [0], 'proceed');
  t.match(twice.errors, [{ event: 4, message: /is not in container PALLET/ }], 'the second unpacking of the piece is refused');
  const late = await capturedAs(context, fresh(), chains[5][1], [0], 'proceed');
  t.match(late.errors, [{ event: 3, message: /^container PALLET came into being at .*; an event using it cannot be dated before that$/ }]);
  const lateApart = await capturedAs(context, fresh(), chains[5][1], [0, 3], 'rollback');
  const lateTogether = await capturedAs(context, fresh(), chains[5][1], [0], 'rollback');
  t.same(lateTogether.errors, lateApart.errors, 'rollback: it is refused alike in its own document');
  t.same(lateTogether.lots, [], 'and that document stores nothing');
  const rejected = await capturedAs(context, fresh(), chains[6][1], [0], 'proceed');
  t.match(
    rejected.lots.find((lot) => lot.name === 'PALLET'),
    { name: 'PALLET', status: 'active', holders: 1, massBalance: { produced: 1, onHand: 1 }, events: 1 },
    'after a packing that was rejected the unpacking brings the pallet into being, as a sighting',
  );

  // another party may no more unpack A's pallet in the document that fills it than in a later one
  const ids = fresh();
  const OWN = 'https://id.gs1.org/01/06901234000030/10/B-OWN-2';
  const packing = (epcClass: string) => ({
    ...aggregation(2, 'ADD', { childQuantityList: [{ epcClass, quantity: 1, uom: 'KGM' }] }),
    parentID: ids.PALLET,
  });
  t.match(await capture(a.key, [commissioned(ids.MEAT, 100, 1), packing(ids.MEAT)]), { success: true, captured: 2 });
  const foreign = await capture(b.key, [commissioned(OWN, 5, 1), packing(OWN), { ...aggregation(3, 'DELETE'), parentID: ids.PALLET }]);
  t.match(foreign, {
    captured: 1,
    errors: [
      { eventIndex: 1, pointer: '/epcisBody/eventList/1/parentID' },
      { eventIndex: 2, pointer: '/epcisBody/eventList/2/parentID' },
    ],
  });
  t.equal(foreign.errors[1].message, `event 2: party ${b.code} does not hold container ${ids.PALLET}; only its holder may unpack it`);
  const pallet = await context.lotOf(ids.PALLET);
  const edges = (await world.regulator.get(`/trace/${pallet}?direction=backward&depth=1`)).body.edges;
  t.same(
    edges.map((edge: { status: string | null }) => edge.status),
    [null],
    "A's packing stays open",
  );
  t.same(await balanceDifferences(world.database), [], 'the balances kept by the database follow the movements');
});

t.test('an EPCIS receipt takes the open shipment whose unreceived lines carry what it names', async (t) => {
  const { world, a, capture, lotOf } = await setup(t);
  const store = await world.party('cold_storage');
  const shipping = (day: number, lines: [string, number][]) => ({
    type: 'ObjectEvent',
    ...at(day),
    action: 'OBSERVE',
    bizStep: 'shipping',
    quantityList: lines.map(([epcClass, quantity]) => ({ epcClass, quantity, uom: 'KGM' })),
    destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
  });
  t.match(
    await capture(a.key, [
      commissioned(MEAT, 100, 1),
      commissioned(CURED, 50, 1),
      shipping(2, [
        [MEAT, 4],
        [CURED, 2],
      ]),
    ]),
    { success: true },
  );
  const [meat, cured] = [await lotOf(MEAT), await lotOf(CURED)];
  const first = (await store.api.get('/shipments')).body.items[0];
  // the store books in the meat of the first shipment and leaves the cured meat on it
  await world.ok(
    store.event({
      type: 'receive',
      eventTime: '2026-03-02T12:00:00+08:00',
      shipmentId: first.id,
      partial: true,
      lines: [{ lotCode: meat, quantity: 4 }],
    }),
  );
  t.match(await capture(a.key, [shipping(3, [[MEAT, 3]])]), { success: true }, 'a second shipment of the meat');
  t.match(
    await capture(store.key, [
      {
        type: 'ObjectEvent',
        ...at(4),
        action: 'OBSERVE',
        bizStep: 'receiving',
        quantityList: [{ epcClass: MEAT, quantity: 3, uom: 'KGM' }],
      },
    ]),
    { success: true },
  );
  const shipments = (await store.api.get('/shipments')).body.items as {
    id: string;
    status: string;
    lines: { lotCode: string; receivedQuantity: number | null }[];
  }[];
  const second = shipments.find((shipment) => shipment.id !== first.id);
  t.equal(second?.status, 'received', 'the shipment still carrying the meat is the one received');
  const stillOpen = shipments.find((shipment) => shipment.id === first.id);
  t.equal(stillOpen?.status, 'open', 'the first stays open: its meat was booked in before');
  t.equal(
    stillOpen?.lines.find((line) => line.lotCode === cured)?.receivedQuantity,
    null,
    'and its cured meat, which the receipt did not name, is not booked in',
  );
});

t.test('an EPCIS receipt books in only what it names, at the quantity it gives, a pallet with what is packed in it', async (t) => {
  const { world, a, capture, lotOf } = await setup(t);
  const store = await world.party('cold_storage');
  const toStore = [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }];
  const receiving = (day: number, fields: object) => ({
    type: 'ObjectEvent',
    ...at(day),
    action: 'OBSERVE',
    bizStep: 'receiving',
    ...fields,
  });
  type ShipmentLine = { lotCode: string; quantity: number; receivedQuantity: number | null };
  const shipments = async () => (await store.api.get('/shipments')).body.items as { id: string; status: string; lines: ShipmentLine[] }[];
  // lines come in no set order: sorted by lot code on both sides
  const booked = (lines: ShipmentLine[]) => lines.map((line) => [line.lotCode, line.receivedQuantity]);
  t.match(
    await capture(a.key, [
      commissioned(MEAT, 100, 1),
      commissioned(CURED, 50, 1),
      {
        type: 'ObjectEvent',
        ...at(2),
        action: 'OBSERVE',
        bizStep: 'shipping',
        quantityList: [
          { epcClass: MEAT, quantity: 4, uom: 'KGM' },
          { epcClass: CURED, quantity: 2, uom: 'KGM' },
        ],
        destinationList: toStore,
      },
    ]),
    { success: true },
  );
  const [meat, cured] = [await lotOf(MEAT), await lotOf(CURED)];

  const first = await capture(store.key, [receiving(3, { quantityList: [{ epcClass: MEAT, quantity: 4, uom: 'KGM' }] })]);
  t.match(first, { success: true, captured: 1 });
  let [shipment] = await shipments();
  t.equal(shipment.status, 'open', 'the shipment stays open while the cured meat is on its way');
  t.same(
    booked(shipment.lines).sort(),
    [
      [meat, 4],
      [cured, null],
    ].sort(),
    'only the meat the receipt names is booked in',
  );
  t.notOk(
    (await a.lot(cured)).holders.some((holder: { partyCode: string }) => holder.partyCode === store.code),
    'the store holds none of the cured meat',
  );

  const tooMuch = await capture(store.key, [receiving(4, { quantityList: [{ epcClass: CURED, quantity: 3, uom: 'KGM' }] })]);
  t.match(tooMuch, { captured: 0, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/quantityList/0/quantity' }] });
  t.match(tooMuch.errors[0].message, /but 2 were shipped/, 'more than was shipped is refused, as natively');

  t.match(await capture(store.key, [receiving(4, { quantityList: [{ epcClass: CURED, quantity: 1.5, uom: 'KGM' }] })]), {
    success: true,
    captured: 1,
  });
  [shipment] = await shipments();
  t.same(
    booked(shipment.lines).sort(),
    [
      [meat, 4],
      [cured, 1.5],
    ].sort(),
    'the cured meat is booked in at the quantity received',
  );
  t.equal(shipment.status, 'received', 'and the shipment is received once every line is');
  t.match((await store.lot(cured)).holders, [{ partyCode: store.code, onHand: 1.5 }]);

  // a pallet of meat and loose cured meat: a receipt naming the pallet takes it with its meat
  t.match(
    await capture(a.key, [
      packed(5, PALLET, MEAT, 30),
      {
        type: 'TransactionEvent',
        ...at(6),
        action: 'OBSERVE',
        bizStep: 'shipping',
        bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141000005:PO-2' }],
        parentID: PALLET,
        epcList: [],
        quantityList: [{ epcClass: CURED, quantity: 5, uom: 'KGM' }],
        destinationList: toStore,
      },
    ]),
    { success: true },
  );
  const pallet = await lotOf(PALLET);
  t.match(await capture(store.key, [receiving(7, { epcList: [PALLET] })]), { success: true, captured: 1 });
  const second = (await shipments()).find((candidate) => candidate.id !== shipment.id);
  t.equal(second?.status, 'open');
  t.same(
    booked(second?.lines ?? []).sort(),
    [
      [cured, null],
      [meat, 30],
      [pallet, 1],
    ].sort(),
    'the pallet and the meat packed in it are booked in, the loose cured meat is not',
  );
  t.match((await store.lot(meat)).holders, [{ partyCode: store.code, onHand: 34 }]);

  // naming only what travels packed brings in the pallet it came on, as at an entry gate
  const PALLET_2 = 'urn:epc:id:sscc:6901234.0000000024';
  t.match(
    await capture(a.key, [
      packed(8, PALLET_2, MEAT, 10),
      {
        type: 'TransactionEvent',
        ...at(8),
        action: 'OBSERVE',
        bizStep: 'shipping',
        bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141000005:PO-3' }],
        parentID: PALLET_2,
        epcList: [],
        destinationList: toStore,
      },
    ]),
    { success: true },
  );
  t.match(await capture(store.key, [receiving(9, { quantityList: [{ epcClass: MEAT, quantity: 10, uom: 'KGM' }] })]), {
    success: true,
    captured: 1,
  });
  const third = (await shipments()).find((candidate) =>
    candidate.lines.some((line) => line.lotCode !== pallet && line.lotCode !== meat && line.lotCode !== cured),
  );
  t.equal(third?.status, 'received', 'the receipt of the meat packed on the second pallet receives that pallet');
  t.match((await store.lot(meat)).holders, [{ partyCode: store.code, onHand: 44 }]);
  t.same(await balanceDifferences(world.database), [], 'the balances kept by the database follow the movements');
});
