// A GLN is allocated from the company prefix of the party that owns the site (or is the party): a
// company prefix registered later may not cover another party's GLNs, a party's own GLN is checked
// as a site's is, and a party with a prefix names its sites by GLNs under it.
import { completeGs1 } from '../../src/codes/gs1.js';
import { createWorld, expectStatus, randomUscc } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('GLNs and the company prefixes that cover them', async (t) => {
  const world = await createWorld(t);
  let named = 0;
  const registerParty = (extra: { gs1CompanyPrefix?: string; gln?: string } = {}) =>
    world.admin.post('/parties', { kind: 'processor', name: `夔州食品 ${++named}`, uscc: randomUscc(), regionCode: '500236', ...extra });
  const site = (partyCode: string, gln: string) => ({ partyCode, name: '库房', kind: 'cold_store', regionCode: '500236', gln });

  // a party without a prefix: its own GLN and a site's GLN, both taken from 6931111 (no party's prefix yet)
  const farm = await world.ok(registerParty({ gln: completeGs1('693111100000') }));
  const farmApi = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: farm.code }))).key);
  await world.ok(farmApi.post('/locations', site(farm.code, completeGs1('693222200001'))));

  t.test('a company prefix that covers another party’s GLN is refused, as one covering its GTIN is', async (t) => {
    const overSite = expectStatus(t, await registerParty({ gs1CompanyPrefix: '6932222' }), 409, 'covers a site’s GLN');
    t.match(overSite.body, {
      detail: `GS1 company prefix 6932222 covers GLN ${completeGs1('693222200001')}, a GLN of party ${farm.code}`,
      errors: [{ in: 'body', pointer: '/gs1CompanyPrefix', detail: `covers a GLN of party ${farm.code}` }],
    });
    const overParty = expectStatus(t, await registerParty({ gs1CompanyPrefix: '693111' }), 409, 'covers a party’s own GLN');
    t.match(overParty.body, {
      detail: `GS1 company prefix 693111 covers GLN ${farm.gln}, a GLN of party ${farm.code}`,
      errors: [{ in: 'body', pointer: '/gs1CompanyPrefix', detail: `covers a GLN of party ${farm.code}` }],
    });
    const own = await registerParty({ gs1CompanyPrefix: '6933333', gln: completeGs1('693333300000') });
    expectStatus(t, own, 201, 'a prefix with the party’s own GLN under it');
  });

  t.test('a party’s own GLN is checked as a site’s', async (t) => {
    const owner = await world.ok(registerParty({ gs1CompanyPrefix: '6944444', gln: completeGs1('694444400000') }));
    const ownerApi = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: owner.code }))).key);
    const ownerSite = completeGs1('694444400001');
    await world.ok(ownerApi.post('/locations', site(owner.code, ownerSite)));

    const underPrefix = expectStatus(t, await registerParty({ gln: completeGs1('694444400009') }), 409, 'under another’s prefix');
    t.match(underPrefix.body, {
      detail: `GLN ${completeGs1('694444400009')} is under GS1 company prefix 6944444, registered to party ${owner.code}`,
      errors: [{ in: 'body', pointer: '/gln', detail: `a GLN of party ${owner.code}` }],
    });
    const ofSite = expectStatus(t, await registerParty({ gln: completeGs1('693222200001') }), 409, 'another party’s site’s GLN');
    t.match(ofSite.body.errors, [{ in: 'body', pointer: '/gln', detail: `a GLN of party ${farm.code}` }]);
    expectStatus(t, await registerParty({ gln: farm.gln }), 409, 'another party’s own GLN');
    const checkDigit = expectStatus(t, await registerParty({ gln: '6955555000001' }), 400, 'a wrong check digit');
    t.match(checkDigit.body.errors, [{ in: 'body', pointer: '/gln' }]);
    const outside = expectStatus(
      t,
      await registerParty({ gs1CompanyPrefix: '6955555', gln: completeGs1('696666600000') }),
      409,
      'a GLN outside the prefix the party registers with it',
    );
    t.match(outside.body, {
      detail: `GLN ${completeGs1('696666600000')} is not under the GS1 company prefix of the party (6955555)`,
      errors: [{ in: 'body', pointer: '/gln', detail: 'not under company prefix 6955555' }],
    });
    expectStatus(t, await registerParty({ gln: completeGs1('696666600000') }), 201, 'a GLN no party owns, for a party without a prefix');
  });

  t.test('a party with a company prefix names its sites by GLNs under it', async (t) => {
    const owner = await world.ok(registerParty({ gs1CompanyPrefix: '6977777' }));
    const ownerApi = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: owner.code }))).key);
    const outside = expectStatus(t, await ownerApi.post('/locations', site(owner.code, completeGs1('697888800001'))), 409, 'outside');
    t.match(outside.body, {
      detail: `GLN ${completeGs1('697888800001')} is not under the GS1 company prefix of party ${owner.code} (6977777)`,
      errors: [{ in: 'body', pointer: '/gln', detail: 'not under company prefix 6977777' }],
    });
    expectStatus(t, await world.admin.post('/locations', site(owner.code, completeGs1('697888800002'))), 409, 'an admin alike');
    expectStatus(t, await ownerApi.post('/locations', site(owner.code, completeGs1('697777700001'))), 201, 'under its prefix');
    expectStatus(t, await ownerApi.post('/locations', { ...site(owner.code, ''), gln: undefined }), 201, 'a site without a GLN');
    expectStatus(t, await farmApi.post('/locations', site(farm.code, completeGs1('697888800003'))), 201, 'a party without a prefix: any');
  });
});
