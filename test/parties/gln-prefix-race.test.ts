// A GLN registered while another party registers the company prefix that covers it, on PostgreSQL
// (PGlite runs one transaction at a time). The first request is held by a transaction of the test's
// own just after its checks, before it commits, and the second is sent then: unless the checks of
// both are serialised, the second checks against a database without the first and both are stored,
// leaving a GLN of one party under another party's prefix.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { holdLocked, meetInOrder } from '../fixtures/locks.js';
import { createWorld, expectStatus, randomUscc, type World } from '../fixtures/world.js';
import { postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

const PREFIX = '6912345';
const GLN = completeGs1('691234500001');

const registerParty = (world: World, extra: { gs1CompanyPrefix?: string; gln?: string }) =>
  world.admin.post('/parties', { kind: 'processor', name: '夔州食品', uscc: randomUscc(), regionCode: '500236', ...extra });
/** A party registered by an admin key records it on the `system` audit chain, after its checks: holding that head holds it there. */
const holdAdminRegistration = (world: World) => holdLocked(world, sql`select 1 from audit_heads where party_code = 'system' for update`);

t.test('a company prefix registered while another party’s site takes a GLN under it (PostgreSQL)', onPostgres, async (t) => {
  t.test('the prefix first: the site’s GLN is refused', async (t) => {
    const world = await createWorld(t, 'postgres');
    const site = await world.party('farm');
    const [prefix, gln] = await meetInOrder(
      world,
      holdAdminRegistration(world),
      () => registerParty(world, { gs1CompanyPrefix: PREFIX }),
      () => site.api.post('/locations', { partyCode: site.code, name: '库房', kind: 'cold_store', regionCode: '500236', gln: GLN }),
    );
    expectStatus(t, prefix, 201, 'the prefix is registered');
    const refused = expectStatus(t, gln, 409, 'the GLN under it is refused');
    t.match(refused.body, {
      detail: `GLN ${GLN} is under GS1 company prefix ${PREFIX}, registered to party ${prefix.body.code}`,
      errors: [{ in: 'body', pointer: '/gln', detail: `a GLN of party ${prefix.body.code}` }],
    });
  });

  t.test('the site first: the prefix covering its GLN is refused', async (t) => {
    const world = await createWorld(t, 'postgres');
    const site = await world.party('farm');
    // the site's row checks its party's key after the checks: holding the party's row holds it there
    const [gln, prefix] = await meetInOrder(
      world,
      holdLocked(world, sql`select 1 from parties where code = ${site.code} for update`),
      () => site.api.post('/locations', { partyCode: site.code, name: '库房', kind: 'cold_store', regionCode: '500236', gln: GLN }),
      () => registerParty(world, { gs1CompanyPrefix: PREFIX }),
    );
    expectStatus(t, gln, 201, 'the site is registered');
    const refused = expectStatus(t, prefix, 409, 'the prefix covering it is refused');
    t.match(refused.body, {
      detail: `GS1 company prefix ${PREFIX} covers GLN ${GLN}, a GLN of party ${site.code}`,
      errors: [{ in: 'body', pointer: '/gs1CompanyPrefix', detail: `covers a GLN of party ${site.code}` }],
    });
  });
});

t.test('a company prefix registered while another party registers with its own GLN under it (PostgreSQL)', onPostgres, async (t) => {
  t.test('the prefix first: the party’s GLN is refused', async (t) => {
    const world = await createWorld(t, 'postgres');
    const [prefix, gln] = await meetInOrder(
      world,
      holdAdminRegistration(world),
      () => registerParty(world, { gs1CompanyPrefix: PREFIX }),
      () => registerParty(world, { gln: GLN }),
    );
    expectStatus(t, prefix, 201, 'the prefix is registered');
    const refused = expectStatus(t, gln, 409, 'the GLN under it is refused');
    t.match(refused.body.errors, [{ in: 'body', pointer: '/gln', detail: `a GLN of party ${prefix.body.code}` }]);
  });

  t.test('the GLN first: the prefix covering it is refused', async (t) => {
    const world = await createWorld(t, 'postgres');
    const [gln, prefix] = await meetInOrder(
      world,
      holdAdminRegistration(world),
      () => registerParty(world, { gln: GLN }),
      () => registerParty(world, { gs1CompanyPrefix: PREFIX }),
    );
    expectStatus(t, gln, 201, 'the party with the GLN is registered');
    const refused = expectStatus(t, prefix, 409, 'the prefix covering it is refused');
    t.match(refused.body.errors, [{ in: 'body', pointer: '/gs1CompanyPrefix', detail: `covers a GLN of party ${gln.body.code}` }]);
  });
});
