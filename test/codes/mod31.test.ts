import { hasValidMod31Check, MOD31_CHARSET, mod31CheckChar, mod31Value, mod31Weight } from '../../src/codes/mod31.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('charset', async (t) => {
  t.equal(MOD31_CHARSET.length, 31);
  t.equal(new Set(MOD31_CHARSET).size, 31, 'no duplicates');
  for (const bad of 'IOSVZ') t.notOk(MOD31_CHARSET.includes(bad), `${bad} excluded`);
  t.equal(mod31Value('0'), 0);
  t.equal(mod31Value('A'), 10);
  t.equal(mod31Value('Y'), 30);
  t.equal(mod31Value('a'), -1, 'lowercase is not in the charset');
  t.equal(mod31Value('I'), -1);
  t.equal(mod31Value('AB'), -1);
  t.equal(mod31Value(''), -1);
});

t.test('weights are 3^i mod 31', async (t) => {
  const expected = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  t.same(
    expected.map((_, i) => mod31Weight(i)),
    expected,
  );
  t.equal(mod31Weight(17), 22, 'series continues past the USCC length');
  t.equal(mod31Weight(30), 1, 'period 30');
  t.equal(mod31Weight(31), 3);
  for (let i = 0; i < 60; i++) t.not(mod31Weight(i), 0);
  t.throws(() => mod31Weight(-1), RangeError);
  t.throws(() => mod31Weight(1.5), RangeError);
});

t.test('mod31CheckChar', async (t) => {
  // Known-good USCC vectors.
  t.equal(mod31CheckChar('91350100M000100Y4'), '3');
  t.equal(mod31CheckChar('91440101MA5CJQ4N5'), '9');
  t.equal(mod31CheckChar('9135021359498494X'), 'Q');
  t.equal(mod31CheckChar('0'), '0', 'sum 0 maps to 0, not index 31');
  t.equal(mod31CheckChar('1'), 'Y', '31 - 1 = 30');
  t.equal(mod31CheckChar('01'), 'W', 'weight 3 at position 1: 31 - 3 = 28 -> W');
  t.throws(() => mod31CheckChar(''), RangeError);
  t.throws(() => mod31CheckChar('91350100I000100Y4'), RangeError);
  t.throws(() => mod31CheckChar('9135010am'), RangeError);
  t.throws(() => mod31CheckChar('12 3'), RangeError);
});

t.test('check agrees with the explicit weighted sum for long bodies', async (t) => {
  const body = `${MOD31_CHARSET + MOD31_CHARSET.split('').reverse().join('')}XY7`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += mod31Value(body[i]) * mod31Weight(i);
  const expected = MOD31_CHARSET[(31 - (sum % 31)) % 31];
  t.equal(mod31CheckChar(body), expected);
  t.ok(hasValidMod31Check(body + expected));
});

t.test('hasValidMod31Check', async (t) => {
  t.ok(hasValidMod31Check('91350100M000100Y43'));
  t.ok(hasValidMod31Check('00'));
  t.ok(hasValidMod31Check('1Y'));
  t.notOk(hasValidMod31Check('91350100M000100Y44'));
  t.notOk(hasValidMod31Check('91350100m000100Y43'), 'lowercase');
  t.notOk(hasValidMod31Check('91350100M000100YI3'), 'char outside charset');
  t.notOk(hasValidMod31Check('0'), 'too short');
  t.notOk(hasValidMod31Check(''));
  t.notOk(hasValidMod31Check(undefined as unknown as string), 'non-string never throws');
});
