import { jsonBytes } from '../../src/http/json-bytes.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('jsonBytes writes the bytes JSON.stringify would', async (t) => {
  const cases: Record<string, unknown>[] = [
    {},
    { only: undefined },
    { query: { code: 'ABC' }, nodes: [{ code: 'L1', depth: 0, quantity: 1.5, holders: null }], events: [] },
    { parties: [{ name: '奉节分割厂', contact: { person: '李明' } }], edges: [{ from: 'A', to: 'B' }], emoji: '🐖' },
    { latin: 'café ÿ ±', lone: '\ud800 and \udfff', codes: ['B0918E4DD41C'] },
    { skipped: undefined, when: new Date('2026-03-01T00:00:00Z'), fn: () => 1, nested: { inner: undefined }, 'quoted"key': 'x' },
  ];
  for (const value of cases) {
    t.equal(jsonBytes(value).toString('hex'), Buffer.from(JSON.stringify(value)).toString('hex'), JSON.stringify(value));
  }
});
