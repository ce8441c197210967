// One drizzle schema for PGlite and node-postgres. Every tenant table carries the owning
// party's code so that a Citus distribution column is already in place.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  json,
  jsonb,
  numeric,
  type PgTableExtraConfigValue,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const quantity = (name: string) => numeric(name, { precision: 18, scale: 3, mode: 'number' });

export type PartyContact = { person?: string; phone?: string; email?: string };
/** A licence's number, or the numbers of several licences of one type (a plant may hold an SC licence per product line). */
export type LicenceNumbers = string | string[];
export type PartyLicences = {
  scLicence?: LicenceNumbers;
  animalEpidemicPreventionCertificate?: LicenceNumbers;
  farmCode?: LicenceNumbers;
  businessLicence?: LicenceNumbers;
};

export const parties = pgTable(
  'parties',
  {
    code: text('code').primaryKey(),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    uscc: text('uscc'),
    regionCode: text('region_code').notNull(),
    address: text('address'),
    contact: jsonb('contact').$type<PartyContact>().notNull().default({}),
    licences: jsonb('licences').$type<PartyLicences>().notNull().default({}),
    gln: text('gln'),
    /** GS1 company prefix, so the party's GTINs, SSCCs and GLNs can be written as EPC URNs. */
    gs1CompanyPrefix: text('gs1_company_prefix'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('parties_uscc_key').on(t.uscc).where(sql`${t.uscc} is not null`),
    // pattern ops: a GLN is found by equality, and the GLNs under a company prefix by a range of bytes (`like 'prefix%'`)
    uniqueIndex('parties_gln_key').on(t.gln.op('text_pattern_ops')).where(sql`${t.gln} is not null`),
    // pattern ops: a prefix is found by equality, and the prefixes that start with it by `like 'prefix%'`
    index('parties_gs1_company_prefix_idx').on(t.gs1CompanyPrefix.op('text_pattern_ops')).where(sql`${t.gs1CompanyPrefix} is not null`),
    // pattern ops: a region filter finds the parties of a county, city or province by `like 'prefix%'`
    index('parties_region_code_idx').on(t.regionCode.op('text_pattern_ops')),
  ],
);

export const locations = pgTable(
  'locations',
  {
    code: text('code').primaryKey(),
    partyCode: text('party_code')
      .notNull()
      .references(() => parties.code),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    regionCode: text('region_code').notNull(),
    address: text('address'),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    gln: text('gln'),
    createdAt: createdAt(),
  },
  (t) => [
    index('locations_party_idx').on(t.partyCode),
    // pattern ops, as parties_gln_key: the sites' GLNs under a company prefix are a range of it
    uniqueIndex('locations_gln_key').on(t.gln.op('text_pattern_ops')).where(sql`${t.gln} is not null`),
  ],
);

export const products = pgTable(
  'products',
  {
    code: text('code').primaryKey(),
    partyCode: text('party_code')
      .notNull()
      .references(() => parties.code),
    name: text('name').notNull(),
    gtin: text('gtin'),
    category: text('category').notNull(),
    unit: text('unit').notNull(),
    shelfLifeDays: integer('shelf_life_days'),
    marks: jsonb('marks').$type<string[]>().notNull().default([]),
    description: text('description'),
    createdAt: createdAt(),
  },
  (t) => [
    index('products_party_idx').on(t.partyCode),
    uniqueIndex('products_gtin_key').on(t.gtin).where(sql`${t.gtin} is not null`),
    // a GTIN-14 less its indicator digit, with pattern ops: the GTINs under a company prefix are `like 'prefix%'`. Not
    // partial: the planner reads the statistics of a whole index's expression only, and so knows how few rows a prefix matches
    index('products_gtin_company_part_idx').on(sql`substr(${t.gtin}, 2) text_pattern_ops`),
  ],
);

/** A hold in force on a lot: no shipping, selling, transforming, packing or code issuance until it is released. */
export type LotHold = { eventId: string; partyCode: string; reason: string; since: string };

export type LotAttributes = {
  earTags?: string[];
  quarantineCertificate?: string;
  meatQualityCertificate?: string;
  commitmentCertificate?: string;
  [key: string]: unknown;
};

// Lots and containers (cases, pallets identified by an SSCC or a service code) share one
// table so that lineage edges have a single node space.
export const lots = pgTable(
  'lots',
  {
    code: text('code').primaryKey(),
    kind: text('kind').notNull(),
    partyCode: text('party_code')
      .notNull()
      .references(() => parties.code),
    productCode: text('product_code').references(() => products.code),
    lotNumber: text('lot_number'),
    sscc: text('sscc'),
    quantity: quantity('quantity').notNull(),
    unit: text('unit').notNull(),
    productionDate: date('production_date', { mode: 'string' }),
    expiryDate: date('expiry_date', { mode: 'string' }),
    /** The last day the lot may be sold (GS1 AI 16, CBV sellByDate): no expiry, which is expiryDate. */
    sellByDate: date('sell_by_date', { mode: 'string' }),
    originLocationCode: text('origin_location_code').references(() => locations.code),
    attributes: jsonb('attributes').$type<LotAttributes>().notNull().default({}),
    status: text('status').notNull(),
    /** The hold in force (set by a hold event, cleared by a release event); null when none. */
    hold: jsonb('hold').$type<LotHold>(),
    createdByEventId: text('created_by_event_id').notNull(),
    voidedByEventId: text('voided_by_event_id'),
    createdAt: createdAt(),
  },
  (t) => [
    // a lot a correction voided gives up its lot number and SSCC (as it gives up its ear tags): the lot made in its place takes them
    uniqueIndex('lots_party_lot_number_key')
      .on(t.partyCode, t.lotNumber)
      .where(sql`${t.lotNumber} is not null and ${t.voidedByEventId} is null`),
    uniqueIndex('lots_sscc_key').on(t.sscc).where(sql`${t.sscc} is not null and ${t.voidedByEventId} is null`),
    // SSCCs with pattern ops: an EPC pattern's SSCCs are a range of them (see lotsMatching)
    index('lots_sscc_pattern_idx').on(t.sscc.op('text_pattern_ops')).where(sql`${t.sscc} is not null`),
    index('lots_product_idx').on(t.productCode),
    // the lots a party owns, for the recalls it may read (lotsInvolving), and newest first for GET /lots of an owner
    index('lots_party_created_idx').on(t.partyCode, t.createdAt, t.code),
    // every lot newest first: GET /lots pages from a position in it
    index('lots_created_idx').on(t.createdAt, t.code),
    // the lots an event created, which its correction voids (the writer's lotsFacts)
    index('lots_created_by_event_idx').on(t.createdByEventId),
    // the few lots on hold, from which a case's scan walks up to ask whether it holds one (containersState)
    index('lots_held_idx').on(t.code).where(sql`${t.hold} is not null`),
  ],
);

// Secondary identifiers that resolve to a lot, e.g. the 15-digit ear tag of each pig in a
// live-pig lot.
export const lotIdentifiers = pgTable(
  'lot_identifiers',
  {
    kind: text('kind').notNull(),
    value: text('value').notNull(),
    lotCode: text('lot_code')
      .notNull()
      .references(() => lots.code),
    partyCode: text('party_code').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.value] }),
    index('lot_identifiers_lot_idx').on(t.lotCode),
    // EPCs with pattern ops: an EPC pattern's EPCs are ranges of them, compared bytewise whatever the
    // database's collation (see lotsMatching)
    index('lot_identifiers_epc_value_idx').on(t.value.op('text_pattern_ops')).where(sql`${t.kind} = 'epc'`),
  ],
);

export type ReferenceDocument = { type: string; number: string };

// The append-only event log, shaped like EPCIS 2.0: what (event_lots + payload),
// when (event_time, offset, record_time), where (read_point, biz_location),
// why (biz_step, disposition, reference documents), how (payload: readings, results).
export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    eventTime: timestamp('event_time', { withTimezone: true, mode: 'date' }).notNull(),
    eventTimeZoneOffset: text('event_time_zone_offset').notNull(),
    recordTime: timestamp('record_time', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    partyCode: text('party_code')
      .notNull()
      .references(() => parties.code),
    bizStep: text('biz_step').notNull(),
    disposition: text('disposition'),
    readPoint: text('read_point'),
    bizLocation: text('biz_location'),
    referenceDocuments: jsonb('reference_documents').$type<ReferenceDocument[]>().notNull().default([]),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    correctsEventId: text('corrects_event_id'),
    /** ObjectEvent, AggregationEvent, TransformationEvent, TransactionEvent or AssociationEvent. */
    epcisType: text('epcis_type'),
    /** EPCIS transformation id: events sharing it form one transformation. */
    transformationId: text('transformation_id'),
    /**
     * A correction's corrective events (its errorDeclaration's correctiveEventIDs, as eventIDs compare):
     * what EQ_correctiveEventID looks up. Null when it names none.
     */
    correctiveEventIds: text('corrective_event_ids').array(),
  },
  (t) => [
    // one party's events newest first (GET /events pages from a position in it, ties of event time by id)
    index('events_party_time_idx').on(t.partyCode, t.eventTime, t.id),
    // the corrections alone, and below the events of EPCIS transformations alone: every other event holds
    // null there, and every query compares the column with a value, which implies not null
    index('events_corrects_idx').on(t.correctsEventId).where(sql`${t.correctsEventId} is not null`),
    index('events_time_idx').on(t.eventTime, t.id),
    // EPCIS queries ordered by recordTime page on (record_time, id)
    index('events_record_time_idx').on(t.recordTime, t.id),
    // a party's sync of GET /events pages on its own events alone in (record_time, id) order
    index('events_party_record_time_idx').on(t.partyCode, t.recordTime, t.id),
    // and a sync of one type of every party's (a regulator's of holds, recalls or inspections) on that
    // type's alone: on the record-time index it read past every other type's events (1,099 buffers for
    // a month of recalls among 1.5 million events, 11,676 for a year; 18 and 104 on this one)
    index('events_type_record_time_idx').on(t.type, t.recordTime, t.id),
    index('events_transformation_idx').on(t.transformationId).where(sql`${t.transformationId} is not null`),
    // EQ_correctiveEventID probes the few declarations naming corrective events
    index('events_corrective_idx').using('gin', t.correctiveEventIds).where(sql`${t.correctiveEventIds} is not null`),
    // eventIDs are each party's own: an event whose eventID another party held first is stored under
    // its party's key (`<eventID>|<party>`), and a query of every party's events finds it by its eventID here
    index('events_party_key_event_id_idx').on(sql`(${t.payload}->'epcis'->>'eventID')`).where(sql`${t.id} like '%|%'`),
  ],
);

// Which lots an event is about, and in what role (input, output, subject, parent, child).
export const eventLots = pgTable(
  'event_lots',
  {
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    lotCode: text('lot_code')
      .notNull()
      .references(() => lots.code),
    role: text('role').notNull(),
    quantity: quantity('quantity'),
    partyCode: text('party_code').notNull(),
    /**
     * How a captured EPCIS event named the lot: as an instance (epcList, childEPCs, parentID,
     * input/outputEPCList) or as a class (a quantity list). Null for native events, which are
     * rendered by the lot's kind (a container as an instance, any other lot as a class).
     */
    namedAsInstance: boolean('named_as_instance'),
    /**
     * The event is an inspection or carries reference documents (isEvidence): a trace's graph reads
     * its lots' inspections and certificates from these links alone, by the partial index.
     */
    evidence: boolean('evidence').notNull().default(false),
    /**
     * The event made the lot (`makes`: a commission's subject, a transformation's output, the
     * container a packing created): the event writer reads when a lot came into being from these
     * links alone, by the partial index, however many other events the lot has.
     */
    makes: boolean('makes').notNull().default(false),
    /**
     * The event's time, on a link by which the event used the lot (what the chronology rule holds
     * to the lot's beginning: moving, packing, unpacking, inspecting, selling, destroying or
     * transforming it, not making it); null on every other link. The event writer reads a lot's
     * first use from these links alone, by the partial index, however many other events it has.
     */
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
    /**
     * A link a data migration added after its event was stored, named by that restatement (an
     * `events.restate` entry of the audit log covers it; the event's own entry does not). Null
     * for the links the event was stored with.
     */
    restatedBy: text('restated_by'),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.lotCode, t.role] }),
    index('event_lots_lot_idx').on(t.lotCode),
    index('event_lots_evidence_idx').on(t.lotCode).where(sql`${t.evidence}`),
    index('event_lots_makes_idx').on(t.lotCode).where(sql`${t.makes}`),
    index('event_lots_used_idx').on(t.lotCode, t.usedAt).where(sql`${t.usedAt} is not null`),
    index('event_lots_restated_idx').on(t.restatedBy).where(sql`${t.restatedBy} is not null`),
  ],
);

/** The fields whose values the EPCIS value lists (GET /epcis/bizSteps, …, /epcis/epcs) page through. */
export type EventValueField = 'bizStep' | 'disposition' | 'readPoint' | 'bizLocation' | 'lot';

// Each value one party's events hold in a field, once: the business steps, dispositions, read points
// and business locations of its events (corrections aside, as they are no event of the lists), and
// the lots its events link in any role (`lot`). Written by the event writer with the events, so that
// a page of a value list reads a page of this table, however many events hold its values.
export const eventValues = pgTable(
  'event_values',
  {
    partyCode: text('party_code')
      .notNull()
      .references(() => parties.code),
    field: text('field').$type<EventValueField>().notNull(),
    value: text('value').notNull(),
  },
  (t) => [
    // a party's page of one field, in value order
    primaryKey({ columns: [t.partyCode, t.field, t.value] }),
    // every party's page of one field (regulators and admins), each value once
    index('event_values_field_value_idx').on(t.field, t.value),
  ],
);

// Quantity ledger: every change to what a party holds of a lot, signed, and whether it lies
// loose (container_code null) or packed in a container. Balances, mass balance and corrections
// (negating an event's rows) all derive from it.
export const lotMovements = pgTable(
  'lot_movements',
  {
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    lotCode: text('lot_code')
      .notNull()
      .references(() => lots.code),
    partyCode: text('party_code').notNull(),
    kind: text('kind').notNull(),
    quantity: quantity('quantity').notNull(),
    containerCode: text('container_code'),
    /**
     * A row a data migration booked after its event was stored, named by that restatement (an
     * `events.restate` entry of the audit log covers it; the event's own entry does not). Null
     * for the rows the event was stored with.
     */
    restatedBy: text('restated_by'),
    /**
     * The event's time, on a movement that received some of the lot (`receive_in` of a positive
     * quantity); null on every other. The event writer reads when a party first received a lot from
     * these rows alone, by the partial index, however many receipts the party has of it.
     */
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('lot_movements_lot_party_idx').on(t.lotCode, t.partyCode),
    index('lot_movements_received_idx').on(t.lotCode, t.partyCode, t.receivedAt).where(sql`${t.receivedAt} is not null`),
    // how a lot's stock last went out for good (the writer's status facts), among its drains alone
    index('lot_movements_drain_idx').on(t.lotCode).where(sql`${t.kind} in ('consume', 'destroy', 'sell') and ${t.quantity} < 0`),
    // the lots a party held, for the recalls it may read (lotsInvolving)
    index('lot_movements_party_lot_idx').on(t.partyCode, t.lotCode),
    index('lot_movements_event_idx').on(t.eventId),
    index('lot_movements_restated_idx').on(t.restatedBy).where(sql`${t.restatedBy} is not null`),
  ],
);

// What each party holds of each lot, loose or per container: the ledger above summed, kept by the
// database (a statement trigger on lot_movements, migration 0017) so that every insert into the
// ledger moves it in the same statement. Balances are read from here (the writer's checks, holders,
// traces, a recall's holdings); the ledger stays the record of how they came about.
export const lotBalances = pgTable(
  'lot_balances',
  {
    lotCode: text('lot_code')
      .notNull()
      .references(() => lots.code),
    partyCode: text('party_code').notNull(),
    containerCode: text('container_code'),
    quantity: quantity('quantity').notNull(),
  },
  (t) => [unique('lot_balances_holding_key').on(t.lotCode, t.partyCode, t.containerCode).nullsNotDistinct()],
);

// Lineage edges from upstream to downstream: input lot → output lot (transform),
// content → container (aggregate). Custody hand-overs live in shipments.
export const lineageEdges = pgTable(
  'lineage_edges',
  {
    upstreamCode: text('upstream_code').notNull(),
    downstreamCode: text('downstream_code').notNull(),
    kind: text('kind').notNull(),
    quantity: quantity('quantity'),
    unit: text('unit'),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    partyCode: text('party_code').notNull(),
    endedByEventId: text('ended_by_event_id'),
    retractedByEventId: text('retracted_by_event_id'),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.upstreamCode, t.downstreamCode] }),
    // live edges only, both ends in the key: a walk reads its next step from the index alone
    index('lineage_edges_up_down_idx').on(t.upstreamCode, t.downstreamCode).where(sql`${t.retractedByEventId} is null`),
    index('lineage_edges_down_up_idx').on(t.downstreamCode, t.upstreamCode).where(sql`${t.retractedByEventId} is null`),
  ],
);

export const shipments = pgTable(
  'shipments',
  {
    id: text('id').primaryKey(),
    shipEventId: text('ship_event_id')
      .notNull()
      .references(() => events.id),
    fromPartyCode: text('from_party_code')
      .notNull()
      .references(() => parties.code),
    fromLocationCode: text('from_location_code'),
    toPartyCode: text('to_party_code')
      .notNull()
      .references(() => parties.code),
    toLocationCode: text('to_location_code'),
    status: text('status').notNull(),
    shippedAt: timestamp('shipped_at', { withTimezone: true, mode: 'date' }).notNull(),
    receiveEventId: text('receive_event_id'),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('shipments_from_idx').on(t.fromPartyCode, t.status),
    // every shipment newest first: GET /shipments pages from a position in it
    index('shipments_shipped_idx').on(t.shippedAt, t.id),
    index('shipments_to_idx').on(t.toPartyCode, t.status),
    // a correction finds the shipment its event opened or closed by these
    index('shipments_ship_event_idx').on(t.shipEventId),
    index('shipments_receive_event_idx').on(t.receiveEventId),
  ],
);

export const shipmentLines = pgTable(
  'shipment_lines',
  {
    shipmentId: text('shipment_id')
      .notNull()
      .references(() => shipments.id),
    lotCode: text('lot_code')
      .notNull()
      .references(() => lots.code),
    quantity: quantity('quantity').notNull(),
    receivedQuantity: quantity('received_quantity'),
    /** The receipt that took this line: a shipment may be received in parts (a gate reads one case at a time). */
    receiveEventId: text('receive_event_id'),
    partyCode: text('party_code').notNull(),
    /** The container the lot travels packed in; null for a loose lot (or a container shipped itself). */
    containerCode: text('container_code'),
    /**
     * Where the line stands in its shipment, from 0: the order its ship event sent the lines in, so
     * that every read of a shipment lists them alike.
     */
    position: integer('position').notNull(),
  },
  (t) => [
    unique('shipment_lines_line_key').on(t.shipmentId, t.lotCode, t.containerCode).nullsNotDistinct(),
    // the shipment's lines in their order
    unique('shipment_lines_position_key').on(t.shipmentId, t.position),
    index('shipment_lines_lot_idx').on(t.lotCode),
    // a correction of a receipt in parts finds the lines it took by it
    index('shipment_lines_receive_event_idx').on(t.receiveEventId),
  ],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    keyHash: text('key_hash').notNull(),
    keyPrefix: text('key_prefix').notNull(),
    role: text('role').notNull(),
    partyCode: text('party_code').references(() => parties.code),
    label: text('label'),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('api_keys_hash_key').on(t.keyHash),
    // a party's keys (of a role): which roles a party still holds, as each subscription round asks
    index('api_keys_party_idx').on(t.partyCode, t.role),
  ],
);

// One code per package (一物一码). Codes of a job become resolvable only once the job
// succeeds, so a failed bulk issue never leaves half a batch visible.
export const codeJobs = pgTable(
  'code_jobs',
  {
    id: text('id').primaryKey(),
    partyCode: text('party_code')
      .notNull()
      .references(() => parties.code),
    lotCode: text('lot_code')
      .notNull()
      .references(() => lots.code),
    total: integer('total').notNull(),
    done: integer('done').notNull().default(0),
    status: text('status').notNull(),
    error: text('error'),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    /** The service process running the job (see src/db/leases.ts), until its lease ends. */
    claimedBy: text('claimed_by'),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('code_jobs_party_idx').on(t.partyCode, t.createdAt), index('code_jobs_lot_idx').on(t.lotCode, t.status)],
);

export const items = pgTable(
  'items',
  {
    code: text('code').primaryKey(),
    lotCode: text('lot_code')
      .notNull()
      .references(() => lots.code),
    partyCode: text('party_code').notNull(),
    jobId: text('job_id')
      .notNull()
      .references(() => codeJobs.id),
    /**
     * The code's place in its job, 1 to the job's total (the order it was issued in): codes.csv lists
     * a job's codes by it, and label sheet N holds the codes numbered from (N - 1) × 32 + 1 on.
     */
    seq: integer('seq').notNull(),
    containerCode: text('container_code'),
    scanCount: integer('scan_count').notNull().default(0),
    firstScannedAt: timestamp('first_scanned_at', { withTimezone: true, mode: 'date' }),
    lastScannedAt: timestamp('last_scanned_at', { withTimezone: true, mode: 'date' }),
    lastRegion: text('last_region'),
    /** When the scan that gave `lastRegion` was (a later scan may have had no region). */
    lastRegionAt: timestamp('last_region_at', { withTimezone: true, mode: 'date' }),
    /** The address (hashed) of the scan that gave `lastRegion`: a scan from it is never travel from that one. */
    lastRegionIpHash: text('last_region_ip_hash'),
  },
  (t) => [
    index('items_lot_idx').on(t.lotCode),
    // a job's codes in their order: codes.csv by keyset, a label sheet by its range (0067)
    uniqueIndex('items_job_seq_idx').on(t.jobId, t.seq),
    // how many packs a case holds (a gate receives a case once all of them were read)
    index('items_container_idx').on(t.containerCode),
  ],
);

export const scans = pgTable(
  'scans',
  {
    id: text('id').primaryKey(),
    itemCode: text('item_code'),
    rawCode: text('raw_code').notNull(),
    lotCode: text('lot_code'),
    partyCode: text('party_code'),
    scannedAt: timestamp('scanned_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    region: text('region'),
    ipHash: text('ip_hash').notNull(),
    userAgent: text('user_agent'),
    /**
     * Hash of the client: its salted address, as ip_hash (an earlier version hashed the address and user agent), so
     * that a page reloaded or opened in another app at the same address is not a new scan.
     */
    clientHash: text('client_hash'),
    /**
     * The clock-aligned ten-minute window of a counted scan, which instances before scan_repeats wrote (and
     * may still write during a rolling restart); no longer read or written.
     */
    repeatWindow: integer('repeat_window'),
  },
  (t) => [
    index('scans_item_idx').on(t.itemCode, t.scannedAt),
    index('scans_lot_idx').on(t.lotCode, t.scannedAt),
    // a client's scans of a code that names nothing (never issued, or a pack of a voided lot), by the code as read:
    // a reload within ten minutes is the same scan
    index('scans_unknown_idx').on(t.rawCode, t.scannedAt).where(sql`${t.itemCode} is null and ${t.lotCode} is null`),
    // kept while instances of the version before scan_repeats may run: they drop their repeats by it
    // (this version writes no window, so the partial key costs its inserts nothing)
    uniqueIndex('scans_repeat_key')
      .on(sql`coalesce(${t.itemCode}, ${t.lotCode})`, t.clientHash, t.repeatWindow)
      .where(sql`${t.repeatWindow} is not null`),
  ],
);

/**
 * The last counted scan of a code by a client, keyed without the code's kind (a pack's and a lot's code written
 * alike shared a row), as instances before last_counted_scans wrote it: kept while they may run during a
 * rolling restart (migration 0052 moved its rows), no longer read or written.
 */
export const scanRepeats = pgTable(
  'scan_repeats',
  {
    code: text('code').notNull(),
    clientHash: text('client_hash').notNull(),
    countedAt: timestamp('counted_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.code, t.clientHash] })],
);

/**
 * The last counted scan of a code by a client: of a pack (`item`), of a lot or case by its own label
 * (`lot`), or of a code that names nothing, as the resolver read it (`unknown`). A scan counts when it is at least REPEAT_WINDOW_MS after it, and then takes its place. The batch
 * that stores a scan decides, with the row locked (upsert), so that two instances holding the same client's
 * scan decide one after the other; batches also delete rows too old to make any scan a repeat.
 */
export const lastCountedScans = pgTable(
  'last_counted_scans',
  {
    kind: text('kind', { enum: ['item', 'lot', 'unknown'] }).notNull(),
    code: text('code').notNull(),
    clientHash: text('client_hash').notNull(),
    countedAt: timestamp('counted_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.code, t.clientHash] }), index('last_counted_scans_at_idx').on(t.countedAt)],
);

export const codeFlags = pgTable(
  'code_flags',
  {
    code: text('code').notNull(),
    kind: text('kind').notNull(),
    lotCode: text('lot_code'),
    partyCode: text('party_code'),
    firstAt: timestamp('first_at', { withTimezone: true, mode: 'date' }).notNull(),
    lastAt: timestamp('last_at', { withTimezone: true, mode: 'date' }).notNull(),
    occurrences: integer('occurrences').notNull().default(1),
    detail: text('detail'),
    /** For over_scanned, the addresses the code was scanned from at its latest occurrence; null for other kinds. */
    evidence: integer('evidence'),
    /**
     * The regulator's dismissal the flag stands dismissed by (code_flag_dismissals, of this code and kind);
     * null while open. An occurrence with new evidence (reopensDismissed in src/scans/flags.ts, followed by the
     * scan's upsert) clears it: the dismissal stays in its table and the audit log.
     */
    dismissalId: text('dismissal_id'),
    /**
     * For brand_misuse, the brands the findings of its latest occurrence name (one finding per brand), written
     * with its detail by the same upsert; empty for other kinds. A brand's office lists the flags holding its
     * brand by code_flags_brand_codes_idx, whatever the findings' wording.
     */
    brandCodes: text('brand_codes').array().notNull().default(sql`'{}'::text[]`),
  },
  // typed: the two tables' keys refer to one another
  (t): PgTableExtraConfigValue[] => [
    primaryKey({ columns: [t.code, t.kind] }),
    index('code_flags_kind_idx').on(t.kind, t.lastAt),
    index('code_flags_brand_codes_idx').using('gin', t.brandCodes),
    foreignKey({
      name: 'code_flags_dismissal_fk',
      columns: [t.code, t.kind, t.dismissalId],
      foreignColumns: [codeFlagDismissals.code, codeFlagDismissals.kind, codeFlagDismissals.id],
    }),
  ],
);

/**
 * Regulators' dismissals of flags, append-only: who dismissed which flag (by its key), when, why, and the
 * occurrences it had then. Each has a `flag.dismiss` audit entry, which keeps covering it once the flag is
 * raised again and reopened, or reopened by hand (code_flag_reopenings).
 */
export const codeFlagDismissals = pgTable(
  'code_flag_dismissals',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    kind: text('kind').notNull(),
    reason: text('reason').notNull(),
    keyId: text('key_id').notNull(),
    dismissedAt: timestamp('dismissed_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** The flag's occurrences when dismissed: what the regulator looked into. */
    occurrences: integer('occurrences').notNull(),
    /** The evidence the dismissal cleared (the flag's detail and evidence then): a later occurrence reopens the flag only with new. */
    detail: text('detail'),
    evidence: integer('evidence'),
    /**
     * Whether its `flag.dismiss` entry covers the detail and evidence: false for the dismissals recorded before
     * entries did, whose entries hashed them without (migration 0081 gave them their detail since).
     */
    evidenceAudited: boolean('evidence_audited').notNull().default(false),
  },
  (t): PgTableExtraConfigValue[] => [
    unique('code_flag_dismissals_flag_key').on(t.code, t.kind, t.id),
    foreignKey({ name: 'code_flag_dismissals_flag_fk', columns: [t.code, t.kind], foreignColumns: [codeFlags.code, codeFlags.kind] }),
  ],
);

/**
 * Regulators' reopenings of dismissed flags by hand, append-only: which dismissal each ended (a dismissal is
 * ended by hand once at most; it stays in its table), who reopened it (by its key), when and why. Each has a
 * `flag.reopen` audit entry.
 */
export const codeFlagReopenings = pgTable(
  'code_flag_reopenings',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    kind: text('kind').notNull(),
    dismissalId: text('dismissal_id').notNull(),
    reason: text('reason').notNull(),
    keyId: text('key_id').notNull(),
    reopenedAt: timestamp('reopened_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    unique('code_flag_reopenings_dismissal_key').on(t.dismissalId),
    foreignKey({
      name: 'code_flag_reopenings_dismissal_fk',
      columns: [t.code, t.kind, t.dismissalId],
      foreignColumns: [codeFlagDismissals.code, codeFlagDismissals.kind, codeFlagDismissals.id],
    }),
  ],
);

/**
 * A brand office's own findings on a `brand_misuse` flag naming its brand, append-only: which brand's office
 * (the brand; the key that wrote it), when, and what it found. They decide nothing of the flag (its dismissal
 * and reopening stay the regulators'). Each has a `flag.brand-note` audit entry.
 */
export const codeFlagBrandNotes = pgTable(
  'code_flag_brand_notes',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    kind: text('kind').notNull(),
    brandCode: text('brand_code')
      .notNull()
      .references(() => brands.code),
    note: text('note').notNull(),
    keyId: text('key_id').notNull(),
    notedAt: timestamp('noted_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    index('code_flag_brand_notes_flag_idx').on(t.brandCode, t.code, t.notedAt),
    foreignKey({ name: 'code_flag_brand_notes_flag_fk', columns: [t.code, t.kind], foreignColumns: [codeFlags.code, codeFlags.kind] }),
  ],
);

export type ComplaintNote = { at: string; status: string; note: string; by: string };

export const complaints = pgTable(
  'complaints',
  {
    ticket: text('ticket').primaryKey(),
    itemCode: text('item_code').notNull(),
    lotCode: text('lot_code'),
    partyCode: text('party_code'),
    category: text('category').notNull(),
    text: text('text').notNull(),
    phone: text('phone'),
    status: text('status').notNull(),
    /** Set when resolved: whether the complaint was upheld (it counts against the producer's credit) or dismissed. */
    outcome: text('outcome'),
    notes: jsonb('notes').$type<ComplaintNote[]>().notNull().default([]),
    ipHash: text('ip_hash').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('complaints_status_idx').on(t.status, t.createdAt),
    index('complaints_lot_idx').on(t.lotCode),
    // a maker's complaints, the newest first (GET /complaints), and each party's in the credit score
    index('complaints_party_idx').on(t.partyCode, t.createdAt),
    // the complaints a client address had accepted in the last hour, counted before each new one
    index('complaints_ip_idx').on(t.ipHash, t.createdAt),
  ],
);

/**
 * The complaints stored before filings were logged (`complaint.file`), listed once by the migration
 * that added this table: the only complaints with no filing entry that verify. The `complaint.baseline`
 * entry (on the system chain) hashes the list, so a ticket added or taken out breaks it.
 */
export const complaintsBeforeLog = pgTable('complaints_before_log', {
  ticket: text('ticket').primaryKey(),
});

/**
 * One error of a capture job: where (the event's place and id, the member's pointer), what (the message), and
 * the problem it is (`type`, `status`: what the event refused through POST /epcis/events would be answered
 * with). Jobs stored before type and status were kept have neither.
 */
export type CaptureProblem = {
  eventIndex: number | null;
  eventId: string | null;
  pointer: string;
  message: string;
  type?: string;
  status?: number;
};

// EPCIS capture jobs: a document is validated, then its events are stored all-or-nothing
// (rollback) or one by one (proceed).
export const epcisCaptures = pgTable(
  'epcis_captures',
  {
    id: text('id').primaryKey(),
    partyCode: text('party_code')
      .notNull()
      .references(() => parties.code),
    status: text('status').notNull(),
    errorBehaviour: text('error_behaviour').notNull(),
    total: integer('total').notNull(),
    captured: integer('captured').notNull().default(0),
    duplicates: integer('duplicates').notNull().default(0),
    errors: jsonb('errors').$type<CaptureProblem[]>().notNull().default([]),
    eventIds: jsonb('event_ids').$type<string[]>().notNull().default([]),
    /**
     * The document, kept until the job has finished so that a restart can run it again. Kept as
     * json (its text, checked): only a restart reads it, whole, and jsonb would parse and convert
     * megabytes before the 202 (a 10,000-event document's INSERT waited on it).
     */
    document: json('job_document').$type<Record<string, unknown>>(),
    /**
     * The document of a job queued by a process from before `job_document` (migration 0054), as it
     * keeps it: a column of its own, so that the migration did not rewrite every job ever captured.
     */
    documentAsJsonb: jsonb('document').$type<Record<string, unknown>>(),
    /** Events already stored or rejected (proceed jobs commit in chunks and resume after a restart). */
    processed: integer('processed').notNull().default(0),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    /** The service process running the job (see src/db/leases.ts), until its lease ends. */
    claimedBy: text('claimed_by'),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('epcis_captures_party_idx').on(t.partyCode, t.createdAt), index('epcis_captures_status_idx').on(t.status)],
);

// EPCIS named queries and their webhook subscriptions. `owner` is the party for operator keys
// and the key id for regulators and admins; results are always filtered by the creator's access.
export const epcisQueries = pgTable(
  'epcis_queries',
  {
    owner: text('owner').notNull(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    partyCode: text('party_code'),
    params: jsonb('params').$type<Record<string, string[]>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.owner, t.name] })],
);

export const epcisSubscriptions = pgTable(
  'epcis_subscriptions',
  {
    id: text('id').primaryKey(),
    owner: text('owner').notNull(),
    queryName: text('query_name').notNull(),
    dest: text('dest').notNull(),
    signatureToken: text('signature_token'),
    stream: integer('stream').notNull(),
    schedule: jsonb('schedule').$type<Record<string, string>>(),
    reportIfEmpty: integer('report_if_empty').notNull().default(0),
    /**
     * The role of the key that subscribed, which is the named query's (a key reaches only its own
     * role's queries). Null for a subscription made before it was recorded when the keys its party
     * held then do not tell; one made then with a key of another role is paused (migration 0033).
     */
    role: text('role'),
    /** Events recorded after this time are still to be delivered. */
    cursor: timestamp('cursor', { withTimezone: true, mode: 'date' }).notNull(),
    lastSlot: text('last_slot'),
    /** Consecutive failed deliveries (0 after one succeeds), why the last failed, and when the next is tried. */
    failures: integer('failures').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
    /** When the first of its consecutive failed deliveries failed (null while it delivers). */
    failingSince: timestamp('failing_since', { withTimezone: true, mode: 'date' }),
    /**
     * When its deliveries were stopped, and why: the webhook answered 410 Gone, or it failed too many
     * times or for too long in a row. A stopped subscription is never delivered until its owner resumes it.
     */
    stoppedAt: timestamp('stopped_at', { withTimezone: true, mode: 'date' }),
    stopReason: text('stop_reason'),
    /**
     * The service process delivering it now (its id for this start, see src/db/leases.ts) and until
     * when its hold lasts: one process at a time delivers a subscription and moves its cursor.
     */
    claimedBy: text('claimed_by'),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [index('epcis_subscriptions_owner_idx').on(t.owner, t.queryName)],
);

// Request counts per client and route for rate limits, kept in the database so that limits hold
// across restarts and across instances serving one database.
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true, mode: 'date' }).notNull(),
  hits: integer('hits').notNull(),
});

// The Idempotency-Key of a write a party's client made (src/db/idempotency.ts): the request it
// named (a hash) and the answer it was given, stored in the write's own transaction, so that a
// retry is answered the same and writes nothing. Kept IDEMPOTENCY_KEY_HOURS.
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    /**
     * Whose key: a party's code, or for an API key of no party (an admin's, a regulator's without a
     * party) `key:{id}`, as that key owns its EPCIS named queries and subscriptions: no foreign key.
     */
    partyCode: text('party_code').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    /** The answer's body as sent (JSON text); null only inside the claiming transaction. */
    answer: text('answer'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.partyCode, t.key] }), index('idempotency_keys_party_created_idx').on(t.partyCode, t.createdAt)],
);

// Secrets the service makes itself on first start and every process on the database shares (the
// salt of hashed client IPs: hashes must agree across processes and restarts, and not be reversible
// by anyone who knows a built-in value).
export const serviceSecrets = pgTable('service_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

// Browser sessions of the regulator dashboard: the cookie carries a random token, only its hash is
// kept, tied to the API key that logged in (revoking the key ends the session).
export const regulatorSessions = pgTable(
  'regulator_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    keyId: text('key_id')
      .notNull()
      .references(() => apiKeys.id),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('regulator_sessions_key_idx').on(t.keyId)],
);

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  // PGlite hands back a Uint8Array where node-postgres gives a Buffer
  fromDriver: (value) => Buffer.from(value),
});

/** A licence or certification an enterprise holds, as declared when it applied to join. */
export type Credential = { type: string; number: string; validFrom?: string; validUntil: string };
/** A certification a party showed to be admitted to a brand. */
export type AdmissionEvidence = { type: string; number: string; issuer?: string; validUntil?: string };

// Enterprises applying to join (主体注册). Until a regulator approves, there is no party and so no
// party code; the approved application carries the code of the party it became.
export const registrations = pgTable(
  'registrations',
  {
    id: text('id').primaryKey(),
    ticketHash: text('ticket_hash').notNull(),
    status: text('status').notNull(),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    uscc: text('uscc').notNull(),
    regionCode: text('region_code').notNull(),
    address: text('address').notNull(),
    contact: jsonb('contact').$type<PartyContact>().notNull(),
    licences: jsonb('licences').$type<Credential[]>().notNull(),
    certifications: jsonb('certifications').$type<Credential[]>().notNull(),
    ipHash: text('ip_hash').notNull(),
    documentCount: integer('document_count').notNull().default(0),
    submittedAt: timestamp('submitted_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    decidedBy: text('decided_by'),
    reason: text('reason'),
    partyCode: text('party_code').references(() => parties.code),
    /** When the applicant was shown the party's first operator key (it is shown once). */
    keyIssuedAt: timestamp('key_issued_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('registrations_status_idx').on(t.status, t.submittedAt),
    uniqueIndex('registrations_pending_uscc_key').on(t.uscc).where(sql`${t.status} = 'pending'`),
  ],
);

export const registrationDocuments = pgTable(
  'registration_documents',
  {
    id: text('id').primaryKey(),
    registrationId: text('registration_id')
      .notNull()
      .references(() => registrations.id),
    name: text('name').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    content: bytea('content').notNull(),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('registration_documents_registration_idx').on(t.registrationId)],
);

// RFID gates. A party registers its readers (each with its own `reader` API key), maps reader
// antennas to read points at its locations, and binds tags to what they are attached to.
export const rfidReaders = pgTable(
  'rfid_readers',
  {
    id: text('id').primaryKey(),
    partyCode: text('party_code')
      .notNull()
      .references(() => parties.code),
    /**
     * As the reader names itself in its payloads (Zebra `hostName`, Impinj `hostname`), kept as
     * registered; compared without regard to case, as host names are (RFC 4343). Unique within its
     * party: host names are the party's own network's (two factories may both have an fx9600-gate1).
     */
    hostName: text('host_name').notNull(),
    serial: text('serial'),
    name: text('name'),
    apiKeyId: text('api_key_id').references(() => apiKeys.id),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('rfid_readers_host_key').on(t.partyCode, sql`lower(${t.hostName})`), index('rfid_readers_party_idx').on(t.partyCode)],
);

export const rfidReadPoints = pgTable(
  'rfid_read_points',
  {
    id: text('id').primaryKey(),
    partyCode: text('party_code')
      .notNull()
      .references(() => parties.code),
    locationCode: text('location_code')
      .notNull()
      .references(() => locations.code),
    name: text('name').notNull(),
    /** entry, exit, observe (pass-through) or commissioning. */
    role: text('role').notNull(),
    /** Reads of one tag within this many seconds (a fixed window) are one observation. */
    windowSeconds: integer('window_seconds').notNull().default(30),
    /** Commissioning stations: the lot or container new tags read here are bound to. */
    bindToCode: text('bind_to_code'),
    createdAt: createdAt(),
  },
  (t) => [index('rfid_read_points_party_idx').on(t.partyCode)],
);

// Which read point a reader's antenna serves: by port number ("1") or Impinj antenna name.
export const rfidAntennas = pgTable(
  'rfid_antennas',
  {
    readerId: text('reader_id')
      .notNull()
      .references(() => rfidReaders.id),
    antenna: text('antenna').notNull(),
    readPointId: text('read_point_id')
      .notNull()
      .references(() => rfidReadPoints.id),
    partyCode: text('party_code').notNull(),
  },
  (t) => [primaryKey({ columns: [t.readerId, t.antenna] })],
);

// A tag bound to what it is attached to: a lot or container, or one pack (item code) of a lot.
export const rfidTags = pgTable(
  'rfid_tags',
  {
    /**
     * epc or tid. An EPC by the GS1 key the tag carries, as its canonical Digital Link, however it
     * was spelled (one tag, one binding: see tagKey); without one, in upper-case hex or the URI it was
     * given as (and so are bindings stored before that migrations 0083 and 0087 could not rekey).
     */
    kind: text('kind').$type<'epc' | 'tid'>().notNull(),
    value: text('value').notNull(),
    partyCode: text('party_code')
      .notNull()
      .references(() => parties.code),
    lotCode: text('lot_code')
      .notNull()
      .references(() => lots.code),
    itemCode: text('item_code'),
    /**
     * What one read of the tag counts at the gates: `lot`, the whole lot or container; `pack`, one
     * piece of a lot counted in pieces (a tag bound to an item code, or bound as one pack of its lot
     * by a party whose tags cannot carry item codes).
     */
    unit: text('unit').$type<'lot' | 'pack'>().notNull().default('lot'),
    /** api, or the commissioning read point that bound it. */
    source: text('source').notNull(),
    boundAt: timestamp('bound_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.value] }), index('rfid_tags_lot_idx').on(t.lotCode)],
);

// Batches as the readers posted them (audit: who sent how many reads when); a post of several readers'
// reads (a middleware's, under a party-wide reader key) is one batch of each reader.
export const rfidBatches = pgTable(
  'rfid_batches',
  {
    id: text('id').primaryKey(),
    partyCode: text('party_code')
      .notNull()
      .references(() => parties.code),
    readerId: text('reader_id').notNull(),
    format: text('format').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
    reads: integer('reads').notNull(),
    /** Reader events that are not tag reads (antenna, inventory status, overflow). */
    otherEvents: integer('other_events').notNull(),
    /**
     * The latest time the reader gave a read of the batch (its own clock; of the reads placed, of the
     * batch's reader): beside `receivedAt` (the service's clock), how far the reader's clock runs
     * ahead or behind. Null for a batch without such reads, and for batches stored before migration 0110.
     */
    latestReadAt: timestamp('latest_read_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('rfid_batches_reader_idx').on(t.readerId, t.receivedAt)],
);

// Raw reads, compacted: one row per tag per read point per window, with how often and when it
// was read and its peak RSSI. Each row is one observation; deriving events from it sets
// processed_at, the outcome and the event it became.
export const rfidReads = pgTable(
  'rfid_reads',
  {
    partyCode: text('party_code').notNull(),
    readPointId: text('read_point_id').notNull(),
    /** The EPC in upper-case hex, or the EPC URI a generic read gave: the spelling of the window's earliest read. */
    tag: text('tag').notNull(),
    /**
     * The tag's key (tagKey: the GS1 key it carries, as its canonical Digital Link, else its spelling):
     * a window is one tag's by its key, whichever spellings it was read in (`tag` shows that of its
     * earliest read). Reads stored before it was added were keyed by migrations 0087, 0091 and 0096
     * (a spelling they cannot key, of a scheme the codec does not read, as that spelling).
     */
    tagKey: text('tag_key').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true, mode: 'date' }).notNull(),
    windowEnd: timestamp('window_end', { withTimezone: true, mode: 'date' }).notNull(),
    readerId: text('reader_id').notNull(),
    antenna: text('antenna').notNull(),
    tid: text('tid'),
    firstSeen: timestamp('first_seen', { withTimezone: true, mode: 'date' }).notNull(),
    /** The first read's time exactly as the reader wrote it (Impinj sends nanoseconds). */
    firstSeenRaw: text('first_seen_raw').notNull(),
    /**
     * Where the first read stands in its batch, from 0: reads of one batch read at the same time are
     * taken in the batch's order (an entry and an exit read of a pack). Null for windows stored before
     * migration 0062, which are taken before the others of their batch and time.
     */
    batchPosition: integer('batch_position'),
    lastSeen: timestamp('last_seen', { withTimezone: true, mode: 'date' }).notNull(),
    readCount: integer('read_count').notNull(),
    /** dBm. */
    peakRssi: doublePrecision('peak_rssi'),
    /**
     * The batch that brought the first read: the window is ordered by when that batch was received.
     * Indexed (migration 0110): a batch's windows are found without reading every window.
     * Windows whose batch row was missing got one rebuilt from them by migration 0100 (format `restored`).
     */
    batchId: text('batch_id')
      .notNull()
      .references(() => rfidBatches.id),
    /**
     * When the service received the first batch bringing a read of the window (by its own clock): the
     * tag was at the door by then, whichever later batch brought an earlier read of it. Null for
     * windows stored before migration 0069, which take their batch's.
     */
    firstReceivedAt: timestamp('first_received_at', { withTimezone: true, mode: 'date' }),
    processedAt: timestamp('processed_at', { withTimezone: true, mode: 'date' }),
    /**
     * observed, received, already_received, departed, unexpected_departure, ambiguous_departure, bound,
     * unknown, rejected or failed.
     */
    outcome: text('outcome'),
    lotCode: text('lot_code'),
    eventId: text('event_id'),
    detail: text('detail'),
    /** Times turning this observation into events failed; it is tried again from `retryAt`, and given up after a few. */
    attempts: integer('attempts').notNull().default(0),
    retryAt: timestamp('retry_at', { withTimezone: true, mode: 'date' }),
    /** The shipment a pack read at an entry gate waits for (the rest of its case or loose line read). */
    awaitsShipmentId: text('awaits_shipment_id'),
    /**
     * The case (or pallet) a pack read at an entry gate was received in (its packs counted towards
     * that case's line): the receiving party's own record that the pack lay in it, so that the
     * party shipping the case on ships the pack. Null for a pack received loose, and for any other read.
     */
    receivedInCode: text('received_in_code'),
    /**
     * The open shipments a pack an exit gate flagged `ambiguous_departure` may have left in (it fits
     * each, and no tag read in its window says which): the receiver's entry gate counts it towards the
     * one of them on its way to it. Null for any other read.
     */
    mayHaveLeftIn: text('may_have_left_in').array(),
  },
  (t) => [
    primaryKey({ columns: [t.readPointId, t.tagKey, t.windowStart] }),
    index('rfid_reads_pending_idx').on(t.windowEnd).where(sql`${t.processedAt} is null`),
    index('rfid_reads_reader_idx').on(t.readerId, t.firstSeen),
    index('rfid_reads_party_idx').on(t.partyCode, t.firstSeen),
    index('rfid_reads_tag_idx').on(t.tag),
    index('rfid_reads_tag_key_idx').on(t.tagKey),
    // the packs an entry gate keeps waiting for the rest of their case or line, by read point and the shipment they wait for
    index('rfid_reads_waiting_idx').on(t.readPointId, t.awaitsShipmentId).where(sql`${t.outcome} = 'observed' and ${t.eventId} is null`),
    // what a party's exit gates let leave in each of its open shipments (a departure's detail is its shipment)
    index('rfid_reads_departed_idx').on(t.partyCode, t.detail).where(sql`${t.outcome} = 'departed'`),
    // a tag's receipts and departures at a party's gates, by its key (a pack the party had counts towards no later shipment)
    index('rfid_reads_passed_idx')
      .on(t.tagKey, t.partyCode)
      .where(sql`${t.outcome} in ('received', 'departed', 'unexpected_departure', 'ambiguous_departure')`),
    // the windows of a batch
    index('rfid_reads_batch_idx').on(t.batchId),
  ],
);

// Recalls (食品召回): opened by a regulator party or the producing party on one or more lots; the
// scope (lots, holders, shipments in transit) is recorded when the recall opens, so what each
// holder was asked to recover does not change as stock moves afterwards.
// The order in which recalls opened and holders' reports took their stock, one count for both: each
// draws its number while holding the lots it recalls or moves, so of a recall and a report on one
// lot the one that drew the smaller number committed first (the clock may read the same for both).
// It caches no numbers per session (cache 1): cached, two sessions' numbers would not follow the order drawn.
export const recallOrder = pgSequence('recall_order', { cache: 1 });
const recallOrderNumber = () => bigint('order_number', { mode: 'number' }).notNull().default(sql`nextval('recall_order')`);

export const recalls = pgTable(
  'recalls',
  {
    id: text('id').primaryKey(),
    /** Drawn when it was recorded, its lots locked: see recallOrder. */
    orderNumber: recallOrderNumber(),
    /** The party that opened the recall (a regulator party or the producer). */
    partyCode: text('party_code')
      .notNull()
      .references(() => parties.code),
    openedByKeyId: text('opened_by_key_id').notNull(),
    level: integer('level').notNull(),
    reason: text('reason').notNull(),
    hazard: text('hazard').notNull(),
    rootLotCodes: jsonb('root_lot_codes').$type<string[]>().notNull(),
    status: text('status').notNull(),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id),
    openedAt: timestamp('opened_at', { withTimezone: true, mode: 'date' }).notNull(),
    startDueAt: timestamp('start_due_at', { withTimezone: true, mode: 'date' }).notNull(),
    finishDueAt: timestamp('finish_due_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** The first holder's acknowledgement: the recall has started on the ground. */
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date' }),
    closedByKeyId: text('closed_by_key_id'),
    closeEventId: text('close_event_id'),
    /** Set when a regulator closed it without every holder's acknowledgement: why. */
    overrideReason: text('override_reason'),
  },
  (t) => [index('recalls_status_idx').on(t.status, t.finishDueAt), index('recalls_party_idx').on(t.partyCode, t.openedAt)],
);

// Every lot and container a recall reaches (forward from its root lots), as it stood when opened.
export const recallLots = pgTable(
  'recall_lots',
  {
    recallId: text('recall_id')
      .notNull()
      .references(() => recalls.id),
    lotCode: text('lot_code')
      .notNull()
      .references(() => lots.code),
    /** The lot's owner. */
    partyCode: text('party_code').notNull(),
    depth: integer('depth').notNull(),
    itemCount: integer('item_count').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.recallId, t.lotCode] }),
    // the recalls a party may read through a lot of their scope, asked from the party's side (recallsWithLotReadBy)
    index('recall_lots_party_idx').on(t.partyCode, t.recallId),
    index('recall_lots_lot_idx').on(t.lotCode),
  ],
);

// What each holder had of each affected lot when the recall opened: on hand (loose or packed), or
// on its way to it in an open shipment.
export const recallHoldings = pgTable(
  'recall_holdings',
  {
    recallId: text('recall_id')
      .notNull()
      .references(() => recalls.id),
    /** Order within the recall, so the scope CSV pages through holdings by an index. */
    position: integer('position').notNull(),
    /** The holder (for a shipment in transit, the party it is addressed to). */
    partyCode: text('party_code').notNull(),
    lotCode: text('lot_code').notNull(),
    containerCode: text('container_code'),
    shipmentId: text('shipment_id'),
    quantity: quantity('quantity').notNull(),
    unit: text('unit').notNull(),
  },
  (t) => [primaryKey({ columns: [t.recallId, t.position] }), index('recall_holdings_party_idx').on(t.recallId, t.partyCode)],
);

// The holders a recall reaches, with the contact recorded when it opened, and their acknowledgement.
export const recallHolders = pgTable(
  'recall_holders',
  {
    recallId: text('recall_id')
      .notNull()
      .references(() => recalls.id),
    partyCode: text('party_code')
      .notNull()
      .references(() => parties.code),
    contact: jsonb('contact').$type<PartyContact>().notNull(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [primaryKey({ columns: [t.recallId, t.partyCode] })],
);

// What holders report (acknowledgement, quantities returned or destroyed), append-only.
export const recallReports = pgTable(
  'recall_reports',
  {
    id: text('id').primaryKey(),
    recallId: text('recall_id')
      .notNull()
      .references(() => recalls.id),
    partyCode: text('party_code').notNull(),
    keyId: text('key_id').notNull(),
    lotCode: text('lot_code'),
    returned: quantity('returned').notNull(),
    destroyed: quantity('destroyed').notNull(),
    note: text('note'),
    reportedAt: timestamp('reported_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** Drawn when it was recorded, after its events, their lots still locked: see recallOrder. */
    orderNumber: recallOrderNumber(),
  },
  (t) => [
    index('recall_reports_recall_idx').on(t.recallId, t.reportedAt),
    // what a holder reported of a lot under any recall, which every other open recall of it counts too (recovery)
    index('recall_reports_party_lot_idx').on(t.partyCode, t.lotCode, t.reportedAt),
  ],
);

// The events a report line wrote (its destroy, its return shipment): what they moved packed in a
// container the holder reported is recovered with the container.
export const recallReportEvents = pgTable('recall_report_events', {
  eventId: text('event_id')
    .primaryKey()
    .references(() => events.id),
  reportId: text('report_id')
    .notNull()
    .references(() => recallReports.id),
  /** The holder that reported. */
  partyCode: text('party_code').notNull(),
});

// The tamper-evident audit log: one hash chain per party (and one, `system`, for admin acts).
// Each entry hashes what it records (re-derived from the stored rows when the chain is verified)
// and the entry before it; rows are only ever appended, in the transaction of the act they record.
export const auditEntries = pgTable(
  'audit_entries',
  {
    /** The chain: the party whose act this is, or `system`. No foreign key: the log outlives what it names. */
    partyCode: text('party_code').notNull(),
    sequence: integer('sequence').notNull(),
    kind: text('kind').notNull(),
    subjectId: text('subject_id').notNull(),
    /** The API key that acted, where the act was made with one. */
    keyId: text('key_id'),
    payloadHash: text('payload_hash').notNull(),
    previousHash: text('previous_hash').notNull(),
    entryHash: text('entry_hash').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.partyCode, t.sequence] }),
    index('audit_entries_recorded_idx').on(t.partyCode, t.recordedAt),
    // whether a brand change or a complaint's note has an entry at all: verification reads the rows
    // recorded behind the log's back as tampering (see audit/repository COVERED)
    index('audit_entries_subject_idx').on(t.subjectId).where(sql`${t.kind} in ('brand.authorization', 'complaint.transition')`),
    // which complaints have a filing entry (those with none that are not listed in complaints_before_log
    // were slipped in behind the log's back: see audit/repository complaintsFiledWithoutEntry)
    index('audit_entries_complaint_file_idx').on(t.subjectId, t.recordedAt).where(sql`${t.kind} = 'complaint.file'`),
    // whether the complaint baseline is recorded: asked at every start and verification
    index('audit_entries_complaint_baseline_idx').on(t.partyCode).where(sql`${t.kind} = 'complaint.baseline'`),
  ],
);

// The last entry of each chain: locked by every writer of the chain, so entries follow one another.
export const auditHeads = pgTable('audit_heads', {
  partyCode: text('party_code').primaryKey(),
  sequence: integer('sequence').notNull(),
  entryHash: text('entry_hash').notNull(),
});
export type CreditFactorRecord = { key: string; count: number; weight: number; cap: number; contribution: number };

// Enterprise credit scores as each recompute run found them, kept as history.
export const creditScores = pgTable(
  'credit_scores',
  {
    partyCode: text('party_code')
      .notNull()
      .references(() => parties.code),
    computedAt: timestamp('computed_at', { withTimezone: true, mode: 'date' }).notNull(),
    periodFrom: timestamp('period_from', { withTimezone: true, mode: 'date' }).notNull(),
    periodTo: timestamp('period_to', { withTimezone: true, mode: 'date' }).notNull(),
    score: integer('score').notNull(),
    grade: text('grade').notNull(),
    factors: jsonb('factors').$type<CreditFactorRecord[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.partyCode, t.computedAt] }), index('credit_scores_computed_idx').on(t.computedAt)],
);

// Brands (品牌): the county's regional public brand (奉上好品), geographical-indication marks
// (奉节腊肉) and enterprise brands, with the products each covers. `party_code` is the owner, if any.
export const brands = pgTable(
  'brands',
  {
    code: text('code').primaryKey(),
    kind: text('kind').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    partyCode: text('party_code').references(() => parties.code),
    // the area whose parties a regional or GI brand admits: a GB/T 2260 code or its prefix (2 digits a
    // province, 4 a city, 6 a county); null for a brand registered before areas were kept
    regionCode: text('region_code'),
    // a brand registered under a name an earlier brand already had, before names were unique (it keeps
    // it: its name is in its audit entry's hash)
    nameSharedBefore: boolean('name_shared_before').notNull().default(false),
    createdAt: createdAt(),
  },
  // a badge names its brand in Chinese: two brands of one name would pass one for the other
  (t) => [uniqueIndex('brands_name_zh_key').on(t.nameZh).where(sql`not ${t.nameSharedBefore}`)],
);

export const brandProducts = pgTable(
  'brand_products',
  {
    brandCode: text('brand_code')
      .notNull()
      .references(() => brands.code),
    productCode: text('product_code')
      .notNull()
      .references(() => products.code),
    /** The product's owner. */
    partyCode: text('party_code').notNull(),
    /**
     * When the product joined the brand: the brand's rules hold the lots made from then on. Null on
     * rows stored before it was kept (covered as if always).
     */
    addedAt: timestamp('added_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [primaryKey({ columns: [t.brandCode, t.productCode] }), index('brand_products_product_idx').on(t.productCode)],
);

// A party's authorization to use a brand (the "5 + 20 + N" matrix: head, backbone, authorized),
// with its current state; how it got there is in brand_authorization_changes.
export const brandAuthorizations = pgTable(
  'brand_authorizations',
  {
    id: text('id').primaryKey(),
    brandCode: text('brand_code')
      .notNull()
      .references(() => brands.code),
    partyCode: text('party_code')
      .notNull()
      .references(() => parties.code),
    tier: text('tier').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validUntil: date('valid_until', { mode: 'string' }),
    state: text('state').notNull(),
    /** The day the current state took effect. */
    stateSince: date('state_since', { mode: 'string' }).notNull(),
    /** Set on suspension or exit: brand-labelled stock is to be gone by this day. */
    disposalDeadline: date('disposal_deadline', { mode: 'string' }),
    /**
     * The certifications the member showed to be admitted, as the office recorded them with the admission
     * (whose audit entry covers them); null on authorizations admitted before evidence was kept.
     */
    evidence: jsonb('evidence').$type<AdmissionEvidence[]>(),
    evidenceNote: text('evidence_note'),
    createdAt: createdAt(),
  },
  (t) => [
    // one standing authorization per party and brand; an exited one stays as history
    uniqueIndex('brand_authorizations_member_key').on(t.brandCode, t.partyCode).where(sql`${t.state} <> 'exited'`),
    index('brand_authorizations_party_idx').on(t.partyCode),
  ],
);

// Every change of an authorization's state, append-only: admission, suspension, reinstatement, exit.
export const brandAuthorizationChanges = pgTable(
  'brand_authorization_changes',
  {
    id: text('id').primaryKey(),
    authorizationId: text('authorization_id')
      .notNull()
      .references(() => brandAuthorizations.id),
    brandCode: text('brand_code').notNull(),
    partyCode: text('party_code').notNull(),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    /** The day the change takes effect. */
    effectiveOn: date('effective_on', { mode: 'string' }).notNull(),
    reason: text('reason').notNull(),
    disposalDeadline: date('disposal_deadline', { mode: 'string' }),
    keyId: text('key_id').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /**
     * The order changes were made in, also of those recorded at one instant (one transaction, a clock
     * that did not move), which recorded_at cannot tell apart: rows stored before it was kept were
     * numbered by recorded_at, one authorization's changes of one instant in the order each follows
     * on from the state the one before left (migration 0074).
     */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    /**
     * The authorization's terms as of the change (its audit entry covers them): null on changes
     * recorded before they were kept (migration 0071), whose entries hashed none.
     */
    tier: text('tier'),
    validFrom: date('valid_from', { mode: 'string' }),
    validUntil: date('valid_until', { mode: 'string' }),
  },
  (t) => [index('brand_authorization_changes_idx').on(t.authorizationId, t.recordedAt)],
);
