// Migration 0087: the tag bindings 0083 left under their spelling (SGLN, GRAI, GIAI and SGTIN-198
// tags, URN serials with other characters, Digital Links with a path prefix, short names or a query)
// are rekeyed as the service keys them (tagKey), two bindings of one tag stopping the upgrade, named;
// and every read stored before gets its tag's key, so that a tag's reads are listed by any spelling.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { normalizeTag, tagKey } from '../../src/rfid/tags.js';
import { randomCase, SCHEMES, seed, tagSpellings } from '../fixtures/epc-tds.js';
import { migrationStatements, runStatements } from '../fixtures/migrations.js';
import { FACTORY_EPC, gs1Tag } from '../fixtures/rfid-payloads.js';
import {
  clashingBindingsStopTheUpgrade,
  issuePacks,
  keyReadsAsBefore,
  readPoint,
  registerReader,
  storeBindingsAsBefore,
  tagKeyFunctionsLeft,
} from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();
const statements = migrationStatements('0087_rfid_tag_keys_more.sql');
const functions = statements.slice(0, 6);

t.test(`the migration keys a tag as the service does, in every spelling stored (seed ${seed})`, async (t) => {
  const world = await createWorld(t);
  // left as they were: schemes of no tag the codec reads, qualifiers no tag carries, factory EPCs, other URIs
  const left = [
    'urn:epc:id:gdti:0614141.12345.400',
    'https://example.com/8018/061414112345678902',
    'https://id.gs1.org/01/09506000134352/235/TPX1',
    FACTORY_EPC,
    'urn:example:tag:1',
    'https://example.com/invoices/2024/01/15',
  ];
  const stored = SCHEMES.flatMap((scheme) =>
    Array.from({ length: 40 }, () => {
      const { spellings } = tagSpellings(randomCase(scheme));
      // as a reader's memory: zeros up to whole 16-bit words
      return [...spellings, spellings[0].padEnd(Math.ceil(spellings[0].length / 4) * 4, '0')];
    }).flat(),
  );
  // bits at random under every header the codec reads: many are no valid encoding, and stay hex
  const random = ['30', '31', '32', '33', '34', '36', '37', '38', '39'].flatMap((header) =>
    Array.from(
      { length: 40 },
      () =>
        `${header}${randomBytes(header < '35' ? 11 : 24)
          .toString('hex')
          .toUpperCase()}`,
    ),
  );
  const values = [
    ...new Set([
      ...stored.map(normalizeTag),
      ...random,
      'urn:epc:id:sgln:0614141.12345.0',
      'urn:epc:id:sgtin:6901234.056701.a.b',
      'https://example.com/01/09506000134352/10/LOT-1?17=261231',
      'https://example.com/gtin/9506000134352/cpv/2A/lot/L1/ser/S%2F1',
      'https://id.gs1.org/8004/ABC',
      'https://example.com/8004/ABC',
      ...left,
    ]),
  ];
  const keyed = await runStatements(world.database.db, functions, (tx) =>
    queryRows<{ value: string; key: string }>(
      tx,
      sql`select v as value, pg_temp.rfid_tag_key(v) as key from unnest(${sql.param(values)}::text[]) v`,
    ),
  );
  const differ = keyed.filter(({ value, key }) => key !== (left.includes(value) ? value : tagKey(value)));
  t.same(differ.slice(0, 5), [], `${values.length} values keyed as tagKey keys them`);
  t.ok(keyed.filter(({ value, key }) => key !== value).length > 1500, 'every spelling of the random tags rekeyed');
});

t.test("bindings are rekeyed, stored reads keyed: a tag is found in any spelling, another party's binding of it refused", async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const lot = await processor.commission(await processor.product('piece'), 4);
  const stock = await store.commission(await store.product('kg'), 5);
  const packs = await issuePacks(world, processor, lot, 4);
  const location = gs1Tag('urn:epc:id:sgln:0614141.12345.400', 'sgln-96', 0);
  const returnable = gs1Tag('urn:epc:id:grai:0614141.12345.x1', 'grai-170', 0);
  const asset = gs1Tag('urn:epc:id:giai:0614141.12345ABC', 'giai-202', 0);
  const long = gs1Tag('urn:epc:id:sgtin:6901234.056701.a%2Fb!', 'sgtin-198', 1);
  const bound = [
    { value: location.hex, spelling: location.pureIdentity },
    { value: 'URN:EPC:ID:GRAI:0614141.12345.%781', spelling: returnable.hex },
    { value: 'https://example.com/shop/8004/061414112345ABC?linkType=all', spelling: asset.tagUri },
    { value: 'http://example.com/gtin/06901234567014/ser/a%2Fb%21', spelling: long.hex },
  ];
  await storeBindingsAsBefore(
    world.database.db,
    bound.map(({ value }, index) => ({ value, partyCode: processor.code, lotCode: lot, itemCode: packs[index] })),
  );
  // reads of the tags, stored before reads were keyed
  const reader = await registerReader(world, processor);
  await readPoint(world, processor, 'observe', [{ readerId: reader.id, antenna: 1 }]);
  const read = (epc: string, minute: number) =>
    reader.api.post('/rfid/reads', { reads: [{ reader: reader.hostName, antenna: 1, epc, time: `2026-06-01T10:${minute}:00+08:00` }] });
  for (const [index, { value }] of bound.entries()) expectStatus(t, await read(value, 10 + index), 202, `a read of ${value}`);
  await keyReadsAsBefore(world.database.db);
  await queryRows(world.database.db, sql`update rfid_reads set tag_key = null`);

  await runStatements(world.database.db, statements);
  const keys = (await queryRows<{ value: string }>(world.database.db, sql`select value from rfid_tags where lot_code = ${lot}`)).map(
    (row) => row.value,
  );
  t.same(keys.sort(), [location, returnable, asset, long].map((tag) => tag.digitalLink).sort(), 'each binding by its key');
  for (const [index, { spelling }] of bound.entries()) {
    t.match((await processor.api.get(`/rfid/tags/${encodeURIComponent(spelling)}`)).body, { itemCode: packs[index] }, spelling);
    const reads = (await processor.api.get(`/rfid/reads?tag=${encodeURIComponent(spelling)}`)).body.items;
    t.match(reads, [{ tag: normalizeTag(bound[index].value) }], `the read of ${bound[index].value} listed by ${spelling}`);
  }
  const taken = await store.api.post('/rfid/tags', { tags: [{ epc: returnable.tagUri, code: stock }] });
  t.match(expectStatus(t, taken, 409, 'another party binds it in another spelling').body.errors, [
    { pointer: '/tags/0', detail: `bound by another party as ${returnable.digitalLink}` },
  ]);
  t.equal(await tagKeyFunctionsLeft(world.database.db), 0, 'the migration leaves no function behind');
});

t.test('two bindings of one tag under different spellings stop the upgrade, named', (t) =>
  clashingBindingsStopTheUpgrade(t, statements, gs1Tag('urn:epc:id:sgln:0614141.12345.400', 'sgln-96', 2)),
);
