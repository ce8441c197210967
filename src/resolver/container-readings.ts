// Which of the readings taken on containers belong to a lot's cold chain: those taken while the lot
// lay in the container, by a party then answering for it. Pure.
import type { Dated, PackingLink } from '../lineage/repository.js';
import type { Trace } from '../trace/schemas.js';

type TraceEvent = Trace['events'][number];
/** From and to in milliseconds, both included; `to` is Infinity while the lot still lies in the container. */
export type Period = { from: number; to: number };
type Reading = { time?: unknown };

const ALWAYS: Period[] = [{ from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY }];

/** The same times as `periods`, sorted and with overlapping periods merged: what `intersect` and `within` read. */
export function merged(periods: Period[]): Period[] {
  const sorted = [...periods].sort((a, b) => a.from - b.from);
  const result: Period[] = [];
  for (const period of sorted) {
    const last = result.at(-1);
    if (last && period.from <= last.to) last.to = Math.max(last.to, period.to);
    else result.push({ ...period });
  }
  return result;
}

/** The times both lists share, each list merged (see `merged`): one sweep through both. */
export function intersect(a: Period[], b: Period[]): Period[] {
  const shared: Period[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = Math.max(a[i].from, b[j].from);
    const to = Math.min(a[i].to, b[j].to);
    if (from <= to) shared.push({ from, to });
    // the period ending first shares nothing with what follows in the other list
    if (a[i].to < b[j].to) i++;
    else j++;
  }
  return shared;
}

/** The index of the last of `list` (sorted by `from`) starting by `time`, or -1: a binary search. */
function lastStartingBy(list: readonly { from: number }[], time: number): number {
  let low = 0;
  let high = list.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (list[middle].from <= time) low = middle + 1;
    else high = middle - 1;
  }
  return high;
}

/** Whether the time falls in one of the merged periods. */
function within(periods: Period[], time: number): boolean {
  const last = lastStartingBy(periods, time);
  return last >= 0 && time <= periods[last].to;
}

const live = (event: TraceEvent) => !event.declaredInErrorBy;

/**
 * Receipts in the order the writer took them: by record time, and among a batch's (which share one)
 * by event time. Event ids say nothing of the order (a native one is random, an EPCIS one the sender's).
 */
const recordOrder = (a: TraceEvent, b: TraceEvent) =>
  a.recordTime.getTime() - b.recordTime.getTime() || a.eventTime.getTime() - b.eventTime.getTime();

function add<K, V>(map: Map<K, V[]>, key: K, values: V[]) {
  const list = map.get(key);
  if (list) list.push(...values);
  else map.set(key, [...values]);
}

/** An event's time and its record time, in milliseconds (a batch's events share one record time). */
type Moment = { at: number; recordedAt: number };

const moment = ({ at, recordedAt }: Dated): Moment => ({ at: at.getTime(), recordedAt: recordedAt.getTime() });

/** Events in the order they happened: by event time, and at one time by record time. */
const happenedOrder = (a: Moment, b: Moment) => a.at - b.at || a.recordedAt - b.recordedAt;

/** The index of the first of `sorted` (in happenedOrder) that `passes`, all after it passing too, or its length: a binary search. */
function firstPassing(sorted: readonly Moment[], passes: (moment: Moment) => boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (passes(sorted[middle])) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * For each packing of `packings`, the index of the first of `unpackings` (in happenedOrder) dated at or after it and
 * recorded after it, or the unpackings' length. The packings are taken in record order and the unpackings recorded
 * by then set aside, each pointing on to the next (path-halved), so each query skips them in near-constant time.
 */
function firstRecordedAfter(unpackings: readonly Moment[], packings: readonly Moment[]): number[] {
  const next = Array.from({ length: unpackings.length + 1 }, (_, index) => index);
  const find = (index: number) => {
    let found = index;
    while (next[found] !== found) {
      next[found] = next[next[found]];
      found = next[found];
    }
    return found;
  };
  const byRecord = unpackings.map((_, index) => index).sort((a, b) => unpackings[a].recordedAt - unpackings[b].recordedAt);
  const ends = new Array<number>(packings.length);
  let setAside = 0;
  for (const index of packings.map((_, index) => index).sort((a, b) => packings[a].recordedAt - packings[b].recordedAt)) {
    const packing = packings[index];
    while (setAside < byRecord.length && unpackings[byRecord[setAside]].recordedAt <= packing.recordedAt) {
      next[byRecord[setAside]] = byRecord[setAside] + 1;
      setAside++;
    }
    ends[index] = find(firstPassing(unpackings, (unpacking) => unpacking.at >= packing.at));
  }
  return ends;
}

/**
 * When a lot lay in one container, from its packing links there (unmerged): see directPeriods. The unpackings are
 * taken once each, in happenedOrder (several links ended by one, or a batch's at one time, are one), so the work
 * grows as n log n in the links.
 */
function periodsInContainer(links: readonly PackingLink[]): Period[] {
  const ended: { from: Moment; by: Moment }[] = [];
  const inForce: Moment[] = [];
  for (const link of links) {
    if (link.unpacking) ended.push({ from: moment(link.packing), by: moment(link.unpacking) });
    else inForce.push(moment(link.packing));
  }
  const unpackings = ended
    .map((link) => link.by)
    .sort(happenedOrder)
    .filter((unpacking, index, sorted) => index === 0 || happenedOrder(sorted[index - 1], unpacking) !== 0);
  const time = (index: number) => unpackings[index]?.at ?? Number.POSITIVE_INFINITY;
  const periods: Period[] = [];
  // whether some period ends at the unpacking: by event time it took out what lay there
  const endsOne = new Array<boolean>(unpackings.length).fill(false);
  firstRecordedAfter(unpackings, inForce).forEach((end, index) => {
    periods.push({ from: inForce[index].at, to: time(end) });
    if (end < unpackings.length) endsOne[end] = true;
  });
  // by the unpacking that ended them, each with the first unpacking after it in event time (that one at the latest)
  const endedBy = unpackings.map(() => [] as { from: number; first: number }[]);
  for (const { from, by } of ended) {
    // an unpacking dated before the packing it ended (stored before such were refused) leaves no period
    if (by.at < from.at) continue;
    const own = firstPassing(unpackings, (unpacking) => happenedOrder(unpacking, by) >= 0);
    const after = firstPassing(unpackings, (unpacking) => happenedOrder(unpacking, from) > 0);
    const first = Math.min(own, after);
    endedBy[own].push({ from: from.at, first });
    if (first === own) endsOne[own] = true;
  }
  // a period ends at an earlier unpacking than its own only once one ends at its own: from the last back, each
  // unpacking is settled before the packings of the earlier ones are
  for (let own = unpackings.length - 1; own >= 0; own--) {
    const tookOutSome = endsOne[own];
    for (const { from, first } of endedBy[own]) {
      const end = tookOutSome ? first : own;
      endsOne[end] = true;
      periods.push({ from, to: time(end) });
    }
  }
  return periods;
}

/**
 * When each lot lay directly in each container, by child then container (merged), from the packing
 * links as the ledger keeps them (see PackingLink; a link of a packing declared in error is none, one
 * an unpacking declared in error ended is open again). An unpacking takes out all of the lot the
 * container holds: a packing's period ends at the first unpacking of the lot from the container that
 * came after it in event time (at one time, in record order), whichever links it ended (a link left
 * in force past it, by a packing captured late or a batch stored before the writer ended every
 * packing, is ended by a later one too), and at the latest at the one that ended it, so long as some
 * period of the lot there (by this same rule) ends at that one. If none does, that one took out what
 * the ledger held there, and the packing lies there until it: where the events disagree, the readings
 * count. A packing still in force ends only at an unpacking recorded after it (the one that
 * ended it was declared in error, and a later one took the lot out with the rest): one recorded before
 * it, though dated after it, took out none of what it packed, and the ledger holds the lot there since.
 */
export function directPeriods(links: readonly PackingLink[]): Map<string, Map<string, Period[]>> {
  const byPair = new Map<string, Map<string, PackingLink[]>>();
  for (const link of links) {
    const byParent = byPair.get(link.childCode) ?? new Map<string, PackingLink[]>();
    add(byParent, link.parentCode, [link]);
    byPair.set(link.childCode, byParent);
  }
  const found = new Map<string, Map<string, Period[]>>();
  for (const [child, byParent] of byPair) {
    const periods = new Map<string, Period[]>();
    for (const [parent, pairLinks] of byParent) {
      const inContainer = periodsInContainer(pairLinks);
      if (inContainer.length > 0) periods.set(parent, merged(inContainer));
    }
    if (periods.size > 0) found.set(child, periods);
  }
  return found;
}

/**
 * When the lot lay in each container it was ever packed in, up to `levels` deep (merged), by the
 * packing links of the lot and of those containers (`links`): in a case, while it lay in the case; on
 * the pallet the case was put on, while it lay in the case and the case on the pallet.
 */
export function containedPeriods(links: readonly PackingLink[], lotCode: string, levels: number): Map<string, Period[]> {
  const direct = directPeriods(links);
  const contained = new Map<string, Period[]>([[lotCode, ALWAYS]]);
  let level = [lotCode];
  for (let depth = 1; depth <= levels && level.length > 0; depth++) {
    const reached = new Map<string, Period[]>();
    for (const child of level) {
      for (const [parent, periods] of direct.get(child) ?? []) {
        if (parent === lotCode) continue;
        const shared = intersect(contained.get(child) ?? [], periods);
        if (shared.length > 0) add(reached, parent, shared);
      }
    }
    for (const [parent, periods] of reached) contained.set(parent, merged([...(contained.get(parent) ?? []), ...periods]));
    level = [...reached.keys()];
  }
  contained.delete(lotCode);
  return contained;
}

/**
 * Who answered for each container when: its maker (the party that made it, `makers`) from the first,
 * then each receiver from its receipt, as the ledger moves it. A shipment leaves it with the sender
 * (its maker or last receiver) until received; packing into it or unpacking it hands it to no one, nor
 * does a ship event that opened no shipment (an EPCIS sighting of what the party had already sent on).
 * Receipts follow one another in the order they were recorded: one dated before the receipt recorded
 * ahead of it (its maker may ship what came back to it under any earlier date) begins when that one
 * did. By container, each holder from its time on, in time order.
 */
export function containerHolders(
  events: TraceEvent[],
  makers: ReadonlyMap<string, string>,
): Map<string, { from: number; partyCode: string }[]> {
  const holders = new Map<string, { from: number; partyCode: string }[]>();
  for (const [code, partyCode] of makers) holders.set(code, [{ from: Number.NEGATIVE_INFINITY, partyCode }]);
  const receipts = events.filter((event) => event.type === 'receive' && live(event) && typeof event.details.shipmentId === 'string');
  for (const event of receipts.sort(recordOrder)) {
    // a line received at 0 was lost on the way: the receiver never held it
    for (const { lotCode } of event.lots.filter((lot) => lot.role === 'subject' && lot.quantity !== 0)) {
      const list = holders.get(lotCode) ?? [];
      const from = Math.max(event.eventTime.getTime(), list.at(-1)?.from ?? Number.NEGATIVE_INFINITY);
      list.push({ from, partyCode: event.partyCode });
      holders.set(lotCode, list);
    }
  }
  return holders;
}

/** The party answering for the container at the time: the last to take it by then, if any did. */
function holderAt(holders: { from: number; partyCode: string }[] | undefined, time: number): string | undefined {
  return holders?.[lastStartingBy(holders, time)]?.partyCode;
}

/**
 * The observations of the containers the lot lay in, among `events` (a forward trace's), with the
 * readings that count: taken (a reading at its own time, else at the observation's) while the lot lay
 * there, as `links` (the lot's packing links and its containers', see containedPeriods) say, and
 * recorded by the lot's owner or by the party then answering for the container (see
 * containerHolders); `makers` names the party that made each lot of the trace, the lot's owner among
 * them. Whoever made a container may observe it after it has changed hands, and the lots packed into
 * it since are not theirs to report on. An observation none of whose readings count is left out, as
 * is one without readings made while the lot was elsewhere or by another party.
 */
export function containerReadings(
  events: TraceEvent[],
  links: readonly PackingLink[],
  lotCode: string,
  makers: ReadonlyMap<string, string>,
  levels: number,
): TraceEvent[] {
  const contained = containedPeriods(links, lotCode, levels);
  if (contained.size === 0) return [];
  const ownerCode = makers.get(lotCode);
  const holders = containerHolders(events, makers);
  return events.flatMap((event) => {
    if (event.type !== 'observe' || !live(event)) return [];
    const containers = event.lots.filter((lot) => contained.has(lot.lotCode)).map((lot) => lot.lotCode);
    if (containers.length === 0) return [];
    const counts = (time: number) =>
      containers.some(
        (code) =>
          within(contained.get(code) as Period[], time) &&
          (event.partyCode === ownerCode || holderAt(holders.get(code), time) === event.partyCode),
      );
    const readings = event.details.readings;
    if (!Array.isArray(readings) || readings.length === 0) return counts(event.eventTime.getTime()) ? [event] : [];
    const taken = (readings as Reading[]).filter((reading) => {
      const time = typeof reading.time === 'string' ? Date.parse(reading.time) : Number.NaN;
      return counts(Number.isNaN(time) ? event.eventTime.getTime() : time);
    });
    if (taken.length === 0) return [];
    return [taken.length === readings.length ? event : { ...event, details: { ...event.details, readings: taken } }];
  });
}
