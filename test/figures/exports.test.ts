// Key data elements as CSV: a lot's trace (backward or forward) and the events of a period and
// region, with a byte order mark, a header, one row per lot line and the order asked for.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import type { Principal } from '../../src/access/index.js';
import { queryRows } from '../../src/db/client.js';
import { createFiguresRepository, type EventLotKey } from '../../src/figures/repository.js';
import { periodScope } from '../../src/figures/service.js';
import { KDE_PAYLOAD_FIELDS, KDE_SORTS, type KdeRow, type KdeSort, type KdeSource, kdeRow } from '../../src/trace/kde.js';
import { signInToDashboard } from '../fixtures/dashboard.js';
import { sentAsDeclared, servedOpenApi } from '../fixtures/openapi.js';
import { createWorld, expectStatus, type World } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** RFC 4180 fields: quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && ch === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += ch;
    }
  }
  return rows;
}

const HEADER = [
  'event_time',
  'event_type',
  'role',
  'lot_code',
  'lot_number',
  'product_code',
  'product',
  'quantity',
  'unit',
  'from_party',
  'from_party_name',
  'from_location',
  'to_party',
  'to_party_name',
  'to_location',
  'reference_documents',
  'certificates',
  'test_reports',
  'event_id',
  'local_time',
  'test_kind',
  'test_result',
  'failed_items',
  'tested_by',
  'test_lab',
  'reason',
  'recall_id',
  'recall_phase',
  'corrected_by',
  'corrects',
];

/** A CSV export as the key's holder downloads it: the reply, and its rows (the header first) without the byte order mark. */
async function csvReply(world: World, url: string, key: string, headers: Record<string, string> = {}) {
  const reply = await world.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}`, ...headers } });
  return { reply, rows: parseCsv(reply.body.replace(/^\uFEFF/, '')) };
}

/** The rows of a CSV export, each by its column names. */
async function csvRecords(t: Test, world: World, url: string, key: string) {
  const { reply, rows } = await csvReply(world, url, key);
  t.equal(reply.statusCode, 200, url);
  t.strictSame(rows[0], HEADER);
  return rows.slice(1).map((row) => Object.fromEntries(HEADER.map((name, i) => [name, row[i]])));
}

t.test('CSV exports of traces and of a period', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm', '甲养殖场');
  const plant = await world.party('slaughterhouse', '奉节屠宰厂');
  const pigs = await farm.commission(await farm.product('head'), 10, { lotNumber: 'P-1', attributes: { quarantineCertificate: 'QC-1' } });
  const dock = await plant.location('warehouse');
  const shipped = await world.ok(
    farm.event({
      type: 'ship',
      toPartyCode: plant.code,
      toLocationCode: dock,
      lines: [{ lotCode: pigs }],
      referenceDocuments: [
        { type: 'despatch_advice', number: 'DA-7' },
        { type: 'quarantine_certificate', number: 'QC-1' },
      ],
    }),
  );
  await plant.receive(shipped.shipmentId);
  const carcassProduct = await plant.product('kg');
  const [carcass] = await plant.transform([{ lotCode: pigs, quantity: 10 }], [{ productCode: carcassProduct, quantity: 780 }]);
  await world.ok(plant.event({ type: 'inspect', lotCodes: [carcass], inspection: { kind: 'self', result: 'pass', reportNumber: 'R-9' } }));
  await world.ok(plant.event({ type: 'sell', buyer: '=张三, "老王"店', lines: [{ lotCode: carcass, quantity: 80 }] }));

  const regulatorKey = (await world.ok(world.admin.post('/api-keys', { role: 'regulator' }))).key;
  const csvOf = (url: string, headers: Record<string, string> = {}, key = regulatorKey) => csvReply(world, url, key, headers);

  await t.test('a backward trace as CSV', async (t) => {
    const { reply, rows } = await csvOf(`/trace/${carcass}?format=csv`);
    t.equal(reply.statusCode, 200);
    t.match(reply.headers['content-type'], /^text\/csv; charset=utf-8/);
    t.match(reply.headers['content-disposition'], `trace-${carcass}-backward.csv`);
    t.ok(reply.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'UTF-8 byte order mark first');
    t.strictSame(rows[0], HEADER);
    const body = rows.slice(1).map((row) => Object.fromEntries(HEADER.map((name, i) => [name, row[i]])));
    t.strictSame(
      body.map((row) => [row.event_type, row.role, row.lot_code]),
      [
        ['commission', 'subject', pigs],
        ['ship', 'subject', pigs],
        ['receive', 'subject', pigs],
        ['transform', 'input', pigs],
        ['transform', 'output', carcass],
        ['inspect', 'subject', carcass],
        ['sell', 'subject', carcass],
      ],
      'one row per lot line, in time order',
    );
    t.ok(
      body.every((row, i) => i === 0 || row.event_time >= body[i - 1].event_time),
      'times ascend',
    );
    t.match(body[0].event_time, /^2026-03-01T\d\d:00:00\+08:00$/, 'China time with its offset');
    t.match(body[1], {
      lot_number: 'P-1',
      quantity: '10',
      unit: 'head',
      from_party: farm.code,
      from_party_name: '甲养殖场',
      to_party: plant.code,
      to_party_name: '奉节屠宰厂',
      to_location: dock,
      reference_documents: 'despatch_advice DA-7; quarantine_certificate QC-1',
      certificates: 'quarantine_certificate QC-1',
    });
    t.match(body[2], { from_party: farm.code, to_party: plant.code, to_party_name: '奉节屠宰厂' });
    t.match(body[4], { quantity: '780', unit: 'kg', from_party: plant.code, to_party: '' });
    t.match(body[5], { test_reports: 'R-9' });
    t.equal(body[6].to_party_name, '\'=张三, "老王"店', 'a buyer that looks like a formula is defused; commas and quotes survive');

    const sorted = (await csvOf(`/trace/${carcass}?sort=lot`, { accept: 'text/csv' })).rows.slice(1);
    const lots = sorted.map((row) => row[3]);
    t.strictSame(lots, [...lots].sort(), 'Accept: text/csv, sorted by lot code');
    t.equal(sorted.length, 7);
    const byType = (await csvOf(`/trace/${carcass}?format=csv&sort=type`)).rows.slice(1).map((row) => row[1]);
    t.strictSame(byType, ['commission', 'inspect', 'receive', 'sell', 'ship', 'transform', 'transform']);

    const forward = (await csvOf(`/trace/${pigs}?format=csv&direction=forward`)).rows;
    t.equal(forward.length, 8, 'the forward trace of the pigs reaches the same events');
    const own = (await csvOf(`/trace/${carcass}?format=csv`, {}, plant.key)).rows.slice(1);
    t.strictSame(
      own.map((row) => row[1]),
      ['receive', 'transform', 'transform', 'inspect', 'sell'],
      "an operator's export holds the events it may see: not the farm's",
    );
    const json = await world.app.inject({ method: 'GET', url: `/trace/${carcass}`, headers: { authorization: `Bearer ${plant.key}` } });
    t.match(json.headers['content-type'], /^application\/json/, 'JSON stays the default');
    // Any other check character is a mistyping: the lot codes' check characters include X.
    const mistyped = `${carcass.slice(0, -1)}${carcass.endsWith('X') ? 'Y' : 'X'}`;
    const refused = await csvOf(`/trace/${mistyped}?format=csv`);
    t.equal(refused.reply.statusCode, 400, 'a mistyped lot code is a problem, not an empty CSV');
    t.match(refused.reply.headers['content-type'], /problem\+json/);
  });

  await t.test('events of a period and region', async (t) => {
    const url = '/regulator/events?from=2026-03-01&to=2026-03-31&region=500236';
    const { reply, rows: all } = await csvOf(`${url}&format=csv&sort=product`);
    t.equal(reply.statusCode, 200);
    t.ok(reply.body.startsWith('\uFEFFevent_time,event_type,'), 'BOM and header');
    const rows = all.slice(1);
    t.equal(rows.length, 7);
    t.strictSame(
      rows.map((row) => row[6]),
      [...rows.map((row) => row[6])].sort(),
      'sorted by product name',
    );
    const page = expectStatus(t, await world.regulator.get(`${url}&limit=2&offset=1`), 200, 'JSON page').body.items;
    t.strictSame(
      page.map((row: any) => [row.eventType, row.lotCode]),
      [
        ['ship', pigs],
        ['receive', pigs],
      ],
    );
    t.equal((await world.regulator.get('/regulator/events?from=2026-04-01')).body.items.length, 0, 'nothing after March');
    t.equal((await world.regulator.get('/regulator/events?region=11')).body.items.length, 0, 'nothing in Beijing');
    const denied = await csvOf('/regulator/events?format=csv', {}, plant.key);
    t.equal(denied.reply.statusCode, 403, 'operators get a problem before any row');
    t.match(denied.reply.headers['content-type'], /problem\+json/);
  });
});

t.test("a trace's CSV describes the lots its events name beyond the trace to whoever may read them", async (t) => {
  const world = await createWorld(t);
  const regulatorKey = (await world.ok(world.admin.post('/api-keys', { role: 'regulator' }))).key;
  const farm = await world.party('farm');
  const shop = await world.party('retailer');
  const lab = await world.party('lab');
  const trotters = await farm.product('piece', { name: '猪蹄' });
  // pork (kg) and trotters (piece) commissioned in one event: a trace of the pork does not reach the trotters
  const [pork, feet] = (
    await world.ok(
      farm.event({
        type: 'commission',
        lots: [
          { productCode: await farm.product('kg'), quantity: 100, lotNumber: 'A-1' },
          { productCode: trotters, quantity: 50, lotNumber: 'P-1', attributes: { quarantineCertificate: 'QC-P' } },
        ],
      }),
    )
  ).createdLotCodes as string[];
  const described = {
    lot_number: 'P-1',
    product_code: trotters,
    product: '猪蹄',
    unit: 'piece',
    certificates: 'quarantine_certificate QC-P',
  };
  const undescribed = { lot_number: '', product_code: '', product: '', unit: '', certificates: '' };
  const rowOf = (rows: Record<string, string>[], type: string) => rows.find((row) => row.event_type === type && row.lot_code === feet);

  await t.test('a regulator tracing the pork forward reads the trotters as the period export does', async (t) => {
    const rows = await csvRecords(t, world, `/trace/${pork}?format=csv&direction=forward`, regulatorKey);
    t.match(rowOf(rows, 'commission'), { ...described, quantity: '50' }, 'not 50 of an unnamed thing');
    const period = await csvRecords(t, world, '/regulator/events?from=2026-03-01&to=2026-03-31&region=500236&format=csv', regulatorKey);
    const commission = rows.filter((row) => row.event_type === 'commission');
    t.strictSame(
      commission,
      period.filter((row) => row.event_id === commission[0].event_id),
      "the commission's two lines, row for row",
    );
  });

  // both lots to the shop in one shipment: it makes its retail lot of the pork alone
  await shop.receive(await farm.ship(shop, [{ lotCode: pork }, { lotCode: feet }]));
  const [retail] = await shop.transform([{ lotCode: pork, quantity: 100 }], [{ productCode: await shop.product('kg'), quantity: 90 }]);

  await t.test('the shop tracing its retail lot back reads the trotters it received with the pork', async (t) => {
    t.equal((await shop.api.get(`/lots/${feet}`)).status, 200, 'the shop may read the trotters it was sent');
    const rows = await csvRecords(t, world, `/trace/${retail}?format=csv`, shop.key);
    t.match(rowOf(rows, 'receive'), { ...described, quantity: '50', from_party: farm.code, to_party: shop.code });
  });

  await t.test('a lab tracing its sample reads nothing of the trotters it tested with it that its JSON trace does not show', async (t) => {
    const sample = await farm.commission(await farm.product('kg'), 2);
    await lab.receive(await farm.ship(lab, [{ lotCode: sample }]));
    await world.ok(
      lab.event({
        type: 'inspect',
        lotCodes: [sample, feet],
        inspection: { kind: 'third_party', labPartyCode: lab.code, result: 'pass', reportNumber: 'LAB-1' },
      }),
    );
    t.equal((await lab.api.get(`/lots/${feet}`)).status, 403, 'the lab never held the trotters');
    const json = expectStatus(t, await lab.api.get(`/trace/${sample}`), 200, "the lab's JSON trace").body;
    t.ok(
      json.events.some((event: { lots: { lotCode: string }[] }) => event.lots.some((lot) => lot.lotCode === feet)),
      'names the trotters on its inspection',
    );
    t.notOk(JSON.stringify(json).includes('P-1') || JSON.stringify(json).includes(trotters), 'and nothing more of them');
    const rows = await csvRecords(t, world, `/trace/${sample}?format=csv`, lab.key);
    t.match(rowOf(rows, 'inspect'), { ...undescribed, test_reports: 'LAB-1' }, 'its CSV no more');
    const regulator = await csvRecords(t, world, `/trace/${sample}?format=csv`, regulatorKey);
    t.match(rowOf(regulator, 'inspect'), described, "a regulator's CSV of the same trace describes them");
  });
});

const KEY = (row: { eventId: string; role: string; lotCode: string }) => `${row.eventId} ${row.role} ${row.lotCode}`;

t.test("a region's events: those its parties recorded, those naming its lots, and shipments into and out of it", async (t) => {
  const world = await createWorld(t);
  // a farm and a regulator in Yunyang (500235), the county next door; the plant and the shop in Fengjie (500236)
  const farm = await world.party('farm', '云阳养殖场', '500235');
  const bureau = await world.partyRegulator('500235');
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const pigs = await farm.product('head');
  const [fatteners, piglets] = (
    await world.ok(
      farm.event({
        type: 'commission',
        lots: [
          { productCode: pigs, quantity: 5 },
          { productCode: pigs, quantity: 3 },
        ],
      }),
    )
  ).createdLotCodes as string[];
  const kept = await farm.commission(pigs, 4);
  const shipmentId = await farm.ship(plant, [{ lotCode: fatteners }, { lotCode: piglets }]);
  await plant.receive(shipmentId);
  const sausage = await plant.commission(await plant.product('kg'), 20);
  // the Yunyang bureau holds the plant's lot, which the plant's own regulator must see
  await world.ok(bureau.post('/holds', { lotCodes: [sausage], reason: '云阳抽检线索' }));
  await world.ok(bureau.post('/holds/release', { lotCodes: [sausage], reason: '复检合格' }));
  await world.handOver(plant, shop, sausage, 5);

  // the lines of an export, in no order: lots of one event come in the order of their (random) codes
  const lines = (rows: any[]) => rows.map((row) => `${row.eventType} ${row.lotCode}`).sort();
  const exported = async (region: string) => {
    const json = expectStatus(t, await world.regulator.get(`/regulator/events?region=${region}&limit=1000`), 200, `region ${region}`).body
      .items;
    // a page of 2 at a time: no line twice, none left out
    const paged = [];
    for (let offset = 0; offset < json.length + 2; offset += 2) {
      paged.push(...(await world.regulator.get(`/regulator/events?region=${region}&limit=2&offset=${offset}`)).body.items);
    }
    t.strictSame(paged.map(KEY), json.map(KEY), `region ${region}: pages of 2 read the same lines`);
    const csv = await world.regulator.get(`/regulator/events?region=${region}&format=csv`);
    const rows = parseCsv(csv.body.replace(/^\uFEFF/, '')).slice(1);
    t.strictSame(rows.map((row) => `${row[1]} ${row[3]}`).sort(), lines(json), `region ${region}: the CSV holds the lines of the JSON`);
    return json;
  };

  const fengjie = await exported('500236');
  t.strictSame(
    lines(fengjie),
    [
      `ship ${fatteners}`,
      `ship ${piglets}`,
      `receive ${fatteners}`,
      `receive ${piglets}`,
      `commission ${sausage}`,
      `hold ${sausage}`,
      `release ${sausage}`,
      `ship ${sausage}`,
      `receive ${sausage}`,
    ].sort(),
    "Fengjie's: the shipment into the county and its receipt, the plant's own events, and the hold and release another county's regulator recorded on its lot, each line once",
  );
  t.match(
    fengjie.find((row: any) => row.eventType === 'ship' && row.lotCode === fatteners),
    { fromParty: farm.code, toParty: plant.code },
  );
  t.strictSame(
    lines(await exported('500235')),
    [
      `commission ${fatteners}`,
      `commission ${piglets}`,
      `commission ${kept}`,
      `ship ${fatteners}`,
      `ship ${piglets}`,
      `receive ${fatteners}`,
      `receive ${piglets}`,
      `hold ${sausage}`,
      `release ${sausage}`,
    ].sort(),
    "Yunyang's: its farm's events, the receipt of its lots (a shipment out of the county), and its regulator's hold and release; not the plant's own events",
  );
  t.strictSame(lines(await exported('11')), [], 'nothing in Beijing');

  const { open } = await signInToDashboard(world);
  const dashboard = await open('/regulator/dashboard/events.csv?region=500236');
  t.equal(dashboard.statusCode, 200);
  t.strictSame(
    parseCsv(dashboard.body.replace(/^\uFEFF/, ''))
      .slice(1)
      .map((row) => `${row[1]} ${row[3]}`)
      .sort(),
    lines(fengjie),
    "the dashboard's export reads the same lines",
  );
});

/**
 * Lot lines whose sort keys tie across the pages of a small page size: one commission of three lots,
 * three inspections of those lots at one time, a transformation with two inputs and two outputs
 * (one of them a lot without a product, as EPCIS capture can leave one), products named A, B, C.
 */
async function exportWorld(t: Test) {
  const world = await createWorld(t, undefined, { exportPageSize: 3 });
  const farm = await world.party('farm');
  const plant = await world.party('processor');
  const a = await farm.product('kg', { name: 'A' });
  const b = await plant.product('kg', { name: 'B' });
  const c = await plant.product('kg', { name: 'C' });
  const owner = new Map<string, typeof farm>();
  const three = (await world.ok(farm.event({ type: 'commission', lots: [1, 2, 3].map((n) => ({ productCode: a, quantity: 10 * n })) })))
    .createdLotCodes as string[];
  const fourth = await farm.commission(a, 40);
  for (const lot of [...three, fourth]) owner.set(lot, farm);
  const raw = [await plant.commission(b, 50), await plant.commission(b, 60)];
  const at10 = '2026-03-10T09:00:00+08:00';
  for (let i = 0; i < 3; i++) {
    await world.ok(
      farm.event({
        type: 'inspect',
        eventTime: at10,
        lotCodes: three,
        inspection: { kind: 'self', result: 'pass', reportNumber: `R-${i}` },
      }),
    );
  }
  const outputs = await plant.transform(
    raw.map((lotCode) => ({ lotCode, quantity: 50 })),
    [
      { productCode: c, quantity: 40 },
      { productCode: c, quantity: 40 },
    ],
  );
  for (const lot of [...raw, ...outputs]) owner.set(lot, plant);
  await world.database.db.execute(sql`update lots set product_code = null where code = ${outputs[1]}`);
  return { world, farm, plant, a, owner, lines: 3 + 1 + 2 + 9 + 4 };
}

const PERIOD = 'from=2026-02-01&to=2026-03-31&region=500236';
const ROLE_ORDER = ['input', 'subject', 'parent', 'child', 'output'];

/** The order an export promises, written out: the key asked for (no product last), then time, event, role, lot. */
function inExportOrder(sort: KdeSort) {
  const key = (row: any): [number, string] =>
    sort === 'time'
      ? [0, '']
      : sort === 'lot'
        ? [0, row.lotCode]
        : sort === 'type'
          ? [0, row.eventType]
          : row.product === null
            ? [1, '']
            : [0, row.product];
  const compare = (x: any, y: any) => {
    const [kx, ky] = [key(x), key(y)];
    const pairs: [string | number, string | number][] = [
      [kx[0], ky[0]],
      [kx[1], ky[1]],
      [x.eventTime, y.eventTime],
      [x.eventId, y.eventId],
      [ROLE_ORDER.indexOf(x.role), ROLE_ORDER.indexOf(y.role)],
      [x.lotCode, y.lotCode],
    ];
    for (const [p, q] of pairs) if (p !== q) return p < q ? -1 : 1;
    return 0;
  };
  return { compare, key: (row: any) => key(row).join(' ') };
}

t.test('a CSV export of a period larger than a page: every line once, in the order asked for, ties across page boundaries', async (t) => {
  const { world, lines } = await exportWorld(t);
  const document = await servedOpenApi(world.app);
  for (const sort of KDE_SORTS) {
    await t.test(`sort=${sort}`, async (t) => {
      const json = expectStatus(t, await world.regulator.get(`/regulator/events?${PERIOD}&sort=${sort}&limit=1000`), 200, 'one JSON page')
        .body.items;
      t.equal(json.length, lines, 'every lot line of the period');
      const order = inExportOrder(sort);
      t.ok(
        json.every((row: any, i: number) => i === 0 || order.compare(json[i - 1], row) < 0),
        'strictly in the order asked for, ties broken by time, event, role and lot',
      );
      t.ok(
        json.some((row: any, i: number) => i > 0 && i % 3 === 0 && order.key(json[i - 1]) === order.key(row)),
        'some lines with equal sort keys lie across a boundary of pages of 3',
      );

      const reply = await world.regulator.get(`/regulator/events?${PERIOD}&sort=${sort}`, { accept: 'text/csv' });
      t.equal(reply.status, 200, 'Accept: text/csv');
      t.match(reply.headers['content-type'], /^text\/csv; charset=utf-8/);
      t.match(reply.headers['content-disposition'], 'events.csv');
      sentAsDeclared(t, document, ['GET', '/regulator/events'], reply, 200);
      t.ok(reply.body.startsWith('\uFEFFevent_time,event_type,'), 'BOM and header');
      const rows = parseCsv(reply.body.replace(/^\uFEFF/, '')).slice(1);
      const keys = rows.map((row) => KEY({ eventId: row[18], role: row[2], lotCode: row[3] }));
      t.equal(new Set(keys).size, keys.length, 'no line twice');
      t.strictSame(keys, json.map(KEY), 'the lines of the JSON page, in its order, read 3 at a time');
    });
  }
});

t.test('a streamed export resumes after the line it read last: lines recorded meanwhile neither repeat nor push out others', async (t) => {
  const { world, farm, a, owner } = await exportWorld(t);
  const regulator: Principal = { keyId: 'test', role: 'regulator', partyCode: null };
  const scope = periodScope({ from: '2026-02-01', to: '2026-03-31', region: '500236' });
  let early = 0;
  for (const sort of KDE_SORTS) {
    await t.test(`sort=${sort}`, async (t) => {
      const before = (await world.regulator.get(`/regulator/events?${PERIOD}&sort=${sort}&limit=1000`)).body.items.map(KEY);
      const pages = (await world.app.services.figures.exportAll(regulator, scope, sort, 3))[Symbol.asyncIterator]();
      const first = (await pages.next()).value as KdeRow[];
      t.equal(first.length, 3);
      // late records that sort before the line read last, whatever the sort: a commission of product A
      // (the first name, the first type) earlier than any line before (each sort's earlier again), and
      // an inspection of the first line's lot at that line's time (not before the lot came into being)
      const eventTime = `2026-02-0${9 - ++early}T08:00:00+08:00`;
      const created = await world.ok(farm.event({ type: 'commission', eventTime, lots: [{ productCode: a, quantity: 1 }] }));
      owner.set(created.createdLotCodes[0], farm);
      const inspector = owner.get(first[0].lotCode) as typeof farm;
      const inspected = await world.ok(
        inspector.event({
          type: 'inspect',
          eventTime: first[0].eventTime,
          lotCodes: [first[0].lotCode],
          inspection: { kind: 'self', result: 'pass' },
        }),
      );
      const now = (await world.regulator.get(`/regulator/events?${PERIOD}&sort=${sort}&limit=1000`)).body.items;
      const cursor = now.findIndex((row: any) => KEY(row) === KEY(first[2]));
      t.ok(
        now.slice(0, cursor).some((row: any) => [created.event.id, inspected.event.id].includes(row.eventId)),
        'a line recorded meanwhile sorts before the line read last',
      );
      const read = [...first];
      for (let page = await pages.next(); !page.done; page = await pages.next()) read.push(...page.value);
      const keys = read.map(KEY);
      t.equal(new Set(keys).size, keys.length, 'no line twice');
      t.strictSame(
        before.filter((key: string) => keys.filter((read) => read === key).length !== 1),
        [],
        'every line there when the export began, exactly once',
      );
    });
  }
});

t.test("each line of an export reads the fields of its event's payload a row needs, not the whole payload", async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const product = await farm.product('kg');
  const lots = Array.from({ length: 20 }, (_, i) => ({ productCode: product, quantity: i + 1, lotNumber: `L-${i}` }));
  await world.ok(farm.event({ type: 'commission', lots }));
  const scope = periodScope({ region: '500236' });
  const lines = await createFiguresRepository(world.database.db).eventLots(scope, 'time', 1000, { offset: 0 });
  t.equal(lines.length, 20, 'one line per lot of the commission');
  for (const line of lines) {
    t.ok(
      Object.keys(line.payload).every((key) => KDE_PAYLOAD_FIELDS.includes(key as (typeof KDE_PAYLOAD_FIELDS)[number])),
      `only the fields a row reads: ${Object.keys(line.payload).join(', ')}`,
    );
    t.notOk('lots' in line.payload, "the commission's list of lots is not copied onto each of its lines");
  }
});

t.test(
  "an export reads each event's payload once a page: the lines, order and pages each line reading its event's payload gave",
  async (t) => {
    const { world, farm, plant, a } = await exportWorld(t);
    // events of many lots: a commission of 30, and a shipment of 12 of them, whose from / to fields every line carries
    const many = (
      await world.ok(
        farm.event({
          type: 'commission',
          eventTime: '2026-03-12T08:00:00+08:00',
          lots: Array.from({ length: 30 }, (_, i) => ({ productCode: a, quantity: i + 1, lotNumber: `M-${i}` })),
        }),
      )
    ).createdLotCodes as string[];
    await world.ok(
      farm.event({
        type: 'ship',
        eventTime: '2026-03-13T08:00:00+08:00',
        toPartyCode: plant.code,
        lines: many.slice(0, 12).map((lotCode) => ({ lotCode })),
      }),
    );
    const db = world.database.db;
    const repository = createFiguresRepository(db);
    const scope = periodScope({ from: '2026-02-01', to: '2026-03-31', region: '500236' });
    // every line with its event's whole payload, filtered and ordered here, by the order an export promises
    const all = await queryRows<any>(
      db,
      sql`select e.id as "eventId", e.type, e.event_time as "eventTime", e.party_code as "partyCode", e.read_point as "readPoint",
      e.biz_location as "bizLocation", e.reference_documents as "referenceDocuments", e.payload, el.lot_code as "lotCode", el.role,
      case when e.type = 'correction' then null else el.quantity::float8 end as quantity, l.unit, l.lot_number as "lotNumber",
      l.product_code as "productCode", pr.name as "productName", l.attributes, p.region_code as "regionCode",
      e.corrects_event_id as "correctsEventId", (select min(c.id) from events c where c.corrects_event_id = e.id) as "correctedBy"
    from events e join parties p on p.code = e.party_code join event_lots el on el.event_id = coalesce(e.corrects_event_id, e.id)
      join lots l on l.code = el.lot_code left join products pr on pr.code = l.product_code`,
    );
    const fields = (payload: Record<string, any>) =>
      Object.fromEntries(
        KDE_PAYLOAD_FIELDS.map((field) => [
          field,
          field === 'inspection'
            ? {
                reportNumber: payload.inspection?.reportNumber ?? null,
                kind: payload.inspection?.kind ?? null,
                result: payload.inspection?.result ?? null,
                labPartyCode: payload.inspection?.labPartyCode ?? null,
                items: (payload.inspection?.items ?? []).filter((item: { result: string }) => item.result === 'fail'),
              }
            : (payload[field] ?? null),
        ]),
      );
    const plain = (rows: any[]) => rows.map((row) => ({ ...row, eventTime: new Date(row.eventTime).toISOString() }));
    const inScope = plain(
      all
        .filter((row) => {
          const time = new Date(row.eventTime).getTime();
          return time >= (scope.from as Date).getTime() && time < (scope.to as Date).getTime() && row.regionCode.startsWith('500236');
        })
        .map(({ regionCode, payload, ...row }) => ({ ...row, payload: fields(payload) })),
    );
    t.ok(inScope.length > 60, `${inScope.length} lines, of events of up to 30 lots`);
    for (const sort of KDE_SORTS) {
      await t.test(`sort=${sort}`, async (t) => {
        const order = inExportOrder(sort);
        const row = (line: any) => ({ ...line, product: line.productName, eventType: line.type });
        const expected = [...inScope].sort((x, y) => order.compare(row(x), row(y)));
        const whole = plain(await repository.eventLots(scope, sort, 1000, { offset: 0 }));
        t.strictSame(whole, expected, 'one page: every line, its fields, in the order asked for');
        const byOffset = [];
        for (let offset = 0; offset < expected.length + 4; offset += 4) {
          byOffset.push(...plain(await repository.eventLots(scope, sort, 4, { offset })));
        }
        t.strictSame(byOffset, expected, 'pages of 4 by offset');
        const byKeyset = [];
        for (let after: EventLotKey | null = null; ; ) {
          const page = await repository.eventLots(scope, sort, 4, { after });
          byKeyset.push(...plain(page));
          if (page.length < 4) break;
          const last = page[3];
          after = { eventId: last.eventId, lotCode: last.lotCode, role: last.role };
        }
        t.strictSame(byKeyset, expected, 'pages of 4, each after the line read last');
      });
    }
  },
);

t.test('what happened: tests, holds, releases, recalls and corrections in the CSV and JSON exports', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm', '乙养殖场');
  const lab = await world.party('lab', '检测所');
  const bureau = await world.partyRegulator();
  const regulatorKey = (await world.ok(world.admin.post('/api-keys', { role: 'regulator' }))).key;
  const pigs = await farm.commission(await farm.product('head'), 10);
  const tested = await world.ok(
    lab.event({
      type: 'inspect',
      lotCodes: [pigs],
      inspection: {
        kind: 'third_party',
        labPartyCode: lab.code,
        result: 'fail',
        reportNumber: 'LAB-9',
        items: [
          { name: '瘦肉精', result: 'fail' },
          { name: '水分', result: 'pass' },
          { name: '亚硝酸盐', result: 'fail' },
        ],
      },
    }),
  );
  const sold = await world.ok(farm.event({ type: 'sell', buyer: '张三', lines: [{ lotCode: pigs, quantity: 2 }] }));
  const correctionReason = 'sold to "老王", not 张三,\nrecorded twice';
  const correction = await world.ok(farm.event({ type: 'correction', correctsEventId: sold.event.id, reason: correctionReason }));
  const holdReason = '抽检不合格, "瘦肉精"\n待复检';
  const held = await world.ok(farm.api.post('/holds', { lotCodes: [pigs], reason: holdReason }));
  const released = await world.ok(farm.api.post('/holds/release', { lotCodes: [pigs], reason: '复检合格, released' }));
  const recall = await world.ok(bureau.post('/recalls', { lotCodes: [pigs], level: 2, reason: '瘦肉精 检出', hazard: '克伦特罗' }));
  const closed = expectStatus(
    t,
    await bureau.post(`/recalls/${recall.id}/close`, { overrideReason: '养殖场未确认, 已现场核查' }),
    200,
    'closed over the farm, which had not acknowledged',
  ).body;

  const expected = {
    inspect: {
      event_type: 'inspect',
      event_id: tested.event.id,
      test_kind: 'third_party',
      test_result: 'fail',
      failed_items: '瘦肉精; 亚硝酸盐',
      tested_by: lab.code,
      test_lab: lab.code,
      test_reports: 'LAB-9',
    },
    sell: { event_type: 'sell', event_id: sold.event.id, quantity: '2', corrected_by: correction.event.id, corrects: '' },
    correction: {
      event_type: 'correction',
      event_id: correction.event.id,
      lot_code: pigs,
      quantity: '',
      reason: correctionReason,
      corrects: sold.event.id,
    },
    hold: { event_type: 'hold', event_id: held.id, reason: holdReason, recall_id: '', recall_phase: '' },
    release: { event_type: 'release', event_id: released.id, reason: '复检合格, released' },
    open: { event_type: 'recall', event_id: recall.eventId, recall_id: recall.id, recall_phase: 'open', reason: '瘦肉精 检出' },
    close: {
      event_type: 'recall',
      event_id: closed.closeEventId,
      recall_id: recall.id,
      recall_phase: 'override_close',
      reason: '养殖场未确认, 已现场核查',
    },
  };
  const check = (t: Test, rows: Record<string, string>[]) => {
    const of = (type: string, id: string) => rows.filter((row) => row.event_type === type && row.event_id === id);
    for (const [name, want] of Object.entries(expected)) {
      const found = of(want.event_type, want.event_id);
      t.equal(found.length, 1, `${name}: one row`);
      t.match(found[0], want, name);
    }
    for (const row of rows) t.match(row.local_time, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'local time as Excel reads a date');
    const inspection = of('inspect', tested.event.id)[0];
    t.equal(inspection.local_time, inspection.event_time.slice(0, 19).replace('T', ' '), 'the local time is the ISO time in China');
    t.equal(rows.filter((row) => row.corrected_by !== '').length, 1, 'only the sale is corrected');
  };

  for (const [name, url] of [
    ['a trace', `/trace/${pigs}?format=csv&direction=forward`],
    ['a period', '/regulator/events?region=500236&format=csv'],
  ]) {
    await t.test(`${name} as CSV`, async (t) => {
      const { reply, rows } = await csvReply(world, url, regulatorKey);
      t.equal(reply.statusCode, 200);
      t.ok(reply.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'UTF-8 byte order mark first');
      t.notOk(/(^|,)="/.test(reply.body), 'no formulas');
      t.strictSame(rows[0], HEADER);
      t.ok(
        rows.every((row) => row.length === HEADER.length),
        'every row has every column: quotes, commas and line breaks in reasons stay inside their cells',
      );
      check(
        t,
        rows.slice(1).map((row) => Object.fromEntries(HEADER.map((column, i) => [column, row[i]]))),
      );
    });
  }

  await t.test('a period as JSON', async (t) => {
    const items: KdeRow[] = expectStatus(t, await world.regulator.get('/regulator/events?region=500236&limit=1000'), 200, 'a page').body
      .items;
    const inspection = items.find((row) => row.eventType === 'inspect');
    t.match(inspection, { testKind: 'third_party', testResult: 'fail', testedBy: lab.code, testLab: lab.code });
    t.strictSame(inspection?.failedItems, ['瘦肉精', '亚硝酸盐'], 'failed items as a list');
    t.match(
      items.find((row) => row.eventType === 'sell'),
      { correctedBy: correction.event.id, corrects: null },
    );
    t.match(
      items.find((row) => row.eventType === 'correction'),
      { corrects: sold.event.id, quantity: null, reason: correctionReason },
    );
    t.match(
      items.find((row) => row.eventType === 'hold'),
      { reason: holdReason, failedItems: [] },
    );
    t.strictSame(
      items.filter((row) => row.eventType === 'recall').map((row) => [row.recallId, row.recallPhase]),
      [
        [recall.id, 'open'],
        [recall.id, 'override_close'],
      ],
    );
  });

  await t.test("an operator's trace shows what it may see", async (t) => {
    const { rows } = await csvReply(world, `/trace/${pigs}?format=csv&direction=forward`, farm.key);
    const records = rows.slice(1).map((row) => Object.fromEntries(HEADER.map((column, i) => [column, row[i]])));
    t.match(
      records.find((row) => row.event_type === 'sell'),
      { corrected_by: correction.event.id },
    );
    t.match(
      records.find((row) => row.event_type === 'hold'),
      { reason: holdReason },
    );
  });
});

t.test('a row reads a recall close as close or override_close, and a return reported to a recall by its recall', async (t) => {
  const source = (type: string, payload: Record<string, unknown>): KdeSource => ({
    eventId: 'E-1',
    type,
    eventTime: new Date('2026-03-05T00:00:00Z'),
    partyCode: 'P',
    readPoint: null,
    bizLocation: null,
    referenceDocuments: [],
    payload,
    lotCode: 'L',
    role: 'subject',
    quantity: null,
    unit: null,
    lotNumber: null,
    productCode: null,
    productName: null,
    lotCertificates: [],
    correctsEventId: null,
    correctedBy: null,
  });
  const row = (type: string, payload: Record<string, unknown>) => kdeRow(source(type, payload), () => null);
  t.match(row('recall', { recallId: 'R', phase: 'close', overrideReason: null }), { recallId: 'R', recallPhase: 'close', reason: null });
  t.match(row('recall', { recallId: 'R', phase: 'close', overrideReason: '核查' }), { recallPhase: 'override_close', reason: '核查' });
  t.match(row('ship', { recallId: 'R', toPartyCode: 'Q' }), { recallId: 'R', recallPhase: null });
  t.match(row('destroy', { reason: '召回 R: 检出' }), { reason: '召回 R: 检出', testKind: null, failedItems: [] });
  t.equal(row('sell', {}).localTime, '2026-03-05 08:00:00', 'midnight UTC is eight in the morning in China');
});
