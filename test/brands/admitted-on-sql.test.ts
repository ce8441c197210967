// admittedOnSql, which the regulators' activity figures count GI members by, reads an authorization's
// history as admittedOn (standing.ts) does: day by day through admission, suspension, reinstatement,
// exit and the end of its validity.
import { sql } from 'drizzle-orm';
import { admittedOnSql, authorizationHistory } from '../../src/brands/repository.js';
import { type AuthorizationHistory, admittedOn } from '../../src/brands/standing.js';
import { queryRows } from '../../src/db/client.js';
import { BRANDS_REGISTERED, createWorld, settableClock } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** Every day from `first` to `last`, both included. */
function daysFrom(first: string, last: string): string[] {
  const days: string[] = [];
  for (let day = Date.parse(`${first}T00:00:00Z`); day <= Date.parse(`${last}T00:00:00Z`); day += 86_400_000) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}

t.test('admittedOnSql agrees with admittedOn on every day of a history', async (t) => {
  const clock = settableClock();
  const world = await createWorld(t, undefined, { now: clock.now });
  const office = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  const member = await world.party('processor');
  const product = await member.product('kg');
  await clock.on(BRANDS_REGISTERED, () =>
    world.brand(
      office,
      { code: 'GI-1', kind: 'gi', nameZh: '奉节腊肉', nameEn: 'Fengjie Cured Pork', products: [product] },
      { registeredNow: true },
    ),
  );
  const path = `/brands/GI-1/authorizations/${member.code}/state`;
  await world.ok(
    office.post('/brands/GI-1/authorizations', {
      partyCode: member.code,
      tier: 'authorized',
      validFrom: '2026-01-10',
      validUntil: '2026-05-31',
      reason: '准入',
    }),
  );
  await world.ok(office.post(path, { state: 'suspended', effectiveOn: '2026-02-10', reason: '暂停' }), 200);
  await world.ok(office.post(path, { state: 'admitted', effectiveOn: '2026-03-05', reason: '恢复' }), 200);
  await world.ok(office.post(path, { state: 'exited', effectiveOn: '2026-04-20', reason: '退出' }), 200);

  const [{ history }] = await queryRows<{ history: AuthorizationHistory }>(
    world.database.db,
    sql`select ${authorizationHistory(sql`a`)} as history from brand_authorizations a where a.party_code = ${member.code}`,
  );
  const days = daysFrom('2026-01-01', '2026-06-10');
  const rows = await queryRows<{ day: string; admitted: boolean }>(
    world.database.db,
    sql`select d.day::text as day, exists (select 1 from brand_authorizations a where a.party_code = ${member.code}
        and ${admittedOnSql(sql`a`, sql`d.day`)}) as admitted
      from unnest(${sql.param(days)}::date[]) as d(day) order by 1`,
  );
  const fromSql = rows.map((row) => `${row.day} ${row.admitted}`);
  const expected = days.map((day) => `${day} ${admittedOn([history], day)}`);
  t.strictSame(fromSql, expected, 'the same answer every day');
  t.strictSame(
    ['2026-01-09', '2026-01-10', '2026-02-09', '2026-02-10', '2026-03-05', '2026-04-19', '2026-04-20'].map((day) =>
      admittedOn([history], day),
    ),
    [false, true, true, false, true, true, false],
    'through admission, suspension, reinstatement and exit',
  );
});
