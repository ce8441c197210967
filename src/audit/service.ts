import { type Principal, requireRole } from '../access/index.js';
import type { Db, Transact } from '../db/client.js';
import {
  type AuditKind,
  appendToChains,
  type BrokenLink,
  type ChainHead,
  checkEntry,
  headsDigest,
  type StoredEntry,
  SYSTEM_CHAIN,
} from './chain.js';
import { type AuditRepository, COMPLAINT_BASELINE, type StoredAuditEntry } from './repository.js';

/** Entries read (and re-derived) per round trip while verifying. */
const VERIFY_PAGE = 500;
/** Past every real sequence number: a position after the last entry of a chain. */
const END_OF_CHAIN = 2_147_483_647;
const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** The chain an act is recorded on: the acting party's, or `system` for an admin key (or a key without a party). */
export function chainOf(principal: Principal | null, fallback: string = SYSTEM_CHAIN): string {
  if (principal === null) return fallback;
  return principal.role !== 'admin' && principal.partyCode ? principal.partyCode : SYSTEM_CHAIN;
}

type ChainReport = { chain: string; entries: number; ok: boolean; firstBroken: BrokenLink | null };

type AuditAct = { chain: string; kind: Exclude<AuditKind, 'event'>; subjectId: string; keyId: string | null };

/**
 * The audit log beside the event writer (which chains events itself): records admin and
 * regulator acts in the caller's transaction, verifies chains against the rows as stored now,
 * and exports each day's chain heads.
 */
export function createAuditService(deps: {
  audit: Pick<
    AuditRepository,
    | 'lockHeads'
    | 'append'
    | 'payloadHashes'
    | 'heads'
    | 'page'
    | 'headsBefore'
    | 'complaintMovedWithoutNote'
    | 'complaintsFiledWithoutEntry'
    | 'complaintBaselineRecorded'
    | 'complaintsBeforeLogUnfixed'
  >;
  transaction: Transact;
  now: () => Date;
}) {
  /** One page's payload hashes, derived per kind in one query each. */
  async function derive(entries: StoredAuditEntry[]): Promise<StoredEntry[]> {
    const byKind = new Map<AuditKind, string[]>();
    for (const entry of entries) byKind.set(entry.kind, [...(byKind.get(entry.kind) ?? []), entry.subjectId]);
    const hashes = new Map<AuditKind, Map<string, string>>();
    for (const [kind, ids] of byKind) hashes.set(kind, await deps.audit.payloadHashes(kind, ids));
    return entries.map((entry) => ({ ...entry, derivedPayloadHash: hashes.get(entry.kind)?.get(entry.subjectId) ?? null }));
  }

  /**
   * Records an act inside the transaction that makes it, after its rows are written: the
   * entry hashes those rows as they stand, exactly as verification will read them back.
   */
  async function record(tx: Db, act: AuditAct): Promise<void> {
    const heads = await deps.audit.lockHeads([act.chain], tx);
    const payloadHash = (await deps.audit.payloadHashes(act.kind, [act.subjectId], tx)).get(act.subjectId);
    if (payloadHash === undefined) throw new Error(`${act.kind} ${act.subjectId} is not stored: nothing to record`);
    const chained = appendToChains(heads, [{ ...act, payloadHash, recordedAt: deps.now() }]);
    await deps.audit.append(chained.entries, chained.heads, tx);
  }

  return {
    record,

    /**
     * Records, once, the `complaint.baseline` entry on the system chain: the complaints stored before
     * filings were logged (complaints_before_log, which the migration filled), hashed as they are now,
     * an empty list too. Called by every start right after its migrations, before it takes requests:
     * the list is fixed before anyone could add a forged complaint to it unseen. Asked again once the
     * system chain's head is held, so of instances starting at once only the first records it.
     */
    async recordComplaintBaseline(): Promise<void> {
      if (await deps.audit.complaintBaselineRecorded()) return;
      await deps.transaction(async (tx) => {
        await deps.audit.lockHeads([SYSTEM_CHAIN], tx);
        if (await deps.audit.complaintBaselineRecorded(tx)) return;
        await record(tx, { chain: SYSTEM_CHAIN, kind: 'complaint.baseline', subjectId: COMPLAINT_BASELINE, keyId: null });
      });
    },

    /**
     * Walks every chain (or one) page by page in sequence order, re-deriving each entry's payload
     * from the stored rows; a chain stops at its first broken link. Entries appended after the
     * heads were read are left to the next run.
     */
    async verify(principal: Principal, only?: string): Promise<{ ok: boolean; chains: ChainReport[] }> {
      requireRole(principal, 'audit.verify');
      const heads = new Map((await deps.audit.heads(only)).map((head) => [head.chain, head]));
      const reports = new Map<string, ChainReport>();
      const last = new Map<string, { sequence: number; entryHash: string }>();
      // chains with entries but no head when the heads were read: new since, or their head deleted
      const headless = new Map<string, number>();
      let after = { chain: '', sequence: 0 };
      for (;;) {
        const page = await derive(await deps.audit.page(after, VERIFY_PAGE, only));
        if (page.length === 0) break;
        after = { chain: page[page.length - 1].chain, sequence: page[page.length - 1].sequence };
        for (const entry of page) {
          const head = heads.get(entry.chain);
          if (!head) headless.set(entry.chain, entry.sequence);
          if (!head || entry.sequence > head.sequence) continue;
          const report = reports.get(entry.chain) ?? { chain: entry.chain, entries: 0, ok: true, firstBroken: null };
          reports.set(entry.chain, report);
          report.entries++;
          const broken = checkEntry(last.get(entry.chain) ?? null, entry);
          if (broken) {
            Object.assign(report, { ok: false, firstBroken: broken });
            // the rest of this chain is not read
            after = { chain: entry.chain, sequence: END_OF_CHAIN };
            break;
          }
          last.set(entry.chain, entry);
        }
      }
      for (const head of heads.values()) {
        const report = reports.get(head.chain) ?? { chain: head.chain, entries: 0, ok: true, firstBroken: null };
        reports.set(head.chain, report);
        const reached = last.get(head.chain)?.sequence ?? 0;
        if (report.ok && reached < head.sequence) {
          const problem = { problem: 'head-mismatch' as const, kind: 'head', subjectId: head.chain };
          Object.assign(report, {
            ok: false,
            firstBroken: { ...problem, sequence: reached + 1, detail: `the chain ends at ${reached}, its head is ${head.sequence}` },
          });
        }
      }
      if (headless.size > 0) {
        const current = new Set((await deps.audit.heads(only)).map((head) => head.chain));
        for (const [chain, sequence] of headless) {
          if (current.has(chain)) continue;
          const detail = `the chain has entries up to ${sequence} but no head`;
          reports.set(chain, {
            chain,
            entries: 0,
            ok: false,
            firstBroken: { sequence, kind: 'head', subjectId: chain, problem: 'head-mismatch', detail },
          });
        }
      }
      if (only === undefined || only === SYSTEM_CHAIN) {
        // complaints listed as stored before filings were logged, with no baseline fixing the list: any
        // of them may have been added since, behind the log's back (reported where the baseline would follow)
        const unfixed = await deps.audit.complaintsBeforeLogUnfixed();
        if (unfixed > 0) {
          const report = reports.get(SYSTEM_CHAIN) ?? { chain: SYSTEM_CHAIN, entries: 0, ok: true, firstBroken: null };
          reports.set(SYSTEM_CHAIN, report);
          if (report.ok) {
            Object.assign(report, {
              ok: false,
              firstBroken: {
                sequence: (last.get(SYSTEM_CHAIN)?.sequence ?? 0) + 1,
                kind: 'complaint.baseline',
                subjectId: COMPLAINT_BASELINE,
                problem: 'missing-entry',
                detail: `${COMPLAINT_BASELINE} lists ${unfixed} complaint(s) stored before filings were logged, but no complaint.baseline entry fixes the list`,
              },
            });
          }
        }
        // a complaint moved with no note logged (or, filed since filings are logged, with notes none of
        // which is) has no entry to be found by: reported where the entry recording its move would have
        // followed (on the system chain, which no party's walk reads)
        const moved = await deps.audit.complaintMovedWithoutNote();
        const report = reports.get(SYSTEM_CHAIN) ?? { chain: SYSTEM_CHAIN, entries: 0, ok: true, firstBroken: null };
        if (moved && report.ok) {
          const outcome = moved.outcome === null ? '' : ` (outcome ${moved.outcome})`;
          reports.set(SYSTEM_CHAIN, report);
          Object.assign(report, {
            ok: false,
            firstBroken: {
              sequence: (last.get(SYSTEM_CHAIN)?.sequence ?? 0) + 1,
              kind: 'complaint.transition',
              // the first note, where the filing is logged (every note is, from it); else the note that would have moved it
              subjectId: `${moved.ticket}#${moved.filingLogged ? 0 : moved.notes}`,
              problem: 'missing-entry',
              detail: moved.filingLogged
                ? `complaint ${moved.ticket} is ${moved.status}${outcome} with ${moved.notes} note(s) since its logged filing, none of them logged`
                : `complaint ${moved.ticket} is ${moved.status}${outcome} with ${moved.notes} note(s), none of them logged: no logged note moved it`,
            },
          });
        }
      }
      // a complaint with no entry of its filing that is not one of those stored before filings were
      // logged: reported on the chain that entry would be on, where it would have followed
      for (const filed of await deps.audit.complaintsFiledWithoutEntry(only)) {
        const report = reports.get(filed.chain) ?? { chain: filed.chain, entries: 0, ok: true, firstBroken: null };
        if (!report.ok) continue;
        reports.set(filed.chain, report);
        Object.assign(report, {
          ok: false,
          firstBroken: {
            sequence: (last.get(filed.chain)?.sequence ?? 0) + 1,
            kind: 'complaint.file',
            subjectId: filed.ticket,
            problem: 'missing-entry',
            detail: `complaint ${filed.ticket} (filed ${filed.filedAt} by its row) has no entry of its filing and is not one stored before filings were logged`,
          },
        });
      }
      const chains = [...reports.values()].sort((a, b) => (a.chain < b.chain ? -1 : 1));
      return { ok: chains.every((chain) => chain.ok), chains };
    },

    /** Every chain's head as of the end of a day in China time (UTC+8), and one digest over them all. */
    async headsOf(principal: Principal, date: string) {
      requireRole(principal, 'audit.verify');
      const until = new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS - CHINA_OFFSET_MS);
      const heads = await deps.audit.headsBefore(until);
      const chainHeads: ChainHead[] = heads.map(({ chain, sequence, entryHash }) => ({ chain, sequence, entryHash }));
      return { date, until, heads, digest: headsDigest(date, chainHeads) };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
/** What other services take to record their acts. */
export type AuditRecorder = Pick<AuditService, 'record'>;
