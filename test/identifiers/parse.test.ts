import { mod31CheckChar } from '../../src/codes/mod31.js';
import { Problem, paramField } from '../../src/errors/problem.js';
import { parseIdentifier } from '../../src/identifiers/parse.js';
import { fileTest } from '../root.js';

const t = fileTest();

const BASE = 'https://fj.example';
const PARTY = `Y500236AAAAAAA${mod31CheckChar('Y500236AAAAAAA')}`;
const SGTIN = { kind: 'gtin', gtin: '80614141123458', serial: '6789', uri: 'https://id.gs1.org/01/80614141123458/21/6789' };

t.test('RFID tag values name what their pure identity names', async (t) => {
  for (const value of [
    '3074257BF7194E4000001A85',
    '0x3074257bf7194e4000001a85',
    'urn:epc:tag:sgtin-96:3.0614141.812345.6789',
    'urn:epc:raw:96.x3074257BF7194E4000001A85',
    'urn:epc:id:sgtin:0614141.812345.6789',
  ]) {
    t.same(parseIdentifier(value, BASE), SGTIN, value);
  }
  t.same(parseIdentifier('urn:epc:tag:sscc-96:3.0614141.1234567890', BASE), { kind: 'sscc', sscc: '106141412345678908' });
  t.same(
    parseIdentifier('e2806894000040017790e471', BASE),
    { kind: 'uri', uri: 'urn:epc:raw:96.xE2806894000040017790E471' },
    'a factory EPC',
  );
  t.same(parseIdentifier('urn:epc:raw:96.xe2806894000040017790e471', BASE), {
    kind: 'uri',
    uri: 'urn:epc:raw:96.xE2806894000040017790E471',
  });
  t.same(
    parseIdentifier('urn:epc:tag:gid-96:1.2.3', BASE),
    { kind: 'uri', uri: 'urn:epc:id:gid:1.2.3' },
    'a GID tag URI names its pure identity (no GS1 key)',
  );
  const error = t.throws(() => parseIdentifier('urn:epc:tag:sgtin-96:3.0614141.81234.6789', BASE)) as Problem;
  t.ok(error instanceof Problem && error.status === 400, 'a malformed tag URI is a 400');
  t.match(error.detail, /not a valid SGTIN EPC URN/);
});

t.test("this service's own URIs with broken %-escapes are a 400, not a failure", async (t) => {
  for (const bad of ['%ED%A0%80', '%C3', '%00']) {
    t.throws(
      () => parseIdentifier(`${BASE}/lots/${bad}`, BASE),
      { status: 400, message: /does not end in a valid lot code/ },
      `/lots/${bad}`,
    );
    t.throws(() => parseIdentifier(`${BASE}/t/${bad}`, BASE), { status: 400, message: /does not end in a valid item code/ }, `/t/${bad}`);
  }
});

t.test('a Digital Link with a lot that is not GS1 text is a 400, never decoded to NUL', async (t) => {
  const uri = 'https://id.gs1.org/01/06901234000016/10/A%00B';
  t.throws(() => parseIdentifier(uri, BASE), { status: 400, message: /not GS1 text once %-decoded/ });
  t.same(parseIdentifier('https://id.gs1.org/01/06901234000016/10/A%2FB', BASE), {
    kind: 'gtin',
    gtin: '06901234000016',
    uri: 'https://id.gs1.org/01/06901234000016/10/A%2FB',
    lot: 'A/B',
  });
});

t.test('a malformed GS1 key is a 400 in every form, as a bare SSCC with a wrong check digit is', async (t) => {
  for (const [value, why] of [
    ['https://id.gs1.org/01/80614141123459/21/6789', /GTIN 80614141123459 has a wrong check digit/],
    ['https://shop.example/01/80614141123458/21/S/10/L', /AI \(10\) must come before \(21\)/],
    ['https://id.gs1.org/01/80614141123458/21/S/235/T', /\(235\) cannot be combined with \(21\)/],
    ['https://id.gs1.org/00/106141412345678909', /SSCC .* wrong check digit/],
    ['https://id.gs1.org/8003/04012345666664S1', /GRAI 04012345666664S1 has a wrong check digit/],
    ['https://id.gs1.org/253/1231231231233', /GDTI 1231231231233 has a wrong check digit/],
    ['https://id.gs1.org/01/123', /GTIN does not match its AI's format: AI \(01\) must be 14 digits/],
    ['https://id.gs1.org/00/10614141234567890', /SSCC does not match its AI's format: AI \(00\) must be 18 digits/],
    ['https://id.gs1.org/8006/040123451234560302', /ITIP does not match .*a piece number not above the total/],
    ['https://id.gs1.org/8003/04012345666663ABCDEFGHIJKLMNOPQ', /GRAI does not match .*1-16 characters/],
    ['urn:epc:id:sgtin:0614141.81234.6789', /not a valid SGTIN EPC URN/],
    ['urn:epc:id:sscc:0614141.12345', /not a valid SSCC EPC URN/],
  ] as const) {
    t.throws(() => parseIdentifier(value, BASE), { status: 400, message: why }, value);
  }
  t.throws(() => parseIdentifier('106141412345678909', BASE), { status: 400, message: /check digit is wrong/ }, 'the bare SSCC');
  t.same(parseIdentifier('urn:gdst:example.com:lot:class:1', BASE), { kind: 'uri', uri: 'urn:gdst:example.com:lot:class:1' }, 'no GS1 URI');
  t.same(
    parseIdentifier('https://example.com/party/acme', BASE),
    { kind: 'uri', uri: 'https://example.com/party/acme' },
    'a short name without the digits of a key after it is no Digital Link',
  );
});

t.test('a lot, container or pack code with a letter the alphabet leaves out is a typo; other identifiers are read as ever', async (t) => {
  for (const typo of ['B000000000IT', 'H00000000O00', 'b000000000it', '22222222S22']) {
    t.throws(() => parseIdentifier(typo, BASE), { status: 400, message: /check character is wrong — probably a typo/ }, typo);
  }
  t.same(parseIdentifier('106141412345678908', BASE), { kind: 'sscc', sscc: '106141412345678908' }, 'an SSCC');
  t.same(parseIdentifier('150023600000001', BASE), { kind: 'ear-tag', earTag: '150023600000001' }, 'an ear tag');
  const party = 'Y500236PBPQCCJ2';
  t.same(parseIdentifier(`${party}:LOT-01`, BASE), { kind: 'party-lot', partyCode: party, lotNumber: 'LOT-01' }, 'PARTY:LOT');
  t.match(
    parseIdentifier('https://id.gs1.org/01/80614141123458/10/L1', BASE),
    { kind: 'gtin', gtin: '80614141123458', lot: 'L1' },
    'a GTIN',
  );
  t.throws(() => parseIdentifier('NO-SUCH-LOT', BASE), { status: 400, message: /not an identifier this service knows/ }, 'a name');
});

t.test("a party code mistyped before a party's lot number is a typo, not a URI's scheme", async (t) => {
  const typo = `${PARTY.slice(0, -1)}${PARTY.endsWith('A') ? 'B' : 'A'}`;
  for (const value of [`${typo}:LOT-01`, `${typo.toLowerCase()}:lot-01`, `${PARTY.slice(0, -1)}I:LOT-01`]) {
    t.throws(() => parseIdentifier(value, BASE), { status: 400, message: /check character is wrong — probably a typo/ }, value);
  }
  t.same(parseIdentifier(`${PARTY.toLowerCase()}:lot-01`, BASE), { kind: 'party-lot', partyCode: PARTY, lotNumber: 'lot-01' }, 'as issued');
  t.same(parseIdentifier('urn:x:LOT-01', BASE), { kind: 'uri', uri: 'urn:x:LOT-01' }, 'a URI');
});

t.test('a malformed value is reported at the request field the caller names, with what is wrong with it', async (t) => {
  const fieldOf = (detail: string) => paramField('code', detail);
  for (const value of ['BAAAAAAAAAAA', '106141412345678909', 'urn:epc:id:sscc:0614141.12345', 'hello', `${PARTY}:`]) {
    const error = t.throws(() => parseIdentifier(value, BASE, fieldOf)) as Problem;
    t.equal(error.status, 400, value);
    t.same(error.errors, [{ in: 'params', pointer: '/code', detail: error.detail }], `${value}: at /code`);
    t.equal((t.throws(() => parseIdentifier(value, BASE)) as Problem).errors, undefined, `${value}: no field unless named`);
  }
});
