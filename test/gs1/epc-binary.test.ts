import { completeGs1 } from '../../src/codes/gs1.js';
import { type DecodedTag, decodeTag, type EpcScheme, EpcSyntaxError, encodeTag } from '../../src/gs1/epc-binary.js';
import { fileTest } from '../root.js';

const t = fileTest();

function gs1(tag: DecodedTag) {
  if (tag.kind !== 'gs1') throw new Error(`expected a GS1 tag, got ${JSON.stringify(tag)}`);
  return tag;
}

t.test('the worked vector of the brief decodes from every form to the same tag', async (t) => {
  const expected = {
    kind: 'gs1',
    scheme: 'sgtin-96',
    hex: '3074257BF7194E4000001A85',
    filter: 3,
    tagUri: 'urn:epc:tag:sgtin-96:3.0614141.812345.6789',
    rawUri: 'urn:epc:raw:96.x3074257BF7194E4000001A85',
    pureIdentity: 'urn:epc:id:sgtin:0614141.812345.6789',
    digitalLink: 'https://id.gs1.org/01/80614141123458/21/6789',
    gtin: '80614141123458',
    serial: '6789',
  };
  for (const form of [
    '3074257BF7194E4000001A85',
    '3074257bf7194e4000001a85',
    '0x3074257BF7194E4000001A85',
    ' 3074257BF7194E4000001A85 ',
    'urn:epc:tag:sgtin-96:3.0614141.812345.6789',
    'urn:epc:raw:96.x3074257BF7194E4000001A85',
    `urn:epc:raw:96.${BigInt('0x3074257BF7194E4000001A85')}`,
  ]) {
    t.same(decodeTag(form), expected, form);
  }
  // Pure identities and Digital Links carry no filter: 0 unless given.
  t.equal(gs1(decodeTag('urn:epc:id:sgtin:0614141.812345.6789')).hex, '3014257BF7194E4000001A85');
  t.same(decodeTag('urn:epc:id:sgtin:0614141.812345.6789', { filter: 3 }), expected);
  t.same(decodeTag('https://example.com/01/80614141123458/21/6789', { filter: 3, companyPrefixLength: 7 }), expected);
  t.same(encodeTag('urn:epc:id:sgtin:0614141.812345.6789', { scheme: 'sgtin-96', filter: 3 }), expected);
});

t.test('TDS examples of every scheme', async (t) => {
  const vectors: [string, string, Record<string, string>][] = [
    ['urn:epc:tag:sscc-96:3.0614141.1234567890', '3174257BF4499602D2000000', { sscc: '106141412345678908' }],
    ['urn:epc:tag:sgln-96:3.0614141.12345.400', '3274257BF460720000000190', { gln: '0614141123452', glnExtension: '400' }],
    ['urn:epc:tag:grai-96:3.0614141.12345.400', '3374257BF40C0E4000000190', { grai: '00614141123452400', serial: '400' }],
    ['urn:epc:tag:giai-96:3.0614141.5678', '3474257BF40000000000162E', { giai: '06141415678' }],
    [
      'urn:epc:tag:sgtin-198:3.0614141.812345.mw133',
      '3674257BF7194E76F762CD9800000000000000000000000000',
      { gtin: '80614141123458', serial: 'mw133' },
    ],
    ['urn:epc:tag:sgtin-96:1.0614141.000734.314159', '3034257BF400B7800004CB2F', { gtin: '00614141007349', serial: '314159' }],
  ];
  for (const [tagUri, hex, keys] of vectors) {
    const fromUri = gs1(decodeTag(tagUri));
    t.equal(fromUri.hex, hex.padEnd(fromUri.scheme === 'sgtin-198' ? 50 : 24, '0'), tagUri);
    t.match(fromUri, keys, tagUri);
    t.same(decodeTag(fromUri.hex), fromUri, `${hex} decodes back`);
  }
});

t.test('Digital Links of every key decode with the company prefix length, and name it when missing', async (t) => {
  const lookup = (digits: string) => (digits.startsWith('0614141') ? 7 : null);
  t.equal(
    gs1(decodeTag('https://id.gs1.org/00/106141412345678908', { companyPrefixLength: lookup })).tagUri,
    'urn:epc:tag:sscc-96:0.0614141.1234567890',
  );
  t.equal(
    gs1(decodeTag('https://id.gs1.org/414/0614141123452/254/400', { companyPrefixLength: lookup })).pureIdentity,
    'urn:epc:id:sgln:0614141.12345.400',
  );
  t.equal(
    gs1(decodeTag('https://id.gs1.org/414/0614141123452', { companyPrefixLength: lookup })).pureIdentity,
    'urn:epc:id:sgln:0614141.12345.0',
  );
  t.equal(
    gs1(decodeTag('https://id.gs1.org/8003/00614141123452400', { companyPrefixLength: lookup })).pureIdentity,
    'urn:epc:id:grai:0614141.12345.400',
  );
  t.equal(
    gs1(decodeTag('https://id.gs1.org/8004/06141415678', { companyPrefixLength: lookup })).pureIdentity,
    'urn:epc:id:giai:0614141.5678',
  );
  const alphanumeric = gs1(decodeTag('https://id.gs1.org/01/80614141123458/21/A%2Fb', { companyPrefixLength: 7 }));
  t.equal(alphanumeric.scheme, 'sgtin-198');
  t.equal(alphanumeric.serial, 'A/b');
  t.equal(alphanumeric.tagUri, 'urn:epc:tag:sgtin-198:0.0614141.812345.A%2Fb');

  t.throws(() => decodeTag('https://id.gs1.org/01/80614141123458/21/6789'), /company prefix/);
  t.throws(
    () => decodeTag(`https://id.gs1.org/01/${completeGs1('0690123412345')}/21/1`, { companyPrefixLength: lookup }),
    /company prefix/,
  );
  t.throws(() => decodeTag('https://id.gs1.org/01/80614141123458/21/6789', { companyPrefixLength: 13 }), /company prefix/);
  t.throws(() => decodeTag('https://id.gs1.org/01/80614141123459/21/6789', { companyPrefixLength: 7 }), /check digit/);
  t.throws(() => decodeTag('https://id.gs1.org/01/80614141123458/10/LOT1', { companyPrefixLength: 7 }), /serial/);
  t.throws(() => decodeTag('https://id.gs1.org/01/80614141123458', { companyPrefixLength: 7 }), /serial/);
  t.throws(() => decodeTag('https://id.gs1.org/8003/00614141123452', { companyPrefixLength: 7 }), /class/);
  t.throws(() => decodeTag('https://id.gs1.org/402/06141411234567899', { companyPrefixLength: 7 }), /Digital Link of one tagged object/);
  t.throws(() => decodeTag('https://id.gs1.org/8018/061414112345678906', { companyPrefixLength: 7 }), /check digit/);
  t.throws(() => decodeTag('https://id.gs1.org/253/0614141123452', { companyPrefixLength: 7 }), /class/);
  t.throws(() => decodeTag('https://id.gs1.org/8010/0614141123456', { companyPrefixLength: 7 }), /class/);
  t.throws(() => decodeTag('https://example.com/no-key'), EpcSyntaxError);
});

type PartitionCase = { scheme: EpcScheme; urn: (cp: string, p: number) => string };
const PARTITION_CASES: PartitionCase[] = [
  { scheme: 'sgtin-96', urn: (cp, p) => `urn:epc:id:sgtin:${cp}.${'1'.padEnd(p + 1, '3')}.274877906943` },
  { scheme: 'sgtin-198', urn: (cp, p) => `urn:epc:id:sgtin:${cp}.${'9'.padEnd(p + 1, '8')}.A%22%25%26%2F%3C%3E%3F!'()*+,-.:;=` },
  { scheme: 'sscc-96', urn: (cp, p) => `urn:epc:id:sscc:${cp}.${'3'.padEnd(p + 5, '7')}` },
  { scheme: 'sgln-96', urn: (cp, p) => `urn:epc:id:sgln:${cp}.${'5'.repeat(p)}.2199023255551` },
  { scheme: 'grai-96', urn: (cp, p) => `urn:epc:id:grai:${cp}.${'4'.repeat(p)}.0` },
  { scheme: 'giai-96', urn: (cp, p) => `urn:epc:id:giai:${cp}.${((1n << BigInt([42, 45, 48, 52, 55, 58, 62][p])) - 1n).toString()}` },
];

t.test('every partition of every scheme encodes and decodes both ways', async (t) => {
  for (const { scheme, urn } of PARTITION_CASES) {
    for (let p = 0; p <= 6; p++) {
      const pureIdentity = urn('987654321098'.slice(0, 12 - p), p);
      for (const filter of [0, 7]) {
        const tag = gs1(encodeTag(pureIdentity, { scheme, filter }));
        const label = `${scheme} partition ${p} filter ${filter}`;
        t.equal(tag.pureIdentity, pureIdentity, label);
        t.equal(tag.scheme, scheme, label);
        // header, then 3 filter bits and 3 partition bits
        t.equal(Number.parseInt(tag.hex.slice(2, 4), 16) >> 2, (filter << 3) | p, label);
        t.same(decodeTag(tag.hex), tag, `${label}: hex`);
        t.same(decodeTag(tag.tagUri), tag, `${label}: tag URI`);
        t.same(decodeTag(tag.rawUri), tag, `${label}: raw URI`);
        t.same(decodeTag(tag.pureIdentity, { filter }), tag, `${label}: pure identity picks the same scheme`);
        t.same(decodeTag(tag.digitalLink, { filter, companyPrefixLength: 12 - p }), tag, `${label}: Digital Link`);
      }
    }
  }
});

// urn:epc:tag:sgtin-198:3.0614141.812345.mw133; its serial starts at bit 58 of 200, 7 bits a character.
const MW133 = '3674257BF7194E76F762CD9800000000000000000000000000';
function withSerialChar(hex: string, index: number, code: number): string {
  const shift = BigInt(200 - 58 - 7 * (index + 1));
  const bits = (BigInt(`0x${hex}`) & ~(0x7fn << shift)) | (BigInt(code) << shift);
  return bits.toString(16).toUpperCase().padStart(50, '0');
}

// SGTIN-96 with filter 3 and serial 1: partition 5 splits 44 bits into 24 for the prefix, 20 for the item reference.
function sgtin96(partition: number, prefix: bigint, item: bigint): string {
  const bits = (((((0x30n << 3n) | 3n) << 3n) | BigInt(partition)) << 44n) | (prefix << 20n) | item;
  return ((bits << 38n) | 1n).toString(16).toUpperCase();
}

t.test('values that are no GS1 EPC come back as raw tag ids', async (t) => {
  const raw = (hex: string) => ({ kind: 'raw', hex, rawUri: `urn:epc:raw:${hex.length * 4}.x${hex}` });
  t.same(decodeTag('E2806894000040017790E471'), raw('E2806894000040017790E471'), 'factory EPC');
  t.same(decodeTag('e280116060000209'), raw('E280116060000209'), '64-bit EPC');
  t.same(decodeTag('urn:epc:raw:96.xE28011606000020A6681F23F'), raw('E28011606000020A6681F23F'));
  t.same(decodeTag('3074257BF7194E4000001A850000'), raw('3074257BF7194E4000001A850000'), 'an SGTIN header with the wrong length');
  t.same(decodeTag('urn:epc:raw:64.x3074257BF7194E40'), raw('3074257BF7194E40'));
  t.same(decodeTag('307FFFFFFFFFFFFFFFFFFFFF'), raw('307FFFFFFFFFFFFFFFFFFFFF'), 'partition 7');
  t.equal(
    gs1(decodeTag(sgtin96(5, 9_999_999n, 999_999n))).tagUri,
    'urn:epc:tag:sgtin-96:3.9999999.999999.1',
    'the largest values of partition 5',
  );
  t.same(decodeTag(sgtin96(5, 10_000_000n, 1n)), raw(sgtin96(5, 10_000_000n, 1n)), 'company prefix beyond its digits');
  t.same(decodeTag(sgtin96(5, 1n, 1_000_000n)), raw(sgtin96(5, 1n, 1_000_000n)), 'item reference beyond its digits');
  t.same(decodeTag('3174257BF4499602D2000001'), raw('3174257BF4499602D2000001'), 'SSCC with reserved bits set');
  t.equal(decodeTag(withSerialChar(MW133, 6, 0x41)).kind, 'raw', 'SGTIN-198 with a character after the end');
  t.equal(decodeTag([0, 1, 2, 3, 4].reduce((hex, i) => withSerialChar(hex, i, 0), MW133)).kind, 'raw', 'SGTIN-198 without serial');
  t.equal(decodeTag(withSerialChar(MW133, 0, 0x7f)).kind, 'raw', 'SGTIN-198 serial outside the GS1 character set');
  t.equal(decodeTag(`${MW133.slice(0, 49)}1`).kind, 'raw', 'padding bits set');
  t.equal(gs1(decodeTag(withSerialChar(MW133, 0, 0x4d))).serial, 'Mw133', 'the helper changes only one character');
  t.same(
    decodeTag('urn:epc:raw:96.x30.x3074257BF7194E4000001A85'),
    { kind: 'raw', hex: null, rawUri: 'urn:epc:raw:96.x30.x3074257BF7194E4000001A85' },
    'ISO tag with an AFI',
  );
});

t.test('SGTIN-198 read as whole words (52 digits) decodes to its 50-digit form', async (t) => {
  t.equal(gs1(decodeTag(`${MW133}00`)).hex, MW133);
  t.equal(decodeTag(`${MW133}01`).kind, 'raw');
});

t.test('SGLN-195, GRAI-170 and GIAI-202: values the 96-bit schemes cannot hold, in every form and padding', async (t) => {
  const cases: [string, string, number][] = [
    ['urn:epc:id:sgln:0614141.12345.A!b', 'sgln-195', 49],
    ['urn:epc:id:grai:0614141.12345.x-1', 'grai-170', 43],
    ['urn:epc:id:giai:0614141.ABC%2F1', 'giai-202', 51],
    ['urn:epc:id:giai:0614141.0123', 'giai-202', 51],
  ];
  for (const [pure, scheme, digits] of cases) {
    const tag = gs1(decodeTag(pure, { filter: 1 }));
    t.match(tag, { scheme, pureIdentity: pure, filter: 1 }, `${pure}: the long scheme, chosen for it`);
    t.equal(tag.hex.length, digits);
    t.equal(tag.rawUri, `urn:epc:raw:${scheme.split('-')[1]}.x${tag.hex}`);
    for (const form of [tag.tagUri, tag.rawUri, tag.digitalLink, `${tag.hex}0`, tag.hex.padEnd(Math.ceil(digits / 4) * 4, '0')]) {
      const again = gs1(decodeTag(form, { filter: 1, companyPrefixLength: 7 }));
      t.same([again.hex, again.pureIdentity], [tag.hex, pure], `${scheme} from ${form}`);
    }
    t.equal(decodeTag(`${tag.hex.padEnd(Math.ceil(digits / 4) * 4, '0').slice(0, -1)}1`).kind, 'raw', 'bits set past the encoding');
  }
  t.match(gs1(decodeTag('urn:epc:id:sgln:0614141.12345.A!b')), { gln: '0614141123452', glnExtension: 'A!b' });
  t.match(gs1(decodeTag('urn:epc:id:grai:0614141.12345.x-1')), { grai: '00614141123452x-1', serial: 'x-1' });
  t.match(gs1(decodeTag('urn:epc:id:giai:0614141.ABC%2F1')), {
    giai: '0614141ABC/1',
    digitalLink: 'https://id.gs1.org/8004/0614141ABC%2F1',
  });
  t.equal(gs1(decodeTag('urn:epc:id:giai:0614141.123')).scheme, 'giai-96', 'a number still takes GIAI-96');
  t.throws(() => encodeTag('urn:epc:id:giai:061414112345.ABCDEFGHIJKLMNOPQRS', { scheme: 'giai-202', filter: 0 }), /not a valid GIAI/);
  t.throws(
    () => encodeTag('urn:epc:id:grai:0614141.12345.ABCDEFGHIJKLMNOPQ', { scheme: 'grai-170', filter: 0 }),
    /not a valid GRAI EPC URN: .*GRAI does not match its AI's format: .*1-16/,
  );
});

t.test('malformed values throw EpcSyntaxError with the reason', async (t) => {
  const cases: [string, RegExp][] = [
    ['3074257BF7194E4000001A8', /24, 44 or 50 digits/],
    ['3074257BF7194E4000001A8G', /not a tag value/],
    ['1'.repeat(128), /24, 44 or 50 digits/],
    ['', /not a tag value/],
    ['urn:epc:raw:96.x3074257BF7194E4000001A', /raw EPC URI.*96 bits/],
    ['urn:epc:raw:8.999', /96 bits|8 bits/],
    ['urn:epc:raw:0.x', /not a raw EPC URI/],
    ['urn:epc:raw:96', /not a raw EPC URI/],
    ['urn:epc:tag:sgtin-96:8.0614141.812345.6789', /filter value 0–7/],
    ['urn:epc:tag:sgtin-96:3.0614141.81234.6789', /not a valid SGTIN EPC URN/],
    ['urn:epc:tag:sgtin-96:3.0614141.812345.274877906944', /SGTIN-96.*serial must be a number/],
    ['urn:epc:tag:sgtin-96:3.0614141.812345.06789', /SGTIN-96.*serial/],
    ['urn:epc:tag:sgtin-96:3.0614141.812345.A1', /SGTIN-96.*serial/],
    ['urn:epc:tag:sgtin-198:3.0614141.812345.123456789012345678901', /not a valid SGTIN EPC URN/],
    ['urn:epc:tag:sgln-96:3.0614141.12345.2199023255552', /extension must be a number/],
    ['urn:epc:tag:grai-96:3.0614141.12345.A', /serial must be a number/],
    ['urn:epc:tag:giai-96:3.0614141.0123', /asset reference must be a number/],
    ['urn:epc:tag:giai-96:3.0614141.288230376151711744', /asset reference/],
    ['urn:epc:tag:sscc-96:3.0614141.123456789', /not a valid SSCC EPC URN/],
    ['urn:epc:tag:gid-96:3.1.2.3', /not a valid GID-96 EPC/],
    ['urn:epc:id:gid:01.2.3', /not a valid GID-96 EPC/],
    ['urn:epc:id:gid:268435456.2.3', /below 2\^28/],
    ['urn:epc:id:usdod:CAGE1.5678', /not an EPC URN of a supported scheme/],
    ['urn:epc:tag:gdti-96:3.0614141.12345.A1', /GDTI-96.*serial must be a number/],
    ['urn:epc:id:gdti:0614141.12345.ABCDEFGHIJKLMNOPQR', /not a valid GDTI/],
    ['urn:epc:id:sgcn:4012345.67890.1234567890123', /not a valid SGCN/],
    ['urn:epc:id:sgcn:4012345.67890.A1', /not a valid SGCN/],
    ['urn:epc:tag:gsrn-96:3.0614141.123456789', /not a valid GSRN/],
    ['urn:epc:id:cpi:0614141.0123.1', /CPI-96.*part reference must be a number without leading zeros/],
    ['urn:epc:id:cpi:0614141.123456789.1', /CPI-96.*at most 8 digits/],
    ['urn:epc:id:cpi:0614141.123.2147483648', /CPI-96.*serial must be a number/],
    ['urn:epc:id:sgtin:0614141.812345.A%ZZ', /not a valid SGTIN EPC URN/],
    ['urn:epc:tag:sgln-96:3.0614141.12345.A', /SGLN-96.*extension/],
    ['urn:epc:id:sgln:0614141.12345.ABCDEFGHIJKLMNOPQRSTU', /not a valid SGLN/],
    ['urn:epc:id:sgtin:12345.1234567.1', /not a valid SGTIN EPC URN/],
    ['not a tag', /not a tag value/],
  ];
  for (const [value, message] of cases) t.throws(() => decodeTag(value), message, value);
  t.throws(() => decodeTag('urn:epc:id:sgtin:0614141.812345.6789', { filter: 9 }), /filter value must be 0–7/);
  t.throws(
    () => encodeTag('urn:epc:id:sgtin:0614141.812345.6789', { scheme: 'sscc-96', filter: 0 }),
    /SGTIN, which SSCC-96 does not encode/,
  );
  t.throws(() => encodeTag('urn:epc:id:sgtin:0614141.812345.6789', { scheme: 'sgtin-128' as EpcScheme, filter: 0 }), /not supported/);
  t.throws(() => encodeTag('urn:epc:id:sgtin:0614141.812345.6789', { scheme: 'sgtin-96', filter: 1.5 }), /filter/);
  const error = t.throws(() => decodeTag('zz')) as unknown;
  t.ok(error instanceof EpcSyntaxError);
  t.equal((error as Error).name, 'EpcSyntaxError');
});

t.test('GDTI, GSRN, GSRNP, SGCN and CPI: every form of a tag names its GS1 key', async (t) => {
  const cases: [string, string, number, Record<string, string>, string][] = [
    [
      'urn:epc:id:gdti:0614141.12345.400',
      'gdti-96',
      24,
      { gdti: '0614141123452400', serial: '400' },
      'https://id.gs1.org/253/0614141123452400',
    ],
    [
      'urn:epc:id:gdti:0614141.12345.A%2F1',
      'gdti-174',
      44,
      { gdti: '0614141123452A/1', serial: 'A/1' },
      'https://id.gs1.org/253/0614141123452A%2F1',
    ],
    ['urn:epc:id:gsrn:0614141.1234567890', 'gsrn-96', 24, { gsrn: '061414112345678902' }, 'https://id.gs1.org/8018/061414112345678902'],
    ['urn:epc:id:gsrnp:0614141.1234567890', 'gsrnp-96', 24, { gsrnp: '061414112345678902' }, 'https://id.gs1.org/8017/061414112345678902'],
    [
      'urn:epc:id:sgcn:4012345.67890.04711',
      'sgcn-96',
      24,
      { sgcn: '401234567890104711', serial: '04711' },
      'https://id.gs1.org/255/401234567890104711',
    ],
    [
      'urn:epc:id:cpi:0614141.123456.123456789',
      'cpi-96',
      24,
      { cpi: '0614141123456', serial: '123456789' },
      'https://id.gs1.org/8010/0614141123456/8011/123456789',
    ],
  ];
  for (const [pure, scheme, digits, fields, link] of cases) {
    const tag = gs1(decodeTag(pure, { filter: 3 }));
    t.match(tag, { scheme, pureIdentity: pure, filter: 3, digitalLink: link, ...fields }, pure);
    t.equal(tag.hex.length, digits);
    t.equal(tag.tagUri, `urn:epc:tag:${scheme}:3.${pure.replace(/^urn:epc:id:[a-z]+:/, '')}`);
    for (const form of [
      tag.tagUri,
      tag.rawUri,
      tag.hex,
      tag.hex.toLowerCase(),
      tag.digitalLink,
      pure.toUpperCase().replace(/^(.*?:.*?:.*?:[A-Z]+:)(.*)$/, (_, head) => head + pure.replace(/^urn:epc:id:[a-z]+:/, '')),
    ]) {
      const again = gs1(decodeTag(form, { filter: 3, companyPrefixLength: 7 }));
      t.same([again.hex, again.pureIdentity, again.digitalLink], [tag.hex, pure, link], `${scheme} from ${form}`);
    }
    t.same(gs1(encodeTag(pure, { scheme: scheme as EpcScheme, filter: 3 })).hex, tag.hex, `encodeTag ${scheme}`);
  }
  t.equal(gs1(decodeTag('2C74257BF460720000000190')).tagUri, 'urn:epc:tag:gdti-96:3.0614141.12345.400', 'the TDS example of GDTI-96');
  t.equal(
    gs1(decodeTag('urn:epc:id:sgcn:4012345.67890.4711')).serial,
    '4711',
    'an SGCN serial keeps its leading zeros apart: 04711 is another coupon',
  );
  t.not(gs1(decodeTag('urn:epc:id:sgcn:4012345.67890.4711')).hex, gs1(decodeTag('urn:epc:id:sgcn:4012345.67890.04711')).hex);
  t.equal(decodeTag('3F74F4E4E612640000000000').kind, 'raw', 'an SGCN serial without its leading 1 is no encoding');
  t.equal(decodeTag('2D74257BF4499602D2000001').kind, 'raw', 'GSRN reserved bits set');
  t.equal(decodeTag('3C74257BF400F12000000000').kind, 'raw', 'a CPI-96 serial 0, which AI (8011) does not take');
  t.equal(decodeTag('3E74257BF46073057B10000000000000000000000001').kind, 'raw', 'GDTI-174 bits set past the encoding');
});

t.test('GID-96: no GS1 key, one spelling (its pure-identity URN), no filter', async (t) => {
  const gid = decodeTag('urn:epc:id:gid:95100000.12345.400');
  t.same(gid, {
    kind: 'gid',
    scheme: 'gid-96',
    hex: '355AB1C60003039000000190',
    tagUri: 'urn:epc:tag:gid-96:95100000.12345.400',
    rawUri: 'urn:epc:raw:96.x355AB1C60003039000000190',
    pureIdentity: 'urn:epc:id:gid:95100000.12345.400',
    managerNumber: '95100000',
    objectClass: '12345',
    serial: '400',
  });
  for (const form of [
    '355AB1C60003039000000190',
    'urn:epc:tag:gid-96:95100000.12345.400',
    'URN:EPC:TAG:GID-96:95100000.12345.400',
    'urn:epc:raw:96.x355AB1C60003039000000190',
  ])
    t.same(decodeTag(form), gid, form);
  t.same(encodeTag('urn:epc:id:gid:95100000.12345.400', { scheme: 'gid-96', filter: 0 }), gid);
  t.throws(() => encodeTag('urn:epc:id:sgtin:0614141.812345.6789', { scheme: 'gid-96', filter: 0 }), /no GID/);
  t.equal(decodeTag('355AB1C600030390000001900000').kind, 'raw', 'not 96 bits');
});
