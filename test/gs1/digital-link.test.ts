import t, { type Test } from 'tap';
import { buildDigitalLink, type DigitalLinkErrorCode, isGs1Charset82, parseDigitalLinkPath } from '../../src/gs1/digital-link.js';

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
  t.equal(all.length, 82);
  t.ok(isGs1Charset82(all));
  for (const c of all) t.ok(isGs1Charset82(c), c);
  for (const c of [' ', '#', '$', '@', '[', '\\', ']', '^', '`', '{', '|', '}', '~', 'é', '\n']) {
    t.notOk(isGs1Charset82(`A${c}`), JSON.stringify(c));
  }
  t.notOk(isGs1Charset82(''), 'empty is not a value');
  t.notOk(isGs1Charset82(undefined as unknown as string));
});

t.test('parse: GTIN with qualifiers and query', async (t) => {
  t.same(value('/01/09506000134352/10/AB-12/21/X%2F1?17=261231&linkType=gs1:pip'), {
    primaryKey: '01',
    gtin: GTIN,
    lot: 'AB-12',
    serial: 'X/1',
    dataAttributes: { 17: '261231' },
    params: { linkType: 'gs1:pip' },
  });
  t.same(value(`/01/${GTIN}/22/2A/10/L1/21/S1`), {
    primaryKey: '01',
    gtin: GTIN,
    cpv: '2A',
    lot: 'L1',
    serial: 'S1',
    dataAttributes: {},
    params: {},
  });
  t.same(value(`/01/${GTIN}`), { primaryKey: '01', gtin: GTIN, dataAttributes: {}, params: {} });
  t.equal(value(`/01/${GTIN}/21/S1`).serial, 'S1', 'lot may be skipped');
  t.equal(value(`/01/${GTIN}/22/C`).cpv, 'C');
});

t.test('parse: GTIN lengths are normalised to GTIN-14', async (t) => {
  t.equal(value('/01/9506000134352').gtin, GTIN, 'GTIN-13');
  t.equal(value('/01/036000291452').gtin, '00036000291452', 'GTIN-12');
  t.equal(value('/01/96385074').gtin, '00000096385074', 'GTIN-8');
  t.equal(value('/01/80614141123458').gtin, '80614141123458', 'GTIN-14');
});

t.test('parse: other primary keys', async (t) => {
  t.same(value('/00/106141412345678908'), { primaryKey: '00', sscc: '106141412345678908', dataAttributes: {}, params: {} });
  t.same(value('/414/0614141123452/254/400'), {
    primaryKey: '414',
    gln: '0614141123452',
    glnExtension: '400',
    dataAttributes: {},
    params: {},
  });
  t.same(value('/414/4012345000009'), { primaryKey: '414', gln: '4012345000009', dataAttributes: {}, params: {} });
  t.same(value('/8003/04012345000221334455'), {
    primaryKey: '8003',
    grai: '04012345000221334455',
    dataAttributes: {},
    params: {},
  });
  t.equal(value('/8003/04012345666663').grai, '04012345666663', 'GRAI without serial');
  t.equal(value('/8003/04012345666663ABCDEFGHIJKLMNOP').grai, '04012345666663ABCDEFGHIJKLMNOP', '16-char serial');
  t.equal(value('/8003/04012345666663A%2FB').grai, '04012345666663A/B', 'serial is percent-decoded');
});

t.test('parse: trailing slash and path prefix', async (t) => {
  t.equal(value(`/01/${GTIN}/`).gtin, GTIN);
  t.equal(value(`/01/${GTIN}/21/S1/`).serial, 'S1');
  t.equal(value(`/01/${GTIN}/?linkType=all`).params.linkType, 'all');
  t.equal(value(`01/${GTIN}`).gtin, GTIN, 'no leading slash');
  t.same(value(`/some/prefix/01/${GTIN}/10/L`), { primaryKey: '01', gtin: GTIN, lot: 'L', dataAttributes: {}, params: {} });
  t.equal(value('/dl/v1/00/106141412345678908').sscc, '106141412345678908');
  t.equal(value(`/x/01/${GTIN}/10/L`).primaryKey, '01');
  // The first known key followed by anything wins, so a prefix must not itself be a key.
  errorOf(t, '/prefix/01/00/106141412345678908', 'bad-value', '01');
});

t.test('parse: percent-decoding of qualifiers', async (t) => {
  t.equal(value(`/01/${GTIN}/10/AB%2F12`).lot, 'AB/12', 'decoded before the charset check');
  errorOf(t, `/01/${GTIN}/10/AB%2F12%20x`, 'bad-value', '10');
  t.equal(value(`/01/${GTIN}/21/6789%2F%26%25%22%21%3F%28%29`).serial, '6789/&%"!?()');
  t.equal(value(`/01/${GTIN}/21/A!'()*`).serial, "A!'()*", 'sub-delims left literal are accepted');
  t.equal(value(`/01/${GTIN}/22/%41`).cpv, 'A');
});

t.test('parse: query', async (t) => {
  const v = value(`/01/${GTIN}/10/L?17=261231&15=260200&3103=000195&linkType=gs1%3Apip&context=x&lang=en-GB&flag&&empty=`);
  t.same(v.dataAttributes, { 17: '261231', 15: '260200', 3103: '000195' });
  t.same(v.params, { linkType: 'gs1:pip', context: 'x', lang: 'en-GB', flag: '', empty: '' });
  t.same(value(`/01/${GTIN}?`).dataAttributes, {});
  t.equal(value(`/01/${GTIN}?17=240229`).dataAttributes[17], '240229', 'leap day');
  t.equal(value(`/01/${GTIN}?17=261100`).dataAttributes[17], '261100', 'day 00 is end of month');
  t.equal(value(`/01/${GTIN}?11=261130`).dataAttributes[11], '261130', 'other date AIs too');
  t.equal(value(`/01/${GTIN}?3103=%30%31`).dataAttributes[3103], '01');
  t.equal(value(`/01/${GTIN}?x=a%2Bb+c`).params.x, 'a+b+c', '+ is literal, not a space');
  errorOf(t, `/01/${GTIN}?17=261301`, 'bad-value', '17');
  errorOf(t, `/01/${GTIN}?17=260230`, 'bad-value', '17');
  errorOf(t, `/01/${GTIN}?17=250229`, 'bad-value', '17');
  errorOf(t, `/01/${GTIN}?15=260431`, 'bad-value', '15');
  errorOf(t, `/01/${GTIN}?15=261232`, 'bad-value', '15');
  errorOf(t, `/01/${GTIN}?15=2612`, 'bad-value', '15');
  errorOf(t, `/01/${GTIN}?15=26123A`, 'bad-value', '15');
  errorOf(t, `/01/${GTIN}?17=`, 'empty', '17');
  errorOf(t, `/01/${GTIN}?17`, 'empty', '17');
  errorOf(t, `/01/${GTIN}?3103=1%202`, 'bad-value', '3103');
  errorOf(t, `/01/${GTIN}?17=261231&17=261230`, 'order', '17');
  errorOf(t, `/01/${GTIN}?10=L`, 'order', '10');
  errorOf(t, `/01/${GTIN}?21=S`, 'order', '21');
  errorOf(t, `/01/${GTIN}?01=${GTIN}`, 'order', '01');
  errorOf(t, `/01/${GTIN}?7=1`, 'unknown-key');
  errorOf(t, `/01/${GTIN}?12345=1`, 'unknown-key');
  errorOf(t, `/01/${GTIN}?linkType=%E0%A4%A`, 'bad-value');
  errorOf(t, `/01/${GTIN}?%ZZ=1`, 'bad-value');
});

t.test('parse: check digits', async (t) => {
  errorOf(t, '/01/09506000134353', 'check-digit', '01');
  errorOf(t, '/01/9506000134351', 'check-digit', '01');
  errorOf(t, '/00/106141412345678907', 'check-digit', '00');
  errorOf(t, '/414/0614141123453', 'check-digit', '414');
  errorOf(t, '/8003/04012345000222334455', 'check-digit', '8003');
});

t.test('parse: bad values', async (t) => {
  errorOf(t, '/01/09506000134', 'bad-value', '01');
  errorOf(t, '/01/095060001343520', 'bad-value', '01');
  errorOf(t, '/01/0950600013435X', 'bad-value', '01');
  errorOf(t, '/01/1234567', 'bad-value', '01');
  errorOf(t, '/00/10614141234567890', 'bad-value', '00');
  errorOf(t, '/414/06141411234520', 'bad-value', '414');
  errorOf(t, '/8003/14012345000221334455', 'bad-value', '8003');
  errorOf(t, '/8003/0401234500022', 'bad-value', '8003');
  errorOf(t, '/8003/04012345666663ABCDEFGHIJKLMNOPQ', 'bad-value', '8003');
  errorOf(t, '/8003/04012345666663A%20B', 'bad-value', '8003');
  errorOf(t, `/01/${GTIN}/10/${'L'.repeat(21)}`, 'bad-value', '10');
  t.equal(value(`/01/${GTIN}/10/${'L'.repeat(20)}`).lot, 'L'.repeat(20), '20 is the limit');
  errorOf(t, `/01/${GTIN}/21/${'S'.repeat(21)}`, 'bad-value', '21');
  errorOf(t, `/01/${GTIN}/22/${'C'.repeat(21)}`, 'bad-value', '22');
  errorOf(t, `/414/0614141123452/254/${'E'.repeat(21)}`, 'bad-value', '254');
  errorOf(t, `/01/${GTIN}/10/A%20B`, 'bad-value', '10');
  errorOf(t, `/01/${GTIN}/10/A%23B`, 'bad-value', '10');
  errorOf(t, `/01/${GTIN}/10/%C3%A9`, 'bad-value', '10');
  errorOf(t, `/01/${GTIN}/21/%E0%A4%A`, 'bad-value', '21');
  errorOf(t, `/01/${GTIN}/21/100%`, 'bad-value', '21');
});

t.test('parse: empty values and missing keys', async (t) => {
  errorOf(t, '', 'unknown-key');
  errorOf(t, '/', 'unknown-key');
  errorOf(t, '/some/path', 'unknown-key');
  errorOf(t, '/02/09506000134352', 'unknown-key');
  errorOf(t, '/01', 'empty', '01');
  errorOf(t, '/01/', 'empty', '01');
  errorOf(t, '/01//10/L', 'empty', '01');
  errorOf(t, `/01/${GTIN}/10`, 'empty', '10');
  errorOf(t, `/01/${GTIN}/10/`, 'empty', '10');
  errorOf(t, `/01/${GTIN}/10//21/S`, 'empty', '10');
  errorOf(t, '/414/0614141123452/254', 'empty', '254');
});

t.test('parse: order, duplicates and unknown qualifiers', async (t) => {
  errorOf(t, `/01/${GTIN}/21/s/10/l`, 'order', '10');
  errorOf(t, `/01/${GTIN}/10/l/22/c`, 'order', '22');
  errorOf(t, `/01/${GTIN}/21/s/22/c`, 'order', '22');
  errorOf(t, `/01/${GTIN}/10/a/10/b`, 'order', '10');
  errorOf(t, `/01/${GTIN}/21/a/21/b`, 'order', '21');
  errorOf(t, `/01/${GTIN}/10/a/21/b/10/c`, 'order', '10');
  errorOf(t, `/414/0614141123452/254/1/254/2`, 'order', '254');
  errorOf(t, `/01/${GTIN}/17/261231`, 'unknown-key', '17');
  errorOf(t, `/01/${GTIN}/254/1`, 'unknown-key', '254');
  errorOf(t, `/01/${GTIN}/01/${GTIN}`, 'unknown-key', '01');
  errorOf(t, '/00/106141412345678908/21/1', 'unknown-key', '21');
  errorOf(t, '/414/0614141123452/10/L', 'unknown-key', '10');
  errorOf(t, '/8003/04012345666663/21/1', 'unknown-key', '21');
  errorOf(t, `/01/${GTIN}/foo/bar`, 'unknown-key', 'foo');
  errorOf(t, `/01/${GTIN}//x`, 'unknown-key');
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
