// Migration 0028: failed code jobs stored while issuance still wrote the error's own text (which may
// quote SQL and its parameters) into their error get the error issuance writes now; the fixed texts
// the service wrote itself, and jobs that did not fail, keep theirs.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { migrationStatements } from '../fixtures/migrations.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** What issuance stores for a failure now. */
const FAILED = 'issuing the codes failed; the cause is logged';
/** What issuance stored for a job cut off by a stop, before such jobs ran again. */
const INTERRUPTED = 'interrupted by a restart';
const RAW = 'Failed query: insert into "items" ("code", "job_id", "lot_code") values ($1, $2, $3)\nparams: 2C4F7H9K1MA,0193-secret,B1';

t.test('failed jobs stored with the error’s text show the generic error; other jobs keep theirs', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product(), 10);
  const jobs: string[] = [];
  for (let i = 0; i < 5; i++)
    jobs.push(expectStatus(t, await processor.api.post(`/lots/${lot}/items`, { count: 1 }), 202, 'a job').body.id);
  await world.app.services.items.idle();
  const [raw, generic, interrupted, succeeded, noted] = jobs;
  // as issuance stored them before
  const failWith = (id: string, error: string) =>
    queryRows(world.database.db, sql`update code_jobs set status = 'failed', error = ${error} where id = ${id}`);
  await failWith(raw, RAW);
  await failWith(generic, FAILED);
  await failWith(interrupted, INTERRUPTED);
  // the migration rewrites the errors of failed jobs only
  const NOTE = 'an error text on a job that did not fail';
  await queryRows(world.database.db, sql`update code_jobs set error = ${NOTE} where id = ${noted}`);

  for (const statement of migrationStatements('0028_redact_code_job_errors.sql')) await queryRows(world.database.db, sql.raw(statement));

  const errorOf = async (id: string) => expectStatus(t, await processor.api.get(`/code-jobs/${id}`), 200, 'the job').body.error;
  t.equal(await errorOf(raw), FAILED, 'the failure says only that issuing failed');
  t.equal(await errorOf(generic), FAILED, 'as one stored since says');
  t.equal(await errorOf(interrupted), INTERRUPTED, 'a job cut off by a stop still says so');
  t.equal(await errorOf(succeeded), null, 'a job that succeeded has no error');
  t.equal(await errorOf(noted), NOTE, 'a job that did not fail keeps the text it has');
  const stored = await queryRows<{ error: string | null }>(world.database.db, sql`select error from code_jobs where status = 'failed'`);
  t.notMatch(JSON.stringify(stored), /Failed query|insert into|params/, 'no SQL text left to show');
});
