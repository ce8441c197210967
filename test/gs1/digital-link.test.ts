import type { Test } from 'tap';
import { buildDigitalLink, type DigitalLinkErrorCode, isGs1Charset82, parseDigitalLinkPath } from '../../src/gs1/digital-link.js';
import { DIGITAL_LINK_VECTORS } from '../fixtures/digital-link-vectors.js';
import { fileTest } from '../root.js';

const t = fileTest();

const GTIN = '09506000134352';

function value(path: string) {
  const r = parseDigitalLinkPath(path);
  if (!r.ok) throw new Error(`${path}: ${r.error.message}`);
  return r.value;
}

function errorOf(t: Test, path: string, code: DigitalLinkErrorCode, ai?: string): void {
  const r = parseDigitalLinkPath(path);
  if (r.ok) {
    t.fail(`${path} accepted`);
    return;
  }
  t.equal(r.error.code, code, `${path}: ${r.error.message}`);
  if (ai) t.match(r.error.message, `(${ai})`, `${path}: message names AI ${ai}`);
}

t.test('isGs1Charset82', async (t) => {
  const all = '!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
  t.equal(all.length, 82, 'the set written out here is the whole of it');
  t.ok(isGs1Charset82(all), 'all 82 characters in one value');
  t.same(
    [...all].filter((c) => !isGs1Charset82(c)),
    [],
    'each character on its own',
  );
  const outside = [' ', '#', '$', '@', '[', '\\', ']', '^', '`', '{', '|', '}', '~', 'é', '\n'];
  t.same(
    outside.filter((c) => isGs1Charset82(`A${c}`)),
    [],
    'no character outside the set is accepted after a valid one',
  );
  t.notOk(isGs1Charset82(''), 'empty is not a value');
  t.notOk(isGs1Charset82(undefined as unknown as string));
});

const KEY_OF = { gtin: '01', sscc: '00', gln: '414', grai: '8003' } as const;

t.test(`Digital Link vectors (${DIGITAL_LINK_VECTORS.length})`, async (t) => {
  t.ok(DIGITAL_LINK_VECTORS.length >= 100, 'at least 100 vectors');
  t.ok(DIGITAL_LINK_VECTORS.filter((v) => v.ok).length >= 40, 'valid ones');
  t.ok(DIGITAL_LINK_VECTORS.filter((v) => v.error).length >= 60, 'invalid ones');
  t.equal(new Set(DIGITAL_LINK_VECTORS.map((v) => v.uri)).size, DIGITAL_LINK_VECTORS.length, 'no vector twice');
  for (const vector of DIGITAL_LINK_VECTORS) {
    const r = parseDigitalLinkPath(vector.uri);
    const name = `${vector.uri.slice(0, 100)} — ${vector.rule}`;
    if (vector.ok) {
      const key = (Object.keys(KEY_OF) as (keyof typeof KEY_OF)[]).find((field) => vector.ok?.[field] !== undefined) as keyof typeof KEY_OF;
      const expected = { prefix: '', primaryKey: KEY_OF[key], dataAttributes: {}, params: {}, ...vector.ok };
      t.same(r, { ok: true, value: expected }, name);
    } else {
      errorOf(t, vector.uri, vector.error as DigitalLinkErrorCode, vector.ai);
    }
  }
});

t.test('parse: every code a vector expects is one the parser can give', async (t) => {
  const codes = new Set(DIGITAL_LINK_VECTORS.map((v) => v.error).filter(Boolean));
  t.same([...codes].sort(), [
    'bad-value',
    'check-digit',
    'duplicate',
    'empty',
    'exclusive',
    'misplaced',
    'order',
    'trailing-slash',
    'unknown-key',
    'unsupported-key',
    'zero-suppressed',
  ]);
});

t.test('parse: messages say what to write instead', async (t) => {
  const message = (uri: string) => {
    const r = parseDigitalLinkPath(uri);
    return r.ok ? '' : r.error.message;
  };
  t.match(message('/01/9506000134352'), '09506000134352', 'the 14-digit GTIN');
  t.match(message(`/01/${GTIN}/10/LOT1/`), `/01/${GTIN}/10/LOT1`, 'the path without the slash');
  t.match(message(`/01/${GTIN}?10=L`), 'belongs in the path');
  t.match(message(`/01/${GTIN}/17/261231`), 'data attributes go in the query string');
  t.match(message(`/01/${GTIN}?17=261301`), 'YYMMDD');
  t.match(message(`/01/${GTIN}/10/A%20B`), 'GS1 charset 82');
  // a digit too many is the length, whatever the first 14 digits' check digit says
  t.match(message('/01/000000096385074'), 'must be 14 digits', 'a GTIN of 15 digits: its length, not a check digit of its first 14');
  t.match(message(`/01/${GTIN}1`), 'must be 14 digits', 'a valid GTIN with a digit more: its length');
  t.match(message('/00/0069012345000000011'), 'must be 18 digits', 'an SSCC of 19 digits: its length');
  t.match(message('/01/09506000134353'), 'wrong check digit', 'a GTIN of 14 digits with a wrong check digit says so');
});

t.test('buildDigitalLink', async (t) => {
  const base = 'https://d.example.com';
  t.equal(buildDigitalLink(base, { gtin: '9506000134352' }), `${base}/01/${GTIN}`);
  t.equal(buildDigitalLink(`${base}/`, { gtin: GTIN, lot: 'L1' }), `${base}/01/${GTIN}/10/L1`, 'trailing slash on base');
  t.equal(buildDigitalLink(base, { serial: 'S', lot: 'L', cpv: 'C', gtin: GTIN }), `${base}/01/${GTIN}/22/C/10/L/21/S`, 'fixed order');
  t.equal(buildDigitalLink(base, { gtin: GTIN, lot: 'AB/12' }).split('/10/')[1], 'AB%2F12');
  // Space is outside charset 82, so it is rejected rather than encoded as %20.
  t.throws(() => buildDigitalLink(base, { gtin: GTIN, lot: 'AB/12 x' }), RangeError);
  t.equal(
    buildDigitalLink(base, { gtin: GTIN, serial: '!"%&\'()*+,-./:;<=>?_' }).split('/21/')[1],
    '%21%22%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F_',
    'everything outside unreserved is encoded',
  );
  t.equal(buildDigitalLink(base, { sscc: '106141412345678908' }), `${base}/00/106141412345678908`);
  t.equal(buildDigitalLink(base, { gln: '0614141123452', glnExtension: '400' }), `${base}/414/0614141123452/254/400`);
  t.equal(buildDigitalLink(base, { gln: '0614141123452' }), `${base}/414/0614141123452`);
  t.equal(buildDigitalLink(base, { grai: '04012345666663A/B' }), `${base}/8003/04012345666663A%2FB`);
  t.equal(buildDigitalLink(base, { gtin: GTIN }, { 17: '261231', linkType: 'gs1:pip' }), `${base}/01/${GTIN}?17=261231&linkType=gs1%3Apip`);
  t.equal(buildDigitalLink(base, { gtin: GTIN }, {}), `${base}/01/${GTIN}`, 'no empty query');
  t.equal(buildDigitalLink('', { gtin: GTIN }), `/01/${GTIN}`, 'relative');

  t.throws(() => buildDigitalLink(base, { gtin: '09506000134353' }), RangeError);
  t.throws(() => buildDigitalLink(base, { gtin: 'abc' }), RangeError);
  t.throws(() => buildDigitalLink(base, { gtin: GTIN, lot: '' }), RangeError);
  t.throws(() => buildDigitalLink(base, { gtin: GTIN, lot: 'L'.repeat(21) }), RangeError);
  t.throws(() => buildDigitalLink(base, { gtin: GTIN, serial: 'a#b' }), RangeError);
  t.throws(() => buildDigitalLink(base, { gtin: GTIN, cpv: 'é' }), RangeError);
  t.throws(() => buildDigitalLink(base, { sscc: '106141412345678907' }), RangeError);
  t.throws(() => buildDigitalLink(base, { gln: '0614141123453' }), RangeError);
  t.throws(() => buildDigitalLink(base, { gln: '0614141123452', glnExtension: ' ' }), RangeError);
  t.throws(() => buildDigitalLink(base, { grai: '04012345666664' }), RangeError);
});

t.test('buildDigitalLink: (235), 14-digit GTINs and a query the parser accepts', async (t) => {
  const base = 'https://d.example.com';
  t.equal(buildDigitalLink(base, { gtin: GTIN, tpx: 'T/1' }), `${base}/01/${GTIN}/235/T%2F1`);
  t.equal(buildDigitalLink(base, { gtin: '96385074', lot: 'L' }), `${base}/01/00000096385074/10/L`, 'GTIN-8 written with 14 digits');
  t.equal(buildDigitalLink(base, { gtin: '036000291452' }), `${base}/01/00036000291452`, 'GTIN-12 written with 14 digits');
  for (const other of [{ cpv: 'C' }, { lot: 'L' }, { serial: 'S' }]) {
    t.throws(() => buildDigitalLink(base, { gtin: GTIN, tpx: 'T', ...other }), RangeError, `(235) with ${Object.keys(other)}`);
  }
  t.throws(() => buildDigitalLink(base, { gtin: GTIN, tpx: 'T'.repeat(29) }), RangeError);
  t.equal(buildDigitalLink(base, { sscc: '106141412345678908' }, { 10: 'LOT1' }), `${base}/00/106141412345678908?10=LOT1`);
  t.equal(
    buildDigitalLink(base, { gtin: GTIN, tpx: 'T' }, { 10: 'L', utm_source: 'a b' }),
    `${base}/01/${GTIN}/235/T?10=L&utm_source=a%20b`,
  );
  const queries: Record<string, string>[] = [
    { 999: 'x' },
    { 17: '261301' },
    { 10: 'L' },
    { 21: 'S' },
    { 99: 'a b' },
    { 17: '' },
    { 3103: '1', 3102: '000001' },
  ];
  for (const query of queries) {
    t.throws(() => buildDigitalLink(base, { gtin: GTIN }, query), RangeError, JSON.stringify(query));
  }
});

t.test('build and parse round-trip', async (t) => {
  const values = ['AB/12', '6789/&%"!?()', 'A-1.2_3', "<=>;:,+*'", '%25', '0'];
  for (const v of values) {
    const uri = buildDigitalLink('https://d.example.com/prefix', { gtin: GTIN, cpv: v, lot: v, serial: v });
    const path = new URL(uri).pathname;
    const parsed = value(path);
    t.same([parsed.cpv, parsed.lot, parsed.serial], [v, v, v], `${JSON.stringify(v)} via ${path}`);
    t.equal(buildDigitalLink('https://d.example.com/prefix', { gtin: parsed.gtin as string, cpv: v, lot: v, serial: v }), uri);
  }
  const q = new URL(buildDigitalLink('https://x', { gtin: GTIN }, { 17: '261231', linkType: 'gs1:pip', note: 'a&b=c' }));
  t.same(value(q.pathname + q.search).params, { linkType: 'gs1:pip', note: 'a&b=c' });
});

t.test('parse: extension parameters the resolver does not read are not checked; its own and AIs are', async (t) => {
  t.same(value(`/01/${GTIN}/10/L?utm=%B0%D9&x=1`).params, { x: '1' }, 'a GBK-encoded value is left out of params');
  t.same(value(`/01/${GTIN}?off=50%&lang=en`).params, { lang: 'en' }, 'a stray "%" in one too');
  t.same(value(`/01/${GTIN}?%B0%D9=1&x=%E8%85%8A`).params, { x: '腊' }, 'a key that is not UTF-8 is passed over');
  t.same(value(`/01/${GTIN}?x=%FF&x=2`).params, {}, 'a parameter given twice keeps its first value, even one left out');
  const machinery = value(`/01/${GTIN}?__proto__=x&constructor=1&toString=2&__proto__=y`).params;
  t.equal(Object.getPrototypeOf(machinery), null, 'params have no prototype');
  t.same(
    Object.entries(machinery),
    [
      ['__proto__', 'x'],
      ['constructor', '1'],
      ['toString', '2'],
    ],
    'the names of its members are params',
  );
  t.equal(value(`/01/${GTIN}`).params.constructor, undefined, 'and only what was given is one');
  for (const key of ['linkType', 'format', 'lang', 'region', 'context']) errorOf(t, `/01/${GTIN}?${key}=%B0%D9`, 'bad-value');
  errorOf(t, `/01/${GTIN}?99=%B0`, 'bad-value', '99');
  errorOf(t, `/01/${GTIN}?%3=1`, 'bad-value');
});
