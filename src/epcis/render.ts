// Native events as EPCIS 2.0 JSON-LD: captured events come back as stored; events recorded
// through the native API are rendered from the same rows. Pure.

import type { StoredEvent } from '../events/repository.js';
import { isGs1Charset82 } from '../gs1/digital-link.js';
import { digitalLinkToEpcUrn } from '../gs1/epc-uri.js';
import { epcisEventId } from '../gs1/event-id.js';
import { DOCUMENT_BTT, ILMD_DATES, INSPECTION_FIELD } from './mapping.js';
import { uomOfUnit } from './uom.js';

export const EPCIS_CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld', { cntrace: 'urn:county-trace:epcis:' }];

/**
 * The @context entries captured contexts declare beyond the standard one (namespace prefixes of
 * their extensions), each once, so a JSON-LD client can expand the returned events.
 */
export function capturedContexts(contexts: unknown[]): unknown[] {
  const seen = new Set<string>();
  const entries: unknown[] = [];
  for (const context of contexts) {
    for (const entry of Array.isArray(context) ? context : context === undefined || context === null ? [] : [context]) {
      const key = JSON.stringify(entry);
      // the standard context (any version) is already the first entry
      if (seen.has(key) || (typeof entry === 'string' && entry.endsWith('/epcis-context.jsonld'))) continue;
      seen.add(key);
      entries.push(entry);
    }
  }
  return entries;
}

const PREFIXED = /^([A-Za-z_][\w.-]*):/;

/**
 * What of a document's @context one event needs, to be rendered and hashed again as captured: the
 * definitions of the terms and prefixes it uses (in its members' names and in its values, as CURIEs),
 * and the terms its values name, the keywords (`@vocab`, …) and the remote contexts an entry names, the standard one left out (it
 * goes without saying). Stored with each event in place of the document's whole @context, which
 * would be stored again in every event; undefined when it needs none.
 */
export function eventContext(context: unknown, event: unknown): unknown[] | undefined {
  if (context === undefined || context === null) return undefined;
  const used = new Set<string>();
  const stack: unknown[] = [event];
  while (stack.length > 0) {
    const next = stack.pop();
    if (typeof next === 'string') {
      // read as the event hash reads a value, trimmed; a bare term (an @type's, a @vocab value) may be defined too
      const value = next.trim();
      const prefix = PREFIXED.exec(value)?.[1];
      if (prefix) used.add(prefix);
      else used.add(value);
    } else if (Array.isArray(next)) {
      for (const item of next) stack.push(item);
    } else if (typeof next === 'object' && next !== null) {
      for (const [key, value] of Object.entries(next)) {
        used.add(key);
        const prefix = PREFIXED.exec(key)?.[1];
        if (prefix) used.add(prefix);
        stack.push(value);
      }
    }
  }
  const list = Array.isArray(context) ? context : [context];
  // a definition may name another prefix (`"batch": "ex:batch"`): kept too, until none is added
  for (let added = true; added; ) {
    added = false;
    for (const entry of list) {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
      for (const [key, definition] of Object.entries(entry)) {
        if (!key.startsWith('@') && !used.has(key)) continue;
        for (const text of JSON.stringify(definition ?? null).matchAll(/"([A-Za-z_][\w.-]*):/g)) {
          if (!used.has(text[1])) {
            used.add(text[1]);
            added = true;
          }
        }
      }
    }
  }
  const entries: unknown[] = [];
  for (const entry of list) {
    if (typeof entry === 'string') {
      if (!entry.endsWith('/epcis-context.jsonld')) entries.push(entry);
    } else if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
      const kept = Object.entries(entry).filter(([key]) => key.startsWith('@') || used.has(key));
      if (kept.length > 0) entries.push(Object.fromEntries(kept));
    }
  }
  return entries.length > 0 ? entries : undefined;
}

export type RenderLot = {
  code: string;
  kind: string;
  sscc: string | null;
  lotNumber: string | null;
  unit: string;
  gtin: string | null;
  productionDate: string | null;
  expiryDate: string | null;
  createdByEventId: string;
};
export type RenderContext = {
  lots: Map<string, RenderLot>;
  locationUri: (code: string) => string;
  partyUri: (code: string) => string;
  lotUriPrefix: string;
};

/** The EPC (class) URI of a native lot: SSCC or GTIN + lot as GS1 Digital Link, else this service's lot URI. */
export function lotEpc(lot: RenderLot, prefix: string): string {
  if (lot.sscc) return `https://id.gs1.org/00/${lot.sscc}`;
  if (lot.gtin && lot.lotNumber && lot.lotNumber.length <= 20 && isGs1Charset82(lot.lotNumber)) {
    return `https://id.gs1.org/01/${lot.gtin}/10/${encodeURIComponent(lot.lotNumber)}`;
  }
  return `${prefix}${lot.code}`;
}

/** How events name a lot by its code: as lotEpc does, by its URI here when the lot is not at hand. */
export function lotUri(code: string, context: Pick<RenderContext, 'lots' | 'lotUriPrefix'>): string {
  const lot = context.lots.get(code);
  return lot ? lotEpc(lot, context.lotUriPrefix) : `${context.lotUriPrefix}${code}`;
}

/**
 * The ilmd of a native event that made lots (a commission's, a transformation's outputs): their
 * dates as CBV master data, as capture reads them (see mapping.ts ILMD_DATES). An event has one ilmd
 * for all it makes: a date the lots do not all share is left out.
 */
function ilmdOf(event: StoredEvent, context: RenderContext): Record<string, string> | undefined {
  const made = event.lots.flatMap((link) => {
    const lot = link.role === 'subject' || link.role === 'output' ? context.lots.get(link.lotCode) : undefined;
    return lot?.kind === 'lot' && lot.createdByEventId === event.id ? [lot] : [];
  });
  const shared = (date: (lot: RenderLot) => string | null) => {
    const dates = new Set(made.map(date));
    return dates.size === 1 ? [...dates][0] : null;
  };
  const ilmd: Record<string, string> = {};
  const productionDate = shared((lot) => lot.productionDate);
  const expiryDate = shared((lot) => lot.expiryDate);
  if (productionDate) ilmd[`cbvmda:${ILMD_DATES.productionDate[0]}`] = productionDate;
  if (expiryDate) ilmd[`cbvmda:${ILMD_DATES.expiryDate[0]}`] = expiryDate;
  return Object.keys(ilmd).length > 0 ? ilmd : undefined;
}

/** The actions of native events that neither observe (OBSERVE) nor aggregate (ADD) what they name. */
export const NATIVE_ACTIONS: Record<string, string> = { commission: 'ADD', destroy: 'DELETE', disaggregate: 'DELETE' };

export function renderEvent(
  event: StoredEvent,
  context: RenderContext,
  correction?: { recordTime: Date; payload: Record<string, unknown> },
): Record<string, unknown> {
  // the declaration as it was captured, extension fields included; a native correction gives its reason
  const { declarationTime, ...declared } = correction?.payload ?? {};
  const errorDeclaration = correction
    ? { errorDeclaration: { declarationTime: (declarationTime as string | null) ?? correction.recordTime.toISOString(), ...declared } }
    : {};
  const stored = event.payload.epcis as Record<string, unknown> | undefined;
  if (stored) {
    // prefixes its document declared come with the event itself (another document may give the same
    // prefix another IRI), before the event's own @context, which JSON-LD lets override them
    const { '@context': own, ...body } = stored;
    const owned = own === undefined ? [] : Array.isArray(own) ? own : [own];
    const ownKeys = new Set(owned.map((entry) => JSON.stringify(entry)));
    const declared = [...capturedContexts([event.payload.context]).filter((entry) => !ownKeys.has(JSON.stringify(entry))), ...owned];
    return {
      ...(declared.length > 0 ? { '@context': declared } : {}),
      ...body,
      recordTime: event.recordTime.toISOString(),
      ...errorDeclaration,
    };
  }

  const lotsIn = (role: string) => event.lots.filter((link) => link.role === role);
  const epc = (code: string) => lotUri(code, context);
  const quantities = (role: string) =>
    lotsIn(role)
      .filter((link) => context.lots.get(link.lotCode)?.kind !== 'container')
      .map((link) => {
        const lot = context.lots.get(link.lotCode);
        return {
          epcClass: epc(link.lotCode),
          ...(link.quantity !== null ? { quantity: link.quantity, uom: uomOfUnit(lot?.unit ?? 'piece') } : {}),
        };
      });
  const containers = (role: string) =>
    lotsIn(role)
      .filter((link) => context.lots.get(link.lotCode)?.kind === 'container')
      .map((link) => epc(link.lotCode));
  const details = event.payload;

  const base: Record<string, unknown> = {
    eventTime: event.eventTime.toISOString(),
    eventTimeZoneOffset: event.eventTimeZoneOffset,
    recordTime: event.recordTime.toISOString(),
    eventID: epcisEventId(event.id),
    ...errorDeclaration,
  };
  const why: Record<string, unknown> = {
    bizStep: event.bizStep,
    ...(event.disposition ? { disposition: event.disposition } : {}),
    ...(event.readPoint ? { readPoint: { id: context.locationUri(event.readPoint) } } : {}),
    ...(event.bizLocation ? { bizLocation: { id: context.locationUri(event.bizLocation) } } : {}),
    ...(event.referenceDocuments.length
      ? {
          bizTransactionList: event.referenceDocuments.map((doc) => ({
            // a CBV business transaction type by its short name, as the EPCIS 2.0 context writes it (as sourceList's owning_party)
            type: DOCUMENT_BTT[doc.type] ?? `urn:county-trace:doc:${doc.type}`,
            bizTransaction: `urn:county-trace:doc:${doc.type}:${encodeURIComponent(doc.number)}`,
          })),
        }
      : {}),
  };

  const ilmd = event.type === 'transform' || event.type === 'commission' ? ilmdOf(event, context) : undefined;
  if (event.type === 'transform') {
    return {
      type: 'TransformationEvent',
      ...base,
      inputQuantityList: quantities('input'),
      outputQuantityList: quantities('output'),
      ...why,
      ...(ilmd ? { ilmd } : {}),
    };
  }
  if (event.type === 'aggregate' || event.type === 'disaggregate') {
    const [parent] = lotsIn('parent');
    return {
      type: 'AggregationEvent',
      ...base,
      ...(parent ? { parentID: epc(parent.lotCode) } : {}),
      childEPCs: containers('child'),
      childQuantityList: quantities('child'),
      action: NATIVE_ACTIONS[event.type] ?? 'ADD',
      ...why,
    };
  }
  const readings = (details.readings as { type: string; value: number; unit: string; time?: string }[] | undefined) ?? [];
  const extra: Record<string, unknown> = {};
  if (event.type === 'ship' && typeof details.toPartyCode === 'string') {
    extra.sourceList = [{ type: 'owning_party', source: context.partyUri(event.partyCode) }];
    extra.destinationList = [{ type: 'owning_party', destination: context.partyUri(details.toPartyCode) }];
  }
  if (event.type === 'receive' && typeof details.fromPartyCode === 'string') {
    extra.sourceList = [{ type: 'owning_party', source: context.partyUri(details.fromPartyCode) }];
    extra.destinationList = [{ type: 'owning_party', destination: context.partyUri(event.partyCode) }];
  }
  if (readings.length) {
    extra.sensorElementList = [
      {
        sensorReport: readings.map((reading) => ({
          type: reading.type === 'temperature' ? 'Temperature' : 'RelativeHumidity',
          value: reading.value,
          uom: reading.unit === 'Cel' ? 'CEL' : 'P1',
          ...(reading.time ? { time: reading.time } : {}),
        })),
      },
    ];
  }
  if (event.type === 'inspect') extra[INSPECTION_FIELD] = details.inspection;
  return {
    type: 'ObjectEvent',
    ...base,
    epcList: containers('subject'),
    quantityList: quantities('subject'),
    action: NATIVE_ACTIONS[event.type] ?? 'OBSERVE',
    ...why,
    ...extra,
    ...(ilmd ? { ilmd } : {}),
  };
}

/** The values of the GS1-EPC-Format header (EPCIS 2.0 REST binding). */
export const EPC_FORMATS = ['No_Preference', 'Always_GS1_Digital_Link', 'Always_EPC_URN', 'Never_Translates'] as const;
export type EpcFormat = (typeof EPC_FORMATS)[number];
const ID_LISTS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'];
const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'];

/** Every identifier field of an event rewritten by `convert` (EPCs, classes, parent, read point, business location). */
export function mapIdentifiers(event: Record<string, unknown>, convert: (id: string) => string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...event };
  for (const field of ID_LISTS) if (Array.isArray(out[field])) out[field] = (out[field] as string[]).map(convert);
  for (const field of QUANTITY_LISTS) {
    if (Array.isArray(out[field]))
      out[field] = (out[field] as { epcClass: string }[]).map((entry) => ({ ...entry, epcClass: convert(entry.epcClass) }));
  }
  if (typeof out.parentID === 'string') out.parentID = convert(out.parentID);
  for (const field of ['readPoint', 'bizLocation']) {
    const place = out[field] as { id?: string } | undefined;
    if (place?.id) out[field] = { ...place, id: convert(place.id) };
  }
  return out;
}

/**
 * The converter for a GS1-EPC-Format: Digital Link rewrites EPC URNs; EPC URN writes GS1 keys
 * as URNs where the company prefix length is known (a Digital Link does not carry it);
 * No_Preference and Never_Translates return identifiers as captured.
 */
export function epcConverter(
  format: EpcFormat,
  toDigitalLink: (id: string) => string,
  companyPrefixLength: (key: string) => number | null,
) {
  if (format === 'No_Preference' || format === 'Never_Translates') return null;
  if (format === 'Always_GS1_Digital_Link') return toDigitalLink;
  return (id: string) => {
    const link = toDigitalLink(id);
    const key =
      /^https:\/\/id\.gs1\.org\/(?:01|00|8003)\/(\d{14,18})/.exec(link)?.[1].slice(1) ??
      /^https:\/\/id\.gs1\.org\/414\/(\d{13})/.exec(link)?.[1];
    const length = key ? companyPrefixLength(key) : null;
    return (length && digitalLinkToEpcUrn(link, length)) || id;
  };
}
