// Binding a tag (POST /rfid/tags) or a commissioning station (POST /rfid/read-points) to another
// party's ear tag, lot number or captured URI is answered as for an unknown identifier: the RFID
// doors are no oracle of what a private identifier names, as a trace is not. A lot's own code
// names it openly, and is refused as it always was.
import { EPCIS_CONTEXT, observation } from '../fixtures/epcis.js';
import { registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import type { Reply } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** The answer with the identifier it names written as `…`: what is left is the same for any identifier. */
const shapeOf = (reply: Reply, identifier: string) => ({
  status: reply.status,
  body: JSON.parse(JSON.stringify(reply.body).replaceAll(identifier, '…')),
});

t.test("the RFID doors answer for another party's private identifier as for an unknown one", async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const owner = await world.party('farm');
  const other = await world.party('processor');
  const pigs = await owner.product('head');
  const earTag = '150236000012345';
  const lot = await owner.commission(pigs, 1, { lotNumber: 'ALOT42', attributes: { earTags: [earTag] } });
  const crate = 'urn:acme:crate:SECRET1';
  expectStatus(
    t,
    await owner.api.post('/epcis/events', {
      '@context': EPCIS_CONTEXT,
      ...observation(2, { action: 'ADD', bizStep: 'commissioning', epcList: [crate] }),
    }),
    201,
    'the owner captures a crate under a URI of its own',
  );
  const reader = await registerReader(world, other);
  const siteOfOther = await other.location('plant');
  const bindTag = (code: string) => other.api.post('/rfid/tags', { tags: [{ epc: 'E28068940000000000000001', code }] });
  const station = (code: string) =>
    other.api.post('/rfid/read-points', {
      partyCode: other.code,
      locationCode: siteOfOther,
      name: 'station',
      role: 'commissioning',
      bindToCode: code,
      antennas: [{ readerId: reader.id, antenna: 1 }],
    });

  for (const [label, known, unknown] of [
    ["the owner's lot number", `${owner.code}:ALOT42`, `${owner.code}:NOPE99`],
    ['an ear tag', earTag, '150236000099999'],
    ['a captured URI', crate, 'urn:acme:crate:NOPE99'],
  ] as const) {
    for (const [door, send] of [
      ['POST /rfid/tags', bindTag],
      ['POST /rfid/read-points', station],
    ] as const) {
      const answered = await send(known);
      t.not(answered.status, 201, `${door}, ${label}: refused`);
      t.same(shapeOf(answered, known), shapeOf(await send(unknown), unknown), `${door}, ${label}: answered as for an unknown one`);
      t.notMatch(JSON.stringify(answered.body), lot, `${door}, ${label}: naming no lot`);
    }
  }
  // the owner's own identifiers still name its lot to it
  expectStatus(
    t,
    await owner.api.post('/rfid/tags', { tags: [{ epc: 'E28068940000000000000002', code: `${owner.code}:ALOT42` }] }),
    201,
    'the owner binds a tag by its lot number',
  );
  // a lot's code is printed on it: refused, as before, by what the party may do with the lot
  t.match(expectStatus(t, await bindTag(lot), 403, 'a lot code of a lot it may not use').body, {
    detail: new RegExp(`party ${other.code} may not bind tags to the lot named`),
  });
  t.match(expectStatus(t, await station(lot), 403, 'nor a station bound to it').body.errors, [{ pointer: '/bindToCode' }]);
});
