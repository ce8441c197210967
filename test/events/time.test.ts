import { timeZoneOffsetOf } from '../../src/events/time.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('timeZoneOffsetOf', async (t) => {
  t.equal(timeZoneOffsetOf('2026-03-01T08:00:00+08:00'), '+08:00');
  t.equal(timeZoneOffsetOf('2026-03-01T08:00:00.123+08:00'), '+08:00');
  t.equal(timeZoneOffsetOf('2026-03-01T00:00:00Z'), '+00:00');
  t.equal(timeZoneOffsetOf('2026-03-01T00:00:00.000Z'), '+00:00');
  t.equal(timeZoneOffsetOf('2026-03-01T08:00:00-0530'), '-05:30');
  t.equal(timeZoneOffsetOf('2026-03-01T08:00:00-05:30'), '-05:30');
  t.equal(timeZoneOffsetOf('2026-03-01T08:00:00+08'), '+08:00');
  t.equal(timeZoneOffsetOf('2026-03-01T08:00:00+00:00'), '+00:00');
  // bare suffixes
  t.equal(timeZoneOffsetOf('Z'), '+00:00');
  t.equal(timeZoneOffsetOf('-0530'), '-05:30');
  t.equal(timeZoneOffsetOf('+08'), '+08:00');
  t.equal(timeZoneOffsetOf('+08:00'), '+08:00');
});
