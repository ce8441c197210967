// An EPCIS AggregationEvent DELETE naming a quantity of a lot by class: an unpacking takes the whole
// of what is packed out of the container, so a quantity other than that is refused, never widened.
import type { Test } from 'tap';
import { EPCIS_CONTEXT, epcisRequests } from '../fixtures/epcis.js';
import { balanceDifferences } from '../fixtures/ledger.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const at = (day: number) => ({ eventTime: `2026-03-0${day}T08:00:00+08:00`, eventTimeZoneOffset: '+08:00' });
const MEAT = 'https://id.gs1.org/01/06901234000016/10/MEAT-PART';
const PALLET = 'urn:epc:id:sscc:6901234.0000000017';
const commissioned = {
  type: 'ObjectEvent',
  ...at(1),
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass: MEAT, quantity: 100, uom: 'KGM' }],
};
const aggregation = (day: number, action: 'ADD' | 'DELETE', quantity?: number) => ({
  type: 'AggregationEvent',
  ...at(day),
  action,
  bizStep: action === 'ADD' ? 'packing' : 'unpacking',
  parentID: PALLET,
  childQuantityList: [{ epcClass: MEAT, ...(quantity === undefined ? {} : { quantity, uom: 'KGM' }) }],
});
const destroyed = (day: number, quantity: number) => ({
  type: 'ObjectEvent',
  ...at(day),
  action: 'DELETE',
  bizStep: 'destroying',
  quantityList: [{ epcClass: MEAT, quantity, uom: 'KGM' }],
});
const refusal = (quantity: number) =>
  new RegExp(
    `names ${quantity} KGM of ${MEAT.replaceAll('.', '\\.')}, but 80 KGM of it are packed in container .*; a partial unpacking is not supported`,
  );

async function setup(t: Test) {
  const world = await createWorld(t);
  const a = await world.party('processor');
  const { post, capture } = epcisRequests(world);
  // 80 kg packed in two packings of 40
  t.match(await capture(a.key, [commissioned, aggregation(2, 'ADD', 40), aggregation(3, 'ADD', 40)]), { success: true, captured: 3 });
  const lotOf = async (uri: string) =>
    (await world.regulator.get(`/trace/${encodeURIComponent(uri)}?depth=0`)).body.query.lotCodes[0] as string;
  const meat = await lotOf(MEAT);
  const pallet = await lotOf(PALLET);
  const packedEdges = async () =>
    (await world.regulator.get(`/trace/${pallet}?direction=backward&depth=1`)).body.edges.map(
      (edge: { quantity: number; status: string | null }) => `${edge.quantity} ${edge.status ?? 'packed'}`,
    );
  return { world, a, post, capture, meat, pallet, packedEdges };
}

t.test('an unpacking naming less or more of a lot than is packed is refused at its quantity', async (t) => {
  for (const [quantity, what] of [
    [40, 'less'],
    [100, 'more'],
  ] as const) {
    await t.test(`${what} than packed`, async (t) => {
      const { world, a, post, capture, packedEdges } = await setup(t);
      const single = await post(a.key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...aggregation(4, 'DELETE', quantity) });
      t.equal(single.statusCode, 422, 'POST /epcis/events: refused');
      t.match(single.json(), { type: '/problems/partial-unpacking', detail: refusal(quantity) }, 'naming what is packed');
      t.match(single.json().errors, [{ pointer: '/childQuantityList/0/quantity', detail: '80 KGM packed' }], 'at the quantity');

      const rolledBack = await capture(a.key, [destroyed(4, 10), aggregation(4, 'DELETE', quantity)], 'rollback');
      t.match(rolledBack, {
        success: false,
        captured: 0,
        errors: [{ eventIndex: 1, pointer: '/epcisBody/eventList/1/childQuantityList/0/quantity' }],
      });
      t.match(rolledBack.errors[0].message, refusal(quantity), 'rollback: a per-event error');

      const proceeded = await capture(a.key, [aggregation(4, 'DELETE', quantity), destroyed(4, 10)], 'proceed');
      t.match(proceeded, {
        success: false,
        captured: 1,
        errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/childQuantityList/0/quantity' }],
      });
      t.match(proceeded.errors[0].message, refusal(quantity), 'proceed: the rest is captured');

      t.same(await packedEdges(), ['40 packed', '40 packed'], 'all 80 kg stay packed');
      const loose = await capture(a.key, [destroyed(5, 20)], 'rollback');
      t.match(
        loose,
        { success: false, errors: [{ message: /only 10 KGM .* remain loose/ }] },
        'only the 10 kg left loose can be destroyed',
      );
      t.same(await balanceDifferences(world.database), [], 'the ledger closes');
    });
  }
});

t.test('an unpacking naming what is packed, or no quantity, takes all of it out', async (t) => {
  for (const quantity of [80, undefined]) {
    await t.test(quantity === undefined ? 'no quantity' : `${quantity} KGM`, async (t) => {
      const { world, a, capture, packedEdges } = await setup(t);
      t.match(await capture(a.key, [aggregation(4, 'DELETE', quantity), destroyed(5, 100)], 'rollback'), { success: true, captured: 2 });
      t.same(await packedEdges(), ['40 unpacked', '40 unpacked'], 'the packings are ended');
      t.same(await balanceDifferences(world.database), [], 'the ledger closes');
    });
  }
});

t.test('in the document that packed it, an unpacking is judged by what the document packed', async (t) => {
  const world = await createWorld(t);
  const a = await world.party('processor');
  const { capture } = epcisRequests(world);
  const job = await capture(
    a.key,
    [commissioned, aggregation(2, 'ADD', 30), aggregation(3, 'DELETE', 20), aggregation(4, 'DELETE', 30)],
    'proceed',
  );
  t.match(job, {
    success: false,
    captured: 3,
    errors: [{ eventIndex: 2, pointer: '/epcisBody/eventList/2/childQuantityList/0/quantity' }],
  });
  t.match(job.errors[0].message, /names 20 KGM .* but 30 KGM of it are packed/);
  t.same(await balanceDifferences(world.database), [], 'the ledger closes');
});

t.test('a quantity is compared as a packing books it: binary noise of what was packed unpacks all of it', async (t) => {
  const world = await createWorld(t);
  const a = await world.party('processor');
  const { capture } = epcisRequests(world);
  // 40.1 + 40.2 is 80.30000000000001 in binary floating point; 80.3 kg is what the packings booked
  const job = await capture(
    a.key,
    [commissioned, aggregation(2, 'ADD', 40.1), aggregation(3, 'ADD', 40.2), aggregation(4, 'DELETE', 40.1 + 40.2), destroyed(5, 100)],
    'rollback',
  );
  t.match(job, { success: true, captured: 5 }, 'the sum of the packings, as a client adds it, is what is packed');
  t.same(await balanceDifferences(world.database), [], 'the ledger closes');
});

t.test('an unpacking dated before a later packing of the lot is refused by its time, not its quantity', async (t) => {
  const world = await createWorld(t);
  const a = await world.party('processor');
  const { capture } = epcisRequests(world);
  t.match(await capture(a.key, [commissioned, aggregation(2, 'ADD', 80), aggregation(6, 'ADD', 20)]), { success: true, captured: 3 });
  // true on day 4, when 80 kg were packed; the 20 kg packed on day 6 make it an unpacking before a packing
  const job = await capture(a.key, [aggregation(4, 'DELETE', 80)], 'rollback');
  t.match(job, { success: false, errors: [{ eventIndex: 0, pointer: '/epcisBody/eventList/0/eventTime' }] }, 'at the event time');
  t.match(job.errors[0].message, /cannot be unpacked before that/, 'naming the later packing');
  t.same(await balanceDifferences(world.database), [], 'the ledger closes');
});
