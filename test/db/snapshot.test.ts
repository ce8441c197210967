// Reading a snapshot as PostgreSQL writes it, and what it says about a writer's transaction: not
// seen while the writer is open (PostgreSQL, where another connection reads meanwhile), seen once it
// has committed.
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../src/db/client.js';
import { parseSnapshot, sawTransaction } from '../../src/db/snapshot.js';
import { openTestDatabase, usingPostgres } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a snapshot sees transactions below xmin, and below xmax unless still in progress', async (t) => {
  const snapshot = parseSnapshot('100:110:102,105');
  t.strictSame([...snapshot.inProgress], [102n, 105n]);
  t.ok(sawTransaction(snapshot, '99'), 'ended before the oldest one in progress');
  t.ok(sawTransaction(snapshot, '103'), 'ended between');
  t.notOk(sawTransaction(snapshot, '105'), 'in progress');
  t.notOk(sawTransaction(snapshot, '110'), 'started after');
  t.ok(sawTransaction(parseSnapshot('4294967400:4294967400:'), '4294967399'), 'beyond 32 bits');
  t.throws(() => parseSnapshot('100:110'), /not a pg_snapshot/);
});

t.test('a read sees a writer’s transaction only once it has committed', async (t) => {
  const database = await openTestDatabase(t);
  const snapshotNow = async (db: Db) =>
    parseSnapshot((await queryRows<{ snapshot: string }>(db, sql`select pg_current_snapshot()::text as snapshot`))[0].snapshot);
  const xid = await database.db.transaction(async (tx) => {
    const [{ id }] = await queryRows<{ id: string }>(tx as unknown as Db, sql`select pg_current_xact_id()::text as id`);
    // PGlite has one connection: nobody else reads while the transaction is open
    if (usingPostgres()) t.notOk(sawTransaction(await snapshotNow(database.db), id), 'not while it is open');
    return id;
  });
  t.ok(sawTransaction(await snapshotNow(database.db), xid), 'after it committed');
});
