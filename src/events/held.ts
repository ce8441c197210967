// One eventID looked up for a principal. EventIDs are each party's own (partyEventKey): a party
// reads its own event under one, and a principal reading every party's (a regulator, an admin) may
// find several parties holding it. Then it names the party (`?partyCode=`), or is answered with the
// holders to choose from (a 300), so that no party's event under a shared eventID is out of reach.
import { z } from 'zod';
import { type Principal, privateScope } from '../access/index.js';
import { hasServiceCodeShape, serviceCodeField } from '../codes/service-codes.js';
import { problemSchema } from '../errors/problem.js';
import { canonicalEventId, eventIdsToLookUp, partyEventKeys } from '../gs1/event-id.js';
import type { EventsRepository, StoredEvent } from './repository.js';

/** The event an eventID names for the principal, or the parties holding one under it when it may read several and named none. */
export type HeldEvent = { event: StoredEvent } | { holders: string[] };

export async function findHeldEvent(
  events: Pick<EventsRepository, 'findById' | 'findHeld'>,
  principal: Principal,
  id: string,
  options: { partyCode?: string; usable?: (event: StoredEvent) => boolean } = {},
): Promise<HeldEvent | undefined> {
  const { partyCode, usable = () => true } = options;
  const party = privateScope(principal);
  if (party !== null) {
    // another party's event reads as an unknown id, named or not: the ids are the same, and an EPCIS
    // event hash follows from content a party may guess. Its own may be stored under another form of the id.
    if (partyCode !== undefined && partyCode !== party) return undefined;
    for (const key of partyEventKeys(id, party)) {
      const event = await events.findById(key);
      if (event?.partyCode === party && usable(event)) return { event };
    }
    return undefined;
  }
  const held = (await events.findHeld(eventIdsToLookUp(id), canonicalEventId(id))).filter(
    (event) => usable(event) && (partyCode === undefined || event.partyCode === partyCode),
  );
  const holders = [...new Set(held.map((event) => event.partyCode))];
  if (holders.length === 0) return undefined;
  return holders.length === 1 ? { event: held[0] } : { holders };
}

/** Why no event was found: for a party, the words of an unknown eventID whichever party it named. */
export const unheld = (id: string, principal: Principal, partyCode?: string) =>
  partyCode === undefined || privateScope(principal) !== null ? `no event ${id}` : `party ${partyCode} holds no event ${id}`;

/** `?partyCode=`: the party whose event under the eventID is meant; malformed or mistyped, a 400 at its field. */
export const heldEventQuery = z.object({
  partyCode: serviceCodeField('party')
    .refine((code) => hasServiceCodeShape(code, ['party']), 'not a party code')
    .optional()
    .describe('the party whose event under this eventID is meant, when several parties hold one (a regulator or admin)'),
});

/** The 300 answer to an eventID several parties hold: RFC 9457 problem details listing where each party's event is read. */
export const eventHoldersSchema = problemSchema
  .omit({ errors: true })
  .extend({
    choices: z.array(z.object({ partyCode: z.string(), href: z.string() })).describe('the first party to hold the eventID first'),
  })
  .meta({ id: 'EventHolders', description: 'an eventID several parties hold, and where each party’s event is read' });

export function eventHolders(path: string, eventId: string, holders: string[], instance: string): z.infer<typeof eventHoldersSchema> {
  return {
    type: '/problems/multiple-events',
    title: 'Multiple choices',
    status: 300,
    detail: `${holders.length} parties hold an event with eventID ${eventId}: name one with ?partyCode=`,
    instance,
    choices: holders.map((partyCode) => ({ partyCode, href: `${path}?partyCode=${partyCode}` })),
  };
}
