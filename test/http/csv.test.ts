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
    { header: 'name', value: (row: { name: string }) => row.name },
    { header: 'kg', value: (row: { kg: number }) => row.kg },
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
  for await (const chunk of csvStream([{ header: 'page', value: (row: { page: number }) => row.page }], pages())) text += chunk;
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
