// The credit formula on its own: caps, the floor at 0 and the grade boundaries.
import { CREDIT_FACTORS, creditScore, gradeOf } from '../../src/credit/score.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a clean record scores 100, grade A, every factor at 0', async (t) => {
  const clean = creditScore({});
  t.equal(clean.score, 100);
  t.equal(clean.grade, 'A');
  t.equal(clean.factors.length, CREDIT_FACTORS.length, 'every factor listed');
  t.ok(
    clean.factors.every((factor) => factor.count === 0 && Object.is(factor.contribution, 0)),
    'none takes anything off',
  );
});

t.test('each factor takes weight × count off, no more than its cap', async (t) => {
  // failed inspections: 5 points each, at most 30
  const two = creditScore({ failed_inspections: 2 });
  t.equal(two.score, 90);
  t.match(two.factors[0], { key: 'failed_inspections', count: 2, weight: 5, cap: 30, contribution: -10 });
  const many = creditScore({ failed_inspections: 9 });
  t.equal(many.factors[0].contribution, -30, 'capped');
  t.equal(many.score, 70);
  // level 1 recalls 20 each (cap 40), upheld complaints 3 each (cap 15), late records 1 each (cap 10)
  t.equal(creditScore({ recalls_level_1: 1, upheld_complaints: 2, late_records: 50 }).score, 100 - 20 - 6 - 10);
});

t.test('the score never drops below 0', async (t) => {
  const worst = creditScore(Object.fromEntries(CREDIT_FACTORS.map((factor) => [factor.key, 100])));
  t.equal(worst.score, 0);
  t.equal(worst.grade, 'D');
});

t.test('grades: A ≥ 90, B ≥ 75, C ≥ 60, else D', async (t) => {
  t.same([100, 90, 89, 75, 74, 60, 59, 0].map(gradeOf), ['A', 'A', 'B', 'B', 'C', 'C', 'D', 'D']);
});
