// A code job asks its lot and its owner's brand rights again in each batch's own transaction: a
// hold, recall, brand suspension or exit stored while a batch is under way stops the job, even at
// its last batch, which marks the job succeeded in that same transaction. On both databases between
// the check a batch once made before its insert and the insert; on PostgreSQL also while the
// batch's transaction waits for the write to commit (the test's own transaction holding the row),
// the job's lease written once the batch has what it waited for.
import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { createRepositories } from '../../src/app.js';
import { chinaDay } from '../../src/codes/timestamp.js';
import { queryRows } from '../../src/db/client.js';
import { DEFAULT_JOB_LEASE_SECONDS } from '../../src/db/leases.js';
import { CODE_JOB_BATCH, createItemService } from '../../src/items/service.js';
import { clearOfMidnightInChina } from '../fixtures/china-day.js';
import { holdLocked, waitBlockedBy, waitersReach } from '../fixtures/locks.js';
import { type Actor, BRANDS_REGISTERED, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { client, postgresOnly, type Reply, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

const HOLD_REASON = '抽检不合格，待复检';

/**
 * The item service of the world's database, each batch awaiting `beforeBatch` (given its number)
 * just before its insert, and `afterBatch` once it is stored; what the service warns of (a job
 * lost to another process) is kept in `warned`.
 */
function issuing(world: World, hooks: { beforeBatch?: (batch: number) => Promise<void>; afterBatch?: (jobId: string) => Promise<void> }) {
  const repositories = createRepositories(world.database);
  const warned: object[] = [];
  let batches = 0;
  const service = createItemService({
    items: {
      ...repositories.items,
      async insertCodes(...args) {
        await hooks.beforeBatch?.(++batches);
        const stored = await repositories.items.insertCodes(...args);
        await hooks.afterBatch?.(args[0]);
        return stored;
      },
    },
    lots: repositories.lots,
    products: repositories.products,
    brands: world.app.services.brands,
    publicBaseUrl: TEST_BASE_URL,
    log: { error: () => {}, warn: (object) => warned.push(object) },
  });
  return { service, warned };
}

const principalOf = (actor: Actor) => ({ keyId: 'k', role: 'operator' as const, partyCode: actor.code });

async function storedCodes(world: World, jobId: string) {
  const [{ stored }] = await queryRows<{ stored: number }>(
    world.database.db,
    sql`select count(*)::int as stored from items where job_id = ${jobId}`,
  );
  return stored;
}

/** A day before today in China, as the service dates a lot's production. */
const dayAgo = (days: number) => chinaDay(new Date(Date.now() - days * 86_400_000));

/**
 * A brand (BR-1 unless `code` says) covering the products, the party admitted to it; `suspend` suspends
 * it and `exit` ends its authorization.
 */
async function brandOf(world: World, actor: Actor, products: string[], code = 'BR-1', nameZh = '奉上好品') {
  const office = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  await world.ok(
    world.onClock(BRANDS_REGISTERED, () =>
      office.post('/brands', { code, kind: 'regional', regionCode: '500236', nameZh, nameEn: `${code} Finest`, products }),
    ),
  );
  await world.ok(
    office.post(`/brands/${code}/authorizations`, {
      partyCode: actor.code,
      tier: 'authorized',
      validFrom: '2026-01-01',
      reason: '准入审核通过',
    }),
  );
  const change = (state: 'admitted' | 'suspended' | 'exited', effectiveOn?: string) => () =>
    office.post(`/brands/${code}/authorizations/${actor.code}/state`, {
      state,
      reason: '冒用抽检',
      ...(effectiveOn ? { effectiveOn } : {}),
    });
  return {
    code,
    suspend: change('suspended'),
    exit: change('exited'),
    /** A change effective from a past day (a suspension found late, say). */
    dated: (state: 'admitted' | 'suspended', effectiveOn: string) => change(state, effectiveOn)(),
  };
}

const heldError = (lot: string) =>
  `no codes were issued: lot ${lot} is on hold (${HOLD_REASON}); nobody may issue codes for it until the hold is released`;
const recalledError = (lot: string, recallId: string) =>
  `no codes were issued: lot ${lot} is recalled (recall ${recallId}); nobody may issue codes for it`;
/** The job's error once its owner is not admitted to the brands named (`奉上好品 (BR-1): suspended` unless given). */
const notAdmittedError = (actor: Actor, lot: string, refused = '奉上好品 (BR-1): suspended') =>
  `no codes were issued: party ${actor.code} may not issue item codes for lot ${lot}: it is not admitted to the brand covering its product, today or when the lot was made — ${refused}`;

t.test('a lot held while a job runs gets no more codes: the job fails naming the hold and leaves none', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const lot = await plant.commission(await plant.product('kg'), 10);
  // the hold is stored once the first batch is, before the second (and last) is
  const { service, warned } = issuing(world, {
    beforeBatch: async (batch) => {
      if (batch === 2) await world.ok(plant.api.post('/holds', { lotCodes: [lot], reason: HOLD_REASON }));
    },
  });
  const job = await service.issue(principalOf(plant), lot, 10_001);
  await service.idle();
  t.match(await service.job(principalOf(plant), job.id), { status: 'failed', error: heldError(lot), done: 0 }, 'none done: none left');
  t.equal(await storedCodes(world, job.id), 0, 'the first batch’s codes are removed with it');
  t.same(warned, [], 'not taken for a job lost to another process');
});

t.test('its owner’s exit from the brand covering its product while a job runs stops it at the next batch', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('kg');
  const lot = await plant.commission(product, 10);
  const brand = await brandOf(world, plant, [product]);
  let storedFirst = 0;
  const { service, warned } = issuing(world, {
    afterBatch: async (jobId) => {
      storedFirst ||= await storedCodes(world, jobId);
    },
    beforeBatch: async (batch) => {
      if (batch === 2) await world.ok(brand.exit(), 200);
    },
  });
  const job = await service.issue(principalOf(plant), lot, 10_001);
  await service.idle();
  t.equal(storedFirst, 10_000, 'the first batch was stored before the exit');
  t.match(await service.job(principalOf(plant), job.id), {
    status: 'failed',
    error: notAdmittedError(plant, lot, '奉上好品 (BR-1): exited'),
    done: 0,
  });
  t.equal(await storedCodes(world, job.id), 0, 'the first batch’s codes are removed with it');
  t.same(warned, []);
});

t.test('a suspension found while a job runs stops it when the lot was made in it, though it was lifted since', async (t) => {
  await clearOfMidnightInChina(60_000);
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('kg');
  const brand = await brandOf(world, plant, [product]);
  const lot = await plant.commission(product, 10, { productionDate: dayAgo(2) });
  const { service } = issuing(world, {
    beforeBatch: async (batch) => {
      if (batch !== 2) return;
      await world.ok(brand.dated('suspended', dayAgo(3)), 200);
      await world.ok(brand.dated('admitted', dayAgo(1)), 200);
    },
  });
  const job = await service.issue(principalOf(plant), lot, 10_001);
  await service.idle();
  t.match(await service.job(principalOf(plant), job.id), {
    status: 'failed',
    error: notAdmittedError(plant, lot, `奉上好品 (BR-1): not admitted when the lot was made (produced on ${dayAgo(2)})`),
    done: 0,
  });
  t.equal(await storedCodes(world, job.id), 0, 'its codes would all be misuse: none is left');
});

t.test('an authorization row written with no change gives a job no right once its owner exits', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const product = await plant.product('kg');
  const lot = await plant.commission(product, 10);
  const brand = await brandOf(world, plant, [product]);
  const { service } = issuing(world, {
    beforeBatch: async (batch) => {
      if (batch !== 2) return;
      await world.ok(brand.exit(), 200);
      // an admission written straight into the database, behind the office's back: never admitted
      await queryRows(
        world.database.db,
        sql`insert into brand_authorizations (id, brand_code, party_code, tier, valid_from, valid_until, state, state_since)
          values (${randomUUID()}, ${brand.code}, ${plant.code}, 'authorized', '2026-01-01', null, 'admitted', '2026-01-01')`,
      );
    },
  });
  const job = await service.issue(principalOf(plant), lot, 10_001);
  await service.idle();
  t.match(await service.job(principalOf(plant), job.id), {
    status: 'failed',
    error: notAdmittedError(plant, lot, '奉上好品 (BR-1): exited'),
    done: 0,
  });
});

t.test('a suspension stops a job only from a brand covering its product, whichever of them it is', async (t) => {
  const cases: [string, (product: string, other: string) => [string[], string[]], string | null][] = [
    ['the second of two brands covering it: refused naming that one', (product) => [[product], [product]], '二号品牌 (BR-2): suspended'],
    ['a brand covering another product of its owner’s: issued', (product, other) => [[product], [other]], null],
  ];
  for (const [what, covered, refused] of cases) {
    await t.test(what, async (t) => {
      const world = await createWorld(t);
      const plant = await world.party('processor');
      const product = await plant.product('kg');
      const other = await plant.product('kg');
      const lot = await plant.commission(product, 10);
      const [first, second] = covered(product, other);
      await brandOf(world, plant, first);
      const suspending = await brandOf(world, plant, second, 'BR-2', '二号品牌');
      const { service } = issuing(world, {
        beforeBatch: async () => {
          await world.ok(suspending.suspend(), 200);
        },
      });
      const job = await service.issue(principalOf(plant), lot, 5);
      await service.idle();
      const stored = await service.job(principalOf(plant), job.id);
      if (refused) {
        t.match(stored, { status: 'failed', error: notAdmittedError(plant, lot, refused), done: 0 });
        t.equal(await storedCodes(world, job.id), 0);
      } else {
        t.match(stored, { status: 'succeeded', error: null, done: 5 });
        t.equal(await storedCodes(world, job.id), 5);
      }
    });
  }
});

t.test('a hold, recall or brand suspension stored just before a job’s last batch stops the job', async (t) => {
  const cases: [string, (world: World, plant: Actor, lot: string, product: string) => Promise<() => Promise<string>>][] = [
    [
      'hold',
      async (world, plant, lot) => async () => {
        await world.ok(plant.api.post('/holds', { lotCodes: [lot], reason: HOLD_REASON }));
        return heldError(lot);
      },
    ],
    [
      'recall',
      async (world, plant, lot) => async () => {
        const recall = await world.ok(plant.api.post('/recalls', { lotCodes: [lot], level: 2, reason: '农残超标', hazard: '毒死蜱' }));
        return recalledError(lot, recall.id);
      },
    ],
    [
      'brand suspension',
      async (world, plant, lot, product) => {
        const brand = await brandOf(world, plant, [product]);
        return async () => {
          await world.ok(brand.suspend(), 200);
          return notAdmittedError(plant, lot);
        };
      },
    ],
  ];
  for (const [what, prepare] of cases) {
    await t.test(what, async (t) => {
      const world = await createWorld(t);
      const plant = await world.party('processor');
      const product = await plant.product('kg');
      const lot = await plant.commission(product, 10);
      const stop = await prepare(world, plant, lot, product);
      let expected = '';
      const { service, warned } = issuing(world, {
        beforeBatch: async () => {
          expected = await stop();
        },
      });
      const job = await service.issue(principalOf(plant), lot, 5);
      await service.idle();
      t.match(await service.job(principalOf(plant), job.id), { status: 'failed', error: expected, done: 0 });
      t.equal(await storedCodes(world, job.id), 0, 'no code is left');
      t.same(warned, []);
    });
  }
});

t.test('a job’s last batch marks it succeeded as it stores its codes: a hold right after comes after them', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const lot = await plant.commission(await plant.product('kg'), 10);
  const repository = createRepositories(world.database).items;
  let statusOnceStored: string | undefined;
  const { service } = issuing(world, {
    afterBatch: async (jobId) => {
      statusOnceStored = (await repository.findJob(jobId))?.status;
      await world.ok(plant.api.post('/holds', { lotCodes: [lot], reason: HOLD_REASON }));
    },
  });
  const job = await service.issue(principalOf(plant), lot, 5);
  await service.idle();
  t.equal(statusOnceStored, 'succeeded', 'succeeded with its last batch, not by a step of its own after it');
  t.match(await service.job(principalOf(plant), job.id), { status: 'succeeded', done: 5, error: null });
  t.equal(await storedCodes(world, job.id), 5);
});

t.test(
  'a batch is its rows and one statement that locks the lot and brand rights, then writes the progress, in one transaction',
  async (t) => {
    // no background looks for subscriptions or gate windows: their statements would be recorded among the batch's
    const world = await createWorld(t, undefined, { rfidTickMs: 0, subscriptionTickMs: 3_600_000 });
    const plant = await world.party('processor');
    const lot = await plant.commission(await plant.product('kg'), 10);
    const texts: string[] = [];
    let stop = () => {};
    const { service } = issuing(world, {
      beforeBatch: async () => {
        stop = world.database.stats.observe((query) => texts.push(query.text.replace(/\s+/g, ' ').trim().toLowerCase()));
      },
      afterBatch: async () => stop(),
    });
    await service.issue(principalOf(plant), lot, 5);
    await service.idle();
    t.match(texts, [
      'begin',
      // the lease is written once the locks are had, not before a wait for one
      /^with lot as \(select .* for share\), rights as \(select .* for share\), .*job as \(update code_jobs /,
      world.database.kind === 'postgres' ? /^copy items / : /^insert into items /,
      'commit',
    ]);
  },
);

t.test('the service stores a job in batches of its database’s size: small on PGlite, whose one connection a batch holds', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const lot = await plant.commission(await plant.product('kg'), 10);
  // each batch is one transaction of its insert and the progress it writes (see the test above)
  const stored: number[] = [];
  let progressWrites = 0;
  const stop = world.database.stats.observe((query) => {
    const text = query.text.trim().toLowerCase();
    if (/^(insert into|copy) items /.test(text)) stored.push(query.rows ?? 0);
    if (text.includes('update code_jobs set done = done +')) progressWrites++;
  });
  const job = await world.app.services.items.issue(principalOf(plant), lot, 1_200);
  await world.app.services.items.idle();
  stop();
  t.match(await world.app.services.items.job(principalOf(plant), job.id), { status: 'succeeded', done: 1_200 });
  const batches = world.database.kind === 'pglite' ? [500, 500, 200] : [1_200];
  t.same(stored, batches, `batches of ${CODE_JOB_BATCH[world.database.kind]}`);
  t.equal(progressWrites, batches.length, 'the progress moves once a batch');
});

/**
 * A job of `count` codes (five: one batch) whose batch number `at` (the first) is stored while
 * `write`, sent once the batch is ready, waits for the row the test's own transaction (`lock`) holds;
 * the batch is let go then, and the transaction once the batch waits too: the write commits while
 * the batch waits for it. `storedBefore`: the job's codes stored when the batch was ready.
 */
async function batchWaitingForWrite(
  world: World,
  plant: Actor,
  lot: string,
  lock: SQL,
  write: () => Promise<Reply>,
  { count = 5, at = 1 } = {},
) {
  let reached!: () => void;
  const atBatch = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let go!: () => void;
  const gate = new Promise<void>((resolve) => {
    go = resolve;
  });
  const { service, warned } = issuing(world, {
    beforeBatch: async (batch) => {
      if (batch !== at) return;
      reached();
      await gate;
    },
  });
  const job = await service.issue(principalOf(plant), lot, count);
  await atBatch;
  const storedBefore = await storedCodes(world, job.id);
  const held = await holdLocked(world, lock);
  const written = write();
  await waitBlockedBy(world, held.pid, written);
  go();
  const issued = service.idle();
  await waitersReach(world, 2, issued);
  held.release();
  await held.done;
  const reply = await written;
  await issued;
  return { job: await service.job(principalOf(plant), job.id), reply, warned, storedBefore };
}

/** Locks the party's authorization for the brand, as a change of it does. */
const authorizationLock = (brand: string, party: Actor) =>
  sql`select 1 from brand_authorizations where brand_code = ${brand} and party_code = ${party.code} for update`;

t.test('a write committed while a job’s last batch waits for it (PostgreSQL)', onPostgres, async (t) => {
  /** A write the batch waits for: the row it locks, the request, its status and the job's error once it is stored. */
  type Waited = { lock: SQL; write: () => Promise<Reply>; status: number; error: (reply: Reply) => string };
  const cases: [string, (world: World, plant: Actor, lot: string, product: string) => Promise<Waited>][] = [
    [
      'a hold: the job fails naming it',
      async (_world, plant, lot) => ({
        lock: sql`select 1 from lots where code = ${lot} for no key update`,
        write: () => plant.api.post('/holds', { lotCodes: [lot], reason: HOLD_REASON }),
        status: 201,
        error: () => heldError(lot),
      }),
    ],
    [
      'a recall: the job fails naming it',
      async (_world, plant, lot) => ({
        lock: sql`select 1 from lots where code = ${lot} for no key update`,
        write: () => plant.api.post('/recalls', { lotCodes: [lot], level: 2, reason: '农残超标', hazard: '毒死蜱' }),
        status: 201,
        error: (reply) => recalledError(lot, reply.body.id),
      }),
    ],
    [
      'a suspension from the brand covering its product: the job fails naming the brand',
      async (world, plant, lot, product) => {
        const brand = await brandOf(world, plant, [product]);
        return {
          lock: authorizationLock(brand.code, plant),
          write: brand.suspend,
          status: 200,
          error: () => notAdmittedError(plant, lot),
        };
      },
    ],
  ];
  for (const [what, waited] of cases) {
    await t.test(what, async (t) => {
      const world = await createWorld(t, 'postgres');
      const plant = await world.party('processor');
      const product = await plant.product('kg');
      const lot = await plant.commission(product, 10);
      const { lock, write, status, error } = await waited(world, plant, lot, product);
      const { job, reply, warned } = await batchWaitingForWrite(world, plant, lot, lock, write);
      expectStatus(t, reply, status, 'the write is stored');
      t.match(job, { status: 'failed', error: error(reply), done: 0 });
      t.equal(await storedCodes(world, job.id), 0, 'no code is left');
      t.same(warned, [], 'not taken for a job lost to another process');
    });
  }
});

t.test(
  'a suspension committed while a middle batch waits for it stops the job, taking the batches stored before (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const product = await plant.product('kg');
    const lot = await plant.commission(product, 10);
    const brand = await brandOf(world, plant, [product]);
    // three batches; the suspension lands while the second waits for the authorization
    const { job, reply, warned, storedBefore } = await batchWaitingForWrite(
      world,
      plant,
      lot,
      authorizationLock(brand.code, plant),
      brand.suspend,
      {
        count: 20_001,
        at: 2,
      },
    );
    expectStatus(t, reply, 200, 'the suspension is stored');
    t.equal(storedBefore, 10_000, 'the first batch was stored');
    t.match(job, { status: 'failed', error: notAdmittedError(plant, lot), done: 0 });
    t.equal(await storedCodes(world, job.id), 0, 'the first batch’s codes are removed with it');
    t.same(warned, []);
  },
);

t.test(
  'a batch waiting for a change of its owner’s brand rights writes the job’s lease once it has them (PostgreSQL)',
  onPostgres,
  async (t) => {
    const world = await createWorld(t, 'postgres');
    const plant = await world.party('processor');
    const product = await plant.product('kg');
    const lot = await plant.commission(product, 10);
    const brand = await brandOf(world, plant, [product]);
    let reached!: () => void;
    const atBatch = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let go!: () => void;
    const gate = new Promise<void>((resolve) => {
      go = resolve;
    });
    const { service } = issuing(world, {
      beforeBatch: async () => {
        reached();
        await gate;
      },
    });
    const job = await service.issue(principalOf(plant), lot, 5);
    await atBatch;
    // a change of the authorization under way (one that leaves it admitted: the batch goes on)
    const held = await holdLocked(world, authorizationLock(brand.code, plant));
    go();
    const issued = service.idle();
    await waitBlockedBy(world, held.pid, issued);
    const [{ jobLocked }] = await queryRows<{ jobLocked: boolean }>(
      world.database.db,
      sql`select not exists (select from code_jobs where id = ${job.id} for update skip locked) as "jobLocked"`,
    );
    t.equal(jobLocked, false, 'the job’s row is not yet written while the batch waits: its lease can be renewed meanwhile');
    const [{ waitedUntil }] = await queryRows<{ waitedUntil: string }>(
      world.database.db,
      sql`select clock_timestamp()::text as "waitedUntil"`,
    );
    held.release();
    await held.done;
    await issued;
    const [{ leaseFromWait }] = await queryRows<{ leaseFromWait: boolean }>(
      world.database.db,
      sql`select lease_until >= ${waitedUntil}::timestamptz + make_interval(secs => ${DEFAULT_JOB_LEASE_SECONDS}) as "leaseFromWait"
      from code_jobs where id = ${job.id}`,
    );
    t.match(await service.job(principalOf(plant), job.id), { status: 'succeeded', done: 5 });
    t.equal(leaseFromWait, true, 'the lease the batch stored runs from after its wait, not from before it');
  },
);
