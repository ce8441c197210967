// The Excel flavour of every CSV export (`?dialect=excel`): Chinese headers, a code or number-like text
// Excel would turn into a number kept as text with ="…", numbers as they are; the default CSV unchanged.
import type { Test } from 'tap';
import { KDE_COLUMNS } from '../../src/trace/kde.js';
import { signInToDashboard } from '../fixtures/dashboard.js';
import { sentAsDeclared, servedOpenApi } from '../fixtures/openapi.js';
import { createWorld, expectStatus, randomUscc } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** RFC 4180 records (CRLF or LF line ends): quoted fields may hold commas, quotes (doubled) and line breaks. */
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
    } else if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && (ch === '\n' || (ch === '\r' && text[i + 1] === '\n'))) {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (ch === '\r') i++;
    } else field += ch;
  }
  return rows;
}

/** The records of a CSV answer, each by its header, and its header. */
function records(body: string) {
  const [header, ...rows] = parseCsv(body.replace(/^\uFEFF/, ''));
  return { header, rows: rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]]))) };
}

const KDE_ZH = KDE_COLUMNS.map((column) => column.zh);
const KDE_EN = KDE_COLUMNS.map((column) => column.header);

/**
 * A farm's lot of pigs (head) with an all-digit lot number and a quarantine certificate on it, shipped
 * with a despatch advice to a shop whose contact phone is a landline.
 */
async function exportWorld(t: Test) {
  const world = await createWorld(t);
  const farm = await world.party('farm', '甲养殖场');
  const lot = await farm.commission(await farm.product('head'), 10, {
    lotNumber: '00012',
    attributes: { quarantineCertificate: 'B5002300012' },
  });
  const shop = await world.ok(
    world.admin.post('/parties', {
      kind: 'retailer',
      name: '乙超市',
      uscc: randomUscc(),
      regionCode: '500236',
      contact: { person: '王五', phone: '02356781234' },
    }),
  );
  await world.ok(
    farm.event({
      type: 'ship',
      toPartyCode: shop.code,
      lines: [{ lotCode: lot, quantity: 4 }],
      referenceDocuments: [{ type: 'despatch_advice', number: 'DA 0001' }],
    }),
  );
  return { world, farm, lot, shop };
}

t.test('a trace as CSV for Excel', async (t) => {
  const { world, lot } = await exportWorld(t);
  const excel = await world.regulator.get(`/trace/${lot}?format=csv&dialect=excel`);
  expectStatus(t, excel, 200, 'the trace for Excel');
  t.match(excel.headers['content-type'], /^text\/csv; charset=utf-8/);
  t.ok(
    excel.body.startsWith('\uFEFF事件时间,事件类型,批次角色,批次码,批号,产品编码,产品,数量,单位,'),
    'headers in Chinese, with the byte order mark',
  );
  const { header, rows } = records(excel.body);
  t.strictSame(header, KDE_ZH);
  const commission = rows.find((row) => row.事件类型 === '登记');
  t.ok(commission, 'event types in Chinese');
  t.equal(commission?.批号, '="00012"', 'an all-digit lot number is kept as text');
  t.equal(commission?.数量, '10', 'a quantity is a number');
  t.match(commission?.北京时间, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, 'the local time stays a date Excel reads');
  t.equal(commission?.批次码, lot, 'a lot code with letters is as it is');
  t.equal(commission?.单位, '头', 'a unit in Chinese');
  t.equal(commission?.证明文件, '动物检疫合格证明 B5002300012', 'a certificate named by its type in Chinese, its number as it is');
  t.match(excel.body, /,"=""00012""",/, 'the formula quoted as RFC 4180 quotes it');

  const alone = await world.regulator.get(`/trace/${lot}?dialect=excel`);
  t.equal(alone.body, excel.body, 'dialect=excel alone asks for the CSV');

  const plain = records((await world.regulator.get(`/trace/${lot}?format=csv`)).body);
  t.strictSame(plain.header, KDE_EN, 'the default CSV keeps its English headers');
  t.equal(plain.rows.find((row) => row.event_type === 'commission')?.lot_number, '00012', 'and its plain cells');

  const wrong = await world.regulator.get(`/trace/${lot}?format=csv&dialect=xlsx`);
  expectStatus(t, wrong, 400, 'a dialect that is none');
  t.match(JSON.stringify(wrong.body), 'dialect', 'naming the parameter');
  sentAsDeclared(t, await servedOpenApi(world.app), ['GET', '/trace/{code}'], wrong, 400);
});

t.test("a period's events as CSV for Excel, by the API and from the dashboard", async (t) => {
  const { world } = await exportWorld(t);
  const excel = await world.regulator.get('/regulator/events?format=csv&dialect=excel');
  expectStatus(t, excel, 200, 'the period for Excel');
  const { header, rows } = records(excel.body);
  t.strictSame(header, KDE_ZH);
  const shipment = rows.find((row) => row.事件类型 === '发货');
  t.match(
    shipment,
    { 批号: '="00012"', 数量: '4', 单位: '头', 关联单据: '发货单 DA 0001', 证明文件: '动物检疫合格证明 B5002300012' },
    'the shipment: its type, unit and documents in Chinese, its lot number as text, its quantity a number',
  );
  const plain = records((await world.regulator.get('/regulator/events?format=csv')).body);
  t.strictSame(plain.header, KDE_EN, 'the default unchanged');
  t.match(
    plain.rows.find((row) => row.event_type === 'ship'),
    {
      lot_number: '00012',
      unit: 'head',
      reference_documents: 'despatch_advice DA 0001',
      certificates: 'quarantine_certificate B5002300012',
    },
    'its codes as they are',
  );

  const dashboard = await signInToDashboard(world);
  const page = (await dashboard.open('/regulator/dashboard')).body;
  const link = page.match(/href="(\/regulator\/dashboard\/events\.csv\?[^"]*dialect=excel[^"]*)"/)?.[1];
  t.equal(link, '/regulator/dashboard/events.csv?dialect=excel', 'the dashboard links to the export for Excel');
  const download = await dashboard.open(String(link).replace(/&amp;/g, '&'));
  t.equal(download.statusCode, 200, "the dashboard's export for Excel");
  t.equal(download.body, excel.body, 'the same CSV as the API gives');
  t.strictSame(records((await dashboard.open('/regulator/dashboard/events.csv')).body).header, KDE_EN, 'its default unchanged');
});

t.test("a recall's scope as CSV for Excel", async (t) => {
  const { world, farm, lot } = await exportWorld(t);
  const recall = await world.ok(farm.api.post('/recalls', { lotCodes: [lot], level: 3, reason: '标签错误', hazard: '过敏原未标示' }));
  const excel = await world.regulator.get(`/recalls/${recall.id}/scope?format=csv&dialect=excel`);
  expectStatus(t, excel, 200, 'the scope for Excel');
  sentAsDeclared(t, await servedOpenApi(world.app), ['GET', '/recalls/{id}/scope'], excel, 200);
  const { header, rows } = records(excel.body);
  t.strictSame(header, [
    '类型',
    '编码',
    '批次码',
    '产品',
    '批号',
    '所有方',
    '持有方代码',
    '持有方',
    '联系人',
    '联系电话',
    '数量',
    '单位',
    '发货事件编号',
    '层级',
    '状态',
    '单品码数',
  ]);
  const lotRow = rows.find((row) => row.类型 === '批次');
  t.equal(lotRow?.状态, '已召回', 'a status in Chinese');
  t.equal(lotRow?.批号, '="00012"', 'an all-digit lot number kept as text');
  t.equal(lotRow?.层级, '0', 'a depth is a number');
  const transit = rows.find((row) => row.类型 === '在途');
  t.equal(transit?.联系电话, '="02356781234"', 'a landline keeps its leading 0');
  t.equal(transit?.数量, '4.000', 'a quantity is a number, as the ledger keeps it');
  t.equal(transit?.联系人, '王五');
  t.strictSame([lotRow?.单位, transit?.单位], ['头', '头'], 'a unit in Chinese');

  const plain = records((await world.regulator.get(`/recalls/${recall.id}/scope?format=csv`)).body);
  t.equal(plain.header[0], 'type', 'the default unchanged: English headers');
  const plainLot = plain.rows.find((row) => row.type === 'lot');
  t.strictSame([plainLot?.status, plainLot?.lot_number, plainLot?.unit], ['recalled', '00012', 'head'], 'plain values');
  t.equal(plain.rows.find((row) => row.type === 'in_transit')?.contact_phone, '02356781234');
});

t.test('the audit heads as CSV for Excel', async (t) => {
  const { world } = await exportWorld(t);
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const excel = await world.regulator.get(`/audit/heads?date=${today}&format=csv&dialect=excel`);
  expectStatus(t, excel, 200, 'the heads for Excel');
  t.ok(excel.headers['x-audit-digest'], 'with the digest');
  const { header, rows } = records(excel.body);
  t.strictSame(header, ['审计链', '序号', '条目哈希', '记录时间']);
  t.ok(rows.length > 0 && rows.every((row) => /^\d+$/.test(row.序号)), 'sequences are numbers');
  t.match((await world.regulator.get(`/audit/heads?date=${today}&format=csv`)).body, /^\uFEFFchain,sequence,entry_hash,recorded_at\r\n/);
});

t.test("a code job's codes as CSV for Excel; for label printers as before", async (t) => {
  const { world } = await exportWorld(t);
  const plant = await world.party('processor');
  const lot = await plant.commission(await plant.product('kg'), 5);
  const job = await world.ok(plant.api.post(`/lots/${lot}/items`, { count: 2 }), 202);
  await world.app.services.items.idle();
  const plain = await plant.api.get(`/code-jobs/${job.id}/codes.csv`);
  expectStatus(t, plain, 200, 'codes.csv');
  t.match(plain.body, /^code,url,digital_link\n[^\r\uFEFF]+\n[^\r]+\n$/, 'no byte order mark, LF line ends, as label printers have it');
  const excel = await plant.api.get(`/code-jobs/${job.id}/codes.csv?dialect=excel`);
  expectStatus(t, excel, 200, 'codes.csv for Excel');
  t.match(excel.body, /^\uFEFF单品码,溯源网址,GS1 数字链接\r\n/, 'Chinese headers, byte order mark and CRLF');
  t.strictSame(
    parseCsv(excel.body.replace(/^\uFEFF/, '')).slice(1),
    parseCsv(plain.body).slice(1),
    'the same codes and links (none of them number-like)',
  );
});
