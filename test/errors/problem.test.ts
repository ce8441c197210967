// The one error type services throw: each kind of problem carries its status, and field problems
// say where in the request they are.
import {
  badRequest,
  bodyField,
  conflict,
  forbidden,
  notFound,
  Problem,
  paramField,
  payloadTooLarge,
  problemSchema,
  unauthorized,
  unprocessable,
  withBodyFieldsMoved,
} from '../../src/errors/problem.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('each constructor makes the problem its status stands for', async (t) => {
  const field = bodyField(['lines', 0, 'quantity'], 'at most 3');
  t.same(
    [
      badRequest('bad', [field]),
      unauthorized('who?'),
      forbidden('no'),
      notFound('none'),
      conflict('taken', [field]),
      payloadTooLarge('too-many-codes', 'at most 100000'),
      unprocessable('unknown-shipment', 'no shipment x'),
    ].map(({ status, slug, title, detail, errors }) => ({ status, slug, title, detail, errors })),
    [
      { status: 400, slug: 'bad-request', title: 'Bad request', detail: 'bad', errors: [field] },
      { status: 401, slug: 'unauthorized', title: 'Unauthorized', detail: 'who?', errors: undefined },
      { status: 403, slug: 'forbidden', title: 'Forbidden', detail: 'no', errors: undefined },
      { status: 404, slug: 'not-found', title: 'Not found', detail: 'none', errors: undefined },
      { status: 409, slug: 'conflict', title: 'Conflict', detail: 'taken', errors: [field] },
      { status: 413, slug: 'too-many-codes', title: 'Payload too large', detail: 'at most 100000', errors: undefined },
      { status: 422, slug: 'unknown-shipment', title: 'Unprocessable request', detail: 'no shipment x', errors: undefined },
    ],
  );
});

t.test('a problem is an Error whose message is its detail, or its title without one', async (t) => {
  const problem = conflict('GTIN 09506000134352 is already registered');
  t.ok(problem instanceof Error, 'thrown and caught like any error');
  t.equal(problem.message, 'GTIN 09506000134352 is already registered');
  t.equal(new Problem(500, 'internal', 'Internal server error').message, 'Internal server error');
});

t.test('a field problem in the body is addressed by a JSON pointer', async (t) => {
  t.same(bodyField(['lots', 0, 'attributes', 'earTags', 2], 'taken'), {
    in: 'body',
    pointer: '/lots/0/attributes/earTags/2',
    detail: 'taken',
  });
});

t.test('a field problem in a path parameter is addressed by its name, as request validation addresses it', async (t) => {
  t.same(paramField('code', 'check character wrong'), { in: 'params', pointer: '/code', detail: 'check character wrong' });
});

t.test("a problem's body fields moved to where another body names them keep everything else", async (t) => {
  const header = { in: 'headers', pointer: '/gs1-epc-format', detail: 'unknown' };
  const problem = conflict('only 5 kg remain', [bodyField(['lines', 10, 'quantity'], 'at most 5'), bodyField([], 'whole'), header]);
  const moved = withBodyFieldsMoved(problem, (path) => (path.length ? ['quantityList', Number(path[1]) - 10, String(path[2])] : ['event']));
  t.ok(moved instanceof Problem);
  t.same(
    { status: moved.status, slug: moved.slug, title: moved.title, detail: moved.detail },
    { status: 409, slug: 'conflict', title: 'Conflict', detail: 'only 5 kg remain' },
  );
  t.same(moved.errors, [
    { in: 'body', pointer: '/quantityList/0/quantity', detail: 'at most 5' },
    { in: 'body', pointer: '/event', detail: 'whole' },
    header,
  ]);
  const bare = forbidden('no');
  t.equal(
    withBodyFieldsMoved(bare, () => ['x']),
    bare,
    'a problem without body fields is itself',
  );
});

t.test('the OpenAPI schema of a problem accepts what the API sends and nothing without a status', async (t) => {
  const sent = {
    type: '/problems/conflict',
    title: 'Conflict',
    status: 409,
    detail: 'taken',
    instance: '/products',
    errors: [bodyField(['gtin'], 'already registered')],
  };
  t.same(problemSchema.parse(sent), sent);
  t.notOk(problemSchema.safeParse({ type: '/problems/conflict', title: 'Conflict' }).success);
});
