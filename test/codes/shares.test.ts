import { floorTo, shareOf, shownShare } from '../../src/codes/shares.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a share below the whole never reads as the whole: rounded down at the places shown', async (t) => {
  t.equal(shareOf(19_999, 20_000, 4), 0.9999, '19,999 of 20,000 is 99.99 %, not 100 %');
  t.equal(shareOf(199_999, 200_000, 4), 0.9999, 'nor 199,999 of 200,000');
  t.equal(shareOf(20_000, 20_000, 4), 1, 'complete is 1');
  t.equal(shareOf(2, 3, 4), 0.6666, 'two thirds rounded down');
  t.equal(shareOf(29, 100, 4), 0.29, 'a share the floating-point product would put just below (0.29 × 10,000 = 2899.99…)');
  t.equal(shareOf(0, 5, 4), 0);
  t.equal(shareOf(0, 0, 4), null, 'nothing to count');
  t.equal(floorTo(0.99995 * 100, 1), 99.9);
  t.equal(floorTo(0.96 * 100, 1), 96);
  t.equal(floorTo(0.9995, 3), 0.999);
});

t.test('a share of something never reads as nothing: the least shown is one unit of the last place', async (t) => {
  t.equal(shareOf(1, 20_000, 4), 0.0001, '1 of 20,000 is 0.01 %, not 0 %');
  t.equal(shareOf(1, 2_000_000, 4), 0.0001, 'nor 1 of 2,000,000');
  t.equal(shownShare(0.0004, 3), 0.001);
  t.equal(shownShare(0, 3), 0, 'nothing is 0');
});
