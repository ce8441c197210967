// The brand programme over HTTP: brands, members in the "5 + 20 + N" tiers, their state changes,
// labelled-stock disposal, issuance refused to non-members, badges and misuse flags on the consumer side.
import { createRepositories } from '../../src/app.js';
import { createBrandService } from '../../src/brands/service.js';
import { heldToBrand, makingOf } from '../../src/brands/standing.js';
import { shanghaiIso } from '../../src/codes/timestamp.js';
import { codedAroundTheCheck } from '../fixtures/brand-codes.js';
import { clearOfMidnightInChina } from '../fixtures/china-day.js';
import { type Actor, BRANDS_REGISTERED, createWorld, expectStatus, randomUscc, settableClock } from '../fixtures/world.js';
import { type Client, client, phoneAddress } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const DAY = 86_400_000;
const dayAgo = (days: number) => shanghaiIso(new Date(Date.now() - days * DAY)).slice(0, 10);
const today = () => dayAgo(0);
let brands = 0;
const newBrandCode = () => `BR-${++brands}`;

t.test('brand programme', async (t) => {
  // the test and the service read today's date from the real clock: the day must not change in between
  await clearOfMidnightInChina(60_000);
  // its brands registered before 2026 (brand() below), so members may be admitted from 2026-01-01 or some days ago
  const clock = settableClock();
  const world = await createWorld(t, undefined, { now: clock.now });
  const repositories = createRepositories(world.database);
  const { key: officeKey, id: officeKeyId } = await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }));
  const office = client(world.app, officeKey);

  async function brand(products: string[], kind = 'regional') {
    const code = newBrandCode();
    // a brand's Chinese name is its own: each brand of the test is named after its code
    const created = await clock.on(BRANDS_REGISTERED, () =>
      office.post('/brands', {
        code,
        kind,
        nameZh: `奉上好品 ${code}`,
        nameEn: 'Fengjie Finest',
        regionCode: '500236',
        products,
      }),
    );
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    return code;
  }
  const admit = (code: string, partyCode: string, tier = 'authorized', by: Client = office) =>
    by.post(`/brands/${code}/authorizations`, { partyCode, tier, validFrom: '2026-01-01', reason: '准入审核通过' });
  /** Admits the party from `validFrom` (today unless given): a lot it made before then was made while it was not admitted. */
  const admitFrom = (code: string, partyCode: string, validFrom = today(), validUntil?: string) =>
    world.ok(office.post(`/brands/${code}/authorizations`, { partyCode, tier: 'authorized', validFrom, validUntil, reason: '准入' }));
  const change = (code: string, partyCode: string, state: string, extra: Record<string, string> = {}, by: Client = office) =>
    by.post(`/brands/${code}/authorizations/${partyCode}/state`, { state, reason: `${state}: 品牌办决定`, ...extra });
  async function issue(actor: Actor, lotCode: string) {
    const job = await world.ok(actor.api.post(`/lots/${lotCode}/items`, { count: 2 }), 202);
    await world.app.services.items.idle();
    return job;
  }
  let phones = 0;
  // each scan a phone of its own, on an address of its own (one address is one client)
  const scan = (code: string) =>
    world.app.inject({
      method: 'GET',
      url: `/t/${code}`,
      remoteAddress: phoneAddress(++phones),
      headers: { accept: 'application/json', 'user-agent': `phone ${phones}` },
    });
  const badges = async (itemCode: string) => (await scan(itemCode)).json().brands.map((badge: { code: string }) => badge.code);
  const misuse = async (itemCode: string) =>
    ((await world.regulator.get('/regulator/flags?kind=brand_misuse')).body.items as { code: string; detail: string }[]).find(
      (flag) => flag.code === itemCode,
    )?.detail;

  t.test('a brand admits parties that make or pack its produce; a regional or GI brand, only those within its area', async (t) => {
    const refusedAdmission = (response: Awaited<ReturnType<typeof admit>>, rule: RegExp, what: string) => {
      expectStatus(t, response, 422, what);
      t.equal(response.body.type.endsWith('/brand-admission-refused'), true, `${what}: says so`);
      t.match(response.body.detail, rule, `${what}: names the rule`);
      t.match(response.body.errors, [{ in: 'body', pointer: '/partyCode' }], `${what}: at /partyCode`);
    };
    const regional = await brand([]);
    const gi = await brand([], 'gi');
    const enterprise = await brand([], 'enterprise');
    for (const kind of ['lab', 'regulator', 'cold_storage', 'logistics'] as const) {
      const party = await world.party(kind);
      for (const code of [regional, gi, enterprise]) {
        refusedAdmission(await admit(code, party.code), /only parties that make or pack its produce/, `a ${kind} to ${code}`);
      }
    }
    // a Beijing distributor sells no Fengjie produce under the county's brands; an enterprise brand may license it
    const outOfCounty = await world.party('distributor', 'distributor in Beijing', '110101');
    for (const code of [regional, gi]) {
      const refused = await admit(code, outOfCounty.code);
      refusedAdmission(refused, /not registered within brand .*'s area \(500236 重庆市奉节县\)/, `an out-of-county distributor to ${code}`);
      // (its code, which the office typed, holds its county: nothing beyond it)
      t.notMatch(refused.body.detail.replace(outOfCounty.code, ''), /110101|北京/, 'and says nothing of where the party is');
    }
    expectStatus(t, await admit(enterprise, outOfCounty.code), 201, 'an enterprise brand admits it');
    for (const kind of ['farm', 'slaughterhouse', 'cutting_plant', 'processor', 'distributor', 'retailer'] as const) {
      const party = await world.party(kind);
      for (const code of [regional, gi]) expectStatus(t, await admit(code, party.code), 201, `a ${kind} in the county to ${code}`);
    }
    // an area may be a city or a province: its prefix
    const chongqing = newBrandCode();
    await world.ok(
      clock.on(BRANDS_REGISTERED, () =>
        office.post('/brands', { code: chongqing, kind: 'regional', nameZh: '巴渝好品', nameEn: 'Chongqing Finest', regionCode: '50' }),
      ),
    );
    const yuzhong = await world.party('processor', 'processor in Yuzhong', '500103');
    expectStatus(t, await admit(chongqing, yuzhong.code), 201, 'a Yuzhong processor within Chongqing');
    refusedAdmission(await admit(chongqing, outOfCounty.code), /not registered within brand .*'s area \(50\)/, 'a Beijing one not');

    const noArea = await office.post('/brands', { code: newBrandCode(), kind: 'gi', nameZh: '无产地', nameEn: 'Nowhere' });
    expectStatus(t, noArea, 400, 'a GI brand names its area');
    t.match(noArea.body.errors, [{ in: 'body', pointer: '/regionCode' }]);
    const unlisted = await office.post('/brands', {
      code: newBrandCode(),
      kind: 'gi',
      nameZh: '无产地',
      nameEn: 'Nowhere',
      regionCode: '500299',
    });
    expectStatus(t, unlisted, 400, 'an area not in GB/T 2260');
    t.match((await office.get(`/brands/${regional}`)).body, { regionCode: '500236' }, 'a brand shows its area');
  });

  t.test('an exited member cannot issue branded codes; its old codes show no badge after the exit', async (t) => {
    const processor = await world.party('processor');
    const product = await processor.product('piece');
    const unbranded = await processor.product('piece');
    const code = await brand([product], 'gi');
    expectStatus(t, await admit(code, processor.code), 201, 'admitted');

    const madeWhileAdmitted = await processor.commission(product, 40, { productionDate: '2026-02-01' });
    await issue(processor, madeWhileAdmitted);
    // made on the day of exit, before the exit was recorded: made while admitted
    const madeOnExitDay = await processor.commission(product, 40, { productionDate: today() });
    await issue(processor, madeOnExitDay);

    const exited = await change(code, processor.code, 'exited');
    expectStatus(t, exited, 200, 'exited');
    t.match(exited.body, { state: 'exited', stateSince: today() });

    const later = await processor.commission(product, 10, { productionDate: today() });
    const refused = expectStatus(t, await processor.api.post(`/lots/${later}/items`, { count: 5 }), 403, 'no codes after exit');
    t.equal(refused.body.type, '/problems/brand-not-admitted');
    t.match(refused.body.detail, `party ${processor.code} may not issue item codes for lot ${later}`);
    t.match(refused.body.detail, `(${code}): exited`, 'the reason names the brand and the state');
    expectStatus(t, await processor.api.post(`/lots/${madeWhileAdmitted}/items`, { count: 1 }), 403, 'nor for its earlier lots');
    const plain = await processor.commission(unbranded, 10);
    expectStatus(t, await processor.api.post(`/lots/${plain}/items`, { count: 1 }), 202, 'its unbranded products are coded as ever');

    const oldCode = await repositories.items.firstCodeOfLot(madeWhileAdmitted);
    const oldPack = await scan(oldCode as string);
    t.equal(oldPack.statusCode, 200);
    t.same(oldPack.json().brands, [], 'its old codes show no badge after the exit, though the lot was made while admitted');
    t.notOk(oldPack.json().warnings.includes('counterfeit_suspected'), 'nor are they called counterfeit');
    const page = await world.app.inject({ method: 'GET', url: `/t/${oldCode}`, headers: { 'user-agent': 'browser' } });
    t.notMatch(page.body, '奉上好品 地理标志', 'on the page neither');

    const exitDayCode = (await repositories.items.firstCodeOfLot(madeOnExitDay)) as string;
    t.same((await scan(exitDayCode)).json().brands, [], 'a lot of the exit day shows no badge after the exit either');
    // made after the exit was recorded, on its day, and coded by a path around the check
    const lateCode = await codedAroundTheCheck(world, processor, later);
    const latePack = (await scan(lateCode)).json();
    t.same(latePack.brands, [], 'no badge on a lot made after the exit took effect');
    t.notOk(latePack.warnings.includes('counterfeit_suspected'), 'the code itself is genuine: not called counterfeit');

    const flags = (await world.regulator.get('/regulator/flags?kind=brand_misuse')).body.items;
    const flag = flags.find((f: { code: string }) => f.code === lateCode);
    t.match(flag, { kind: 'brand_misuse', lotCode: later, partyCode: processor.code });
    t.match(flag.detail, `(${code}): produced on ${today()}, code issued on ${today()}, while its owner was not admitted to the brand`);
    t.notOk(
      flags.some((f: { code: string }) => f.code === oldCode),
      'a pack made and coded while admitted is not misuse',
    );
    t.notOk(
      flags.some((f: { code: string }) => f.code === exitDayCode),
      'nor one made and coded on the day of the exit before the exit was recorded',
    );
    const counts = await repositories.scans.countBrandMisuseByParty({ from: new Date(Date.now() - DAY), to: new Date(Date.now() + DAY) });
    t.equal(counts.get(processor.code), 1, 'misuse counted per party over a period (for the credit score)');
    const credit = await world.regulator.get(`/credit/${processor.code}`);
    t.match(
      credit.body.factors.find((factor: { key: string }) => factor.key === 'brand_misuse'),
      { count: 1, weight: 10, contribution: -10 },
      'and charged to its credit score',
    );
    const before = await repositories.scans.countBrandMisuseByParty({
      from: new Date(Date.now() - 2 * DAY),
      to: new Date(Date.now() - DAY),
    });
    t.equal(before.get(processor.code), undefined, 'and not outside it');
  });

  t.test('codes issued after an exit by a path around the check are flagged as misuse when scanned', async (t) => {
    const processor = await world.party('processor');
    const product = await processor.product('piece');
    const code = await brand([product]);
    await world.ok(admit(code, processor.code));
    const lot = await processor.commission(product, 20, { productionDate: dayAgo(10) });
    await world.ok(change(code, processor.code, 'exited', { effectiveOn: dayAgo(5) }), 200);
    const itemCode = await codedAroundTheCheck(world, processor, lot);

    const pack = (await scan(itemCode)).json();
    t.same(pack.brands, [], 'its owner has exited: no badge');
    const flags = (await world.regulator.get(`/regulator/flags?kind=brand_misuse&lotCode=${lot}`)).body.items;
    t.equal(flags.length, 1);
    t.match(flags[0], { code: itemCode, partyCode: processor.code });
    t.match(flags[0].detail, `(${code}): code issued on ${today()}, while its owner was not admitted to the brand`);
  });

  t.test('a member gets no codes for a lot it made before its admission: they would be misuse', async (t) => {
    const processor = await world.party('processor');
    const product = await processor.product('piece');
    const code = await brand([product], 'gi');
    await admitFrom(code, processor.code);
    const madeBefore = await processor.commission(product, 10, { productionDate: dayAgo(2) });
    const refused = expectStatus(t, await processor.api.post(`/lots/${madeBefore}/items`, { count: 3 }), 403, 'made before its admission');
    t.equal(refused.body.type, '/problems/brand-not-admitted');
    t.match(refused.body.detail, `may not issue item codes for lot ${madeBefore}`);
    t.match(
      refused.body.detail,
      `(${code}): not admitted when the lot was made (produced on ${dayAgo(2)})`,
      'naming the brand and the day',
    );
    t.equal(await repositories.items.firstCodeOfLot(madeBefore), undefined, 'no code was issued');

    // what the issuer refuses is exactly what a scan would flag
    const aroundTheCheck = await codedAroundTheCheck(world, processor, madeBefore);
    t.same(await badges(aroundTheCheck), [], 'a code of it shows no badge');
    t.equal(
      await misuse(aroundTheCheck),
      `奉上好品 ${code} (${code}): produced on ${dayAgo(2)}, while its owner was not admitted to the brand`,
      'and is flagged as misuse',
    );

    const madeToday = await processor.commission(product, 10, { productionDate: today() });
    await issue(processor, madeToday);
    const issued = (await repositories.items.firstCodeOfLot(madeToday)) as string;
    t.same(await badges(issued), [code], 'a lot made since its admission is coded and carries the badge');
    t.equal(await misuse(issued), undefined, 'and is no misuse');
  });

  t.test('a lot made on the day a suspension takes effect is misuse only when recorded after the suspension was', async (t) => {
    const processor = await world.party('processor');
    const product = await processor.product('piece');
    const code = await brand([product], 'gi');
    await world.ok(admit(code, processor.code));
    const before = await processor.commission(product, 10, { productionDate: today() });
    await issue(processor, before);
    await world.ok(change(code, processor.code, 'suspended'), 200);
    const after = await processor.commission(product, 10, { productionDate: today() });
    const afterCode = await codedAroundTheCheck(world, processor, after);
    const beforeCode = (await repositories.items.firstCodeOfLot(before)) as string;

    t.same(
      (await scan(beforeCode)).json().brands.map((badge: { code: string }) => badge.code),
      [code],
      'made before the suspension was recorded: made while admitted, and a suspension withdraws no badge',
    );
    t.same((await scan(afterCode)).json().brands, [], 'made after it: no badge');
    const flags = (await world.regulator.get('/regulator/flags?kind=brand_misuse')).body.items as { code: string; detail: string }[];
    t.notOk(
      flags.some((flag) => flag.code === beforeCode),
      'the lot made before the suspension was recorded is not misuse',
    );
    t.match(
      flags.find((flag) => flag.code === afterCode)?.detail,
      `(${code}): produced on ${today()}, code issued on ${today()}, while its owner was not admitted to the brand`,
    );
  });

  t.test('packs made before their product joined a brand are not misuse once their maker is admitted', async (t) => {
    const processor = await world.party('processor');
    const product = await processor.product('piece');
    const earlier = await processor.commission(product, 10, { productionDate: dayAgo(3) });
    await issue(processor, earlier);
    const earlierCode = (await repositories.items.firstCodeOfLot(earlier)) as string;
    // the product joins the brand now, after the lot was made (brand() registers it on an earlier day)
    const code = await brand([]);
    await world.ok(office.post(`/brands/${code}/products`, { products: [product] }), 200);
    await admitFrom(code, processor.code);
    const pack = (await scan(earlierCode)).json();
    t.same(pack.brands, [], 'no badge: the brand did not cover the product when the lot was made');
    const flags = (await world.regulator.get(`/regulator/flags?kind=brand_misuse&lotCode=${earlier}`)).body.items;
    t.same(flags, [], 'and no misuse flag');
    const newer = await processor.commission(product, 10, { productionDate: today() });
    await issue(processor, newer);
    const newerCode = (await repositories.items.firstCodeOfLot(newer)) as string;
    t.same(
      (await scan(newerCode)).json().brands.map((badge: { code: string }) => badge.code),
      [code],
      'a lot made once it joined, by an admitted maker, carries the badge',
    );
  });

  t.test(
    'after its validUntil an authorization is expired: not shown as admitted, holding no place, and its maker may be admitted anew',
    async (t) => {
      const processor = await world.party('processor');
      const product = await processor.product('piece');
      const code = await brand([product], 'gi');
      const admitted = await office.post(`/brands/${code}/authorizations`, {
        partyCode: processor.code,
        tier: 'head',
        validFrom: dayAgo(10),
        validUntil: dayAgo(2),
        reason: '准入，两年期',
      });
      expectStatus(t, admitted, 201, 'admitted for a period that has ended');
      const made = await processor.commission(product, 10, { productionDate: dayAgo(5) });
      const after = await processor.commission(product, 10, { productionDate: dayAgo(1) });
      const refused = expectStatus(t, await processor.api.post(`/lots/${after}/items`, { count: 1 }), 403, 'no codes after its last day');
      t.equal(refused.body.type, '/problems/brand-not-admitted');

      const listed = await office.get(`/brands/${code}/authorizations?partyCode=${processor.code}`);
      t.match(
        listed.body.items ?? listed.body,
        [{ partyCode: processor.code, state: 'expired', stateSince: dayAgo(1) }],
        'listed as expired',
      );
      const own = await processor.api.get(`/brands/${code}/authorizations`);
      t.match(own.body.items ?? own.body, [{ state: 'expired' }], 'and so to the member itself');

      t.same(
        (await scan(await codedAroundTheCheck(world, processor, made))).json().brands.map((badge: { code: string }) => badge.code),
        [code],
        'a lot made while valid keeps its badge',
      );
      const afterCode = await codedAroundTheCheck(world, processor, after);
      t.same((await scan(afterCode)).json().brands, [], 'a lot made after the last day has none');
      const flags = (await world.regulator.get(`/regulator/flags?kind=brand_misuse&lotCode=${after}`)).body.items;
      t.match(flags[0]?.detail, `produced on ${dayAgo(1)}`, 'and is misuse');

      // five other heads fill the tier: the expired one holds no place
      for (let i = 0; i < 5; i++) expectStatus(t, await admit(code, (await world.party('processor')).code, 'head'), 201, `head ${i + 1}`);
      const sixth = await admit(code, (await world.party('processor')).code, 'head');
      expectStatus(t, sixth, 409, 'the tier is full with five in force');

      expectStatus(
        t,
        await change(code, processor.code, 'suspended'),
        409,
        'a change after its last day is refused: nothing of it is in force then',
      );
      const overlapping = await office.post(`/brands/${code}/authorizations`, {
        partyCode: processor.code,
        tier: 'authorized',
        validFrom: dayAgo(2),
        reason: '续期',
      });
      expectStatus(t, overlapping, 409, 'a new authorization does not reach back into the expired one');
      t.match(overlapping.body.errors, [{ pointer: '/validFrom' }]);
      const intoTheLapse = await office.post(`/brands/${code}/authorizations`, {
        partyCode: processor.code,
        tier: 'authorized',
        validFrom: dayAgo(1),
        reason: '续期',
      });
      expectStatus(t, intoTheLapse, 409, 'nor into the days the lapse already decided');
      t.same(intoTheLapse.body.errors, [{ in: 'body', pointer: '/validFrom', detail: `must not be before ${today()}` }]);
      const renewed = await office.post(`/brands/${code}/authorizations`, {
        partyCode: processor.code,
        tier: 'authorized',
        validFrom: today(),
        reason: '续期',
      });
      expectStatus(t, renewed, 201, 'admitted anew after the expired one');
      const history = (await office.get(`/brands/${code}/authorizations?partyCode=${processor.code}`)).body;
      const rows = (history.items ?? history) as { state: string; validFrom: string }[];
      t.same(
        rows.map((row) => row.state),
        ['expired', 'admitted'],
        'the expired one stays as history beside the new one',
      );
      t.same(
        (await scan(await codedAroundTheCheck(world, processor, made))).json().brands.map((badge: { code: string }) => badge.code),
        [code],
        'the lot made under the expired one still keeps its badge',
      );
      const verified = await world.regulator.get('/audit/verify?party=system');
      t.equal(verified.body.ok, true, 'the audit log verifies');
    },
  );

  t.test('an exit within the validity, recorded after it ran out, withdraws the badge from every pack of its', async (t) => {
    const processor = await world.party('processor');
    const product = await processor.product('piece');
    const code = await brand([product], 'gi');
    await world.ok(
      office.post(`/brands/${code}/authorizations`, {
        partyCode: processor.code,
        tier: 'authorized',
        validFrom: dayAgo(30),
        validUntil: dayAgo(1),
        reason: '准入',
      }),
    );
    const lot = await processor.commission(product, 10, { productionDate: dayAgo(15) });
    const pack = await codedAroundTheCheck(world, processor, lot);
    t.same(await badges(pack), [code], 'a lot made while valid keeps its badge once the authorization ran out');
    await world.ok(change(code, processor.code, 'exited', { effectiveOn: dayAgo(3) }), 200);
    t.same(await badges(pack), [], 'an exit found late withdraws it');
  });

  t.test('a suspension recorded days after the day it takes effect holds the lots of that whole day', async (t) => {
    const processor = await world.party('processor');
    const product = await processor.product('piece');
    const code = await brand([product], 'gi');
    await world.ok(admit(code, processor.code));
    const codeOf = async (productionDate: string) => {
      const lot = await processor.commission(product, 10, { productionDate });
      await issue(processor, lot);
      return (await repositories.items.firstCodeOfLot(lot)) as string;
    };
    const dayBefore = await codeOf(dayAgo(3));
    const firstDay = await codeOf(dayAgo(2));
    const dayAfter = await codeOf(dayAgo(1));
    await world.ok(change(code, processor.code, 'suspended', { effectiveOn: dayAgo(2) }), 200);
    t.same(await badges(dayBefore), [code], 'made the day before: kept');
    t.same(await badges(firstDay), [], 'made on its first day: made while suspended, no badge');
    t.same(await badges(dayAfter), [], 'nor the day after');
    t.equal(await misuse(dayBefore), undefined, 'made and coded while admitted: no misuse');
    t.equal(
      await misuse(firstDay),
      `奉上好品 ${code} (${code}): produced on ${dayAgo(2)}, while its owner was not admitted to the brand`,
      'made in the suspension is misuse; its code, issued while the member stood admitted, is not',
    );
  });

  t.test('a lot made while suspended has no badge when its maker is reinstated later that day', async (t) => {
    const processor = await world.party('processor');
    const product = await processor.product('piece');
    const code = await brand([product], 'gi');
    await world.ok(admit(code, processor.code));
    await world.ok(change(code, processor.code, 'suspended', { effectiveOn: dayAgo(1) }), 200);
    const whileSuspended = await processor.commission(product, 10, { productionDate: today() });
    await world.ok(change(code, processor.code, 'admitted'), 200);
    const afterwards = await processor.commission(product, 10, { productionDate: today() });
    const refused = await processor.api.post(`/lots/${whileSuspended}/items`, { count: 1 });
    expectStatus(t, refused, 403, 'no codes for the lot made while suspended, though its maker is admitted again');
    t.match(refused.body.detail, `(${code}): not admitted when the lot was made (produced on ${today()})`);
    await issue(processor, afterwards);
    const suspendedCode = await codedAroundTheCheck(world, processor, whileSuspended);
    const reinstatedCode = (await repositories.items.firstCodeOfLot(afterwards)) as string;
    t.same(await badges(suspendedCode), [], 'made before the reinstatement was recorded: no badge');
    t.same(await badges(reinstatedCode), [code], 'made after it: the badge');
    t.equal(
      await misuse(suspendedCode),
      `奉上好品 ${code} (${code}): produced on ${today()}, while its owner was not admitted to the brand`,
      'made while suspended is misuse',
    );
    t.equal(await misuse(reinstatedCode), undefined);
  });

  t.test('a correction moving a coded lot to a branded product is refused to a party not admitted today', async (t) => {
    const processor = await world.party('processor');
    const branded = await processor.product('piece');
    const plain = await processor.product('piece');
    const code = await brand([branded], 'gi');
    expectStatus(t, await admit(code, processor.code), 201, 'admitted');
    const commissioned = async (product: string) =>
      (await world.ok(processor.event({ type: 'commission', lots: [{ productCode: product, quantity: 10 }] }))).event.id as string;
    const correction = async (eventId: string, product: string, quantity = 10) =>
      processor.event({
        type: 'correction',
        correctsEventId: eventId,
        reason: '产品录错了',
        replacement: {
          type: 'commission',
          eventTime: (await processor.api.get(`/events/${eventId}`)).body.eventTime,
          lots: [{ productCode: product, quantity }],
        },
      });
    const lotOf = async (eventId: string) => (await processor.api.get(`/events/${eventId}`)).body.lots[0].lotCode as string;

    const coded = await commissioned(plain);
    const lot = await lotOf(coded);
    await issue(processor, lot);
    const packCode = (await repositories.items.firstCodeOfLot(lot)) as string;
    t.same((await scan(packCode)).json().brands, [], 'a pack of the unbranded product shows no badge');
    const branded2 = await commissioned(branded);
    await issue(processor, await lotOf(branded2));
    const uncoded = await commissioned(plain);

    expectStatus(t, await change(code, processor.code, 'suspended'), 200, 'suspended');
    const refused = expectStatus(t, await correction(coded, branded), 403, 'its coded packs would carry the brand');
    t.equal(refused.body.type, '/problems/brand-not-admitted');
    t.match(
      refused.body.detail,
      `party ${processor.code} may not move lot ${lot}, whose packs are coded, to it: it is not admitted to the brand covering product ${branded}`,
    );
    t.match(refused.body.errors, [{ pointer: '/replacement/lots/0/productCode' }]);
    t.match(refused.body.detail, `(${code}): suspended`);
    const pack = (await scan(packCode)).json();
    t.same(pack.brands, [], 'the packs show no badge');
    t.equal((await processor.api.get(`/lots/${lot}`)).body.productCode, plain, 'and the lot is as it was');
    expectStatus(t, await correction(uncoded, branded), 201, 'a lot with no coded packs is corrected: making a lot labels no pack');
    expectStatus(t, await correction(branded2, branded, 9), 201, "nor is a correction keeping a branded lot's product refused");

    expectStatus(t, await change(code, processor.code, 'admitted'), 200, 'reinstated');
    expectStatus(t, await correction(coded, branded), 201, 'a member admitted today corrects it');
    t.same(
      (await scan(packCode)).json().brands.map((badge: { code: string }) => badge.code),
      [code],
      'and its packs, coded while it was admitted, show the badge',
    );
  });

  t.test('a correction re-dating a coded lot of a branded product is refused to a party not admitted today', async (t) => {
    const processor = await world.party('processor');
    const product = await processor.product('piece');
    const code = await brand([product], 'gi');
    expectStatus(t, await admit(code, processor.code), 201, 'admitted from 2026-01-01');
    const made = await world.ok(
      processor.event({ type: 'commission', lots: [{ productCode: product, quantity: 10, productionDate: '2025-12-28' }] }),
    );
    const lot = made.createdLotCodes[0] as string;
    // the issuer refuses a lot made before its owner's admission: coded as a path around the check leaves it
    const packCode = await codedAroundTheCheck(world, processor, lot);
    const badges = async () => (await scan(packCode)).json().brands.map((badge: { code: string }) => badge.code);
    t.same(await badges(), [], 'produced before its owner was admitted: no badge');
    // each correction corrects the event standing for the lot: the first, or the last replacement
    let standing = made.event.id as string;
    const correction = async (lots: Record<string, unknown>[]) => {
      const response = await processor.event({
        type: 'correction',
        correctsEventId: standing,
        reason: '生产日期录错了',
        replacement: { type: 'commission', eventTime: made.event.eventTime, lots },
      });
      if (response.status === 201) standing = response.body.replacement.id;
      return response;
    };

    expectStatus(t, await change(code, processor.code, 'suspended'), 200, 'suspended');
    const refused = expectStatus(
      t,
      await correction([{ productCode: product, quantity: 10, productionDate: '2026-01-01' }]),
      403,
      'refused',
    );
    t.equal(refused.body.type, '/problems/brand-not-admitted');
    t.match(refused.body.errors, [{ pointer: '/replacement/lots/0/productionDate' }]);
    t.match(refused.body.detail, `(${code}): suspended`);
    t.same(await badges(), [], 'the packs still show no badge');
    const undated = expectStatus(t, await correction([{ productCode: product, quantity: 10 }]), 403, 'nor may it drop the date');
    t.match(undated.body.errors, [{ pointer: '/replacement/lots/0/productionDate' }]);
    expectStatus(
      t,
      await correction([{ productCode: product, quantity: 9, productionDate: '2025-12-28' }]),
      201,
      'a correction keeping its product and production date is not refused',
    );

    expectStatus(t, await change(code, processor.code, 'admitted'), 200, 'reinstated');
    expectStatus(t, await correction([{ productCode: product, quantity: 9, productionDate: '2026-01-01' }]), 201, 'a member re-dates it');
    t.same(await badges(), [code], 'and its packs show the badge');
  });

  t.test('a member cannot re-date a coded lot to before its admission: its packs would be misuse', async (t) => {
    const processor = await world.party('processor');
    const product = await processor.product('piece');
    const code = await brand([product], 'gi');
    await admitFrom(code, processor.code);
    const made = await world.ok(
      processor.event({
        type: 'commission',
        eventTime: shanghaiIso(new Date()),
        lots: [{ productCode: product, quantity: 10, productionDate: today() }],
      }),
    );
    const lot = made.createdLotCodes[0] as string;
    await issue(processor, lot);
    const packCode = (await repositories.items.firstCodeOfLot(lot)) as string;
    const redated = (productionDate: string) =>
      processor.event({
        type: 'correction',
        correctsEventId: made.event.id,
        reason: '生产日期录错了',
        replacement: {
          type: 'commission',
          eventTime: made.event.eventTime,
          lots: [{ productCode: product, quantity: 10, productionDate }],
        },
      });
    const refused = expectStatus(t, await redated(dayAgo(2)), 403, 'admitted today, but not on the day it now says');
    t.equal(refused.body.type, '/problems/brand-not-admitted');
    t.match(refused.body.errors, [{ pointer: '/replacement/lots/0/productionDate' }]);
    t.match(refused.body.detail, `(${code}): not admitted when the lot was made (produced on ${dayAgo(2)})`);
    t.same(await badges(packCode), [code], 'its packs keep the badge');
    t.equal(await misuse(packCode), undefined, 'and are no misuse');
  });

  t.test('a member whose validity ran out cannot move a coded lot to its branded product either', async (t) => {
    const processor = await world.party('processor');
    const branded = await processor.product('piece');
    const plain = await processor.product('piece');
    const code = await brand([branded]);
    expectStatus(
      t,
      await office.post(`/brands/${code}/authorizations`, {
        partyCode: processor.code,
        tier: 'authorized',
        validFrom: dayAgo(10),
        validUntil: dayAgo(2),
        reason: '准入',
      }),
      201,
      'admitted for a period that has ended',
    );
    const made = await world.ok(processor.event({ type: 'commission', lots: [{ productCode: plain, quantity: 10 }] }));
    await issue(processor, made.createdLotCodes[0]);
    const refused = await processor.event({
      type: 'correction',
      correctsEventId: made.event.id,
      reason: '产品录错了',
      replacement: { type: 'commission', eventTime: made.event.eventTime, lots: [{ productCode: branded, quantity: 10 }] },
    });
    expectStatus(t, refused, 403, 'refused');
    t.match(refused.body.detail, `(${code}): not valid today`);
  });

  t.test('tier caps: 5 head and 20 backbone members per brand, any number authorized', async (t) => {
    const code = await brand([]);
    const parties: string[] = [];
    for (let i = 0; i < 27; i++) {
      parties.push(
        (
          await world.ok(
            world.admin.post('/parties', { kind: 'processor', name: `品牌企业 ${i}`, uscc: randomUscc(), regionCode: '500236' }),
          )
        ).code,
      );
    }
    for (const party of parties.slice(0, 5)) expectStatus(t, await admit(code, party, 'head'), 201, 'head member');
    const full = expectStatus(t, await admit(code, parties[5], 'head'), 409, 'a sixth head member');
    t.match(full.body.detail, 'already has 5 head (头部) members');
    t.same(full.body.errors, [{ in: 'body', pointer: '/tier', detail: 'the head tier is full (5)' }]);
    for (const party of parties.slice(5, 25)) expectStatus(t, await admit(code, party, 'backbone'), 201, 'backbone member');
    expectStatus(t, await admit(code, parties[25], 'backbone'), 409, 'a 21st backbone member');
    expectStatus(t, await admit(code, parties[25], 'authorized'), 201, 'any number authorized');

    expectStatus(t, await change(code, parties[0], 'suspended'), 200, 'a suspended member keeps its place');
    expectStatus(t, await admit(code, parties[26], 'head'), 409, 'so the tier stays full');
    expectStatus(t, await change(code, parties[0], 'exited'), 200, 'an exit frees the place');
    expectStatus(t, await admit(code, parties[26], 'head'), 201, 'for another head member');
    expectStatus(t, await admit(code, parties[26], 'authorized'), 409, 'a party holds one authorization per brand');
  });

  t.test(
    'a new authorization after an exit starts no earlier than the day the exit was recorded: the days before keep who was admitted',
    async (t) => {
      const processor = await world.party('processor');
      const product = await processor.product('piece');
      const code = await brand([product], 'gi');
      const readmit = (validFrom: string) =>
        office.post(`/brands/${code}/authorizations`, { partyCode: processor.code, tier: 'head', validFrom, reason: '重新准入' });
      await world.ok(readmit(dayAgo(20)), 201);
      // a pack of a lot made in the days the exit, dated back today, left without a member
      const pack = await codedAroundTheCheck(world, processor, await processor.commission(product, 10, { productionDate: dayAgo(5) }));
      await world.ok(change(code, processor.code, 'suspended', { effectiveOn: dayAgo(10) }), 200);
      await world.ok(change(code, processor.code, 'exited', { effectiveOn: dayAgo(10) }), 200);

      for (const validFrom of [dayAgo(20), dayAgo(25), dayAgo(11), dayAgo(10), dayAgo(1)]) {
        const backdated = expectStatus(t, await readmit(validFrom), 409, `a re-admission from ${validFrom}`);
        t.match(backdated.body.detail, `cannot start before ${today()}, the day its earlier authorization's end`);
        t.same(backdated.body.errors, [{ in: 'body', pointer: '/validFrom', detail: `must not be before ${today()}` }]);
      }
      t.same(await badges(pack), [], 'the days already decided as exited stay so');
      expectStatus(t, await readmit(today()), 201, 'a re-admission from the day the exit was recorded');
      t.same(await badges(pack), [], 'which gives no badge back to a lot made while the party had exited');

      const listed = (await office.get(`/brands/${code}/authorizations?partyCode=${processor.code}`)).body.items;
      t.same(
        listed.map((row: { validFrom: string; state: string; stateSince: string }) => [row.validFrom, row.state, row.stateSince]),
        [
          [dayAgo(20), 'exited', dayAgo(10)],
          [today(), 'admitted', today()],
        ],
        'the earlier authorization is as it was',
      );
    },
  );

  t.test('an admission from a day still to come can be suspended or exited before it starts, from today', async (t) => {
    const party = await world.party('processor');
    const code = await brand([]);
    const admitFrom = (validFrom: string) =>
      office.post(`/brands/${code}/authorizations`, { partyCode: party.code, tier: 'head', validFrom, reason: '准入' });
    await world.ok(admitFrom(dayAgo(-30)), 201);
    expectStatus(t, await change(code, party.code, 'exited', { effectiveOn: dayAgo(1) }), 409, 'not before today');
    const withdrawn = expectStatus(t, await change(code, party.code, 'exited'), 200, 'withdrawn before it starts');
    t.match(withdrawn.body, { validFrom: dayAgo(-30), state: 'exited', stateSince: today() });
    expectStatus(t, await admitFrom(today()), 201, 'admitted again, from today');
    const later = expectStatus(t, await change(code, party.code, 'suspended', { effectiveOn: today() }), 200, 'suspended');
    t.match(later.body, { state: 'suspended', stateSince: today() });
  });

  t.test('state changes: admitted → suspended → admitted → exited, each with a reason and day; invalid ones 409', async (t) => {
    const party = await world.party('processor');
    const code = await brand([]);
    expectStatus(t, await admit(code, party.code, 'backbone'), 201, 'admitted');
    expectStatus(t, await change(code, party.code, 'admitted'), 409, 'admitted again');
    const suspended = expectStatus(t, await change(code, party.code, 'suspended', { effectiveOn: dayAgo(3) }), 200, 'suspended');
    t.match(suspended.body, { state: 'suspended', stateSince: dayAgo(3), disposalDeadline: dayAgo(3 - 30) });
    const twice = expectStatus(t, await change(code, party.code, 'suspended'), 409, 'suspended twice');
    t.match(
      twice.body.detail,
      'an authorization that is suspended cannot become suspended; from suspended it can become admitted or exited',
    );
    expectStatus(t, await change(code, party.code, 'admitted', { effectiveOn: dayAgo(4) }), 409, 'not before the current state');
    expectStatus(t, await change(code, party.code, 'admitted', { effectiveOn: dayAgo(-1) }), 400, 'not in the future');
    const reinstated = expectStatus(t, await change(code, party.code, 'admitted', { effectiveOn: dayAgo(1) }), 200, 'reinstated');
    t.match(reinstated.body, { state: 'admitted', disposalDeadline: null });
    expectStatus(t, await change(code, party.code, 'exited'), 200, 'exited');
    const final = expectStatus(t, await change(code, party.code, 'admitted'), 409, 'an exit is final');
    t.match(final.body.detail, 'exit is final');
    expectStatus(t, await change(code, party.code, 'bogus'), 400, 'an unknown state');
    for (const blank of ['%20', '%E3%80%80']) {
      // not read as "any member": no exit of another party, nor its absence, answers for a party not named
      const unnamed = expectStatus(t, await change(code, blank, 'suspended'), 400, `a blank party code (${blank})`);
      t.match(unnamed.body.errors, [{ in: 'params', pointer: '/partyCode' }]);
    }
    expectStatus(
      t,
      await office.post(`/brands/${code}/authorizations/${party.code}/state`, { state: 'suspended' }),
      400,
      'a reason is required',
    );

    const listed = (await party.api.get(`/brands/${code}/authorizations?partyCode=${party.code}`)).body.items;
    t.equal(listed.length, 1);
    t.same(
      listed[0].history.map((h: { fromState: string | null; toState: string; effectiveOn: string }) => [
        h.fromState,
        h.toState,
        h.effectiveOn,
      ]),
      [
        [null, 'admitted', '2026-01-01'],
        ['admitted', 'suspended', dayAgo(3)],
        ['suspended', 'admitted', dayAgo(1)],
        ['admitted', 'exited', today()],
      ],
      'every change kept, oldest first',
    );
    t.equal(listed[0].history[1].reason, 'suspended: 品牌办决定');
  });

  t.test('disposal: stock on hand after suspension or exit, until it is gone or the deadline passes', async (t) => {
    const [late, suspended, cleared, retailer] = [
      await world.party('processor'),
      await world.party('processor'),
      await world.party('processor'),
      await world.party('retailer'),
    ];
    const products = [await late.product('piece'), await suspended.product('kg'), await cleared.product('piece')];
    const otherProduct = await late.product('piece');
    const code = await brand(products);
    for (const party of [late, suspended, cleared]) await world.ok(admit(code, party.code));
    // made while their makers were admitted: the stock the brand holds them to dispose of
    await late.commission(products[0], 40, { productionDate: dayAgo(50) });
    await late.commission(otherProduct, 99);
    await suspended.commission(products[1], 12.5, { productionDate: dayAgo(50) });
    const sold = await cleared.commission(products[2], 30, { productionDate: dayAgo(50) });
    // sold on after it was made (commissioned now: its production date is the real clock's)
    const shipped = await world.ok(
      cleared.event({ type: 'ship', eventTime: shanghaiIso(new Date()), toPartyCode: retailer.code, lines: [{ lotCode: sold }] }),
    );
    await world.ok(retailer.event({ type: 'receive', eventTime: shanghaiIso(new Date()), shipmentId: shipped.shipmentId }));

    await world.ok(change(code, late.code, 'exited', { effectiveOn: dayAgo(40) }), 200);
    await world.ok(change(code, suspended.code, 'suspended'), 200);
    await world.ok(change(code, cleared.code, 'exited', { effectiveOn: dayAgo(40) }), 200);

    const disposals = await office.get(`/brands/${code}/disposals`);
    expectStatus(t, disposals, 200, 'the brand office lists disposals');
    const of = (party: Actor) => disposals.body.items.find((item: { partyCode: string }) => item.partyCode === party.code);
    t.match(of(late), {
      state: 'exited',
      since: dayAgo(40),
      deadline: dayAgo(10),
      onHand: [{ quantity: 40, unit: 'piece' }],
      status: 'overdue',
      overdue: true,
    });
    t.match(of(suspended), {
      state: 'suspended',
      deadline: dayAgo(-30),
      onHand: [{ quantity: 12.5, unit: 'kg' }],
      status: 'disposing',
      overdue: false,
    });
    t.match(of(cleared), { state: 'exited', onHand: [], status: 'cleared', overdue: false }, 'stock handed on is no longer on hand');
    t.equal(disposals.body.items.length, 3, 'members never suspended or exited are not listed');
    expectStatus(t, await world.regulator.get(`/brands/${code}/disposals`), 200, 'regulators read it too');
    expectStatus(t, await late.api.get(`/brands/${code}/disposals`), 403, 'operators do not');
  });

  t.test("an authorization's history names the key that made each change, with its label", async (t) => {
    const party = await world.party('processor');
    const code = await brand([]);
    const labelled = await world.ok(world.admin.post('/api-keys', { role: 'brand_office', label: '品牌办 王科长' }));
    await world.ok(admit(code, party.code, 'authorized', client(world.app, labelled.key)));
    await world.ok(change(code, party.code, 'suspended'), 200);
    const [listed] = (await office.get(`/brands/${code}/authorizations?partyCode=${party.code}`)).body.items;
    t.match(listed.history, [
      { toState: 'admitted', keyId: labelled.id, keyLabel: '品牌办 王科长' },
      { toState: 'suspended', keyId: officeKeyId, keyLabel: null },
    ]);
  });

  t.test('disposal lists a member by its current authorization: not after a re-admission, once after a second exit', async (t) => {
    const [readmitted, resuspended, twiceExited] = [
      await world.party('processor'),
      await world.party('processor'),
      await world.party('processor'),
    ];
    const products = [await readmitted.product('piece'), await resuspended.product('piece'), await twiceExited.product('piece')];
    const code = await brand(products);
    const readmit = (party: Actor, validFrom: string) =>
      world.ok(office.post(`/brands/${code}/authorizations`, { partyCode: party.code, tier: 'authorized', validFrom, reason: '重新准入' }));
    for (const [index, party] of [readmitted, resuspended, twiceExited].entries()) {
      await world.ok(admit(code, party.code));
      await party.commission(products[index], 40, { productionDate: dayAgo(70) });
      await world.ok(change(code, party.code, 'exited', { effectiveOn: dayAgo(60) }), 200);
      // no earlier than the day the exit was recorded
      await readmit(party, today());
    }
    await world.ok(change(code, resuspended.code, 'suspended'), 200);
    await world.ok(change(code, twiceExited.code, 'exited'), 200);

    const items = (await office.get(`/brands/${code}/disposals`)).body.items;
    const of = (party: Actor) => items.filter((item: { partyCode: string }) => item.partyCode === party.code);
    t.same(of(readmitted), [], 'a member admitted again has no stock to dispose of: its branded stock is labelled rightly');
    t.match(of(resuspended), [{ state: 'suspended', since: today(), deadline: dayAgo(-30), status: 'disposing', overdue: false }]);
    t.equal(of(resuspended).length, 1, 'listed once, by its suspension, not also by its earlier exit');
    t.match(of(twiceExited), [{ state: 'exited', since: today(), deadline: dayAgo(-30), status: 'disposing', overdue: false }]);
    t.equal(of(twiceExited).length, 1, 'listed once, by its last exit');
  });

  t.test(
    'a suspension that runs past the authorization’s last day is listed for disposal as expired, as the members list shows it',
    async (t) => {
      const processor = await world.party('processor');
      const product = await processor.product('piece');
      const code = await brand([product]);
      await admitFrom(code, processor.code, dayAgo(10), dayAgo(2));
      await processor.commission(product, 7, { productionDate: dayAgo(6) });
      await world.ok(change(code, processor.code, 'suspended', { effectiveOn: dayAgo(5) }), 200);
      const members = (await office.get(`/brands/${code}/authorizations?partyCode=${processor.code}`)).body.items;
      t.match(members, [{ state: 'expired', stateSince: dayAgo(1), disposalDeadline: dayAgo(-25) }], 'expired in the members list');
      const items = (await office.get(`/brands/${code}/disposals`)).body.items;
      t.match(
        items,
        [{ partyCode: processor.code, state: 'expired', since: dayAgo(1), deadline: dayAgo(-25), status: 'disposing' }],
        'and in the disposal list, its stock still to be disposed of by the suspension’s deadline',
      );
    },
  );

  t.test('disposal counts only the stock held to the brand: made once its product joined, while its maker was admitted', async (t) => {
    const processor = await world.party('processor');
    const product = await processor.product('piece');
    const beforeJoining = await processor.commission(product, 5, { productionDate: dayAgo(20) });
    const code = await brand([product]);
    await admitFrom(code, processor.code, dayAgo(10));
    await processor.commission(product, 7, { productionDate: dayAgo(12) }); // before its admission
    await processor.commission(product, 11, { productionDate: dayAgo(8) }); // while admitted
    await processor.commission(product, 13, { productionDate: dayAgo(5) }); // while suspended
    await processor.commission(product, 17, { productionDate: dayAgo(3) }); // admitted again
    await world.ok(change(code, processor.code, 'suspended', { effectiveOn: dayAgo(6) }), 200);
    await world.ok(change(code, processor.code, 'admitted', { effectiveOn: dayAgo(4) }), 200);
    await world.ok(change(code, processor.code, 'exited', { effectiveOn: dayAgo(2) }), 200);
    t.same(
      await badges(await codedAroundTheCheck(world, processor, beforeJoining)),
      [],
      'the lot from before its product joined never had a badge',
    );

    const [listed] = (await office.get(`/brands/${code}/disposals`)).body.items;
    t.match(listed, { partyCode: processor.code, state: 'exited', status: 'disposing' });
    t.same(listed.onHand, [{ quantity: 28, unit: 'piece' }], 'the lots made while admitted (11 + 17), none of the others');
  });

  t.test('the stock disposal counts is what the badge rule holds to the brand, lot by lot', async (t) => {
    const code = await brand([]);
    /** A party of its own, with a product the brand covers (from now, unless `join` is false) and `admitted` applied. */
    async function member(admitted?: Record<string, string>, join = true) {
      const party = await world.party('processor');
      const product = await party.product('piece');
      if (join) await world.ok(office.post(`/brands/${code}/products`, { products: [product] }), 200);
      if (admitted) {
        await world.ok(
          office.post(`/brands/${code}/authorizations`, { partyCode: party.code, tier: 'authorized', reason: '准入', ...admitted }),
        );
      }
      return { party, product };
    }
    const expected: { lot: string; party: Actor; held: boolean }[] = [];
    const lotOf = async (owner: { party: Actor; product: string }, held: boolean, productionDate?: string) => {
      const lot = await owner.party.commission(owner.product, 1, productionDate ? { productionDate } : {});
      expected.push({ lot, party: owner.party, held });
    };
    // admitted from today: a lot made two days ago is not held, one made today is
    const newcomer = await member({ validFrom: today() });
    await lotOf(newcomer, false, dayAgo(2));
    await lotOf(newcomer, true, today());
    // the product joined after a first lot was recorded
    const joining = await member({ validFrom: '2026-01-01' }, false);
    await lotOf(joining, false, dayAgo(1));
    await world.ok(office.post(`/brands/${code}/products`, { products: [joining.product] }), 200);
    await lotOf(joining, true, dayAgo(1));
    // suspended today: lots of today recorded before it are held, those after not; yesterday's are
    const suspended = await member({ validFrom: '2026-01-01' });
    await lotOf(suspended, true, today());
    await lotOf(suspended, true);
    await world.ok(change(code, suspended.party.code, 'suspended'), 200);
    await lotOf(suspended, false, today());
    await lotOf(suspended, false);
    await lotOf(suspended, true, dayAgo(1));
    // valid until two days ago
    const lapsed = await member({ validFrom: dayAgo(10), validUntil: dayAgo(2) });
    await lotOf(lapsed, true, dayAgo(5));
    await lotOf(lapsed, true, dayAgo(2));
    await lotOf(lapsed, false, dayAgo(1));
    await lotOf(lapsed, false);
    // suspended three days ago, reinstated yesterday
    const reinstated = await member({ validFrom: '2026-01-01' });
    await world.ok(change(code, reinstated.party.code, 'suspended', { effectiveOn: dayAgo(3) }), 200);
    await world.ok(change(code, reinstated.party.code, 'admitted', { effectiveOn: dayAgo(1) }), 200);
    await lotOf(reinstated, true, dayAgo(4));
    await lotOf(reinstated, false, dayAgo(3));
    await lotOf(reinstated, false, dayAgo(2));
    await lotOf(reinstated, true, dayAgo(1));
    await lotOf(reinstated, true);
    // never admitted
    await lotOf(await member(), false);

    const brands = world.app.services.brands;
    for (const { lot: lotCode, held } of expected) {
      const [lot] = await repositories.lots.findByCodes([lotCode]);
      const standing = (await brands.standingsOfLot(lot)).find((one) => one.brand.code === code);
      t.equal(standing && heldToBrand(standing, makingOf(lot)), held, `lot ${lotCode} is ${held ? '' : 'not '}held to the brand`);
    }
    const parties = [...new Set(expected.map(({ party }) => party))];
    const onHand = await repositories.brands.onHand(
      code,
      parties.map((party) => party.code),
    );
    for (const party of parties) {
      const held = expected.filter((one) => one.party === party && one.held).length;
      t.same(
        onHand.filter((line) => line.partyCode === party.code).map(({ quantity, unit }) => ({ quantity, unit })),
        held ? [{ quantity: held, unit: 'piece' }] : [],
        `${party.code}: the lots the rule holds to the brand, and only those`,
      );
    }
  });

  t.test("a brand's products are read as every product code is: trimmed and in upper case", async (t) => {
    const processor = await world.party('processor');
    const [first, second] = [await processor.product('piece'), await processor.product('piece', { gtin: '06901234000177' })];
    const code = newBrandCode();
    const created = await office.post('/brands', {
      code,
      kind: 'gi',
      regionCode: '500236',
      nameZh: `奉节腊肉 ${code}`,
      nameEn: 'Fengjie Cured Pork',
      products: [` ${first.toLowerCase()} `],
    });
    expectStatus(t, created, 201, 'a product code typed in lower case');
    t.same(created.body.products, [{ productCode: first, partyCode: processor.code }]);
    const added = await office.post(`/brands/${code}/products`, { products: [second.toLowerCase(), ' 6901234000177 '] });
    expectStatus(t, added, 422, 'the same product by its code and by its GTIN is named twice');
    const byCode = expectStatus(
      t,
      await office.post(`/brands/${code}/products`, { products: [second.toLowerCase()] }),
      200,
      'added in lower case',
    );
    t.same(
      byCode.body.products.map((row: { productCode: string }) => row.productCode),
      [first, second].sort(),
    );
    const lower = expectStatus(t, await office.get(`/brands/${code.toLowerCase()}`), 200, 'the brand by its code in lower case');
    t.equal(lower.body.code, code);
    expectStatus(t, await office.post(`/brands/${code.toLowerCase()}/products`, { products: [first] }), 200, 'and so on its other routes');
    const typed = newBrandCode();
    const createdLower = await office.post('/brands', {
      code: ` ${typed.toLowerCase()} `,
      kind: 'gi',
      regionCode: '500236',
      nameZh: typed,
      nameEn: 'F',
    });
    expectStatus(t, createdLower, 201, 'a new brand code typed in lower case');
    t.equal(createdLower.body.code, typed, 'is stored in upper case');
    const mistyped = expectStatus(
      t,
      // the check character changed (to one it is not)
      await office.post(`/brands/${code}/products`, {
        products: [`${first.slice(0, -1)}${first.endsWith('0') ? '1' : '0'}`.toLowerCase()],
      }),
      400,
      'mistyped',
    );
    t.same(mistyped.body.errors?.[0]?.pointer, '/products/0');
  });

  t.test('access: the brand office and regulators decide; operators read; a brand office key reaches only brand routes', async (t) => {
    const operator = await world.party('processor');
    const code = await brand([]);
    const refused = expectStatus(t, await admit(code, operator.code, 'head', operator.api), 403, 'an operator cannot admit');
    t.match(refused.body.detail, 'only brand_office or regulator or admin keys may');
    expectStatus(t, await admit(code, operator.code, 'authorized', world.regulator), 201, 'a regulator admits');
    expectStatus(t, await change(code, operator.code, 'exited', {}, operator.api), 403, 'an operator cannot change an authorization');
    expectStatus(
      t,
      await operator.api.post('/brands', { code: 'OWN', kind: 'enterprise', nameZh: '自家', nameEn: 'Own' }),
      403,
      'nor register a brand',
    );
    expectStatus(t, await change(code, operator.code, 'suspended', {}, world.regulator), 200, 'a regulator suspends');
    expectStatus(t, await operator.api.get(`/brands/${code}`), 200, 'brands are read by any key');
    expectStatus(t, await office.get('/lots'), 403, 'a brand office key reaches no other route');
    expectStatus(
      t,
      await world.admin.post('/api-keys', { role: 'brand_office', partyCode: operator.code }),
      201,
      'a brand office key may be issued for a party: the one owning the brands it runs',
    );
    expectStatus(
      t,
      await world.admin.post('/api-keys', { role: 'admin', partyCode: operator.code }),
      400,
      'admin keys are not bound to a party',
    );
    expectStatus(
      t,
      await office.post('/brands', { code, kind: 'regional', regionCode: '500236', nameZh: 'x', nameEn: 'x' }),
      409,
      'brand codes are unique',
    );
    const unowned = await office.post('/brands', {
      code: 'BLANK-OWNER',
      kind: 'enterprise',
      nameZh: 'x',
      nameEn: 'x',
      ownerPartyCode: ' ',
    });
    expectStatus(t, unowned, 400, 'a blank owner is no owner');
    t.match(unowned.body.errors, [{ in: 'body', pointer: '/ownerPartyCode', detail: /leave it out/ }]);
    expectStatus(t, await office.get('/brands/BLANK-OWNER'), 404, 'and no brand was created');
    expectStatus(
      t,
      await office.post('/brands', {
        code: 'NEW-1',
        kind: 'regional',
        regionCode: '500236',
        nameZh: 'x',
        nameEn: 'x',
        products: ['P-NOPE'],
      }),
      400,
      'unknown products are refused',
    );
    const byGtin = await operator.product('piece', { gtin: '6901234567892' });
    const added = await office.post(`/brands/${code}/products`, { products: ['6901234567892'] });
    expectStatus(t, added, 200, 'products are added by GTIN too');
    t.same(added.body.products, [{ productCode: byGtin, partyCode: operator.code }]);
  });

  t.test(
    "who reads a brand's authorizations: its reasons go to the brand office, regulators, admins, the brand's owner and each member for its own",
    async (t) => {
      const owner = await world.party('processor');
      const member = await world.party('processor');
      const other = await world.party('processor');
      const bystander = await world.party('retailer');
      const code = newBrandCode();
      await world.ok(
        clock.on(BRANDS_REGISTERED, () =>
          office.post('/brands', { code, kind: 'enterprise', nameZh: '自家', nameEn: 'Own', ownerPartyCode: owner.code, products: [] }),
        ),
        201,
      );
      expectStatus(t, await admit(code, member.code), 201, 'a member');
      expectStatus(t, await admit(code, other.code), 201, 'another member');
      expectStatus(t, await change(code, other.code, 'suspended', { reason: '抽检不合格' }), 200, 'suspended, with a reason');
      const members = (reply: { body: { items: { partyCode: string }[] } }) => reply.body.items.map((item) => item.partyCode).sort();
      const both = [member.code, other.code].sort();

      for (const [who, api] of [
        ['the brand office', office],
        ['a regulator', world.regulator],
        ['an admin', world.admin],
        ["the brand's owner", owner.api],
      ] as const) {
        const listed = expectStatus(t, await api.get(`/brands/${code}/authorizations`), 200, `${who} lists every member`);
        t.same(members(listed), both, `${who} sees both members`);
        const suspended = expectStatus(t, await api.get(`/brands/${code}/authorizations?partyCode=${other.code}`), 200, who);
        t.equal(suspended.body.items[0].history.at(-1).reason, '抽检不合格', `${who} reads the suspension's reason`);
      }

      const own = expectStatus(t, await member.api.get(`/brands/${code}/authorizations`), 200, 'a member lists');
      t.same(members(own), [member.code], 'a member sees its own authorization only');
      const unfiltered = expectStatus(t, await member.api.get(`/brands/${code}/authorizations?partyCode=%20`), 200, 'a blank filter');
      t.same(members(unfiltered), [member.code], 'filters nothing: the member still sees its own');
      const suspendedOwn = expectStatus(t, await other.api.get(`/brands/${code}/authorizations`), 200, 'the suspended member lists');
      t.equal(suspendedOwn.body.items[0].history.at(-1).reason, '抽检不合格', 'the suspended member reads why');
      const peek = expectStatus(t, await member.api.get(`/brands/${code}/authorizations?partyCode=${other.code}`), 403, 'another member');
      t.notMatch(JSON.stringify(peek.body), '抽检不合格', 'the refusal tells nothing of the suspension');
      t.same(members(expectStatus(t, await bystander.api.get(`/brands/${code}/authorizations`), 200, 'a non-member')), [], 'sees none');
      expectStatus(t, await bystander.api.get(`/brands/${code}/authorizations?partyCode=${other.code}`), 403, 'nor asks for one');
      expectStatus(t, await bystander.api.get(`/brands/${code}`), 200, 'the brand itself stays open to every key');
    },
  );

  t.test(
    'a product listed twice, by its code or by its GTIN, is refused at its second place, not taken for an existing brand',
    async (t) => {
      const operator = await world.party('processor');
      const product = await operator.product('piece', { gtin: '06901234000030' });
      for (const products of [
        [product, product],
        [product, '06901234000030'],
        ['6901234000030', product],
      ]) {
        const code = newBrandCode();
        const twice = await office.post('/brands', { code, kind: 'regional', regionCode: '500236', nameZh: code, nameEn: 'x', products });
        expectStatus(t, twice, 422, `${products.join(', ')}`);
        t.match(twice.body, {
          type: '/problems/duplicate-product',
          detail: `product ${product} is listed twice`,
          errors: [{ pointer: '/products/1', detail: 'listed twice' }],
        });
        expectStatus(t, await office.get(`/brands/${code}`), 404, 'no brand was created');
      }
      const code = await brand([product]);
      const added = await office.post(`/brands/${code}/products`, { products: [product, '06901234000030'] });
      expectStatus(t, added, 422, 'adding one product twice');
      t.equal(added.body.errors[0].pointer, '/products/1');
    },
  );

  t.test('only the brand\'s own key makes a refused insert "brand exists"', async (t) => {
    const operator = await world.party('processor');
    const product = await operator.product('piece');
    const serviceWith = (brands: Parameters<typeof createBrandService>[0]['brands']) =>
      createBrandService({
        brands,
        products: repositories.products,
        parties: repositories.parties,
        registrations: repositories.registrations,
        transaction: (work) => world.database.db.transaction((tx) => work(tx as never)),
        audit: { record: async () => {} },
      });
    const principal = { keyId: 'test', role: 'brand_office' as const, partyCode: null };
    const input = { code: newBrandCode(), kind: 'regional' as const, nameZh: 'x', nameEn: 'x', regionCode: '500236', products: [product] };
    // the products written twice: the database refuses them by the brand's products' key, not the brand's
    const doubling = serviceWith({
      ...repositories.brands,
      insertBrand: (row, products, tx) => repositories.brands.insertBrand(row, [...products, ...products], tx),
    });
    const refused = await doubling.create(principal, input).catch((error) => error);
    t.notMatch(refused, { status: 409 }, 'not reported as the brand existing');
    t.ok(refused instanceof Error);
    expectStatus(t, await office.get(`/brands/${input.code}`), 404, 'and indeed it does not');

    // a request that saw no brand before a parallel one created it loses on the brand's key
    const existing = await brand([product]);
    const late = serviceWith({ ...repositories.brands, findBrand: async () => undefined });
    await t.rejects(late.create(principal, { ...input, code: existing }), { status: 409, message: `brand ${existing} exists` });
    // nor one that saw no brand of its name before a parallel one took it
    const named = (await office.get(`/brands/${existing}`)).body.nameZh;
    const lateName = serviceWith({ ...repositories.brands, findBrandNamed: async () => undefined });
    const taken = await lateName.create(principal, { ...input, code: newBrandCode(), nameZh: named }).catch((error) => error);
    t.match(taken, { status: 409, errors: [{ pointer: '/nameZh' }] }, 'loses on the name, and is told so');
  });
});

t.test('an admission from a day to come, exited before it started, leaves the badge with the live one when its day comes', async (t) => {
  // every read of the clock a millisecond on, so that changes stay in the order they were made
  let clock = Date.now();
  const world = await createWorld(t, undefined, { now: () => new Date(++clock) });
  const office = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  const day = () => shanghaiIso(new Date(clock)).slice(0, 10);
  const inTwoWeeks = shanghaiIso(new Date(clock + 14 * DAY)).slice(0, 10);
  const processor = await world.party('processor');
  const product = await processor.product('piece');
  const code = newBrandCode();
  await world.ok(
    office.post('/brands', {
      code,
      kind: 'gi',
      regionCode: '500236',
      nameZh: '奉节腊肉',
      nameEn: 'Fengjie Cured Pork',
      products: [product],
    }),
  );
  const admit = (validFrom: string) =>
    office.post(`/brands/${code}/authorizations`, { partyCode: processor.code, tier: 'head', validFrom, reason: '准入' });
  expectStatus(t, await admit(inTwoWeeks), 201, 'admitted from a day to come, by mistake');
  const exited = { state: 'exited', reason: '录入错误：起始日期有误' };
  expectStatus(t, await office.post(`/brands/${code}/authorizations/${processor.code}/state`, exited), 200, 'exited from today');
  expectStatus(t, await admit(day()), 201, 'admitted again from today');

  const lot = await processor.commission(product, 10, { productionDate: day() });
  await world.ok(processor.api.post(`/lots/${lot}/items`, { count: 1 }), 202);
  await world.app.services.items.idle();
  const itemCode = (await createRepositories(world.database).items.firstCodeOfLot(lot)) as string;
  const scan = () =>
    world.app.inject({ method: 'GET', url: `/t/${itemCode}`, headers: { accept: 'application/json', 'user-agent': 'phone' } });
  const badges = async () => (await scan()).json().brands.map((badge: { code: string }) => badge.code);
  t.same(await badges(), [code], 'the pack shows the badge');

  clock += 15 * DAY;
  t.same(await badges(), [code], 'and keeps it once the mistaken admission would have started');
  const later = await processor.commission(product, 10, { productionDate: day() });
  expectStatus(t, await processor.api.post(`/lots/${later}/items`, { count: 1 }), 202, 'its maker labels as before');
  await world.app.services.items.idle();
  const flags = (await world.regulator.get(`/regulator/flags?kind=brand_misuse&lotCode=${lot}`)).body.items;
  t.same(flags, [], 'and nothing is called misuse');
});

t.test('an exit dated back before the first day of an authorization that had started withdraws the badges', async (t) => {
  let clock = Date.now();
  const world = await createWorld(t, undefined, { now: () => new Date(++clock) });
  const office = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  const day = (after = 0) => shanghaiIso(new Date(clock + after * DAY)).slice(0, 10);
  const processor = await world.party('processor');
  const product = await processor.product('piece');
  const code = newBrandCode();
  await world.ok(
    office.post('/brands', {
      code,
      kind: 'gi',
      regionCode: '500236',
      nameZh: '奉节腊肉',
      nameEn: 'Fengjie Cured Pork',
      products: [product],
    }),
  );
  const admit = (validFrom: string, validUntil?: string) =>
    office.post(`/brands/${code}/authorizations`, { partyCode: processor.code, tier: 'head', validFrom, validUntil, reason: '准入' });
  const change = (body: Record<string, string>) =>
    office.post(`/brands/${code}/authorizations/${processor.code}/state`, { reason: '违规', ...body });
  expectStatus(t, await admit(day(), day(2)), 201, 'admitted for three days');
  const lot = await processor.commission(product, 10, { productionDate: day() });
  await world.ok(processor.api.post(`/lots/${lot}/items`, { count: 1 }), 202);
  await world.app.services.items.idle();
  const itemCode = (await createRepositories(world.database).items.firstCodeOfLot(lot)) as string;
  const badges = async () =>
    (await world.app.inject({ method: 'GET', url: `/t/${itemCode}`, headers: { accept: 'application/json', 'user-agent': 'phone' } }))
      .json()
      .brands.map((badge: { code: string }) => badge.code);
  t.same(await badges(), [code], 'the pack shows the badge');

  clock += 5 * DAY;
  const suspendedOn = day();
  expectStatus(t, await admit(day(5)), 201, 'admitted again from a day to come');
  expectStatus(t, await change({ state: 'suspended' }), 200, 'and suspended before its first day');
  clock += 7 * DAY;
  expectStatus(t, await change({ state: 'exited', effectiveOn: suspendedOn }), 200, 'exited once it started, dated back');
  t.same(await badges(), [], 'the exit withdraws the badge from every pack');
});
