// An event's user-defined fields are bounded (validation MAX_EXTENSION_VALUES and _DEPTH): a capture
// carrying one of millions of numbers, well under the body limit, is a 400 naming the event and the
// field before anything is hashed or stored, where it held every other request up for seconds.

import { captured, epcisDocument as doc, epcisRequests, observation } from '../fixtures/epcis.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const CONTEXT = 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld';

t.test('a capture whose event carries millions of values in a user-defined field is a 400 naming the event and field', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const readings = Array.from({ length: 1_500_000 }, (_, i) => i % 10);
  const big = { ...observation(2, { epcList: ['https://id.gs1.org/01/06901234000016/21/S2'] }), 'ex:readings': readings };
  const document = {
    ...doc([observation(1, { epcList: ['https://id.gs1.org/01/06901234000016/21/S1'] }), big]),
    '@context': [CONTEXT, { ex: 'https://ns.example.com/' }],
  };
  t.ok(JSON.stringify(document).length < 16 * 1024 * 1024, 'under the capture file size limit');
  const { reply, job } = await captured(world, plant.key, document);
  t.equal(job, null, 'no capture job');
  t.equal(reply.statusCode, 400);
  t.match(reply.headers['content-type'], /application\/problem\+json/);
  t.match(reply.json(), {
    errors: [
      {
        in: 'body',
        pointer: '/epcisBody/eventList/1/ex:readings',
        detail: /ex:readings takes this event's user-defined fields over 2000 values .*at most 2000 per event/,
      },
    ],
  });

  const single = await epcisRequests(world).post(plant.key, '/epcis/events', {
    '@context': [CONTEXT, { ex: 'https://ns.example.com/' }],
    ...big,
    // POST /epcis/events takes a body of BODY_LIMIT_BYTES
    'ex:readings': readings.slice(0, 100_000),
  });
  t.equal(single.statusCode, 400, 'one event alone too');
  t.match(single.json(), { errors: [{ in: 'body', pointer: '/ex:readings' }] });

  const small = await captured(world, plant.key, {
    ...document,
    epcisBody: { eventList: [{ ...big, 'ex:readings': readings.slice(0, 100) }] },
  });
  t.match(small.job, { success: true, captured: 1 }, 'a field of 100 values is captured');
});
