// The dashboard's recalls panel honours the period and the region as the other panels do: the
// recalls in progress at some time in the period (opened before it ends, not closed before it
// begins; with no period, those open now) whose scope reaches the region.
import { sql } from 'drizzle-orm';
import { periodScope } from '../../src/figures/service.js';
import { signInToDashboard } from '../fixtures/dashboard.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('the recalls panel takes the recalls in progress in the period whose scope reaches the region', async (t) => {
  const world = await createWorld(t);
  const { db } = world.database;
  const fengjie = await world.party('slaughterhouse', '奉节屠宰厂');
  const beijing = await world.party('slaughterhouse', '北京屠宰厂');
  const shop = await world.party('retailer', '北京超市');
  await db.execute(sql`update parties set region_code = '110101' where code in (${beijing.code}, ${shop.code})`);
  const [fjOpen, fjClosed, bjOpen, reached] = [
    await fengjie.commission(await fengjie.product('kg'), 10),
    await fengjie.commission(await fengjie.product('kg'), 10),
    await beijing.commission(await beijing.product('kg'), 10),
    await fengjie.commission(await fengjie.product('kg'), 10),
  ];
  // a Fengjie lot a Beijing shop holds: its recall reaches Beijing through the holder
  await world.handOver(fengjie, shop, reached, 4);
  const recall = async (party: typeof fengjie, lot: string, openedAt: string, closedAt?: string) => {
    const { id } = await world.ok(party.api.post('/recalls', { lotCodes: [lot], level: 2, reason: '抽检不合格', hazard: 'h' }));
    await db.execute(sql`update recalls set opened_at = ${openedAt}::timestamptz where id = ${id}`);
    if (closedAt) await db.execute(sql`update recalls set status = 'closed', closed_at = ${closedAt}::timestamptz where id = ${id}`);
    return id as string;
  };
  const recalls = {
    fjOpen: await recall(fengjie, fjOpen, '2026-01-10T02:00:00Z'),
    fjClosed: await recall(fengjie, fjClosed, '2026-01-05T02:00:00Z', '2026-02-10T02:00:00Z'),
    bjOpen: await recall(beijing, bjOpen, '2026-03-10T02:00:00Z'),
    reached: await recall(fengjie, reached, '2026-03-20T02:00:00Z'),
  };
  const named = new Map(Object.entries(recalls).map(([name, id]) => [id, name]));

  const regulator = { keyId: 'county', role: 'regulator' as const, partyCode: null };
  const panel = async (query: { from?: string; to?: string; region?: string }) => {
    const view = await world.app.services.dashboard.view(regulator, periodScope(query));
    const names = view.recalls.map((row) => named.get(row.id)).sort();
    t.equal(view.openRecalls, names.length, `${JSON.stringify(query)}: the count says as many as listed`);
    return names;
  };
  t.same(await panel({}), ['bjOpen', 'fjOpen', 'reached'], 'no period: the recalls open now');
  t.same(await panel({ region: '500236' }), ['fjOpen', 'reached'], 'Fengjie: the recalls of its lots');
  t.same(await panel({ region: '11' }), ['bjOpen', 'reached'], 'Beijing: its lot, and the Fengjie lot its shop holds');
  t.same(
    await panel({ from: '2026-01-01', to: '2026-01-31' }),
    ['fjClosed', 'fjOpen'],
    'January: the recalls in progress then, one closed since among them',
  );
  t.same(await panel({ from: '2026-03-01', to: '2026-03-31' }), ['bjOpen', 'fjOpen', 'reached'], 'March: not the one closed in February');
  t.same(await panel({ to: '2026-01-31' }), ['fjClosed', 'fjOpen'], 'an end alone: those in progress at its end');
  t.same(await panel({ from: '2026-02-15' }), ['bjOpen', 'fjOpen', 'reached'], 'a start alone: those in progress since');
  t.same(await panel({ from: '2026-01-01', to: '2026-01-31', region: '11' }), [], 'January in Beijing: none');

  // the page draws them, marks the closed one, and its link to every recall keeps the period and region
  const { open } = await signInToDashboard(world);
  const section = (body: string) => /<section id="recalls">([\s\S]*?)<\/section>/.exec(body)?.[1] ?? '';
  const january = section((await open('/regulator/dashboard?from=2026-01-01&to=2026-01-31&region=500236')).body);
  t.match(january, fjOpen);
  t.match(january, fjClosed);
  t.match(january, '已结束', 'the recall closed since is marked closed');
  t.notMatch(january, bjOpen);
  t.match(january, '期间内进行过的召回共 2 项', 'with a period, the count says it takes the recalls in progress during it');
  t.notMatch(january, '进行中的召回共', 'not that they are open now');
  const now = section((await open('/regulator/dashboard?region=500236')).body);
  t.match(now, /(?<!过的)进行中的召回共 \d+ 项/, 'with no period, the count is of the recalls open now');
  const januaryEn = section((await open('/regulator/dashboard?from=2026-01-01&to=2026-01-31&region=500236&lang=en')).body);
  t.match(januaryEn, '2 recalls in progress during the period');
  const list = await open('/regulator/dashboard/recalls?from=2026-03-01&to=2026-03-31&region=11');
  t.equal(list.statusCode, 200);
  t.match(list.body, bjOpen, 'the full list takes the same period and region');
  t.match(list.body, reached);
  t.notMatch(list.body, fjOpen);
});
