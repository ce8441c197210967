import { newContainerCode, newLotCode } from '../codes/service-codes.js';
import type { Db } from '../db/client.js';
import { bodyField, conflict, Problem, unprocessable } from '../errors/problem.js';
import type { EventsRepository } from '../events/repository.js';
import type { IdentifierService, Referent } from '../identifiers/service.js';
import type { LineageRepository } from '../lineage/repository.js';
import type { LotsRepository } from '../lots/repository.js';
import type { ProductsRepository } from '../products/repository.js';
import { type EventHashOptions, eventHashId } from './event-hash.js';
import {
  type EpcisEvent,
  idOf,
  type Named,
  namedIdentifiers,
  nativeType,
  offsetOf,
  referenceDocumentsOf,
  shortVocabulary,
} from './mapping.js';
import type { EpcisRepository } from './repository.js';

/** Repositories one captured event needs, bound to the capture's transaction. */
export type CaptureRepositories = {
  events: Pick<EventsRepository, 'insert' | 'findById'>;
  lots: Pick<LotsRepository, 'insertLots' | 'insertIdentifiers'>;
  products: Pick<ProductsRepository, 'findByGtin'>;
  lineage: Pick<LineageRepository, 'insertEdges' | 'endContainment' | 'activeContents' | 'retractEdgesOf'>;
  epcis: Pick<EpcisRepository, 'transformationMembers' | 'eventExists' | 'findPayload'>;
  identifiers: Pick<IdentifierService, 'parse' | 'find'>;
  /** The capture's transaction, for identifier look-ups that must see lots it already created. */
  tx: Db;
};

export type CaptureOutcome = { eventId: string; duplicate: boolean };

const FUTURE_TOLERANCE_MS = 2 * 60 * 1000;
const SSCC = /^https:\/\/id\.gs1\.org\/00\/(\d{18})$/;
const GTIN = /^https:\/\/id\.gs1\.org\/01\/(\d{14})/;

/**
 * The lot or container a captured identifier names, if this service knows one by it (captured
 * earlier in this transaction too). A pack or a bare product class is not a lot: such an
 * identifier becomes a lot of its own, as any unknown one does.
 */
export async function knownLot(identifiers: Pick<IdentifierService, 'parse' | 'find'>, uri: string, tx?: Db): Promise<string | undefined> {
  let named: Referent | undefined;
  try {
    named = await identifiers.find(identifiers.parse(uri), tx);
  } catch (error) {
    if (error instanceof Problem) return undefined;
    throw error;
  }
  return named?.kind === 'lot' || named?.kind === 'container' ? named.lotCode : undefined;
}

/** The lot or container a captured identifier stands for; an unknown one becomes a new node of the capturing party. */
async function lotFor(repos: CaptureRepositories, named: Named, party: string, eventId: string, created: Map<string, string>) {
  const known = created.get(named.id) ?? (await knownLot(repos.identifiers, named.id, repos.tx));
  if (known) return known;
  const gtin = GTIN.exec(named.id);
  const product = gtin ? await repos.products.findByGtin(gtin[1]) : undefined;
  const sscc = SSCC.exec(named.id)?.[1] ?? null;
  const isContainer = sscc !== null || named.role === 'parent';
  const code = isContainer ? newContainerCode() : newLotCode();
  await repos.lots.insertLots([
    {
      code,
      kind: isContainer ? 'container' : 'lot',
      partyCode: party,
      productCode: product?.code ?? null,
      sscc,
      quantity: named.quantity ?? 1,
      unit: named.uom ?? product?.unit ?? 'piece',
      attributes: { epc: named.id },
      status: 'active',
      createdByEventId: eventId,
    },
  ]);
  await repos.lots.insertIdentifiers([{ kind: 'epc', value: named.id, lotCode: code, partyCode: party }]);
  created.set(named.id, code);
  return code;
}

/**
 * Stores one validated EPCIS event as a native event with its lineage. Idempotent: an event
 * whose id (given, or the CBV 2.0 hash) is already stored is reported as a duplicate; a given
 * id already stored for different content is a conflict, never silently dropped.
 */
export async function captureEvent(
  repos: CaptureRepositories,
  input: { event: EpcisEvent; context: unknown; party: string; hashOptions?: EventHashOptions },
): Promise<CaptureOutcome> {
  const { event, party } = input;
  if (new Date(String(event.eventTime)).getTime() > Date.now() + FUTURE_TOLERANCE_MS) {
    throw unprocessable('future-event', `eventTime ${String(event.eventTime)} is in the future`, [
      bodyField(['eventTime'], 'in the future'),
    ]);
  }
  const eventId = (event.eventID as string | undefined) ?? eventHashId(event, input.context, input.hashOptions);
  const declaration = event.errorDeclaration as { declarationTime?: string; reason?: string; correctiveEventIDs?: string[] } | undefined;
  const existing = await repos.epcis.findPayload(eventId);
  if (existing) {
    // the CBV 2.0 hash leaves out eventID, recordTime and errorDeclaration: equal hashes, same event
    const previous = existing.epcis as EpcisEvent | undefined;
    if (
      event.eventID &&
      previous &&
      eventHashId(previous, existing.context, input.hashOptions) !== eventHashId(event, input.context, input.hashOptions)
    ) {
      throw conflict(`eventID ${eventId} is already captured for a different event`, [
        bodyField(['eventID'], 'already used by a different event'),
      ]);
    }
    // a re-sent event that now carries an error declaration declares the stored one in error
    if (declaration && !(await repos.epcis.eventExists(`${eventId}#error`))) await declareInError(repos, eventId, declaration, party);
    return { eventId, duplicate: true };
  }

  const created = new Map<string, string>();
  const named = namedIdentifiers(event);
  const links = new Map<string, { lotCode: string; role: Named['role']; quantity: number | null }>();
  for (const item of named) {
    const lotCode = await lotFor(repos, item, party, eventId, created);
    links.set(`${lotCode}:${item.role}`, { lotCode, role: item.role, quantity: item.quantity });
  }
  const type = nativeType(event);
  const stored: EpcisEvent = { ...event, eventID: eventId };
  delete stored.errorDeclaration;

  await repos.events.insert(
    {
      id: eventId,
      type,
      eventTime: new Date(String(event.eventTime)),
      eventTimeZoneOffset: offsetOf(event),
      partyCode: party,
      bizStep: event.bizStep ? shortVocabulary('bizStep', String(event.bizStep)) : 'other',
      disposition: event.disposition ? shortVocabulary('disposition', String(event.disposition)) : null,
      readPoint: idOf(event.readPoint),
      bizLocation: idOf(event.bizLocation),
      referenceDocuments: referenceDocumentsOf(event),
      payload: { epcis: stored, ...(input.context ? { context: input.context } : {}) },
      epcisType: String(event.type),
      transformationId: (event.transformationID as string | undefined) ?? null,
    },
    [...links.values()].map((link) => ({ ...link, eventId, partyCode: party })),
  );

  const byRole = (role: Named['role']) => [
    ...new Set([...links.values()].filter((link) => link.role === role).map((link) => link.lotCode)),
  ];
  const edges: Parameters<CaptureRepositories['lineage']['insertEdges']>[0] = [];
  if (type === 'aggregate') {
    for (const parent of byRole('parent'))
      for (const child of byRole('child'))
        edges.push({ upstreamCode: child, downstreamCode: parent, kind: 'aggregate', eventId, partyCode: party });
  }
  if (type === 'disaggregate') {
    for (const parent of byRole('parent')) {
      const children = byRole('child');
      await repos.lineage.endContainment(
        parent,
        children.length ? children : (await repos.lineage.activeContents(parent)).map((edge) => edge.upstreamCode),
        eventId,
      );
    }
  }
  if (type === 'transform') {
    // events sharing a transformationID are one transformation: connect across all of them
    const members = event.transformationID
      ? await repos.epcis.transformationMembers(String(event.transformationID), eventId)
      : { inputs: [], outputs: [] };
    const inputs = [...new Set([...byRole('input'), ...members.inputs])];
    const outputs = [...new Set([...byRole('output'), ...members.outputs])];
    const mine = new Set([...byRole('input'), ...byRole('output')]);
    for (const from of inputs) {
      for (const to of outputs) {
        if (from !== to && (mine.has(from) || mine.has(to)))
          edges.push({ upstreamCode: from, downstreamCode: to, kind: 'transform', eventId, partyCode: party });
      }
    }
  }
  await repos.lineage.insertEdges(edges);
  if (declaration) await declareInError(repos, eventId, declaration, party);
  return { eventId, duplicate: false };
}

/** An EPCIS error declaration: a correction event that takes the original's lineage out of every trace. */
async function declareInError(
  repos: CaptureRepositories,
  eventId: string,
  declaration: { declarationTime?: string; reason?: string; correctiveEventIDs?: string[] },
  party: string,
) {
  const correctionId = `${eventId}#error`;
  await repos.events.insert(
    {
      id: correctionId,
      type: 'correction',
      eventTime: new Date(declaration.declarationTime ?? Date.now()),
      eventTimeZoneOffset: '+00:00',
      partyCode: party,
      bizStep: 'other',
      disposition: null,
      readPoint: null,
      bizLocation: null,
      referenceDocuments: [],
      payload: {
        reason: declaration.reason ?? null,
        correctiveEventIDs: declaration.correctiveEventIDs ?? [],
        declarationTime: declaration.declarationTime ?? null,
      },
      correctsEventId: eventId,
      epcisType: null,
    },
    [],
  );
  await repos.lineage.retractEdgesOf(eventId, correctionId);
}
