// The audit log over a brand's members: changes recorded at one instant verify in the order they were
// made, a change moved out of it is found, and an authorization written with no logged admission
// breaks the brand's creation.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { shanghaiIso } from '../../src/codes/timestamp.js';
import { queryRows } from '../../src/db/client.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

// the service's clock stands still: every change below is recorded at the same instant
const clock = new Date();
const today = shanghaiIso(clock).slice(0, 10);

t.test('brand changes in the audit log', async (t) => {
  const world = await createWorld(t, undefined, { now: () => clock });
  const run = <T>(query: ReturnType<typeof sql>) => queryRows<T>(world.database.db, query);
  const office = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  const broken = async () => {
    const reply = await world.regulator.get('/audit/verify');
    if (reply.status !== 200) throw new Error(`verify: ${reply.status} ${JSON.stringify(reply.body)}`);
    return (reply.body.chains as { chain: string; ok: boolean; firstBroken: Record<string, unknown> | null }[]).filter((c) => !c.ok);
  };
  const code = 'AUDIT-ORDER';
  await world.ok(
    office.post('/brands', { code, kind: 'regional', regionCode: '500236', nameZh: '奉上好品', nameEn: 'Fengjie Finest', products: [] }),
  );
  const party = await world.party('processor');
  const change = (state: string) =>
    office.post(`/brands/${code}/authorizations/${party.code}/state`, { state, reason: `${state}: 品牌办决定` });
  expectStatus(
    t,
    await office.post(`/brands/${code}/authorizations`, { partyCode: party.code, tier: 'head', validFrom: today, reason: '准入' }),
    201,
    'admitted',
  );
  expectStatus(t, await change('suspended'), 200, 'suspended');
  expectStatus(t, await change('admitted'), 200, 'reinstated');
  expectStatus(t, await change('suspended'), 200, 'suspended again');
  const changeOf = async (toState: string, nth = 0) =>
    (
      await run<{ id: string }>(
        sql`select id from brand_authorization_changes where brand_code = ${code} and to_state = ${toState} order by seq`,
      )
    )[nth].id;

  t.test('changes recorded at one instant verify in the order they were made; one moved out of it does not', async (t) => {
    t.same(await broken(), [], 'the log verifies');
    const reinstatement = await changeOf('admitted', 1);
    // the reinstatement moved last: the second suspension then follows the first, from a state it was not in
    await run(sql`update brand_authorization_changes set seq = default where id = ${reinstatement}`);
    const [chain] = await broken();
    t.match(chain?.firstBroken, { kind: 'brand.authorization', problem: 'payload-mismatch' }, 'a change moved out of its order');
    // and back: every later change moved after it again
    await run(sql`update brand_authorization_changes set seq = default where id = ${await changeOf('suspended', 1)}`);
    t.same(await broken(), [], 'verifies again once the order is restored');
  });

  t.test("an authorization with no logged admission breaks the brand's creation", async (t) => {
    const store = await world.party('retailer');
    const id = randomUUID();
    await run(sql`insert into brand_authorizations (id, brand_code, party_code, tier, valid_from, valid_until, state, state_since)
      values (${id}, ${code}, ${store.code}, 'head', ${today}, null, 'admitted', ${today})`);
    const [chain] = await broken();
    t.match(
      chain?.firstBroken,
      { kind: 'brand.create', subjectId: code, problem: 'payload-mismatch' },
      'an authorization row with no change at all',
    );
    await run(sql`delete from brand_authorizations where id = ${id}`);
    t.same(await broken(), [], 'verifies again once removed');
  });
});
