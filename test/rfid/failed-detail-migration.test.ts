// Migration 0026: failed windows stored while the gate still wrote the error's own text (which may
// quote SQL and its parameters) into their detail get the detail the gate writes now; other
// outcomes keep theirs.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { migrationStatements } from '../fixtures/migrations.js';
import { zebraEvent } from '../fixtures/rfid-payloads.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** What the gate stores for a failure now. */
const FAILED = 'the service failed while turning these reads into events; the cause is logged';
const RAW = 'Failed query: insert into "events" ("id", "party_code") values ($1, $2)\nparams: 0193-secret,P-1';

t.test('failed windows stored with the error’s text show the generic detail; rejected ones keep their reason', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const reader = await registerReader(world, store);
  const aisle = await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: 1 }]);
  const tags = ['E28068940000000000000A01', 'E28068940000000000000A02'];
  const reads = tags.map((idHex) =>
    zebraEvent({ idHex, antenna: 1, hostName: reader.hostName, timestamp: '2026-06-01T11:00:00.000+0800' }),
  );
  expectStatus(t, await reader.api.post('/rfid/zebra', reads), 202, 'two reads in the aisle');
  // as the gate stored them before: one failure with the database error, one refusal of a rule
  await queryRows(world.database.db, sql`update rfid_reads set outcome = 'failed', detail = ${RAW}, attempts = 8 where tag = ${tags[0]}`);
  await queryRows(world.database.db, sql`update rfid_reads set outcome = 'rejected', detail = 'lot is on hold' where tag = ${tags[1]}`);

  for (const statement of migrationStatements('0026_redact_failed_read_details.sql'))
    await queryRows(world.database.db, sql.raw(statement));

  const { items } = (await store.api.get(`/rfid/reads?readPointId=${aisle.readPointId}`)).body;
  const detailOf = (tag: string) => items.find((item: { tag: string }) => item.tag === tag)?.detail;
  t.equal(detailOf(tags[0]), FAILED, 'the failure says only that the service failed');
  t.equal(detailOf(tags[1]), 'lot is on hold', 'a refusal keeps its reason');
  const listed = JSON.stringify((await world.regulator.get(`/rfid/reads?partyCode=${store.code}&outcome=failed`)).body);
  t.notMatch(listed, /Failed query|insert into|params/, 'no SQL text left to show');
});
