import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

// GET /epc tells an operator what an ear tag, a party's lot number or a captured URI names only
// when it may read the lot; a trace from one answers as an unknown identifier does, and names no lot.
t.test("a trace from another party's private identifier is no oracle of its lots", async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm', 'farm one');
  const stranger = await world.party('retailer', 'stranger');
  const pigs = await farm.product('head');
  const tag = '150023611000001';
  const lot = await farm.commission(pigs, 1, { lotNumber: 'F-7', attributes: { earTags: [tag] } });

  for (const [label, identifier, unknown] of [
    ['an ear tag', tag, '150023611000002'],
    ["the party's lot number", `${farm.code}:F-7`, `${farm.code}:F-8`],
  ] as const) {
    t.equal((await farm.api.get(`/trace/${identifier}`)).status, 200, `${label}: its owner traces it`);
    t.equal((await world.regulator.get(`/trace/${identifier}`)).status, 200, `${label}: a regulator traces it`);
    const known = await stranger.api.get(`/trace/${identifier}`);
    const missing = await stranger.api.get(`/trace/${unknown}`);
    t.equal(known.status, 404, `${label}: another party is answered as for an unknown one`);
    t.equal(missing.status, 404, `${label}: an unknown one is 404`);
    t.notMatch(JSON.stringify(known.body), lot, `${label}: the answer does not name the lot`);
    const csv = await stranger.api.get(`/trace/${identifier}?format=csv`);
    t.equal(csv.status, 404, `${label}: nor does its CSV tell`);
  }
  // the lot's own code is what the caller wrote: refused as GET /lots/{code} refuses it
  t.equal((await stranger.api.get(`/trace/${lot}`)).status, 403, 'a lot code of a lot it may not read is 403');
});
