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
