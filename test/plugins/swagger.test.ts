// The OpenAPI document declares every error as the service sends it: RFC 9457 problem+json (and,
// on the paths a label links to, the scan error page a browser gets).
import { committedOpenApi, type OpenApiDocument, operationsOf, servedOpenApi } from '../fixtures/openapi.js';
import { buildTestApp } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const PROBLEM = { schema: { $ref: '#/components/schemas/Problem' } };
const SCAN_PATH = /^\/(t|01|00|414|8003)\//;

/** Every declared 4xx, and every 5xx declared as a problem, by operation and status. */
const errorResponsesOf = (document: OpenApiDocument) =>
  Object.fromEntries(
    operationsOf(document).flatMap(({ path, method, responses }) =>
      Object.entries(responses)
        .filter(([status, response]) => status.startsWith('4') || (status.startsWith('5') && JSON.stringify(response).includes('Problem')))
        .map(([status, response]) => [`${method.toUpperCase()} ${path} ${status}`, response]),
    ),
  );

t.test(
  'every error the OpenAPI document declares is application/problem+json, and HTML too where a scan answers with a page',
  async (t) => {
    const { app } = await buildTestApp(t);
    const served = await servedOpenApi(app);
    const errors = errorResponsesOf(served);
    t.ok(Object.keys(errors).length > 200, 'the errors of every route');
    for (const [operation, response] of Object.entries(errors)) {
      const scan = SCAN_PATH.test(operation.split(' ')[1]);
      t.strictSame(
        response.content,
        scan
          ? { 'application/problem+json': PROBLEM, 'text/html': { schema: { type: 'string' } } }
          : { 'application/problem+json': PROBLEM },
        operation,
      );
      t.not(response.description, 'Default Response', `${operation}: described`);
    }
    t.strictSame(errorResponsesOf(committedOpenApi()), errors, 'openapi/openapi.json declares them so too');
  },
);

t.test('a 5xx that is not a problem keeps its own content type', async (t) => {
  const { app } = await buildTestApp(t);
  const health = (await servedOpenApi(app)).paths['/health'].get.responses['503'];
  t.strictSame(Object.keys(health.content ?? {}), ['application/json'], '/health answers 503 with its state as JSON');
});
