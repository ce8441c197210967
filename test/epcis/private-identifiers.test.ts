// A captured URI names its lot only to the parties that may read the lot (see identifierNamesLotTo).
// Another party's event naming it is refused without a word of the lot (no code, owner, holder or
// "neither owns nor holds"), and brings no second lot into being under it; an unknown URI becomes
// the capturing party's own, as before. GS1 keys name their lots openly and are refused as ever.
import { completeGs1 } from '../../src/codes/gs1.js';
import { EPCIS_CONTEXT, epcisRequests, observation } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test("an EPCIS event naming another party's captured URI is refused without naming its lot", async (t) => {
  const world = await createWorld(t);
  const { post, capture } = epcisRequests(world);
  const owner = await world.party('processor');
  const other = await world.party('processor');
  const send = (key: string, fields: object) => post(key, '/epcis/events', { '@context': EPCIS_CONTEXT, ...fields });
  const crate = 'urn:acme:crate:SECRET1';
  const commissioned = await send(owner.key, observation(2, { action: 'ADD', bizStep: 'commissioning', epcList: [crate] }));
  t.equal(commissioned.statusCode, 201, 'the owner captures a crate under a URI of its own');
  const lotOfCrate = async () => (await world.regulator.get(`/trace/${encodeURIComponent(crate)}?depth=0`)).body.query.lotCodes;
  const [lot] = await lotOfCrate();
  const refusal = {
    status: 403,
    detail: `party ${other.code} may not use ${crate}: the identifier is another party's`,
    errors: [{ in: 'body', pointer: '/epcList/0', detail: "another party's identifier" }],
  };

  for (const [label, fields] of [
    ['a sighting', observation(3, { epcList: [crate] })],
    ['a destruction', observation(3, { action: 'DELETE', bizStep: 'destroying', epcList: [crate] })],
  ] as const) {
    const refused = await send(other.key, fields);
    t.equal(refused.statusCode, 403, `${label}: refused`);
    t.match(refused.json(), refusal, `${label}: as another party's identifier`);
    for (const [what, text] of [
      ['the lot', lot],
      ['its owner', owner.code],
      ['a lot at all', 'lot'],
      ['whether the party held it', 'hold'],
    ]) {
      t.notOk(JSON.stringify(refused.json()).includes(text), `${label}: naming not ${what}`);
    }
  }
  t.same(await lotOfCrate(), [lot], 'no second lot under the URI');
  t.same((await other.api.get('/lots')).body.items, [], 'nor any lot of the other party');
  t.equal(
    (await send(other.key, observation(3, { epcList: ['urn:acme:crate:NOPE99'] }))).statusCode,
    201,
    'an unknown URI becomes the capturing party’s own, as before',
  );

  const job = await capture(other.key, [observation(3, { epcList: [crate] }), observation(3, { epcList: ['urn:acme:crate:NOPE98'] })]);
  t.match(job, { captured: 1, errors: [{ eventIndex: 0, message: refusal.detail }] }, 'refused alike in a document');
  t.equal(job.errors[0].pointer, '/epcisBody/eventList/0/epcList/0', 'at the URI');

  // sent the crate, the other party may read it: the URI names the lot to it
  const shipping = observation(4, {
    bizStep: 'shipping',
    epcList: [crate],
    destinationList: [{ type: 'owning_party', destination: `${TEST_BASE_URL}/parties/${other.code}` }],
  });
  t.equal((await send(owner.key, shipping)).statusCode, 201, 'the owner ships the crate to the other party');
  t.equal((await send(other.key, observation(5, { bizStep: 'receiving', epcList: [crate] }))).statusCode, 201, 'which receives it');
  t.equal((await send(other.key, observation(6, { epcList: [crate] }))).statusCode, 201, 'and sights it');

  // an SSCC is a GS1 key: refused, as before, for what the party may do with the container
  const sscc = completeGs1('06901234500000888');
  const product = await owner.product('kg');
  const loose = await owner.commission(product, 10);
  await world.ok(owner.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: loose, quantity: 4 }] }));
  const pallet = await send(other.key, observation(7, { epcList: [`https://id.gs1.org/00/${sscc}`] }));
  expectStatus(t, { status: pallet.statusCode, body: pallet.json(), headers: {} }, 403, 'a pallet by its SSCC');
  t.match(pallet.json().detail, new RegExp(`party ${other.code} neither owns nor holds container`));
});
