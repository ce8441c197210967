// Cooperative scheduling for long synchronous work: Node runs one thing at a time, so a loop over
// 10,000 events keeps every other request (scans, other parties' captures) waiting until it ends.
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * A yield point for a long loop: `await pause()` on every iteration hands the event loop back
 * once `budgetMs` of work has passed since the last hand-back (and costs a clock read otherwise:
 * no promise is made then, where an async function made one per iteration of 10,000),
 * so no request waits much longer than that behind the loop.
 */
export function pauses(budgetMs = 20): () => Promise<void> | undefined {
  let since = performance.now();
  const handBack = async () => {
    await nextTurn();
    since = performance.now();
  };
  return () => (performance.now() - since < budgetMs ? undefined : handBack());
}

/** `items.map(map)` for long lists, handing the event loop back every `budgetMs` (see `pauses`). */
export async function mapPausing<T, R>(items: readonly T[], map: (item: T) => R, budgetMs?: number): Promise<R[]> {
  const pause = pauses(budgetMs);
  const mapped: R[] = [];
  for (const item of items) {
    const paused = pause();
    if (paused) await paused;
    mapped.push(map(item));
  }
  return mapped;
}
