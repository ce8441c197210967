import type { FastifyError, FastifyRequest } from 'fastify';
import { toProblem } from '../../src/http/problems.js';
import { fileTest } from '../root.js';

const t = fileTest();

const request = { method: 'POST', url: '/events', params: {}, log: { error() {}, info() {} } } as unknown as FastifyRequest;
const driverError = (code: string) =>
  Object.assign(new Error('driver'), { cause: Object.assign(new Error('deadlock detected'), { code }) }) as FastifyError;

t.test('a write the database ended for a concurrent one is a 409 to send again, not a 500', async (t) => {
  for (const code of ['40P01', '40001']) {
    const problem = toProblem(driverError(code), request);
    t.equal(problem.status, 409, code);
    t.equal(problem.slug, 'concurrent-write');
    t.match(problem.detail, /send the request again/);
  }
  t.equal(toProblem(driverError('23503'), request).status, 500, 'another database failure stays an internal error');
});
