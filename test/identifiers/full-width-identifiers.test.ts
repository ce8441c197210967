// A lot number, serial or Digital Link typed with full-width letters and digits, as a Chinese input
// method writes them ('ＬＯＴ１'), names what its ASCII form names (Unicode NFKC), at every door:
// the native API's lot numbers, trace identifiers and EPCIS documents.
import { sql } from 'drizzle-orm';
import { EPCIS_CONTEXT, epcisRequests, observation } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();
const GTIN = '06901234567892';
const link = (path: string) => `https://id.gs1.org/01/${GTIN}/${path}`;

t.test('a full-width lot number or serial names the lot its ASCII form names', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('kg', { gtin: GTIN });
  const traced = async (identifier: string) => {
    const reply = await processor.api.get(`/trace/${encodeURIComponent(identifier)}`);
    return expectStatus(t, reply, 200, `trace ${identifier}`).body.query.lotCodes;
  };

  t.test('the native API stores a lot number in its ASCII form, and refuses it typed again either way', async (t) => {
    const lotCode = await processor.commission(product, 10, { lotNumber: 'ＬＯＴ１' });
    t.equal((await processor.lot(lotCode)).lotNumber, 'LOT1');
    const again = await processor.event({ type: 'commission', lots: [{ productCode: product, quantity: 1, lotNumber: ' LOT1 ' }] });
    expectStatus(t, again, 409, 'the same lot number, in ASCII');
    t.match(again.body.errors, [{ in: 'body', pointer: '/lots/0/lotNumber' }]);
    t.same(await traced(`${processor.code}:ＬＯＴ１`), [lotCode], 'PARTYCODE:LOTNUMBER typed full-width');
    t.same(await traced(link('10/ＬＯＴ１')), [lotCode], 'a Digital Link typed full-width');
    t.same(await traced(link('10/LOT1')), [lotCode], 'the same Digital Link in ASCII');
  });

  t.test('an EPCIS document naming the lot full-width names the native lot, not a new one', async (t) => {
    const { capture } = epcisRequests(world);
    const lotCode = await processor.commission(product, 10, { lotNumber: 'LOT2' });
    const job = await capture(processor.key, [
      observation(5, { quantityList: [{ epcClass: link('10/ＬＯＴ２'), quantity: 1, uom: 'KGM' }] }),
    ]);
    t.match(job, { success: true, captured: 1 }, JSON.stringify(job));
    t.same(await traced(link('10/LOT2')), [lotCode], 'one lot');
    const events = (await world.regulator.get(`/trace/${lotCode}`)).body.events;
    t.equal(events.length, 2, 'its commissioning and the captured observation');
  });

  t.test('a serial captured full-width and named in ASCII is one pack', async (t) => {
    const { capture } = epcisRequests(world);
    const job = await capture(processor.key, [
      { ...observation(6, { epcList: [link('21/ＳＥＲ１')] }), action: 'ADD', bizStep: 'commissioning' },
    ]);
    t.match(job, { success: true, captured: 1 }, JSON.stringify(job));
    const [lotCode] = await traced(link('21/SER1'));
    t.ok(lotCode, 'the ASCII form finds what the full-width one made');
    t.same(await traced(link('21/ＳＥＲ１')), [lotCode], 'and so does the full-width form');
  });
});

t.test('an event captured full-width before identifiers were read as ASCII is a duplicate when sent again, not a conflict', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  await processor.product('kg', { gtin: GTIN });
  const { post } = epcisRequests(world);
  const eventID = 'urn:uuid:0b6f3c1e-7d2a-4e55-9a31-5c2f1d8e7a10';
  const event = { '@context': EPCIS_CONTEXT, ...observation(7, { eventID, epcList: [link('21/ＳＥＲ９')] }) };
  t.equal((await post(processor.key, '/epcis/events', event)).statusCode, 201, 'captured');
  // as a version before NFKC stored it: the EPC as it was sent
  await world.database.db.execute(
    sql`update events set payload = jsonb_set(payload::jsonb, '{epcis,epcList}', ${JSON.stringify([link('21/ＳＥＲ９')])}::jsonb)
      where party_code = ${processor.code} and payload::text like '%/21/SER9%'`,
  );
  const again = await post(processor.key, '/epcis/events', event);
  t.equal(again.statusCode, 200, `the same event sent again is a duplicate: ${again.body}`);
  t.equal(again.json().duplicate, true);
});
