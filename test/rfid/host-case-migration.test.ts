// Migration 0021: host names compared without regard to case, antenna names without spaces around
// them. Readers already registered under names that differ only in case stop the upgrade, naming
// them; antennas stored with spaces are trimmed, so that the trimmed payloads still find them.
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../src/db/client.js';
import { migrationStatement } from '../fixtures/migrations.js';
import { impinjTagInventory } from '../fixtures/rfid-payloads.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();
const FILE = '0021_reader_host_case.sql';

t.test('readers whose host names differ only in case stop the upgrade, named', async (t) => {
  const world = await createWorld(t);
  const store = await world.party('cold_storage');
  const reader = await registerReader(world, store, 'FX9600-CASE');
  const other = await registerReader(world, store, 'FX9600-OTHER-CASE');
  const refused = await world.database.db
    .transaction(async (tx) => {
      // as before the upgrade: unique as written
      await queryRows(tx as unknown as Db, sql`drop index rfid_readers_host_key`);
      await queryRows(tx as unknown as Db, sql`update rfid_readers set host_name = 'fx9600-case' where id = ${other.id}`);
      await queryRows(tx as unknown as Db, sql.raw(migrationStatement(FILE, 0)));
      throw new Error('the upgrade went on');
    })
    .catch((error: Error) => (error.cause instanceof Error ? error.cause.message : error.message));
  t.match(refused, /host names differ only in case: FX9600-CASE \(\S+\), fx9600-case \(\S+\)/, refused);
  t.match(refused, new RegExp(reader.id));
  const [{ count }] = await queryRows<{ count: number }>(
    world.database.db,
    sql`select count(*)::int as count from rfid_readers where id = ${other.id} and host_name = 'FX9600-OTHER-CASE'`,
  );
  t.equal(count, 1, 'nothing changed');
});

t.test('antennas stored with white space around their names are trimmed, and reads find them', async (t) => {
  const world = await createWorld(t);
  const store = await world.party('cold_storage');
  const impinj = await registerReader(world, store, 'impinj-trim-test');
  const names = ['Dock1', 'Dock2a', 'Dock2b', 'Dock3', 'Dock4', 'Dock4x'];
  const dock = await readPoint(
    world,
    store,
    'observe',
    names.map((antenna) => ({ readerId: impinj.id, antenna })),
  );
  // as an earlier version stored them: spaces, a tab, an ideographic space; two that trim alike; one onto a name already there
  const stored = { Dock1: ' Dock1 ', Dock2a: '\tDock2', Dock2b: 'Dock2 ', Dock3: '\u3000Dock3', Dock4x: ' Dock4' };
  for (const [name, old] of Object.entries(stored))
    await queryRows(world.database.db, sql`update rfid_antennas set antenna = ${old} where reader_id = ${impinj.id} and antenna = ${name}`);
  await queryRows(world.database.db, sql.raw(migrationStatement(FILE, 3)));
  const after = await queryRows<{ antenna: string }>(
    world.database.db,
    sql`select antenna from rfid_antennas where reader_id = ${impinj.id} order by antenna collate "C"`,
  );
  t.same(
    after.map((row) => row.antenna),
    [' Dock4', 'Dock1', 'Dock2', 'Dock2 ', 'Dock3', 'Dock4'],
    'trimmed, one of two alike, none onto a name already there',
  );
  const tag = 'E2801160600002AA00000001';
  const posted = await impinj.api.post('/rfid/impinj', [
    impinjTagInventory({ epcHex: tag, hostname: 'impinj-trim-test', antennaName: ' Dock1 ' }),
  ]);
  expectStatus(t, posted, 202, 'a read naming it with spaces');
  const [read] = (await store.api.get(`/rfid/reads?tag=${tag}`)).body.items;
  t.match(read, { readPointId: dock.readPointId });
});
