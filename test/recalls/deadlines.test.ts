import { addWorkingDays, dueTimes, overdueFor, progressOf, RECALL_DEADLINES } from '../../src/recalls/deadlines.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('working days skip Saturday and Sunday in China time', async (t) => {
  // Friday 2026-12-04 17:00 in Beijing is 09:00 UTC
  const friday = new Date('2026-12-04T09:00:00Z');
  t.equal(addWorkingDays(friday, 1).toISOString(), '2026-12-07T09:00:00.000Z', 'Friday + 1 is Monday');
  t.equal(addWorkingDays(friday, 10).toISOString(), '2026-12-18T09:00:00.000Z', 'two weeks');
  // Friday 23:30 Beijing is still Friday 15:30 UTC: the next working day is Monday, not Saturday
  t.equal(addWorkingDays(new Date('2026-12-04T15:30:00Z'), 1).toISOString(), '2026-12-07T15:30:00.000Z');
  t.equal(addWorkingDays(friday, 0).toISOString(), friday.toISOString());
});

t.test('due times by level, from one table', async (t) => {
  const opened = new Date('2026-12-01T00:00:00Z');
  for (const level of [1, 2, 3] as const) {
    const due = dueTimes(level, opened);
    t.equal(due.startDueAt.getTime() - opened.getTime(), RECALL_DEADLINES[level].startWithinHours * 3_600_000, `level ${level} start`);
    t.equal(due.finishDueAt.toISOString(), addWorkingDays(opened, RECALL_DEADLINES[level].finishWithinWorkingDays).toISOString());
  }
  const tightened = dueTimes(2, opened, { ...RECALL_DEADLINES, 2: { startWithinHours: 24, finishWithinWorkingDays: 20 } });
  t.equal(tightened.startDueAt.toISOString(), '2026-12-02T00:00:00.000Z', 'a service may be built with other numbers');
});

t.test('overdue: open recalls not started or not finished in time', async (t) => {
  const recall = {
    status: 'open',
    startedAt: null,
    startDueAt: new Date('2026-12-02T00:00:00Z'),
    finishDueAt: new Date('2026-12-15T00:00:00Z'),
  };
  t.same(overdueFor(recall, new Date('2026-12-01T00:00:00Z')), []);
  t.same(overdueFor(recall, new Date('2026-12-03T00:00:00Z')), ['start']);
  t.same(overdueFor({ ...recall, startedAt: new Date('2026-12-01T12:00:00Z') }, new Date('2026-12-03T00:00:00Z')), []);
  t.same(overdueFor(recall, new Date('2026-12-16T00:00:00Z')), ['start', 'finish']);
  t.same(overdueFor({ ...recall, status: 'closed' }, new Date('2026-12-16T00:00:00Z')), [], 'a closed recall is not late');
});

t.test('progress per unit; over-reporting does not cover another holder', async (t) => {
  t.same(progressOf([]), { share: 1, byUnit: [] }, 'nothing to recover');
  const progress = progressOf([
    { unit: 'kg', container: false, affected: 100, recovered: 150 },
    { unit: 'kg', container: false, affected: 100, recovered: 0 },
    { unit: 'piece', container: false, affected: 10, recovered: 5 },
  ]);
  t.same(progress.byUnit, [
    { unit: 'kg', affected: 200, recovered: 100, share: 0.5 },
    { unit: 'piece', affected: 10, recovered: 5, share: 0.5 },
  ]);
  t.equal(progress.share, 0.5);
  t.equal(progressOf([{ unit: 'kg', container: false, affected: 0, recovered: 0 }]).share, 1);
  t.same(
    progressOf([
      { unit: 'container', container: true, affected: 1, recovered: 1 },
      { unit: 'piece', container: false, affected: 100, recovered: 5 },
    ]),
    { share: 0.05, byUnit: [{ unit: 'piece', affected: 100, recovered: 5, share: 0.05 }] },
    'a case returned counts the pieces in it, not itself as a unit beside them',
  );
  t.same(
    progressOf([
      { unit: 'KGM', container: true, affected: 1, recovered: 0 },
      { unit: 'KGM', container: false, affected: 10, recovered: 0 },
    ]).byUnit,
    [{ unit: 'KGM', affected: 10, recovered: 0, share: 0 }],
    'a container is left out by what it is, whatever unit it was captured in',
  );
  t.same(
    progressOf([
      { unit: 'container', container: true, affected: 1, recovered: 1 },
      { unit: 'container', container: true, affected: 1, recovered: 0 },
    ]),
    { share: 0.5, byUnit: [{ unit: 'container', affected: 2, recovered: 1, share: 0.5 }] },
    'with no product in scope, empty containers count, each a unit of its own: not 100 % before they are back',
  );
  t.equal(
    progressOf([{ unit: 'piece', container: false, affected: 20_000, recovered: 19_999 }]).share,
    0.999,
    'a recall short of complete is never 100 %',
  );
});
