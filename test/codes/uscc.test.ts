import { MOD31_CHARSET } from '../../src/codes/mod31.js';
import { completeUscc, isValidUscc } from '../../src/codes/uscc.js';
import { fileTest } from '../root.js';

const t = fileTest();

const VALID = ['91350100M000100Y43', '91440101MA5CJQ4N59', '9135021359498494XQ'];

t.test('known-good codes', async (t) => {
  for (const v of VALID) t.ok(isValidUscc(v), v);
});

t.test('every single-character tampering is rejected', async (t) => {
  for (const v of VALID) {
    let tried = 0;
    for (let i = 0; i < v.length; i++) {
      for (const c of MOD31_CHARSET) {
        if (c === v[i]) continue;
        const tampered = v.slice(0, i) + c + v.slice(i + 1);
        if (isValidUscc(tampered)) t.fail(`accepted ${tampered}`);
        tried++;
      }
    }
    t.equal(tried, 18 * 30, `${v}: all substitutions rejected`);
  }
});

t.test('shape', async (t) => {
  t.notOk(isValidUscc('91350100m000100y43'), 'lowercase rejected');
  t.notOk(isValidUscc('91350100M000100Y4'), 'too short');
  t.notOk(isValidUscc('91350100M000100Y430'), 'too long');
  t.notOk(isValidUscc(' 91350100M000100Y43'), 'whitespace');
  t.notOk(isValidUscc('91350100M000100O43'), 'O not allowed');
  t.notOk(isValidUscc(''));
  t.notOk(isValidUscc(null as unknown as string));
  t.notOk(isValidUscc('91350100M000100Y44'), 'wrong check');
  // characters 3–8 are the registering authority's GB/T 2260 region code: six digits
  for (const body of ['91A50100M000100Y4', '9135010AM000100Y4', '91ABCDEFM000100Y4']) {
    t.notOk(isValidUscc(completeUscc(body)), `letters in the region code: ${completeUscc(body)}`);
  }
});

t.test('completeUscc', async (t) => {
  for (const v of VALID) t.equal(completeUscc(v.slice(0, 17)), v);
  const built = completeUscc('91500236MA0000001');
  t.equal(built.length, 18);
  t.ok(isValidUscc(built));
  t.equal(built.slice(2, 8), '500236', 'the region code is characters 3–8');
  t.throws(() => completeUscc('91500236MA000000'), RangeError, 'too short');
  t.throws(() => completeUscc('91500236MA00000012'), RangeError, 'too long');
  t.throws(() => completeUscc('91500236ma0000001'), RangeError, 'lowercase');
});
