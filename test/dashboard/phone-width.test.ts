// The dashboard on a phone (360 px wide): its panels fall to one column no wider than the screen and
// its charts scale down to it, so the page never lays out wider than the viewport.
import { signInToDashboard } from '../fixtures/dashboard.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** The declarations of the first rule for `selector` in the page's inline styles. */
const rule = (body: string, selector: string) => {
  const style = /<style>([\s\S]*?)<\/style>/.exec(body)?.[1] ?? '';
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[}\\n])${escaped}\\{([^}]*)\\}`).exec(style)?.[1] ?? '';
};

t.test('the dashboard fits a phone: no panel column wider than the screen, charts scaled to their panel', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('slaughterhouse');
  const lot = await plant.commission(await plant.product('kg'), 10);
  await world.ok(plant.api.post('/recalls', { lotCodes: [lot], level: 3, reason: '标签错误', hazard: '过敏原未标注' }));
  const { open } = await signInToDashboard(world);

  for (const url of ['/regulator/dashboard', '/regulator/dashboard/recalls']) {
    const page = await open(url);
    t.equal(page.statusCode, 200, url);
    const panels = rule(page.body, '.panels');
    t.match(panels, 'grid-template-columns:repeat(auto-fit,minmax(min(480px,100%),1fr))', `${url}: a column is at most the width there is`);
    const chart = rule(page.body, '.chart');
    t.match(chart, /(?:^|;)width:100%(?:;|$)/, `${url}: a chart takes its panel's width`);
    t.match(chart, /(?:^|;)height:auto(?:;|$)/, `${url}: and keeps its proportions`);
    const svgs = page.body.match(/<svg class="chart"[^>]*>/g) ?? [];
    t.ok(svgs.length > 0, `${url}: charts drawn`);
    for (const svg of svgs) t.match(svg, /viewBox="0 0 \d+ \d+"/, `${url}: each chart scales by its viewBox`);
  }
});
