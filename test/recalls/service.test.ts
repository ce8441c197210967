// The recall service with its repository on a real database, where the order of concurrent acts
// matters: a holder's report and the recall's closing take the recall in turn.
import { createRecallService } from '../../src/recalls/service.js';
import { createChain, eventWriterOn } from '../fixtures/chain.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a report that reaches the recall after it closed is refused, and leaves nothing behind', async (t) => {
  const database = await openTestDatabase(t);
  const chain = createChain(database);
  const { services, repositories } = chain;
  const producer = await chain.party('processor');
  const shop = await chain.party('retailer');
  const lot = await producer.commission(await producer.product('kg'), 10);
  await shop.receive(await producer.ship(shop, [{ lotCode: lot }]));
  const recall = await services.recalls.open(producer.principal, { lotCodes: [lot], level: 3, reason: '标签错误', hazard: '过敏原未标示' });
  await services.recalls.report(shop.principal, recall.id, { lines: [] });

  // the shop's next report is checked, then waits at its transaction while the producer closes the recall
  let reached!: () => void;
  const atTransaction = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let release!: () => void;
  const closed = new Promise<void>((resolve) => {
    release = resolve;
  });
  const racing = createRecallService({
    transaction: async (work) => {
      reached();
      await closed;
      return database.db.transaction((tx) => work(tx as never));
    },
    writer: eventWriterOn(database),
    recalls: repositories.recalls,
    tradingPartners: repositories.shipments.tradingPartners,
    now: () => new Date(),
  });
  const late = racing.report(shop.principal, recall.id, { lines: [{ lotCode: lot, returned: 0, destroyed: 3 }] });
  await atTransaction;
  t.match(await services.recalls.close(producer.principal, recall.id, {}), { status: 'closed' });
  release();
  t.match(await late.catch((error) => error), { status: 409, detail: /closed/ }, 'the recall closed meanwhile');

  const report = await services.recalls.finalReport(producer.principal, recall.id);
  t.same(
    report.actions.map((action) => [action.lotCode, action.destroyed]),
    [[null, 0]],
    'only the acknowledgement made before the close',
  );
  t.match((await services.lots.get(shop.principal, lot)).massBalance, { destroyed: 0 }, 'and nothing destroyed');
});
