import { hasValidMod31Check } from '../../src/codes/mod31.js';
import { parsePartyCode } from '../../src/codes/service-codes.js';
import { completeUscc } from '../../src/codes/uscc.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('parties: unified codes and checked identifiers', async (t) => {
  const world = await createWorld(t);
  const uscc = '91350100M000100Y43';
  const created = await world.admin.post('/parties', {
    kind: 'processor',
    name: '夔州腊味食品有限公司',
    uscc,
    regionCode: '500236',
    address: '奉节县',
    contact: { person: '陈', phone: '023-1' },
    licences: { scLicence: 'SC10450023600123' },
    gln: '9521234000006',
  });
  expectStatus(t, created, 201, 'register');
  t.match(created.body.code, /^J500236[0-9A-Y]{8}$/);
  t.ok(hasValidMod31Check(created.body.code), 'the code carries a check character');
  t.same(parsePartyCode(created.body.code), { kind: 'processor', regionCode: '500236' });

  const invalid = await world.admin.post('/parties', { kind: 'farm', name: 'x', uscc: '91350100M000100Y44', regionCode: '500236' });
  expectStatus(t, invalid, 400, 'USCC with a wrong check character');
  t.equal(invalid.body.errors[0].pointer, '/uscc');
  const letteredRegion = await world.admin.post('/parties', {
    kind: 'farm',
    name: 'x',
    uscc: completeUscc('91A50100M000100Y4'),
    regionCode: '500236',
  });
  expectStatus(t, letteredRegion, 400, 'USCC whose region code (characters 3–8) is not six digits');
  t.equal(letteredRegion.body.errors[0].pointer, '/uscc');
  const duplicate = await world.admin.post('/parties', { kind: 'farm', name: 'x', uscc, regionCode: '500236' });
  expectStatus(t, duplicate, 409, 'USCC registered twice');
  t.equal(duplicate.body.errors[0].pointer, '/uscc');
  expectStatus(t, await world.admin.post('/parties', { kind: 'farm', name: 'x', regionCode: '5002' }), 400, 'region code');
  for (const regionCode of ['509999', '999999']) {
    const unknownRegion = await world.admin.post('/parties', { kind: 'farm', name: 'x', regionCode });
    expectStatus(t, unknownRegion, 400, `region code ${regionCode} is not in GB/T 2260`);
    t.equal(unknownRegion.body.errors[0].pointer, '/regionCode');
  }
  expectStatus(
    t,
    await world.admin.post('/parties', { kind: 'farm', name: 'x', regionCode: '500236', gln: '9521234000007' }),
    400,
    'GLN check digit',
  );
  const gln = await world.admin.post('/parties', { kind: 'farm', name: 'x', regionCode: '500236', gln: '9521234000006' });
  expectStatus(t, gln, 409, 'a GLN names one party');
  t.same(gln.body.errors, [{ in: 'body', pointer: '/gln', detail: 'already registered' }]);
  expectStatus(
    t,
    await world.admin.post('/parties', { kind: 'processor', name: 'x', regionCode: '500236', licences: { scLicence: 'SC123' } }),
    400,
    'SC licence shape',
  );
  expectStatus(t, await world.admin.post('/parties', { kind: 'butcher', name: 'x', regionCode: '500236' }), 400, 'unknown kind');

  const got = await world.admin.get(`/parties/${created.body.code.toLowerCase()}`);
  expectStatus(t, got, 200, 'lookup is case-insensitive');
  t.equal(got.body.licences.scLicence, 'SC10450023600123');
  const processors = (await world.admin.get('/parties?kind=processor')).body.items as { code: string; kind: string }[];
  t.ok(
    processors.some((party) => party.code === created.body.code) && processors.every((party) => party.kind === 'processor'),
    'listed by kind',
  );
});
