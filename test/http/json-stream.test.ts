import { buffer } from 'node:stream/consumers';
import { jsonChunks, jsonStream } from '../../src/http/json-stream.js';
import { fileTest } from '../root.js';

const t = fileTest();

const many = (n: number, make: (i: number) => unknown) => Array.from({ length: n }, (_, i) => make(i));

const cases: Record<string, unknown>[] = [
  {},
  { only: undefined },
  { query: { code: 'ABC' }, nodes: [{ code: 'L1', depth: 0, quantity: 1.5, holders: null }], events: [] },
  { parties: [{ name: '奉节分割厂', contact: { person: '李明' } }], edges: [{ from: 'A', to: 'B' }], emoji: '🐖' },
  { latin: 'café ÿ ±', lone: '\ud800 and \udfff', codes: ['B0918E4DD41C'] },
  { skipped: undefined, when: new Date('2026-03-01T00:00:00Z'), fn: () => 1, nested: { inner: undefined }, 'quoted"key': 'x' },
  // arrays longer than a chunk: exactly one, one more, several, elements with no JSON form among them
  { nodes: many(256, (i) => ({ code: `L${i}` })) },
  { first: undefined, nodes: many(257, (i) => ({ code: `L${i}`, name: i % 7 === 0 ? '腊肉' : null })), after: 1 },
  { edges: many(1000, (i) => (i % 100 === 0 ? undefined : i % 3 === 0 ? () => i : [i, `${i}`])), events: many(513, () => ({})) },
];

t.test('the chunks join to the bytes JSON.stringify writes', async (t) => {
  for (const value of cases) {
    const expected = Buffer.from(JSON.stringify(value)).toString('hex');
    t.equal(Buffer.concat([...jsonChunks(value)]).toString('hex'), expected, JSON.stringify(value).slice(0, 120));
    t.equal((await buffer(jsonStream(value))).toString('hex'), expected, 'the same bytes through the stream');
  }
});

t.test('a long array is written in parts, not as one piece', async (t) => {
  const chunks = [...jsonChunks({ nodes: many(1000, (i) => ({ code: `L${i}` })) })];
  t.ok(chunks.length >= 4, `${chunks.length} chunks`);
  t.ok(Math.max(...chunks.map((chunk) => chunk.length)) < 10_000, 'no chunk holds the whole array');
});
