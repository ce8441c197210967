import { randomUUID } from 'node:crypto';
import { actingParty, type Principal, privateScope, requirePartyData } from '../access/index.js';
import { badRequest, type FieldProblem, notFound, Problem } from '../errors/problem.js';
import type { EventsRepository, StoredEvent } from '../events/repository.js';
import { canonicalIdentifier } from '../gs1/canonical.js';
import type { IdentifierService } from '../identifiers/service.js';
import type { LocationsRepository } from '../locations/repository.js';
import type { LotsRepository } from '../lots/repository.js';
import type { ProductsRepository } from '../products/repository.js';
import { type CaptureRepositories, captureEvent, knownLot } from './capture.js';
import { documentEvents, documentIgnoreFields } from './event-hash.js';
import { EPCIS_TYPES, shortVocabulary } from './mapping.js';
import { encodePageToken, parseEventQuery, parsePaging } from './query-params.js';
import { EPCIS_CONTEXT, type EpcFormat, epcConverter, mapIdentifiers, type RenderLot, renderEvent } from './render.js';
import type { CaptureRow, EpcisRepository, EventFilter } from './repository.js';
import { validateCaptureDocument, validateCaptureEvent } from './validation/index.js';

export const CAPTURE_LIMIT_EVENTS = 10_000;
export type ErrorBehaviour = 'rollback' | 'proceed';

const toProblems = (errors: { pointer: string; message: string }[]): FieldProblem[] =>
  errors.slice(0, 50).map((error) => ({ in: 'body', pointer: error.pointer || '/', detail: error.message }));

export function createEpcisService(deps: {
  transaction: <T>(work: (repos: CaptureRepositories) => Promise<T>) => Promise<T>;
  epcis: Pick<EpcisRepository, 'insertCapture' | 'updateCapture' | 'findCapture' | 'query' | 'corrections' | 'distinct' | 'epcs'>;
  identifiers: Pick<IdentifierService, 'parse' | 'find'>;
  events: Pick<EventsRepository, 'findById' | 'complete'>;
  lots: Pick<LotsRepository, 'findByCodes'>;
  products: Pick<ProductsRepository, 'findByCodes'>;
  locations: Pick<LocationsRepository, 'findByCodes'>;
  /** GS1 company prefixes registered by parties. */
  prefixes: () => Promise<string[]>;
  publicBaseUrl: string;
  log?: { error: (object: object, message: string) => void };
}) {
  const lotUriPrefix = `${deps.publicBaseUrl}/lots/`;
  let queue: Promise<void> = Promise.resolve();

  async function run(job: CaptureRow, doc: Record<string, unknown>, behaviour: ErrorBehaviour) {
    const events = documentEvents(doc);
    const context = doc['@context'];
    const hashOptions = { ignoreFields: documentIgnoreFields(doc) };
    const outcome = { captured: 0, duplicates: 0, eventIds: [] as string[], errors: [] as CaptureRow['errors'] };
    const one = (repos: CaptureRepositories, event: Record<string, unknown>) =>
      captureEvent(repos, { event, context, party: job.partyCode, hashOptions });
    try {
      if (behaviour === 'rollback') {
        // all or nothing: one transaction for the whole document
        const results = await deps.transaction(async (repos) => {
          const done = [];
          for (const [index, event] of events.entries()) {
            try {
              done.push(await one(repos, event));
            } catch (error) {
              throw Object.assign(new Error((error as Error).message), { eventIndex: index });
            }
          }
          return done;
        });
        for (const result of results) {
          outcome.eventIds.push(result.eventId);
          result.duplicate ? outcome.duplicates++ : outcome.captured++;
        }
      } else {
        for (const [index, event] of events.entries()) {
          try {
            const result = await deps.transaction((repos) => one(repos, event));
            outcome.eventIds.push(result.eventId);
            result.duplicate ? outcome.duplicates++ : outcome.captured++;
          } catch (error) {
            outcome.errors.push({
              eventIndex: index,
              eventId: (event.eventID as string) ?? null,
              pointer: `/epcisBody/eventList/${index}`,
              message: (error as Error).message,
            });
          }
        }
      }
    } catch (error) {
      const eventIndex = (error as { eventIndex?: number }).eventIndex ?? null;
      outcome.errors.push({
        eventIndex,
        eventId: null,
        pointer: eventIndex === null ? '/' : `/epcisBody/eventList/${eventIndex}`,
        message: (error as Error).message,
      });
      outcome.captured = 0;
      outcome.duplicates = 0;
      outcome.eventIds = [];
    }
    const status = outcome.errors.length === 0 ? 'success' : outcome.captured + outcome.duplicates > 0 ? 'partial' : 'failed';
    await deps.epcis.updateCapture(job.id, { ...outcome, status, finishedAt: new Date() });
  }

  /** Lots, products and locations the rendered events name, fetched once per page. */
  async function renderAll(rows: StoredEvent[]) {
    const lotCodes = [...new Set(rows.flatMap((row) => row.lots.map((link) => link.lotCode)))];
    const lots = await deps.lots.findByCodes(lotCodes);
    const products = new Map(
      (await deps.products.findByCodes(lots.flatMap((lot) => (lot.productCode ? [lot.productCode] : [])))).map((p) => [p.code, p]),
    );
    const locationCodes = [
      ...new Set(
        rows.flatMap((row) => [row.readPoint, row.bizLocation]).filter((code): code is string => Boolean(code) && !code!.includes(':')),
      ),
    ];
    const locations = new Map((await deps.locations.findByCodes(locationCodes)).map((l) => [l.code, l]));
    const renderLots = new Map<string, RenderLot>(
      lots.map((lot) => [
        lot.code,
        {
          code: lot.code,
          kind: lot.kind,
          sscc: lot.sscc,
          lotNumber: lot.lotNumber,
          unit: lot.unit,
          gtin: lot.productCode ? (products.get(lot.productCode)?.gtin ?? null) : null,
        },
      ]),
    );
    const corrections = await deps.epcis.corrections(rows.map((row) => row.id));
    return rows.map((row) =>
      renderEvent(
        row,
        {
          lots: renderLots,
          lotUriPrefix,
          partyUri: (code) => `${deps.publicBaseUrl}/parties/${code}`,
          locationUri: (code) => {
            const gln = locations.get(code)?.gln;
            return code.includes(':') ? code : gln ? `https://id.gs1.org/414/${gln}` : `${deps.publicBaseUrl}/locations/${code}`;
          },
        },
        corrections.get(row.id),
      ),
    );
  }

  /** EPC URIs named in a query → lot codes (captured identifiers and native lots by their URIs). */
  async function lotsNamed(values: string[]): Promise<string[]> {
    const found = await Promise.all(values.map((value) => knownLot(deps.identifiers, value)));
    return [...new Set(found.filter((code): code is string => Boolean(code)))];
  }

  return {
    lotUriPrefix,

    /** Rewrites identifiers per GS1-EPC-Format, using the company prefixes parties registered. */
    async formatter(format: EpcFormat): Promise<(event: Record<string, unknown>) => Record<string, unknown>> {
      const prefixes = format === 'Always_EPC_URN' ? (await deps.prefixes()).sort((a, b) => b.length - a.length) : [];
      const convert = epcConverter(format, canonicalIdentifier, (key) => prefixes.find((prefix) => key.startsWith(prefix))?.length ?? null);
      return convert ? (event) => mapIdentifiers(event, convert) : (event) => event;
    },

    queryDocument: (events: unknown[]) => ({
      '@context': EPCIS_CONTEXT,
      type: 'EPCISQueryDocument',
      schemaVersion: '2.0',
      creationDate: new Date().toISOString(),
      epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events } } },
    }),

    /** Validates synchronously (400 names every problem), then captures in the background. */
    async capture(principal: Principal, doc: Record<string, unknown>, behaviour: ErrorBehaviour): Promise<CaptureRow> {
      const listed = ((doc.epcisBody as { eventList?: unknown[] } | undefined)?.eventList ?? []).length;
      if (listed > CAPTURE_LIMIT_EVENTS) {
        throw new Problem(
          413,
          'capture-limit',
          'Capture limit exceeded',
          `${listed} events; at most ${CAPTURE_LIMIT_EVENTS} per capture (see OPTIONS /epcis/capture)`,
        );
      }
      const party = actingParty(principal);
      const validation = validateCaptureDocument(doc);
      if (!validation.ok) throw badRequest(`invalid EPCIS document: ${validation.errors[0].message}`, toProblems(validation.errors));
      const events = documentEvents(doc);
      const job = await deps.epcis.insertCapture({
        id: randomUUID(),
        partyCode: party,
        status: 'running',
        errorBehaviour: behaviour,
        total: events.length,
      });
      queue = queue.then(() =>
        run(job, doc as Record<string, unknown>, behaviour).catch((error) =>
          deps.log?.error({ err: error, captureId: job.id }, 'capture failed'),
        ),
      );
      return job;
    },

    idle: () => queue,

    async captureJob(principal: Principal, id: string): Promise<CaptureRow> {
      const job = await deps.epcis.findCapture(id);
      if (!job) throw notFound(`no capture job ${id}`);
      requirePartyData(principal, job.partyCode, 'capture jobs');
      return job;
    },

    /** One event (POST /events): stored at once; a repeat is a duplicate, not an error. */
    async captureSingle(principal: Principal, event: unknown) {
      const party = actingParty(principal);
      const validation = validateCaptureEvent(event);
      if (!validation.ok) throw badRequest(`invalid EPCIS event: ${validation.errors[0].message}`, toProblems(validation.errors));
      const record = event as Record<string, unknown>;
      return deps.transaction((repos) => captureEvent(repos, { event: record, context: record['@context'], party }));
    },

    /**
     * A page of events by the EPCIS REST query parameters (GET /epcis/events and named queries),
     * identifiers written per the GS1-EPC-Format asked for.
     */
    async queryByParameters(principal: Principal, params: Record<string, unknown>, format: EpcFormat) {
      const result = await this.query(principal, { ...parseEventQuery(params), ...parsePaging(params) });
      const formatted = await this.formatter(format);
      return { ...result, events: result.events.map(formatted) };
    },

    async query(
      principal: Principal,
      filter: Omit<EventFilter, 'partyCode' | 'lotMatches'> & { matches?: { values: string[]; roles: string[] }[] },
    ) {
      const lotMatches = [];
      for (const match of filter.matches ?? []) lotMatches.push({ lotCodes: await lotsNamed(match.values), roles: match.roles });
      const rows = await deps.epcis.query({
        ...filter,
        bizSteps: filter.bizSteps?.map((step) => shortVocabulary('bizStep', step)),
        dispositions: filter.dispositions?.map((value) => shortVocabulary('disposition', value)),
        readPoints: filter.readPoints?.map(canonicalIdentifier),
        bizLocations: filter.bizLocations?.map(canonicalIdentifier),
        eventIds: filter.eventIds?.flatMap((id) => (id.startsWith('urn:uuid:') ? [id, id.slice(9)] : [id])),
        partyCode: privateScope(principal) ?? undefined,
        lotMatches,
        limit: filter.limit + 1,
      });
      const page = rows.slice(0, filter.limit);
      const next = rows.length > filter.limit ? page[page.length - 1] : null;
      return {
        events: await renderAll(await deps.events.complete(page)),
        nextPageToken: next ? encodePageToken(next) : null,
      };
    },

    async event(principal: Principal, eventId: string) {
      const candidates = eventId.startsWith('urn:uuid:') ? [eventId, eventId.slice(9)] : [eventId];
      for (const id of candidates) {
        const row = await deps.events.findById(id);
        if (row && row.type !== 'correction') {
          requirePartyData(principal, row.partyCode, 'events');
          return (await renderAll([row]))[0];
        }
      }
      throw notFound(`no event ${eventId}`);
    },

    async vocabulary(principal: Principal, what: 'bizStep' | 'disposition' | 'readPoint' | 'bizLocation' | 'epc' | 'eventType') {
      if (what === 'eventType') return [...EPCIS_TYPES];
      const party = privateScope(principal) ?? undefined;
      return what === 'epc' ? deps.epcis.epcs(party, 1000) : deps.epcis.distinct(what, party);
    },
  };
}

export type EpcisService = ReturnType<typeof createEpcisService>;
