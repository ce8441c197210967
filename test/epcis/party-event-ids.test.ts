// Event ids are each party's own: a party capturing an eventID another party already holds stores
// its own event under it, and learns nothing of the other's (no duplicate, no conflict, no event of
// theirs in its queries, no declaration of theirs made by it), through the EPCIS and native doors.
import { sql } from 'drizzle-orm';
import { holdLocked, waitersReach } from '../fixtures/locks.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { postgresOnly, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();
const onPostgres = await postgresOnly();

const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'];
const observed = (serial: number, eventID?: string) => ({
  '@context': CONTEXT,
  type: 'ObjectEvent',
  ...(eventID ? { eventID } : {}),
  eventTime: '2026-03-01T08:00:00+08:00',
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  bizStep: 'inspecting',
  epcList: [`https://id.gs1.org/01/06901234000047/21/${serial}`],
});
const SHARED = 'urn:uuid:5b0c9d1e-0000-4000-8000-00000000000a';
const CORRECTIVE = 'urn:uuid:5b0c9d1e-0000-4000-8000-00000000000c';

type Listed = { eventID: string; epcList: string[]; errorDeclaration?: object };

t.test('an eventID another party holds is the capturing party’s own', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const listed = async (who: typeof farm | typeof world.regulator, query: string) => {
    const response = await ('api' in who ? who.api : who).get(`/epcis/events?${query}`);
    expectStatus(t, response, 200, query);
    return (response.body.epcisBody.queryResults.resultsBody.eventList as Listed[]).map((event) => ({
      eventID: event.eventID,
      epc: event.epcList[0].slice(-1),
      declared: event.errorDeclaration !== undefined,
    }));
  };
  const theirs = { eventID: SHARED, epc: '1', declared: false };
  const mine = { eventID: SHARED, epc: '2', declared: false };
  expectStatus(t, await farm.api.post('/epcis/events', observed(1, SHARED)), 201, 'the farm captures its event');

  const captured = await plant.api.post('/epcis/events', observed(2, SHARED));
  expectStatus(t, captured, 201, 'the plant captures another event under the same eventID: no conflict');
  t.same(captured.body, { eventID: SHARED, duplicate: false }, 'its own eventID, a new event');
  expectStatus(t, await plant.api.post('/epcis/events', observed(2, SHARED)), 200, 're-sent, a duplicate of its own');
  const clash = await plant.api.post('/epcis/events', observed(3, SHARED));
  expectStatus(t, clash, 409, 'other content under its own eventID is its conflict');
  t.notMatch(clash.body.detail, /event [0-9]/, 'with no other document named');
  t.same(await listed(plant, `EQ_eventID=${SHARED}`), [mine], 'the plant finds its own event by the eventID');
  t.same(await listed(farm, `EQ_eventID=${SHARED}`), [theirs], 'the farm its own');
  t.same(await listed(plant, `EQ_eventID=${SHARED.toUpperCase()}`), [mine], 'in any case of the urn:uuid');
  t.same(
    (await listed(world.regulator, `EQ_eventID=${SHARED}`)).sort((a, b) => a.epc.localeCompare(b.epc)),
    [theirs, mine],
    'a regulator finds both',
  );
  const one = await plant.api.get(`/epcis/events/${encodeURIComponent(SHARED)}`);
  expectStatus(t, one, 200, 'the plant reads the event by its eventID');
  t.equal(one.body.epcList[0].slice(-1), '2', 'its own');
  t.equal((await farm.api.get(`/epcis/events/${encodeURIComponent(SHARED)}`)).body.epcList[0].slice(-1), '1', 'and the farm its own');
  const native = await plant.api.get(`/events/${encodeURIComponent(SHARED)}`);
  expectStatus(t, native, 200, 'the native door finds it too');
  t.equal(native.body.id, SHARED, 'under the eventID it was captured with');
  t.equal(native.body.partyCode, plant.code, 'the plant’s');

  // the plant declares its event in error: the farm's stays as it was
  const declaration = { declarationTime: '2026-03-05T00:00:00Z', reason: 'incorrect_data', correctiveEventIDs: [CORRECTIVE] };
  expectStatus(
    t,
    await plant.api.post('/epcis/events', { ...observed(2, SHARED), errorDeclaration: declaration }),
    200,
    'declared in error',
  );
  t.same(await listed(plant, `EQ_eventID=${SHARED}`), [{ ...mine, declared: true }], 'the plant’s event is declared in error');
  t.same(await listed(farm, `EQ_eventID=${SHARED}`), [theirs], 'the farm’s is not');
  t.same(await listed(farm, 'EXISTS_errorDeclaration'), [], 'nor any of the farm’s');
  t.same(await listed(plant, `EQ_correctiveEventID=${CORRECTIVE}`), [{ ...mine, declared: true }], 'found by its corrective event');
  t.same(await listed(farm, `EQ_correctiveEventID=${CORRECTIVE}`), [], 'of the farm’s, none');
  // the declaration made by the farm's content, sent by the plant, declares nothing of the farm's
  const sentAgain = await plant.api.post('/epcis/events', { ...observed(1, SHARED), errorDeclaration: declaration });
  expectStatus(t, sentAgain, 409, 'the farm’s content under the plant’s eventID: the plant’s own conflict');
  t.same(await listed(farm, `EQ_eventID=${SHARED}`), [theirs], 'the farm’s event untouched');

  // a native correction names the plant's own events only, and another party's id reads as unknown
  const farmOnly = 'urn:uuid:5b0c9d1e-0000-4000-8000-00000000000d';
  expectStatus(t, await farm.api.post('/epcis/events', observed(4, farmOnly)), 201, 'an event only the farm holds');
  const foreign = await plant.event({ type: 'correction', correctsEventId: farmOnly, reason: 'not mine' });
  const unknown = await plant.event({
    type: 'correction',
    correctsEventId: 'urn:uuid:5b0c9d1e-0000-4000-8000-0000000000ff',
    reason: 'none',
  });
  t.equal(foreign.status, unknown.status, 'another party’s id is refused as an unknown one is');
  t.equal(foreign.body.detail.replace(farmOnly, 'ID'), unknown.body.detail.replace(/urn:uuid:\S+/, 'ID'), 'in the same words');
  t.same(await listed(farm, 'EXISTS_errorDeclaration'), [], 'the farm’s events stay undeclared');

  // the farm's native event's id, captured by the plant as a urn:uuid, is the plant's own event
  const farmNative = await farm.event({ type: 'commission', lots: [{ productCode: await farm.product(), quantity: 5 }] });
  t.equal(farmNative.status, 201);
  const nativeId = `urn:uuid:${farmNative.body.event.id}`;
  expectStatus(t, await plant.api.post('/epcis/events', observed(5, nativeId)), 201, 'captured as the plant’s');
  t.same(await listed(plant, `EQ_eventID=${nativeId}`), [{ eventID: nativeId, epc: '5', declared: false }], 'the plant’s own');
  const declaredNative = await plant.api.post('/epcis/events', { ...observed(5, nativeId), errorDeclaration: declaration });
  expectStatus(t, declaredNative, 200, 'and declared in error');
  t.equal((await farm.api.get(`/events/${farmNative.body.event.id}`)).body.type, 'commission', 'the farm’s native event is still its own');
  t.same(await listed(farm, 'EXISTS_errorDeclaration'), [], 'and not declared in error');

  // a capture job alike
  const jobId = 'urn:uuid:5b0c9d1e-0000-4000-8000-00000000000e';
  expectStatus(t, await farm.api.post('/epcis/events', observed(6, jobId)), 201, 'the farm’s event');
  const job = await plant.api.post('/epcis/capture', {
    '@context': CONTEXT,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2026-03-02T00:00:00Z',
    epcisBody: { eventList: [observed(7, jobId)] },
  });
  expectStatus(t, job, 202, 'a capture job');
  await world.app.services.epcis.idle();
  const finished = await plant.api.get(job.headers.location as string);
  t.match(finished.body, { success: true, captured: 1, duplicates: 0, eventIDs: [jobId] }, 'captured, as the plant’s own');
  t.same(await listed(plant, `EQ_eventID=${jobId}`), [{ eventID: jobId, epc: '7', declared: false }], 'found');

  const audit = await world.regulator.get('/audit/verify');
  expectStatus(t, audit, 200, 'verified');
  t.ok(audit.body.ok, 'every chain verifies');
});

t.test('an event hash another party holds is the capturing party’s own', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  // seen after the plant received the lot: a party observes only what it held at the time
  const seen = { ...observed(1), eventTime: '2026-03-20T08:00:00+08:00' };
  const first = await farm.api.post('/epcis/events', seen);
  expectStatus(t, first, 201, 'the farm captures an event without an eventID');
  t.match(first.body.eventID, /^ni:\/\/\//, 'named by its hash');
  // the plant holds what the farm saw, and sees it just as the farm did
  const [lotCode] = (await farm.api.get(`/trace/${encodeURIComponent(seen.epcList[0])}`)).body.query.lotCodes;
  await world.handOver(farm, plant, lotCode);
  const second = await plant.api.post('/epcis/events', seen);
  expectStatus(t, second, 201, 'the plant captures the same content: its own event, not a duplicate of the farm’s');
  t.equal(second.body.eventID, first.body.eventID, 'under the same hash');
  expectStatus(t, await plant.api.post('/epcis/events', seen), 200, 're-sent, a duplicate of its own');
  for (const party of [farm, plant]) {
    const response = await party.api.get(`/epcis/events?EQ_eventID=${encodeURIComponent(first.body.eventID)}`);
    t.equal(response.body.epcisBody.queryResults.resultsBody.eventList.length, 1, 'each party finds its own event');
    const one = await party.api.get(`/epcis/events/${encodeURIComponent(first.body.eventID)}`);
    expectStatus(t, one, 200, 'and reads it');
  }
  const declared = await plant.api.post('/epcis/events', {
    ...seen,
    errorDeclaration: { declarationTime: '2026-03-05T00:00:00Z', reason: 'did_not_occur' },
  });
  expectStatus(t, declared, 200, 'the plant declares its own in error');
  const farms = await farm.api.get('/epcis/events?EXISTS_errorDeclaration');
  t.same(farms.body.epcisBody.queryResults.resultsBody.eventList, [], 'the farm’s stays undeclared');
  const plants = await plant.api.get('/epcis/events?EXISTS_errorDeclaration');
  t.equal(plants.body.epcisBody.queryResults.resultsBody.eventList.length, 1, 'the plant’s is declared');
});

t.test('two parties capturing one new eventID at once: each stores its own event, neither is a 500 (PostgreSQL)', onPostgres, async (t) => {
  const world = await createWorld(t, 'postgres');
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const raced = 'urn:uuid:5b0c9d1e-0000-4000-8000-0000000000aa';
  expectStatus(t, await plant.api.post('/epcis/events', observed(8)), 201, 'the plant’s chain has begun');
  // the plant's capture reads the eventID as free, then waits for its audit chain, held here
  const hold = await holdLocked(world, sql`select 1 from audit_heads where party_code = ${plant.code} for update`);
  const plants = plant.api.post('/epcis/events', observed(9, raced));
  await waitersReach(world, 1, plants);
  expectStatus(t, await farm.api.post('/epcis/events', observed(1, raced)), 201, 'the farm stores its event under it meanwhile');
  hold.release();
  await hold.done;
  expectStatus(t, await plants, 201, 'the plant’s event is stored too, as its own');
  for (const [party, epc] of [
    [farm, '1'],
    [plant, '9'],
  ] as const) {
    const response = await party.api.get(`/epcis/events?EQ_eventID=${raced}`);
    t.same(
      response.body.epcisBody.queryResults.resultsBody.eventList.map((event: Listed) => event.epcList[0].slice(-1)),
      [epc],
      'each finds its own',
    );
  }
});

t.test('a trace shows an event kept under its party’s key by its eventID', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const input = 'https://id.gs1.org/01/06901234000016/10/KEYED-IN';
  const output = 'https://id.gs1.org/01/06901234000023/10/KEYED-OUT';
  const made = 'urn:uuid:5b0c9d1e-0000-4000-8000-0000000000b1';
  expectStatus(t, await farm.api.post('/epcis/events', observed(1, made)), 201, 'the farm holds the eventID first');
  expectStatus(
    t,
    await plant.api.post('/epcis/events', {
      ...observed(1),
      action: 'ADD',
      bizStep: 'commissioning',
      epcList: undefined,
      quantityList: [{ epcClass: input, quantity: 5, uom: 'H87' }],
    }),
    201,
    'the plant commissions a lot',
  );
  expectStatus(
    t,
    await plant.api.post('/epcis/events', {
      '@context': CONTEXT,
      type: 'TransformationEvent',
      eventID: made,
      eventTime: '2026-03-02T08:00:00+08:00',
      eventTimeZoneOffset: '+08:00',
      inputQuantityList: [{ epcClass: input, quantity: 5, uom: 'H87' }],
      outputQuantityList: [{ epcClass: output, quantity: 400, uom: 'KGM' }],
      bizStep: 'urn:county-trace:bizstep:slaughter',
    }),
    201,
    'and transforms it under the eventID the farm holds',
  );
  for (const who of [plant, world.regulator]) {
    const trace = await ('api' in who ? who.api : who).get(`/trace/${encodeURIComponent(output)}`);
    expectStatus(t, trace, 200, 'traced');
    t.same(
      trace.body.edges.filter((edge: { kind: string }) => edge.kind === 'transform').map((edge: { eventId: string }) => edge.eventId),
      [made],
      'the transformation edge names the eventID',
    );
    t.notMatch(JSON.stringify(trace.body), `|${plant.code}`, 'and no key');
  }
});

t.test('a lot made by an event kept under its party’s key names the event by its eventID', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const commissioned = 'urn:uuid:5b0c9d1e-0000-4000-8000-0000000000b2';
  expectStatus(t, await farm.api.post('/epcis/events', observed(1, commissioned)), 201, 'the farm holds the eventID first');
  const lot = 'https://id.gs1.org/01/06901234000016/10/KEYED-LOT';
  expectStatus(
    t,
    await plant.api.post('/epcis/events', {
      ...observed(1, commissioned),
      action: 'ADD',
      bizStep: 'commissioning',
      epcList: undefined,
      quantityList: [{ epcClass: lot, quantity: 5, uom: 'H87' }],
    }),
    201,
    'the plant commissions a lot under it',
  );
  const [lotCode] = (await plant.api.get(`/trace/${encodeURIComponent(lot)}`)).body.query.lotCodes;
  const one = await plant.api.get(`/lots/${lotCode}`);
  expectStatus(t, one, 200, 'the lot');
  t.equal(one.body.createdByEventId, commissioned, 'made by the eventID');
  const listed = await plant.api.get('/lots');
  expectStatus(t, listed, 200, 'the plant’s lots');
  t.same(
    listed.body.items.map((item: { createdByEventId: string }) => item.createdByEventId),
    [commissioned],
    'listed with the eventID too',
  );
});

t.test('a shipment made by an event kept under its party’s key names the event by its eventID', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const shipped = 'urn:uuid:5b0c9d1e-0000-4000-8000-0000000000b3';
  expectStatus(t, await farm.api.post('/epcis/events', observed(1, shipped)), 201, 'the farm holds the eventID first');
  const lot = 'https://id.gs1.org/01/06901234000016/10/KEYED-SHIPPED';
  const made = { ...observed(1), action: 'ADD', bizStep: 'commissioning', epcList: undefined };
  expectStatus(
    t,
    await plant.api.post('/epcis/events', { ...made, quantityList: [{ epcClass: lot, quantity: 5, uom: 'H87' }] }),
    201,
    'the plant commissions a lot',
  );
  expectStatus(
    t,
    await plant.api.post('/epcis/events', {
      ...observed(1, shipped),
      bizStep: 'shipping',
      epcList: undefined,
      quantityList: [{ epcClass: lot, quantity: 2, uom: 'H87' }],
      destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${farm.code}` }],
    }),
    201,
    'and ships some of it to the farm under the eventID the farm holds',
  );
  const shipments = await plant.api.get('/shipments');
  expectStatus(t, shipments, 200, 'the plant’s shipments');
  t.same(
    shipments.body.items.map((shipment: { shipEventId: string }) => shipment.shipEventId),
    [shipped],
    'shipped by the eventID',
  );
  t.notMatch(JSON.stringify(shipments.body), `|${plant.code}`, 'and no key');
});

t.test('an eventID two parties hold: a regulator or admin names the party, or is offered both', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const shared = 'urn:uuid:5b0c9d1e-0000-4000-8000-0000000000c1';
  expectStatus(t, await farm.api.post('/epcis/events', observed(1, shared)), 201, 'the farm holds the eventID first');
  const only = 'urn:uuid:5b0c9d1e-0000-4000-8000-0000000000c2';
  expectStatus(t, await farm.api.post('/epcis/events', observed(3, only)), 201, 'and another only it holds');
  const doors = [
    ['native', '/events/'],
    ['EPCIS', '/epcis/events/'],
  ] as const;
  for (const [door, path] of doors) {
    expectStatus(t, await world.regulator.get(`${path}${encodeURIComponent(shared)}`), 200, `${door}: one holder, the event itself`);
  }
  expectStatus(t, await plant.api.post('/epcis/events', observed(2, shared)), 201, 'the plant captures its own under it');
  for (const [door, path] of doors) {
    const at = (id: string, query = '') => `${path}${encodeURIComponent(id)}${query}`;
    const epcOf = (body: { epcList?: string[]; details?: { epcis?: { epcList: string[] } } }) =>
      (body.epcList ?? body.details?.epcis?.epcList)?.[0].slice(-1);
    for (const who of [world.regulator, world.admin]) {
      const plain = await who.get(at(shared));
      expectStatus(t, plain, 300, `${door}: two holders, neither named`);
      t.match(plain.headers['content-type'], /^application\/problem\+json/, 'a problem');
      t.same(
        plain.body.choices,
        [
          { partyCode: farm.code, href: at(shared, `?partyCode=${farm.code}`) },
          { partyCode: plant.code, href: at(shared, `?partyCode=${plant.code}`) },
        ],
        'each holder with where its event is read, the first holder first',
      );
      for (const choice of plain.body.choices as { partyCode: string; href: string }[]) {
        const chosen = await who.get(choice.href);
        expectStatus(t, chosen, 200, `${door}: the event of ${choice.partyCode}`);
        t.equal(epcOf(chosen.body), choice.partyCode === farm.code ? '1' : '2', 'that party’s');
        t.notMatch(JSON.stringify(chosen.body), `|${choice.partyCode}`, 'named by its eventID');
      }
      expectStatus(t, await who.get(at(only)), 200, `${door}: an eventID one party holds needs no party named`);
      expectStatus(t, await who.get(at(only, `?partyCode=${farm.code}`)), 200, 'nor refuses the party named');
      const other = await who.get(at(only, `?partyCode=${plant.code}`));
      expectStatus(t, other, 404, `${door}: a party that holds no such event`);
      const malformed = await who.get(at(shared, '?partyCode=no-such-party'));
      expectStatus(t, malformed, 400, `${door}: a party code malformed`);
      t.match(malformed.body.errors, [{ in: 'querystring', pointer: '/partyCode' }], 'at its field');
      const mistyped = `${plant.code.slice(0, -1)}${plant.code.endsWith('0') ? '1' : '0'}`;
      expectStatus(t, await who.get(at(shared, `?partyCode=${mistyped}`)), 400, `${door}: mistyped`);
    }
    // a party reads its own as before, and names no other party's
    for (const [party, epc] of [
      [farm, '1'],
      [plant, '2'],
    ] as const) {
      const own = await party.api.get(at(shared));
      expectStatus(t, own, 200, `${door}: a holder reads its own event`);
      t.equal(epcOf(own.body), epc, 'its own');
      expectStatus(t, await party.api.get(at(shared, `?partyCode=${party.code}`)), 200, 'named as its own too');
      const other = party === farm ? plant : farm;
      const theirs = await party.api.get(at(shared, `?partyCode=${other.code}`));
      expectStatus(t, theirs, 404, `${door}: another party’s reads as unknown`);
      t.equal(
        theirs.body.detail,
        (await party.api.get(at('urn:uuid:5b0c9d1e-0000-4000-8000-0000000000ff'))).body.detail.replace(/urn:uuid:\S+/, shared),
        'in the words of an unknown eventID',
      );
    }
  }
});
