// A receipt early in an EPCIS document captured with rollback takes its shipment's lines before the
// events after it are judged: a later event of the document naming a lot of that shipment reads the
// shipment as two documents sent one after the other would, and the two leave the same stored result.
// Under proceed the plan cannot know whether the writer will refuse the receipt, so a later event
// still reads the shipment as it stood before the document: in the cases below it is refused where
// the second document records it as a sighting (the stock is the same; the sighting is not stored).
import { epcisRequests, traced } from '../fixtures/epcis.js';
import { type Actor, createWorld, type World } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const when = (day: number) => ({ eventTime: `2026-03-0${day}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
const uri = (code: string) => `${TEST_BASE_URL}/lots/${code}`;

type Parties = { plant: Actor; store: Actor; shop: Actor };
type Shipped = { first: string; second: string; packed: string; sscc: string };

/**
 * A shipment from the plant to the store of 4 of a first lot and 6 of a second, both loose, and a
 * pallet (SSCC) holding 2 of a third lot, which travels only packed.
 */
async function shipped(world: World, { plant, store }: Parties, serial: number): Promise<Shipped> {
  const { capture } = epcisRequests(world);
  const product = await plant.product('piece');
  const first = await plant.commission(product, 10);
  const second = await plant.commission(product, 10);
  const packed = await plant.commission(product, 10);
  const sscc = `urn:epc:id:sscc:6901234.00000${String(serial).padStart(5, '0')}`;
  const job = await capture(plant.key, [
    {
      type: 'AggregationEvent',
      ...when(2),
      action: 'ADD',
      bizStep: 'packing',
      parentID: sscc,
      childQuantityList: [{ epcClass: uri(packed), quantity: 2, uom: 'H87' }],
    },
    {
      type: 'ObjectEvent',
      ...when(3),
      action: 'OBSERVE',
      bizStep: 'shipping',
      epcList: [sscc],
      quantityList: [
        { epcClass: uri(first), quantity: 4, uom: 'H87' },
        { epcClass: uri(second), quantity: 6, uom: 'H87' },
      ],
      destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
    },
  ]);
  if (job?.success !== true) throw new Error(`the shipment was not captured: ${JSON.stringify(job)}`);
  return { first, second, packed, sscc };
}

const receipt = (day: number, fields: object) => ({
  type: 'ObjectEvent',
  ...when(day),
  action: 'OBSERVE',
  bizStep: 'receiving',
  ...fields,
});

/**
 * Each case: the store's two events, made for a fresh shipment; `proceedRefusesSecond`: under
 * proceed the second event reads what the first booked in as still on its way, and is refused.
 */
const cases: { name: string; events: (lots: Shipped, parties: Parties) => object[]; proceedRefusesSecond?: true }[] = [
  {
    name: 'a receipt of the first lot, then one of the second lot of the same shipment',
    events: ({ first, second }) => [
      receipt(4, { quantityList: [{ epcClass: uri(first), quantity: 4, uom: 'H87' }] }),
      receipt(5, { quantityList: [{ epcClass: uri(second), quantity: 6, uom: 'H87' }] }),
    ],
  },
  {
    name: 'a receipt of the whole shipment, then the first lot shipped onward',
    events: ({ first, second, sscc }, { shop }) => [
      receipt(4, {
        epcList: [sscc],
        quantityList: [
          { epcClass: uri(first), quantity: 4, uom: 'H87' },
          { epcClass: uri(second), quantity: 6, uom: 'H87' },
        ],
      }),
      {
        type: 'ObjectEvent',
        ...when(5),
        action: 'OBSERVE',
        bizStep: 'shipping',
        quantityList: [{ epcClass: uri(first), quantity: 3, uom: 'H87' }],
        destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${shop.code}` }],
      },
    ],
  },
  {
    name: 'a receipt of the whole shipment, then the same receipt again (a duplicate)',
    events: ({ first, second, sscc }) => {
      const whole = receipt(4, {
        epcList: [sscc],
        quantityList: [
          { epcClass: uri(first), quantity: 4, uom: 'H87' },
          { epcClass: uri(second), quantity: 6, uom: 'H87' },
        ],
      });
      return [whole, whole];
    },
  },
  {
    name: 'a receipt of the whole shipment, then the same lots received again a day later',
    proceedRefusesSecond: true,
    events: ({ first, second, sscc }) => [
      receipt(4, {
        epcList: [sscc],
        quantityList: [
          { epcClass: uri(first), quantity: 4, uom: 'H87' },
          { epcClass: uri(second), quantity: 6, uom: 'H87' },
        ],
      }),
      receipt(5, { quantityList: [{ epcClass: uri(first), quantity: 4, uom: 'H87' }] }),
    ],
  },
  {
    name: 'a receipt of the pallet, then the lot packed in it received',
    proceedRefusesSecond: true,
    events: ({ packed, sscc }) => [
      receipt(4, { epcList: [sscc] }),
      receipt(5, { quantityList: [{ epcClass: uri(packed), quantity: 2, uom: 'H87' }] }),
    ],
  },
];

/** The outcome of each event (captured, duplicate or the refusal's message), with this run's codes named by role. */
type Job = { captured: number; duplicates: number; errors: { eventIndex: number; message: string }[] };

/** What the API shows of the lots, the pallet and the shipment, with this run's codes named by role so runs compare. */
async function standing({ plant, store, shop }: Parties, { first, second, packed, sscc }: Shipped) {
  const pallet = (await traced(plant.api, sscc)).code as string;
  const lot = async (code: string) => {
    const read = await plant.lot(code);
    return { holders: read.holders, massBalance: read.massBalance, status: read.status };
  };
  const shipments = (await plant.api.get('/shipments')).body.items
    .filter((shipment: { lines: { lotCode: string }[] }) =>
      shipment.lines.some((line) => [first, second, packed, pallet].includes(line.lotCode)),
    )
    .map(({ status, toPartyCode, lines }: Record<string, unknown>) => ({ status, toPartyCode, lines }));
  const seen = { first: await lot(first), second: await lot(second), packed: await lot(packed), pallet: await lot(pallet), shipments };
  const roles: [string, string][] = [
    [first, 'first'],
    [second, 'second'],
    [packed, 'packed'],
    [pallet, 'pallet'],
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

for (const [number, { name, events, proceedRefusesSecond }] of cases.entries()) {
  t.test(`${name}: one document as two`, async (t) => {
    const world = await createWorld(t);
    const parties = {
      plant: await world.party('processor'),
      store: await world.party('cold_storage'),
      shop: await world.party('retailer'),
    };
    const { capture } = epcisRequests(world);
    const serial = number * 10;

    const apart = await shipped(world, parties, serial + 1);
    const [firstEvent, secondEvent] = events(apart, parties);
    const firstJob = await capture(parties.store.key, [firstEvent]);
    t.match(firstJob, { success: true, captured: 1 }, 'two documents: the first event');
    const secondJob = await capture(parties.store.key, [secondEvent]);
    const expected = await standing(parties, apart);
    // the two documents' outcomes as one document's: the second's refusals at its place in the document
    const apartOutcome = outcomes([firstJob, secondJob], apart);
    const expectedOutcome = {
      captured: apartOutcome[0].captured + apartOutcome[1].captured,
      duplicates: apartOutcome[0].duplicates + apartOutcome[1].duplicates,
      errors: apartOutcome[1].errors.map((error) => ({ ...error, eventIndex: 1 })),
    };

    for (const [offset, behaviour] of [
      [2, 'proceed'],
      [3, 'rollback'],
    ] as const) {
      const together = await shipped(world, parties, serial + offset);
      const job = await capture(parties.store.key, events(together, parties), behaviour);
      const [outcome] = outcomes([job], together);
      if (behaviour === 'proceed' && proceedRefusesSecond) {
        t.match(
          outcome,
          { captured: 1, duplicates: 0, errors: [{ eventIndex: 1, message: /received/ }] },
          `${behaviour}: the receipt captured, the event naming what it booked in refused`,
        );
        t.equal(outcome.errors.length, 1, `${behaviour}: that event only`);
        t.same(
          await standing(parties, together),
          expected,
          `${behaviour}: the stock as the two documents left it (their sighting moved nothing)`,
        );
      } else if (behaviour === 'proceed' || expectedOutcome.errors.length === 0) {
        t.same(outcome, expectedOutcome, `${behaviour}: each event as the two documents captured it`);
        t.same(await standing(parties, together), expected, `${behaviour}: as the two documents left it`);
      } else {
        // rollback: the second document's refusal takes the first event back with it
        t.same(outcome.errors, expectedOutcome.errors, `${behaviour}: refused as the second document was`);
        t.equal(outcome.captured, 0, `${behaviour}: nothing captured`);
      }
    }
  });
}
