// Recall deadlines by level (食品召回管理办法): when a recall must have started on the ground and
// when it must be finished. The one place the numbers live; a service may be built with others
// (a 2026 revision may tighten the start times). Pure.

export const RECALL_LEVELS = [1, 2, 3] as const;
export type RecallLevel = (typeof RECALL_LEVELS)[number];

/** 一级 / 二级 / 三级: start within hours, finish within working days of the recall being opened. */
export type RecallDeadlines = Record<RecallLevel, { startWithinHours: number; finishWithinWorkingDays: number }>;

export const RECALL_DEADLINES: RecallDeadlines = {
  1: { startWithinHours: 24, finishWithinWorkingDays: 10 },
  2: { startWithinHours: 48, finishWithinWorkingDays: 20 },
  3: { startWithinHours: 72, finishWithinWorkingDays: 30 },
};

const CHINA_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 24 * 3_600_000;

/**
 * `days` working days (Monday to Friday in China time) after `from`, at the same time of day.
 * Public holidays and their make-up working days (调休) are not modelled: they shift by the
 * State Council's yearly notice, and a deadline a few days early errs on the safe side.
 */
export function addWorkingDays(from: Date, days: number): Date {
  let at = from.getTime();
  let left = days;
  while (left > 0) {
    at += DAY_MS;
    const weekday = new Date(at + CHINA_OFFSET_MS).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return new Date(at);
}

export function dueTimes(level: RecallLevel, openedAt: Date, deadlines: RecallDeadlines = RECALL_DEADLINES) {
  const rule = deadlines[level];
  return {
    startDueAt: new Date(openedAt.getTime() + rule.startWithinHours * 3_600_000),
    finishDueAt: addWorkingDays(openedAt, rule.finishWithinWorkingDays),
  };
}

/** What an open recall is late for at `now`: starting (no holder has acknowledged yet) or finishing. */
export function overdueFor(
  recall: { status: string; startedAt: Date | null; startDueAt: Date; finishDueAt: Date },
  now: Date,
): ('start' | 'finish')[] {
  if (recall.status !== 'open') return [];
  const late: ('start' | 'finish')[] = [];
  if (!recall.startedAt && now > recall.startDueAt) late.push('start');
  if (now > recall.finishDueAt) late.push('finish');
  return late;
}

/** Recovered quantities against affected ones, per unit (kilograms and pieces do not add up). */
export function progressOf(lines: { unit: string; affected: number; recovered: number }[]) {
  const byUnit = new Map<string, { affected: number; recovered: number }>();
  for (const line of lines) {
    const total = byUnit.get(line.unit) ?? { affected: 0, recovered: 0 };
    total.affected += line.affected;
    // a holder reporting more than it was asked for does not make up for another's shortfall
    total.recovered += Math.min(line.recovered, line.affected);
    byUnit.set(line.unit, total);
  }
  const units = [...byUnit]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([unit, total]) => ({
      unit,
      affected: round(total.affected),
      recovered: round(total.recovered),
      share: total.affected > 0 ? round(total.recovered / total.affected) : 1,
    }));
  // with several units, each counts alike: the mean of their shares
  const share = units.length ? round(units.reduce((sum, unit) => sum + unit.share, 0) / units.length) : 1;
  return { share, byUnit: units };
}

const round = (value: number) => Math.round(value * 1000) / 1000;
