// How the writer's lock reads the lots table: by their codes, however many lots there are.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { createEventWriterRepository } from '../../src/events/writer/repository.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('locking the lots a batch names, and those packed in its containers, reads those lots alone, not every lot', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const kg = await plant.product('kg');
  const many = await plant.event({ type: 'commission', lots: Array.from({ length: 30 }, () => ({ productCode: kg, quantity: 10 })) });
  expectStatus(t, many, 201, 'the plant commissions 30 lots');
  const [loose, packed] = many.body.createdLotCodes;
  const parcel = await plant.event({ type: 'aggregate', parent: {}, children: [{ lotCode: packed, quantity: 4 }] });
  expectStatus(t, parcel, 201, 'the plant packs a lot in a case');
  const caseCode = parcel.body.createdLotCodes[0];
  const repository = createEventWriterRepository();
  for (const [codes, expected] of [
    [[loose], [loose]],
    // a code no lot has yet (a capture's new lots) locks nothing and has no other lot read
    [[loose, 'NOT-MADE-YET'], [loose]],
    [
      [loose, caseCode],
      [loose, caseCode, packed],
    ],
  ]) {
    const { locked, read } = await world.database.db.transaction(async (tx) => {
      // a table this small is read whole by any plan: only a plan with no other way does here
      await tx.execute(sql`set local enable_seqscan = off`);
      const lotsRead = async () =>
        (
          await queryRows<{ read: number }>(
            tx,
            sql`select coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0)), 0)::int as read from pg_stat_xact_user_tables where relname = 'lots'`,
          )
        )[0].read;
      const before = await lotsRead();
      const locked = await repository.lockLots(tx as never, codes);
      return { locked: (locked ?? []).map((lot) => lot.code), read: (await lotsRead()) - before };
    });
    t.same(locked, [...expected].sort(), `locks ${expected.join(', ')}`);
    // by code each time: whether a container is named, the containers to walk down from, the lots locked
    // and, of a lot written since the oldest transaction in progress began, the version the lock's snapshot sees (LOCKED_NEWER)
    t.ok(read <= 4 * expected.length, `reads ${read} rows of lots for ${expected.length} lots (of 31)`);
  }
});
