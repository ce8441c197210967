// The pure matching of container readings to a lot's time in the containers, with events made here.
import { containedPeriods, containerReadings, intersect, merged } from '../../src/resolver/container-readings.js';
import type { Trace } from '../../src/trace/schemas.js';
import { fileTest } from '../root.js';

const t = fileTest();

type TraceEvent = Trace['events'][number];
const HOUR = 3_600_000;
let recorded = 0;

/** An event at the hour, recorded after every one made before it; `id` as given (ids say nothing of order). */
function event(id: string, type: TraceEvent['type'], hour: number, lots: TraceEvent['lots'], partyCode = 'P1', details = {}): TraceEvent {
  return {
    id,
    type,
    eventTime: new Date(hour * HOUR),
    eventTimeZoneOffset: '+08:00',
    recordTime: new Date(1_000_000 * HOUR + ++recorded),
    partyCode,
    bizStep: type,
    disposition: null,
    readPoint: null,
    bizLocation: null,
    referenceDocuments: [],
    lots,
    details,
    correctsEventId: null,
    declaredInErrorBy: null,
  };
}
/** A packing (`aggregate`) or unpacking (`disaggregate`) of `child` in `parent` at `hour`. */
const moving =
  (type: 'aggregate' | 'disaggregate') =>
  (id: string, hour: number, child: string, parent: string, party = 'P1') =>
    event(
      id,
      type,
      hour,
      [
        { lotCode: parent, role: 'parent', quantity: null },
        { lotCode: child, role: 'child', quantity: 1 },
      ],
      party,
    );
const pack = moving('aggregate');
const unpack = moving('disaggregate');
const observe = (id: string, hour: number, code: string, celsius: number, party = 'P1') =>
  event(id, 'observe', hour, [{ lotCode: code, role: 'subject', quantity: null }], party, {
    readings: [{ type: 'temperature', value: celsius, unit: 'Cel' }],
  });

t.test('a pack and an unpack at one time pair in record order, whichever id sorts first and whatever order they come in', async (t) => {
  const packing = pack('zzz-packing', 5, 'LOT', 'PALLET');
  const unpacking = unpack('aaa-unpacking', 5, 'LOT', 'PALLET');
  const reading = observe('obs', 9, 'PALLET', 31);
  for (const events of [
    [packing, unpacking, reading],
    [unpacking, packing, reading],
  ]) {
    t.same(containedPeriods(events, 'LOT', 3).get('PALLET'), [{ from: 5 * HOUR, to: 5 * HOUR }]);
    t.same(containerReadings(events, 'LOT', 'P1', 3), [], 'the emptied pallet’s reading is not the lot’s');
  }
  // recorded together (one batch): a packing before an unpacking at the same time
  const batch = { ...unpacking, recordTime: packing.recordTime };
  t.same(containedPeriods([batch, packing], 'LOT', 3).get('PALLET'), [{ from: 5 * HOUR, to: 5 * HOUR }]);
});

t.test('an unpacking dated before the packing it undid leaves no period', async (t) => {
  const events = [pack('p', 5, 'LOT', 'PALLET'), unpack('u', 3, 'LOT', 'PALLET'), observe('o', 9, 'PALLET', 31)];
  t.notOk(containedPeriods(events, 'LOT', 3).has('PALLET'));
  t.same(containerReadings(events, 'LOT', 'P1', 3), []);
});

t.test('a reading counts when its recorder then held the container or owns the lot', async (t) => {
  const events = [
    pack('p1', 1, 'A-LOT', 'PALLET', 'A'),
    event('ship', 'ship', 2, [{ lotCode: 'PALLET', role: 'subject', quantity: 1 }], 'A'),
    observe('in-transit', 3, 'PALLET', 4, 'A'),
    event('receive', 'receive', 4, [{ lotCode: 'PALLET', role: 'subject', quantity: 1 }], 'B'),
    unpack('u1', 5, 'A-LOT', 'PALLET', 'B'),
    pack('p2', 6, 'B-LOT', 'PALLET', 'B'),
    observe('keeper', 7, 'PALLET', 3, 'B'),
    observe('maker', 8, 'PALLET', 35, 'A'),
    observe('owner', 9, 'PALLET', 5, 'C'),
  ];
  t.same(
    containerReadings(events, 'A-LOT', 'A', 3).map((e) => e.id),
    ['in-transit'],
    'the sender answers for the pallet until it is received',
  );
  t.same(
    containerReadings(events, 'B-LOT', 'B', 3).map((e) => e.id),
    ['keeper'],
    'not the maker’s, who no longer holds the pallet',
  );
  t.same(
    containerReadings(events, 'B-LOT', 'C', 3).map((e) => e.id),
    ['keeper', 'owner'],
    'the lot’s owner’s reading counts',
  );
});

t.test('merged and intersect: overlapping periods merge, and the sweep finds every shared time', async (t) => {
  t.same(
    merged([
      { from: 5, to: 8 },
      { from: 1, to: 2 },
      { from: 2, to: 3 },
      { from: 6, to: 7 },
    ]),
    [
      { from: 1, to: 3 },
      { from: 5, to: 8 },
    ],
  );
  t.same(
    intersect(
      [
        { from: 0, to: 4 },
        { from: 6, to: 10 },
      ],
      [
        { from: 1, to: 2 },
        { from: 3, to: 7 },
        { from: 10, to: Number.POSITIVE_INFINITY },
      ],
    ),
    [
      { from: 1, to: 2 },
      { from: 3, to: 4 },
      { from: 6, to: 7 },
      { from: 10, to: 10 },
    ],
  );
});

t.test('thousands of pack and unpack cycles at each of three levels are each matched to their own readings', async (t) => {
  const cycles = 4_000;
  const events: TraceEvent[] = [];
  for (let index = 0; index < cycles; index++) {
    const hour = index * 10;
    events.push(pack(`c${index}`, hour, 'LOT', 'CASE'), unpack(`C${index}`, hour + 8, 'LOT', 'CASE'));
    events.push(pack(`p${index}`, hour + 1, 'CASE', 'PALLET'), unpack(`P${index}`, hour + 7, 'CASE', 'PALLET'));
    events.push(pack(`t${index}`, hour + 2, 'PALLET', 'TRUCK'), unpack(`T${index}`, hour + 6, 'PALLET', 'TRUCK'));
    events.push(observe(`in${index}`, hour + 4, 'TRUCK', 4), observe(`out${index}`, hour + 9, 'TRUCK', 30));
  }
  const readings = containerReadings(events, 'LOT', 'P1', 3);
  t.equal(readings.length, cycles, 'each reading while the lot lay in the case on the pallet in the truck, none after');
  t.ok(
    readings.every((reading) => reading.id.startsWith('in')),
    'none taken while the lot was out',
  );
});
