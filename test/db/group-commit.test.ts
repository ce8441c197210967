import { createGroupCommit } from '../../src/db/group-commit.js';
import { fileTest } from '../root.js';

const t = fileTest();

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

t.test('items queued together run as one group, answered in order', async (t) => {
  const groups: number[][] = [];
  const group = createGroupCommit(async (items: number[]) => {
    groups.push(items);
    return items.map((item) => item * 10);
  });
  t.same(await Promise.all([group.push(1), group.push(2), group.push(3)]), [10, 20, 30]);
  t.same(groups, [[1, 2, 3]]);
  t.same(await group.push(4), 40, 'a lone item runs alone');
  t.same(groups, [[1, 2, 3], [4]]);
});

t.test('what is queued while a group runs is the next group, at most maxGroup at a time', async (t) => {
  const groups: number[][] = [];
  let release: () => void = () => {};
  const group = createGroupCommit(
    async (items: number[]) => {
      groups.push(items);
      if (items[0] === 1) await new Promise<void>((resolve) => (release = resolve));
      return items;
    },
    { maxGroup: 2 },
  );
  const first = group.push(1);
  await tick();
  const later = [2, 3, 4, 5, 6].map((item) => group.push(item));
  await tick();
  t.same(groups, [[1]], 'nothing else runs while the first group is in flight');
  release();
  t.same(await Promise.all([first, ...later]), [1, 2, 3, 4, 5, 6]);
  t.same(groups, [[1], [2, 3], [4, 5], [6]]);
});

t.test('when a group fails, its items run one by one and only the failing one fails', async (t) => {
  const groups: string[][] = [];
  const group = createGroupCommit(async (items: string[]) => {
    groups.push(items);
    if (items.includes('bad')) throw new Error('bad item');
    return items.map((item) => item.toUpperCase());
  });
  const results = await Promise.allSettled([group.push('a'), group.push('bad'), group.push('c')]);
  t.same(
    results.map((result) => (result.status === 'fulfilled' ? result.value : (result.reason as Error).message)),
    ['A', 'bad item', 'C'],
  );
  t.same(groups, [['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  await t.rejects(group.push('bad'), /bad item/, 'a lone failing item fails');
});

t.test('with concurrency 2, a second group runs beside the first', async (t) => {
  let inFlight = 0;
  let most = 0;
  const group = createGroupCommit(
    async (items: number[]) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await tick();
      await tick();
      inFlight--;
      return items;
    },
    { concurrency: 2 },
  );
  const first = group.push(1);
  await tick();
  const second = group.push(2);
  await tick();
  const third = group.push(3);
  t.same(await Promise.all([first, second, third]), [1, 2, 3]);
  t.equal(most, 2);
});
