import { completeGs1, isValidGtin } from '../../src/codes/gs1.js';
import { restrictedGtinProblem } from '../../src/gs1/trade-gtin.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('restricted circulation numbers, refund receipts and coupons are no trade item’s GTIN, in every length', async (t) => {
  const restricted: [string, RegExp][] = [
    [completeGs1('0201234'), /GS1-8 prefix 0 or 2/],
    [completeGs1('2012345'), /GS1-8 prefix 0 or 2/],
    [completeGs1('20123456789'), /U\.P\.C\. prefix 2/],
    [completeGs1('40123456789'), /U\.P\.C\. prefix 4/],
    [completeGs1('020123456789'), /GS1 prefix 02/],
    [completeGs1('041234567890'), /GS1 prefix 04/],
    [completeGs1('200123456789'), /GS1 prefix 200–299/],
    [completeGs1('299123456789'), /GS1 prefix 200–299/],
    [completeGs1('980123456789'), /refund receipt/],
    [completeGs1('981123456789'), /981–984, a coupon/],
    [completeGs1('984123456789'), /981–984, a coupon/],
    [completeGs1('990123456789'), /GS1 prefix 99, a coupon/],
    [completeGs1('999123456789'), /GS1 prefix 99, a coupon/],
    // GTIN-14: the prefix follows the indicator digit, whatever it is (9: a variable measure item)
    [completeGs1('1200123456789'), /GS1 prefix 200–299/],
    [completeGs1('9020123456789'), /GS1 prefix 02/],
    [completeGs1('3000000201234'), /GS1-8 prefix 0 or 2/],
    // padded forms name the same numbers
    [completeGs1('0000000201234'), /GS1-8 prefix 0 or 2/],
    [completeGs1('0020123456789'), /GS1 prefix 02/],
  ];
  for (const [gtin, why] of restricted) {
    t.ok(isValidGtin(gtin), `${gtin} has a valid check digit`);
    t.match(restrictedGtinProblem(gtin), why, gtin);
    t.match(restrictedGtinProblem(gtin), /not a trade item's GTIN in an open supply chain/);
  }
});

t.test('an all-zero GTIN names nothing', async (t) => {
  for (const zeros of ['00000000', '000000000000', '0000000000000', '00000000000000']) {
    t.match(restrictedGtinProblem(zeros), /all zeros/, zeros);
  }
});

t.test('GTINs under a GS1 company prefix stay trade item numbers', async (t) => {
  const open = [
    completeGs1('9638507'), // GTIN-8 under GS1-8 prefix 9
    completeGs1('1012345'), // GTIN-8 under GS1-8 prefix 1
    completeGs1('61414100001'), // GTIN-12, U.P.C. prefix 6
    completeGs1('01234567890'), // GTIN-12, U.P.C. prefix 0
    completeGs1('30123456789'), // GTIN-12, U.P.C. prefix 3 (GS1 prefix 03)
    completeGs1('50123456789'), // GTIN-12, U.P.C. prefix 5
    completeGs1('690123456789'), // GS1 China
    completeGs1('978711100001'), // ISBN
    completeGs1('977123456789'), // ISSN
    completeGs1('300123456789'), // just above 200–299
    completeGs1('190123456789'), // just below
    completeGs1('985123456789'), // above the coupons' 981–984
    completeGs1('0690123456789'),
    completeGs1('1690123456789'),
    completeGs1('9690123456789'), // a variable measure item of a GS1 China company
    completeGs1('0000001012345'), // a GTIN-8 under prefix 1, padded
  ];
  for (const gtin of open) t.equal(restrictedGtinProblem(gtin), null, gtin);
});
