import { uuidV7 } from '../../src/codes/uuid-v7.js';
import { fileTest } from '../root.js';

const t = fileTest();

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

t.test('uuidV7: version 7 layout with the RFC variant', async (t) => {
  for (let i = 0; i < 100; i++) t.match(uuidV7(), UUID_V7);
});

t.test('uuidV7: the first 48 bits are the Unix milliseconds, so ids sort by time', async (t) => {
  const at = new Date('2026-11-23T08:30:00.123Z');
  const id = uuidV7(at);
  t.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), at.getTime());
  const earlier = uuidV7(new Date(at.getTime() - 1));
  const later = uuidV7(new Date(at.getTime() + 1));
  t.ok(earlier < id && id < later, 'lexical order follows time');
});

t.test('uuidV7: ids of the same millisecond still differ', async (t) => {
  const at = new Date();
  t.equal(new Set(Array.from({ length: 1000 }, () => uuidV7(at))).size, 1000);
});
