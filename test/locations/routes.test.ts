// The location routes through HTTP: request validation names the field, and what the service
// decides leaves as the right status.
import { mod31CheckChar } from '../../src/codes/mod31.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('locations over HTTP', async (t) => {
  const world = await createWorld(t);
  const operator = await world.party('processor');
  const location = await operator.api.post('/locations', {
    partyCode: operator.code,
    name: '熏制车间',
    kind: 'plant',
    regionCode: '500236',
    latitude: 31.03,
    longitude: 109.49,
    gln: '9521234000013',
  });
  expectStatus(t, location, 201, 'location');
  t.match(location.body.code, /^A[0-9A-Y]{11}$/);
  const sameGln = await operator.api.post('/locations', {
    partyCode: operator.code,
    name: 'x',
    kind: 'plant',
    regionCode: '500236',
    gln: '9521234000013',
  });
  expectStatus(t, sameGln, 409, 'a GLN registered twice');
  t.same(sameGln.body.errors, [{ in: 'body', pointer: '/gln', detail: 'already registered' }]);
  const latitude = await operator.api.post('/locations', {
    partyCode: operator.code,
    name: 'x',
    kind: 'plant',
    regionCode: '500236',
    latitude: 91,
  });
  expectStatus(t, latitude, 400, 'latitude range');
  t.equal(latitude.body.errors[0].pointer, '/latitude');
  const unlistedRegion = await operator.api.post('/locations', {
    partyCode: operator.code,
    name: 'x',
    kind: 'plant',
    regionCode: '509999',
  });
  expectStatus(t, unlistedRegion, 400, 'location in a region not in GB/T 2260');
  t.equal(unlistedRegion.body.errors[0].pointer, '/regionCode');
  const listed = await operator.api.get(`/locations?partyCode=${operator.code.toLowerCase()}`);
  t.same(
    listed.body.items.map((l: { code: string }) => l.code),
    [location.body.code],
  );
  expectStatus(t, await operator.api.get('/locations'), 400, 'listing needs a party');
  const got = await operator.api.get(`/locations/${location.body.code.toLowerCase()}`);
  expectStatus(t, got, 200, 'read by code in any case');
  t.equal(got.body.gln, '9521234000013');
  expectStatus(
    t,
    await world.admin.post('/locations', {
      partyCode: `Y500236XXXXXXX${mod31CheckChar('Y500236XXXXXXX')}`,
      name: 'x',
      kind: 'barn',
      regionCode: '500236',
    }),
    404,
    'location of an unknown party',
  );
});
