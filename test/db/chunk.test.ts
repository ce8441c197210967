import { sql } from 'drizzle-orm';
import { anyOf, chunkForInsert, textArray } from '../../src/db/chunk.js';
import { queryRows } from '../../src/db/client.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const rows = (n: number, columns = 3) =>
  Array.from({ length: n }, (_, i) => Object.fromEntries(Array.from({ length: columns }, (_, c) => [`c${c}`, i])));

t.test('chunkForInsert', async (t) => {
  t.strictSame(chunkForInsert([]), []);
  t.strictSame(chunkForInsert([], 1), []);

  const input = rows(10, 3);
  const chunks = chunkForInsert(input, 10);
  t.strictSame(
    chunks.map((c) => c.length),
    [3, 3, 3, 1],
    'floor(10 / 3) = 3 rows per chunk',
  );
  t.strictSame(chunks.flat(), input, 'order and completeness preserved');
  t.equal(chunks[0][0], input[0], 'same row objects, not copies');

  for (const [n, columns, maxParams] of [
    [1, 1, 1],
    [100, 7, 60],
    [1000, 13, 60_000],
    [7, 2, 14],
    [7, 2, 15],
  ]) {
    const data = rows(n, columns);
    const split = chunkForInsert(data, maxParams);
    t.ok(
      split.every((c) => c.length * columns <= maxParams),
      `${n}x${columns} under ${maxParams}`,
    );
    t.ok(
      split.every((c) => c.length > 0),
      'no empty chunks',
    );
    t.strictSame(split.flat(), data);
    t.equal(split.length, Math.ceil(n / Math.floor(maxParams / columns)), 'as few chunks as possible');
  }

  t.equal(chunkForInsert(rows(5, 3)).length, 1, 'default limit fits small inserts in one statement');
  const big = chunkForInsert(rows(25_000, 5));
  t.strictSame(
    big.map((c) => c.length),
    [12_000, 12_000, 1_000],
    'default 60,000 params',
  );
  t.ok(
    big.every((c) => c.length * 5 <= 65_535),
    'under the PostgreSQL bind limit',
  );

  t.strictSame(
    chunkForInsert(rows(3, 5), 2).map((c) => c.length),
    [1, 1, 1],
    'at least one row per chunk',
  );
  t.strictSame(
    chunkForInsert([{}, {}, {}], 2).map((c) => c.length),
    [2, 1],
    'rows without keys count as one column',
  );
});

// Column count is taken from the first row only; with rows of different shapes a chunk can go over.
t.test('chunkForInsert with rows of different width', async (t) => {
  const data: Record<string, number>[] = [{ a: 1 }, ...Array.from({ length: 7 }, () => ({ a: 1, b: 2, c: 3, d: 4 }))];
  const split = chunkForInsert(data, 8);
  t.ok(split.every((c) => c.reduce((n, row) => n + Object.keys(row).length, 0) <= 8));
});

t.test('anyOf: one array parameter, however long the list and whatever its values hold', async (t) => {
  const database = await openTestDatabase(t);
  const { db } = database;
  await db.execute(sql`create table names (value text primary key)`);
  const awkward = ['a,b', '{braced}', 'quote"d', "it's", 'back\\slash', 'NULL', '', ' spaced ', '腊肉'];
  const many = Array.from({ length: 70_000 }, (_, i) => `v${i}`);
  await database.copyRows(
    'names',
    ['value'],
    [...awkward, ...many.slice(0, 10)].map((value) => [value]),
  );
  const names = sql`names`;
  const value = sql`value`;
  const matching = async (values: readonly string[]) =>
    (await queryRows<{ value: string }>(db, sql`select value from ${names} where ${anyOf(value, values)}`)).map((row) => row.value).sort();

  t.strictSame(await matching(awkward), [...awkward].sort(), 'separators, quotes, braces and backslashes match exactly');
  const unquoted = awkward.filter((value) => !/["\\]/.test(value));
  t.equal(textArray(unquoted), `{"${unquoted.join('","')}"}`, 'a list without quotes or backslashes travels as one literal');
  t.equal(textArray(awkward), awkward, 'one with them goes to the driver to escape');
  t.equal(textArray([]), '{}', 'no values: the empty array');
  const growing = ['a'];
  textArray(growing);
  growing.push('b');
  t.equal(textArray(growing), '{"a","b"}', 'a list that may change is joined each time');
  const awkwardFrozen = Object.freeze(['a', '"']);
  textArray(awkwardFrozen);
  t.equal(textArray(awkwardFrozen), awkwardFrozen, 'a frozen list that needs escaping goes to the driver every time');
  t.strictSame(await matching(Object.freeze([...unquoted])), [...unquoted].sort(), 'a frozen list matches as any other');
  t.strictSame(await matching(unquoted), [...unquoted].sort(), 'so do separators, braces, NULL, empty and spaced values without quotes');
  t.strictSame(await matching(['a', 'b', 'braced', 'null']), [], 'no partial or case-folded matches');
  t.strictSame(await matching([]), [], 'an empty list matches nothing');
  t.equal((await matching(many)).length, 10, 'more values than the 65,535 bind parameters of one statement');
});
