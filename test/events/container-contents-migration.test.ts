// Migration 0025: events the earlier writer stored when it sold, destroyed or transformed a
// container without what was packed in it get the rows the writer books now. The earlier state is
// made from the writer's own: its rows for the contents are taken out again (and the audit chains
// sealed over what is left, as the earlier writer hashed it); the migration must then book back
// exactly what the writer wrote, touch nothing the writer wrote itself or an event declared in
// error, and leave the audit log verifying.
import { type SQL, sql } from 'drizzle-orm';
import { entryHashOf, GENESIS_HASH } from '../../src/audit/chain.js';
import { createAuditRepository } from '../../src/audit/repository.js';
import { type Db, queryRows } from '../../src/db/client.js';
import { captured, epcisDocument } from '../fixtures/epcis.js';
import { balanceDifferences } from '../fixtures/ledger.js';
import { migrationStatements } from '../fixtures/migrations.js';
import { createWorld, expectStatus, type World } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const RESTATEMENT = '0025_container_contents';

/** Runs the migration's statements, as the migrator does. */
async function restate(db: Db) {
  for (const statement of migrationStatements(`${RESTATEMENT}.sql`)) await queryRows(db, sql.raw(statement));
}

/** The ledger, links, lineage, statuses and balances, in a fixed order. */
async function books(db: Db) {
  const rows = (query: SQL) => queryRows<Record<string, unknown>>(db, query);
  return {
    movements: await rows(sql`select event_id, lot_code, party_code, kind, quantity::text, container_code from lot_movements
      order by event_id collate "C", lot_code collate "C", party_code collate "C", container_code collate "C", kind collate "C", quantity`),
    links: await rows(sql`select event_id, lot_code, role, quantity::text, party_code, named_as_instance, evidence from event_lots
      order by event_id collate "C", lot_code collate "C", role collate "C"`),
    edges: await rows(sql`select upstream_code, downstream_code, kind, quantity::text, unit, event_id, party_code, ended_by_event_id,
      retracted_by_event_id from lineage_edges order by event_id collate "C", upstream_code collate "C", downstream_code collate "C"`),
    statuses: await rows(sql`select code, status from lots order by code collate "C"`),
    balances: await rows(sql`select lot_code, party_code, container_code, quantity::text from lot_balances where quantity <> 0
      order by lot_code collate "C", party_code collate "C", container_code collate "C"`),
  };
}

/**
 * The books as the writer before takeContents left them: no outflow of a container's contents
 * (nor its correction's reversal), a native event's links and a transformation's edges only for
 * what it took loose, the contents still active, the balances summed again from the ledger, and
 * every audit chain sealed over the rows as they now are.
 */
async function asTheEarlierWriterLeftThem(db: Db) {
  const run = (query: SQL) => queryRows(db, query);
  await run(sql`update lots set status = 'active' where voided_by_event_id is null
    and code in (select lot_code from lot_movements where kind in ('sell', 'destroy', 'consume') and container_code is not null)`);
  await run(sql`delete from lot_movements where kind in ('sell', 'destroy', 'consume') and container_code is not null`);
  const native = sql`e.type in ('sell', 'destroy', 'transform') and not (e.payload ? 'epcis')`;
  await run(sql`delete from event_lots el using events e where e.id = el.event_id and ${native} and el.role in ('subject', 'input')
    and not exists (select 1 from lot_movements m where m.event_id = el.event_id and m.lot_code = el.lot_code)`);
  const loose = sql`(select m.event_id, m.lot_code, -sum(m.quantity) as quantity from lot_movements m join events e on e.id = m.event_id
    where e.type in ('sell', 'destroy', 'transform') and m.kind in ('sell', 'destroy', 'consume') group by m.event_id, m.lot_code)`;
  await run(sql`update event_lots el set quantity = loose.quantity from ${loose} loose
    where el.event_id = loose.event_id and el.lot_code = loose.lot_code and el.role in ('subject', 'input') and el.quantity <> loose.quantity`);
  await run(sql`delete from lineage_edges le using events e where e.id = le.event_id and e.type = 'transform' and le.kind = 'transform'
    and not exists (select 1 from lot_movements m where m.event_id = le.event_id and m.lot_code = le.upstream_code)`);
  await run(sql`update lineage_edges le set quantity = loose.quantity from ${loose} loose
    where le.event_id = loose.event_id and le.upstream_code = loose.lot_code and le.kind = 'transform' and le.quantity <> loose.quantity`);
  await run(sql`delete from lot_balances`);
  await run(sql`insert into lot_balances (lot_code, party_code, container_code, quantity)
    select lot_code, party_code, container_code, sum(quantity) from lot_movements group by lot_code, party_code, container_code`);
  await sealChains(db);
}

/** Every chain's entries hashed again over the rows as stored now, and linked again. */
async function sealChains(db: Db) {
  const audit = createAuditRepository(db);
  const entries = await audit.page({ chain: '', sequence: 0 }, 100_000);
  let previous = { chain: '', entryHash: GENESIS_HASH };
  for (const entry of entries) {
    const payloadHash = (await audit.payloadHashes(entry.kind, [entry.subjectId], db)).get(entry.subjectId) as string;
    const previousHash = previous.chain === entry.chain ? previous.entryHash : GENESIS_HASH;
    const entryHash = entryHashOf({ ...entry, payloadHash, previousHash });
    await queryRows(
      db,
      sql`update audit_entries set payload_hash = ${payloadHash}, previous_hash = ${previousHash}, entry_hash = ${entryHash}
        where party_code = ${entry.chain} and sequence = ${entry.sequence}`,
    );
    await queryRows(
      db,
      sql`update audit_heads set entry_hash = ${entryHash} where party_code = ${entry.chain} and sequence = ${entry.sequence}`,
    );
    previous = { chain: entry.chain, entryHash };
  }
}

async function verified(world: World) {
  const reply = await world.regulator.get('/audit/verify');
  return reply.body as { ok: boolean; chains: { chain: string; ok: boolean; firstBroken: Record<string, unknown> | null }[] };
}

const restatedCount = async (db: Db) =>
  (
    await queryRows<{ movements: number; links: number; entries: number }>(
      db,
      sql`select (select count(*)::int from lot_movements where restated_by is not null) as movements,
        (select count(*)::int from event_lots where restated_by is not null) as links,
        (select count(*)::int from audit_entries where kind = 'events.restate') as entries`,
    )
  )[0];

/** An EPCIS event time on a day of March 2026, China time. */
const day = (n: number) => ({ eventTime: `2026-03-0${n}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
/** EPCIS: 10 kg of `meat` commissioned on day 1 and 4 kg of it packed onto `pallet` on day 2. */
const packedOnPallet = (meat: string, pallet: string) => [
  { type: 'ObjectEvent', ...day(1), action: 'ADD', bizStep: 'commissioning', quantityList: [{ epcClass: meat, quantity: 10, uom: 'KGM' }] },
  {
    type: 'AggregationEvent',
    ...day(2),
    action: 'ADD',
    bizStep: 'packing',
    parentID: pallet,
    childQuantityList: [{ epcClass: meat, quantity: 4, uom: 'KGM' }],
  },
];

t.test('events of containers stored without their contents get the rows the writer books now', async (t) => {
  const world = await createWorld(t);
  const db = world.database.db;
  const plant = await world.party('processor');
  const farm = await world.party('farm');
  const shop = await world.party('retailer');
  const cured = await plant.product('kg');
  const smoked = await plant.product('kg');
  const pack = async (actor: typeof plant, children: { lotCode: string; quantity?: number }[]) =>
    (await world.ok(actor.event({ type: 'aggregate', parent: {}, children }))).createdLotCodes[0] as string;

  // a case of 4 of 10 kg sold, with its invoice
  const soldLot = await plant.commission(cured, 10);
  const soldCase = await pack(plant, [{ lotCode: soldLot, quantity: 4 }]);
  await world.ok(
    plant.event({ type: 'sell', lines: [{ lotCode: soldCase }], referenceDocuments: [{ type: 'invoice', number: 'FP-0001' }] }),
  );
  // a case unpacked, packed again with less and sold: what it held last is sold
  const repackedLot = await plant.commission(cured, 10);
  const repackedCase = await pack(plant, [{ lotCode: repackedLot, quantity: 4 }]);
  await world.ok(plant.event({ type: 'disaggregate', parentCode: repackedCase }));
  await world.ok(
    plant.event({ type: 'aggregate', parent: { containerCode: repackedCase }, children: [{ lotCode: repackedLot, quantity: 3 }] }),
  );
  await world.ok(plant.event({ type: 'sell', lines: [{ lotCode: repackedCase }] }));
  // a case smoked, and a pallet of two cases of one lot cured
  const smokedLot = await plant.commission(cured, 10);
  const smokedCase = await pack(plant, [{ lotCode: smokedLot, quantity: 4 }]);
  await plant.transform([{ lotCode: smokedCase, quantity: 1 }], [{ productCode: smoked, quantity: 3 }]);
  const curedLot = await plant.commission(cured, 12);
  const curedPallet = await pack(plant, [
    { lotCode: await pack(plant, [{ lotCode: curedLot, quantity: 3 }]) },
    { lotCode: await pack(plant, [{ lotCode: curedLot, quantity: 5 }]) },
  ]);
  await plant.transform([{ lotCode: curedPallet, quantity: 1 }], [{ productCode: cured, quantity: 6 }]);
  // a pallet of two cases destroyed on the farm
  const farmLot = await farm.commission(await farm.product('piece'), 12);
  const farmPallet = await pack(farm, [
    { lotCode: await pack(farm, [{ lotCode: farmLot, quantity: 5 }]) },
    { lotCode: await pack(farm, [{ lotCode: farmLot, quantity: 7 }]) },
  ]);
  await world.ok(farm.event({ type: 'destroy', reason: '冷链断链', lines: [{ lotCode: farmPallet }] }));
  // a case shipped to the shop, which sells it
  const shippedLot = await plant.commission(cured, 10);
  const shippedCase = await pack(plant, [{ lotCode: shippedLot, quantity: 6 }]);
  await world.handOver(plant, shop, shippedCase);
  await world.ok(shop.event({ type: 'sell', lines: [{ lotCode: shippedCase }] }));
  // through EPCIS: a pallet sold, another transformed
  const { job } = await captured(
    world,
    plant.key,
    epcisDocument([
      ...packedOnPallet('https://id.gs1.org/01/06901234000016/10/SOLD-1', 'urn:epc:id:sscc:6901234.0000000017'),
      { type: 'ObjectEvent', ...day(3), action: 'OBSERVE', bizStep: 'retail_selling', epcList: ['urn:epc:id:sscc:6901234.0000000017'] },
      ...packedOnPallet('https://id.gs1.org/01/06901234000016/10/SMOKED-1', 'urn:epc:id:sscc:6901234.0000000024'),
      {
        type: 'TransformationEvent',
        ...day(4),
        bizStep: 'commissioning',
        inputEPCList: ['urn:epc:id:sscc:6901234.0000000024'],
        outputQuantityList: [{ epcClass: 'https://id.gs1.org/01/06901234000023/10/SMOKED-2', quantity: 3, uom: 'KGM' }],
      },
    ]),
  );
  t.match(job, { success: true, captured: 6 });

  const written = await books(db);
  t.ok((await verified(world)).ok, 'the log verifies as written');
  await restate(db);
  t.same(await books(db), written, 'events the writer stored with their contents get nothing');
  t.same(await restatedCount(db), { movements: 0, links: 0, entries: 0 }, 'nothing restated, nothing recorded');

  await asTheEarlierWriterLeftThem(db);
  const earlier = await books(db);
  t.ok(earlier.movements.length < written.movements.length, 'the earlier books lack the contents');
  t.match((await plant.lot(soldLot)).massBalance, { sold: 0, onHand: 10 }, 'before: the lot in the sold case is on hand');
  const curedFigures = async () =>
    (await world.regulator.get('/regulator/figures/traceability?by=product')).body.groups.find(
      (group: { key: string }) => group.key === cured,
    );
  t.notOk(await curedFigures(), 'before: no lot of the product counts as sold');
  t.ok((await verified(world)).ok, 'the earlier log verifies');

  await restate(db);
  t.same(await books(db), written, 'the migration books what the writer wrote');
  t.same(await balanceDifferences(world.database), [], 'the kept balances follow the movements');
  t.match((await plant.lot(soldLot)).massBalance, { produced: 10, sold: 4, onHand: 6, unaccounted: 0 });
  t.match((await farm.lot(farmLot)).massBalance, { produced: 12, destroyed: 12, onHand: 0, unaccounted: 0 });
  t.match((await plant.lot(repackedLot)).massBalance, { produced: 10, sold: 3, onHand: 7, unaccounted: 0 });
  t.match(await curedFigures(), { lots: 3 }, 'the lots in the sold cases count as sold');
  const counted = await restatedCount(db);
  t.match(counted, { entries: 1 }, 'one entry records the restatement');
  t.ok(counted.movements > 0 && counted.links > 0, `${counted.movements} rows and ${counted.links} links restated`);
  t.ok((await verified(world)).ok, 'the log verifies: the events as they were stored, and the restatement');

  await restate(db);
  t.same(await books(db), written, 'run again, it books nothing more');
  t.same(await restatedCount(db), counted, 'nor records it again');

  t.test('rows added later break the entry that covers them', async (t) => {
    const brokenChains = async () => (await verified(world)).chains.filter((chain) => !chain.ok);
    const [row] = await queryRows<{ eventId: string; lotCode: string }>(
      db,
      sql`select event_id as "eventId", lot_code as "lotCode" from lot_movements where restated_by is not null limit 1`,
    );
    const [event] = await queryRows<{ partyCode: string }>(db, sql`select party_code as "partyCode" from events where id = ${row.eventId}`);
    const added = (restatedBy: string | null) =>
      queryRows(
        db,
        sql`insert into lot_movements (event_id, lot_code, party_code, kind, quantity, container_code, restated_by)
          values (${row.eventId}, ${row.lotCode}, ${event.partyCode}, 'produce', 1, null, ${restatedBy})`,
      );
    const removed = () =>
      queryRows(db, sql`delete from lot_movements where event_id = ${row.eventId} and kind = 'produce' and quantity = 1`);

    await added(RESTATEMENT);
    t.match(await brokenChains(), [{ chain: 'system', firstBroken: { kind: 'events.restate', problem: 'payload-mismatch' } }]);
    await removed();
    await added('another restatement');
    t.match(await brokenChains(), [{ chain: event.partyCode, firstBroken: { kind: 'event', subjectId: row.eventId } }]);
    await removed();
    t.ok((await verified(world)).ok, 'removed again, the log verifies');
  });
});

t.test('an event declared in error is left as it is; a lot also taken loose keeps the link it was stored with', async (t) => {
  const world = await createWorld(t);
  const db = world.database.db;
  const plant = await world.party('processor');
  const product = await plant.product('kg');
  const pack = async (children: { lotCode: string; quantity?: number }[]) =>
    (await world.ok(plant.event({ type: 'aggregate', parent: {}, children }))).createdLotCodes[0] as string;

  const corrected = await plant.commission(product, 10);
  const sold = await world.ok(plant.event({ type: 'sell', lines: [{ lotCode: await pack([{ lotCode: corrected, quantity: 6 }]) }] }));
  const correction = expectStatus(
    t,
    await plant.event({ type: 'correction', correctsEventId: sold.event.id, reason: '未售出' }),
    201,
    'the sale is declared in error',
  ).body.event.id as string;

  const lot = await plant.commission(product, 12);
  const pallet = await pack([
    { lotCode: await pack([{ lotCode: lot, quantity: 3 }]) },
    { lotCode: await pack([{ lotCode: lot, quantity: 5 }]) },
  ]);
  const made = await world.ok(
    plant.event({
      type: 'transform',
      inputs: [
        { lotCode: pallet, quantity: 1 },
        { lotCode: lot, quantity: 2 },
      ],
      outputs: [{ productCode: product, quantity: 6 }],
    }),
  );
  const output = made.createdLotCodes[0] as string;

  const written = await books(db);
  await asTheEarlierWriterLeftThem(db);
  await restate(db);
  const restated = await books(db);
  const ofTheSale = (row: Record<string, unknown>) => [sold.event.id, correction].includes(row.event_id) && row.container_code !== null;
  t.same(
    restated.movements,
    written.movements.filter((row) => !ofTheSale(row)),
    "the ledger is the writer's, but for the contents of the sale declared in error and of its correction",
  );
  t.match((await plant.lot(corrected)).massBalance, { sold: 0, onHand: 10 }, 'its lot stays on hand');
  t.match((await plant.lot(lot)).massBalance, { produced: 12, consumed: 10, onHand: 2, unaccounted: 0 }, 'all 10 kg used');
  t.match(
    restated.links.find((link) => link.event_id === made.event.id && link.lot_code === lot && link.role === 'input'),
    { quantity: '2.000' },
    'the lot named loose keeps its link as stored (the writer now links all 10 kg)',
  );
  t.match(
    restated.edges.find((edge) => edge.event_id === made.event.id && edge.upstream_code === lot && edge.downstream_code === output),
    { quantity: '2.000' },
    'and its edge to the output',
  );
  const others = (rows: Record<string, unknown>[]) =>
    rows.filter((row) => row.lot_code !== (row.event_id === made.event.id ? lot : row.event_id === sold.event.id ? corrected : undefined));
  t.same(others(restated.links), others(written.links), 'every other link is what the writer wrote');
  t.notOk(
    restated.links.some((link) => link.event_id === sold.event.id && link.lot_code === corrected),
    'the sale declared in error links only the case it was stored with',
  );
  t.same(
    restated.edges.filter((edge) => edge.upstream_code !== lot),
    written.edges.filter((edge) => edge.upstream_code !== lot),
    'and every other edge',
  );
  t.ok((await verified(world)).ok, 'the log verifies');
});
