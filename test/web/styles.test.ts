// The pages' shared styles: print a phone's reader can read, the anti-phishing footer among it.
import { CSS } from '../../src/web/styles.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** The declarations of a rule, by its selector as written. */
const ruleOf = (selector: string) => new RegExp(`(?:^|})${selector.replace(/[.*]/g, '\\$&')}\\{([^}]*)\\}`, 'm').exec(CSS)?.[1] ?? '';

/** WCAG 2 relative luminance of a #rrggbb or #rgb colour. */
function luminance(hex: string): number {
  const digits = hex.length === 4 ? [...hex.slice(1)].map((d) => d + d).join('') : hex.slice(1);
  const [r, g, b] = [0, 2, 4].map((at) => {
    const channel = Number.parseInt(digits.slice(at, at + 2), 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const contrast = (a: string, b: string) => {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
};
const colourOf = (declarations: string, property: string) =>
  new RegExp(`(?:^|;)${property}:(#[0-9a-f]{3,6})`).exec(declarations)?.[1] ?? '';

t.test('no print smaller than 0.9rem: stage chips, badges, the footer and the header among it', async (t) => {
  const sizes = [...CSS.matchAll(/font-size:([\d.]+)(rem|px)/g)].map(([, size, unit]) => Number(size) / (unit === 'px' ? 16 : 1));
  t.ok(sizes.length > 5, 'sizes read');
  t.same(
    sizes.filter((size) => size < 0.9),
    [],
    'each at least 0.9rem',
  );
  for (const selector of ['.badge', '.stage', 'footer']) t.match(ruleOf(selector), /font-size:(0?\.9|1)rem/, `${selector}: 0.9rem`);
});

t.test('the footer, which carries the anti-phishing warning, has the contrast of body text', async (t) => {
  const page = colourOf(ruleOf('body'), 'background');
  const footer = colourOf(ruleOf('footer'), 'color');
  t.equal(page, '#f4f4f2', 'the page’s background read');
  t.ok(contrast(footer, page) >= 4.5, `${footer} on ${page}: ${contrast(footer, page).toFixed(2)}:1`);
  t.ok(contrast(colourOf(ruleOf('.muted'), 'color'), '#ffffff') >= 4.5, 'small muted text on a white section too');
});
