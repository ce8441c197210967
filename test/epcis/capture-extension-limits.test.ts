// An event's user-defined fields are bounded (validation MAX_EXTENSION_VALUES and _DEPTH): a capture
// carrying one of millions of numbers, well under the body limit, is a 400 naming the event and the
// field before anything is hashed or stored, where it held every other request up for seconds.

import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { captured, epcisDocument as doc, epcisRequests, observation } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
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

t.test('members the standard does not define, with no prefix, count as user-defined content wherever they are', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const junk = Array.from({ length: 100_000 }, (_, i) => i % 10);
  const epc = (serial: string) => ({ epcList: [`https://id.gs1.org/01/06901234000016/21/${serial}`] });
  const cases: [object, string][] = [
    [observation(1, { ...epc('R1'), readPoint: { id: 'urn:epc:id:sgln:0614141.00777.0', junk } }), '/epcisBody/eventList/0/readPoint/junk'],
    [
      observation(1, { ...epc('R2'), bizLocation: { id: 'urn:epc:id:sgln:0614141.00777.0', junk } }),
      '/epcisBody/eventList/0/bizLocation/junk',
    ],
    [{ ...observation(1, epc('R3')), type: 'https://ex.com/MyEvent', junk }, '/epcisBody/eventList/0/junk'],
    [{ ...observation(1, epc('R4')), junk }, '/epcisBody/eventList/0/junk'],
  ];
  for (const [event, pointer] of cases) {
    const { reply, job } = await captured(world, plant.key, doc([event]));
    t.equal(job, null, pointer);
    t.equal(reply.statusCode, 400, pointer);
    t.match(reply.json(), { errors: [{ pointer, detail: /over 2000 values/ }] }, pointer);
  }
  const single = await epcisRequests(world).post(plant.key, '/epcis/events', {
    '@context': CONTEXT,
    ...observation(1, { ...epc('R5'), readPoint: { id: 'urn:epc:id:sgln:0614141.00777.0', junk } }),
  });
  t.equal(single.statusCode, 400, 'POST /epcis/events too');
  t.match(single.json(), { errors: [{ pointer: '/readPoint/junk' }] });
  const small = await captured(
    world,
    plant.key,
    doc([observation(1, { ...epc('R6'), readPoint: { id: 'urn:epc:id:sgln:0614141.00777.0', junk: [1, 2] } })]),
  );
  t.match(small.job, { success: true, captured: 1 }, 'a few such values are captured');
});

t.test("a document's @context is bounded, and each event stores only the definitions it uses", async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const epc = (serial: string) => ({ epcList: [`https://id.gs1.org/01/06901234000016/21/${serial}`] });
  const huge = {
    ...doc([observation(1, epc('C1'))]),
    '@context': [CONTEXT, { ex: 'https://ns.example.com/', big: Array.from({ length: 300_000 }, () => 1) }],
  };
  const refused = await captured(world, plant.key, huge);
  t.equal(refused.reply.statusCode, 400);
  t.match(refused.reply.json(), { errors: [{ pointer: '/@context', detail: /@context/ }] });
  const long = { ...doc([observation(1, epc('C1'))]), '@context': [CONTEXT, { ex: `https://ns.example.com/${'x'.repeat(70_000)}` }] };
  const refusedLong = await captured(world, plant.key, long);
  t.equal(refusedLong.reply.statusCode, 400, 'a long @context of few values too');
  t.match(refusedLong.reply.json(), { errors: [{ pointer: '/@context' }] });

  // 200 prefixes declared, one used by one event
  const prefixes = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`p${i}`, `https://ns.example.com/p${i}/`]));
  const events = [
    observation(1, { ...epc('C2'), eventID: 'urn:uuid:5f6a8e0c-1c1d-4c39-9b76-0c2c8a3c0001', 'p7:batch': 'B-1' }),
    observation(1, { ...epc('C3'), eventID: 'urn:uuid:5f6a8e0c-1c1d-4c39-9b76-0c2c8a3c0002' }),
  ];
  const { reply, job } = await captured(world, plant.key, {
    ...doc(events),
    '@context': [CONTEXT, { ex: 'https://ns.example.com/', ...prefixes }],
  });
  t.equal(reply.statusCode, 202, reply.body);
  t.match(job, { success: true, captured: 2 });
  const rows = await queryRows<{ id: string; context: unknown }>(
    world.database.db,
    sql`select id, payload->'context' as context from events where id like 'urn:uuid:5f6a8e0c-1c1d-4c39-9b76-0c2c8a3c000%' order by id`,
  );
  t.same(
    rows.map((row) => row.context),
    [[{ p7: 'https://ns.example.com/p7/' }], null],
    'each event keeps the definitions of the prefixes it uses (the standard context goes without saying)',
  );
  const read = expectStatus(
    t,
    await plant.api.get(`/epcis/events/${encodeURIComponent('urn:uuid:5f6a8e0c-1c1d-4c39-9b76-0c2c8a3c0001')}`),
    200,
    'the event',
  );
  t.same(read.body['@context'].slice(-1), [{ p7: 'https://ns.example.com/p7/' }], 'rendered with the prefix it uses');
  t.equal(read.body['p7:batch'], 'B-1');
  const again = await captured(world, plant.key, {
    ...doc(events),
    '@context': [CONTEXT, { ex: 'https://ns.example.com/', ...prefixes }],
  });
  t.match(again.job, { success: true, duplicates: 2 }, 'captured again, the same events by their hash');
});

t.test(
  "what an event keeps of its document's @context: prefixes of values written with spaces around them, terms used as values, and the document's prefixes beside the event's own",
  async (t) => {
    const world = await createWorld(t);
    const plant = await world.party('slaughterhouse');
    const epc = (serial: string) => ({ epcList: [`https://id.gs1.org/01/06901234000016/21/${serial}`] });
    const id = (n: number) => `urn:uuid:7a1b2c3d-0000-4000-8000-00000000000${n}`;
    const context = [CONTEXT, { ex: 'https://ex.example.com/', g: 'https://gs1.org/voc/', MyType: 'ex:MyType', unused: 'ex:u' }];
    const events = [
      // the event hash reads " g:Foo" trimmed, as a GS1 vocabulary term
      observation(1, { ...epc('W1'), eventID: id(1), 'ex:f': ' g:Foo' }),
      observation(1, { ...epc('W2'), eventID: id(2), 'ex:obj': { '@type': 'MyType', 'ex:a': 1 } }),
      observation(1, { ...epc('W3'), eventID: id(3), '@context': [{ e2: 'https://e2.example.com/' }], 'ex:f': 1, 'e2:g': 2 }),
    ];
    const first = await captured(world, plant.key, { ...doc(events), '@context': context });
    t.match(first.job, { success: true, captured: 3 }, first.reply.body);
    const again = await captured(world, plant.key, { ...doc(events), '@context': context });
    t.match(again.job, { success: true, duplicates: 3 }, 'sent again, each is the event already captured');
    const read = async (n: number) =>
      expectStatus(t, await plant.api.get(`/epcis/events/${encodeURIComponent(id(n))}`), 200, `event ${n}`).body;
    t.same((await read(1))['@context'].slice(2), [{ ex: 'https://ex.example.com/', g: 'https://gs1.org/voc/' }]);
    t.same(
      (await read(2))['@context'].slice(2),
      [{ ex: 'https://ex.example.com/', MyType: 'ex:MyType' }],
      'a term used as a value (an @type) keeps its definition',
    );
    t.same(
      (await read(3))['@context'].slice(2),
      [{ ex: 'https://ex.example.com/' }, { e2: 'https://e2.example.com/' }],
      "the document's prefixes the event uses, then its own",
    );
  },
);

t.test('standard lists of one event are bounded: a 400 naming the event and the list', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const epcList = Array.from({ length: 10_001 }, (_, i) => `https://id.gs1.org/01/06901234000016/21/L${i}`);
  const many = await captured(world, plant.key, doc([observation(1, { epcList })]));
  t.equal(many.reply.statusCode, 400);
  t.match(many.reply.json(), { errors: [{ pointer: '/epcisBody/eventList/0/epcList', detail: /at most 10000/ }] });
  const quantityList = Array.from({ length: 10_001 }, (_, i) => ({
    epcClass: `https://id.gs1.org/01/06901234000016/10/Q${i}`,
    quantity: 1,
    uom: 'KGM',
  }));
  const quantities = await captured(world, plant.key, doc([observation(1, { quantityList })]));
  t.equal(quantities.reply.statusCode, 400);
  t.match(quantities.reply.json(), { errors: [{ pointer: '/epcisBody/eventList/0/quantityList', detail: /at most 10000/ }] });
  const sensorReport = Array.from({ length: 10_001 }, () => ({ type: 'gs1:Temperature', value: 4, uom: 'CEL' }));
  const sensors = await captured(
    world,
    plant.key,
    doc([observation(1, { epcList: epcList.slice(0, 1), sensorElementList: [{ sensorReport }] })]),
  );
  t.equal(sensors.reply.statusCode, 400);
  t.match(sensors.reply.json(), {
    errors: [{ pointer: '/epcisBody/eventList/0/sensorElementList/0/sensorReport', detail: /at most 10000 sensor reports/ }],
  });
  // business transactions, sources, destinations: at most 1,000 each
  const bizTransactionList = Array.from({ length: 1001 }, (_, i) => ({
    type: 'po',
    bizTransaction: `urn:epcglobal:cbv:bt:0614141000005:${i}`,
  }));
  const single = await epcisRequests(world).post(plant.key, '/epcis/events', {
    '@context': CONTEXT,
    ...observation(1, { epcList: epcList.slice(0, 1), bizTransactionList }),
  });
  t.equal(single.statusCode, 400, 'POST /epcis/events too');
  t.match(single.json(), { errors: [{ pointer: '/bizTransactionList', detail: /at most 1000 business transactions per event/ }] });
});
