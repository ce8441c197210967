// The recall service with its repository on a real database, where the order of concurrent acts
// matters: a holder's report and the recall's closing take the recall in turn.
import type { Database } from '../../src/db/client.js';
import { createIdentifierService } from '../../src/identifiers/service.js';
import { createRecallService } from '../../src/recalls/service.js';
import { type Chain, createChain, eventWriterOn } from '../fixtures/chain.js';
import { openTestDatabase, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A recall service whose transactions wait, once begun, until `release`: `atTransaction` tells when one does. */
function heldAtTransaction(database: Database, repositories: Chain['repositories']) {
  let reached!: () => void;
  const atTransaction = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const racing = createRecallService({
    transaction: async (work) => {
      reached();
      await released;
      return database.db.transaction((tx) => work(tx as never));
    },
    writer: eventWriterOn(database),
    recalls: repositories.recalls,
    identifiers: createIdentifierService({ ...repositories, publicBaseUrl: TEST_BASE_URL }),
    tradingPartners: repositories.shipments.tradingPartners,
    now: () => new Date(),
  });
  return { racing, atTransaction, release };
}

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
  const { racing, atTransaction, release } = heldAtTransaction(database, repositories);
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

t.test('a report written after another recall of the lot opened counts for that recall too', async (t) => {
  const database = await openTestDatabase(t);
  const chain = createChain(database);
  const { services, repositories } = chain;
  const producer = await chain.party('processor');
  const shop = await chain.party('retailer');
  const lot = await producer.commission(await producer.product('kg'), 10);
  await shop.receive(await producer.ship(shop, [{ lotCode: lot }]));
  // a lot of the producer's destroyed whole, which no one holds, beside the second: a recall reaching nothing new is refused
  const ended = await producer.commission(await producer.product('kg'), 1);
  await producer.event({ type: 'destroy', reason: '销毁', lines: [{ lotCode: ended }] });
  const open = (reason: string, also: string[] = []) =>
    services.recalls.open(producer.principal, { lotCodes: [lot, ...also], level: 3, reason, hazard: '过敏原未标示' });
  const first = await open('标签错误');

  // the shop's report is checked, then waits at its transaction while the producer opens a second recall
  const { racing, atTransaction, release } = heldAtTransaction(database, repositories);
  const late = racing.report(shop.principal, first.id, { lines: [{ lotCode: lot, returned: 0, destroyed: 10 }] });
  await atTransaction;
  const second = await open('农残超标', [ended]);
  release();
  await late;

  const shopLine = async (id: string) =>
    (await services.recalls.get(producer.principal, id)).holderDetails?.find((holder) => holder.partyCode === shop.code)?.lines;
  t.match(
    await shopLine(second.id),
    [{ lotCode: lot, affected: 10, destroyed: 10 }],
    'the stock the second asked for was destroyed after it opened',
  );
  t.match((await services.recalls.get(producer.principal, second.id)).progress, { share: 1 });
});
