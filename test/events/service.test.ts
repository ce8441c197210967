// The native event service with exactly its narrowed dependencies, on a real database: who
// records events, who reads them, and that a refused event leaves nothing behind.
import { mod31CheckChar } from '../../src/codes/mod31.js';
import type { Db } from '../../src/db/client.js';
import { settledBefore } from '../../src/db/settled.js';
import { eventInput } from '../../src/events/schemas.js';
import { createEventService } from '../../src/events/service.js';
import { createEventWriter } from '../../src/events/writer/index.js';
import { createEventWriterRepository } from '../../src/events/writer/repository.js';
import { createIdentifierService } from '../../src/identifiers/service.js';
import { ADMIN, createChain, narrow, REGULATOR } from '../fixtures/chain.js';
import { at } from '../fixtures/world.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('events', async (t) => {
  const database = await openTestDatabase(t);
  const chain = createChain(database);
  const { repositories } = chain;
  const service = createEventService({
    transaction: (work) => database.db.transaction((tx) => work(tx as unknown as Db)),
    writer: createEventWriter({
      repository: createEventWriterRepository(),
      lots: narrow(repositories.lots, ['findBySsccs']),
      now: () => new Date(),
    }),
    identifiers: createIdentifierService({ ...repositories, publicBaseUrl: 'https://trace.example' }),
    events: narrow(repositories.events, ['findById', 'findHeld', 'list', 'listRecorded']),
    settled: (at) => settledBefore(database.db, at, 0),
  });
  const all = { limit: 100, offset: 0 };

  t.test('only an operator key records, for its own party', async (t) => {
    const farm = await chain.party('farm');
    const pigs = await farm.product('head');
    const commission = eventInput.parse({ type: 'commission', eventTime: at(1), lots: [{ productCode: pigs, quantity: 3 }] });
    const message = 'events are recorded with an operator key, acting for its own party';
    await t.rejects(service.record(ADMIN, commission), { status: 403, message });
    await t.rejects(service.record(REGULATOR, commission), { status: 403, message });
    const recorded = await service.record(farm.principal, commission);
    t.match(recorded.event, { type: 'commission', partyCode: farm.code });
    t.equal(recorded.createdLotCodes.length, 1);
    t.equal(recorded.shipmentId, null);
  });

  t.test('an event is read by its party and regulators; lists keep to the reader’s party', async (t) => {
    const farm = await chain.party('farm');
    const other = await chain.party('farm');
    const pigs = await farm.product('head');
    const { event } = await farm.event({ type: 'commission', lots: [{ productCode: pigs, quantity: 1 }] });
    t.match(await service.get(farm.principal, event.id), { event: { id: event.id } });
    t.match(await service.get(REGULATOR, event.id), { event: { id: event.id } });
    await t.rejects(
      service.get(other.principal, event.id),
      { status: 404, message: `no event ${event.id}` },
      "another party's event reads as an unknown id",
    );
    await t.rejects(service.get(farm.principal, '00000000-0000-0000-0000-000000000000'), {
      status: 404,
      message: 'no event 00000000-0000-0000-0000-000000000000',
    });
    t.notOk(
      (await service.list(other.principal, all)).items.some((listed) => listed.id === event.id),
      "another party's events are not listed",
    );
    await t.rejects(service.list(other.principal, { ...all, partyCode: farm.code }), {
      status: 403,
      message: `party ${other.code} may not list events of ${farm.code}`,
    });
    const lotCode = event.lots[0].lotCode;
    t.same(
      (await service.list(REGULATOR, { ...all, lotCode })).items.map((listed) => listed.id),
      [event.id],
      'a regulator lists by lot',
    );
  });

  t.test('a refused event stores nothing: no event, no lot', async (t) => {
    const farm = await chain.party('farm');
    const pigs = await farm.product('head');
    const before = await service.list(farm.principal, all);
    const twoLots = eventInput.parse({
      type: 'commission',
      eventTime: at(2),
      lots: [
        { productCode: pigs, quantity: 1, lotNumber: 'SAME' },
        { productCode: `MXXXXXXXXXX${mod31CheckChar('MXXXXXXXXXX')}`, quantity: 1 },
      ],
    });
    await t.rejects(service.record(farm.principal, twoLots), { status: 422, errors: [{ pointer: '/lots/1/productCode' }] });
    t.same(await service.list(farm.principal, all), before, 'no event');
    t.equal(await repositories.lots.findByLotNumber(farm.code, 'SAME'), undefined, 'the first lot was not kept either');
  });
});
