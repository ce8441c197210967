// EPCIS eventIDs compared as their standards compare them. A urn:uuid is case-insensitive
// throughout (RFC 8141 for "urn" and the namespace "uuid", RFC 9562 for the UUID); a CBV 2.0 event
// hash, an RFC 6920 ni URI, only in its scheme and hash algorithm: its value is compared as
// written. Captured events are stored under the canonical form, and the native routes (GET
// /events/{id}, a correction's correctsEventId) find them, and native events by their urn:uuid, as
// the EPCIS ones do. Pure.

const URN_UUID = /^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/** `ni:` + `//authority/` + algorithm `;` value (and any query, as written). */
const NI = /^ni:(\/\/[^/]*\/)([^;]+);(.*)$/is;

/** The eventID with what its standard leaves case-insensitive in lower case, the rest as written. */
export function canonicalEventId(id: string): string {
  const uuid = URN_UUID.exec(id);
  if (uuid) return `urn:uuid:${uuid[1].toLowerCase()}`;
  const ni = NI.exec(id);
  if (ni) return `ni:${ni[1]}${ni[2].toLowerCase()};${ni[3]}`;
  return id;
}

/**
 * The ids an event captured under this eventID may be stored under, this one as written first; an
 * event captured before eventIDs were stored canonical has the id as it was sent, so two forms of
 * one urn:uuid (lower and upper case) may be two events, even of two parties: the one named
 * exactly comes first, and a caller skips any it may not use (another party's).
 */
export function storedEventIds(id: string): string[] {
  const uuid = URN_UUID.exec(id)?.[1];
  return [...new Set([id, canonicalEventId(id), ...(uuid ? [`urn:uuid:${uuid.toUpperCase()}`] : [])])];
}

/** An event's EPCIS eventID: a captured event's as stored, a native event's id as a urn:uuid. */
export const epcisEventId = (id: string) => (/^[a-z][a-z0-9+.-]*:/i.test(id) ? id : `urn:uuid:${id}`);

/**
 * The corrective events an error declaration (a correction's payload) names, as eventIDs compare,
 * each once: what EQ_correctiveEventID looks up. Null when it names none.
 */
export function correctiveEventIdsOf(payload: Record<string, unknown>): string[] | null {
  const named = Array.isArray(payload.correctiveEventIDs) ? payload.correctiveEventIDs : [];
  const ids = [...new Set(named.filter((id): id is string => typeof id === 'string').map(canonicalEventId))];
  return ids.length > 0 ? ids : null;
}

/** The ids to look an eventID up by: a captured event's, and for a urn:uuid the bare UUID a native event is stored under. */
export function eventIdsToLookUp(id: string): string[] {
  const uuid = URN_UUID.exec(id)?.[1];
  return uuid ? [...storedEventIds(id), uuid.toLowerCase()] : storedEventIds(id);
}

/**
 * The key a party's event is stored under when its eventID was already another party's: eventIDs
 * are each party's own, and the first party to capture one keeps it as the key. `|` never appears
 * in an eventID (a URI), so the key names no event captured as it is.
 */
export const partyEventKey = (id: string, partyCode: string) => `${canonicalEventId(id)}|${partyCode}`;

/** The eventID an event (or its declaration, `…#error`) was captured as, from the key it is stored under. */
export const eventIdOfKey = (key: string) => key.replace(/\|[^#]*/, '');

/** The keys one party's event under this eventID may be stored under (eventIdsToLookUp, then its party's key). */
export const partyEventKeys = (id: string, partyCode: string) => [...eventIdsToLookUp(id), partyEventKey(id, partyCode)];
