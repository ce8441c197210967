import { completeGs1 } from '../../src/codes/gs1.js';
import { canonicalGs1Uri } from '../../src/gs1/canonical.js';
import { digitalLinkToEpcUrn, GS1_DL_HOST } from '../../src/gs1/epc-uri.js';
import { fileTest } from '../root.js';

const t = fileTest();

const DL = GS1_DL_HOST;

// [URN, Digital Link, company prefix length]
const BRIEF_VECTORS: [string, string, number][] = [
  ['urn:epc:id:sgtin:0614141.812345.6789', `${DL}/01/80614141123458/21/6789`, 7],
  ['urn:epc:id:sscc:0614141.1234567890', `${DL}/00/106141412345678908`, 7],
  ['urn:epc:id:sgln:0614141.12345.400', `${DL}/414/0614141123452/254/400`, 7],
  ['urn:epc:class:lgtin:4012345.012345.998877', `${DL}/01/04012345123456/10/998877`, 7],
  ['urn:epc:id:sgtin:4012345.011111.987', `${DL}/01/04012345111118/21/987`, 7],
];

// Taken from the EPCIS 2.0 event-hash conformance files (URN in .jsonld, DL in .prehashes).
const CONFORMANCE_VECTORS: [string, string, number][] = [
  ['urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()', `${DL}/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29`, 7],
  ['urn:epc:id:sgtin:4012345.011111.98%22', `${DL}/01/04012345111118/21/98%22`, 7],
  ['urn:epc:id:sgtin:4012345.011111.9876', `${DL}/01/04012345111118/21/9876`, 7],
  ['urn:epc:id:sgtin:415056789012.0.987654', `${DL}/01/04150567890128/21/987654`, 12],
  ['urn:epc:id:sgtin:0614141.107346.2017', `${DL}/01/10614141073464/21/2017`, 7],
  ['urn:epc:id:sscc:4012345.3111111111', `${DL}/00/340123451111111111`, 7],
  ['urn:epc:id:sscc:4012344.0111111133', `${DL}/00/040123441111111333`, 7],
  ['urn:epc:id:sgln:4012345.00005.122', `${DL}/414/4012345000054/254/122`, 7],
  ['urn:epc:id:sgln:4012345.00005.0', `${DL}/414/4012345000054`, 7],
  ['urn:epc:id:sgln:0012345.11111.400', `${DL}/414/0012345111112/254/400`, 7],
  ['urn:epc:class:lgtin:4012345.012345.Lot987', `${DL}/01/04012345123456/10/Lot987`, 7],
  ['urn:epc:class:lgtin:4054739.099914.20160711', `${DL}/01/04054739999148/10/20160711`, 7],
  ['urn:epc:idpat:sgtin:4054739.099914.*', `${DL}/01/04054739999148`, 7],
  ['urn:epc:id:grai:4012345.00022.334455', `${DL}/8003/04012345000221334455`, 7],
  ['urn:epc:idpat:grai:4012345.66666.*', `${DL}/8003/04012345666663`, 7],
];

const VECTORS = [...BRIEF_VECTORS, ...CONFORMANCE_VECTORS];

t.test('vectors are internally consistent', async (t) => {
  // Recompute the brief's keys by hand: indicator/extension digit moves to the front, check digit appended.
  t.equal(completeGs1('8' + '0614141' + '12345'), '80614141123458');
  t.equal(completeGs1('1' + '0614141' + '234567890'), '106141412345678908');
  t.equal(completeGs1('0614141' + '12345'), '0614141123452');
  t.equal(completeGs1('0' + '4012345' + '12345'), '04012345123456');
  t.equal(completeGs1('0' + '4012345' + '11111'), '04012345111118');
});

t.test('the vectors are the canonical Digital Links of their URNs', async (t) => {
  for (const [urn, dl] of VECTORS) t.equal(canonicalGs1Uri(urn), dl, urn);
});

t.test('digitalLinkToEpcUrn inverts the vectors', async (t) => {
  for (const [urn, dl, cpLength] of VECTORS) t.equal(digitalLinkToEpcUrn(dl, cpLength), urn, dl);
});

t.test('digitalLinkToEpcUrn', async (t) => {
  const gtin = '80614141123458';
  t.equal(digitalLinkToEpcUrn(`https://example.com/01/${gtin}/21/6789`, 7), 'urn:epc:id:sgtin:0614141.812345.6789', 'any host');
  t.equal(digitalLinkToEpcUrn(`https://example.com/prefix/01/${gtin}/21/6789?linkType=all`, 7), 'urn:epc:id:sgtin:0614141.812345.6789');
  t.equal(digitalLinkToEpcUrn(`https://example.com/01/${gtin}/21/6789/`, 7), null, 'a trailing slash is no Digital Link');
  t.equal(
    digitalLinkToEpcUrn(`http://example.com/01/${gtin}/10/L1/21/S1`, 7),
    'urn:epc:id:sgtin:0614141.812345.S1',
    'serial wins over lot',
  );
  t.equal(digitalLinkToEpcUrn(`${DL}/01/${gtin}/21/6789`, 9), 'urn:epc:id:sgtin:061414112.8345.6789', 'prefix length moves the split');
  t.equal(digitalLinkToEpcUrn(`${DL}/01/${gtin}/21/6789`, 12), 'urn:epc:id:sgtin:061414112345.8.6789');
  t.equal(digitalLinkToEpcUrn(`${DL}/01/${gtin}/21/6789`, 6), 'urn:epc:id:sgtin:061414.8112345.6789');
  t.equal(digitalLinkToEpcUrn(`${DL}/01/09506000134352/21/1`, 7), 'urn:epc:id:sgtin:9506000.013435.1', 'GTIN-13 as 14 digits');
  t.equal(digitalLinkToEpcUrn(`${DL}/01/9506000134352/21/1`, 7), null, 'a zero-suppressed GTIN is no Digital Link');
  t.equal(digitalLinkToEpcUrn(`${DL}/01/${gtin}/235/T1`, 7), null, '(235) has no SGTIN');
  t.equal(
    digitalLinkToEpcUrn(`${DL}/01/${gtin}/21/A%2F%26%25%22%3C%3E%3F`, 7),
    'urn:epc:id:sgtin:0614141.812345.A%2F%26%25%22%3C%3E%3F',
    '" % & / < > ? are URN-escaped',
  );
  t.equal(
    digitalLinkToEpcUrn(`${DL}/01/${gtin}/21/A!'()*+,-.:;=_`, 7),
    "urn:epc:id:sgtin:0614141.812345.A!'()*+,-.:;=_",
    'the rest of charset 82 is literal in URNs',
  );
  t.equal(digitalLinkToEpcUrn(`${DL}/414/0614141123452/254/A%2FB`, 7), 'urn:epc:id:sgln:0614141.12345.A%2FB');
  t.equal(digitalLinkToEpcUrn(`${DL}/8003/04012345000221A%2FB`, 7), 'urn:epc:id:grai:4012345.00022.A%2FB');

  t.equal(digitalLinkToEpcUrn(`${DL}/01/${gtin}/22/C/21/S`, 7), null, 'CPV has no EPC URN');
  t.equal(digitalLinkToEpcUrn(`${DL}/01/80614141123459/21/6789`, 7), null, 'bad check digit');
  t.equal(digitalLinkToEpcUrn(`${DL}/02/${gtin}`, 7), null);
  t.equal(digitalLinkToEpcUrn('urn:epc:id:sgtin:0614141.812345.6789', 7), null, 'not a URL');
  t.equal(digitalLinkToEpcUrn(`ftp://example.com/01/${gtin}`, 7), null, 'not http(s)');
  t.equal(digitalLinkToEpcUrn('not a uri', 7), null);
  for (const bad of [5, 13, 7.5, Number.NaN]) {
    t.throws(() => digitalLinkToEpcUrn(`${DL}/01/${gtin}`, bad), RangeError, String(bad));
  }
});

t.test('round trips through both directions', async (t) => {
  for (const serial of ['AB/12', '6789/&%"!?()', 'x<y>z', 'a.b', "it's*+,;="]) {
    const dl = `${DL}/01/80614141123458/21/${encodeURIComponent(serial).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
    const urn = digitalLinkToEpcUrn(dl, 7);
    t.ok(urn, serial);
    t.equal(digitalLinkToEpcUrn(canonicalGs1Uri(urn as string) as string, 7), urn, `${serial} via ${urn}`);
  }
});

t.test('digitalLinkToEpcUrn: a party GLN', async (t) => {
  t.equal(digitalLinkToEpcUrn(`${DL}/417/6901234000016`, 7), 'urn:epc:id:pgln:6901234.00001');
  t.equal(digitalLinkToEpcUrn('https://example.com/resolver/417/6901234000016', 9), 'urn:epc:id:pgln:690123400.001', 'any host and prefix');
  t.equal(digitalLinkToEpcUrn(`${DL}/417/6901234000017`, 7), null, 'bad check digit');
  t.equal(digitalLinkToEpcUrn(`${DL}/417/690123400001`, 7), null, 'twelve digits');
  t.equal(digitalLinkToEpcUrn(`${DL}/417/6901234000016/254/1`, 7), null, 'a party GLN takes no extension');
});
