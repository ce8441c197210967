import { captured, EPCIS_CONTEXT, epcisDocument } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test("a reading's time is held to the event time's rule: never in the future", async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const lot = await farm.commission(await farm.product('head'), 5);
  const reading = (time: string) => ({ type: 'temperature', value: 3.5, unit: 'Cel', time });
  const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString().replace('Z', '+00:00');

  const future = expectStatus(
    t,
    await farm.event({ type: 'observe', lotCodes: [lot], readings: [reading(inHours(-1)), reading(inHours(24 * 365))] }),
    422,
    'a reading a year ahead',
  );
  t.same(
    future.body.errors.map((error: { pointer: string }) => error.pointer),
    ['/readings/1/time'],
  );
  expectStatus(
    t,
    await farm.event({ type: 'observe', lotCodes: [lot], readings: [{ type: 'humidity', value: 80, unit: 'P1', time: inHours(1) }] }),
    422,
    'a humidity reading an hour ahead',
  );

  // the same tolerance for device clocks as an event time: a minute ahead is not the future
  expectStatus(
    t,
    await farm.event({ type: 'observe', lotCodes: [lot], readings: [reading(inHours(1 / 60)), reading(inHours(-2))] }),
    201,
    'readings a minute ahead and two hours ago',
  );
  expectStatus(
    t,
    await farm.event({ type: 'observe', lotCodes: [lot], readings: [{ type: 'temperature', value: 2, unit: 'Cel' }] }),
    201,
    'a reading without a time',
  );

  // a correction's replacement is checked as well, at its own pointer
  const observed = expectStatus(
    t,
    await farm.event({ type: 'observe', lotCodes: [lot], readings: [reading(inHours(-3))] }),
    201,
    'observed',
  );
  const corrected = expectStatus(
    t,
    await farm.event({
      type: 'correction',
      correctsEventId: observed.body.event.id,
      reason: 'wrong logger clock',
      replacement: { type: 'observe', eventTime: inHours(-3), lotCodes: [lot], readings: [reading(inHours(48))] },
    }),
    422,
    "a correction's future reading",
  );
  t.same(
    corrected.body.errors.map((error: { pointer: string }) => error.pointer),
    ['/replacement/readings/0/time'],
  );
});

t.test('an EPCIS sensor time is held to the same rule when captured: never in the future', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString().replace('Z', '+00:00');
  const report = (time: string) => ({ type: 'Temperature', value: 3.5, uom: 'CEL', time });
  let serial = 0;
  const observed = (sensorElementList: object[]) => ({
    '@context': EPCIS_CONTEXT,
    type: 'ObjectEvent',
    eventTime: inHours(-2),
    eventTimeZoneOffset: '+00:00',
    action: 'OBSERVE',
    epcList: [`https://id.gs1.org/01/06901234000030/21/${++serial}`],
    sensorElementList,
  });
  const single = (event: object) =>
    world.app.inject({ method: 'POST', url: '/epcis/events', payload: event, headers: { authorization: `Bearer ${plant.key}` } });

  const cases: [string, object[], string][] = [
    [
      'a report a day ahead',
      [{ sensorReport: [report(inHours(-1))] }, { sensorReport: [report(inHours(-1)), report(inHours(24))] }],
      '/sensorElementList/1/sensorReport/1/time',
    ],
    [
      'a metadata time an hour ahead',
      [{ sensorMetadata: { time: inHours(1) }, sensorReport: [report(inHours(-1))] }],
      '/sensorElementList/0/sensorMetadata/time',
    ],
    [
      'a period ending a year ahead',
      [
        {
          sensorMetadata: { startTime: inHours(-3), endTime: inHours(24 * 365) },
          sensorReport: [{ type: 'Temperature', value: 2, uom: 'CEL' }],
        },
      ],
      '/sensorElementList/0/sensorMetadata/endTime',
    ],
  ];
  for (const [what, sensors, pointer] of cases) {
    const refused = await single(observed(sensors));
    t.equal(refused.statusCode, 422, `POST /epcis/events: ${what}`);
    t.match(refused.json(), { type: /future-reading-time$/, errors: [{ pointer }] }, `named at ${pointer}`);
    t.equal(refused.json().errors.length, 1);
    const { job } = await captured(
      world,
      plant.key,
      epcisDocument([observed([{ sensorReport: [report(inHours(-1))] }]), observed(sensors)]),
    );
    t.match(job, { success: false, captured: 0, errors: [{ eventIndex: 1, message: /in the future/ }] }, `a capture job: ${what}`);
    // the field as a message names it: /a/1/b → a[1].b
    const field = pointer
      .slice(1)
      .replace(/\/(\d+)/g, '[$1]')
      .replaceAll('/', '.');
    t.ok(job.errors[0].message.startsWith(`event 1: ${field} `), `its message names ${field}`);
  }

  // the tolerance for device clocks is the event time's: a minute ahead is not the future
  const accepted = await single(
    observed([
      { sensorMetadata: { time: inHours(1 / 60), endTime: inHours(1 / 60) }, sensorReport: [report(inHours(1 / 60)), report(inHours(-5))] },
    ]),
  );
  t.equal(accepted.statusCode, 201, 'sensor times a minute ahead and hours ago');
});
