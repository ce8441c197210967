import { randomUUID } from 'node:crypto';
import { type Principal, requireLotOwner, requirePartyRecord } from '../access/index.js';
import type { BrandService } from '../brands/service.js';
import { makingOf } from '../brands/standing.js';
import { toGtin14 } from '../codes/gs1.js';
import { newItemCode, serviceCodeKind } from '../codes/service-codes.js';
import { type Answered, type IdempotentRequest, written } from '../db/idempotency.js';
import { createFairQueue } from '../db/job-queue.js';
import { type ClaimOf, type JobLease, jobLease, LeaseLost } from '../db/leases.js';
import { nextTurn } from '../db/turns.js';
import { badRequest, bodyField, conflict, notFound, type Problem } from '../errors/problem.js';
import { buildDigitalLink, isGs1Charset82 } from '../gs1/digital-link.js';
import { circulationProblem, circulationRefusal, decimalsAllowed, hasEnded } from '../lots/ledger.js';
import type { LotRow, LotsRepository } from '../lots/repository.js';
import type { ProductsRepository } from '../products/repository.js';
import { LABELS_PER_SHEET, labelSheetSvg, qrPng, qrSvg } from './labels.js';
import type { CodeJobRow, IssuingLot, ItemsRepository, LotQuantity } from './repository.js';

export const MAX_CODES_PER_JOB = 1_000_000;
/** Item codes a party may have queued or being issued at once, in all its lots (CODES_QUEUED_PER_PARTY). */
export const DEFAULT_CODES_QUEUED_PER_PARTY = 2_000_000;
/**
 * Codes a job stores in one transaction, by database. COPY on PostgreSQL is fastest in large
 * batches, and the pool answers other requests while a batch holds one connection; PGlite has one
 * connection, so every request waits for the batch in hand: there batches stay small (see the
 * code-job figures in docs/benchmarks.md).
 */
export const CODE_JOB_BATCH = { postgres: 10_000, pglite: 500 } as const;
/**
 * Code jobs running at once. Each party's jobs run one after the other and parties take turns, so
 * another party's job starts while one party's million codes are issued, not once they are.
 */
const CODE_JOB_CONCURRENCY = 2;
/** What the job's party is shown of a failure: the cause is logged, never shown, as it may hold SQL text and its parameters. */
const FAILURE = 'issuing the codes failed; the cause is logged';

/**
 * A job's lot can no longer get codes (see lotRefusal), or its owner may not label it (see
 * BrandService.labelRightRefusal): the job fails saying why. `recallUnread`: the lot was found
 * recalled without its recalls, as when one was committed while the batch waited for the lot (the
 * batch's statement read the lot's row as the recall left it, but not the recall).
 */
class LotRefused extends Error {
  constructor(
    message: string,
    readonly recallUnread: boolean,
  ) {
    super(message);
  }
}

export type CodeJob = Pick<CodeJobRow, 'id' | 'lotCode' | 'partyCode' | 'total' | 'done' | 'status' | 'error' | 'createdAt' | 'finishedAt'>;
export type IssuedCode = { code: string; url: string; digitalLink: string | null };

export function createItemService(deps: {
  items: Pick<
    ItemsRepository,
    | 'insertJobWithin'
    | 'keptAnswer'
    | 'findJob'
    | 'claimJobs'
    | 'renewJobs'
    | 'releaseJobs'
    | 'insertCodes'
    | 'existingCodes'
    | 'deleteJobCodes'
    | 'codesOfJob'
    | 'findItem'
  >;
  lots: Pick<LotsRepository, 'findByCodes' | 'involvedParties' | 'recallsOf'>;
  products: Pick<ProductsRepository, 'findByCode'>;
  /** Whether the lot's owner may label packs of it: admitted to the brands covering its product today, and when it made it. */
  brands: Pick<BrandService, 'requireLabelRight' | 'labelRightRefusal'>;
  publicBaseUrl: string;
  /** The clock a job is dated by, its start and its end (unset: the system's): when its codes were issued, as brands judge them (see misuseFindings). */
  now?: () => Date;
  /**
   * Item codes a party may have queued or being issued at once: a kilogram lot takes any number, so
   * without it one party could grow the queue and the codes stored without end.
   */
  codesQueuedPerParty?: number;
  /** This process's hold on the jobs it runs (unset: a process of its own, alone on the database). */
  lease?: JobLease;
  /** Codes stored in each of a job's transactions (unset: CODE_JOB_BATCH.postgres; see CODE_JOB_BATCH). */
  batchSize?: number;
  log?: { error: (object: object, message: string) => void; warn?: (object: object, message: string) => void };
}) {
  const lease = deps.lease ?? jobLease();
  const batchSize = deps.batchSize ?? CODE_JOB_BATCH.postgres;
  const now = deps.now ?? (() => new Date());
  // run catches every failure of a job; what escapes it is logged
  const jobs = createFairQueue({
    concurrency: CODE_JOB_CONCURRENCY,
    onePerParty: true,
    onError: (error) => deps.log?.error({ err: error }, 'code job failed'),
  });
  /**
   * Jobs this process has queued and not yet finished: a resume (after the service listens) leaves
   * them to their run, and their leases are renewed.
   */
  const ownJobs = new Set<string>();
  const enqueue = (job: CodeJobRow) => {
    // a job a start took over while its request was storing it is queued by the first of the two
    if (ownJobs.has(job.id)) return;
    ownJobs.add(job.id);
    jobs.push(job.partyCode, () => run(job).finally(() => ownJobs.delete(job.id)));
  };

  /**
   * Issues in batches; on any failure the job's codes are removed and never become visible. Each
   * step writes only while this process holds the job: one that another process took over (this
   * one stopped renewing its lease) is left to it.
   */
  async function run(job: CodeJobRow) {
    const held = (written: boolean) => {
      if (!written) throw new LeaseLost(job.id);
    };
    // asked in each batch's transaction, of the lot and brand rights it locked (see insertCodes): a lot
    // held, recalled or ended, or a right withdrawn, while the job waited, ran or was cut off by a
    // restart gets no more codes, up to the batch that marks the job succeeded
    const admit = (lot: IssuingLot) => {
      const making = makingOf({ productionDate: lot.productionDate, createdAt: new Date(lot.createdAt) });
      const refusal = lotRefusal({ ...lot, recalls: lot.recalls ?? [] }) ?? deps.brands.labelRightRefusal(lot, making, lot.standings);
      if (refusal) throw new LotRefused(refusal.detail ?? refusal.title, lot.status === 'recalled' && !lot.recalls?.length);
    };
    try {
      // a job cut off by a stop starts again: what it had issued was never visible
      held(await deps.items.deleteJobCodes(job.id, lease, { status: 'running', done: 0 }));
      let done = 0;
      while (done < job.total) {
        // waiting requests and other jobs' statements go in between batches: PGlite answers in
        // microtasks, so without it a job would hold the event loop (and the database) to its end
        await nextTurn();
        const wanted = Math.min(batchSize, job.total - done);
        const batch = new Set<string>();
        while (batch.size < wanted) batch.add(newItemCode());
        // 31^10 codes: a clash with an earlier job is rare, but is checked rather than assumed away
        for (const taken of await deps.items.existingCodes([...batch])) batch.delete(taken);
        // stored with the job's progress; the batch that completes the job marks it succeeded
        held(await deps.items.insertCodes(job.id, job.lotCode, job.partyCode, [...batch], done + 1, lease, admit, now()));
        done += batch.size;
      }
    } catch (error) {
      if (error instanceof LeaseLost) {
        deps.log?.warn?.({ jobId: job.id }, 'code job taken over by another process; this one stored nothing more of it');
        return;
      }
      // a lot that can no longer get codes is the party's to know of; any other cause is logged, never shown
      const shown = error instanceof LotRefused ? `no codes were issued: ${await refusalNamingRecalls(job, error)}` : FAILURE;
      if (!(error instanceof LotRefused)) deps.log?.error({ err: error, jobId: job.id }, 'code issuance failed');
      try {
        // its codes go with it, and so does its count of them (a job another process has taken over
        // meanwhile is left to it)
        await deps.items.deleteJobCodes(job.id, lease, { status: 'failed', error: shown, done: 0, finishedAt: now() });
      } catch (unrecorded) {
        // the database is gone: the job stays unfinished (its codes never visible) and runs again at
        // the next start, like one a stop cut off; the jobs queued behind it still run
        deps.log?.error({ err: unrecorded, jobId: job.id }, 'the failure of a code issuance could not be recorded');
      }
    }
  }

  /**
   * Why no codes can be issued for the lot now, or null: it is not a lot, or voided (409), it is on hold (409) or
   * recalled (422, naming `recalls`, those that reached it), or it is used up, sold or destroyed (409).
   * A request is refused by it as read (see issueRefusal) and as its admission finds the lot locked,
   * and each batch of a job (see run).
   */
  function lotRefusal(lot: Pick<LotRow, 'code' | 'kind' | 'status' | 'hold' | 'voidedByEventId'> & { recalls: readonly string[] }) {
    if (lot.kind !== 'lot') return conflict(`${lot.code} is not a live lot`);
    if (lot.voidedByEventId) {
      return conflict(`lot ${lot.code} is voided: the event that made it was declared in error, so no item codes can be issued for it`);
    }
    // a recall's refusal names the recalls that reached the lot, as at every other door
    const stop = circulationRefusal(lot, 'issue codes for');
    if (stop) return circulationProblem(stop);
    // a pack code resolves as genuine: none for a lot that no longer exists as goods
    if (hasEnded(lot.status)) {
      return conflict(`lot ${lot.code} is ${lot.status}: nothing of it is left to pack, so no item codes can be issued for it`);
    }
    return null;
  }

  async function issueRefusal(lot: LotRow): Promise<Problem | null> {
    return lotRefusal({ ...lot, recalls: lot.status === 'recalled' ? await deps.lots.recallsOf(lot.code) : [] });
  }

  /**
   * The reason a job is refused, naming the recalls of its lot when the batch's statement did not
   * read them (see LotRefused): read afresh, they are there.
   */
  async function refusalNamingRecalls(job: CodeJobRow, refused: LotRefused): Promise<string> {
    if (!refused.recallUnread) return refused.message;
    try {
      const [lot] = await deps.lots.findByCodes([job.lotCode]);
      return (lot && (await issueRefusal(lot))?.detail) || refused.message;
    } catch {
      // the database is gone: recording the failure fails as well, below
      return refused.message;
    }
  }

  async function lotProduct(lotCode: string) {
    const [lot] = await deps.lots.findByCodes([lotCode]);
    if (!lot) throw notFound(`no lot ${lotCode}`);
    const product = lot.productCode ? await deps.products.findByCode(lot.productCode) : undefined;
    return { lot, product };
  }

  /** Queues a code job for the lot's owner; under a key (see src/db/idempotency.ts), once. */
  async function issueOnce(
    principal: Principal,
    lotCode: string,
    count: number,
    idempotent: IdempotentRequest<CodeJob> | undefined,
  ): Promise<Answered<CodeJob>> {
    // a retry is answered as its key's first request was, whatever the lot has come to since (a hold, say)
    const kept = idempotent && principal.partyCode ? await deps.items.keptAnswer(principal.partyCode, idempotent, now()) : undefined;
    if (kept) return kept;
    const { lot, product } = await lotProduct(lotCode);
    await requireLotOwner(principal, lot, 'issue its item codes', () => deps.lots.involvedParties(lot.code));
    const refusal = await issueRefusal(lot);
    if (refusal) throw refusal;
    await deps.brands.requireLabelRight(lot);
    // one code per pack: a lot counted in pieces has no more packs than pieces (a kilogram lot may be
    // packed any way), as many as it has once locked (a correction may have changed them since); a
    // lot of a product counted in pieces is, whatever unit it was stored in before that was refused
    const counted = (unit: string) => decimalsAllowed(unit) === 0 || (product !== undefined && decimalsAllowed(product.unit) === 0);
    const limit = (locked: LotQuantity) => (counted(locked.unit) ? locked.quantity : Number.POSITIVE_INFINITY);
    const partyLimit = deps.codesQueuedPerParty ?? DEFAULT_CODES_QUEUED_PER_PARTY;
    const answered = await deps.items.insertJobWithin(
      { id: randomUUID(), partyCode: lot.partyCode, lotCode, total: count, status: 'queued', createdAt: now() },
      { lot: limit, party: partyLimit },
      lease,
      // as it stands once locked: voided, held, recalled or ended since it was read, it is refused now, not when the job runs
      (locked) => {
        const stop = lotRefusal({ ...locked, recalls: locked.recalls ?? [] });
        if (stop) throw stop;
      },
      idempotent,
    );
    if (answered.replayed) return answered;
    const queued = answered.answer;
    if ('claimed' in queued) {
      const { quantity, unit } = queued.lot;
      const left = Math.max(0, quantity - queued.claimed);
      throw conflict(
        `lot ${lotCode} has ${quantity} ${unit} and ${queued.claimed} item codes issued or queued already; at most ${left} more can be issued`,
        [bodyField(['count'], `at most ${left}`)],
      );
    }
    if ('queued' in queued) {
      const left = Math.max(0, partyLimit - queued.queued);
      throw conflict(
        `party ${lot.partyCode} may have at most ${partyLimit} item codes queued or being issued at once; ${queued.queued} are: wait for them, or ask for fewer`,
        [bodyField(['count'], `at most ${left} until those are issued`)],
      );
    }
    const { job } = queued;
    enqueue(job);
    return { replayed: false, answer: job };
  }

  return {
    async issue(principal: Principal, lotCode: string, count: number): Promise<CodeJob> {
      return written(await issueOnce(principal, lotCode, count, undefined));
    },

    issueOnce,

    async job(principal: Principal, id: string): Promise<CodeJob> {
      const job = await deps.items.findJob(id);
      const missing = () => notFound(`no code job ${id}`);
      if (!job) throw missing();
      // another party's job reads as an unknown id, as its capture jobs and events do
      requirePartyRecord(principal, job.partyCode, missing);
      return job;
    },

    /**
     * Jobs a stop cut off run again from the start (their codes were never visible), and jobs
     * queued behind them run as they would have. At start (`which`), the jobs no live process
     * holds (see ClaimOf); later, `expired`: those whose process stopped renewing their lease.
     */
    async resumeInterruptedJobs(which: ClaimOf = 'start'): Promise<number> {
      const jobs = (await deps.items.claimJobs(lease, [...ownJobs], which)).filter((job) => !ownJobs.has(job.id));
      for (const job of jobs) enqueue(job);
      return jobs.length;
    },

    /** Renews this process's lease on the jobs it has queued or runs. */
    renewLeases: () => deps.items.renewJobs(lease, [...ownJobs]),

    /** Lets go of the jobs this process holds (a stop that cannot wait for them): another process takes them at once. */
    releaseLeases: () => deps.items.releaseJobs(lease),

    /** Waits for every queued job (tests, shutdown). */
    idle: () => jobs.idle(),

    urlsFor(code: string, gtin: string | null, lotNumber: string | null): IssuedCode {
      return {
        code,
        url: `${deps.publicBaseUrl}/t/${code}`,
        // a lot number outside GS1's character set stays off the link; the serial alone identifies the pack
        digitalLink: gtin
          ? buildDigitalLink(deps.publicBaseUrl, {
              gtin: toGtin14(gtin),
              ...(lotNumber && isGs1Charset82(lotNumber) && lotNumber.length <= 20 ? { lot: lotNumber } : {}),
              serial: code,
            })
          : null,
      };
    },

    /** Codes of a finished job, page by page in their order (as issued), with their URLs. */
    async *codesOf(principal: Principal, jobId: string, pageSize = 5000): AsyncGenerator<IssuedCode[]> {
      const job = await this.job(principal, jobId);
      if (job.status !== 'succeeded') throw conflict(`job ${jobId} is ${job.status}; codes are available once it succeeds`);
      const { lot, product } = await lotProduct(job.lotCode);
      let after = 0;
      for (;;) {
        const page = await deps.items.codesOfJob(jobId, after, pageSize);
        if (page.length === 0) return;
        yield page.map(({ code }) => this.urlsFor(code, product?.gtin ?? null, lot.lotNumber));
        after = page[page.length - 1].seq;
      }
    },

    /**
     * One printable A4 sheet of a finished job's labels; pages count from 1 and hold the codes in
     * codes.csv's order. A job's codes are numbered 1 to its total, so page N is the codes after
     * number (N - 1) × 32: one index range, as quick for the last page of a million as for the first.
     */
    async labelSheet(principal: Principal, jobId: string, page: number): Promise<string> {
      const job = await this.job(principal, jobId);
      if (job.status !== 'succeeded') throw conflict(`job ${jobId} is ${job.status}; codes are available once it succeeds`);
      const { lot, product } = await lotProduct(job.lotCode);
      const rows = await deps.items.codesOfJob(jobId, (page - 1) * LABELS_PER_SHEET, LABELS_PER_SHEET);
      if (rows.length === 0) throw notFound(`job ${jobId} has no page ${page}`);
      return labelSheetSvg(
        rows.map(({ code }) => ({
          ...this.urlsFor(code, product?.gtin ?? null, lot.lotNumber),
          productName: product?.name ?? '',
          lotNumber: lot.lotNumber,
          productionDate: lot.productionDate,
        })),
      );
    },

    /** The QR symbol of an issued code's trace URL. */
    async qrImage(code: string, format: 'svg' | 'png', size: number): Promise<string | Buffer> {
      if (serviceCodeKind(code) !== 'item') throw badRequest(`${code} is not a trace code`);
      if (!(await deps.items.findItem(code))) throw notFound(`code ${code} is not issued`);
      const { url } = this.urlsFor(code, null, null);
      return format === 'svg' ? qrSvg(url, size) : qrPng(url, size);
    },
  };
}

export type ItemService = ReturnType<typeof createItemService>;
