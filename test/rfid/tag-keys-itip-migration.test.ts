// Migration 0102: the hex of ITIP-110 and ITIP-212 tags, which the codec reads since, is keyed as the
// service keys it (tagKey: the ITIP's Digital Link) instead of by its spelling: bindings are rekeyed, two
// of one tag stopping the upgrade, named; reads get their tag's key, a window read as hex and apart in
// another spelling folded into one row.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { encodeTag } from '../../src/gs1/epc-binary.js';
import { urnEncode } from '../../src/gs1/epc-uri.js';
import { tagKey } from '../../src/rfid/tags.js';
import { below, bitsValue, seed } from '../fixtures/epc-tds.js';
import { migrationStatements, runStatements } from '../fixtures/migrations.js';
import { gs1Tag } from '../fixtures/rfid-payloads.js';
import {
  clashingBindingsStopTheUpgrade,
  issuePacks,
  readPoint,
  registerReader,
  storeBindingsAsBefore,
  tagKeyFunctionsLeft,
} from '../fixtures/rfid-world.js';
import { ITIP_VECTORS } from '../fixtures/tds-vectors.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();
const statements = migrationStatements('0102_rfid_tag_keys_itip.sql');
const functions = statements.slice(0, 6);

const digits = (n: number) => Array.from({ length: n }, () => below(10)).join('');
const CHARSET_82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;

/** A random ITIP's hex, in its own digits or whole 16-bit words. */
function randomItipHex(): string {
  const partition = below(7);
  const piece = 1 + below(99);
  const total = piece + below(100 - piece);
  const long = below(2) === 1;
  const serial = long ? urnEncode(Array.from({ length: 1 + below(20) }, () => CHARSET_82[below(82)]).join('')) : bitsValue(38).toString();
  const urn = `urn:epc:id:itip:${digits(12 - partition)}.${digits(partition + 1)}.${String(piece).padStart(2, '0')}.${String(total).padStart(2, '0')}.${serial}`;
  const hex = encodeTag(urn, { scheme: long ? 'itip-212' : 'itip-110', filter: below(8) }).hex as string;
  return below(2) === 1 ? hex.padEnd(Math.ceil(hex.length / 4) * 4, '0') : hex;
}

t.test(`the migration keys ITIP hex as the service does (seed ${seed})`, async (t) => {
  const world = await createWorld(t);
  const random = Array.from({ length: 300 }, randomItipHex);
  // bits at random under the two headers: many are no valid encoding (a piece above its total), and stay hex
  const noise = ['40', '41'].flatMap((header) =>
    Array.from(
      { length: 100 },
      () =>
        `${header}${randomBytes(header === '40' ? 13 : 27)
          .toString('hex')
          .toUpperCase()}`,
    ),
  );
  const values = [...new Set([...random, ...noise, ...ITIP_VECTORS.map((vector) => vector.hex)])];
  const keyed = await runStatements(world.database.db, functions, (tx) =>
    queryRows<{ value: string; key: string | null }>(
      tx,
      sql`select v as value, pg_temp.rfid_itip_key(v) as key from unnest(${sql.param(values)}::text[]) v`,
    ),
  );
  const differ = keyed.filter(({ value, key }) => (key ?? value) !== tagKey(value));
  t.same(differ.slice(0, 5), [], `${values.length} values keyed as tagKey keys them`);
  t.equal(keyed.filter(({ value }) => random.includes(value)).filter(({ key }) => key === null).length, 0, 'every random ITIP rekeyed');
  const key = (hex: string) => keyed.find((row) => row.value === hex)?.key;
  t.equal(key('4076451FD40C0E40820000000F54'), 'https://id.gs1.org/8006/095211411234540102/21/981', 'TDS annex E.3, ITIP-110');
  t.equal(key('4176451FD40C0E4082DBDD8B36600000000000000000000000000000'), 'https://id.gs1.org/8006/095211411234540102/21/mw133');
  t.equal(key('40000B7F7070D40000FFFFFFFFFC'), null, 'piece 00 of 00: no GS1 key');
});

t.test('bindings are rekeyed, reads keyed and folded: a tag is found in any spelling', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const db = world.database.db;
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece'), 3);
  const packs = await issuePacks(world, processor, lot, 3);
  const short = gs1Tag('urn:epc:id:itip:9521141.012345.01.02.981', 'itip-110', 3);
  const long = gs1Tag('urn:epc:id:itip:9521141.012345.02.02.mw133', 'itip-212', 3);
  const noKey = '40000B7F7070D40000FFFFFFFFFC';
  const words = long.hex.padEnd(56, '0');
  await storeBindingsAsBefore(db, [
    { value: short.hex, partyCode: processor.code, lotCode: lot, itemCode: packs[0] },
    { value: words, partyCode: processor.code, lotCode: lot, itemCode: packs[1] },
    { value: noKey, partyCode: processor.code, lotCode: lot, itemCode: packs[2] },
  ]);
  const reader = await registerReader(world, processor);
  await readPoint(world, processor, 'observe', [{ readerId: reader.id, antenna: 1 }]);
  const read = async (epc: string, minute: number, second: number) =>
    expectStatus(
      t,
      await reader.api.post('/rfid/reads', {
        reads: [{ reader: reader.hostName, antenna: 1, epc, time: `2026-06-01T10:${minute}:${String(second).padStart(2, '0')}+08:00` }],
      }),
      202,
      `a read of ${epc}`,
    );
  // keyed as the service keyed them before: hex by its spelling
  const keyAsBefore = (hex: string) => queryRows(db, sql`update rfid_reads set tag_key = tag where tag = ${hex}`);
  await read(short.hex, 10, 5);
  await keyAsBefore(short.hex);
  // the same window, read earlier by its URN: a row of its own until now
  await read(short.pureIdentity, 10, 1);
  await read(words, 11, 0);
  await keyAsBefore(words);
  await queryRows(db, sql`update rfid_reads set processed_at = now(), outcome = 'observed', lot_code = ${lot} where tag = ${words}`);
  await read(noKey, 12, 0);
  t.equal((await queryRows(db, sql`select 1 from rfid_reads`)).length, 4);

  await runStatements(db, statements);

  const bindings = await queryRows<{ value: string; itemCode: string }>(
    db,
    sql`select value, item_code as "itemCode" from rfid_tags where lot_code = ${lot} order by item_code`,
  );
  t.same(
    bindings.map((row) => row.value).sort(),
    [short.digitalLink, long.digitalLink, noKey].sort(),
    'each binding by its key, the one of no GS1 key by its spelling',
  );
  const reads = await queryRows<{ tag: string; tagKey: string; readCount: number; outcome: string | null }>(
    db,
    sql`select tag, tag_key as "tagKey", read_count as "readCount", outcome from rfid_reads order by window_start`,
  );
  t.same(reads, [
    { tag: short.pureIdentity, tagKey: short.digitalLink, readCount: 2, outcome: null },
    { tag: words, tagKey: long.digitalLink, readCount: 1, outcome: 'observed' },
    { tag: noKey, tagKey: noKey, readCount: 1, outcome: null },
  ]);
  for (const [index, spelling] of [short.tagUri, long.pureIdentity, noKey].entries()) {
    t.match((await processor.api.get(`/rfid/tags/${encodeURIComponent(spelling)}`)).body, { itemCode: packs[index] }, spelling);
    t.equal(
      (await processor.api.get(`/rfid/reads?tag=${encodeURIComponent(spelling)}`)).body.items.length,
      1,
      `a read listed by ${spelling}`,
    );
  }
  t.equal(await tagKeyFunctionsLeft(db), 0, 'the migration leaves no function behind');
});

t.test('two bindings of one tag under different spellings stop the upgrade, named', (t) => {
  const tag = gs1Tag('urn:epc:id:itip:9521141.012345.01.02.981', 'itip-110', 3);
  // bound by its Digital Link (as 0091 keyed its URN) and by its hex (then a raw id)
  return clashingBindingsStopTheUpgrade(t, statements, { ...tag, pureIdentity: tag.digitalLink });
});
