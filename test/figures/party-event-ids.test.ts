// Figures name events by their eventIDs: an event kept under its party's key (another party held
// its eventID first) shows the eventID in yields, anomalies and the key data elements, and a
// streamed export still reads each of two parties' lines under one eventID exactly once.
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'];
const SHARED = 'urn:uuid:5b0c9d1e-0000-4000-8000-0000000000f1';
const MADE = 'urn:uuid:5b0c9d1e-0000-4000-8000-0000000000f2';
const PERIOD = 'from=2026-02-01&to=2026-03-31&region=500236';
const failed = (serial: number, eventID: string) => ({
  '@context': CONTEXT,
  type: 'ObjectEvent',
  eventID,
  eventTime: '2026-03-01T08:00:00+08:00',
  eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE',
  bizStep: 'inspecting',
  disposition: 'non_conformant',
  epcList: [`https://id.gs1.org/01/06901234000047/21/${serial}`],
});

t.test('events kept under their party’s key show their eventIDs in the figures', async (t) => {
  const world = await createWorld(t, undefined, { exportPageSize: 1 });
  const farm = await world.party('farm');
  const plant = await world.party('slaughterhouse');
  const keys = [farm, plant].map((party) => `|${party.code}`);
  for (const [party, serial] of [
    [farm, 1],
    [plant, 2],
  ] as const) {
    expectStatus(t, await party.api.post('/epcis/events', failed(serial, SHARED)), 201, 'a failed inspection under the shared eventID');
  }
  expectStatus(t, await farm.api.post('/epcis/events', { ...failed(3, MADE), disposition: undefined }), 201, 'the farm holds MADE first');
  const input = 'https://id.gs1.org/01/06901234000016/10/FIG-IN';
  const output = 'https://id.gs1.org/01/06901234000023/10/FIG-OUT';
  const commissioned = {
    ...failed(0, 'urn:uuid:5b0c9d1e-0000-4000-8000-0000000000f3'),
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: undefined,
    epcList: undefined,
    quantityList: [{ epcClass: input, quantity: 100, uom: 'KGM' }],
  };
  expectStatus(t, await plant.api.post('/epcis/events', commissioned), 201, 'the plant commissions a lot');
  expectStatus(
    t,
    await plant.api.post('/epcis/events', {
      '@context': CONTEXT,
      type: 'TransformationEvent',
      eventID: MADE,
      eventTime: '2026-03-02T08:00:00+08:00',
      eventTimeZoneOffset: '+08:00',
      inputQuantityList: [{ epcClass: input, quantity: 100, uom: 'KGM' }],
      outputQuantityList: [{ epcClass: output, quantity: 120, uom: 'KGM' }],
      bizStep: 'urn:county-trace:bizstep:slaughter',
    }),
    201,
    'and transforms it under MADE, into more than went in',
  );
  const lotOf = async (uri: string) => (await plant.api.get(`/trace/${encodeURIComponent(uri)}`)).body.query.lotCodes[0] as string;
  const [inputLot, outputLot] = [await lotOf(input), await lotOf(output)];

  const made = await world.regulator.get(`/lots/${outputLot}/balance-sheet`);
  expectStatus(t, made, 200, 'the balance sheet of the lot made');
  t.equal(made.body.madeBy?.eventId, MADE, 'made by the eventID');
  const used = await plant.api.get(`/lots/${inputLot}/balance-sheet`);
  expectStatus(t, used, 200, 'the balance sheet of the lot used');
  t.same(
    used.body.usedIn.map((row: { eventId: string; yield: { eventId: string } }) => [row.eventId, row.yield.eventId]),
    [[MADE, MADE]],
    'used in the eventID',
  );
  const gaps = await world.regulator.get('/regulator/mass-balance/gaps');
  expectStatus(t, gaps, 200, 'the lots whose books do not close');
  t.same(
    gaps.body.items
      .filter((row: { lotCode: string }) => row.lotCode === outputLot)
      .map((row: { madeByEventId: string }) => row.madeByEventId),
    [MADE],
    'the lot made beyond the allowance, by the eventID',
  );
  const anomalies = await world.regulator.get('/regulator/anomalies');
  expectStatus(t, anomalies, 200, 'anomalies');
  t.same(
    anomalies.body.failedInspectionsWithoutHold
      .map((row: { eventId: string; inspectedBy: string }) => [row.eventId, row.inspectedBy])
      .sort(),
    [
      [SHARED, farm.code],
      [SHARED, plant.code],
    ].sort(),
    'each party’s failed inspection, by the eventID',
  );

  const json = await world.regulator.get(`/regulator/events?${PERIOD}&limit=1000`);
  expectStatus(t, json, 200, 'the key data elements as JSON');
  const lines = json.body.items.map(
    (row: { eventId: string; role: string; lotCode: string }) => `${row.eventId} ${row.role} ${row.lotCode}`,
  );
  t.equal(lines.filter((line: string) => line.startsWith(`${SHARED} `)).length, 2, 'both parties’ inspections, by the eventID');
  t.equal(lines.filter((line: string) => line.startsWith(`${MADE} `)).length, 3, 'the transformation’s lines, by the eventID');
  for (const key of keys) t.notMatch(JSON.stringify(json.body), key, 'and no key');
  for (const sort of ['time', 'lot', 'product', 'type']) {
    const csv = await world.regulator.get(`/regulator/events?${PERIOD}&sort=${sort}`, { accept: 'text/csv' });
    expectStatus(t, csv, 200, `sort=${sort}: streamed a line a page`);
    const rows = csv.body
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .slice(1, -1);
    t.equal(rows.length, lines.length, 'every line');
    t.equal(new Set(rows).size, rows.length, 'each once');
    for (const id of [SHARED, MADE]) {
      t.equal(
        rows.filter((row: string) => row.includes(id)).length,
        lines.filter((line: string) => line.startsWith(`${id} `)).length,
        'each line of an eventID two parties hold',
      );
    }
    for (const key of keys) t.notMatch(csv.body, key, 'and no key');
  }
});
