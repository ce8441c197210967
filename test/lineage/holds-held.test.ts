// Whether a scanned case or pallet holds a held lot now (containersState), asked both ways on a real
// database: up from the held lots (fewer than manyHeld held) and down the case (manyHeld 0). Both walks
// must give the same state at every step.
import type { Test } from 'tap';
import { completeGs1 } from '../../src/codes/gs1.js';
import { createLineageRepository } from '../../src/lineage/repository.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a case and its pallet hold a held lot alike whether the scan walks up from the held lots or down the case', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const upWalk = createLineageRepository(world.database.db);
  const downWalk = createLineageRepository(world.database.db, { manyHeld: 0 });
  /** Whether the container's scan is on hold, the same by either walk. */
  const onHold = async (t: Test, code: string, what: string) => {
    const [up, down] = [await upWalk.containersState(code, 'container'), await downWalk.containersState(code, 'container')];
    t.same(down, up, `${what}: the down walk agrees with the up walk`);
    return up?.onHold ?? false;
  };
  const product = await processor.product('piece');
  const [heldLot, besideLot, otherLot] = [
    await processor.commission(product, 10),
    await processor.commission(product, 10),
    await processor.commission(product, 10),
  ];
  const packed = async (body: Record<string, unknown>) =>
    (await world.ok(processor.event({ type: 'aggregate', ...body }))).createdLotCodes[0] as string;
  const heldCase = await packed({
    parent: { sscc: completeGs1('06901234500000132') },
    children: [
      { lotCode: heldLot, quantity: 5 },
      { lotCode: besideLot, quantity: 10 },
    ],
  });
  const besideCase = await packed({ parent: { sscc: completeGs1('06901234500000134') }, children: [{ lotCode: otherLot, quantity: 10 }] });
  const pallet = await packed({
    parent: { sscc: completeGs1('06901234500000135') },
    children: [{ lotCode: heldCase }, { lotCode: besideCase }],
  });
  const containers = { heldCase, besideCase, pallet };
  /** Which containers' scans are on hold, each the same by either walk. */
  const expectHeld = async (t: Test, expected: Record<keyof typeof containers, boolean>) => {
    const actual: Record<string, boolean> = {};
    for (const [what, code] of Object.entries(containers)) actual[what] = await onHold(t, code, what);
    t.same(actual, expected, 'on hold');
  };

  await t.test('nothing held: none', (t) => expectHeld(t, { heldCase: false, besideCase: false, pallet: false }));
  await world.ok(processor.api.post('/holds', { lotCodes: [heldLot], reason: '待检' }));
  await t.test('a lot held: the case that holds it and the pallet it lies on, not the case beside', (t) =>
    expectHeld(t, { heldCase: true, besideCase: false, pallet: true }),
  );
  await world.ok(processor.event({ type: 'disaggregate', parentCode: heldCase, children: [heldLot] }));
  await t.test('the held lot unpacked from its case: neither the case, holding only the lot beside it, nor the pallet', (t) =>
    expectHeld(t, { heldCase: false, besideCase: false, pallet: false }),
  );
  await world.ok(processor.api.post('/holds', { lotCodes: [besideCase], reason: '待检' }));
  await t.test('a case held itself: the pallet it lies on; its own scan takes its hold from its lot, not from here', (t) =>
    expectHeld(t, { heldCase: false, besideCase: false, pallet: true }),
  );
});
