// A maker reads the consumers' complaints about the packs, lots and cases it made (GET /complaints): what was
// complained of and how the regulators' handling stands, without the consumer's phone number, the client address
// or the regulators' notes. A retailer that sold the packs is no maker of them and reads none; regulators and
// admins handle complaints at their own route.
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { completeGs1 } from '../../src/codes/gs1.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Listed = { ticket: string; code: string; lotCode: string | null; partyCode: string | null; status: string; outcome: string | null };

t.test('a maker reads the complaints about its own packs', async (t) => {
  const world = await createWorld(t);
  const maker = await world.party('processor');
  const retailer = await world.party('retailer');
  const rival = await world.party('processor');
  // a lot its packs' label names (a GTIN and a lot number), so a shopper may complain about the lot's code too
  const lot = await maker.commission(await maker.product('piece', { gtin: completeGs1('0690123456789') }), 10, { lotNumber: 'LA-1' });
  const [packA, packB] = await issuePacks(world, maker, lot, 2);
  const caseCode = await maker.pack([{ lotCode: lot, quantity: 4 }]);
  // the retailer holds and sells the maker's packs and cases: it is no maker of them
  await world.handOver(maker, retailer, lot);
  await world.handOver(maker, retailer, caseCode);
  const rivalLot = await rival.commission(await rival.product('piece'), 5);
  const [rivalPack] = await issuePacks(world, rival, rivalLot, 1);

  const consumer = client(world.app);
  let minute = 0;
  const file = async (code: string, text: string) => {
    const { ticket } = await world.ok(consumer.post('/complaints', { code, category: 'quality', text, phone: '138 0000 0000' }));
    // filed a minute apart, so that the newest-first order does not rest on the clock's resolution
    await world.database.db.execute(
      sql`update complaints set created_at = ${new Date(Date.UTC(2026, 10, 1, 8, ++minute)).toISOString()}::timestamptz where ticket = ${ticket}`,
    );
    return ticket as string;
  };
  const aboutPackA = await file(packA, '有异味');
  const aboutLot = await file(lot, '整批颜色发黑');
  const aboutRival = await file(rivalPack, '另一家的产品');
  const aboutPackB = await file(packB, '包装漏气');
  // a case's code is on no pack a shopper buys: refused now; one filed before that rule is still the maker's to read
  expectStatus(t, await consumer.post('/complaints', { code: caseCode, category: 'quality', text: '整箱受潮' }), 422, 'a case: refused');
  const aboutCase = 'TS20261101CASE01';
  await world.database.db.execute(
    sql`insert into complaints (ticket, item_code, lot_code, party_code, category, text, status, ip_hash, created_at, updated_at)
      values (${aboutCase}, ${caseCode}, ${caseCode}, ${maker.code}, 'quality', '整箱受潮', 'open', 'x',
        ${new Date(Date.UTC(2026, 10, 1, 8, ++minute)).toISOString()}::timestamptz, now())`,
  );
  await file('FAKE0000000', '码扫不出来');

  const listOf = async (t: Test, api: typeof consumer, query = '') => {
    const reply = await api.get(`/complaints${query}`);
    expectStatus(t, reply, 200, `GET /complaints${query}`);
    return reply.body.items as Listed[];
  };
  const tickets = (items: Listed[]) => items.map((item) => item.ticket);

  t.test('the maker lists its packs’ and lots’ complaints, the newest first, without phone, address or notes', async (t) => {
    const items = await listOf(t, maker.api);
    t.same(
      tickets(items),
      [aboutCase, aboutPackB, aboutLot, aboutPackA],
      'of its packs, lot and case, the newest first; not another maker’s nor an unknown code’s',
    );
    t.match(items[3], {
      code: packA,
      lotCode: lot,
      partyCode: maker.code,
      category: 'quality',
      text: '有异味',
      status: 'open',
      outcome: null,
    });
    for (const item of items) t.notOk('phone' in item || 'notes' in item || 'ipHash' in item, `${item.ticket}: no phone, address or notes`);
    t.notOk(JSON.stringify(items).includes('13800000000'), 'the number appears nowhere');
  });

  t.test('a retailer that sold the packs reads none of them, another maker only its own', async (t) => {
    t.same(await listOf(t, retailer.api), [], 'the retailer holding the maker’s lot is not its maker');
    t.same(tickets(await listOf(t, rival.api)), [aboutRival], 'another processor: its own pack’s complaint alone');
  });

  t.test('paged and filtered by status', async (t) => {
    const first = await listOf(t, maker.api, '?limit=3');
    const second = await listOf(t, maker.api, '?limit=3&offset=3');
    t.equal(first.length, 3);
    t.same(tickets([...first, ...second]), [aboutCase, aboutPackB, aboutLot, aboutPackA], 'pages neither repeat nor skip one');
    await world.ok(
      world.regulator.post(`/regulator/complaints/${aboutLot}/transitions`, { status: 'investigating', note: '已通知企业自查' }),
      200,
    );
    await world.ok(
      world.regulator.post(`/regulator/complaints/${aboutLot}/transitions`, { status: 'resolved', note: '抽检不合格', outcome: 'upheld' }),
      200,
    );
    const resolved = await listOf(t, maker.api, '?status=resolved');
    t.match(resolved, [{ ticket: aboutLot, status: 'resolved', outcome: 'upheld' }], 'by status, with its outcome');
    t.equal(resolved.length, 1);
    t.notOk('notes' in resolved[0], 'the regulators’ notes stay theirs');
    t.same(tickets(await listOf(t, maker.api, '?status=open')), [aboutCase, aboutPackB, aboutPackA], 'the open ones');
    const unknownStatus = await maker.api.get('/complaints?status=closed');
    expectStatus(t, unknownStatus, 400, 'a status no complaint has');
    t.match(unknownStatus.body.errors, [{ pointer: '/status' }]);
    expectStatus(t, await maker.api.get('/complaints?limit=0'), 400, 'a limit below 1');
  });

  t.test('regulators and admins handle complaints at their own route; a key is needed', async (t) => {
    for (const [who, api] of [
      ['a regulator', world.regulator],
      ['an admin', world.admin],
    ] as const) {
      const refused = await api.get('/complaints');
      expectStatus(t, refused, 403, `${who}: the makers’ route is not theirs`);
      t.match(refused.body.detail, /GET \/regulator\/complaints/, 'the refusal says where they read complaints');
      expectStatus(t, await api.get('/regulator/complaints'), 200, `${who}: its own route`);
    }
    const office = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
    expectStatus(t, await office.get('/complaints'), 403, 'a brand office reads its brands’ complaints at /brands/{code}/complaints');
    expectStatus(t, await consumer.get('/complaints'), 401, 'no key');
    expectStatus(t, await maker.api.get('/regulator/complaints'), 403, 'the maker does not read the regulators’ full view');
  });
});
