import { cutUrl, uriReference, withoutUserinfo } from '../../src/http/uri.js';
import { SENT_URI_REFERENCE, URI_REFERENCE } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a target with nothing a URI may not carry is kept as it is, its escapes and delimiters too', async (t) => {
  for (const target of [
    '/t/A1',
    '/01/09506000134352/10/A%2FB1?lang=en&utm=%B0%D9&q=a+b&q=%2B&&flag&k=%EF%BC%A1&x=%E4',
    "/t/A1?i=~!$'()*,;:@/?&q=%3C",
    '/t/A1#frag?x',
    'https://fj.example/t/A1?lang=en',
  ]) {
    t.equal(uriReference(target), target, target);
    t.match(target, URI_REFERENCE);
  }
});

t.test('a stray "%", and what a URI may not carry raw, is escaped; a valid escape is kept', async (t) => {
  for (const [target, written] of [
    ['/t/A1?off=50%', '/t/A1?off=50%25'],
    ['/t/A1?x=%zz&y=%', '/t/A1?x=%25zz&y=%25'],
    ['/t/A1?x=%E4', '/t/A1?x=%E4'],
    ['/t/A1?a=<x>&b="q"&c=\\&d={|}&e=^`', '/t/A1?a=%3Cx%3E&b=%22q%22&c=%5C&d=%7B%7C%7D&e=%5E%60'],
    ['/t/A1?h=[1]', '/t/A1?h=%5B1%5D'],
    ['/t/A1?q=a b', '/t/A1?q=a%20b'],
    ['/t/A 1?q=奉节 腊肉😀', '/t/A%201?q=%E5%A5%89%E8%8A%82%20%E8%85%8A%E8%82%89%F0%9F%98%80'],
    ['/t/奉节%', '/t/%E5%A5%89%E8%8A%82%25'],
    ['/t/A1?x=1#a#b%', '/t/A1?x=1#a%23b%25'],
    ['/t/A1?q=\uD800', '/t/A1?q=%EF%BF%BD'],
  ]) {
    t.equal(uriReference(target), written, target);
    t.match(uriReference(target), URI_REFERENCE, 'an RFC 3986 URI reference');
  }
});

t.test('a query key or value that does not decode is read as it came: its escapes are escaped with its stray "%"', async (t) => {
  // the query parser reads a key or value that does not decode as it came (`en%2C%zz`); escaping its stray "%" alone
  // would make it decode (`en,%zz`): every "%" of it is escaped, so the redirected request reads what this one read
  for (const [query, written] of [
    ['lang=en%2C%zz&q=%2C', 'lang=en%252C%25zz&q=%2C'],
    ['x=%E4%B8%AD%', 'x=%25E4%25B8%25AD%25'],
    ['x=%E4<', 'x=%25E4%3C'],
    ['a+b%zz=%41%', 'a+b%25zz=%2541%25'],
    ['k%zz&v=%41', 'k%25zz&v=%41'],
    ['x=%E4&y=%B0%D9', 'x=%E4&y=%B0%D9'],
  ]) {
    t.equal(uriReference(`/t/A1?${query}`), `/t/A1?${written}`, query);
    t.match(`/t/A1?${written}`, URI_REFERENCE);
  }
});

t.test('a target in absolute form keeps its scheme and authority, written as a URI carries them', async (t) => {
  for (const [target, written] of [
    ['http://trace.county.example:8080/t/A1?x=%zz', 'http://trace.county.example:8080/t/A1?x=%25zz'],
    ['http://[::1]:8080/t/A1', 'http://[::1]:8080/t/A1'],
    ['http://host:abc/x', 'http://host%3Aabc/x'],
    ['http://ho st%/x', 'http://ho%20st%25/x'],
    ['ftp://h.example:', 'ftp://h.example:'],
  ]) {
    t.equal(uriReference(target), written, target);
    t.match(written, SENT_URI_REFERENCE, 'an RFC 3986 URI reference');
  }
});

t.test('the user name and password of a target in absolute form are left out, up to the last "@" of its authority', async (t) => {
  for (const [target, left] of [
    ['https://u:p@evil.example/parties', 'https://evil.example/parties'],
    ['http://u:p@x@h.example:8080/a@b?c@d#e@f', 'http://h.example:8080/a@b?c@d#e@f'],
    ['ftp://u@h.example', 'ftp://h.example'],
    ['/parties/a@b', '/parties/a@b'],
    ['/x/http://u:p@h/y', '/x/http://u:p@h/y'],
  ]) {
    t.equal(withoutUserinfo(target), left, target);
  }
});

t.test("a URL is cut where a character ends: never inside an escape nor between one character's escapes", async (t) => {
  const la = encodeURIComponent('腊'); // %E8%85%8A
  const path = `/x/${la.repeat(10)}`; // 3 + 90 characters
  for (let max = 3; max <= path.length; max++) {
    const cut = cutUrl(path, max);
    t.ok(cut.length <= max && cut.length > max - 9, `${max}: ${cut.length} characters`);
    t.equal(decodeURIComponent(cut), `/x/${'腊'.repeat((cut.length - 3) / 9)}`, `${max}: whole characters`);
  }
  t.equal(cutUrl(`/a${encodeURIComponent('🐄')}`, 10), '/a', 'four bytes, cut after the third');
  t.equal(cutUrl('/a%C3%A9%C3', 11), '/a%C3%A9%C3', 'what fits is kept as it is');
  t.equal(cutUrl('/a%80%80%80', 8), '/a%80%80', 'stray continuation bytes as they came: no character to keep whole');
  t.equal(cutUrl('/a%zz%E8%85%8A', 7), '/a%zz', 'a stray "%" is no escape');
  t.equal(cutUrl('/腊🐄', 3), '/腊', 'not between the halves of a surrogate pair');
  t.equal(cutUrl('/A'.repeat(2000)).length, 2048, 'at most 2,048 characters unless told');
});
