// Cross-check of the EPC codec against the independent epc-tds package (a dev dependency), on
// random values of every scheme and partition, encoded both ways. epc-tds writes URIs without
// TDS escaping and zero-digit references as "0", so the two are compared field by field.
import { type DecodedTag, decodeTag, encodeTag } from '../../src/gs1/epc-binary.js';
import { below, bitsValue, NEWER_SCHEMES, pureIdentity, randomCase, SCHEMES, seed, theirFields, theirHex } from '../fixtures/epc-tds.js';
import { fileTest } from '../root.js';

const t = fileTest();

function ourFields(tag: DecodedTag) {
  if (tag.kind === 'gid') return { managerNumber: tag.managerNumber, objectClass: tag.objectClass, serial: tag.serial };
  if (tag.kind !== 'gs1') return tag;
  const { kind, scheme, hex, tagUri, rawUri, pureIdentity, digitalLink, ...keys } = tag;
  return { ...keys, partition: (Number.parseInt(hex.slice(2, 4), 16) >> 2) & 7 };
}

const PER_SCHEME = 1700;

const ALL = [...SCHEMES, ...NEWER_SCHEMES];

t.test(`${PER_SCHEME * ALL.length} random identities encode and decode as epc-tds does (seed ${seed})`, async (t) => {
  let mismatches = 0;
  for (const scheme of ALL) {
    for (let i = 0; i < PER_SCHEME; i++) {
      const c = randomCase(scheme);
      const urn = pureIdentity(c);
      const ours = encodeTag(urn, { scheme, filter: c.filter });
      const theirs = theirHex(c);
      const decoded = decodeTag(theirs);
      // epc-tds writes whole bytes: SGLN-195 as 50 digits where its 195 bits take 49
      const hex = ours.hex ?? '';
      const ok =
        hex !== '' &&
        theirs.startsWith(hex) &&
        /^0*$/.test(theirs.slice(hex.length)) &&
        decoded.kind !== 'raw' &&
        decoded.kind === (scheme === 'gid-96' ? 'gid' : 'gs1') &&
        decoded.pureIdentity === urn &&
        JSON.stringify(ourFields(decoded)) === JSON.stringify({ ...ourFields(decoded), ...theirFields(theirs) });
      if (!ok && mismatches++ < 5)
        t.fail(`${urn} filter ${c.filter}: ours ${ours.hex}, epc-tds ${theirs}`, { ours: ourFields(decoded), theirs: theirFields(theirs) });
    }
  }
  t.equal(mismatches, 0, 'no value differs');
});

t.test('random hex under the GS1 headers: every value we decode, epc-tds decodes alike', async (t) => {
  let decoded = 0;
  let mismatches = 0;
  const headers = ['30', '31', '32', '33', '34'];
  for (let i = 0; i < 6000; i++) {
    // A random filter, a partition 0–6 and random fields; many such values are invalid (prefix or
    // reference beyond their digits, reserved bits set) and must come back raw, never throw.
    const random96 = `${headers[i % 5]}${((below(8) << 5) | (below(7) << 2) | below(4)).toString(16).padStart(2, '0')}${bitsValue(80).toString(16).padStart(20, '0')}`;
    // An SSCC's last 24 bits are reserved zeros; half the SSCCs keep them so.
    const hex = (random96.startsWith('31') && i % 2 ? `${random96.slice(0, 18)}000000` : random96).toUpperCase();
    const ours = decodeTag(hex);
    if (ours.kind === 'raw') continue;
    decoded++;
    const theirs = theirFields(hex);
    if (JSON.stringify(ourFields(ours)) !== JSON.stringify({ ...ourFields(ours), ...theirs }) && mismatches++ < 5)
      t.fail(hex, { ours: ourFields(ours), theirs });
  }
  t.equal(mismatches, 0, 'no value differs');
  t.ok(decoded > 1000, `${decoded} of 6000 decoded as GS1 EPCs`);
});

t.test('random hex under the headers of GDTI, GSRN, GSRNP, SGCN, CPI and GID: every value we decode, epc-tds decodes alike', async (t) => {
  let decoded = 0;
  let mismatches = 0;
  const headers = ['2C', '2D', '2E', '3F', '3C', '3E', '35'];
  for (let i = 0; i < 7000; i++) {
    const header = headers[i % headers.length];
    const bits = header === '3E' ? 168 : 88;
    const fields = ((below(8) << 5) | (below(7) << 2) | below(4)).toString(16).padStart(2, '0');
    let hex = `${header}${fields}${bitsValue(bits - 8)
      .toString(16)
      .padStart((bits - 8) / 4, '0')}`.toUpperCase();
    // GSRN's last 24 bits are reserved zeros, GDTI-174's last 2 bits padding: half keep them so
    if ((header === '2D' || header === '2E') && i % 2) hex = `${hex.slice(0, 18)}000000`;
    if (header === '3E' && i % 2) hex = `${hex.slice(0, 43)}${(Number.parseInt(hex[43], 16) & 0xc).toString(16).toUpperCase()}`;
    // an SGCN serial is a 1 and then its digits: half get one
    if (header === '3F' && i % 2) {
      const serial = BigInt(`1${String(bitsValue(40)).slice(0, 1 + below(12))}`);
      hex = `${(((BigInt(`0x${hex}`) >> 41n) << 41n) | serial).toString(16).toUpperCase().padStart(24, '0')}`;
    }
    const ours = decodeTag(hex);
    if (ours.kind === 'raw') continue;
    decoded++;
    const theirs = theirFields(hex);
    if (JSON.stringify(ourFields(ours)) !== JSON.stringify({ ...ourFields(ours), ...theirs }) && mismatches++ < 5)
      t.fail(hex, { ours: ourFields(ours), theirs });
  }
  t.equal(mismatches, 0, 'no value differs');
  t.ok(decoded > 2500, `${decoded} of 7000 decoded as EPCs`);
});
