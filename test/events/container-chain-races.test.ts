// A native write reads the containers its lots lie in before it locks them, and again once it holds
// them (see lockedAsRead), on PostgreSQL (PGlite runs one transaction at a time). A hold, an unpacking
// and a packing into an existing container each wait for a lot the test holds, having read the
// containers above, while a write they do not wait for changes what the case lies in: its holder
// packing it onto a pallet (waiting for the hold's lot in it when it moves), or its maker, which no
// longer holds it, reporting it onto a pallet of its own, then held. Lot codes (B…) sort before
// container codes (H…): the writer waits for a lot before it takes any container.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { completeGs1 } from '../../src/codes/gs1.js';
import { queryRows } from '../../src/db/client.js';
import type { WriteRequest } from '../../src/events/writer/index.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { epcisRequests } from '../fixtures/epcis.js';
import { holdLocked, recallRace, waitBlockedBy, waitsBehindWaiter } from '../fixtures/locks.js';
import { type Actor, at, expectStatus, type World } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

t.test(
  'a hold that read the case its lot lies in, while the case is packed onto a pallet and the pallet shipped, stops the shipment (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, regulator, plant, kg } = await recallRace(t);
    const distributor = await world.party('distributor');
    // the hold waits for the loose lot, which sorts before the one in the case, before it takes either
    const [loose, inCase] = [await plant.commission(kg, 10), await plant.commission(kg, 10)].sort();
    const caseCode = await plant.pack([{ lotCode: inCase, quantity: 4 }]);
    await world.handOver(plant, distributor, caseCode);

    // the hold has read the containers the lot lies in (the case alone) and waits for the loose lot,
    // while the case's holder packs it onto a pallet (the hold takes the pallet too once it reads again)
    const first = await holdLocked(world, sql`select 1 from lots where code = ${loose} for update`);
    const holding = regulator.post('/holds', { lotCodes: [loose, inCase], reason: '待检' });
    await waitBlockedBy(world, first.pid, holding);
    const pallet = await distributor.pack([{ lotCode: caseCode }]);
    // the hold then locks its lots and the containers they lie in, and waits to store itself
    const storing = await holdLocked(world, sql`lock table events in share mode`);
    first.release();
    await first.done;
    await waitBlockedBy(world, storing.pid, holding);
    // the pallet's shipment locks the pallet and what is packed in it, the held lot among them: it waits for the hold
    const shipping = distributor.event({ type: 'ship', toPartyCode: plant.code, lines: [{ lotCode: pallet }] });
    await waitsBehindWaiter(world, shipping);
    storing.release();
    await storing.done;

    expectStatus(t, await holding, 201, 'the lots are held');
    const refused = expectStatus(t, await shipping, 409, 'the pallet is not shipped with the held lot inside');
    t.match(refused.body.detail, new RegExp(`${inCase}.*on hold`), 'the refusal names the held lot');
  },
);

/**
 * A case the plant packed (a lot in it), gone to a distributor with another lot of the plant's that
 * sorts before the one in the case: a write of the distributor's naming that lot waits for it before
 * it takes the case. `wait` holds that lot.
 */
async function caseWithTheDistributor(t: Test, serial: number) {
  const { world, regulator, plant, kg } = await recallRace(t);
  const distributor = await world.party('distributor');
  const [loose, inCase] = [await plant.commission(kg, 10), await plant.commission(kg, 10)].sort();
  const caseSscc = completeGs1(`0690123450${serial}00001`);
  const caseCode = (
    await world.ok(plant.event({ type: 'aggregate', parent: { sscc: caseSscc }, children: [{ lotCode: inCase, quantity: 4 }] }))
  ).createdLotCodes[0] as string;
  await world.handOver(plant, distributor, caseCode);
  await world.handOver(plant, distributor, loose);
  const wait = () => holdLocked(world, sql`select 1 from lots where code = ${loose} for update`);
  return { world, regulator, plant, distributor, loose, inCase, caseCode, caseSscc, wait };
}

/**
 * The case's maker, which no longer holds it, reports it packed onto a new pallet of its own (an
 * EPCIS AggregationEvent ADD: it packs nothing, but the case lies in the pallet from then on) and
 * puts the pallet on hold: a write of the case's holder it does not wait for. The pallet's code.
 */
async function palletisedAndHeld(world: World, plant: Actor, caseCode: string, caseSscc: string, serial: number) {
  const job = await epcisRequests(world).capture(plant.key, [
    {
      type: 'AggregationEvent',
      eventTime: '2026-03-20T08:00:00+08:00',
      eventTimeZoneOffset: '+08:00',
      action: 'ADD',
      bizStep: 'packing',
      parentID: `https://id.gs1.org/00/${completeGs1(`0690123450${serial}00002`)}`,
      childEPCs: [`https://id.gs1.org/00/${caseSscc}`],
    },
  ]);
  if (!job?.success) throw new Error(`the pallet was not captured: ${JSON.stringify(job)}`);
  const [{ pallet }] = await queryRows<{ pallet: string }>(
    world.database.db,
    sql`select downstream_code as pallet from lineage_edges where upstream_code = ${caseCode} and kind = 'aggregate'
      and ended_by_event_id is null and retracted_by_event_id is null`,
  );
  await world.ok(plant.api.post('/holds', { lotCodes: [pallet], reason: '待检' }));
  return pallet;
}

t.test(
  'a packing into a case that read the containers the case lies in, while the case is reported onto a pallet and the pallet held, is refused (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, plant, distributor, loose, caseCode, caseSscc, wait } = await caseWithTheDistributor(t, 41);
    // the packing has read the containers the case lies in (none) and waits for the lot it packs
    const first = await wait();
    const packing = distributor.event({
      type: 'aggregate',
      parent: { containerCode: caseCode },
      children: [{ lotCode: loose, quantity: 2 }],
    });
    await waitBlockedBy(world, first.pid, packing);
    const pallet = await palletisedAndHeld(world, plant, caseCode, caseSscc, 41);
    first.release();
    await first.done;

    const refused = expectStatus(t, await packing, 409, 'the packing sees the held pallet the case now lies in');
    t.match(refused.body, {
      detail: `container ${caseCode} lies in container ${pallet}, which is on hold (待检); nobody may pack into it until the hold is released`,
      errors: [{ pointer: '/parent/containerCode', detail: `lies in ${pallet}, on hold` }],
    });
  },
);

t.test(
  'an unpacking of a case that read the containers the case lies in, while the case is reported onto a pallet and the pallet held, is refused (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, plant, distributor, loose, inCase, caseCode, caseSscc, wait } = await caseWithTheDistributor(t, 42);
    // native events sent together share a write: a sighting of the loose lot, then the unpacking,
    // which has read the containers the case lies in (none) when the write waits for that lot
    const first = await wait();
    const request = (hour: number, action: WriteRequest['action']): WriteRequest => ({
      actor: distributor.code,
      action,
      context: { eventTime: at(hour) },
    });
    const writing = world.database.db.transaction((tx) =>
      eventWriterOn(world.database).write(
        tx as never,
        [
          request(1000, { type: 'observe', lotCodes: [loose] }),
          request(1001, { type: 'disaggregate', parentCode: caseCode, children: [inCase] }),
        ],
        'proceed',
      ),
    );
    await waitBlockedBy(world, first.pid, writing);
    const pallet = await palletisedAndHeld(world, plant, caseCode, caseSscc, 42);
    first.release();
    await first.done;

    const [sighting, unpacking] = await writing;
    t.ok(sighting.ok, 'the sighting is stored');
    t.match(unpacking, {
      ok: false,
      problem: {
        status: 409,
        detail: `container ${caseCode} lies in ${pallet}, which is on hold (待检); nobody may unpack it until the hold is released`,
      },
    });
  },
);
