// A recall's reason and hazard, and a hold's, are read by regulators, holders and (on the pack page)
// consumers: a bidi override would show them reversed, a control character break the lines of the
// notice and its CSV. Such a request is a 400 problem naming the field and the character, and
// nothing of it is recorded; a reason of several lines, in Chinese, with emoji, is recorded as written.
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a hold or recall whose reason holds a bidi or control character is refused at its field; nothing is recorded', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const lot = await farm.commission(await farm.product('piece'), 10);

  const reversed = expectStatus(
    t,
    await farm.api.post('/recalls', { lotCodes: [lot], level: 1, reason: '瘦肉精 \u202e检出未\u202c', hazard: '克伦特罗残留超标' }),
    400,
    'a reason with a right-to-left override',
  );
  t.match(reversed.headers['content-type'], /^application\/problem\+json/);
  t.match(reversed.body, {
    status: 400,
    errors: [{ in: 'body', pointer: '/reason', detail: /must not contain control or bidi characters \(U\+202E at character 5\)/ }],
  });
  const bell = expectStatus(
    t,
    await farm.api.post('/recalls', { lotCodes: [lot], level: 1, reason: '瘦肉精检出', hazard: '克伦特罗\u0007残留超标' }),
    400,
    'a hazard with a control character',
  );
  t.match(bell.body.errors, [{ in: 'body', pointer: '/hazard', detail: /U\+0007 at character 5/ }]);
  const pending = expectStatus(
    t,
    await farm.api.post('/holds', { lotCodes: [lot], reason: '抽检待复检', pendingTest: '瘦肉精\n复检' }),
    400,
    'a pending test of one line',
  );
  t.match(pending.body.errors, [{ in: 'body', pointer: '/pendingTest', detail: /one line.*U\+000A at character 4/ }]);
  t.same((await farm.api.get('/recalls')).body.items, [], 'no recall was opened');
  expectStatus(t, await farm.api.post('/holds', { lotCodes: [lot], reason: '抽检待复检' }), 201, 'the lot was not held before');

  const reason = '瘦肉精检出 ⚠️\n复检仍阳性：\t0.8 µg/kg 👨‍🔬';
  const opened = expectStatus(
    t,
    await farm.api.post('/recalls', { lotCodes: [lot], level: 1, reason, hazard: '克伦特罗残留超标\r\n可致心悸' }),
    201,
    'a reason of several lines, with emoji',
  );
  t.equal(opened.body.reason, reason, 'recorded as written');
  t.equal(opened.body.hazard, '克伦特罗残留超标\n可致心悸', 'a line break sent as CRLF (as a browser submits a textarea) stored as LF');
});
