// Nothing is packed into a recalled or held container (nor into one lying in such a container): a
// lot packed there would leave circulation with it, travelling back to where the recall sends the
// container, without being recalled. Refused at every door, as packing a recalled or held lot is, and
// so is declaring an unpacking from such a container in error, which packs what it took out back in.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { queryRows } from '../../src/db/client.js';
import { EPCIS_CONTEXT, epcisRequests } from '../fixtures/epcis.js';
import { holdLocked, recallRace, waitBlockedBy, waitersReach } from '../fixtures/locks.js';
import { type Actor, at, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { postgresOnly, type Reply } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

/** The containers a lot lies packed in now (its live packing edges). */
const packedIn = async (world: World, lotCode: string) =>
  (
    await queryRows<{ code: string }>(
      world.database.db,
      sql`select downstream_code as code from lineage_edges where upstream_code = ${lotCode} and kind = 'aggregate'
        and ended_by_event_id is null and retracted_by_event_id is null order by downstream_code`,
    )
  ).map((row) => row.code);

/** An EPCIS AggregationEvent ADD packing one unit of `epcClass` into the container `sscc`. */
const packingInto = (sscc: string, epcClass: string, eventTime: string, uom: string) => ({
  type: 'AggregationEvent',
  eventTime,
  eventTimeZoneOffset: '+08:00',
  action: 'ADD',
  bizStep: 'packing',
  parentID: `https://id.gs1.org/00/${sscc}`,
  childQuantityList: [{ epcClass, quantity: 1, uom }],
});

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
  const job = await capture(plant.key, [packingInto(sscc, `https://id.gs1.org/01/${gtin}/10/PI-2`, '2026-03-20T08:00:00+08:00', 'H87')]);
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

t.test('nothing is packed into a held container, nor into one lying in a held container (native and EPCIS)', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const gtin = completeGs1('0690123477825');
  const kg = await plant.product('kg', { gtin });
  const lot = await plant.commission(kg, 10, { lotNumber: 'HK-1' });
  const pack = async (parent: object, children: { lotCode: string; quantity?: number }[]) =>
    (await world.ok(plant.event({ type: 'aggregate', parent, children }))).createdLotCodes[0] as string;
  const [caseA, caseB] = [await pack({}, [{ lotCode: lot, quantity: 1 }]), await pack({}, [{ lotCode: lot, quantity: 1 }])];
  const sscc = completeGs1('06901234500000825');
  const pallet = await pack({ sscc }, [{ lotCode: caseB }]);
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
  const intoPallet = expectStatus(
    t,
    await plant.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: lot, quantity: 1 }] }),
    409,
    'nor into the held pallet named by its SSCC',
  );
  t.match(intoPallet.body, { errors: [{ pointer: '/parent/sscc', detail: 'on hold' }] });
  const job = await epcisRequests(world).capture(plant.key, [packingInto(sscc, `https://id.gs1.org/01/${gtin}/10/HK-1`, at(400), 'KGM')]);
  t.match(job, { success: false, captured: 0 }, 'EPCIS: the packing into the held pallet is refused');
  t.match(job.errors, [
    {
      eventIndex: 0,
      pointer: '/epcisBody/eventList/0/parentID',
      message: `container https://id.gs1.org/00/${sscc} is on hold (待检); nobody may pack into it until the hold is released`,
    },
  ]);
  t.same(await packedIn(world, lot), [caseA, caseB].sort(), 'nothing was packed');

  expectStatus(t, await plant.api.post('/holds/release', { lotCodes: [caseA, pallet], reason: '合格' }), 201, 'released');
  expectStatus(
    t,
    await plant.event({ type: 'aggregate', parent: { containerCode: caseB }, children: [{ lotCode: lot, quantity: 1 }] }),
    201,
    'packed once the hold is released',
  );
});

/** An AggregationEvent DELETE taking the lot `lotNumber` of `gtin` (the 4 pieces packed) out of the pallet `sscc` at `eventTime`. */
const unpackingOf = (sscc: string, gtin: string, lotNumber: string, eventTime: string) => ({
  '@context': EPCIS_CONTEXT,
  type: 'AggregationEvent',
  eventID: `urn:uuid:${randomUUID()}`,
  eventTime,
  eventTimeZoneOffset: '+08:00',
  action: 'DELETE',
  bizStep: 'unpacking',
  parentID: `https://id.gs1.org/00/${sscc}`,
  childQuantityList: [{ epcClass: `https://id.gs1.org/01/${gtin}/10/${lotNumber}`, quantity: 4, uom: 'H87' }],
});
/** POST /epcis/events with the party's key, answered as the native client answers. */
async function epcisEvent(world: World, key: string, event: object): Promise<Reply> {
  const reply = await epcisRequests(world).post(key, '/epcis/events', event);
  return { status: reply.statusCode, body: reply.json(), headers: reply.headers };
}
const declaredInError = (event: object) => ({
  ...event,
  errorDeclaration: { declarationTime: at(500), reason: 'incorrect_data' },
});

/**
 * A plant's scene of unpackings: case A (lot 1 with some of `recalled`) unpacked natively, case B
 * (by its SSCC: lot 2 with some of `recalled`) unpacked through EPCIS, and case C (lot 3 with a
 * filler) unpacked natively and then put on a pallet beside a case of `recalled` alone. Each
 * unpacking takes its case's lot out; `recalled` is a lot no event has stopped yet.
 */
async function unpackedCases(world: World, plant: Actor, { gtin, prefix, sscc }: { gtin: string; prefix: string; sscc: string }) {
  const piece = await plant.product('piece', { gtin });
  const lot = (lotNumber: string) => plant.commission(piece, 10, { lotNumber });
  const [recalled, first, second, third, filler] = [
    await lot(`${prefix}R-1`),
    await lot(`${prefix}L-1`),
    await lot(`${prefix}L-2`),
    await lot(`${prefix}L-3`),
    await lot(`${prefix}F-1`),
  ];
  const unpack = async (parentCode: string, children: string[]) =>
    (await world.ok(plant.event({ type: 'disaggregate', parentCode, children }))).event.id as string;
  const caseA = await plant.pack([
    { lotCode: first, quantity: 4 },
    { lotCode: recalled, quantity: 2 },
  ]);
  const unpackedA = await unpack(caseA, [first]);
  const caseB = (
    await world.ok(
      plant.event({
        type: 'aggregate',
        parent: { sscc },
        children: [
          { lotCode: second, quantity: 4 },
          { lotCode: recalled, quantity: 2 },
        ],
      }),
    )
  ).createdLotCodes[0] as string;
  const caseC = await plant.pack([
    { lotCode: third, quantity: 4 },
    { lotCode: filler, quantity: 2 },
  ]);
  const unpackedC = await unpack(caseC, [third]);
  const pallet = await plant.pack([{ lotCode: caseC }, { lotCode: await plant.pack([{ lotCode: recalled, quantity: 2 }]) }]);
  const unpackedB = unpackingOf(sscc, gtin, `${prefix}L-2`, at(400));
  expectStatus(t, await epcisEvent(world, plant.key, unpackedB), 201, 'case B unpacked through EPCIS');
  return { recalled, takenOut: [first, second, third], caseA, caseB, caseC, pallet, unpackedA, unpackedB, unpackedC };
}

t.test(
  'an unpacking is not declared in error into a recalled container, nor into one lying in a recalled pallet (native and EPCIS)',
  async (t) => {
    const world = await createWorld(t);
    const plant = await world.party('processor');
    const scene = await unpackedCases(world, plant, {
      gtin: completeGs1('0690123477801'),
      prefix: 'U',
      sscc: completeGs1('06901234500000801'),
    });
    const { recalled, caseA, caseB, caseC, pallet, unpackedA, unpackedB, unpackedC } = scene;
    const [first, second, third] = scene.takenOut;
    const recall = await world.ok(plant.api.post('/recalls', { lotCodes: [recalled], level: 2, reason: '农残超标', hazard: '毒死蜱' }));
    t.same(recall.scope, { lots: 1, containers: 4, items: 0 }, 'cases A and B, the case on the pallet and the pallet are recalled');
    t.equal((await plant.lot(caseC)).status, 'active', 'the case of no recalled lot is not');

    const intoCase = expectStatus(
      t,
      await plant.event({ type: 'correction', correctsEventId: unpackedA, reason: '没拆' }),
      422,
      'the unpacking of the recalled case is not declared in error',
    );
    t.match(intoCase.body, {
      type: /recalled-lot$/,
      detail: new RegExp(
        `^cannot correct ${unpackedA}: container ${caseA} is recalled \\(recall ${recall.id}\\); what the unpacking took out would be packed back into it`,
      ),
      errors: [{ pointer: '/correctsEventId', detail: 'unpacked a recalled container' }],
    });
    const intoPallet = expectStatus(
      t,
      await plant.event({ type: 'correction', correctsEventId: unpackedC, reason: '没拆' }),
      422,
      'nor that of the case on the recalled pallet: what it took out would go back with the pallet',
    );
    t.match(intoPallet.body, {
      type: /recalled-lot$/,
      detail: new RegExp(
        `^cannot correct ${unpackedC}: container ${caseC} lies in container ${pallet}, which is recalled \\(recall ${recall.id}\\)`,
      ),
      errors: [{ pointer: '/correctsEventId', detail: `unpacked a container that lies in ${pallet}, recalled` }],
    });
    const declared = expectStatus(
      t,
      await epcisEvent(world, plant.key, declaredInError(unpackedB)),
      422,
      'EPCIS: the unpacking of the recalled case is not declared in error either',
    );
    t.match(declared.body, {
      type: /recalled-lot$/,
      detail: new RegExp(`container ${caseB} is recalled \\(recall ${recall.id}\\)`),
      errors: [{ pointer: '/eventID' }],
    });
    for (const code of [first, second, third]) {
      t.same(await packedIn(world, code), [], `${code} stays out of its case`);
      t.equal((await plant.lot(code)).status, 'active', `${code} is not recalled`);
    }
  },
);

t.test('an unpacking is not declared in error into a held container, nor into one lying in a held pallet (native and EPCIS)', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const scene = await unpackedCases(world, plant, {
    gtin: completeGs1('0690123477818'),
    prefix: 'H',
    sscc: completeGs1('06901234500000818'),
  });
  const { caseA, caseB, caseC, pallet, unpackedA, unpackedB, unpackedC } = scene;
  const [first, second, third] = scene.takenOut;
  expectStatus(t, await plant.api.post('/holds', { lotCodes: [caseA, caseB, pallet], reason: '待检' }), 201, 'two cases and a pallet held');

  const intoCase = expectStatus(
    t,
    await plant.event({ type: 'correction', correctsEventId: unpackedA, reason: '没拆' }),
    409,
    'the unpacking of the held case is not declared in error',
  );
  t.match(intoCase.body, {
    detail: `cannot correct ${unpackedA}: container ${caseA} is on hold (待检); what the unpacking took out would be packed back into it, which nobody may do until the hold is released`,
    errors: [{ pointer: '/correctsEventId', detail: 'unpacked a container on hold' }],
  });
  const intoPallet = expectStatus(
    t,
    await plant.event({ type: 'correction', correctsEventId: unpackedC, reason: '没拆' }),
    409,
    'nor that of the case on the held pallet',
  );
  t.match(intoPallet.body, {
    detail: new RegExp(`^cannot correct ${unpackedC}: container ${caseC} lies in container ${pallet}, which is on hold \\(待检\\)`),
    errors: [{ pointer: '/correctsEventId', detail: `unpacked a container that lies in ${pallet}, on hold` }],
  });
  const declared = expectStatus(
    t,
    await epcisEvent(world, plant.key, declaredInError(unpackedB)),
    409,
    'EPCIS: the unpacking of the held case is not declared in error either',
  );
  t.match(declared.body, { detail: new RegExp(`container ${caseB} is on hold \\(待检\\)`), errors: [{ pointer: '/eventID' }] });
  for (const code of [first, second, third]) t.same(await packedIn(world, code), [], `${code} stays out of its case`);

  expectStatus(t, await plant.api.post('/holds/release', { lotCodes: [caseA, caseB, pallet], reason: '合格' }), 201, 'released');
  expectStatus(t, await plant.event({ type: 'correction', correctsEventId: unpackedA, reason: '没拆' }), 201, 'then declared in error');
  expectStatus(t, await plant.event({ type: 'correction', correctsEventId: unpackedC, reason: '没拆' }), 201, 'both natively');
  expectStatus(t, await epcisEvent(world, plant.key, declaredInError(unpackedB)), 200, 'and through EPCIS');
  t.same(
    [await packedIn(world, first), await packedIn(world, second), await packedIn(world, third)],
    [[caseA], [caseB], [caseC]],
    'each lot is back in its case',
  );
});

t.test(
  'the lots an unpacking took out are not packed back by its correction while on hold (409) or recalled (422), native and EPCIS',
  async (t) => {
    const world = await createWorld(t);
    const plant = await world.party('processor');
    const scene = await unpackedCases(world, plant, {
      gtin: completeGs1('0690123477832'),
      prefix: 'T',
      sscc: completeGs1('06901234500000832'),
    });
    const { caseA, caseB, caseC, unpackedA, unpackedB, unpackedC } = scene;
    const [first, second, third] = scene.takenOut;
    expectStatus(t, await plant.api.post('/holds', { lotCodes: [first], reason: '待检' }), 201, 'the lot taken out of case A is held');
    const recall = await world.ok(
      plant.api.post('/recalls', { lotCodes: [second, third], level: 2, reason: '农残超标', hazard: '毒死蜱' }),
    );
    t.same(recall.scope, { lots: 2, containers: 0, items: 0 }, 'the lots taken out of cases B and C are recalled, not the cases');

    const held = expectStatus(
      t,
      await plant.event({ type: 'correction', correctsEventId: unpackedA, reason: '没拆' }),
      409,
      'the held lot is not packed back into case A',
    );
    t.match(held.body, {
      detail: `cannot correct ${unpackedA}: what the unpacking took out would be packed back into container ${caseA}, and lot ${first} is on hold (待检); nobody may pack it until the hold is released`,
      errors: [{ pointer: '/correctsEventId', detail: `took out ${first}, on hold` }],
    });
    const recalled = expectStatus(
      t,
      await plant.event({ type: 'correction', correctsEventId: unpackedC, reason: '没拆' }),
      422,
      'nor the recalled lot into case C',
    );
    t.match(recalled.body, {
      type: /recalled-lot$/,
      detail: `cannot correct ${unpackedC}: what the unpacking took out would be packed back into container ${caseC}, and lot ${third} is recalled (recall ${recall.id}); nobody may pack it`,
      errors: [{ pointer: '/correctsEventId', detail: `took out ${third}, recalled` }],
    });
    const declared = expectStatus(
      t,
      await epcisEvent(world, plant.key, declaredInError(unpackedB)),
      422,
      'EPCIS: nor the recalled lot into case B',
    );
    t.match(declared.body, {
      type: /recalled-lot$/,
      detail: new RegExp(`packed back into container ${caseB}, and lot .* is recalled \\(recall ${recall.id}\\)`),
      errors: [{ pointer: '/eventID' }],
    });
    t.same([await packedIn(world, first), await packedIn(world, second), await packedIn(world, third)], [[], [], []], 'each stays out');

    // a case taken off a pallet is not packed back onto it while a lot inside it is held
    const kg = await plant.product('kg');
    const inside = await plant.commission(kg, 10);
    const caseD = await plant.pack([{ lotCode: inside, quantity: 4 }]);
    const pallet = await plant.pack([{ lotCode: caseD }]);
    const offPallet = (await world.ok(plant.event({ type: 'disaggregate', parentCode: pallet, children: [caseD] }))).event.id as string;
    expectStatus(t, await plant.api.post('/holds', { lotCodes: [inside], reason: '待检' }), 201, 'the lot in the case is held');
    const holding = expectStatus(
      t,
      await plant.event({ type: 'correction', correctsEventId: offPallet, reason: '没拆' }),
      409,
      'the case holding a held lot is not packed back onto the pallet',
    );
    t.match(holding.body, {
      detail: new RegExp(`into container ${pallet}, and lot ${inside} \\(packed in ${caseD}\\) is on hold \\(待检\\)`),
      errors: [{ pointer: '/correctsEventId', detail: `took out ${caseD}, holds a lot on hold` }],
    });
    t.same(await packedIn(world, caseD), [], 'the case stays off the pallet');

    expectStatus(t, await plant.api.post('/holds/release', { lotCodes: [first, inside], reason: '合格' }), 201, 'released');
    expectStatus(
      t,
      await plant.event({ type: 'correction', correctsEventId: unpackedA, reason: '没拆' }),
      201,
      'then A is declared in error',
    );
    expectStatus(t, await plant.event({ type: 'correction', correctsEventId: offPallet, reason: '没拆' }), 201, 'and the pallet');
    t.same([await packedIn(world, first), await packedIn(world, caseD)], [[caseA], [pallet]], 'each back in its container');
  },
);

/**
 * A recall opening that has locked its scope and waits to record itself (the test holds the recalls
 * table), and a packing (or the correction of an unpacking, which packs back) sent once it waits: the
 * packing lines up behind it and, once the recall is stored, is refused. Without a lock they share, the packing is stored into a container the recall
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

t.test('a packing into a case while a recall of the case is being stored is refused (PostgreSQL)', onPostgres, async (t) => {
  const { world, regulator, plant, kg } = await recallRace(t);
  const [inCase, loose] = [await plant.commission(kg, 10), await plant.commission(kg, 10)];
  const caseCode = await plant.pack([{ lotCode: inCase, quantity: 4 }]);

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
  onPostgres,
  async (t) => {
    const { world, regulator, plant, kg } = await recallRace(t);
    const [recalled, fresh] = [await plant.commission(kg, 10), await plant.commission(kg, 10)];
    const caseA = await plant.pack([{ lotCode: recalled, quantity: 4 }]);
    const caseB = await plant.pack([{ lotCode: fresh, quantity: 2 }]);
    const pallet = await plant.pack([{ lotCode: caseA }, { lotCode: caseB }]);

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

t.test(
  'an unpacking of a case on a pallet declared in error while a recall reaching the pallet through another case is being stored is refused (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, regulator, plant, kg } = await recallRace(t);
    const [recalled, fresh] = [await plant.commission(kg, 10), await plant.commission(kg, 10)];
    const caseA = await plant.pack([{ lotCode: recalled, quantity: 4 }]);
    const caseB = await plant.pack([{ lotCode: fresh, quantity: 2 }]);
    const unpacked = await world.ok(plant.event({ type: 'disaggregate', parentCode: caseB, children: [fresh] }));
    const pallet = await plant.pack([{ lotCode: caseA }, { lotCode: caseB }]);

    // the recall marks the lot, case A and the pallet, not case B: the correction meets it at the pallet
    const [opened, correcting] = await packWhileRecallOpens(
      world,
      () => regulator.post('/recalls', { lotCodes: [recalled], level: 2, reason: '农残超标', hazard: '毒死蜱' }),
      () => plant.event({ type: 'correction', correctsEventId: unpacked.event.id, reason: '没拆' }),
    );
    const recall = expectStatus(t, opened, 201, 'the recall is opened').body;
    t.same(recall.scope, { lots: 1, containers: 2, items: 0 }, 'the lot, its case and the pallet');
    const refused = expectStatus(t, correcting, 422, 'the correction waited for the recall and is refused');
    t.match(refused.body, {
      type: /recalled-lot$/,
      detail: new RegExp(`container ${caseB} lies in container ${pallet}, which is recalled \\(recall ${recall.id}\\)`),
    });
    t.same(await packedIn(world, fresh), [], 'the lot stays out of case B');
    t.equal((await plant.lot(fresh)).status, 'active');
  },
);

t.test(
  'an unpacking declared in error while its case is packed onto a pallet by the party it went to and the pallet held is refused (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { world, regulator, plant, kg } = await recallRace(t);
    const distributor = await world.party('distributor');
    // the lot taken out sorts before the one left in the case: the correction's lock waits for it
    // before it takes the case or what is in it, which the packing and the hold lock
    const [taken, left] = [await plant.commission(kg, 10), await plant.commission(kg, 10)].sort();
    const caseCode = await plant.pack([
      { lotCode: taken, quantity: 4 },
      { lotCode: left, quantity: 2 },
    ]);
    const unpacked = (await world.ok(plant.event({ type: 'disaggregate', parentCode: caseCode, children: [taken] }))).event.id as string;
    await world.handOver(plant, distributor, caseCode);

    // the correction has read the case's containers (none) and waits for the lot, while the case is
    // packed onto a pallet and the pallet held, both committed before it holds its lots
    const held = await holdLocked(world, sql`select 1 from lots where code = ${taken} for update`);
    const correcting = plant.event({ type: 'correction', correctsEventId: unpacked, reason: '没拆' });
    await waitBlockedBy(world, held.pid, correcting);
    const pallet = await distributor.pack([{ lotCode: caseCode }]);
    // by a regulator: the distributor holds no pallet of the plant's case (requireHoldOrRecallRight)
    expectStatus(t, await regulator.post('/holds', { lotCodes: [pallet], reason: '待检' }), 201, 'the pallet is held meanwhile');
    held.release();
    await held.done;

    const refused = expectStatus(t, await correcting, 409, 'the correction sees the held pallet its case now lies in and is refused');
    t.match(refused.body, {
      detail: new RegExp(`^cannot correct ${unpacked}: container ${caseCode} lies in container ${pallet}, which is on hold \\(待检\\)`),
      errors: [{ pointer: '/correctsEventId', detail: `unpacked a container that lies in ${pallet}, on hold` }],
    });
    t.same(await packedIn(world, taken), [], 'the lot stays out of the case');
  },
);
