// Migration 0091: tags of the GS1 key schemes the codec reads since (GDTI, GSRN, GSRNP, SGCN, CPI;
// GID, keyed by its URN), and the URNs and Digital Links of GS1 keys 0087 left under their spelling
// (GDTI, GSRN, SGCN, CPI, ITIP, a GTIN with its (235) extension), are rekeyed as the service keys
// them (tagKey), two bindings of one tag stopping the upgrade, named; stored reads get their tag's key.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { normalizeTag, tagKey } from '../../src/rfid/tags.js';
import { NEWER_SCHEMES, randomCase, SCHEMES, seed, tagSpellings } from '../fixtures/epc-tds.js';
import { migrationStatements, runStatements } from '../fixtures/migrations.js';
import { FACTORY_EPC, gs1Tag } from '../fixtures/rfid-payloads.js';
import {
  clashingBindingsStopTheUpgrade,
  issuePacks,
  readPoint,
  registerReader,
  storeBindingsAsBefore,
  tagKeyFunctionsLeft,
} from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();
const statements = migrationStatements('0091_rfid_tag_keys_gs1_schemes.sql');
const functions = statements.slice(0, 6);

t.test(`the migration keys a tag as the service does, in every spelling stored (seed ${seed})`, async (t) => {
  const world = await createWorld(t);
  // left as they are: what no key names, and a CPID with a # (not GS1 text of charset 82), found by its spelling
  const left = [
    FACTORY_EPC,
    'urn:example:tag:1',
    'https://example.com/invoices/2024/01/15',
    'https://id.gs1.org/8010/0614141%23A/8011/1',
    'urn:epc:id:usdod:CAGE1.5678',
  ];
  const stored = [...SCHEMES, ...NEWER_SCHEMES].flatMap((scheme) =>
    Array.from({ length: 30 }, () => {
      const { spellings } = tagSpellings(randomCase(scheme));
      return [...spellings, spellings[0].padEnd(Math.ceil(spellings[0].length / 4) * 4, '0')];
    }).flat(),
  );
  // bits at random under every header the codec reads since: many are no valid encoding, and stay hex
  const random = ['2C', '2D', '2E', '3F', '3C', '35', '3E'].flatMap((header) =>
    Array.from(
      { length: 40 },
      () =>
        `${header}${randomBytes(header === '3E' ? 21 : 11)
          .toString('hex')
          .toUpperCase()}`,
    ),
  );
  const values = [
    ...new Set([
      ...stored.map(normalizeTag),
      ...random,
      // what 0087 left as it was
      'urn:epc:id:gdti:0614141.12345.400',
      'URN:EPC:ID:GDTI:0614141.12345.A%2fb',
      'https://example.com/8018/061414112345678902',
      'https://id.gs1.org/01/09506000134352/235/TPX1',
      'https://example.com/shop/gtin/9506000134352/235/T%2FP?x=1',
      'https://id.gs1.org/01/09506000134352/22/A/235/TPX1',
      'urn:epc:id:itip:4012345.012345.01.02.987',
      'https://id.gs1.org/8006/040123451234560102/21/987',
      'https://example.com/itip/040123451234560302/ser/9',
      'urn:epc:id:cpi:0614141.5PQ7-Z.1234',
      'urn:epc:id:cpi:0614141.5pq7.1234',
      'urn:epc:id:cpi:0614141.5PQ7.01234',
      'https://example.com/cpid/06141415PQ7%2FZ/8011/12',
      'https://id.gs1.org/8010/06141415PQ7/8011/0',
      'urn:epc:id:sgcn:4012345.67890.04711',
      'urn:epc:id:sgcn:4012345.67890.0471100000000',
      'https://example.com/gcn/401234567890104711',
      'urn:epc:id:gsrnp:0614141.1234567890',
      'https://example.com/gsrnp/061414112345678902',
      'https://example.com/8018/061414112345678902/8019/1',
      'urn:epc:id:gid:95100000.12345.400',
      'URN:EPC:ID:GID:95100000.12345.400',
      'urn:epc:id:gid:095100000.12345.400',
      'urn:epc:id:gid:268435456.1.1',
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
  t.ok(keyed.filter(({ value, key }) => key !== value).length > 1900, 'every spelling of the random tags rekeyed');
  const key = (value: string) => keyed.find((row) => row.value === value)?.key;
  t.equal(key('urn:epc:id:gdti:0614141.12345.400'), 'https://id.gs1.org/253/0614141123452400');
  t.equal(key('https://example.com/shop/gtin/9506000134352/235/T%2FP?x=1'), 'https://id.gs1.org/01/09506000134352/235/T%2FP');
  t.equal(key('URN:EPC:ID:GID:95100000.12345.400'), 'urn:epc:id:gid:95100000.12345.400', 'a GID by its URN');
});

t.test("bindings are rekeyed, stored reads keyed: a tag is found in any spelling, another party's binding of it refused", async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const lot = await processor.commission(await processor.product('piece'), 4);
  const stock = await store.commission(await store.product('kg'), 5);
  const packs = await issuePacks(world, processor, lot, 4);
  const document = gs1Tag('urn:epc:id:gdti:0614141.12345.A%2F1', 'gdti-174', 0);
  const service = gs1Tag('urn:epc:id:gsrn:0614141.1234567890', 'gsrn-96', 2);
  const coupon = gs1Tag('urn:epc:id:sgcn:4012345.67890.04711', 'sgcn-96', 0);
  const gid = {
    hex: '355AB1C60003039000000190',
    tagUri: 'urn:epc:tag:gid-96:95100000.12345.400',
    key: 'urn:epc:id:gid:95100000.12345.400',
  };
  const bound = [
    // a GDTI URN and a GTIN's extension as 0087 left them; the hex of a GSRN and a GID, raw ids until now
    { value: 'URN:EPC:ID:GDTI:0614141.12345.A%2F1', spelling: document.hex, key: document.digitalLink },
    { value: service.hex, spelling: 'https://example.com/gsrn/061414112345678902', key: service.digitalLink },
    { value: 'https://example.com/gcn/401234567890104711?x=1', spelling: coupon.tagUri, key: coupon.digitalLink },
    { value: gid.hex, spelling: 'URN:EPC:ID:GID:95100000.12345.400', key: gid.key },
  ];
  await storeBindingsAsBefore(
    world.database.db,
    bound.map(({ value }, index) => ({ value, partyCode: processor.code, lotCode: lot, itemCode: packs[index] })),
  );
  const reader = await registerReader(world, processor);
  await readPoint(world, processor, 'observe', [{ readerId: reader.id, antenna: 1 }]);
  const read = (epc: string, minute: number) =>
    reader.api.post('/rfid/reads', { reads: [{ reader: reader.hostName, antenna: 1, epc, time: `2026-06-01T10:${minute}:00+08:00` }] });
  for (const [index, { value }] of bound.entries()) expectStatus(t, await read(value, 10 + index), 202, `a read of ${value}`);
  // keyed as the service keyed them before this migration: by their spelling
  await queryRows(world.database.db, sql`update rfid_reads set tag_key = tag`);

  await runStatements(world.database.db, statements);
  const keys = (await queryRows<{ value: string }>(world.database.db, sql`select value from rfid_tags where lot_code = ${lot}`)).map(
    (row) => row.value,
  );
  t.same(keys.sort(), bound.map((tag) => tag.key).sort(), 'each binding by its key');
  const readKeys = await queryRows<{ tag: string; tag_key: string }>(world.database.db, sql`select tag, tag_key from rfid_reads`);
  t.same(readKeys.map((row) => row.tag_key).sort(), bound.map((tag) => tag.key).sort(), 'each read by its tag key');
  for (const [index, { spelling, value }] of bound.entries()) {
    t.match((await processor.api.get(`/rfid/tags/${encodeURIComponent(spelling)}`)).body, { itemCode: packs[index] }, spelling);
    const reads = (await processor.api.get(`/rfid/reads?tag=${encodeURIComponent(spelling)}`)).body.items;
    t.match(reads, [{ tag: normalizeTag(value) }], `the read of ${value} listed by ${spelling}`);
  }
  const taken = await store.api.post('/rfid/tags', { tags: [{ epc: service.tagUri, code: stock }] });
  t.match(expectStatus(t, taken, 409, 'another party binds it in another spelling').body.errors, [
    { pointer: '/tags/0', detail: `bound by another party as ${service.digitalLink}` },
  ]);
  t.equal(await tagKeyFunctionsLeft(world.database.db), 0, 'the migration leaves no function behind');
});

t.test('two bindings of one tag under different spellings stop the upgrade, named', (t) =>
  clashingBindingsStopTheUpgrade(t, statements, gs1Tag('urn:epc:id:gdti:0614141.12345.400', 'gdti-96', 2)),
);
