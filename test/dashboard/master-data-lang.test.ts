// On the dashboard's English pages, master data in Chinese (party, place and test item names) is marked
// lang="zh-CN", as on the consumer page, so a screen reader and the browser's font read it as Chinese.
import { signInToDashboard } from '../fixtures/dashboard.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a Chinese name on the English dashboard is marked zh-CN, a Latin name is not', async (t) => {
  const world = await createWorld(t);
  for (const name of ['奉节屠宰厂', 'Fengjie Co.']) {
    const plant = await world.party('slaughterhouse', name);
    const lot = await plant.commission(await plant.product('kg'), 100);
    await world.ok(plant.event({ type: 'sell', lines: [{ lotCode: lot, quantity: 10 }] }));
    await world.ok(
      plant.event({
        type: 'inspect',
        lotCodes: [lot],
        inspection: { kind: 'rapid', result: 'pass', items: [{ name: '瘦肉精', result: 'pass' }] },
      }),
    );
  }
  const { open } = await signInToDashboard(world);
  const english = (await open('/regulator/dashboard?lang=en')).body;
  /** The element around a name as the page draws it: its tag and attributes. */
  const around = (page: string, name: string) =>
    new RegExp(`<([a-z]+)([^>]*)>(?:<title>${name.replace('.', '\\.')}</title>)?${name.replace('.', '\\.')}</\\1>`).exec(page);
  t.match(around(english, '奉节屠宰厂')?.[2], / lang="zh-CN"$/, 'a Chinese party name');
  t.match(around(english, '瘦肉精')?.[2], / lang="zh-CN"$/, 'a test item');
  t.match(english, /<tspan lang="zh-CN"><title>重庆市奉节县<\/title>/, 'a place');
  t.notMatch(around(english, 'Fengjie Co.')?.[2], 'lang=', 'a Latin party name is the page’s language');
  t.notMatch(english.slice(english.indexOf('</header>')), /lang="zh-CN">[^<]*[A-Za-z]{3}/, 'no English text marked Chinese');

  // the parties' addresses name no township: they count under the county, said in the page's words
  t.match(
    english,
    '<tspan lang="zh-CN"><title>重庆市奉节县</title>重庆市奉节县</tspan> (no townshi…</text>',
    'a county by its name, marked, and the English words after it',
  );
  t.match(english, '<title>(no township named): ', 'said whole in the bar’s tooltip');
  t.notMatch(english, '未注明乡镇', 'not in Chinese');

  const chinese = (await open('/regulator/dashboard')).body;
  t.match(chinese, '<title>重庆市奉节县（未注明乡镇）: ', 'the Chinese page says it in Chinese');
  t.notMatch(chinese, 'no township', 'and not in English');
  t.ok(around(chinese, '奉节屠宰厂'), 'the Chinese page names the party too');
  t.notMatch(chinese.slice(chinese.indexOf('</header>')), 'lang="zh-CN"', 'and marks nothing: the page is Chinese');
});
