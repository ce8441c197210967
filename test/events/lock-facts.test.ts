// What a write reads of the lots it locks, when another write held one of them meanwhile, on
// PostgreSQL (PGlite runs one transaction at a time). The locking statement waits for the other
// write and locks the lot as that write left it, but it reads the lot's events as they were when
// it began: a recall, a making or a use the other write stored is then read again. A write of the
// test's own holds a lot the other write locks after the shared one, so they meet in one order. A
// correction judges the lots it corrects by the makings and uses it reads once it holds them.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import type { WriteRequest } from '../../src/events/writer/index.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { EPCIS_CONTEXT, epcisRequests } from '../fixtures/epcis.js';
import { holdLocked, recallRace, waitersReach } from '../fixtures/locks.js';
import { createWorld, expectStatus, type World } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

/** One write through the writer in a transaction of its own: its outcome, or what it threw. */
function writeAlone(world: World, request: WriteRequest) {
  const writer = eventWriterOn(world.database);
  return world.database.db
    .transaction((tx) => writer.write(tx as never, [request], 'proceed'))
    .then(([outcome]) => outcome)
    .catch((error: Error) => String(error.cause ?? error));
}

/**
 * `first` is written while the lot the test holds (`held`, locked after the shared lot) keeps it
 * waiting, holding the shared lot; `second` then waits for the shared lot behind it. Their answers.
 */
async function secondWaitsForFirst<A, B>(world: World, held: string, first: () => Promise<A>, second: () => Promise<B>) {
  const hold = await holdLocked(world, sql`select 1 from lots where code = ${held} for update`);
  const firstSent = first();
  await waitersReach(world, 1, firstSent);
  const secondSent = second();
  await waitersReach(world, 2, secondSent);
  hold.release();
  await hold.done;
  return [await firstSent, await secondSent] as const;
}

t.test('a sale waiting for a second recall of a recalled lot is refused naming both recalls (PostgreSQL)', onPostgres, async (t) => {
  const { world, regulator, plant, kg } = await recallRace(t);
  // the second recall locks its roots in code order: it holds the lot sold while it waits for the other
  const [sold, held] = [await plant.commission(kg, 10), await plant.commission(kg, 10)].sort();
  const first = expectStatus(
    t,
    await regulator.post('/recalls', { lotCodes: [sold], level: 2, reason: '检出致病菌', hazard: '沙门氏菌' }),
    201,
    'the first recall is opened',
  ).body;

  const [opened, sale] = await secondWaitsForFirst(
    world,
    held,
    () => regulator.post('/recalls', { lotCodes: [sold, held], level: 1, reason: '非洲猪瘟', hazard: 'ASFV' }),
    () =>
      writeAlone(world, {
        actor: plant.code,
        action: { type: 'sell', lines: [{ lotCode: sold, quantity: 1 }] },
        context: { eventTime: new Date().toISOString() },
      }),
  );
  const second = expectStatus(t, opened, 201, 'the second recall is opened').body;
  t.match(
    sale,
    {
      ok: false,
      problem: {
        status: 422,
        slug: 'recalled-lot',
        detail: `lot ${sold} is recalled (recall ${first.id}, ${second.id}); nobody may sell it`,
      },
    },
    'the sale is refused naming the recall stored while it waited too',
  );
  t.match((await plant.lot(sold)).massBalance, { sold: 0 }, 'nothing of it sold');
});

/** An EPCIS class: lot `name` of one GTIN. */
const lotClass = (name: string) => `https://id.gs1.org/01/06901234000016/10/${name}`;
const at = (hour: number) => ({ eventTime: `2026-03-05T${String(hour).padStart(2, '0')}:00:00+08:00`, eventTimeZoneOffset: '+08:00' });

/** Two lots the plant's EPCIS sighting names (a sighting makes nothing), in code order. */
async function sightedLots(world: World, plantKey: string, prefix: string): Promise<[string, string]> {
  const classes = [lotClass(`${prefix}-A`), lotClass(`${prefix}-B`)];
  const sighting = {
    type: 'ObjectEvent',
    ...at(6),
    action: 'OBSERVE',
    quantityList: classes.map((epcClass) => ({ epcClass, quantity: 1, uom: 'KGM' })),
  };
  t.match(await epcisRequests(world).capture(plantKey, [sighting]), { success: true });
  const rows = await queryRows<{ code: string; value: string }>(
    world.database.db,
    sql`select lot_code as code, value from lot_identifiers where value = any(${sql.param(classes)}::text[])`,
  );
  return rows.map((row) => row.code).sort() as [string, string];
}

/** The plant's EPCIS commissioning of the lots of these codes, at `hour` (under `eventID` if given). */
async function commissioning(world: World, plantKey: string, codes: string[], hour: number, eventID?: string) {
  const rows = await queryRows<{ value: string }>(
    world.database.db,
    sql`select value from lot_identifiers where lot_code = any(${sql.param(codes)}::text[]) order by lot_code`,
  );
  return epcisRequests(world).post(plantKey, '/epcis/events', {
    '@context': EPCIS_CONTEXT,
    type: 'ObjectEvent',
    ...at(hour),
    ...(eventID ? { eventID } : {}),
    action: 'ADD',
    bizStep: 'commissioning',
    quantityList: rows.map((row) => ({ epcClass: row.value, quantity: 10, uom: 'KGM' })),
  });
}

t.test(
  'an inspection waiting for the commissioning of a lot seen only is held to when it came into being (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const lab = await world.party('lab');
    const [inspected, held] = await sightedLots(world, plant.key, 'MADE-MEANWHILE');

    // the commissioning locks both lots in code order: it holds the one inspected while it waits for the other
    const [commissioned, inspection] = await secondWaitsForFirst(
      world,
      held,
      () => commissioning(world, plant.key, [inspected, held], 9),
      () =>
        writeAlone(world, {
          actor: lab.code,
          action: { type: 'inspect', lotCodes: [inspected], inspection: { result: 'pass' } },
          context: at(8),
        }),
    );
    t.equal(commissioned.statusCode, 201, 'the commissioning is stored');
    t.match(
      inspection,
      { ok: false, problem: { status: 422, slug: 'event-time-before-lot' } },
      'the inspection dated before the commissioning stored while it waited is refused',
    );
  },
);

t.test(
  'a commissioning waiting for an inspection of a lot seen only does not begin the lot after it (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const lab = await world.party('lab');
    const [inspected, held] = await sightedLots(world, plant.key, 'USED-MEANWHILE');

    // the inspection locks both lots in code order: it holds the one commissioned while it waits for the other
    const [inspection, commissioned] = await secondWaitsForFirst(
      world,
      held,
      () =>
        writeAlone(world, {
          actor: lab.code,
          action: { type: 'inspect', lotCodes: [inspected, held], inspection: { result: 'pass' } },
          context: at(8),
        }),
      () => commissioning(world, plant.key, [inspected], 9),
    );
    t.match(inspection, { ok: true }, 'the inspection is stored');
    t.equal(commissioned.statusCode, 422, 'the commissioning dated after the inspection stored while it waited is refused');
    t.match(commissioned.json(), { type: '/problems/lot-begins-after-use' });
  },
);

t.test(
  'a correction waiting for an inspection of a lot seen only does not leave the lot made after it (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const lab = await world.party('lab');
    const [inspected, held] = await sightedLots(world, plant.key, 'UNMADE-MEANWHILE');
    const made = 'urn:uuid:0190c8a2-0000-7000-8000-00000000fb01';
    t.equal((await commissioning(world, plant.key, [inspected, held], 6, made)).statusCode, 201, 'both commissioned at 6');
    t.equal((await commissioning(world, plant.key, [inspected], 10)).statusCode, 201, 'the one inspected commissioned again at 10');

    // the inspection locks both lots in code order: it holds the one inspected while it waits for the
    // other; the correction of the commissioning at 6 read the lots' facts before it waits behind it
    const [inspection, correction] = await secondWaitsForFirst(
      world,
      held,
      () =>
        writeAlone(world, {
          actor: lab.code,
          action: { type: 'inspect', lotCodes: [inspected, held], inspection: { result: 'pass' } },
          context: at(8),
        }),
      () => plant.event({ type: 'correction', eventTime: '2026-03-06T08:00:00+08:00', correctsEventId: made, reason: '误录入投产' }),
    );
    t.match(inspection, { ok: true }, 'the inspection is stored');
    t.match(
      expectStatus(t, correction, 409, 'the correction is refused').body,
      {
        detail: `cannot correct ${made}: lot ${inspected} was used at 2026-03-05T00:00:00.000Z and the next event making it is dated 2026-03-05T02:00:00.000Z; it would come into being after it was used`,
        errors: [{ pointer: '/correctsEventId', detail: 'made a lot that no other event made before it was used' }],
      },
      'it names the inspection stored while it waited',
    );
    t.equal((await plant.api.get(`/events/${encodeURIComponent(made)}`)).body.declaredInErrorBy, null, 'the commissioning at 6 stands');
  },
);

t.test(
  'an inspection waiting for a commissioning to be declared in error is held to the making that stays (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const lab = await world.party('lab');
    const { post, capture } = epcisRequests(world);
    const classes = [lotClass('DECLARED-A'), lotClass('DECLARED-B')];
    const wrong = {
      type: 'ObjectEvent',
      ...at(6),
      eventID: 'urn:uuid:0190c8a2-0000-7000-8000-00000000fa01',
      action: 'ADD',
      bizStep: 'commissioning',
      quantityList: classes.map((epcClass) => ({ epcClass, quantity: 10, uom: 'KGM' })),
    };
    t.equal((await post(plant.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...wrong })).statusCode, 201, 'both commissioned at 6');
    const rows = await queryRows<{ code: string; value: string }>(
      world.database.db,
      sql`select lot_code as code, value from lot_identifiers where value = any(${sql.param(classes)}::text[])`,
    );
    const [inspected, held] = rows.map((row) => row.code).sort();
    t.equal((await commissioning(world, plant.key, [inspected], 9)).statusCode, 201, 'the one inspected commissioned again at 9');
    const [made] = await queryRows<{ at: Date }>(
      world.database.db,
      sql`select min(e.event_time) as at from event_lots el join events e on e.id = el.event_id where el.lot_code = ${inspected} and el.makes`,
    );
    t.same(new Date(made.at).toISOString(), '2026-03-04T22:00:00.000Z', 'it came into being at 6');

    // the declaration books back what the commissioning made, locking both lots in code order: it holds
    // the one inspected while it waits for the other
    const [declared, inspection] = await secondWaitsForFirst(
      world,
      held,
      () => capture(plant.key, [{ ...wrong, errorDeclaration: { declarationTime: '2026-03-06T00:00:00Z', reason: 'incorrect_data' } }]),
      () =>
        writeAlone(world, {
          actor: lab.code,
          action: { type: 'inspect', lotCodes: [inspected], inspection: { result: 'pass' } },
          context: at(8),
        }),
    );
    t.match(declared, { success: true }, 'the commissioning at 6 is declared in error');
    t.match(
      inspection,
      { ok: false, problem: { status: 422, slug: 'event-time-before-lot', detail: /came into being at 2026-03-05T01:00:00.000Z/ } },
      'the inspection dated before the commissioning that stays is refused',
    );
  },
);
