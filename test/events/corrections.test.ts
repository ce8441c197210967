import { completeGs1 } from '../../src/codes/gs1.js';
import { EPCIS_CONTEXT } from '../fixtures/epcis.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('corrections declare an event in error, reverse it and optionally replace it; nothing is deleted', async (t) => {
  const world = await createWorld(t);

  t.test('a commission with a wrong quantity is replaced; the lot keeps its code and ear tags', async (t) => {
    const farm = await world.party('farm');
    const pigs = await farm.product('head');
    const tags = ['150023690000001', '150023690000002'];
    const original = (
      await farm.event({ type: 'commission', lots: [{ productCode: pigs, quantity: 20, lotNumber: 'W-1', attributes: { earTags: tags } }] })
    ).body;
    const lot = original.createdLotCodes[0];
    const corrected = expectStatus(
      t,
      await farm.event({
        type: 'correction',
        correctsEventId: original.event.id,
        reason: 'typed 20 for 2',
        replacement: {
          type: 'commission',
          eventTime: original.event.eventTime,
          lots: [{ productCode: pigs, quantity: 2, lotNumber: 'W-1', attributes: { earTags: tags } }],
        },
      }),
      201,
      'correct with replacement',
    );
    t.equal(corrected.body.event.type, 'correction');
    t.equal(corrected.body.event.correctsEventId, original.event.id);
    t.equal(corrected.body.replacement.details.replacesEventId, original.event.id);
    t.same(corrected.body.createdLotCodes, [lot], 'the replacement keeps the lot code printed on labels');
    const state = await farm.lot(lot);
    t.equal(state.quantity, 2);
    t.same(state.holders, [{ partyCode: farm.code, onHand: 2 }]);
    t.equal(state.massBalance.produced, 2, 'the wrong quantity nets out in the ledger');
    const originalNow = (await farm.api.get(`/events/${original.event.id}`)).body;
    t.equal(originalNow.declaredInErrorBy, corrected.body.event.id, 'the original is kept, declared in error');
    const byTag = await farm.api.get(`/trace/${tags[0]}`);
    t.equal(byTag.body.query.lotCodes[0], lot, 'the ear tags still resolve to the lot');
    // a retry can tell "my correction landed" from any other conflict
    t.match(
      expectStatus(
        t,
        await farm.event({ type: 'correction', correctsEventId: original.event.id, reason: 'again' }),
        409,
        'an event is corrected once',
      ).body,
      {
        type: '/problems/already-corrected',
        detail: `event ${original.event.id} was already declared in error by ${corrected.body.event.id}`,
        errors: [{ pointer: '/correctsEventId', detail: 'already corrected' }],
      },
    );
    expectStatus(
      t,
      await farm.event({ type: 'correction', correctsEventId: corrected.body.event.id, reason: 'x' }),
      409,
      'a correction is not corrected',
    );
    const unknownId = '019a0000-0000-7000-8000-000000000000';
    const unknown = expectStatus(
      t,
      await farm.event({ type: 'correction', correctsEventId: unknownId, reason: 'x' }),
      422,
      'unknown event',
    );
    const other = await world.party('farm');
    const foreignId = corrected.body.replacement.id;
    const foreign = expectStatus(
      t,
      await other.event({ type: 'correction', correctsEventId: foreignId, reason: 'x' }),
      422,
      "another party's event, as if unknown",
    );
    const { instance: _unknownAt, ...unknownAnswer } = unknown.body;
    const { instance: _foreignAt, ...foreignAnswer } = foreign.body;
    t.same(
      JSON.parse(JSON.stringify(foreignAnswer).replaceAll(foreignId, unknownId)),
      unknownAnswer,
      'answered word for word as an unknown id is, naming no party',
    );
  });

  t.test('a commission without replacement voids its lot', async (t) => {
    const farm = await world.party('farm');
    const pigs = await farm.product('head');
    const original = (await farm.event({ type: 'commission', lots: [{ productCode: pigs, quantity: 5 }] })).body;
    await farm.event({ type: 'correction', correctsEventId: original.event.id, reason: 'never existed' });
    const lot = await farm.lot(original.createdLotCodes[0]);
    t.ok(lot.voidedByEventId, 'voided, not deleted');
    expectStatus(t, await farm.api.get(`/trace/${original.createdLotCodes[0]}`), 404, 'a voided lot has no trace');
  });

  t.test('an event is corrected once, even by corrections sent at the same time', async (t) => {
    const farm = await world.party('farm');
    const plant = await world.party('processor');
    const lot = await farm.commission(await farm.product('kg'), 10);
    const statuses = (replies: { status: number }[]) => replies.map((reply) => reply.status).sort();

    const inspection = (await farm.event({ type: 'inspect', lotCodes: [lot], inspection: { kind: 'self', result: 'pass' } })).body;
    const together = await Promise.all(
      [1, 2, 3].map((n) => farm.event({ type: 'correction', correctsEventId: inspection.event.id, reason: `retry ${n}` })),
    );
    t.same(statuses(together), [201, 409, 409], 'one correction; the others find it made');

    const shipmentId = await farm.ship(plant, [{ lotCode: lot, quantity: 4 }]);
    const receipt = await plant.receive(shipmentId);
    const replaced = await Promise.all(
      [1, 2].map((n) =>
        plant.event({
          type: 'correction',
          correctsEventId: receipt.event.id,
          reason: `retry ${n}`,
          replacement: { type: 'receive', eventTime: receipt.event.eventTime, shipmentId },
        }),
      ),
    );
    t.same(statuses(replaced), [201, 409]);
    const state = await plant.lot(lot);
    t.same(state.holders, [{ partyCode: plant.code, onHand: 4 }]);
    t.match(state.massBalance, { received: 4, unaccounted: 0 }, 'the receipt is reversed once and made again once');
  });

  t.test('a voided lot gives up its lot number and SSCC to the lots recorded after it', async (t) => {
    const plant = await world.party('processor');
    const bacon = await plant.product('kg');
    const numbered = (await plant.event({ type: 'commission', lots: [{ productCode: bacon, quantity: 5, lotNumber: 'V-1' }] })).body;
    await plant.event({ type: 'correction', correctsEventId: numbered.event.id, reason: 'recorded twice' });
    const again = expectStatus(
      t,
      await plant.event({ type: 'commission', lots: [{ productCode: bacon, quantity: 5, lotNumber: 'V-1' }] }),
      201,
      'the lot number again',
    );
    const byNumber = await plant.api.get(`/trace/${plant.code}:V-1`);
    t.same(byNumber.body.query.lotCodes, again.body.createdLotCodes, 'the lot number names the live lot');

    const sscc = completeGs1('10614141777777777');
    const loose = await plant.commission(bacon, 10);
    const pack = () => plant.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: loose, quantity: 1 }] });
    const packed = (await pack()).body;
    const replaced = expectStatus(
      t,
      await plant.event({
        type: 'correction',
        correctsEventId: packed.event.id,
        reason: 'packed 1 kg, not 2',
        replacement: {
          type: 'aggregate',
          eventTime: packed.event.eventTime,
          parent: { sscc },
          children: [{ lotCode: loose, quantity: 2 }],
        },
      }),
      201,
      'the pallet packed again under its SSCC, as the replacement',
    );
    await plant.event({ type: 'correction', correctsEventId: replaced.body.replacement.id, reason: 'never packed' });
    const repacked = expectStatus(t, await pack(), 201, 'the SSCC again, after its container was voided');
    const container = await plant.lot(repacked.body.event.details.parentCode);
    t.equal(container.sscc, sscc);
    t.same(container.holders, [{ partyCode: plant.code, onHand: 1 }]);
  });

  t.test('a transform that named the wrong input is replaced: inputs restored, lineage switched', async (t) => {
    const plant = await world.party('slaughterhouse');
    const pigs = await plant.product('head');
    const carcass = await plant.product('kg');
    const right = await plant.commission(pigs, 5);
    const wrong = await plant.commission(pigs, 5);
    const original = (
      await plant.event({
        type: 'transform',
        inputs: [{ lotCode: wrong, quantity: 5 }],
        outputs: [{ productCode: carcass, quantity: 400 }],
      })
    ).body;
    const output = original.createdLotCodes[0];
    t.equal((await plant.lot(wrong)).status, 'consumed');
    expectStatus(
      t,
      await plant.event({
        type: 'correction',
        correctsEventId: original.event.id,
        reason: 'wrong pen',
        replacement: {
          type: 'transform',
          eventTime: original.event.eventTime,
          inputs: [{ lotCode: right, quantity: 5 }],
          outputs: [{ productCode: carcass, quantity: 400 }],
        },
      }),
      201,
      'replace the transform',
    );
    t.equal((await plant.lot(wrong)).status, 'active', 'the wrong input is restored');
    t.same((await plant.lot(wrong)).holders, [{ partyCode: plant.code, onHand: 5 }]);
    t.equal((await plant.lot(right)).status, 'consumed');
    const back = await plant.api.get(`/trace/${output}`);
    const codes = back.body.nodes.map((n: { code: string }) => n.code);
    t.ok(codes.includes(right), 'traces back to the right input');
    t.notOk(codes.includes(wrong), 'no longer to the wrong one');
    t.ok(
      back.body.events.some((e: { type: string }) => e.type === 'correction'),
      'the correction is on the record of the trace',
    );
    t.ok(
      back.body.events.some((e: { id: string; declaredInErrorBy: string | null }) => e.id === original.event.id && e.declaredInErrorBy),
      'the original event shows as declared in error',
    );
  });

  t.test('effects already used downstream must be corrected downstream first', async (t) => {
    const plant = await world.party('slaughterhouse');
    const buyer = await world.party('processor');
    const pigs = await plant.product('head');
    const carcass = await plant.product('kg');
    const cured = await plant.product('kg');
    const lot = await plant.commission(pigs, 5);
    const slaughter = (
      await plant.event({ type: 'transform', inputs: [{ lotCode: lot, quantity: 5 }], outputs: [{ productCode: carcass, quantity: 400 }] })
    ).body;
    await plant.transform([{ lotCode: slaughter.createdLotCodes[0], quantity: 100 }], [{ productCode: cured, quantity: 60 }]);
    expectStatus(
      t,
      await plant.event({ type: 'correction', correctsEventId: slaughter.event.id, reason: 'x' }),
      409,
      'its output is already an input',
    );

    const shipped = (
      await plant.event({ type: 'ship', toPartyCode: buyer.code, lines: [{ lotCode: slaughter.createdLotCodes[0], quantity: 50 }] })
    ).body;
    const received = (await buyer.event({ type: 'receive', shipmentId: shipped.shipmentId })).body;
    expectStatus(
      t,
      await plant.event({ type: 'correction', correctsEventId: shipped.event.id, reason: 'x' }),
      409,
      'a received shipment cannot be unshipped',
    );
    expectStatus(
      t,
      await buyer.event({ type: 'correction', correctsEventId: received.event.id, reason: 'wrong truck' }),
      201,
      'correct the receipt first',
    );
    const reopened = (await buyer.api.get('/shipments?status=open')).body.items;
    t.ok(
      reopened.some((s: { id: string }) => s.id === shipped.shipmentId),
      'the shipment is open again',
    );
    expectStatus(
      t,
      await plant.event({ type: 'correction', correctsEventId: shipped.event.id, reason: 'not sent' }),
      201,
      'then the shipment',
    );
    t.same(
      (await plant.lot(slaughter.createdLotCodes[0])).holders,
      [{ partyCode: plant.code, onHand: 300 }],
      'quantity back with the sender',
    );
    const cancelled = (await plant.api.get('/shipments?status=cancelled')).body.items;
    t.ok(
      cancelled.some((s: { id: string }) => s.id === shipped.shipmentId),
      'the shipment is cancelled',
    );
    expectStatus(t, await buyer.event({ type: 'receive', shipmentId: shipped.shipmentId }), 409, 'a cancelled shipment cannot be received');
  });
});

t.test('an unpacking declared in error puts the packs it took out back in their case', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const lot = await plant.commission(await plant.product('piece'), 10);
  const packs = (await issuePacks(world, plant, lot, 10)).slice(0, 4);
  const caseA = (await world.ok(plant.event({ type: 'aggregate', parent: {}, itemCodes: packs }))).createdLotCodes[0];
  const unpacked = await world.ok(plant.event({ type: 'disaggregate', parentCode: caseA }));
  t.same(unpacked.event.details.itemCodes, [...packs].sort(), 'the unpacking names the packs it took out');
  await world.ok(plant.event({ type: 'correction', correctsEventId: unpacked.event.id, reason: 'the case was never opened' }));

  const again = await plant.event({ type: 'aggregate', parent: {}, itemCodes: packs });
  expectStatus(t, again, 409, 'the packs are in their case again: not packed a second time');
  t.equal(again.body.errors[0].pointer, '/itemCodes/0');
  expectStatus(t, await plant.event({ type: 'disaggregate', parentCode: caseA }), 201, 'unpacking the case again');
  expectStatus(t, await plant.event({ type: 'aggregate', parent: {}, itemCodes: packs }), 201, 'frees them to be packed anew');
});

t.test('an unpacking captured through EPCIS and declared in error puts the packs back in their case', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const lot = await plant.commission(await plant.product('piece'), 10);
  const packs = (await issuePacks(world, plant, lot, 10)).slice(0, 4);
  const sscc = completeGs1('06901234000000017');
  await world.ok(plant.event({ type: 'aggregate', parent: { sscc }, itemCodes: packs }));
  const unpacking = {
    type: 'AggregationEvent',
    eventID: 'urn:uuid:6a1f8c2e-1d4b-4f7a-9c3e-2b5d8e9f0a11',
    eventTime: '2026-03-02T08:00:00+08:00',
    eventTimeZoneOffset: '+08:00',
    action: 'DELETE',
    bizStep: 'unpacking',
    parentID: 'urn:epc:id:sscc:6901234.0000000017',
  };
  const post = (payload: object) =>
    world.app.inject({
      method: 'POST',
      url: '/epcis/events',
      payload: { '@context': EPCIS_CONTEXT, ...payload },
      headers: { authorization: `Bearer ${plant.key}` },
    });
  t.equal((await post(unpacking)).statusCode, 201, 'unpacked through EPCIS');
  expectStatus(t, await plant.event({ type: 'aggregate', parent: {}, itemCodes: [packs[0]] }), 201, 'the packs are out: one packs anew');
  const declared = await post({ ...unpacking, errorDeclaration: { declarationTime: '2026-03-03T00:00:00Z', reason: 'incorrect_data' } });
  t.equal(declared.statusCode, 200, 'declared in error');
  const again = await plant.event({ type: 'aggregate', parent: {}, itemCodes: packs.slice(1) });
  expectStatus(t, again, 409, 'the packs still out are back in their case: not packed a second time');
});
