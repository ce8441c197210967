import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { actingParty, canReadLot, type Principal, privateScope, requirePartyRecord } from '../access/index.js';
import type { Transact } from '../db/client.js';
import { isConcurrencyFailure, isStatementCancelled, violatedUniqueConstraint } from '../db/errors.js';
import { createFairQueue } from '../db/job-queue.js';
import { type ClaimOf, type JobLease, jobLease, LeaseLost } from '../db/leases.js';
import type { CaptureProblem } from '../db/schema.js';
import { badRequest, conflict, type FieldProblem, notFound, Problem, queryTooComplex } from '../errors/problem.js';
import { findHeldEvent, unheld } from '../events/held.js';
import type { EventsRepository, StoredEvent } from '../events/repository.js';
import { canonicalIdentifier, epcPatternRanges, epcUrnForms, isEpcPattern } from '../gs1/canonical.js';
import { canonicalEventId, eventIdsToLookUp, partyEventKeys } from '../gs1/event-id.js';
import type { IdentifierService } from '../identifiers/service.js';
import type { LocationsRepository } from '../locations/repository.js';
import type { LotsRepository } from '../lots/repository.js';
import type { ProductsRepository } from '../products/repository.js';
import { type CaptureDeps, type CaptureOutcome, CaptureRejected, captureEvents, type HashedEvents, hashEvents } from './capture.js';
import { documentEvents, documentIgnoreFields } from './event-hash.js';
import { cbvForms, documentTypeOfBtt, EPCIS_TYPES, shortVocabulary } from './mapping.js';
import {
  type EventQuery,
  type EventQueryMatch,
  encodeJobPageToken,
  encodeLotPageToken,
  encodePageToken,
  encodeValuePageToken,
  type LotCursor,
  parseQueryRequest,
  type TypedValues,
  type ValueList,
} from './query-params.js';
import {
  capturedContexts,
  EPCIS_CONTEXT,
  type EpcFormat,
  epcConverter,
  lotUri,
  mapIdentifiers,
  type RenderLot,
  renderEvent,
} from './render.js';
import type { CaptureRow, CaptureState, EpcisRepository, EventFilter, EventMatch, LocationsWithin, TypedCondition } from './repository.js';
import { validateCaptureDocument, validateCaptureEvent } from './validation/index.js';

export const CAPTURE_LIMIT_EVENTS = 10_000;

/** How long one statement of an EPCIS query may run, unless QUERY_TIMEOUT_SECONDS says otherwise (PostgreSQL only: see boundedReads). */
export const DEFAULT_QUERY_TIMEOUT_SECONDS = 10;
export type ErrorBehaviour = 'rollback' | 'proceed';
/** What an EPCISQueryDocument's queryResults say the results are of: the query's name, and a delivery's subscription. */
export type QueryNaming = { queryName?: string; subscriptionID?: string };

/** A query as given, its names (EPCs, locations, eventIDs) as written: see resolveQuery. */
type QueryFilter = Omit<EventQuery, 'matches' | 'order'> & Pick<EventFilter, 'order'> & { matches?: EventQueryMatch[] };
/** A query as the database reads it for one principal, all but its page (see resolveQuery). */
export type ResolvedQuery = Omit<EventFilter, 'after' | 'limit'>;

/** A GLN (without extension) as a GS1 Digital Link, as events name a native site that has one. */
const GLN_LINK = 'https://id.gs1.org/414/';

/** How native events render their reference documents' numbers (`urn:county-trace:doc:<type>:<number>`) and the types no CBV type is (see DOCUMENT_BTT). */
const NATIVE_DOCUMENT = 'urn:county-trace:doc:';

const toProblems = (errors: { pointer: string; message: string }[]): FieldProblem[] =>
  errors.slice(0, 50).map((error) => ({ in: 'body', pointer: error.pointer || '/', detail: error.message }));

/** Proceed jobs store this many events per transaction, recording their progress with them. */
const PROCEED_CHUNK = 1000;
/** Capture jobs running at once (each in its own transaction); parties take turns for the slots. */
const CAPTURE_CONCURRENCY = 2;

/** Text that jsonb can store: PostgreSQL refuses NUL characters, and lone surrogates are not text. */
// (a round trip through UTF-8 turns lone surrogates into U+FFFD)
const storable = (text: string) => Buffer.from(text.replaceAll('\u0000', '\uFFFD'), 'utf8').toString('utf8');

/**
 * Runs a capture's transaction again when it lost a race: for an event's key (another request stored
 * an event under it after this one read it as free; run again, it reads that event: its party's own,
 * a duplicate, or another party's, and this party's event takes its party's key, which a third
 * request may take first), or for rows PostgreSQL ended it over (a deadlock with a receipt or a recall
 * opening taking them the other way round: nothing of the transaction was stored). Each loss settles
 * a key or lets the other writer finish, so a few runs end it; past them the client sends it again.
 */
const RACE_RUNS = 5;
export async function againOnRace<T>(capture: () => Promise<T>): Promise<T> {
  for (let run = 1; ; run++) {
    try {
      return await capture();
    } catch (error) {
      const keyRace = violatedUniqueConstraint(error) === 'events_pkey';
      if (!keyRace && !isConcurrencyFailure(error)) throw error;
      if (run === RACE_RUNS) {
        throw conflict(
          keyRace
            ? 'other requests stored events under the same eventIDs at the same time; send it again'
            : 'other requests changed the same rows at the same time; send it again',
        );
      }
    }
  }
}

/** What a capture job takes from its document. */
function jobInput(document: unknown) {
  const doc = document as Record<string, unknown>;
  return { events: documentEvents(doc), context: doc['@context'], hashOptions: { ignoreFields: documentIgnoreFields(doc) } };
}

export function createEpcisService(deps: {
  transaction: Transact;
  capture: CaptureDeps;
  epcis: Pick<
    EpcisRepository,
    | 'insertCapture'
    | 'updateCapture'
    | 'findCapture'
    | 'claimCaptures'
    | 'renewCaptures'
    | 'releaseCaptures'
    | 'corrections'
    | 'distinct'
    | 'namedLots'
    | 'capturedEpcs'
    | 'listCaptures'
  >;
  identifiers: Pick<IdentifierService, 'parse' | 'findMany'>;
  events: Pick<EventsRepository, 'findById' | 'findHeld' | 'complete'>;
  lots: Pick<LotsRepository, 'findByCodes' | 'involvedPartiesOf'>;
  products: Pick<ProductsRepository, 'findByCodes'>;
  locations: Pick<LocationsRepository, 'findByCodes' | 'findByGlns'>;
  /** GS1 company prefixes registered by parties. */
  prefixes: () => Promise<string[]>;
  publicBaseUrl: string;
  /** This process's hold on the jobs it runs (unset: a process of its own, alone on the database). */
  lease?: JobLease;
  /**
   * Runs the reads a query's parameters decide (its events, the lots its patterns match) each under
   * the query timeout (see boundedReads), with the EPCIS repository on its transaction.
   */
  boundedReads: <T>(work: (epcis: Pick<EpcisRepository, 'query' | 'lotsMatching'>) => Promise<T>) => Promise<T>;
  /** The query timeout boundedReads keeps to, as a refused query's problem names it. */
  queryTimeoutMs: number;
  log?: { error: (object: object, message: string) => void; warn?: (object: object, message: string) => void };
}) {
  const lease = deps.lease ?? jobLease();
  const lotUriPrefix = `${deps.publicBaseUrl}/lots/`;
  const locationUriPrefix = `${deps.publicBaseUrl}/locations/`;
  const jobs = createFairQueue({
    concurrency: CAPTURE_CONCURRENCY,
    onError: (error) => deps.log?.error({ err: error }, 'capture job failed'),
  });
  /**
   * Capture jobs this process has queued and not yet finished: a resume (after the service listens)
   * leaves them to their run, and their leases are renewed.
   */
  const ownJobs = new Set<string>();
  /**
   * `hashed`: the events of the job's first transaction, hashed by the request that stored it (a
   * resumed job hashes them as it runs).
   */
  const enqueue = (job: CaptureRow, hashed?: Promise<HashedEvents>) => {
    // a job a start took over while its request was storing it is queued by the first of the two
    if (ownJobs.has(job.id)) return;
    ownJobs.add(job.id);
    jobs.push(job.partyCode, () => run(job, hashed).finally(() => ownJobs.delete(job.id)));
  };

  /**
   * A rejected event as its job reports it: the member of the event the problem names (its pointer
   * is the event's own), under the event's place in the document.
   */
  const problemOf = (index: number, eventId: string, problem: Problem): CaptureProblem => {
    const field = problem.errors?.find((error) => error.in === 'body')?.pointer ?? '/';
    return {
      eventIndex: index,
      eventId: storable(eventId),
      pointer: `/epcisBody/eventList/${index}${field === '/' ? '' : field}`,
      message: storable(`event ${index}: ${problem.detail ?? problem.title}`),
      type: `/problems/${problem.slug}`,
      status: problem.status,
    };
  };

  /**
   * Runs a capture job. Its progress is stored in the same transaction as its events, so after a
   * crash a rollback job starts again from nothing and a proceed job from its last stored chunk.
   * Each transaction first locks the job's row, if this process still holds the job: one that
   * another process took over (this one stopped renewing its lease) is left to it.
   */
  async function run(job: CaptureRow, hashed?: Promise<HashedEvents>) {
    /** Writes the job's state while this process holds it; else the run stops, storing nothing more. */
    const update = async (values: Parameters<typeof deps.epcis.updateCapture>[1], tx?: Parameters<typeof deps.epcis.updateCapture>[2]) => {
      if (!(await deps.epcis.updateCapture(job.id, values, tx, lease))) throw new LeaseLost(job.id);
    };
    const { events, context, hashOptions } = jobInput(job.document ?? job.documentAsJsonb);
    const input = { context, hashOptions, party: job.partyCode };
    const finished = (counts: { captured: number; duplicates: number; errors: CaptureProblem[] }) => ({
      status: counts.errors.length === 0 ? 'success' : counts.captured + counts.duplicates > 0 ? 'partial' : 'failed',
      processed: events.length,
      document: null,
      documentAsJsonb: null,
      finishedAt: new Date(),
    });
    try {
      await update({ status: 'running' });
      if (job.errorBehaviour === 'rollback') {
        try {
          // waiting requests and other jobs go first: PGlite answers in microtasks, so without it a
          // job would hold the event loop (and the database) to its end
          await nextTurn();
          await againOnRace(() =>
            deps.transaction(async (tx) => {
              await update({}, tx);
              const outcomes = await captureEvents(tx, deps.capture, { ...input, events, hashed, onError: 'rollback' });
              const counts = tally(outcomes);
              await update({ ...counts, ...finished(counts) }, tx);
            }),
          );
        } catch (error) {
          if (!(error instanceof CaptureRejected)) throw error;
          const errors = error.rejections.map(({ index, eventId, problem }) => problemOf(index, eventId, problem));
          await update({
            captured: 0,
            duplicates: 0,
            eventIds: [],
            errors,
            ...finished({ captured: 0, duplicates: 0, errors }),
          });
        }
        return;
      }
      let counts = { captured: job.captured, duplicates: job.duplicates, eventIds: job.eventIds, errors: job.errors };
      // an empty document has no last chunk to end the job with
      if (events.length === 0) await update({ ...counts, ...finished(counts) });
      for (let start = job.processed; start < events.length; start += PROCEED_CHUNK) {
        const end = Math.min(start + PROCEED_CHUNK, events.length);
        const chunk = events.slice(start, end);
        // waiting requests and other jobs' statements go in between chunks (see above)
        await nextTurn();
        counts = await againOnRace(() =>
          deps.transaction(async (tx) => {
            await update({}, tx);
            const outcomes = await captureEvents(tx, deps.capture, {
              ...input,
              events: chunk,
              hashed: start === 0 ? hashed : undefined,
              onError: 'proceed',
            });
            const next = tally(outcomes, start, counts);
            await update(end < events.length ? { ...next, processed: end } : { ...next, ...finished(next) }, tx);
            return next;
          }),
        );
      }
    } catch (error) {
      if (error instanceof LeaseLost) {
        deps.log?.warn?.({ captureId: job.id }, 'capture job taken over by another process; this one stored nothing more of it');
        return;
      }
      // whatever was stored is reported; the reason is logged, never shown (it may hold SQL)
      deps.log?.error({ err: error, captureId: job.id }, 'capture failed');
      const current = await deps.epcis.findCapture(job.id);
      // (a job another process has taken over meanwhile is left to it)
      await deps.epcis.updateCapture(
        job.id,
        {
          status: current && current.captured + current.duplicates > 0 ? 'partial' : 'failed',
          errors: [
            ...(current?.errors ?? []),
            {
              eventIndex: null,
              eventId: null,
              pointer: '/',
              message: 'the service failed while storing this document; events not listed as captured were not stored',
              type: '/problems/internal',
              status: 500,
            },
          ],
          document: null,
          documentAsJsonb: null,
          finishedAt: new Date(),
        },
        undefined,
        lease,
      );
    }
  }

  /** Counts of a chunk's outcomes, added to what earlier chunks stored. */
  function tally(
    outcomes: CaptureOutcome[],
    offset = 0,
    before: { captured: number; duplicates: number; eventIds: string[]; errors: CaptureProblem[] } = {
      captured: 0,
      duplicates: 0,
      eventIds: [],
      errors: [],
    },
  ) {
    const counts = { captured: before.captured, duplicates: before.duplicates, eventIds: [...before.eventIds], errors: [...before.errors] };
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        counts.errors.push(problemOf(offset + outcome.index, outcome.eventId, outcome.problem));
        continue;
      }
      counts.eventIds.push(outcome.eventId);
      if (outcome.status === 'captured') counts.captured++;
      else counts.duplicates++;
      // stored, its declaration refused: captured, and the refusal reported
      if (outcome.status === 'captured' && outcome.declarationRefused) {
        counts.errors.push(problemOf(offset + outcome.index, outcome.eventId, outcome.declarationRefused));
      }
    }
    return counts;
  }

  /**
   * How events name read points and business locations (stored as captured, or as a native site's
   * code): a captured id as it is, a native site by its GLN as a Digital Link, else by its URI here.
   */
  async function locationNamer(stored: string[]): Promise<(id: string) => string> {
    const codes = [...new Set(stored.filter((id) => !id.includes(':')))];
    const glns = new Map((await deps.locations.findByCodes(codes)).map((location) => [location.code, location.gln]));
    return (id) => {
      if (id.includes(':')) return id;
      const gln = glns.get(id);
      return gln ? `${GLN_LINK}${gln}` : `${locationUriPrefix}${id}`;
    };
  }

  /**
   * What events store for the read points or business locations a query names as events render them:
   * the canonical form of a captured id, and a native site named by its URI here or by its GLN.
   */
  async function storedLocations(named: string[]): Promise<string[]> {
    const stored = new Set<string>();
    const glns = new Set<string>();
    for (const value of named) {
      const canonical = canonicalIdentifier(value);
      stored.add(canonical);
      if (value.startsWith(locationUriPrefix)) stored.add(value.slice(locationUriPrefix.length));
      const gln = canonical.startsWith(GLN_LINK) ? canonical.slice(GLN_LINK.length) : null;
      if (gln && /^\d{13}$/.test(gln)) glns.add(gln);
    }
    // the sites with those GLNs, in one look-up for all the values
    for (const site of await deps.locations.findByGlns([...glns])) stored.add(site.code);
    return [...stored];
  }

  /**
   * What a WD_ parameter's locations stand for as stored: each location (see storedLocations) and,
   * as this service knows no hierarchy of sites, the sub-locations its identifiers give: the
   * locations a GLN's extensions name (GLN + extension, `/414/<GLN>/254/<extension>`) under a GLN.
   */
  async function locationsWithin(named: string[]): Promise<LocationsWithin> {
    const under = named.map(canonicalIdentifier).flatMap((id) => (/^https:\/\/id\.gs1\.org\/414\/\d{13}$/.test(id) ? [`${id}/254/`] : []));
    return { ids: (await storedLocations(named)).sort(), under: [...new Set(under)].sort() };
  }

  /** EQ_bizTransaction_<type> as stored: the forms of its type and its values as captured, and native reference documents. */
  function bizTransactionCondition({ type, values }: TypedValues): TypedCondition {
    const condition: TypedCondition = { types: cbvForms('BTT', 'btt', type), values };
    // a native document of a CBV type renders with it (desadv), any other with its own (urn:county-trace:doc:<type>)
    const nativeType = type.startsWith(NATIVE_DOCUMENT) ? type.slice(NATIVE_DOCUMENT.length) : documentTypeOfBtt(type);
    if (nativeType === undefined) return condition;
    const prefix = `${NATIVE_DOCUMENT}${nativeType}:`;
    const nativeNumbers = values.flatMap((value) => {
      if (!value.startsWith(prefix)) return [];
      try {
        return [decodeURIComponent(value.slice(prefix.length))];
      } catch {
        return [];
      }
    });
    return { ...condition, nativeType, nativeNumbers };
  }

  /**
   * EQ_source_<type> / EQ_destination_<type>: the forms of its type; its values as given, as
   * canonical Digital Links and as EPC URNs (a source is stored as captured, in either form); and
   * (owning_party) the parties native shipments name by their URIs here.
   */
  function partyListCondition({ type, values }: TypedValues): TypedCondition {
    const types = cbvForms('SDT', 'sdt', type);
    const forms = values.flatMap((value) => [value, canonicalIdentifier(value), ...epcUrnForms(value)]);
    const condition = { types, values: [...new Set(forms)].sort() };
    if (!types.includes('owning_party')) return condition;
    const prefix = `${deps.publicBaseUrl}/parties/`;
    return { ...condition, partyCodes: values.flatMap((value) => (value.startsWith(prefix) ? [value.slice(prefix.length)] : [])) };
  }

  /** The lots as events render them (with their products' GTINs). */
  async function renderLots(lotCodes: string[]): Promise<Map<string, RenderLot>> {
    const lots = await deps.lots.findByCodes(lotCodes);
    const products = new Map(
      (await deps.products.findByCodes(lots.flatMap((lot) => (lot.productCode ? [lot.productCode] : [])))).map((p) => [p.code, p]),
    );
    return new Map(
      lots.map((lot) => [
        lot.code,
        {
          code: lot.code,
          kind: lot.kind,
          sscc: lot.sscc,
          lotNumber: lot.lotNumber,
          unit: lot.unit,
          gtin: lot.productCode ? (products.get(lot.productCode)?.gtin ?? null) : null,
          productionDate: lot.productionDate,
          expiryDate: lot.expiryDate,
          createdByEventId: lot.createdByEventId,
        },
      ]),
    );
  }

  /** Of these lots, those the principal may read (see canReadLot), in the same order. */
  async function readableLots(principal: Principal, lotCodes: string[]): Promise<string[]> {
    if (privateScope(principal) === null) return lotCodes;
    const involved = await deps.lots.involvedPartiesOf(lotCodes);
    return lotCodes.filter((code) => canReadLot(principal, involved.get(code) ?? new Set()));
  }

  /**
   * The filter a query reads events by for the principal, its names resolved as they stand now:
   * EPCs and patterns to the lots they name, locations to their sites, vocabulary to its stored
   * forms, eventIDs to the keys of the events the principal reads. A name can come to stand for
   * another lot (a lot's number corrected to the one asked for): a subscription compares what its
   * query resolves to from one look to the next. Lists come sorted, so equal filters compare equal.
   */
  async function resolveQuery(principal: Principal, filter: QueryFilter): Promise<ResolvedQuery> {
    const {
      matches = [],
      readPointsWithin,
      bizLocationsWithin,
      bizTransactions,
      sources,
      destinations,
      persistentDispositionsSet,
      persistentDispositionsUnset,
      ...rest
    } = filter;
    const scope = privateScope(principal);
    const lotMatches = [];
    for (const { parameter, values, ...match } of matches)
      lotMatches.push({ lotCodes: (await lotsNamed(values, parameter)).sort(), ...match });
    return {
      ...rest,
      bizSteps: filter.bizSteps?.map((step) => shortVocabulary('bizStep', step)),
      dispositions: filter.dispositions?.map((value) => shortVocabulary('disposition', value)),
      readPoints: filter.readPoints && (await storedLocations(filter.readPoints)).sort(),
      readPointsWithin: readPointsWithin && (await locationsWithin(readPointsWithin)),
      bizLocationsWithin: bizLocationsWithin && (await locationsWithin(bizLocationsWithin)),
      bizTransactions: bizTransactions?.map(bizTransactionCondition),
      sources: sources?.map(partyListCondition),
      destinations: destinations?.map(partyListCondition),
      persistentDispositionsSet: persistentDispositionsSet?.flatMap((value) => cbvForms('Disp', 'disp', value)),
      persistentDispositionsUnset: persistentDispositionsUnset?.flatMap((value) => cbvForms('Disp', 'disp', value)),
      bizLocations: filter.bizLocations && (await storedLocations(filter.bizLocations)).sort(),
      // a party's own events under each id; every party's for a principal reading them all
      eventIds: filter.eventIds?.flatMap((id) => (scope ? partyEventKeys(id, scope) : eventIdsToLookUp(id))),
      anyPartyEventIds: scope ? undefined : filter.eventIds?.map(canonicalEventId),
      errorReasons: filter.errorReasons?.flatMap((value) => cbvForms('ER', 'er', value)),
      correctiveEventIds: filter.correctiveEventIds?.map(canonicalEventId),
      partyCode: scope ?? undefined,
      lotMatches,
    };
  }

  /**
   * A read a query's parameters decide, run under the query timeout: one cancelled at it is the
   * caller's QueryTooComplexException (413), a subscription's that delivery's failure.
   */
  async function boundedRead<T>(read: (epcis: Pick<EpcisRepository, 'query' | 'lotsMatching'>) => Promise<T>): Promise<T> {
    try {
      return await deps.boundedReads(read);
    } catch (error) {
      if (!isStatementCancelled(error)) throw error;
      throw queryTooComplex(
        `the query ran longer than the ${deps.queryTimeoutMs / 1000} s a query may (QUERY_TIMEOUT_SECONDS): narrow it, e.g. by a time range, fewer EPC patterns or more specific values`,
      );
    }
  }

  /** A page of the events a resolved query (see resolveQuery) selects, rendered. */
  async function queryResolved(filter: EventFilter) {
    const rows = await boundedRead((epcis) => epcis.query({ ...filter, limit: filter.limit + 1 }));
    const page = rows.slice(0, filter.limit);
    const next = rows.length > filter.limit ? page[page.length - 1] : null;
    return {
      events: await renderAll(await deps.events.complete(page), filter.recordTimeBefore),
      nextPageToken: next ? encodePageToken(filter.order, { time: next.orderInstant, id: next.id }) : null,
    };
  }

  /**
   * Lots, products and locations the rendered events name, fetched once per page. Each event as it
   * stood before `recordedBefore` (a query's LT_recordTime): with a declaration recorded by then.
   */
  async function renderAll(rows: StoredEvent[], recordedBefore?: Date) {
    const lots = await renderLots([...new Set(rows.flatMap((row) => row.lots.map((link) => link.lotCode)))]);
    const locationUri = await locationNamer(rows.flatMap((row) => [row.readPoint, row.bizLocation].filter((id) => id !== null)));
    const corrections = await deps.epcis.corrections(
      rows.map((row) => row.id),
      recordedBefore,
    );
    return rows.map((row) =>
      renderEvent(
        row,
        {
          lots,
          lotUriPrefix,
          partyUri: (code) => `${deps.publicBaseUrl}/parties/${code}`,
          locationUri,
        },
        corrections.get(row.id),
      ),
    );
  }

  /**
   * EPC URIs and EPC patterns named in a query → lot codes (captured identifiers and native lots by
   * their URIs; a pattern by the identifiers it leaves open, e.g. urn:epc:idpat:sgtin:0614141.*.*
   * by every GTIN of that company prefix). The query's parameters have been read (parseEventQuery
   * refuses a value of a MATCH_ `parameter` that names nothing): what is left to refuse here is a URI
   * of this service's own that names none of its codes, as that parameter's. A value a route adds
   * (the EPC of /epcis/epcs/{epc}/events, no parameter) that names nothing matches no event.
   */
  /**
   * The first MATCH_ value of a query that is a URI of this service's own naming none of its codes
   * (parseEventQuery reads values for their form only, any service's URIs alike), as a 400 naming
   * its parameter where the query is (`at`): a named query is refused so as it is made.
   */
  function checkOwnUris(query: Pick<EventQuery, 'matches'>, at: { in: string; pointer: string }): void {
    for (const { parameter, values } of query.matches) {
      for (const value of values) {
        if (isEpcPattern(value)) continue;
        try {
          deps.identifiers.parse(value);
        } catch (error) {
          if (!(error instanceof Problem)) throw error;
          throw badRequest(`${parameter}: ${error.message}`, [{ in: at.in, pointer: `${at.pointer}/${parameter}`, detail: error.message }]);
        }
      }
    }
  }

  async function lotsNamed(values: string[], parameter?: string): Promise<string[]> {
    const patterns = values.filter(isEpcPattern).flatMap((value) => epcPatternRanges(value) ?? []);
    const ids = values
      .filter((value) => !isEpcPattern(value))
      .flatMap((value) => {
        try {
          return [deps.identifiers.parse(value)];
        } catch (error) {
          if (!(error instanceof Problem)) throw error;
          if (parameter === undefined) return [];
          throw badRequest(`${parameter}: ${error.message}`, [{ in: 'querystring', pointer: `/${parameter}`, detail: error.message }]);
        }
      });
    const found = await deps.identifiers.findMany(ids);
    return [
      ...new Set([
        ...found.flatMap((referent) => (referent?.kind === 'lot' || referent?.kind === 'container' ? [referent.lotCode] : [])),
        ...(await boundedRead((epcis) => epcis.lotsMatching(patterns))),
      ]),
    ];
  }

  /** Rewrites one identifier per GS1-EPC-Format, using the company prefixes parties registered; null leaves it as it is. */
  async function identifierConverter(format: EpcFormat): Promise<((id: string) => string) | null> {
    const prefixes = format === 'Always_EPC_URN' ? (await deps.prefixes()).sort((a, b) => b.length - a.length) : [];
    return epcConverter(format, canonicalIdentifier, (key) => prefixes.find((prefix) => key.startsWith(prefix))?.length ?? null);
  }

  return {
    lotUriPrefix,

    /** Rewrites an event's identifiers per GS1-EPC-Format. */
    async formatter(format: EpcFormat): Promise<(event: Record<string, unknown>) => Record<string, unknown>> {
      const convert = await identifierConverter(format);
      return convert ? (event) => mapIdentifiers(event, convert) : (event) => event;
    },

    /**
     * A query result as an EPCISQueryDocument (each captured event carries the prefixes its document
     * declared). Its queryResults name the query as it was run: SimpleEventQuery, or a named query's
     * name; a subscription's delivery names the subscription too.
     */
    queryDocument: ({ events }: { events: unknown[] }, { queryName = 'SimpleEventQuery', subscriptionID }: QueryNaming = {}) => ({
      '@context': EPCIS_CONTEXT,
      type: 'EPCISQueryDocument',
      schemaVersion: '2.0',
      creationDate: new Date().toISOString(),
      epcisBody: {
        queryResults: { ...(subscriptionID === undefined ? {} : { subscriptionID }), queryName, resultsBody: { eventList: events } },
      },
    }),

    /** Validates before answering (400 names every problem), then captures in the background. */
    async capture(principal: Principal, doc: Record<string, unknown>, behaviour: ErrorBehaviour): Promise<CaptureRow> {
      // the limit counts the events of a list: anything else in eventList is left to validation (a 400 saying what it must be)
      const eventList = (doc.epcisBody as { eventList?: unknown } | null | undefined)?.eventList;
      const listed = Array.isArray(eventList) ? eventList.length : 0;
      if (listed > CAPTURE_LIMIT_EVENTS) {
        throw new Problem(
          413,
          'capture-limit',
          'Capture limit exceeded',
          `${listed} events; at most ${CAPTURE_LIMIT_EVENTS} per capture (see OPTIONS /epcis/capture)`,
          [{ in: 'body', pointer: '/epcisBody/eventList', detail: `${listed} events; at most ${CAPTURE_LIMIT_EVENTS}` }],
        );
      }
      const party = actingParty(principal);
      const validation = await validateCaptureDocument(doc);
      if (!validation.ok) throw badRequest(`invalid EPCIS document: ${validation.errors[0].message}`, toProblems(validation.errors));
      const { events, context, hashOptions } = jobInput(doc);
      // the events' hashes follow from the document alone: those of the job's first transaction (all
      // of them under rollback) are worked out while its row is stored
      const hashed = hashEvents(behaviour === 'rollback' ? events : events.slice(0, PROCEED_CHUNK), context, hashOptions);
      // (a request that fails storing it leaves them to nobody)
      hashed.catch(() => {});
      // durable before the 202: the job row keeps the document until the job has finished
      const job = await deps.epcis.insertCapture(
        {
          id: randomUUID(),
          partyCode: party,
          status: 'queued',
          errorBehaviour: behaviour,
          total: events.length,
          document: doc,
        },
        lease,
      );
      enqueue(job, hashed);
      return job;
    },

    /**
     * Jobs a restart cut off run again: rollback jobs from the start, proceed jobs from their last
     * stored chunk. At start (`which`), the jobs no live process holds (see ClaimOf); later,
     * `expired`: those whose process stopped renewing their lease.
     */
    async resumeInterruptedJobs(which: ClaimOf = 'start'): Promise<number> {
      const claimed = (await deps.epcis.claimCaptures(lease, [...ownJobs], which)).filter((job) => !ownJobs.has(job.id));
      for (const job of claimed) enqueue(job);
      return claimed.length;
    },

    /** Renews this process's lease on the jobs it has queued or runs. */
    renewLeases: () => deps.epcis.renewCaptures(lease, [...ownJobs]),

    /** Lets go of the jobs this process holds (a stop that cannot wait for them): another process takes them at once. */
    releaseLeases: () => deps.epcis.releaseCaptures(lease),

    idle: () => jobs.idle(),

    /** A page of the capture jobs the principal may read (an operator: its party's), newest first. */
    async captureJobs(principal: Principal, page: { limit: number; after?: string }) {
      const rows = await deps.epcis.listCaptures(privateScope(principal) ?? undefined, { ...page, limit: page.limit + 1 });
      const jobs = rows.slice(0, page.limit);
      return { jobs, nextPageToken: rows.length > page.limit ? encodeJobPageToken(jobs[jobs.length - 1].id) : null };
    },

    async captureJob(principal: Principal, id: string): Promise<CaptureState> {
      const job = await deps.epcis.findCapture(id);
      const missing = () => notFound(`no capture job ${id}`);
      if (!job) throw missing();
      requirePartyRecord(principal, job.partyCode, missing);
      return job;
    },

    /** One event (POST /events): stored at once; a repeat is a duplicate, not an error. */
    async captureSingle(principal: Principal, event: unknown) {
      const party = actingParty(principal);
      const validation = validateCaptureEvent(event);
      if (!validation.ok) throw badRequest(`invalid EPCIS event: ${validation.errors[0].message}`, toProblems(validation.errors));
      const record = event as Record<string, unknown>;
      try {
        const [outcome] = await againOnRace(() =>
          deps.transaction((tx) =>
            captureEvents(tx, deps.capture, { events: [record], context: record['@context'], party, onError: 'rollback' }),
          ),
        );
        return { eventId: outcome.eventId, duplicate: outcome.status === 'duplicate' };
      } catch (error) {
        throw error instanceof CaptureRejected ? error.rejections[0].problem : error;
      }
    },

    /**
     * A page of events by the EPCIS REST query parameters (GET /epcis/events and named queries),
     * identifiers written per the GS1-EPC-Format asked for.
     */
    async queryByParameters(
      principal: Principal,
      params: Record<string, unknown>,
      format: EpcFormat,
      /** matches a route adds to the parameters' (an EPC of /epcis/epcs/{epc}/events) */
      also: ({ values: string[] } & EventMatch)[] = [],
    ) {
      const request = parseQueryRequest(params);
      const result = await this.query(principal, { ...request, matches: [...request.matches, ...also] });
      const formatted = await this.formatter(format);
      return { ...result, events: result.events.map(formatted) };
    },

    resolveQuery,
    checkOwnUris,
    queryResolved,

    async query(principal: Principal, filter: QueryFilter & Pick<EventFilter, 'after' | 'limit'>) {
      const { after, limit, ...query } = filter;
      return queryResolved({ ...(await resolveQuery(principal, query)), after, limit });
    },

    /** The event an eventID names (see findHeldEvent), rendered, or the parties holding one under it. */
    async event(principal: Principal, eventId: string, partyCode?: string) {
      // a declaration is no event of its own here
      const held = await findHeldEvent(deps.events, principal, eventId, { partyCode, usable: (row) => row.type !== 'correction' });
      if (!held) throw notFound(unheld(eventId, principal, partyCode));
      if (!('event' in held)) return held;
      // on its own, the event names the standard context too
      const { '@context': declared, ...rendered } = (await renderAll([held.event]))[0];
      return { event: { '@context': [...EPCIS_CONTEXT, ...capturedContexts([declared])], ...rendered } };
    },

    /**
     * A page of the EPCs and classes the events the principal may read name (a party's own events;
     * every event for regulators and admins), of the objects it may read (an operator: those its
     * party owned, held or was sent, as GET /lots/{code} decides), each object once: by the EPCs it
     * was captured under, else as events render it (a GTIN + lot or an SSCC as its Digital Link, else
     * its URI here). In the order of the objects' codes here, each object's EPCs in order: the
     * database returns the page's objects, those an operator may read among them, in one statement.
     * `limit` counts the EPCs listed, and a page may end within an object's. Written per GS1-EPC-Format.
     */
    async epcs(principal: Principal, format: EpcFormat, page: { limit: number; after?: LotCursor }) {
      const { after } = page;
      // The writer stores one EPC per lot, but lot_identifiers may hold several for a lot: as a
      // safeguard, a page may end within a lot's EPCs and the next begin after the last one listed.
      const passed = after?.epc;
      // one more entry than the page holds says whether another page follows; every lot gives at
      // least one, but for the lot a page begins within, whose EPCs may all have been listed
      const found = await deps.epcis.namedLots(privateScope(principal) ?? undefined, {
        limit: page.limit + (passed === undefined ? 1 : 2),
        after: after && { code: after.lotCode, including: passed !== undefined },
      });
      // the statement kept the lots the party may read; the access decision is still canReadLot's
      const readable = await readableLots(principal, found);
      const captured = await deps.epcis.capturedEpcs(readable);
      const context = { lots: await renderLots(readable.filter((code) => !captured.has(code))), lotUriPrefix };
      const entries = readable.flatMap((lotCode) => {
        const values = captured.get(lotCode)?.sort() ?? [lotUri(lotCode, context)];
        const rest = passed !== undefined && lotCode === after?.lotCode ? values.filter((value) => value > passed) : values;
        return rest.map((value) => ({ lotCode, value }));
      });
      const listed = entries.slice(0, page.limit);
      const last = listed[listed.length - 1];
      const convert = await identifierConverter(format);
      return {
        values: listed.map((entry) => (convert ? convert(entry.value) : entry.value)),
        // the next page continues after the last EPC listed: within its lot when more of the lot's follow
        nextPageToken:
          entries.length > page.limit
            ? encodeLotPageToken(
                entries[page.limit].lotCode === last.lotCode ? { lotCode: last.lotCode, epc: last.value } : { lotCode: last.lotCode },
              )
            : null,
      };
    },

    /**
     * A page of the values of one field in the events the principal may read, in the order of the
     * values as stored (`limit` counts those read); identifiers written per GS1-EPC-Format, as in events.
     */
    async vocabulary(principal: Principal, what: ValueList, format: EpcFormat, page: { limit: number; after?: string }) {
      const paged = (stored: string[], values = stored) => ({
        values,
        nextPageToken: stored.length > page.limit ? encodeValuePageToken(what, stored[page.limit - 1]) : null,
      });
      if (what === 'eventType') {
        // after a value that is no type (a token of another service's making), nothing follows
        const from = page.after === undefined ? 0 : EPCIS_TYPES.indexOf(page.after as never) + 1 || EPCIS_TYPES.length;
        const rest = EPCIS_TYPES.slice(from);
        return paged(rest.slice(0, page.limit + 1), rest.slice(0, page.limit));
      }
      const party = privateScope(principal) ?? undefined;
      // one more than the page holds says whether another page follows
      const read = await deps.epcis.distinct(what, party, { limit: page.limit + 1, after: page.after });
      const stored = read.slice(0, page.limit);
      if (what === 'bizStep' || what === 'disposition') return paged(read, stored);
      const values = stored.map(await locationNamer(stored));
      const convert = await identifierConverter(format);
      // each once on a page (a native site and a captured id may name one GLN), in the order of the form they are written in
      return paged(read, [...new Set(convert ? values.map(convert) : values)].sort());
    },
  };
}

export type EpcisService = ReturnType<typeof createEpcisService>;
