import { z } from 'zod';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The ids this service gives out are UUIDs written in lower case, and a UUID is case-insensitive
// (RFC 9562): one a client writes in upper case is read in lower case.

/**
 * An id a client names: a UUID is read in lower case, anything else as written (an event's id may
 * be an EPCIS eventID, which is no UUID), so it is simply not found.
 */
export const idSchema = z.string().overwrite((id) => (UUID.test(id) ? id.toLowerCase() : id));

/** An id that must be a UUID (400 otherwise), read in lower case. */
export const uuidSchema = z.uuid().toLowerCase();
