// A lot a party may not read is a redacted node of its trace: its ear tags and lot number are left
// out there too (JSON and CSV), as /trace/<ear tag> and /trace/<party>:<lot number> answer that party 404.
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const EAR_TAGS = ['150023611077301', '150023611077302'];

t.test("a retailer's backward trace names no ear tag nor lot number of a farm lot it may not read", async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const shop = await world.party('retailer');
  const pigs = await farm.commission(await farm.product('head'), 2, { lotNumber: 'FARMLOT-7731', attributes: { earTags: EAR_TAGS } });
  await world.handOver(farm, plant, pigs);
  const [carcass] = await plant.transform(
    [{ lotCode: pigs, quantity: 2 }],
    [{ productCode: await plant.product('kg'), lotNumber: 'PLANTLOT-8842', quantity: 160 }],
  );
  await world.handOver(plant, shop, carcass, 40);

  // the doors that name the farm lot by its ear tag or lot number are shut to the shop
  t.equal((await shop.api.get(`/trace/${EAR_TAGS[0]}`)).status, 404, 'an ear tag');
  t.equal((await shop.api.get(`/trace/${farm.code}:FARMLOT-7731`)).status, 404, 'a lot number');

  const trace = (await shop.api.get(`/trace/${carcass}`)).body;
  const farmNode = trace.nodes.find((node: { code: string }) => node.code === pigs);
  t.match(farmNode, { redacted: true, earTags: [], lotNumber: null }, 'the farm lot: neither its ear tags nor its lot number');
  t.match(
    trace.nodes.find((node: { code: string }) => node.code === carcass),
    { redacted: false, lotNumber: 'PLANTLOT-8842' },
    'its own lot as before',
  );
  t.same(trace.summary.earTags, [], 'nor does the summary gather them');
  const json = JSON.stringify(trace);
  for (const hidden of [...EAR_TAGS, 'FARMLOT-7731']) t.notMatch(json, hidden, `${hidden} is nowhere in the trace`);

  const csv = await shop.api.get(`/trace/${carcass}?format=csv`);
  t.equal(csv.status, 200);
  t.match(csv.body, 'PLANTLOT-8842', 'the CSV names the lot it may read');
  for (const hidden of [...EAR_TAGS, 'FARMLOT-7731']) t.notMatch(csv.body, hidden, `${hidden} is nowhere in the CSV`);

  // the parties that may read the farm lot see all of it, as before
  for (const reader of [plant.api, world.regulator]) {
    const node = (await reader.get(`/trace/${carcass}`)).body.nodes.find((n: { code: string }) => n.code === pigs);
    t.match(node, { redacted: false, earTags: EAR_TAGS, lotNumber: 'FARMLOT-7731' });
  }
});
