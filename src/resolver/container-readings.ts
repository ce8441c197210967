// Which of the readings taken on containers belong to a lot's cold chain: those taken while the lot
// lay in the container. Pure.
import type { Trace } from '../trace/schemas.js';

type TraceEvent = Trace['events'][number];
/** From and to in milliseconds, both included; `to` is Infinity while the lot still lies in the container. */
type Period = { from: number; to: number };
type Reading = { time?: unknown };

const ALWAYS: Period[] = [{ from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY }];

/** The periods both lists share. */
function intersect(a: Period[], b: Period[]): Period[] {
  return a.flatMap((x) =>
    b.flatMap((y) =>
      Math.max(x.from, y.from) <= Math.min(x.to, y.to) ? [{ from: Math.max(x.from, y.from), to: Math.min(x.to, y.to) }] : [],
    ),
  );
}

const within = (periods: Period[], time: number) => periods.some((period) => period.from <= time && time <= period.to);

/**
 * When each lot lay directly in each container, by child then container: from the packing (aggregate) that put it in
 * to the unpacking (disaggregate) that took it out, or open while nothing has. Events declared in error are left out,
 * so an unpacking declared in error leaves the lot in the container, as the ledger does.
 */
function directPeriods(events: TraceEvent[]): Map<string, Map<string, Period[]>> {
  const periods = new Map<string, Map<string, Period[]>>();
  const opened = new Map<string, number>();
  const packings = events
    .filter((event) => (event.type === 'aggregate' || event.type === 'disaggregate') && !event.declaredInErrorBy)
    .sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime());
  for (const event of packings) {
    const parent = event.lots.find((lot) => lot.role === 'parent')?.lotCode;
    if (parent === undefined) continue;
    const time = event.eventTime.getTime();
    for (const { lotCode: child } of event.lots.filter((lot) => lot.role === 'child')) {
      const key = `${child} ${parent}`;
      const since = opened.get(key);
      if (event.type === 'aggregate') {
        if (since === undefined) opened.set(key, time);
        continue;
      }
      if (since === undefined) continue;
      opened.delete(key);
      const byParent = periods.get(child) ?? new Map<string, Period[]>();
      byParent.set(parent, [...(byParent.get(parent) ?? []), { from: since, to: time }]);
      periods.set(child, byParent);
    }
  }
  for (const [key, since] of opened) {
    const [child, parent] = key.split(' ');
    const byParent = periods.get(child) ?? new Map<string, Period[]>();
    byParent.set(parent, [...(byParent.get(parent) ?? []), { from: since, to: Number.POSITIVE_INFINITY }]);
    periods.set(child, byParent);
  }
  return periods;
}

/**
 * When the lot lay in each container it was ever packed in, up to `levels` deep: in a case, while it lay in the case;
 * on the pallet the case was put on, while it lay in the case and the case on the pallet.
 */
export function containedPeriods(events: TraceEvent[], lotCode: string, levels: number): Map<string, Period[]> {
  const direct = directPeriods(events);
  const contained = new Map<string, Period[]>([[lotCode, ALWAYS]]);
  let level = [lotCode];
  for (let depth = 1; depth <= levels && level.length > 0; depth++) {
    const next = new Set<string>();
    for (const child of level) {
      for (const [parent, periods] of direct.get(child) ?? []) {
        if (parent === lotCode) continue;
        const shared = intersect(contained.get(child) ?? [], periods);
        if (shared.length === 0) continue;
        contained.set(parent, [...(contained.get(parent) ?? []), ...shared]);
        next.add(parent);
      }
    }
    level = [...next];
  }
  contained.delete(lotCode);
  return contained;
}

/**
 * The observations of the containers the lot lay in, among `events` (a forward trace's), with the readings taken while
 * it lay there: a reading at its own time, else at the observation's. An observation none of whose readings were taken
 * then is left out, as is one without readings made while the lot was elsewhere.
 */
export function containerReadings(events: TraceEvent[], lotCode: string, levels: number): TraceEvent[] {
  const contained = containedPeriods(events, lotCode, levels);
  if (contained.size === 0) return [];
  return events.flatMap((event) => {
    if (event.type !== 'observe' || event.declaredInErrorBy) return [];
    const periods = event.lots.flatMap((lot) => contained.get(lot.lotCode) ?? []);
    if (periods.length === 0) return [];
    const readings = event.details.readings;
    if (!Array.isArray(readings) || readings.length === 0) return within(periods, event.eventTime.getTime()) ? [event] : [];
    const taken = (readings as Reading[]).filter((reading) => {
      const time = typeof reading.time === 'string' ? Date.parse(reading.time) : Number.NaN;
      return within(periods, Number.isNaN(time) ? event.eventTime.getTime() : time);
    });
    if (taken.length === 0) return [];
    return [taken.length === readings.length ? event : { ...event, details: { ...event.details, readings: taken } }];
  });
}
