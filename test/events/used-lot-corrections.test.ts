// A making keyed wrong (a quantity, a date) is corrected by a replacement that makes the lot again
// under its code, though some of the lot was used since: packed into the maker's own cases, shipped
// and received, consumed. The correction is judged by what it changes, the reversal and the
// replacement together: it passes while the lot made again covers every stored movement of it, and
// is refused, naming how much the maker used, when a movement would take more than there was.
import { issuePacks } from '../fixtures/rfid-world.js';
import { type Actor, createWorld, expectStatus, type World } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Output = { productCode: string; quantity: number; lotNumber: string; productionDate: string };

/** A curing of a pig into packs of bacon, the output as given: the event (id and time), the input and the lot made. */
async function cured(world: World, plant: Actor, output: Output) {
  const pigs = await plant.commission(await plant.product('head'), 2);
  const body = await world.ok(plant.event({ type: 'transform', inputs: [{ lotCode: pigs, quantity: 1 }], outputs: [output] }));
  return { eventId: body.event.id as string, eventTime: body.event.eventTime as string, pigs, lot: body.createdLotCodes[0] as string };
}

/** Declares the curing (or its replacement) in error and makes its output again as given. */
const recure = (plant: Actor, making: { eventId: string; eventTime: string; pigs: string }, output: Output) =>
  plant.event({
    type: 'correction',
    correctsEventId: making.eventId,
    reason: '录入有误',
    replacement: { type: 'transform', eventTime: making.eventTime, inputs: [{ lotCode: making.pigs, quantity: 1 }], outputs: [output] },
  });

const holdersOf = async (world: World, lot: string) =>
  ((await world.ok(world.regulator.get(`/lots/${lot}`), 200)).holders as { partyCode: string; onHand: number }[])
    .map((holder) => `${holder.partyCode}:${holder.onHand}`)
    .sort();

t.test('a making is corrected though the lot was packed into the maker’s own case', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const bacon = await plant.product('piece');
  const output = { productCode: bacon, quantity: 12, lotNumber: 'LR-0612', productionDate: '2026-02-16' };
  const making = await cured(world, plant, output);
  const packs = await issuePacks(world, plant, making.lot, 12);
  const caseCode = (await world.ok(plant.event({ type: 'aggregate', parent: {}, itemCodes: packs.slice(0, 6) }))).createdLotCodes[0];
  const scan = async () => {
    const page = await world.app.inject({ method: 'GET', url: `/t/${packs[0]}`, headers: { accept: 'application/json' } });
    t.equal(page.statusCode, 200, 'a printed pack scans genuine');
    return page.json().lot;
  };
  t.equal((await scan()).productionDate, '2026-02-16', 'its page shows the date keyed');

  const corrected = expectStatus(t, await recure(plant, making, { ...output, productionDate: '2026-02-06' }), 201, 'the date corrected');
  t.same(corrected.body.createdLotCodes, [making.lot], 'the lot is made again under its code');
  const lot = await plant.lot(making.lot);
  t.equal(lot.productionDate, '2026-02-06', 'the lot carries the corrected date');
  t.equal(lot.quantity, 12);
  t.equal(lot.massBalance.produced, 12, 'made once in the books');
  t.equal(lot.massBalance.unaccounted, 0, 'the books close');
  t.same(await holdersOf(world, making.lot), [`${plant.code}:12`], 'the maker holds all of it, loose and in its case');
  expectStatus(t, await plant.event({ type: 'disaggregate', parentCode: caseCode }), 201, 'the case still holds its packs to unpack');

  const shown = await scan();
  t.equal(shown.productionDate, '2026-02-06', 'its consumer page shows the corrected date at the next scan');
  t.equal(shown.lotNumber, 'LR-0612', 'and the printed lot number');

  expectStatus(
    t,
    await recure(plant, { ...making, eventId: corrected.body.replacement.id }, { ...output, quantity: 11 }),
    409,
    'a quantity below the codes issued stays refused',
  );
  const renumbered = expectStatus(
    t,
    await recure(plant, { ...making, eventId: corrected.body.replacement.id }, { ...output, lotNumber: 'LR-0613' }),
    409,
    'so does a lot number other than the one its packs carry',
  );
  t.equal(renumbered.body.errors[0].pointer, '/replacement/outputs/0/lotNumber');
});

t.test('a quantity keyed too high is lowered to no less than what left the maker’s stock', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const bacon = await plant.product('piece');
  // keyed as 42 pieces where 24 were packed
  const output = { productCode: bacon, quantity: 42, lotNumber: 'LR-0420', productionDate: '2026-02-16' };
  const making = await cured(world, plant, output);
  const caseA = await plant.pack([{ lotCode: making.lot, quantity: 12 }]);
  const caseB = await plant.pack([{ lotCode: making.lot, quantity: 8 }]);
  const shipmentId = await plant.ship(shop, [{ lotCode: caseA }, { lotCode: caseB }]);
  await shop.receive(shipmentId);

  const tooLow = expectStatus(t, await recure(plant, making, { ...output, quantity: 18 }), 409, 'fewer than were shipped');
  t.equal(tooLow.body.errors[0].pointer, '/replacement/outputs/0/quantity', 'at the quantity');
  t.match(tooLow.body.detail, /20 piece/, 'saying how much was used');
  t.match(tooLow.body.detail, plant.code, 'and by whom');
  t.notMatch(tooLow.body.detail, /correct those events first/, 'asking for no correction of another party’s receipt');
  t.same((await plant.lot(making.lot)).quantity, 42, 'nothing of it stored');

  const corrected = expectStatus(t, await recure(plant, making, { ...output, quantity: 24 }), 201, 'lowered to 24, above the 20 shipped');
  const lot = await world.ok(world.regulator.get(`/lots/${making.lot}`), 200);
  t.equal(lot.quantity, 24);
  t.equal(lot.massBalance.produced, 24, 'made 24 in the books');
  t.equal(lot.massBalance.onHand, 24, 'all of it on hand somewhere');
  t.equal(lot.massBalance.unaccounted, 0, 'the books close');
  t.same(await holdersOf(world, making.lot), [`${plant.code}:4`, `${shop.code}:20`].sort(), 'the maker holds 4, the shop 20');
  const redated = expectStatus(
    t,
    await recure(plant, { ...making, eventId: corrected.body.replacement.id }, { ...output, quantity: 24, productionDate: '2026-02-06' }),
    201,
    'shipped to another party, then the date corrected',
  );
  t.equal((await plant.lot(making.lot)).productionDate, '2026-02-06');
  t.same(await holdersOf(world, making.lot), [`${plant.code}:4`, `${shop.code}:20`].sort(), 'the holdings stay');
  t.ok(redated.body.replacement.id, 'the replacement recorded');
  const bureau = await world.partyRegulator();
  const recall = await world.ok(bureau.post('/recalls', { lotCodes: [making.lot], level: 2, reason: '录入有误', hazard: '核查' }));
  t.match(recall.progress.byUnit, [{ unit: 'piece', affected: 24 }], 'a recall counts the 24 pieces made');
  const lineOf = (party: string) =>
    recall.holderDetails
      .find((holder: { partyCode: string }) => holder.partyCode === party)
      ?.lines.find((line: { lotCode: string }) => line.lotCode === making.lot)?.affected;
  t.same([lineOf(plant.code), lineOf(shop.code)], [4, 20], 'and each holder’s line what it holds');
});

t.test('a lowered quantity is judged over time: what the maker shipped before some came back counts', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const bacon = await plant.product('piece');
  const output = { productCode: bacon, quantity: 12, lotNumber: 'LR-R12', productionDate: '2026-02-16' };
  const making = await cured(world, plant, output);
  await world.handOver(plant, shop, making.lot, 12);
  await world.handOver(shop, plant, making.lot, 5);

  const refused = expectStatus(t, await recure(plant, making, { ...output, quantity: 7 }), 409, 'the 12 shipped at once');
  t.match(refused.body.detail, /12 piece of lot \w+ have since been packed, shipped or used/, 'names the 12 that had left at once');
  expectStatus(t, await recure(plant, making, { ...output, quantity: 12, productionDate: '2026-02-06' }), 201, 'the date alone');
  t.same(await holdersOf(world, making.lot), [`${plant.code}:5`, `${shop.code}:7`].sort());
});

t.test('a lot consumed since is made again no smaller than what was consumed', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const output = { productCode: await plant.product('kg'), quantity: 400, lotNumber: 'C-1', productionDate: '2026-02-16' };
  const making = await cured(world, plant, output);
  await plant.transform([{ lotCode: making.lot, quantity: 100 }], [{ productCode: await plant.product('kg'), quantity: 60 }]);

  expectStatus(t, await recure(plant, making, { ...output, quantity: 90 }), 409, 'below the 100 consumed');
  const corrected = expectStatus(t, await recure(plant, making, { ...output, quantity: 240 }), 201, 'above it');
  const lot = await plant.lot(making.lot);
  t.equal(lot.massBalance.produced, 240);
  t.equal(lot.massBalance.consumed, 100);
  t.same(await holdersOf(world, making.lot), [`${plant.code}:140`]);
  expectStatus(
    t,
    await plant.event({ type: 'correction', correctsEventId: corrected.body.replacement.id, reason: 'x' }),
    409,
    'a lot used downstream is still not voided',
  );
});

/** A commission of one lot as given: the event (id and time) and the lot made. */
async function commissioned(plant: Actor, lot: Record<string, unknown>) {
  const body = (await plant.event({ type: 'commission', lots: [lot] })).body;
  return { eventId: body.event.id as string, eventTime: body.event.eventTime as string, lot: body.createdLotCodes[0] as string };
}

/** Declares the commission in error and makes its lot again as given. */
const recommission = (plant: Actor, making: { eventId: string; eventTime: string }, lot: Record<string, unknown>) =>
  plant.event({
    type: 'correction',
    correctsEventId: making.eventId,
    reason: '录入有误',
    replacement: { type: 'commission', eventTime: making.eventTime, lots: [lot] },
  });

t.test('a lot others hold keeps its product, unit and lot number; its dates are corrected', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const shop = await world.party('retailer');
  const pork = await plant.product('kg');
  const keyed = { productCode: pork, quantity: 100, lotNumber: 'P-100', productionDate: '2026-02-16' };
  const making = await commissioned(plant, keyed);
  await world.handOver(plant, shop, making.lot, 50);
  const bureau = await world.partyRegulator();
  await world.ok(bureau.post('/holds', { lotCodes: [making.lot], reason: '待检' }));
  const recall = await world.ok(bureau.post('/recalls', { lotCodes: [making.lot], level: 2, reason: '抽检', hazard: '核查' }));

  const inPieces = expectStatus(
    t,
    await recommission(plant, making, { ...keyed, productCode: await plant.product('piece') }),
    409,
    'another product counted in pieces',
  );
  t.equal(inPieces.body.errors?.[0]?.pointer, '/replacement/lots/0/productCode', 'at the product');
  t.match(inPieces.body.detail, pork, 'naming the product it keeps');
  t.match(inPieces.body.detail, /kg/, 'and its unit');
  expectStatus(
    t,
    await recommission(plant, making, { ...keyed, productCode: await plant.product('kg') }),
    409,
    'another product in kg too',
  );
  const renumbered = expectStatus(t, await recommission(plant, making, { ...keyed, lotNumber: 'P-101' }), 409, 'another lot number');
  t.equal(renumbered.body.errors?.[0]?.pointer, '/replacement/lots/0/lotNumber', 'at the lot number');
  t.match(renumbered.body.detail, /P-100/, 'naming the lot number its labels carry');
  const unnumbered = { productCode: pork, quantity: 100, productionDate: '2026-02-16' };
  expectStatus(t, await recommission(plant, making, unnumbered), 409, 'nor is its lot number taken away');
  const lot = await plant.lot(making.lot);
  t.same([lot.productCode, lot.unit, lot.lotNumber], [pork, 'kg', 'P-100'], 'nothing of them stored');

  expectStatus(
    t,
    await recommission(plant, making, { ...keyed, productionDate: '2026-02-06', expiryDate: '2026-03-06' }),
    201,
    'its dates corrected',
  );
  const redated = await plant.lot(making.lot);
  t.same([redated.productionDate, redated.expiryDate], ['2026-02-06', '2026-03-06']);
  t.same([redated.productCode, redated.unit, redated.lotNumber], [pork, 'kg', 'P-100']);
  t.same(await holdersOf(world, making.lot), [`${plant.code}:50`, `${shop.code}:50`].sort(), 'the holdings stay');
  const progress = (await world.ok(bureau.get(`/recalls/${recall.id}`), 200)).progress;
  t.match(progress.byUnit, [{ unit: 'kg', affected: 100 }], 'the recall counts it in kg');
});

t.test('a lot only its maker used keeps its product and unit, and may take another lot number', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const pork = await plant.product('kg');
  const keyed = { productCode: pork, quantity: 100, lotNumber: 'P-200', productionDate: '2026-02-16' };
  const packed = await commissioned(plant, keyed);
  await plant.pack([{ lotCode: packed.lot, quantity: 10 }]);
  const consumedKeyed = { ...keyed, lotNumber: 'P-300' };
  const consumed = await commissioned(plant, consumedKeyed);
  await plant.transform([{ lotCode: consumed.lot, quantity: 10 }], [{ productCode: pork, quantity: 8 }]);
  const piece = await plant.product('piece');
  for (const [what, making, lot] of [
    ['packed into its case', packed, keyed],
    ['consumed', consumed, consumedKeyed],
  ] as const) {
    const moved = expectStatus(t, await recommission(plant, making, { ...lot, productCode: piece }), 409, `${what}: another product`);
    t.equal(moved.body.errors?.[0]?.pointer, '/replacement/lots/0/productCode');
  }
  expectStatus(t, await recommission(plant, packed, { ...keyed, lotNumber: 'P-201' }), 201, 'packed: another lot number');
  t.equal((await plant.lot(packed.lot)).lotNumber, 'P-201');
  expectStatus(t, await recommission(plant, consumed, { ...consumedKeyed, lotNumber: 'P-301' }), 201, 'consumed: another lot number');

  const unused = await commissioned(plant, { ...keyed, lotNumber: 'P-400' });
  expectStatus(t, await recommission(plant, unused, { ...keyed, productCode: piece, lotNumber: 'P-401' }), 201, 'unused: anything');
  const lot = await plant.lot(unused.lot);
  t.same([lot.productCode, lot.unit, lot.lotNumber], [piece, 'piece', 'P-401']);
});

t.test('what the maker packed into its own cases counts as taken, the packing undone since or standing', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const pork = await plant.product('kg');
  const keyed = { productCode: pork, quantity: 12, lotNumber: 'K-12', productionDate: '2026-02-16' };
  const unpacked = await commissioned(plant, keyed);
  const caseCode = await plant.pack([{ lotCode: unpacked.lot, quantity: 8 }]);
  expectStatus(t, await plant.event({ type: 'disaggregate', parentCode: caseCode }), 201, 'the case unpacked');
  const refused = expectStatus(t, await recommission(plant, unpacked, { ...keyed, quantity: 5 }), 409, 'below the 8 it had packed');
  t.equal(refused.body.errors?.[0]?.pointer, '/replacement/lots/0/quantity', 'at the quantity');
  t.match(refused.body.detail, /8 kg of lot \w+ have since been packed, shipped or used/, 'naming the 8 it had packed at once');
  t.equal((await plant.lot(unpacked.lot)).quantity, 12, 'nothing of it stored');
  expectStatus(t, await recommission(plant, unpacked, { ...keyed, quantity: 8 }), 201, 'lowered to the 8 it had packed');
  t.same(await holdersOf(world, unpacked.lot), [`${plant.code}:8`], 'all of it loose with the maker');

  const standing = await commissioned(plant, { ...keyed, lotNumber: 'K-13' });
  await plant.pack([{ lotCode: standing.lot, quantity: 8 }]);
  const below = expectStatus(
    t,
    await recommission(plant, standing, { ...keyed, lotNumber: 'K-13', quantity: 7 }),
    409,
    'below the 8 still packed',
  );
  t.equal(below.body.errors?.[0]?.pointer, '/replacement/lots/0/quantity');
  t.match(below.body.detail, /8 kg/, 'naming the 8 packed');
  expectStatus(t, await recommission(plant, standing, { ...keyed, lotNumber: 'K-13', quantity: 8 }), 201, 'lowered to the 8 packed');
  t.same(await holdersOf(world, standing.lot), [`${plant.code}:8`], 'all of it in the maker’s case');
});
