import { issuePacks, voidCodedAsBefore } from '../fixtures/rfid-world.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

// a lot whose making was declared in error names nothing any more, and neither do its packs: the
// consumer resolver answers them not genuine, and every other door reads them as it reads the lot
t.test('the packs of a lot whose making was declared in error name nothing, at every door', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('piece', { gtin: '6901234567892' });
  const made = await world.ok(processor.event({ type: 'commission', lots: [{ productCode: product, quantity: 5, lotNumber: 'KZ-1' }] }));
  const lotCode = made.createdLotCodes[0];
  const [pack, other] = await issuePacks(world, processor, lotCode, 2);
  const sgtin = `urn:epc:id:sgtin:6901234.056789.${pack}`;
  t.match((await world.app.inject({ method: 'GET', url: `/epc/${encodeURIComponent(sgtin)}` })).json(), {
    knownAs: { kind: 'item', code: pack, lotCode },
  });

  // corrections refuse this now: the lot as an earlier one left it
  await voidCodedAsBefore(world, processor, made.event.id);
  t.equal((await world.regulator.get(`/trace/${lotCode}`)).status, 404, 'the lot is traced as nothing');
  for (const who of [world.regulator, processor.api]) {
    const traced = await who.get(`/trace/${pack}`);
    t.equal(traced.status, 404, 'and so is its pack');
    t.notOk(JSON.stringify(traced.body).includes(lotCode), 'naming no lot');
  }
  const checked = (await world.app.inject({ method: 'GET', url: `/epc/${encodeURIComponent(sgtin)}` })).json();
  t.equal(checked.knownAs, null, 'a tag of the pack is known as nothing, to the public too');
  // the consumer resolver still tells it from a code never issued: scanned by its Digital Link alone, it is flagged with its lot
  const scanned = await world.app.inject({ method: 'GET', url: `/01/06901234567892/21/${other}`, headers: { accept: 'application/json' } });
  t.equal(scanned.statusCode, 404, 'not genuine');
  t.match(
    (await world.regulator.get('/regulator/flags?kind=unknown_code')).body.items.filter((flag: { code: string }) => flag.code === other),
    [{ lotCode, partyCode: processor.code, detail: /declared in error/ }],
    'flagged with the lot and its maker',
  );
});
