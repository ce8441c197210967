import { actingParty, type Principal, partyFilter } from '../access/index.js';
import type { Transact } from '../db/client.js';
import { createGroupCommit } from '../db/group-commit.js';
import { notFound } from '../errors/problem.js';
import { findHeldEvent, unheld } from './held.js';
import type { EventsRepository } from './repository.js';
import type { EventInput, EventView, PrimaryEventInput } from './schemas.js';
import { toEventView } from './view.js';
import { BatchRejected, type EventWriter, type WriteOutcome, type WriteRequest } from './writer/index.js';

type RecordedEvent = { event: EventView; replacement: EventView | null; createdLotCodes: string[]; shipmentId: string | null };

/** Native events recorded together in one transaction at most (a bound on one group's latency). */
const EVENTS_PER_TRANSACTION = 100;

/** The native event API: an operator records one event for its own party through the writer. */
export function createEventService(deps: {
  transaction: Transact;
  writer: Pick<EventWriter, 'write' | 'correct'>;
  events: Pick<EventsRepository, 'findById' | 'findHeld' | 'list'>;
}) {
  // events recorded at the same time share a transaction, each checked after the ones before it
  // as if they had come one after the other; a rejected one is answered alone and stores nothing
  const group = createGroupCommit<WriteRequest, WriteOutcome>(
    (requests) => deps.transaction((tx) => deps.writer.write(tx, requests, 'proceed')),
    { maxGroup: EVENTS_PER_TRANSACTION },
  );

  return {
    async record(principal: Principal, input: EventInput): Promise<RecordedEvent> {
      const actor = actingParty(principal);
      if (input.type !== 'correction') {
        const outcome = await group.push(nativeRequest(actor, input));
        if (!outcome.ok) throw outcome.problem;
        return { event: outcome.event, replacement: null, createdLotCodes: outcome.createdLotCodes, shipmentId: outcome.shipmentId };
      }
      try {
        return await deps.transaction(async (tx) => {
          const { correction, replacement } = await deps.writer.correct(tx, {
            actor,
            correctsEventId: input.correctsEventId,
            eventTime: input.eventTime,
            payload: { reason: input.reason },
            replacement: input.replacement ? nativeRequest(actor, input.replacement, ['replacement']) : undefined,
          });
          if (replacement && !replacement.ok) throw replacement.problem;
          return {
            event: correction,
            replacement: replacement?.event ?? null,
            createdLotCodes: replacement?.createdLotCodes ?? [],
            shipmentId: replacement?.shipmentId ?? null,
          };
        });
      } catch (error) {
        throw error instanceof BatchRejected ? error.problem : error;
      }
    },

    /** The event an eventID names (see findHeldEvent): its view, or the parties holding one under it. */
    async get(principal: Principal, id: string, partyCode?: string): Promise<{ event: EventView } | { holders: string[] }> {
      const held = await findHeldEvent(deps.events, principal, id, { partyCode });
      if (!held) throw notFound(unheld(id, principal, partyCode));
      return 'event' in held ? { event: toEventView(held.event) } : held;
    },

    async list(principal: Principal, filter: Omit<Parameters<EventsRepository['list']>[0], 'partyCode'> & { partyCode?: string }) {
      const partyCode = partyFilter(principal, filter.partyCode, 'events');
      return (await deps.events.list({ ...filter, partyCode })).map(toEventView);
    },
  };
}

export type EventService = ReturnType<typeof createEventService>;

/** A native event body as a writer request: the action, and when, where and why. */
function nativeRequest(actor: string, input: PrimaryEventInput, pointer: (string | number)[] = []): WriteRequest {
  const { eventTime, bizStep, disposition, readPoint, bizLocation, referenceDocuments, ...action } = input;
  return { actor, action, context: { eventTime, bizStep, disposition, readPoint, bizLocation, referenceDocuments }, pointer };
}
