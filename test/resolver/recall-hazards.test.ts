// A shopper told a pack is recalled is told why: the hazard each recall that reached it wrote, on the
// Chinese and English page and in the JSON, escaped, each once; never the recall's reason, which may be internal.
import { TEXT } from '../../src/web/i18n/index.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld } from '../fixtures/world.js';
import { phoneAddress } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const HAZARD = '<script>alert(1)</script>沙门氏菌超标，食用可能引起腹泻、发热';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;沙门氏菌超标，食用可能引起腹泻、发热';
/** A hazard's line under the banner, as escaped: on the English page its Chinese is marked as such. */
const hazardLine = (lang: 'zh-CN' | 'en', escaped: string) =>
  lang === 'en' ? `Hazard: <span lang="zh-CN">${escaped}</span>` : `危害：${escaped}`;
const REASON = '内部：供应商王某的冷库温控失效';
const OTHER_HAZARD = '标签未标示过敏原（大豆），过敏者食用可能出现过敏反应';
const CASE_HAZARD = '外箱破损受潮，内装产品可能霉变';

t.test('a recalled pack shows the hazard of each recall that reached it, escaped, and never a reason', async (t) => {
  let clock = Date.now();
  const world = await createWorld(t, undefined, { now: () => new Date(clock) });
  const processor = await world.party('processor');
  const product = await processor.product('piece');
  const [recalledLot, otherLot] = [await processor.commission(product, 10), await processor.commission(product, 10)];
  const [recalledPack] = await issuePacks(world, processor, recalledLot, 1);
  const [casedPack, loosePack] = await issuePacks(world, processor, otherLot, 2);
  let phones = 0;
  const get = (code: string, query: string, accept = 'text/html') =>
    world.app.inject({
      method: 'GET',
      url: `/t/${code}?${query}`,
      remoteAddress: phoneAddress(++phones),
      headers: { accept, 'user-agent': `phone ${phones}` },
    });
  const json = async (code: string) => (await get(code, 'format=json', 'application/json')).json();
  const recall = (lotCodes: string[], hazard: string) =>
    world.ok(processor.api.post('/recalls', { lotCodes, level: 2, reason: REASON, hazard }));

  const before = (await get(recalledPack, 'lang=zh-CN')).body;
  t.notMatch(before, 'class="hazard"', 'nothing recalled: no hazard');
  t.strictSame((await json(recalledPack)).recallHazards, [], 'nor in the JSON');

  await recall([recalledLot], HAZARD);
  for (const lang of ['zh-CN', 'en'] as const) {
    const page = (await get(recalledPack, `lang=${lang}`)).body;
    const text = TEXT[lang];
    t.match(
      page,
      `<div class="alert stop" role="alert">${text.banners.recalled}<p class="hazard">${hazardLine(lang, ESCAPED)}</p><p>${text.bannerHint}</p></div>`,
      `${lang}: the hazard under the recall banner, escaped`,
    );
    t.notMatch(page, '<script>', `${lang}: no markup of the hazard's`);
    t.notMatch(page, REASON, `${lang}: never the reason`);
  }
  const summary = await json(recalledPack);
  t.strictSame(summary.warnings, ['recalled']);
  t.strictSame(summary.recallHazards, [HAZARD], 'the JSON: the hazard as written');
  t.notMatch(JSON.stringify(summary), REASON, 'the JSON: never the reason');

  // two more recalls reach the lot (each reaching a lot no open recall does, or it would be refused), one with the
  // first one's hazard: each hazard once, in the order the recalls opened, on the very next scan (the lot's status
  // says recalled throughout: the page is not kept under a key a further recall leaves as it was)
  // each a second after the one before: recalls opened at one instant have no order to show them in
  clock += 1_000;
  await recall([recalledLot, await processor.commission(product, 1)], OTHER_HAZARD);
  t.strictSame((await json(recalledPack)).recallHazards, [HAZARD, OTHER_HAZARD], 'a further recall shows at once');
  clock += 1_000;
  await recall([recalledLot, await processor.commission(product, 1)], HAZARD);
  t.strictSame((await json(recalledPack)).recallHazards, [HAZARD, OTHER_HAZARD], 'each hazard once');
  const page = (await get(recalledPack, 'lang=zh-CN')).body;
  t.equal(page.match(/class="hazard"/g)?.length, 2, 'the page: each hazard once');
  t.ok(page.indexOf(ESCAPED) < page.indexOf(OTHER_HAZARD), 'in the order the recalls opened');

  // a recall naming a case takes back all it holds, the lot of the pack in it too: its hazard once on each of the lot's packs
  const packedCase = (await world.ok(processor.event({ type: 'aggregate', parent: {}, itemCodes: [casedPack] }))).createdLotCodes[0];
  await recall([packedCase], CASE_HAZARD);
  for (const pack of [casedPack, loosePack]) {
    const recalled = await json(pack);
    t.strictSame([recalled.warnings, recalled.recallHazards], [['recalled'], [CASE_HAZARD]], 'the JSON: the hazard once');
    const page = (await get(pack, 'lang=en')).body;
    t.equal(page.match(/class="hazard"/g)?.length, 1, 'the page: once');
    t.match(page, `<p class="hazard">${hazardLine('en', CASE_HAZARD)}</p>`);
  }
});
