// Every request body is read one way (src/http/body.ts): a member an object of it does not declare is
// refused by name at its own pointer, never dropped unseen; an object that keeps what it is not told of
// (RFID vendor payloads, a lot's own attributes, EPCIS documents) keeps it. The OpenAPI document says so.
import { closestMember } from '../../src/http/body.js';
import { at, createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a near name is offered as the one meant', async (t) => {
  t.equal(closestMember('lotCod', ['lotCode', 'quantity']), 'lotCode');
  t.equal(closestMember('expiryDat', ['expiryDate', 'productionDate']), 'expiryDate');
  t.equal(closestMember('bizLocaton', ['bizLocationCode', 'readPointCode', 'bizLocation']), 'bizLocation');
  t.equal(closestMember('name', ['label', 'role', 'partyCode']), undefined, 'no member is near');
  t.equal(closestMember('LOTCODE', ['lotCode']), 'lotCode', 'case aside');
});

t.test('bodies refuse members they do not declare', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const buyer = await world.party('processor');
  const pigs = await farm.product('head');
  const lot = await farm.commission(pigs, 3);

  const misspelled = await farm.event({
    type: 'commission',
    lots: [{ productCode: pigs, quantity: 1, expiryDat: '2026-12-31' }],
  });
  t.match(expectStatus(t, misspelled, 400, 'a misspelled lot member').body, {
    type: '/problems/validation',
    detail: 'body /lots/0/expiryDat: not a member of this body; did you mean "expiryDate"?',
    errors: [{ in: 'body', pointer: '/lots/0/expiryDat', detail: 'not a member of this body; did you mean "expiryDate"?' }],
  });

  const line = await farm.event({ type: 'ship', toPartyCode: buyer.code, lines: [{ lotCod: lot, quantity: 1 }] });
  t.match(expectStatus(t, line, 400, 'a misspelled line member').body, {
    detail: 'body /lines/0/lotCod: not a member of this body; did you mean "lotCode"?',
    errors: [
      { pointer: '/lines/0/lotCod', detail: 'not a member of this body; did you mean "lotCode"?' },
      { pointer: '/lines/0/lotCode', detail: /expected string/ },
    ],
  });

  const twoAtOnce = await farm.event({ type: 'observe', lines: [{ lotCode: lot }], bizLocaton: 'x', note2: 'y' });
  const pointers = expectStatus(t, twoAtOnce, 400, 'two unknown members').body.errors.map((error: { pointer: string }) => error.pointer);
  t.ok(pointers.includes('/bizLocaton') && pointers.includes('/note2'), 'each named at its own pointer');

  const key = await world.admin.post('/api-keys', { role: 'operator', partyCode: farm.code, name: 'erp' });
  t.match(expectStatus(t, key, 400, 'an api key named by a member it does not have').body.errors, [
    { pointer: '/name', detail: 'not a member of this body' },
  ]);

  t.equal((await farm.lot(lot)).massBalance.shipped ?? 0, 0, 'nothing of the refused shipment is stored');

  const attributes = await farm.event({
    type: 'commission',
    eventTime: at(50),
    lots: [{ productCode: pigs, quantity: 1, attributes: { 饲料: '玉米' } }],
  });
  expectStatus(t, attributes, 201, "a lot's own attributes are kept, whatever their names");
});

t.test('the OpenAPI document declares the bodies closed', async (t) => {
  const world = await createWorld(t);
  const document = (await world.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const schemas = document.components.schemas;
  t.equal(
    schemas.ApiKeyInput?.additionalProperties ??
      document.paths['/api-keys'].post.requestBody.content['application/json'].schema.additionalProperties,
    false,
  );
  t.equal(schemas.ZebraTagEventInput.additionalProperties !== false, true, 'a vendor payload stays open');
});
