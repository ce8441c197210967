// A brand's report is a report of its period: every party that was a member during it (admitted on any of its
// days), with its state on the period's last day (asOf) and its lots, none if it made none; its packs issued and
// scanned, and its scans, counted within the period.
import { type AuthorizationHistory, addDays, admittedOn, admittedWithin, memberStateOn } from '../../src/brands/standing.js';
import { chinaDay } from '../../src/codes/timestamp.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { BRANDS_REGISTERED, createWorld, expectStatus } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Member = {
  partyCode: string;
  state: string;
  lots: { lotCode: string; packsIssued: number; packsScanned: number; scans: number }[];
  totals: { lots: number; packsIssued: number; packsScanned: number; scans: number };
};

t.test('admitted within a period, as admittedOn judges its days; the state as of a day', async (t) => {
  const history = (
    validFrom: string,
    validUntil: string | null,
    ...changes: [AuthorizationHistory['changes'][number]['toState'], string][]
  ) => ({
    validFrom,
    validUntil,
    changes: changes.map(([toState, effectiveOn]) => ({ toState, effectiveOn })),
  });
  const cases: AuthorizationHistory[][] = [
    [history('2026-03-01', null, ['admitted', '2026-03-01'])],
    [history('2026-03-01', '2026-03-10', ['admitted', '2026-03-01'])],
    [history('2026-03-01', null, ['admitted', '2026-03-01'], ['suspended', '2026-03-05'], ['admitted', '2026-03-20'])],
    [history('2026-03-01', null, ['admitted', '2026-03-01'], ['exited', '2026-03-01'])],
    [history('2026-03-01', '2026-03-31', ['admitted', '2026-03-01'], ['suspended', '2026-03-02'], ['exited', '2026-04-10'])],
    [
      history('2026-03-01', null, ['admitted', '2026-03-01'], ['exited', '2026-03-03']),
      history('2026-03-25', null, ['admitted', '2026-03-25']),
    ],
  ];
  for (const [index, histories] of cases.entries()) {
    for (let from = '2026-02-25'; from <= '2026-04-05'; from = addDays(from, 3)) {
      for (let to = from; to <= '2026-04-10'; to = addDays(to, 4)) {
        let daily = false;
        for (let day = from; day <= to; day = addDays(day, 1)) daily ||= admittedOn(histories, day);
        if (admittedWithin(histories, from, to) !== daily) t.fail(`case ${index}, ${from} to ${to}: ${!daily}, admittedOn says ${daily}`);
      }
    }
  }
  t.pass('admittedWithin agrees with admittedOn day by day');
  t.equal(memberStateOn(cases[2], '2026-02-28'), null, 'before the admission: no member');
  t.equal(memberStateOn(cases[2], '2026-03-10'), 'suspended');
  t.equal(memberStateOn(cases[1], '2026-03-11'), 'expired', 'past its last day');
  t.equal(memberStateOn(cases[4], '2026-04-15'), 'expired', 'an exit stored after its last day is no exit within it: it lapsed');
  t.equal(memberStateOn(cases[5], '2026-03-10'), 'exited');
  t.equal(memberStateOn(cases[5], '2026-03-25'), 'admitted', 'admitted again');
});

t.test("a brand's report over a past period: its members then, their state then, its packs and scans then", async (t) => {
  const world = await createWorld(t);
  const officeParty = await world.party('regulator');
  const office = client(
    world.app,
    (await world.ok(world.admin.post('/api-keys', { role: 'brand_office', partyCode: officeParty.code }))).key,
  );
  const county = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  const stayer = await world.party('processor');
  const leaver = await world.party('processor');
  const idle = await world.party('processor', '闲置合作社');
  const lateComer = await world.party('processor');
  const earlyLeaver = await world.party('processor');
  const products = { stayer: await stayer.product('kg'), leaver: await leaver.product('kg') };
  await world.ok(
    world.onClock(BRANDS_REGISTERED, () =>
      county.post('/brands', {
        code: 'FJQC',
        kind: 'regional',
        regionCode: '500236',
        nameZh: '奉节脐橙',
        nameEn: 'Fengjie navel orange',
        ownerPartyCode: officeParty.code,
        products: Object.values(products),
      }),
    ),
  );
  const admit = (partyCode: string, validFrom: string) =>
    world.ok(office.post('/brands/FJQC/authorizations', { partyCode, tier: 'authorized', validFrom, reason: '准入' }));
  for (const member of [stayer, leaver, idle, earlyLeaver]) await admit(member.code, '2026-01-01');
  await admit(lateComer.code, '2026-08-01');
  const exit = (partyCode: string, effectiveOn: string) =>
    world.ok(office.post(`/brands/FJQC/authorizations/${partyCode}/state`, { state: 'exited', effectiveOn, reason: '退出' }), 200);
  await exit(earlyLeaver.code, '2026-03-01');

  // the stayer's lot, coded on 5 June and scanned on 6 June, then again after the period
  const lot = await stayer.commission(products.stayer, 10, { productionDate: '2026-06-01' });
  const packs = await world.onClock('2026-06-05T10:00:00+08:00', () => issuePacks(world, stayer, lot, 2));
  const scan = (code: string, address: string) =>
    world.app.inject({ method: 'GET', url: `/t/${code}?format=json`, remoteAddress: address, headers: { accept: 'application/json' } });
  await world.onClock('2026-06-06T10:00:00+08:00', async () => {
    await scan(packs[0], '203.0.113.1');
    await world.app.services.scans.flush();
  });
  await scan(packs[0], '203.0.113.2');
  await world.app.services.scans.flush();
  // the leaver made a lot in the period and exited after it
  const leaverLot = await leaver.commission(products.leaver, 5, { productionDate: '2026-06-10' });
  await exit(leaver.code, '2026-09-01');

  const read = async (query: string) => {
    const reply = await office.get(`/brands/FJQC/report${query}`);
    expectStatus(t, reply, 200, `the report${query}`);
    return reply.body as { asOf: string; members: Member[]; totals: Member['totals'] & { members: number } };
  };

  t.test('a member that exited after the period is listed as it stood then, with its lots', async (t) => {
    const report = await read('?from=2026-05-01&to=2026-06-30');
    t.equal(report.asOf, '2026-06-30', 'as of the period’s last day');
    const byParty = new Map(report.members.map((member) => [member.partyCode, member]));
    t.same(
      [...byParty.keys()].sort(),
      [stayer.code, leaver.code, idle.code].sort(),
      'the members of the period; not one admitted after it, nor one that exited before it',
    );
    t.equal(byParty.get(leaver.code)?.state, 'admitted', 'the leaver stood admitted on 30 June');
    t.same(
      byParty.get(leaver.code)?.lots.map((one) => one.lotCode),
      [leaverLot],
      'its lot made in the period carried the badge then',
    );
    t.equal(report.totals.members, 3);
  });

  t.test('a member with no lot in the period is listed with none', async (t) => {
    const report = await read('?from=2026-05-01&to=2026-06-30');
    const idleRow = report.members.find((member) => member.partyCode === idle.code);
    t.match(idleRow, { state: 'admitted', lots: [], totals: { lots: 0, packsIssued: 0, packsScanned: 0, scans: 0 } });
    const csv = await office.get('/brands/FJQC/report.csv?from=2026-05-01&to=2026-06-30');
    expectStatus(t, csv, 200, 'the CSV');
    const lines: string[] = csv.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    t.equal(
      lines.find((line) => line.startsWith(`${idle.code},`)),
      `${idle.code},闲置合作社,admitted,,,,,,,,,,`,
      'its line in the CSV names it, with no lot',
    );
    t.equal(lines.at(-1), 'total,members: 3; lots: 2,,,,,,,15,kg,2,1,1', 'the totals count it among the members');
  });

  t.test('codes issued and scans made within the period count in it; a scan after it does not', async (t) => {
    const june = await read('?from=2026-06-01&to=2026-06-30');
    const stayerRow = june.members.find((member) => member.partyCode === stayer.code);
    t.match(stayerRow?.lots, [{ lotCode: lot, packsIssued: 2, packsScanned: 1, scans: 1 }], 'the scan of 6 June, not the later one');
    t.match(june.totals, { packsIssued: 2, packsScanned: 1, scans: 1 });
    const may = await read('?from=2026-06-01&to=2026-06-04');
    t.match(
      may.members.find((member) => member.partyCode === stayer.code)?.lots,
      [{ lotCode: lot, packsIssued: 0, packsScanned: 0, scans: 0 }],
      'before its codes were issued, the lot had none',
    );
    const day = chinaDay(new Date());
    const today = day < '2027-05-31' ? day : '2027-05-31';
    const toDate = await read(`?from=2026-06-01&to=${today}`);
    t.equal(toDate.asOf, today, 'a period not ended yet: as of today');
    t.match(toDate.members.find((member) => member.partyCode === stayer.code)?.totals, { packsIssued: 2, packsScanned: 1, scans: 2 });
    t.match(
      toDate.members.find((member) => member.partyCode === leaver.code),
      { state: 'exited', lots: [] },
      'the leaver, exited since: its exit withdrew its badges',
    );
    t.ok(
      toDate.members.some((member) => member.partyCode === lateComer.code),
      'the member admitted in August is one of the period to date',
    );
  });
});
