// Which error declarations and receipts in a document have the events after them planned again
// (declarationsThatReplan, receiptsThatReplan): pure, no database.
import { declarationsThatReplan, type Footprint, receiptsThatReplan } from '../../src/epcis/replanning.js';
import { fileTest } from '../root.js';

const t = fileTest();

const names = (lotCodes: string[], more: Partial<Footprint> = {}): Footprint => ({ transformationId: null, lotCodes, ...more });

t.test('a declaration that can change what a later plan reads is followed by a new plan', async (t) => {
  const later = [{ index: 2, planned: names(['L2'], { transformationId: 'T1' }) }];
  t.same([...declarationsThatReplan([{ index: 1, declared: names(['L1'], { recordType: 'receive' }) }], later)], [1], 'a receipt');
  t.same(
    [...declarationsThatReplan([{ index: 1, declared: names(['L1'], { recordType: 'transform', transformationId: 'T1' }) }], later)],
    [1],
    'a step of a transformation a later event joins',
  );
  t.same(
    [...declarationsThatReplan([{ index: 1, declared: names(['L1', 'L2']) }], later)],
    [1],
    'an event naming a lot a later event names',
  );
});

t.test('any other declaration is not', async (t) => {
  const later = [
    { index: 1, planned: names(['N1']) },
    { index: 3, planned: names(['N2'], { transformationId: 'T2' }) },
  ];
  t.same(
    [
      ...declarationsThatReplan(
        [
          { index: 0, declared: names(['S0'], { recordType: 'commission' }) },
          { index: 2, declared: names(['S1'], { recordType: 'transform', transformationId: 'T1' }) },
          { index: 4, declared: names(['N2'], { recordType: 'receive' }) },
        ],
        later,
      ),
    ],
    [],
    'other lots, another transformation, nothing after the last',
  );
  t.same(
    [...declarationsThatReplan([{ index: 2, declared: names(['N1'], { transformationId: 'T2' }) }], later)].sort(),
    [2],
    'a lot an earlier event names does not count, a later transformation does',
  );
  t.same(
    [...declarationsThatReplan([{ index: 2, declared: names(['N1']) }], later)],
    [],
    'only what events after the declaration name counts',
  );
});

t.test('each declaration looks at the events after it alone', async (t) => {
  const later = [
    { index: 1, planned: names(['A']) },
    { index: 3, planned: names(['B']) },
    { index: 5, planned: names(['C']) },
  ];
  const declarations = [0, 2, 4, 6].map((index) => ({ index, declared: names(['A', 'B', 'C']) }));
  t.same(
    [...declarationsThatReplan(declarations, later)].sort((a, b) => a - b),
    [0, 2, 4],
    'every declaration but the one after the last event',
  );
  t.same([...declarationsThatReplan([{ index: 4, declared: names(['A', 'B']) }], later)], [], 'the lots of earlier events do not count');
});

t.test('a declaration between two new events naming the same lot is followed by a new plan', async (t) => {
  const newEvents = [
    { index: 0, planned: names(['A']) },
    { index: 2, planned: names(['A']) },
    { index: 4, planned: names(['B']) },
    { index: 6, planned: names(['C']) },
  ];
  const declarations = [1, 3, 5].map((index) => ({ index, declared: names([`S${index}`]) }));
  t.same([...declarationsThatReplan(declarations, newEvents)], [1], 'only the one between the two events naming A');
  t.same(
    [...declarationsThatReplan(declarations, [...newEvents, { index: 7, planned: names(['A']) }])].sort(),
    [1, 3, 5],
    'every one while A is named again after them',
  );
});

t.test('a declaration between two new receipts of other lots is not followed by a new plan', async (t) => {
  // two receipts of one shipment are planned apart by receiptsThatReplan, whatever lies between them
  const newEvents = [
    { index: 0, planned: names(['PALLET'], { recordType: 'receive' }) },
    { index: 2, planned: names(['LOT'], { recordType: 'receive' }) },
  ];
  t.same([...declarationsThatReplan([{ index: 1, declared: names(['S1']) }], newEvents)], [], 'nothing the declaration changed');
});

t.test('a receipt of a shipment a later receipt takes in too is followed by a new plan (proceed)', async (t) => {
  t.same(
    [
      ...receiptsThatReplan([
        { index: 0, receivesIn: 'S1' },
        { index: 1, receivesIn: null },
        { index: 3, receivesIn: 'S2' },
        { index: 4, receivesIn: 'S1' },
        { index: 6, receivesIn: 'S1' },
      ]),
    ].sort(),
    [0, 4],
    'each receipt of S1 that another follows; not S2, received once, nor the last of S1',
  );
  t.same(
    [
      ...receiptsThatReplan([
        { index: 0, receivesIn: 'S1' },
        { index: 1, receivesIn: 'S2' },
        { index: 2, receivesIn: null },
      ]),
    ],
    [],
    'receipts of different shipments: planned once',
  );
});
