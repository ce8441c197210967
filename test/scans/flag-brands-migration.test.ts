// Migration 0095: brand_misuse flags stored before code_flags.brand_codes get the brands their findings name,
// read from their detail as the brand offices' reads did until then; flags of other kinds get none.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { migrationStatements } from '../fixtures/migrations.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('stored misuse flags get the brands their findings name', async (t) => {
  const world = await createWorld(t);
  const db = world.database.db;
  const finding = (name: string, brand: string) =>
    `${name} (${brand}): code issued on 2026-08-01, while its owner was not admitted to the brand`;
  const stored: [code: string, kind: string, detail: string | null, brands: string[]][] = [
    ['ONE', 'brand_misuse', finding('奉节脐橙', 'FJQC'), ['FJQC']],
    ['TWO', 'brand_misuse', `${finding('奉节脐橙', 'FJQC')}\n${finding('奉节腊肉', 'FJLR')}`, ['FJLR', 'FJQC']],
    ['NAMED', 'brand_misuse', finding('仿冒 (FJQC) 字样', 'FJLR'), ['FJLR']],
    ['COLON', 'brand_misuse', finding('仿 (FJLR): 脐橙', 'FJQC'), ['FJQC']],
    [
      'TWICE',
      'brand_misuse',
      `${finding('奉节脐橙', 'FJQC')}\n${finding('奉节脐橙', 'FJQC').replace('code issued', 'produced')}`,
      ['FJQC'],
    ],
    ['OTHER-FORM', 'brand_misuse', 'misuse of FJQC, as nothing writes it', []],
    ['NO-DETAIL', 'brand_misuse', null, []],
    ['SCANNED', 'over_scanned', finding('奉节脐橙', 'FJQC'), []],
  ];
  for (const [code, kind, detail] of stored) {
    // as stored before the migration: no brands
    await queryRows(
      db,
      sql`insert into code_flags (code, kind, first_at, last_at, detail) values (${code}, ${kind}, now(), now(), ${detail})`,
    );
  }
  const brandsOf = async () =>
    Object.fromEntries(
      (await queryRows<{ code: string; brands: string[] }>(db, sql`select code, brand_codes as brands from code_flags`)).map((row) => [
        row.code,
        row.brands,
      ]),
    );
  t.same(
    Object.values(await brandsOf()),
    stored.map(() => []),
    'none before',
  );

  for (const statement of migrationStatements('0095_code_flags_brand_codes_backfill.sql')) await queryRows(db, sql.raw(statement));

  t.same(
    await brandsOf(),
    Object.fromEntries(stored.map(([code, , , brands]) => [code, brands])),
    'each its findings’ brands, once, in order',
  );
  const listed = async (brandCode: string) =>
    (await world.app.services.scans.listFlags({ kind: 'brand_misuse', brandCode, status: 'all', limit: 100, offset: 0 }))
      .map((flag) => flag.code)
      .sort();
  t.same(await listed('FJQC'), ['COLON', 'ONE', 'TWICE', 'TWO'], 'FJQC’s office lists those naming FJQC');
  t.same(await listed('FJLR'), ['NAMED', 'TWO'], 'FJLR’s those naming FJLR');
});
