// A receipt early in an EPCIS document takes its shipment's lines before the events after it are
// judged: a later event of the document naming a lot of that shipment reads the shipment as documents
// sent one after the other would, and they leave the same stored result. Under rollback each receipt
// of the plan takes its lines; under proceed (where the writer may refuse the receipt, which the plan
// cannot know) the events after a receipt that a later receipt of the shipment's lots follows are
// planned again once it is stored.
import { epcisRequests, traced } from '../fixtures/epcis.js';
import { type Actor, createWorld, type World } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const when = (day: number) => ({ eventTime: `2026-03-0${day}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
const uri = (code: string) => `${TEST_BASE_URL}/lots/${code}`;
/** `quantity` pieces of a lot, as a quantityList names them. */
const pieces = (lot: string, quantity: number) => ({ epcClass: uri(lot), quantity, uom: 'H87' });
/** Packing into `parentID`, on the shipment's packing day. */
const packing = (parentID: string, children: object) => ({
  type: 'AggregationEvent',
  ...when(2),
  action: 'ADD',
  bizStep: 'packing',
  parentID,
  ...children,
});
/** Shipping to a party, at the time given. */
const shipping = (time: object, to: Actor, fields: object) => ({
  type: 'ObjectEvent',
  ...time,
  action: 'OBSERVE',
  bizStep: 'shipping',
  ...fields,
  destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${to.code}` }],
});

type Parties = { plant: Actor; store: Actor; shop: Actor };
type Shipped = { first: string; second: string; packed: string; sscc: string; box?: string };
/** What a case's shipment holds beyond the usual: `again`, a second shipment of the first lot; `nested`, a box on the pallet. */
type Extras = { again?: true; nested?: true };

/**
 * A shipment from the plant to the store of 4 of a first lot and 6 of a second, both loose, and a
 * pallet (SSCC) holding 2 of a third lot, which travels only packed (`nested`: in a box, an SSCC of
 * its own, on the pallet). `again`: then a second shipment to the store, of 3 more of the first lot.
 */
async function shipped(world: World, { plant, store }: Parties, serial: number, extras: Extras = {}): Promise<Shipped> {
  const { capture } = epcisRequests(world);
  const product = await plant.product('piece');
  const first = await plant.commission(product, 10);
  const second = await plant.commission(product, 10);
  const packed = await plant.commission(product, 10);
  const ssccOf = (offset: number) => `urn:epc:id:sscc:6901234.00000${String(serial * 2 + offset).padStart(5, '0')}`;
  const sscc = ssccOf(0);
  const box = extras.nested ? ssccOf(1) : undefined;
  const job = await capture(plant.key, [
    ...(box
      ? [packing(box, { childQuantityList: [pieces(packed, 2)] }), packing(sscc, { childEPCs: [box] })]
      : [packing(sscc, { childQuantityList: [pieces(packed, 2)] })]),
    shipping(when(3), store, { epcList: [sscc], quantityList: [pieces(first, 4), pieces(second, 6)] }),
    ...(extras.again
      ? [
          shipping({ eventTime: '2026-03-03T10:00:00+08:00', eventTimeZoneOffset: '+08:00' }, store, {
            quantityList: [pieces(first, 3)],
          }),
        ]
      : []),
  ]);
  if (job?.success !== true) throw new Error(`the shipment was not captured: ${JSON.stringify(job)}`);
  return { first, second, packed, sscc, ...(box ? { box } : {}) };
}

const receipt = (day: number, fields: object) => ({
  type: 'ObjectEvent',
  ...when(day),
  action: 'OBSERVE',
  bizStep: 'receiving',
  ...fields,
});

const onward = (day: number, lot: string, quantity: number, { shop }: Parties) =>
  shipping(when(day), shop, { quantityList: [pieces(lot, quantity)] });

/** A receipt of the whole shipment: the pallet and both loose lots. */
const wholeShipment = ({ first, second, sscc }: Shipped) =>
  receipt(4, { epcList: [sscc], quantityList: [pieces(first, 4), pieces(second, 6)] });

/** Each case: the store's events, made for a fresh shipment (with `extras`, see shipped). */
const cases: { name: string; extras?: Extras; firstRefused?: true; events: (lots: Shipped, parties: Parties) => object[] }[] = [
  {
    name: 'a receipt of the first lot, then one of the second lot of the same shipment',
    events: ({ first, second }) => [receipt(4, { quantityList: [pieces(first, 4)] }), receipt(5, { quantityList: [pieces(second, 6)] })],
  },
  {
    name: 'a receipt of the whole shipment, then the first lot shipped onward',
    events: (lots, parties) => [wholeShipment(lots), onward(5, lots.first, 3, parties)],
  },
  {
    name: 'a receipt of the whole shipment, then the same receipt again (a duplicate)',
    events: (lots) => [wholeShipment(lots), wholeShipment(lots)],
  },
  {
    name: 'a receipt of the whole shipment, then the same lots received again a day later',
    events: (lots) => [wholeShipment(lots), receipt(5, { quantityList: [pieces(lots.first, 4)] })],
  },
  {
    name: 'a receipt of the pallet, then the lot packed in it received',
    events: ({ packed, sscc }) => [receipt(4, { epcList: [sscc] }), receipt(5, { quantityList: [pieces(packed, 2)] })],
  },
  {
    name: 'two shipments of the first lot: a receipt of the first lot, then another one of it',
    extras: { again: true },
    events: ({ first }) => [receipt(4, { quantityList: [pieces(first, 4)] }), receipt(5, { quantityList: [pieces(first, 3)] })],
  },
  {
    name: 'two shipments of the first lot: part of it received, then more of it',
    extras: { again: true },
    events: ({ first }) => [receipt(4, { quantityList: [pieces(first, 2)] }), receipt(5, { quantityList: [pieces(first, 3)] })],
  },
  {
    name: 'two shipments of the first lot: received, part of it shipped onward, then received again',
    extras: { again: true },
    events: ({ first }, parties) => [
      receipt(4, { quantityList: [pieces(first, 4)] }),
      onward(5, first, 3, parties),
      receipt(6, { quantityList: [pieces(first, 3)] }),
    ],
  },
  {
    name: 'a receipt of the lot packed on the pallet (the pallet with it), then the pallet received',
    events: ({ packed, sscc }) => [receipt(4, { quantityList: [pieces(packed, 2)] }), receipt(5, { epcList: [sscc] })],
  },
  {
    name: 'a box on the pallet received (the pallet with it), then the pallet',
    extras: { nested: true },
    events: ({ box, sscc }) => [receipt(4, { epcList: [box as string] }), receipt(5, { epcList: [sscc] })],
  },
  {
    name: 'a box on the pallet received, then the pallet, then the lot in the box',
    extras: { nested: true },
    events: ({ box, packed, sscc }) => [
      receipt(4, { epcList: [box as string] }),
      receipt(5, { epcList: [sscc] }),
      receipt(6, { quantityList: [pieces(packed, 2)] }),
    ],
  },
  {
    name: 'a receipt refused (more than was shipped), then the lot received',
    firstRefused: true,
    events: ({ first }) => [receipt(4, { quantityList: [pieces(first, 5)] }), receipt(5, { quantityList: [pieces(first, 4)] })],
  },
];

/** The outcome of each event (captured, duplicate or the refusal's message), with this run's codes named by role. */
type Job = { captured: number; duplicates: number; errors: { eventIndex: number; message: string }[] };

/** What the API shows of the lots, the pallet and the shipment, with this run's codes named by role so runs compare. */
async function standing({ plant, store, shop }: Parties, { first, second, packed, sscc, box: boxId }: Shipped) {
  const pallet = (await traced(plant.api, sscc)).code as string;
  const box = boxId ? ((await traced(plant.api, boxId)).code as string) : undefined;
  const lot = async (code: string) => {
    const read = await plant.lot(code);
    return { holders: read.holders, massBalance: read.massBalance, status: read.status };
  };
  const codes = [first, second, packed, pallet, ...(box ? [box] : [])];
  const shipmentsOf = async (party: Actor) =>
    (await party.api.get('/shipments')).body.items
      .filter((shipment: { lines: { lotCode: string }[] }) => shipment.lines.some((line) => codes.includes(line.lotCode)))
      .map(({ status, fromPartyCode, toPartyCode, lines }: Record<string, unknown>) => ({ status, fromPartyCode, toPartyCode, lines }));
  const seen = {
    first: await lot(first),
    second: await lot(second),
    packed: await lot(packed),
    pallet: await lot(pallet),
    ...(box ? { box: await lot(box) } : {}),
    shipments: await shipmentsOf(plant),
    onward: await shipmentsOf(store),
  };
  const roles: [string, string][] = [
    [first, 'first'],
    [second, 'second'],
    [packed, 'packed'],
    [pallet, 'pallet'],
    ...(box ? [[box, 'box'] as [string, string]] : []),
    [plant.code, 'plant'],
    [store.code, 'store'],
    [shop.code, 'shop'],
  ];
  return JSON.parse(roles.reduce((text, [code, role]) => text.replaceAll(code, role), JSON.stringify(seen)));
}

const outcomes = (jobs: Job[], roles: Shipped) =>
  jobs.map((job) => ({
    captured: job.captured,
    duplicates: job.duplicates,
    errors: job.errors.map(({ eventIndex, message }) => ({
      eventIndex,
      message: message.replaceAll(roles.first, 'first').replaceAll(roles.second, 'second').replaceAll(roles.packed, 'packed'),
    })),
  }));

for (const [number, { name, extras, firstRefused, events }] of cases.entries()) {
  t.test(`${name}: one document as one document per event`, async (t) => {
    const world = await createWorld(t);
    const parties = {
      plant: await world.party('processor'),
      store: await world.party('cold_storage'),
      shop: await world.party('retailer'),
    };
    const { capture } = epcisRequests(world);
    const serial = number * 10;

    const apart = await shipped(world, parties, serial + 1, extras);
    const jobs: Job[] = [];
    for (const event of events(apart, parties)) jobs.push(await capture(parties.store.key, [event]));
    t.match(
      jobs[0],
      firstRefused ? { captured: 0, errors: [{ eventIndex: 0 }] } : { success: true, captured: 1 },
      'a document each: the first event',
    );
    const expected = await standing(parties, apart);
    // the documents' outcomes as one document's: each one's refusals at its event's place in the document
    const apartOutcome = outcomes(jobs, apart);
    const expectedOutcome = {
      captured: apartOutcome.reduce((sum, job) => sum + job.captured, 0),
      duplicates: apartOutcome.reduce((sum, job) => sum + job.duplicates, 0),
      errors: apartOutcome.flatMap((job, eventIndex) => job.errors.map((error) => ({ ...error, eventIndex }))),
    };

    for (const [offset, behaviour] of [
      [2, 'proceed'],
      [3, 'rollback'],
    ] as const) {
      const together = await shipped(world, parties, serial + offset, extras);
      const job = await capture(parties.store.key, events(together, parties), behaviour);
      const [outcome] = outcomes([job], together);
      if (behaviour === 'proceed' || expectedOutcome.errors.length === 0) {
        t.same(outcome, expectedOutcome, `${behaviour}: each event as the documents captured it`);
        t.same(await standing(parties, together), expected, `${behaviour}: as the documents left it`);
      } else {
        // rollback: a later document's refusal takes the events before it back with it
        t.same(outcome.errors, expectedOutcome.errors.slice(0, 1), `${behaviour}: refused as the first document refusing was`);
        t.equal(outcome.captured, 0, `${behaviour}: nothing captured`);
      }
    }
  });
}
