import { setImmediate as nextTurn } from 'node:timers/promises';
import { createBatchLoader } from '../../src/db/batch-loader.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A loader over a fixed table that records the key lists it was asked for. */
function recorded(table: Record<string, number>, options?: { maxBatch?: number }) {
  const calls: string[][] = [];
  const loader = createBatchLoader(async (keys: string[]) => {
    calls.push(keys);
    return new Map(keys.filter((key) => key in table).map((key) => [key, table[key]]));
  }, options);
  return { loader, calls };
}

t.test('lookups of one turn share one call; missing keys resolve undefined', async (t) => {
  const { loader, calls } = recorded({ a: 1, b: 2, c: 3 });
  const found = await Promise.all(['a', 'c', 'x', 'b'].map((key) => loader.load(key)));
  t.strictSame(found, [1, 3, undefined, 2]);
  t.strictSame(calls, [['a', 'c', 'x', 'b']]);
});

t.test('a key asked twice in a turn is loaded once and answers both', async (t) => {
  const { loader, calls } = recorded({ a: 1 });
  t.strictSame(await Promise.all([loader.load('a'), loader.load('a')]), [1, 1]);
  t.strictSame(calls, [['a']]);
});

t.test('lookups of later turns get their own calls', async (t) => {
  const { loader, calls } = recorded({ a: 1, b: 2 });
  const first = loader.load('a');
  await nextTurn();
  const second = loader.load('b');
  t.strictSame([await first, await second], [1, 2]);
  t.strictSame(calls, [['a'], ['b']]);
});

t.test('a full batch goes at once; the rest waits for the turn to end', async (t) => {
  const { loader, calls } = recorded({ a: 1, b: 2, c: 3, d: 4, e: 5 }, { maxBatch: 2 });
  const found = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((key) => loader.load(key)));
  t.strictSame(found, [1, 2, 3, 4, 5]);
  t.strictSame(calls, [['a', 'b'], ['c', 'd'], ['e']]);
});

t.test('a failed call rejects every lookup of its batch, and only those', async (t) => {
  let fail = true;
  const loader = createBatchLoader(async (keys: string[]) => {
    if (fail) throw new Error('connection reset');
    return new Map(keys.map((key) => [key, key.length]));
  });
  const failed = await Promise.allSettled([loader.load('a'), loader.load('bb')]);
  t.strictSame(
    failed.map((result) => result.status === 'rejected' && (result.reason as Error).message),
    ['connection reset', 'connection reset'],
  );
  fail = false;
  t.equal(await loader.load('ccc'), 3, 'the next turn loads again');
});

t.test('a loader that throws before returning a promise rejects its lookups', async (t) => {
  const loader = createBatchLoader<string, number>(() => {
    throw new Error('bad statement');
  });
  await t.rejects(loader.load('a'), { message: 'bad statement' });
});
