// The pure matching of container readings to a lot's time in the containers, with events made here.

import type { PackingLink } from '../../src/lineage/repository.js';
import { containedPeriods, containerReadings, intersect, merged } from '../../src/resolver/container-readings.js';
import type { Trace } from '../../src/trace/schemas.js';
import { fileTest } from '../root.js';

const t = fileTest();

type TraceEvent = Trace['events'][number];
const HOUR = 3_600_000;
let recorded = 0;
const recordedAt = (position: number) => new Date(1_000_000 * HOUR + position);

/** An event at the hour, recorded after every one made before it; `id` as given (ids say nothing of order). */
function event(id: string, type: TraceEvent['type'], hour: number, lots: TraceEvent['lots'], partyCode = 'P1', details = {}): TraceEvent {
  return {
    id,
    type,
    eventTime: new Date(hour * HOUR),
    eventTimeZoneOffset: '+08:00',
    recordTime: recordedAt(++recorded),
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
/**
 * A packing link of `child` in `parent` made at hour `packed`, ended by an unpacking at hour `unpacked` (open without
 * one); each recorded after every event made before it, or at the record positions `positions` gives (one position: one batch).
 */
const linked = (child: string, parent: string, packed: number, unpacked?: number, positions?: [number, number?]): PackingLink => ({
  childCode: child,
  parentCode: parent,
  packing: { at: new Date(packed * HOUR), recordedAt: recordedAt(positions?.[0] ?? ++recorded) },
  unpacking:
    unpacked === undefined
      ? null
      : { at: new Date(unpacked * HOUR), recordedAt: recordedAt(positions?.[1] ?? positions?.[0] ?? ++recorded) },
});
/** P1 made the lot and the pallet. */
const P1_MADE = new Map([
  ['LOT', 'P1'],
  ['PALLET', 'P1'],
]);
const observe = (id: string, hour: number, code: string, celsius: number, party = 'P1') =>
  event(id, 'observe', hour, [{ lotCode: code, role: 'subject', quantity: null }], party, {
    readings: [{ type: 'temperature', value: celsius, unit: 'Cel' }],
  });

t.test('a link packed and ended at one time holds the lot in the container at that instant alone', async (t) => {
  const links = [linked('LOT', 'PALLET', 5, 5)];
  t.same(containedPeriods(links, 'LOT', 3).get('PALLET'), [{ from: 5 * HOUR, to: 5 * HOUR }]);
  t.same(
    containerReadings([observe('obs', 9, 'PALLET', 31)], links, 'LOT', P1_MADE, 3),
    [],
    'the emptied pallet’s reading is not the lot’s',
  );
});

t.test('each packing link pairs with the unpacking that ended it, whatever their times', async (t) => {
  // the packing of hour 10 ended at hour 12, the lot packed again at hour 11 (recorded with that unpacking, after it)
  const links = [linked('LOT', 'PALLET', 11, undefined, [2]), linked('LOT', 'PALLET', 10, 12, [1, 2])];
  t.same(containedPeriods(links, 'LOT', 3).get('PALLET'), [{ from: 10 * HOUR, to: Number.POSITIVE_INFINITY }]);
  t.same(
    containerReadings([observe('later', 13, 'PALLET', 5)], links, 'LOT', P1_MADE, 3).map((e) => e.id),
    ['later'],
  );
});

t.test('an unpacking dated before the packing it ended (stored before such were refused) leaves no period', async (t) => {
  const links = [linked('LOT', 'PALLET', 5, 3)];
  t.notOk(containedPeriods(links, 'LOT', 3).has('PALLET'));
  t.same(containerReadings([observe('o', 9, 'PALLET', 31)], links, 'LOT', P1_MADE, 3), []);
});

t.test('a packing ends at the first unpacking after it in event time, whichever links that unpacking ended', async (t) => {
  // packed at 10 and left in force past the unpacking of hour 12 (which ended the packing of hour 11 alone), then
  // ended with the packing of hour 14 by the unpacking of hour 16
  const stale = [linked('LOT', 'PALLET', 10, 16, [1, 4]), linked('LOT', 'PALLET', 11, 12, [2]), linked('LOT', 'PALLET', 14, 16, [3, 4])];
  t.same(containedPeriods(stale, 'LOT', 3).get('PALLET'), [
    { from: 10 * HOUR, to: 12 * HOUR },
    { from: 14 * HOUR, to: 16 * HOUR },
  ]);
  // packed at 3, unpacked at 5, a packing at 4 reported after that, ended with one at 7 by the unpacking of hour 9
  const late = [linked('LOT', 'PALLET', 3, 5, [1, 2]), linked('LOT', 'PALLET', 4, 9, [3, 5]), linked('LOT', 'PALLET', 7, 9, [4, 5])];
  t.same(containedPeriods(late, 'LOT', 3).get('PALLET'), [
    { from: 3 * HOUR, to: 5 * HOUR },
    { from: 7 * HOUR, to: 9 * HOUR },
  ]);
  t.same(
    containerReadings([observe('off', 6, 'PALLET', 31), observe('on', 8, 'PALLET', 4)], late, 'LOT', P1_MADE, 3).map((e) => e.id),
    ['on'],
  );
});

t.test('a case left in force on a pallet and ended by a later unpacking: its lot is on the pallet only while the case was', async (t) => {
  const links = [
    linked('LOT', 'CASE', 2, undefined, [1]),
    linked('CASE', 'PALLET', 10, 16, [2, 5]),
    linked('CASE', 'PALLET', 11, 12, [3]),
    linked('CASE', 'PALLET', 14, 16, [4, 5]),
  ];
  t.same(containedPeriods(links, 'LOT', 3).get('PALLET'), [
    { from: 10 * HOUR, to: 12 * HOUR },
    { from: 14 * HOUR, to: 16 * HOUR },
  ]);
  const readings = [observe('off', 13, 'PALLET', 31), observe('on', 15, 'PALLET', 4)];
  t.same(
    containerReadings(readings, links, 'LOT', new Map([...P1_MADE, ['CASE', 'P1']]), 3).map((e) => e.id),
    ['on'],
  );
});

t.test('an unpacking recorded before a packing in force, though dated after it, does not end it', async (t) => {
  // packed and unpacked at hour 5, packed again at hour 5 after that, unpacked at hour 9
  const again = [linked('LOT', 'PALLET', 5, 5, [1, 2]), linked('LOT', 'PALLET', 5, 9, [3, 4])];
  t.same(containedPeriods(again, 'LOT', 3).get('PALLET'), [{ from: 5 * HOUR, to: 9 * HOUR }]);
  // packed at 3, unpacked at 5, a packing at 4 reported after that and in force: the ledger has the lot there now
  const inForce = [linked('LOT', 'PALLET', 3, 5, [1, 2]), linked('LOT', 'PALLET', 4, undefined, [3])];
  t.same(containedPeriods(inForce, 'LOT', 3).get('PALLET'), [{ from: 3 * HOUR, to: Number.POSITIVE_INFINITY }]);
});

t.test('a packing in force again (its unpacking declared in error) ends at the next unpacking recorded after it', async (t) => {
  // packed at 3, then packed at 7 and unpacked at 9 with the rest
  const reopened = [linked('LOT', 'PALLET', 3, undefined, [1]), linked('LOT', 'PALLET', 7, 9, [3, 4])];
  t.same(containedPeriods(reopened, 'LOT', 3).get('PALLET'), [{ from: 3 * HOUR, to: 9 * HOUR }]);
});

t.test('an unpacking that ends no period by event time took out what the ledger held: the packings it ended last until it', async (t) => {
  // packed at 3, unpacked at 5, a packing at 4 reported after that and ended at 9 with nothing packed since hour 5
  const late = [linked('LOT', 'PALLET', 3, 5, [1, 2]), linked('LOT', 'PALLET', 4, 9, [3, 4])];
  t.same(containedPeriods(late, 'LOT', 3).get('PALLET'), [{ from: 3 * HOUR, to: 9 * HOUR }]);
  t.same(
    containerReadings([observe('between', 6, 'PALLET', 31.5), observe('before', 8, 'PALLET', 4)], late, 'LOT', P1_MADE, 3).map((e) => e.id),
    ['between', 'before'],
    'as while the packing of hour 4 was in force',
  );
  // packed at 0 and unpacked at 2; packed at 1 (reported late), ended by the unpacking of hour 4; packed at 3 (reported
  // late), ended by the unpacking of hour 5: the packing of hour 3 lies there until 5, so none ends at 4 and that of
  // hour 1 lies there until 4
  const chained = [linked('LOT', 'PALLET', 0, 2, [1, 2]), linked('LOT', 'PALLET', 1, 4, [3, 4]), linked('LOT', 'PALLET', 3, 5, [5, 6])];
  t.same(containedPeriods(chained, 'LOT', 3).get('PALLET'), [{ from: 0, to: 5 * HOUR }]);
});

// large enough that a pairing of every packing with every unpacking would take minutes (n log n: under a second)
const CYCLES = 20_000;

t.test('tens of thousands of packings each unpacked at one time are paired each with its own unpacking', async (t) => {
  // each pair packed and unpacked at hour 5 in a batch of its own
  const atOneTime = Array.from({ length: CYCLES }, (_, index) => linked('LOT', 'PALLET', 5, 5, [2 * index + 1, 2 * index + 2]));
  t.same(containedPeriods(atOneTime, 'LOT', 3).get('PALLET'), [{ from: 5 * HOUR, to: 5 * HOUR }]);
});

t.test('tens of thousands of packings in force, reported after as many unpackings dated after them, stay open', async (t) => {
  // packed and unpacked late in the day, then as many packings dated before them, reported after them and in force
  const later = Array.from({ length: CYCLES }, (_, index) => linked('LOT', 'PALLET', 1_000 + index, 1_000 + index, [index + 1]));
  const inForce = Array.from({ length: CYCLES }, (_, index) => linked('LOT', 'PALLET', index, undefined, [CYCLES + index + 1]));
  t.same(containedPeriods([...later, ...inForce], 'LOT', 3).get('PALLET'), [{ from: 0, to: Number.POSITIVE_INFINITY }]);
});

const shipped = (id: string, hour: number, code: string, party: string, details: object) =>
  event(id, 'ship', hour, [{ lotCode: code, role: 'subject', quantity: 1 }], party, details);
const received = (id: string, hour: number, code: string, party: string) =>
  event(id, 'receive', hour, [{ lotCode: code, role: 'subject', quantity: 1 }], party, { shipmentId: 'S1' });

t.test('a reading counts when its recorder then held the container or owns the lot', async (t) => {
  const links = [linked('A-LOT', 'PALLET', 1, 5), linked('B-LOT', 'PALLET', 6)];
  const events = [
    shipped('ship', 2, 'PALLET', 'A', { shipmentId: 'S1' }),
    observe('in-transit', 3, 'PALLET', 4, 'A'),
    received('receive', 4, 'PALLET', 'B'),
    observe('keeper', 7, 'PALLET', 3, 'B'),
    observe('maker', 8, 'PALLET', 35, 'A'),
    observe('owner', 9, 'PALLET', 5, 'C'),
  ];
  const makers = (lots: Record<string, string>) => new Map(Object.entries({ PALLET: 'A', ...lots }));
  t.same(
    containerReadings(events, links, 'A-LOT', makers({ 'A-LOT': 'A' }), 3).map((e) => e.id),
    ['in-transit'],
    'the sender answers for the pallet until it is received',
  );
  t.same(
    containerReadings(events, links, 'B-LOT', makers({ 'B-LOT': 'B' }), 3).map((e) => e.id),
    ['keeper'],
    'not the maker’s, who no longer holds the pallet',
  );
  t.same(
    containerReadings(events, links, 'B-LOT', makers({ 'B-LOT': 'C' }), 3).map((e) => e.id),
    ['keeper', 'owner'],
    'the lot’s owner’s reading counts',
  );
});

t.test('only its making and receipts hand a container to a party, in the order they were recorded', async (t) => {
  const makers = new Map([
    ['A-LOT', 'A'],
    ['B-LOT', 'B'],
    ['PALLET', 'A'],
  ]);
  const handedOver = [shipped('ship', 2, 'PALLET', 'A', { shipmentId: 'S1' }), received('r1', 4, 'PALLET', 'B')];
  const sighted = [
    ...handedOver,
    // the maker sights the pallet it sent on departing: a ship that opened no shipment
    shipped('sighting', 7, 'PALLET', 'A', { lines: [] }),
    observe('maker', 8, 'PALLET', 35, 'A'),
  ];
  const sightedLinks = [linked('A-LOT', 'PALLET', 1, 5), linked('B-LOT', 'PALLET', 6)];
  t.same(containerReadings(sighted, sightedLinks, 'B-LOT', makers, 3), [], 'a sighting hands the maker nothing');
  const backdated = [
    shipped('ship', 20, 'PALLET', 'A', { shipmentId: 'S1' }),
    received('r1', 21, 'PALLET', 'B'),
    // B's packing, recorded after the receipt, is dated while the maker held the pallet (see backdatedLinks)
    observe('keeper', 13, 'PALLET', 30, 'B'),
  ];
  const backdatedLinks = [linked('A-LOT', 'PALLET', 10), linked('B-LOT', 'PALLET', 12)];
  t.same(containerReadings(backdated, backdatedLinks, 'A-LOT', makers, 3), [], 'a packing makes its packer no holder');
  const returned = [
    ...handedOver,
    shipped('back', 5, 'PALLET', 'B', { shipmentId: 'S2' }),
    received('r2', 6, 'PALLET', 'A'),
    // the maker may date its shipment of what came back to it before B had it
    shipped('on', 3, 'PALLET', 'A', { shipmentId: 'S3' }),
    received('r3', 3, 'PALLET', 'C'),
    observe('carrier', 5, 'PALLET', 30, 'C'),
    observe('keeper', 5, 'PALLET', 3, 'B'),
  ];
  t.same(
    containerReadings(returned, [linked('A-LOT', 'PALLET', 1)], 'A-LOT', makers, 3).map((e) => e.id),
    ['keeper'],
    'a receipt dated before the one recorded ahead of it hands the pallet over no earlier than that one',
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
  const links: PackingLink[] = [];
  for (let index = 0; index < cycles; index++) {
    const hour = index * 10;
    links.push(
      linked('LOT', 'CASE', hour, hour + 8),
      linked('CASE', 'PALLET', hour + 1, hour + 7),
      linked('PALLET', 'TRUCK', hour + 2, hour + 6),
    );
    events.push(observe(`in${index}`, hour + 4, 'TRUCK', 4), observe(`out${index}`, hour + 9, 'TRUCK', 30));
  }
  const readings = containerReadings(events, links, 'LOT', P1_MADE, 3);
  t.equal(readings.length, cycles, 'each reading while the lot lay in the case on the pallet in the truck, none after');
  t.ok(
    readings.every((reading) => reading.id.startsWith('in')),
    'none taken while the lot was out',
  );
});
