import { completeGs1, gs1CheckDigit, isValidGln, isValidGtin, isValidSscc, toGtin14 } from '../../src/codes/gs1.js';
import { fileTest } from '../root.js';

const t = fileTest();

const GTINS = ['96385074', '036000291452', '9506000134352', '4006381333931', '09506000134352', '80614141123458'];

t.test('gs1CheckDigit', async (t) => {
  t.equal(gs1CheckDigit('950600013435'), 2);
  t.equal(gs1CheckDigit('03600029145'), 2);
  t.equal(gs1CheckDigit('10614141123456789'), 7);
  t.equal(gs1CheckDigit('0'), 0);
  t.equal(gs1CheckDigit('1'), 7, 'rightmost data digit weighs 3');
  t.equal(gs1CheckDigit('10'), 9, 'second from right weighs 1');
  t.equal(gs1CheckDigit('0950600013435'), 2, 'leading zeros do not change the check');
  t.throws(() => gs1CheckDigit(''), RangeError);
  t.throws(() => gs1CheckDigit('95060A013435'), RangeError);
  t.throws(() => gs1CheckDigit(' 950600013435'), RangeError);
});

t.test("gs1CheckDigit agrees with the GS1 Barcode Syntax Engine's check digit linter (src/c-lib/syntax/lint_csum.c)", async (t) => {
  const right = ['02345673', '416000336108', '1234567890128', '12345678901231', '123456789012345675'];
  const wrong = ['12345673', '416000336109', '1234567890129', '12345678901232', '123456789012345670'];
  for (const key of right) t.equal(String(gs1CheckDigit(key.slice(0, -1))), key.at(-1), `${key} passes`);
  for (const key of wrong) t.not(String(gs1CheckDigit(key.slice(0, -1))), key.at(-1), `${key} fails`);
});

t.test('isValidGtin', async (t) => {
  for (const g of GTINS) t.ok(isValidGtin(g), g);
  for (const g of GTINS) {
    const last = Number(g[g.length - 1]);
    t.notOk(isValidGtin(g.slice(0, -1) + String((last + 1) % 10)), `${g} wrong check`);
    // any single-digit substitution is caught by mod 10 with weights 1 and 3
    for (let i = 0; i < g.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === g[i]) continue;
        const tampered = g.slice(0, i) + String(d) + g.slice(i + 1);
        if (isValidGtin(tampered)) t.fail(`accepted ${tampered}`);
      }
    }
  }
  t.notOk(isValidGtin('9506000134352'.slice(0, 11)), '11 digits');
  t.notOk(isValidGtin('000000000000000'), '15 digits');
  t.notOk(isValidGtin('123456'), '6 digits');
  t.notOk(isValidGtin('950600013435X'));
  t.notOk(isValidGtin(''));
  t.notOk(isValidGtin(undefined as unknown as string));
});

t.test('toGtin14', async (t) => {
  t.equal(toGtin14('9506000134352'), '09506000134352');
  t.equal(toGtin14('09506000134352'), '09506000134352');
  t.equal(toGtin14('036000291452'), '00036000291452');
  t.equal(toGtin14('96385074'), '00000096385074');
  t.ok(isValidGtin(toGtin14('96385074')), 'padding keeps the check valid');
  t.throws(() => toGtin14('9506000134353'), RangeError);
  t.throws(() => toGtin14('abc'), RangeError);
});

t.test('isValidGln', async (t) => {
  t.ok(isValidGln('9521234000006'));
  t.ok(isValidGln('4006381333931'));
  t.notOk(isValidGln('9521234000007'));
  t.notOk(isValidGln('09521234000006'), '14 digits');
  t.notOk(isValidGln('952123400000'), '12 digits');
});

t.test('isValidSscc', async (t) => {
  t.ok(isValidSscc('106141411234567897'));
  t.notOk(isValidSscc('106141411234567898'));
  t.notOk(isValidSscc('106141411234567879'), 'adjacent transposition');
  t.notOk(isValidSscc('06141411234567897'), '17 digits');
  t.notOk(isValidSscc('(00)106141411234567897'));
});

t.test('completeGs1', async (t) => {
  t.equal(completeGs1('950600013435'), '9506000134352');
  t.equal(completeGs1('10614141123456789'), '106141411234567897');
  t.equal(completeGs1('952123400000'), '9521234000006');
  t.ok(isValidSscc(completeGs1('69012345000000001')));
  t.throws(() => completeGs1('12a'), RangeError);
});
