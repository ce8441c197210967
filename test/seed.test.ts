// `npm run seed` (scripts/seed.ts) on the service's database: the first run loads the demo chain,
// a run on the same data says it is there already and loads nothing more.
import { demoCalendar } from '../seeds/fengjie.js';
import { serviceStorage, spawnProcess } from './fixtures/service-process.js';
import { fileTest } from './root.js';

const t = fileTest();
// two script processes, each compiling and opening the database
t.setTimeout(300_000);

t.test('a second seed of the same data says the demo chain is already present', async (t) => {
  const storage = await serviceStorage(t);
  const started = new Date();
  const first = spawnProcess(t, ['scripts/seed.ts'], storage.env);
  t.same(await first.exited, { code: 0, signal: null }, 'the first run succeeds', { output: first.output() });
  // the retail lot is numbered by the day it was packed, 16 days before the load (a day may turn meanwhile)
  const packedOn = [started, new Date()].map((time) => `KZ-LR-${demoCalendar(time).compact(16)}-500G`);
  const loaded = /^demo chain loaded; retail lot \S+ \((\S+)\)$/m.exec(first.output());
  t.ok(loaded && packedOn.includes(loaded[1]), 'the first run loads it', { output: first.output(), packedOn });

  const second = spawnProcess(t, ['scripts/seed.ts'], storage.env);
  t.same(await second.exited, { code: 0, signal: null }, 'the second run succeeds', { output: second.output() });
  t.match(second.output(), /^demo chain already present$/m, 'the second run says it is there');
  t.notMatch(second.output(), /demo chain loaded/, 'and does not claim to have loaded it');
});
