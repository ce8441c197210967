// The lookup page at `/`: a person types a pack's code when its QR code will not scan, and is led to the one
// resolver's scan URL; nothing typed, or nothing it reads, shows the form again with a message (400), never a 5xx.
import { completeGs1 } from '../../src/codes/gs1.js';
import { MOD31_CHARSET, mod31CheckChar } from '../../src/codes/mod31.js';
import { LOOKALIKES, lookupTarget } from '../../src/resolver/lookup.js';
import { TEXT } from '../../src/web/i18n/index.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const GTIN = completeGs1('0690123456789');

t.test('what a person types leads to the scan URL the resolver answers', async (t) => {
  t.same(lookupTarget('   '), { ok: false, reason: 'empty' });
  t.same(lookupTarget(''), { ok: false, reason: 'empty' });
  t.same(lookupTarget('not a code'), { ok: false, reason: 'malformed' });
  t.same(lookupTarget('ABCDEFGHJK'), { ok: false, reason: 'malformed' }, 'ten characters are no trace code');
  t.same(lookupTarget('x'.repeat(501)), { ok: false, reason: 'malformed' }, 'too long');
  t.same(lookupTarget(`https://id.gs1.org/01/${GTIN}/10/KZ-1`), { ok: true, target: `/01/${GTIN}/10/KZ-1` }, 'a Digital Link on any host');
  t.same(lookupTarget(`example.com/01/${GTIN}/21/S1?17=261231&utm=x`), { ok: true, target: `/01/${GTIN}/21/S1?17=261231&utm=x` });
  t.same(lookupTarget(`/01/${GTIN.slice(1)}/10/KZ-1`), { ok: false, reason: 'malformed' }, 'a malformed Digital Link');
  t.same(lookupTarget('/00/106141412345678908'), { ok: true, target: '/00/106141412345678908' });
  t.same(lookupTarget('106141412345678908'), { ok: true, target: '/00/106141412345678908' }, 'an SSCC');
  t.same(lookupTarget('106141412345678907'), { ok: false, reason: 'malformed' }, 'an SSCC with a wrong check digit');
  t.same(lookupTarget('https://example.com/t/%ZZ'), { ok: false, reason: 'malformed' }, 'an escape that does not decode');
});

// The alphabet leaves out I, O, S, V and Z, which people type for 1, 0, 5, U and 2: typed at /, a trace code is read with
// them as those, and one whose check character fails was mistyped, which the page says in words of its own.
t.test('a typed trace code: lookalike letters read as the characters they stand for, a wrong character named as such', async (t) => {
  const code = `9GG6MUM261${mod31CheckChar('9GG6MUM261')}`;
  t.equal(code, '9GG6MUM2611', 'a code with 1, 2 and U in it (its check is 1)');
  for (const typed of ['9GG6MUM26I1', '9gg6mum26ii', '9GG6MVM261I', '9GG6MUMZ6II', '9gg6 mvmz 6ii']) {
    t.same(lookupTarget(typed), { ok: true, target: `/t/${code}` }, `${typed}: the code as issued`);
  }
  t.same(lookupTarget('9GG6MUM26GO'), { ok: true, target: '/t/9GG6MUM26G0' }, 'O read as 0');
  const withFive = `5${code.slice(1, -1)}`;
  const five = `${withFive}${mod31CheckChar(withFive)}`;
  t.same(lookupTarget(`S${five.slice(1)}`), { ok: true, target: `/t/${five}` }, 'S read as 5');
  const leftOut = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((letter) => !MOD31_CHARSET.includes(letter));
  t.same(Object.keys(LOOKALIKES).sort(), leftOut, 'each letter the alphabet leaves out is read, no letter it holds');
  t.same(LOOKALIKES, { I: '1', O: '0', S: '5', Z: '2', V: 'U' });
  for (const stands of Object.values(LOOKALIKES)) t.ok(MOD31_CHARSET.includes(stands), `${stands} is in the alphabet`);
  // one character wrong, lookalikes read first: the check fails
  const wrong = `${code.slice(0, 3)}7${code.slice(4)}`;
  t.same(lookupTarget(wrong), { ok: false, reason: 'mistyped' }, 'a character mistyped');
  t.same(lookupTarget(`${code.slice(0, -1)}7`), { ok: false, reason: 'mistyped' }, 'the check character mistyped');
  t.same(lookupTarget('9GG6MUM26I7'), { ok: false, reason: 'mistyped' }, 'I read as 1, and the check then fails');
  t.same(lookupTarget('9GG6MUM26L1'), { ok: false, reason: 'mistyped' }, 'L is in the alphabet: not read as 1');
  t.same(lookupTarget(`https://trace.example.cn/t/${wrong}`), { ok: false, reason: 'mistyped' }, 'in a trace link too');
  t.same(lookupTarget('9GG6MUM26_0'), { ok: false, reason: 'malformed' }, 'a character no code holds is no trace code');
  t.same(lookupTarget('9GG6MUM26I'), { ok: false, reason: 'malformed' }, 'ten characters are no trace code');
});

t.test('the lookup page at / and where its form leads', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('piece', { gtin: GTIN });
  const made = await world.ok(processor.event({ type: 'commission', lots: [{ productCode: product, quantity: 5, lotNumber: 'KZ-1' }] }));
  const [pack] = await issuePacks(world, processor, made.createdLotCodes[0] as string, 1);
  const get = (url: string, headers: Record<string, string> = {}) =>
    world.app.inject({ method: 'GET', url, headers: { 'user-agent': 'a phone', ...headers } });

  const page = await get('/');
  t.equal(page.statusCode, 200, 'a browser gets the page');
  t.match(page.headers['content-type'], /^text\/html/);
  t.match(page.headers['content-security-policy'], "default-src 'none'", 'the pages’ policy: nothing loaded from elsewhere');
  t.match(page.body, '<html lang="zh-CN">', 'Chinese first');
  t.match(page.body, TEXT['zh-CN'].enterCode);
  t.match(page.body, '<form method="get" action="/">');
  t.match(page.body, 'name="code"');
  t.notMatch(page.body, /<script|<link rel="stylesheet"|src="http|href="http/, 'no script, no external asset');
  t.ok(Buffer.byteLength(page.body) < 8_000, `small (${Buffer.byteLength(page.body)} bytes)`);
  const english = await get('/?lang=en');
  t.match(english.body, '<html lang="en">');
  t.match(english.body, TEXT.en.enterCode);
  t.match(english.body, 'href="/?lang=zh-CN"', 'the language switch');
  t.equal((await get('/', { accept: '*/*' })).statusCode, 200, 'Accept */* gets the page');

  const json = await get('/', { accept: 'application/json' });
  t.equal(json.statusCode, 404, 'a JSON client gets what / answered before');
  t.match(json.headers['content-type'], /^application\/problem\+json/);
  t.match(json.json(), { status: 404, detail: 'No route GET /' });

  // a code as typed off the label: lower case, groups with spaces, the page's language passed on
  const spaced = `${pack.slice(0, 4)} ${pack.slice(4, 8)} ${pack.slice(8)}`.toLowerCase();
  const typed = await get(`/?lang=en&code=${encodeURIComponent(spaced)}`);
  t.equal(typed.statusCode, 303, 'See Other');
  t.equal(typed.headers.location, `/t/${pack}?lang=en`, 'the code as issued, in the page’s language');
  const followed = await get(typed.headers.location as string, { accept: 'text/html' });
  t.equal(followed.statusCode, 200, 'the pack’s page');
  t.match(followed.body, '<html lang="en">');

  const link = await get(`/?code=${encodeURIComponent(`https://id.gs1.org/01/${GTIN}/10/KZ-1`)}`);
  t.equal(link.statusCode, 303);
  t.equal(link.headers.location, `/01/${GTIN}/10/KZ-1`, 'a Digital Link on another host leads to this resolver’s');
  t.equal((await get(link.headers.location as string, { accept: 'application/json' })).statusCode, 200);
  const repeated = await get(`/?code=${pack}&code=nonsense&from=singlemessage`);
  t.equal(repeated.headers.location, `/t/${pack}`, 'the first of a repeated code; a messenger’s tag passed over');

  const empty = await get('/?code=&lang=zh-CN');
  t.equal(empty.statusCode, 400, 'nothing typed: 400');
  t.match(empty.body, TEXT['zh-CN'].emptyCode, 'the form again, saying so');
  t.match(empty.body, 'name="code"');
  const hostile = await get(`/?code=${encodeURIComponent('<script>alert(1)</script>')}&lang=en`);
  t.equal(hostile.statusCode, 400);
  t.match(hostile.body, TEXT.en.malformedCode);
  t.match(hostile.body, 'value="&lt;script&gt;alert(1)&lt;/script&gt;"', 'what was typed kept, escaped');
  t.notMatch(hostile.body, '<script>');
  const long = await get(`/?code=${'9'.repeat(3000)}`);
  t.equal(long.statusCode, 400, 'a very long code: 400, not 5xx');
  t.match(long.body, `value="${'9'.repeat(500)}"`, 'kept in the field as far as the field takes it');
  t.notMatch(long.body, '9'.repeat(501));
  const problem = await get('/?code=nonsense', { accept: 'application/json' });
  t.equal(problem.statusCode, 400);
  t.match(problem.headers['content-type'], /^application\/problem\+json/);
  t.match(problem.json(), { status: 400, errors: [{ in: 'querystring', pointer: '/code' }] }, 'the field’s path');

  // lookalikes typed for 1, 0, 5, U or 2 lead to the code as issued; a wrong character is named, politely
  const corrected = await get('/?lang=en&code=9GG6MUM26I1');
  t.equal(corrected.statusCode, 303, 'lookalikes lead on');
  t.equal(corrected.headers.location, '/t/9GG6MUM2611?lang=en', 'to the code they stand for, as issued');
  const wrongCheck = `${pack.slice(0, -1)}${pack.endsWith('7') ? '8' : '7'}`;
  for (const lang of ['zh-CN', 'en'] as const) {
    const mistyped = await get(`/?lang=${lang}&code=${wrongCheck}`);
    t.equal(mistyped.statusCode, 400, `${lang}: a mistyped code is the form again`);
    t.match(mistyped.body, TEXT[lang].mistypedCode, 'saying a character was mistyped');
    t.notMatch(mistyped.body, TEXT[lang].malformedCode, 'not that it is no code of this platform');
    t.match(mistyped.body, 'aria-invalid="true" aria-describedby="code-problem"');
    t.match(mistyped.body, `value="${wrongCheck}"`, 'what was typed kept');
  }
  t.match(TEXT['zh-CN'].mistypedCode, '溯源码有一位输错了，请逐位核对（注意 0/O、1/I、5/S、2/Z）。');
  const mistypedJson = await get(`/?code=${wrongCheck}`, { accept: 'application/json' });
  t.equal(mistypedJson.statusCode, 400);
  t.match(mistypedJson.json(), { errors: [{ in: 'querystring', pointer: '/code', detail: /check character/ }] });
  // what /t/ takes is unchanged: a lookalike there is no code
  const scanned = await get('/t/9GG6MUM26I1', { accept: 'application/json' });
  t.equal(scanned.statusCode, 400, '/t/ reads no lookalikes: a mistyped code, as before');
});

// A mainland mobile number (11 digits, the first 1) is the length of a trace code, and its check nearly always fails:
// typed at /, it is answered as what it is, no product's code, not as a code with a character mistyped.
t.test('a mobile phone number typed at / is no trace code, not a mistyped one', async (t) => {
  for (const typed of ['13812345678', '138 1234 5678', '138-1234-5678', '１３８１２３４５６７８']) {
    t.same(lookupTarget(typed), { ok: false, reason: 'phoneNumber' }, typed);
  }
  t.same(lookupTarget('23812345678'), { ok: false, reason: 'mistyped' }, 'eleven digits not starting with 1: a mistyped code');
  t.same(lookupTarget('1381234567A'), { ok: false, reason: 'mistyped' }, 'a letter in it: a mistyped code');
  // a code of digits alone starting with 1 may be issued: one whose check holds is a code, not a phone number
  const body = Array.from({ length: 1000 }, (_, i) => `1${String(381234000 + i)}`).find((candidate) =>
    /\d/.test(mod31CheckChar(candidate)),
  );
  const digitsOnly = `${body}${mod31CheckChar(body as string)}`;
  t.same(lookupTarget(digitsOnly), { ok: true, target: `/t/${digitsOnly}` }, `${digitsOnly}: a trace code`);

  const world = await createWorld(t);
  const get = (url: string, accept = 'text/html') => world.app.inject({ method: 'GET', url, headers: { accept } });
  for (const lang of ['zh-CN', 'en'] as const) {
    const page = await get(`/?lang=${lang}&code=13812345678`);
    t.equal(page.statusCode, 400, `${lang}: the form again`);
    t.match(page.body, TEXT[lang].phoneNumberCode, 'saying it is a phone number, no product code');
    t.notMatch(page.body, TEXT[lang].mistypedCode, 'not that a character was mistyped');
    t.match(page.body, 'aria-invalid="true" aria-describedby="code-problem"');
  }
  t.match(TEXT['zh-CN'].phoneNumberCode, '不是产品溯源码');
  t.match(TEXT.en.phoneNumberCode, 'not a product code');
  const json = await get('/?code=13812345678', 'application/json');
  t.equal(json.statusCode, 400);
  t.match(json.json(), { errors: [{ in: 'querystring', pointer: '/code', detail: /phone number/ }] });
});

// A trace URL names a pack: `/t/{code}` answers a lot's or case's own code (the JSON's `lot.code`) 400, not a page,
// so an upstream lot's code is never a key to one. The lookup page reads what `/t/` reads: such a code typed there,
// bare or in a trace link, is the form again (400), not a redirect to a 400.
t.test('a lot’s or case’s own code is no trace code, typed at / as scanned at /t/', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 5);
  const container = await processor.pack([{ lotCode: lot, quantity: 1 }]);
  const get = (url: string, accept = 'text/html') => world.app.inject({ method: 'GET', url, headers: { accept } });
  for (const [what, code] of [
    ['a lot', lot],
    ['a case', container],
  ] as const) {
    const scanned = await get(`/t/${code}`, 'application/json');
    t.equal(scanned.statusCode, 400, `${what}'s code at /t/: 400`);
    t.match(scanned.json(), { errors: [{ pointer: '/code' }] });
    for (const typed of [code, code.toLowerCase(), `https://trace.example.cn/t/${code}`]) {
      t.same(lookupTarget(typed), { ok: false, reason: 'malformed' }, `${what}: ${typed}`);
      const page = await get(`/?lang=en&code=${encodeURIComponent(typed)}`);
      t.equal(page.statusCode, 400, `${what} typed at /: the form again, not a redirect`);
      t.match(page.body, TEXT.en.malformedCode);
    }
  }
});
