// A blank region filter counts as no filter on every route that takes one, as a blank setting
// counts as unset: an HTML form's empty field or a stray space never turns into a 400 or a filter
// matching nothing. A mistyped region is still a 400.
import { sql } from 'drizzle-orm';
import { signInToDashboard } from '../fixtures/dashboard.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const BLANKS = ['', '%20', '%20%20'];
/** The regulator's routes that take a region filter (the dashboard's and /parties aside). */
const FIGURES = [
  '/regulator/mass-balance/gaps',
  '/regulator/anomalies',
  '/regulator/figures/pass-rates',
  '/regulator/figures/traceability',
  '/regulator/figures/activity',
  '/regulator/events',
];

t.test('a blank region filter is no filter on every route that takes one', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const lot = await plant.commission(await plant.product('kg'), 100);
  await world.ok(plant.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 10 }] }));

  for (const path of FIGURES) {
    const unset = expectStatus(t, await world.regulator.get(path), 200, `${path} without a region`);
    for (const blank of BLANKS) {
      const reply = expectStatus(t, await world.regulator.get(`${path}?region=${blank}`), 200, `${path}?region=${blank}`);
      t.same(reply.body, unset.body, `${path}?region=${blank} reads as no region`);
    }
    expectStatus(t, await world.regulator.get(`${path}?region=5002x`), 400, `${path}: a mistyped region is a 400`);
  }

  const everyParty = expectStatus(t, await world.regulator.get('/parties?limit=1000'), 200, 'every party');
  for (const blank of BLANKS) {
    const reply = expectStatus(
      t,
      await world.regulator.get(`/parties?limit=1000&regionCode=${blank}`),
      200,
      `/parties?regionCode=${blank}`,
    );
    t.same(reply.body, everyParty.body, `/parties?regionCode=${blank} reads as no region`);
  }
  const inCounty = expectStatus(t, await world.regulator.get('/parties?regionCode=500236'), 200, 'one county');
  t.ok(
    inCounty.body.items.some((party: { code: string }) => party.code === plant.code),
    'a county code filters',
  );
  const inCity = expectStatus(t, await world.regulator.get('/parties?regionCode=5002'), 200, 'a prefix');
  t.ok(
    inCity.body.items.some((party: { code: string }) => party.code === plant.code),
    'a 4-digit prefix filters as on the figures routes',
  );
  expectStatus(t, await world.regulator.get('/parties?regionCode=5002x'), 400, '/parties: a mistyped region is a 400');

  const { open } = await signInToDashboard(world);
  for (const path of ['/regulator/dashboard', '/regulator/dashboard/events.csv']) {
    for (const blank of BLANKS) {
      const reply = await open(`${path}?region=${blank}`);
      t.equal(reply.statusCode, 200, `${path}?region=${blank} reads as no region`);
    }
    const mistyped = await open(`${path}?region=5002x`);
    t.equal(mistyped.statusCode, 400, `${path}: a mistyped region is a 400`);
  }
});

t.test('a region filter names a region GB/T 2260 lists or one a registered party holds: any other is a 400 naming the field', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  await plant.commission(await plant.product('kg'), 100);
  // 开县 (500234) was retired from GB/T 2260 in 2016; a party registered under it keeps it
  const old = await world.party('farm');
  await world.database.db.execute(sql`update parties set region_code = '500234' where code = ${old.code}`);

  const paths = [...FIGURES, '/regulator/events?format=csv'];
  const withRegion = (path: string, region: string) => `${path}${path.includes('?') ? '&' : '?'}region=${region}`;
  for (const path of paths) {
    // 500263: 500236 mistyped, a county neither listed nor held by any party
    const refused = expectStatus(t, await world.regulator.get(withRegion(path, '500263')), 400, `${path}: a region nobody holds`);
    t.match(refused.headers['content-type'], /^application\/problem\+json/);
    t.match(refused.body, { type: '/problems/validation', errors: [{ in: 'querystring', pointer: '/region' }] }, 'naming the field');
    for (const region of ['50', '5002', '500236', '500234']) {
      expectStatus(t, await world.regulator.get(withRegion(path, region)), 200, `${path}: ${region} listed or held`);
    }
  }
  expectStatus(
    t,
    await world.regulator.get('/regulator/anomalies?region=510000'),
    200,
    'a listed region no party holds filters to nothing',
  );

  const refused = expectStatus(t, await world.regulator.get('/parties?regionCode=500263'), 400, '/parties: a region nobody holds');
  t.match(refused.body, { type: '/problems/validation', errors: [{ in: 'querystring', pointer: '/regionCode' }] });
  const held = expectStatus(t, await world.regulator.get('/parties?regionCode=500234'), 200, '/parties: a retired region a party holds');
  t.strictSame(
    held.body.items.map((party: { code: string }) => party.code),
    [old.code],
  );

  const { open } = await signInToDashboard(world);
  for (const path of ['/regulator/dashboard', '/regulator/dashboard/events.csv', '/regulator/dashboard/recalls']) {
    t.equal((await open(`${path}?region=500263`)).statusCode, 400, `${path}: a region nobody holds is a 400`);
    t.equal((await open(`${path}?region=500234`)).statusCode, 200, `${path}: a retired region a party holds filters`);
  }
});
