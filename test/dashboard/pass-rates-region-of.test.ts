// The dashboard's pass-rate panel by the tested lot's owner's region (the default) or by the
// tester's, as GET /regulator/figures/pass-rates?regionOf= chooses: a county bureau reads the pass
// rate of its own sampling of produce another county's enterprise owns.
import { signInToDashboard } from '../fixtures/dashboard.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const FENGJIE = '500236';
const YUZHONG = '500103';

t.test('the pass-rate panel counts by the owner’s region or by the tester’s', async (t) => {
  const world = await createWorld(t);
  const producer = await world.party('processor', '奉节腊味', FENGJIE);
  const market = await world.party('retailer', '渝中农贸市场', YUZHONG);
  const bureau = await world.party('regulator', '渝中区市场监管局', YUZHONG);
  const lot = await producer.commission(await producer.product('kg'), 100);
  await world.handOver(producer, market, lot, 20);
  await world.ok(
    bureau.event({
      type: 'inspect',
      lotCodes: [lot],
      inspection: { kind: 'sampling', result: 'fail', reportNumber: 'YZ-1', items: [{ name: '亚硝酸盐', result: 'fail' }] },
    }),
  );

  const { open } = await signInToDashboard(world);
  const panel = (body: string) => /<section id="pass-rates">[\s\S]*?<\/section>/.exec(body)?.[0] ?? '';

  const byOwner = await open(`/regulator/dashboard?region=${YUZHONG}`);
  t.equal(byOwner.statusCode, 200);
  t.notMatch(panel(byOwner.body), '0/1 批次合格', 'by default no test of a lot owned elsewhere counts in Yuzhong');
  t.match(panel(byOwner.body), '按受检批次所属企业所在地区统计');
  t.match(byOwner.body, '<option value="owner" selected>', 'the form shows the owner chosen');

  const byTester = await open(`/regulator/dashboard?region=${YUZHONG}&regionOf=tester`);
  t.equal(byTester.statusCode, 200);
  t.match(panel(byTester.body), '0/1 批次合格', 'the bureau’s sampling counts in its own county');
  t.match(panel(byTester.body), '按检测方所在地区统计', 'and the panel says whose region it is');
  t.match(byTester.body, '<option value="tester" selected>', 'the form keeps the choice');
  t.notMatch(panel((await open(`/regulator/dashboard?region=${FENGJIE}&regionOf=tester`)).body), '0/1 批次合格', 'not in the owner’s');
  t.match((await open(`/regulator/dashboard?regionOf=tester&lang=en`)).body, 'By the region of the party that recorded the test');

  const mistake = await open('/regulator/dashboard?regionOf=lab');
  t.equal(mistake.statusCode, 400, 'an unknown regionOf');
  t.match(mistake.body, '统计口径: 只可为按企业所在地区或按检测方所在地区', 'saying what to correct');
});
