import t from 'tap';
import { timeZoneOffsetOf } from '../../src/events/service.js';
import { LOT_STATUSES, nextLotStatus } from '../../src/events/status.js';

t.test('nextLotStatus: quantity remains', async (t) => {
  t.equal(nextLotStatus({ onHand: 5, inTransit: 0, recalled: false }), 'active');
  t.equal(nextLotStatus({ onHand: 5, inTransit: 3, recalled: false }), 'active', 'some on hand wins over in transit');
  t.equal(
    nextLotStatus({ onHand: 5, inTransit: 0, lastDrain: 'sell', recalled: false }),
    'active',
    'a drain does not end a lot with stock left',
  );
  t.equal(nextLotStatus({ onHand: 0, inTransit: 3, recalled: false }), 'in_transit');
  t.equal(nextLotStatus({ onHand: 0, inTransit: 3, lastDrain: 'consume', recalled: false }), 'in_transit');
  t.equal(nextLotStatus({ onHand: 5, inTransit: 0, recalled: true }), 'recalled');
  t.equal(nextLotStatus({ onHand: 0, inTransit: 3, recalled: true }), 'recalled', 'recall sticks while on the road');
  t.equal(nextLotStatus({ onHand: 5, inTransit: 0, lastDrain: 'destroy', recalled: true }), 'recalled');
});

t.test('nextLotStatus: nothing left', async (t) => {
  t.equal(nextLotStatus({ onHand: 0, inTransit: 0, lastDrain: 'consume', recalled: false }), 'consumed');
  t.equal(nextLotStatus({ onHand: 0, inTransit: 0, lastDrain: 'sell', recalled: false }), 'sold');
  t.equal(nextLotStatus({ onHand: 0, inTransit: 0, lastDrain: 'destroy', recalled: false }), 'destroyed');
  t.equal(
    nextLotStatus({ onHand: 0, inTransit: 0, lastDrain: 'destroy', recalled: true }),
    'destroyed',
    'a recalled lot that is destroyed ends destroyed',
  );
  t.equal(nextLotStatus({ onHand: 0, inTransit: 0, lastDrain: 'sell', recalled: true }), 'sold');
  t.equal(nextLotStatus({ onHand: 0, inTransit: 0, recalled: true }), 'recalled', 'no drain keeps the recall');
  t.equal(nextLotStatus({ onHand: 0, inTransit: 0, recalled: false }), 'active', 'no drain, no recall');
  t.equal(nextLotStatus({ onHand: 0, inTransit: 0, lastDrain: 'ship_out', recalled: false }), 'active', 'unknown drain kind');
});

t.test('nextLotStatus: float residue counts as nothing', async (t) => {
  t.equal(nextLotStatus({ onHand: 1e-12, inTransit: 0, lastDrain: 'consume', recalled: false }), 'consumed');
  t.equal(nextLotStatus({ onHand: 0, inTransit: 1e-12, lastDrain: 'sell', recalled: false }), 'sold');
  t.equal(nextLotStatus({ onHand: 1e-12, inTransit: 1e-12, lastDrain: 'destroy', recalled: true }), 'destroyed');
  t.equal(nextLotStatus({ onHand: 0.1 + 0.2 - 0.3, inTransit: 0, lastDrain: 'consume', recalled: false }), 'consumed');
  t.equal(nextLotStatus({ onHand: -1e-12, inTransit: 0, lastDrain: 'consume', recalled: false }), 'consumed');
  t.equal(nextLotStatus({ onHand: 1e-12, inTransit: 2, recalled: false }), 'in_transit', 'residue on hand does not make it active');
  t.equal(nextLotStatus({ onHand: 0.001, inTransit: 0, lastDrain: 'consume', recalled: false }), 'active', 'a gram is still something');
});

t.test('every result is a known status', async (t) => {
  for (const onHand of [0, 1]) {
    for (const inTransit of [0, 1]) {
      for (const lastDrain of [undefined, 'consume', 'sell', 'destroy', 'other']) {
        for (const recalled of [false, true]) {
          t.ok(LOT_STATUSES.includes(nextLotStatus({ onHand, inTransit, lastDrain, recalled })));
        }
      }
    }
  }
});

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
