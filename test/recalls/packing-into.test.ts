// Nothing is packed into a recalled or held container (nor into one lying in such a container): a
// lot packed there would leave circulation with it, travelling back to where the recall sends the
// container, without being recalled. Refused at every door, as packing a recalled or held lot is.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { queryRows } from '../../src/db/client.js';
import { epcisRequests } from '../fixtures/epcis.js';
import { holdLocked, waitersReach } from '../fixtures/locks.js';
import { createWorld, expectStatus, randomUscc, type World } from '../fixtures/world.js';
import { client, postgresReachable } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const postgresUp = await postgresReachable();
const skip = postgresUp ? false : 'no PostgreSQL at DATABASE_URL or 127.0.0.1:5432 (PGlite runs one transaction at a time)';

/** The containers a lot lies packed in now (its live packing edges). */
const packedIn = async (world: World, lotCode: string) =>
  (
    await queryRows<{ code: string }>(
      world.database.db,
      sql`select downstream_code as code from lineage_edges where upstream_code = ${lotCode} and kind = 'aggregate'
        and ended_by_event_id is null and retracted_by_event_id is null order by downstream_code`,
    )
  ).map((row) => row.code);

t.test('nothing is packed into a recalled container, nor into a case on a recalled pallet (native and EPCIS)', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const gtin = completeGs1('0690123477795');
  const piece = await plant.product('piece', { gtin });
  const [recalled, fresh] = [
    await plant.commission(piece, 10, { lotNumber: 'PI-1' }),
    await plant.commission(piece, 10, { lotNumber: 'PI-2' }),
  ];
  const pack = async (parent: object, children: { lotCode: string; quantity?: number }[]) =>
    (await world.ok(plant.event({ type: 'aggregate', parent, children }))).createdLotCodes[0] as string | undefined;
  const caseA = (await pack({}, [{ lotCode: recalled, quantity: 4 }])) as string;
  const caseB = (await pack({}, [{ lotCode: fresh, quantity: 2 }])) as string;
  const sscc = completeGs1('06901234500000795');
  const pallet = (await pack({ sscc }, [{ lotCode: caseA }, { lotCode: caseB }])) as string;
  const recall = await world.ok(plant.api.post('/recalls', { lotCodes: [recalled], level: 2, reason: '农残超标', hazard: '毒死蜱' }));
  t.same(recall.scope, { lots: 1, containers: 2, items: 0 }, 'the case and the pallet it lies in are recalled, the other case is not');
  t.equal((await plant.lot(caseB)).status, 'active');

  const intoCase = expectStatus(
    t,
    await plant.event({ type: 'aggregate', parent: { containerCode: caseA }, children: [{ lotCode: fresh, quantity: 1 }] }),
    422,
    'not packed into the recalled case',
  );
  t.match(intoCase.body, {
    type: /recalled-lot$/,
    detail: new RegExp(`^container ${caseA} is recalled \\(recall ${recall.id}\\); nobody may pack into it`),
    errors: [{ pointer: '/parent/containerCode', detail: 'recalled' }],
  });
  const intoPallet = expectStatus(
    t,
    await plant.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: fresh, quantity: 1 }] }),
    422,
    'nor into the recalled pallet named by its SSCC',
  );
  t.match(intoPallet.body, {
    type: /recalled-lot$/,
    detail: new RegExp(`^container ${pallet} is recalled \\(recall ${recall.id}\\)`),
    errors: [{ pointer: '/parent/sscc', detail: 'recalled' }],
  });
  const intoOther = expectStatus(
    t,
    await plant.event({ type: 'aggregate', parent: { containerCode: caseB }, children: [{ lotCode: fresh, quantity: 1 }] }),
    422,
    'nor into the unrecalled case on the recalled pallet: it would go back with the pallet',
  );
  t.match(intoOther.body, {
    type: /recalled-lot$/,
    detail: new RegExp(`^container ${caseB} lies in container ${pallet}, which is recalled \\(recall ${recall.id}\\)`),
    errors: [{ pointer: '/parent/containerCode', detail: `lies in ${pallet}, recalled` }],
  });
  t.same(await packedIn(world, fresh), [caseB], 'nothing was packed');
  const newCase = (await pack({}, [{ lotCode: fresh, quantity: 1 }])) as string;
  t.ok(newCase, 'the lot is still packed into a new case');

  const { capture } = epcisRequests(world);
  const job = await capture(plant.key, [
    {
      type: 'AggregationEvent',
      eventTime: '2026-03-20T08:00:00+08:00',
      eventTimeZoneOffset: '+08:00',
      action: 'ADD',
      bizStep: 'packing',
      parentID: `https://id.gs1.org/00/${sscc}`,
      childQuantityList: [{ epcClass: `https://id.gs1.org/01/${gtin}/10/PI-2`, quantity: 1, uom: 'H87' }],
    },
  ]);
  t.match(job, { success: false, captured: 0 }, 'EPCIS: the packing into the recalled pallet is refused');
  t.match(job.errors, [
    {
      eventIndex: 0,
      pointer: '/epcisBody/eventList/0/parentID',
      message: new RegExp(`container https://id.gs1.org/00/${sscc} is recalled \\(recall ${recall.id}\\)`),
    },
  ]);
  t.same(await packedIn(world, fresh), [caseB, newCase].sort(), 'nothing was packed through EPCIS either');
});

t.test('nothing is packed into a held container, nor into one lying in a held container', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const kg = await plant.product('kg');
  const lot = await plant.commission(kg, 10);
  const pack = async (parent: object, children: { lotCode: string; quantity?: number }[]) =>
    (await world.ok(plant.event({ type: 'aggregate', parent, children }))).createdLotCodes[0] as string;
  const [caseA, caseB] = [await pack({}, [{ lotCode: lot, quantity: 1 }]), await pack({}, [{ lotCode: lot, quantity: 1 }])];
  const pallet = await pack({}, [{ lotCode: caseB }]);
  expectStatus(t, await plant.api.post('/holds', { lotCodes: [caseA, pallet], reason: '待检' }), 201, 'a case and a pallet held');

  const intoCase = expectStatus(
    t,
    await plant.event({ type: 'aggregate', parent: { containerCode: caseA }, children: [{ lotCode: lot, quantity: 1 }] }),
    409,
    'not packed into the held case',
  );
  t.match(intoCase.body, {
    detail: `container ${caseA} is on hold (待检); nobody may pack into it until the hold is released`,
    errors: [{ pointer: '/parent/containerCode', detail: 'on hold' }],
  });
  const intoNested = expectStatus(
    t,
    await plant.event({ type: 'aggregate', parent: { containerCode: caseB }, children: [{ lotCode: lot, quantity: 1 }] }),
    409,
    'nor into the case on the held pallet',
  );
  t.match(intoNested.body, {
    detail: `container ${caseB} lies in container ${pallet}, which is on hold (待检); nobody may pack into it until the hold is released`,
    errors: [{ pointer: '/parent/containerCode', detail: `lies in ${pallet}, on hold` }],
  });
  t.same(await packedIn(world, lot), [caseA, caseB].sort(), 'nothing was packed');

  expectStatus(t, await plant.api.post('/holds/release', { lotCodes: [caseA, pallet], reason: '合格' }), 201, 'released');
  expectStatus(
    t,
    await plant.event({ type: 'aggregate', parent: { containerCode: caseB }, children: [{ lotCode: lot, quantity: 1 }] }),
    201,
    'packed once the hold is released',
  );
});

/** A regulator's client acting for a regulator party of its own. */
async function regulatorOf(world: World) {
  const bureau = await world.ok(
    world.admin.post('/parties', { kind: 'regulator', name: '监管局', uscc: randomUscc(), regionCode: '500236' }),
  );
  return client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'regulator', partyCode: bureau.code }))).key);
}

/**
 * A recall opening that has locked its scope and waits to record itself (the test holds the recalls
 * table), and a packing sent once it waits: the packing lines up behind it and, once the recall is
 * stored, is refused. Without a lock they share, the packing is stored into a container the recall
 * then covers, and the lot packed is not recalled.
 */
async function packWhileRecallOpens(world: World, open: () => Promise<unknown>, pack: () => Promise<unknown>) {
  const held = await holdLocked(world, sql`lock table recalls in share mode`);
  const opened = open();
  await waitersReach(world, 1, opened);
  const packed = pack();
  await waitersReach(world, 2, packed);
  held.release();
  await held.done;
  return [await opened, await packed] as [Awaited<ReturnType<World['admin']['post']>>, Awaited<ReturnType<World['admin']['post']>>];
}

t.test('a packing into a case while a recall of the case is being stored is refused (PostgreSQL)', { skip }, async (t) => {
  const world = await createWorld(t, 'postgres');
  const regulator = await regulatorOf(world);
  const plant = await world.party('processor');
  const kg = await plant.product('kg');
  const [inCase, loose] = [await plant.commission(kg, 10), await plant.commission(kg, 10)];
  const caseCode = (await world.ok(plant.event({ type: 'aggregate', parent: {}, children: [{ lotCode: inCase, quantity: 4 }] })))
    .createdLotCodes[0];

  const [opened, packing] = await packWhileRecallOpens(
    world,
    () => regulator.post('/recalls', { lotCodes: [caseCode], level: 2, reason: '检出致病菌', hazard: '沙门氏菌' }),
    () => plant.event({ type: 'aggregate', parent: { containerCode: caseCode }, children: [{ lotCode: loose, quantity: 4 }] }),
  );
  const recall = expectStatus(t, opened, 201, 'the recall is opened').body;
  t.same(recall.scope, { lots: 1, containers: 1, items: 0 }, 'the case and the lot in it');
  const refused = expectStatus(t, packing, 422, 'the packing waited for the recall and is refused');
  t.match(refused.body, {
    type: /recalled-lot$/,
    detail: `container ${caseCode} is recalled (recall ${recall.id}); nobody may pack into it`,
  });
  t.equal((await plant.lot(loose)).status, 'active', 'the lot stays loose and on sale');
  t.same(await packedIn(world, loose), []);
});

t.test(
  'a packing into a case on a pallet while a recall reaching the pallet through another case is being stored is refused (PostgreSQL)',
  { skip },
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const regulator = await regulatorOf(world);
    const plant = await world.party('processor');
    const kg = await plant.product('kg');
    const [recalled, fresh] = [await plant.commission(kg, 10), await plant.commission(kg, 10)];
    const pack = async (children: { lotCode: string; quantity?: number }[]) =>
      (await world.ok(plant.event({ type: 'aggregate', parent: {}, children }))).createdLotCodes[0] as string;
    const caseA = await pack([{ lotCode: recalled, quantity: 4 }]);
    const caseB = await pack([{ lotCode: fresh, quantity: 2 }]);
    const pallet = await pack([{ lotCode: caseA }, { lotCode: caseB }]);

    // the recall marks the lot, case A and the pallet, not case B: the packing meets it at the pallet
    const [opened, packing] = await packWhileRecallOpens(
      world,
      () => regulator.post('/recalls', { lotCodes: [recalled], level: 2, reason: '农残超标', hazard: '毒死蜱' }),
      () => plant.event({ type: 'aggregate', parent: { containerCode: caseB }, children: [{ lotCode: fresh, quantity: 2 }] }),
    );
    const recall = expectStatus(t, opened, 201, 'the recall is opened').body;
    t.same(recall.scope, { lots: 1, containers: 2, items: 0 }, 'the lot, its case and the pallet');
    const refused = expectStatus(t, packing, 422, 'the packing waited for the recall and is refused');
    t.match(refused.body, {
      type: /recalled-lot$/,
      detail: `container ${caseB} lies in container ${pallet}, which is recalled (recall ${recall.id}); nobody may pack into it`,
    });
    t.same(await packedIn(world, fresh), [caseB], 'nothing more of the lot was packed');
  },
);
