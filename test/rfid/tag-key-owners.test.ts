// A tag whose EPC carries a GS1 key of another party (a GTIN of a product registered here, or a key
// under a company prefix a registered party owns) is bound only by that party: the holder of a lot
// cannot bind the processor's SGTIN to its own pallet and so lock the processor out of its own tag.
import { completeGs1 } from '../../src/codes/gs1.js';
import { encodeTag } from '../../src/gs1/epc-binary.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus, randomUscc } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('tags carrying a GS1 key of another party are bound only by that party', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const gtin = completeGs1('690123456701');
  const branded = await processor.product('kg', { gtin });
  const lot = await processor.commission(branded, 10);
  const ownLot = await store.commission(await store.product('kg'), 5);
  const sgtin = 'urn:epc:id:sgtin:6901234.056701.2001';

  await t.test("the cold store binding the processor's SGTIN to its own lot: 403 at the epc", async (t) => {
    const refused = await store.api.post('/rfid/tags', {
      tags: [
        { epc: 'E28011606000000000000001', code: ownLot },
        { epc: sgtin, code: ownLot },
      ],
    });
    const body = expectStatus(t, refused, 403, 'another party’s GTIN').body;
    t.match(body.errors, [{ in: 'body', pointer: '/tags/1/epc', detail: new RegExp(processor.code) }]);
    t.equal(body.errors.length, 1);
    expectStatus(t, await store.api.get('/rfid/tags/E28011606000000000000001'), 404, 'nothing of the request bound');
    const bound = await processor.api.post('/rfid/tags', { tags: [{ epc: sgtin, code: lot }] });
    t.match(expectStatus(t, bound, 201, 'the GTIN’s owner binds it').body.items, [{ partyCode: processor.code, lotCode: lot }]);
  });

  await t.test('the same tag spelled as hex or a Digital Link is refused alike', async (t) => {
    for (const epc of [`https://id.gs1.org/01/0${gtin}/21/2002`]) {
      expectStatus(t, await store.api.post('/rfid/tags', { tags: [{ epc, code: ownLot }] }), 403, epc);
    }
  });

  await t.test("a commissioning station rejects a read tag carrying another party's GTIN, binds its own", async (t) => {
    const reader = await registerReader(world, store);
    await readPoint(world, store, 'commissioning', [{ readerId: reader.id, antenna: '*' }], { bindToCode: ownLot });
    const foreign = encodeTag('urn:epc:id:sgtin:6901234.056701.3001', { scheme: 'sgtin-96', filter: 1 }).hex;
    const mine = 'E28011606000000000000031';
    const posted = await reader.api.post('/rfid/reads', {
      reads: [
        { antenna: 1, epc: foreign, time: '2026-06-01T10:00:00+08:00' },
        { antenna: 1, epc: mine, time: '2026-06-01T10:00:00+08:00' },
      ],
    });
    expectStatus(t, posted, 202, 'stored');
    await world.app.services.gates.drain();
    const rows = (await store.api.get(`/rfid/reads?limit=10`)).body.items;
    t.match(
      rows.find((row: { tag: string }) => row.tag === mine),
      { outcome: 'bound', lotCode: ownLot },
    );
    t.match(
      rows.find((row: { tag: string }) => row.tag !== mine),
      {
        outcome: 'rejected',
        detail: new RegExp(`GS1 key of party ${processor.code}`),
      },
    );
    expectStatus(t, await processor.api.post('/rfid/tags', { tags: [{ epc: foreign, code: lot }] }), 201, 'its owner binds it');
  });

  await t.test('an SSCC under a company prefix a registered party owns: only that party', async (t) => {
    const member = await world.ok(
      world.admin.post('/parties', {
        kind: 'processor',
        name: 'GS1 member',
        uscc: randomUscc(),
        regionCode: '500236',
        gs1CompanyPrefix: '0614141',
      }),
    );
    const refused = await store.api.post('/rfid/tags', { tags: [{ epc: 'urn:epc:id:sscc:0614141.1234567890', code: ownLot }] });
    t.match(expectStatus(t, refused, 403, 'another party’s SSCC').body.errors, [
      { pointer: '/tags/0/epc', detail: new RegExp(member.code) },
    ]);
    const free = await store.api.post('/rfid/tags', { tags: [{ epc: 'urn:epc:id:sscc:0614142.1234567890', code: ownLot }] });
    expectStatus(t, free, 201, 'a prefix no party here owns');
  });
});
