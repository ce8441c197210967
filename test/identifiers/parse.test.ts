import t from 'tap';
import { parseIdentifier } from '../../src/identifiers/parse.js';

const BASE = 'https://fj.example';

t.test("this service's own URIs with broken %-escapes are a 400, not a failure", async (t) => {
  for (const bad of ['%ED%A0%80', '%C3', '%00']) {
    t.throws(
      () => parseIdentifier(`${BASE}/lots/${bad}`, BASE),
      { status: 400, message: /does not end in a valid lot code/ },
      `/lots/${bad}`,
    );
    t.throws(() => parseIdentifier(`${BASE}/t/${bad}`, BASE), { status: 400, message: /does not end in a valid item code/ }, `/t/${bad}`);
  }
});

t.test('a Digital Link with a lot that is not GS1 text stays a plain URI, never decoded to NUL', async (t) => {
  const uri = 'https://id.gs1.org/01/06901234000018/10/A%00B';
  t.same(parseIdentifier(uri, BASE), { kind: 'uri', uri });
  t.same(parseIdentifier('https://id.gs1.org/01/06901234000018/10/A%2FB', BASE), {
    kind: 'gtin',
    gtin: '06901234000018',
    uri: 'https://id.gs1.org/01/06901234000018/10/A%2FB',
    lot: 'A/B',
  });
});
