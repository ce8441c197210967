// A correction that removes a receipt, or dates it later, leaves no stored outflow of the lot taking
// what the party no longer held then: the party's holding over time is judged once the reversal and
// the replacement are booked.

import type { Test } from 'tap';
import { epcisRequests } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A time on 2026-06-01 (UTC), after every event the world dates by its own counter (9.5: half past nine). */
const utc = (hour: number) => new Date(Date.UTC(2026, 5, 1) + hour * 3_600_000).toISOString();

/**
 * A processor ships 50 kg of a lot at 08:00 (shipment A) and 50 at 08:30 (B) to a store, which
 * receives A at 09:00, sells 40 kg at 10:00 and receives B at 12:00.
 */
async function soldBetweenReceipts(t: Test) {
  const world = await createWorld(t);
  const [processor, store] = [await world.party('processor'), await world.party('retailer')];
  const lot = await processor.commission(await processor.product('kg'), 100);
  const ship = async (hour: number) =>
    (
      await world.ok(
        processor.event({ type: 'ship', eventTime: utc(hour), toPartyCode: store.code, lines: [{ lotCode: lot, quantity: 50 }] }),
      )
    ).shipmentId as string;
  const [a, b] = [await ship(8), await ship(8.5)];
  const receiptA = await world.ok(store.event({ type: 'receive', eventTime: utc(9), shipmentId: a }));
  await world.ok(store.event({ type: 'sell', eventTime: utc(10), lines: [{ lotCode: lot, quantity: 40 }] }));
  await world.ok(store.event({ type: 'receive', eventTime: utc(12), shipmentId: b }));
  const redate = (hour: number) =>
    store.event({
      type: 'correction',
      eventTime: utc(13),
      correctsEventId: receiptA.event.id,
      reason: 'received later than typed',
      replacement: { type: 'receive', eventTime: utc(hour), shipmentId: a },
    });
  return { world, store, lot, a, receiptA, redate };
}

t.test('a receipt is not dated after a stored sale it covered', async (t) => {
  const { store, lot, receiptA, redate } = await soldBetweenReceipts(t);
  const refused = expectStatus(t, await redate(11), 409, 'the sale at 10:00 would take from nothing');
  t.match(refused.body.errors, [{ pointer: '/replacement/eventTime' }]);
  t.match(refused.body.detail, new RegExp(`lot ${lot}.*40 kg short.*${utc(10).replace(/\./g, '\\.')}`));
  const history = (await store.api.get(`/events?lotCode=${lot}`)).body.items as { id: string; type: string; eventTime: string }[];
  t.equal(history.filter((event) => event.type === 'correction').length, 0, 'no correction is stored');
  t.ok(
    history.some((event) => event.id === receiptA.event.id),
    'the receipt stands as recorded',
  );
  t.match((await store.lot(lot)).massBalance, { sold: 40, onHand: 60 }, 'the ledger is as it was');
});

t.test('a receipt dated later, still before the sale, or earlier, is corrected', async (t) => {
  const { store, lot, redate } = await soldBetweenReceipts(t);
  const corrected = expectStatus(t, await redate(9.5), 201, 'held 50 kg from 09:30, before the sale at 10:00');
  t.equal(corrected.body.replacement.eventTime, utc(9.5));
  t.match((await store.lot(lot)).massBalance, { sold: 40, onHand: 60 });
  const earlier = await soldBetweenReceipts(t);
  expectStatus(t, await earlier.redate(8.75), 201, 'an earlier receipt leaves more held at every time');
});

t.test('a receipt whose lot was sold since is not declared in error, though the party holds enough now', async (t) => {
  const { store, lot, receiptA } = await soldBetweenReceipts(t);
  const refused = expectStatus(
    t,
    await store.event({ type: 'correction', eventTime: utc(13), correctsEventId: receiptA.event.id, reason: 'never came' }),
    409,
    'the sale at 10:00 would take from nothing, though 60 kg are held now',
  );
  t.match(refused.body.errors, [{ pointer: '/correctsEventId' }]);
  t.match(refused.body.detail, `lot ${lot}`);
  t.match((await store.lot(lot)).massBalance, { sold: 40, onHand: 60 }, 'nothing is undone');
});

t.test('EPCIS capture: a receipt whose lot was shipped on since is not declared in error', async (t) => {
  const world = await createWorld(t);
  const [processor, store, shop] = [await world.party('processor'), await world.party('cold_storage'), await world.party('retailer')];
  const { capture } = epcisRequests(world);
  const meat = 'https://id.gs1.org/01/06901234000016/10/MEAT-RECEIVED-TWICE';
  const ev = (hour: number, fields: object) => ({ type: 'ObjectEvent', eventTime: utc(hour), eventTimeZoneOffset: '+08:00', ...fields });
  const moving = (hour: number, quantity: number, bizStep: string, to?: { code: string }) =>
    ev(hour, {
      action: 'OBSERVE',
      bizStep,
      quantityList: [{ epcClass: meat, quantity, uom: 'KGM' }],
      ...(to ? { destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${to.code}` }] } : {}),
    });
  const receivingA = { ...moving(9, 50, 'receiving'), eventID: 'urn:uuid:0190c8a2-0000-7000-8000-00000000a009' };
  const commissioning = ev(7, { action: 'ADD', bizStep: 'commissioning', quantityList: [{ epcClass: meat, quantity: 100, uom: 'KGM' }] });
  t.match(await capture(processor.key, [commissioning, moving(8, 50, 'shipping', store)], 'rollback'), { success: true });
  t.match(await capture(store.key, [receivingA, moving(10, 40, 'shipping', shop)], 'rollback'), { success: true });
  t.match(await capture(processor.key, [moving(8.5, 50, 'shipping', store)], 'rollback'), { success: true });
  t.match(await capture(store.key, [moving(12, 50, 'receiving')], 'rollback'), { success: true }, 'the store holds 60 kg');

  const declared = await capture(
    store.key,
    [{ ...receivingA, errorDeclaration: { declarationTime: utc(13), reason: 'incorrect_data' } }],
    'rollback',
  );
  t.match(
    declared,
    { success: false, captured: 0, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/eventID' }] },
    'the shipment of 10:00 would take from nothing',
  );
  t.match(declared.errors[0].message, `${store.code} would hold lot`);
  t.match(declared.errors[0].message, `40 KGM short at ${utc(10)}`);
});
