// ITIP-110 and ITIP-212, which epc-tds does not know, against the worked examples of the Tag Data
// Standard and of epcpy (test/fixtures/tds-vectors.ts): decoded from the published hex, encoded back
// from the published URIs, and reached from the published GS1 key.
import { decodeTag, encodeTag } from '../../src/gs1/epc-binary.js';
import { ITIP_VECTORS } from '../fixtures/tds-vectors.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** The published GS1 key (a Digital Link path or an element string) as the codec's canonical Digital Link. */
const digitalLinkOf = (gs1: string) => `https://id.gs1.org${gs1.startsWith('/') ? gs1 : gs1.replace(/\((\d+)\)/g, '/$1/')}`;

t.test('the published ITIP examples decode and encode as published', async (t) => {
  for (const vector of ITIP_VECTORS) {
    const name = `${vector.source} ${vector.tagUri}`;
    const decoded = decodeTag(vector.hex);
    if (!vector.gs1) {
      // piece 00 of 00: the bits are the scheme's, but they name no GS1 key, as the URN names none (GS1 General
      // Specifications, AI 8006: piece number and total count are 01–99, the piece not above the total)
      t.match(decoded, { kind: 'raw', hex: vector.hex }, `${name}: no GS1 key, a raw tag id`);
      t.throws(() => encodeTag(vector.pureIdentity, { scheme: vector.scheme, filter: 0 }), name);
      continue;
    }
    const digitalLink = digitalLinkOf(vector.gs1);
    t.match(
      decoded,
      { kind: 'gs1', scheme: vector.scheme, tagUri: vector.tagUri, pureIdentity: vector.pureIdentity, digitalLink },
      `${name}: decoded from its hex`,
    );
    const own = decoded.hex as string;
    t.ok(vector.hex.startsWith(own) && /^0*$/.test(vector.hex.slice(own.length)), `${name}: its own hex ${own}, then the words' zeros`);
    const filter = Number(vector.tagUri.split(':')[4].split('.')[0]);
    t.equal(encodeTag(vector.pureIdentity, { scheme: vector.scheme, filter }).hex, own, `${name}: encoded from its URN`);
    t.equal(decodeTag(vector.tagUri).hex, own, `${name}: encoded from its tag URI`);
    t.match(
      decodeTag(`urn:epc:raw:${vector.scheme === 'itip-110' ? 110 : 212}.x${own}`),
      { pureIdentity: vector.pureIdentity },
      `${name}: its raw URI`,
    );
    const companyPrefixLength = vector.pureIdentity.split(':')[4].indexOf('.');
    t.equal(
      decodeTag(digitalLink, { companyPrefixLength, filter }).hex,
      own,
      `${name}: encoded from its Digital Link, given the company prefix length`,
    );
  }
});

t.test('a serial too long for ITIP-110 takes ITIP-212; bits that break the scheme are a raw tag id', async (t) => {
  const long = decodeTag('https://id.gs1.org/8006/095211411234540102/21/274877906944', { companyPrefixLength: 7 });
  t.match(long, { scheme: 'itip-212', pureIdentity: 'urn:epc:id:itip:9521141.012345.01.02.274877906944' });
  t.match(decodeTag('https://id.gs1.org/8006/095211411234540102/21/981', { companyPrefixLength: 7 }), { scheme: 'itip-110' });
  // the published ITIP-110 (piece 01 of 02) with another piece: its 7 bits follow the first 58 of 112
  const withPiece = (piece: bigint) =>
    ((BigInt('0x4076451FD40C0E40820000000F54') & ~(0x7fn << 47n)) | (piece << 47n)).toString(16).toUpperCase();
  t.match(decodeTag(withPiece(2n)), { kind: 'gs1', pureIdentity: 'urn:epc:id:itip:9521141.012345.02.02.981' }, 'piece 2 of 2');
  t.match(decodeTag(withPiece(100n)), { kind: 'raw' }, 'piece 100: 7 bits hold it, two digits do not');
  t.match(decodeTag(withPiece(3n)), { kind: 'raw' }, 'piece 3 of 2');
  t.throws(() => encodeTag('urn:epc:id:itip:9521141.012345.03.02.981', { scheme: 'itip-110', filter: 3 }));
});
