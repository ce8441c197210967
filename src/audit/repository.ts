// The audit log's SQL: locking chain heads, appending entries (also as parts of the event writer's
// one statement), paging through chains, and reading back — from the current rows — the facts
// each kind of entry hashed.
import { type SQL, sql } from 'drizzle-orm';
import { isStorableTime } from '../codes/timestamp.js';
import { type Db, isoMs, queryRows } from '../db/client.js';
import { correctiveEventIdsOf } from '../gs1/event-id.js';
import {
  type AuditEntry,
  type AuditKind,
  type ChainHead,
  type EventFacts,
  eventPayloadHash,
  GENESIS_HASH,
  hashOf,
  SYSTEM_CHAIN,
} from './chain.js';

/** The subject of the one `complaint.baseline` entry. */
export const COMPLAINT_BASELINE = 'complaints_before_log';

const texts = (values: (string | null)[]) => sql`${sql.param(values)}::text[]`;
const integers = (values: number[]) => sql`${sql.param(values)}::integer[]`;
const times = (values: Date[]) => sql`${sql.param(values.map((value) => value.toISOString()))}::timestamptz[]`;
/** A timestamp the database set itself (default now()), to the microsecond. */
const isoUs = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Creates the heads of chains not seen before and locks them all, in chain order, until the end
 * of the transaction: whoever appends to a chain holds its head, so entries follow one another.
 */
export async function lockChainHeads(tx: Db, chains: string[]): Promise<ChainHead[]> {
  const distinct = [...new Set(chains)].sort();
  if (distinct.length === 0) return [];
  return queryRows<ChainHead>(
    tx,
    sql`insert into audit_heads (party_code, sequence, entry_hash)
      select chain, 0, ${GENESIS_HASH} from unnest(${texts(distinct)}) chain order by chain
      on conflict (party_code) do update set sequence = audit_heads.sequence
      returning party_code as chain, sequence, entry_hash as "entryHash"`,
  );
}

/** Data-modifying CTE parts appending entries and moving their chains' heads (none when there are no entries). */
export function appendParts(entries: AuditEntry[], heads: ChainHead[]): SQL[] {
  if (entries.length === 0) return [];
  return [
    sql`new_audit_entries as (insert into audit_entries (party_code, sequence, kind, subject_id, key_id, payload_hash, previous_hash,
      entry_hash, recorded_at)
      select * from unnest(${texts(entries.map((e) => e.chain))}, ${integers(entries.map((e) => e.sequence))},
        ${texts(entries.map((e) => e.kind))}, ${texts(entries.map((e) => e.subjectId))}, ${texts(entries.map((e) => e.keyId))},
        ${texts(entries.map((e) => e.payloadHash))}, ${texts(entries.map((e) => e.previousHash))}, ${texts(entries.map((e) => e.entryHash))},
        ${times(entries.map((e) => e.recordedAt))}))`,
    sql`moved_audit_heads as (update audit_heads h set sequence = v.sequence, entry_hash = v.entry_hash
      from unnest(${texts(heads.map((h) => h.chain))}, ${integers(heads.map((h) => h.sequence))}, ${texts(heads.map((h) => h.entryHash))})
        as v(chain, sequence, entry_hash)
      where h.party_code = v.chain)`,
  ];
}

/**
 * Whether a subject of a kind has an entry on any chain (audit_entries_subject_idx; the kind written
 * out, as that index's condition names it), or is one of those asked for: an act is hashed before its
 * entry is stored, and verification asks for subjects with entries.
 */
const logged = (kind: SQL, subject: SQL, asked: string[]) =>
  sql`(${subject} = any(${texts(asked)}) or exists (select 1 from audit_entries e where e.kind = ${kind} and e.subject_id = ${subject}))`;

/**
 * What each kind of entry covers, read from the rows as they are now, one JSON object per subject.
 * Columns later acts change (a key's revocation, a registration's first-key time) are left to
 * the entries of those acts.
 */
const COVERED: Record<Exclude<AuditKind, 'event'>, (ids: string[]) => SQL> = {
  'party.create': (ids) => sql`select code as id, json_build_object('code', code, 'kind', kind, 'name', name, 'uscc', uscc,
      'regionCode', region_code, 'address', address, 'contact', contact, 'licences', licences, 'gln', gln,
      'gs1CompanyPrefix', gs1_company_prefix, 'createdAt', ${isoUs(sql`created_at`)}) as facts
    from parties where code = any(${texts(ids)})`,
  'api-key.issue': (ids) => sql`select id, json_build_object('id', id, 'keyHash', key_hash, 'keyPrefix', key_prefix, 'role', role,
      'partyCode', party_code, 'label', label, 'createdAt', ${isoUs(sql`created_at`)}) as facts
    from api_keys where id = any(${texts(ids)})`,
  'api-key.revoke': (ids) => sql`select id, json_build_object('id', id, 'revokedAt', ${isoUs(sql`revoked_at`)}) as facts
    from api_keys where id = any(${texts(ids)}) and revoked_at is not null`,
  // master data labels, pages and traces show: the row as registered (no route changes it later)
  'product.create': (ids) => sql`select code as id, json_build_object('code', code, 'partyCode', party_code, 'name', name, 'gtin', gtin,
      'category', category, 'unit', unit, 'shelfLifeDays', shelf_life_days, 'marks', marks, 'description', description,
      'createdAt', ${isoUs(sql`created_at`)}) as facts
    from products where code = any(${texts(ids)})`,
  'location.create': (ids) => sql`select code as id, json_build_object('code', code, 'partyCode', party_code, 'name', name, 'kind', kind,
      'regionCode', region_code, 'address', address, 'latitude', latitude, 'longitude', longitude, 'gln', gln,
      'createdAt', ${isoUs(sql`created_at`)}) as facts
    from locations where code = any(${texts(ids)})`,
  // RFID gates: which party's reader a device key posts for, and which site (and antennas) a read point's reads place goods at
  'rfid.reader': (ids) => sql`select id, json_build_object('id', id, 'partyCode', party_code, 'hostName', host_name, 'serial', serial,
      'name', name, 'apiKeyId', api_key_id, 'createdAt', ${isoUs(sql`created_at`)}) as facts
    from rfid_readers where id = any(${texts(ids)})`,
  'rfid.read-point': (ids) => sql`select p.id, json_build_object('id', p.id, 'partyCode', p.party_code, 'locationCode', p.location_code,
      'name', p.name, 'role', p.role, 'windowSeconds', p.window_seconds, 'bindToCode', p.bind_to_code,
      'createdAt', ${isoUs(sql`p.created_at`)},
      'antennas', (select coalesce(json_agg(json_build_object('readerId', a.reader_id, 'antenna', a.antenna, 'partyCode', a.party_code)
          order by a.reader_id collate "C", a.antenna collate "C"), '[]')
        from rfid_antennas a where a.read_point_id = p.id)) as facts
    from rfid_read_points p where p.id = any(${texts(ids)})`,
  'registration.approve': (ids) => decision(ids),
  'registration.reject': (ids) => decision(ids),
  // a brand created since its acts are logged has every member's every change logged: the changes with no
  // entry of an authorization whose admission has none (slipped in whole, or given logged changes since)
  // break its creation; those of an authorization admitted with an entry break its changes (brand.authorization).
  // So do its authorizations with no logged admission, a row with no change at all among them (none of its
  // entries names it). Its area (region_code), which brands registered before it was kept lack, is left out
  // of their facts as they were hashed
  'brand.create': (ids) => sql`select b.code as id, json_build_object('code', b.code, 'kind', b.kind, 'nameZh', b.name_zh,
      'nameEn', b.name_en, 'partyCode', b.party_code, 'createdAt', ${isoUs(sql`b.created_at`)})::jsonb
      || case when b.region_code is not null then jsonb_build_object('regionCode', b.region_code) else '{}'::jsonb end
      || case when unlogged.ids is not null then jsonb_build_object('changesWithoutEntry', unlogged.ids) else '{}'::jsonb end
      || case when unadmitted.ids is not null then jsonb_build_object('authorizationsWithoutAdmission', unadmitted.ids) else '{}'::jsonb end
      as facts
    from brands b
    left join lateral (select jsonb_agg(u.id order by u.id) as ids from brand_authorizations a
        join brand_authorization_changes u on u.authorization_id = a.id
      where a.brand_code = b.code and not ${logged(sql`'brand.authorization'`, sql`u.id`, [])}
        and not exists (select 1 from brand_authorization_changes l where l.authorization_id = a.id and l.from_state is null
          and ${logged(sql`'brand.authorization'`, sql`l.id`, [])})) unlogged on true
    left join lateral (select jsonb_agg(a.id order by a.id) as ids from brand_authorizations a
      where a.brand_code = b.code and not exists (select 1 from brand_authorization_changes l where l.authorization_id = a.id
        and l.from_state is null and ${logged(sql`'brand.authorization'`, sql`l.id`, [])})) unadmitted on true
    where b.code = any(${texts(ids)})`,
  // when the product joined (added_at, which rows stored before it was kept lack: left out of their facts as they were hashed)
  'brand.product': (ids) => sql`select brand_code || '/' || product_code as id, json_strip_nulls(json_build_object('brandCode', brand_code,
      'productCode', product_code, 'partyCode', party_code, 'addedAt', ${isoMs(sql`added_at`)})) as facts
    from brand_products where brand_code || '/' || product_code = any(${texts(ids)})`,
  // an authorization's changes are append-only; its current state is the last of them. Each keeps the
  // terms badges and label rights are judged by (tier, validity) as of itself: changes recorded before
  // it kept them (tier null) hash without them, as they were hashed. The authorization's row must hold
  // its latest logged change's terms, or that change no longer hashes as recorded. A change with no
  // entry was slipped in behind the log's back, and every change of its authorization names it, as
  // standings read it: any such change of an authorization whose admission (the change from no state)
  // is logged, whatever its row says of when it was recorded; of one admitted before the log covered
  // brands (whose earlier changes have no entry), one recorded no earlier than its first logged change,
  // or after it in the order changes are read in (seq). Each change is from the state the change before
  // it in that order left (the first from none): a change moved out of its order, which no hash covers,
  // breaks the change that no longer follows on from the one before it. The admission also covers the
  // evidence the member showed, kept on the authorization's row (rows admitted before it was kept have none,
  // and hash without it, as they were hashed).
  'brand.authorization': (ids) => sql`select c.id, json_build_object('id', c.id, 'authorizationId', c.authorization_id,
      'brandCode', c.brand_code, 'partyCode', c.party_code, 'fromState', c.from_state, 'toState', c.to_state,
      'effectiveOn', c.effective_on, 'reason', c.reason, 'disposalDeadline', c.disposal_deadline, 'keyId', c.key_id,
      'recordedAt', ${isoMs(sql`c.recorded_at`)})::jsonb
      || case when c.tier is null then '{}'::jsonb
        else jsonb_build_object('tier', c.tier, 'validFrom', c.valid_from, 'validUntil', c.valid_until) end
      || case when c.from_state is null and (a.evidence is not null or a.evidence_note is not null)
        then jsonb_build_object('evidence', coalesce(a.evidence, '[]'::jsonb), 'evidenceNote', a.evidence_note) else '{}'::jsonb end
      || case when c.tier is not null and latest.id = c.id and (a.tier, a.valid_from, a.valid_until) is distinct from (c.tier, c.valid_from, c.valid_until)
        then jsonb_build_object('authorizationTerms', jsonb_build_object('tier', a.tier, 'validFrom', a.valid_from, 'validUntil', a.valid_until))
        else '{}'::jsonb end
      || case when unlogged.ids is not null then jsonb_build_object('changesWithoutEntry', unlogged.ids) else '{}'::jsonb end
      || case when c.from_state is distinct from before.to_state then jsonb_build_object('stateBefore', before.to_state) else '{}'::jsonb end
      as facts
    from brand_authorization_changes c
    left join brand_authorizations a on a.id = c.authorization_id
    left join lateral (select p.to_state from brand_authorization_changes p where p.authorization_id = c.authorization_id and p.seq < c.seq
      order by p.seq desc limit 1) before on true
    left join lateral (select l.id from brand_authorization_changes l where l.authorization_id = c.authorization_id and l.tier is not null
        and ${logged(sql`'brand.authorization'`, sql`l.id`, ids)}
      order by l.seq desc limit 1) latest on true
    left join lateral (select jsonb_agg(u.id order by u.id) as ids from brand_authorization_changes u
      where u.authorization_id = c.authorization_id and not ${logged(sql`'brand.authorization'`, sql`u.id`, ids)}
        and (exists (select 1 from brand_authorization_changes f where f.authorization_id = c.authorization_id and f.from_state is null
            and ${logged(sql`'brand.authorization'`, sql`f.id`, ids)})
          or u.recorded_at >= (select min(f.recorded_at) from brand_authorization_changes f
            where f.authorization_id = c.authorization_id and ${logged(sql`'brand.authorization'`, sql`f.id`, ids)})
          or u.seq > (select min(f.seq) from brand_authorization_changes f
            where f.authorization_id = c.authorization_id and ${logged(sql`'brand.authorization'`, sql`f.id`, ids)}))) unlogged on true
    where c.id = any(${texts(ids)})`,
  // a consumer's complaint as filed (subject: its ticket): what it is about, what it says and when, and
  // its status and outcome as the row has them while it has no note; once it has (or notes that are
  // no list), as every complaint is filed: open, with no outcome. Its notes' entries cover it from its
  // first note, which must have one (see complaintMovedWithoutNote). The consumer's phone and address
  // hash are not what the complaint says
  'complaint.file': (ids) => sql`select ticket as id, json_build_object('ticket', ticket, 'code', item_code, 'lotCode', lot_code,
      'partyCode', party_code, 'category', category, 'text', text, 'filedAt', ${isoUs(sql`created_at`)},
      'status', case when notes = '[]'::jsonb then status else 'open' end,
      'outcome', case when notes = '[]'::jsonb then outcome end) as facts
    from complaints where ticket = any(${texts(ids)})`,
  // a complaint's notes are append-only: the subject is `ticket#n`, its n-th note (and, for the
  // note that resolved it, the outcome). The complaint's status is its last logged note's, and it has
  // no note after that one (notes before the log covered complaints have no entry): or that note no
  // longer hashes as recorded (the public ticket page shows the status)
  'complaint.transition': (ids) => sql`select v.id, json_build_object('ticket', c.ticket, 'note', c.notes -> v.n,
      'outcome', case when c.notes -> v.n ->> 'status' = 'resolved' then c.outcome end)::jsonb
      || case when v.n = last.n and c.status is distinct from c.notes -> v.n ->> 'status'
        then jsonb_build_object('complaintStatus', c.status) else '{}'::jsonb end
      || case when v.n = last.n and jsonb_array_length(c.notes) - 1 > last.n
        then jsonb_build_object('notesWithoutEntry', jsonb_array_length(c.notes) - 1 - last.n) else '{}'::jsonb end as facts
    from (select id, split_part(id, '#', 1) as ticket, split_part(id, '#', 2)::int as n from unnest(${texts(ids)}) id) v
    join complaints c on c.ticket = v.ticket
    -- notes altered into JSON that is no array have none (and hash as no note)
    cross join lateral (select max(n) as n
      from generate_series(0, case when jsonb_typeof(c.notes) = 'array' then jsonb_array_length(c.notes) else 0 end - 1) n
      where ${logged(sql`'complaint.transition'`, sql`c.ticket || '#' || n`, ids)}) last
    where c.notes -> v.n is not null`,
  // the complaints stored before filings were logged (subject: the table's name), which alone verify with
  // no filing entry: how many, and the SHA-256 of their tickets in code-point order, one a line
  'complaint.baseline': (ids) => sql`select v.id, json_build_object('count', (select count(*) from complaints_before_log),
      'tickets', encode(sha256(convert_to(coalesce((select string_agg(b.ticket, E'\n' order by b.ticket collate "C")
        from complaints_before_log b), ''), 'UTF8')), 'hex')) as facts
    from unnest(${texts(ids)}) v(id) where v.id = ${COMPLAINT_BASELINE}`,
  // a recompute run (subject: its time) stores every enterprise's score at that instant
  'credit.recompute': (ids) => sql`select v.id, json_agg(json_build_object('partyCode', s.party_code, 'score', s.score,
      'grade', s.grade, 'periodFrom', ${isoMs(sql`s.period_from`)}, 'periodTo', ${isoMs(sql`s.period_to`)}, 'factors', s.factors)
      order by s.party_code) as facts
    from unnest(${texts(ids)}) v(id) join credit_scores s on s.computed_at = v.id::timestamptz
    group by v.id`,
  // a data migration that booked ledger rows and links for events stored before (subject: its name):
  // the rows it added, which the events' own entries leave out
  'events.restate': (ids) => sql`select v.id, json_build_object(
      'movements', (select coalesce(json_agg(json_build_object('eventId', m.event_id, 'lotCode', m.lot_code, 'partyCode', m.party_code,
          'kind', m.kind, 'quantity', m.quantity::text, 'containerCode', m.container_code)
        order by m.event_id collate "C", m.lot_code collate "C", m.party_code collate "C", m.container_code collate "C", m.kind collate "C", m.quantity), '[]')
        from lot_movements m where m.restated_by = v.id),
      'lots', (select coalesce(json_agg(json_build_object('eventId', l.event_id, 'lotCode', l.lot_code, 'role', l.role, 'quantity', l.quantity::text)
        order by l.event_id collate "C", l.lot_code collate "C", l.role collate "C"), '[]')
        from event_lots l where l.restated_by = v.id)) as facts
    from unnest(${texts(ids)}) v(id)
    where exists (select 1 from lot_movements m where m.restated_by = v.id) or exists (select 1 from event_lots l where l.restated_by = v.id)`,
  // a regulator's dismissal of a flag (subject: its id), append-only: the flag's own row moves on (a new
  // occurrence with new evidence reopens it), the dismissal stays as it was recorded, with the evidence it
  // cleared; dismissals recorded before entries covered that evidence (evidence_audited) hash without it, as they were hashed
  'flag.dismiss': (ids) => sql`select id, json_build_object('id', id, 'code', code, 'kind', kind, 'reason', reason, 'keyId', key_id,
      'dismissedAt', ${isoMs(sql`dismissed_at`)}, 'occurrences', occurrences)::jsonb
      || case when evidence_audited then jsonb_build_object('detail', detail, 'evidence', evidence) else '{}'::jsonb end as facts
    from code_flag_dismissals where id = any(${texts(ids)})`,
  // a regulator's reopening of a dismissed flag by hand (subject: its id), append-only: the dismissal it ended, why, by whom, when
  'flag.reopen': (ids) => sql`select id, json_build_object('id', id, 'code', code, 'kind', kind, 'dismissalId', dismissal_id,
      'reason', reason, 'keyId', key_id, 'reopenedAt', ${isoMs(sql`reopened_at`)}) as facts
    from code_flag_reopenings where id = any(${texts(ids)})`,
  // a brand office's own finding on a misuse flag of its brand (subject: its id), append-only: which brand, what, by whom, when
  'flag.brand-note': (ids) => sql`select id, json_build_object('id', id, 'code', code, 'kind', kind, 'brandCode', brand_code,
      'note', note, 'keyId', key_id, 'notedAt', ${isoMs(sql`noted_at`)}) as facts
    from code_flag_brand_notes where id = any(${texts(ids)})`,
};

/**
 * Ledger lines and links a restatement added to an event after it was stored (restated_by): left
 * out of the event's facts once the restatement's own entry (on the system chain) covers them, and
 * counted with the event's as long as no entry does, so a row marked behind the log's back still
 * breaks the event's hash.
 */
const storedWithEvent = (row: SQL) =>
  sql`(${row}.restated_by is null or not exists (select 1 from audit_entries a
    where a.party_code = ${SYSTEM_CHAIN} and a.kind = 'events.restate' and a.subject_id = ${row}.restated_by))`;

/**
 * The subjects a kind's query can read at all, as its writer names them: a credit run by its time
 * as Date#toISOString writes it (within the storable years), a complaint's note by `ticket#n`. An
 * audit row altered into another form names nothing stored, as does one of a kind no writer
 * records: verification reports it rather than failing on a cast.
 */
const SUBJECT_FORMS: Partial<Record<AuditKind, (id: string) => boolean>> = {
  'credit.recompute': (id) => {
    const time = new Date(id);
    return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(id) && isStorableTime(time) && time.toISOString() === id;
  },
  'complaint.transition': (id) => /^[^#]+#\d{1,9}$/.test(id),
};

function decision(ids: string[]) {
  return sql`select id, json_build_object('id', id, 'uscc', uscc, 'name', name, 'status', status, 'decidedAt', ${isoUs(sql`decided_at`)},
      'decidedBy', decided_by, 'reason', reason, 'partyCode', party_code) as facts
    from registrations where id = any(${texts(ids)}) and status <> 'pending'`;
}

export type StoredAuditEntry = Omit<AuditEntry, 'kind'> & { kind: AuditKind };

export function createAuditRepository(db: Db) {
  return {
    lockHeads: (chains: string[], tx: Db = db) => lockChainHeads(tx, chains),

    async append(entries: AuditEntry[], heads: ChainHead[], tx: Db = db): Promise<void> {
      const parts = appendParts(entries, heads);
      if (parts.length) await queryRows(tx, sql`with ${sql.join(parts, sql`, `)} select 1`);
    },

    /** Each subject's payload hash, derived from its rows as stored now; subjects no longer stored are missing. */
    async payloadHashes(kind: AuditKind, ids: string[], tx: Db = db): Promise<Map<string, string>> {
      const form = SUBJECT_FORMS[kind];
      const readable = form ? ids.filter(form) : ids;
      if (readable.length === 0 || !(kind === 'event' || Object.hasOwn(COVERED, kind))) return new Map();
      if (kind === 'event') {
        const rows = await queryRows<{ id: string; facts: EventFacts; correctiveEventIds: string[] | null }>(tx, eventFacts(readable));
        return new Map(
          rows.map((row) => {
            const hash = eventPayloadHash(row.facts);
            // the corrective eventIDs EQ_correctiveEventID looks up follow from the payload: kept
            // otherwise, what the event is found by is not what it recorded
            return [row.id, namesItsPayload(row) ? hash : hashOf({ hash, correctiveEventIds: row.correctiveEventIds })];
          }),
        );
      }
      const rows = await queryRows<{ id: string; facts: unknown }>(tx, COVERED[kind as keyof typeof COVERED](readable));
      return new Map(rows.map((row) => [row.id, hashOf(row.facts)]));
    },

    /** Whether the `complaint.baseline` entry is recorded (on the system chain). */
    async complaintBaselineRecorded(tx: Db = db): Promise<boolean> {
      const rows = await queryRows(
        tx,
        sql`select 1 from audit_entries where party_code = ${SYSTEM_CHAIN} and kind = 'complaint.baseline' limit 1`,
      );
      return rows.length > 0;
    },

    /** How many complaints complaints_before_log lists while no `complaint.baseline` entry is recorded (0 once one is). */
    async complaintsBeforeLogUnfixed(): Promise<number> {
      const [row] = await queryRows<{ count: number }>(
        db,
        sql`select count(*)::integer as count from complaints_before_log
          where not exists (select 1 from audit_entries where party_code = ${SYSTEM_CHAIN} and kind = 'complaint.baseline')`,
      );
      return row.count;
    },

    /** Chain heads with at least one entry, optionally of one chain. */
    heads(chain?: string): Promise<ChainHead[]> {
      return queryRows<ChainHead>(
        db,
        sql`select party_code as chain, sequence, entry_hash as "entryHash" from audit_heads
          where sequence > 0 ${chain === undefined ? sql`` : sql`and party_code = ${chain}`} order by party_code`,
      );
    },

    /** The next entries after a position, in chain and sequence order, optionally of one chain. */
    async page(after: { chain: string; sequence: number }, limit: number, chain?: string): Promise<StoredAuditEntry[]> {
      const rows = await queryRows<Omit<StoredAuditEntry, 'recordedAt'> & { recordedAt: string }>(
        db,
        sql`select party_code as chain, sequence, kind, subject_id as "subjectId", key_id as "keyId", payload_hash as "payloadHash",
          previous_hash as "previousHash", entry_hash as "entryHash", ${isoMs(sql`recorded_at`)} as "recordedAt"
        from audit_entries
        where (party_code, sequence) > (${after.chain}, ${after.sequence}) ${chain === undefined ? sql`` : sql`and party_code = ${chain}`}
        order by party_code, sequence limit ${limit}`,
      );
      return rows.map((row) => ({ ...row, recordedAt: new Date(row.recordedAt) }));
    },

    /**
     * The first complaint (by ticket) moved on from where its notes leave it (a status other than its
     * last note's, or open without notes; an outcome while not resolved) with none of its notes
     * logged: only a regulator's note moves a complaint, so no entry covers it to find it by.
     * Complaints with a logged note are left to those notes' entries. One whose filing is logged has
     * every note logged from its first (`ticket#0`), and its filing's entry covers it while it has no
     * note: it is found here with a note (or notes that are no list) but no first note logged, as a
     * resolution forged with a note of its own is (`filingLogged`).
     */
    async complaintMovedWithoutNote(): Promise<
      { ticket: string; notes: number; status: string; outcome: string | null; filingLogged: boolean } | undefined
    > {
      const [row] = await queryRows<{ ticket: string; notes: number; status: string; outcome: string | null; filingLogged: boolean }>(
        db,
        sql`select c.ticket, n.count as notes, c.status, c.outcome, f.logged as "filingLogged" from complaints c
          cross join lateral (select case when jsonb_typeof(c.notes) = 'array' then jsonb_array_length(c.notes) else 0 end as count) n
          cross join lateral (select exists (select 1 from audit_entries e where e.kind = 'complaint.file' and e.subject_id = c.ticket) as logged) f
          where case when f.logged then c.notes <> '[]'::jsonb and not ${logged(sql`'complaint.transition'`, sql`c.ticket || '#0'`, [])}
            else (c.status is distinct from coalesce(case when n.count > 0 then c.notes -> (n.count - 1) ->> 'status' end, 'open')
                or (c.outcome is not null and c.status <> 'resolved'))
              and not exists (select 1 from generate_series(0, n.count - 1) i where ${logged(sql`'complaint.transition'`, sql`c.ticket || '#' || i`, [])})
            end
          order by c.ticket limit 1`,
      );
      return row;
    },

    /**
     * Per chain (of one, if given), the first complaint (by ticket) whose filing has no entry and that is
     * not one of those stored before filings were logged (complaints_before_log, listed once by the
     * migration that added it and hashed by the `complaint.baseline` entry; not its row's filing time,
     * which is the row's to say): slipped in behind the log's back, with no entry to be found by. The
     * old ones are judged by their notes' entries alone. The chain is the one its filing's entry would be on.
     */
    complaintsFiledWithoutEntry(chain?: string): Promise<{ chain: string; ticket: string; filedAt: string }[]> {
      return queryRows(
        db,
        sql`select distinct on (c.chain) c.chain, c.ticket, ${isoUs(sql`c.created_at`)} as "filedAt"
          from (select coalesce(party_code, ${SYSTEM_CHAIN}) as chain, ticket, created_at from complaints) c
          where not exists (select 1 from complaints_before_log b where b.ticket = c.ticket)
            and not exists (select 1 from audit_entries e where e.kind = 'complaint.file' and e.subject_id = c.ticket)
            ${chain === undefined ? sql`` : sql`and c.chain = ${chain}`}
          order by c.chain, c.ticket`,
      );
    },

    /** Each chain's last entry recorded before `until`. */
    headsBefore(until: Date): Promise<(ChainHead & { recordedAt: string })[]> {
      return queryRows(
        db,
        sql`select h.party_code as chain, e.sequence, e.entry_hash as "entryHash", ${isoMs(sql`e.recorded_at`)} as "recordedAt"
        from audit_heads h cross join lateral (
          select sequence, entry_hash, recorded_at from audit_entries e
          where e.party_code = h.party_code and e.recorded_at < ${until.toISOString()}::timestamptz
          order by e.recorded_at desc, e.sequence desc limit 1) e
        order by h.party_code`,
      );
    },
  };
}

/**
 * Whether an event's corrective eventIDs are those its payload names (each once, as the writer and
 * migration 0037 keep them): the column is not hashed itself, so that entries recorded before it
 * existed still verify.
 */
function namesItsPayload(row: { facts: EventFacts; correctiveEventIds: string[] | null }): boolean {
  // a payload altered into JSON that is no object names none (and no longer hashes as recorded)
  const payload = typeof row.facts.payload === 'object' && row.facts.payload !== null ? row.facts.payload : {};
  const named = new Set(correctiveEventIdsOf(payload as Record<string, unknown>) ?? []);
  const kept = new Set(row.correctiveEventIds ?? []);
  return named.size === kept.size && [...named].every((id) => kept.has(id));
}

/** Events as the writer hashed them: the row, its ledger lines and its lots in their roles. */
function eventFacts(ids: string[]): SQL {
  return sql`select e.id, json_build_object('id', e.id, 'type', e.type, 'eventTime', ${isoMs(sql`e.event_time`)},
      'eventTimeZoneOffset', e.event_time_zone_offset, 'recordTime', ${isoMs(sql`e.record_time`)}, 'partyCode', e.party_code,
      'bizStep', e.biz_step, 'disposition', e.disposition, 'readPoint', e.read_point, 'bizLocation', e.biz_location,
      'referenceDocuments', e.reference_documents, 'payload', e.payload, 'correctsEventId', e.corrects_event_id,
      'epcisType', e.epcis_type, 'transformationId', e.transformation_id,
      'movements', (select coalesce(json_agg(json_build_object('lotCode', m.lot_code, 'partyCode', m.party_code, 'kind', m.kind,
          'quantity', m.quantity::text, 'containerCode', m.container_code)), '[]')
        from lot_movements m where m.event_id = e.id and ${storedWithEvent(sql`m`)}),
      'lots', (select coalesce(json_agg(json_build_object('lotCode', l.lot_code, 'role', l.role, 'quantity', l.quantity::text)), '[]')
        from event_lots l where l.event_id = e.id and ${storedWithEvent(sql`l`)})) as facts,
      e.corrective_event_ids as "correctiveEventIds"
    from events e where e.id = any(${texts(ids)})`;
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
