import { type Principal, requireCreditReader, requireRole } from '../access/index.js';
import { type AuditRecorder, chainOf } from '../audit/service.js';
import type { Transact } from '../db/client.js';
import { notFound } from '../errors/problem.js';
import type { FiguresRepository } from '../figures/repository.js';
import { lotsWithGaps } from '../figures/service.js';
import type { YieldAllowances } from '../lots/ledger.js';
import type { ScansRepository } from '../scans/repository.js';
import type { CountsByParty, CreditRepository, CreditScoreRow, Period } from './repository.js';
import {
  CREDIT_FORMULA,
  CREDIT_PERIOD_DAYS,
  type CreditFactorKey,
  type CreditGrade,
  creditScore,
  GRADE_THRESHOLDS,
  LATE_RECORD_HOURS,
  UNRECEIVED_AFTER_DAYS,
} from './score.js';

const DAY_MS = 86_400_000;

/**
 * Enterprise credit: each party's factor counts over the last 365 days, scored by the pure formula
 * in score.ts, on demand; a recompute run (asked for by a regulator, or on the server's timer)
 * stores every enterprise's score as history.
 */
export function createCreditService(deps: {
  credit: Pick<
    CreditRepository,
    | 'enterprises'
    | 'failedInspections'
    | 'upheldComplaints'
    | 'recallsByLevel'
    | 'unreceivedShipments'
    | 'lateRecords'
    | 'insertScores'
    | 'history'
    | 'latestGrade'
  >;
  figures: Pick<FiguresRepository, 'ledgers' | 'transformations'>;
  scans: Pick<ScansRepository, 'countBrandMisuseByParty'>;
  transaction: Transact;
  audit: AuditRecorder;
  yieldAllowances: YieldAllowances;
  now: () => Date;
  log?: { error: (object: object, message: string) => void };
}) {
  async function massBalanceGaps(period: Period, partyCode?: string): Promise<CountsByParty> {
    // weighed among the lots whose books may not close (every other lot's gap is 0), as the regulators' gap list is
    const ledgers = await deps.figures.ledgers({ createdIn: period, partyCode, mayNotClose: true });
    if (ledgers.length === 0) return new Map();
    // for one party only the transformations that touched its lots can have made them
    const transformations = await deps.figures.transformations(partyCode ? { lotCodes: ledgers.map((lot) => lot.code) } : {});
    const counts = new Map<string, number>();
    for (const lot of lotsWithGaps(ledgers, transformations, deps.yieldAllowances)) {
      counts.set(lot.partyCode, (counts.get(lot.partyCode) ?? 0) + 1);
    }
    return counts;
  }

  /** How often each factor occurred per party in the period: one count source per factor. */
  async function factorCounts(period: Period, partyCode?: string): Promise<Record<CreditFactorKey, CountsByParty>> {
    const shippedBefore = new Date(period.to.getTime() - UNRECEIVED_AFTER_DAYS * DAY_MS);
    const [failed, complaints, recalls, gaps, unreceived, late, misuse] = await Promise.all([
      deps.credit.failedInspections(period, partyCode),
      deps.credit.upheldComplaints(period, partyCode),
      deps.credit.recallsByLevel(period, partyCode),
      massBalanceGaps(period, partyCode),
      deps.credit.unreceivedShipments(period, shippedBefore, partyCode),
      deps.credit.lateRecords(period, LATE_RECORD_HOURS, partyCode),
      deps.scans.countBrandMisuseByParty(period, partyCode),
    ]);
    const none = new Map<string, number>();
    return {
      failed_inspections: failed,
      upheld_complaints: complaints,
      recalls_level_1: recalls.get(1) ?? none,
      recalls_level_2: recalls.get(2) ?? none,
      recalls_level_3: recalls.get(3) ?? none,
      mass_balance_gaps: gaps,
      unreceived_shipments: unreceived,
      late_records: late,
      brand_misuse: misuse,
    };
  }

  /** The scores of every enterprise (or the one named) over the 365 days up to `computedAt`. */
  async function scores(computedAt: Date, partyCode?: string) {
    const period = { from: new Date(computedAt.getTime() - CREDIT_PERIOD_DAYS * DAY_MS), to: computedAt };
    const [enterprises, counts] = await Promise.all([deps.credit.enterprises(partyCode), factorCounts(period, partyCode)]);
    return enterprises.map((party) => {
      const ofParty = Object.fromEntries(Object.entries(counts).map(([key, byParty]) => [key, byParty.get(party.code) ?? 0]));
      return {
        partyCode: party.code,
        name: party.name,
        kind: party.kind,
        computedAt,
        periodFrom: period.from,
        periodTo: period.to,
        ...creditScore(ofParty),
      };
    });
  }

  /** Scores every enterprise and stores the run, on the audit chain of whoever asked (the timer: `system`). */
  async function recompute(by: Principal | null) {
    const computedAt = deps.now();
    const computed = await scores(computedAt);
    const stored = (rows: CreditScoreRow[]) =>
      deps.transaction(async (tx) => {
        await deps.credit.insertScores(rows, tx);
        if (rows.length === 0) return;
        const subjectId = computedAt.toISOString();
        await deps.audit.record(tx, { chain: chainOf(by), kind: 'credit.recompute', subjectId, keyId: by?.keyId ?? null });
      });
    await stored(
      computed.map(
        (row): CreditScoreRow => ({
          partyCode: row.partyCode,
          computedAt: row.computedAt,
          periodFrom: row.periodFrom,
          periodTo: row.periodTo,
          score: row.score,
          grade: row.grade,
          factors: row.factors.map(({ key, count, weight, cap, contribution }) => ({ key, count, weight, cap, contribution })),
        }),
      ),
    );
    const grades = Object.fromEntries(GRADE_THRESHOLDS.map(({ grade }) => [grade, 0])) as Record<CreditGrade, number>;
    for (const row of computed) grades[row.grade] += 1;
    return { computedAt, enterprises: computed.length, grades };
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  return {
    /** One enterprise's score now, each factor with its count and contribution. */
    async get(principal: Principal, partyCode: string) {
      requireCreditReader(principal, partyCode);
      const [score] = await scores(deps.now(), partyCode);
      if (!score) throw notFound(`no enterprise ${partyCode} (labs and regulators have no credit score)`);
      return { ...score, formula: CREDIT_FORMULA, thresholds: [...GRADE_THRESHOLDS] };
    },

    /** Every enterprise's score now, the lowest first; only those of one grade when asked. */
    async list(principal: Principal, grade?: CreditGrade) {
      requireRole(principal, 'credit.list');
      return (await scores(deps.now()))
        .filter((row) => grade === undefined || row.grade === grade)
        .sort((a, b) => a.score - b.score || a.partyCode.localeCompare(b.partyCode));
    },

    /** Scores every enterprise now and stores the scores as history. */
    async recompute(principal: Principal) {
      requireRole(principal, 'credit.recompute');
      return recompute(principal);
    },

    /** The stored scores of an enterprise, the newest first; 404 for a code no enterprise has, as its score is. */
    async history(principal: Principal, partyCode: string, limit: number) {
      requireCreditReader(principal, partyCode);
      const rows = await deps.credit.history(partyCode, limit);
      // scores are stored only for enterprises: only no history at all asks whether there is one
      if (rows.length === 0 && (await deps.credit.enterprises(partyCode)).length === 0) {
        throw notFound(`no enterprise ${partyCode} (labs and regulators have no credit score)`);
      }
      return rows.map((row) => ({ ...row, grade: row.grade as CreditGrade }));
    },

    /** The grade the last recompute run gave a party (for the consumer page), or null. */
    async latestGrade(partyCode: string): Promise<CreditGrade | null> {
      return (await deps.credit.latestGrade(partyCode)) as CreditGrade | null;
    },

    /** Recomputes every `intervalMs` in the server process; a tick that finds the last run still going is skipped. */
    start(intervalMs: number) {
      timer = setInterval(() => {
        running ??= recompute(null)
          .catch((error) => deps.log?.error({ err: error }, 'recomputing credit scores failed'))
          .finally(() => {
            running = undefined;
          });
      }, intervalMs);
      timer.unref();
    },

    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

export type CreditService = ReturnType<typeof createCreditService>;
