// Code jobs take turns between parties: one party's large job does not hold back another party's
// job until it ends, and one party's jobs run one after the other rather than taking every slot.
import { createRepositories } from '../../src/app.js';
import { createItemService } from '../../src/items/service.js';
import { createWorld } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test("one party's large job does not hold back another party's job until it ends", async (t) => {
  const world = await createWorld(t);
  const large = await world.party('processor');
  const small = await world.party('processor');
  const bulk = await large.commission(await large.product('kg'), 5);
  const few = await small.commission(await small.product('piece'), 5);
  const repositories = createRepositories(world.database);
  // the large party's codes are stored only once the test lets them: its job runs as long as the test says
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const service = createItemService({
    items: {
      ...repositories.items,
      async insertCodes(jobId, lotCode, partyCode, codes, first, lease) {
        if (partyCode === large.code) await held;
        return repositories.items.insertCodes(jobId, lotCode, partyCode, codes, first, lease);
      },
    },
    lots: repositories.lots,
    products: repositories.products,
    brands: world.app.services.brands,
    publicBaseUrl: TEST_BASE_URL,
  });
  const operator = (party: { code: string }) => ({ keyId: 'k', role: 'operator' as const, partyCode: party.code });

  const big = await service.issue(operator(large), bulk, 30_000);
  const next = await service.issue(operator(large), bulk, 1);
  const one = await service.issue(operator(small), few, 1);
  let status = one.status;
  for (let i = 0; i < 400 && status !== 'succeeded'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    status = (await service.job(operator(small), one.id)).status;
  }
  const [bigThen, nextThen] = [await service.job(operator(large), big.id), await service.job(operator(large), next.id)];
  release();
  await service.idle();

  t.equal(status, 'succeeded', "the other party's job is issued while the large job runs");
  t.equal(bigThen.status, 'running', 'the large job was still running');
  t.equal(nextThen.status, 'queued', "and the large party's next job waited for it");
  t.match(await service.job(operator(large), big.id), { status: 'succeeded', done: 30_000 }, 'the large job ends');
  t.match(await service.job(operator(large), next.id), { status: 'succeeded', done: 1 }, 'and so does the next');
});
