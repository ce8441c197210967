import { firstCharacters, shortened } from '../../src/web/text.js';
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
