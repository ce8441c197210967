// An EPCIS quantity line's `uom` is read for every lot it names, not only for the lot it creates: a
// mass of a lot counted in kilograms is converted exactly (GRM, TNE), a quantity finer than the
// ledger's three decimals of kg is refused at it, and any other unit than the lot's is refused at the
// line's uom, under rollback (nothing stored) and under proceed (that event refused, the rest stored).
import type { Test } from 'tap';
import { EPCIS_CONTEXT, epcisRequests } from '../fixtures/epcis.js';
import { balanceDifferences } from '../fixtures/ledger.js';
import { createWorld } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const at = (day: number) => ({ eventTime: `2026-03-0${day}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
/** A class of no registered product: its lot is counted in the uom that made it, KGM. */
const MEAT = 'https://id.gs1.org/01/06901234000016/10/MEAT-UOM';
const PALLET = 'urn:epc:id:sscc:6901234.0000000024';
const commissioned = (epcClass: string, quantity: number, uom: string) => ({
  type: 'ObjectEvent',
  ...at(1),
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass, quantity, uom }],
});
const packing = (day: number, action: 'ADD' | 'DELETE', quantity: number, uom = 'KGM') => ({
  type: 'AggregationEvent',
  ...at(day),
  action,
  bizStep: action === 'ADD' ? 'packing' : 'unpacking',
  parentID: PALLET,
  childQuantityList: [{ epcClass: MEAT, quantity, uom }],
});
const destroyed = (day: number, quantity: number, uom = 'KGM', epcClass = MEAT) => ({
  type: 'ObjectEvent',
  ...at(day),
  action: 'DELETE',
  bizStep: 'destroying',
  quantityList: [{ epcClass, quantity, uom }],
});

async function setup(t: Test) {
  const world = await createWorld(t);
  const a = await world.party('processor');
  const { post, capture } = epcisRequests(world);
  t.match(await capture(a.key, [commissioned(MEAT, 100, 'KGM'), packing(2, 'ADD', 80)]), { success: true, captured: 2 });
  const lotOf = async (uri: string) =>
    (await world.regulator.get(`/trace/${encodeURIComponent(uri)}?depth=0`)).body.query.lotCodes[0] as string;
  const meat = await lotOf(MEAT);
  const pallet = await lotOf(PALLET);
  const packedEdges = async () =>
    (await world.regulator.get(`/trace/${pallet}?direction=backward&depth=1`)).body.edges.map(
      (edge: { quantity: number; status: string | null }) => `${edge.quantity} ${edge.status ?? 'packed'}`,
    );
  /** What of the meat lies loose, as destroying one step more than it is refused: the refusal's message. */
  const looseRefusal = async (day: number, more: number) => (await capture(a.key, [destroyed(day, more)], 'rollback')).errors[0]?.message;
  return { world, a, post, capture, meat, pallet, packedEdges, lotOf, looseRefusal };
}

t.test('an unpacking of 80000 GRM of a lot packed as 80 KGM takes all of it out', async (t) => {
  for (const behaviour of ['rollback', 'proceed'] as const) {
    await t.test(behaviour, async (t) => {
      const { world, a, capture, packedEdges, looseRefusal } = await setup(t);
      t.match(await capture(a.key, [packing(3, 'DELETE', 80000, 'GRM')], behaviour), { success: true, captured: 1 });
      t.same(await packedEdges(), ['80 unpacked'], 'the packing is ended');
      t.match(await looseRefusal(4, 100.001), /only 100 KGM .* remain/, 'all 100 kg lie loose');
      t.match(await capture(a.key, [destroyed(4, 100)], 'rollback'), { success: true }, 'and can be destroyed');
      t.same(await balanceDifferences(world.database), [], 'the ledger closes');
      const single = await world.app.inject({
        method: 'POST',
        url: '/epcis/events',
        payload: JSON.stringify({ '@context': EPCIS_CONTEXT, ...packing(3, 'DELETE', 80000, 'GRM') }),
        headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/ld+json' },
      });
      t.equal(single.statusCode, 200, 'the same event posted again is the one stored (its hash, from the event as captured)');
      t.equal(single.json().duplicate, true);
    });
  }
});

t.test('an unpacking of 80 GRM of it is a partial one, refused quoting the quantities in the lot unit', async (t) => {
  const { world, a, post, capture, packedEdges, looseRefusal } = await setup(t);
  const refusal = /names 0\.08 KGM of https:\/\/id\.gs1\.org\/01\/06901234000016\/10\/MEAT-UOM, but 80 KGM of it are packed/;
  const single = await post(a.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...packing(3, 'DELETE', 80, 'GRM') });
  t.equal(single.statusCode, 422);
  t.match(single.json(), { type: '/problems/partial-unpacking', detail: refusal });
  t.match(single.json().errors, [{ pointer: '/childQuantityList/0/quantity', detail: '80 KGM packed' }]);
  const rolledBack = await capture(a.key, [destroyed(3, 10), packing(3, 'DELETE', 80, 'GRM')], 'rollback');
  t.match(rolledBack, {
    success: false,
    captured: 0,
    errors: [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/childQuantityList/0/quantity', message: refusal }],
  });
  const proceeded = await capture(a.key, [packing(3, 'DELETE', 80, 'GRM'), destroyed(3, 10)], 'proceed');
  t.match(proceeded, {
    success: false,
    captured: 1,
    errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/childQuantityList/0/quantity', message: refusal }],
  });
  t.same(await packedEdges(), ['80 packed'], 'all 80 kg stay packed');
  t.match(await looseRefusal(4, 10.001), /only 10 KGM .* remain/, 'the 10 kg destroyed under proceed are gone');
  t.same(await balanceDifferences(world.database), [], 'the ledger closes');
});

t.test('a transformation input, a shipment and a destruction in GRM or TNE debit the kilograms they name', async (t) => {
  const { world, a, capture, looseRefusal } = await setup(t);
  const store = await world.party('processor');
  const CURED = 'https://id.gs1.org/01/06901234000016/10/CURED-UOM';
  const job = await capture(
    a.key,
    [
      {
        type: 'TransformationEvent',
        ...at(3),
        bizStep: 'commissioning',
        inputQuantityList: [{ epcClass: MEAT, quantity: 5500, uom: 'GRM' }],
        outputQuantityList: [{ epcClass: CURED, quantity: 5, uom: 'KGM' }],
      },
      {
        type: 'ObjectEvent',
        ...at(4),
        action: 'OBSERVE',
        bizStep: 'shipping',
        quantityList: [{ epcClass: MEAT, quantity: 0.0025, uom: 'TNE' }],
        destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${store.code}` }],
      },
      destroyed(5, 1234, 'GRM'),
    ],
    'rollback',
  );
  t.match(job, { success: true, captured: 3 });
  const [shipment] = (await world.regulator.get(`/shipments?partyCode=${a.code}`)).body.items;
  t.match(shipment.lines, [{ quantity: 2.5 }], 'the shipment carries 2.5 kg');
  // 100 - 80 packed - 5.5 - 2.5 - 1.234 = 10.766 kg loose
  t.match(await looseRefusal(6, 10.767), /only 10\.766 KGM .* remain/, '5.5 + 2.5 + 1.234 kg went');
  const edges = (await world.regulator.get(`/trace/${encodeURIComponent(CURED)}?direction=backward&depth=1`)).body.edges;
  t.match(edges, [{ quantity: 5.5 }], 'the transformation used 5.5 kg of the meat');
  t.same(await balanceDifferences(world.database), [], 'the ledger closes');
});

t.test('a quantity finer than a gram of a lot counted in kg is refused at its quantity', async (t) => {
  for (const [quantity, uom] of [
    [0.5, 'GRM'],
    [1000.5, 'GRM'],
  ] as const) {
    await t.test(`${quantity} ${uom}`, async (t) => {
      const { world, a, capture, looseRefusal } = await setup(t);
      const rolledBack = await capture(a.key, [destroyed(3, 1), destroyed(3, quantity, uom)], 'rollback');
      t.match(rolledBack, {
        success: false,
        captured: 0,
        errors: [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/quantityList/0/quantity', message: /ledger keeps 3 decimals of KGM/ }],
      });
      const proceeded = await capture(a.key, [destroyed(3, quantity, uom), destroyed(3, 1)], 'proceed');
      t.match(proceeded, {
        success: false,
        captured: 1,
        errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/quantityList/0/quantity' }],
      });
      t.match(await looseRefusal(4, 19.001), /only 19 KGM .* remain/, 'only the 1 kg of the rest was destroyed');
      t.same(await balanceDifferences(world.database), [], 'the ledger closes');
    });
  }
});

t.test('a quantity with more decimals than the document may give is a 400 at it: 3, or 6 in TNE (a gram)', async (t) => {
  const { a, post } = await setup(t);
  for (const [quantity, uom, detail] of [
    [1.0005, 'GRM', 'quantity has more than 3 decimals'],
    [0.0000005, 'TNE', 'quantity has more than 6 decimals (a gram) in TNE'],
  ] as const) {
    const reply = await post(a.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...destroyed(3, quantity, uom) });
    t.equal(reply.statusCode, 400, `${quantity} ${uom}`);
    t.match(reply.json().errors, [{ pointer: '/quantityList/0/quantity', detail }]);
  }
});

t.test('a uom of another dimension than the lot unit is refused at the uom, naming the lot unit', async (t) => {
  const { world, a, post, capture, packedEdges, looseRefusal } = await setup(t);
  const single = await post(a.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...packing(3, 'DELETE', 80, 'LTR') });
  t.equal(single.statusCode, 422);
  t.match(single.json(), { type: '/problems/unit-mismatch', detail: /80 LTR of .*MEAT-UOM.*counted in KGM/ });
  t.match(single.json().errors, [{ pointer: '/childQuantityList/0/uom' }]);
  const rolledBack = await capture(a.key, [destroyed(3, 1), packing(3, 'DELETE', 80, 'LTR')], 'rollback');
  t.match(rolledBack, {
    success: false,
    captured: 0,
    errors: [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/childQuantityList/0/uom', message: /counted in KGM/ }],
  });
  const proceeded = await capture(a.key, [destroyed(3, 1, 'H87'), destroyed(3, 1)], 'proceed');
  t.match(proceeded, { success: false, captured: 1, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/quantityList/0/uom' }] });
  t.same(await packedEdges(), ['80 packed'], 'nothing unpacked');
  t.match(await looseRefusal(4, 19.001), /only 19 KGM .* remain/, 'only the 1 KGM destroyed');
  t.same(await balanceDifferences(world.database), [], 'the ledger closes');
});

t.test('a lot of a registered kg product: made in GRM it is counted in kg, and read in GRM or TNE later', async (t) => {
  const world = await createWorld(t);
  const a = await world.party('processor');
  await a.product('kg', { gtin: '06901234000047' });
  const BEEF = 'https://id.gs1.org/01/06901234000047/10/BEEF-1';
  const { capture } = epcisRequests(world);
  t.match(
    await capture(a.key, [commissioned(BEEF, 12500, 'GRM')], 'rollback'),
    { success: true, captured: 1 },
    'refused before as a unit mismatch',
  );
  const code = (await world.regulator.get(`/trace/${encodeURIComponent(BEEF)}?depth=0`)).body.query.lotCodes[0];
  t.match(await a.lot(code), { unit: 'kg', quantity: 12.5 }, '12.5 kg');
  t.match(await capture(a.key, [destroyed(2, 0.002, 'TNE', BEEF), destroyed(3, 500, 'GRM', BEEF)], 'rollback'), { success: true });
  const more = await capture(a.key, [destroyed(4, 10.001, 'KGM', BEEF)], 'rollback');
  t.match(more.errors[0].message, /only 10 kg of .*BEEF-1 remain/, '2 kg and 0.5 kg went');
  const wrong = await capture(a.key, [destroyed(4, 1, 'C62', BEEF)], 'rollback');
  t.match(wrong, {
    success: false,
    errors: [{ pointer: '/epcisBody/eventList/0/quantityList/0/uom', message: /counted in kg \(KGM, GRM or TNE\)/ }],
  });
  t.same(await balanceDifferences(world.database), [], 'the ledger closes');
});

t.test('a lot counted in pieces takes H87, C62 and EA, and refuses KGM at the uom', async (t) => {
  for (const behaviour of ['rollback', 'proceed'] as const) {
    await t.test(behaviour, async (t) => {
      const world = await createWorld(t);
      const a = await world.party('processor');
      await a.product('piece', { gtin: '06901234000030' });
      const PACK = 'https://id.gs1.org/01/06901234000030/10/PK-1';
      const { capture } = epcisRequests(world);
      t.match(await capture(a.key, [commissioned(PACK, 10, 'H87')], behaviour), { success: true });
      t.match(await capture(a.key, [destroyed(2, 2, 'C62', PACK), destroyed(3, 3, 'EA', PACK)], behaviour), { success: true, captured: 2 });
      const code = (await world.regulator.get(`/trace/${encodeURIComponent(PACK)}?depth=0`)).body.query.lotCodes[0];
      const refused = await capture(a.key, [destroyed(4, 1, 'H87', PACK), destroyed(4, 1, 'KGM', PACK)], behaviour);
      t.match(refused, {
        success: false,
        captured: behaviour === 'rollback' ? 0 : 1,
        errors: [
          {
            eventIndex: 1,
            pointer: '/epcisBody/eventList/1/quantityList/0/uom',
            message: /1 KGM of .*PK-1.*counted in piece \(H87, C62 or EA\)/,
          },
        ],
      });
      t.match(await a.lot(code), { unit: 'piece' });
      const rest = await capture(a.key, [destroyed(5, behaviour === 'rollback' ? 5 : 4, 'H87', PACK)], 'rollback');
      t.match(rest, { success: true }, behaviour === 'rollback' ? 'all 5 left remain' : 'the H87 one of the refused document went');
      t.same(await balanceDifferences(world.database), [], 'the ledger closes');
    });
  }
});

t.test(
  'a lot of no product that earlier events of a document make is named in the unit they make it in, converted only in a later document',
  async (t) => {
    const world = await createWorld(t);
    const a = await world.party('processor');
    const { capture } = epcisRequests(world);
    // which event makes a lot is known only as the events are written: the first, in the future, is refused
    const REFUSED = 'https://id.gs1.org/01/06901234000016/10/X-REFUSED';
    const future = { ...commissioned(REFUSED, 10, 'LTR'), eventTime: '2099-03-01T08:00:00+08:00' };
    const first = await capture(a.key, [future, { ...commissioned(REFUSED, 5000, 'GRM'), ...at(2) }], 'proceed');
    t.match(first, {
      success: false,
      captured: 0,
      errors: [
        { eventIndex: 0 },
        { eventIndex: 1, pointer: '/epcisBody/eventList/1/quantityList/0/uom', message: /5000 GRM of .*X-REFUSED.*makes the lot in LTR/ },
      ],
    });
    // a lot the document makes in KGM, named in GRM by a later event of it: refused, never booked as 3000 KGM
    const MADE = 'https://id.gs1.org/01/06901234000016/10/RP-L2';
    const second = await capture(a.key, [{ ...commissioned(MADE, 10000, 'KGM'), ...at(1) }, destroyed(2, 3000, 'GRM', MADE)], 'proceed');
    t.match(second, {
      success: false,
      captured: 1,
      errors: [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/quantityList/0/uom', message: /makes the lot in KGM.*in a later one/ }],
    });
    const code = (await world.regulator.get(`/trace/${encodeURIComponent(MADE)}?depth=0`)).body.query.lotCodes[0];
    t.match(await a.lot(code), { unit: 'KGM', quantity: 10000 }, 'nothing destroyed');
    // in a later document, the stored lot's unit converts the line
    t.match(await capture(a.key, [destroyed(3, 3000, 'GRM', MADE)], 'rollback'), { success: true, captured: 1 });
    const more = await capture(a.key, [destroyed(4, 10000, 'KGM', MADE)], 'rollback');
    t.match(more.errors[0]?.message, /only 9997 KGM .* remain/, '3000 GRM are 3 KGM of the lot');
    t.same(await balanceDifferences(world.database), [], 'the ledger closes');
  },
);

t.test('a lot of no product a document makes without a uom is counted in pieces: a later line in GRM is refused', async (t) => {
  for (const behaviour of ['rollback', 'proceed'] as const) {
    await t.test(behaviour, async (t) => {
      const world = await createWorld(t);
      const a = await world.party('processor');
      const { capture } = epcisRequests(world);
      const NOUOM = 'https://id.gs1.org/01/06901234000016/10/B3-NOUOM';
      const made = { ...commissioned(NOUOM, 10, 'H87'), quantityList: [{ epcClass: NOUOM, quantity: 10 }] };
      const result = await capture(a.key, [made, destroyed(2, 5, 'GRM', NOUOM)], behaviour);
      t.match(result, {
        success: false,
        captured: behaviour === 'rollback' ? 0 : 1,
        errors: [
          {
            eventIndex: 1,
            pointer: '/epcisBody/eventList/1/quantityList/0/uom',
            message: /5 GRM of .*B3-NOUOM.*makes the lot in H87/,
          },
        ],
      });
      if (behaviour === 'proceed') {
        const code = (await world.regulator.get(`/trace/${encodeURIComponent(NOUOM)}?depth=0`)).body.query.lotCodes[0];
        t.match(await a.lot(code), { unit: 'piece', quantity: 10 }, 'nothing destroyed');
      }
      t.same(await balanceDifferences(world.database), [], 'the ledger closes');
    });
  }
});

t.test('a registered product lot a document makes is read in its unit by a later line of the document', async (t) => {
  const world = await createWorld(t);
  const a = await world.party('processor');
  await a.product('kg', { gtin: '06901234000047' });
  const BEEF = 'https://id.gs1.org/01/06901234000047/10/BEEF-DOC';
  const { capture } = epcisRequests(world);
  const result = await capture(a.key, [commissioned(BEEF, 10, 'KGM'), destroyed(2, 5, 'LTR', BEEF)], 'rollback');
  t.match(result, {
    success: false,
    captured: 0,
    errors: [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/quantityList/0/uom', message: /5 LTR of .*BEEF-DOC.*counted in kg/ }],
  });
  t.match(await capture(a.key, [commissioned(BEEF, 10, 'KGM'), destroyed(2, 2500, 'GRM', BEEF)], 'rollback'), { success: true });
  const code = (await world.regulator.get(`/trace/${encodeURIComponent(BEEF)}?depth=0`)).body.query.lotCodes[0];
  const more = await capture(a.key, [destroyed(3, 7.501, 'KGM', BEEF)], 'rollback');
  t.match(more.errors[0].message, /only 7\.5 kg of .*BEEF-DOC remain/, '2.5 kg went');
  t.ok(code);
});
