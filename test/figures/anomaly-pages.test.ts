// The regulator's anomaly lists a page at a time with every list's count, and the counts the
// dashboard shows read without reading every lot: a county of many expired lots or many lots whose
// books close costs a page, not the county.
import { createFiguresRepository } from '../../src/figures/repository.js';
import { sentAsDeclared, servedOpenApi } from '../fixtures/openapi.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('anomalies a page at a time: at most limit entries of each list after offset, with the count of each', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const product = await farm.product('kg');
  const expired = [];
  for (const expiryDate of ['2026-01-03', '2026-01-01', '2026-01-02']) expired.push(await farm.commission(product, 5, { expiryDate }));
  const [third, first, second] = expired;

  const all = expectStatus(t, await world.regulator.get('/regulator/anomalies'), 200, 'the default page').body;
  t.strictSame(
    all.expiredLots.map((lot: any) => lot.lotCode),
    [first, second, third],
    'every expired lot, the earliest expiry first',
  );
  t.strictSame(all.counts, {
    unreceivedShipments: 0,
    expiredLots: 3,
    failedInspectionsWithoutHold: 0,
    suspiciousCodes: 0,
    salesAfterExpiry: 0,
  });

  const page = expectStatus(t, await world.regulator.get('/regulator/anomalies?limit=2'), 200, 'a page of 2');
  t.strictSame(
    page.body.expiredLots.map((lot: any) => lot.lotCode),
    [first, second],
  );
  t.equal(page.body.counts.expiredLots, 3, 'the count is of the whole list');
  const next = expectStatus(t, await world.regulator.get('/regulator/anomalies?limit=2&offset=2'), 200, 'the next page').body;
  t.strictSame(
    next.expiredLots.map((lot: any) => lot.lotCode),
    [third],
  );
  t.equal(next.counts.expiredLots, 3);

  const document = await servedOpenApi(world.app);
  sentAsDeclared(t, document, ['GET', '/regulator/anomalies'], page, 200);
  const parameters = (document.paths['/regulator/anomalies'].get as any).parameters.map((parameter: any) => parameter.name);
  t.match(parameters, ['region', 'shipmentDays', 'limit', 'offset'], 'limit and offset declared');
  for (const wrong of ['limit=0', 'limit=1001', 'offset=-1']) {
    const refused = expectStatus(t, await world.regulator.get(`/regulator/anomalies?${wrong}`), 400, wrong);
    t.match(refused.body.errors, [{ in: 'querystring', pointer: `/${wrong.split('=')[0]}` }]);
  }

  const regulator = { keyId: 'county', role: 'regulator' as const, partyCode: null };
  t.match((await world.app.services.dashboard.view(regulator, {})).anomalyCounts, { expiredLots: 3, gaps: 0 }, 'the dashboard counts');
});

t.test(
  'the lots whose books may not close are read, not every lot: those that leave some unaccounted or that a transformation made',
  async (t) => {
    const world = await createWorld(t);
    const processor = await world.party('processor');
    const product = await processor.product('kg');
    const closed = [];
    for (let i = 0; i < 5; i++) closed.push(await processor.commission(product, 10, { expiryDate: '2026-01-01' }));
    const figures = createFiguresRepository(world.database.db);
    t.strictSame(await figures.ledgers({ mayNotClose: true }), [], 'lots made and kept whole close: none is read');
    const [made] = await processor.transform([{ lotCode: closed[0], quantity: 10 }], [{ productCode: product, quantity: 8 }]);
    t.strictSame(
      (await figures.ledgers({ mayNotClose: true })).map((row) => row.code),
      [made],
      'a lot a transformation made is read, to weigh its share of the yield',
    );
    const regulator = { keyId: 'county', role: 'regulator' as const, partyCode: null };
    t.equal(await world.app.services.figures.gapCount(regulator, {}), 0, 'within the allowance: no gap');
    t.equal((await world.app.services.dashboard.view(regulator, {})).anomalyCounts.gaps, 0);
  },
);
