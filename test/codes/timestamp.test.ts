import type { z } from 'zod';
import { dateSchema, timestampSchema } from '../../src/codes/timestamp.js';
import { fileTest } from '../root.js';

const t = fileTest();

const messages = (schema: z.ZodType, value: string) => schema.safeParse(value).error?.issues.map((issue) => issue.message) ?? [];

t.test('a value that is no date or time at all gets one error saying so, not a year range besides', async (t) => {
  for (const value of ['2026-13-01', '2026-02-30', '2026-1-1', 'today', '']) {
    t.same(messages(dateSchema, value), ['must be a calendar date YYYY-MM-DD'], JSON.stringify(value));
  }
  t.same(messages(dateSchema, '0999-12-31'), ['must lie in the years 1900–9999'], 'a real date out of range');
  t.same(messages(dateSchema, '2026-02-28'), [], 'a calendar date');

  for (const value of ['2026-13-01T08:00:00+08:00', '2026-03-01T25:00:00+08:00', 'yesterday']) {
    t.same(
      messages(timestampSchema, value),
      ['must be an ISO 8601 time with an offset, e.g. 2026-11-30T09:00:00+08:00'],
      JSON.stringify(value),
    );
  }
  t.same(messages(timestampSchema, '0999-12-31T08:00:00Z'), ['must lie in the years 1900–9999'], 'a real time out of range');
  t.same(messages(timestampSchema, '2026-03-01T08:00:00+08:00'), [], 'a time');
});

t.test('an offset whose "+" came as a space (a query string reads "+" so) is told to be written %2B', async (t) => {
  for (const value of ['2026-03-01T00:00:00 08:00', '2026-03-01T00:00:00.5 08:00', '2026-03-01T00:00 0800']) {
    const [message] = messages(timestampSchema, value);
    t.match(message, 'must be an ISO 8601 time with an offset', JSON.stringify(value));
    t.match(message, '%2B', `${JSON.stringify(value)}: says how to write the "+"`);
  }
  t.notMatch(messages(timestampSchema, '2026-03-01T00:00:00')[0], '%2B', 'a time with no offset at all is not told about "+"');
});
