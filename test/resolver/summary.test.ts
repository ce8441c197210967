import t from 'tap';
import { type ConsumerSummary, consumerSummaryJson } from '../../src/resolver/summary.js';
import { demoLot, demoPack } from '../fixtures/demo-summary.js';

const parse = (json: Buffer): ConsumerSummary => JSON.parse(json.toString('utf8'));

t.test('consumerSummaryJson: the lot part and the pack part in one document', async (t) => {
  const lot = demoLot();
  const summary = parse(consumerSummaryJson(lot, demoPack()));
  const { warnings, ...lotMembers } = lot;
  t.strictSame(summary, {
    code: 'K7QM2XR9P4D',
    genuine: true,
    scans: { count: 3, firstScannedAt: '2026-11-20T02:15:00.000Z' },
    warnings,
    ...lotMembers,
  });
});

t.test('consumerSummaryJson: each pack of a lot gets its own scans and counterfeit warning', async (t) => {
  const lot = { ...demoLot(), warnings: ['recalled' as const] };
  const fresh = parse(consumerSummaryJson(lot, { code: 'M3TW8KQ2R5X', scans: { count: 0, firstScannedAt: null }, flagged: false }));
  const copied = parse(
    consumerSummaryJson(lot, {
      code: 'K7QM2XR9P4D',
      scans: { count: 41, firstScannedAt: new Date('2026-11-01T00:00:00Z') },
      flagged: true,
    }),
  );
  t.equal(fresh.code, 'M3TW8KQ2R5X');
  t.strictSame(fresh.scans, { count: 0, firstScannedAt: null });
  t.strictSame(fresh.warnings, ['recalled']);
  t.equal(copied.code, 'K7QM2XR9P4D');
  t.strictSame(copied.scans, { count: 41, firstScannedAt: '2026-11-01T00:00:00.000Z' });
  t.strictSame(copied.warnings, ['recalled', 'counterfeit_suspected']);
  t.strictSame(lot.warnings, ['recalled'], 'the shared lot summary is not changed by a pack');
  t.strictSame(parse(consumerSummaryJson(lot, demoPack())).warnings, ['recalled'], 'nor is the next pack');
  t.equal(fresh.product?.name, '奉上好品·奉节腊肉 500g');
  t.equal(copied.product?.name, '奉上好品·奉节腊肉 500g');
});

t.test('consumerSummaryJson: codes are JSON-escaped', async (t) => {
  const hostile = parse(consumerSummaryJson(demoLot(), { ...demoPack(), code: '"},"genuine":false,"x":"' }));
  t.equal(hostile.code, '"},"genuine":false,"x":"');
  t.equal(hostile.genuine, true);
});
