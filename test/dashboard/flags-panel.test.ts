// The dashboard's flags panel counts every open flag, a scan of a recalled or destroyed lot and brand
// misuse among them: it is titled flagged codes, as README says, and says that only a copied code's
// flags (unknown code, over-scanned, impossible travel) mark a pack suspected counterfeit.
import { createScansRepository } from '../../src/scans/repository.js';
import { signInToDashboard } from '../fixtures/dashboard.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('the flags panel is titled flagged codes, not possibly counterfeit ones', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const scans = createScansRepository(world.database.db);
  for (const [code, kind] of [
    ['COPIED', 'over_scanned'],
    ['RECALLED', 'inactive_lot'],
  ]) {
    await scans.raiseFlag({ code, kind, lotCode: null, partyCode: plant.code, detail: 'test', at: new Date() });
  }
  const { open } = await signInToDashboard(world);
  const panel = (body: string) => /<section id="flags">([\s\S]*?)<\/section>/.exec(body)?.[1] ?? '';

  const chinese = panel((await open('/regulator/dashboard')).body);
  t.match(chinese, '<h2>标记码</h2>', 'the heading');
  t.match(chinese, 'aria-label="标记码"', "the chart's name");
  t.match(chinese, '召回/销毁批次被扫', 'a scan of a recalled lot is counted there');
  t.match(chinese, '仅未登记码、扫描次数过多、异地扫描异常标记疑似仿冒', 'which flags mark a suspected counterfeit');
  t.notMatch(chinese, '疑似仿冒码');
  t.match(
    chinese,
    /<h2>最近标记<\/h2><p class="muted">以下时间均为北京时间。<\/p><ul><li>.*\d{4}-\d\d-\d\d \d\d:\d\d/,
    'the latest flags’ times said to be Beijing time',
  );

  const english = panel((await open('/regulator/dashboard?lang=en')).body);
  t.match(english, '<h2>Flagged codes</h2>');
  t.match(english, 'aria-label="Flagged codes"');
  t.match(english, 'Recalled/destroyed lot scanned');
  t.match(english, 'Only unknown, over-scanned and impossible-travel codes are suspected counterfeits');
  t.notMatch(english, 'Possibly counterfeit');
  t.match(english, '<h2>Latest flags</h2><p class="muted">Times below are Beijing time (UTC+8).</p><ul>', 'in English with the offset');
});
