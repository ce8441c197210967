// Which events a proceed batch drops before it is judged again (droppedInBatchOrder): the last in the
// batch of those refused on each party's lot, or every one dated before a receipt.

import { unprocessable } from '../../src/errors/problem.js';
import { droppedInBatchOrder, type RefusedOnceApplied, refusedEvents } from '../../src/events/writer/scope.js';
import { fileTest } from '../root.js';

const t = fileTest();

const refusal = (index: number, on: string, rule: RefusedOnceApplied['rule'] = 'held-then'): RefusedOnceApplied => ({
  index,
  on,
  rule,
  problem: unprocessable(rule === 'held-then' ? 'not-held-at-event-time' : 'event-time-before-receipt', `event ${index} on ${on}`, []),
});
const indexes = (dropped: { index: number }[]) => dropped.map(({ index }) => index);

t.test('of the events short of one party’s lot, the last in the batch is dropped', async (t) => {
  t.same(indexes(droppedInBatchOrder([refusal(0, 'store|meat'), refusal(3, 'store|meat'), refusal(1, 'store|meat')])), [3]);
});

t.test('one event for each party’s lot going short, each once with its first problem', async (t) => {
  const dropped = droppedInBatchOrder([
    refusal(0, 'store|meat'),
    refusal(2, 'store|meat'),
    refusal(2, 'store|fish'),
    refusal(1, 'store|fish'),
    refusal(1, 'shop|meat'),
    refusal(4, 'shop|fish'),
  ]);
  t.same(indexes(dropped), [1, 2, 4], 'in the order of the batch');
  t.equal(dropped[1].problem.detail, 'event 2 on store|meat', 'an event short of two lots, by the first');
});

t.test('every event dated before a receipt is dropped at once, before any short of a lot', async (t) => {
  const dropped = droppedInBatchOrder([
    refusal(0, 'store|meat', 'received-by'),
    refusal(1, 'store|meat'),
    refusal(2, 'store|meat', 'received-by'),
    refusal(3, 'store|meat'),
  ]);
  t.same(indexes(dropped), [0, 2]);
});

t.test('refusedEvents: each refused event once, by its first problem, in the order of the batch', async (t) => {
  const refused = refusedEvents([refusal(2, 'store|meat'), refusal(0, 'store|fish'), refusal(2, 'store|fish')]);
  t.same(
    refused.map(({ index, problem }) => [index, problem.detail]),
    [
      [0, 'event 0 on store|fish'],
      [2, 'event 2 on store|meat'],
    ],
  );
});
