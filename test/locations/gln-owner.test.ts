// A location's GLN is its party's: one under the GS1 company prefix another party registered, or
// another party's own GLN, names that party's site, and is refused (409 at /gln, naming the party).
import { completeGs1 } from '../../src/codes/gs1.js';
import { createWorld, expectStatus, randomUscc } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test("a location may not take a GLN under another party's company prefix, nor another party's GLN", async (t) => {
  const world = await createWorld(t);
  const coldStore = await world.ok(
    world.admin.post('/parties', {
      kind: 'cold_storage',
      name: '冷库',
      uscc: randomUscc(),
      regionCode: '500236',
      gs1CompanyPrefix: '6954321',
      gln: completeGs1('695432100000'),
    }),
  );
  const store = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: coldStore.code }))).key);
  const bureau = await world.ok(
    world.admin.post('/parties', { kind: 'regulator', name: '监管局', regionCode: '500236', gln: completeGs1('690000000001') }),
  );
  const farm = await world.party('farm');
  const site = (gln: string) => ({ partyCode: farm.code, name: '库房', kind: 'cold_store', regionCode: '500236', gln });

  const underPrefix = expectStatus(t, await farm.api.post('/locations', site(completeGs1('695432100001'))), 409, 'under its prefix');
  t.match(underPrefix.body.errors, [{ in: 'body', pointer: '/gln', detail: new RegExp(coldStore.code) }], 'at /gln, naming the party');
  expectStatus(t, await farm.api.post('/locations', site(bureau.gln)), 409, "another party's own GLN");
  expectStatus(t, await world.admin.post('/locations', site(completeGs1('695432100002'))), 409, 'an admin is refused alike');

  expectStatus(t, await farm.api.post('/locations', site(completeGs1('690000000002'))), 201, 'a GLN no party owns');
  const own = { ...site(completeGs1('695432100001')), partyCode: coldStore.code };
  expectStatus(t, await store.post('/locations', own), 201, 'the prefix owner registers its site with the GLN');
  expectStatus(t, await store.post('/locations', { ...own, gln: coldStore.gln }), 201, 'and one with its own GLN');
});
