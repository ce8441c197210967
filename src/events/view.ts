// A stored event as the API shows it. Pure.
import { eventIdOfKey } from '../gs1/event-id.js';
import type { StoredEvent } from './repository.js';
import type { EventType, EventView } from './schemas.js';

export function toEventView(event: StoredEvent): EventView {
  return {
    // the eventID it was captured as, not the key that kept it apart from another party's
    id: eventIdOfKey(event.id),
    type: event.type as EventType,
    eventTime: event.eventTime,
    eventTimeZoneOffset: event.eventTimeZoneOffset,
    recordTime: event.recordTime,
    partyCode: event.partyCode,
    bizStep: event.bizStep,
    disposition: event.disposition,
    readPoint: event.readPoint,
    bizLocation: event.bizLocation,
    referenceDocuments: event.referenceDocuments,
    lots: event.lots.map((lot) => ({ lotCode: lot.lotCode, role: lot.role as EventView['lots'][number]['role'], quantity: lot.quantity })),
    details: event.payload,
    correctsEventId: event.correctsEventId && eventIdOfKey(event.correctsEventId),
    declaredInErrorBy: event.declaredInErrorBy && eventIdOfKey(event.declaredInErrorBy),
  };
}
