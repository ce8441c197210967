import { cookieValue, sessionCookie } from '../../src/http/cookies.js';
import { csvCell, csvLine, csvStream, wantsCsv } from '../../src/http/csv.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('csv cells', async (t) => {
  t.equal(csvCell(null), '');
  t.equal(csvCell(undefined), '');
  t.equal(csvCell(12.5), '12.5');
  t.equal(csvCell('腊肉'), '腊肉');
  t.equal(csvCell('a,b'), '"a,b"');
  t.equal(csvCell('say "hi"'), '"say ""hi"""');
  t.equal(csvCell('two\nlines'), '"two\nlines"');
  t.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`, 'a formula is defused');
  t.equal(csvCell('-1+1'), "'-1+1");
  t.equal(csvCell('@SUM'), "'@SUM");
  t.equal(csvLine(['a', 1, null]), 'a,1,\r\n');
});

t.test('csv stream: BOM, header, pages', async (t) => {
  async function* pages() {
    yield [{ name: '腊肉', kg: 1 }];
    yield [{ name: 'x,y', kg: 2 }];
  }
  const columns = [
    { header: 'name', zh: '名称', value: (row: { name: string }) => row.name },
    { header: 'kg', zh: '千克', value: (row: { kg: number }) => row.kg },
  ];
  let text = '';
  for await (const chunk of csvStream(columns, pages())) text += chunk;
  t.equal(text, '\uFEFFname,kg\r\n腊肉,1\r\n"x,y",2\r\n');
});

t.test('csv stream: other work gets a turn of the event loop between pages', async (t) => {
  // pages that come in microtasks, as PGlite answers: without a turn between them, nothing else ran till the end
  let turned = false;
  const seen: boolean[] = [];
  async function* pages() {
    for (let page = 0; page < 3; page++) {
      seen.push(turned);
      turned = false;
      setImmediate(() => {
        turned = true;
      });
      yield [{ page }];
    }
  }
  let text = '';
  for await (const chunk of csvStream([{ header: 'page', zh: '页', value: (row: { page: number }) => row.page }], pages())) text += chunk;
  t.equal(text, '\uFEFFpage\r\n0\r\n1\r\n2\r\n');
  t.strictSame(seen.slice(1), [true, true], 'a task queued while a page was made ran before the next page');
});

t.test('wantsCsv', async (t) => {
  t.equal(wantsCsv('csv', undefined), true);
  t.equal(wantsCsv('json', 'text/csv'), false, '?format wins over Accept');
  t.equal(wantsCsv(undefined, 'text/csv'), true);
  t.equal(wantsCsv(undefined, 'application/json, text/csv;q=0.5'), false);
  t.equal(wantsCsv(undefined, '*/*'), false, 'JSON by default');
  t.equal(wantsCsv(undefined, undefined), false);
});

t.test('cookies', async (t) => {
  t.equal(cookieValue('a=1; regulator_session=abc%2Bd; b=2', 'regulator_session'), 'abc+d');
  t.equal(cookieValue('a=1', 'regulator_session'), undefined);
  t.equal(cookieValue(undefined, 'a'), undefined);
  t.equal(cookieValue('=x; a', 'a'), undefined, 'malformed parts are skipped');
  for (const broken of ['%ZZ', '%E0%A4%A', '%ED%A0%80']) {
    t.equal(cookieValue(`regulator_session=${broken}`, 'regulator_session'), undefined, `a broken escape (${broken}) is no value`);
  }
  t.equal(
    sessionCookie('s', 'v', { path: '/p', maxAgeSeconds: 60, secure: true }),
    's=v; Path=/p; Max-Age=60; HttpOnly; Secure; SameSite=Strict',
  );
  t.equal(
    sessionCookie('s', 'v', { path: '/p', maxAgeSeconds: 60, secure: false }),
    's=v; Path=/p; Max-Age=60; HttpOnly; SameSite=Strict',
    'over plain http',
  );
});

t.test('csv cells for Excel: a text cell Excel would read as a number or date is kept as text with ="…"', async (t) => {
  const excel = (value: Parameters<typeof csvCell>[0]) => csvCell(value, 'excel');
  t.equal(excel('06901234567892'), '"=""06901234567892"""', 'a GTIN keeps its leading zero');
  t.equal(excel('00012'), '"=""00012"""', 'an all-digit lot number');
  t.equal(excel('123456789012345678'), '"=""123456789012345678"""', 'an 18-digit SSCC is not rounded');
  t.equal(excel('91500236MA5U8XQ81P'), '91500236MA5U8XQ81P', 'a credit code with letters is text to Excel already');
  t.equal(excel('02356781234'), '"=""02356781234"""', 'a landline number');
  t.equal(excel('-12'), '"=""-12"""', 'a sign: kept as text, not defused with an apostrophe (digits only, no formula)');
  t.equal(excel('+8613800000000'), '"=""+8613800000000"""');
  t.equal(excel('1.50'), '"=""1.50"""', 'a decimal point');
  t.equal(excel('12E3'), '"=""12E3"""', 'an exponent');
  t.equal(excel('1e5'), '"=""1e5"""');
  t.equal(excel('2026-03'), '"=""2026-03"""', 'a date-like lot number is not turned into a date');
  t.equal(excel('1/2'), '"=""1/2"""');
  t.equal(excel('1,234'), '"=""1,234"""', 'thousands separators');
  t.equal(excel('(123)'), '"=""(123)"""', 'an accounting negative');
  t.equal(excel('50%'), '"=""50%"""', 'a percentage');
  t.equal(excel('腊肉'), '腊肉', 'other text as by default');
  t.equal(excel('LOT-1'), 'LOT-1');
  t.equal(excel('e'), 'e', 'no digit: no number');
  t.equal(excel(''), '');
  t.equal(excel('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`, 'a formula is defused as by default');
  t.equal(excel('-1+A1'), "'-1+A1", 'text that is not a number keeps the guard');
  t.equal(excel('1'.repeat(256)), '1'.repeat(256), 'longer than a formula string may be: as by default');
  t.equal(excel(12.5), '12.5', 'a number is a number');
  t.equal(excel(null), '');
  t.equal(csvCell('06901234567892'), '06901234567892', 'the default CSV is machine-exact: no formulas');
  t.equal(csvCell('-12'), "'-12", 'and the default keeps its guard');
});

t.test('csv stream for Excel: Chinese headers and values, text kept as text, numbers and dates as they are', async (t) => {
  const rows = [
    { code: '06901234567892', kg: '12.500', day: '2026-03-05 08:00:00', status: 'recalled' },
    { code: 'A1', kg: null, day: '2026-03-06 08:00:00', status: 'unknown' },
  ];
  type Row = (typeof rows)[number];
  const columns = [
    { header: 'code', zh: '编码', value: (row: Row) => row.code },
    { header: 'kg', zh: '数量', value: (row: Row) => row.kg, reads: 'number' as const },
    { header: 'day', zh: '日期', value: (row: Row) => row.day, reads: 'date' as const },
    { header: 'status', zh: '状态', value: (row: Row) => row.status, zhValues: { recalled: '已召回' } },
  ];
  const read = async (dialect?: 'excel') => {
    let text = '';
    for await (const chunk of csvStream(columns, [rows], { dialect })) text += chunk;
    return text;
  };
  t.equal(
    await read('excel'),
    '\uFEFF编码,数量,日期,状态\r\n"=""06901234567892""",12.500,2026-03-05 08:00:00,已召回\r\nA1,,2026-03-06 08:00:00,unknown\r\n',
  );
  t.equal(
    await read(),
    '\uFEFFcode,kg,day,status\r\n06901234567892,12.500,2026-03-05 08:00:00,recalled\r\nA1,,2026-03-06 08:00:00,unknown\r\n',
    'the default is unchanged',
  );
});

t.test('csv stream without a byte order mark, lines ending in LF (label printers)', async (t) => {
  let text = '';
  const columns = [{ header: 'code', zh: '溯源码', value: (row: { code: string }) => row.code }];
  for await (const chunk of csvStream(columns, [[{ code: 'C1' }]], { byteOrderMark: false, lineEnd: '\n' })) text += chunk;
  t.equal(text, 'code\nC1\n');
});

t.test('wantsCsv: the Excel flavour asks for CSV', async (t) => {
  t.equal(wantsCsv(undefined, undefined, 'excel'), true);
  t.equal(wantsCsv(undefined, '*/*', 'excel'), true);
  t.equal(wantsCsv('json', undefined, 'excel'), false, 'format=json still answers JSON');
});

t.test('csv stream for Excel: a column that lists several values puts each in Chinese by a function', async (t) => {
  const names: Record<string, string> = { invoice: '发票' };
  const columns = [
    {
      header: 'documents',
      zh: '单据',
      value: (row: { documents: string }) => row.documents,
      zhValues: (cell: string) => cell.replace(/^\w+/, (type) => names[type] ?? type),
    },
  ];
  let text = '';
  for await (const chunk of csvStream(columns, [[{ documents: 'invoice 0012' }, { documents: 'other 7' }]], { dialect: 'excel' }))
    text += chunk;
  t.equal(text, '\uFEFF单据\r\n发票 0012\r\nother 7\r\n', 'the function’s answer, still a cell as the Excel flavour writes it');
  let plain = '';
  for await (const chunk of csvStream(columns, [[{ documents: 'invoice 0012' }]])) plain += chunk;
  t.equal(plain, '\uFEFFdocuments\r\ninvoice 0012\r\n', 'the default as it is');
});
