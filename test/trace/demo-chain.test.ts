import { seedDemoChain } from '../../seeds/fengjie.js';
import { buildTestApp, client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('the Fengjie demo chain traces from the shop shelf back to every farm and ear tag, and forward again', async (t) => {
  const { app, adminKey } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const admin = client(app, adminKey);

  const back = await admin.get(`/trace/${demo.retailLotCode}?direction=backward`);
  t.equal(back.status, 200);
  const nodeCodes = back.body.nodes.map((node: { code: string }) => node.code);
  for (const farmLot of demo.farmLotCodes) t.ok(nodeCodes.includes(farmLot), `reaches farm lot ${farmLot}`);
  t.same(back.body.summary.earTags, [...demo.earTags].sort(), 'every ear tag of both farms');
  t.same(back.body.summary.farms, [demo.parties.farm1, demo.parties.farm2].sort(), 'both farms');
  t.equal(back.body.nodes[0].code, demo.retailLotCode, 'the start lot comes first at depth 0');
  const retail = back.body.nodes[0];
  t.ok(
    retail.inspections.some((i: { kind: string; result: string }) => i.kind === 'third_party' && i.result === 'pass'),
    'third-party test report on the retail lot',
  );
  const carcass = back.body.nodes.find((node: { certificates: { type: string }[] }) =>
    node.certificates.some((c) => c.type === 'meat_quality_certificate'),
  );
  t.ok(carcass, 'meat-quality certificate on the slaughter lot');
  const times = back.body.events.map((event: { eventTime: string }) => Date.parse(event.eventTime));
  t.same(
    times,
    [...times].sort((a, b) => a - b),
    'events ordered in time',
  );

  const forward = await admin.get(`/trace/${demo.earTags[0]}?direction=forward`);
  t.equal(forward.status, 200, 'an ear tag is a trace start');
  const forwardCodes = forward.body.nodes.map((node: { code: string }) => node.code);
  t.ok(forwardCodes.includes(demo.retailLotCode), 'forward from a farm lot reaches the retail lot');
  const holders = new Set(forward.body.summary.currentHolders.map((h: { partyCode: string }) => h.partyCode));
  for (const holder of [demo.parties.coldStore, demo.parties.distributor, demo.parties.retailer])
    t.ok(holders.has(holder), `current holder ${holder}`);
  const custody = forward.body.edges.filter((edge: { kind: string }) => edge.kind === 'custody');
  t.ok(
    custody.some((edge: { toPartyCode: string }) => edge.toPartyCode === demo.parties.retailer),
    'custody hand-over to the retailer',
  );
  const retailer = forward.body.parties.find((p: { code: string }) => p.code === demo.parties.retailer);
  t.ok(retailer.contact.phone, 'regulators get holder contacts');
});

t.test('every lot of the demo chain closes its books, each transformation within its yield allowance', async (t) => {
  const { app, adminKey } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const admin = client(app, adminKey);
  const gaps = await admin.get('/regulator/mass-balance/gaps?limit=100');
  t.equal(gaps.status, 200);
  t.strictSame(gaps.body.items, [], 'no lot with a gap');
  const back = await admin.get(`/trace/${demo.retailLotCode}?direction=backward`);
  for (const node of back.body.nodes as { code: string; kind: string }[]) {
    const sheet = (await admin.get(`/lots/${node.code}/balance-sheet`)).body;
    t.equal(sheet.gap, 0, `${node.code} balances`);
    for (const used of sheet.usedIn as { yield: { kind: string; gap: number } | null }[]) {
      if (used.yield) t.equal(used.yield.gap, 0, `${node.code}: its ${used.yield.kind} yield is within the allowance`);
    }
  }
});
