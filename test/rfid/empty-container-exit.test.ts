// An exit gate reading the SSCC tag of an empty container: no shipment carries it (an empty
// container is not shipped, see test/events/empty-container.test.ts), so the gate records it as it
// records any departure it cannot book, an unexpected departure seen leaving, and the rest of its
// window (a case leaving in its shipment) is booked as ever.
import { completeGs1 } from '../../src/codes/gs1.js';
import { encodeTag } from '../../src/gs1/epc-binary.js';
import { zebraEvent } from '../fixtures/rfid-payloads.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** The SSCC-96 tag of a container's SSCC. */
const ssccTag = (sscc: string) => {
  const tag = encodeTag(`urn:epc:id:sscc:6901234.${sscc.slice(0, 1)}${sscc.slice(8, 17)}`, { scheme: 'sscc-96', filter: 2 });
  return (tag as Extract<typeof tag, { kind: 'gs1' }>).hex;
};

t.test('an exit gate reading an empty container records an unexpected departure; the case beside it departs', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const lot = await plant.commission(await plant.product('piece'), 100);
  const caseSscc = completeGs1('06901234500000555');
  const emptySscc = completeGs1('06901234500000666');
  const packed = await world.ok(plant.event({ type: 'aggregate', parent: { sscc: caseSscc }, children: [{ lotCode: lot, quantity: 40 }] }));
  const caseCode: string = packed.createdLotCodes[0];
  const emptied = await world.ok(
    plant.event({ type: 'aggregate', parent: { sscc: emptySscc }, children: [{ lotCode: lot, quantity: 5 }] }),
  );
  const emptyCode: string = emptied.createdLotCodes[0];
  await world.ok(plant.event({ type: 'disaggregate', parentCode: emptyCode }));
  const shipmentId = await plant.ship(store, [{ lotCode: caseCode }]);
  expectStatus(
    t,
    await plant.event({ type: 'ship', toPartyCode: store.code, lines: [{ lotCode: emptyCode }] }),
    422,
    'the empty container is not shipped',
  );

  const reader = await registerReader(world, plant);
  const dock = await readPoint(world, plant, 'exit', [{ readerId: reader.id, antenna: 1 }], { name: '发货口' });
  const [caseTag, emptyTag] = [ssccTag(caseSscc), ssccTag(emptySscc)];
  await reader.api.post(
    '/rfid/zebra',
    [caseTag, emptyTag].map((idHex) =>
      zebraEvent({ idHex, antenna: 1, hostName: reader.hostName, timestamp: '2026-06-01T10:30:00.000+0800' }),
    ),
  );
  await world.app.services.gates.drain();
  const rowOf = async (tag: string) => (await plant.api.get(`/rfid/reads?readPointId=${dock.readPointId}&tag=${tag}`)).body.items[0];
  t.match(await rowOf(caseTag), { outcome: 'departed', detail: shipmentId, lotCode: caseCode }, 'the case leaves in its shipment');
  const empty = await rowOf(emptyTag);
  t.match(empty, { outcome: 'unexpected_departure', lotCode: emptyCode, detail: 'in no open shipment of the party' }, 'the empty one');
  t.match((await plant.api.get(`/events/${empty.eventId}`)).body, {
    type: 'observe',
    bizStep: 'departing',
    lots: [{ lotCode: emptyCode, role: 'subject' }],
  });
  t.match(await plant.lot(emptyCode), { status: 'active', holders: [{ partyCode: plant.code, onHand: 1 }] }, 'which stays with its party');
});
