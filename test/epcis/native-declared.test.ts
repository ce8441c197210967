// A native event, as GET /epcis/events renders it, re-sent with an error declaration: the event it
// names is declared in error (not captured again as a second, new event).
import { epcisRequests } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a native event re-sent through EPCIS with an error declaration declares that event in error', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const lot = await plant.commission(await plant.product('kg'), 10);
  const destroyed = expectStatus(
    t,
    await plant.event({ type: 'destroy', reason: '变质', lines: [{ lotCode: lot, quantity: 4 }] }),
    201,
    'destroyed',
  );
  const listed = expectStatus(t, await plant.api.get('/epcis/events?EQ_bizStep=destroying'), 200, 'listed').body.epcisBody.queryResults
    .resultsBody.eventList as Record<string, unknown>[];
  t.equal(listed.length, 1);
  const rendered = listed[0];
  t.equal(rendered.eventID, `urn:uuid:${destroyed.body.event.id}`);

  const again = await epcisRequests(world).post(plant.key, '/epcis/events', { ...rendered });
  t.match(
    { status: again.statusCode, body: again.json() },
    { status: 200, body: { duplicate: true, eventID: rendered.eventID } },
    're-sent as it is: the same event',
  );

  const declared = await epcisRequests(world).post(plant.key, '/epcis/events', {
    ...rendered,
    errorDeclaration: { declarationTime: new Date().toISOString(), reason: 'incorrect_data' },
  });
  t.match({ status: declared.statusCode, body: declared.json() }, { status: 200, body: { duplicate: true } }, 'declared, not stored anew');
  const destroys = expectStatus(t, await plant.api.get(`/events?lotCode=${lot}&type=destroy`), 200, 'destroys').body.items as {
    id: string;
  }[];
  t.same(
    destroys.map((event) => event.id),
    [destroyed.body.event.id],
    'one destruction, the native one',
  );
  t.equal(expectStatus(t, await plant.api.get(`/lots/${lot}`), 200, 'the lot').body.massBalance.onHand, 10, 'its 4 kg back on hand');
});
