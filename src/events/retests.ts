// Whether a failed test still stands, as every reader of the event log decides it: the regulators'
// anomalies (failed inspections whose lot, or a lot made from it, is in circulation unheld), enterprise credit (failed inspections of its
// lots) and the consumer's scan page (a failed test on the pack's chain) share this one rule, and
// read an inspection's kind alike: as its recorder could have said it (inspectionKindAsRead).
import { type SQL, sql } from 'drizzle-orm';
import { INDEPENDENT_TESTERS, INSPECTION_RECORDERS, OWN_INSPECTION_KINDS } from '../access/index.js';
import { anyOf } from '../db/chunk.js';

/** Events that stand: not corrections themselves and not declared in error by one. */
export const live = (alias: SQL) =>
  sql`${alias}.type <> 'correction' and not exists (select 1 from events c where c.corrects_event_id = ${alias}.id)`;

/**
 * The kind a stored inspect event `e` reads as, as inspectionClaimAsRead in src/access reads it: its
 * stored kind where a party of its recorder's kind may record that kind, else its recorder's own kind
 * (an inspection stored before requireInspectionClaim held its kind to its recorder: a processor's
 * third_party reads as self). Built from the tables that rule and that function read, not a copy
 * of them; null where the event stored no kind (an EPCIS inspection seen without a test).
 */
export function inspectionKindAsRead(e: SQL): SQL {
  const stored = sql`${e}.payload->'inspection'->>'kind'`;
  const partyKind = sql`recorder.kind`;
  const own = sql`case ${sql.join(
    Object.entries(OWN_INSPECTION_KINDS.byPartyKind).map(([kind, testKind]) => sql`when ${partyKind} = ${kind} then ${testKind}::text`),
    sql` `,
  )} else ${OWN_INSPECTION_KINDS.otherwise}::text end`;
  const restated = Object.entries(INSPECTION_RECORDERS).flatMap(([kind, { only, never }]) => {
    const refused = [only && sql`not ${anyOf(partyKind, only)}`, never && anyOf(partyKind, never)].filter((when) => when !== undefined);
    return refused.length === 0 ? [] : [sql`when ${stored} = ${kind} and (${sql.join(refused, sql` or `)}) then ${own}`];
  });
  return sql`(select case ${sql.join(restated, sql` `)} else ${stored} end from parties recorder where recorder.code = ${e}.party_code)`;
}

/**
 * Of a standing inspect event `e` that failed the lot `lotCode` (a subject of it): whether it still
 * stands. A standing pass of the same lot and kind of test (as read: inspectionKindAsRead) with a later event time, recorded no
 * earlier (a re-test), supersedes a failure when the party that failed the lot or an independent one
 * (a lab or regulator) recorded it: a lot's owner cannot clear a lab's or regulator's failure with a
 * pass of its own. A pass at the same time settles nothing; a pass declared in error settles nothing.
 */
export const standingFailure = (e: SQL, lotCode: SQL) => sql`${e}.type = 'inspect' and ${e}.payload->'inspection'->>'result' = 'fail'
    and ${live(e)}
    and not exists (select 1 from event_lots rl join events r on r.id = rl.event_id
      where rl.lot_code = ${lotCode} and rl.role = 'subject' and r.type = 'inspect' and r.payload->'inspection'->>'result' = 'pass'
        and ${inspectionKindAsRead(sql`r`)} = ${inspectionKindAsRead(e)} and r.event_time > ${e}.event_time
        and r.record_time >= ${e}.record_time and ${live(sql`r`)}
        and (r.party_code = ${e}.party_code or exists (select 1 from parties rp where rp.code = r.party_code and ${anyOf(sql`rp.kind`, INDEPENDENT_TESTERS)})))`;
