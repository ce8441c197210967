import { canonicalGs1Uri, epcPatternRegExp, epcUrnForms, epcUrnProblem, gs1IdentifierProblem } from '../../src/gs1/canonical.js';
import { DIGITAL_LINK_VECTORS } from '../fixtures/digital-link-vectors.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a serial or lot whose %-escapes decode to NUL or broken UTF-8 is not a GS1 identifier', async (t) => {
  for (const bad of ['A%00B', 'A%ED%A0%80', 'A%C3']) {
    t.equal(canonicalGs1Uri(`https://id.gs1.org/01/06901234000016/10/${bad}`), null, `Digital Link lot ${bad}`);
    t.equal(canonicalGs1Uri(`https://id.gs1.org/01/06901234000016/21/${bad}`), null, `Digital Link serial ${bad}`);
    t.match(epcUrnProblem(`urn:epc:class:lgtin:6901234.000001.${bad}`), /not a valid LGTIN/, `LGTIN lot ${bad}`);
    t.match(epcUrnProblem(`urn:epc:id:sgtin:6901234.000001.${bad}`), /not a valid SGTIN/, `SGTIN serial ${bad}`);
  }
});

t.test('escaped GS1 characters stay valid and canonical', async (t) => {
  t.equal(canonicalGs1Uri('urn:epc:class:lgtin:6901234.000001.A%2FB'), 'https://id.gs1.org/01/06901234000016/10/A%2FB');
  t.equal(canonicalGs1Uri('https://example.com/01/06901234000016/10/A%25B'), 'https://id.gs1.org/01/06901234000016/10/A%25B');
  t.equal(epcUrnProblem('urn:epc:id:sgtin:6901234.000001.A%26B'), null);
});

t.test('a GS1 identifier that is malformed says why; other URIs have no problem', async (t) => {
  t.match(gs1IdentifierProblem('https://example.com/01/06901234000016/21/A%00'), /not GS1 text once %-decoded/);
  t.match(gs1IdentifierProblem('urn:epc:id:sscc:08600031303.0005'), /not a valid SSCC/);
  t.equal(gs1IdentifierProblem('https://id.gs1.org/01/06901234000016/21/A%2FB'), null);
  t.equal(gs1IdentifierProblem('https://example.com/x%00'), null, 'not a GS1 identifier: stored as written');
  t.equal(gs1IdentifierProblem('urn:uuid:2b0c9c52-4a3b-4e5f-9d0a-000000000001'), null);
});

t.test('an EPC URN reads urn:epc: and its keywords in any case, its fields as written', async (t) => {
  for (const urn of ['URN:EPC:ID:SSCC:6901234.0000000017', 'urn:EPC:Id:sscc:6901234.0000000017']) {
    t.equal(canonicalGs1Uri(urn), 'https://id.gs1.org/00/069012340000000177', urn);
  }
  t.equal(
    canonicalGs1Uri('URN:EPC:CLASS:LGTIN:6901234.000001.aB1'),
    'https://id.gs1.org/01/06901234000016/10/aB1',
    'the lot keeps its case',
  );
  t.not(
    canonicalGs1Uri('URN:EPC:ID:SGTIN:6901234.000001.ab'),
    canonicalGs1Uri('urn:epc:id:sgtin:6901234.000001.AB'),
    'serials differ by case',
  );
  t.match(gs1IdentifierProblem('URN:EPC:ID:SSCC:08600031303.0005'), /not a valid SSCC/, 'malformed in upper case too');
  t.equal(canonicalGs1Uri('urn:epcglobal:cbv:bizstep:shipping'), null, 'another namespace');
});

t.test('a Digital Link key with a wrong check digit is malformed; GTIN-8 to -14, SSCC and GLN are checked', async (t) => {
  t.match(
    gs1IdentifierProblem('https://id.gs1.org/01/80614141123459/21/6789'),
    /GTIN 80614141123459 has a wrong check digit \(it would be 8\)/,
  );
  t.equal(gs1IdentifierProblem('https://id.gs1.org/01/80614141123458/21/6789'), null);
  t.equal(gs1IdentifierProblem('https://example.com/gtin/96385074/ser/1'), null, 'a GTIN-8, padded');
  t.match(gs1IdentifierProblem('https://example.com/gtin/96385075'), /wrong check digit/);
  t.equal(gs1IdentifierProblem('https://id.gs1.org/00/106141412345678908'), null);
  t.match(gs1IdentifierProblem('https://id.gs1.org/00/106141412345678909'), /SSCC .* wrong check digit/);
  t.match(gs1IdentifierProblem('https://id.gs1.org/414/0614141123450'), /GLN .* wrong check digit \(it would be 2\)/);
  t.equal(gs1IdentifierProblem('https://id.gs1.org/414/0614141123452/254/7'), null);
  t.equal(gs1IdentifierProblem('https://id.gs1.org/8004/0614141ABC'), null, 'a GIAI has no check digit');
});

t.test('GDTI, GCN, GRAI and ITIP keys are checked on the digits before their serial, piece and total', async (t) => {
  // GDTIs of the GS1 Barcode Syntax Engine's Digital Link tests (src/c-lib/dl.c)
  t.equal(gs1IdentifierProblem('https://a/253/1231231231232'), null);
  t.equal(gs1IdentifierProblem('https://a/253/1231231231232TEST5678901234567'), null);
  t.equal(gs1IdentifierProblem('https://example.com/253/9526064000028000001'), null);
  t.match(gs1IdentifierProblem('https://a/253/1231231231233'), /GDTI 1231231231233 has a wrong check digit \(it would be 2\)/);
  t.match(gs1IdentifierProblem('https://a/253/1231231231233TEST'), /GDTI .* wrong check digit \(digit 13 would be 2\)/);
  t.equal(gs1IdentifierProblem('https://id.gs1.org/255/401234599999044'), null);
  t.match(
    gs1IdentifierProblem('https://id.gs1.org/255/401234599999144'),
    /GCN 401234599999144 has a wrong check digit \(digit 13 would be 0\)/,
  );
  t.equal(gs1IdentifierProblem('https://id.gs1.org/8003/04012345666663'), null);
  t.equal(gs1IdentifierProblem('https://id.gs1.org/8003/040123450007718765'), null, 'a GRAI with a serial');
  t.match(gs1IdentifierProblem('https://id.gs1.org/8003/04012345666664'), /GRAI 04012345666664 has a wrong check digit \(it would be 3\)/);
  t.match(
    gs1IdentifierProblem('https://id.example.com/8003/030013450007718765'),
    /GRAI 030013450007718765 has a wrong check digit \(digit 14 would be 6\)/,
  );
  t.match(
    gs1IdentifierProblem('https://id.example.com/8003/952012200000001004'),
    /GRAI 952012200000001004 does not start with the filler digit 0/,
  );
  t.equal(gs1IdentifierProblem('https://id.gs1.org/8006/040123451234560102/21/999'), null);
  t.match(
    gs1IdentifierProblem('https://id.gs1.org/8006/040123451234570102/21/9'),
    /ITIP 040123451234570102 has a wrong check digit \(digit 14 would be 6\)/,
  );
  t.equal(gs1IdentifierProblem('urn:epc:id:grai:4012345.66666.87'), null, 'an EPC URN carries no check digit: it is computed');
});

t.test(
  'a Digital Link key that does not match its AI format (digit count, non-digits) is malformed and has no canonical form',
  async (t) => {
    for (const [uri, why] of [
      ['https://id.gs1.org/01/123', /whose GTIN does not match its AI's format: AI \(01\) must be 14 digits, got "123"/],
      ['https://id.gs1.org/01/123/21/1', /GTIN does not match/],
      ['https://id.gs1.org/01/0950600013435A', /AI \(01\) must be 14 digits/],
      ['https://id.gs1.org/00/10614141234567890', /whose SSCC does not match its AI's format: AI \(00\) must be 18 digits/],
      ['https://id.gs1.org/00/1061414123456789O8', /SSCC does not match/],
      ['https://id.gs1.org/414/061414112345', /GLN does not match its AI's format: AI \(414\) must be 13 digits/],
      ['https://id.gs1.org/417/061414112345X', /party GLN does not match/],
      ['https://id.gs1.org/402/0614141123456789', /GSIN does not match/],
      ['https://id.gs1.org/8018/06141411234567890', /GSRN does not match/],
      ['https://id.gs1.org/8006/04012345123456', /ITIP does not match its AI's format: AI \(8006\) must be 14 digits \+ 4 digits/],
      ['https://id.gs1.org/253/123123123123', /GDTI does not match/],
      ['https://id.gs1.org/8003/0401234566666', /GRAI does not match/],
      ['https://id.gs1.org/8004/123', /GIAI does not match its AI's format: AI \(8004\) must be 1-30 characters/],
      ['https://id.gs1.org/8010/0614141ab', /CPID does not match/],
    ] as const) {
      t.match(gs1IdentifierProblem(uri), why, uri);
      t.equal(canonicalGs1Uri(uri), null, `${uri} names no identifier`);
    }
    for (const uri of ['https://example.com/prefix/00/1061414123456789O8', 'https://erp.example.com/invoices/2024/01/15']) {
      t.equal(gs1IdentifierProblem(uri), null, `${uri}: on another site, a path without a key's digits is no Digital Link`);
      t.equal(canonicalGs1Uri(uri), null);
    }
    t.equal(gs1IdentifierProblem('https://example.com/01/9506000134352'), null, 'a GTIN-13 on another host is padded, as before');
    t.equal(canonicalGs1Uri('https://example.com/01/9506000134352'), 'https://id.gs1.org/01/09506000134352');
    t.equal(canonicalGs1Uri('https://example.com/00/%3106141412345678908'), 'https://id.gs1.org/00/106141412345678908', 'an escaped digit');
  },
);

t.test('key qualifiers must match their AI formats too', async (t) => {
  const G = 'https://id.gs1.org/01/09520123456788';
  t.match(
    gs1IdentifierProblem(`${G}/10/ABCDEFGHIJKLMNOPQRSTU`),
    /key qualifier \(10\) does not match its AI's format: AI \(10\) must be 1-20/,
  );
  t.equal(gs1IdentifierProblem(`${G}/10/ABCDEFGHIJKLMNOPQRST`), null, 'a lot of 20 characters');
  t.match(gs1IdentifierProblem(`${G}/21/123456789012345678901`), /key qualifier \(21\)/);
  t.match(gs1IdentifierProblem('https://id.gs1.org/8010/0614141ABC/8011/0123'), /key qualifier \(8011\).*without leading zeros/);
  t.equal(canonicalGs1Uri(`${G}/10/ABCDEFGHIJKLMNOPQRSTU`), null);
});

t.test('short names are ordinary words on other sites: a path names a key by one only with the digits of a key after it', async (t) => {
  for (const uri of [
    'https://example.com/party/acme',
    'https://shop.example/gtin/red-shoes',
    'https://example.com/sscc/1234',
    'https://example.com/gln/about',
  ]) {
    t.equal(gs1IdentifierProblem(uri), null, `${uri} is stored as written`);
    t.equal(canonicalGs1Uri(uri), null, `${uri} is no Digital Link`);
  }
  t.match(
    gs1IdentifierProblem('https://example.com/gdti/1231231231232TEST56789012345678'),
    /GDTI does not match/,
    'a GDTI once it has one',
  );
});

t.test('ITIP piece and total, and the serials of GDTI, GCN and GRAI, follow the GS1 AI table', async (t) => {
  const itip = (pieceOfTotal: string) => `https://id.gs1.org/8006/04012345123456${pieceOfTotal}`;
  t.equal(gs1IdentifierProblem(itip('0102')), null);
  t.equal(gs1IdentifierProblem(itip('0202')), null, 'the last piece');
  for (const wrong of ['0302', '0002', '0100', '0000']) {
    t.match(gs1IdentifierProblem(itip(wrong)), /ITIP does not match .*a piece number not above the total/, `piece and total ${wrong}`);
    t.equal(canonicalGs1Uri(itip(wrong)), null);
  }
  // GDTI: N13 + X..17
  t.equal(gs1IdentifierProblem('https://a/253/1231231231232TEST5678901234567'), null, 'a serial of 17 characters');
  t.match(gs1IdentifierProblem('https://a/253/1231231231232TEST56789012345678'), /GDTI does not match .*1-17 characters of GS1 charset 82/);
  // GCN: N13 + N..12
  t.equal(gs1IdentifierProblem('https://id.gs1.org/255/4012345999990123456789012'), null, 'a serial of 12 digits');
  t.match(gs1IdentifierProblem('https://id.gs1.org/255/40123459999901234567890123'), /GCN does not match .*1-12 digits/);
  t.match(gs1IdentifierProblem('https://id.gs1.org/255/4012345999990A1'), /GCN does not match/, 'a serial with a letter');
  // GRAI: 0 + N13 + X..16
  t.equal(gs1IdentifierProblem('https://id.gs1.org/8003/04012345666663ABCDEFGHIJKLMNOP'), null, 'a serial of 16 characters');
  t.match(gs1IdentifierProblem('https://id.gs1.org/8003/04012345666663ABCDEFGHIJKLMNOPQ'), /GRAI does not match .*1-16 characters/);
  t.match(
    gs1IdentifierProblem('https://id.gs1.org/8003/04012345666663A%7EB'),
    /not GS1 text once %-decoded/,
    'a serial outside charset 82',
  );
});

t.test('the canonical form and the Digital Link parser agree on the check digit of every key in the vectors', async (t) => {
  const CHECKED = ['00', '01', '253', '255', '402', '414', '417', '8003', '8006', '8017', '8018'];
  const FIELDS = { gtin: '01', sscc: '00', gln: '414', grai: '8003' } as const;
  const link = (ai: string, value: string) => `https://id.gs1.org/${ai}/${encodeURIComponent(value)}`;
  let wrong = 0;
  for (const { uri, rule, ok, error, ai } of DIGITAL_LINK_VECTORS) {
    if (error === 'check-digit' && ai) {
      const value = new RegExp(`[/?&]${ai}[/=]([^/?&]+)`).exec(uri)?.[1] as string;
      t.match(gs1IdentifierProblem(link(ai, decodeURIComponent(value))), /wrong check digit/, `${uri}: ${rule}`);
      wrong++;
    }
    if (!ok) continue;
    const keys = [
      ...Object.entries(FIELDS).flatMap(([field, key]) => {
        const value = ok[field as keyof typeof FIELDS];
        return value ? [[key, value]] : [];
      }),
      ...Object.entries(ok.dataAttributes ?? {}).filter(([key]) => CHECKED.includes(key)),
    ];
    for (const [key, value] of keys) t.equal(gs1IdentifierProblem(link(key, value)), null, `(${key}) ${value} of ${uri}`);
  }
  t.ok(wrong >= 8, `${wrong} keys with a wrong check digit`);
});

t.test('key qualifiers the Digital Link standard does not allow (order, repeats, (235) with others) name no identifier', async (t) => {
  const combined = DIGITAL_LINK_VECTORS.filter((v) => v.error === 'order' || v.error === 'duplicate' || v.error === 'exclusive');
  // (7040) is no qualifier the canonical form reads: a path with it is no GS1 identifier here at all
  const inPath = combined.filter((v) => !v.uri.includes('?') && !v.uri.includes('/7040/'));
  t.ok(inPath.length >= 10, `${inPath.length} vectors of qualifiers in the path`);
  for (const { uri, rule } of inPath) {
    t.equal(canonicalGs1Uri(`https://example.com${uri}`), null, `${uri}: ${rule}`);
    t.match(gs1IdentifierProblem(`https://example.com${uri}`), /key qualifiers the standard does not allow/, `${uri} is malformed`);
  }
  const G = '09520123456788';
  t.equal(canonicalGs1Uri(`https://example.com/gtin/${G}/ser/S/lot/L`), null, 'short names out of order too');
  t.equal(canonicalGs1Uri(`https://example.com/01/${G}/22/C/10/L/21/S`), `https://id.gs1.org/01/${G}/21/S`, 'all three in order');
  t.equal(canonicalGs1Uri(`https://example.com/01/${G}/235/T`), `https://id.gs1.org/01/${G}/235/T`, '(235) alone');
});

t.test('the primary key is the rightmost /AI/value pair that is one: whatever precedes it is a deployment prefix', async (t) => {
  const prefixed = DIGITAL_LINK_VECTORS.flatMap(({ uri, rule, ok }) => (ok?.prefix ? [{ uri, rule, prefix: ok.prefix }] : []));
  t.ok(prefixed.length >= 6, `${prefixed.length} vectors with a deployment prefix`);
  for (const { uri, rule, prefix } of prefixed) {
    const keyPath = uri.slice(prefix.length);
    t.equal(canonicalGs1Uri(`https://example.com${uri}`), canonicalGs1Uri(`https://id.gs1.org${keyPath}`), `${uri}: ${rule}`);
    t.not(canonicalGs1Uri(`https://example.com${uri}`), null);
  }
  t.equal(
    canonicalGs1Uri('https://brand.example/party/01/09520123456788/21/S1'),
    'https://id.gs1.org/01/09520123456788/21/S1',
    "a prefix named like a key's short name",
  );
});

t.test(
  'a party GLN (417) after another key path is the key, as the syntax engine reads it: no GTIN, GLN or SSCC with a party',
  async (t) => {
    // (417) qualifies no key, and no key takes it as a qualifier: read from the right, as the GS1
    // Barcode Syntax Engine finds the primary key, it is the key, and the path before it a prefix
    const G = '09520123456788';
    const GLN = '9520123456788';
    for (const path of [
      `/01/${G}/417/${GLN}`,
      `/01/${G}/10/ABC/417/${GLN}`,
      `/01/${G}/21/S1/417/${GLN}`,
      `/414/${GLN}/254/1/417/${GLN}`,
      `/00/106141412345678908/417/${GLN}`,
    ]) {
      for (const host of ['https://id.gs1.org', 'https://brand.example']) {
        t.equal(canonicalGs1Uri(`${host}${path}`), `https://id.gs1.org/417/${GLN}`, `${host}${path}`);
        t.equal(gs1IdentifierProblem(`${host}${path}`), null);
      }
      t.same(epcUrnForms(`https://brand.example${path}`), epcUrnForms(`https://id.gs1.org/417/${GLN}`), `${path}: the party's EPC URNs`);
    }
    t.match(
      gs1IdentifierProblem(`https://brand.example/01/${G}/417/9520123456789`),
      /party GLN 9520123456789 has a wrong check digit/,
      "a party GLN's check digit is checked there too: the GTIN before it is no fallback",
    );
  },
);

t.test('path segments named like Object members are no GS1 keys or qualifiers', async (t) => {
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    t.equal(canonicalGs1Uri(`https://shop.example/${name}/x`), null, `/${name}/x is no Digital Link`);
    t.equal(gs1IdentifierProblem(`https://shop.example/${name}/x`), null, `/${name}/x is stored as written`);
    t.equal(canonicalGs1Uri(`https://id.gs1.org/01/06901234000016/${name}/x`), null, `(${name}) is no qualifier`);
  }
});

t.test('an EPC pattern stands for the identifiers it leaves open, compared in canonical form', async (t) => {
  const cases: [string, string[], string[]][] = [
    [
      'urn:epc:idpat:sgtin:0614141.812345.*',
      ['urn:epc:id:sgtin:0614141.812345.6789', 'urn:epc:class:lgtin:0614141.812345.LOT1', 'https://id.gs1.org/01/80614141123458'],
      ['urn:epc:id:sgtin:0614141.712345.1', 'urn:epc:id:sscc:0614141.1234567890', 'urn:epc:id:upui:0614141.812345.ABC'],
    ],
    [
      'urn:epc:idpat:sgtin:0614141.*.*',
      ['urn:epc:id:sgtin:0614141.812345.6789', 'urn:epc:id:sgtin:0614141.712345.1', 'urn:epc:id:sgtin:0614141.012345.A'],
      [
        'urn:epc:id:sgtin:0614142.812345.1',
        'urn:epc:id:sscc:0614141.1234567890',
        'urn:epc:id:grai:0614141.12345.1',
        'urn:epc:id:upui:0614141.812345.ABC',
      ],
    ],
    [
      'urn:epc:idpat:sgtin:*.*.*',
      ['urn:epc:id:sgtin:0614141.812345.6789', 'urn:epc:id:sgtin:4012345.012345.1'],
      ['urn:epc:id:sscc:0614141.1234567890'],
    ],
    ['urn:epc:idpat:sgtin:0614141.812345.6789', ['urn:epc:id:sgtin:0614141.812345.6789'], ['urn:epc:id:sgtin:0614141.812345.67890']],
    [
      'urn:epc:idpat:upui:0614141.*.*',
      ['urn:epc:id:upui:0614141.812345.ABC', 'urn:epc:id:upui:0614141.712345.1'],
      ['urn:epc:id:sgtin:0614141.812345.6789', 'urn:epc:class:lgtin:0614141.812345.LOT1'],
    ],
    [
      'urn:epc:idpat:sscc:0614141.*',
      ['urn:epc:id:sscc:0614141.1234567890', 'urn:epc:id:sscc:0614141.0000000001', 'https://id.gs1.org/00/106141410000000013'],
      ['urn:epc:id:sscc:0614142.1234567890', 'urn:epc:id:sgtin:0614141.812345.6789'],
    ],
    ['urn:epc:idpat:sscc:*.*', ['urn:epc:id:sscc:0614141.1234567890'], ['urn:epc:id:sgtin:0614141.812345.6789']],
    [
      'urn:epc:idpat:grai:0614141.12345.*',
      ['urn:epc:id:grai:0614141.12345.400', 'urn:epc:id:grai:0614141.12345.A1'],
      ['urn:epc:id:grai:0614141.12346.400'],
    ],
    [
      'urn:epc:idpat:grai:0614141.*.*',
      ['urn:epc:id:grai:0614141.12345.400', 'urn:epc:id:grai:0614141.54321.1'],
      ['urn:epc:id:grai:0614142.12345.400'],
    ],
    ['urn:epc:idpat:giai:0614141.*', ['urn:epc:id:giai:0614141.12345ABC'], ['urn:epc:id:giai:0614142.12345ABC']],
    // a CPI reference has no fixed length: another reference that starts alike is another part
    [
      'urn:epc:idpat:cpi:0614141.123.*',
      ['urn:epc:id:cpi:0614141.123.5', 'urn:epc:id:cpi:0614141.123.99'],
      ['urn:epc:id:cpi:0614141.1234.5', 'urn:epc:id:cpi:0614141.123A.5'],
    ],
    [
      'urn:epc:idpat:cpi:0614141.A%2FB.*',
      ['urn:epc:id:cpi:0614141.A%2FB.1'],
      ['urn:epc:id:cpi:0614141.AXYZ2FB.1', 'urn:epc:id:cpi:0614141.A%2FBC.1'],
    ],
    [
      'urn:epc:idpat:sgln:0614141.12345.*',
      ['urn:epc:id:sgln:0614141.12345.0', 'urn:epc:id:sgln:0614141.12345.400', 'https://id.gs1.org/414/0614141123452'],
      ['urn:epc:id:sgln:0614141.12346.0', 'urn:epc:id:pgln:0614141.12345', 'urn:epc:id:sgln:0614142.12345.0'],
    ],
    [
      'urn:epc:idpat:sgln:0614141.*.*',
      ['urn:epc:id:sgln:0614141.12345.0', 'urn:epc:id:sgln:0614141.00777.5'],
      ['urn:epc:id:sgln:0614142.12345.0'],
    ],
    ['urn:epc:idpat:sgln:0614141.12345.0', ['urn:epc:id:sgln:0614141.12345.0'], ['urn:epc:id:sgln:0614141.12345.400']],
    [
      'urn:epc:idpat:gsrn:0614141.*',
      ['urn:epc:id:gsrn:0614141.1234567890'],
      ['urn:epc:id:gsrnp:0614141.1234567890', 'urn:epc:id:gsrn:0614142.1234567890'],
    ],
    ['urn:epc:idpat:gsrnp:*.*', ['urn:epc:id:gsrnp:0614141.1234567890'], ['urn:epc:id:gsrn:0614141.1234567890']],
    ['urn:epc:idpat:pgln:0614141.*', ['urn:epc:id:pgln:0614141.12345'], ['urn:epc:id:sgln:0614141.12345.0']],
    ['urn:epc:idpat:ginc:0614141.*', ['urn:epc:id:ginc:0614141.xyz47%2F11'], ['urn:epc:id:ginc:0614142.xyz']],
    ['urn:epc:idpat:gsin:0614141.*', ['urn:epc:id:gsin:0614141.123456789'], ['urn:epc:id:gsin:0614142.123456789']],
    [
      'urn:epc:idpat:gid:95100000.12345.*',
      ['urn:epc:id:gid:95100000.12345.400', 'urn:epc:id:gid:95100000.12345.1'],
      ['urn:epc:id:gid:95100000.12346.400', 'urn:epc:id:gid:951000001.12345.1', 'urn:epc:id:usdod:95100000.12345'],
    ],
    ['urn:epc:idpat:gid:*.*.*', ['urn:epc:id:gid:95100000.12345.400'], ['urn:epc:id:sgtin:0614141.812345.6789']],
    ['urn:epc:idpat:usdod:2S194.*', ['urn:epc:id:usdod:2S194.12345678901'], ['urn:epc:id:usdod:2S195.12345678901']],
    [
      'urn:epc:idpat:adi:W81X9C.3KL984PX1.*',
      ['urn:epc:id:adi:W81X9C.3KL984PX1.%2351'],
      ['urn:epc:id:adi:W81X9C.3KL984PX2.%2351', 'urn:epc:id:adi:W81X9C..3KL984PX1'],
    ],
    [
      'urn:epc:idpat:adi:W81X9C.*.*',
      ['urn:epc:id:adi:W81X9C..3KL984PX1', 'urn:epc:id:adi:W81X9C.3KL984PX1.%2351'],
      ['urn:epc:id:adi:2S194..1'],
    ],
  ];
  for (const [pattern, matching, other] of cases) {
    const compiled = epcPatternRegExp(pattern);
    if (!compiled) {
      t.fail(`${pattern} is a pattern`);
      continue;
    }
    // as stored: in canonical form, a URN of no GS1 key as written
    const matches = (id: string) => new RegExp(compiled.regExp).test(canonicalGs1Uri(id) ?? id);
    for (const id of matching) t.ok(matches(id), `${pattern} matches ${id}`);
    for (const id of other) t.notOk(matches(id), `${pattern} does not match ${id}`);
  }
});

t.test('what TDS does not allow as a pattern, or this service cannot read, is none', async (t) => {
  for (const value of [
    'urn:epc:idpat:sgtin:0614141.*.6789', // a field after the wildcard
    'urn:epc:idpat:sgtin:*.812345.*',
    'urn:epc:idpat:sgtin:0614141.*', // a field short
    'urn:epc:idpat:sgtin:0614141.812345.*.*',
    'urn:epc:idpat:sgtin:06141.*.*', // no company prefix (6–12 digits)
    'urn:epc:idpat:sgtin:0614141.81234.*', // 12 digits, not the GTIN's 13
    'urn:epc:idpat:sgtin:0614141.81234.6789',
    'urn:epc:idpat:sgln:0614141.1234.*', // 11 digits, not the GLN's 12
    'urn:epc:idpat:gsrn:0614141.*.*',
    'urn:epc:idpat:gid:95100000.*.400',
    'urn:epc:idpat:gid:95100000.12345',
    'urn:epc:idpat:usdod:*.12345',
    'urn:epc:idpat:constructor:*.*',
    'urn:epc:id:sgtin:0614141.812345.6789',
    'https://id.gs1.org/01/00614141812345',
  ]) {
    t.equal(epcPatternRegExp(value), null, value);
  }
});

t.test(
  'an EPC URN is held to the formats of the Digital Link it names, so no stored identifier is refused in its other form',
  async (t) => {
    for (const [urn, why] of [
      [
        'urn:epc:class:lgtin:0614141.812345.ABCDEFGHIJKLMNOPQRSTU',
        /LGTIN EPC URN: as https:\/\/id\.gs1\.org\/01\/.*key qualifier \(10\) does not match/,
      ],
      ['urn:epc:id:sgtin:0614141.812345.123456789012345678901', /SGTIN EPC URN: .*key qualifier \(21\)/],
      ['urn:epc:id:itip:0614141.812345.00.00.1', /ITIP EPC URN: .*ITIP does not match/],
    ] as const) {
      t.match(gs1IdentifierProblem(urn), why, urn);
      t.equal(canonicalGs1Uri(urn), null, `${urn} names no identifier`);
    }
    t.equal(gs1IdentifierProblem('urn:epc:class:lgtin:0614141.812345.ABCDEFGHIJKLMNOPQRST'), null, 'a lot of 20 characters');
    t.equal(gs1IdentifierProblem('urn:epc:id:itip:0614141.812345.01.02.1'), null, 'piece 1 of 2');
  },
);

t.test('a CPI is written in GS1 charset 39, # and / included, as an EPC URN and as a Digital Link alike', async (t) => {
  const link = canonicalGs1Uri('urn:epc:id:cpi:0614141.123ABC%23%2F.123456789');
  t.equal(link, 'https://id.gs1.org/8010/0614141123ABC%23%2F/8011/123456789');
  t.equal(gs1IdentifierProblem(link as string), null, 'its Digital Link is well-formed too');
  t.equal(canonicalGs1Uri(link as string), link);
});

t.test('epcUrnForms: the EPC URNs of a key, one per company prefix length', async (t) => {
  const party = epcUrnForms('https://id.gs1.org/417/6901234000016');
  t.equal(party.length, 7);
  t.ok(party.includes('urn:epc:id:pgln:6901234.00001'));
  t.ok(party.includes('urn:epc:id:pgln:690123.400001'));
  t.same(epcUrnForms('urn:epc:id:pgln:6901234.00001'), party, 'from a URN as from its link');
  t.ok(epcUrnForms('https://id.gs1.org/414/6901234000016').includes('urn:epc:id:sgln:6901234.00001.0'), 'a GLN as an SGLN');
  t.ok(epcUrnForms('https://id.gs1.org/01/06901234000016/21/7').includes('urn:epc:id:sgtin:6901234.000001.7'));
  t.same(epcUrnForms('https://id.gs1.org/01/06901234000016/235/T1'), [], 'a key read here with no EPC URN');
  t.same(epcUrnForms('https://id.gs1.org/417/6901234000017'), [], 'a wrong check digit');
  t.same(epcUrnForms('urn:example:party'), []);
});
