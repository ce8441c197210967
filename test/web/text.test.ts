import { drawnCharacterWidth, firstCharacters, shortened, shortenedToWidth, textWidth, wrappedToWidth } from '../../src/web/text.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('shortened keeps a text of at most `count` characters and cuts a longer one with an ellipsis', async (t) => {
  t.equal(shortened('奉节腊肉', 4), '奉节腊肉', 'as long as allowed: kept');
  t.equal(shortened('奉节腊肉加工厂', 4), '奉节腊…', 'longer: count - 1 characters and the ellipsis');
  t.equal(shortened('', 4), '');
  t.equal(shortened('😀😀😀😀😀', 3), '😀😀…', 'never half of a surrogate pair');
  const family = '👨‍👩‍👧';
  t.equal(shortened(`${family}${family}${family}`, 2), `${family}…`, 'never half of an emoji sequence');
  t.equal(shortened('x'.repeat(10_000_000), 100).length, 100, 'a long text is read no further than kept');
});

t.test('firstCharacters keeps whole characters, no ellipsis', async (t) => {
  t.equal(firstCharacters('奉节腊肉加工厂', 4), '奉节腊肉');
  t.equal(firstCharacters('奉节', 4), '奉节', 'a shorter text whole');
  t.equal(firstCharacters('😀😀😀', 2), '😀😀', 'never half of a surrogate pair');
});

t.test('shortenedToWidth cuts by width: a Chinese (wide) character takes two columns, a Latin one one', async (t) => {
  t.equal(shortenedToWidth('Geographical indication', 26), 'Geographical indication', 'an English label of 23 columns kept whole');
  t.equal(shortenedToWidth('重庆市奉节县夔州腊味食', 26), '重庆市奉节县夔州腊味食', '11 Chinese characters: 22 columns, kept');
  t.equal(
    shortenedToWidth('重庆市奉节县夔州腊味食品有', 26),
    '重庆市奉节县夔州腊味食品有',
    '13 Chinese characters fill 26 columns exactly',
  );
  t.equal(
    shortenedToWidth('重庆市奉节县夔州腊味食品有限公司', 26),
    '重庆市奉节县夔州腊味食品…',
    'longer: as many as fit beside the ellipsis (two columns)',
  );
  t.equal(
    shortenedToWidth('Fengjie County Cured Meat Company', 26),
    'Fengjie County Cured Mea…',
    'a long English label: 24 columns and the ellipsis, an em wide',
  );
  t.equal(shortenedToWidth('奉节 Fengjie Co.', 16), '奉节 Fengjie Co.', 'mixed: 4 + 12 columns');
  t.equal(shortenedToWidth('奉节 Fengjie Co.', 15), '奉节 Fengjie…', 'mixed, cut, no space before the ellipsis');
  t.equal(shortenedToWidth('奉节县', 4), '奉…', 'a wide character never split: one that does not fit whole is left out');
  t.equal(shortenedToWidth('ＡＢＣ', 6), 'ＡＢＣ', 'full-width forms are wide');
  t.equal(shortenedToWidth('ＡＢＣ', 5), 'Ａ…');
  t.equal(shortenedToWidth('', 26), '');
  const family = '👨‍👩‍👧';
  t.equal(shortenedToWidth(`${family}${family}${family}`, 6), `${family}${family}${family}`, 'an emoji sequence is one wide character');
  t.equal(shortenedToWidth(`${family}${family}${family}`, 5), `${family}…`, 'never split');
  t.equal(shortenedToWidth('x'.repeat(100_000), 100).length, 99, 'a long text: 98 columns and the ellipsis');
  t.equal(textWidth('奉节 Fengjie Co.…'), 18, 'textWidth: two columns a Chinese character and the ellipsis, one a Latin one');
});

t.test('wrappedToWidth breaks a text too wide for one line after a space, slash or hyphen', async (t) => {
  t.same(wrappedToWidth('Geographical indication', 27, 2), ['Geographical indication'], 'one line when it fits');
  t.same(wrappedToWidth('Recalled/destroyed lot scanned', 27, 2), ['Recalled/destroyed lot', 'scanned'], 'at the last space that fits');
  t.same(
    wrappedToWidth('Recalled/destroyed lot scanned', 15, 2),
    ['Recalled/', 'destroyed lot…'],
    'after a slash; the last line cut by width',
  );
  t.same(wrappedToWidth('Third-party laboratory', 10, 2), ['Third-', 'party la…'], 'after a hyphen');
  t.same(
    wrappedToWidth('BLATE0000001BLATE0000002', 12, 2),
    ['BLATE0000001', 'BLATE0000002'],
    'where the line is full, with no break in it',
  );
  t.same(wrappedToWidth('a b c d e f', 3, 3), ['a b', 'c d', 'e f'], 'as many lines as asked');
  t.same(wrappedToWidth('重庆市奉节县夔州腊味食品有限公司', 26, 1), ['重庆市奉节县夔州腊味食品…'], 'one line: shortenedToWidth');
});

t.test('drawnCharacterWidth measures a Latin letter as a proportional font draws it, a wide character as two columns', async (t) => {
  t.equal(drawnCharacterWidth('中'), 2, 'a Chinese character: an em');
  t.equal(drawnCharacterWidth('W'), 2, 'a capital W: an em too (DejaVu Sans draws it 0.99 em wide)');
  t.ok(drawnCharacterWidth('i') < 1, 'an i: under half an em');
  // 27 capitals take more room than 13 Chinese characters: the columns of characterWidth would let them run over
  t.ok(
    textWidth('WANSHENG AGRICULTURAL CO-OP', drawnCharacterWidth) > textWidth('重庆市奉节县夔州腊味食品有'),
    'capitals are wider than a column',
  );
  t.same(
    wrappedToWidth('WANSHENG MOUNTAIN AGRICULTURAL PRODUCTS', 32, 2, drawnCharacterWidth),
    ['WANSHENG MOUNTAIN', 'AGRICULTURAL PRODUCTS'],
    'wrapped by drawn width',
  );
});
