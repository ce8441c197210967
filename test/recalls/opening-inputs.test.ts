// What a hold, release or recall is asked with: a recall that reaches nothing an open recall does not is
// refused, naming that recall; a pack code where a lot code belongs names its lot instead of being taken
// for an unknown lot, and a mistyped code is a typo; a close that needs nothing is sent with nothing.
import { MOD31_CHARSET } from '../../src/codes/mod31.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const recallBody = (lotCodes: string[], hazard = 'h') => ({ lotCodes, level: 1, reason: 'r', hazard });

t.test(
  'a recall every lot of whose scope an open recall reaches already is 409, naming that recall; one reaching more opens',
  async (t) => {
    const world = await createWorld(t);
    const plant = await world.party('processor');
    const regulator = await world.partyRegulator();
    const product = await plant.product('kg');
    const [first, second] = [await plant.commission(product, 10), await plant.commission(product, 10)];
    const [made] = await plant.transform([{ lotCode: first, quantity: 5 }], [{ productCode: product, quantity: 4 }]);

    const opened = await world.ok(regulator.post('/recalls', recallBody([first])));
    for (const [lotCodes, what] of [
      [[first], 'the same recall sent again'],
      [[made], 'a recall of a lot made from the recalled one'],
    ] as const) {
      const again = expectStatus(t, await regulator.post('/recalls', recallBody([...lotCodes])), 409, what);
      t.match(again.body.detail, opened.id, `${what}: names the open recall`);
      t.strictSame(
        again.body.errors.map((error: { pointer: string }) => error.pointer),
        ['/lotCodes/0'],
        `${what}: at the lot named`,
      );
      t.match(again.body.errors[0].detail, opened.id);
    }
    const open = (await regulator.get('/recalls?status=open')).body.items;
    t.strictSame(
      open.map((recall: { id: string }) => recall.id),
      [opened.id],
      'no second recall was opened',
    );

    const wider = await world.ok(regulator.post('/recalls', recallBody([first, second], 'other')));
    t.not(wider.id, opened.id, 'a recall reaching a lot no open recall reaches opens, the recalled lot with it');
    const narrower = expectStatus(t, await regulator.post('/recalls', recallBody([second])), 409, 'its new lot is now recalled too');
    t.match(narrower.body.detail, wider.id);

    // closed, a recall no longer covers its lots: the lot reached by the other open recall still does
    await world.ok(plant.api.post(`/recalls/${opened.id}/reports`, {}));
    await world.ok(regulator.post(`/recalls/${opened.id}/close`, {}), 200);
    const still = expectStatus(t, await regulator.post('/recalls', recallBody([first])), 409, 'the wider recall reaches it');
    t.match(still.body.detail, wider.id);
    t.notMatch(still.body.detail, opened.id, 'the closed one is not named');
    await world.ok(plant.api.post(`/recalls/${wider.id}/reports`, {}));
    await world.ok(regulator.post(`/recalls/${wider.id}/close`, {}), 200);
    await world.ok(regulator.post('/recalls', recallBody([first])));
  },
);

t.test('a pack code where a lot code belongs names its lot (422); one with a wrong check character is a typo (400)', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const lot = await plant.commission(await plant.product('piece'), 10);
  const [pack] = await issuePacks(world, plant, lot, 1);
  const wrongCheck = pack.slice(0, -1) + MOD31_CHARSET[(MOD31_CHARSET.indexOf(pack.slice(-1)) + 1) % MOD31_CHARSET.length];
  for (const [url, body] of [
    ['/holds', (lotCodes: string[]) => ({ lotCodes, reason: 'x' })],
    ['/holds', (lotCodes: string[]) => ({ lotCodes, reason: 'x', downstream: true })],
    ['/holds/release', (lotCodes: string[]) => ({ lotCodes, reason: 'x' })],
    ['/recalls', (lotCodes: string[]) => recallBody(lotCodes)],
  ] as const) {
    const named = expectStatus(t, await plant.api.post(url, body([lot, pack])), 422, `${url}: a pack code`);
    t.match(named.body, {
      detail: `pack code of lot ${lot}: name the lot`,
      errors: [{ in: 'body', pointer: '/lotCodes/1' }],
    });
    t.equal(named.body.errors.length, 1);
    const typo = expectStatus(t, await plant.api.post(url, body([lot, wrongCheck])), 400, `${url}: a mistyped pack code`);
    t.match(typo.body.errors, [{ in: 'body', pointer: '/lotCodes/1', detail: /check character wrong/ }]);
  }
  t.equal((await plant.lot(lot)).status, 'active', 'nothing was held or recalled');
});

t.test("an ear tag where a lot code belongs is answered as an unknown lot: no oracle of another party's lots", async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const stranger = await world.party('processor');
  const tag = '150023611000071';
  const lot = await farm.commission(await farm.product('head'), 1, { attributes: { earTags: [tag] } });
  for (const [url, body] of [
    ['/holds', (lotCodes: string[]) => ({ lotCodes, reason: 'x' })],
    ['/recalls', (lotCodes: string[]) => recallBody(lotCodes)],
  ] as const) {
    const known = expectStatus(t, await stranger.api.post(url, body([tag])), 422, `${url}: another party's ear tag`);
    const unknown = expectStatus(t, await stranger.api.post(url, body(['150023611000072'])), 422, `${url}: an unknown ear tag`);
    t.equal(known.body.type, unknown.body.type, `${url}: the same refusal`);
    t.notMatch(JSON.stringify(known.body), lot, `${url}: the lot the ear tag is on is not named`);
  }
});

t.test('a close that needs nothing is sent with no body; a refusal to close names its field; an over-report its quantity', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const regulator = await world.partyRegulator();
  const lot = await plant.commission(await plant.product('kg'), 10);
  await world.handOver(plant, shop, lot, 4);

  const recall = await world.ok(plant.api.post('/recalls', recallBody([lot])));
  const early = expectStatus(
    t,
    await plant.api.post(`/recalls/${recall.id}/close`, { overrideReason: 'x' }),
    403,
    'the producer that opened it overrides no holder',
  );
  t.match(early.body.errors, [{ in: 'body', pointer: '/overrideReason' }]);
  const noReason = expectStatus(t, await regulator.post(`/recalls/${recall.id}/close`, undefined), 409, 'no body: no override reason');
  t.match(noReason.body.errors, [{ pointer: '/overrideReason' }]);

  for (const [line, field] of [
    [{ returned: 5 }, 'returned'],
    [{ destroyed: 5 }, 'destroyed'],
  ] as const) {
    const tooMuch = expectStatus(
      t,
      await shop.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: lot, ...line }] }),
      422,
      `more ${field} than held`,
    );
    t.strictSame(
      tooMuch.body.errors.map((error: { pointer: string }) => error.pointer),
      [`/lines/0/${field}`],
    );
  }
  await world.ok(shop.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: lot, destroyed: 4 }] }));
  await world.ok(plant.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: lot, destroyed: 6 }] }));
  const notOpener = expectStatus(t, await shop.api.post(`/recalls/${recall.id}/close`, undefined), 403, 'a holder closes nothing');
  t.match(notOpener.body.errors, [{ in: 'params', pointer: '/id' }]);
  const closed = await world.ok(plant.api.post(`/recalls/${recall.id}/close`, undefined), 200);
  t.equal(closed.status, 'closed', 'every holder acknowledged: closed with no body');
});
