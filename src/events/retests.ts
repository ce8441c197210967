// Whether a failed test still stands, as every reader of the event log decides it: the regulators'
// anomalies (failed inspections of lots not on hold), enterprise credit (failed inspections of its
// lots) and the consumer's scan page (a failed test on the pack's chain) share this one rule.
import { type SQL, sql } from 'drizzle-orm';

/** Events that stand: not corrections themselves and not declared in error by one. */
export const live = (alias: SQL) =>
  sql`${alias}.type <> 'correction' and not exists (select 1 from events c where c.corrects_event_id = ${alias}.id)`;

/**
 * Of a standing inspect event `e` that failed the lot `lotCode` (a subject of it): whether it still
 * stands. A standing pass of the same lot and kind of test with a later event time, recorded no
 * earlier (a re-test), supersedes a failure when the party that failed the lot or an independent one
 * (a lab or regulator) recorded it: a lot's owner cannot clear a lab's or regulator's failure with a
 * pass of its own. A pass at the same time settles nothing; a pass declared in error settles nothing.
 */
export const standingFailure = (e: SQL, lotCode: SQL) => sql`${e}.type = 'inspect' and ${e}.payload->'inspection'->>'result' = 'fail'
    and ${live(e)}
    and not exists (select 1 from event_lots rl join events r on r.id = rl.event_id
      where rl.lot_code = ${lotCode} and rl.role = 'subject' and r.type = 'inspect' and r.payload->'inspection'->>'result' = 'pass'
        and r.payload->'inspection'->>'kind' = ${e}.payload->'inspection'->>'kind' and r.event_time > ${e}.event_time
        and r.record_time >= ${e}.record_time and ${live(sql`r`)}
        and (r.party_code = ${e}.party_code or exists (select 1 from parties rp where rp.code = r.party_code and rp.kind in ('lab', 'regulator'))))`;
