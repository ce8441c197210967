import { setImmediate as nextTurn } from 'node:timers/promises';
import { mapPausing, pauses } from '../../src/db/turns.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** Whether a callback queued for the next turn ran during `work`: whether `work` handed the loop back. */
async function handsBack(work: () => Promise<void> | undefined): Promise<boolean> {
  let ran = false;
  setImmediate(() => {
    ran = true;
  });
  await work();
  const handedBack = ran;
  await nextTurn();
  return handedBack;
}

t.test('a pause hands the event loop back once its budget is spent', async (t) => {
  const pause = pauses(0);
  t.ok(await handsBack(pause), 'with the budget spent, other work runs before the loop goes on');
});

t.test('a pause within its budget keeps going without giving the loop away', async (t) => {
  const pause = pauses(60_000);
  t.notOk(await handsBack(pause), 'within the budget nothing else runs in between');
});

t.test('a loop with a pause per iteration lets waiting work in while it runs', async (t) => {
  // Bounded by a generous deadline rather than a fixed window: on a loaded machine one slice of the
  // loop can outlast a short window, and whether the timer gets in must not depend on that.
  const pause = pauses(5);
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 1);
  const deadline = performance.now() + 5_000;
  while (ticks === 0 && performance.now() < deadline) await pause();
  clearInterval(ticker);
  t.ok(ticks > 0, 'a 1 ms timer fires while the busy loop is still running');
});

t.test('mapPausing maps in order, handing the loop back as it goes', async (t) => {
  const items = Array.from({ length: 5 }, (_, index) => index);
  t.same(await mapPausing(items, (item) => item * 2, 60_000), [0, 2, 4, 6, 8], 'the same as items.map');
  t.ok(
    await handsBack(() => mapPausing(items, (item) => item, 0).then(() => undefined)),
    'with the budget spent, other work runs in between',
  );
});
