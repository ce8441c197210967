import { actingParty, type Principal, partyFilter } from '../access/index.js';
import type { Db, Transact } from '../db/client.js';
import { createGroupCommit } from '../db/group-commit.js';
import {
  type Answered,
  claimKeys,
  claimOf,
  type IdempotentRequest,
  keepAnswers,
  keyIdOf,
  keyReused,
  once,
  releaseKeys,
  replayOf,
  written,
} from '../db/idempotency.js';
import { bodyField, notFound, Problem, unprocessable } from '../errors/problem.js';
import { encodeListPageToken, type ListFilters, type ListPageToken, listPage } from '../http/page-token.js';
import type { IdentifierService } from '../identifiers/service.js';
import { findHeldEvent, unheld } from './held.js';
import { isLotCode, lotIdentifier, mapLotFields } from './lot-names.js';
import type { EventListFilter, EventsRepository } from './repository.js';
import { EVENT_LIST_ORDER, type EventInput, type EventView, type PrimaryEventInput } from './schemas.js';
import { encodeSyncCursor, nextPosition, recordInstant, type SyncPosition } from './sync.js';
import { toEventView } from './view.js';
import { BatchRejected, type EventWriter, type WriteOutcome, type WriteRequest } from './writer/index.js';

export type RecordedEvent = { event: EventView; replacement: EventView | null; createdLotCodes: string[]; shipmentId: string | null };
type Recording = { request: WriteRequest; idempotent?: IdempotentRequest<RecordedEvent> };
type Recorded = Answered<RecordedEvent> | { problem: Problem };

/** Native events recorded together in one transaction at most (a bound on one group's latency). */
const EVENTS_PER_TRANSACTION = 100;

/** The native event API: an operator records one event for its own party through the writer. */
/** The filters of a newest-first listing as its page tokens carry them: its times as instants, however written. */
export const listedBy = ({ partyCode, type, lotCode, from, to }: EventListFilter): ListFilters => ({
  partyCode,
  type,
  lotCode,
  from: from?.toISOString(),
  to: to?.toISOString(),
});

export function createEventService(deps: {
  transaction: Transact;
  writer: Pick<EventWriter, 'write' | 'correct'>;
  /** The one resolver of identifiers: what a lot field names by an SSCC or PARTYCODE:LOTNUMBER. */
  identifiers: Pick<IdentifierService, 'parse' | 'findMany'>;
  events: Pick<EventsRepository, 'findById' | 'findHeld' | 'list' | 'listRecorded'>;
  /** The recordTime before which every event written at `at` has committed (settledBefore in src/db/settled.ts). */
  settled: (at: Date) => Promise<Date>;
  /** The clock keys are dated by, and sync pages end by (unset: the system's). */
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());

  /**
   * The request with each lot or container its event names by an SSCC or PARTYCODE:LOTNUMBER named
   * by its code, found by the one resolver in the transaction, and those names kept for its refusals
   * (see WriteRequest.lotNames). One that names no live lot is refused as an unknown lot code is (422).
   */
  async function withLotCodes(tx: Db, request: WriteRequest): Promise<WriteRequest> {
    const base = request.pointer ?? [];
    const named: { raw: string; path: (string | number)[] }[] = [];
    mapLotFields(request.action, (raw, path) => {
      if (!isLotCode(raw)) named.push({ raw, path });
      return raw;
    });
    if (named.length === 0) return request;
    const ids = named.map(({ raw, path }) => lotIdentifier(raw, deps.identifiers.parse, [...base, ...path]));
    const referents = await deps.identifiers.findMany(ids, tx);
    const codes = new Map<string, string>();
    const lotNames = new Map<string, string>();
    for (const [index, { raw, path }] of named.entries()) {
      const referent = referents[index];
      if (referent?.kind !== 'lot' && referent?.kind !== 'container') {
        throw unprocessable('unknown-lot', `no lot ${raw}`, [bodyField([...base, ...path], 'unknown lot')]);
      }
      codes.set(path.join('/'), referent.lotCode);
      if (!isLotCode(raw) && !lotNames.has(referent.lotCode)) lotNames.set(referent.lotCode, raw);
    }
    const action = mapLotFields(request.action, (raw, path) => codes.get(path.join('/')) ?? raw);
    return { ...request, action, lotNames };
  }

  /** withLotCodes, a refusal as the request's answer. */
  async function resolved(tx: Db, request: WriteRequest): Promise<WriteRequest | { problem: Problem }> {
    try {
      return await withLotCodes(tx, request);
    } catch (error) {
      if (error instanceof Problem) return { problem: error };
      throw error;
    }
  }
  /**
   * Records a group in the transaction: keyed requests claim their keys first, and one whose key
   * was used before is answered from it, writing nothing; of requests under one key in the group,
   * the first writes and the others are answered as it is.
   */
  async function recordGroup(tx: Db, recordings: Recording[]): Promise<Recorded[]> {
    const claims = recordings.map(({ request, idempotent }) => idempotent && claimOf(request.actor, idempotent));
    const held = await claimKeys(
      tx,
      claims.filter((claim) => claim !== undefined),
      now(),
    );
    const answers: (Recorded | undefined)[] = recordings.map(() => undefined);
    const firstUnder = new Map<string, number>();
    const writing: number[] = [];
    for (const [index, claim] of claims.entries()) {
      const found = claim && held.get(keyIdOf(claim));
      if (!claim || !found) writing.push(index);
      else if (!found.claimed) answers[index] = answerFrom(() => replayOf(claim, found));
      else if (!firstUnder.has(keyIdOf(claim))) {
        firstUnder.set(keyIdOf(claim), index);
        writing.push(index);
      }
    }
    const requests: WriteRequest[] = [];
    const written: number[] = [];
    for (const index of writing) {
      const request = await resolved(tx, recordings[index].request);
      if ('problem' in request) answers[index] = request;
      else {
        requests.push(request);
        written.push(index);
      }
    }
    const outcomes = await deps.writer.write(tx, requests, 'proceed');
    for (const [position, index] of written.entries()) answers[index] = recordedOf(outcomes[position]);
    const kept: { claim: NonNullable<(typeof claims)[number]>; body: string }[] = [];
    const refused: NonNullable<(typeof claims)[number]>[] = [];
    const bodies = new Map<number, string>();
    for (const index of firstUnder.values()) {
      const claim = claims[index] as NonNullable<(typeof claims)[number]>;
      const answer = answers[index];
      if (answer && 'replayed' in answer && !answer.replayed) {
        const body = (recordings[index].idempotent as IdempotentRequest<RecordedEvent>).present(answer.answer);
        bodies.set(index, body);
        kept.push({ claim, body });
      } else refused.push(claim);
    }
    await keepAnswers(tx, kept);
    await releaseKeys(tx, refused);
    // a later request under a key the group wrote under: answered as the first was, or refused as it was
    for (const [index, claim] of claims.entries()) {
      if (!claim || answers[index]) continue;
      const first = firstUnder.get(keyIdOf(claim)) as number;
      const body = bodies.get(first);
      if (claims[first]?.requestHash !== claim.requestHash) answers[index] = { problem: keyReused() };
      else answers[index] = body === undefined ? answers[first] : { replayed: true, body };
    }
    return answers as Recorded[];
  }

  // events recorded at the same time share a transaction, each checked after the ones before it
  // as if they had come one after the other; a rejected one is answered alone and stores nothing
  const group = createGroupCommit<Recording, Recorded>((recordings) => deps.transaction((tx) => recordGroup(tx, recordings)), {
    maxGroup: EVENTS_PER_TRANSACTION,
  });

  /** Records the event for the principal's party; under a key (see src/db/idempotency.ts), once. */
  async function recordOnce(
    principal: Principal,
    input: EventInput,
    idempotent: IdempotentRequest<RecordedEvent> | undefined,
  ): Promise<Answered<RecordedEvent>> {
    const actor = actingParty(principal);
    if (input.type !== 'correction') {
      const recorded = await group.push({ request: nativeRequest(actor, input), idempotent });
      if ('problem' in recorded) throw recorded.problem;
      return recorded;
    }
    try {
      return await deps.transaction((tx) =>
        once(tx, idempotent, actor, now(), async () => {
          const { correction, replacement } = await deps.writer.correct(tx, {
            actor,
            correctsEventId: input.correctsEventId,
            eventTime: input.eventTime,
            payload: { reason: input.reason },
            replacement: input.replacement ? await withLotCodes(tx, nativeRequest(actor, input.replacement, ['replacement'])) : undefined,
          });
          if (replacement && !replacement.ok) throw replacement.problem;
          return {
            event: correction,
            replacement: replacement?.event ?? null,
            createdLotCodes: replacement?.createdLotCodes ?? [],
            shipmentId: replacement?.shipmentId ?? null,
          };
        }),
      );
    } catch (error) {
      throw error instanceof BatchRejected ? error.problem : error;
    }
  }

  return {
    recordOnce,

    async record(principal: Principal, input: EventInput): Promise<RecordedEvent> {
      return written(await recordOnce(principal, input, undefined));
    },

    /** The event an eventID names (see findHeldEvent): its view, or the parties holding one under it. */
    async get(principal: Principal, id: string, partyCode?: string): Promise<{ event: EventView } | { holders: string[] }> {
      const held = await findHeldEvent(deps.events, principal, id, { partyCode });
      if (!held) throw notFound(unheld(id, principal, partyCode));
      return 'event' in held ? { event: toEventView(held.event) } : held;
    },

    /**
     * A page of the events the principal may read, newest first, and the token of the next page when a
     * further event exists. The token carries the filters as asked (listedBy), never the scope read
     * from the principal: each page is scoped again by who asks for it.
     */
    async list(
      principal: Principal,
      filter: EventListFilter & { limit: number; offset: number; pageToken?: ListPageToken },
    ): Promise<{ items: EventView[]; next?: string }> {
      const { pageToken, limit, ...rest } = filter;
      const partyCode = partyFilter(principal, filter.partyCode, 'events');
      const rows = await deps.events.list({ ...rest, partyCode, limit: limit + 1, after: pageToken?.after });
      return listPage(
        rows,
        limit,
        (row) => row.id,
        (last) => encodeListPageToken(EVENT_LIST_ORDER, listedBy(filter), last),
        ({ sortInstant, ...row }) => toEventView(row),
      );
    },

    /**
     * A sync page: the events recorded after `after` in record order, and the cursor to go on from.
     * It ends before any write still in flight (see settledBefore): its cursor never passes an event
     * that commits later, so a sync that follows the cursors reads every event once.
     */
    async sync(principal: Principal, filter: EventListFilter, after: SyncPosition, limit: number) {
      const partyCode = partyFilter(principal, filter.partyCode, 'events');
      const before = await deps.settled(now());
      const page = await deps.events.listRecorded({ ...filter, partyCode }, { after, before, limit });
      return {
        items: page.map(toEventView),
        next: encodeSyncCursor(nextPosition(after, recordInstant(before), page, limit)),
        // a write held open holds this back, for every party: the ERP sees how far behind it stands
        settledBefore: before.toISOString(),
      };
    },
  };
}

export type EventService = ReturnType<typeof createEventService>;

function recordedOf(outcome: WriteOutcome): Recorded {
  if (!outcome.ok) return { problem: outcome.problem };
  const { event, createdLotCodes, shipmentId } = outcome;
  return { replayed: false, answer: { event, replacement: null, createdLotCodes, shipmentId } };
}

function answerFrom(replay: () => Recorded): Recorded {
  try {
    return replay();
  } catch (error) {
    if (error instanceof Problem) return { problem: error };
    throw error;
  }
}

/** A native event body as a writer request: the action, and when, where and why. */
function nativeRequest(actor: string, input: PrimaryEventInput, pointer: (string | number)[] = []): WriteRequest {
  const { eventTime, bizStep, disposition, readPoint, bizLocation, referenceDocuments, ...action } = input;
  return { actor, action, context: { eventTime, bizStep, disposition, readPoint, bizLocation, referenceDocuments }, pointer };
}
