// A process remembers up to when it found nothing for a subscription, so that it need not search
// that stretch again (the cursor stays put over it). What a named query's EPCs name is read anew at
// each look, and can grow: a lot's number corrected to the one the query names makes the events
// recorded on that lot before match it. A process that remembers must then deliver what a process
// starting afresh from the stored cursor would.

import { heldWebhook } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const QUIET = { subscriptionLagMs: 0, subscriptionTickMs: 3_600_000, webhooks: { allowInsecure: true } };

t.test('events a query comes to match after a look found nothing are delivered by the process that looked', async (t) => {
  const world = await createWorld(t, undefined, QUIET);
  const plant = await world.party('processor');
  const kg = await plant.product('kg');
  const hook = await heldWebhook(t);
  const query = { MATCH_anyEPCClass: `${plant.code}:B-2` };
  expectStatus(t, await plant.api.post('/epcis/queries', { name: 'b2', query }), 201, 'a named query of lot B-2');
  expectStatus(t, await plant.api.post('/epcis/queries/b2/subscriptions', { dest: hook.dest, stream: true }), 201, 'subscribed');
  const subscriptions = world.app.services.subscriptions;

  // the lot is commissioned as B-1 by mistake, and inspected
  const made = await world.ok(plant.event({ type: 'commission', lots: [{ productCode: kg, quantity: 10, lotNumber: 'B-1' }] }));
  const lot: string = made.createdLotCodes[0];
  const inspected = await world.ok(plant.event({ type: 'inspect', lotCodes: [lot], inspection: { kind: 'self', result: 'pass' } }));
  await subscriptions.tick();
  t.same(hook.deliveries, [], 'no lot B-2 yet: nothing delivered');

  expectStatus(
    t,
    await plant.event({
      type: 'correction',
      correctsEventId: made.event.id,
      reason: 'lot number mistyped',
      replacement: { type: 'commission', eventTime: made.event.eventTime, lots: [{ productCode: kg, quantity: 10, lotNumber: 'B-2' }] },
    }),
    201,
    'the lot number corrected to B-2',
  );
  t.equal((await plant.lot(lot)).lotNumber, 'B-2', 'the lot keeps its code, now numbered B-2');
  await subscriptions.tick();
  const delivered = hook.deliveries.flatMap((delivery) => delivery.events.map((event) => (event as { eventID: string }).eventID));
  t.ok(delivered.includes(`urn:uuid:${inspected.event.id}`), 'the inspection of lot B-2, recorded before the look, is delivered');
  t.same(
    delivered.sort(),
    (await plant.api.get('/epcis/queries/b2/events')).body.epcisBody.queryResults.resultsBody.eventList
      .map((event: { eventID: string }) => event.eventID)
      .sort(),
    'every event the query selects now, as a process starting afresh delivers them',
  );
});
