// Recalled stock returned to its maker is disposed of before the recall is done (食品召回管理办法:
// recalled food is taken back and destroyed): the party it went back to reports it destroyed in the
// recall, the recall tells what was recovered from the market from what was disposed of, names what
// is returned and not yet destroyed, by the party holding it, and does not close on it without a
// regulator's override.
import type { Test } from 'tap';
import { type Actor, createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Returned = {
  partyCode: string;
  lotCode: string;
  unit: string;
  sent: number;
  received: number;
  destroyed: number;
  lost: number;
};
type Recall = {
  id: string;
  status: string;
  progress: { share: number; byUnit: { unit: string; affected: number; recovered: number }[] };
  disposal: { share: number; byUnit: { unit: string; recovered: number; destroyed: number; share: number }[] };
  returns: Returned[];
};

/** A farm's lot of 20 pieces, `toShop` of them with a shop, recalled by the county's regulator. */
async function returnedWorld(t: Test, toShop: number) {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const shop = await world.party('retailer');
  const lot = await farm.commission(await farm.product('piece'), 20);
  await world.handOver(farm, shop, lot, toShop);
  const regulator = await world.partyRegulator();
  const recall = (await world.ok(
    regulator.post('/recalls', { lotCodes: [lot], level: 2, reason: '农残超标', hazard: '毒死蜱超标' }),
  )) as Recall;
  const read = async (): Promise<Recall> => world.ok(regulator.get(`/recalls/${recall.id}`), 200);
  const report = (party: Actor, lines: object[]) => party.api.post(`/recalls/${recall.id}/reports`, { lines });
  /** The shop returns all it holds by report; the return shipment it wrote and when it left. */
  const shopReturns = async () => {
    expectStatus(t, await report(shop, [{ lotCode: lot, returned: toShop }]), 201, 'the shop returns what it holds');
    const events = (await world.ok(regulator.get(`/events?lotCode=${lot}&limit=100`), 200)).items as {
      type: string;
      partyCode: string;
      eventTime: string;
      details: { shipmentId: string };
    }[];
    const back = events.find((event) => event.type === 'ship' && event.partyCode === shop.code);
    return { shipmentId: back?.details.shipmentId as string, eventTime: back?.eventTime as string };
  };
  /** The farm receives the return (at the time it left: the clock of the report's event reads milliseconds), all of it or `quantity`. */
  const farmReceives = async (back: { shipmentId: string; eventTime: string }, quantity?: number) =>
    world.ok(
      farm.event({
        type: 'receive',
        shipmentId: back.shipmentId,
        eventTime: back.eventTime,
        ...(quantity === undefined ? {} : { lines: [{ lotCode: lot, quantity }] }),
      }),
    );
  return { world, farm, shop, lot, regulator, recall, read, report, shopReturns, farmReceives };
}

t.test('the maker destroys in the recall what came back to it, and the recall closes only once it has', async (t) => {
  const { world, farm, lot, regulator, recall, read, report, shopReturns, farmReceives } = await returnedWorld(t, 20);
  const back = await shopReturns();
  t.ok(back.shipmentId, 'the return is a shipment to the farm');

  const returned = await read();
  t.match(
    returned.progress,
    { share: 1, byUnit: [{ unit: 'piece', affected: 20, recovered: 20 }] },
    'recovered from the market: all of it',
  );
  t.strictSame(
    returned.disposal,
    { share: 0, byUnit: [{ unit: 'piece', recovered: 20, destroyed: 0, share: 0 }] },
    'disposed of: nothing yet',
  );
  t.match(
    returned.returns,
    [{ partyCode: farm.code, lotCode: lot, unit: 'piece', sent: 20, received: 0, destroyed: 0 }],
    'the 20 are on their way back to the farm, not destroyed',
  );
  t.equal(returned.returns.length, 1);

  const early = await regulator.post(`/recalls/${recall.id}/close`, {});
  t.equal(early.status, 409, 'not closed while returned stock is not destroyed');
  t.match(early.body.detail, farm.code);
  t.match(early.body.detail, lot);
  t.match(early.body.errors, [{ in: 'body', pointer: '/overrideReason' }]);

  expectStatus(t, await report(farm, [{ lotCode: lot, destroyed: 20 }]), 422, 'nothing is destroyed while on its way back');
  await farmReceives(back);
  const tooMuch = expectStatus(t, await report(farm, [{ lotCode: lot, destroyed: 21 }]), 422, 'no more than came back');
  t.match(tooMuch.body.detail, /20 returned to it left to destroy/);
  expectStatus(t, await report(farm, [{ lotCode: lot, returned: 1 }]), 422, 'what came back is not returned again');
  const destroyed = expectStatus(t, await report(farm, [{ lotCode: lot, destroyed: 20 }]), 201, 'the farm destroys the 20');
  t.match(destroyed.body.returns, [{ partyCode: farm.code, lotCode: lot, sent: 20, received: 20, destroyed: 20 }], 'it sees its own');

  const disposed = await read();
  t.strictSame(disposed.disposal, { share: 1, byUnit: [{ unit: 'piece', recovered: 20, destroyed: 20, share: 1 }] });
  t.match(disposed.progress, { share: 1, byUnit: [{ affected: 20, recovered: 20 }] }, 'recovered from the market as before');
  const listed = (await world.ok(regulator.get('/recalls'), 200)).items.find((item: Recall) => item.id === recall.id);
  t.strictSame(listed.disposal, disposed.disposal, 'the list sums it up as the view does');
  expectStatus(t, await report(farm, [{ lotCode: lot, destroyed: 1 }]), 422, 'nothing left to destroy');

  const closed = await world.ok(regulator.post(`/recalls/${recall.id}/close`, {}), 200);
  t.match(closed, { status: 'closed', overrideReason: null }, 'disposed of: closed without an override');
  const final = await world.ok(regulator.get(`/recalls/${recall.id}/report`), 200);
  t.match(final.recall.returns, [{ partyCode: farm.code, lotCode: lot, sent: 20, received: 20, destroyed: 20 }]);
  t.match(final.actions, [
    { lotCode: lot, returned: 20 },
    { partyCode: farm.code, lotCode: lot, destroyed: 20 },
  ]);
});

t.test('a maker that held some itself destroys its own first, then what came back; the page says what is left', async (t) => {
  const { world, farm, shop, lot, regulator, recall, read, report, shopReturns, farmReceives } = await returnedWorld(t, 8);
  await farmReceives(await shopReturns());
  expectStatus(t, await report(farm, [{ lotCode: lot, destroyed: 15 }]), 201, 'its own 12 and 3 of the 8');

  const partly = await read();
  t.match(partly.progress, { share: 1, byUnit: [{ affected: 20, recovered: 20 }] });
  t.strictSame(partly.disposal.byUnit, [{ unit: 'piece', recovered: 20, destroyed: 15, share: 0.75 }]);
  t.match(partly.returns, [{ partyCode: farm.code, lotCode: lot, sent: 8, received: 8, destroyed: 3 }]);
  const page = await regulator.get(`/recalls/${recall.id}/report?format=html`);
  t.match(page.body, '退回待销毁');
  t.match(page.body, new RegExp(`${farm.code}[\\s\\S]*${lot}[\\s\\S]*>5 件<`), 'the farm has 5 returned pieces to destroy');

  const shopView = await world.ok(shop.api.get(`/recalls/${recall.id}`), 200);
  t.same(shopView.returns, [], 'a holder sees no other party’s returned stock');

  const refused = expectStatus(t, await regulator.post(`/recalls/${recall.id}/close`, {}), 409, 'refused');
  t.match(refused.body.detail, `${farm.code} ${lot} (5 piece)`);
  const overridden = await world.ok(regulator.post(`/recalls/${recall.id}/close`, { overrideReason: '余量已现场监督销毁' }), 200);
  t.match(overridden, { status: 'closed', overrideReason: '余量已现场监督销毁' }, 'a regulator closes it with a reason');
});

t.test('a case returned to the maker of the lot in it is destroyed whole: the case and the lot in it are disposed of', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const dealer = await world.party('distributor');
  const shop = await world.party('retailer');
  const lot = await farm.commission(await farm.product('piece'), 5);
  await world.handOver(farm, dealer, lot, 5);
  const box = await dealer.pack([{ lotCode: lot, quantity: 5 }]);
  await world.handOver(dealer, shop, box);
  const regulator = await world.partyRegulator();
  const recall = await world.ok(regulator.post('/recalls', { lotCodes: [lot], level: 2, reason: '农残超标', hazard: 'h' }));
  await world.ok(shop.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: box, returned: 1 }] }));
  const [back] = (await world.ok(farm.api.get('/shipments'), 200)).items.filter(
    (shipment: { fromPartyCode: string }) => shipment.fromPartyCode === shop.code,
  );
  await world.ok(farm.event({ type: 'receive', shipmentId: back.id, eventTime: back.shippedAt }));
  const returned: Recall = await world.ok(regulator.get(`/recalls/${recall.id}`), 200);
  t.match(
    returned.returns
      .map(({ lotCode, sent, received, destroyed }) => ({ lotCode, sent, received, destroyed }))
      .sort((a, b) => (a.lotCode < b.lotCode ? -1 : 1)),
    [
      { lotCode: box, sent: 1, received: 1, destroyed: 0 },
      { lotCode: lot, sent: 5, received: 5, destroyed: 0 },
    ].sort((a, b) => (a.lotCode < b.lotCode ? -1 : 1)),
    'the case went back to the farm with the 5 in it',
  );
  t.strictSame(returned.disposal.byUnit, [{ unit: 'piece', recovered: 5, destroyed: 0, share: 0 }], 'the pieces in it count');
  expectStatus(t, await regulator.post(`/recalls/${recall.id}/close`, {}), 409, 'not destroyed yet');

  expectStatus(
    t,
    await farm.api.post(`/recalls/${recall.id}/reports`, { lines: [{ lotCode: box, destroyed: 1 }] }),
    201,
    'the farm destroys the case',
  );
  const destroyed: Recall = await world.ok(regulator.get(`/recalls/${recall.id}`), 200);
  t.ok(
    destroyed.returns.every((line) => line.destroyed === line.sent),
    'the case and the lot in it are destroyed',
  );
  t.strictSame(destroyed.disposal.byUnit, [{ unit: 'piece', recovered: 5, destroyed: 5, share: 1 }]);
  await world.ok(regulator.post(`/recalls/${recall.id}/close`, {}), 200);
});

t.test('stock lost on the way back: the maker destroys what it received, the rest is lost in transit and the recall closes', async (t) => {
  const { farm, lot, regulator, recall, read, report, shopReturns, farmReceives } = await returnedWorld(t, 20);
  await farmReceives(await shopReturns(), 15);
  const short = await read();
  t.match(short.returns, [{ partyCode: farm.code, lotCode: lot, sent: 20, received: 15, destroyed: 0, lost: 5 }], '5 lost in transit');
  const refused = expectStatus(t, await regulator.post(`/recalls/${recall.id}/close`, {}), 409, 'what came back is not destroyed yet');
  t.match(refused.body.detail, `${farm.code} ${lot} (15 piece)`, 'it waits for the 15 received only');
  expectStatus(t, await report(farm, [{ lotCode: lot, destroyed: 16 }]), 422, 'no more than it received');
  expectStatus(t, await report(farm, [{ lotCode: lot, destroyed: 15 }]), 201, 'the farm destroys the 15');
  const disposed = await read();
  t.match(disposed.returns, [{ sent: 20, received: 15, destroyed: 15, lost: 5 }]);
  const page = await regulator.get(`/recalls/${recall.id}/report?format=html`);
  t.match(page.body, '途中损失');
  t.match(page.body, new RegExp(`${lot}[\\s\\S]*>5 件<[\\s\\S]*>0 件<`), 'the page shows 5 lost and nothing left to destroy');
  const csv: string = (await regulator.get(`/recalls/${recall.id}/holders?format=csv`)).body;
  const [header, ...lines] = csv
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n')
    .map((line) => line.split(','));
  const returnedRow = lines
    .map((line) => Object.fromEntries(header.map((name, i) => [name, line[i]])))
    .find((row) => row.record === 'returned');
  t.match(
    returnedRow,
    {
      holder: farm.code,
      lot_code: lot,
      destroyed: '15',
      outstanding: '0',
      returned_sent: '20',
      returned_received: '15',
      lost_in_transit: '5',
    },
    'the holders CSV has the returned stock, lost in transit too',
  );
  const closed = await regulator.post(`/recalls/${recall.id}/close`, {});
  expectStatus(t, closed, 200, 'lost stock does not keep it open');
  t.match(closed.body, { status: 'closed', overrideReason: null });
});

t.test('a return that never arrives: its receipt at 0 ends it as lost in transit; until then it keeps the recall open', async (t) => {
  const { farm, lot, regulator, recall, read, shopReturns, farmReceives } = await returnedWorld(t, 20);
  const back = await shopReturns();
  const waiting = expectStatus(t, await regulator.post(`/recalls/${recall.id}/close`, {}), 409, 'on its way: not closed');
  t.match(waiting.body.detail, `${farm.code} ${lot} (20 piece)`);
  await farmReceives(back, 0);
  t.match((await read()).returns, [{ sent: 20, received: 0, destroyed: 0, lost: 20 }], 'all of it lost');
  expectStatus(t, await regulator.post(`/recalls/${recall.id}/close`, {}), 200, 'nothing left to destroy');
});

t.test('returned stock destroyed by a plain destroy event counts, alone or with a report, never twice', async (t) => {
  const { world, farm, lot, regulator, recall, read, report, shopReturns, farmReceives } = await returnedWorld(t, 20);
  const back = await shopReturns();
  await farmReceives(back);
  await world.ok(farm.event({ type: 'destroy', reason: '退回销毁', eventTime: back.eventTime, lines: [{ lotCode: lot, quantity: 12 }] }));
  const partly = await read();
  t.match(partly.returns, [{ partyCode: farm.code, lotCode: lot, sent: 20, received: 20, destroyed: 12, lost: 0 }], 'the 12 count');
  t.strictSame(partly.disposal.byUnit, [{ unit: 'piece', recovered: 20, destroyed: 12, share: 0.6 }]);
  const tooMuch = expectStatus(t, await report(farm, [{ lotCode: lot, destroyed: 9 }]), 422, 'only 8 are left to destroy');
  t.match(tooMuch.body.detail, /8 returned to it left to destroy/);
  expectStatus(t, await report(farm, [{ lotCode: lot, destroyed: 8 }]), 201, 'the rest by a report');
  const disposed = await read();
  t.match(disposed.returns, [{ sent: 20, received: 20, destroyed: 20 }], 'both ways count, each once');
  t.strictSame(disposed.disposal.byUnit, [{ unit: 'piece', recovered: 20, destroyed: 20, share: 1 }]);
  const listed = (await world.ok(regulator.get('/recalls'), 200)).items.find((item: Recall) => item.id === recall.id);
  t.strictSame(listed.disposal, disposed.disposal, 'the list counts it as the view does');
  expectStatus(t, await regulator.post(`/recalls/${recall.id}/close`, {}), 200, 'closed without an override');
});

t.test('all of what came back destroyed by a plain destroy event: nothing left to report, the recall closes', async (t) => {
  const { world, farm, lot, regulator, recall, read, report, shopReturns, farmReceives } = await returnedWorld(t, 20);
  const back = await shopReturns();
  await farmReceives(back);
  await world.ok(farm.event({ type: 'destroy', reason: '退回销毁', eventTime: back.eventTime, lines: [{ lotCode: lot, quantity: 20 }] }));
  t.match((await read()).returns, [{ sent: 20, received: 20, destroyed: 20 }]);
  expectStatus(t, await report(farm, [{ lotCode: lot, destroyed: 20 }]), 422, 'nothing left to destroy under the recall');
  expectStatus(t, await regulator.post(`/recalls/${recall.id}/close`, {}), 200, 'disposed of');
});
