import { createRepositories } from '../../src/app.js';
import { type Label, labelSheetSvg } from '../../src/items/labels.js';
import { createItemService } from '../../src/items/service.js';
import { createWorld } from '../fixtures/world.js';
import { TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const unescapeXml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

type Cell = {
  x: number;
  y: number;
  width: number;
  height: number;
  qr: { y: number; size: number; module: number };
  texts: Record<string, { y: number; text: string; fitted: boolean }>;
};
/** Each label's cell on the sheet: its box, the QR's extent and its named lines of text. */
function cells(svg: string): Cell[] {
  return [...svg.matchAll(/<g transform="translate\(([\d.]+) ([\d.]+)\)">(.*?)<\/g>/g)].map((m) => {
    const [, width, height] = m[3].match(/<rect width="([\d.]+)" height="([\d.]+)"/)!.map(Number);
    const [, qrY, scale] = m[3].match(/<path transform="translate\([\d.]+ ([\d.]+)\) scale\(([\d.]+)\)"/)!.map(Number);
    const modules = Math.max(...[...m[3].matchAll(/M(\d+) (\d+)h1/g)].flatMap((move) => [Number(move[1]), Number(move[2])])) + 1 + 4;
    const texts = Object.fromEntries(
      [...m[3].matchAll(/<text x="[\d.]+" y="([\d.]+)" font-size="[\d.]+" text-anchor="middle" class="(\w+)"([^>]*)>([^<]*)<\/text>/g)].map(
        (text) => [text[2], { y: Number(text[1]), text: unescapeXml(text[4]), fitted: text[3].includes('textLength=') }],
      ),
    );
    return { x: Number(m[1]), y: Number(m[2]), width, height, qr: { y: qrY, size: modules * scale, module: scale }, texts };
  });
}

const LABEL: Label = {
  code: 'K7QM2XR9P4D',
  url: `${TEST_BASE_URL}/t/K7QM2XR9P4D`,
  productName: '奉上好品·奉节腊肉 500g',
  lotNumber: 'KZ-LR-20261028-500G',
  productionDate: '2026-10-28',
};

t.test('a label carries the QR, the code, the product, the lot number and the production date', async (t) => {
  const sheet = cells(labelSheetSvg([LABEL, { ...LABEL, code: 'M3TW8KQ2R5X', url: `${TEST_BASE_URL}/t/M3TW8KQ2R5X` }]));
  t.equal(sheet.length, 2);
  const [first, second] = sheet;
  t.equal(first.texts.code.text, 'K7QM2XR9P4D');
  t.equal(second.texts.code.text, 'M3TW8KQ2R5X');
  t.equal(first.texts.product.text, '奉上好品·奉节腊肉 500g');
  t.equal(first.texts.lot.text, '批号 KZ-LR-20261028-500G');
  t.equal(first.texts.date.text, '生产日期 2026-10-28');
  for (const cell of sheet) {
    const lines = [cell.texts.code, cell.texts.product, cell.texts.lot, cell.texts.date];
    t.ok(
      cell.texts.code.y - 3.4 >= cell.qr.y + cell.qr.size - 4 * cell.qr.module,
      'the text starts below the QR symbol (in its quiet zone at most)',
    );
    t.ok(
      lines.every((line, i) => i === 0 || line.y > lines[i - 1].y),
      'code, product, lot, date from top to bottom',
    );
    t.ok(cell.texts.date.y + 0.6 <= cell.height, `all inside the label (${cell.texts.date.y} of ${cell.height} mm)`);
  }
  t.ok(first.qr.size >= 20, `the QR is ${first.qr.size.toFixed(1)} mm, big enough to scan`);
});

t.test('a long lot number is squeezed to fit, never cut; missing facts leave their lines out', async (t) => {
  const long = 'KZ-LR-20261028-500G-VACUUM-PACKED-A';
  const [cell] = cells(labelSheetSvg([{ ...LABEL, lotNumber: long }]));
  t.equal(cell.texts.lot.text, `批号 ${long}`);
  t.ok(cell.texts.lot.fitted, 'drawn with textLength within the label');
  t.notOk(cells(labelSheetSvg([LABEL]))[0].texts.code.fitted, 'short lines are drawn as they are');

  const [bare] = cells(labelSheetSvg([{ ...LABEL, lotNumber: null, productionDate: null }]));
  t.strictSame(Object.keys(bare.texts), ['code', 'product']);
  const hostile = labelSheetSvg([{ ...LABEL, lotNumber: '<A&B>' }]);
  t.match(hostile, '批号 &lt;A&amp;B&gt;');
  t.notMatch(hostile, '<A&B>');
});

t.test('characters XML cannot carry are left out of a label, so the sheet stays well-formed', async (t) => {
  // a product name pasted from Word (its line break is U+000B), a lot number from a terminal
  const sheet = labelSheetSvg([{ ...LABEL, productName: '奉节腊肉\u000b500g', lotNumber: 'KZ\u001b[0m-26\uffff' }]);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  t.notMatch(sheet, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/, 'only characters XML 1.0 allows');
  const [cell] = cells(sheet);
  t.equal(cell.texts.product.text, '奉节腊肉500g');
  t.equal(cell.texts.lot.text, '批号 KZ[0m-26');
});

t.test('a long product name is cut after 24 characters, never inside one', async (t) => {
  // an emoji or a CJK Extension B character is two UTF-16 units; a family emoji is several code points
  for (const [name, shown] of [
    [`${'腊'.repeat(23)}🐖猪肉`, `${'腊'.repeat(23)}🐖`],
    [`${'腊'.repeat(23)}𠀾猪肉`, `${'腊'.repeat(23)}𠀾`],
    [`${'腊'.repeat(23)}👨‍👩‍👧猪肉`, `${'腊'.repeat(23)}👨‍👩‍👧`],
    [`${'腊'.repeat(22)}🐖🐖🐖`, `${'腊'.repeat(22)}🐖🐖`],
  ]) {
    const sheet = labelSheetSvg([{ ...LABEL, productName: name }]);
    t.equal(cells(sheet)[0].texts.product.text, shown, `${name} cut to ${shown}`);
    t.notMatch(sheet, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\ufffd/, 'no half of a pair');
  }
  t.equal(cells(labelSheetSvg([{ ...LABEL, productName: '奉节腊肉 500g' }]))[0].texts.product.text, '奉节腊肉 500g', 'short names whole');
});

t.test("the sheet of a job's labels has its lot's number and production date", async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const lot = await processor.commission(await processor.product('piece', { gtin: '6901234567892' }), 10, {
    lotNumber: 'KZ-26-A',
    productionDate: '2026-02-27',
  });
  const repositories = createRepositories(world.database);
  const items = createItemService({
    items: repositories.items,
    lots: repositories.lots,
    products: repositories.products,
    brands: world.app.services.brands,
    publicBaseUrl: TEST_BASE_URL,
  });
  const principal = { keyId: 'k', role: 'operator' as const, partyCode: processor.code };
  const job = await items.issue(principal, lot, 3);
  await items.idle();
  const sheet = cells(await items.labelSheet(principal, job.id, 1));
  t.equal(sheet.length, 3);
  t.ok(
    sheet.every((cell) => cell.texts.lot.text === '批号 KZ-26-A' && cell.texts.date.text === '生产日期 2026-02-27'),
    'every label',
  );
  t.equal(new Set(sheet.map((cell) => cell.texts.code.text)).size, 3, 'each with its own code');
});
