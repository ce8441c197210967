// The audit log's pure part: RFC 8785 canonical JSON, quantities as numeric(18, 3) stores them,
// event payload hashes that do not depend on row order, chaining, and each kind of broken link.

import canonicalize from 'canonicalize';
import {
  appendToChains,
  canonicalJson,
  checkEntry,
  decimal3,
  type EventFacts,
  entryHashOf,
  eventPayloadHash,
  GENESIS_HASH,
  headsDigest,
  type StoredEntry,
  sha256,
} from '../../src/audit/chain.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('canonical JSON follows RFC 8785', async (t) => {
  // RFC 8785 section 3.2.2 (its sample input and output)
  const input = JSON.parse(
    '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
  );
  t.equal(
    canonicalJson(input),
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
  );
  // section 3.2.3: keys sorted by their UTF-16 code units
  t.equal(
    canonicalJson({
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    }),
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  );
  t.equal(sha256('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'SHA-256 of "abc" (FIPS 180-2)');
});

t.test('canonical JSON is the text the canonicalize package gives, and refuses what it refuses', async (t) => {
  const samples: unknown[] = [
    null,
    true,
    0,
    -0,
    1e21,
    5e-324,
    -12.5,
    '',
    'plain',
    '\u2028 line \u0000 nul "quoted" \\ back',
    '\ud83d\ude00 emoji',
    '\\ud800 written out, not a surrogate',
    { '\\udc00': '\\ud83d', '\ud83d\ude00': 1 },
    new Date('2026-12-04T10:00:00.000Z'),
    [],
    {},
    [1, undefined, null, 'a', [2, [3]], { b: 1, a: [] }],
    { z: 1, a: undefined, m: null, nested: { y: [true, false], x: { '\u00f6': 1, o: 2 } }, d: new Date(0) },
    { toJSON: () => ({ b: 2, a: 1 }) },
    // what JSON.stringify alone would write otherwise: names of array indexes come first in an
    // object, a __proto__ member read from JSON, functions, symbols, boxed values
    { b: 1, '10': 2, '2': 3, '1a': 4, a: { '0': [] } },
    JSON.parse('{"__proto__": {"b": 1, "a": 2}, "z": 0}'),
    { f: () => 1, s: Symbol('s'), a: [() => 1, Symbol('t'), undefined], [Symbol('k')]: 1 },
    [new String('ab'), new Number(5), new Boolean(false)],
    { nested: { toJSON: () => [{ y: 1, x: new Date(0) }] }, at: new Date(1) },
    { a: { toJSON: () => undefined }, b: [{ toJSON: () => Symbol('u') }, 1] },
    {
      id: 'urn:uuid:6c9f0c2e-6b2e-4b8e-9a57-1f0d0b6b0a11',
      type: 'transform',
      eventTime: '2026-12-04T09:00:00.000Z',
      eventTimeZoneOffset: '+08:00',
      payload: { inputs: [{ lotCode: 'L1', quantity: 2.5 }], outputs: [{ productCode: 'P1', quantity: 1, unit: 'kg' }], note: '猪肉' },
      movements: [{ lotCode: 'L1', partyCode: 'P', kind: 'consume', quantity: '-2.500', containerCode: null }],
      referenceDocuments: undefined,
    },
  ];
  for (const [index, sample] of samples.entries()) t.equal(canonicalJson(sample), canonicalize(sample), `sample ${index}`);
  const circular: Record<string, unknown> = { a: 1 };
  circular.self = circular;
  // the member name twice: a refused name is refused again, not remembered
  for (const bad of [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '\ud800 lone',
    { ['\udc00']: 1 },
    { ['\udc00']: 1 },
    ['x\ud83d'],
    circular,
    { a: [1, { b: Number.NEGATIVE_INFINITY }] },
    { a: 1n },
    { '1': 'x\udfff' },
  ]) {
    t.throws(() => canonicalize(bad), 'the package refuses it');
    t.throws(() => canonicalJson(bad), 'and so does canonicalJson');
  }
});

t.test('canonical JSON writes a value nested deeper than its one-pass copy reaches, member by member', async (t) => {
  let nested: unknown = 'x';
  for (let depth = 0; depth < 3000; depth++) nested = [nested];
  t.equal(canonicalJson({ a: nested }), `{"a":${'['.repeat(3000)}"x"${']'.repeat(3000)}}`);
});

t.test('a quantity reads the same from memory and from a numeric(18, 3) column', async (t) => {
  for (const [value, expected] of [
    [12.5, '12.500'],
    ['12.500', '12.500'],
    [0.1 + 0.2, '0.300'],
    [0.3 - 0.1, '0.200'],
    [1.0005, '1.001'],
    [-1.0005, '-1.001'],
    [-0.0001, '0.000'],
    [1e-7, '0.000'],
    [-250, '-250.000'],
    ['-250.000', '-250.000'],
    [0, '0.000'],
    ['0.000', '0.000'],
  ] as const) {
    t.equal(decimal3(value), expected, `${value} → ${expected}`);
  }
});

const facts = (overrides: Partial<EventFacts> = {}): EventFacts => ({
  id: 'e1',
  type: 'ship',
  eventTime: '2026-03-01T00:00:00.000Z',
  eventTimeZoneOffset: '+08:00',
  recordTime: '2026-03-01T01:00:00.000Z',
  partyCode: 'P1',
  bizStep: 'shipping',
  disposition: null,
  readPoint: null,
  bizLocation: null,
  referenceDocuments: [],
  payload: { toPartyCode: 'P2', note: undefined },
  correctsEventId: null,
  epcisType: 'ObjectEvent',
  transformationId: null,
  movements: [
    { lotCode: 'L1', partyCode: 'P1', kind: 'ship', quantity: -12.5, containerCode: null },
    { lotCode: 'L1', partyCode: 'P2', kind: 'in_transit', quantity: 12.5, containerCode: null },
  ],
  lots: [{ lotCode: 'L1', role: 'subject', quantity: 12.5 }],
  ...overrides,
});

t.test('an event hashes the same from memory as read back, and differently once anything covered changes', async (t) => {
  const fromMemory = eventPayloadHash(facts());
  const readBack = facts({
    payload: { toPartyCode: 'P2' },
    movements: [
      { lotCode: 'L1', partyCode: 'P2', kind: 'in_transit', quantity: '12.500', containerCode: null },
      { lotCode: 'L1', partyCode: 'P1', kind: 'ship', quantity: '-12.500', containerCode: null },
    ],
    lots: [{ lotCode: 'L1', role: 'subject', quantity: '12.500' }],
  });
  t.equal(eventPayloadHash(readBack), fromMemory, 'row order, number forms and undefined members do not matter');
  t.equal(eventPayloadHash({ ...facts(), extra: 'ignored' } as EventFacts), fromMemory, 'only the covered members count');
  const changes: Partial<EventFacts>[] = [
    { eventTime: '2026-03-01T00:00:00.001Z' },
    { partyCode: 'P3' },
    { payload: { toPartyCode: 'P3' } },
    { disposition: 'in_transit' },
    { movements: [{ lotCode: 'L1', partyCode: 'P1', kind: 'ship', quantity: -12.4, containerCode: null }] },
    { lots: [{ lotCode: 'L1', role: 'input', quantity: 12.5 }] },
  ];
  for (const change of changes) t.not(eventPayloadHash(facts(change)), fromMemory, `${Object.keys(change)[0]} is covered`);
});

t.test("an event's and an entry's hashes are SHA-256 of the canonical JSON of exactly their members", async (t) => {
  // what eventPayloadHash covers, written the plain way: the covered members, lines sorted by their canonical text
  const byText = <T>(rows: T[]) => [...rows].sort((a, b) => (String(canonicalize(a)) < String(canonicalize(b)) ? -1 : 1));
  const reference = (f: EventFacts) =>
    sha256(
      String(
        canonicalize({
          id: f.id,
          type: f.type,
          eventTime: f.eventTime,
          eventTimeZoneOffset: f.eventTimeZoneOffset,
          recordTime: f.recordTime,
          partyCode: f.partyCode,
          bizStep: f.bizStep,
          disposition: f.disposition,
          readPoint: f.readPoint,
          bizLocation: f.bizLocation,
          referenceDocuments: f.referenceDocuments,
          payload: f.payload,
          correctsEventId: f.correctsEventId,
          epcisType: f.epcisType,
          transformationId: f.transformationId,
          movements: byText(f.movements.map((m) => ({ ...m, quantity: decimal3(m.quantity) }))),
          lots: byText(f.lots.map((l) => ({ ...l, quantity: l.quantity === null ? null : decimal3(l.quantity) }))),
        }),
      ),
    );
  const samples: EventFacts[] = [
    facts(),
    facts({
      id: 'ni:///sha-256;ab?ver=CBV2.0',
      disposition: 'in_progress',
      readPoint: 'https://id.gs1.org/414/6901234000016',
      bizLocation: 'urn:epc:id:sgln:0614141.00777.0',
      referenceDocuments: [{ type: 'inspection', id: 'R-1', note: '"quoted" \\ \u2028 猪肉 \ud83d\ude00' }],
      payload: { epcis: { type: 'ObjectEvent', quantityList: [{ quantity: 2.5, uom: 'KGM' }], ext: { b: [1, { z: null, a: -0 }] } } },
      correctsEventId: 'e0',
      epcisType: null,
      transformationId: 'urn:uuid:1',
      movements: [
        { lotCode: 'L2', partyCode: 'P1', kind: 'consume', quantity: -1.0005, containerCode: 'C1' },
        { lotCode: 'L1', partyCode: 'P1', kind: 'consume', quantity: '-2.000', containerCode: null },
        { lotCode: 'L1', partyCode: 'P1', kind: 'produce', quantity: 3, containerCode: null },
      ],
      lots: [
        { lotCode: 'L3', role: 'output', quantity: null },
        { lotCode: 'L1', role: 'input', quantity: 2 },
        { lotCode: 'L10', role: 'input', quantity: '0.100' },
      ],
    }),
    // members the canonical form leaves out, and a payload nested deeper than the one-pass copy goes
    facts({ disposition: undefined, bizLocation: undefined, movements: [], lots: [] } as unknown as Partial<EventFacts>),
    facts({ payload: { deep: JSON.parse(`${'['.repeat(400)}"x"${']'.repeat(400)}`) } }),
  ];
  for (const [index, sample] of samples.entries()) t.equal(eventPayloadHash(sample), reference(sample), `event ${index}`);
  t.throws(() => eventPayloadHash(facts({ payload: { note: 'x\ud800' } })), 'a lone surrogate is refused');
  t.throws(() => eventPayloadHash(facts({ lots: [{ lotCode: 'L\udfff', role: 'subject', quantity: 1 }] })), 'in a line too');

  const entry: Parameters<typeof entryHashOf>[0] = {
    chain: 'P1',
    sequence: 12,
    kind: 'event',
    subjectId: 'e"1',
    keyId: null,
    payloadHash: sha256('p'),
    previousHash: GENESIS_HASH,
    recordedAt: new Date('2026-03-01T00:00:00.123Z'),
  };
  for (const sample of [entry, { ...entry, keyId: 'k1', sequence: 1 }]) {
    // only the covered members count
    const withExtra = { ...sample, extra: 'ignored' };
    t.equal(
      entryHashOf(withExtra),
      sha256(String(canonicalize({ ...sample, recordedAt: sample.recordedAt.toISOString() }))),
      `entry with key ${sample.keyId}`,
    );
  }
});

t.test('entries chain per party, and each kind of break is told apart', async (t) => {
  const at = new Date('2026-03-01T00:00:00Z');
  const fact = (chain: string, subjectId: string) => ({
    chain,
    kind: 'event' as const,
    subjectId,
    keyId: null,
    payloadHash: sha256(subjectId),
    recordedAt: at,
  });
  const first = appendToChains([], [fact('A', 'a1'), fact('B', 'b1'), fact('A', 'a2')]);
  t.same(
    first.entries.map((entry) => [entry.chain, entry.sequence]),
    [
      ['A', 1],
      ['B', 1],
      ['A', 2],
    ],
  );
  t.equal(first.entries[0].previousHash, GENESIS_HASH, 'a chain starts after the genesis hash');
  t.equal(first.entries[2].previousHash, first.entries[0].entryHash, "A's second entry follows its first, not B's");
  t.same(
    first.heads.map((head) => [head.chain, head.sequence]),
    [
      ['A', 2],
      ['B', 1],
    ],
  );
  const next = appendToChains(first.heads, [fact('A', 'a3')]);
  t.equal(next.entries[0].sequence, 3);
  t.equal(next.entries[0].previousHash, first.entries[2].entryHash, 'a later batch goes on from the head');

  const [a1, , a2] = first.entries;
  const stored = (entry: typeof a1, derived = entry.payloadHash): StoredEntry => ({ ...entry, derivedPayloadHash: derived });
  t.equal(checkEntry(null, stored(a1)), null);
  t.equal(checkEntry(a1, stored(a2)), null);
  t.match(checkEntry(a1, stored(a2, sha256('altered'))), { sequence: 2, subjectId: 'a2', problem: 'payload-mismatch' });
  t.match(checkEntry(a1, { ...stored(a2), derivedPayloadHash: null }), { problem: 'payload-mismatch', detail: /no longer stored/ });
  t.match(checkEntry(a1, stored({ ...a2, recordedAt: new Date(at.getTime() + 1000) })), { problem: 'entry-mismatch' });
  const relinked = { ...a2, previousHash: sha256('elsewhere') };
  t.match(checkEntry(a1, stored({ ...relinked, entryHash: entryHashOf(relinked) })), { problem: 'link-mismatch' });
  t.match(checkEntry(null, stored(a2)), { sequence: 2, problem: 'missing-entry', detail: 'expected sequence 1, found 2' });
});

t.test('the heads digest does not depend on the order heads are listed in', async (t) => {
  const heads = [
    { chain: 'system', sequence: 4, entryHash: sha256('s') },
    { chain: 'P1', sequence: 9, entryHash: sha256('p') },
  ];
  t.equal(headsDigest('2026-11-30', heads), headsDigest('2026-11-30', [...heads].reverse()));
  t.not(headsDigest('2026-11-30', heads), headsDigest('2026-12-01', heads), 'the day is part of it');
  t.equal(
    headsDigest('2026-11-30', heads),
    sha256(canonicalJson({ date: '2026-11-30', heads: [heads[1], heads[0]] })),
    'as the README tells a third party to recompute it',
  );
});
