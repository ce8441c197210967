// The regulator routes through HTTP: counterfeit flags and a lot's consumer scans, for regulator
// and admin keys only.
import { createWorld, expectStatus } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('regulator routes', async (t) => {
  const world = await createWorld(t);
  const operator = await world.party('retailer');
  const anonymous = client(world.app);
  const { scans } = world.app.services;
  const lotCode = await operator.commission(await operator.product(), 10);
  const at = new Date('2026-11-01T10:00:00Z');
  await scans.raiseFlag({ code: 'ITEM0000001', kind: 'over_scanned', lotCode, partyCode: operator.code, detail: 'scanned 21 times', at });
  await scans.raiseFlag({ code: 'ITEM0000002', kind: 'unknown_code', lotCode: null, partyCode: null, detail: 'never issued', at });
  for (const [index, region] of ['500236', '500236', '110101'].entries()) {
    scans.record({
      id: `scan-${index}`,
      code: `ITEM000000${index}`,
      itemCode: `ITEM000000${index}`,
      lotCode,
      partyCode: operator.code,
      at: new Date(at.getTime() + index * 60_000),
      region,
      ipHash: 'ip',
      userAgent: 'phone',
      clientHash: `client-${index}`,
    });
  }

  t.test('flags: regulators and admins read them, filtered by kind and lot', async (t) => {
    const all = expectStatus(t, await world.regulator.get('/regulator/flags'), 200, 'regulator');
    t.same(all.body.items.map((flag: { code: string }) => flag.code).sort(), ['ITEM0000001', 'ITEM0000002']);
    t.match(
      all.body.items.find((flag: { kind: string }) => flag.kind === 'over_scanned'),
      {
        code: 'ITEM0000001',
        lotCode,
        partyCode: operator.code,
        occurrences: 1,
        detail: 'scanned 21 times',
        firstAt: at.toISOString(),
      },
    );
    const byKind = expectStatus(t, await world.admin.get('/regulator/flags?kind=unknown_code'), 200, 'admin');
    t.same(
      byKind.body.items.map((flag: { code: string }) => flag.code),
      ['ITEM0000002'],
    );
    const byLot = await world.regulator.get(`/regulator/flags?lotCode=${lotCode.toLowerCase()}`);
    t.same(
      byLot.body.items.map((flag: { code: string }) => flag.code),
      ['ITEM0000001'],
      'the lot code is read in any case',
    );
    t.equal((await world.regulator.get('/regulator/flags?limit=1&offset=1')).body.items.length, 1, 'paged');
  });

  t.test('flags: operators are refused, anonymous callers unauthenticated, bad filters a 400 naming the field', async (t) => {
    const refused = expectStatus(t, await operator.api.get('/regulator/flags'), 403, 'operator');
    t.equal(refused.body.detail, 'only regulator or admin keys may read scan statistics and flags; this key has the operator role');
    expectStatus(t, await anonymous.get('/regulator/flags'), 401, 'no key');
    const badKind = expectStatus(t, await world.regulator.get('/regulator/flags?kind=fake'), 400, 'a kind that is not a flag');
    t.equal(badKind.body.errors[0].pointer, '/kind');
    const badLimit = expectStatus(t, await world.regulator.get('/regulator/flags?limit=1001'), 400, 'more than 1000 at once');
    t.equal(badLimit.body.errors[0].pointer, '/limit');
  });

  t.test("a lot's scans: totals, by region and the most recent, including scans not yet stored", async (t) => {
    const reply = expectStatus(t, await world.regulator.get(`/regulator/lots/${lotCode}/scans?limit=2`), 200, 'regulator');
    t.match(reply.body, {
      totalScans: 3,
      distinctCodes: 3,
      firstAt: at.toISOString(),
      lastAt: new Date(at.getTime() + 120_000).toISOString(),
      byRegion: [
        { region: '500236', scans: 2 },
        { region: '110101', scans: 1 },
      ],
    });
    t.same(
      reply.body.recent.map((scan: { itemCode: string }) => scan.itemCode),
      ['ITEM0000002', 'ITEM0000001'],
    );
    expectStatus(t, await world.admin.get(`/regulator/lots/${lotCode.toLowerCase()}/scans`), 200, 'admin, lot code in any case');
    const refused = expectStatus(t, await operator.api.get(`/regulator/lots/${lotCode}/scans`), 403, 'operator, even of its own lot');
    t.match(refused.headers['content-type'], /application\/problem\+json/);
    expectStatus(t, await anonymous.get(`/regulator/lots/${lotCode}/scans`), 401, 'no key');
    expectStatus(t, await world.regulator.get(`/regulator/lots/${lotCode}/scans?limit=0`), 400, 'limit below 1');
  });

  t.test('a lot no one has scanned has no scans; a lot that does not exist is a 404, not a lot without scans', async (t) => {
    const unscanned = await operator.commission(await operator.product(), 10);
    const none = expectStatus(t, await world.regulator.get(`/regulator/lots/${unscanned}/scans`), 200, 'a lot of no scans');
    t.same(none.body, { totalScans: 0, distinctCodes: 0, firstAt: null, lastAt: null, byRegion: [], recent: [] });
    const unknown = 'B0000000001T';
    const missing = expectStatus(t, await world.regulator.get(`/regulator/lots/${unknown}/scans`), 404, 'no such lot');
    t.match(missing.headers['content-type'], /application\/problem\+json/);
    t.match(missing.body, { status: 404, detail: `no lot ${unknown}` });
  });
});
