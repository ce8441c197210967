// An enterprise holding several licences of one type keeps every one as a party.
import { createWorld, expectStatus, randomUscc, registrationBody } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a party keeps every licence its application named', async (t) => {
  const world = await createWorld(t);
  const anonymous = client(world.app);
  const applied = await anonymous.post(
    '/registrations',
    registrationBody({
      licences: [
        { type: 'sc_licence', number: 'SC10450023600012', validUntil: '2027-12-31' },
        { type: 'sc_licence', number: 'SC10450023600029', validUntil: '2028-06-30' },
        { type: 'business_licence', number: '500236000012345', validUntil: '2030-12-31' },
      ],
    }),
  );
  expectStatus(t, applied, 201, 'applied');
  const approved = expectStatus(t, await world.regulator.post(`/regulator/registrations/${applied.body.id}/approve`, {}), 200, 'approved');
  const party = expectStatus(t, await world.regulator.get(`/parties/${approved.body.partyCode}`), 200, 'the party').body;
  t.same(party.licences, { scLicence: ['SC10450023600012', 'SC10450023600029'], businessLicence: '500236000012345' }, 'both SC licences');

  t.test('POST /parties takes several SC licences too, each checked', async (t) => {
    const body = (scLicence: unknown) => ({
      kind: 'processor',
      name: 'x',
      uscc: randomUscc(),
      regionCode: '500236',
      licences: { scLicence },
    });
    const two = expectStatus(t, await world.admin.post('/parties', body(['SC10450023600012', 'SC10450023600029'])), 201, 'two');
    t.same(two.body.licences, { scLicence: ['SC10450023600012', 'SC10450023600029'] });
    const one = expectStatus(t, await world.admin.post('/parties', body('SC10450023600012')), 201, 'one, as a string');
    t.same(one.body.licences, { scLicence: 'SC10450023600012' });
    const bad = expectStatus(t, await world.admin.post('/parties', body(['SC10450023600012', 'SC9'])), 400, 'a bad one among them');
    t.equal(bad.body.errors[0].pointer, '/licences/scLicence/1');
  });
});

t.test('an application naming one licence or certification twice is a 400 at the second, as POST /parties answers', async (t) => {
  const world = await createWorld(t, undefined, { registrationsPerHour: 100 });
  const anonymous = client(world.app);
  const sc = { type: 'sc_licence', number: 'SC10450023600012', validUntil: '2027-12-31' };
  const twice = await anonymous.post(
    '/registrations',
    registrationBody({
      licences: [sc, { type: 'business_licence', number: 'BL-1', validUntil: '2030-12-31' }, { ...sc, validUntil: '2026-12-31' }],
    }),
  );
  expectStatus(t, twice, 400, 'one SC licence named twice, with two validities');
  t.match(twice.body.errors, [{ in: 'body', pointer: '/licences/2/number', detail: 'twice' }]);
  const gi = { type: 'gi_use_permit', number: 'GI-7', validUntil: '2027-01-31' };
  const certified = await anonymous.post('/registrations', registrationBody({ certifications: [gi, gi] }));
  expectStatus(t, certified, 400, 'one certification named twice');
  t.match(certified.body.errors, [{ in: 'body', pointer: '/certifications/1/number', detail: 'twice' }]);
  const sameNumberOtherType = registrationBody({
    licences: [sc, { type: 'business_licence', number: 'SC10450023600012', validUntil: '2030-12-31' }],
  });
  expectStatus(t, await anonymous.post('/registrations', sameNumberOtherType), 201, 'one number under two types is two licences');
});
