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
