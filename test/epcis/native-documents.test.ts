// A native reference document of a CBV business transaction type renders as that type (despatch_advice as
// desadv), a query by the CBV type finds it, and a captured entry of that type is the native document.
import { epcisRequests } from '../fixtures/epcis.js';
import { at, createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();
const q = encodeURIComponent;

t.test('native reference documents as CBV business transaction types', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const store = await world.party('cold_storage');
  const meat = await plant.product('kg');
  const lot = await plant.commission(meat, 10);
  expectStatus(
    t,
    await plant.event({
      type: 'ship',
      eventTime: at(50),
      toPartyCode: store.code,
      lines: [{ lotCode: lot, quantity: 1 }],
      referenceDocuments: [
        { type: 'despatch_advice', number: 'DA 1' },
        { type: 'invoice', number: 'INV-1' },
        { type: 'purchase_order', number: 'PO-1' },
        { type: 'receiving_advice', number: 'RA-1' },
        { type: 'quarantine_certificate', number: 'Q-1' },
      ],
    }),
    201,
    'a shipment with its documents',
  );
  const found = async (query: string) => {
    const reply = expectStatus(t, await plant.api.get(`/epcis/events?perPage=100&${query}`), 200, query);
    return reply.body.epcisBody.queryResults.resultsBody.eventList as { bizStep: string; bizTransactionList?: unknown }[];
  };
  const [shipment] = await found('EQ_bizStep=shipping');
  t.same(
    shipment.bizTransactionList,
    [
      { type: 'desadv', bizTransaction: 'urn:county-trace:doc:despatch_advice:DA%201' },
      { type: 'inv', bizTransaction: 'urn:county-trace:doc:invoice:INV-1' },
      { type: 'po', bizTransaction: 'urn:county-trace:doc:purchase_order:PO-1' },
      { type: 'recadv', bizTransaction: 'urn:county-trace:doc:receiving_advice:RA-1' },
      { type: 'urn:county-trace:doc:quarantine_certificate', bizTransaction: 'urn:county-trace:doc:quarantine_certificate:Q-1' },
    ],
    'CBV types by their short names; the others as this service’s own',
  );
  const steps = async (query: string) => (await found(query)).map((event) => event.bizStep);
  const advice = q('urn:county-trace:doc:despatch_advice:DA%201');
  t.same(await steps(`EQ_bizTransaction_desadv=${advice}`), ['shipping'], 'EQ_bizTransaction_desadv finds the despatch advice');
  t.same(await steps(`EQ_bizTransaction_${q('https://ref.gs1.org/cbv/BTT-desadv')}=${advice}`), ['shipping'], 'the type as its URI');
  t.same(await steps(`EQ_bizTransaction_${q('urn:epcglobal:cbv:btt:desadv')}=${advice}`), ['shipping'], 'and as its URN');
  t.same(await steps(`EQ_bizTransaction_inv=${advice}`), [], 'not under another type');
  t.same(await steps(`EQ_bizTransaction_desadv=${q('urn:county-trace:doc:despatch_advice:DA-2')}`), [], 'nor another number');
  t.same(await steps(`EQ_bizTransaction_po=${q('urn:county-trace:doc:purchase_order:PO-1')}`), ['shipping'], 'a purchase order as po');
  t.same(
    await steps(
      `EQ_bizTransaction_${q('urn:county-trace:doc:quarantine_certificate')}=${q('urn:county-trace:doc:quarantine_certificate:Q-1')}`,
    ),
    ['shipping'],
    'another type as its own URN, as before',
  );

  // captured desadv → native despatch_advice → rendered desadv
  const { capture } = epcisRequests(world);
  const ADVICE = 'urn:epcglobal:cbv:bt:0614141000005:DA-9';
  t.match(
    await capture(plant.key, [
      {
        type: 'ObjectEvent',
        eventTime: '2026-03-02T08:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        action: 'ADD',
        bizStep: 'commissioning',
        quantityList: [{ epcClass: 'https://id.gs1.org/01/06901234000016/10/DOC-1', quantity: 5, uom: 'KGM' }],
        bizTransactionList: [
          { type: 'https://ref.gs1.org/cbv/BTT-desadv', bizTransaction: ADVICE },
          { type: 'urn:example:btt:waybill', bizTransaction: 'urn:example:waybill:1' },
        ],
      },
    ]),
    { success: true, captured: 1 },
    'captured',
  );
  const events = expectStatus(t, await plant.api.get('/events?type=commission&limit=100'), 200, 'native list').body.items as {
    referenceDocuments: { type: string; number: string }[];
  }[];
  const captured = events.find((event) => event.referenceDocuments.some((doc) => doc.number === ADVICE));
  t.same(
    captured?.referenceDocuments,
    [
      { type: 'despatch_advice', number: ADVICE },
      { type: 'waybill', number: 'urn:example:waybill:1' },
    ],
    'a captured desadv is a native despatch_advice; another type as before',
  );
  t.same(await steps(`EQ_bizTransaction_desadv=${q(ADVICE)}`), ['commissioning'], 'and found by its CBV type as captured');
});
