// Cross-check of the EPC codec against the independent epc-tds package (a dev dependency), on
// random values of every scheme and partition, encoded both ways. epc-tds writes URIs without
// TDS escaping and zero-digit references as "0", so the two are compared field by field.
import epcTds from 'epc-tds';
import { completeGs1 } from '../../src/codes/gs1.js';
import { type DecodedTag, decodeTag, type EpcScheme, encodeTag } from '../../src/gs1/epc-binary.js';
import { fileTest } from '../root.js';

const t = fileTest();

// epc-tds replaces module.exports with its API object, while its typings declare it as the default export.
const tds = epcTds as unknown as typeof epcTds.default;

// A seeded generator so that a failure can be replayed.
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const seed = Number(process.env.EPC_CROSS_CHECK_SEED ?? Date.now() % 1_000_000);
const random = mulberry32(seed);
const below = (n: number) => Math.floor(random() * n);
const digits = (n: number) => Array.from({ length: n }, () => below(10)).join('');
const bitsValue = (bits: number) => {
  let value = 0n;
  for (let i = 0; i < bits; i += 16) value = (value << 16n) | BigInt(below(0x10000));
  return value & ((1n << BigInt(bits)) - 1n);
};
const CHARSET_82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
const escapeSerial = (s: string) => s.replace(/["%&/<>?]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const GIAI_REFERENCE_BITS = [42, 45, 48, 52, 55, 58, 62];
const GIAI_202_CHARS = [18, 19, 20, 21, 22, 23, 24];
const text = (max: number) => Array.from({ length: 1 + below(max) }, () => CHARSET_82[below(82)]).join('');

type Case = { scheme: EpcScheme; filter: number; partition: number; prefix: string; reference: string; serial: string };

function randomCase(scheme: EpcScheme): Case {
  const partition = below(7);
  const prefix = digits(12 - partition);
  const base = { scheme, filter: below(8), partition, prefix };
  switch (scheme) {
    case 'sgtin-96':
      return { ...base, reference: digits(partition + 1), serial: bitsValue(38).toString() };
    case 'sgtin-198':
      return {
        ...base,
        reference: digits(partition + 1),
        serial: Array.from({ length: 1 + below(20) }, () => CHARSET_82[below(82)]).join(''),
      };
    case 'sscc-96':
      return { ...base, reference: digits(partition + 5), serial: '' };
    case 'sgln-96':
      return { ...base, reference: digits(partition), serial: bitsValue(41).toString() };
    case 'grai-96':
      return { ...base, reference: digits(partition), serial: bitsValue(38).toString() };
    case 'giai-96':
      return { ...base, reference: bitsValue(GIAI_REFERENCE_BITS[partition]).toString(), serial: '' };
    case 'sgln-195':
      return { ...base, reference: digits(partition), serial: text(20) };
    case 'grai-170':
      return { ...base, reference: digits(partition), serial: text(16) };
    case 'giai-202':
      return { ...base, reference: text(GIAI_202_CHARS[partition]), serial: '' };
  }
}

function pureIdentity(c: Case): string {
  const type = c.scheme.split('-')[0];
  if (c.scheme === 'sscc-96' || c.scheme === 'giai-96') return `urn:epc:id:${type}:${c.prefix}.${c.reference}`;
  if (c.scheme === 'giai-202') return `urn:epc:id:giai:${c.prefix}.${escapeSerial(c.reference)}`;
  return `urn:epc:id:${type}:${c.prefix}.${c.reference}.${escapeSerial(c.serial)}`;
}

// The same values through epc-tds' own setters.
function theirHex(c: Case): string {
  const cp = Number(c.prefix);
  const ref = Number(c.reference || '0');
  switch (c.scheme) {
    case 'sgtin-96':
      return new tds.Sgtin96()
        .setFilter(c.filter)
        .setPartition(c.partition)
        .setCompanyPrefix(cp)
        .setItemReference(ref)
        .setSerial(Number(c.serial))
        .toHexString();
    case 'sgtin-198':
      return new tds.Sgtin198()
        .setFilter(c.filter)
        .setPartition(c.partition)
        .setCompanyPrefix(cp)
        .setItemReference(ref)
        .setSerial(c.serial)
        .toHexString();
    case 'sscc-96':
      return new tds.Sscc96().setFilter(c.filter).setPartition(c.partition).setCompanyPrefix(cp).setSerialReference(ref).toHexString();
    case 'sgln-96':
      return new tds.Sgln96()
        .setFilter(c.filter)
        .setPartition(c.partition)
        .setCompany(cp)
        .setLocation(ref)
        .setExtension(Number(c.serial))
        .toHexString();
    case 'grai-96':
      return new tds.Grai96()
        .setFilter(c.filter)
        .setPartition(c.partition)
        .setCompanyPrefix(cp)
        .setAssetType(ref)
        .setSerial(Number(c.serial))
        .toHexString();
    case 'giai-96':
      return new tds.Giai96()
        .setFilter(c.filter)
        .setPartition(c.partition)
        .setCompanyPrefix(cp)
        .setAssetReference(BigInt(c.reference))
        .toHexString();
    case 'sgln-195':
      return new tds.Sgln195()
        .setFilter(c.filter)
        .setPartition(c.partition)
        .setCompany(cp)
        .setLocation(ref)
        .setExtension(c.serial)
        .toHexString();
    case 'grai-170':
      return new tds.Grai170()
        .setFilter(c.filter)
        .setPartition(c.partition)
        .setCompanyPrefix(cp)
        .setAssetType(ref)
        .setSerial(c.serial)
        .toHexString();
    case 'giai-202':
      return new tds.Giai202()
        .setFilter(c.filter)
        .setPartition(c.partition)
        .setCompanyPrefix(cp)
        .setAssetReference(c.reference)
        .toHexString();
  }
}

// epc-tds' getGln() and getGrai() write a zero-digit reference (partition 0) as "0"; its fields are
// right, so GLN and GRAI are built from them.
const prefixAndReference = (partition: number, prefix: number, reference: number) =>
  String(prefix).padStart(12 - partition, '0') + (partition === 0 ? '' : String(reference).padStart(partition, '0'));

// What epc-tds reads from the hex, in the shape of our decoded tag.
function theirFields(hex: string) {
  const epc = tds.valueOf(hex);
  if (epc instanceof tds.Gid96) throw new Error(`epc-tds decoded ${hex} as a GID`);
  const common = { filter: epc.getFilter(), partition: epc.getPartition() };
  if (epc instanceof tds.Sgtin96 || epc instanceof tds.Sgtin198) return { ...common, gtin: epc.getGtin(), serial: String(epc.getSerial()) };
  if (epc instanceof tds.Sscc96) return { ...common, sscc: epc.getSscc() };
  if (epc instanceof tds.Sgln96 || epc instanceof tds.Sgln195) {
    const gln = completeGs1(prefixAndReference(common.partition, epc.getCompany(), epc.getLocation()));
    const extension = String(epc.getExtension());
    return extension === '0' ? { ...common, gln } : { ...common, gln, glnExtension: extension };
  }
  if (epc instanceof tds.Grai96 || epc instanceof tds.Grai170) {
    const grai = `0${completeGs1(prefixAndReference(common.partition, epc.getCompanyPrefix(), epc.getAssetType()))}${epc.getSerial()}`;
    return { ...common, grai, serial: String(epc.getSerial()) };
  }
  if (epc instanceof tds.Giai96 || epc instanceof tds.Giai202) return { ...common, giai: epc.getGiai() };
  throw new Error(`epc-tds decoded ${hex} as another scheme`);
}

function ourFields(tag: DecodedTag) {
  if (tag.kind !== 'gs1') return tag;
  const { kind, scheme, hex, tagUri, rawUri, pureIdentity, digitalLink, ...keys } = tag;
  return { ...keys, partition: (Number.parseInt(hex.slice(2, 4), 16) >> 2) & 7 };
}

const SCHEMES: EpcScheme[] = ['sgtin-96', 'sgtin-198', 'sscc-96', 'sgln-96', 'sgln-195', 'grai-96', 'grai-170', 'giai-96', 'giai-202'];
const PER_SCHEME = 1700;

t.test(`${PER_SCHEME * SCHEMES.length} random identities encode and decode as epc-tds does (seed ${seed})`, async (t) => {
  let mismatches = 0;
  for (const scheme of SCHEMES) {
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
        decoded.kind === 'gs1' &&
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
