// A native event names a lot or container by its code, an SSCC or PARTYCODE:LOTNUMBER, as /trace/{code}
// takes them: resolved by the one resolver, recorded as the lot's code.
import { completeGs1 } from '../../src/codes/gs1.js';
import { at, createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();
const keyed = (key: string) => ({ 'idempotency-key': key });

t.test('lot names in native events', async (t) => {
  const world = await createWorld(t);

  t.test('a line names a container by its SSCC and a lot by PARTYCODE:LOTNUMBER; the event shows their codes', async (t) => {
    const plant = await world.party('processor');
    const store = await world.party('cold_storage');
    const meat = await plant.product('piece');
    const lot = await plant.commission(meat, 40, { lotNumber: 'kz-250-20261207' });
    const loose = await plant.commission(meat, 10, { lotNumber: 'KZ-251' });
    const sscc = completeGs1('06901234500000012');
    const packed = expectStatus(t, await plant.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: lot }] }), 201, 'pack');
    const pallet = packed.body.createdLotCodes[0];

    const body = {
      type: 'ship',
      eventTime: at(100),
      toPartyCode: store.code,
      lines: [{ lotCode: sscc }, { lotCode: `${plant.code.toLowerCase()}:KZ-251`, quantity: 4 }],
    };
    const shipped = expectStatus(t, await plant.api.post('/events', body, keyed('ship-by-sscc')), 201, 'shipped by SSCC and lot number');
    const codes = (event: { lots: { lotCode: string }[] }) => event.lots.map((l) => l.lotCode).sort();
    t.ok(codes(shipped.body.event).includes(pallet) && codes(shipped.body.event).includes(loose), 'recorded as the lots’ codes');
    const again = expectStatus(t, await plant.api.post('/events', body, keyed('ship-by-sscc')), 201, 'the same again');
    t.same(again.body, shipped.body, 'an idempotent replay answers as the first did');
    const read = expectStatus(t, await plant.api.get(`/events/${shipped.body.event.id}`), 200, 'read');
    t.same(codes(read.body), codes(shipped.body.event), 'GET /events/:id shows the codes');
    const epcis = expectStatus(t, await plant.api.get(`/epcis/events?perPage=100&EQ_bizStep=shipping`), 200, 'EPCIS query');
    const [rendered] = epcis.body.epcisBody.queryResults.resultsBody.eventList;
    t.ok(JSON.stringify(rendered).includes(loose), 'the EPCIS rendering names the lot by its code');
    t.ok(
      JSON.stringify(rendered).includes(`https://id.gs1.org/00/${sscc}`),
      'and the container by its SSCC, as every container that has one',
    );
    t.notOk(JSON.stringify(rendered).includes('KZ-251"'), 'not by the lot number as written');

    // the receiver names the lines as the shipper did: by the SSCC
    expectStatus(
      t,
      await store.event({
        type: 'receive',
        eventTime: at(101),
        shipmentId: shipped.body.shipmentId,
        lines: [{ lotCode: `https://id.gs1.org/00/${sscc}`, quantity: 1 }],
        partial: true,
      }),
      201,
      'received by the SSCC’s Digital Link',
    );
  });

  t.test('what names no lot: unknown, another form, a typo', async (t) => {
    const plant = await world.party('processor');
    const buyer = await world.party('retailer');
    const ship = (lotCode: string) => plant.event({ type: 'ship', toPartyCode: buyer.code, lines: [{ lotCode, quantity: 1 }] });

    const unknownSscc = expectStatus(t, await ship(completeGs1('06901234500000099')), 422, 'an SSCC no container carries');
    t.same(unknownSscc.body.errors, [{ in: 'body', pointer: '/lines/0/lotCode', detail: 'unknown lot' }]);
    const unknownNumber = expectStatus(t, await ship(`${plant.code}:NO-SUCH-LOT`), 422, 'a lot number the party has not');
    t.same(unknownNumber.body.errors, [{ in: 'body', pointer: '/lines/0/lotCode', detail: 'unknown lot' }]);

    const bare = expectStatus(t, await ship('KZ-250-20261207'), 400, 'a bare lot number');
    t.match(bare.body.detail, /not a code of this service: lines take a lot or container code, an SSCC or PARTYCODE:LOTNUMBER/);
    t.match(bare.body.errors, [{ in: 'body', pointer: '/lines/0/lotCode' }]);
    t.notMatch(bare.body.detail, /typo/, 'no typo');
    const earTag = expectStatus(t, await plant.event({ type: 'observe', lotCodes: ['150023600000001'] }), 400, 'an ear tag');
    t.match(earTag.body, { detail: /not a code of this service/, errors: [{ pointer: '/lotCodes/0' }] });

    const badSscc = expectStatus(t, await ship('069012345000000128'), 400, 'an SSCC with a wrong check digit');
    t.match(badSscc.body.detail, /check digit is wrong — probably a typo/);
    t.match(badSscc.body.errors, [{ in: 'body', pointer: '/lines/0/lotCode' }]);
  });

  t.test("another party's SSCC is refused as its container code is", async (t) => {
    const owner = await world.party('processor');
    const stranger = await world.party('processor');
    const buyer = await world.party('retailer');
    const meat = await owner.product('piece');
    const lot = await owner.commission(meat, 5);
    const sscc = completeGs1('06901234500000029');
    const pallet = expectStatus(t, await owner.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: lot }] }), 201, 'pack')
      .body.createdLotCodes[0];
    const ship = (lotCode: string) => stranger.event({ type: 'ship', toPartyCode: buyer.code, lines: [{ lotCode }] });
    const byCode = await ship(pallet);
    const bySscc = await ship(sscc);
    t.equal(bySscc.status, byCode.status, 'the same status');
    t.equal(bySscc.body.type, byCode.body.type, 'the same refusal');
    t.notOk(JSON.stringify(bySscc.body).includes(pallet), 'the container’s code is not told');
  });
});
