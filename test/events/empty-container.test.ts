// A container with nothing packed in it (never packed, or everything unpacked from it) is not
// shipped, at every door the writer's ship rule serves: POST /events, POST /epcis/events and EPCIS
// capture. An empty pallet would otherwise go in transit, and a packing into it later be refused.
import type { Test } from 'tap';
import { EPCIS_CONTEXT, epcisRequests } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const day = (n: number) => ({ eventTime: `2026-03-0${n}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
const MEAT = 'https://id.gs1.org/01/06901234000016/10/MEAT-1';
const PALLET = 'urn:epc:id:sscc:6901234.0000000017';
const OTHER_PALLETS = { rollback: 'urn:epc:id:sscc:6901234.0000000024', proceed: 'urn:epc:id:sscc:6901234.0000000031' };
const commissioned = (n: number, quantity = 100) => ({
  type: 'ObjectEvent',
  ...day(n),
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass: MEAT, quantity, uom: 'KGM' }],
});
const packing = (n: number, action: 'ADD' | 'DELETE', quantity = 40) => ({
  type: 'AggregationEvent',
  ...day(n),
  action,
  bizStep: action === 'ADD' ? 'packing' : 'unpacking',
  parentID: PALLET,
  childQuantityList: [action === 'ADD' ? { epcClass: MEAT, quantity, uom: 'KGM' } : { epcClass: MEAT }],
});
/** The refusal's message: the container holds nothing yet, and the remedy. */
const EMPTY = /holds nothing yet: nothing is packed in it.*Pack it first.*send the packing before this event/;

async function setup(t: Test) {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const { post, capture } = epcisRequests(world);
  const shipping = (n: number, what: object) => ({
    type: 'ObjectEvent',
    ...day(n),
    action: 'OBSERVE',
    bizStep: 'shipping',
    destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
    ...what,
  });
  /** The lot or container an identifier names (undefined: none). */
  const lotOf = async (uri: string) => {
    const reply = await world.regulator.get(`/trace/${encodeURIComponent(uri)}?depth=0`);
    return reply.status === 200 ? (reply.body.query.lotCodes[0] as string) : undefined;
  };
  const shipments = async () => (await store.api.get('/shipments')).body.items as { lines: { lotCode: string; quantity: number }[] }[];
  /** A lot of 10 kg, and a box packed with 4 kg of it and then unpacked to empty. */
  const emptyBox = async () => {
    const lot = await plant.commission(await plant.product('kg'), 10);
    const box = await plant.pack([{ lotCode: lot, quantity: 4 }]);
    await world.ok(plant.event({ type: 'disaggregate', parentCode: box }));
    return { lot, box };
  };
  /** Packs 3 kg of the lot into the box again, ships `container` (the box or what holds it): the shipment's lines. */
  const packAgainAndShip = async ({ lot, box }: { lot: string; box: string }, container = box) => {
    await world.ok(plant.event({ type: 'aggregate', parent: { containerCode: box }, children: [{ lotCode: lot, quantity: 3 }] }));
    await plant.ship(store, [{ lotCode: container }]);
    const [shipped] = await shipments();
    return shipped.lines.map((line) => [line.lotCode, line.quantity]);
  };
  return { world, plant, store, post, capture, shipping, lotOf, shipments, emptyBox, packAgainAndShip };
}

t.test('POST /events: a container unpacked to empty is not shipped, alone or beside a loose lot; one with contents is', async (t) => {
  const { plant, store, shipments, emptyBox, packAgainAndShip } = await setup(t);
  const { lot, box } = await emptyBox();

  const alone = expectStatus(t, await plant.event({ type: 'ship', toPartyCode: store.code, lines: [{ lotCode: box }] }), 422, 'refused');
  t.match(alone.body, { type: '/problems/empty-container', detail: EMPTY, errors: [{ pointer: '/lines/0/lotCode' }] }, 'saying why, at it');
  t.match(alone.body.detail, `container ${box}`, 'naming the container');

  const beside = expectStatus(
    t,
    await plant.event({ type: 'ship', toPartyCode: store.code, lines: [{ lotCode: lot, quantity: 2 }, { lotCode: box }] }),
    422,
    'beside a loose lot too',
  );
  t.match(beside.body, { type: '/problems/empty-container', errors: [{ pointer: '/lines/1/lotCode' }] });
  t.same(await shipments(), [], 'nothing is shipped');
  t.match((await plant.lot(lot)).massBalance, { produced: 10, shipped: 0, onHand: 10 }, 'the loose lot stays');
  t.match(await plant.lot(box), { status: 'active', massBalance: { onHand: 1 } }, 'and the container with its party');

  // packed again, it ships with what it holds
  t.same(
    await packAgainAndShip({ lot, box }),
    [
      [box, 1],
      [lot, 3],
    ],
    'a container with contents ships as before',
  );
});

t.test('an empty container of another party: the 403 comes first, telling nothing of what it holds', async (t) => {
  const { world, store, emptyBox } = await setup(t);
  const { box } = await emptyBox();
  const other = await world.party('processor');
  const refused = expectStatus(t, await other.event({ type: 'ship', toPartyCode: store.code, lines: [{ lotCode: box }] }), 403, 'not its');
  t.notMatch(refused.body.detail, /nothing|empty|packed/, 'nothing said of its contents');
});

t.test('POST /epcis/events: a shipping event naming a pallet never packed is refused, storing nothing', async (t) => {
  const { plant, post, shipping, lotOf, shipments } = await setup(t);
  const reply = await post(plant.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...shipping(2, { epcList: [PALLET] }) });
  t.equal(reply.statusCode, 422, 'refused');
  t.match(reply.json(), { type: '/problems/empty-container', detail: EMPTY, errors: [{ pointer: '/epcList/0' }] }, 'at the SSCC');
  t.match(reply.json().detail, `container ${PALLET}`, 'named as the event named it');
  t.equal(await lotOf(PALLET), undefined, 'the pallet was not brought into being');
  t.same(await shipments(), [], 'nor shipped');
});

t.test('EPCIS capture: a pallet packed earlier in the document ships; never packed, or unpacked, it is that event’s error', async (t) => {
  const { plant, capture, shipping, lotOf, shipments } = await setup(t);
  t.match(await capture(plant.key, [commissioned(1)]), { success: true, captured: 1 });
  for (const behaviour of ['rollback', 'proceed'] as const) {
    const pallet = OTHER_PALLETS[behaviour];
    const packed = { ...packing(2, 'ADD'), parentID: pallet };
    const job = await capture(plant.key, [packed, shipping(3, { epcList: [pallet] })], behaviour);
    t.match(job, { success: true, captured: 2 }, `${behaviour}: packed earlier in the document, the pallet ships`);
  }
  const meat = await lotOf(MEAT);
  t.equal((await shipments()).length, 2);
  for (const shipment of await shipments()) t.match(shipment.lines, [{ quantity: 1 }, { lotCode: meat, quantity: 40 }], 'with its 40 kg');

  for (const behaviour of ['rollback', 'proceed'] as const) {
    const job = await capture(plant.key, [commissioned(4, 10), shipping(4, { epcList: [PALLET] })], behaviour);
    t.match(
      job,
      {
        success: false,
        captured: behaviour === 'proceed' ? 1 : 0,
        errors: [
          {
            eventIndex: 1,
            pointer: '/epcisBody/eventList/1/epcList/0',
            message: /^event 1: .*holds nothing yet/,
            type: '/problems/empty-container',
            status: 422,
          },
        ],
      },
      `${behaviour}: a pallet never packed is that event's error`,
    );
  }
  t.equal(await lotOf(PALLET), undefined, 'the pallet was not brought into being');
  t.equal((await shipments()).length, 2, 'nor shipped');
});

t.test('EPCIS capture: a pallet unpacked to empty is not shipped, nor beside a loose lot (proceed: that event alone)', async (t) => {
  const { plant, capture, shipping, lotOf, shipments } = await setup(t);
  t.match(await capture(plant.key, [commissioned(1), packing(2, 'ADD'), packing(3, 'DELETE')]), { success: true, captured: 3 });
  const meat = await lotOf(MEAT);
  const shipped = await capture(
    plant.key,
    [shipping(4, { epcList: [PALLET] }), shipping(4, { epcList: [PALLET], quantityList: [{ epcClass: MEAT, quantity: 5, uom: 'KGM' }] })],
    'proceed',
  );
  t.match(
    shipped,
    {
      success: false,
      captured: 0,
      errors: [
        { eventIndex: 0, message: /holds nothing yet/ },
        { eventIndex: 1, pointer: '/epcisBody/eventList/1/epcList/0', message: /holds nothing yet/ },
      ],
    },
    'each shipment naming the empty pallet is its own error',
  );
  t.same(await shipments(), [], 'nothing is shipped');
  t.match((await plant.lot(meat as string)).massBalance, { produced: 100, shipped: 0, onHand: 100 }, 'the loose lot stays');

  // packed again in the same document, it ships
  const again = await capture(plant.key, [packing(5, 'ADD', 10), shipping(5, { epcList: [PALLET] })], 'rollback');
  t.match(again, { success: true, captured: 2 }, 'packed again first, the pallet ships');
  t.match((await plant.lot(meat as string)).massBalance, { shipped: 10, onHand: 90 });
});

t.test('POST /events: an empty container packed inside a pallet does not ship with it', async (t) => {
  const { plant, store, shipments, emptyBox, packAgainAndShip } = await setup(t);
  const { lot, box } = await emptyBox();
  const pallet = await plant.pack([{ lotCode: box }]);

  const refused = expectStatus(
    t,
    await plant.event({ type: 'ship', toPartyCode: store.code, lines: [{ lotCode: pallet }] }),
    422,
    'refused',
  );
  t.match(refused.body, { type: '/problems/empty-container', detail: EMPTY, errors: [{ pointer: '/lines/0/lotCode' }] }, 'at the pallet');
  t.match(refused.body.detail, `container ${box}, packed in container ${pallet}, holds nothing yet`, 'naming the empty box inside it');
  t.same(await shipments(), [], 'nothing is shipped');
  t.match(await plant.lot(pallet), { status: 'active', massBalance: { onHand: 1 } }, 'the pallet stays with its party');

  // the box packed again, the pallet ships with both
  t.same(
    await packAgainAndShip({ lot, box }, pallet),
    [
      [pallet, 1],
      [box, 1],
      [lot, 3],
    ],
    'with the box and what it holds',
  );
});

t.test('EPCIS capture: a pallet holding only a never-packed SSCC is that shipping event’s error', async (t) => {
  const { plant, capture, shipping, lotOf, shipments } = await setup(t);
  const inner = OTHER_PALLETS.rollback; // SSCC 069012340000000245
  const pack = { type: 'AggregationEvent', ...day(2), action: 'ADD', bizStep: 'packing', parentID: PALLET, childEPCs: [inner] };
  for (const behaviour of ['rollback', 'proceed'] as const) {
    const job = await capture(plant.key, [pack, shipping(3, { epcList: [PALLET] })], behaviour);
    t.match(
      job,
      {
        success: false,
        captured: behaviour === 'proceed' ? 1 : 0,
        errors: [
          {
            eventIndex: 1,
            pointer: '/epcisBody/eventList/1/epcList/0',
            message:
              /^event 1: container \w+ \(SSCC 069012340000000245\), packed in container urn:epc:id:sscc:6901234\.0000000017, holds nothing yet/,
            type: '/problems/empty-container',
            status: 422,
          },
        ],
      },
      `${behaviour}: refused, naming the empty SSCC inside`,
    );
  }
  t.same(await shipments(), [], 'nothing is shipped');
  t.not(await lotOf(PALLET), undefined, 'proceed: the packing stands');
});
