import fc from 'fast-check';
import {
  DEFAULT_YIELD_ALLOWANCES,
  hasEnded,
  LOT_STATUSES,
  lotGap,
  massBalance,
  nextLotStatus,
  parseYieldAllowances,
  quantityProblem,
  transformationYield,
} from '../../src/lots/ledger.js';
import { fileTest } from '../root.js';

const t = fileTest();

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

t.test('a recall read from the status alone gives what the ledger gives (how the writer marks a scope unloaded)', async (t) => {
  const ledger = fc.record({
    onHand: fc.constantFrom(0, 0.001, 5),
    inTransit: fc.constantFrom(0, 3),
    lastDrain: fc.constantFrom(undefined, 'consume', 'sell', 'destroy', 'ship_out'),
    recalled: fc.boolean(),
  });
  fc.assert(
    fc.property(ledger, (state) => {
      const before = nextLotStatus(state);
      const fromStatus = hasEnded(before) ? before : 'recalled';
      return nextLotStatus({ ...state, recalled: true }) === fromStatus;
    }),
  );
  t.pass('for every ledger state');
});

t.test('a lot has ended exactly when nothing of it remains and its last outflow used it up, sold or destroyed it', async (t) => {
  const ledger = fc.record({
    onHand: fc.constantFrom(0, 1e-12, 0.001, 5),
    inTransit: fc.constantFrom(0, 3),
    lastDrain: fc.constantFrom(undefined, 'consume', 'sell', 'destroy', 'ship_out'),
    recalled: fc.boolean(),
  });
  fc.assert(
    fc.property(ledger, (state) => {
      const gone = state.onHand < 1e-9 && state.inTransit === 0;
      const drained = state.lastDrain !== undefined && state.lastDrain !== 'ship_out';
      return hasEnded(nextLotStatus(state)) === (gone && drained);
    }),
  );
  t.notOk(hasEnded('in_transit'), 'goods on the road have not ended');
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
  const unknown = [];
  for (const onHand of [0, 1]) {
    for (const inTransit of [0, 1]) {
      for (const lastDrain of [undefined, 'consume', 'sell', 'destroy', 'other']) {
        for (const recalled of [false, true]) {
          const status = nextLotStatus({ onHand, inTransit, lastDrain, recalled });
          if (!LOT_STATUSES.includes(status)) unknown.push({ onHand, inTransit, lastDrain, recalled, status });
        }
      }
    }
  }
  t.same(unknown, [], 'no combination of inputs gives a status outside LOT_STATUSES');
});

t.test('massBalance', async (t) => {
  t.test('books close: every field', async (t) => {
    // Produced 100 at the farm; 30 consumed; 50 shipped in two shipments: 45 received in full
    // by the plant, which sold 20; 5 still on the road; 10 destroyed.
    const totals = [
      { kind: 'produce', quantity: 100 },
      { kind: 'consume', quantity: -30 },
      { kind: 'ship_out', quantity: -45 },
      { kind: 'ship_out', quantity: -5 },
      { kind: 'receive_in', quantity: 45 },
      { kind: 'sell', quantity: -20 },
      { kind: 'destroy', quantity: -10 },
    ];
    const lines = [
      { quantity: 45, receivedQuantity: 45, status: 'received' },
      { quantity: 5, receivedQuantity: null, status: 'open' },
    ];
    t.strictSame(massBalance(totals, lines), {
      produced: 100,
      received: 45,
      consumed: 30,
      shipped: 50,
      destroyed: 10,
      sold: 20,
      onHand: 35, // 100 - 30 - 50 + 45 - 20 - 10
      inTransit: 5,
      transitLoss: 0,
      unaccounted: 0,
    });
  });

  t.test('books close with a short receipt (transit loss)', async (t) => {
    // 50 shipped, only 45 arrived; one more open shipment of 5.
    const totals = [
      { kind: 'produce', quantity: 100 },
      { kind: 'consume', quantity: -30 },
      { kind: 'ship_out', quantity: -50 },
      { kind: 'ship_out', quantity: -5 },
      { kind: 'receive_in', quantity: 45 },
      { kind: 'sell', quantity: -20 },
      { kind: 'destroy', quantity: -10 },
    ];
    const lines = [
      { quantity: 50, receivedQuantity: 45, status: 'received' },
      { quantity: 5, receivedQuantity: null, status: 'open' },
    ];
    const balance = massBalance(totals, lines);
    t.equal(balance.produced, 100);
    t.equal(balance.received, 45);
    t.equal(balance.consumed, 30);
    t.equal(balance.shipped, 55);
    t.equal(balance.destroyed, 10);
    t.equal(balance.sold, 20);
    t.equal(balance.onHand, 30);
    t.equal(balance.inTransit, 5);
    t.equal(balance.transitLoss, 5);
    t.equal(balance.unaccounted, 0);
  });

  t.test('received line with null receivedQuantity counts as received in full', async (t) => {
    const balance = massBalance(
      [
        { kind: 'produce', quantity: 10 },
        { kind: 'ship_out', quantity: -10 },
        { kind: 'receive_in', quantity: 10 },
      ],
      [{ quantity: 10, receivedQuantity: null, status: 'received' }],
    );
    t.equal(balance.transitLoss, 0);
    t.equal(balance.onHand, 10);
    t.equal(balance.unaccounted, 0);
  });

  t.test('books that do not close show the gap', async (t) => {
    const lines = [
      { quantity: 45, receivedQuantity: 45, status: 'received' },
      { quantity: 5, receivedQuantity: null, status: 'open' },
    ];
    const full = [
      { kind: 'produce', quantity: 100 },
      { kind: 'consume', quantity: -30 },
      { kind: 'ship_out', quantity: -45 },
      { kind: 'ship_out', quantity: -5 },
      { kind: 'receive_in', quantity: 45 },
      { kind: 'sell', quantity: -20 },
      { kind: 'destroy', quantity: -10 },
    ];
    t.equal(massBalance(full, lines).unaccounted, 0, 'baseline closes');

    // The receipt of the 45 was never booked: the shipment says it arrived, the ledger lost it.
    const noReceipt = massBalance(
      full.filter((m) => m.kind !== 'receive_in'),
      lines,
    );
    t.equal(noReceipt.received, 0);
    t.equal(noReceipt.onHand, -10);
    t.equal(noReceipt.unaccounted, 45);

    // The open shipment of 5 has no ship_out: counted both on hand and on the road.
    const noShipOut = massBalance(
      full.filter((m) => !(m.kind === 'ship_out' && m.quantity === -5)),
      lines,
    );
    t.equal(noShipOut.shipped, 45);
    t.equal(noShipOut.onHand, 40);
    t.equal(noShipOut.inTransit, 5);
    t.equal(noShipOut.unaccounted, -5);

    // A movement of an unknown kind moves on hand without a named outflow.
    const stray = massBalance([...full, { kind: 'adjust', quantity: -3 }], lines);
    t.equal(stray.onHand, 32);
    t.equal(stray.unaccounted, 3);

    // Dropping a consume does NOT open a gap: on hand is derived from the same movements, so the
    // 30 simply moves from consumed to on hand (mass balance cannot detect a missing consume).
    const noConsume = massBalance(
      full.filter((m) => m.kind !== 'consume'),
      lines,
    );
    t.equal(noConsume.consumed, 0);
    t.equal(noConsume.onHand, 65);
    t.equal(noConsume.unaccounted, 0);
  });

  t.test('one party’s own stock: its receipts come in, what its shipments delivered goes out', async (t) => {
    // The store received 200, shipped 80 on (78 arrived) and sold 12; its rows and its shipment only.
    const store = massBalance(
      [
        { kind: 'receive_in', quantity: 200 },
        { kind: 'ship_out', quantity: -80 },
        { kind: 'sell', quantity: -12 },
      ],
      [{ quantity: 80, receivedQuantity: 78, status: 'received' }],
      'party',
    );
    t.strictSame(store, {
      produced: 0,
      received: 200,
      consumed: 0,
      shipped: 80,
      destroyed: 0,
      sold: 12,
      onHand: 108,
      inTransit: 0,
      transitLoss: 2,
      unaccounted: 0,
    });
    t.equal(
      massBalance([{ kind: 'receive_in', quantity: 200 }], [], 'lot').unaccounted,
      -200,
      'read as a whole lot, a receipt from outside it comes from nowhere',
    );

    // The maker made 300, delivered 200 and has 20 on the road.
    const made = [
      { kind: 'produce', quantity: 300 },
      { kind: 'ship_out', quantity: -200 },
      { kind: 'ship_out', quantity: -20 },
    ];
    const carried = [
      { quantity: 200, receivedQuantity: 200, status: 'received' },
      { quantity: 20, receivedQuantity: null, status: 'open' },
    ];
    t.match(massBalance(made, carried, 'party'), { produced: 300, shipped: 220, onHand: 80, inTransit: 20, unaccounted: 0 });
    t.equal(massBalance(made, carried.slice(1), 'party').unaccounted, 200, 'stock shipped out that no shipment of its carried is missing');
  });

  t.test('cancelled shipments are ignored', async (t) => {
    const totals = [
      { kind: 'produce', quantity: 20 },
      { kind: 'ship_out', quantity: -5 },
    ];
    const withCancelled = massBalance(totals, [
      { quantity: 5, receivedQuantity: null, status: 'open' },
      { quantity: 7, receivedQuantity: null, status: 'cancelled' },
      { quantity: 9, receivedQuantity: 1, status: 'cancelled' },
    ]);
    t.equal(withCancelled.inTransit, 5);
    t.equal(withCancelled.transitLoss, 0);
    t.equal(withCancelled.unaccounted, 0);
    t.strictSame(withCancelled, massBalance(totals, [{ quantity: 5, receivedQuantity: null, status: 'open' }]));
  });

  t.test('empty input', async (t) => {
    const balance = massBalance([], []);
    t.same(balance, Object.fromEntries(Object.keys(balance).map((field) => [field, 0])), 'every field is 0');
  });

  t.test('rounds to 3 decimals', async (t) => {
    const balance = massBalance(
      [
        { kind: 'produce', quantity: 0.1 },
        { kind: 'produce', quantity: 0.2 },
        { kind: 'consume', quantity: -0.3 },
      ],
      [],
    );
    t.equal(balance.produced, 0.3);
    t.equal(balance.consumed, 0.3);
    t.equal(balance.onHand, 0, 'residue 5.5e-17 rounds away');
    t.equal(balance.unaccounted, 0);

    const fine = massBalance(
      [
        { kind: 'produce', quantity: 1.23456 },
        { kind: 'sell', quantity: -0.0004 },
      ],
      [{ quantity: 0.1234, receivedQuantity: 0.1, status: 'received' }],
    );
    t.equal(fine.produced, 1.235);
    t.equal(fine.sold, 0);
    t.equal(fine.onHand, 1.234);
    t.equal(fine.transitLoss, 0.023);
  });
});

// ---------------------------------------------------------------------------------------------

t.test('quantityProblem: a positive quantity below the stored precision is refused, not booked as 0', async (t) => {
  t.equal(quantityProblem(0.001, 'kg'), null);
  t.equal(quantityProblem(2, 'head'), null);
  t.match(quantityProblem(1e-300, 'kg'), /at most 3 decimals/);
  t.match(quantityProblem(5e-324, 'kg'), /at most 3 decimals/);
  t.match(quantityProblem(1e-300, 'head'), /whole number/);
  t.match(quantityProblem(0.0004, 'kg'), /at most 3 decimals/);
});

t.test('transformationYield: weighed against the allowance of its kind', async (t) => {
  const kg = (quantity: number) => ({ quantity, unit: 'kg' });
  t.match(
    transformationYield('curing', [kg(600)], [kg(390)]),
    { kind: 'curing', input: 600, output: 390, yield: 0.65, gap: 0 },
    'within 50–70 %',
  );
  t.match(transformationYield('curing', [kg(600)], [kg(500)]), { yield: 0.8333, gap: 80 }, '80 kg more than 70 % of 600 kg');
  t.match(transformationYield('curing', [kg(400), kg(200)], [kg(200)]), { input: 600, gap: -100 }, '100 kg short of 50 % of 600 kg');
  t.match(transformationYield('unheard-of', [kg(10)], [kg(11)]), { kind: 'other', gap: 1 }, 'an unknown kind gains nothing');
  t.match(transformationYield(null, [kg(10)], [kg(0)]), { kind: 'other', gap: 0 }, 'and may lose everything');
  t.equal(transformationYield('slaughter', [{ quantity: 10, unit: 'head' }], [kg(800)]), null, 'heads and kilograms do not compare');
  t.equal(transformationYield('packing', [], [kg(1)]), null, 'nothing to weigh');
  t.match(transformationYield('curing', [kg(0)], [kg(0)]), { yield: 0, gap: 0 });
  const strict = { ...DEFAULT_YIELD_ALLOWANCES, curing: { min: 0.6, max: 0.65 } };
  t.match(transformationYield('curing', [kg(100)], [kg(68)], strict), { gap: 3 }, 'allowances are configurable');
});

t.test('lotGap: the ledger and its share of the transformation that made it', async (t) => {
  const closed = massBalance([{ kind: 'produce', quantity: 100 }], []);
  t.equal(lotGap(closed, null), 0);
  const made = transformationYield('curing', [{ quantity: 100, unit: 'kg' }], [{ quantity: 100, unit: 'kg' }]);
  t.equal(lotGap(closed, made && { yield: made, share: 0.25 }), 7.5, 'a quarter of the 30 kg gain');
});

t.test('parseYieldAllowances', async (t) => {
  t.strictSame(parseYieldAllowances(''), DEFAULT_YIELD_ALLOWANCES);
  const parsed = parseYieldAllowances('curing=0.55-0.65, smoking=0.7-0.9');
  t.strictSame(parsed.curing, { min: 0.55, max: 0.65 });
  t.strictSame(parsed.smoking, { min: 0.7, max: 0.9 });
  t.strictSame(parsed.cutting, DEFAULT_YIELD_ALLOWANCES.cutting, 'others keep their defaults');
  t.throws(() => parseYieldAllowances('baking=0.5-0.9'), /not kind=min-max/);
  t.throws(() => parseYieldAllowances('curing=0.7'), /not kind=min-max/);
  t.throws(() => parseYieldAllowances('curing=0.7-0.5'), /lower yield exceeds the upper/);
});
