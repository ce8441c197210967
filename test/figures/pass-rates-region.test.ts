// Whose region a pass rate's region filter is: by default the tested lot's owner's, as it always
// was; with regionOf=tester the region of the party that recorded the test, so a county bureau sees
// the pass rate of its own sampling of produce another county's enterprise owns.
import { signInToDashboard } from '../fixtures/dashboard.js';
import { servedOpenApi } from '../fixtures/openapi.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const FENGJIE = '500236';
const YUZHONG = '500103';
const YUBEI = '500112';

t.test('a pass rate by the tested lot’s owner’s region or by the tester’s', async (t) => {
  const world = await createWorld(t);
  const producer = await world.party('processor', '奉节腊味', FENGJIE);
  const market = await world.party('retailer', '渝中农贸市场', YUZHONG);
  const bureau = await world.party('regulator', '渝中区市场监管局', YUZHONG);
  const lab = await world.party('lab', '渝北检测院', YUBEI);
  const lot = await producer.commission(await producer.product('kg'), 100);
  await world.handOver(producer, market, lot, 20);

  const inspect = (who: typeof producer, inspection: Record<string, unknown>) =>
    world.ok(who.event({ type: 'inspect', lotCodes: [lot], inspection }));
  await inspect(producer, { kind: 'self', result: 'pass', items: [{ name: '水分', result: 'pass' }] });
  // the Yuzhong bureau samples the Fengjie producer's pack on sale in a Yuzhong market
  await inspect(bureau, { kind: 'sampling', result: 'fail', reportNumber: 'YZ-1', items: [{ name: '亚硝酸盐', result: 'fail' }] });
  await inspect(market, { kind: 'self', result: 'pass', items: [{ name: '水分', result: 'pass' }] });
  await inspect(lab, { kind: 'third_party', result: 'pass', reportNumber: 'YB-1', items: [{ name: '亚硝酸盐', result: 'pass' }] });

  const rates = async (query: string) =>
    expectStatus(t, await world.regulator.get(`/regulator/figures/pass-rates${query}`), 200, `pass rates ${query}`).body;
  const kinds = (figures: any) => figures.byKind.map((row: any) => [row.kind, row.total, row.passed]);
  const items = (figures: any) => figures.byItem.map((row: any) => [row.item, row.total, row.passed]);

  const everything = await rates('');
  t.strictSame(
    kinds(everything),
    [
      ['sampling', 1, 0],
      ['self', 2, 2],
      ['third_party', 1, 1],
    ],
    'every test, with no region',
  );
  t.same(await rates('?regionOf=tester'), everything, 'no region: whose region is no matter');

  const ofOwner = await rates(`?region=${FENGJIE}`);
  t.same(ofOwner, everything, 'the producer’s county counts every test of its lot, wherever the tester is');
  t.same(await rates(`?region=${FENGJIE}&regionOf=owner`), ofOwner, 'regionOf=owner is the default');
  t.strictSame(
    (await rates(`?region=${YUZHONG}`)).overall,
    { total: 0, passed: 0, failed: 0, rate: null, meetsTarget: false },
    'by default, the bureau’s county counts no test of a lot owned elsewhere',
  );

  const bySampler = await rates(`?regionOf=tester&region=${YUZHONG}`);
  t.strictSame(
    kinds(bySampler),
    [
      ['sampling', 1, 0],
      ['self', 1, 1],
    ],
    'the bureau’s county counts the tests recorded there: its sampling and the market’s self-test',
  );
  t.strictSame(bySampler.overall, { total: 2, passed: 1, failed: 1, rate: 0.5, meetsTarget: false });
  t.strictSame(
    items(bySampler),
    [
      ['亚硝酸盐', 1, 0],
      ['水分', 1, 1],
    ],
    'and their test items',
  );
  t.strictSame(kinds(await rates(`?regionOf=tester&region=${YUBEI}`)), [['third_party', 1, 1]], 'a lab’s test counts in the lab’s county');
  t.strictSame(
    kinds(await rates(`?regionOf=tester&region=${FENGJIE}`)),
    [['self', 1, 1]],
    'the producer’s county counts only the producer’s own test',
  );
  t.same(await rates('?regionOf=tester&region=50'), everything, 'a province prefix takes every tester in it');
  t.strictSame(kinds(await rates(`?regionOf=tester&region=${YUZHONG}&from=2000-01-01&to=2000-12-31`)), [], 'the period still applies');

  for (const [query, what] of [
    ['regionOf=lab', 'a party no pass rate is counted by'],
    ['regionOf=Tester', 'a value as written differently'],
    ['regionOf=', 'an empty value'],
    ['regionOf=owner&regionOf=tester', 'a value given twice'],
  ]) {
    const refused = expectStatus(t, await world.regulator.get(`/regulator/figures/pass-rates?region=${YUZHONG}&${query}`), 400, what);
    t.match(refused.headers['content-type'], /^application\/problem\+json/);
    t.match(
      refused.body,
      { type: '/problems/validation', errors: [{ in: 'querystring', pointer: '/regionOf' }] },
      `${what}: naming the field`,
    );
  }
  expectStatus(t, await producer.api.get('/regulator/figures/pass-rates?regionOf=tester'), 403, 'not for operators');

  const operation = (await servedOpenApi(world.app)).paths['/regulator/figures/pass-rates'].get as unknown as {
    parameters: { name: string }[];
  };
  const parameter = operation.parameters.find((declared) => declared.name === 'regionOf');
  t.match(parameter, { in: 'query', required: false, schema: { enum: ['owner', 'tester'], default: 'owner' } }, 'declared in the API');

  const { open } = await signInToDashboard(world);
  const page = await open(`/regulator/dashboard?region=${YUZHONG}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, '按受检批次所属企业所在地区统计', 'the dashboard’s pass rates say whose region they are by');
  t.match((await open(`/regulator/dashboard?region=${YUZHONG}&lang=en`)).body, 'By the region of the tested lot');
});
