// Cooperative scheduling for long synchronous work: Node runs one thing at a time, so a loop over
// 10,000 events keeps every other request (scans, other parties' captures) waiting until it ends.
import { setImmediate as nextTurn } from 'node:timers/promises';

export { nextTurn };

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

/**
 * The pages of a streamed answer, handing the event loop a turn before fetching each next one.
 * PGlite answers in microtasks and a fast client keeps the socket writable, so a loop of
 * `await pages.next()` feeding a stream otherwise runs to the last page with every other request
 * (even `/health`) waiting: a million codes took minutes.
 */
export async function* takingTurns<T>(pages: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T, void, undefined> {
  for await (const page of pages) {
    yield page;
    await nextTurn();
  }
}
