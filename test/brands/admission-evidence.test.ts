// A brand admission carries the member's evidence (the certifications it showed, and a note), kept with the
// authorization, shown with it and covered by its admission's audit entry. A brand's office reads the
// certifications and licences its members declared on their approved applications to join: its members
// only (any other party, known or not, is the same 404), its own brand only. A certification shown as evidence
// is one the member declared there, valid on the admission's first day.
import { sql } from 'drizzle-orm';
import { shanghaiIso } from '../../src/codes/timestamp.js';
import { queryRows } from '../../src/db/client.js';
import { createWorld, expectStatus, registrationBody } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const today = shanghaiIso(new Date()).slice(0, 10);
const inTwoYears = () => new Date(Date.now() + 2 * 365 * 86_400_000).toISOString().slice(0, 10);
const daysFromToday = (days: number) => shanghaiIso(new Date(Date.now() + days * 86_400_000)).slice(0, 10);

/** A party registered by its approved application to join, declaring these certifications: its code. */
async function declaring(world: Awaited<ReturnType<typeof createWorld>>, certifications: Record<string, unknown>[]): Promise<string> {
  const applied = await world.ok(client(world.app).post('/registrations', registrationBody({ certifications })));
  return (await world.ok(world.regulator.post(`/regulator/registrations/${applied.id}/approve`, {}), 200)).partyCode;
}

t.test('an admission carries the evidence its member showed', async (t) => {
  const world = await createWorld(t);
  const run = <T>(query: ReturnType<typeof sql>) => queryRows<T>(world.database.db, query);
  const office = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  await world.ok(
    office.post('/brands', {
      code: 'EVID',
      kind: 'regional',
      regionCode: '500236',
      nameZh: '奉上好品·证据',
      nameEn: 'Evidence',
      products: [],
    }),
  );
  const admit = (body: Record<string, unknown>) =>
    office.post('/brands/EVID/authorizations', { tier: 'authorized', validFrom: today, reason: '准入', ...body });
  const broken = async () => {
    const reply = await world.regulator.get('/audit/verify');
    if (reply.status !== 200) throw new Error(`verify: ${reply.status} ${JSON.stringify(reply.body)}`);
    return (reply.body.chains as { ok: boolean; firstBroken: Record<string, unknown> | null }[]).filter((c) => !c.ok);
  };

  const evidence = [
    { type: 'green_food', number: 'LB-15-2301234567A', issuer: '中国绿色食品发展中心', validUntil: '2028-12-31' },
    { type: 'organic', number: '123OP2300456' },
  ];
  const member = {
    code: await declaring(world, [
      { type: 'green_food', number: 'LB-15-2301234567A', validUntil: inTwoYears() },
      { type: 'organic', number: '123OP2300456', validFrom: '2020-01-01', validUntil: inTwoYears() },
    ]),
  };
  const memberApi = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: member.code }))).key);
  const admitted = await admit({ partyCode: member.code, evidence, evidenceNote: '证书复印件已存档\n第二行' });
  expectStatus(t, admitted, 201, 'admitted with evidence');
  t.same(admitted.body.evidence, evidence, 'the evidence as given');
  t.equal(admitted.body.evidenceNote, '证书复印件已存档\n第二行', 'and the note');
  const [listed] = (await world.ok(office.get(`/brands/EVID/authorizations?partyCode=${member.code}`), 200)).items;
  t.same([listed.evidence, listed.evidenceNote], [evidence, '证书复印件已存档\n第二行'], 'shown when the office reads the member');
  const [own] = (await world.ok(memberApi.get('/brands/EVID/authorizations'), 200)).items;
  t.same(own.evidence, evidence, 'and to the member reading its own authorization');

  const plain = await world.party('processor');
  const without = await admit({ partyCode: plain.code });
  expectStatus(t, without, 201, 'admitted with no evidence');
  t.same([without.body.evidence, without.body.evidenceNote], [[], null], 'none shown');

  t.test("the admission's audit entry covers the evidence", async (t) => {
    t.same(await broken(), [], 'the log verifies');
    await run(sql`update brand_authorizations set evidence = '[{"type":"organic","number":"FORGED"}]' where id = ${admitted.body.id}`);
    t.match((await broken())[0]?.firstBroken, { kind: 'brand.authorization', problem: 'payload-mismatch' }, 'evidence changed');
    await run(sql`update brand_authorizations set evidence = ${JSON.stringify(evidence)}::jsonb where id = ${admitted.body.id}`);
    t.same(await broken(), [], 'verifies again once restored');
    await run(sql`update brand_authorizations set evidence_note = 'rewritten' where id = ${admitted.body.id}`);
    t.match((await broken())[0]?.firstBroken, { kind: 'brand.authorization', problem: 'payload-mismatch' }, 'the note changed');
    await run(sql`update brand_authorizations set evidence_note = ${'证书复印件已存档\n第二行'} where id = ${admitted.body.id}`);
    // an admission logged with none (as every admission before evidence was kept): evidence added later is found
    await run(sql`update brand_authorizations set evidence = '[{"type":"organic","number":"LATE"}]' where id = ${without.body.id}`);
    t.match((await broken())[0]?.firstBroken, { kind: 'brand.authorization', problem: 'payload-mismatch' }, 'evidence slipped in');
    await run(sql`update brand_authorizations set evidence = null where id = ${without.body.id}`);
    t.same(await broken(), [], 'verifies again');
    t.same(
      await run(sql`select evidence, evidence_note from brand_authorizations where id = ${without.body.id}`),
      [{ evidence: null, evidence_note: null }],
      'an admission with none is stored as those admitted before evidence was kept, and hashes as they did',
    );
  });

  t.test('evidence is refused at its field, and nothing is admitted', async (t) => {
    const party = await world.party('processor');
    const item = { type: 'green_food', number: 'LB-1' };
    const cases: [string, Record<string, unknown>, string][] = [
      ['a NUL byte in a number', { evidence: [{ ...item, number: 'LB\u00001' }] }, '/evidence/0/number'],
      ['an empty number', { evidence: [{ ...item, number: '  ' }] }, '/evidence/0/number'],
      ['a number too long', { evidence: [{ ...item, number: 'x'.repeat(65) }] }, '/evidence/0/number'],
      ['a type that is no certification', { evidence: [{ ...item, type: 'sc_licence' }] }, '/evidence/0/type'],
      ['an issuer too long', { evidence: [{ ...item, issuer: '局'.repeat(201) }] }, '/evidence/0/issuer'],
      ['a control character in an issuer', { evidence: [{ ...item, issuer: 'a\u0007b' }] }, '/evidence/0/issuer'],
      ['no calendar date', { evidence: [{ ...item, validUntil: '2027-02-30' }] }, '/evidence/0/validUntil'],
      ['a date out of range', { evidence: [{ ...item, validUntil: '1800-01-01' }] }, '/evidence/0/validUntil'],
      ['ending before the admission begins', { evidence: [{ ...item, validUntil: '2020-01-01' }] }, '/evidence/0/validUntil'],
      ['a certificate named twice', { evidence: [item, { ...item, issuer: '又一次' }] }, '/evidence/1/number'],
      ['too many', { evidence: Array.from({ length: 11 }, (_, i) => ({ ...item, number: `LB-${i}` })) }, '/evidence'],
      ['an unknown member', { evidence: [{ ...item, scan: 'x' }] }, '/evidence/0/scan'],
      ['a note too long', { evidenceNote: '注'.repeat(1001) }, '/evidenceNote'],
      ['a NUL byte in the note', { evidenceNote: 'a\u0000b' }, '/evidenceNote'],
    ];
    for (const [what, body, pointer] of cases) {
      const reply = await admit({ partyCode: party.code, ...body });
      expectStatus(t, reply, 400, what);
      t.equal(reply.body.errors?.[0]?.pointer, pointer, `${what}: at ${pointer}`);
    }
    t.same((await world.ok(office.get(`/brands/EVID/authorizations?partyCode=${party.code}`), 200)).items, [], 'no admission made');
    const declared = await declaring(world, [{ ...item, validUntil: inTwoYears() }]);
    expectStatus(t, await admit({ partyCode: declared, evidence: [item] }), 201, 'admitted once the evidence is right');
  });

  t.test("a certification shown is one the member declared, valid on the admission's first day", async (t) => {
    const organic = { type: 'organic', number: 'OP-2024-0001' };
    const green = { type: 'green_food', number: 'LB-88' };
    const later = daysFromToday(40);
    const party = await declaring(world, [
      { ...organic, validFrom: '2020-01-01', validUntil: inTwoYears() },
      // declared, though valid only from a day to come
      { ...green, validFrom: later, validUntil: inTwoYears() },
      { type: 'gi_use_permit', number: 'GI-2019-7', validFrom: '2019-01-01', validUntil: '2021-12-31' },
    ]);
    const none = await world.party('processor');
    const refused = async (body: Record<string, unknown>, pointer: string, rule: RegExp, what: string) => {
      const reply = await admit(body);
      expectStatus(t, reply, 422, what);
      t.equal(reply.body.type, '/problems/admission-evidence-not-declared', `${what}: says so`);
      t.match(reply.body.errors, [{ in: 'body', pointer }], `${what}: at ${pointer}`);
      t.match(reply.body.detail, rule, `${what}: names what is wrong`);
    };
    await refused(
      { partyCode: none.code, evidence: [organic] },
      '/evidence/0/number',
      new RegExp(`organic certification OP-2024-0001 is not one party ${none.code} declared`),
      'a party that declared none (registered with no application)',
    );
    await refused(
      { partyCode: party, evidence: [organic, { ...organic, number: 'OP-2024-0002' }] },
      '/evidence/1/number',
      /organic certification OP-2024-0002 is not one/,
      'a number it did not declare',
    );
    await refused(
      { partyCode: party, evidence: [{ ...organic, type: 'green_food' }] },
      '/evidence/0/number',
      /green_food certification OP-2024-0001 is not one/,
      'a number it declared for another type',
    );
    await refused(
      { partyCode: party, evidence: [{ type: 'gi_use_permit', number: 'GI-2019-7' }] },
      '/evidence/0/number',
      new RegExp(`gi_use_permit certification GI-2019-7 is not valid on ${today}`),
      'one no longer valid when the admission begins',
    );
    await refused(
      { partyCode: party, evidence: [organic, green] },
      '/evidence/1/number',
      new RegExp(`green_food certification LB-88 is not valid on ${today}`),
      'one not yet valid then',
    );
    t.same((await world.ok(office.get(`/brands/EVID/authorizations?partyCode=${party}`), 200)).items, [], 'no admission made');
    expectStatus(
      t,
      await admit({ partyCode: none.code, evidenceNote: '现场核验了有机证书原件' }),
      201,
      'free-text evidence is kept as given',
    );
    const admitted = await admit({ partyCode: party, validFrom: later, evidence: [organic, green] });
    expectStatus(t, admitted, 201, 'an admission from the day it is valid');
    t.same(admitted.body.evidence, [organic, green]);
  });
});

t.test("a brand's office reads its members' certifications, and no one else's", async (t) => {
  const world = await createWorld(t);
  /** A brand office key issued for an office party running the brand. */
  const officeParty = async (code: string, nameZh: string) => {
    const party = await world.party('regulator');
    const api = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office', partyCode: party.code }))).key);
    const county = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
    await world.ok(
      county.post('/brands', {
        code,
        kind: 'regional',
        regionCode: '500236',
        nameZh,
        nameEn: code,
        ownerPartyCode: party.code,
        products: [],
      }),
    );
    return api;
  };
  const orange = await officeParty('FJQC-E', '奉节脐橙·证');
  const pork = await officeParty('FJLR-E', '奉节腊肉·证');

  const certifications = [
    { type: 'green_food', number: 'LB-15-2301234567A', validUntil: inTwoYears() },
    { type: 'organic', number: '123OP2300456', validFrom: '2020-01-01', validUntil: '2021-12-31' },
  ];
  const applied = await client(world.app).post('/registrations', registrationBody({ certifications }));
  expectStatus(t, applied, 201, 'an enterprise with certifications applies');
  const { partyCode } = await world.ok(world.regulator.post(`/regulator/registrations/${applied.body.id}/approve`, {}), 200);
  const operator = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode }))).key);
  const outsider = await world.party('processor');
  const admit = (api: ReturnType<typeof client>, brand: string, code: string) =>
    world.ok(api.post(`/brands/${brand}/authorizations`, { partyCode: code, tier: 'authorized', validFrom: today, reason: '准入' }));
  await admit(orange, 'FJQC-E', partyCode);
  await admit(orange, 'FJQC-E', outsider.code);
  const read = (api: ReturnType<typeof client>, brand: string, code: string) => api.get(`/brands/${brand}/members/${code}/certifications`);

  const held = await read(orange, 'FJQC-E', partyCode);
  expectStatus(t, held, 200, "the brand's office reads its member's certifications");
  t.equal(held.body.partyCode, partyCode);
  t.same(
    held.body.items,
    [
      { category: 'certification', type: 'green_food', number: 'LB-15-2301234567A', validUntil: inTwoYears(), held: true },
      {
        category: 'certification',
        type: 'organic',
        number: '123OP2300456',
        validFrom: '2020-01-01',
        validUntil: '2021-12-31',
        held: false,
      },
      { category: 'licence', type: 'sc_licence', number: 'SC10450023600012', validUntil: inTwoYears(), held: true },
    ],
    'each declared on its approved application, and whether it is held today',
  );
  t.same((await world.ok(read(orange, 'FJQC-E', outsider.code), 200)).items, [], 'a member that declared none: none');
  expectStatus(t, await read(world.regulator, 'FJQC-E', partyCode), 200, 'a regulator reads them too');

  const notFound = async (api: ReturnType<typeof client>, brand: string, code: string, what: string) => {
    const reply = await read(api, brand, code);
    expectStatus(t, reply, 404, what);
    return { ...reply.body, detail: String(reply.body.detail).replace(code, '{party}'), instance: undefined };
  };
  const unknown = await notFound(orange, 'FJQC-E', 'P-NOPE', 'a party that does not exist');
  t.same(await notFound(pork, 'FJLR-E', partyCode, 'a member of another brand only'), await notFound(pork, 'FJLR-E', 'P-NOPE', 'unknown'));
  t.same(await notFound(orange, 'FJQC-E', await world.party('processor').then((p) => p.code), 'never admitted'), unknown, 'as unknown');
  const refused = await pork.get(`/brands/FJQC-E/members/${partyCode}/certifications`);
  expectStatus(t, refused, 403, "another brand's office");
  t.match(refused.body.detail, "reads the members' certifications and licences of its own brands only", 'naming what was asked for');
  expectStatus(
    t,
    await pork.get('/brands/FJQC-E/members/P-NOPE/certifications'),
    403,
    "another brand's office, an unknown party: the same",
  );
  expectStatus(
    t,
    await operator.get(`/brands/FJQC-E/members/${partyCode}/certifications`),
    403,
    'the member itself reads no brand register',
  );
  expectStatus(t, await read(orange, 'NO-SUCH', partyCode), 404, 'no such brand');
  expectStatus(t, await read(orange, 'FJQC-E', 'P-%00'), 400, 'a malformed party code');

  const change = (state: string) =>
    orange.post(`/brands/FJQC-E/authorizations/${outsider.code}/state`, { state, reason: `${state}: 品牌办决定` });
  await world.ok(change('suspended'), 200);
  expectStatus(t, await read(orange, 'FJQC-E', outsider.code), 200, 'a suspended member is still a member');
  await world.ok(change('exited'), 200);
  t.same(await notFound(orange, 'FJQC-E', outsider.code, 'an exited party is no member'), unknown, 'as unknown');
});
