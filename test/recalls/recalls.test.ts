import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { seedDemoChain } from '../../seeds/fengjie.js';
import { createRepositories } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { queryRows } from '../../src/db/client.js';
import { PAGE_HEADERS } from '../../src/web/html.js';
import { sentAsDeclared, servedOpenApi } from '../fixtures/openapi.js';
import { at, createWorld, expectStatus, randomUscc } from '../fixtures/world.js';
import { buildTestApp, type Client, client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const HOUR = 3_600_000;

/** The demo chain, a regulator party with its key, operator keys for the demo's parties, and a clock the test moves. */
async function demoWorld(t: Test) {
  let clock = new Date('2026-11-30T02:00:00Z');
  const { app, adminKey, database } = await buildTestApp(t, undefined, { now: () => clock });
  const demo = await seedDemoChain(app.services);
  const admin = client(app, adminKey);
  const ok = async (reply: Promise<{ status: number; body: any }>, status = 201) => {
    const result = await reply;
    if (result.status !== status) throw new Error(`expected ${status}, got ${result.status}: ${JSON.stringify(result.body)}`);
    return result.body;
  };
  const bureau = await ok(
    admin.post('/parties', { kind: 'regulator', name: '奉节县市场监督管理局', uscc: randomUscc(), regionCode: '500236' }),
  );
  const regulator = client(app, (await ok(admin.post('/api-keys', { role: 'regulator', partyCode: bureau.code }))).key);
  const operator = async (partyCode: string) => client(app, (await ok(admin.post('/api-keys', { role: 'operator', partyCode }))).key);
  return {
    app,
    database,
    demo,
    admin,
    regulator,
    bureau: bureau.code as string,
    operator,
    ok,
    advance: (ms: number) => {
      clock = new Date(clock.getTime() + ms);
    },
    /**
     * A lot of the processor's own (one piece of the retail lot's product), for a recall named with the retail
     * lot to reach a lot no open recall reaches: a recall reaching nothing new is refused.
     */
    async freshLot(): Promise<string> {
      const processor = await operator(demo.parties.processor);
      const { productCode } = await ok(processor.get(`/lots/${demo.retailLotCode}`), 200);
      const lots = [{ productCode, quantity: 1 }];
      return (await ok(processor.post('/events', { type: 'commission', eventTime: '2026-11-30T09:00:00+08:00', lots }))).createdLotCodes[0];
    },
  };
}

t.test('a recall on the demo chain reaches every holder and every item code', async (t) => {
  const { app, demo, admin, regulator, bureau, ok, operator } = await demoWorld(t);
  const partyless = client(app, (await ok(admin.post('/api-keys', { role: 'regulator' }))).key);
  const refused = await partyless.post('/recalls', { lotCodes: [demo.farmLotCodes[0]], level: 1, reason: 'r', hazard: 'h' });
  t.equal(refused.status, 403, 'a regulator key without its regulator party reads but does not act');
  t.match(refused.body.detail, /regulator party/);

  // a second shop registered with its contact, and 20 packs on their way to it when the recall opens
  const newShop = await ok(
    admin.post('/parties', {
      kind: 'retailer',
      name: '重庆鲜邻超市观音岩店',
      uscc: randomUscc('500103'),
      regionCode: '500103',
      contact: { person: '罗静', phone: '023-63550177' },
    }),
  );
  const distributor = await operator(demo.parties.distributor);
  const shipped = await ok(
    distributor.post('/events', {
      type: 'ship',
      eventTime: '2026-11-30T09:00:00+08:00',
      toPartyCode: newShop.code,
      lines: [{ lotCode: demo.retailLotCode, quantity: 20 }],
    }),
  );

  const opened = await regulator.post('/recalls', {
    lotCodes: [demo.farmLotCodes[0]],
    level: 1,
    reason: '瘦肉精 检出',
    hazard: '克伦特罗残留超标',
  });
  t.equal(opened.status, 201);
  const recall = opened.body;
  t.equal(recall.partyCode, bureau, 'recorded under the regulator party');
  t.equal(Date.parse(recall.startDueAt) - Date.parse(recall.openedAt), 24 * HOUR, 'level 1 starts within 24 h');
  t.equal(recall.finishDueAt, '2026-12-14T02:00:00.000Z', '10 working days later (two weekends skipped)');
  t.equal(recall.scope.items, 300, 'every pack code of the retail lot');
  const holderOf = (partyCode: string) => recall.holderDetails.find((holder: { partyCode: string }) => holder.partyCode === partyCode);
  t.same(
    recall.holderDetails.map((holder: { partyCode: string }) => holder.partyCode).sort(),
    [
      demo.parties.abattoir,
      demo.parties.processor,
      demo.parties.coldStore,
      demo.parties.distributor,
      demo.parties.retailer,
      newShop.code,
    ].sort(),
    'every party holding some of the scope, the shop the packs are on their way to included, and no other',
  );
  const retailer = holderOf(demo.parties.retailer);
  t.same(
    retailer.lines.find((line: { lotCode: string }) => line.lotCode === demo.retailLotCode),
    { lotCode: demo.retailLotCode, unit: 'piece', affected: 48, returned: 0, destroyed: 0 },
    'with the quantity it holds',
  );
  t.same(retailer.contact, { person: '周敏', phone: '023-63710826' }, 'and the contact it registered');
  t.same(
    holderOf(demo.parties.distributor).lines,
    [{ lotCode: demo.retailLotCode, unit: 'piece', affected: 120, returned: 0, destroyed: 0 }],
    'the distributor holds what it did not ship',
  );
  t.match(
    holderOf(newShop.code),
    {
      name: '重庆鲜邻超市观音岩店',
      contact: { person: '罗静', phone: '023-63550177' },
      lines: [{ lotCode: demo.retailLotCode, unit: 'piece', affected: 20, returned: 0, destroyed: 0 }],
    },
    'the addressee of the open shipment holds what is on the road, with its contact',
  );

  t.equal((await regulator.get(`/lots/${demo.retailLotCode}`)).body.status, 'recalled', 'affected lots become recalled');
  const shop = await operator(demo.parties.retailer);
  const sell = await shop.post('/events', {
    type: 'sell',
    eventTime: '2026-11-30T09:00:00+08:00',
    lines: [{ lotCode: demo.retailLotCode, quantity: 1 }],
  });
  t.equal(sell.status, 422, 'a recalled lot is not sold');
  t.match(sell.body.detail, /recalled/);
  const pack = await shop.post('/events', {
    type: 'aggregate',
    eventTime: '2026-11-30T09:00:00+08:00',
    parent: {},
    children: [{ lotCode: demo.retailLotCode, quantity: 1 }],
  });
  t.equal(pack.status, 422, 'nor packed');
  t.match(pack.body.detail, `lot ${demo.retailLotCode} is recalled (recall ${recall.id}); nobody may pack it`);
  const back = await shop.post('/events', {
    type: 'ship',
    eventTime: '2026-11-30T09:00:00+08:00',
    toPartyCode: demo.parties.processor,
    lines: [{ lotCode: demo.retailLotCode, quantity: 1 }],
  });
  t.equal(back.status, 201, 'but may be shipped back');
  const event = (await regulator.get(`/events/${recall.eventId}`)).body;
  t.match(event, { type: 'recall', partyCode: bureau, disposition: 'recalled', bizStep: 'holding' }, 'the act is in the event log');
  t.ok(event.lots.some((lot: { lotCode: string }) => lot.lotCode === demo.retailLotCode));
  const scan = await app.inject({ url: `/t/${demo.itemCode}`, headers: { accept: 'application/json' } });
  t.ok(scan.json().warnings.includes('recalled'), 'a scan says recalled');
  t.notOk(scan.json().warnings.includes('counterfeit_suspected'), 'never counterfeit');

  const csv = await regulator.get(`/recalls/${recall.id}/scope?format=csv`);
  t.equal(csv.status, 200);
  t.match(String(csv.headers['content-type']), /text\/csv; charset=utf-8/);
  t.ok(csv.body.startsWith('\uFEFFtype,code,lot_code'), 'UTF-8 with BOM and a header line');
  const rows: string[] = csv.body.trim().split('\r\n').slice(1);
  const items = rows.filter((row) => row.startsWith('item,'));
  t.equal(items.length, 300, 'one row per pack code');
  t.ok(items.some((row) => row.startsWith(`item,${demo.itemCode},`)));
  t.ok(
    rows.some((row) => row.startsWith('holding,') && row.includes(demo.parties.retailer)),
    'holdings name their holder',
  );
  const header = csv.body.slice(1).split('\r\n')[0].split(',');
  const onTheRoad = rows
    .filter((row) => row.startsWith('in_transit,'))
    .map((row) => Object.fromEntries(row.split(',').map((cell, index) => [header[index], cell])));
  t.match(
    onTheRoad,
    [
      {
        type: 'in_transit',
        code: demo.retailLotCode,
        lot_code: demo.retailLotCode,
        holder: newShop.code,
        holder_name: '重庆鲜邻超市观音岩店',
        contact_person: '罗静',
        contact_phone: '023-63550177',
        quantity: '20.000',
        unit: 'piece',
        shipment_id: shipped.shipmentId,
      },
    ],
    'the shipment on the road is one scope row: its id, the quantity in transit and the party receiving it',
  );
  t.equal(onTheRoad.length, 1, 'and the only one in transit');
  t.ok(rows.some((row) => row.startsWith('lot,') && row.includes(demo.retailLotCode)));
  const byAccept = await regulator.get(`/recalls/${recall.id}/scope`, { accept: 'text/csv' });
  t.equal(byAccept.body, csv.body, 'Accept: text/csv gives the same');
});

t.test('acknowledgements, progress, close and its override, final report, overdue with the clock', async (t) => {
  const { demo, regulator, operator, advance } = await demoWorld(t);
  const recall = (
    await regulator.post('/recalls', { lotCodes: [demo.retailLotCode], level: 2, reason: '包装破损', hazard: '微生物污染风险' })
  ).body;
  t.equal(Date.parse(recall.startDueAt) - Date.parse(recall.openedAt), 48 * HOUR, 'level 2 starts within 48 h');
  t.equal(recall.holders, 3);

  advance(49 * HOUR);
  let overdue = (await regulator.get('/recalls?overdue=true')).body.items;
  t.same(
    overdue.map((r: { id: string; overdue: string[] }) => [r.id, r.overdue]),
    [[recall.id, ['start']]],
    'not started within 48 h: overdue',
  );

  const retailer = await operator(demo.parties.retailer);
  const outsider = await operator(demo.parties.farm1);
  t.equal((await outsider.post(`/recalls/${recall.id}/reports`, {})).status, 403, 'a party it does not reach cannot report');
  const tooMuch = await retailer.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: demo.retailLotCode, returned: 49 }] });
  t.equal(tooMuch.status, 422, 'no more than it holds');
  t.equal(tooMuch.body.errors[0].pointer, '/lines/0/returned');
  const elsewhere = await retailer.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: demo.farmLotCodes[0], returned: 1 }] });
  t.equal(elsewhere.status, 422, 'only lots it was recorded holding');
  t.equal(elsewhere.body.errors[0].pointer, '/lines/0/lotCode');
  const reported = await retailer.post(`/recalls/${recall.id}/reports`, {
    lines: [{ lotCode: demo.retailLotCode, returned: 40, destroyed: 8 }],
    note: '下架退回',
  });
  t.equal(reported.status, 201);
  t.equal(reported.body.acknowledged, null, 'a holder is not told how many others acknowledged');
  t.equal((await regulator.get(`/recalls/${recall.id}`)).body.acknowledged, 1, 'a regulator is');
  t.equal(reported.body.holderDetails.length, 1, 'an operator sees its own line only');
  t.ok(reported.body.startedAt, 'the first acknowledgement starts the recall');
  t.strictSame(
    reported.body.progress,
    { share: 1, byUnit: [{ unit: 'piece', affected: 48, recovered: 48, share: 1 }] },
    'a holder sees its own progress, not the other holders’ stock',
  );
  t.strictSame(
    (await retailer.get('/recalls')).body.items.map((item: { progress: unknown }) => item.progress),
    [reported.body.progress],
    'in the list too',
  );
  const whole = (await regulator.get(`/recalls/${recall.id}`)).body.progress;
  // the pallet the packs were unpacked from before the recall opened is not in it
  t.match(whole.byUnit, [{ unit: 'piece', affected: 288, recovered: 48 }]);
  t.equal(whole.byUnit.length, 1, 'pieces alone: the pallet emptied before the recall is none of it');
  t.equal(whole.share, 0.166, 'a regulator: 48 of 288 pieces (rounded down)');
  t.same((await regulator.get('/recalls?overdue=true')).body.items, [], 'started: no longer overdue');
  const booked = (await regulator.get(`/events?lotCode=${demo.retailLotCode}&limit=100`)).body.items.filter((event: any) =>
    event.referenceDocuments.some((document: any) => document.type === 'recall_notice' && document.number === recall.id),
  );
  t.match(
    booked.map((event: any) => [event.type, event.partyCode, event.bizStep, event.disposition, event.lots[0].quantity]).sort(),
    [
      ['destroy', demo.parties.retailer, 'destroying', 'destroyed', 8],
      ['ship', demo.parties.retailer, 'shipping', 'returned', 40],
    ],
    'the quantities are events in the holder’s name, naming the recall',
  );
  t.equal(booked.find((event: any) => event.type === 'ship').details.toPartyCode, demo.parties.processor, 'returned to the producer');
  const sheet = (await regulator.get(`/lots/${demo.retailLotCode}/balance-sheet`)).body;
  t.match(sheet.massBalance, { destroyed: 8, unaccounted: 0 }, 'the ledger shows the destroyed packs and the books still close');
  t.ok(sheet.massBalance.inTransit >= 40, 'the returned packs are on their way back');

  const early = await regulator.post(`/recalls/${recall.id}/close`, {});
  t.equal(early.status, 409, 'not every holder has acknowledged');
  t.equal(early.body.errors[0].pointer, '/overrideReason');
  const producer = await operator(demo.parties.processor);
  t.equal((await producer.post(`/recalls/${recall.id}/close`, { overrideReason: 'x' })).status, 403, 'only a regulator overrides');

  advance(30 * 24 * HOUR);
  overdue = (await regulator.get('/recalls?overdue=true')).body.items;
  t.same(overdue[0].overdue, ['finish'], 'past 20 working days: overdue to finish');

  const closed = await regulator.post(`/recalls/${recall.id}/close`, { overrideReason: '冷库、批发商已电话确认下架' });
  t.equal(closed.status, 200);
  t.match(closed.body, { status: 'closed', overrideReason: '冷库、批发商已电话确认下架', overdue: [] });
  t.equal((await regulator.post(`/recalls/${recall.id}/close`, { overrideReason: 'again' })).status, 409, 'closed once');
  t.equal((await regulator.get(`/events/${closed.body.closeEventId}`)).body.details.phase, 'close', 'closing is in the log');
  t.same((await regulator.get('/recalls?status=open')).body.items, []);

  const report = await regulator.get(`/recalls/${recall.id}/report`);
  t.equal(report.status, 200);
  t.equal(report.body.actions.length, 1);
  t.match(report.body.actions[0], { partyCode: demo.parties.retailer, returned: 40, destroyed: 8, note: '下架退回' });
  t.ok(report.body.lots.some((lot: { code: string }) => lot.code === demo.retailLotCode));
  const page = await regulator.get(`/recalls/${recall.id}/report?format=html`);
  t.match(String(page.headers['content-type']), /text\/html/);
  t.match(page.body, '召回报告');
  t.match(page.body, '冷库、批发商已电话确认下架');
  t.match(page.body, '下架退回');
});

t.test(
  'a holder that did not open the recall reads the recall and its own part of it, no count or list of the others’ stock',
  async (t) => {
    const { demo, regulator, operator, ok, advance } = await demoWorld(t);
    const recall = await ok(
      regulator.post('/recalls', { lotCodes: [demo.farmLotCodes[0]], level: 1, reason: '瘦肉精 检出', hazard: '克伦特罗残留超标' }),
    );
    const shop = demo.parties.retailer;
    const others = recall.holderDetails.map((holder: { partyCode: string }) => holder.partyCode).filter((code: string) => code !== shop);
    t.ok(others.length >= 4 && recall.scope.lots > 1, 'the recall reaches the shop and four more holders, across several lots');
    const retailer = await operator(shop);
    const ownLine = { lotCode: demo.retailLotCode, unit: 'piece', affected: 48, returned: 0, destroyed: 0 };
    const withheld = { holders: null, acknowledged: null };
    const counts = (view: { holders: unknown; acknowledged: unknown }) => ({ holders: view.holders, acknowledged: view.acknowledged });

    const seen = (await retailer.get(`/recalls/${recall.id}`)).body;
    t.match(
      seen,
      { id: recall.id, partyCode: recall.partyCode, reason: '瘦肉精 检出', hazard: '克伦特罗残留超标', status: 'open', level: 1 },
      'the shop reads what is recalled, why, and where it stands',
    );
    t.same(seen.rootLotCodes, [demo.farmLotCodes[0]]);
    t.strictSame(counts(seen), withheld, 'not how many parties hold the scope, nor how many acknowledged');
    t.equal(seen.scope, null, 'nor how many lots, containers and pack codes the whole scope holds');
    t.match(seen.holderDetails, [{ partyCode: shop, acknowledgedAt: null, lines: [ownLine] }], 'its own holding and acknowledgement');
    t.equal(seen.holderDetails.length, 1);

    advance(25 * 3_600_000);
    for (const path of ['/recalls', '/recalls?limit=1&offset=0', '/recalls?status=open', '/recalls?overdue=true']) {
      const items = (await retailer.get(path)).body.items;
      t.same(
        items.map((item: { id: string; holders: unknown; acknowledged: unknown }) => [item.id, counts(item)]),
        [[recall.id, withheld]],
        `${path}: the same in the list`,
      );
    }

    const reported = await ok(retailer.post(`/recalls/${recall.id}/reports`, {}));
    t.strictSame([counts(reported), reported.scope], [withheld, null], 'nor in the answer to its report');
    t.ok(reported.holderDetails[0].acknowledgedAt, 'which shows its own acknowledgement');

    const report = (await retailer.get(`/recalls/${recall.id}/report`)).body;
    t.strictSame([counts(report.recall), report.recall.scope], [withheld, null], 'the final report’s recall the same');
    t.same(
      report.lots.map((lot: { code: string; itemCount: unknown }) => [lot.code, lot.itemCount]),
      [[demo.retailLotCode, null]],
      'its lots: the one it holds, without the pack codes its owner issued for the whole lot',
    );
    t.same(
      report.actions.map((action: { partyCode: string }) => action.partyCode),
      [shop],
      'and its own actions',
    );
    const page: string = (await retailer.get(`/recalls/${recall.id}/report?format=html`)).body;
    t.match(page, demo.retailLotCode);
    // the processor, a holder too, is named only as the owner of the lot the shop holds, as that lot's own view names it
    t.match(page, demo.parties.processor);
    for (const code of others.filter((code: string) => code !== demo.parties.processor))
      t.notMatch(page, code, `the printable report names no other holder (${code})`);
    const wholeScope = (await regulator.get(`/recalls/${recall.id}/report`)).body.lots.map((lot: { code: string }) => lot.code);
    t.ok(wholeScope.length > 1);
    for (const code of wholeScope.filter((code: string) => code !== demo.retailLotCode))
      t.notMatch(page, code, `nor any lot of the scope it does not hold (${code})`);
    const csv = await retailer.get(`/recalls/${recall.id}/scope?format=csv`);
    t.equal(csv.status, 403, 'the scope CSV is for regulators and the party that opened the recall');

    const whole = (await regulator.get(`/recalls/${recall.id}`)).body;
    t.same([whole.holders, whole.acknowledged], [others.length + 1, 1], 'a regulator still sees every holder counted');
    t.equal(whole.scope.items, 300);
  },
);

t.test('overdue recalls are chosen before the page limit: newer open recalls do not hide the oldest late one', async (t) => {
  const { demo, regulator, ok, advance, freshLot } = await demoWorld(t);
  const open = async (level: number) =>
    ok(regulator.post('/recalls', { lotCodes: [demo.retailLotCode, await freshLot()], level, reason: '标签错误', hazard: '过敏原未标示' }));
  const late = await open(1);
  advance(25 * HOUR);
  const newer = [await open(3)];
  advance(HOUR);
  newer.push(await open(3));
  const page = (await regulator.get('/recalls?status=open&limit=2')).body.items;
  t.same(
    page.map((recall: { id: string }) => recall.id),
    [newer[1].id, newer[0].id],
    'a page of two open recalls holds the two newest',
  );
  const overdue = (await regulator.get('/recalls?overdue=true&limit=2')).body.items;
  t.same(
    overdue.map((recall: { id: string; overdue: string[] }) => [recall.id, recall.overdue]),
    [[late.id, ['start']]],
    'the level-1 recall not started within 24 h is listed though older than the page',
  );
  t.same(
    (await regulator.get('/recalls?overdue=true&status=closed')).body.items,
    [],
    'a closed recall is late for nothing: overdue closed ones are none, not the open ones',
  );
  t.same(
    (await regulator.get('/recalls?overdue=true&status=open')).body.items.map((recall: { id: string }) => recall.id),
    [late.id],
  );
  t.same(
    (await regulator.get('/recalls?overdue=false')).body.items.map((recall: { id: string; overdue: string[] }) => [
      recall.id,
      recall.overdue,
    ]),
    [
      [newer[1].id, []],
      [newer[0].id, []],
    ],
    'overdue=false lists those late for nothing, not every recall',
  );
});

t.test('recalls page with limit and offset, in one stable order also for recalls opened at the same moment', async (t) => {
  const { demo, regulator, ok, advance, freshLot } = await demoWorld(t);
  const open = async () =>
    ok(
      regulator.post('/recalls', {
        lotCodes: [demo.retailLotCode, await freshLot()],
        level: 3,
        reason: '标签错误',
        hazard: '过敏原未标示',
      }),
    );
  const opened = [await open()];
  advance(HOUR);
  opened.push(await open(), await open(), await open());
  const all = (await regulator.get('/recalls')).body.items.map((recall: { id: string }) => recall.id);
  t.same([...all].sort(), opened.map((recall: { id: string }) => recall.id).sort(), 'every recall listed');
  t.equal(all.at(-1), opened[0].id, 'the oldest last');
  const pages = [];
  for (let offset = 0; offset < 5; offset += 2) pages.push(...(await regulator.get(`/recalls?limit=2&offset=${offset}`)).body.items);
  t.same(
    pages.map((recall: { id: string }) => recall.id),
    all,
    'pages of two follow one another without repeats or gaps',
  );
  t.same((await regulator.get('/recalls?offset=4')).body.items, [], 'past the end: none');
  const bad = await regulator.get('/recalls?offset=-1');
  t.equal(bad.status, 400);
  t.match(bad.body.errors, [{ in: 'querystring', pointer: '/offset' }]);
  for (const level of [4, 0, '1', 1.5]) {
    const refused = await regulator.post('/recalls', { lotCodes: [demo.retailLotCode], level, reason: '标签错误', hazard: '过敏原未标示' });
    t.equal(refused.status, 400, `level ${JSON.stringify(level)}`);
    t.match(refused.body.errors, [{ in: 'body', pointer: '/level', detail: 'must be 1 (一级), 2 (二级) or 3 (三级)' }]);
  }
});

t.test('closing with every acknowledgement needs no override; the producer may recall its own lot', async (t) => {
  const { demo, regulator, operator } = await demoWorld(t);
  const producer = await operator(demo.parties.processor);
  const other = await operator(demo.parties.coldStore);
  t.equal(
    (await other.post('/recalls', { lotCodes: [demo.retailLotCode], level: 3, reason: 'r', hazard: 'h' })).status,
    403,
    'not the owner',
  );
  const recall = (await producer.post('/recalls', { lotCodes: [demo.retailLotCode], level: 3, reason: '标签错误', hazard: '过敏原未标示' }))
    .body;
  t.equal(recall.partyCode, demo.parties.processor);
  t.equal(recall.holderDetails.length, 3, 'the producer that opened it sees every holder');
  t.strictSame(
    recall.progress.byUnit,
    [{ unit: 'piece', affected: 288, recovered: 0, share: 0 }],
    'and what all of them hold (not the pallet emptied before the recall)',
  );
  const byHolder = await other.post(`/recalls/${recall.id}/close`, {});
  t.equal(byHolder.status, 403, 'a holder may not close it');
  t.equal(
    byHolder.body.detail,
    `only a regulator or ${demo.parties.processor}, which opened it, may close recall ${recall.id}`,
    'and is not told whose acknowledgements it waits for',
  );
  for (const holder of [demo.parties.coldStore, demo.parties.distributor, demo.parties.retailer]) {
    t.equal((await (await operator(holder)).post(`/recalls/${recall.id}/reports`, {})).status, 201, `${holder} acknowledges`);
  }
  const closed = await producer.post(`/recalls/${recall.id}/close`, {});
  t.equal(closed.status, 200);
  t.match(closed.body, { status: 'closed', overrideReason: null, acknowledged: 3 });
  t.equal((await other.get(`/recalls/${recall.id}`)).status, 200, 'a holder reads it');
  t.equal((await other.post(`/recalls/${recall.id}/reports`, {})).status, 409, 'no reports once closed');
  t.same(
    (await other.get('/recalls')).body.items.map((item: { id: string }) => item.id),
    [recall.id],
    'an operator lists the recalls that reach it',
  );
  t.same((await (await operator(demo.parties.farm1)).get('/recalls')).body.items, [], 'and no others');
  t.equal((await (await operator(demo.parties.farm1)).get(`/recalls/${recall.id}`)).status, 403, 'a party it did not reach does not');
  t.equal((await regulator.get('/recalls/nope')).status, 404);
});

t.test('the producer and every past holder of a lot in a recall’s scope read the recall, and no one else', async (t) => {
  const world = await createWorld(t);
  const regulator = await world.partyRegulator();
  const producer = await world.party('farm');
  const trader = await world.party('distributor');
  const shop = await world.party('retailer');
  const stranger = await world.party('processor');
  const lot = await producer.commission(await producer.product('kg'), 10);
  // every kilogram leaves the producer, then the trader: the shop alone holds the lot when it is recalled
  await world.handOver(producer, trader, lot);
  await world.handOver(trader, shop, lot);
  const recall = await world.ok(
    regulator.post('/recalls', { lotCodes: [lot], level: 1, reason: '瘦肉精 检出', hazard: '克伦特罗残留超标' }),
  );
  t.same(
    recall.holderDetails.map((holder: { partyCode: string }) => holder.partyCode),
    [shop.code],
    'the shop is the one holder',
  );

  for (const [name, party] of [
    ['the producer, which holds none of it any more', producer],
    ['a trader that held it and passed it on', trader],
  ] as const) {
    const listed = (await party.api.get('/recalls')).body.items;
    t.same(
      listed.map((item: { id: string }) => item.id),
      [recall.id],
      `${name} lists the recall`,
    );
    t.match(listed[0], { rootLotCodes: [lot], holders: null, acknowledged: null }, `${name} sees no count of holders`);
    const read = await party.api.get(`/recalls/${recall.id}`);
    t.equal(read.status, 200, `${name} reads it`);
    t.match(
      read.body,
      { reason: '瘦肉精 检出', hazard: '克伦特罗残留超标', level: 1, holders: null, acknowledged: null, scope: null, holderDetails: [] },
      `${name} reads what is recalled and why, and none of the holders`,
    );
    t.same(read.body.progress.byUnit, [], `${name} has no holding of its own to recover`);
    const report = await party.api.get(`/recalls/${recall.id}/report`);
    t.equal(report.status, 200, `${name} reads the final report`);
    t.same(
      report.body.lots.map((line: { code: string }) => line.code),
      [lot],
      `${name} finds there the lot it made or held`,
    );
    t.same(report.body.actions, [], `${name} sees no other holder's actions`);
    t.equal((await party.api.get(`/recalls/${recall.id}/scope?format=csv`)).status, 403, `${name} does not export the scope`);
    t.equal((await party.api.post(`/recalls/${recall.id}/reports`, {})).status, 403, `${name} is no holder to report`);
  }
  t.equal(
    (await producer.api.get(`/recalls/${recall.id}/report`)).body.lots[0].itemCount,
    0,
    'the producer counts the pack codes of its own lot',
  );
  t.equal((await trader.api.get(`/recalls/${recall.id}/report`)).body.lots[0].itemCount, null, 'a trader does not');

  t.same((await stranger.api.get('/recalls')).body.items, [], 'a party that never had the lot lists no recall');
  t.equal((await stranger.api.get(`/recalls/${recall.id}`)).status, 403, 'nor reads it');
  t.equal((await stranger.api.get(`/recalls/${recall.id}/report`)).status, 403, 'nor its report');
});

t.test('the scope CSV quotes a contact a spreadsheet would run as a formula, tab and carriage return first included', async (t) => {
  const world = await createWorld(t);
  const producer = await world.party('processor');
  const lot = await producer.commission(await producer.product('kg'), 10);
  const contact = { person: '\t=HYPERLINK("https://x.example","罗静")', phone: '\r=1+1' };
  const shop = await world.ok(
    world.admin.post('/parties', { kind: 'retailer', name: '-2+3 超市', uscc: randomUscc(), regionCode: '500236', contact: {} }),
  );
  // a contact no request gives any more (a leading tab or carriage return is trimmed away, one within
  // refused), as one stored before may hold it
  await queryRows(world.database.db, sql`update parties set contact = ${JSON.stringify(contact)}::jsonb where code = ${shop.code}`);
  await producer.ship({ code: shop.code }, [{ lotCode: lot, quantity: 4 }]);
  const recall = await world.ok(producer.api.post('/recalls', { lotCodes: [lot], level: 3, reason: '标签错误', hazard: '过敏原未标示' }));
  // a regulator's export: the producer does not see the contact of a shop that has not received anything from it
  const csv = await world.regulator.get(`/recalls/${recall.id}/scope?format=csv`);
  const header = csv.body.slice(1).split('\r\n')[0].split(',');
  const cell = (name: string) => header.indexOf(name);
  // the contact person holds a quote and a comma: the row is read as RFC 4180 quotes it
  const row = csv.body.split('\r\n').find((line: string) => line.startsWith('in_transit,'));
  t.ok(row, 'the shipment on the road is a row');
  const cells = [...(row as string).matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((match) => match[1]);
  const unquoted = (value: string) => (value.startsWith('"') ? value.slice(1, -1).replace(/""/g, '"') : value);
  t.equal(unquoted(cells[cell('holder_name')]), "'-2+3 超市", 'a name starting with - is text');
  t.equal(unquoted(cells[cell('contact_person')]), `'${contact.person}`, 'a tab before = does not make a formula');
  t.equal(unquoted(cells[cell('contact_phone')]), `'${contact.phone}`, 'nor a carriage return');
});

t.test('the final report and the scope CSV are sent as the OpenAPI document declares them', async (t) => {
  const world = await createWorld(t);
  const producer = await world.party('farm');
  const lot = await producer.commission(await producer.product('kg'), 10);
  const document = await servedOpenApi(world.app);
  const recall = await world.ok(producer.api.post('/recalls', { lotCodes: [lot], level: 3, reason: '标签错误', hazard: '过敏原未标示' }));

  const report = await producer.api.get(`/recalls/${recall.id}/report`);
  sentAsDeclared(t, document, ['GET', '/recalls/{id}/report'], report, 200);
  t.equal(report.body.recall.id, recall.id, 'the report as JSON');
  const page = await producer.api.get(`/recalls/${recall.id}/report?format=html`);
  sentAsDeclared(t, document, ['GET', '/recalls/{id}/report'], page, 200);
  t.equal(page.headers['content-security-policy'], PAGE_HEADERS['content-security-policy'], 'the page loads nothing, nor is it framed');
  t.equal(page.headers['x-content-type-options'], 'nosniff');
  const reportContent = document.paths['/recalls/{id}/report'].get.responses['200'].content;
  t.same(reportContent?.['text/html'].schema, { type: 'string' }, 'the page is declared as the text it is');

  const scope = await producer.api.get(`/recalls/${recall.id}/scope?format=csv`);
  sentAsDeclared(t, document, ['GET', '/recalls/{id}/scope'], scope, 200);
  t.ok(document.paths['/recalls/{id}/scope'].get.responses['200'].content?.['text/csv'], 'declared as CSV');
  const unknown = await producer.api.get('/recalls/0190e2a4-0000-7000-8000-000000000000/scope');
  sentAsDeclared(t, document, ['GET', '/recalls/{id}/scope'], unknown, 404);
});

t.test('a recall is opened with the Location the OpenAPI document declares, and it leads to the recall', async (t) => {
  const world = await createWorld(t);
  const producer = await world.party('farm');
  const lot = await producer.commission(await producer.product('kg'), 10);
  const document = await servedOpenApi(world.app);
  const opened = await producer.api.post('/recalls', { lotCodes: [lot], level: 3, reason: '标签错误', hazard: '过敏原未标示' });
  sentAsDeclared(t, document, ['POST', '/recalls'], opened, 201);
  t.ok(document.paths['/recalls'].post.responses['201'].headers?.Location, 'Location declared');
  t.equal(opened.headers.location, `/recalls/${opened.body.id}`);
  expectStatus(t, await producer.api.get(String(opened.headers.location)), 200, 'the recall, at its Location');
});

t.test('a holder’s address and contact are shown as the party directory shows them: not for a shipment still on its way', async (t) => {
  const world = await createWorld(t);
  const distributor = await world.party('distributor');
  const registered = async (kind: string, name: string, address: string, contact: { person: string; phone: string }) => {
    const party = await world.ok(world.admin.post('/parties', { kind, name, uscc: randomUscc(), regionCode: '500236', address, contact }));
    const { key } = await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: party.code }));
    return { code: party.code as string, api: client(world.app, key) };
  };
  const farm = await registered('farm', '奉节县高山生态养殖场', '重庆市奉节县草堂镇石马村5组', { person: '谭明芳', phone: '023-56552318' });
  const shop = await registered('retailer', '奉节县永安超市', '重庆市奉节县永安街道8号', { person: '周敏', phone: '023-63710826' });
  const lot = await distributor.commission(await distributor.product('kg'), 10);
  // a gram sent to a farm it never dealt with, not received; two kilograms the shop received
  await distributor.ship(farm, [{ lotCode: lot, quantity: 0.001 }]);
  const toShop = await distributor.ship(shop, [{ lotCode: lot, quantity: 2 }]);
  await world.ok(shop.api.post('/events', { type: 'receive', eventTime: at(500), shipmentId: toShop }));
  const recall = await world.ok(distributor.api.post('/recalls', { lotCodes: [lot], level: 3, reason: 'r', hazard: 'h' }));

  const holder = (view: { holderDetails: { partyCode: string }[] }, code: string) =>
    view.holderDetails.find((line) => line.partyCode === code);
  t.match(
    holder(recall, farm.code),
    { name: '奉节县高山生态养殖场', address: null, contact: null, lines: [{ lotCode: lot, affected: 0.001 }] },
    'the farm the gram is on its way to is named, with what it is sent, but not where it is nor whom to call',
  );
  t.match(
    holder(recall, shop.code),
    { address: '重庆市奉节县永安街道8号', contact: { person: '周敏', phone: '023-63710826' } },
    'a trading partner is shown in full',
  );
  t.same(holder((await distributor.api.get(`/recalls/${recall.id}`)).body, farm.code), holder(recall, farm.code), 'read again, the same');
  const inTrace = (await distributor.api.get(`/trace/${lot}?direction=forward`)).body.parties.find(
    (party: { code: string }) => party.code === farm.code,
  );
  t.match(inTrace, { address: null, contact: null }, 'as the trace shows the farm');
  t.match(
    holder((await world.regulator.get(`/recalls/${recall.id}`)).body, farm.code),
    { address: '重庆市奉节县草堂镇石马村5组', contact: { person: '谭明芳', phone: '023-56552318' } },
    'a regulator sees every holder in full',
  );
  t.match(
    (await farm.api.get(`/recalls/${recall.id}`)).body.holderDetails,
    [{ partyCode: farm.code, address: '重庆市奉节县草堂镇石马村5组', contact: { person: '谭明芳' } }],
    'and the farm itself its own line',
  );
  const report = await distributor.api.get(`/recalls/${recall.id}/report?format=html`);
  t.notMatch(report.body, '023-56552318', 'nor does the printable report show the farm’s phone');
  t.match(report.body, '023-63710826');

  const rowsOf = async (api: Client) => {
    const csv: string = (await api.get(`/recalls/${recall.id}/scope?format=csv`)).body;
    const [header, ...rows] = csv
      .slice(1)
      .trim()
      .split('\r\n')
      .map((line) => line.split(','));
    return rows.map((cells) => Object.fromEntries(cells.map((cell, index) => [header[index], cell])));
  };
  const contactsIn = (rows: Record<string, string>[]) =>
    rows
      .filter((row) => row.holder === farm.code || row.holder === shop.code)
      .map((row) => [row.type, row.holder_name, row.contact_person, row.contact_phone])
      .sort();
  t.same(
    contactsIn(await rowsOf(distributor.api)),
    [
      ['holding', '奉节县永安超市', '周敏', '023-63710826'],
      ['in_transit', '奉节县高山生态养殖场', '', ''],
    ],
    'the scope CSV leaves the contact of the row in transit empty',
  );
  t.same(
    contactsIn(await rowsOf(world.regulator)),
    [
      ['holding', '奉节县永安超市', '周敏', '023-63710826'],
      ['in_transit', '奉节县高山生态养殖场', '谭明芳', '023-56552318'],
    ],
    'a regulator’s export has it',
  );
});

t.test('a producer holding its own recalled lot destroys it; returning it to itself is refused', async (t) => {
  const { database, demo, regulator, operator } = await demoWorld(t);
  const bulk = (await createRepositories(database).lots.findByLotNumber(
    demo.parties.processor,
    demo.retailLotNumber.replace(/-500G$/, ''),
  )) as { code: string };
  const recall = (await regulator.post('/recalls', { lotCodes: [bulk.code], level: 1, reason: '亚硝酸盐超标', hazard: '亚硝酸盐' })).body;
  const own = recall.holderDetails
    .find((holder: { partyCode: string }) => holder.partyCode === demo.parties.processor)
    .lines.find((line: { lotCode: string }) => line.lotCode === bulk.code);
  t.ok(own.affected > 0, 'the processor still holds some of its bulk lot');
  const producer = await operator(demo.parties.processor);
  const toSelf = await producer.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: bulk.code, returned: own.affected }] });
  t.equal(toSelf.status, 422, 'nobody to return it to');
  t.equal(toSelf.body.errors[0].pointer, '/lines/0/returned');
  const destroyed = await producer.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: bulk.code, destroyed: own.affected }] });
  t.equal(destroyed.status, 201);
  const sheet = (await regulator.get(`/lots/${bulk.code}/balance-sheet`)).body;
  t.match(sheet.massBalance, { destroyed: own.affected, onHand: 0, unaccounted: 0 }, 'destroyed in the ledger; the books close');
  t.equal((await regulator.get(`/lots/${bulk.code}`)).body.status, 'destroyed', 'nothing of it is left');
});

t.test('a holder’s reported return or destruction is not corrected: the recall’s reports and the ledger keep agreeing', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const lot = await plant.commission(await plant.product('kg'), 10);
  await world.handOver(plant, shop, lot, 6);
  const recall = await world.ok(plant.api.post('/recalls', { lotCodes: [lot], level: 3, reason: '抽检不合格', hazard: '菌落总数超标' }));
  await world.ok(shop.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: lot, destroyed: 4, returned: 2 }] }));
  const reported = (await shop.api.get(`/events?lotCode=${lot}`)).body.items.filter((event: { referenceDocuments: { type: string }[] }) =>
    event.referenceDocuments.some((document) => document.type === 'recall_notice'),
  );
  t.same(reported.map((event: { type: string }) => event.type).sort(), ['destroy', 'ship'], 'the report booked a destruction and a return');
  for (const event of reported) {
    const refused = expectStatus(
      t,
      await shop.event({ type: 'correction', correctsEventId: event.id, reason: '报错了' }),
      409,
      `the ${event.type} the report booked is not corrected`,
    );
    t.match(refused.body, { detail: new RegExp(`recall ${recall.id}`), errors: [{ pointer: '/correctsEventId' }] });
  }
  t.match((await shop.api.get(`/lots/${lot}`)).body.massBalance, { destroyed: 4, shipped: 2, onHand: 0 }, 'the ledger as reported');
  t.match(
    (await plant.api.get(`/recalls/${recall.id}`)).body.holderDetails.find(
      (holder: { partyCode: string }) => holder.partyCode === shop.code,
    ),
    { lines: [{ lotCode: lot, affected: 6, returned: 2, destroyed: 4 }] },
    'and the recall as reported',
  );
  // a destruction the holder records itself, outside the recall's reports, is corrected as any event is,
  // whatever it says of the recall
  const own = await world.ok(
    shop.event({
      type: 'destroy',
      reason: '过期',
      lines: [{ lotCode: await shop.commission(await shop.product('kg'), 5), quantity: 1 }],
      referenceDocuments: [{ type: 'recall_notice', number: recall.id }],
    }),
  );
  expectStatus(t, await shop.event({ type: 'correction', correctsEventId: own.event.id, reason: '报错了' }), 201, 'its own destruction');
});

t.test('opening marks each lot of the scope as its ledger says, records who holds what as it stands, and the audit verifies', async (t) => {
  const { demo, regulator, ok } = await demoWorld(t);
  const recall = await ok(regulator.post('/recalls', { lotCodes: [demo.farmLotCodes[0]], level: 1, reason: '疫病', hazard: '非洲猪瘟' }));
  const { lots } = (await regulator.get(`/recalls/${recall.id}/report`)).body;
  const affected = new Map<string, number>();
  for (const holder of recall.holderDetails) {
    for (const line of holder.lines) affected.set(line.lotCode, (affected.get(line.lotCode) ?? 0) + line.affected);
  }
  const ended: string[] = [];
  for (const { code } of lots) {
    const lot = (await regulator.get(`/lots/${code}`)).body;
    const remaining = lot.massBalance.onHand + lot.massBalance.inTransit;
    if (remaining > 0) t.equal(lot.status, 'recalled', `${code} has stock: recalled`);
    else if (lot.status !== 'recalled') ended.push(`${code}:${lot.status}`);
    t.equal(affected.get(code) ?? 0, remaining, `${code}: the holdings recorded are what is on hand and on the road`);
  }
  t.ok(ended.length > 0, 'lots used up before the recall keep how they ended');
  t.ok(
    ended.every((entry) => /:(consumed|sold|destroyed)$/.test(entry)),
    ended.join(', '),
  );
  const event = (await regulator.get(`/events/${recall.eventId}`)).body;
  t.same(
    event.lots.map((lot: { lotCode: string }) => lot.lotCode).sort(),
    lots.map((lot: { code: string }) => lot.code).sort(),
    'the recall event names every lot of the scope',
  );
  t.ok((await regulator.get('/audit/verify')).body.ok, 'and its audit entry verifies from the stored rows');
});

t.test('RECALL_DEADLINES: an app built with other numbers gives its recalls those due times, and says when they are late', async (t) => {
  // Monday 2026-11-30 10:00 in Beijing
  let clock = new Date('2026-11-30T02:00:00Z');
  const recallDeadlines = loadConfig({ RECALL_DEADLINES: '1=6h/3d,2=12h/5d' }).RECALL_DEADLINES;
  const world = await createWorld(t, undefined, { now: () => clock, recallDeadlines });
  const plant = await world.party('slaughterhouse');
  const lot = await plant.commission(await plant.product('kg'), 100);
  const recall = await world.ok(plant.api.post('/recalls', { lotCodes: [lot], level: 2, reason: '抽检不合格', hazard: '瘦肉精超标' }));
  t.equal(recall.openedAt, '2026-11-30T02:00:00.000Z');
  t.equal(recall.startDueAt, '2026-11-30T14:00:00.000Z', 'level 2 starts within the configured 12 h, not 48 h');
  t.equal(recall.finishDueAt, '2026-12-07T02:00:00.000Z', 'and finishes within 5 working days (a weekend skipped), not 20');
  const listed = (await world.regulator.get('/recalls?status=open')).body.items;
  t.match(listed, [{ id: recall.id, startDueAt: '2026-11-30T14:00:00.000Z', finishDueAt: '2026-12-07T02:00:00.000Z' }]);

  clock = new Date('2026-11-30T15:00:00Z');
  t.match((await world.regulator.get('/recalls?overdue=true')).body.items, [{ id: recall.id, overdue: ['start'] }], 'late after 13 h');
});

t.test('a case holding a recalled lot goes back to its producer, and nowhere towards consumers', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const shop = await world.party('retailer');
  const lot = await farm.commission(await farm.product('piece'), 10);
  const packed = await world.ok(farm.event({ type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 6 }] }));
  const box = packed.createdLotCodes[0] as string;
  await world.handOver(farm, shop, box);
  const recall = await farm.api.post('/recalls', { lotCodes: [lot], level: 2, reason: '标签错误', hazard: '过敏原未标示' });
  t.equal(recall.status, 201, 'the producer recalls its lot');
  const sold = await shop.event({ type: 'sell', lines: [{ lotCode: box }] });
  t.equal(sold.status, 422, 'the shop does not sell the case');
  t.match(sold.body.detail, `is recalled (recall ${recall.body.id}); nobody may sell it`);
  const back = await shop.event({ type: 'ship', toPartyCode: farm.code, lines: [{ lotCode: box }] });
  t.equal(back.status, 201, 'it ships the case back to the farm');
  t.match(await farm.receive(back.body.shipmentId), { event: { type: 'receive', partyCode: farm.code } }, 'and the farm receives it');
});

t.test('a quantity finer than its lot’s unit allows is refused at the report’s own field, returned or destroyed', async (t) => {
  const { demo, regulator, operator } = await demoWorld(t);
  const recall = (
    await regulator.post('/recalls', { lotCodes: [demo.retailLotCode], level: 2, reason: '包装破损', hazard: '微生物污染风险' })
  ).body;
  const retailer = await operator(demo.parties.retailer);
  for (const [line, pointer] of [
    [{ lotCode: demo.retailLotCode, destroyed: 1.5 }, '/lines/0/destroyed'],
    [{ lotCode: demo.retailLotCode, returned: 2, destroyed: 0.25 }, '/lines/0/destroyed'],
    [{ lotCode: demo.retailLotCode, returned: 0.5 }, '/lines/0/returned'],
  ] as const) {
    const refused = await retailer.post(`/recalls/${recall.id}/reports`, { lines: [line] });
    t.equal(refused.status, 400, JSON.stringify(line));
    t.strictSame(
      refused.body.errors,
      [{ in: 'body', pointer, detail: 'must be a whole number of piece' }],
      `${JSON.stringify(line)}: the field named`,
    );
  }
  const second = await retailer.post(`/recalls/${recall.id}/reports`, {
    lines: [
      { lotCode: demo.retailLotCode, destroyed: 1 },
      { lotCode: demo.retailLotCode, returned: 1.5 },
    ],
  });
  t.equal(second.status, 400, 'the second line');
  t.equal(second.body.errors[0].pointer, '/lines/1/returned', 'named by its index');
  t.equal((await regulator.get(`/recalls/${recall.id}`)).body.acknowledged, 0, 'nothing recorded');
});

t.test('GET /recalls: each recall summed up as its own view sums it, for every reader, page by page', async (t) => {
  const { demo, regulator, operator, ok, advance, freshLot } = await demoWorld(t);
  const processor = await operator(demo.parties.processor);
  const retailer = await operator(demo.parties.retailer);
  const bulk = await ok(regulator.post('/recalls', { lotCodes: [demo.farmLotCodes[0]], level: 1, reason: '瘦肉精', hazard: '克伦特罗' }));
  advance(60_000);
  // the retail lot is in the first recall's scope: with a lot of the processor's that no recall reaches yet
  const retail = await ok(
    processor.post('/recalls', { lotCodes: [demo.retailLotCode, await freshLot()], level: 3, reason: '标签错误', hazard: '过敏原未标' }),
  );
  advance(60_000);
  await ok(regulator.post('/recalls', { lotCodes: [demo.farmLotCodes[1]], level: 2, reason: '检疫', hazard: '疫病' }));
  // recovered in part, one holder acknowledged
  await ok(retailer.post(`/recalls/${retail.id}/reports`, { lines: [{ lotCode: demo.retailLotCode, returned: 10, destroyed: 5 }] }));
  await ok(retailer.post(`/recalls/${bulk.id}/reports`, {}));
  const held = bulk.holderDetails.find((holder: { partyCode: string }) => holder.partyCode === demo.parties.processor);
  const line = held.lines.find((each: { affected: number }) => each.affected > 1);
  await ok(processor.post(`/recalls/${bulk.id}/reports`, { lines: [{ lotCode: line.lotCode, destroyed: 1 }] }));
  advance(30 * HOUR);

  const summaryOf = ({
    eventId: _e,
    closeEventId: _c,
    scope: _s,
    holderDetails: _h,
    returns: _r,
    soldBeforeRecall: _b,
    scans: _n,
    ...summary
  }: Record<string, unknown>) => summary;
  for (const [who, reader] of [
    ['regulator', regulator],
    ['the processor, which opened one and holds others', processor],
    ['the retailer, a holder', retailer],
  ] as const) {
    const all = (await reader.get('/recalls')).body.items as { id: string }[];
    t.ok(all.length >= 2, `${who}: reads several`);
    const views = [];
    for (const { id } of all) views.push(summaryOf((await reader.get(`/recalls/${id}`)).body));
    t.strictSame(all, views, `${who}: each as its own view has it`);
    const paged = [];
    for (let offset = 0; offset <= all.length; offset++) {
      const page = (await reader.get(`/recalls?limit=1&offset=${offset}`)).body.items;
      t.equal(page.length, offset < all.length ? 1 : 0, `${who}: page ${offset}`);
      paged.push(...page);
    }
    t.strictSame(paged, all, `${who}: page by page, the same`);
    const open = (await reader.get('/recalls?status=open&overdue=true')).body.items;
    t.strictSame(
      open,
      all.filter((item) => (item as unknown as { overdue: string[] }).overdue.length > 0),
      `${who}: filtered, the same`,
    );
  }
  const counted = (await regulator.get(`/recalls?limit=3`)).body.items.find((item: { id: string }) => item.id === bulk.id);
  t.equal(counted.acknowledged, 2, 'two holders acknowledged');
  t.ok(counted.progress.share > 0 && counted.progress.share < 1, 'recovered in part');
});

t.test('a party whose receipt of a lot and its shipment were both declared in error reads neither the lot nor its recall', async (t) => {
  const world = await createWorld(t);
  const regulator = await world.partyRegulator();
  const farm = await world.party('farm');
  const shop = await world.party('retailer');
  const elsewhere = await world.party('retailer');
  const lot = await farm.commission(await farm.product('kg'), 10);
  // sent to the wrong shop, which booked it in: the receipt, then the shipment, are declared in error
  const shipped = await world.ok(farm.event({ type: 'ship', toPartyCode: shop.code, lines: [{ lotCode: lot }] }));
  const received = await shop.receive(shipped.shipmentId);
  await world.ok(shop.event({ type: 'correction', correctsEventId: received.event.id, reason: '收错了' }));
  t.equal((await shop.api.get(`/lots/${lot}`)).status, 200, 'while the shipment stands, the shop it was sent to reads the lot');
  await world.ok(farm.event({ type: 'correction', correctsEventId: shipped.event.id, reason: '发错了' }));
  // and a lot only sent, the shipment then declared in error before any receipt
  const other = await farm.commission(await farm.product('kg'), 10);
  const sent = await world.ok(farm.event({ type: 'ship', toPartyCode: elsewhere.code, lines: [{ lotCode: other }] }));
  await world.ok(farm.event({ type: 'correction', correctsEventId: sent.event.id, reason: '发错了' }));

  const recall = await world.ok(regulator.post('/recalls', { lotCodes: [lot, other], level: 1, reason: '检出', hazard: '超标' }));
  for (const [name, party, code] of [
    ['the shop whose receipt and shipment were declared in error', shop, lot],
    ['a shop only sent a shipment declared in error', elsewhere, other],
  ] as const) {
    t.equal((await party.api.get(`/lots/${code}`)).status, 403, `${name} does not read the lot`);
    t.same((await party.api.get('/recalls')).body.items, [], `${name} lists no recall`);
    t.equal((await party.api.get(`/recalls/${recall.id}`)).status, 403, `${name} does not read it`);
  }
  t.equal((await farm.api.get(`/recalls/${recall.id}`)).status, 200, 'the producer does');
});

t.test('a recall of a pallet recalls what is packed on it, case by case, with their forward chains, also once unpacked', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const shop = await world.party('retailer');
  const piece = await farm.product('piece');
  const [apples, pears, loose] = [await farm.commission(piece, 10), await farm.commission(piece, 4), await farm.commission(piece, 3)];
  const firstCase = await farm.pack([{ lotCode: apples, quantity: 6 }]);
  const secondCase = await farm.pack([{ lotCode: pears }]);
  const pallet = await farm.pack([{ lotCode: firstCase }, { lotCode: secondCase }]);
  // made of the apples left loose with the farm: forward of a lot on the pallet, though not on it
  const [juice] = await farm.transform([{ lotCode: apples, quantity: 4 }], [{ productCode: piece, quantity: 4 }]);
  await world.handOver(farm, shop, pallet);

  const opened = expectStatus(
    t,
    await farm.api.post('/recalls', { lotCodes: [pallet], level: 2, reason: '农残超标', hazard: '毒死蜱' }),
    201,
    'the farm recalls its pallet',
  );
  const recall = opened.body;
  t.same(recall.rootLotCodes, [pallet], 'the pallet stays the recall’s root');
  t.same(recall.scope, { lots: 3, containers: 3, items: 0 }, 'the lots in its cases, and what was made of them, are in its scope');
  const report = (await world.ok(farm.api.get(`/recalls/${recall.id}/report`), 200)).lots;
  t.same(
    report.map((lot: { code: string }) => lot.code).sort(),
    [apples, pears, juice, pallet, firstCase, secondCase].sort(),
    'the final report lists them',
  );
  t.notOk(
    report.some((lot: { code: string }) => lot.code === loose),
    'a lot of the farm’s never on the pallet is not',
  );
  const lines = (partyCode: string) =>
    recall.holderDetails
      .find((holder: { partyCode: string }) => holder.partyCode === partyCode)
      .lines.map((line: { lotCode: string; affected: number }) => [line.lotCode, line.affected])
      .sort();
  t.same(
    lines(shop.code),
    [
      [apples, 6],
      [firstCase, 1],
      [pallet, 1],
      [pears, 4],
      [secondCase, 1],
    ].sort(),
    'the shop holds them packed',
  );
  t.same(lines(farm.code), [[juice, 4]], 'the farm holds what it made of the apples');
  t.match(recall.progress.byUnit, [{ unit: 'piece', affected: 14 }], 'progress counts the lots on the pallet');
  t.equal(recall.progress.byUnit.length, 1, 'not the pallet and the cases they lie in');
  for (const code of [apples, pears, juice]) t.equal((await farm.lot(code)).status, 'recalled', `${code} is recalled`);
  t.equal((await farm.lot(loose)).status, 'active');

  await world.ok(shop.event({ type: 'disaggregate', parentCode: pallet }));
  await world.ok(shop.event({ type: 'disaggregate', parentCode: firstCase }));
  t.equal((await shop.lot(apples)).status, 'recalled', 'unpacked, the apples stay recalled');
  const sold = expectStatus(t, await shop.event({ type: 'sell', lines: [{ lotCode: apples, quantity: 1 }] }), 422, 'not sold');
  t.match(sold.body, {
    detail: `lot ${apples} is recalled (recall ${recall.id}); nobody may sell it`,
    errors: [{ pointer: '/lines/0/lotCode' }],
  });
  expectStatus(t, await shop.event({ type: 'sell', lines: [{ lotCode: secondCase }] }), 422, 'nor the case of pears');
  const returned = expectStatus(
    t,
    await shop.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: apples, returned: 6 }] }),
    201,
    'the shop returns the apples to the farm',
  );
  t.match(returned.body.progress.byUnit, [{ unit: 'piece', recovered: 6 }], 'the recall counts them recovered');
});

t.test('a recall of a case on a pallet recalls what is in the case, not what lies beside it on the pallet', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const piece = await farm.product('piece');
  const [apples, pears] = [await farm.commission(piece, 10), await farm.commission(piece, 4)];
  const [firstCase, secondCase] = [await farm.pack([{ lotCode: apples }]), await farm.pack([{ lotCode: pears }])];
  const pallet = await farm.pack([{ lotCode: firstCase }, { lotCode: secondCase }]);
  const recall = await world.ok(farm.api.post('/recalls', { lotCodes: [firstCase], level: 3, reason: 'r', hazard: 'h' }));
  t.same(recall.scope, { lots: 1, containers: 2, items: 0 }, 'the apples, their case and the pallet it lies on');
  t.equal((await farm.lot(apples)).status, 'recalled');
  t.equal((await farm.lot(pears)).status, 'active', 'the pears beside it are not recalled');
  t.equal((await farm.lot(pallet)).status, 'recalled', 'the pallet holds a recalled case, as before');
});

t.test('an operator may not recall a case holding another party’s lot: packing it would recall that lot everywhere', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const [shop, otherShop] = [await world.party('retailer'), await world.party('retailer')];
  const regulator = await world.partyRegulator();
  const apples = await farm.commission(await farm.product('piece'), 10);
  await world.handOver(farm, shop, apples, 4);
  await world.handOver(farm, otherShop, apples, 6);
  const shopCase = await shop.pack([{ lotCode: apples }]);

  const refused = expectStatus(
    t,
    await shop.api.post('/recalls', { lotCodes: [shopCase], level: 2, reason: '包装破损', hazard: '污染' }),
    403,
    'the shop does not recall its case of the farm’s apples',
  );
  t.match(refused.body, {
    detail: `only a regulator or the owner of lot ${apples} may recall ${shopCase}, which holds it`,
    errors: [{ pointer: '/lotCodes/0' }],
  });
  t.equal((await farm.lot(apples)).status, 'active', 'the apples stay on sale with the other shop');
  t.same((await regulator.get('/recalls')).body.items, [], 'no recall was opened');

  const recall = await world.ok(regulator.post('/recalls', { lotCodes: [shopCase], level: 2, reason: '包装破损', hazard: '污染' }));
  t.equal(recall.scope.lots, 1, 'a regulator recalls the case with the apples in it');
  t.equal((await farm.lot(apples)).status, 'recalled');
});
