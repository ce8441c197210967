// Migration 0083: tag bindings stored under the spelling they were given in (hex, a pure-identity
// URN, a Digital Link) are rekeyed by the GS1 key the tag carries, as the service keys them now
// (tagKey), and are found by a read in any spelling; two bindings of one tag stop the upgrade, named.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { tagKey } from '../../src/rfid/tags.js';
import { migrationStatements, runStatements } from '../fixtures/migrations.js';
import { gs1Tag } from '../fixtures/rfid-payloads.js';
import { issuePacks, storeBindingsAsBefore } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();
const FILE = '0083_rfid_tag_keys.sql';
const [checkDigit, keyOf, clashes, rekey, ...drops] = migrationStatements(FILE);

t.test('the migration keys a tag as the service does', async (t) => {
  const world = await createWorld(t);
  const random = (header: string) => `${header}${randomBytes(11).toString('hex').toUpperCase()}`;
  const sscc = (n: number) => {
    const length = 6 + (n % 7);
    const urn = `urn:epc:id:sscc:${'061414123456'.slice(0, length)}.${String(n).padStart(17 - length, '0')}`;
    return gs1Tag(urn, 'sscc-96', 2).hex;
  };
  // left as they were: other schemes, factory EPCs, other URIs, serials and spellings the migration does not take
  const left = [
    'urn:epc:id:giai:0614141.12345ABC',
    'E2806894000040017790E471',
    'urn:example:tag:1',
    'urn:epc:id:sgtin:6901234.056701.a.b',
    'HTTP://id.gs1.org/01/06901234567014/21/998',
  ];
  const values = [
    ...Array.from({ length: 400 }, () => random('30')),
    ...Array.from({ length: 200 }, () => random('31')),
    ...Array.from({ length: 49 }, (_, n) => sscc(n * 97)),
    // every partition: company prefixes of 6 to 12 digits
    ...Array.from({ length: 49 }, (_, n) => {
      const length = 6 + (n % 7);
      const urn = `urn:epc:id:sgtin:${'061414123456'.slice(0, length)}.${'8123456789012'.slice(0, 13 - length)}.${n * 104729}`;
      return gs1Tag(urn, 'sgtin-96', n % 8).hex;
    }),
    'urn:epc:id:sgtin:6901234.056701.5001',
    'URN:EPC:ID:SGTIN:0614141.812345.00A-b_c',
    'urn:epc:id:sgtin:614141.8123456.1',
    'urn:epc:id:sscc:0614141.1234567890',
    'urn:epc:id:sscc:061414112345.12345',
    'https://id.gs1.org/01/06901234567014/21/998',
    'https://example.com/01/6901234567014/21/998',
    'http://Example.COM/01/12345670/21/X_1-2',
    'https://id.gs1.org/00/106141412345678908',
    ...left,
  ];
  const keyed = await runStatements(world.database.db, [checkDigit, keyOf], (tx) =>
    queryRows<{ value: string; key: string }>(
      tx,
      sql`select v as value, pg_temp.rfid_tag_key(v) as key from unnest(${sql.param(values)}::text[]) v`,
    ),
  );
  const differ = keyed.filter(({ value, key }) => key !== (left.includes(value) ? value : tagKey(value)));
  t.same(differ, [], `${values.length} values keyed as tagKey keys them`);
  t.ok(keyed.filter(({ value, key }) => key !== value).length > 100, 'the encoded ones and more rekeyed');
});

t.test('bindings are rekeyed and found by a read of the tag in any spelling', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 3);
  const [first, second, third] = await issuePacks(world, processor, lot, 3);
  const urn = 'urn:epc:id:sgtin:6901234.056701.5001';
  const hex = gs1Tag('urn:epc:id:sgtin:6901234.056701.5002', 'sgtin-96', 1).hex;
  const link = 'https://example.com/01/06901234567014/21/5003';
  await storeBindingsAsBefore(world.database.db, [
    { value: urn, partyCode: processor.code, lotCode: lot, itemCode: first },
    { value: hex, partyCode: processor.code, lotCode: lot, itemCode: second },
    { value: link, partyCode: processor.code, lotCode: lot, itemCode: third },
    { value: 'E2806894000040017790E471', partyCode: processor.code, lotCode: lot },
  ]);
  await runStatements(world.database.db, [checkDigit, keyOf, clashes, rekey, ...drops]);
  const stored = await queryRows<{ value: string }>(
    world.database.db,
    sql`select value from rfid_tags where lot_code = ${lot} order by value collate "C"`,
  );
  t.same(
    stored.map((row) => row.value),
    [
      'E2806894000040017790E471',
      'https://id.gs1.org/01/06901234567014/21/5001',
      'https://id.gs1.org/01/06901234567014/21/5002',
      'https://id.gs1.org/01/06901234567014/21/5003',
    ],
  );
  const tagOf = (spelling: string) => processor.api.get(`/rfid/tags/${encodeURIComponent(spelling)}`);
  t.match((await tagOf(gs1Tag(urn, 'sgtin-96', 3).hex)).body, { itemCode: first }, 'bound by URN, read by hex');
  t.match((await tagOf('urn:epc:id:sgtin:6901234.056701.5002')).body, { itemCode: second }, 'bound by hex, read by URN');
  t.match((await tagOf(gs1Tag('urn:epc:id:sgtin:6901234.056701.5003', 'sgtin-96', 0).tagUri)).body, {
    itemCode: third,
  });
  const [functions] = await queryRows<{ count: number }>(
    world.database.db,
    sql`select count(*)::int as count from pg_proc where proname in ('rfid_tag_key', 'gs1_with_check_digit')`,
  );
  t.equal(functions.count, 0, 'the migration leaves no function behind');
});

t.test('two bindings of one tag under different spellings stop the upgrade, named', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const lot = await processor.commission(await processor.product('piece'), 1);
  const stock = await store.commission(await store.product('kg'), 1);
  const hex = gs1Tag('urn:epc:id:sgtin:6901234.056701.998', 'sgtin-96', 1).hex;
  await storeBindingsAsBefore(world.database.db, [
    { value: 'https://id.gs1.org/01/06901234567014/21/998', partyCode: processor.code, lotCode: lot },
    { value: hex, partyCode: store.code, lotCode: stock },
  ]);
  const refused = await runStatements(world.database.db, [checkDigit, keyOf, clashes, rekey, ...drops])
    .then(() => 'the upgrade went on')
    .catch((error: Error) => (error.cause instanceof Error ? error.cause.message : error.message));
  t.match(refused, /one tag under different spellings: https:\/\/id\.gs1\.org\/01\/06901234567014\/21\/998: /, refused);
  t.match(refused, new RegExp(`${hex} \\(party ${store.code}, lot ${stock}\\)`));
  const [{ count }] = await queryRows<{ count: number }>(
    world.database.db,
    sql`select count(*)::int as count from rfid_tags where value = ${hex}`,
  );
  t.equal(count, 1, 'nothing changed');
});

t.test('a binding the migration leaves is found by its spelling, rekeyed by its party binding it so, refused to another', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const lot = await processor.commission(await processor.product('piece'), 1);
  const stock = await store.commission(await store.product('kg'), 1);
  // a GIAI-96 bound by its hex before: the migration rekeys no GIAI
  const urn = 'urn:epc:id:giai:0614141.12345';
  const asset = gs1Tag(urn, 'giai-96', 0);
  await storeBindingsAsBefore(world.database.db, [{ value: asset.hex, partyCode: processor.code, lotCode: lot }]);
  await runStatements(world.database.db, [checkDigit, keyOf, clashes, rekey, ...drops]);
  t.match((await processor.api.get(`/rfid/tags/${asset.hex}`)).body, { value: asset.hex, lotCode: lot }, 'found by its spelling');

  const refused = await store.api.post('/rfid/tags', { tags: [{ epc: asset.tagUri, code: stock }] });
  t.match(expectStatus(t, refused, 409, 'another party binds it by its tag URI').body.errors, [
    { pointer: '/tags/0', detail: `bound by another party as ${asset.hex}` },
  ]);
  const rebound = await processor.api.post('/rfid/tags', { tags: [{ epc: asset.hex.toLowerCase(), code: lot }] });
  t.match(expectStatus(t, rebound, 201, 'its party binds it again').body.items, [{ value: asset.digitalLink, lotCode: lot }]);
  const stored = await queryRows<{ value: string }>(world.database.db, sql`select value from rfid_tags where lot_code = ${lot}`);
  t.same(stored, [{ value: asset.digitalLink }], 'one binding, by its key');
  t.match((await processor.api.get(`/rfid/tags/${urn}`)).body, { value: asset.digitalLink }, 'and by its URN now');
});
