// Subscriptions are delivered independently: a webhook that takes its time holds its own
// subscription, while the others (another party's) are delivered as their events come.
import { heldWebhook, observedPack } from '../fixtures/epcis.js';
import { until } from '../fixtures/service-http.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a slow webhook holds back no other subscription: the next due one is delivered while it hangs', async (t) => {
  const world = await createWorld(t, undefined, { subscriptionLagMs: 0, subscriptionTickMs: 50, webhooks: { allowInsecure: true } });
  const [slowParty, fastParty] = [await world.party('slaughterhouse'), await world.party('processor')];
  const slow = await heldWebhook(t, { held: true });
  const fast = await heldWebhook(t);
  for (const [party, hook] of [
    [slowParty, slow],
    [fastParty, fast],
  ] as const) {
    expectStatus(t, await party.api.post('/epcis/queries', { name: 'all', query: {} }), 201, 'named query');
    expectStatus(
      t,
      await party.api.post('/epcis/queries/all/subscriptions', { dest: `${hook.dest}/all`, stream: true }),
      201,
      'subscribed',
    );
  }

  expectStatus(t, await slowParty.api.post('/epcis/events', observedPack(1)), 201, 'the slow webhook’s party captures');
  const hanging = await until('the slow webhook to be delivered to', async () => slow.deliveries[0]);
  expectStatus(t, await fastParty.api.post('/epcis/events', observedPack(2)), 201, 'then the other party');
  const delivered = await until('the fast webhook’s delivery', async () => fast.deliveries[0]);
  t.same(
    delivered.events.map((event) => event.epcList),
    [['https://id.gs1.org/01/06901234000030/21/2']],
    'the other party’s event is delivered',
  );
  t.match(hanging, { answered: false, closed: false }, 'while the slow webhook’s delivery still hangs');

  slow.release();
  expectStatus(t, await slowParty.api.post('/epcis/events', observedPack(3)), 201, 'the slow webhook’s party captures again');
  await until('the slow webhook’s next delivery', async () => slow.deliveries[1]);
  t.same(
    slow.deliveries.map((delivery) => delivery.events.map((event) => event.epcList?.[0].split('/').pop())),
    [['1'], ['3']],
    'the slow subscription goes on in order, each event once',
  );
});
