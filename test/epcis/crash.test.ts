// A real crash: the service runs as its own process, is killed with SIGKILL (or stopped with
// SIGTERM) while capture and code issuance jobs run, and is started again on the same data (the
// PGlite directory, whose stale lock the new process takes over, or a PostgreSQL database when
// DATABASE_URL is set). Every job must then end, and what is stored must agree with what the jobs
// report.

import { sql } from 'drizzle-orm';
import { SHUTDOWN_GRACE_MS } from '../../src/config.js';
import { queryRows } from '../../src/db/client.js';
import { type Call, client, documentOf, logOf, type Service, storedEvents, until } from '../fixtures/service-http.js';
import { ADMIN_KEY, serviceStorage, sleep, startService } from '../fixtures/service-process.js';
import { usingPostgres } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
// three service processes, each compiling and opening its database, and two large jobs: on a
// loaded 2-core machine this file has taken the 180 s a file gets
t.setTimeout(360_000);

/**
 * The rollback document is stored in one transaction that lasts seconds, so the kill lands inside
 * it. (Not the 10,000-event capture limit: checking that many events in one batch takes the event
 * writer over ten seconds on a small machine, and the restarted service runs the job again.)
 */
const ROLLBACK_EVENTS = 3_000;
/**
 * The proceed document commits in chunks of 1,000 events. It is posted before the code jobs: on
 * PGlite a running job does a unit of work (a chunk, a batch of codes) per turn of the event loop,
 * and a large upload takes many turns, a small request one or two.
 */
const PROCEED_EVENTS = 6_000;
/** Code issuance runs in batches of 10,000 codes. */
const FIRST_CODES = 60_000;
const SECOND_CODES = 5;

/**
 * On PostgreSQL another process may share the database, so a restarted service takes over the jobs
 * of the one killed once their leases have ended (on PGlite it is alone: it takes them at once).
 */
const SHORT_LEASE = { JOB_LEASE_SECONDS: '1' };

const resumeLine = (service: Service) => logOf(service).find((entry) => entry.msg === 'jobs left unfinished by the last stop run again');
/**
 * What the start reported resuming, if anything: the line is logged before the ready banner but
 * written asynchronously (pino), so it may reach the output after it; no line within 5 s is none.
 */
const resumedJobs = (service: Service) =>
  until('the start to report the jobs it resumed', async () => resumeLine(service), 5_000).catch(() => undefined);

t.test('killed with SIGKILL while jobs run, the restarted service ends every job as what it stored says', async (t) => {
  const data = await serviceStorage(t);
  // each process is stopped when the whole test ends, not when the step that started it does
  const parent = t;
  let service = await startService(parent, data, SHORT_LEASE);
  const current = () => service;
  const admin = client(current, ADMIN_KEY);
  const operator = async (name: string) => {
    const party = await admin('POST', '/parties', { kind: 'processor', name, regionCode: '500236' });
    const { key } = await admin('POST', '/api-keys', { role: 'operator', partyCode: party.code });
    return { code: party.code as string, call: client(current, key) };
  };
  /**
   * The stopped service is gone from the database and its leases have ended, as a restart finds it.
   * On PostgreSQL a server process of the service goes on with the statement under way when the
   * service dies, holding the job row it locked, and a claim at start passes over a locked row (the
   * lease timer takes the job later): a restart is a new start only once they have all ended.
   */
  const leasesEnded = async () => {
    const query = data.query;
    if (!query) return;
    await until('the stopped service’s server processes to end', async () =>
      (
        await query<{ open: number }>(
          'select count(*)::int as open from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
        )
      )[0].open === 0
        ? true
        : undefined,
    );
    await sleep(1_500);
  };
  const ended = (call: Call, id: string) =>
    until(`capture ${id} to end`, async () => {
      const job = await call('GET', `/epcis/capture/${id}`);
      return job.running ? undefined : job;
    });

  await t.test('a rollback capture killed inside its transaction runs again: all of its events or none', async (t) => {
    const capturer = await operator('rollback capturer');
    const id = (
      await capturer.call('POST', '/epcis/capture', documentOf('rollback-', ROLLBACK_EVENTS), {
        headers: { 'gs1-capture-error-behaviour': 'rollback' },
      })
    ).captureID as string;
    // Killed inside its transaction once it has begun storing events. On PostgreSQL the wait sees
    // that transaction itself (see captureTransaction: not a lease renewal's or a subscription tick's,
    // which a wait for any open transaction took under load, killing the service before the capture's
    // transaction began). On PGlite the job holds the engine while it checks its events, and the
    // process answers nothing meanwhile.
    const posted = Date.now();
    let inside: number | 'busy' | undefined;
    while (inside === undefined) {
      const job = await capturer
        .call('GET', `/epcis/capture/${id}`, undefined, { timeoutMs: 500 })
        .catch((error: Error) => (error.name === 'TimeoutError' ? 'busy' : Promise.reject(error)));
      if (data.captureTransaction) inside = await data.captureTransaction(id);
      else if (job === 'busy') inside = job;
      if (inside === undefined && job !== 'busy' && !job.running) {
        throw new Error('the rollback capture finished before the kill: make its document larger');
      }
      if (Date.now() - posted > 30_000) throw new Error('the rollback capture never seemed to run');
    }
    await service.stop('SIGKILL');
    const query = data.query;
    if (query && typeof inside === 'number') {
      const killed = inside;
      // its server process ends its transaction, uncommitted, once it finds the service gone
      await until(`server process ${killed} of the killed capture to end`, async () =>
        (await query<{ open: number }>('select count(*)::int as open from pg_stat_activity where pid = $1', [killed]))[0].open === 0
          ? true
          : undefined,
      );
      const [job] = await query<{ status: string; events: number; lots: number }>(
        `select status,
            (select count(*)::int from events where party_code = $2) as events,
            (select count(*)::int from lots where party_code = $2) as lots
          from epcis_captures where id = $1`,
        [id, capturer.code],
      );
      // the transaction sets the job's end with its events: still running, it never committed
      t.same(
        job,
        { status: 'running', events: 0, lots: 0 },
        'killed inside the capture’s transaction while it stored events: the job is unfinished and none of them is stored',
      );
    } else {
      // The service is gone: this process takes its data directory as a restart would (the lock
      // names a dead process), looks, and releases it for the restart. The rows cannot tell a kill
      // inside the capture's transaction from one just before it (the job row says running either
      // way): what they prove is that the rollback job is unfinished and stored nothing. Whether the
      // transaction had begun storing events shows only in the events table's heap, which rows
      // never committed still take up (no event of this file is stored before this one).
      const database = await data.open();
      try {
        const [job] = await queryRows<{ status: string; events: number; lots: number; written: number }>(
          database.db,
          sql`select status,
              (select count(*)::int from events where party_code = ${capturer.code}) as events,
              (select count(*)::int from lots where party_code = ${capturer.code}) as lots,
              pg_relation_size('events')::int as written
            from epcis_captures where id = ${id}`,
        );
        t.same(
          { unfinished: job.status === 'queued' || job.status === 'running', events: job.events, lots: job.lots },
          { unfinished: true, events: 0, lots: 0 },
          `killed midway, the rollback job is unfinished (${job.status}) and none of its events or lots is stored`,
        );
        t.comment(
          job.written > 0
            ? `killed inside its transaction after it had begun storing events (${job.written} bytes of uncommitted rows in the events heap)`
            : 'killed before any of its events was written (the events heap is empty)',
        );
      } finally {
        await database.close();
      }
    }
    await leasesEnded();

    service = await startService(parent, data, SHORT_LEASE);
    t.match(await resumedJobs(service), { codeJobs: 0, captureJobs: 1 }, 'the restarted service found the capture unfinished');
    const job = await ended(capturer.call, id);
    const stored = await storedEvents(capturer.call);
    if (job.success) {
      t.equal(job.captured, ROLLBACK_EVENTS, 'it ran again and captured every event');
      t.equal(stored, ROLLBACK_EVENTS, 'all of its events are stored');
    } else {
      t.ok(job.errors.length > 0 && job.errors.every((error: { message: string }) => error.message.length > 0), 'it failed, saying why');
      t.equal(stored, 0, 'none of its events are stored');
    }
  });

  await t.test('a proceed capture and two code jobs killed midway finish after the restart', async (t) => {
    const capturer = await operator('proceed capturer');
    const printer = await operator('label printer');
    const product = await printer.call('POST', '/products', { partyCode: printer.code, name: 'pack', category: 'other', unit: 'piece' });
    const lot = (
      await printer.call('POST', '/events', {
        type: 'commission',
        eventTime: '2026-03-01T08:00:00+08:00',
        // one code per piece: enough pieces for both jobs
        lots: [{ productCode: product.code, quantity: FIRST_CODES + SECOND_CODES }],
      })
    ).createdLotCodes[0] as string;
    const proceed = (
      await capturer.call('POST', '/epcis/capture', documentOf('proceed-', PROCEED_EVENTS), {
        headers: { 'gs1-capture-error-behaviour': 'proceed' },
      })
    ).captureID as string;
    const firstCodes = (await printer.call('POST', `/lots/${lot}/items`, { count: FIRST_CODES })).id as string;
    const secondCodes = (await printer.call('POST', `/lots/${lot}/items`, { count: SECOND_CODES })).id as string;
    // killed as soon as the capture has committed a chunk and the first code job a batch
    const seen = await until('the capture and the first code job to be midway', async () => {
      const [capture, first, second] = await Promise.all([
        capturer.call('GET', `/epcis/capture/${proceed}`),
        printer.call('GET', `/code-jobs/${firstCodes}`),
        printer.call('GET', `/code-jobs/${secondCodes}`),
      ]);
      return capture.captured > 0 && first.done > 0 ? { capture, first, second } : undefined;
    });
    await service.stop('SIGKILL');
    await leasesEnded();
    t.ok(seen.capture.running && seen.capture.captured < PROCEED_EVENTS, `killed with ${seen.capture.captured} of its events captured`);
    t.ok(seen.first.done < FIRST_CODES, `and ${seen.first.done} of the first code job's ${FIRST_CODES} codes issued`);
    t.equal(seen.second.status, 'queued', 'the second code job waiting behind it');

    service = await startService(parent, data, SHORT_LEASE);
    t.match(
      await resumedJobs(service),
      { codeJobs: 2, captureJobs: 1 },
      'the restarted service found the capture and both code jobs unfinished (the second never started)',
    );
    const job = await ended(capturer.call, proceed);
    t.equal(job.captured, await storedEvents(capturer.call), 'the capture reports as captured exactly what is stored');
    t.match(job, { success: true, captured: PROCEED_EVENTS, duplicates: 0, errors: [] }, 'which is its whole document');

    const succeeded = (id: string) =>
      until(`code job ${id} to succeed`, async () => {
        const codeJob = await printer.call('GET', `/code-jobs/${id}`);
        if (codeJob.status === 'failed') throw new Error(`code job ${id} failed: ${codeJob.error}`);
        return codeJob.status === 'succeeded' ? codeJob : undefined;
      });
    const codesOf = async (id: string) =>
      ((await printer.call('GET', `/code-jobs/${id}/codes.csv`)) as string)
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[0]);
    t.match(await succeeded(firstCodes), { done: FIRST_CODES, total: FIRST_CODES }, 'the interrupted code job ran again');
    t.equal((await codesOf(firstCodes)).length, FIRST_CODES, 'exactly its codes: none left over from the run cut off');
    t.match(await succeeded(secondCodes), { done: SECOND_CODES }, 'the code job queued behind it ran after the restart');
    const codes = await codesOf(secondCodes);
    t.equal(codes.length, SECOND_CODES);
    for (const code of codes) {
      const resolved = await printer.call('GET', `/t/${code}`, undefined, { headers: { accept: 'application/json' } });
      t.match(JSON.stringify(resolved), lot, `${code} resolves to its lot`);
    }
  });

  await t.test('stopped with SIGTERM while a capture runs, the job ends before the exit or runs again after it', async (t) => {
    const capturer = await operator('stopped capturer');
    const id = (
      await capturer.call('POST', '/epcis/capture', documentOf('stopped-', PROCEED_EVENTS), {
        headers: { 'gs1-capture-error-behaviour': 'proceed' },
      })
    ).captureID as string;
    await until('the capture to be midway', async () =>
      (await capturer.call('GET', `/epcis/capture/${id}`)).captured > 0 ? true : undefined,
    );
    const stopped = Date.now();
    const stopping = service;
    const exit = await service.stop('SIGTERM');
    // On PGlite the engine runs on the service's own thread: the grace period's timer fires only once
    // the statement under way has ended, and a chunk of 1,000 events takes seconds on a loaded machine.
    const bound = SHUTDOWN_GRACE_MS + (usingPostgres() ? 5_000 : 20_000);
    t.ok(Date.now() - stopped < bound, `the stop took ${Date.now() - stopped} ms, within its grace period and a margin (${bound} ms)`);
    await leasesEnded();

    service = await startService(parent, data, SHORT_LEASE);
    // near the end of its grace period a stop lets go of the jobs it still runs, and exits cleanly
    const letGo = logOf(stopping).some((entry) => entry.msg === 'jobs the stop could not wait for were let go');
    if (exit.code === 0 && !letGo) t.notOk(await resumedJobs(service), 'a clean stop let the job finish: nothing to run again');
    else t.match(await resumedJobs(service), { captureJobs: 1 }, 'let go or cut off by the grace period, the job runs again');
    const job = await ended(capturer.call, id);
    t.match(job, { success: true, captured: PROCEED_EVENTS, duplicates: 0, errors: [] }, 'its whole document is captured');
    t.equal(await storedEvents(capturer.call), PROCEED_EVENTS, 'each event once');
  });
});
