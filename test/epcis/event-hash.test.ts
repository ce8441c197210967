import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentEvents, documentIgnoreFields, eventHasher, eventHashId, eventPreHash } from '../../src/epcis/event-hash.js';
import { canonicalGs1Uri } from '../../src/gs1/canonical.js';
import { fileTest } from '../root.js';

const t = fileTest();

const VECTORS = join(import.meta.dirname, '../fixtures/conformance/epcis/event-hash');

function lines(path: string): string[] {
  return existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
}

function hashOf(preHash: string): string {
  return `ni:///sha-256;${createHash('sha256').update(preHash, 'utf8').digest('hex')}?ver=CBV2.0`;
}

// Vectors from XML sources have no .jsonld and are skipped.
const files = readdirSync(VECTORS)
  .filter((f) => f.endsWith('.jsonld'))
  .sort();

t.test('reference vectors', async (t) => {
  for (const file of files) {
    const base = join(VECTORS, file.replace(/\.jsonld$/, ''));
    const hashes = lines(`${base}.hashes`);
    if (hashes.length === 0) continue;
    const preHashes = lines(`${base}.prehashes`);
    const doc = JSON.parse(readFileSync(join(VECTORS, file), 'utf8')) as Record<string, unknown>;
    const options = { ignoreFields: documentIgnoreFields(doc) };
    const events = documentEvents(doc);
    t.equal(events.length, hashes.length, `${file}: event count`);

    events.forEach((event, i) => {
      const name = `${file} #${i}`;
      const actual = { preHash: eventPreHash(event, doc['@context'], options), hashId: eventHashId(event, doc['@context'], options) };
      // A few upstream .prehashes lines are stale or garbled (they do not hash to the .hashes
      // line, which is what upstream tests); for those only the hash ID is the vector.
      if (preHashes[i] !== undefined && hashOf(preHashes[i]) === hashes[i]) {
        t.same(actual, { preHash: preHashes[i], hashId: hashes[i] }, name);
      } else {
        t.equal(actual.hashId, hashes[i], `${name} (hash only: no trustworthy expected pre-hash)`);
      }
    });
  }
});

const ctx = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://ns.example.com/' }];
const base = { type: 'ObjectEvent', eventTime: '2024-01-01T00:00:00Z', eventTimeZoneOffset: '+00:00', action: 'OBSERVE' };
const head = 'eventType=ObjectEventeventTime=2024-01-01T00:00:00.000ZeventTimeZoneOffset=+00:00';

t.test('normalisation details', async (t) => {
  t.equal(
    eventPreHash({ ...base, eventTime: '2024-01-01T08:00:00.99951+0800' }, ctx),
    `${head.replace('00:00:00.000Z', '00:00:01.000Z')}action=OBSERVE`,
    'offset without colon, rounding carries into the next second',
  );
  t.equal(
    eventPreHash({ ...base, eventTime: 'not a time' }, ctx),
    `${head.replace('2024-01-01T00:00:00.000Z', 'not a time')}action=OBSERVE`,
  );
  t.equal(
    eventPreHash(
      { ...base, 'ex:n': [0.00001, 1.5e-7, '+012.50', '1E3', 1e21, '1e999'], 'ex:b': false, 'ex:empty': '', 'ex:none': null },
      ctx,
    ),
    `${head}action=OBSERVE{https://ns.example.com/}b=false{https://ns.example.com/}empty` +
      '{https://ns.example.com/}n=1.5e-07{https://ns.example.com/}n=1000{https://ns.example.com/}n=1000000000000000000000' +
      '{https://ns.example.com/}n=12.5{https://ns.example.com/}n=1e-05{https://ns.example.com/}n=1e999',
    'Python-style numbers, booleans, empty values',
  );
  t.equal(
    eventPreHash({ ...base, bizStep: 'urn:epcglobal:cbv:bizstep:shipping', disposition: 'cbv:Disp-active', 'ex:v': 'ex:kept' }, ctx),
    `${head}action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shippingdisposition=https://ref.gs1.org/cbv/Disp-active` +
      '{https://ns.example.com/}v=ex:kept',
    'CBV URNs and standard CURIEs expand; user CURIE values do not',
  );
  t.equal(
    eventPreHash({
      ...base,
      '@context': { own: { '@id': 'https://own.example/' }, '@vocab': 'https://vocab.example/' },
      parentID: { not: 'a string' },
      bizLocation: 'not an object',
      'own:x': 1,
      'rdfs:comment': 'dropped',
      comment: 'dropped',
      eventID: 'dropped',
      recordTime: 'dropped',
      errorDeclaration: { declarationTime: '2024-01-02T00:00:00Z' },
      readPoint: {},
      epcList: [],
      unknown: { nested: [1, 2] },
    }),
    `${head}action=OBSERVEunknownnested=1nested=2{https://own.example/}x=1`,
    'event @context, skipped fields, empty structures, unprefixed extensions',
  );
  t.equal(eventPreHash({ action: 'ADD', 'ex:h': 'x' }, ctx, { ignoreFields: ['ex:h'] }), 'eventType=action=ADD');
  // by code point: U+FF61 before U+1F600, which UTF-16 writes with a lead surrogate (U+D83D) and so puts first
  t.equal(
    eventPreHash({ ...base, 'ex:s': ['\ud83d\ude00', '\uff61', 'b', 'a'], 'ex:t': ['b', 'a'] }, ctx),
    `${head}action=OBSERVE{https://ns.example.com/}s=a{https://ns.example.com/}s=b{https://ns.example.com/}s=\uff61` +
      '{https://ns.example.com/}s=\ud83d\ude00{https://ns.example.com/}t=a{https://ns.example.com/}t=b',
    'values sorted by code point, with and without characters beyond U+FFFF',
  );
  t.match(eventHashId(base), /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
});

t.test("a document's hasher: its context read once, an event's own @context and ignored fields for that event alone", async (t) => {
  const hash = eventHasher(ctx, { ignoreFields: ['own:skip'] });
  const events = [
    { ...base, 'ex:a': 1, 'own:skip': 2 },
    { ...base, '@context': { own: 'https://own.example/' }, 'ex:a': 1, 'own:skip': 2, 'own:x': 3 },
    { ...base, 'ex:a': 1, 'own:skip': 2, 'own:x': 3 },
  ];
  t.same(
    events.map(hash),
    events.map((event) => eventHashId(event, ctx, { ignoreFields: ['own:skip'] })),
    'each event hashes as alone',
  );
  t.not(hash(events[1]), hash(events[2]), "the event's own prefixes do not stay for the next one");
});

t.test('canonicalGs1Uri', async (t) => {
  const cases: [string, string | null][] = [
    ['https://example.com/a/gtin/9780345418913/cpv/2A/lot/L1/ser/S!1', 'https://id.gs1.org/01/09780345418913/21/S%211'],
    ['https://example.com/01/09780345418913/10/L1/', 'https://id.gs1.org/01/09780345418913/10/L1'],
    ['https://id.gs1.org/414/4012345000054/254/1?linkType=all#x', 'https://id.gs1.org/414/4012345000054/254/1'],
    ['https://example.com/sscc/012345678901234560', 'https://id.gs1.org/00/012345678901234560'],
    ['urn:epc:idpat:upui:4012345.012345.*', 'https://id.gs1.org/01/04012345123456'],
    ['urn:epc:idpat:sgtin:4012345.012345.1', null],
    ['urn:epc:id:sgtin:4012345.01234.1', null],
    ['urn:epc:id:sgtin:4012345.012345.a<b', null],
    ['urn:epc:id:itip:4012345.012345.1.02.9', null],
    ['urn:epc:id:sscc:4012345', null],
    ['urn:epc:id:cpi:4012345.abc.1', null],
    ['urn:epc:id:giai:12345.A', null],
    ['urn:epc:id:sgln:4012345.00011.', null],
    ['urn:epc:id:unknown:1.2.3', null],
    ['urn:epc:id:sscc:4012345.123', null],
    ['urn:epc:id:sgcn:4012345.67890.A1', null],
    ['urn:epc:id:ginc:12345.A', null],
    ['urn:epc:idpat:cpi:4012345.abc.*', null],
    ['urn:epc:idpat:itip:4012345.012345.1.02.*', null],
    ['https://id.gs1.org/01/123/21/1', null],
    ['https://id.gs1.org/00/012345678901234560/21/1', null],
    ['https://id.gs1.org/01/09780345418913/21', null],
    ['https://example.com/po/12345678', null],
    ['https://example.com', null],
  ];
  for (const [input, expected] of cases) t.equal(canonicalGs1Uri(input), expected, input);
});

t.test('documentEvents and documentIgnoreFields', async (t) => {
  const event = { type: 'ObjectEvent' };
  t.same(documentEvents({ epcisBody: { eventList: [event, 'junk'] } }), [event]);
  t.same(documentEvents({ epcisBody: { event } }), [event]);
  t.same(documentEvents({ epcisBody: { queryResults: { resultsBody: { eventList: [event] } } } }), [event]);
  t.same(documentEvents(event), [event]);
  t.same(documentEvents({ type: 'EPCISDocument' }), []);
  t.same(documentEvents({ epcisBody: {} }), []);
  t.same(documentEvents(null), []);
  t.same(documentIgnoreFields({ ignoreFields: ['a', 1], epcisBody: { queryResults: { 'x:ignoreFields': ['b'] } } }), ['a', 'b']);
  t.same(documentIgnoreFields({ 'x:ignoreFields': 'a' }), []);
  t.same(documentIgnoreFields('doc'), []);
});
