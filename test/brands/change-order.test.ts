// The order of a member's changes, and what counts as a member: changes recorded at one instant are
// read in the order they were made, and an authorization with no change (none was ever admitted)
// holds no place and lists as no member.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { shanghaiIso } from '../../src/codes/timestamp.js';
import { queryRows } from '../../src/db/client.js';
import { migrationStatements } from '../fixtures/migrations.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

// the service's clock stands still: every change below is recorded at the same instant
const clock = new Date();
const today = shanghaiIso(clock).slice(0, 10);

t.test('brand changes and members', async (t) => {
  const world = await createWorld(t, undefined, { now: () => clock });
  const office = await world.brandOffice();
  let brands = 0;
  const brand = (products: string[]) => world.brand(office, { code: `ORDER-${++brands}`, products }, { registeredNow: true });
  const admit = (code: string, partyCode: string, tier = 'authorized') =>
    office.post(`/brands/${code}/authorizations`, { partyCode, tier, validFrom: today, reason: '准入审核通过' });
  const change = (code: string, partyCode: string, state: string) =>
    office.post(`/brands/${code}/authorizations/${partyCode}/state`, { state, reason: `${state}: 品牌办决定` });
  const members = async (code: string) =>
    (await world.ok(office.get(`/brands/${code}/authorizations`), 200)).items as {
      partyCode: string;
      state: string;
      history: { fromState: string | null; toState: string }[];
    }[];

  /** Each member's history reads admitted, suspended, reinstated, in that order. */
  const expectReinstatedInOrder = async (t: Test, code: string, what: string) => {
    for (const member of await members(code)) {
      t.same(
        member.history.map((change) => [change.fromState, change.toState]),
        [
          [null, 'admitted'],
          ['admitted', 'suspended'],
          ['suspended', 'admitted'],
        ],
        `${member.partyCode}: ${what}`,
      );
      t.equal(member.state, 'admitted', `${member.partyCode}: admitted`);
    }
  };

  t.test('changes recorded at one instant are read in the order they were made', async (t) => {
    // each party admitted, suspended and reinstated at the same instant: a tie on the time broken by a
    // random id would read one of six orders, five of them wrong (checked for six parties)
    const parties = [];
    for (let i = 0; i < 6; i++) parties.push(await world.party('processor'));
    const products = await Promise.all(parties.map((party) => party.product('piece')));
    const code = await brand(products);
    for (const party of parties) {
      expectStatus(t, await admit(code, party.code), 201, 'admitted');
      expectStatus(t, await change(code, party.code, 'suspended'), 200, 'suspended');
      expectStatus(t, await change(code, party.code, 'admitted'), 200, 'reinstated');
    }
    await expectReinstatedInOrder(t, code, 'its history in the order the changes were made');
    for (const [i, party] of parties.entries()) {
      const lot = await party.commission(products[i], 10, { productionDate: today });
      expectStatus(t, await party.api.post(`/lots/${lot}/items`, { count: 1 }), 202, `${party.code}, reinstated, labels its lots`);
    }
    await world.app.services.items.idle();
    const verified = await world.regulator.get('/audit/verify');
    t.equal(verified.body.ok, true, 'and the log verifies');
  });

  t.test('the changes stored before they were numbered are numbered in the order they were made', async (t) => {
    const run = <T>(query: ReturnType<typeof sql>) => queryRows<T>(world.database.db, query);
    const order = async (by: ReturnType<typeof sql>) =>
      (await run<{ id: string }>(sql`select id from brand_authorization_changes order by ${by}`)).map((row) => row.id);
    const histories = async () =>
      (
        await run<{ authorizationId: string; ids: string[] }>(
          sql`select authorization_id as "authorizationId", array_agg(id order by seq) as ids from brand_authorization_changes
            group by authorization_id order by authorization_id`,
        )
      ).map((row) => [row.authorizationId, row.ids]);
    // every change here was recorded at the one instant the clock shows: a member admitted, suspended and
    // reinstated until the random ids of one's changes sort otherwise than the order they were made in
    const code = await brand([]);
    let disagreeing = 0;
    for (let tries = 0; tries < 50 && disagreeing < 2; tries++) {
      const party = await world.party('processor');
      expectStatus(t, await admit(code, party.code), 201, 'admitted');
      expectStatus(t, await change(code, party.code, 'suspended'), 200, 'suspended');
      expectStatus(t, await change(code, party.code, 'admitted'), 200, 'reinstated');
      const made = (
        await run<{ id: string }>(
          sql`select id from brand_authorization_changes where brand_code = ${code} and party_code = ${party.code} order by seq`,
        )
      ).map((row) => row.id);
      if (made.join() !== [...made].sort().join()) disagreeing++;
    }
    t.equal(disagreeing, 2, "two members' changes of one instant whose ids sort out of the order they were made in");
    const [instants] = await run<{ n: number }>(sql`select count(distinct recorded_at)::int as n from brand_authorization_changes`);
    t.equal(instants.n, 1, 'all recorded at one instant');
    t.equal((await world.regulator.get('/audit/verify')).body.ok, true, 'the log verifies before');
    const made = await histories();
    // numbered in some other order, as adding the column numbers the rows in the order it scans them
    await run(sql`update brand_authorization_changes set seq = default where seq % 2 = 1`);
    t.notSame(await histories(), made, 'numbered out of the order they were made in');
    for (const statement of migrationStatements('0074_brand_changes_seq_backfill.sql')) await run(sql.raw(statement));
    t.same(await histories(), made, "each authorization's changes in the order they were made, whatever their ids");
    t.equal((await world.regulator.get('/audit/verify')).body.ok, true, 'and the log still verifies');
    await expectReinstatedInOrder(t, code, 'its history listed in that order');
    const all = await order(sql`seq`);
    const [numbers] = await run<{ min: string; max: string }>(sql`select min(seq)::text, max(seq)::text from brand_authorization_changes`);
    t.same([numbers.min, numbers.max], ['1', String(all.length)], 'numbered 1 to n');
    const party = await world.party('processor');
    expectStatus(t, await admit(await brand([]), party.code), 201, 'a member admitted since');
    t.equal((await order(sql`seq`)).length, all.length + 1);
    const [last] = await run<{ toState: string; partyCode: string }>(
      sql`select to_state as "toState", party_code as "partyCode" from brand_authorization_changes order by seq desc limit 1`,
    );
    t.same(last, { toState: 'admitted', partyCode: party.code }, 'its admission numbered after them');
  });

  t.test('an authorization with no change holds no place and lists as no member', async (t) => {
    const code = await brand([]);
    const run = <T>(query: ReturnType<typeof sql>) => queryRows<T>(world.database.db, query);
    // five head authorizations written straight into the database, none ever admitted by the office
    const bare: string[] = [];
    for (let i = 0; i < 5; i++) {
      const party = await world.party('processor');
      bare.push(party.code);
      await run(sql`insert into brand_authorizations (id, brand_code, party_code, tier, valid_from, valid_until, state, state_since)
        values (${randomUUID()}, ${code}, ${party.code}, 'head', ${today}, null, 'admitted', ${today})`);
    }
    const member = await world.party('processor');
    expectStatus(t, await admit(code, member.code, 'head'), 201, 'the head tier has its five places');
    t.same(
      (await members(code)).map((row) => [row.partyCode, row.state]),
      [[member.code, 'admitted']],
      'the brand lists its one admitted member',
    );
    // the office is told the same at both doors: the row is there, but was never admitted, and an operator
    // must look at it (neither a new admission nor a change of its state takes it over)
    const unadmitted = (reply: { body: { type: string; title: string; detail: string } }, what: string) => {
      t.equal(reply.body.type, '/problems/unadmitted-authorization', `${what}: an authorization with no logged admission`);
      t.match(reply.body.detail, new RegExp(`party ${bare[0]} .*brand ${code}.*no logged admission.*operator`), `${what}: says so`);
    };
    unadmitted(expectStatus(t, await admit(code, bare[0]), 409, 'admitting the party of a row never admitted'), 'admitting');
    unadmitted(expectStatus(t, await change(code, bare[0], 'suspended'), 409, 'changing a row never admitted'), 'changing');
    const [stored] = await run<{ n: number }>(
      sql`select count(*)::int as n from brand_authorization_changes where brand_code = ${code} and party_code = ${bare[0]}`,
    );
    t.equal(stored.n, 0, 'and nothing is adopted: the row still has no change');
    const stranger = await world.party('processor');
    const none = expectStatus(t, await change(code, stranger.code, 'suspended'), 404, 'a party with no row at all');
    t.equal(none.body.type, '/problems/not-found');
    const own = await world.party('processor');
    await run(sql`insert into brand_authorizations (id, brand_code, party_code, tier, valid_from, valid_until, state, state_since)
      values (${randomUUID()}, ${code}, ${own.code}, 'authorized', ${today}, null, 'exited', ${today})`);
    t.same(
      (await world.ok(own.api.get(`/brands/${code}/authorizations?partyCode=${own.code}`), 200)).items,
      [],
      'nor is it listed to its party',
    );
  });

  t.test('changes recorded at different instants are numbered by time, a tie between them by the chain', async (t) => {
    const run = <T>(query: ReturnType<typeof sql>) => queryRows<T>(world.database.db, query);
    // one authorization's changes written straight in: an admission on one instant, then at a later one a
    // suspension, reinstatement and exit whose ids sort in the reverse of the order they follow on in
    const code = await brand([]);
    const party = await world.party('processor');
    const id = randomUUID();
    await run(sql`insert into brand_authorizations (id, brand_code, party_code, tier, valid_from, valid_until, state, state_since)
      values (${id}, ${code}, ${party.code}, 'authorized', ${today}, null, 'exited', ${today})`);
    const rows: [string, string | null, string, string][] = [
      ['z-admit', null, 'admitted', '2026-01-01T00:00:00Z'],
      ['c-suspend', 'admitted', 'suspended', '2026-01-02T00:00:00Z'],
      ['b-reinstate', 'suspended', 'admitted', '2026-01-02T00:00:00Z'],
      ['a-exit', 'admitted', 'exited', '2026-01-02T00:00:00Z'],
    ];
    for (const [suffix, from, to, at] of [...rows].reverse()) {
      await run(sql`insert into brand_authorization_changes (id, authorization_id, brand_code, party_code, from_state, to_state,
          effective_on, reason, key_id, recorded_at)
        values (${`${id}-${suffix}`}, ${id}, ${code}, ${party.code}, ${from}, ${to}, ${today}, 'written straight in', 'test', ${at}::timestamptz)`);
    }
    for (const statement of migrationStatements('0074_brand_changes_seq_backfill.sql')) await run(sql.raw(statement));
    const numbered = await run<{ id: string }>(sql`select id from brand_authorization_changes where authorization_id = ${id} order by seq`);
    t.same(
      numbered.map((row) => row.id),
      rows.map(([suffix]) => `${id}-${suffix}`),
      'the admission first, then the later tie in the order each follows on from the one before',
    );
    await run(sql`delete from brand_authorization_changes where authorization_id = ${id}`);
    await run(sql`delete from brand_authorizations where id = ${id}`);
  });
});
