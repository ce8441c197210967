// Two service processes on one PostgreSQL database (as `docker compose up --scale` runs them): a
// capture or code job runs in the process that claimed it, once, whatever the other does at its
// start; and the jobs of a process killed with SIGKILL are taken over by the other once their
// leases end. (A PGlite directory is opened by one process only: its jobs are taken at start.)

import { type Call, client, documentOf, logOf, type Service, storedEvents, until } from '../fixtures/service-http.js';
import { ADMIN_KEY, serviceStorage, startService } from '../fixtures/service-process.js';
import { usingPostgres } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
// four service processes, each compiling and opening the database, and large jobs on a 2-core machine
t.setTimeout(360_000);

const onPostgres = { skip: !usingPostgres() && 'two processes share a PostgreSQL database only' };
/** Proceed jobs commit 1,000 events a chunk; code jobs 10,000 codes a batch. */
const PROCEED_EVENTS = 6_000;
const ROLLBACK_EVENTS = 3_000;
const CODES = 60_000;

const resumedAtStart = (service: Service) =>
  logOf(service).filter((entry) => entry.msg === 'jobs left unfinished by the last stop run again');
const takenOver = (service: Service) =>
  logOf(service).filter((entry) => entry.msg === 'jobs whose process stopped renewing their lease were taken over');
const leftToAnother = (service: Service) => logOf(service).filter((entry) => /taken over by another process/.test(String(entry.msg)));

/** A party with an operator key, made through `service`. */
async function operator(service: () => Service, name: string) {
  const admin = client(service, ADMIN_KEY);
  const party = await admin('POST', '/parties', { kind: 'processor', name, regionCode: '500236' });
  const { key } = await admin('POST', '/api-keys', { role: 'operator', partyCode: party.code });
  return { code: party.code as string, key: key as string, call: client(service, key) };
}

const capture = async (call: Call, tag: string, count: number, behaviour: 'rollback' | 'proceed') =>
  (
    await call('POST', '/epcis/capture', documentOf(tag, count), {
      headers: { 'gs1-capture-error-behaviour': behaviour },
    })
  ).captureID as string;

const ended = (call: Call, id: string) =>
  until(
    `capture ${id} to end`,
    async () => {
      const job = await call('GET', `/epcis/capture/${id}`);
      return job.running ? undefined : job;
    },
    180_000,
  );

t.test('a process starting and restarting while another runs capture jobs leaves them to it: each stored once', onPostgres, async (t) => {
  const data = await serviceStorage(t);
  const env = { JOB_LEASE_SECONDS: '10' };
  const first = await startService(t, data, env);
  const capturer = await operator(() => first, 'capturer');
  const proceed = await capture(capturer.call, 'proceed-', PROCEED_EVENTS, 'proceed');
  const rollback = await capture(capturer.call, 'rollback-', ROLLBACK_EVENTS, 'rollback');
  await until('the proceed capture to be midway', async () =>
    (await capturer.call('GET', `/epcis/capture/${proceed}`)).captured > 0 ? true : undefined,
  );

  let second = await startService(t, data, env);
  t.strictSame(resumedAtStart(second), [], 'the second process starts without taking the jobs the first runs');
  await second.stop('SIGTERM');
  second = await startService(t, data, env);
  t.strictSame(resumedAtStart(second), [], 'nor does it when it starts again');

  const reader = client(() => second, ADMIN_KEY);
  const proceeded = await ended(reader, proceed);
  const rolledBack = await ended(reader, rollback);
  t.match(proceeded, { success: true, captured: PROCEED_EVENTS, duplicates: 0, errors: [] }, 'the proceed job completed, once');
  t.match(rolledBack, { success: true, captured: ROLLBACK_EVENTS, duplicates: 0, errors: [] }, 'the rollback job completed, once');
  t.equal(await storedEvents(capturer.call), PROCEED_EVENTS + ROLLBACK_EVENTS, 'each event is stored once');
  t.strictSame([...leftToAnother(first), ...takenOver(second)], [], 'no job changed process');
});

t.test('the jobs of a process killed with SIGKILL are taken over by the other once their leases end', onPostgres, async (t) => {
  const data = await serviceStorage(t);
  const env = { JOB_LEASE_SECONDS: '2' };
  const [first, second] = [await startService(t, data, env), await startService(t, data, env)];
  const capturer = await operator(() => first, 'capturer');
  const printer = await operator(() => first, 'label printer');
  const product = await printer.call('POST', '/products', { partyCode: printer.code, name: 'pack', category: 'other', unit: 'piece' });
  const lot = (
    await printer.call('POST', '/events', {
      type: 'commission',
      eventTime: '2026-03-01T08:00:00+08:00',
      lots: [{ productCode: product.code, quantity: CODES }],
    })
  ).createdLotCodes[0] as string;
  const proceed = await capture(capturer.call, 'proceed-', PROCEED_EVENTS, 'proceed');
  const codes = (await printer.call('POST', `/lots/${lot}/items`, { count: CODES })).id as string;
  const seen = await until('the capture and the code job to be midway', async () => {
    const [job, codeJob] = [await capturer.call('GET', `/epcis/capture/${proceed}`), await printer.call('GET', `/code-jobs/${codes}`)];
    return job.captured > 0 && codeJob.done > 0 ? { job, codeJob } : undefined;
  });
  await first.stop('SIGKILL');
  t.ok(
    seen.job.running && seen.codeJob.status === 'running',
    `killed with ${seen.job.captured} events captured, ${seen.codeJob.done} codes issued`,
  );

  // from now on through the second process
  const [capturerThere, printerThere] = [client(() => second, capturer.key), client(() => second, printer.key)];
  const job = await ended(capturerThere, proceed);
  t.match(job, { success: true, captured: PROCEED_EVENTS, duplicates: 0, errors: [] }, 'the capture completed in the other process');
  t.equal(await storedEvents(capturerThere), PROCEED_EVENTS, 'each of its events stored once');
  const codeJob = await until(
    'the code job to end',
    async () => {
      const current = await printerThere('GET', `/code-jobs/${codes}`);
      return current.status === 'running' || current.status === 'queued' ? undefined : current;
    },
    180_000,
  );
  t.match(codeJob, { status: 'succeeded', done: CODES }, 'the code job completed in the other process');
  const csv = (await printerThere('GET', `/code-jobs/${codes}/codes.csv`)) as string;
  t.equal(csv.trim().split('\n').length - 1, CODES, 'with exactly its codes');
  const taken = { codeJobs: 0, captureJobs: 0 };
  for (const entry of takenOver(second)) {
    taken.codeJobs += Number(entry.codeJobs);
    taken.captureJobs += Number(entry.captureJobs);
  }
  t.strictSame(taken, { codeJobs: 1, captureJobs: 1 }, 'the second process took both over');
});
