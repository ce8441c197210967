// A brand's office reads what the market shows of its brand's packs: the brand misuse (冒用) flags raised on
// scans of them and the consumers' complaints about them — its own brands' only, and no phone numbers.
// Another brand's office and a member are refused; the county's brand office (a key of no party) and regulators see every brand's.

import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { queryRows } from '../../src/db/client.js';
import { codedAroundTheCheck } from '../fixtures/brand-codes.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Flag = {
  code: string;
  lotCode: string | null;
  partyCode: string | null;
  lastAt: string;
  occurrences: number;
  findings: string[];
  status: 'open' | 'dismissed';
  dismissal: { reason: string; at: string } | null;
};

t.test("a brand's office reads its own brand's misuse flags and complaints", async (t) => {
  const world = await createWorld(t);
  /** A brand office: the party running its brands (their owner) and a brand office key issued for it. */
  const office = async () => {
    const party = await world.party('regulator');
    const api = await world.brandOffice(party.code);
    t.equal(
      (await world.ok(world.admin.get('/api-keys'), 200)).items.find(
        (k: { role: string; partyCode: string | null }) => k.role === 'brand_office' && k.partyCode === party.code,
      )?.partyCode,
      party.code,
      'the key is issued for the office party',
    );
    return { code: party.code, api };
  };
  const orange = await office();
  const pork = await office();
  const unbound = await world.brandOffice();

  const grower = await world.party('processor');
  // its packs' label names the lot (a GTIN and a lot number): a shopper may complain about the lot's code
  const product = await grower.product('piece', { gtin: completeGs1('0690123456789') });
  const otherProduct = await grower.product('piece');
  const brands = [
    { code: 'FJQC', nameZh: '奉节脐橙', owner: orange },
    { code: 'FJLR', nameZh: '奉节腊肉', owner: pork },
  ];
  for (const brand of brands) {
    // a regional public brand is registered by the county's office, in the name of the office party that runs it
    const body = {
      code: brand.code,
      kind: 'regional' as const,
      regionCode: '500236',
      nameZh: brand.nameZh,
      nameEn: brand.code,
      ownerPartyCode: brand.owner.code,
    };
    const registered = await brand.owner.api.post('/brands', body);
    expectStatus(t, registered, 403, `${brand.code}: not registered by the office party itself`);
    t.equal(registered.body.errors?.[0]?.pointer, '/kind');
    await world.brand(unbound, body);
    const refused = await brand.owner.api.post(`/brands/${brand.code}/products`, { products: [product] });
    expectStatus(t, refused, 403, `${brand.code}: no product of a party not admitted to it`);
    t.equal(refused.body.errors?.[0]?.pointer, '/products/0');
    const admission = { partyCode: grower.code, tier: 'authorized', validFrom: '2026-01-01', reason: '准入' };
    await world.ok(brand.owner.api.post(`/brands/${brand.code}/authorizations`, admission));
    await world.ok(brand.owner.api.post(`/brands/${brand.code}/products`, { products: [product] }), 200);
  }
  const lot = await grower.commission(product, 20, { productionDate: '2026-06-01', lotNumber: 'LA-1' });
  const [memberPack] = await issuePacks(world, grower, lot, 1);
  for (const brand of brands) {
    const exit = { state: 'exited', effectiveOn: '2026-07-01', reason: '退出' };
    await world.ok(brand.owner.api.post(`/brands/${brand.code}/authorizations/${grower.code}/state`, exit), 200);
  }
  // coded after both exits took effect: one scan, one flag, a finding for each brand
  const misused = await codedAroundTheCheck(world, grower, lot);
  const scan = await world.app.inject({ method: 'GET', url: `/t/${misused}`, headers: { accept: 'application/json' } });
  expectStatus(t, { status: scan.statusCode, body: scan.json(), headers: {} }, 200, 'the misused pack is scanned');

  // flags raised earlier, by the scans' rule's words: three more of FJQC's (one of another maker), one of FJLR's alone,
  // one of a brand whose name holds another's code in parentheses, and a flag of another kind
  const copier = await world.party('processor');
  const raise = (code: string, partyCode: string, detail: string, day: number, brandCodes: string[], kind = 'brand_misuse') =>
    world.app.services.scans.raiseFlag({ code, kind, lotCode: null, partyCode, detail, brandCodes, at: new Date(Date.UTC(2026, 7, day)) });
  const finding = (name: string, brand: string) =>
    `${name} (${brand}): code issued on 2026-08-01, while its owner was not admitted to the brand`;
  await raise('PACK-A1', grower.code, finding('奉节脐橙', 'FJQC'), 1, ['FJQC']);
  await raise('PACK-A2', copier.code, finding('奉节脐橙', 'FJQC'), 3, ['FJQC']);
  await raise('PACK-A3', grower.code, `${finding('奉节脐橙', 'FJQC')}\n${finding('奉节腊肉', 'FJLR')}`, 2, ['FJQC', 'FJLR']);
  await raise('PACK-B1', grower.code, finding('奉节腊肉', 'FJLR'), 4, ['FJLR']);
  await raise('PACK-X1', grower.code, finding('仿冒 (FJQC) 字样', 'FJLR'), 5, ['FJLR']);
  await raise('PACK-O1', grower.code, 'scanned from 30 addresses (threshold 20)', 6, [], 'over_scanned');

  const flagsOf = async (api = orange.api, query = '', brand = 'FJQC') => {
    const reply = await api.get(`/brands/${brand}/flags${query}`);
    expectStatus(t, reply, 200, `flags of ${brand}${query}`);
    return reply.body.items as Flag[];
  };

  t.test('its own flags, the latest first, each with its own brand’s findings only', async (t) => {
    const flags = await flagsOf();
    t.same(
      flags.map((flag) => flag.code),
      [misused, 'PACK-A2', 'PACK-A3', 'PACK-A1'],
      'the misused pack, then those raised before it, the latest first; not FJLR’s alone, not another kind',
    );
    t.match(flags[0], { lotCode: lot, partyCode: grower.code, occurrences: 1, status: 'open', dismissal: null });
    t.equal(flags[0].findings.length, 1, 'one finding: its own brand’s, not FJLR’s');
    t.match(flags[0].findings[0], /^奉节脐橙 \(FJQC\): code issued on /);
    t.same(flags[2].findings, [finding('奉节脐橙', 'FJQC')], 'a pack misusing two brands shows this brand’s finding');
    t.same(
      (await flagsOf(pork.api, '', 'FJLR')).map((flag) => flag.code),
      [misused, 'PACK-X1', 'PACK-B1', 'PACK-A3'],
      'FJLR’s office lists its own: a brand name holding “(FJQC)” is FJLR’s finding, not FJQC’s',
    );
    t.notOk(JSON.stringify(flags).includes(memberPack), 'a pack coded while its maker was admitted is no misuse');

    const detail = await orange.api.get(`/brands/FJQC/flags/${misused}`);
    expectStatus(t, detail, 200, 'one flag');
    t.same(detail.body, flags[0], 'as listed');
    expectStatus(t, await orange.api.get('/brands/FJQC/flags/PACK-B1'), 404, 'a flag of FJLR alone is no flag of FJQC');
    expectStatus(t, await orange.api.get('/brands/FJQC/flags/PACK-O1'), 404, 'nor a flag of another kind');
    expectStatus(t, await orange.api.get('/brands/FJQC/flags/NO-SUCH-PACK'), 404, 'nor a code never flagged');
    expectStatus(t, await orange.api.get('/brands/NOPE/flags'), 404, 'a brand that does not exist');
  });

  t.test('paged, and filtered by member and by state', async (t) => {
    const first = await flagsOf(orange.api, '?limit=2');
    const second = await flagsOf(orange.api, '?limit=2&offset=2');
    t.same(
      [...first, ...second].map((flag) => flag.code),
      [misused, 'PACK-A2', 'PACK-A3', 'PACK-A1'],
      'two pages: neither repeats nor skips one',
    );
    t.same(await flagsOf(orange.api, '?limit=2&offset=4'), [], 'past the end');
    t.same(
      (await flagsOf(orange.api, `?partyCode=${copier.code}`)).map((flag) => flag.code),
      ['PACK-A2'],
      'one member’s',
    );
    expectStatus(t, await orange.api.get('/brands/FJQC/flags?limit=0'), 400, 'a limit out of range');
    expectStatus(t, await orange.api.get('/brands/FJQC/flags?status=closed'), 400, 'a state it does not know');

    expectStatus(
      t,
      await world.regulator.post('/regulator/flags/PACK-A2/brand_misuse/dismissal', { reason: '已核实：授权前印制' }),
      201,
      'a regulator dismisses one',
    );
    t.same(
      (await flagsOf()).map((flag) => flag.code),
      [misused, 'PACK-A3', 'PACK-A1'],
      'open ones by default',
    );
    const dismissed = await flagsOf(orange.api, '?status=dismissed');
    t.same(
      dismissed.map((flag) => flag.code),
      ['PACK-A2'],
      'the dismissed ones',
    );
    t.match(dismissed[0], { status: 'dismissed', dismissal: { reason: '已核实：授权前印制' } }, 'with the regulator’s reason');
    t.notOk('by' in (dismissed[0].dismissal as object), 'not the regulator’s key');
    t.equal((await flagsOf(orange.api, '?status=all')).length, 4, 'or all');
    expectStatus(
      t,
      await orange.api.post('/regulator/flags/PACK-A1/brand_misuse/dismissal', { reason: 'x' }),
      403,
      'the office dismisses none',
    );
  });

  t.test('another brand’s office and a member are refused; the county’s office (a key of no party) reads every brand', async (t) => {
    for (const [who, api, status] of [
      ['FJLR’s office', pork.api, 403],
      ['a member', grower.api, 403],
      ['the county’s brand office, a key of no party', unbound, 200],
    ] as const) {
      expectStatus(t, await api.get('/brands/FJQC/flags'), status, `${who}: the list`);
      expectStatus(t, await api.get(`/brands/FJQC/flags/${misused}`), status, `${who}: a flag`);
      expectStatus(t, await api.get('/brands/FJQC/complaints'), status, `${who}: the complaints`);
    }
    const refused = await pork.api.get('/brands/FJQC/flags');
    t.equal(
      refused.body.detail,
      `brand FJQC is not run by party ${pork.code}: a brand office reads the misuse flags and complaints of its own brands only`,
    );
    expectStatus(t, await orange.api.get('/regulator/flags'), 403, 'the office still reaches no regulator route');
    expectStatus(t, await orange.api.get('/regulator/complaints'), 403, 'nor the regulators’ complaints');
  });

  t.test('a regulator still sees everything', async (t) => {
    t.same(
      (await flagsOf(world.regulator, '?status=all')).map((flag) => flag.code),
      [misused, 'PACK-A2', 'PACK-A3', 'PACK-A1'],
      'any brand’s flags through the brand route',
    );
    const all = await world.regulator.get('/regulator/flags?status=all&limit=1000');
    expectStatus(t, all, 200, 'its own flag list');
    t.same(
      all.body.items.map((flag: { code: string }) => flag.code).sort(),
      [misused, 'PACK-A1', 'PACK-A2', 'PACK-A3', 'PACK-B1', 'PACK-O1', 'PACK-X1'].sort(),
      'every flag, of every kind and brand',
    );
    const [whole] = all.body.items.filter((flag: { code: string }) => flag.code === misused);
    t.equal(whole.detail.split('\n').length, 2, 'with every brand’s finding');
  });

  t.test('the office records its own findings on its flags, audited; they decide nothing of the flag', async (t) => {
    const noted = await orange.api.post(`/brands/FJQC/flags/${misused}/notes`, { note: '  已约谈企业，要求下架  ' });
    expectStatus(t, noted, 201, 'the office notes what it found');
    t.equal(noted.body.note, '已约谈企业，要求下架', 'trimmed');
    await world.ok(orange.api.post(`/brands/FJQC/flags/${misused}/notes`, { note: '企业已下架' }));
    await world.ok(pork.api.post('/brands/FJLR/flags/PACK-A3/notes', { note: '腊肉办：另行处理' }));
    const detail = (await world.ok(orange.api.get(`/brands/FJQC/flags/${misused}`), 200)) as Flag & { notes: { note: string }[] };
    t.same(
      detail.notes.map((note) => note.note),
      ['已约谈企业，要求下架', '企业已下架'],
      'its notes, oldest first',
    );
    t.match(detail, { status: 'open', dismissal: null }, 'the flag stays open');
    const listed = (await flagsOf()) as (Flag & { notes: { note: string }[] })[];
    t.same(listed.find((flag) => flag.code === misused)?.notes.length, 2, 'listed with its notes');
    t.same(listed.find((flag) => flag.code === 'PACK-A3')?.notes, [], 'not another brand office’s notes on the same pack');
    t.same(
      (await world.ok(pork.api.get('/brands/FJLR/flags/PACK-A3'), 200)).notes.map((note: { note: string }) => note.note),
      ['腊肉办：另行处理'],
      'FJLR’s office reads its own',
    );
    t.same((await world.ok(world.regulator.get(`/brands/FJQC/flags/${misused}`), 200)).notes.length, 2, 'a regulator reads them');

    for (const [who, api] of [
      ['FJLR’s office', pork.api],
      ['a brand office key of no party', unbound],
      ['a member', grower.api],
      ['a regulator', world.regulator],
      ['an admin', world.admin],
    ] as const) {
      expectStatus(t, await api.post(`/brands/FJQC/flags/${misused}/notes`, { note: 'x' }), 403, `${who} writes none`);
    }
    expectStatus(t, await orange.api.post('/brands/FJQC/flags/PACK-B1/notes', { note: 'x' }), 404, 'nor on a flag of another brand');
    expectStatus(t, await orange.api.post('/brands/FJQC/flags/PACK-O1/notes', { note: 'x' }), 404, 'nor of another kind');
    const blank = await orange.api.post(`/brands/FJQC/flags/${misused}/notes`, { note: '   ' });
    expectStatus(t, blank, 400, 'a blank note');
    t.equal(blank.body.errors?.[0]?.pointer, '/note');
    t.equal((await world.ok(orange.api.get(`/brands/FJQC/flags/${misused}`), 200)).notes.length, 2, 'nothing stored by a refusal');

    const verified = await world.ok(world.regulator.get('/audit/verify'), 200);
    t.ok(verified.ok, 'the audit log verifies');
    const rows = await queryRows<{ chain: string }>(
      world.database.db,
      sql`select party_code as chain from audit_entries where kind = 'flag.brand-note' order by party_code = ${orange.code} desc, sequence`,
    );
    t.same(
      rows.map((row) => row.chain),
      [orange.code, orange.code, pork.code],
      'each note on its office party’s chain',
    );
    await world.database.db.execute(sql`update code_flag_brand_notes set note = '未约谈' where note = '已约谈企业，要求下架'`);
    const tampered = await world.ok(world.regulator.get('/audit/verify'), 200);
    t.notOk(tampered.ok, 'a note changed behind the service’s back breaks its entry');
    await world.database.db.execute(sql`update code_flag_brand_notes set note = '已约谈企业，要求下架' where note = '未约谈'`);
  });

  t.test('complaints about packs of its brand’s products, without the phone number', async (t) => {
    const consumer = client(world.app);
    const file = async (code: string, text: string) =>
      (await world.ok(consumer.post('/complaints', { code, category: 'quality', text, phone: '138 0000 0000' }))).ticket as string;
    const [elsewhere] = await issuePacks(world, grower, await grower.commission(otherProduct, 5), 1);
    const aboutMisused = await file(misused, '包装上有奉节脐橙标志，但味道不对');
    const aboutOther = await file(elsewhere, '另一种产品');
    const aboutLot = await file(lot, '整批有问题');
    const aboutMember = await file(memberPack, '第三次投诉');

    const listed = await orange.api.get('/brands/FJQC/complaints');
    expectStatus(t, listed, 200, 'the office lists its brand’s complaints');
    t.same(
      listed.body.items.map((complaint: { ticket: string }) => complaint.ticket),
      [aboutMember, aboutLot, aboutMisused],
      'of packs, or the lot, of its product, the newest first; not of another product',
    );
    t.notOk(listed.body.items.some((complaint: { ticket: string }) => complaint.ticket === aboutOther));
    await world.ok(world.regulator.post('/brands/FJQC/products', { products: [otherProduct] }), 200);
    t.notOk(
      (await orange.api.get('/brands/FJQC/complaints')).body.items.some((complaint: { ticket: string }) => complaint.ticket === aboutOther),
      'nor of a lot recorded before its product joined the brand (not held to it)',
    );
    t.match(listed.body.items[2], {
      code: misused,
      lotCode: lot,
      partyCode: grower.code,
      category: 'quality',
      text: '包装上有奉节脐橙标志，但味道不对',
      status: 'open',
      outcome: null,
    });
    for (const item of listed.body.items) {
      t.notOk('phone' in item || 'notes' in item, `${item.ticket}: no phone number, no regulators' notes`);
    }
    t.notOk(JSON.stringify(listed.body).includes('13800000000'), 'the number appears nowhere');

    const first = await orange.api.get('/brands/FJQC/complaints?limit=2');
    const second = await orange.api.get('/brands/FJQC/complaints?limit=2&offset=2');
    t.same(
      [...first.body.items, ...second.body.items].map((complaint: { ticket: string }) => complaint.ticket),
      [aboutMember, aboutLot, aboutMisused],
      'paged',
    );
    await world.ok(
      world.regulator.post(`/regulator/complaints/${aboutLot}/transitions`, { status: 'resolved', note: '已处理', outcome: 'upheld' }),
      200,
    );
    t.match(
      (await orange.api.get('/brands/FJQC/complaints?status=resolved')).body.items,
      [{ ticket: aboutLot, outcome: 'upheld' }],
      'by status',
    );
    t.same(
      (await pork.api.get('/brands/FJLR/complaints')).body.items.map((complaint: { ticket: string }) => complaint.ticket),
      [aboutMember, aboutLot, aboutMisused],
      'FJLR covers the product too: its office lists them',
    );
    const regulatorView = await world.regulator.get('/regulator/complaints?limit=1000');
    t.equal(
      regulatorView.body.items.find((complaint: { ticket: string }) => complaint.ticket === aboutMisused)?.phone,
      '13800000000',
      'the regulators see the number to call back on',
    );
    t.equal(regulatorView.body.items.length, 4, 'and every complaint');
    expectStatus(t, await world.regulator.get('/brands/FJQC/complaints'), 200, 'a regulator reads a brand’s complaints too');
  });
  t.test('an office issued for a party keeps the register of its own brands only', async (t) => {
    const member = await world.party('processor');
    const admission = { partyCode: member.code, tier: 'authorized', validFrom: '2026-01-01', reason: '准入' };
    const refused = await pork.api.post('/brands/FJQC/authorizations', admission);
    expectStatus(t, refused, 403, 'FJLR’s office admits no member to FJQC');
    t.equal(refused.body.detail, `brand FJQC is not run by party ${pork.code}: a brand office keeps the register of its own brands only`);
    const suspension = { state: 'suspended', reason: '停用' };
    expectStatus(
      t,
      await pork.api.post(`/brands/FJQC/authorizations/${grower.code}/state`, suspension),
      403,
      'suspends none of its members',
    );
    expectStatus(t, await pork.api.post('/brands/FJQC/products', { products: [otherProduct] }), 403, 'adds it no product');
    const stranger = await world.party('processor');
    const strangers = await stranger.product('piece');
    const taken = await orange.api.post('/brands/FJQC/products', { products: [strangers] });
    expectStatus(t, taken, 403, 'its own brand’s office adds no product of a party not admitted to it');
    t.equal(taken.body.errors?.[0]?.pointer, '/products/0');
    const lotOfStranger = await stranger.commission(strangers, 5);
    await world.ok(stranger.api.post(`/lots/${lotOfStranger}/items`, { count: 1 }), 202); // its codes held to no brand
    expectStatus(t, await pork.api.get('/brands/FJQC/disposals'), 403, 'reads none of its disposals');
    const foreign = { code: 'FJXX', kind: 'regional', regionCode: '500236', nameZh: '冒名', nameEn: 'FJXX', ownerPartyCode: orange.code };
    const registered = await pork.api.post('/brands', foreign);
    expectStatus(t, registered, 403, 'registers no brand in another party’s name');
    t.equal(registered.body.errors?.[0]?.pointer, '/ownerPartyCode');
    expectStatus(t, await pork.api.post('/brands', { ...foreign, ownerPartyCode: undefined }), 403, 'nor in no party’s');
    expectStatus(t, await world.regulator.get('/brands/FJXX'), 404, 'nothing registered by the refusals');
    t.same(
      (await world.ok(orange.api.get(`/brands/FJQC/authorizations`), 200)).items.map((a: { partyCode: string }) => a.partyCode),
      [grower.code],
      'FJQC’s members as they were',
    );
    await world.ok(orange.api.post('/brands/FJQC/authorizations', admission));
    await world.ok(unbound.post('/brands/FJLR/authorizations', admission));
    expectStatus(t, await unbound.get('/brands/FJQC/disposals'), 200, 'the county’s office keeps every brand’s register');
  });
});

t.test('a brand named with another brand’s code in parentheses shows its flags to its own office only', async (t) => {
  const world = await createWorld(t);
  const office = async () => {
    const party = await world.party('regulator');
    return { code: party.code, api: await world.brandOffice(party.code) };
  };
  const orange = await office();
  const pork = await office();
  const county = await world.brandOffice();
  const grower = await world.party('processor');
  const product = await grower.product('piece');
  // FJLR's own brand, and FJQC's, whose name reads like a finding of FJLR's, each registered by the county's office for the office party running it
  await world.brand(county, { code: 'FJLR', nameZh: '奉节腊肉', nameEn: 'FJLR', ownerPartyCode: pork.code });
  const misleading = { code: 'FJQC', nameZh: '仿 (FJLR): 脐橙', nameEn: 'FJQC', ownerPartyCode: orange.code };
  await world.brand(county, misleading, { members: [grower.code], admittedBy: orange.api });
  await world.ok(orange.api.post('/brands/FJQC/products', { products: [product] }), 200);
  const lot = await grower.commission(product, 5, { productionDate: '2026-06-01' });
  const exit = { state: 'exited', effectiveOn: '2026-07-01', reason: '退出' };
  await world.ok(orange.api.post(`/brands/FJQC/authorizations/${grower.code}/state`, exit), 200);
  const misused = await codedAroundTheCheck(world, grower, lot);
  const scan = await world.app.inject({ method: 'GET', url: `/t/${misused}`, headers: { accept: 'application/json' } });
  expectStatus(t, { status: scan.statusCode, body: scan.json(), headers: {} }, 200, 'the misused pack is scanned');

  const own = (await world.ok(orange.api.get('/brands/FJQC/flags'), 200)).items as Flag[];
  t.same(
    own.map((flag) => flag.code),
    [misused],
    'FJQC’s office lists the flag of its pack',
  );
  t.match(own[0].findings, [/^仿 \(FJLR\): 脐橙 \(FJQC\): code issued on /], 'with its finding, naming FJQC');
  t.same(
    (await world.ok(pork.api.get('/brands/FJLR/flags?status=all'), 200)).items,
    [],
    'FJLR’s office lists none: its pack is no FJLR pack',
  );
  expectStatus(t, await pork.api.get(`/brands/FJLR/flags/${misused}`), 404, 'nor reads it');
  expectStatus(t, await pork.api.post(`/brands/FJLR/flags/${misused}/notes`, { note: 'x' }), 404, 'nor notes it');

  // a later occurrence's findings are the flag's: the brands are those it names
  const again = (brandCodes: string[]) =>
    world.app.services.scans.raiseFlag({
      code: misused,
      kind: 'brand_misuse',
      lotCode: lot,
      partyCode: grower.code,
      detail: brandCodes
        .map((brand) => `${brand} (${brand}): code issued on 2026-08-01, while its owner was not admitted to the brand`)
        .join('\n'),
      brandCodes,
      at: new Date(),
    });
  await again(['FJLR']);
  const codesOf = async (api: typeof orange.api, brand: string) =>
    ((await world.ok(api.get(`/brands/${brand}/flags`), 200)).items as Flag[]).map((flag) => flag.code);
  t.same(await codesOf(pork.api, 'FJLR'), [misused], 'raised again naming FJLR alone: FJLR’s office lists it');
  t.same(await codesOf(orange.api, 'FJQC'), [], 'FJQC’s no more');
  await again(['FJLR', 'FJQC']);
  t.same([await codesOf(orange.api, 'FJQC'), await codesOf(pork.api, 'FJLR')], [[misused], [misused]], 'naming both: both');
});
