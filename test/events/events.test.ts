import { completeGs1 } from '../../src/codes/gs1.js';
import { mod31CheckChar } from '../../src/codes/mod31.js';
import { serviceCodeKind } from '../../src/codes/service-codes.js';
import { at, createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A code of the kind with a sound check character, never issued: unknown, not mistyped. */
const unissued = (body: string) => body + mod31CheckChar(body);
const earTag = (serial: number) => `1500236${String(serial).padStart(8, '0')}`;

t.test('events', async (t) => {
  const world = await createWorld(t);

  t.test('commission creates lots with codes, units, expiry and ear tags', async (t) => {
    const farm = await world.party('farm');
    const pigs = await farm.product('head');
    const reply = expectStatus(
      t,
      await farm.event({
        type: 'commission',
        lots: [
          {
            productCode: pigs,
            quantity: 3,
            lotNumber: 'F-1',
            productionDate: '2026-02-01',
            attributes: { earTags: [earTag(1), earTag(2), earTag(3)] },
          },
        ],
      }),
      201,
      'commission',
    );
    const [code] = reply.body.createdLotCodes;
    t.equal(serviceCodeKind(code), 'lot');
    t.equal(reply.body.event.type, 'commission');
    t.equal(reply.body.event.bizStep, 'commissioning');
    t.equal(reply.body.event.eventTimeZoneOffset, '+08:00');
    t.same(reply.body.event.lots, [{ lotCode: code, role: 'subject', quantity: 3 }], 'the event names the lot it created');
    const lot = await farm.lot(code);
    t.equal(lot.unit, 'head', "unit defaults to the product's");
    t.equal(lot.status, 'active');
    t.same(lot.holders, [{ partyCode: farm.code, onHand: 3 }]);
    t.equal(lot.massBalance.produced, 3);

    const food = await farm.product('kg', { shelfLifeDays: 10 });
    const withShelfLife = await farm.commission(food, 5, { productionDate: '2026-02-01' });
    t.equal((await farm.lot(withShelfLife)).expiryDate, '2026-02-11', 'expiry from the shelf life');
    // a lot is produced no later than the day, China time, of the event that makes it
    const madeOn = (eventTime: string, productionDate: string) =>
      farm.event({ type: 'commission', eventTime, lots: [{ productCode: food, quantity: 1, productionDate }] });
    const sameDay = expectStatus(t, await madeOn('2026-03-02T07:30:00+08:00', '2026-03-02'), 201, 'made on the day of its event in China');
    t.equal((await farm.lot(sameDay.body.createdLotCodes[0])).productionDate, '2026-03-02', 'a day UTC had not reached yet');
    const dayAfter = await madeOn('2026-03-02T23:59:59+08:00', '2026-03-03');
    t.match(expectStatus(t, dayAfter, 422, 'made the day after its event').body, {
      type: '/problems/invalid-dates',
      detail: 'productionDate 2026-03-03 is after the day of the event, 2026-03-02 (China time)',
      errors: [{ pointer: '/lots/0/productionDate', detail: 'after 2026-03-02, the day of the event in China' }],
    });
    const packed = await farm.event({
      type: 'transform',
      eventTime: '2026-12-06T16:30:00+08:00',
      inputs: [{ lotCode: withShelfLife, quantity: 1 }],
      outputs: [{ productCode: food, quantity: 1, productionDate: '2026-12-26' }],
    });
    t.match(expectStatus(t, packed, 422, 'a packing output made twenty days after the packing').body.errors, [
      { pointer: '/outputs/0/productionDate' },
    ]);
    t.equal((await farm.lot(withShelfLife)).massBalance.consumed, 0, 'nothing of the refused packing is stored');

    const duplicateNumber = await farm.event({ type: 'commission', lots: [{ productCode: pigs, quantity: 1, lotNumber: 'F-1' }] });
    expectStatus(t, duplicateNumber, 409, 'lot number reused by the same party');
    t.equal(duplicateNumber.body.errors[0].pointer, '/lots/0/lotNumber');
    const otherFarm = await world.party('farm');
    const otherPigs = await otherFarm.product('head');
    expectStatus(
      t,
      await otherFarm.event({ type: 'commission', lots: [{ productCode: otherPigs, quantity: 1, lotNumber: 'F-1' }] }),
      201,
      'lot numbers are scoped per party',
    );

    const takenTag = await otherFarm.event({
      type: 'commission',
      lots: [{ productCode: otherPigs, quantity: 1, attributes: { earTags: [earTag(2)] } }],
    });
    expectStatus(t, takenTag, 409, 'an ear tag belongs to one lot');
    t.equal(takenTag.body.errors[0].pointer, '/lots/0/attributes/earTags/0');
    const moreTagsThanPigs = await otherFarm.event({
      type: 'commission',
      lots: [{ productCode: otherPigs, quantity: 2, attributes: { earTags: [earTag(91), earTag(92), earTag(93)] } }],
    });
    expectStatus(t, moreTagsThanPigs, 422, 'three ear tags on two pigs');
    t.same(moreTagsThanPigs.body.errors, [{ in: 'body', pointer: '/lots/0/attributes/earTags', detail: 'at most 2, one per head' }]);
    const badTag = await farm.event({ type: 'commission', lots: [{ productCode: pigs, quantity: 1, attributes: { earTags: ['12345'] } }] });
    expectStatus(t, badTag, 400, 'malformed ear tag');
    t.equal(badTag.body.errors[0].pointer, '/lots/0/attributes/earTags/0');
    const foreignProduct = await otherFarm.event({ type: 'commission', lots: [{ productCode: pigs, quantity: 1 }] });
    t.match(expectStatus(t, foreignProduct, 403, 'another party’s product').body, {
      detail: `product ${pigs} belongs to party ${farm.code}; party ${otherFarm.code} may not use it`,
      errors: [{ pointer: '/lots/0/productCode' }],
    });
    const farmSite = await farm.location('farm');
    const atForeignSite = await otherFarm.event({
      type: 'commission',
      lots: [{ productCode: otherPigs, quantity: 1, originLocationCode: farmSite }],
    });
    t.match(expectStatus(t, atForeignSite, 403, 'at another party’s site').body.errors, [{ pointer: '/lots/0/originLocationCode' }]);
    const madeOfForeign = await otherFarm.transform(
      [{ lotCode: await otherFarm.commission(otherPigs, 2), quantity: 1 }],
      [{ productCode: otherPigs, quantity: 1 }],
    );
    t.equal(madeOfForeign.length, 1, 'its own product, as a transform output');
    const foreignOutput = await otherFarm.event({
      type: 'transform',
      inputs: [{ lotCode: await otherFarm.commission(otherPigs, 2), quantity: 1 }],
      outputs: [{ productCode: pigs, quantity: 1 }],
    });
    t.match(expectStatus(t, foreignOutput, 403, 'nor another party’s product as an output').body.errors, [
      { pointer: '/outputs/0/productCode' },
    ]);
    for (const field of ['readPoint', 'bizLocation']) {
      const elsewhere = await otherFarm.event({ type: 'observe', [field]: farmSite, lotCodes: [madeOfForeign[0]] });
      t.match(expectStatus(t, elsewhere, 403, `an event whose ${field} is another party’s site`).body.errors, [{ pointer: `/${field}` }]);
    }
    // a lab samples where the goods are: at a site of the party whose lot it tests, not elsewhere
    const lab = await world.party('lab');
    const sampled = await farm.commission(pigs, 1);
    const inspection = { kind: 'third_party', labPartyCode: lab.code, result: 'pass' };
    expectStatus(
      t,
      await lab.event({ type: 'inspect', readPoint: farmSite, lotCodes: [sampled], inspection }),
      201,
      'a lab at the owner’s site',
    );
    const otherSite = await otherFarm.location('farm');
    expectStatus(
      t,
      await lab.event({ type: 'inspect', readPoint: otherSite, lotCodes: [sampled], inspection }),
      403,
      'not at a third party’s',
    );
    t.match(
      expectStatus(
        t,
        await lab.event({ type: 'observe', readPoint: farmSite, lotCodes: [sampled] }),
        403,
        'nor an event other than its test',
      ).body.errors,
      [{ pointer: '/readPoint' }],
    );
    const unknownProduct = await farm.event({ type: 'commission', lots: [{ productCode: unissued('MXXXXXXXXXX'), quantity: 1 }] });
    expectStatus(t, unknownProduct, 422, 'unknown product');
    t.equal(unknownProduct.body.errors[0].pointer, '/lots/0/productCode');
    expectStatus(
      t,
      await farm.event({
        type: 'commission',
        lots: [{ productCode: pigs, quantity: 1, productionDate: '2026-02-02', expiryDate: '2026-02-01' }],
      }),
      422,
      'expiry before production',
    );
    expectStatus(t, await farm.event({ type: 'commission', lots: [{ productCode: pigs, quantity: -1 }] }), 400, 'negative quantity');
  });

  t.test('an event time in the future, or without an offset, is rejected', async (t) => {
    const farm = await world.party('farm');
    const pigs = await farm.product('head');
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const reply = await farm.api.post('/events', { type: 'commission', eventTime: future, lots: [{ productCode: pigs, quantity: 1 }] });
    expectStatus(t, reply, 422, 'future event');
    t.equal(reply.body.errors[0].pointer, '/eventTime');
    expectStatus(
      t,
      await farm.api.post('/events', { type: 'commission', eventTime: 'yesterday', lots: [{ productCode: pigs, quantity: 1 }] }),
      400,
      'not a timestamp',
    );
    const local = await farm.api.post('/events', {
      type: 'commission',
      eventTime: '2026-11-30T09:00:00',
      lots: [{ productCode: pigs, quantity: 1 }],
    });
    expectStatus(t, local, 400, 'a time without an offset');
    t.equal(local.body.errors[0].pointer, '/eventTime');
    t.match(local.body.errors[0].detail, 'must be an ISO 8601 time with an offset, e.g. 2026-11-30T09:00:00+08:00', 'says what to add');

    // the offset is kept as the event's eventTimeZoneOffset, which EPCIS bounds to ±14:00
    for (const eventTime of ['2026-03-01T08:00:00+23:59', '2026-03-01T08:00:00+14:30', '2026-03-01T08:00:00-14:01']) {
      const beyond = await farm.api.post('/events', { type: 'commission', eventTime, lots: [{ productCode: pigs, quantity: 1 }] });
      expectStatus(t, beyond, 400, `an offset beyond ±14:00 (${eventTime})`);
      t.same(beyond.body.errors, [{ in: 'body', pointer: '/eventTime', detail: 'must have an offset from -14:00 to +14:00' }]);
    }
    for (const eventTime of ['2026-03-01T08:00:00+14:00', '2026-03-01T08:00:00-12:00', '2026-03-01T08:00:00+05:45']) {
      const edge = await farm.api.post('/events', { type: 'commission', eventTime, lots: [{ productCode: pigs, quantity: 1 }] });
      expectStatus(t, edge, 201, `a real time zone's offset (${eventTime})`);
      const epcis = await farm.api.get(`/epcis/events/${edge.body.event.id}`);
      t.equal(epcis.body.eventTimeZoneOffset, eventTime.slice(-6), 'kept as the EPCIS eventTimeZoneOffset');
    }
  });

  t.test('transform consumes inputs and creates outputs; never more than remains, only by the holder', async (t) => {
    const plant = await world.party('slaughterhouse');
    const pigs = await plant.product('head');
    const carcass = await plant.product('kg');
    const offal = await plant.product('kg');
    const pigLot = await plant.commission(pigs, 10);
    const reply = expectStatus(
      t,
      await plant.event({
        type: 'transform',
        bizStep: 'killing',
        process: { kind: 'slaughter' },
        inputs: [{ lotCode: pigLot, quantity: 4 }],
        outputs: [
          { productCode: carcass, quantity: 320 },
          { productCode: offal, quantity: 40 },
        ],
      }),
      201,
      'slaughter 4 of 10',
    );
    t.equal(reply.body.createdLotCodes.length, 2, 'several outputs');
    t.same(
      reply.body.event.lots.filter((l: { role: string }) => l.role === 'input'),
      [{ lotCode: pigLot, role: 'input', quantity: 4 }],
    );
    t.same((await plant.lot(pigLot)).holders, [{ partyCode: plant.code, onHand: 6 }], 'six pigs remain');

    const tooMuch = await plant.event({
      type: 'transform',
      inputs: [{ lotCode: pigLot, quantity: 7 }],
      outputs: [{ productCode: carcass, quantity: 1 }],
    });
    expectStatus(t, tooMuch, 409, 'taking more than remains');
    t.equal(tooMuch.body.errors[0].pointer, '/inputs/0/quantity');
    t.same((await plant.lot(pigLot)).holders, [{ partyCode: plant.code, onHand: 6 }], 'a rejected event changes nothing');

    const stranger = await world.party('processor');
    const strangerProduct = await stranger.product('kg');
    expectStatus(
      t,
      await stranger.event({
        type: 'transform',
        inputs: [{ lotCode: pigLot, quantity: 1 }],
        outputs: [{ productCode: strangerProduct, quantity: 1 }],
      }),
      403,
      'a non-holder cannot transform',
    );
    const neverIssued = `B0000000001${mod31CheckChar('B0000000001')}`;
    const unknown = await plant.event({
      type: 'transform',
      inputs: [{ lotCode: neverIssued, quantity: 1 }],
      outputs: [{ productCode: carcass, quantity: 1 }],
    });
    expectStatus(t, unknown, 422, 'unknown input lot');
    t.equal(unknown.body.errors[0].pointer, '/inputs/0/lotCode');
    const typo = await plant.event({
      type: 'transform',
      inputs: [{ lotCode: `${neverIssued.slice(0, 11)}${neverIssued[11] === 'X' ? 'Y' : 'X'}`, quantity: 1 }],
      outputs: [{ productCode: carcass, quantity: 1 }],
    });
    expectStatus(t, typo, 400, 'a lot code whose check character fails');
    t.match(typo.body.errors, [{ pointer: '/inputs/0/lotCode', detail: 'check character wrong — probably a typo' }]);
    expectStatus(
      t,
      await plant.event({
        type: 'transform',
        inputs: [
          { lotCode: pigLot, quantity: 1 },
          { lotCode: pigLot, quantity: 1 },
        ],
        outputs: [{ productCode: carcass, quantity: 1 }],
      }),
      422,
      'the same input twice',
    );

    await plant.transform([{ lotCode: pigLot, quantity: 6 }], [{ productCode: carcass, quantity: 480 }]);
    const consumed = await plant.lot(pigLot);
    t.equal(consumed.status, 'consumed', 'fully used lot is consumed');
    t.equal(consumed.massBalance.consumed, 10);
    t.equal(consumed.massBalance.unaccounted, 0);
  });

  t.test('ship and receive move custody; a receipt must match an open shipment to that party', async (t) => {
    const farm = await world.party('farm');
    const plant = await world.party('slaughterhouse');
    const other = await world.party('slaughterhouse');
    const pigs = await farm.product('head');
    const lot = await farm.commission(pigs, 10);

    expectStatus(t, await farm.event({ type: 'ship', toPartyCode: farm.code, lines: [{ lotCode: lot }] }), 422, 'shipping to oneself');
    expectStatus(
      t,
      await farm.event({ type: 'ship', toPartyCode: unissued('T500236XXXXXXX'), lines: [{ lotCode: lot }] }),
      422,
      'unknown destination',
    );
    const foreignLocation = await other.location();
    t.match(
      expectStatus(
        t,
        await farm.event({ type: 'ship', toPartyCode: plant.code, toLocationCode: foreignLocation, lines: [{ lotCode: lot }] }),
        403,
        'destination location of another party',
      ).body,
      { type: '/problems/foreign-location', errors: [{ pointer: '/toLocationCode' }] },
    );
    expectStatus(
      t,
      await farm.event({ type: 'ship', toPartyCode: plant.code, lines: [{ lotCode: lot, quantity: 11 }] }),
      409,
      'shipping more than held',
    );

    const shipped = expectStatus(
      t,
      await farm.event({
        type: 'ship',
        toPartyCode: plant.code,
        lines: [{ lotCode: lot }],
        referenceDocuments: [{ type: 'quarantine_certificate', number: '5002361260000001' }],
      }),
      201,
      'ship everything',
    );
    const shipmentId = shipped.body.shipmentId;
    t.equal(shipped.body.event.disposition, 'in_transit');
    let state = await farm.lot(lot);
    t.equal(state.status, 'in_transit');
    t.equal(state.massBalance.inTransit, 10);
    expectStatus(t, await farm.event({ type: 'ship', toPartyCode: plant.code, lines: [{ lotCode: lot }] }), 409, 'nothing left to ship');

    const stranger = expectStatus(t, await other.event({ type: 'receive', shipmentId }), 422, 'receipt by a party the shipment is not for');
    t.match(
      stranger.body,
      { type: /unknown-shipment/, detail: `no shipment ${shipmentId}`, errors: [{ pointer: '/shipmentId' }] },
      'answered as an unknown id: the addressee is not named',
    );
    t.notMatch(stranger.body.detail, plant.code);
    const sender = expectStatus(
      t,
      await farm.event({ type: 'receive', shipmentId }),
      403,
      'receipt by its sender, who knows whom it is addressed to',
    );
    t.match(sender.body.errors, [{ pointer: '/shipmentId', detail: `addressed to ${plant.code}` }], 'named at the shipment id');
    expectStatus(t, await plant.event({ type: 'receive', shipmentId: 'no-such-shipment' }), 422, 'unknown shipment');
    expectStatus(
      t,
      await plant.event({ type: 'receive', shipmentId, lines: [{ lotCode: lot, quantity: 11 }] }),
      422,
      'receiving more than shipped',
    );
    expectStatus(
      t,
      await plant.event({ type: 'receive', shipmentId, lines: [{ lotCode: unissued('B0000000000'), quantity: 1 }] }),
      422,
      'a lot not in the shipment',
    );
    expectStatus(
      t,
      await plant.event({ type: 'receive', shipmentId, lines: [{ lotCode: lot, quantity: 9 }] }),
      201,
      'receive 9 of 10 (one died in transit)',
    );
    expectStatus(t, await plant.event({ type: 'receive', shipmentId }), 409, 'a shipment is received once');

    state = await plant.lot(lot);
    t.equal(state.status, 'active');
    t.same(state.holders, [{ partyCode: plant.code, onHand: 9 }]);
    t.match(
      (await world.regulator.get(`/lots/${lot}`)).body.massBalance,
      { produced: 10, shipped: 10, received: 9, transitLoss: 1, onHand: 9, inTransit: 0, unaccounted: 0 },
      'the whole lot',
    );
    t.match(
      state.massBalance,
      { produced: 0, shipped: 0, received: 9, transitLoss: 0, onHand: 9, unaccounted: 0 },
      'the plant’s own stock',
    );
    t.match(
      (await farm.lot(lot)).massBalance,
      { produced: 10, shipped: 10, received: 0, transitLoss: 1, onHand: 0, inTransit: 0, unaccounted: 0 },
      'the farm’s: one head lost on its shipment',
    );
    expectStatus(
      t,
      await farm.event({ type: 'destroy', reason: 'x', lines: [{ lotCode: lot, quantity: 1 }] }),
      409,
      'the former holder cannot use it',
    );

    const open = await plant.api.get('/shipments?status=received');
    t.ok(
      open.body.items.some((s: { id: string }) => s.id === shipmentId),
      'the receiver lists the shipment',
    );
  });

  t.test('aggregate packs lots into a container that ships with its contents; no cycles', async (t) => {
    const processor = await world.party('processor');
    const store = await world.party('cold_storage');
    const product = await processor.product('piece');
    const a = await processor.commission(product, 100);
    const b = await processor.commission(product, 50);
    const sscc = completeGs1('06901234500000123');
    const packed = expectStatus(
      t,
      await processor.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: a, quantity: 100 }, { lotCode: b }] }),
      201,
      'pack onto a pallet',
    );
    const pallet = packed.body.createdLotCodes[0];
    t.equal(serviceCodeKind(pallet), 'container');
    t.equal(packed.body.event.disposition, 'container_closed');
    expectStatus(
      t,
      await processor.event({ type: 'aggregate', parent: { sscc: '106141411234567890' }, children: [{ lotCode: a }] }),
      400,
      'SSCC with a wrong check digit',
    );

    const shipmentId = await processor.ship(store, [{ lotCode: pallet }]);
    const shipment = (await store.api.get('/shipments?status=open')).body.items.find((s: { id: string }) => s.id === shipmentId);
    t.same(shipment.lines.map((l: { lotCode: string }) => l.lotCode).sort(), [a, b, pallet].sort(), 'the pallet ships with both lots');
    await store.receive(shipmentId);
    t.same((await store.lot(b)).holders, [{ partyCode: store.code, onHand: 50 }], 'the contents changed hands');

    const bySscc = await world.regulator.get(`/trace/${sscc}`);
    t.equal(bySscc.status, 200, 'trace by SSCC');
    t.same(
      bySscc.body.nodes.map((n: { code: string }) => n.code).sort(),
      [a, b, pallet].sort(),
      'backward from the pallet reaches its contents',
    );

    expectStatus(
      t,
      await store.event({ type: 'disaggregate', parentCode: pallet, children: [unissued('B0000000000')] }),
      422,
      'unpacking what is not inside',
    );
    const twice = await store.event({ type: 'disaggregate', parentCode: pallet, children: [a, b, a.toLowerCase()] });
    expectStatus(t, twice, 422, 'a lot unpacked twice in one event');
    t.same(twice.body.errors, [{ in: 'body', pointer: '/children/2', detail: 'listed twice' }]);
    const none = await store.event({ type: 'disaggregate', parentCode: pallet, children: [] });
    expectStatus(t, none, 400, 'an unpacking of no lot (leave children out to unpack everything)');
    t.equal(none.body.errors[0].pointer, '/children');
    expectStatus(t, await store.event({ type: 'disaggregate', parentCode: pallet }), 201, 'unpack everything');
    const after = await world.regulator.get(`/trace/${a}?direction=forward`);
    t.ok(
      after.body.edges.some((e: { kind: string; status: string | null }) => e.kind === 'aggregate' && e.status === 'unpacked'),
      'history keeps the packing, marked unpacked',
    );

    const caseA = (await store.event({ type: 'aggregate', parent: {}, children: [{ lotCode: a, quantity: 10 }] })).body.createdLotCodes[0];
    const caseB = (await store.event({ type: 'aggregate', parent: {}, children: [{ lotCode: caseA }] })).body.createdLotCodes[0];
    const cycle = await store.event({ type: 'aggregate', parent: { containerCode: caseA }, children: [{ lotCode: caseB }] });
    expectStatus(t, cycle, 409, 'packing a container into its own content is a cycle');
    t.equal(cycle.body.errors[0].pointer, '/children/0/lotCode');
    expectStatus(
      t,
      await store.event({ type: 'aggregate', parent: { containerCode: caseA }, children: [{ lotCode: caseA }] }),
      409,
      'a container inside itself',
    );
  });

  t.test('inspect: holders and labs; results set the disposition', async (t) => {
    const processor = await world.party('processor');
    const lab = await world.party('lab');
    const stranger = await world.party('retailer');
    const product = await processor.product('kg');
    const lot = await processor.commission(product, 10);
    const own = await stranger.commission(await stranger.product('kg'), 1);
    const self = expectStatus(
      t,
      await processor.event({ type: 'inspect', lotCodes: [lot], inspection: { kind: 'self', result: 'pass' } }),
      201,
      'self-test by the holder',
    );
    t.equal(self.body.event.disposition, 'conformant');
    const refused = expectStatus(
      t,
      await stranger.event({ type: 'inspect', lotCodes: [own, lot], inspection: { kind: 'rapid', result: 'pass' } }),
      403,
      'a stranger cannot inspect',
    );
    t.match(refused.body.errors, [{ pointer: '/lotCodes/1', detail: `neither owned nor held by ${stranger.code}` }], 'named at the lot');
    const thirdParty = expectStatus(
      t,
      await lab.event({
        type: 'inspect',
        lotCodes: [lot],
        inspection: {
          kind: 'third_party',
          labPartyCode: lab.code,
          result: 'fail',
          reportNumber: 'R-1',
          items: [{ name: '亚硝酸盐', value: 45, unit: 'mg/kg', limit: '≤30', result: 'fail' }],
        },
      }),
      201,
      'a lab tests any lot',
    );
    t.equal(thirdParty.body.event.disposition, 'non_conformant');
    const thirdPartyByOwner = expectStatus(
      t,
      await processor.event({
        type: 'inspect',
        lotCodes: [lot],
        inspection: { kind: 'third_party', labPartyCode: lab.code, result: 'pass' },
      }),
      403,
      'a third-party test is the lab’s own to record',
    );
    t.match(thirdPartyByOwner.body.errors, [{ pointer: '/inspection/kind' }]);
    const bureau = await world.party('regulator');
    expectStatus(
      t,
      await bureau.event({
        type: 'inspect',
        lotCodes: [lot],
        inspection: { kind: 'sampling', labPartyCode: stranger.code, result: 'pass' },
      }),
      422,
      'the lab a sampling names must be a lab',
    );
    const trace = await processor.api.get(`/trace/${lot}`);
    t.same(trace.body.nodes[0].inspections.map((i: { kind: string; result: string }) => `${i.kind}:${i.result}`).sort(), [
      'self:pass',
      'third_party:fail',
    ]);
  });

  t.test('observe records readings; a recall disposition is refused there, recalls have their own door', async (t) => {
    const store = await world.party('cold_storage');
    const stranger = await world.party('retailer');
    const product = await store.product('kg');
    const lot = await store.commission(product, 10);
    const room = await store.location('cold_store');
    const observed = expectStatus(
      t,
      await store.event({
        type: 'observe',
        readPoint: room,
        lotCodes: [lot],
        readings: [{ type: 'temperature', value: 3.5, unit: 'Cel' }],
      }),
      201,
      'temperature reading',
    );
    t.same(observed.body.event.details.readings, [{ type: 'temperature', value: 3.5, unit: 'Cel' }]);
    for (const [reading, pointer] of [
      [{ type: 'temperature', value: 38, unit: 'P1' }, '/readings/0/unit'],
      [{ type: 'humidity', value: 4, unit: 'Cel' }, '/readings/0/unit'],
      [{ type: 'humidity', value: -20, unit: 'P1' }, '/readings/0/value'],
      [{ type: 'humidity', value: 140, unit: 'P1' }, '/readings/0/value'],
    ] as const) {
      const refused = await store.event({ type: 'observe', lotCodes: [lot], readings: [reading] });
      expectStatus(t, refused, 400, `a ${reading.type} of ${reading.value} ${reading.unit}`);
      t.equal(refused.body.errors?.[0]?.pointer, pointer);
    }
    expectStatus(
      t,
      await store.event({ type: 'observe', lotCodes: [lot], readings: [{ type: 'humidity', value: 85, unit: 'P1' }] }),
      201,
      'a relative humidity in percent',
    );
    expectStatus(t, await store.event({ type: 'observe', readPoint: 'AXXXXXXXXXX0', lotCodes: [lot] }), 422, 'unknown read point');
    expectStatus(t, await stranger.event({ type: 'observe', lotCodes: [lot] }), 403, 'a stranger cannot observe');
    const recalled = expectStatus(
      t,
      await store.event({ type: 'observe', disposition: 'recalled', lotCodes: [lot] }),
      422,
      'a recall is not an observation',
    );
    t.match(recalled.body, { detail: /POST \/recalls/, errors: [{ pointer: '/disposition' }] });
    t.equal((await store.lot(lot)).status, 'active', 'the lot is not recalled by it');
    expectStatus(
      t,
      await store.event({ type: 'observe', disposition: 'not a disposition', lotCodes: [lot] }),
      400,
      'disposition outside CBV',
    );
    await store.event({ type: 'destroy', reason: 'spoiled stock', lines: [{ lotCode: lot }] });
    t.equal((await store.lot(lot)).status, 'destroyed', 'destroying all of a lot ends it');
  });

  t.test('destroy and sell take quantity out for good', async (t) => {
    const shop = await world.party('retailer');
    const product = await shop.product('piece');
    const lot = await shop.commission(product, 10);
    const sold = expectStatus(t, await shop.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 4 }] }), 201, 'sell 4');
    t.equal(sold.body.event.bizStep, 'retail_selling');
    expectStatus(t, await shop.event({ type: 'destroy', reason: 'damaged', lines: [{ lotCode: lot, quantity: 2 }] }), 201, 'destroy 2');
    expectStatus(t, await shop.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 5 }] }), 409, 'only 4 remain');
    await shop.event({ type: 'sell', lines: [{ lotCode: lot }] });
    const lotState = await shop.lot(lot);
    t.equal(lotState.status, 'sold');
    t.match(lotState.massBalance, { produced: 10, sold: 8, destroyed: 2, onHand: 0, unaccounted: 0 });
  });

  t.test("a refusal to use another party's lot names none of the parties holding it", async (t) => {
    const processor = await world.party('processor');
    const store = await world.party('cold_storage');
    const wholesaler = await world.party('distributor');
    const shop = await world.party('retailer');
    const stranger = await world.party('distributor');
    const product = await processor.product('piece');
    const lot = await processor.commission(product, 30);
    for (const holder of [store, wholesaler, shop]) await world.handOver(processor, holder, lot, 5);
    // the wholesaler passes on all it received: it holds none of the lot, but may read it
    await world.handOver(wholesaler, shop, lot, 5);
    const sscc = completeGs1('06901234500000789');
    expectStatus(
      t,
      await processor.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: lot, quantity: 1 }] }),
      201,
      'a pallet',
    );
    const parties = [processor, store, wholesaler, shop].map((party) => party.code);
    const own = await stranger.commission(await stranger.product('piece'), 5);
    const attempts: [string, Record<string, unknown>][] = [
      ['transform', { type: 'transform', inputs: [{ lotCode: lot, quantity: 1 }], outputs: [{ productCode: product, quantity: 1 }] }],
      ['aggregate', { type: 'aggregate', parent: {}, children: [{ lotCode: lot, quantity: 1 }] }],
      ['sell', { type: 'sell', lines: [{ lotCode: lot, quantity: 1 }] }],
      ['destroy', { type: 'destroy', reason: 'spoiled', lines: [{ lotCode: lot, quantity: 1 }] }],
    ];
    for (const [what, body] of attempts) {
      const refused = expectStatus(t, await stranger.event(body), 403, `${what} by a party that never held the lot`);
      t.equal(refused.body.detail, `party ${stranger.code} does not hold lot ${lot}; only its holder may use it`, 'names the lot as sent');
      t.same(
        parties.filter((code) => JSON.stringify(refused.body).includes(code)),
        [],
        `${what}: names none of the lot's owner and holders`,
      );
    }
    const onPallet = expectStatus(
      t,
      await stranger.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: own, quantity: 1 }] }),
      403,
      "packing onto another party's pallet, named by its SSCC",
    );
    t.equal(onPallet.body.detail, `party ${stranger.code} does not hold container ${sscc}; only its holder may use it`);
    const pallet = (await processor.api.get(`/lots?partyCode=${processor.code}`)).body.items.find(
      (item: { sscc: string | null }) => item.sscc === sscc,
    ).code;
    t.same(
      [pallet, ...parties].filter((code) => JSON.stringify(onPallet.body).includes(code)),
      [],
      'names neither the pallet’s code nor its holder',
    );
    const former = expectStatus(
      t,
      await wholesaler.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 1 }] }),
      403,
      'a sale by a party that held the lot before',
    );
    t.equal(former.body.detail, `party ${wholesaler.code} does not hold lot ${lot}; only its holder may use it`);
    t.same(
      [processor, store, shop].filter((party) => JSON.stringify(former.body).includes(party.code)),
      [],
      'it may read the lot, yet is told none of its holders',
    );
  });

  t.test('a mistyped lot code is pointed at where it was written: the field of a line, the entry of a list of codes', async (t) => {
    const plant = await world.party('processor');
    const buyer = await world.party('retailer');
    const meat = await plant.product('kg');
    const lot = await plant.commission(meat, 10);
    const typo = `${lot.slice(0, -1)}${lot.endsWith('X') ? 'Y' : 'X'}`;
    const line = { lotCode: typo, quantity: 1 };
    const cases: [body: Record<string, unknown>, pointer: string][] = [
      [{ type: 'ship', toPartyCode: buyer.code, lines: [line] }, '/lines/0/lotCode'],
      [{ type: 'sell', lines: [{ lotCode: lot, quantity: 1 }, line] }, '/lines/1/lotCode'],
      [{ type: 'destroy', reason: 'spoiled', lines: [line] }, '/lines/0/lotCode'],
      [{ type: 'transform', inputs: [line], outputs: [{ productCode: meat, quantity: 1 }] }, '/inputs/0/lotCode'],
      [{ type: 'aggregate', parent: {}, children: [line] }, '/children/0/lotCode'],
      [{ type: 'observe', lotCodes: [lot, typo] }, '/lotCodes/1'],
      [{ type: 'disaggregate', parentCode: typo }, '/parentCode'],
    ];
    for (const [body, pointer] of cases) {
      const refused = expectStatus(t, await plant.event(body), 400, `${body.type}: a lot code whose check character fails`);
      t.same(
        refused.body.errors,
        [{ in: 'body', pointer, detail: 'check character wrong — probably a typo' }],
        `${body.type}: at ${pointer}`,
      );
    }
    const neverIssued = `B0000000002${mod31CheckChar('B0000000002')}`;
    const unknown = await plant.event({ type: 'ship', toPartyCode: buyer.code, lines: [{ lotCode: neverIssued, quantity: 1 }] });
    expectStatus(t, unknown, 422, 'a lot code no lot has');
    t.same(unknown.body.errors, [{ in: 'body', pointer: '/lines/0/lotCode', detail: 'unknown lot' }], 'at the field too');
  });

  t.test('only operator keys record events; events are read by their party and regulators', async (t) => {
    const farm = await world.party('farm');
    const other = await world.party('farm');
    const product = await farm.product('head');
    expectStatus(
      t,
      await world.admin.post('/events', { type: 'commission', eventTime: at(1), lots: [{ productCode: product, quantity: 1 }] }),
      403,
      'admin',
    );
    expectStatus(
      t,
      await world.regulator.post('/events', { type: 'commission', eventTime: at(1), lots: [{ productCode: product, quantity: 1 }] }),
      403,
      'regulator',
    );
    const recorded = (await farm.event({ type: 'commission', lots: [{ productCode: product, quantity: 1 }] })).body.event;
    expectStatus(t, await farm.api.get(`/events/${recorded.id}`), 200, 'own event');
    expectStatus(t, await other.api.get(`/events/${recorded.id}`), 404, "another party's event, as if unknown");
    expectStatus(t, await world.regulator.get(`/events/${recorded.id}`), 200, 'regulator reads any event');
    expectStatus(t, await farm.api.get('/events/00000000-0000-0000-0000-000000000000'), 404, 'unknown event');
    const listed = await other.api.get('/events');
    t.notOk(
      listed.body.items.some((e: { id: string }) => e.id === recorded.id),
      "another party's events are not listed",
    );
    expectStatus(t, await other.api.get(`/events?partyCode=${farm.code}`), 403, "asking for another party's events");
    const byLot = await world.regulator.get(`/events?lotCode=${recorded.lots[0].lotCode}`);
    t.same(
      byLot.body.items.map((e: { id: string }) => e.id),
      [recorded.id],
      'events by lot',
    );
  });
});

t.test('a quantity carrying binary floating-point noise (0.1 + 0.2) is the quantity it rounds to at three decimals', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const plant = await world.party('processor');
  const kg = await farm.product('kg');
  const noisy = 0.1 + 0.2;
  t.not(noisy, 0.3, 'what a client adding 0.1 and 0.2 sends');

  const made = expectStatus(t, await farm.event({ type: 'commission', lots: [{ productCode: kg, quantity: noisy }] }), 201, 'commissioned');
  const lot = made.body.createdLotCodes[0];
  t.equal(made.body.event.details.lots[0].quantity, 0.3, 'the lot made is of 0.3 kg, as stored');
  t.equal(made.body.event.lots[0].quantity, 0.3, 'and so is its link');

  const shipped = expectStatus(
    t,
    await farm.event({ type: 'ship', toPartyCode: plant.code, lines: [{ lotCode: lot, quantity: noisy }] }),
    201,
    'all 0.3 kg held are shipped, not refused as more than remains',
  );
  t.equal(shipped.body.event.details.lines[0].quantity, 0.3);
  const received = expectStatus(
    t,
    await plant.event({ type: 'receive', shipmentId: shipped.body.shipmentId, lines: [{ lotCode: lot, quantity: noisy }] }),
    201,
    'and received, not refused as more than was shipped',
  );
  t.equal(received.body.event.details.lines[0].quantity, 0.3);
  t.match((await world.regulator.get(`/lots/${lot}`)).body.massBalance, { produced: 0.3, received: 0.3, transitLoss: 0, unaccounted: 0 });
  expectStatus(
    t,
    await farm.event({ type: 'commission', lots: [{ productCode: kg, quantity: 0.3004 }] }),
    400,
    'a fourth decimal is still refused',
  );
});
