// The query string of a scan: what the resolver does not read (a messenger's tag, a campaign's, a name JavaScript
// gives every object) is passed over and passed on as scanned, and a trailing-slash redirect keeps it byte for byte.
import { completeGs1 } from '../../src/codes/gs1.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const GTIN = completeGs1('0690123456789');

async function scanWorld(t: Parameters<typeof createWorld>[0]) {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('piece', { gtin: GTIN });
  const made = await world.ok(processor.event({ type: 'commission', lots: [{ productCode: product, quantity: 5, lotNumber: 'KZ-1' }] }));
  const [pack] = await issuePacks(world, processor, made.createdLotCodes[0] as string, 1);
  const scan = (url: string, accept = 'application/json') =>
    world.app.inject({ method: 'GET', url, headers: { accept, 'user-agent': 'a phone' } });
  return { pack, scan };
}

/** Names of the object machinery, and `__proto__` twice (an array, which an assignment would make a prototype). */
const MACHINERY = [
  'constructor=1',
  '__proto__=x',
  '__proto__=a&__proto__=b',
  'toString=1',
  'hasOwnProperty=1',
  'valueOf=1',
  'prototype=1',
  '__proto__%5Bpolluted%5D=yes',
];

t.test('a scan passes over the names of the object machinery as any other parameter it does not read', async (t) => {
  const { pack, scan } = await scanWorld(t);
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype);
  for (const query of MACHINERY) {
    for (const path of [`/t/${pack}`, `/01/${GTIN}/21/${pack}`, `/01/${GTIN}/10/KZ-1`]) {
      const answer = await scan(`${path}?${query}`);
      t.equal(answer.statusCode, 200, `${path}?${query}: the code's summary`);
      const page = await scan(`${path}?${query}&lang=en`, 'text/html');
      t.equal(page.statusCode, 200, 'and its page');
      t.match(page.body, /<html lang="en">/, 'in the language asked for');
      const linked = await scan(`${path}?${query}&linkType=gs1:traceability&lang=en`);
      t.equal(linked.statusCode, 307);
      t.equal(linked.headers.location, `${path}?${query}&lang=en&format=json`, 'a linkType redirect passes it on as scanned');
    }
    const slash = await scan(`/t/${pack}/?${query}`);
    t.equal(slash.statusCode, 308, `/t/{code}/?${query}: redirected`);
    t.equal(slash.headers.location, `/t/${pack}?${query}`, 'with it');
  }
  t.same(Object.getOwnPropertyNames(Object.prototype), prototypeNames, 'Object.prototype is as it was');
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no object gained a member');
});

t.test('a trailing-slash redirect keeps the query string byte for byte', async (t) => {
  const { pack, scan } = await scanWorld(t);
  // a GBK campaign tag, "+" and "%2B", a key repeated (its first value read), an empty pair, a key with no value, a stray
  // "%", a full-width letter escaped (the path's would be read as ASCII), brackets, a language given twice, in this order
  const query = 'utm=%B0%D9&q=a+b&q=%2B&lang=en&empty=&&flag&off=50%&k=%EF%BC%A1&a[]=1&lang=zh-CN';
  for (const [from, to] of [
    [`/t/${pack}/`, `/t/${pack}`],
    [`/t/${pack.toLowerCase()}/`, `/t/${pack}`],
    [`/01/${GTIN}/21/${pack}/`, `/01/${GTIN}/21/${pack}`],
    [`/01/${GTIN}/10/KZ-1/`, `/01/${GTIN}/10/KZ-1`],
    [`/01/${GTIN}/10/%EF%BC%AB%EF%BC%BA-1/`, `/01/${GTIN}/10/KZ-1`],
  ]) {
    const redirect = await scan(`${from}?${query}`);
    t.equal(redirect.statusCode, 308, `${from}: redirected`);
    t.equal(redirect.headers.location, `${to}?${query}`, `${from}: the query string as scanned`);
    const followed = await scan(String(redirect.headers.location), 'text/html');
    t.equal(followed.statusCode, 200, 'which answers the code');
    t.match(followed.body, /<html lang="en">/, 'in the first language given');
    t.equal((await scan(from)).headers.location, to, 'and none without one');
  }
});
