// A logger's temperature logs on the consumer's timeline: fifty readings in one cold store are one
// stay there, one step with its count and range, until anything else happens to the lot.
import { TEXT } from '../../src/web/i18n/index.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Step = { action: string; time: string; temperatures?: { readings: number; minCelsius: number; maxCelsius: number } };

t.test('five temperature logs in a row are one step; a shipment between two logs makes them two', async (t) => {
  let clock = Date.now();
  const world = await createWorld(t, undefined, { now: () => new Date(clock) });
  const processor = await world.party('processor');
  const store = await world.party('cold_storage');
  const lot = await processor.commission(await processor.product('piece'), 10);
  const [pack] = await issuePacks(world, processor, lot, 1);
  const log = (value: number) =>
    world.ok(processor.event({ type: 'observe', lotCodes: [lot], readings: [{ type: 'temperature', value, unit: 'Cel' }] }));
  for (const value of [3, 2.5, 4, 3.5, 2]) await log(value);
  const logs = async () =>
    ((await world.app.inject({ method: 'GET', url: `/t/${pack}?format=json` })).json().timeline as Step[]).filter(
      (step) => step.action === 'observe',
    );
  t.match(await logs(), [{ temperatures: { readings: 5, minCelsius: 2, maxCelsius: 4 } }], 'one step of five readings');
  t.equal((await logs()).length, 1);
  for (const lang of ['zh-CN', 'en'] as const) {
    const page = (await world.app.inject({ method: 'GET', url: `/t/${pack}?lang=${lang}` })).body;
    t.equal(page.split(TEXT[lang].actions.observe).length - 1, 1, `${lang}: one temperature step`);
    t.match(page, TEXT[lang].temperatureLog(5, '2.0', '4.0'), `${lang}: five readings and their range`);
  }

  await processor.ship(store, [{ lotCode: lot, quantity: 1 }]);
  await log(6);
  clock += 31_000; // the lot's chain is read again once its cached view expires
  t.match(
    await logs(),
    [{ temperatures: { readings: 5 } }, { temperatures: { readings: 1, minCelsius: 6, maxCelsius: 6 } }],
    'a log after the shipment: a step of its own',
  );
  t.equal((await logs()).length, 2);
});
