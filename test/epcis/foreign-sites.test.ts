import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { completeGs1 } from '../../src/codes/gs1.js';
import { EPCIS_CONTEXT, epcisRequests, observation } from '../fixtures/epcis.js';
import { type Actor, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const item = (serial: number) => `https://id.gs1.org/01/06901234000030/21/${serial}`;

/** Operators A and B, each with a site under a GLN of prefix 6901234 (A's 00001, B's 00002) and a party GLN (A's). */
async function twoParties(t: Test) {
  const world = await createWorld(t);
  const site = async (actor: Actor, gln: string) =>
    (await world.ok(actor.api.post('/locations', { partyCode: actor.code, name: `site ${gln}`, kind: 'plant', regionCode: '500236', gln })))
      .code as string;
  const a = await world.party('farm');
  const b = await world.party('farm');
  const glnA = completeGs1('690123400001');
  const glnB = completeGs1('690123400002');
  const partyGlnA = completeGs1('690123400009');
  const siteA = await site(a, glnA);
  const siteB = await site(b, glnB);
  await world.database.db.execute(sql`update parties set gln = ${partyGlnA} where code = ${a.code}`);
  return { world, a, b, glnA, glnB, partyGlnA, siteA, siteB };
}

/** A's site, B's, in every spelling the service reads a site's GLN in, and by its URI here. */
function spellings(gln: string, code: string) {
  return {
    'a Digital Link': `https://id.gs1.org/414/${gln}`,
    'a Digital Link with an extension': `https://id.gs1.org/414/${gln}/254/7`,
    'an SGLN URN': `urn:epc:id:sgln:6901234.${gln.slice(7, 12)}.0`,
    'an SGLN-96 tag URI': `urn:epc:tag:sgln-96:0.6901234.${gln.slice(7, 12)}.0`,
    'its URI here': `${TEST_BASE_URL}/locations/${code}`,
  };
}

/**
 * How the native door refuses what an event names: another party's side (403 forbidden), or a site not of
 * the party it must be (403 foreign-location, at every field: a read point, a source, a destination).
 */
type Refusal = { status: 403; type: 'forbidden' } | { status: 403; type: 'foreign-location'; detail: string };
const FORBIDDEN: Refusal = { status: 403, type: 'forbidden' };
/** The refusal of a site not of `owner` (a readPoint, a `fromLocationCode`, a `toLocationCode`). */
const foreignLocation = (site: string, party: string, owner: string): Extract<Refusal, { type: 'foreign-location' }> => ({
  status: 403,
  type: 'foreign-location',
  detail: `location ${site} belongs to party ${party}, not ${owner}`,
});

/** Refused at both EPCIS doors, as the native door refuses it, at `pointer`; nothing stored. */
async function refusedAtBothDoors(
  t: Test,
  world: World,
  actor: Actor,
  event: Record<string, unknown>,
  pointer: string,
  what: string,
  refusal: Refusal = FORBIDDEN,
) {
  const single = await actor.api.post('/epcis/events', { '@context': EPCIS_CONTEXT, ...event });
  expectStatus(t, single, refusal.status, `POST /epcis/events: ${what}`);
  t.match(
    single.body,
    { type: `/problems/${refusal.type}`, ...('detail' in refusal && { detail: refusal.detail }) },
    `${what}: as natively`,
  );
  t.match(single.body.errors, [{ pointer }], `${what}: at its element`);
  const job = await epcisRequests(world).capture(actor.key, [event]);
  t.match(job, { success: false, captured: 0 }, `POST /epcis/capture: ${what}`);
  const message = 'detail' in refusal ? `event 0: ${refusal.detail}` : /may not record/;
  t.match(job.errors, [{ eventIndex: 0, pointer: `/epcisBody/eventList/0${pointer}`, message }]);
}

t.test('a read point or business location at another party’s registered site is refused as natively, in any spelling', async (t) => {
  const { world, a, b, glnA, glnB, siteA, siteB } = await twoParties(t);
  const lot = await b.commission(await b.product(), 5);
  const native = await b.event({ type: 'observe', lotCodes: [lot], bizLocation: siteA });
  const ofA = foreignLocation(siteA, a.code, b.code);
  t.match(expectStatus(t, native, 403, 'the native door refuses A’s site').body, {
    type: '/problems/foreign-location',
    detail: ofA.detail,
  });
  const own = (await world.ok(a.event({ type: 'commission', lots: [{ productCode: await a.product(), quantity: 5 }], bizLocation: siteA })))
    .event;

  let serial = 0;
  for (const [spelling, id] of Object.entries(spellings(glnA, siteA))) {
    await refusedAtBothDoors(
      t,
      world,
      b,
      observation(2, { epcList: [item(++serial)], bizLocation: { id } }),
      '/bizLocation/id',
      `A’s site as ${spelling} (bizLocation)`,
      ofA,
    );
    await refusedAtBothDoors(
      t,
      world,
      b,
      observation(2, { epcList: [item(++serial)], readPoint: { id }, bizLocation: { id: `https://id.gs1.org/414/${glnB}` } }),
      '/readPoint/id',
      `A’s site as ${spelling} (readPoint)`,
      ofA,
    );
  }
  const atA = await world.regulator.get(`/epcis/events?EQ_bizLocation=${encodeURIComponent(`https://id.gs1.org/414/${glnA}`)}`);
  t.same(
    atA.body.epcisBody.queryResults.resultsBody.eventList.map((event: { eventID: string }) => event.eventID),
    [`urn:uuid:${own.id}`],
    'at A’s site a regulator finds A’s own event, nothing of B’s',
  );
  const named = await world.regulator.get(`/trace/${encodeURIComponent(item(1))}`);
  t.equal(named.status, 404, 'nor the objects it named');

  for (const [spelling, id] of Object.entries(spellings(glnB, siteB))) {
    const single = await b.api.post('/epcis/events', {
      '@context': EPCIS_CONTEXT,
      ...observation(2, { epcList: [item(++serial)], readPoint: { id }, bizLocation: { id } }),
    });
    expectStatus(t, single, 201, `B’s own site as ${spelling}: POST /epcis/events`);
    const job = await epcisRequests(world).capture(b.key, [
      observation(3, { epcList: [item(++serial)], readPoint: { id }, bizLocation: { id } }),
    ]);
    t.match(job, { success: true, captured: 1 }, `B’s own site as ${spelling}: POST /epcis/capture`);
  }
  const free = await b.api.post('/epcis/events', {
    '@context': EPCIS_CONTEXT,
    ...observation(2, {
      epcList: [item(++serial)],
      readPoint: { id: `https://id.gs1.org/414/${completeGs1('690123400008')}` },
      bizLocation: { id: 'urn:example:dock:7' },
    }),
  });
  expectStatus(t, free, 201, 'a GLN no site is registered under, and any other URI, stay free');
});

t.test('a shipment’s source and a receipt’s destination are the capturing party’s own; the other side is the counterparty', async (t) => {
  const { world, a, b, glnA, partyGlnA, siteA, siteB } = await twoParties(t);
  const partyA = `${TEST_BASE_URL}/parties/${a.code}`;
  const partyB = `${TEST_BASE_URL}/parties/${b.code}`;
  const shipping = (serial: number, fields: object) => observation(2, { epcList: [item(serial)], bizStep: 'shipping', ...fields });
  const receiving = (serial: number, fields: object) => observation(2, { epcList: [item(serial)], bizStep: 'receiving', ...fields });
  // a shipment from another party's site is refused as the native door refuses its fromLocationCode
  const lot = await b.commission(await b.product(), 5);
  const native = await b.event({ type: 'ship', toPartyCode: a.code, fromLocationCode: siteA, lines: [{ lotCode: lot, quantity: 1 }] });
  const fromA = foreignLocation(siteA, a.code, b.code);
  expectStatus(t, native, 403, 'the native door refuses a shipment from A’s site');
  t.match(native.body, { type: '/problems/foreign-location', detail: fromA.detail });
  const claims: [string, string, string, Refusal][] = [
    ['owning_party', partyA, 'A by its URI here', FORBIDDEN],
    ['owning_party', `https://id.gs1.org/417/${partyGlnA}`, 'A by its party GLN', FORBIDDEN],
    ['possessing_party', partyA, 'A as possessing party', FORBIDDEN],
    ['location', `https://id.gs1.org/414/${glnA}`, 'A’s site by its GLN', fromA],
    ['location', `${TEST_BASE_URL}/locations/${siteA}`, 'A’s site by its URI here', fromA],
  ];
  let serial = 100;
  for (const [type, id, what, asShipped] of claims) {
    await refusedAtBothDoors(
      t,
      world,
      b,
      shipping(++serial, { sourceList: [{ type: `https://ref.gs1.org/cbv/SDT-${type}`, source: id }] }),
      '/sourceList/0/source',
      `B ships as ${what}`,
      asShipped,
    );
    await refusedAtBothDoors(
      t,
      world,
      b,
      receiving(++serial, { destinationList: [{ type, destination: id }] }),
      '/destinationList/0/destination',
      `B receives as ${what}`,
      asShipped,
    );
  }
  const bySource = await world.regulator.get(`/epcis/events?EQ_source_owning_party=${encodeURIComponent(partyA)}`);
  t.same(bySource.body.epcisBody.queryResults.resultsBody.eventList, [], 'nothing of B’s is found as A’s');

  const own = await b.api.post('/epcis/events', {
    '@context': EPCIS_CONTEXT,
    ...shipping(++serial, {
      sourceList: [
        { type: 'owning_party', source: partyB },
        { type: 'location', source: `${TEST_BASE_URL}/locations/${siteB}` },
      ],
      destinationList: [{ type: 'location', destination: `https://id.gs1.org/414/${glnA}` }],
    }),
  });
  expectStatus(t, own, 201, 'B ships from itself, to A’s site');
  const received = await b.api.post('/epcis/events', {
    '@context': EPCIS_CONTEXT,
    ...receiving(++serial, {
      sourceList: [
        { type: 'owning_party', source: partyA },
        { type: 'location', source: `https://id.gs1.org/414/${glnA}` },
      ],
      destinationList: [{ type: 'owning_party', destination: partyB }],
    }),
  });
  expectStatus(t, received, 201, 'B receives from A, naming A as the source');
  const job = await epcisRequests(world).capture(b.key, [
    receiving(++serial, { sourceList: [{ type: 'owning_party', source: partyA }] }),
    shipping(++serial, { sourceList: [{ type: 'owning_party', source: 'urn:example:party:9' }] }),
  ]);
  t.match(job, { success: true, captured: 2 }, 'in a document too; a party not registered here stays free');
});

t.test('a shipment’s destination site belongs to the party it names as addressee, as a native toLocationCode does', async (t) => {
  const { world, a, b, glnA, glnB, partyGlnA, siteA, siteB } = await twoParties(t);
  const c = await world.party('farm');
  const siteC = await c.location();
  const partyA = `${TEST_BASE_URL}/parties/${a.code}`;
  const partyC = `${TEST_BASE_URL}/parties/${c.code}`;
  const lot = await b.commission(await b.product(), 5);
  const native = await b.event({ type: 'ship', toPartyCode: a.code, toLocationCode: siteC, lines: [{ lotCode: lot, quantity: 1 }] });
  const notOfA = foreignLocation(siteC, c.code, a.code);
  expectStatus(t, native, 403, 'the native door refuses a shipment to A at C’s site');
  t.match(native.body, { type: '/problems/foreign-location', detail: notOfA.detail });

  let serial = 200;
  const shipping = (destinationList: object[]) => observation(2, { epcList: [item(++serial)], bizStep: 'shipping', destinationList });
  await refusedAtBothDoors(
    t,
    world,
    b,
    shipping([
      { type: 'owning_party', destination: partyA },
      { type: 'location', destination: `${TEST_BASE_URL}/locations/${siteC}` },
    ]),
    '/destinationList/1/destination',
    'to A, at C’s site by its URI here',
    notOfA,
  );
  await refusedAtBothDoors(
    t,
    world,
    b,
    shipping([
      { type: 'location', destination: `https://id.gs1.org/414/${glnB}` },
      { type: 'https://ref.gs1.org/cbv/SDT-possessing_party', destination: `https://id.gs1.org/417/${partyGlnA}` },
    ]),
    '/destinationList/0/destination',
    'to A by its party GLN, at B’s own site by its GLN',
    foreignLocation(siteB, b.code, a.code),
  );

  const accepted: [object[], string][] = [
    [
      [
        { type: 'owning_party', destination: partyA },
        { type: 'location', destination: `https://id.gs1.org/414/${glnA}` },
      ],
      'to A at A’s site',
    ],
    [
      [
        { type: 'owning_party', destination: partyA },
        { type: 'possessing_party', destination: partyC },
        { type: 'location', destination: `${TEST_BASE_URL}/locations/${siteC}` },
      ],
      'owned by A, held by C at C’s site',
    ],
    [[{ type: 'location', destination: `${TEST_BASE_URL}/locations/${siteC}` }], 'to C’s site, no party named'],
    [[{ type: 'owning_party', destination: partyC }], 'to C, no site named'],
    [
      [
        { type: 'owning_party', destination: 'urn:example:party:9' },
        { type: 'location', destination: `${TEST_BASE_URL}/locations/${siteA}` },
      ],
      'to a party not registered here, at A’s site',
    ],
  ];
  for (const [destinationList, what] of accepted) {
    const single = await b.api.post('/epcis/events', { '@context': EPCIS_CONTEXT, ...shipping(destinationList) });
    expectStatus(t, single, 201, `${what}: POST /epcis/events`);
    const job = await epcisRequests(world).capture(b.key, [shipping(destinationList)]);
    t.match(job, { success: true, captured: 1 }, `${what}: POST /epcis/capture`);
  }
});
