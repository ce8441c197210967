import { sql } from 'drizzle-orm';
import { seedDemoChain } from '../../seeds/fengjie.js';
import { completeGs1 } from '../../src/codes/gs1.js';
import { fileComplaintBody } from '../../src/complaints/schemas.js';
import { TEXT } from '../../src/web/i18n/index.js';
import { hex } from '../fixtures/characters.js';
import { holdLocked, waitersReach } from '../fixtures/locks.js';
import { sentAsDeclared, servedOpenApi } from '../fixtures/openapi.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { buildTestApp, client, postgresOnly } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

t.test('消费维权投诉: consumers file, regulators work them through, consumers check the status', async (t) => {
  const { app, adminKey } = await buildTestApp(t, undefined, { complaintsPerHour: 3 });
  const demo = await seedDemoChain(app.services);
  const consumer = client(app);
  const admin = client(app, adminKey);
  const regulator = client(app, (await admin.post('/api-keys', { role: 'regulator' })).body.key);
  const operator = client(app, (await admin.post('/api-keys', { role: 'operator', partyCode: demo.parties.retailer })).body.key);

  const filed = await consumer.post('/complaints', {
    code: demo.itemCode,
    category: 'quality',
    text: '腊肉有异味',
    phone: '138 0000 0000',
  });
  expectStatus(t, filed, 201, 'file a complaint');
  t.match(filed.body.ticket, /^TS\d{8}[0-9A-Y]{6}$/);
  t.equal(filed.body.status, 'open');
  t.notOk('phone' in filed.body, 'the phone number is not echoed');

  const form = await app.inject({
    method: 'POST',
    url: '/complaints',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ code: demo.itemCode, category: 'labeling', text: '生产日期看不清', phone: '' }).toString(),
  });
  t.equal(form.statusCode, 303, 'the page form works without JavaScript: to its receipt');
  t.match(form.headers.location, /^\/complaints\/TS\d{8}[0-9A-Y]{6}\?lang=zh-CN&received=1$/);
  const formReceipt = await app.inject({ method: 'GET', url: form.headers.location as string, headers: { accept: 'text/html' } });
  t.equal(formReceipt.statusCode, 200);
  t.match(formReceipt.body, TEXT['zh-CN'].received, 'the receipt page');
  t.match(formReceipt.body, /TS\d{8}/);

  expectStatus(
    t,
    await consumer.post('/complaints', { code: demo.itemCode, category: 'quality', text: 'x', phone: 'call me' }),
    400,
    'phone must be a number',
  );
  expectStatus(t, await consumer.post('/complaints', { code: demo.itemCode, category: 'weather', text: 'x' }), 400, 'unknown category');
  expectStatus(
    t,
    await consumer.post('/complaints', { code: 'FAKE0000000', category: 'counterfeit', text: '买到的包装上的码扫不出来' }),
    201,
    'complaints about unknown codes are accepted',
  );
  expectStatus(
    t,
    await consumer.post('/complaints', { code: demo.itemCode, category: 'other', text: 'sixth' }),
    429,
    'rate-limited per IP: three complaints accepted this hour (the two refused count only as attempts)',
  );

  const status = await consumer.get(`/complaints/${filed.body.ticket}`);
  expectStatus(t, status, 200, 'status by ticket');
  t.equal(status.body.status, 'open');
  expectStatus(t, await consumer.get('/complaints/TS20260101XXXXXX'), 404, 'unknown ticket');

  expectStatus(t, await operator.get('/regulator/complaints'), 403, 'operators do not see complaints');
  const open = await regulator.get('/regulator/complaints?status=open');
  const mine = open.body.items.find((c: { ticket: string }) => c.ticket === filed.body.ticket);
  t.equal(mine.lotCode, demo.retailLotCode, 'tied to the lot of the code');
  t.equal(mine.phone, '13800000000', 'regulators see the contact, as digits');

  const transition = (status: string, note: string, outcome?: string) =>
    regulator.post(`/regulator/complaints/${filed.body.ticket}/transitions`, { status, note, outcome });
  const early = await transition('investigating', 'x', 'upheld');
  expectStatus(t, early, 400, 'an outcome only when resolving');
  t.match(early.body.errors, [{ pointer: '/outcome' }]);
  expectStatus(t, await transition('investigating', '已联系零售商封存同批次'), 200, 'open → investigating');
  const back = expectStatus(t, await transition('open', 'x'), 409, 'no way back: the complaint is no longer open');
  t.match(back.body, {
    type: /\/problems\/invalid-transition$/,
    detail: /is investigating.*only to resolved/,
    errors: [{ in: 'body', pointer: '/status' }],
  });
  // the moves as the workflow allows them: an open complaint may also be resolved at once
  t.equal(
    back.body.errors[0].detail,
    'a complaint moves open → investigating or resolved, investigating → resolved, and resolved is final; not investigating → open',
  );
  expectStatus(t, await transition('resolved', 'x', 'maybe'), 400, 'upheld or dismissed');
  const undecided = expectStatus(t, await transition('resolved', '已处理'), 400, 'resolving says whether it was upheld');
  t.match(undecided.body.errors, [{ pointer: '/outcome', detail: /upheld or dismissed/ }]);
  t.equal((await consumer.get(`/complaints/${filed.body.ticket}`)).body.status, 'investigating', 'it was not resolved');
  const resolved = await transition('resolved', '抽检合格，已告知消费者', 'dismissed');
  expectStatus(t, resolved, 200, 'investigating → resolved');
  t.equal(resolved.body.outcome, 'dismissed', 'the outcome is kept');
  t.same(
    resolved.body.notes.map((n: { status: string }) => n.status),
    ['investigating', 'resolved'],
  );
  const again = expectStatus(t, await transition('resolved', 'again', 'upheld'), 409, 'resolved is final');
  t.match(again.body, { type: /\/problems\/invalid-transition$/, detail: /is resolved.*final/, errors: [{ pointer: '/status' }] });
  t.equal((await consumer.get(`/complaints/${filed.body.ticket}`)).body.status, 'resolved', 'the consumer sees the outcome');
  const page = await consumer.get(`/complaints/${filed.body.ticket}`, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
  t.match(page.headers['content-type'], /text\/html/, 'a browser following the receipt link gets a page');
  t.match(page.body, /已办结/);
});

t.test('every complaint route takes the ticket as the receipt reads it, trimmed and in either case', async (t) => {
  const { app, adminKey } = await buildTestApp(t);
  const admin = client(app, adminKey);
  const regulator = client(app, (await admin.post('/api-keys', { role: 'regulator' })).body.key);
  const filed = await client(app).post('/complaints', { code: 'FAKE0000000', category: 'counterfeit', text: '码扫不出来' });
  expectStatus(t, filed, 201, 'a complaint filed');
  const ticket = filed.body.ticket as string;
  const typed = encodeURIComponent(` ${ticket.toLowerCase()} `);

  t.match((await client(app).get(`/complaints/${typed}`)).body, { ticket, status: 'open' }, 'the consumer finds it');
  const moved = await regulator.post(`/regulator/complaints/${typed}/transitions`, { status: 'investigating', note: '已联系生产者' });
  expectStatus(t, moved, 200, 'the regulator moves it');
  t.match(moved.body, { ticket, status: 'investigating' });
  t.match((await regulator.get('/audit/verify')).body, { ok: true }, 'its audit entry names the complaint as stored');
  expectStatus(
    t,
    await regulator.post(`/regulator/complaints/${encodeURIComponent('TS20260101XXXXXX')}/transitions`, {
      status: 'resolved',
      note: 'x',
      outcome: 'dismissed',
    }),
    404,
    'an unknown ticket is still not found',
  );
});

t.test(
  'a complaint filed from the page of a lot-level Digital Link names that lot and its maker; a code no shopper holds is refused',
  async (t) => {
    const world = await createWorld(t);
    const { regulator } = world;
    const plant = await world.party('processor');
    // the label's Digital Link names the lot by the product's GTIN and the lot's number (/01/{gtin}/10/{lot})
    const labelled = await plant.product('kg', { gtin: completeGs1('0690123456789') });
    const lotCode = await plant.commission(labelled, 10, { lotNumber: 'LA-7' });
    const page = await world.app.inject({
      method: 'GET',
      url: `/01/${completeGs1('0690123456789')}/10/LA-7`,
      headers: { accept: 'text/html' },
    });
    t.match(page.body, `<input type="hidden" name="code" value="${lotCode}">`, 'the lot’s page: its form names the lot');
    // a lot with no GTIN (bulk meat, a farm's batch) and a case of a lot: codes of the trade, not on what a shopper buys
    const bulk = await plant.commission(await plant.product('kg'), 10, { lotNumber: 'BULK-1' });
    const unnumbered = await plant.commission(labelled, 10);
    const caseCode = await plant.pack([{ lotCode, quantity: 4 }]);
    const consumer = client(world.app);

    const aboutLot = await consumer.post('/complaints', { code: lotCode.toLowerCase(), category: 'quality', text: '有异味' });
    expectStatus(t, aboutLot, 201, 'a complaint about the lot on the page');
    const listed = await regulator.get(`/regulator/complaints?lotCode=${lotCode}`);
    t.match(
      listed.body.items,
      [{ ticket: aboutLot.body.ticket, lotCode, partyCode: plant.code }],
      'the regulator finds it under its lot, with the lot’s maker',
    );
    const again = await consumer.post('/complaints', { code: lotCode, category: 'quality', text: '有异味' });
    expectStatus(t, again, 200, 'the same complaint posted again within ten minutes is the one filed');
    t.equal(again.body.ticket, aboutLot.body.ticket);

    for (const [what, code] of [
      ['a lot of a product with no GTIN', bulk],
      ['a lot with no lot number', unnumbered],
      ['a case', caseCode],
      ['a case, in lower case', caseCode.toLowerCase()],
    ] as const) {
      const refused = await consumer.post('/complaints', { code, category: 'quality', text: `有异味 ${what}` });
      expectStatus(t, refused, 422, `${what}: refused`);
      t.match(refused.headers['content-type'], 'application/problem+json');
      t.match(refused.body, { type: '/problems/complaint-code-not-sold', status: 422 }, what);
      t.match(
        refused.body.errors,
        [{ in: 'body', pointer: '/code', detail: /not a code printed on what shoppers buy/ }],
        `${what}: at /code`,
      );
    }
    t.equal((await regulator.get(`/regulator/complaints?lotCode=${caseCode}`)).body.items.length, 0, 'nothing filed about the case');
    t.equal((await regulator.get(`/regulator/complaints?lotCode=${bulk}`)).body.items.length, 0, 'nor about the bulk lot');

    // the form, in each language: what to do instead, the field's message, no form to post the same code again
    for (const lang of ['zh-CN', 'en'] as const) {
      const form = await world.app.inject({
        method: 'POST',
        url: `/complaints?lang=${lang}`,
        headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ code: caseCode, category: 'quality', text: `有异味 ${lang}`, phone: '' }).toString(),
      });
      t.equal(form.statusCode, 422, `${lang}: the form's post is refused`);
      t.match(form.body, `<html lang="${lang}">`);
      t.match(
        form.body,
        `<li id="codeNotSold-problem">${TEXT[lang].formError.fields.codeNotSold}</li>`,
        `${lang}: said in the page's language`,
      );
      t.notMatch(form.body, '<form', `${lang}: no form to post the same code again`);
    }
    t.match(TEXT['zh-CN'].formError.fields.codeNotSold, /包装/, 'the Chinese message names the pack');
    t.match(TEXT.en.formError.fields.codeNotSold, /pack/, 'the English one too');

    const resolved = await regulator.post(`/regulator/complaints/${aboutLot.body.ticket}/transitions`, {
      status: 'resolved',
      note: '属实',
      outcome: 'upheld',
    });
    expectStatus(t, resolved, 200, 'upheld');
    const credit = await regulator.get(`/credit/${plant.code}`);
    t.match(
      credit.body.factors.find((factor: { key: string }) => factor.key === 'upheld_complaints'),
      { count: 1, contribution: -3 },
      'it counts against the maker’s credit',
    );
  },
);

// The scan page is Chinese unless the shopper switched it to English: a phone set to English that
// was shown the Chinese page gets its receipt in Chinese too, not in the browser's language.
t.test('the receipt of a complaint filed on the Chinese scan page is in Chinese, whatever the browser’s language', async (t) => {
  const { app } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const english = { accept: 'text/html', 'accept-language': 'en-US,en;q=0.9' };
  // the shopper switched the page to Chinese
  const page = await app.inject({ method: 'GET', url: `/t/${demo.itemCode}?lang=zh-CN`, headers: english });
  t.equal(page.statusCode, 200);
  t.match(page.body, '<html lang="zh-CN">', 'the scan page is in Chinese');
  const action = /<form method="post" action="([^"]+)"/.exec(page.body)?.[1].replaceAll('&amp;', '&');
  t.ok(action, 'the page has a complaint form');
  const receipt = await app.inject({
    method: 'POST',
    url: action as string,
    headers: { ...english, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ code: demo.itemCode, category: 'quality', text: '有异味', phone: '' }).toString(),
  });
  t.equal(receipt.statusCode, 303, 'filed');
  const receiptPage = await app.inject({ method: 'GET', url: receipt.headers.location as string, headers: english });
  t.match(receiptPage.body, '<html lang="zh-CN">', 'the receipt is in the language of the page the form was on');
  const statusLink = /<a class="link" href="([^"]+)"/.exec(receiptPage.body)?.[1].replaceAll('&amp;', '&');
  const status = await app.inject({ method: 'GET', url: statusLink as string, headers: english });
  t.match(status.body, '<html lang="zh-CN">', 'and so is the status page its link leads to');
  // without a page language, the browser's still decides
  const direct = await app.inject({
    method: 'POST',
    url: '/complaints',
    headers: { ...english, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ code: demo.itemCode, category: 'quality', text: 'smells', phone: '' }).toString(),
  });
  t.match(direct.headers.location, /\?lang=en&received=1$/);
  const directReceipt = await app.inject({ method: 'GET', url: direct.headers.location as string, headers: { accept: 'text/html' } });
  t.match(directReceipt.body, '<html lang="en">');
  // the receipt's language switch: the receipt again, in the other language
  const switchHref = /<a href="([^"]+)" hreflang="zh-CN"/.exec(directReceipt.body)?.[1].replaceAll('&amp;', '&') ?? '';
  const switchedTo = new URL(switchHref, `http://trace.test${direct.headers.location}`);
  const switched = await app.inject({ method: 'GET', url: `${switchedTo.pathname}${switchedTo.search}`, headers: english });
  t.equal(switched.statusCode, 200);
  t.match(switched.body, '<html lang="zh-CN">', 'in Chinese');
  t.match(switched.body, TEXT['zh-CN'].received, 'still the receipt');
});

t.test("a complaint's status page is in the browser's language unless its link names one, and says it varies with both", async (t) => {
  const { app } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const filed = await app.inject({
    method: 'POST',
    url: '/complaints',
    payload: { code: demo.itemCode, category: 'quality', text: '有异味' },
  });
  t.equal(filed.statusCode, 201);
  const open = (url: string, acceptLanguage: string) =>
    app.inject({ method: 'GET', url, headers: { accept: 'text/html', 'accept-language': acceptLanguage } });
  const path = `/complaints/${filed.json().ticket}`;
  const english = await open(path, 'en-GB,en;q=0.9');
  t.equal(english.statusCode, 200);
  t.match(english.body, '<html lang="en">', 'an English browser: English');
  t.match(english.headers.vary, /\bAccept\b/, 'a cache keeps the page apart from the JSON status');
  t.match(english.headers.vary, /\bAccept-Language\b/, 'and one language from another');
  t.match((await open(path, 'zh-Hans,en;q=0.5')).body, '<html lang="zh-CN">', 'zh-Hans: Chinese');
  t.match((await open(`${path}?lang=zh-CN`, 'en')).body, '<html lang="zh-CN">', "the link's language comes first");
  const json = await app.inject({ method: 'GET', url: path, headers: { accept: 'application/json' } });
  t.match(json.headers.vary, /\bAccept\b/, 'the JSON status says it follows Accept');
  const receipt = await app.inject({
    method: 'POST',
    url: '/complaints',
    headers: { 'accept-language': 'en', 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ code: demo.itemCode, category: 'quality', text: 'smells', phone: '' }).toString(),
  });
  t.match(receipt.headers.location, /\?lang=en&received=1$/, "the receipt of a form posted without lang: the browser's language");
  const document = await servedOpenApi(app);
  const sent = (answer: typeof json) => ({ status: answer.statusCode, headers: answer.headers });
  sentAsDeclared(t, document, ['GET', '/complaints/{ticket}'], sent(english), 200);
  sentAsDeclared(t, document, ['GET', '/complaints/{ticket}'], sent(json), 200);
  sentAsDeclared(t, document, ['POST', '/complaints'], sent(receipt), 303);
  sentAsDeclared(t, document, ['POST', '/complaints'], sent(filed), 201);
});

t.test('regulators paging through complaints filed at one instant see each on exactly one page', async (t) => {
  const filedAt = new Date('2026-11-30T02:00:00Z');
  const { app, adminKey } = await buildTestApp(t, undefined, { complaintsPerHour: 100, now: () => filedAt });
  const admin = client(app, adminKey);
  const regulator = client(app, (await admin.post('/api-keys', { role: 'regulator' })).body.key);
  const tickets = new Set<string>();
  for (let i = 0; i < 24; i++) {
    const filed = await client(app).post('/complaints', { code: `UNKNOWN${i}`, category: 'quality', text: '有异味' });
    expectStatus(t, filed, 201, `complaint ${i} filed`);
    tickets.add(filed.body.ticket);
  }
  const paged: string[] = [];
  for (let offset = 0; offset < tickets.size; offset += 5) {
    const page = expectStatus(t, await regulator.get(`/regulator/complaints?limit=5&offset=${offset}`), 200, `page at ${offset}`);
    paged.push(...page.body.items.map((complaint: { ticket: string }) => complaint.ticket));
  }
  t.equal(paged.length, tickets.size, 'as many complaints on the pages as were filed');
  t.same(new Set(paged), tickets, 'every complaint on a page, none twice');
});

t.test('a code of characters nothing shows is refused at its field, as a name is; a code one can read is not', async (t) => {
  const { app } = await buildTestApp(t, undefined, { complaintsPerHour: 1000 });
  const consumer = client(app);
  for (const code of [
    '\u200b',
    '\u200b\u200c\u200d',
    '\u202e\u2066',
    '\u00ad',
    '\u2060\ufeff\u2060',
    '\u0007',
    '\u0085',
    'J5002\u200b36',
  ]) {
    const reply = await consumer.post('/complaints', { code, category: 'counterfeit', text: '码扫不出来' });
    expectStatus(t, reply, 400, `code ${JSON.stringify(code)}`);
    t.match(reply.body.errors, [{ in: 'body', pointer: '/code', detail: /invisible or control characters/ }], 'at /code');
    t.match(reply.body.errors[0].detail, hex([...code].find((c) => !/[A-Z0-9]/.test(c)) as string), 'the character named');
  }
  const form = await app.inject({
    method: 'POST',
    url: '/complaints',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ code: '\u200b\u200b', category: 'counterfeit', text: '码扫不出来', phone: '' }).toString(),
  });
  t.equal(form.statusCode, 400, 'from the page form too');
  t.match(form.headers['content-type'], /^text\/html/, 'the page form gets a page');
  t.match(form.body, '溯源码', 'naming the code as what went wrong');
  expectStatus(
    t,
    await consumer.post('/complaints', { code: ' FAKE0000000 ', category: 'counterfeit', text: '码扫不出来' }),
    201,
    'an unknown code one can read is still taken',
  );
});

t.test('a complaint’s text or note holding a bidi or control character is refused at its field; lines and emoji are text', async (t) => {
  const { app, adminKey } = await buildTestApp(t, undefined, { complaintsPerHour: 1000 });
  const consumer = client(app);
  const regulator = client(app, (await client(app, adminKey).post('/api-keys', { role: 'regulator' })).body.key);
  const file = (text: string) => consumer.post('/complaints', { code: 'FAKE0000000', category: 'quality', text });

  const reversed = expectStatus(t, await file('腊肉\u202e味异有\u202c'), 400, 'a text with a right-to-left override');
  t.match(reversed.headers['content-type'], /^application\/problem\+json/);
  t.match(reversed.body.errors, [{ in: 'body', pointer: '/text', detail: /control or bidi characters \(U\+202E at character 3\)/ }]);
  const bell = expectStatus(t, await file('腊肉有异味\u0007'), 400, 'a text with a control character');
  t.match(bell.body.errors, [{ in: 'body', pointer: '/text', detail: /U\+0007 at character 6/ }]);
  t.same((await regulator.get('/regulator/complaints')).body.items, [], 'neither was filed');

  const text = '腊肉有异味 🤢\n买于 11 月 28 日，\t开袋即闻到';
  const filed = expectStatus(t, await file(text), 201, 'a text of several lines, with an emoji');
  const ticket = filed.body.ticket;
  const transition = (note: string) => regulator.post(`/regulator/complaints/${ticket}/transitions`, { status: 'investigating', note });
  const note = expectStatus(t, await transition('已联系\u2066零售商\u2069'), 400, 'a note with bidi isolates');
  t.match(note.body.errors, [{ in: 'body', pointer: '/note', detail: /U\+2066 at character 4/ }]);
  expectStatus(t, await transition('已联系零售商\n封存同批次 👍'), 200, 'a note of two lines');
  const [stored] = (await regulator.get('/regulator/complaints')).body.items;
  t.match(stored, { text, status: 'investigating', notes: [{ note: '已联系零售商\n封存同批次 👍' }] }, 'kept as written');
});

/** What a phone's browser sends with the complaint form of the scan page. */
const BROWSER = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'content-type': 'application/x-www-form-urlencoded',
};

t.test('a complaint form post that fails gets a page in the shopper’s language, with the status and a link back', async (t) => {
  const { app, adminKey } = await buildTestApp(t, undefined, { complaintsPerHour: 4 });
  const demo = await seedDemoChain(app.services);
  const regulator = client(app, (await client(app, adminKey).post('/api-keys', { role: 'regulator' })).body.key);
  const scanPage = `/t/${demo.itemCode}`;
  const actionOf = async (lang: string) => {
    const page = await app.inject({ method: 'GET', url: `${scanPage}?lang=${lang}`, headers: { accept: 'text/html' } });
    return (/<form method="post" action="([^"]+)"/.exec(page.body)?.[1] ?? '').replaceAll('&amp;', '&');
  };
  const post = (url: string, fields: Record<string, string>, headers: Record<string, string> = BROWSER) =>
    app.inject({ method: 'POST', url, headers, payload: new URLSearchParams(fields).toString() });
  const fields = (phone: string) => ({ code: demo.itemCode, category: 'quality', text: '腊肉有异味', phone });
  const chinese = await actionOf('zh-CN');
  const english = await actionOf('en');

  const wrong = await post(chinese, fields('call me'));
  t.equal(wrong.statusCode, 400, 'a phone that is no number: 400 still');
  t.match(wrong.headers['content-type'], /^text\/html/, 'as a page');
  t.match(wrong.body, '<html lang="zh-CN">', 'in Chinese, the language of the scan page');
  t.match(wrong.body, '联系电话', 'naming the field');
  t.match(wrong.body, /13800000000/, 'with an example of what it takes');
  const back = /<a class="link" href="([^"]+)"/.exec(wrong.body)?.[1].replaceAll('&amp;', '&');
  t.equal(back, `${scanPage}?lang=zh-CN`, 'and a link back to the scan page');
  t.notMatch(wrong.body, /problems\/|"pointer"/, 'no problem+json in it');
  // the form again, with what was typed, posting where the scan page's form posted: nothing to type twice
  const again = (/<form method="post" action="([^"]+)"/.exec(wrong.body)?.[1] ?? '').replaceAll('&amp;', '&');
  t.equal(again, chinese, 'the form again, posting as the scan page did');
  t.match(wrong.body, '>腊肉有异味</textarea>', 'the description as typed');
  t.match(wrong.body, 'value="call me"', 'the phone as typed, to correct');
  t.match(wrong.body, '<option value="quality" selected>', 'the category as chosen');
  t.match(wrong.body, `<input type="hidden" name="code" value="${demo.itemCode}">`, 'for the same code');
  const typedAgain = await post(chinese, { ...fields('call me'), text: '<b>腊肉</b>\u0007有异味', phone: '"><script>' });
  t.match(typedAgain.body, '>&lt;b&gt;腊肉&lt;/b&gt;有异味</textarea>', 'shown as text, control characters left out');
  t.match(typedAgain.body, 'value="&quot;&gt;&lt;script&gt;"', 'a value cannot close its attribute');

  // from the page of a Digital Link, back to that page
  const gtin = (await app.inject({ method: 'GET', url: `${scanPage}?format=json` })).json().product.gtin;
  const digitalLink = `/01/${gtin}/10/${demo.retailLotNumber}/21/${demo.itemCode}`;
  const linkPage = await app.inject({ method: 'GET', url: digitalLink, headers: { accept: 'text/html' } });
  const linkAction = (/<form method="post" action="([^"]+)"/.exec(linkPage.body)?.[1] ?? '').replaceAll('&amp;', '&');
  const fromLink = await post(linkAction, fields('call me'));
  t.equal(fromLink.statusCode, 400);
  t.equal(
    /<a class="link" href="([^"]+)"/.exec(fromLink.body)?.[1].replaceAll('&amp;', '&'),
    `${digitalLink}?lang=zh-CN`,
    'a form on the page of a Digital Link leads back to it',
  );

  const inEnglish = await post(english, fields('call me'));
  t.equal(inEnglish.statusCode, 400);
  t.match(inEnglish.body, '<html lang="en">', 'in English from the English page');
  t.match(inEnglish.body, /phone number/i);
  t.equal(/<a class="link" href="([^"]+)"/.exec(inEnglish.body)?.[1].replaceAll('&amp;', '&'), `${scanPage}?lang=en`);

  const noText = await post(english, { ...fields(''), text: '' });
  t.equal(noText.statusCode, 400);
  t.match(noText.body, `<li id="textEmpty-problem">${TEXT.en.formError.fields.textEmpty}</li>`, 'an empty description is named as such');
  t.notMatch(noText.body, TEXT.en.formError.fields.text, 'not as characters that cannot be displayed');
  t.match(
    noText.body,
    /<textarea id="text" [^>]*aria-invalid="true" aria-describedby="textEmpty-problem">/,
    'the description’s field is marked, naming the message',
  );
  t.notMatch(noText.body, /<input id="phone" [^>]*aria-invalid/, 'the phone, left empty, is not at fault');
  const blank = await post(chinese, { ...fields(''), text: ' \r\n ' });
  t.match(blank.body, `<li id="textEmpty-problem">请写下发生了什么。</li>`, 'a description of spaces and breaks is empty');
  t.match(wrong.body, /<input id="phone" [^>]*aria-invalid="true" aria-describedby="phone-problem"/, 'a wrong phone is marked so');
  t.match(wrong.body, `<li id="phone-problem">${TEXT['zh-CN'].formError.fields.phone}</li>`);
  t.notMatch(wrong.body, /<textarea [^>]*aria-invalid/, 'the description, fine, is not');
  const badText = await post(chinese, { ...fields(''), text: '腊肉\u202e有异味' });
  t.match(
    badText.body,
    `<li id="text-problem">${TEXT['zh-CN'].formError.fields.text}</li>`,
    'a description with a bidi character: the message it had',
  );
  t.match(badText.body, /<textarea id="text" [^>]*aria-invalid="true" aria-describedby="text-problem">/);

  // phone numbers as people write them: spaces, hyphens, parentheses, the country code, full-width forms
  for (const [typed, stored] of [
    ['(023)62861234', '02362861234'],
    ['023-62861234', '02362861234'],
    ['+86 138-0000-0000', '+8613800000000'],
    ['（023）6286 1234', '02362861234'],
  ]) {
    // another text each time: the same complaint posted again within ten minutes is the one filed
    const filed = await post(chinese, { ...fields(typed), text: `腊肉有异味 ${typed}` });
    t.equal(filed.statusCode, 303, `${typed} is taken`);
    const ticket = /TS\d{8}[0-9A-Y]{6}/.exec(filed.headers.location ?? '')?.[0];
    const listed = (await regulator.get('/regulator/complaints')).body.items.find((c: { ticket: string }) => c.ticket === ticket);
    t.equal(listed?.phone, stored, `${typed} is kept as ${stored}`);
  }

  // a JSON client, and a form post asking for JSON, still get problem+json
  const json = await client(app).post('/complaints', fields('call me'));
  expectStatus(t, json, 400, 'a JSON client');
  t.match(json.headers['content-type'], /^application\/problem\+json/);
  t.match(json.body.errors, [{ in: 'body', pointer: '/phone' }]);
  const formForJson = await post(chinese, fields('call me'), { ...BROWSER, accept: 'application/json' });
  t.match(formForJson.headers['content-type'], /^application\/problem\+json/, 'a form post asking for JSON');

  // the four complaints accepted from this address this hour filled the limit (the refused posts did not count)
  const limited = await post(chinese, fields(''));
  t.equal(limited.statusCode, 429, 'too many from one address: 429 still');
  t.match(limited.headers['content-type'], /^text\/html/);
  t.match(limited.body, '<html lang="zh-CN">');
  t.match(limited.body, '稍后', 'saying to try again later');
  t.ok(limited.headers['retry-after'], 'and when, in Retry-After');
  const limitedJson = await client(app).post('/complaints', fields(''));
  t.equal(limitedJson.status, 429);
  t.match(limitedJson.headers['content-type'], /^application\/problem\+json/, 'a JSON client is told in problem+json');

  const document = await servedOpenApi(app);
  sentAsDeclared(t, document, ['POST', '/complaints'], { status: wrong.statusCode, headers: wrong.headers }, 400);
  sentAsDeclared(t, document, ['POST', '/complaints'], { status: limited.statusCode, headers: limited.headers }, 429);
});

t.test('a multipart form post is answered with a page too', async (t) => {
  const { app } = await buildTestApp(t);
  const boundary = 'x0x0x0';
  const payload = `--${boundary}\r\nContent-Disposition: form-data; name="code"\r\n\r\nFAKE0000000\r\n--${boundary}--\r\n`;
  const reply = await app.inject({
    method: 'POST',
    url: '/complaints?lang=en&from=%2Ft%2FFAKE0000000',
    headers: { ...BROWSER, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload,
  });
  t.ok(reply.statusCode >= 400 && reply.statusCode < 500, `a 4xx (${reply.statusCode})`);
  t.match(reply.headers['content-type'], /^text\/html/);
  t.match(reply.body, '<html lang="en">');
  t.match(reply.body, /\/t\/FAKE0000000\?lang=en|scan/i, 'with a way back');

  // a `from` that climbs out of the scan paths is no page to go back to: the code's own page instead
  for (const from of ['/t/../../regulator/dashboard', '/t/%2e%2e/%2E%2E/regulator', '/01/..//evil.example']) {
    const climbing = await app.inject({
      method: 'POST',
      url: `/complaints?lang=en&from=${encodeURIComponent(from)}`,
      headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'code=FAKE0000000&category=other&text=x&phone=abc',
    });
    t.equal(climbing.statusCode, 400, from);
    t.equal(/<a class="link" href="([^"]+)"/.exec(climbing.body)?.[1].replaceAll('&amp;', '&'), '/t/FAKE0000000?lang=en', from);
    t.match(climbing.body, '<form method="post" action="/complaints?lang=en" ', `${from}: the form again posts without it`);
  }
});

t.test('a phone number is read as people write it, and what holds no number is refused', async (t) => {
  const phone = (typed: string) => {
    const parsed = fileComplaintBody.shape.phone.safeParse(typed);
    return parsed.success ? parsed.data : 'refused';
  };
  for (const [typed, read] of [
    ['010—12345678', '01012345678'],
    ['010–12345678', '01012345678'],
    ['0755-1234-5678', '075512345678'],
    ['', undefined],
    ['  ', undefined],
    ['---', 'refused'],
    ['()', 'refused'],
    ['call me', 'refused'],
  ] as const)
    t.equal(phone(typed), read, JSON.stringify(typed));
});

t.test('the receipt of a post follows the rule its errors do: a form post (any case, not asking for JSON first) gets a page', async (t) => {
  const { app } = await buildTestApp(t, undefined, { complaintsPerHour: 100 });
  const fields = new URLSearchParams({ code: 'FAKE0000000', category: 'quality', text: '有异味' }).toString();
  const post = (headers: Record<string, string>, phone = 'phone=') =>
    app.inject({ method: 'POST', url: '/complaints?lang=en', headers, payload: `${fields}&${phone}` });

  const capitalised = await post({ accept: 'text/html', 'content-type': 'Application/X-WWW-Form-Urlencoded' });
  t.equal(capitalised.statusCode, 303, 'filed');
  t.match(
    capitalised.headers.location,
    /^\/complaints\/TS\d{8}[0-9A-Y]{6}\?lang=en&received=1$/,
    'a media type is case-insensitive: to the receipt page',
  );
  const withCharset = await post({ accept: 'text/html', 'content-type': 'APPLICATION/x-www-form-urlencoded; charset=UTF-8' });
  t.equal(withCharset.statusCode, 303, 'with a charset too');
  const refused = await post({ accept: 'text/html', 'content-type': 'Application/X-WWW-Form-Urlencoded' }, 'phone=abc');
  t.equal(refused.statusCode, 400);
  t.match(refused.headers['content-type'], /^text\/html/, 'as its refusal is');

  const forJson = await post({ ...BROWSER, accept: 'application/json' });
  t.equal(forJson.statusCode, 200, 'the same complaint again: its ticket');
  t.match(forJson.headers['content-type'], /^application\/json/, 'a form post asking for JSON gets JSON, as its errors do');
  t.match(forJson.json(), { ticket: /^TS\d{8}[0-9A-Y]{6}$/, status: 'open' });
  const refusedJson = await post({ ...BROWSER, accept: 'application/json' }, 'phone=abc');
  t.equal(refusedJson.statusCode, 400);
  t.match(refusedJson.headers['content-type'], /^application\/problem\+json/, 'and its refusal problem+json');
});

t.test(
  'a reload or a second tap of the form files the complaint once; a JSON client posting it again gets its ticket with 200',
  async (t) => {
    const { app } = await buildTestApp(t, undefined, { complaintsPerHour: 2 });
    const payload = new URLSearchParams({
      code: 'FAKE0000000',
      category: 'counterfeit',
      text: '码扫不出来\n包装印刷模糊',
      phone: '',
    }).toString();
    const post = (headers: Record<string, string> = BROWSER) =>
      app.inject({ method: 'POST', url: '/complaints?lang=zh-CN&from=%2Ft%2FFAKE0000000', headers, payload });
    const first = await post();
    t.equal(first.statusCode, 303, 'filed: to the receipt (Post/Redirect/Get), so a reload reads the receipt again');
    const receipt = first.headers.location as string;
    t.match(receipt, /^\/complaints\/TS\d{8}[0-9A-Y]{6}\?lang=zh-CN&received=1$/);
    const page = await app.inject({ method: 'GET', url: receipt, headers: { accept: 'text/html' } });
    t.equal(page.statusCode, 200);
    t.match(page.body, TEXT['zh-CN'].received, 'the receipt');
    t.notMatch(page.body, '包装印刷模糊', 'showing nothing of what was written');
    const again = await post();
    t.equal(again.statusCode, 303, 'the second tap');
    t.equal(again.headers.location, receipt, 'leads to the same receipt');
    const json = await post({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
    t.equal(json.statusCode, 200, 'a JSON client posting it again: 200, not 201');
    t.equal(json.json().ticket, /TS\w+/.exec(receipt)?.[0], 'with the ticket it was filed under');
    const other = await app.inject({
      method: 'POST',
      url: '/complaints',
      payload: { code: 'FAKE0000000', category: 'counterfeit', text: '另一件事' },
    });
    t.equal(other.statusCode, 201, 'counted once: a second complaint still fits COMPLAINTS_PER_HOUR (2)');
    const document = await servedOpenApi(app);
    sentAsDeclared(t, document, ['POST', '/complaints'], { status: json.statusCode, headers: json.headers }, 200);
    sentAsDeclared(t, document, ['POST', '/complaints'], { status: again.statusCode, headers: again.headers }, 303);
  },
);

t.test(
  'only accepted complaints count toward COMPLAINTS_PER_HOUR; refused posts count only toward the looser attempts limit',
  async (t) => {
    let clock = new Date('2026-11-30T02:00:00Z');
    const { app } = await buildTestApp(t, undefined, { complaintsPerHour: 2, now: () => clock });
    const post = (fields: Record<string, string>, headers: Record<string, string> = BROWSER, remoteAddress = '203.0.113.5') =>
      app.inject({
        method: 'POST',
        url: '/complaints?lang=zh-CN',
        headers,
        remoteAddress,
        payload: new URLSearchParams(fields).toString(),
      });
    // each complaint says something else: the same one posted again within ten minutes is the one filed
    let said = 0;
    const fields = (phone: string) => ({ code: 'FAKE0000000', category: 'quality', text: `有异味 ${++said}`, phone });

    // a shopper behind carrier NAT mistyping the phone three times
    for (let i = 0; i < 3; i++) t.equal((await post(fields('call me'))).statusCode, 400, `mistyped ${i + 1}`);
    t.equal((await post(fields('13800000000'))).statusCode, 303, 'the refused posts used up none of the complaints');
    t.equal((await post(fields(''))).statusCode, 303, 'the second complaint this hour');

    const limited = await post(fields(''));
    t.equal(limited.statusCode, 429, 'a third accepted complaint this hour is too many');
    t.match(limited.headers['content-type'], /^text\/html/, 'a page for the browser');
    t.match(limited.body, '稍后');
    t.equal(limited.headers['retry-after'], '3600', 'until the first of the two is an hour old');
    const limitedJson = await post(fields(''), { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
    t.equal(limitedJson.statusCode, 429);
    t.match(limitedJson.headers['content-type'], /^application\/problem\+json/, 'problem+json for a JSON client');
    t.ok(limitedJson.headers['retry-after'], 'with Retry-After');
    t.equal((await post(fields(''), BROWSER, '198.51.100.9')).statusCode, 303, 'another address is not held back');

    clock = new Date(clock.getTime() + 61 * 60_000);
    t.equal((await post(fields(''))).statusCode, 303, 'an hour on, the address may complain again');

    // eight posts from the address so far: the attempts limit (four times COMPLAINTS_PER_HOUR) is reached
    const flood = await post(fields('call me'));
    t.equal(flood.statusCode, 429, 'a flood of refused posts is throttled at the door');
    t.match(flood.headers['content-type'], /^text\/html/);
    t.ok(flood.headers['retry-after'], 'with Retry-After');
  },
);

t.test(
  'complaints posted at once from one address are counted one after another: no more are accepted than the limit (PostgreSQL)',
  onPostgres,
  async (t) => {
    const { app, database } = await buildTestApp(t, 'postgres', { complaintsPerHour: 3 });
    // the test's own transaction lets the posts count the address's complaints but holds up their
    // inserts: each one that counted before another's insert would count one too few
    const hold = await holdLocked({ t, database }, sql`lock table complaints in share mode`);
    const sent = Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        app.inject({ method: 'POST', url: '/complaints', payload: { code: `FAKE000000${i}`, category: 'quality', text: '有异味' } }),
      ),
    );
    // one post waits to insert, the others wait to count
    await waitersReach({ database }, 6, sent);
    hold.release();
    const statuses = (await sent).map((reply) => reply.statusCode).sort();
    t.same(statuses, [201, 201, 201, 429, 429, 429], 'three accepted, the others refused');
  },
);

t.test('an unknown ticket is a page in the consumer’s language for a browser, problem+json for a JSON client', async (t) => {
  const { app } = await buildTestApp(t);
  const open = (url: string, headers: Record<string, string>) => app.inject({ method: 'GET', url, headers });
  const english = await open('/complaints/TS20260101XXXXXX?lang=en', { accept: 'text/html' });
  t.equal(english.statusCode, 404, 'not found: 404 still');
  t.match(english.headers['content-type'], /^text\/html/, 'as a page');
  t.match(english.body, '<html lang="en">');
  t.match(english.body, 'TS20260101XXXXXX', 'naming the ticket as typed');
  t.match(english.body, /no complaint/i);
  t.match(english.headers.vary, /\bAccept\b/);
  t.match(english.headers.vary, /\bAccept-Language\b/);
  const chinese = await open('/complaints/TS20260101XXXXXX', { accept: 'text/html,*/*;q=0.8', 'accept-language': 'zh-CN' });
  t.equal(chinese.statusCode, 404);
  t.match(chinese.body, '<html lang="zh-CN">');
  t.match(chinese.body, '12315', 'with the consumer hotline');
  const escaped = await open(`/complaints/${encodeURIComponent('<b>x</b>')}`, { accept: 'text/html' });
  t.match(escaped.body, '&lt;b&gt;x&lt;/b&gt;', 'the ticket shown as text');
  const json = await open('/complaints/TS20260101XXXXXX?lang=en', { accept: 'application/json' });
  t.equal(json.statusCode, 404);
  t.match(json.headers['content-type'], /^application\/problem\+json/);
  t.match(json.headers.vary, /\bAccept\b/, 'the JSON answer says it follows Accept');
  const document = await servedOpenApi(app);
  sentAsDeclared(t, document, ['GET', '/complaints/{ticket}'], { status: english.statusCode, headers: english.headers }, 404);
  sentAsDeclared(t, document, ['GET', '/complaints/{ticket}'], { status: json.statusCode, headers: json.headers }, 404);
});
