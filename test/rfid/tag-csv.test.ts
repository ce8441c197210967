// Tag bindings posted as a CSV file (POST /rfid/tags.csv): what a spreadsheet writes, and each
// refusal named by the line and column a person fixing the spreadsheet looks for.
import type { Test } from 'tap';
import { postTagCsv } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const tag = (n: number) => `E28068940000${String(n).padStart(12, '0')}`;

t.test('tag bindings from CSV', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const owner = await world.party('processor');
  const lot = await owner.commission(await owner.product('kg'), 10);
  const csv = (text: string) => postTagCsv(world, owner, text);
  const unbound = async (t: Test, ...numbers: number[]) => {
    for (const n of numbers) expectStatus(t, await owner.api.get(`/rfid/tags/${tag(n)}`), 404, `tag ${n} was not bound`);
  };

  await t.test('a line without its code is named by its line and column, in the words of a spreadsheet', async (t) => {
    const refused = expectStatus(t, await csv(`epc,code\n${tag(1)},${lot}\n${tag(2)}\n${tag(3)},\n`), 400, 'codes missing');
    t.same(refused.body.errors, [
      { in: 'body', pointer: '/line/3/code', detail: 'line 3 has no code: its column B (code) is empty' },
      { in: 'body', pointer: '/line/4/code', detail: 'line 4 has no code: its column B (code) is empty' },
    ]);
    t.match(refused.body.detail, /^2 line\(s\) are refused \(\/line\/3\/code: line 3 has no code/);
    t.notMatch(JSON.stringify(refused.body), /Required|expected string|undefined/, 'no word of the JSON schema');
    const otherOrder = await csv(`code,tid\n,E2003412\n`);
    t.match(expectStatus(t, otherOrder, 400, 'the code first').body.errors, [
      { pointer: '/line/2/code', detail: 'line 2 has no code: its column A (code) is empty' },
    ]);
    await unbound(t, 1, 2, 3);
  });

  await t.test('a cell past the header is refused, empty or not; a blank cell of a named column is a value left out', async (t) => {
    const trailing = expectStatus(t, await csv(`epc,code\n${tag(1)},${lot}\n${tag(2)},${lot},\n`), 400, 'an empty cell past the header');
    t.same(trailing.body.errors, [
      {
        in: 'body',
        pointer: '/line/3',
        detail: 'line 3 has 3 cells where the first line has 2: remove what follows column B (an empty cell is a comma too many)',
      },
    ]);
    const valued = expectStatus(t, await csv(`epc,code\n${tag(1)},${lot},${tag(3)}\n`), 400, 'a value past the header');
    t.match(valued.body.errors, [
      { pointer: '/line/2', detail: 'line 2 has 3 cells where the first line has 2: its value in column C would be dropped' },
    ]);
    await unbound(t, 1, 2, 3);

    const blanks = await csv(`epc,tid,code\n${tag(1)},,${lot}\n,E2003412,${lot}\n`);
    t.match(expectStatus(t, blanks, 201, 'blank epc or tid cells').body.items, [{ kind: 'epc' }, { kind: 'tid' }]);
    const short = await csv(`epc,code,tid\n${tag(2)},${lot}\n`);
    expectStatus(t, short, 201, 'a line ending before an optional column it leaves blank');
  });

  await t.test('columns the first line leaves unnamed, as a spreadsheet writes a cleared column, hold nothing', async (t) => {
    const cleared = await csv(`epc,code,,\n${tag(4)},${lot},,\n,,,\n${tag(5)},${lot}, ,\n"","",,\n`);
    t.equal(expectStatus(t, cleared, 201, 'empty cells under unnamed columns, rows of empty cells').body.items.length, 2);
    const dropped = await csv(`epc,,code\n${tag(6)},note,${lot}\n`);
    t.same(expectStatus(t, dropped, 400, 'a value under an unnamed column').body.errors, [
      {
        in: 'body',
        pointer: '/line/2',
        detail:
          'line 2 has a value in column B, which has no name in the first line: it would be dropped (clear the cell or delete the column)',
      },
    ]);
    await unbound(t, 6);
  });

  await t.test('a column the header names that is not a binding column is refused, naming it and the columns there are', async (t) => {
    const misspelt = expectStatus(t, await csv(`epc,code,Lot_Code\n${tag(7)},${lot},${lot}\n`), 400, 'an unknown column');
    t.same(misspelt.body.errors, [
      {
        in: 'body',
        pointer: '/line/1',
        detail: 'column C is headed Lot_Code, which is no column of a tag binding: the columns are epc, tid, code and unit',
      },
    ]);
    t.match(misspelt.body.detail, /Lot_Code/);
    const two = expectStatus(t, await csv(`ecp,code,TID \n${tag(7)},${lot}\n`), 400, 'a misspelt epc');
    t.match(two.body.errors, [{ pointer: '/line/1', detail: /^column A is headed ecp,/ }]);
    t.equal(two.body.errors.length, 1, 'a column named in capitals or with spaces is still tid');
    const long = expectStatus(t, await csv(`epc,code,${'x'.repeat(100_000)}\n${tag(7)},${lot}\n`), 400, 'a very long name');
    t.ok(JSON.stringify(long.body).length < 2_000, 'quoted shortened');
    const noHeader = expectStatus(t, await csv(`${tag(7)},${lot}\n`), 400, 'no header at all');
    t.match(noHeader.body.errors, [{ pointer: '/line/1', detail: /expected a header such as epc,code/ }]);
    const semicolons = expectStatus(t, await csv(`epc;code\n${tag(7)};${lot}\n`), 400, 'cells separated by semicolons');
    t.match(semicolons.body.detail, /separated by commas/);
    await unbound(t, 7);
  });

  await t.test('BOM, CRLF or CR line ends and quoted cells are read as spreadsheets write them', async (t) => {
    const excel = await csv(`\uFEFF"epc","code"\r\n"${tag(8)}","${lot}"\r\n${tag(9)},${lot}\r\n`);
    t.equal(expectStatus(t, excel, 201, 'BOM, CRLF, quoted cells').body.items.length, 2);
    const classicMac = await csv(`epc,code\r${tag(10)},${lot}\r`);
    t.equal(expectStatus(t, classicMac, 201, 'CR line ends (Excel for Mac: CSV Macintosh)').body.items.length, 1);
    const comma = await csv(`epc,code\n${tag(11)},"${lot},2"\n`);
    t.match(expectStatus(t, comma, 400, 'a quoted comma stays in its cell').body.errors, [
      { pointer: '/line/2/code', detail: `${lot},2 names no item, lot or container` },
    ]);
    await unbound(t, 11);
  });

  await t.test('a file with no tags is a 400, never a 5xx', async (t) => {
    for (const [what, text] of [
      ['a header only', 'epc,code\n'],
      ['a header and blank lines', 'epc,code\r\n\r\n  \r\n'],
      ['an empty body', ''],
      ['a BOM only', '\uFEFF'],
      ['a header with a BOM only', '\uFEFFtid,code'],
    ]) {
      const reply = expectStatus(t, await csv(text), 400, what);
      t.equal(reply.headers['content-type'], 'application/problem+json; charset=utf-8', `${what}: problem+json`);
      t.match(reply.body.errors, [{ in: 'body', pointer: /^\/line\/[12]$/ }], `${what}: named at its line`);
    }
  });
});
