// A shipment of a container sent before a packing into it leaves its sender holding none of it: the
// late packing is refused, naming the shipment that took the container and how to send it again. (An
// empty container is not shipped at all: see empty-container.test.ts.)
import { epcisRequests } from '../fixtures/epcis.js';
import { at, createWorld, expectStatus } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a packing into a container its party shipped before names that shipment', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const meat = await plant.product('piece');
  const lot = await plant.commission(meat, 10);
  const other = await plant.commission(meat, 5);
  const pallet = expectStatus(
    t,
    await plant.event({ type: 'aggregate', eventTime: at(50), parent: {}, children: [{ lotCode: other }] }),
    201,
    'a pallet',
  ).body.createdLotCodes[0];
  const shipped = expectStatus(
    t,
    await plant.event({ type: 'ship', eventTime: at(52), toPartyCode: store.code, lines: [{ lotCode: pallet }] }),
    201,
    'the pallet shipped with what it holds',
  );
  const late = expectStatus(
    t,
    await plant.event({ type: 'aggregate', eventTime: at(53), parent: { containerCode: pallet }, children: [{ lotCode: lot }] }),
    409,
    'the late packing is refused',
  );
  const eventId = shipped.body.event.id;
  t.match(late.body.detail, `no longer holds any of ${pallet}: it was shipped by event ${eventId} at `, 'the cause: that shipment');
  t.match(late.body.detail, /declare that shipment in error .*correctsEventId .* and ship it again after the packing/, 'and the remedy');
  t.same(late.body.errors, [{ in: 'body', pointer: '/parent', detail: `shipped by event ${eventId}` }]);

  // the same through EPCIS: the shipment of a pallet packed in the same document, then a packing into it
  const { capture } = epcisRequests(world);
  const SSCC = 'urn:epc:id:sscc:6901234.0000000017';
  const when = (day: number) => ({ eventTime: `2026-03-0${day}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
  t.match(
    await capture(plant.key, [
      {
        type: 'AggregationEvent',
        ...when(2),
        action: 'ADD',
        bizStep: 'packing',
        parentID: SSCC,
        childQuantityList: [{ epcClass: `${TEST_BASE_URL}/lots/${lot}`, quantity: 1, uom: 'H87' }],
      },
      {
        type: 'ObjectEvent',
        ...when(2),
        action: 'OBSERVE',
        bizStep: 'shipping',
        epcList: [SSCC],
        destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
      },
    ]),
    { success: true, captured: 2 },
    'the pallet is packed and shipped',
  );
  const job = await capture(plant.key, [
    {
      type: 'AggregationEvent',
      ...when(3),
      action: 'ADD',
      bizStep: 'packing',
      parentID: SSCC,
      childQuantityList: [{ epcClass: `${TEST_BASE_URL}/lots/${lot}`, quantity: 1, uom: 'H87' }],
    },
  ]);
  t.match(
    JSON.stringify(job),
    /no longer holds any of urn:epc:id:sscc:6901234\.0000000017: it was shipped by event /,
    'EPCIS: the cause named',
  );
  t.match(JSON.stringify(job), /ship it again after the packing/, 'and the remedy');
});
