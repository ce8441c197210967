// A brand's report over a period: per member, the lots it produced that carry the brand's badge (the consumer
// page's rule), their quantities, packs and scans, and the totals; as JSON and as CSV. Its office, the county's
// office and regulators read it; another brand's office and a member are refused, as for the other office reads.
import { periodRefusal, totalsOf } from '../../src/brands/report.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Report = {
  brandCode: string;
  from: string;
  to: string;
  members: {
    partyCode: string;
    partyName: string;
    state: string;
    lots: {
      lotCode: string;
      lotNumber: string | null;
      productCode: string;
      productName: string;
      producedOn: string;
      quantity: number;
      unit: string;
      packsIssued: number;
      packsScanned: number;
      scans: number;
    }[];
    totals: { lots: number; quantities: { unit: string; quantity: number }[]; packsIssued: number; packsScanned: number; scans: number };
  }[];
  totals: {
    members: number;
    lots: number;
    quantities: { unit: string; quantity: number }[];
    packsIssued: number;
    packsScanned: number;
    scans: number;
  };
};

t.test('the period a report covers, and its sums', async (t) => {
  t.equal(periodRefusal('2026-05-01', '2026-05-01'), null, 'one day');
  t.equal(periodRefusal('2024-01-01', '2024-12-31'), null, 'a leap year: 366 days');
  t.match(periodRefusal('2026-01-01', '2027-01-02'), { in: 'querystring', pointer: '/to', detail: /no later than 2027-01-01/ }, '367 days');
  t.match(periodRefusal('2026-05-02', '2026-05-01'), { pointer: '/to', detail: 'must not be before from (2026-05-02)' });
  t.equal(periodRefusal('9999-12-30', '9999-12-31'), null, 'the last days the service stores: the year past them is none');
  t.equal(periodRefusal('9999-01-01', '9999-12-31'), null);
  const lot = (quantity: number, unit: string) => ({ quantity, unit, packsIssued: 2, packsScanned: 1, scans: 4 });
  t.same(totalsOf([lot(0.1, 'kg'), lot(0.2, 'kg'), lot(3, 'piece')]), {
    lots: 3,
    quantities: [
      { unit: 'kg', quantity: 0.3 },
      { unit: 'piece', quantity: 3 },
    ],
    packsIssued: 6,
    packsScanned: 3,
    scans: 12,
  });
  t.same(totalsOf([]), { lots: 0, quantities: [], packsIssued: 0, packsScanned: 0, scans: 0 });
});

t.test("a brand's report: its members' badged lots in the period, their packs and scans", async (t) => {
  const world = await createWorld(t);
  const officeParty = await world.party('regulator');
  const office = await world.brandOffice(officeParty.code);
  const otherOfficeParty = await world.party('regulator');
  const otherOffice = await world.brandOffice(otherOfficeParty.code);
  const county = await world.brandOffice();

  const grower = await world.party('processor', '=HYPERLINK("http://evil.example","点我")');
  const suspended = await world.party('processor');
  const leaver = await world.party('processor');
  const products = {
    grower: await grower.product('kg', { name: '奉节脐橙 特级' }),
    suspended: await suspended.product('piece'),
    leaver: await leaver.product('kg'),
  };
  const plain = await grower.product('kg'); // a product the brand does not cover

  const members = [grower, suspended, leaver].map((member) => member.code);
  const fjqc = { code: 'FJQC', nameZh: '奉节脐橙', nameEn: 'Fengjie navel orange', ownerPartyCode: officeParty.code };
  await world.brand(county, fjqc, { members, admittedBy: office });
  await world.brand(county, { code: 'FJLR', nameZh: '奉节腊肉', nameEn: 'Fengjie bacon', ownerPartyCode: otherOfficeParty.code });
  await world.ok(office.post('/brands/FJQC/products', { products: Object.values(products) }), 200);

  // the grower: two lots in the period (one coded and scanned), one before it, one of a product outside the brand
  const coded = await grower.commission(products.grower, 12.5, { productionDate: '2026-06-01', lotNumber: '2026-06' });
  const uncoded = await grower.commission(products.grower, 0.25, { productionDate: '2026-10-31' });
  const before = await grower.commission(products.grower, 7, { productionDate: '2026-04-30' });
  const unbranded = await grower.commission(plain, 3, { productionDate: '2026-06-02' });
  // its codes issued and scanned in the period: the report counts those of its days
  const packs = await world.onClock('2026-06-05T10:00:00+08:00', () => issuePacks(world, grower, coded, 3));
  const scan = (code: string, address: string) =>
    world.app.inject({ method: 'GET', url: `/t/${code}?format=json`, remoteAddress: address, headers: { accept: 'application/json' } });
  const shownBadges = await world.onClock('2026-06-06T10:00:00+08:00', async () => {
    const shown = (await scan(packs[0], '203.0.113.1')).json().brands.map((brand: { code: string }) => brand.code);
    await scan(packs[0], '203.0.113.2');
    await scan(packs[1], '203.0.113.3');
    await world.app.services.scans.flush();
    return shown;
  });

  // the suspended member: a lot made (and coded) while admitted, then suspended from 2026-07-01, then a lot made while suspended
  const madeAdmitted = await suspended.commission(products.suspended, 40, { productionDate: '2026-06-15' });
  await world.onClock('2026-06-20T10:00:00+08:00', () => issuePacks(world, suspended, madeAdmitted, 2));
  await world.ok(
    office.post(`/brands/FJQC/authorizations/${suspended.code}/state`, {
      state: 'suspended',
      effectiveOn: '2026-07-01',
      reason: '抽检不合格',
    }),
    200,
  );
  const madeSuspended = await suspended.commission(products.suspended, 10, { productionDate: '2026-08-01' });

  // the leaver made a lot while admitted, then exited: the exit withdrew its badge
  const leaverLot = await leaver.commission(products.leaver, 5, { productionDate: '2026-06-10' });
  await world.ok(
    office.post(`/brands/FJQC/authorizations/${leaver.code}/state`, { state: 'exited', effectiveOn: '2026-09-01', reason: '退出' }),
    200,
  );

  const period = '?from=2026-05-01&to=2026-10-31';
  const read = async (api = office, query = period) => {
    const reply = await api.get(`/brands/FJQC/report${query}`);
    expectStatus(t, reply, 200, `the report${query}`);
    return reply.body as Report;
  };

  t.test('per member, the badged lots made in the period, with their packs and scans; the totals', async (t) => {
    const report = await read();
    t.match(report, { brandCode: 'FJQC', from: '2026-05-01', to: '2026-10-31' });
    const byParty = new Map(report.members.map((member) => [member.partyCode, member]));
    t.same(
      [...byParty.keys()].sort(),
      [grower.code, suspended.code, leaver.code].sort(),
      'every member of the period: the grower, the suspended member and the one that exited in it',
    );
    t.match(
      byParty.get(leaver.code),
      { state: 'exited', lots: [], totals: { lots: 0 } },
      'the one that exited on 1 September, as it stood on 31 October: its exit withdrew its badges, so no lot counts',
    );
    const growerRow = byParty.get(grower.code);
    t.same(
      growerRow?.lots.map((lot) => [lot.lotCode, lot.producedOn, lot.quantity, lot.unit, lot.packsIssued, lot.packsScanned, lot.scans]),
      [
        [coded, '2026-06-01', 12.5, 'kg', 3, 2, 3],
        [uncoded, '2026-10-31', 0.25, 'kg', 0, 0, 0],
      ],
      'its lots in the period (the last day included), by production day; not one before it, nor of a product outside the brand',
    );
    t.same(
      growerRow?.lots.map((lot) => [lot.lotNumber, lot.productCode, lot.productName]),
      [
        ['2026-06', products.grower, '奉节脐橙 特级'],
        [null, products.grower, '奉节脐橙 特级'],
      ],
      'each lot with its lot number (null when it has none) and its product’s name',
    );
    t.same(growerRow?.totals, { lots: 2, quantities: [{ unit: 'kg', quantity: 12.75 }], packsIssued: 3, packsScanned: 2, scans: 3 });
    t.equal(growerRow?.partyName, '=HYPERLINK("http://evil.example","点我")', 'the name as it is in JSON');
    const suspendedRow = byParty.get(suspended.code);
    t.equal(suspendedRow?.state, 'suspended');
    t.same(
      suspendedRow?.lots.map((lot) => lot.lotCode),
      [madeAdmitted],
      'a suspended member: the lot made while admitted keeps its badge and counts; the one made while suspended does not',
    );
    t.same(report.totals, {
      members: 3,
      lots: 3,
      quantities: [
        { unit: 'kg', quantity: 12.75 },
        { unit: 'piece', quantity: 40 },
      ],
      packsIssued: 5,
      packsScanned: 2,
      scans: 3,
    });
    const listed = JSON.stringify(report);
    for (const lot of [before, unbranded, madeSuspended, leaverLot]) t.notOk(listed.includes(lot), `${lot} is not in it`);
    t.same(shownBadges, ['FJQC'], 'the consumer page shows the badge on a pack of a lot it counts');
  });

  t.test('a narrower period, and the same report for the county’s office and a regulator', async (t) => {
    const june = await read(office, '?from=2026-06-01&to=2026-06-01');
    t.same(
      june.members.flatMap((member) => member.lots.map((lot) => lot.lotCode)),
      [coded],
      'only the lot of that day',
    );
    t.same(await read(county), await read(), 'the county’s brand office (a key of no party)');
    t.same(await read(world.regulator), await read(), 'a regulator');
    t.same((await read(office, '?from=2027-01-01&to=2027-01-31')).totals.lots, 0, 'an empty period: nothing, no error');
  });

  t.test('another brand’s office and a member are refused; an unknown brand is a 404', async (t) => {
    for (const [who, api] of [
      ['FJLR’s office', otherOffice],
      ['a member', grower.api],
    ] as const) {
      expectStatus(t, await api.get(`/brands/FJQC/report${period}`), 403, `${who}: the report`);
      expectStatus(t, await api.get(`/brands/FJQC/report.csv${period}`), 403, `${who}: the CSV`);
    }
    const refused = await otherOffice.get(`/brands/FJQC/report${period}`);
    t.equal(
      refused.body.detail,
      `brand FJQC is not run by party ${otherOfficeParty.code}: a brand office reads the report of its own brands only`,
      'refused, naming what was asked for',
    );
    expectStatus(t, await office.get(`/brands/NOPE/report${period}`), 404, 'a brand that does not exist');
    expectStatus(t, await otherOffice.get(`/brands/FJLR/report${period}`), 200, 'FJLR’s office reads its own');
  });

  t.test('bad periods', async (t) => {
    for (const [query, status, pointer] of [
      ['', 400, '/from'],
      ['?from=2026-05-01', 400, '/to'],
      ['?from=2026-02-30&to=2026-03-01', 400, '/from'],
      ['?from=2026-05-01&to=tomorrow', 400, '/to'],
      ['?from=2026-05-01&to=2026-04-30', 422, '/to'],
      ['?from=2026-01-01&to=2027-01-02', 422, '/to'], // 367 days
      ['?from=2026-01-01&to=2026-10-31&extra=1', 400, '/extra'],
      ['?from=9999-12-30&to=10000-01-01', 400, '/to'], // past the last day the service stores
    ] as const) {
      for (const path of ['report', 'report.csv']) {
        const reply = await office.get(`/brands/FJQC/${path}${query}`);
        expectStatus(t, reply, status, `${path}${query}`);
        t.match(reply.body.errors, [{ in: 'querystring', pointer }], `${path}${query}: at ${pointer}`);
      }
    }
    t.equal((await read(office, '?from=2026-01-01&to=2026-12-31')).to, '2026-12-31', 'a whole year is one report');
    t.equal((await read(office, '?from=2024-01-01&to=2024-12-31')).to, '2024-12-31', 'a leap year too');
    t.equal((await read(office, '?from=9999-12-30&to=9999-12-31')).totals.lots, 0, 'the last days the service stores');
    expectStatus(t, await office.get('/brands/FJQC/report.csv?from=9999-12-30&to=9999-12-31'), 200, 'their CSV');
  });

  t.test('the CSV: a line per lot, a formula-like name written as text', async (t) => {
    const reply = await world.app.inject({
      method: 'GET',
      url: `/brands/FJQC/report.csv${period}`,
      headers: { authorization: `Bearer ${(await world.ok(world.admin.post('/api-keys', { role: 'regulator' }))).key}` },
    });
    t.equal(reply.statusCode, 200);
    t.match(reply.headers['content-type'], /^text\/csv/);
    t.match(reply.headers['content-disposition'], 'attachment; filename="brand-FJQC-report-2026-05-01-2026-10-31.csv"');
    const lines = reply.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    t.equal(
      lines[0],
      'party_code,party_name,member_state,lot_code,lot_number,product_code,product_name,produced_on,quantity,unit,packs_issued,packs_scanned,scans',
    );
    t.equal(lines.length, 7, 'a header, the three badged lots, the member that exited with none, and the totals');
    t.ok(
      lines.some((line) => line.startsWith(`${leaver.code},`) && line.endsWith(',exited,,,,,,,,,,')),
      'the member with no lot: a line naming it, its lot columns empty',
    );
    t.same(
      lines.slice(-2),
      ['total,members: 1; lots: 2,,,,,,,12.75,kg,3,2,3', 'total,members: 1; lots: 1,,,,,,,40,piece,2,0,0'],
      "the totals last, a line per unit: the grower's two lots in kg, the suspended member's one in pieces (the JSON totals split by unit)",
    );
    const growerLine = lines.find((line) => line.includes(coded));
    t.equal(
      growerLine,
      `${grower.code},"'=HYPERLINK(""http://evil.example"",""点我"")",admitted,${coded},2026-06,${products.grower},奉节脐橙 特级,2026-06-01,12.5,kg,3,2,3`,
      'the name starting with = is prefixed with an apostrophe: no formula',
    );
    t.ok(
      lines.some((line) => line.startsWith(`${suspended.code},`) && line.includes(`,suspended,${madeAdmitted},`)),
      'the suspended member’s lot made while admitted',
    );
    const excel = await office.get(`/brands/FJQC/report.csv${period}&dialect=excel`);
    expectStatus(t, excel, 200, 'the Excel flavour');
    const excelLines: string[] = excel.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    t.equal(excelLines[0], '主体代码,主体名称,成员状态,批次,批号,产品代码,产品名称,生产日期,数量,单位,已发码数,已扫码包数,扫码次数');
    t.match(excel.body, /"'=HYPERLINK\(/, 'the name still written as text');
    t.match(excel.body, /已暂停/);
    t.equal(
      excelLines
        .find((line) => line.includes(coded))
        ?.split(',')
        .slice(-10)
        .join(','),
      `${coded},"=""2026-06""",${products.grower},奉节脐橙 特级,2026-06-01,12.5,千克,3,2,3`,
      'its lot number kept as text (Excel would read 2026-06 as a month), its unit in Chinese',
    );
    t.same(
      excelLines.slice(-2),
      ['合计,成员 1 个；批次 2 个,,,,,,,12.75,千克,3,2,3', '合计,成员 1 个；批次 1 个,,,,,,,40,件,2,0,0'],
      'its totals labelled in Chinese, their units too',
    );
    const none = await office.get('/brands/FJQC/report.csv?from=2026-01-01&to=2026-01-31');
    expectStatus(t, none, 200, 'a period with no badged lot');
    t.same(
      none.body
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n')
        .slice(-1),
      ['total,members: 3; lots: 0,,,,,,,0,,0,0,0'],
      'its CSV ends with a totals line of zeros, counting the members of the period, who made no lot in it',
    );
    const before = await office.get('/brands/FJQC/report.csv?from=2025-01-01&to=2025-01-31');
    t.same(
      before.body
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n')
        .slice(1),
      ['total,members: 0; lots: 0,,,,,,,0,,0,0,0'],
      'a period before any admission: the header and a totals line of zeros',
    );
  });
});
