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
