// Ids the service gives out are UUIDs in lower case; a UUID is case-insensitive (RFC 9562), so
// every route taking one finds it written in upper case too, and anything else is still not found.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { captured, EPCIS_CONTEXT, epcisDocument, observation } from '../fixtures/epcis.js';
import { registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus, registrationBody } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a UUID in a path or naming a shipment or event is read in upper case too', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const product = await farm.product('head');
  const lotCode = await farm.commission(product, 10);
  const upper = (id: string) => {
    t.match(id, /^[0-9a-f-]{36}$/, 'given out in lower case');
    return id.toUpperCase();
  };

  const commissioned = (await farm.api.get(`/events?lotCode=${lotCode}`)).body.items[0];
  t.equal(expectStatus(t, await farm.api.get(`/events/${upper(commissioned.id)}`), 200, 'an event').body.id, commissioned.id);

  const shipmentId = await farm.ship(plant, [{ lotCode, quantity: 4 }]);
  const received = expectStatus(
    t,
    await plant.event({ type: 'receive', shipmentId: upper(shipmentId) }),
    201,
    'a receipt naming its shipment in upper case',
  );
  const shipments = (await plant.api.get('/shipments')).body.items;
  t.match(shipments, [{ id: shipmentId, status: 'received' }], 'the shipment is received');
  t.ok(received.body.event, 'recorded');

  const corrected = await farm.event({ type: 'commission', lots: [{ productCode: product, quantity: 1 }] });
  expectStatus(
    t,
    await farm.event({ type: 'correction', correctsEventId: upper(corrected.body.event.id), reason: '录入错误' }),
    201,
    'a correction naming its event in upper case',
  );

  const job = await world.ok(farm.api.post(`/lots/${lotCode}/items`, { count: 2 }), 202);
  await world.app.services.items.idle();
  t.equal(expectStatus(t, await farm.api.get(`/code-jobs/${upper(job.id)}`), 200, 'a code job').body.id, job.id);
  expectStatus(t, await farm.api.get(`/code-jobs/${upper(job.id)}/codes.csv`), 200, "a code job's codes");

  const recall = await world.ok(farm.api.post('/recalls', { lotCodes: [lotCode], level: 3, reason: '标签错误', hazard: '过敏原未标示' }));
  t.equal(expectStatus(t, await farm.api.get(`/recalls/${upper(recall.id)}`), 200, 'a recall').body.id, recall.id);
  expectStatus(t, await farm.api.get(`/recalls/${upper(recall.id)}/report`), 200, "a recall's report");
  expectStatus(t, await farm.api.get(`/recalls/${upper(recall.id)}/scope?format=csv`), 200, "a recall's scope");

  const { reply } = await captured(world, plant.key, epcisDocument([observation(2, { epcList: ['urn:epc:id:sgtin:0614141.812345.1'] })]));
  const captureID = reply.json().captureID;
  const job2 = expectStatus(t, await plant.api.get(`/epcis/capture/${upper(captureID)}`), 200, 'a capture job');
  t.equal(job2.body.captureID, captureID);

  const applicant = client(world.app);
  const application = await world.ok(applicant.post('/registrations', registrationBody()));
  const status = await applicant.get(`/registrations/${upper(application.id)}`, { 'registration-ticket': application.ticket });
  expectStatus(t, status, 200, 'an application');
  expectStatus(t, await world.regulator.get(`/regulator/registrations/${upper(application.id)}`), 200, 'an application to a regulator');

  const key = await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: farm.code }));
  t.equal(expectStatus(t, await world.admin.delete(`/api-keys/${upper(key.id)}`), 200, 'an API key revoked').body.id, key.id);

  expectStatus(t, await farm.api.get('/recalls/not-a-uuid'), 404, 'anything else is still not found');
  expectStatus(t, await farm.api.get(`/events/${commissioned.id.replace(/[0-9a-f]/g, '0')}`), 404, 'nor an unknown UUID');
});

// A captured event's id is its EPCIS eventID, which for a urn:uuid is compared in any case (RFC 9562)
t.test("a captured event's urn:uuid names it on GET /events/{id} and in a correction in any case", async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const other = await world.party('slaughterhouse');
  const capture = async (eventID: string) =>
    expectStatus(
      t,
      await plant.api.post('/epcis/events', { '@context': EPCIS_CONTEXT, ...observation(1, { eventID, epcList: [] }) }),
      201,
      eventID,
    );
  const forms = (id: string) => [id, id.toUpperCase(), `URN:UUID:${id.slice(9)}`, `urn:uuid:${id.slice(9).toUpperCase()}`];
  const getEvent = (api: typeof plant.api, id: string) => api.get(`/events/${encodeURIComponent(id)}`);

  const id = 'urn:uuid:6c1f1f52-0f0e-4d1e-9c55-3f0d7a2b9edd';
  await capture(id.toUpperCase());
  for (const asked of forms(id)) t.equal(expectStatus(t, await getEvent(plant.api, asked), 200, `GET ${asked}`).body.id, id);
  expectStatus(t, await getEvent(other.api, id.toUpperCase()), 404, "another party's event reads as an unknown one");
  expectStatus(t, await getEvent(plant.api, `${id.slice(0, -2)}00`), 404, 'an unknown urn:uuid');
  const corrected = expectStatus(
    t,
    await plant.event({ type: 'correction', correctsEventId: `URN:UUID:${id.slice(9).toUpperCase()}`, reason: '录入错误' }),
    201,
    'a correction naming it in upper case',
  );
  t.equal(corrected.body.event.correctsEventId, id, 'corrects the event as stored');

  // an event captured before eventIDs were stored canonical keeps the id it was sent with
  const early = 'urn:uuid:6c1f1f52-0f0e-4d1e-9c55-3f0d7a2b9eee';
  const stored = early.replace(early.slice(9), early.slice(9).toUpperCase());
  await capture(early);
  await queryRows(
    world.database.db,
    sql`update events set id = ${stored}, payload = jsonb_set(payload, '{epcis,eventID}', to_jsonb(${stored}::text)) where id = ${early}`,
  );
  for (const asked of forms(early)) t.equal(expectStatus(t, await getEvent(plant.api, asked), 200, `GET ${asked}`).body.id, stored);
  const correctedEarly = expectStatus(
    t,
    await plant.event({ type: 'correction', correctsEventId: early, reason: '录入错误' }),
    201,
    'a correction naming it in lower case',
  );
  t.equal(correctedEarly.body.event.correctsEventId, stored, 'corrects it under the id it has');
  const again = await plant.event({ type: 'correction', correctsEventId: early.toUpperCase(), reason: '录入错误' });
  expectStatus(t, again, 409, 'and it is corrected once, however it is named');
});

// Before eventIDs were stored canonical, two forms of one urn:uuid could be two events, even of two
// parties: each party finds its own, and no party is stopped at the other's
t.test('two events stored under two forms of one urn:uuid: each party finds, corrects and re-sends its own', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const other = await world.party('slaughterhouse');
  const id = 'urn:uuid:6c1f1f52-0f0e-4d1e-9c55-3f0d7a2b9abc';
  const upper = `urn:uuid:${id.slice(9).toUpperCase()}`;
  const event = (eventID: string, day: number) => ({ '@context': EPCIS_CONTEXT, ...observation(day, { eventID, epcList: [] }) });
  expectStatus(t, await other.api.post('/epcis/events', event(id, 1)), 201, "the other party's, in lower case");
  // the plant's was captured (under another id here) and is then stored as it was sent before: in upper case
  const placeholder = 'urn:uuid:6c1f1f52-0f0e-4d1e-9c55-3f0d7a2b9abd';
  expectStatus(t, await plant.api.post('/epcis/events', event(placeholder, 2)), 201, "the plant's");
  await queryRows(
    world.database.db,
    sql`update events set id = ${upper}, payload = jsonb_set(payload, '{epcis,eventID}', to_jsonb(${upper}::text)) where id = ${placeholder}`,
  );
  const getEvent = (api: typeof plant.api, path: string, asked: string) => api.get(`${path}${encodeURIComponent(asked)}`);

  for (const path of ['/events/', '/epcis/events/']) {
    for (const asked of [upper, id]) {
      const own = expectStatus(t, await getEvent(plant.api, path, asked), 200, `the plant's on GET ${path}${asked}`).body;
      t.equal(own.id ?? own.eventID, upper, "the plant's own");
      const others = expectStatus(t, await getEvent(other.api, path, asked), 200, `the other party's on GET ${path}${asked}`).body;
      t.equal(others.id ?? others.eventID, id, "the other party's own");
    }
    // both forms are one eventID, which two parties hold: an admin is given both to choose from
    const holders = expectStatus(t, await getEvent(world.admin, path, upper), 300, `an admin on GET ${path}`).body;
    t.same(holders.choices.map((choice: { partyCode: string }) => choice.partyCode).sort(), [plant.code, other.code].sort());
    for (const [party, stored] of [
      [plant, upper],
      [other, id],
    ] as const) {
      const named = expectStatus(t, await world.admin.get(`${path}${encodeURIComponent(upper)}?partyCode=${party.code}`), 200, 'one named');
      t.equal(named.body.id ?? named.body.eventID, stored, "finds that party's own");
    }
  }

  for (const sent of [upper, id]) {
    const resent = expectStatus(t, await plant.api.post('/epcis/events', event(sent, 2)), 200, `the plant's event re-sent as ${sent}`);
    t.same(resent.body, { eventID: upper, duplicate: true }, 'is its own, stored once');
  }

  const corrected = expectStatus(
    t,
    await plant.event({ type: 'correction', correctsEventId: id, reason: '录入错误' }),
    201,
    'the plant corrects its own, named in lower case',
  );
  t.equal(corrected.body.event.correctsEventId, upper);
  const correctedOther = expectStatus(
    t,
    await other.event({ type: 'correction', correctsEventId: upper, reason: '录入错误' }),
    201,
    'the other party its own, named in upper case',
  );
  t.equal(correctedOther.body.event.correctsEventId, id);
});

// EPCIS renders a native event's id as a urn:uuid: the native routes find it by that form too
t.test('a native event is found and corrected by its id as a urn:uuid', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const product = await farm.product('head');
  const native = (await farm.event({ type: 'commission', lots: [{ productCode: product, quantity: 1 }] })).body.event.id;
  for (const asked of [`urn:uuid:${native}`, `URN:UUID:${native.toUpperCase()}`]) {
    t.equal(expectStatus(t, await farm.api.get(`/events/${encodeURIComponent(asked)}`), 200, `GET /events/${asked}`).body.id, native);
    const rendered = expectStatus(t, await farm.api.get(`/epcis/events/${encodeURIComponent(asked)}`), 200, `GET /epcis/events/${asked}`);
    t.equal(rendered.body.eventID, `urn:uuid:${native}`, 'as EPCIS finds it');
  }
  const corrected = expectStatus(
    t,
    await farm.event({ type: 'correction', correctsEventId: `urn:uuid:${native}`, reason: '录入错误' }),
    201,
    'a correction naming it as a urn:uuid',
  );
  t.equal(corrected.body.event.correctsEventId, native, 'corrects the native event');
});

// RFID readers and read points are named by id in bodies too: a read point's antennas name their
// readers, and a generic read may name its read point instead of its reader's antenna
t.test('an RFID reader and read point named by id in a body are found in upper case', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const reader = await registerReader(world, store, 'FX-UPPER');
  const locationCode = await store.location('cold_store');
  const created = expectStatus(
    t,
    await store.api.post('/rfid/read-points', {
      partyCode: store.code,
      locationCode,
      name: '冷库 1 号门',
      role: 'observe',
      antennas: [{ readerId: reader.id.toUpperCase(), antenna: 1 }],
    }),
    201,
    'a read point whose antenna names its reader in upper case',
  ).body;
  t.same(created.antennas, [{ readerId: reader.id, antenna: '1' }], 'the antenna is stored under the reader as it is');
  const read = { epc: 'E28011606000020000000001', time: new Date().toISOString(), readPoint: created.id.toUpperCase() };
  const posted = expectStatus(
    t,
    await reader.api.post('/rfid/reads', { reads: [read] }),
    202,
    'a read naming its read point in upper case',
  );
  t.equal(posted.body.observations, 1);
  const [stored] = (await store.api.get('/rfid/reads')).body.items;
  t.equal(stored.readPointId, created.id, 'the read is stored at the read point');
  expectStatus(
    t,
    await reader.api.post('/rfid/reads', { reads: [{ ...read, readPoint: 'not-a-uuid' }] }),
    400,
    'anything else is still no read point',
  );
});
