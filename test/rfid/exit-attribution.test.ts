// An exit gate counts a loose pack in the shipment it leaves on: of its lot's open shipments that may
// leave through the gate (shipped from the gate's location, or from no location named), the one it
// alone fits, else the one the gate matched by other tags read in the same pass (a pallet's tag);
// still ambiguous, it is flagged, not counted in the first shipped. The receiver's entry gate then
// receives that shipment with it, and a pack whose shipment has no open loose line of its lot counts
// towards no other shipment's.
import { exitAndEntryGates } from '../fixtures/rfid-world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('an exit gate counts each loose pack in the shipment it leaves on', async (t) => {
  const { world, tag, drain, maker, store, makerReader, dock, storeReader, door, post, packedLot, outcomes, received } =
    await exitAndEntryGates(t);
  /** A lot of 10 kg whose pallet carries the tag `n` (a lot tag: it stands for the whole lot). */
  const palletLot = async (n: number) => {
    const lot = await maker.commission(await maker.product('kg'), 10);
    await world.ok(maker.api.post('/rfid/tags', { tags: [{ epc: tag(n), code: lot }] }));
    return lot;
  };
  const ship = async (lines: { lotCode: string; quantity?: number }[], fromLocationCode?: string): Promise<string> =>
    (await world.ok(maker.event({ type: 'ship', toPartyCode: store.code, lines, ...(fromLocationCode ? { fromLocationCode } : {}) })))
      .shipmentId;

  await t.test('SA shipped by API and never read leaving; SB’s packs read with SB’s pallet leave in SB, and receive it', async (t) => {
    const lot = await packedLot(100, 4);
    const pallet = await palletLot(900);
    const sa = await ship([{ lotCode: lot, quantity: 2 }]);
    const sb = await ship([
      { lotCode: lot, quantity: 2 },
      { lotCode: pallet, quantity: 10 },
    ]);
    await post(makerReader, [102, 103, 900], 1);
    await drain();
    t.same(
      await outcomes(maker, dock.readPointId, [102, 103, 900]),
      [[['departed', sb]], [['departed', sb]], [['departed', sb]]],
      'the pallet read with them says which shipment leaves',
    );

    await post(storeReader, [102, 103, 900], 10);
    await drain();
    t.same(await outcomes(store, door.readPointId, [102, 103]), [[['received', sb]], [['received', sb]]]);
    t.same(await received(sb), [2, 10], 'SB is received with its own packs');
    t.same(await received(sa), [null], 'SA stays in transit');
  });

  await t.test('a shipment from another of the sender’s sites does not leave through this gate', async (t) => {
    const lot = await packedLot(200, 4);
    const elsewhere = await maker.location('warehouse');
    const sa = await ship([{ lotCode: lot, quantity: 2 }], elsewhere);
    const sb = await ship([{ lotCode: lot, quantity: 2 }], dock.locationCode);
    await post(makerReader, [202, 203], 1);
    await drain();
    t.same(await outcomes(maker, dock.readPointId, [202, 203]), [[['departed', sb]], [['departed', sb]]]);

    await post(storeReader, [202, 203], 10);
    await drain();
    t.same(await received(sb), [2], 'SB is received with its own packs');
    t.same(await received(sa), [null], 'SA stays in transit');
  });

  await t.test('packs that fit two open shipments alike, nothing read with them saying which, are flagged', async (t) => {
    const lot = await packedLot(300, 4);
    const sa = await ship([{ lotCode: lot, quantity: 2 }]);
    const sb = await ship([{ lotCode: lot, quantity: 2 }]);
    await post(makerReader, [302, 303], 1);
    await drain();
    const detail = `may have left in shipment ${sa} or ${sb} of lot ${lot}: no tag read with it says which`;
    t.same(await outcomes(maker, dock.readPointId, [302, 303]), [[['ambiguous_departure', detail]], [['ambiguous_departure', detail]]]);
  });

  await t.test('a pack whose own shipment has no open loose line of its lot counts towards no other shipment', async (t) => {
    const lot = await packedLot(400, 4);
    const pallet = await palletLot(902);
    const sa = await ship([{ lotCode: lot, quantity: 2 }]);
    const sb = await ship([
      { lotCode: lot, quantity: 2 },
      { lotCode: pallet, quantity: 10 },
    ]);
    await post(makerReader, [402, 403, 902], 1);
    await drain();
    t.same(await outcomes(maker, dock.readPointId, [402, 403]), [[['departed', sb]], [['departed', sb]]]);
    // the receiver takes SB's loose line by hand; the pallet is still on its way
    await world.ok(store.event({ type: 'receive', shipmentId: sb, partial: true, lines: [{ lotCode: lot, quantity: 2 }] }));

    await post(storeReader, [402, 403], 10);
    await drain();
    t.same(
      (await outcomes(store, door.readPointId, [402, 403])).map((rows) => rows.map(([outcome]) => outcome)),
      [['observed'], ['observed']],
      'observed, not counted towards SA',
    );
    t.same(await received(sa), [null], 'SA stays in transit');
    t.same(await received(sb), [2, null]);
  });
});
