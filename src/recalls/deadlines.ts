import { shownShare } from '../codes/shares.js';
import { CONTAINER_UNIT } from '../lots/ledger.js';
// Recall deadlines by level (食品召回管理办法): when a recall must have started on the ground and
// when it must be finished. The one place the default numbers live; the RECALL_DEADLINES setting
// gives the service others (a 2026 revision may tighten the start times). Pure.

export const RECALL_LEVELS = [1, 2, 3] as const;
export type RecallLevel = (typeof RECALL_LEVELS)[number];

/** 一级 / 二级 / 三级: start within hours, finish within working days of the recall being opened. */
export type RecallDeadlines = Record<RecallLevel, { startWithinHours: number; finishWithinWorkingDays: number }>;

export const RECALL_DEADLINES: RecallDeadlines = {
  1: { startWithinHours: 24, finishWithinWorkingDays: 10 },
  2: { startWithinHours: 48, finishWithinWorkingDays: 20 },
  3: { startWithinHours: 72, finishWithinWorkingDays: 30 },
};

/** Limits a configured deadline must stay within: a year of hours, a year of working days. */
const MAX_START_HOURS = 8760;
const MAX_FINISH_WORKING_DAYS = 260;

/**
 * Deadlines from `level=hoursh/daysd` pairs, e.g. `1=24h/10d,2=48h/20d` (d: working days); levels
 * not named keep the defaults. A more serious level (1 is the most serious) may not be given more
 * time than a less serious one. Throws an Error saying what is wrong.
 */
export function parseRecallDeadlines(text: string): RecallDeadlines {
  const deadlines: RecallDeadlines = { ...RECALL_DEADLINES };
  const seen = new Set<number>();
  for (const pair of text.split(',').map((part) => part.trim())) {
    const match = /^([1-9]\d*)=(\d+)h\/(\d+)d$/.exec(pair);
    if (!match) throw new Error(`"${pair}" is not level=<hours>h/<working days>d, e.g. 1=24h/10d`);
    const level = Number(match[1]);
    if (!(RECALL_LEVELS as readonly number[]).includes(level)) {
      throw new Error(`"${pair}": the level must be one of ${RECALL_LEVELS.join(', ')}`);
    }
    if (seen.has(level)) throw new Error(`"${pair}": level ${level} is given twice`);
    seen.add(level);
    const [hours, days] = [Number(match[2]), Number(match[3])];
    if (hours < 1 || hours > MAX_START_HOURS) throw new Error(`"${pair}": the start must be within 1 to ${MAX_START_HOURS} hours`);
    if (days < 1 || days > MAX_FINISH_WORKING_DAYS) {
      throw new Error(`"${pair}": the finish must be within 1 to ${MAX_FINISH_WORKING_DAYS} working days`);
    }
    // n working days are at least n × 24 hours: a start due later than that could come after the finish
    if (hours > days * 24) throw new Error(`"${pair}": the start may not be due after the finish`);
    deadlines[level as RecallLevel] = { startWithinHours: hours, finishWithinWorkingDays: days };
  }
  for (const level of RECALL_LEVELS.slice(1)) {
    const [serious, lesser] = [deadlines[(level - 1) as RecallLevel], deadlines[level]];
    if (serious.startWithinHours > lesser.startWithinHours || serious.finishWithinWorkingDays > lesser.finishWithinWorkingDays) {
      throw new Error(
        `level ${level - 1} (${formatDeadline(serious)}) is more serious than level ${level} (${formatDeadline(lesser)}) and may not have more time`,
      );
    }
  }
  return deadlines;
}

const formatDeadline = (rule: RecallDeadlines[RecallLevel]) => `${rule.startWithinHours}h/${rule.finishWithinWorkingDays}d`;

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

/**
 * Recovered quantities of the product against affected ones, per unit (kilograms and pieces do not
 * add up). A container is no unit of its own: what it holds is counted through the lines of the lots
 * packed in it (a case returned or destroyed recovers their quantities in it). Counted as a unit, a
 * case of 5 pieces returned would weigh as much as all the product, and an empty one too. A line is a
 * container's by what its lot is, whatever unit it was captured in. Only a recall whose scope holds
 * no product (an emptied case) counts its containers, each a unit of its own: a container line then
 * gives how many containers (`affected`) and how many of them are back (`recovered`), and such a
 * recall is not done before they are.
 */
export function progressOf(lines: { unit: string; container: boolean; affected: number; recovered: number }[]) {
  const products = lines.filter((line) => !line.container);
  const counted = products.length > 0 ? products : lines.map((line) => ({ ...line, unit: CONTAINER_UNIT }));
  const byUnit = new Map<string, { affected: number; recovered: number }>();
  for (const line of counted) {
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
      share: total.affected > 0 ? shownShare(total.recovered / total.affected, 3) : 1,
    }));
  // with several units, each counts alike: the mean of their shares
  // as each unit's: a recall short of complete never reads 100 %, one begun never 0 %
  const share = units.length ? shownShare(units.reduce((sum, unit) => sum + unit.share, 0) / units.length, 3) : 1;
  return { share, byUnit: units };
}

/**
 * Of what was recovered from the market, how much is disposed of (destroyed), per unit as progressOf
 * counts them: what holders destroyed where they held it, and what the parties it was returned to
 * destroyed of it (`recovered` 0 on such a line: returned stock was counted recovered where it was
 * held). Destroyed counts no further than recovered; nothing recovered is nothing left to dispose of (1).
 */
export function disposalOf(lines: { unit: string; container: boolean; recovered: number; destroyed: number }[]) {
  const products = lines.filter((line) => !line.container);
  const counted = products.length > 0 ? products : lines.map((line) => ({ ...line, unit: CONTAINER_UNIT }));
  const byUnit = new Map<string, { recovered: number; destroyed: number }>();
  for (const line of counted) {
    const total = byUnit.get(line.unit) ?? { recovered: 0, destroyed: 0 };
    total.recovered += line.recovered;
    total.destroyed += line.destroyed;
    byUnit.set(line.unit, total);
  }
  const units = [...byUnit]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([unit, total]) => {
      const destroyed = Math.min(total.destroyed, total.recovered);
      return {
        unit,
        recovered: round(total.recovered),
        destroyed: round(destroyed),
        share: total.recovered > 0 ? shownShare(destroyed / total.recovered, 3) : 1,
      };
    });
  const share = units.length ? shownShare(units.reduce((sum, unit) => sum + unit.share, 0) / units.length, 3) : 1;
  return { share, byUnit: units };
}

/**
 * Returned stock its receiver has still to destroy: on its way back, or received and not destroyed
 * (what was lost on the way is not), three decimals as the ledger keeps them.
 */
export const stillToDestroy = (line: { sent: number; lost: number; destroyed: number }) => round(line.sent - line.lost - line.destroyed);

const round = (value: number) => Math.round(value * 1000) / 1000;
