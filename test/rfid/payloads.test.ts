import { Problem } from '../../src/errors/problem.js';
import { parseGeneric, parseImpinj, parseZebra } from '../../src/rfid/payloads.js';
import { readerTime } from '../../src/rfid/schemas.js';
import { parseTagCsv } from '../../src/rfid/tag-csv.js';
import { gs1KeyOf, normalizeTag } from '../../src/rfid/tags.js';
import { IMPINJ_SAMPLE_EPC, impinjOtherEvents, impinjTagInventory, SGTIN96_VECTOR, zebraEvent } from '../fixtures/rfid-payloads.js';
import { fileTest } from '../root.js';

const t = fileTest();

const problemOf = (work: () => unknown): Problem => {
  try {
    work();
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  throw new Error('no problem');
};

/** Reads up to this time are not in the future. */
const LATEST = new Date('2026-06-01T00:02:00Z');

t.test('reader times: offsets without a colon, nanoseconds', async (t) => {
  t.equal(readerTime('2024-11-21T13:20:53.319-0600').toISOString(), '2024-11-21T19:20:53.319Z');
  t.equal(readerTime('2021-02-02T22:18:35.658476625Z').toISOString(), '2021-02-02T22:18:35.658Z');
  t.equal(readerTime('2026-03-01T08:00:00+08:00').toISOString(), '2026-03-01T00:00:00.000Z');
});

t.test('reader times are real calendar times, not rolled over to the next month', async (t) => {
  const generic = (time: string) => problemOf(() => parseGeneric({ reads: [{ readPoint: 'rp', epc: 'E200', time }] }, LATEST));
  for (const time of ['2026-02-30T10:00:00Z', '2025-02-29T10:00:00+08:00', '2026-04-31T10:00:00-0600', '2026-03-01T24:00:00Z']) {
    const problem = generic(time);
    t.same(
      problem.errors,
      [{ in: 'body', pointer: '/reads/0/time', detail: 'must be a real date and time (no 30 February, no hour 24)' }],
      time,
    );
  }
  t.same(generic('2026-03-01').errors?.length, 1, 'a malformed time is named once');
  t.equal(parseGeneric({ reads: [{ readPoint: 'rp', epc: 'E200', time: '2024-02-29T10:00:00Z' }] }, LATEST).reads.length, 1, 'a leap day');
  const zebra = problemOf(() => parseZebra(zebraEvent({ idHex: 'E200', timestamp: '2026-02-31T10:00:00.000-0600' }), LATEST, LATEST));
  t.match(zebra.errors, [{ pointer: '/timestamp', detail: /real date/ }]);
  const impinj = problemOf(() =>
    parseImpinj([impinjTagInventory({ epcHex: IMPINJ_SAMPLE_EPC, lastSeenTime: '2021-02-29T22:18:35.499734Z' })], LATEST),
  );
  t.match(impinj.errors, [{ pointer: '/0/tagInventoryEvent/lastSeenTime', detail: /real date/ }]);
});

t.test('reader times past the latest the service takes are refused at the time field', async (t) => {
  const generic = problemOf(() =>
    parseGeneric(
      {
        reads: [
          { readPoint: 'rp', epc: 'E200', time: '2026-06-01T08:02:00+08:00' },
          { readPoint: 'rp', epc: 'E200', time: '2026-06-01T00:02:00.001Z' },
          { readPoint: 'rp', epc: 'E200', time: '9999-12-31T23:59:59Z' },
        ],
      },
      LATEST,
    ),
  );
  t.same(
    generic.errors?.map((problem) => problem.pointer),
    ['/reads/1/time', '/reads/2/time'],
    'up to the latest time is taken',
  );
  t.match(generic.errors?.[0].detail, /^must not be in the future/);
  t.match(generic.detail, /^2 elements of the batch cannot be stored/);
  const zebra = problemOf(() => parseZebra([zebraEvent({ idHex: 'E200', timestamp: '2026-06-01T00:03:00.000+0000' })], LATEST, LATEST));
  t.match(zebra.errors, [{ pointer: '/0/timestamp', detail: /^must not be in the future/ }]);
  const impinj = problemOf(() =>
    parseImpinj(
      [
        impinjTagInventory({ epcHex: IMPINJ_SAMPLE_EPC, timestamp: '2030-01-01T00:00:00Z' }),
        impinjTagInventory({ epcHex: IMPINJ_SAMPLE_EPC, lastSeenTime: '2030-01-01T00:00:00Z' }),
      ],
      LATEST,
    ),
  );
  t.same(
    impinj.errors?.map((problem) => problem.pointer),
    ['/1/tagInventoryEvent/lastSeenTime'],
    'an Impinj read is as late as its lastSeenTime, which it carries',
  );
});

t.test('Zebra: one object is an element without an index', async (t) => {
  const received = new Date('2026-03-01T00:00:00Z');
  const { reads } = parseZebra(zebraEvent({ idHex: 'e2806894000040017790e471', tid: 'e2003412' }), received, received);
  t.match(reads, [{ pointer: [], tag: 'E2806894000040017790E471', tid: 'E2003412', antennas: ['1'], rssi: -39, count: 1 }]);
  const problem = problemOf(() => parseZebra({ data: { idHex: 'xyz' }, type: 'SIMPLE' }, received, received));
  t.equal(problem.status, 400);
  t.match(problem.errors, [{ pointer: '/data/idHex' }]);
  t.match(problem.detail, /^the read cannot be stored/);
  t.match(problemOf(() => parseZebra([{ data: {}, type: 'NONE' }], received, received)).errors, [
    { pointer: '/0/data/idHex' },
    { pointer: '/0/type' },
  ]);
});

t.test('Impinj: epcHex when sent, else the base64url epc; TIDs either way', async (t) => {
  const { reads, otherEvents } = parseImpinj(
    [
      impinjTagInventory({ epcHex: IMPINJ_SAMPLE_EPC, withEpcHex: false, tidHex: 'e2003412' }),
      { ...impinjTagInventory({ epcHex: IMPINJ_SAMPLE_EPC }), tagInventoryEvent: { epc: 'AAE', tid: 'AAE' } },
    ],
    LATEST,
  );
  t.equal(otherEvents, 0);
  t.match(reads[0], { tag: IMPINJ_SAMPLE_EPC, tid: 'E2003412', antennas: ['Portal1', '1'], rssi: -41 });
  t.match(reads[1], { tag: '0001', tid: '0001', antennas: [], rssi: null, rawTime: '2021-02-02T22:18:35.658476625Z' });
});

t.test('Impinj: an epc and an epcHex (or tid and tidHex) naming different tags are refused, not one of them taken', async (t) => {
  const both = impinjTagInventory({ epcHex: IMPINJ_SAMPLE_EPC, tidHex: 'E2003412' }) as { tagInventoryEvent: Record<string, unknown> };
  t.match(
    parseImpinj(
      [{ ...both, tagInventoryEvent: { ...both.tagInventoryEvent, epcHex: IMPINJ_SAMPLE_EPC.toLowerCase(), tid: '4gA0Eg' } }],
      LATEST,
    ).reads,
    [{ tag: IMPINJ_SAMPLE_EPC, tid: 'E2003412' }],
  );
  const epc = problemOf(() =>
    parseImpinj([impinjOtherEvents()[0], { ...both, tagInventoryEvent: { ...both.tagInventoryEvent, epcHex: SGTIN96_VECTOR } }], LATEST),
  );
  t.equal(epc.status, 400);
  t.match(epc.errors, [{ in: 'body', pointer: '/1/tagInventoryEvent/epcHex', detail: /not the tag the epc names/ }]);
  const tid = problemOf(() => parseImpinj([{ ...both, tagInventoryEvent: { ...both.tagInventoryEvent, tid: 'AAE' } }], LATEST));
  t.match(tid.errors, [{ in: 'body', pointer: '/0/tagInventoryEvent/tidHex', detail: /not the tag the tid names/ }]);
});

t.test('Impinj: a reader with epc reporting off sends epcHex alone (and tidHex alone), read as that tag', async (t) => {
  const event = {
    timestamp: '2026-03-01T08:00:00Z',
    hostname: 'impinj-r700-a1',
    eventType: 'tagInventory',
    tagInventoryEvent: {
      epcHex: '3035A537C8375F4000001392',
      tidHex: 'E2003412',
      antennaPort: 1,
      antennaName: 'DoorIn',
      peakRssiCdbm: -2650,
    },
  };
  t.match(parseImpinj([event], LATEST).reads, [
    { tag: '3035A537C8375F4000001392', tid: 'E2003412', antennas: ['DoorIn', '1'], rssi: -26.5 },
  ]);
  const neither = problemOf(() => parseImpinj([{ ...event, tagInventoryEvent: { antennaPort: 1, tid: '4gA0Eg' } }], LATEST));
  t.match(
    neither.errors,
    [{ in: 'body', pointer: '/0/tagInventoryEvent', detail: /epc or epcHex/ }],
    'a read names its tag one way or the other',
  );
  t.equal(neither.errors?.length, 1, 'once, not at each of the two fields');
});

t.test('Impinj: epc and tid in standard base64 (+ and /, padded or not) as well as base64url', async (t) => {
  // SGTIN serial 64511: its last bytes FB FF are "+/" in standard base64, "-_" in base64url
  const hex = '3035A537C8375F400000FBFF';
  const inventory = (fields: Record<string, unknown>) => ({
    timestamp: '2026-03-01T08:00:00Z',
    eventType: 'tagInventory',
    tagInventoryEvent: { antennaPort: 1, pc: 'NAA=', ...fields },
  });
  for (const [epc, expected] of [
    ['MDWlN8g3X0AAAPv/', hex],
    ['MDWlN8g3X0AAAPv_', hex],
    ['MDWlN8g3X0AAAPv/8w==', `${hex}F3`],
    ['MDWlN8g3X0AAAPv/8w', `${hex}F3`],
    ['MDWlN8g3X0AAAPv_8w==', `${hex}F3`],
  ]) {
    t.match(parseImpinj([inventory({ epc })], LATEST).reads, [{ tag: expected }], `${epc} alone`);
    t.match(parseImpinj([inventory({ epc, epcHex: expected })], LATEST).reads, [{ tag: expected }], `${epc} with its epcHex`);
  }
  t.match(parseImpinj([inventory({ epc: 'MDWlN8g3X0AAAPv/', epcHex: hex, tid: '4gA0+/8=', tidHex: 'E20034FBFF' })], LATEST).reads, [
    { tag: hex, tid: 'E20034FBFF' },
  ]);
  const other = problemOf(() => parseImpinj([inventory({ epc: 'MDWlN8g3X0AAAPv/', epcHex: '3035A537C8375F400000FBFE' })], LATEST));
  t.match(
    other.errors,
    [{ pointer: '/0/tagInventoryEvent/epcHex', detail: /not the tag the epc names/ }],
    'still the same bytes both ways',
  );
  for (const epc of ['MDWlN8g3X0AAAPv/_w', 'MDWl N8g3X0AA', 'MDWlN8g3X0AAAPv/=A', 'MDW*lN8g']) {
    t.match(problemOf(() => parseImpinj([inventory({ epc })], LATEST)).errors, [{ pointer: '/0/tagInventoryEvent/epc' }], `${epc} refused`);
  }
});

t.test('generic reads', async (t) => {
  const { reads } = parseGeneric(
    { reads: [{ readPoint: 'rp', epc: 'urn:epc:id:sscc:0614141.1234567890', time: '2026-03-01T08:00:00+08:00' }] },
    LATEST,
  );
  t.match(reads, [{ readPointId: 'rp', hostName: null, tag: 'urn:epc:id:sscc:0614141.1234567890', count: 1 }]);
  t.match(problemOf(() => parseGeneric(null, LATEST)).errors, [{ pointer: '/reads' }]);
});

t.test('a generic batch holds at most the 10,000 reads its schema (and the OpenAPI document) allows', async (t) => {
  const batch = (count: number) => ({
    reads: Array.from({ length: count }, () => ({ readPoint: 'rp', epc: SGTIN96_VECTOR, time: '2026-03-01T08:00:00+08:00' })),
  });
  t.equal(parseGeneric(batch(10_000), LATEST).reads.length, 10_000);
  const refused = problemOf(() => parseGeneric(batch(10_001), LATEST));
  t.equal(refused.status, 400);
  t.match(refused.errors, [{ in: 'body', pointer: '/reads', detail: /at most 10000/ }]);
});

t.test('generic reads: an EPC URI must be one the tag codec and EPCIS capture take', async (t) => {
  const epcs = (...values: string[]) => ({
    reads: values.map((epc) => ({ readPoint: 'rp', epc, time: '2026-03-01T08:00:00+08:00' })),
  });
  const taken = parseGeneric(
    epcs(
      '3074257bf7194e4000001a85',
      'E28011606000',
      'urn:epc:tag:sgtin-96:3.0614141.812345.6789',
      'urn:epc:raw:96.x3074257BF7194E4000001A85',
      'urn:epc:id:sgtin:0614141.812345.6789',
      'https://id.gs1.org/01/80614141123458/21/6789',
      'urn:example:tag:1',
    ),
    LATEST,
  );
  t.same(
    taken.reads.map((read) => read.tag),
    [
      SGTIN96_VECTOR,
      'E28011606000',
      SGTIN96_VECTOR,
      SGTIN96_VECTOR,
      'urn:epc:id:sgtin:0614141.812345.6789',
      'https://id.gs1.org/01/80614141123458/21/6789',
      'urn:example:tag:1',
    ],
    'hex of any length in whole bytes, well-formed EPC URIs and other URIs',
  );
  const refused = problemOf(() =>
    parseGeneric(
      epcs(
        'E200',
        'urn:epc:raw:96.xZZ',
        'urn:epc:tag:sgtin-96:9.0614141.812345.6789',
        'urn:epc:id:sgtin:0614141.812345.',
        'https://id.gs1.org/01/80614141123459/21/6789',
        'E2801',
      ),
      LATEST,
    ),
  );
  t.same(
    refused.errors?.map((problem) => [problem.pointer, problem.detail]),
    [
      ['/reads/1/epc', '"urn:epc:raw:96.xZZ" is not a raw EPC URI: urn:epc:raw:<bits>.x<hex> or urn:epc:raw:<bits>.<decimal>'],
      [
        '/reads/2/epc',
        '"urn:epc:tag:sgtin-96:9.0614141.812345.6789" is not a valid SGTIN-96 tag URI: it must start with a filter value 0–7',
      ],
      [
        '/reads/3/epc',
        '"urn:epc:id:sgtin:0614141.812345." is not a valid SGTIN EPC URN: the company prefix and reference must together have the key\'s digit count, and the serial only GS1 characters',
      ],
      [
        '/reads/4/epc',
        '"https://id.gs1.org/01/80614141123459/21/6789" is a GS1 Digital Link whose GTIN 80614141123459 has a wrong check digit (it would be 8)',
      ],
      ['/reads/5/epc', 'must be the EPC as hex (whole bytes) or an EPC URI'],
    ],
    "each named with the codec's reason",
  );
});

t.test('tags: one spelling each, and the GS1 key they carry', async (t) => {
  t.equal(normalizeTag(' 3074257bf7194e4000001a85 '), SGTIN96_VECTOR);
  t.equal(normalizeTag('urn:epc:tag:sgtin-96:3.0614141.812345.6789'), SGTIN96_VECTOR, 'a tag URI is its hex');
  t.equal(
    normalizeTag('urn:epc:tag:sgtin-96:9.0614141.812345.6789'),
    'urn:epc:tag:sgtin-96:9.0614141.812345.6789',
    'a bad tag URI stays as sent',
  );
  t.equal(normalizeTag('urn:epc:id:sscc:0614141.1234567890'), 'urn:epc:id:sscc:0614141.1234567890');
  // RFC 8141 leaves urn: and epc free in case, and TDS's keywords differ by no case: the same tag
  for (const spelling of [
    'URN:EPC:TAG:SGTIN-96:3.0614141.812345.6789',
    'Urn:Epc:Tag:Sgtin-96:3.0614141.812345.6789',
    'URN:EPC:RAW:96.x3074257BF7194E4000001A85',
    'urn:epc:raw:96.x3074257BF7194E4000001A85',
  ])
    t.equal(normalizeTag(spelling), SGTIN96_VECTOR, `${spelling} is the tag's hex`);
  t.equal(gs1KeyOf(SGTIN96_VECTOR), 'https://id.gs1.org/01/80614141123458/21/6789');
  t.equal(gs1KeyOf('E2806894000040017790E471'), null, 'a factory EPC carries none');
  t.equal(gs1KeyOf('urn:example:tag:1'), 'urn:example:tag:1', 'another URI is taken as it is');
});

t.test('tag CSV', async (t) => {
  t.same(parseTagCsv('\uFEFFTID,Code\r\nE200,BAAAAAAAAAAB\r\n\r\nE201,BAAAAAAAAAAB\r\n'), {
    bindings: [
      { tid: 'E200', code: 'BAAAAAAAAAAB' },
      { tid: 'E201', code: 'BAAAAAAAAAAB' },
    ],
    lines: [2, 4],
  });
  t.match(problemOf(() => parseTagCsv('epc,code\n\n')).errors, [{ pointer: '/line/2' }]);
});

t.test('tag CSV: fields quoted as spreadsheets and CSV writers quote them (RFC 4180)', async (t) => {
  t.same(
    parseTagCsv(
      '"epc","code"\r\n"E2806894000040017790E471","BAAAAAAAAAAB"\r\n" E201 ",BAAAAAAAAAAB\r\n"https://id.gs1.org/01/09506000134352/21/a,""b",BAAAAAAAAAAB\r\n',
    ),
    {
      bindings: [
        { epc: 'E2806894000040017790E471', code: 'BAAAAAAAAAAB' },
        { epc: 'E201', code: 'BAAAAAAAAAAB' },
        { epc: 'https://id.gs1.org/01/09506000134352/21/a,"b', code: 'BAAAAAAAAAAB' },
      ],
      lines: [2, 3, 4],
    },
  );
  t.match(problemOf(() => parseTagCsv('epc,code\n"E201,BAAAAAAAAAAB\n')).errors, [{ pointer: '/line/2', detail: /quote/ }]);
  t.match(problemOf(() => parseTagCsv('epc,code\n"E2"01,BAAAAAAAAAAB\n')).errors, [{ pointer: '/line/2', detail: /quote/ }]);
});
