import { z } from 'zod';
import { eventSchema } from '../events/schemas.js';
import { csvDialectQuery } from '../http/csv.js';
import { queryInteger } from '../http/query.js';
import { KDE_SORTS } from './kde.js';

export const traceQuery = z.object({
  direction: z.enum(['backward', 'forward']).default('backward').describe('backward: towards farms; forward: towards shops (recalls)'),
  depth: queryInteger(0, 100).prefault(30),
  include: z
    .enum(['events', 'graph'])
    .default('events')
    .describe(
      'events: the graph and every event on it in time order; graph: nodes and edges only (a recall-sized trace without the event bodies)',
    ),
  format: z
    .enum(['json', 'csv'])
    .optional()
    .describe(
      "csv: the key data elements of every event on the trace, one row per lot line (also with Accept: text/csv), in the columns of GET /regulator/events's KeyDataElements; an event declared in error stays with corrected_by, its correction a row on its lines",
    ),
  dialect: csvDialectQuery,
  sort: z.enum(KDE_SORTS).default('time').describe('row order of the CSV'),
});

const inspectionSchema = z.object({
  eventId: z.string().describe('each party names its own events: two parties’ inspections may share one eventID'),
  eventTime: z.date(),
  partyCode: z
    .string()
    .nullable()
    .describe(
      "the party that recorded the inspection (named in the trace's parties); null where it is neither the owner of every lot the inspection tested, nor the lab the inspection names, nor a party whose data the caller may read: an inspection of several lots names it on each of their nodes or on none",
    ),
  kind: z.string(),
  labPartyCode: z.string().nullable(),
  result: z.string(),
  reportNumber: z
    .string()
    .nullable()
    .describe('the report the inspection recorded; null where it recorded none, and where its recorder (partyCode) is withheld'),
  declaredInError: z.boolean(),
});

export const traceNodeSchema = z
  .object({
    code: z.string(),
    kind: z.string(),
    depth: z.number().int(),
    redacted: z
      .boolean()
      .describe('true when the lot belongs to another party: quantities, holders, its lot number and ear tags are withheld'),
    partyCode: z.string(),
    productCode: z.string().nullable(),
    lotNumber: z.string().nullable(),
    sscc: z.string().nullable(),
    status: z.string(),
    onHold: z.boolean().describe('a hold is in force: not shipped, sold, transformed nor coded until released'),
    productionDate: z.string().nullable(),
    expiryDate: z.string().nullable(),
    sellByDate: z.string().nullable().describe('the last day of sale; no expiry'),
    originLocationCode: z.string().nullable(),
    certificates: z.array(z.object({ type: z.string(), number: z.string() })),
    earTags: z.array(z.string()),
    inspections: z.array(inspectionSchema),
    quantity: z.number().nullable(),
    unit: z.string().nullable(),
    holders: z.array(z.object({ partyCode: z.string(), onHand: z.number() })).nullable(),
  })
  .meta({ id: 'TraceNode' });

const traceEdgeSchema = z
  .object({
    kind: z.enum(['transform', 'aggregate', 'custody']),
    from: z.string(),
    to: z.string(),
    quantity: z.number().nullable().describe('how much went in; withheld (null) where the lot it went into is redacted'),
    unit: z.string().nullable(),
    eventId: z.string(),
    fromPartyCode: z.string().nullable(),
    toPartyCode: z.string().nullable(),
    shipmentId: z.string().nullable(),
    status: z
      .string()
      .nullable()
      .describe(
        "custody: the line's shipment status (open, cancelled), received once a receipt took the line, or nothing-shipped for a line of 0 (stored before ships of nothing were refused; shown to regulators and admins only); aggregate: unpacked once the pack was opened",
      ),
  })
  .meta({ id: 'TraceEdge' });

export const traceSchema = z
  .object({
    query: z.object({
      identifier: z.string(),
      lotCodes: z.array(z.string()).describe('the lots the identifier resolved to'),
      direction: z.enum(['backward', 'forward']),
      depth: z.number().int(),
      include: z.enum(['events', 'graph']),
    }),
    summary: z.object({
      nodes: z.number().int(),
      earTags: z.array(z.string()),
      farms: z.array(z.string()).describe('farm parties reached'),
      currentHolders: z.array(z.object({ lotCode: z.string(), partyCode: z.string(), onHand: z.number() })),
    }),
    nodes: z.array(traceNodeSchema),
    edges: z.array(traceEdgeSchema),
    events: z.array(eventSchema),
    parties: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        kind: z.string(),
        regionCode: z.string(),
        address: z.string().nullable(),
        contact: z.object({ person: z.string().optional(), phone: z.string().optional(), email: z.string().optional() }).nullable(),
      }),
    ),
    products: z.array(
      z.object({ code: z.string(), name: z.string(), gtin: z.string().nullable(), category: z.string(), marks: z.array(z.string()) }),
    ),
    locations: z.array(z.object({ code: z.string(), name: z.string(), kind: z.string(), regionCode: z.string(), partyCode: z.string() })),
  })
  .meta({ id: 'Trace' });
export type Trace = z.infer<typeof traceSchema>;
