// A recall's outcome for a county office to file in Excel: GET /recalls/{id}/holders, a CSV of what
// each holder was asked, acknowledged, returned and destroyed of each lot, and what is outstanding;
// read by whoever reads the final report, each holder its own lines. The printed report names lot
// statuses in Chinese and the party that opened the recall by its name too.
import type { Test } from 'tap';
import { sentAsDeclared, servedOpenApi } from '../fixtures/openapi.js';
import { at, createWorld, expectStatus, randomUscc } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** RFC 4180 records: quoted fields may hold commas and doubled quotes (no line breaks in these). */
function records(body: string) {
  const parse = (line: string) =>
    [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)]
      .slice(0, -1)
      .map(([, field]) => (field.startsWith('"') ? field.slice(1, -1).replace(/""/g, '"') : field));
  const [header, ...rows] = body
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .slice(0, -1)
    .map(parse);
  return { header, rows: rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]]))) };
}

/** A farm's pigs, 4 of them at a shop whose phone is a landline; the farm recalls them and the shop reports. */
async function recalledPigs(t: Test) {
  const world = await createWorld(t);
  const farm = await world.party('farm', '甲养殖场');
  const lot = await farm.commission(await farm.product('head'), 10, { lotNumber: '00012' });
  const registered = await world.ok(
    world.admin.post('/parties', {
      kind: 'retailer',
      name: '乙超市',
      uscc: randomUscc(),
      regionCode: '500236',
      contact: { person: '王五', phone: '02356781234' },
    }),
  );
  const { key } = await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: registered.code }));
  const shop = { code: registered.code as string, api: client(world.app, key) };
  const shipmentId = await farm.ship(shop, [{ lotCode: lot, quantity: 4 }]);
  await world.ok(shop.api.post('/events', { type: 'receive', eventTime: at(100), shipmentId }));
  const recall = await world.ok(farm.api.post('/recalls', { lotCodes: [lot], level: 3, reason: '标签错误', hazard: '过敏原未标示' }));
  await world.ok(shop.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: lot, returned: 1, destroyed: 2 }] }));
  const outsider = await world.party('retailer', '丙超市');
  return { world, farm, shop, outsider, lot, recall };
}

t.test("a recall's holders as CSV: per holder and lot, asked, acknowledged, returned, destroyed and outstanding", async (t) => {
  const { world, farm, shop, lot, recall } = await recalledPigs(t);
  const excel = await world.regulator.get(`/recalls/${recall.id}/holders?dialect=excel`);
  expectStatus(t, excel, 200, 'the holders for Excel');
  t.match(String(excel.headers['content-disposition']), `attachment; filename="recall-${recall.id}-holders.csv"`);
  sentAsDeclared(t, await servedOpenApi(world.app), ['GET', '/recalls/{id}/holders'], excel, 200);
  const { header, rows } = records(excel.body);
  t.strictSame(header, [
    '持有方代码',
    '持有方',
    '联系人',
    '联系电话',
    '批次码',
    '单位',
    '涉及数量',
    '确认时间',
    '退回',
    '销毁',
    '未处置',
    '记录类型',
    '退回发出',
    '退回已收到',
    '途中损失',
  ]);
  const atShop = rows.find((row) => row.持有方代码 === shop.code && row.记录类型 === '持有');
  t.match(
    atShop,
    {
      持有方: '乙超市',
      联系人: '王五',
      联系电话: '="02356781234"',
      批次码: lot,
      单位: '头',
      涉及数量: '4',
      退回: '1',
      销毁: '2',
      未处置: '1',
      记录类型: '持有',
      退回发出: '',
    },
    "the shop's line: its unit in Chinese, its landline kept as text, quantities as numbers",
  );
  t.match(atShop?.确认时间, /^2\d{3}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$/, 'acknowledged, in China time');
  t.match(
    rows.find((row) => row.持有方代码 === farm.code && row.记录类型 === '持有'),
    { 持有方: '甲养殖场', 涉及数量: '6', 确认时间: '', 退回: '0', 销毁: '0', 未处置: '6' },
    'the farm has not acknowledged: all of its stock outstanding',
  );
  t.match(
    rows.find((row) => row.记录类型 === '退回处置'),
    {
      持有方代码: farm.code,
      持有方: '甲养殖场',
      批次码: lot,
      单位: '头',
      涉及数量: '',
      退回: '',
      销毁: '0',
      未处置: '1',
      退回发出: '1',
      退回已收到: '0',
      途中损失: '0',
    },
    'the head the shop returned: on its way back to the farm, still to destroy',
  );
  t.equal(rows.length, 3, 'a line per holder and lot, and one of returned stock');

  const plain = await world.regulator.get(`/recalls/${recall.id}/holders?format=csv`);
  expectStatus(t, plain, 200, 'the machine-exact CSV');
  const exact = records(plain.body);
  t.strictSame(exact.header, [
    'holder',
    'holder_name',
    'contact_person',
    'contact_phone',
    'lot_code',
    'unit',
    'affected',
    'acknowledged_at',
    'returned',
    'destroyed',
    'outstanding',
    'record',
    'returned_sent',
    'returned_received',
    'lost_in_transit',
  ]);
  t.match(
    exact.rows.find((row) => row.holder === shop.code),
    { contact_phone: '02356781234', unit: 'head', outstanding: '1' },
  );
  t.equal((await world.regulator.get(`/recalls/${recall.id}/holders`, { accept: 'text/csv' })).body, plain.body, 'Accept: text/csv');
});

t.test('the holders CSV is read by whoever reads the final report, a holder its own lines only', async (t) => {
  const { world, farm, shop, outsider, recall } = await recalledPigs(t);
  for (const [who, api] of [
    ['the regulator', world.regulator],
    ['the farm that opened it', farm.api],
    ['a holder', shop.api],
    ['a party it never reached', outsider.api],
  ] as const) {
    const report = await api.get(`/recalls/${recall.id}/report`);
    const holders = await api.get(`/recalls/${recall.id}/holders?format=csv`);
    t.equal(holders.status, report.status, `${who}: ${report.status}, as the final report`);
    if (report.status !== 200) continue;
    const lines = report.body.recall.holderDetails.flatMap((holder: { partyCode: string; lines: { lotCode: string }[] }) =>
      holder.lines.map((line) => `${holder.partyCode} ${line.lotCode}`),
    );
    t.strictSame(
      records(holders.body)
        .rows.filter((row) => row.record === 'holding')
        .map((row) => `${row.holder} ${row.lot_code}`),
      lines,
      `${who}: the lines the final report shows it`,
    );
  }
  const unknown = await world.regulator.get('/recalls/0192f0c4-0000-7000-8000-000000000000/holders?format=csv');
  expectStatus(t, unknown, 404, 'no such recall');
});

t.test('the printed report names lot statuses in Chinese and the opening party by its name and code', async (t) => {
  const { world, farm, recall } = await recalledPigs(t);
  const report = await world.regulator.get(`/recalls/${recall.id}/report`);
  t.strictSame(report.body.recall.openedBy, { partyCode: farm.code, name: '甲养殖场' }, 'the JSON names the party that opened it');
  const page: string = (await world.regulator.get(`/recalls/${recall.id}/report?format=html`)).body;
  t.match(page, `<dt>发起方</dt><dd>甲养殖场 <code>${farm.code}</code></dd>`);
  const lots = page.slice(page.indexOf('涉及批次'));
  t.match(lots, '<td>已召回</td>', 'a lot status in Chinese');
  t.notMatch(lots, /<td>(recalled|active|consumed|destroyed|sold|in_transit)<\/td>/, 'no status left as its code');
});
