import { randomUUID } from 'node:crypto';
import {
  actorLifting,
  canReadRecall,
  canSeePrivateDetails,
  type Principal,
  privateScope,
  type RegulatoryActor,
  recallHoldingsScope,
  regulatoryActor,
  requireHoldOrRecallRight,
  requireRecallCloser,
  requireRecallHolder,
  requireRole,
} from '../access/index.js';
import { serviceCodeKind } from '../codes/service-codes.js';
import { uuidV7 } from '../codes/uuid-v7.js';
import type { Db, Transact } from '../db/client.js';
import { type Answered, type IdempotentRequest, once, written } from '../db/idempotency.js';
import { bodyField, conflict, forbidden, notFound, Problem, unprocessable, withBodyFieldsMoved } from '../errors/problem.js';
import type { EventView } from '../events/schemas.js';
import { BatchRejected, type EventContext, type EventWriter, type WriteRequest } from '../events/writer/index.js';
import type { EventAction } from '../events/writer/rules/index.js';
import type { IdentifierService } from '../identifiers/service.js';
import { recallReturnParties } from '../lots/ledger.js';
import {
  disposalOf,
  dueTimes,
  overdueFor,
  progressOf,
  RECALL_DEADLINES,
  type RecallDeadlines,
  type RecallLevel,
  stillToDestroy,
} from './deadlines.js';
import { downstreamHoldPlan } from './downstream.js';
import type { PackedContent, RecallFilter, RecallRow, RecallsRepository, ReturnedLot, ReturnedStock, ScopeCsvRow } from './repository.js';
import type { HoldView, RecallReport, RecallSummary, RecallView, ReleaseView } from './schemas.js';

/** How far forward a recall's scope reaches: far beyond any real chain (farm → shop is under 15 steps). */
export const SCOPE_MAX_DEPTH = 100;
const CSV_PAGE = 10_000;

/** A 409 for a recall whose scope was packed, unpacked or transformed at every round it took its lots. */
const scopeKeptChanging = (rounds: number) =>
  conflict(
    `what the recall reaches was still changing after ${rounds} round${rounds === 1 ? '' : 's'} of taking in the lots it newly reached while it waited for them (packed, unpacked or transformed meanwhile); send it again`,
  );

/** An act's event time: the service's clock, written in China time as people read it. */
/**
 * A period and region the regulator dashboard lists recalls for: those in progress at some time in
 * it (opened before it ends, not closed before it begins) whose scope reaches the region. An end
 * alone: those in progress at that end; a start alone: since then until now; neither: those open now.
 */
export type RecallPeriod = { from?: Date; to?: Date; region?: string };

/** The list filter of a period (see RecallPeriod), `now` its end and start when it gives neither. */
function inProgressDuring(during: RecallPeriod | undefined, now: Date): Pick<RecallFilter, 'inProgress' | 'region'> {
  if (!during) return {};
  return { inProgress: { from: during.from ?? during.to ?? now, to: during.to }, region: during.region };
}

/** Quantities summed per unit, in the order the units first come. */
function totalsByUnit(lines: { unit: string; quantity: number }[]): { unit: string; quantity: number }[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.unit, (totals.get(line.unit) ?? 0) + line.quantity);
  // the ledger keeps three decimals: rounded to millionths, the sum loses none of them, only a binary fraction's error
  return [...totals].map(([unit, quantity]) => ({ unit, quantity: Math.round(quantity * 1e6) / 1e6 }));
}

/**
 * A holder's line as progress and disposal count it (see progressOf): a container counts as one,
 * recovered once all of it is reported returned or destroyed, destroyed once all of it is destroyed;
 * a lot counts its quantities.
 */
function countedLine({
  unit,
  container,
  affected,
  returned,
  destroyed,
}: {
  unit: string;
  container: boolean;
  affected: number;
  returned: number;
  destroyed: number;
}) {
  return container
    ? { unit, container, affected: 1, recovered: returned + destroyed >= affected ? 1 : 0, destroyed: destroyed >= affected ? 1 : 0 }
    : { unit, container, affected, recovered: returned + destroyed, destroyed };
}

/** What returned stock adds to a recall's disposal (disposalOf): what its receivers destroyed, a container once all of it. */
const returnedLines = (returns: ReturnedStock[]) =>
  returns.map(({ unit, container, sent, destroyed }) => ({
    unit,
    container,
    recovered: 0,
    destroyed: container ? (destroyed >= sent ? 1 : 0) : destroyed,
  }));

/** Returned stock its receiver has not reported destroyed, as a refusal names it: `party lot (quantity unit)`. */
const undisposed = (returns: ReturnedStock[]) =>
  returns
    .filter((line) => stillToDestroy(line) > 0)
    .map((line) => `${line.partyCode} ${line.lotCode} (${stillToDestroy(line)} ${line.unit})`);

const chinaTime = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().replace('Z', '+08:00');

/**
 * Holds and recalls (食品召回). Every act — hold, release, opening and closing a recall — is an
 * event written through the one event writer, under the acting party (a regulator party, or the
 * lot's owner) with the key id in its details; holders' acknowledgements and quantities are kept
 * append-only beside the recall.
 */
export function createRecallService(deps: {
  transaction: Transact;
  writer: Pick<EventWriter, 'write' | 'readLocked'>;
  recalls: RecallsRepository;
  /** What a code named where a lot's belongs names instead (a pack's code): see refusePackCodes. */
  identifiers: Pick<IdentifierService, 'parse' | 'findMany'>;
  tradingPartners: (partyCode: string) => Promise<Set<string>>;
  now: () => Date;
  deadlines?: RecallDeadlines;
  /** How many times an opening takes in the lots its scope newly reaches while it waits for them (LOCK_ROUNDS unless set). */
  scopeRounds?: number;
}) {
  const deadlines = deps.deadlines ?? RECALL_DEADLINES;

  /** Writes one act through the writer inside `tx`; a rule's refusal comes back as its problem. */
  async function act(tx: Db, actor: string, action: EventAction, context: Omit<EventContext, 'eventTime'> = {}): Promise<EventView> {
    const request: WriteRequest = { actor, action, context: { eventTime: chinaTime(deps.now()), ...context } };
    try {
      const [outcome] = await deps.writer.write(tx, [request], 'rollback');
      if (!outcome.ok) throw outcome.problem;
      return outcome.event;
    } catch (error) {
      throw error instanceof BatchRejected ? error.problem : error;
    }
  }

  /**
   * Refuses (422, at its place in `lotCodes`) a pack's code (一物一码, read off the pack in hand) named
   * where a lot's belongs, naming its lot, which the pack's public page shows too: a hold or recall of
   * the pack's lot takes every pack of it and all that was made of it, so the request names the lot
   * itself. Other identifiers (an SSCC, an ear tag) are refused as unknown lots, as any code that is
   * no lot's: naming the lot they stand for would tell any caller what only its readers may learn
   * (a trace from them is no oracle either).
   */
  async function refusePackCodes(lotCodes: string[]): Promise<void> {
    const packs = lotCodes.flatMap((code, index) =>
      serviceCodeKind(code) === 'item' ? [{ index, identifier: deps.identifiers.parse(code) }] : [],
    );
    if (packs.length === 0) return;
    const found = await deps.identifiers.findMany(packs.map((pack) => pack.identifier));
    for (const [n, referent] of found.entries()) {
      if (referent?.kind !== 'item') continue;
      throw unprocessable('not-a-lot-code', `pack code of lot ${referent.lotCode}: name the lot`, [
        bodyField(['lotCodes', packs[n].index], `a pack of lot ${referent.lotCode}`),
      ]);
    }
  }

  /**
   * A recall as the principal sees it in a list: a holder that did not open it (`own`, its party)
   * sees its own recovery only, and not how many holders it reached nor how many acknowledged.
   */
  /**
   * Where each lot a holder reports returned goes back (recallReturnParties, the rule every ship of a
   * recalled lot is held to): a lot to its maker, a container to the maker of the recalled lots in
   * it, or to its packer when a recall named the container itself. Refused (422) when that is the
   * holder itself (it destroys what it recovers), or when a container holds recalled lots of several
   * makers: no one party takes it whole, so it is unpacked and each lot reported on its own.
   */
  async function returnsOf(tx: Db, party: string, lines: { lotCode: string; returned: number }[]): Promise<Map<string, string>> {
    const rows = await deps.recalls.returnedLots(
      tx,
      lines.filter((line) => line.returned > 0).map((line) => line.lotCode),
    );
    const contents = new Map<string, ReturnedLot[]>();
    for (const row of rows) {
      if (row.containerCode !== null) contents.set(row.containerCode, [...(contents.get(row.containerCode) ?? []), row]);
    }
    const returned = new Map(rows.filter((row) => row.containerCode === null).map((row) => [row.code, row]));
    const returnTo = new Map<string, string>();
    for (const [index, line] of lines.entries()) {
      const lot = returned.get(line.lotCode);
      if (line.returned <= 0 || !lot) continue;
      const [to, ...more] = recallReturnParties(lot, (code) => contents.get(code) ?? []);
      if (to === undefined || more.length > 0) {
        const held = to === undefined ? 'holds no recalled lot' : `holds recalled lots of ${more.length + 1} makers`;
        throw unprocessable(
          'recalled-lot',
          `container ${line.lotCode} ${held}: unpack it, then report each lot in it returned or destroyed`,
          [bodyField(['lines', index, 'returned'], `${held}; unpack it first`)],
        );
      }
      if (to === party) {
        throw unprocessable('return-to-self', `${party} made ${line.lotCode}: there is nobody to return it to; report it destroyed`, [
          bodyField(['lines', index, 'returned'], 'the producer destroys what it recovers'),
        ]);
      }
      returnTo.set(line.lotCode, to);
    }
    return returnTo;
  }

  function summaryOf(
    row: RecallRow,
    own: string | null,
    now: Date,
    reached: { holders: number; acknowledged: number },
    recovery: Parameters<typeof progressOf>[0],
    disposal: Parameters<typeof disposalOf>[0],
  ): RecallSummary {
    return {
      id: row.id,
      partyCode: row.partyCode,
      level: row.level,
      reason: row.reason,
      hazard: row.hazard,
      rootLotCodes: row.rootLotCodes,
      status: row.status as 'open' | 'closed',
      openedAt: row.openedAt,
      startDueAt: row.startDueAt,
      finishDueAt: row.finishDueAt,
      startedAt: row.startedAt,
      closedAt: row.closedAt,
      closedBy: row.closedBy,
      openedBy: row.openedBy,
      overrideReason: row.overrideReason,
      overdue: overdueFor(row, now),
      holders: own === null ? reached.holders : null,
      acknowledged: own === null ? reached.acknowledged : null,
      progress: progressOf(recovery),
      disposal: disposalOf(disposal),
    };
  }

  /** Recalls as the principal sees them (summaryOf), with the holders it sees and their lines, read in `tx` when given. */
  async function summaries(
    principal: Principal,
    rows: RecallRow[],
    tx?: Db,
  ): Promise<(RecallSummary & { holderRows: HolderRow[]; returnRows: ReturnedStock[] })[]> {
    const ids = rows.map((row) => row.id);
    const [holders, recovery, returns] = await Promise.all([
      deps.recalls.holders(ids, tx),
      deps.recalls.recovery(ids, tx),
      deps.recalls.returns(ids, { tx }),
    ]);
    const now = deps.now();
    return rows.map((row) => {
      const own = recallHoldingsScope(principal, row);
      const seen = (holder: { partyCode: string }) => own === null || holder.partyCode === own;
      const reached = holders.filter((holder) => holder.recallId === row.id);
      const lines = recovery.filter((line) => line.recallId === row.id && seen(line));
      const returnRows = returns.filter((line) => line.recallId === row.id && seen(line));
      const holderRows = reached.filter(seen).map((holder) => ({
        partyCode: holder.partyCode,
        name: holder.name,
        kind: holder.kind,
        address: holder.address,
        contact: holder.contact,
        acknowledgedAt: holder.acknowledgedAt,
        lines: lines
          .filter((line) => line.partyCode === holder.partyCode)
          .map(({ lotCode, unit, affected, returned, destroyed }) => ({ lotCode, unit, affected, returned, destroyed })),
      }));
      const counts = { holders: reached.length, acknowledged: reached.filter((holder) => holder.acknowledgedAt !== null).length };
      const counted = lines.map(countedLine);
      const disposal = [...counted, ...returnedLines(returnRows)];
      return { ...summaryOf(row, own, now, counts, counted, disposal), holderRows, returnRows };
    });
  }

  /** Whose address and contact the principal sees: the rule of the party directory and traces (canSeePrivateDetails). */
  async function seesDetailsOf(principal: Principal): Promise<(partyCode: string) => boolean> {
    const scope = privateScope(principal);
    const partners = scope === null ? new Set<string>() : await deps.tradingPartners(scope);
    return (partyCode) => canSeePrivateDetails(principal, partyCode, partners);
  }

  async function readable(principal: Principal, id: string): Promise<RecallRow> {
    requireRole(principal, 'recalls.read');
    const recall = await deps.recalls.find(id);
    if (!recall) throw notFound(`no recall ${id}`);
    const holders = new Set((await deps.recalls.holders([id])).map((holder) => holder.partyCode));
    if (!(await canReadRecall(principal, recall, holders, (partyCode) => deps.recalls.scopeLotReadBy(id, partyCode))))
      throw forbidden(`party ${principal.partyCode} is not reached by recall ${id} and may read none of its lots`);
    return recall;
  }

  /** A recall as its reader may see it. */
  async function view(principal: Principal, recall: RecallRow): Promise<RecallView> {
    const wholeScope = recallHoldingsScope(principal, recall) === null;
    const [scope, seesDetails] = await Promise.all([wholeScope ? deps.recalls.counts(recall.id) : null, seesDetailsOf(principal)]);
    return viewOf(principal, recall, scope, seesDetails);
  }

  /**
   * A recall as its reader may see it, read in `tx` after a write to it there (a report, a closing), so
   * that the answer kept with the write's key is the one the write gave (see src/db/idempotency.ts).
   */
  async function viewIn(tx: Db, principal: Principal, id: string, seesDetails: (partyCode: string) => boolean): Promise<RecallView> {
    const recall = (await deps.recalls.find(id, tx)) as RecallRow;
    const wholeScope = recallHoldingsScope(principal, recall) === null;
    return viewOf(principal, recall, wholeScope ? await deps.recalls.counts(id, tx) : null, seesDetails, tx);
  }

  /**
   * A recall as its reader may see it, of the scope's counts as the reader may see them and whose
   * details it sees; read in `tx` when given (an opening's answer, kept with its key: see openOnce).
   */
  async function viewOf(
    principal: Principal,
    recall: RecallRow,
    scope: RecallView['scope'],
    seesDetails: (partyCode: string) => boolean,
    tx?: Db,
  ): Promise<RecallView> {
    const [[summary], figures] = await Promise.all([
      summaries(principal, [recall], tx),
      scope === null ? null : deps.recalls.soldAndScanned(recall.id, tx),
    ]);
    const { holderRows, returnRows, ...rest } = summary;
    // a holder's address and contact only where the directory would show them: a shipment on its way makes no trading partner
    const holderDetails = holderRows.map((holder) =>
      seesDetails(holder.partyCode) ? holder : { ...holder, address: null, contact: null },
    );
    return {
      ...rest,
      eventId: recall.eventId,
      closeEventId: recall.closeEventId,
      scope,
      holderDetails,
      returns: returnRows.map(({ partyCode, name, lotCode, unit, sent, received, destroyed, lost }) => ({
        partyCode,
        name,
        lotCode,
        unit,
        sent,
        received,
        destroyed,
        lost,
      })),
      // to the readers of the whole recall only, as its scope's counts
      soldBeforeRecall: figures && { lots: figures.sold, total: totalsByUnit(figures.sold) },
      scans: figures?.scans ?? null,
    };
  }

  /**
   * Refuses (409) a recall every lot and container of whose staged scope an open recall reaches already
   * (the same recall sent twice, or one of a lot made of a recalled one): its holders would be asked
   * twice for the same stock. Each root is answered with the open recalls that reach it. Asked once the
   * writer took the opening, so a party that may not recall the lots learns of no recall of them.
   */
  async function refuseRecalledAlready(tx: Db, roots: string[]): Promise<void> {
    const covering = await deps.recalls.openRecallsOfStagedScope(tx, roots);
    if (covering.length === 0) return;
    const recallsOf = (code: string) => covering.filter((row) => row.lotCode === code).map((row) => row.recallId);
    const ids = [...new Set(covering.map((row) => row.recallId))];
    throw conflict(
      `every lot this recall would reach is in open recall ${ids.join(', ')} already; a recall that reaches more lots opens`,
      roots.map((code, index) => bodyField(['lotCodes', index], `in open recall ${recallsOf(code).join(', ')}`)),
    );
  }

  /**
   * The party an admin's release is recorded under: the one whose holds are on the lots named. Holds
   * of several parties are released one party at a time (409); with none on hold, the lots' owner, so
   * the writer refuses the release as any other; with no lot known, the first code is unknown.
   */
  async function adminReleasing(principal: Principal, codes: string[]): Promise<RegulatoryActor> {
    const lots = await deps.recalls.holdsOf(codes);
    const holders = [...new Set(lots.flatMap((lot) => (lot.heldBy === null ? [] : [lot.heldBy])))].sort();
    if (holders.length > 1)
      throw conflict(
        `the lots are held by ${holders.join(', ')}; an admin releases one party's holds at a time`,
        codes.flatMap((code, index) =>
          lots.some((lot) => lot.code === code && lot.heldBy !== holders[0])
            ? [bodyField(['lotCodes', index], 'held by another party')]
            : [],
        ),
      );
    const decidedBy = holders[0] ?? lots[0]?.partyCode;
    if (decidedBy === undefined) throw unprocessable('unknown-lot', `no lot ${codes[0]}`, [bodyField(['lotCodes', 0], 'unknown lot')]);
    return actorLifting(principal, decidedBy);
  }

  /**
   * A hold of the lots named and of those downstream of them (downstreamHoldPlan), in `tx`: the walk
   * and every lot and container it reaches locked as one write locks them (the actor's audit chain,
   * then the lots in code order: see readLocked), walked again once locked until it stands, so a
   * transformation or packing stored meanwhile is not left out; then one hold event of the plan's lots.
   */
  async function holdDownstream(
    tx: Db,
    actor: RegulatoryActor,
    named: string[],
    holding: (tx: Db, lotCodes: string[]) => Promise<EventView>,
  ): Promise<HoldView> {
    const walked = (tx: Db) => deps.recalls.downstreamOf(tx, named, SCOPE_MAX_DEPTH);
    const reached = await deps.writer.readLocked(tx, actor.code, async (tx) => {
      const lots = await walked(tx);
      const codes = lots.map((lot) => lot.code);
      return { codes, marked: [], value: lots, unchanged: async () => JSON.stringify(await walked(tx)) === JSON.stringify(lots) };
    });
    const known = new Map(reached.map((lot) => [lot.code, lot]));
    for (const [index, code] of named.entries()) {
      const lot = known.get(code);
      if (!lot) throw unprocessable('unknown-lot', `no lot ${code}`, [bodyField(['lotCodes', index], 'unknown lot')]);
      // an owner holds its own lots only: refused as a plain hold refuses it, not silently passed over
      if (!actor.regulator) requireHoldOrRecallRight(actor, lot, 'hold', new Set(), ['lotCodes', index], []);
    }
    const plan = downstreamHoldPlan(actor, named, reached);
    if (plan.held.length === 0) {
      throw conflict(
        `nothing to hold: of the lots reached, ${plan.alreadyOnHold.length} already on hold and ${plan.notInCirculation.length} no longer in circulation`,
        named.map((_, index) => bodyField(['lotCodes', index], 'nothing in circulation left to hold from it')),
      );
    }
    const event = await holding(tx, plan.held);
    return { ...event, ...plan };
  }

  const service = {
    /**
     * Puts the lots on hold; under a key (see src/db/idempotency.ts), once. With `downstream`, also
     * every lot downstream of them in circulation (downstreamHoldPlan), in the one hold event.
     */
    async hold(
      principal: Principal,
      input: { lotCodes: string[]; reason: string; pendingTest?: string; downstream?: boolean },
      idempotent?: IdempotentRequest<HoldView>,
    ): Promise<Answered<HoldView>> {
      const actor = regulatoryActor(principal);
      await refusePackCodes(input.lotCodes);
      const holding = (tx: Db, lotCodes: string[]) =>
        act(tx, actor.code, {
          type: 'hold',
          lotCodes,
          reason: input.reason,
          pendingTest: input.pendingTest ?? null,
          keyId: principal.keyId,
          asRegulator: actor.regulator,
        });
      return deps.transaction((tx) =>
        once(tx, idempotent, actor.code, deps.now(), async () =>
          input.downstream ? holdDownstream(tx, actor, input.lotCodes, holding) : holding(tx, input.lotCodes),
        ),
      );
    },

    /**
     * Releases the lots on hold among those named (the others are listed as `notHeld`); under a key
     * (see src/db/idempotency.ts), once. An admin's release is recorded under the party whose holds
     * it lifts (see actorLifting), one party's at a time.
     */
    async release(
      principal: Principal,
      input: { lotCodes: string[]; reason: string },
      idempotent?: IdempotentRequest<ReleaseView>,
    ): Promise<Answered<ReleaseView>> {
      await refusePackCodes(input.lotCodes);
      const actor = principal.role === 'admin' ? await adminReleasing(principal, input.lotCodes) : regulatoryActor(principal);
      return deps.transaction((tx) =>
        once(tx, idempotent, principal.partyCode ?? `key:${principal.keyId}`, deps.now(), async () => {
          const event = await act(tx, actor.code, {
            type: 'release',
            ...input,
            keyId: principal.keyId,
            asRegulator: actor.regulator,
            asAdmin: actor.admin === true,
          });
          const notHeld = (event.details as { notHeldLotCodes?: string[] }).notHeldLotCodes ?? [];
          return { ...event, notHeld };
        }),
      );
    },

    /**
     * How much a recall of these lots would record now — lots and containers, holdings, holders —
     * computed as opening one computes it, without recording it (the benchmark times it).
     */
    async scopeOf(rootLotCodes: string[]) {
      return deps.transaction(async (tx) => {
        await deps.recalls.stage(tx, rootLotCodes, SCOPE_MAX_DEPTH);
        return deps.recalls.stagedCounts(tx);
      });
    },

    /**
     * Opens a recall, in one transaction: computes the scope forward of the lots, marks every
     * affected lot and container recalled through the writer, and records the scope (who holds
     * what, read after the writer marked the lots) with the due times. Under a key (see
     * src/db/idempotency.ts), once: the key is claimed first in the transaction, and the answer is
     * read in it, so it is kept with the recall it opened.
     */
    async openOnce(
      principal: Principal,
      input: { lotCodes: string[]; level: RecallLevel; reason: string; hazard: string },
      idempotent: IdempotentRequest<RecallView> | undefined,
    ): Promise<Answered<RecallView>> {
      const actor = regulatoryActor(principal);
      const repeated = input.lotCodes.findIndex((code, index) => input.lotCodes.indexOf(code) !== index);
      if (repeated >= 0) {
        throw unprocessable('duplicate-lot', `${input.lotCodes[repeated]} is listed twice`, [
          bodyField(['lotCodes', repeated], 'listed twice'),
        ]);
      }
      await refusePackCodes(input.lotCodes);
      const roots = input.lotCodes;
      const id = uuidV7(deps.now());
      // a container's contents are recalled with it: an operator may recall only a container holding
      // nothing but its own lots (requireHoldOrRecallRight, which the event writer asks under the locks),
      // asked here once before any lock too, so a refused operator holds up no other party's writes. Only
      // of its own roots: the writer refuses another party's, naming their owner only to a party that may read them
      const requireOwnContents = (packed: PackedContent[]) => {
        for (const [index, root] of roots.entries()) {
          const inside = packed.filter((content) => content.root === root);
          const owner = inside[0]?.rootPartyCode;
          if (owner === actor.code)
            requireHoldOrRecallRight(actor, { code: root, partyCode: owner }, 'recall', new Set(), ['lotCodes', index], inside);
        }
      };
      // whose address and contact the answer shows, read before the transaction: the party directory's
      // rule, which the opening changes nothing of (on PGlite a read beside the transaction would wait for it)
      const seesDetails = await seesDetailsOf(principal);
      return deps.transaction((tx) =>
        once(tx, idempotent, actor.code, deps.now(), async () => {
          if (!actor.regulator) requireOwnContents(await deps.recalls.packedIn(tx, roots));
          // staged, then its roots, what is packed in them and its scope locked as the recall's event locks
          // them, and staged again if a write it waited for changed the scope meanwhile: a packing into or
          // unpacking from a root, or a transformation, packing or unpacking of any lot of the scope. Staged
          // again, it keeps what it locked and takes the lots it newly reaches that no other write holds (a
          // write queued behind it is not let in between); one that another holds, it does not wait for
          // holding the rest, but takes all afresh in code order (see readLocked). Its scope is what the
          // lineage and the containers are when it is stored, not what they were before: a lot that left
          // it is locked, not recalled
          const lotCodes = await deps.writer.readLocked(
            tx,
            actor.code,
            async (tx) => {
              const staged = await deps.recalls.stage(tx, roots, SCOPE_MAX_DEPTH);
              const codes = await deps.recalls.stagedCodes(tx);
              return {
                codes: roots,
                marked: codes,
                value: codes,
                unchanged: async () =>
                  JSON.stringify(await deps.recalls.packedIn(tx, roots)) === JSON.stringify(staged) &&
                  (await deps.recalls.stagedScopeStands(tx, SCOPE_MAX_DEPTH)),
              };
            },
            scopeKeptChanging,
            deps.scopeRounds,
          );
          const known = new Set(lotCodes);
          const missing = roots.findIndex((code) => !known.has(code));
          if (missing >= 0) {
            throw unprocessable('unknown-lot', `no lot ${roots[missing]}`, [bodyField(['lotCodes', missing], 'unknown lot')]);
          }
          const event = await act(tx, actor.code, {
            type: 'recall',
            phase: 'open',
            recallId: id,
            level: input.level,
            reason: input.reason,
            hazard: input.hazard,
            rootLotCodes: roots,
            lotCodes,
            keyId: principal.keyId,
            asRegulator: actor.regulator,
          });
          await refuseRecalledAlready(tx, roots);
          const row = {
            id,
            partyCode: actor.code,
            openedByKeyId: principal.keyId,
            level: input.level,
            reason: input.reason,
            hazard: input.hazard,
            rootLotCodes: roots,
            status: 'open',
            eventId: event.id,
            openedAt: event.recordTime,
            ...dueTimes(input.level, event.recordTime, deadlines),
          };
          const { counts, openedByRegulator, openedBy } = await deps.recalls.insert(tx, row);
          const recall = {
            ...row,
            startedAt: null,
            closedAt: null,
            closedByKeyId: null,
            closeEventId: null,
            overrideReason: null,
            openedByRegulator,
            closedBy: null,
            openedBy,
          };
          return viewOf(principal, recall, recallHoldingsScope(principal, recall) === null ? counts : null, seesDetails, tx);
        }),
      );
    },

    /** Opens a recall (see openOnce), with no key. */
    async open(
      principal: Principal,
      input: { lotCodes: string[]; level: RecallLevel; reason: string; hazard: string },
    ): Promise<RecallView> {
      return written(await service.openOnce(principal, input, undefined));
    },

    async get(principal: Principal, id: string): Promise<RecallView> {
      return view(principal, await readable(principal, id));
    },

    /**
     * The recalls a principal may see, with their progress and due times (also the regulator
     * dashboard's list): every one for regulators, an operator's own and those reaching it; by
     * status, or only the overdue.
     */
    async list(
      principal: Principal,
      filter: { status?: 'open' | 'closed'; overdue?: boolean; during?: RecallPeriod; limit: number; offset: number },
    ): Promise<RecallSummary[]> {
      requireRole(principal, 'recalls.read');
      // the overdue ones (or the others) are chosen in SQL before the limit, so many newer open recalls do not hide the
      // oldest late ones; only an open recall is late, so overdue closed ones are none
      const rows = await deps.recalls.list({
        status: filter.status,
        readerCode: privateScope(principal) ?? undefined,
        overdue: filter.overdue === undefined ? undefined : { at: deps.now(), late: filter.overdue },
        ...inProgressDuring(filter.during, deps.now()),
        limit: filter.limit,
        offset: filter.offset,
      });
      // a page of recalls summed up in SQL: not every holder and lot line of every recall on it
      const [{ holders, units }, returns] = await Promise.all([
        deps.recalls.listTotals(
          rows.map((row) => row.id),
          privateScope(principal),
        ),
        deps.recalls.returns(rows.map((row) => row.id)),
      ]);
      const now = deps.now();
      return rows.map((row) => {
        const own = recallHoldingsScope(principal, row);
        // per unit, as counted in SQL (a container as one, as countedLine counts it), of every holder or its own
        const recovery = units.flatMap((unit) => {
          if (unit.recallId !== row.id) return [];
          const seen = own === null ? unit : unit.own;
          return seen ? [{ unit: unit.unit, container: unit.container, ...seen }] : [];
        });
        const disposal = [
          ...recovery,
          ...returnedLines(returns.filter((line) => line.recallId === row.id && (own === null || line.partyCode === own))),
        ];
        return summaryOf(row, own, now, holders.get(row.id) ?? { holders: 0, acknowledged: 0 }, recovery, disposal);
      });
    },

    /** How many recalls `list` gives on all its pages together, for a list that shows one page of them. */
    async count(principal: Principal, filter: { status?: 'open' | 'closed'; during?: RecallPeriod }): Promise<number> {
      requireRole(principal, 'recalls.read');
      return deps.recalls.count({
        status: filter.status,
        readerCode: privateScope(principal) ?? undefined,
        ...inProgressDuring(filter.during, deps.now()),
      });
    },

    /**
     * A holder acknowledges the recall and reports quantities returned or destroyed (of lots it was
     * recorded holding); the first report of any holder marks the recall started. Each quantity is
     * also booked as an event in the holder's name, so the ledger and the mass balance show it: what
     * was destroyed as a destroy event (disposition `destroyed`), what was returned as a shipment
     * back where it goes (returnsOf: the lot's maker; for a container, the maker of the recalled
     * lots inside it or its packer) (CBV has no returning step: bizStep `shipping`, disposition
     * `returned`), both naming the recall as their reference document. A party stock was returned to
     * under the recall reports too: it destroys what it received back (after its own stock, if the
     * recall reached it holding some), which it never returns again.
     */
    async reportOnce(
      principal: Principal,
      id: string,
      input: { lines: { lotCode: string; returned: number; destroyed: number }[]; note?: string },
      idempotent: IdempotentRequest<RecallView> | undefined,
    ): Promise<Answered<RecallView>> {
      const recall = await readable(principal, id);
      // a party stock was returned to under the recall reports on it too: it destroys what came back
      const [holders, returned] = await Promise.all([
        deps.recalls.holders([id]),
        principal.partyCode ? deps.recalls.returns([id], { partyCode: principal.partyCode }) : [],
      ]);
      const party = requireRecallHolder(principal, id, new Set([...holders, ...returned].map((holder) => holder.partyCode)));
      // read before the transaction, as an opening reads it (see openOnce)
      const seesDetails = await seesDetailsOf(principal);
      // under a key, once: claimed first in the transaction, before the recall's state is looked at, so
      // a retry after the recall was closed (or the lines were recovered) is answered as the report was
      return deps.transaction((tx) =>
        once(tx, idempotent, party, deps.now(), async () => {
          // checked with the recall locked: a close, or this holder's other report, may have come first
          const locked = (await deps.recalls.lock(tx, id)) as RecallRow;
          if (locked.status !== 'open') throw conflict(`recall ${id} is closed`);
          // per lot: what is left to recover of what the party held, and what came back to it left to destroy
          const owed = new Map<string, { left: number; toDestroy: number }>();
          for (const line of await deps.recalls.recovery([id], tx, party))
            owed.set(line.lotCode, { left: line.affected - line.returned - line.destroyed, toDestroy: 0 });
          for (const line of await deps.recalls.returns([id], { tx, partyCode: party })) {
            const lot = owed.get(line.lotCode) ?? { left: 0, toDestroy: 0 };
            owed.set(line.lotCode, { ...lot, toDestroy: Math.max(line.received - line.destroyed, 0) });
          }
          for (const [index, line] of input.lines.entries()) {
            const lot = owed.get(line.lotCode);
            if (lot === undefined) {
              throw unprocessable('not-in-recall', `${party} was not recorded holding ${line.lotCode} in recall ${id}`, [
                bodyField(['lines', index, 'lotCode'], 'not held by this party in the recall'),
              ]);
            }
            const { left, toDestroy } = lot;
            // what came back is destroyed, never returned again; the party's own stock counts first
            if (line.returned > left + 1e-9 || line.returned + line.destroyed > left + toDestroy + 1e-9) {
              const returnedToIt = toDestroy > 0 ? ` and ${toDestroy} returned to it left to destroy` : '';
              throw unprocessable(
                'exceeds-recalled',
                `${line.lotCode}: ${line.returned + line.destroyed} reported, ${left} left to recover${returnedToIt}`,
                // at the quantities that make it too much: returned, destroyed, or both
                (['returned', 'destroyed'] as const)
                  .filter((field) => line[field] > 0)
                  .map((field) =>
                    bodyField(['lines', index, field], `at most ${left + toDestroy} in all${toDestroy > 0 ? `, ${left} returned` : ''}`),
                  ),
              );
            }
            const fromOwn = Math.min(left, line.returned + line.destroyed);
            owed.set(line.lotCode, { left: left - fromOwn, toDestroy: toDestroy - (line.returned + line.destroyed - fromOwn) });
          }
          // every lot the report names (with what is packed in them), and the open shipments carrying them
          // before them, locked up front in one pass as one write locks them: locked one line's events at a
          // time, a later line's shipments were taken after an earlier line's lots, which a recall opening
          // takes the other way round (a deadlock)
          await deps.writer.readLocked(tx, party, async () => ({
            codes: input.lines.map((line) => line.lotCode),
            marked: [],
            value: undefined,
            unchanged: async () => true,
          }));
          const returnTo = await returnsOf(tx, party, input.lines);
          const recalled = [{ type: 'recall_notice' as const, number: id }];
          // per line, the events it wrote: what they moved packed in a container counts with it (see RECOVERED)
          const written: EventView[][] = input.lines.map(() => []);
          for (const [index, line] of input.lines.entries()) {
            // a refusal points at the report's line: its quantity (one finer than the unit takes) at the
            // field that gave it, its lot at the line's lotCode, anything else (e.g. the stock is still
            // packed in a pallet, or not yet received) at the line
            const atLine = (field: 'returned' | 'destroyed') => (error: unknown) => {
              if (!(error instanceof Problem)) return error;
              if (!error.errors?.some((fieldProblem) => fieldProblem.in === 'body'))
                return new Problem(error.status, error.slug, error.title, error.detail, [
                  bodyField(['lines', index], error.detail ?? error.title),
                ]);
              return withBodyFieldsMoved(error, ([first, , name]) =>
                first === 'lines' && name === 'quantity'
                  ? ['lines', index, field]
                  : first === 'lines' && name === 'lotCode'
                    ? ['lines', index, 'lotCode']
                    : ['lines', index],
              );
            };
            const lines = (quantity: number) => [{ lotCode: line.lotCode, quantity }];
            if (line.destroyed > 0) {
              written[index].push(
                await act(
                  tx,
                  party,
                  { type: 'destroy', reason: `召回 ${id}: ${recall.reason}`, lines: lines(line.destroyed), recallId: id },
                  { bizStep: 'destroying', disposition: 'destroyed', referenceDocuments: recalled },
                ).catch((error) => Promise.reject(atLine('destroyed')(error))),
              );
            }
            if (line.returned > 0) {
              written[index].push(
                await act(
                  tx,
                  party,
                  { type: 'ship', toPartyCode: returnTo.get(line.lotCode) as string, lines: lines(line.returned), recallId: id },
                  { bizStep: 'shipping', disposition: 'returned', referenceDocuments: recalled },
                ).catch((error) => Promise.reject(atLine('returned')(error))),
              );
            }
          }
          // recorded after its events, their lots still locked: a recall of those lots opened while this
          // report waited for them has the smaller order number and counts what it recovered (see
          // RECOVERED), as it asked for the stock before this report took it
          const at = written.flat().at(-1)?.recordTime ?? deps.now();
          const lines = input.lines.length
            ? input.lines.map((line, index) => ({ id: randomUUID(), ...line, eventIds: written[index].map((event) => event.id) }))
            : [{ id: randomUUID(), lotCode: null, returned: 0, destroyed: 0, eventIds: [] }];
          await deps.recalls.report(tx, { recallId: id, partyCode: party, keyId: principal.keyId, note: input.note ?? null, at }, lines);
          return viewIn(tx, principal, id, seesDetails);
        }),
      );
    },

    /** A holder's report (see reportOnce), with no key. */
    async report(
      principal: Principal,
      id: string,
      input: { lines: { lotCode: string; returned: number; destroyed: number }[]; note?: string },
    ): Promise<RecallView> {
      return written(await service.reportOnce(principal, id, input, undefined));
    },

    /**
     * Closes a recall once every holder has acknowledged it and the parties stock was returned to
     * have reported all of it destroyed — or earlier by a regulator's override with a reason — and
     * records the closing in the log. Under a key (see src/db/idempotency.ts),
     * once: claimed first in the transaction, so a retry finds the recall closed by its first request
     * and is answered as that one was, not refused as already closed.
     */
    async closeOnce(
      principal: Principal,
      id: string,
      input: { overrideReason?: string },
      idempotent: IdempotentRequest<RecallView> | undefined,
    ): Promise<Answered<RecallView>> {
      const readableRecall = await readable(principal, id);
      const actor = actorLifting(principal, readableRecall.partyCode);
      // who may close it at all comes before its state, so a holder learns nothing of the others it waits for
      requireRecallCloser(actor, readableRecall, false);
      const seesDetails = await seesDetailsOf(principal);
      return deps.transaction((tx) =>
        once(tx, idempotent, principal.partyCode ?? `key:${principal.keyId}`, deps.now(), async () => {
          const recall = (await deps.recalls.lock(tx, id)) as RecallRow;
          if (recall.status !== 'open') throw conflict(`recall ${id} is already closed`);
          const [holders, returns] = await Promise.all([deps.recalls.holders([id], tx), deps.recalls.returns([id], { tx })]);
          const waiting = holders.filter((holder) => holder.acknowledgedAt === null);
          // recalled stock is taken back and destroyed (食品召回管理办法): returned stock not yet destroyed keeps it open
          const notDestroyed = undisposed(returns);
          const override = waiting.length > 0 || notDestroyed.length > 0;
          if (override && !input.overrideReason) {
            const waits = [
              ...(waiting.length > 0 ? [`the acknowledgement of ${waiting.map((holder) => holder.partyCode).join(', ')}`] : []),
              ...(notDestroyed.length > 0 ? [`the destruction of returned stock: ${notDestroyed.join(', ')}`] : []),
            ];
            throw conflict(`recall ${id} waits for ${waits.join('; and ')}; a regulator may close it with overrideReason`, [
              bodyField(
                ['overrideReason'],
                waiting.length > 0
                  ? 'required while holders have not acknowledged'
                  : 'required while returned stock is not reported destroyed',
              ),
            ]);
          }
          requireRecallCloser(actor, recall, override);
          const event = await act(tx, actor.code, {
            type: 'recall',
            phase: 'close',
            recallId: id,
            rootLotCodes: recall.rootLotCodes,
            overrideReason: override ? (input.overrideReason as string) : null,
            keyId: principal.keyId,
          });
          await deps.recalls.close(tx, id, {
            at: event.recordTime,
            keyId: principal.keyId,
            eventId: event.id,
            overrideReason: override ? (input.overrideReason as string) : null,
          });
          return viewIn(tx, principal, id, seesDetails);
        }),
      );
    },

    /** Closes a recall (see closeOnce), with no key. */
    async close(principal: Principal, id: string, input: { overrideReason?: string }): Promise<RecallView> {
      return written(await service.closeOnce(principal, id, input, undefined));
    },

    /** The final report: the recall, its scope, every holder's actions and quantities, and the times. */
    async finalReport(principal: Principal, id: string): Promise<RecallReport> {
      const recall = await service.get(principal, id);
      const own = recallHoldingsScope(principal, recall);
      // another reader's lots are those of its own lines (the view shows it no other holder's) and those it may read
      const reader =
        own === null
          ? undefined
          : { partyCode: own, held: recall.holderDetails.flatMap((holder) => holder.lines.map((line) => line.lotCode)) };
      const [lots, actions] = await Promise.all([deps.recalls.lots(id, reader), deps.recalls.reports(id)]);
      const visibleActions = own === null ? actions : actions.filter((action) => action.partyCode === own);
      return {
        recall,
        lots: lots.map((lot) => ({
          ...lot,
          depth: Number(lot.depth),
          // the pack codes issued are the owner's figure for the whole lot
          itemCount: own === null || lot.partyCode === own ? Number(lot.itemCount) : null,
        })),
        actions: visibleActions.map(({ id: _, ...action }) => action),
        generatedAt: deps.now(),
      };
    },

    /** The recorded scope as CSV rows (lots and containers, holdings, pack codes), page by page. */
    async *scopeRows(principal: Principal, id: string): AsyncGenerator<ScopeCsvRow[]> {
      const recall = await readable(principal, id);
      if (recallHoldingsScope(principal, recall) !== null)
        throw forbidden(`only regulators and ${recall.partyCode} export the scope of recall ${id}`);
      const seesDetails = await seesDetailsOf(principal);
      for (const section of [1, 2, 3] as const) {
        let after = '';
        for (;;) {
          const page = await deps.recalls.scopePage(id, section, after, CSV_PAGE);
          if (page.length === 0) break;
          yield page.map((row) =>
            row.holder === null || seesDetails(row.holder) ? row : { ...row, contactPerson: null, contactPhone: null },
          );
          after = page[page.length - 1].key;
        }
      }
    },
  };
  return service;
}

type HolderRow = RecallView['holderDetails'][number];

export type RecallService = ReturnType<typeof createRecallService>;
