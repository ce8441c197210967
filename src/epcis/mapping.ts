// EPCIS 2.0 events ⇄ the native event model. Pure: identifiers are resolved by the caller.
import type { Pointer } from '../events/writer/draft.js';
import type { Claim, ReadingTime, RegisteredName, SentAt } from '../events/writer/index.js';
import { canonicalIdentifier, decodedComponent } from '../gs1/canonical.js';
import { aiValueError } from '../gs1/digital-link.js';
import { expandTerm } from './event-hash.js';

export type EpcisEvent = Record<string, unknown>;
export type EpcisType = 'ObjectEvent' | 'AggregationEvent' | 'TransformationEvent' | 'TransactionEvent' | 'AssociationEvent';
export const EPCIS_TYPES: EpcisType[] = ['ObjectEvent', 'AggregationEvent', 'TransformationEvent', 'TransactionEvent', 'AssociationEvent'];

export type Role = 'subject' | 'input' | 'output' | 'parent' | 'child';
/**
 * One identifier an event names, in canonical form (`id`) and as the event gives it (`written`),
 * with its role, (for classes) quantity, and where the event names it (`['epcList', 3]`,
 * `['parentID']`, `['inputQuantityList', 0]`).
 */
export type Named = { id: string; written: string; role: Role; isClass: boolean; quantity: number | null; uom: string | null; at: Pointer };

const CBV_PREFIXES: Record<string, string> = {
  bizStep: 'https://ref.gs1.org/cbv/BizStep-',
  disposition: 'https://ref.gs1.org/cbv/Disp-',
};
const CBV_URNS: Record<string, string> = { bizStep: 'urn:epcglobal:cbv:bizstep:', disposition: 'urn:epcglobal:cbv:disp:' };

/** CBV values are stored in their short form (`shipping`), custom URIs as given. */
export function shortVocabulary(kind: 'bizStep' | 'disposition', value: string): string {
  for (const prefix of [CBV_PREFIXES[kind], CBV_URNS[kind], kind === 'bizStep' ? 'cbv:BizStep-' : 'cbv:Disp-']) {
    if (value.startsWith(prefix)) return value.slice(prefix.length);
  }
  return value;
}

/**
 * The forms a CBV value of a vocabulary (`ER` error reasons, `BTT`, `SDT`, `Disp`) may have been captured
 * in, as stored (captured lists and declarations keep their values as written): a CBV value
 * (`incorrect_data`) as its short name, its web URI, its URN and its compact form; any other value (a
 * custom URI, a native correction's text) as given.
 */
export function cbvForms(vocabulary: string, urn: string, value: string): string[] {
  const prefixes = [`https://ref.gs1.org/cbv/${vocabulary}-`, `urn:epcglobal:cbv:${urn}:`, `cbv:${vocabulary}-`];
  const prefix = prefixes.find((candidate) => value.startsWith(candidate));
  if (prefix === undefined && value.includes(':')) return [value];
  const short = prefix === undefined ? value : value.slice(prefix.length);
  return [short, ...prefixes.map((candidate) => `${candidate}${short}`)];
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
/** The EPCs of one of the event's instance lists. */
const instances = (event: EpcisEvent, member: string, role: Role): Named[] =>
  list(event[member]).map((epc, index) => ({
    id: canonicalIdentifier(String(epc)),
    written: String(epc),
    role,
    isClass: false,
    quantity: null,
    uom: null,
    at: [member, index],
  }));
const parent = (event: EpcisEvent): Named[] =>
  event.parentID
    ? [
        {
          id: canonicalIdentifier(String(event.parentID)),
          written: String(event.parentID),
          role: 'parent',
          isClass: false,
          quantity: null,
          uom: null,
          at: ['parentID'],
        },
      ]
    : [];
/** The classes of one of the event's quantity lists. */
const classes = (event: EpcisEvent, member: string, role: Role): Named[] =>
  list(event[member]).map((entry, index) => {
    const element = entry as { epcClass: string; quantity?: number; uom?: string };
    return {
      id: canonicalIdentifier(element.epcClass),
      written: element.epcClass,
      role,
      isClass: true,
      quantity: element.quantity ?? null,
      uom: element.uom ?? null,
      at: [member, index],
    };
  });

/** Every identifier the event names, by role (the EPCIS "what" dimension). */
export function namedIdentifiers(event: EpcisEvent): Named[] {
  switch (event.type as EpcisType) {
    case 'ObjectEvent':
      return [...instances(event, 'epcList', 'subject'), ...classes(event, 'quantityList', 'subject')];
    case 'TransactionEvent':
      return [...parent(event), ...instances(event, 'epcList', 'subject'), ...classes(event, 'quantityList', 'subject')];
    case 'AggregationEvent':
    case 'AssociationEvent':
      return [...parent(event), ...instances(event, 'childEPCs', 'child'), ...classes(event, 'childQuantityList', 'child')];
    case 'TransformationEvent':
      return [
        ...instances(event, 'inputEPCList', 'input'),
        ...classes(event, 'inputQuantityList', 'input'),
        ...instances(event, 'outputEPCList', 'output'),
        ...classes(event, 'outputQuantityList', 'output'),
      ];
    default:
      return [];
  }
}

/** Members the writer names as EPCIS does (it checks them as the event gives them). */
const SAME_MEMBERS: ReadonlySet<string> = new Set([
  'eventTime',
  'disposition',
  'sensorElementList',
  'transformationID',
  'readPoint',
  'bizLocation',
  'sourceList',
  'destinationList',
]);

/**
 * Where the fields the event writer names, as the native event model names them
 * (`inputs/0/quantity`, `lines/2/lotCode`, `creates/1/productCode`, `parent`), lie in the EPCIS
 * event they were mapped from (`inputQuantityList/0/quantity`, `epcList/2`, `quantityList/1/epcClass`,
 * `parentID`). The mapping says, for each native list it fills, which identifier each entry came
 * from, and for each native field the member it came from. A field of an identifier is its EPC, or
 * its class's `epcClass` (`quantity` for a quantity, `uom` for a unit); a list's field no entry stands for is the
 * nearest member holding all of its entries, and anything else the event itself.
 */
export class EpcisFields {
  private readonly lists = new Map<string, Named[]>();
  private readonly members = new Map<string, Pointer | MemberFields>();
  private readonly entryFields = new Map<string, Pointer>();

  /** The native list `name` holds an entry for each of these identifiers, in order. */
  list(name: string, items: Named[]): this {
    this.lists.set(name, items);
    return this;
  }

  /** The native field `name` (and whatever lies under it) came from the member at `at`, or where `at` places each field under it. */
  member(name: string, at: Pointer | MemberFields): this {
    this.members.set(name, at);
    return this;
  }

  /** The field `name` of an entry of any native list (a new lot's `productionDate`) came from the member at `at`, whichever entry it is. */
  entryField(name: string, at: Pointer): this {
    this.entryFields.set(name, at);
    return this;
  }

  readonly sentAt: SentAt = (path) => {
    const [field, position, detail] = path;
    if (typeof field !== 'string') return [];
    if (SAME_MEMBERS.has(field)) return path;
    const member = this.members.get(field);
    if (typeof member === 'function') return member(path.slice(1));
    if (member) return member;
    const items = this.lists.get(field);
    if (!items) return [];
    const item = typeof position === 'number' ? items[position] : undefined;
    if (!item) return commonPrefix(items.map((entry) => entry.at));
    const entryField = typeof detail === 'string' ? this.entryFields.get(detail) : undefined;
    if (entryField) return entryField;
    if (!item.isClass) return item.at;
    return [...item.at, detail === 'quantity' ? 'quantity' : detail === 'unit' ? 'uom' : 'epcClass'];
  };
}

/** Where each field under a native field (its path below it) lies in the EPCIS event. */
export type MemberFields = (within: Pointer) => Pointer;

/** The longest path every one of the paths starts with (none: the event itself). */
function commonPrefix(paths: Pointer[]): Pointer {
  if (paths.length === 0) return [];
  const [first, ...rest] = paths;
  let length = first.length;
  for (const path of rest) {
    let same = 0;
    while (same < Math.min(length, path.length) && path[same] === first[same]) same++;
    length = same;
  }
  return first.slice(0, length);
}

/**
 * Where the fields a correction names lie in the EPCIS event whose error declaration it records:
 * the event it corrects is the one the event's `eventID` names (its content hash, when it names
 * none), the rest is the declaration's.
 */
export function declarationFieldsSentAt(event: EpcisEvent): SentAt {
  const declaration = (event.errorDeclaration ?? {}) as { declarationTime?: unknown };
  return ([field]) => {
    if (field === 'correctsEventId') return event.eventID ? ['eventID'] : ['errorDeclaration'];
    if (field === 'eventTime' && declaration.declarationTime) return ['errorDeclaration', 'declarationTime'];
    return ['errorDeclaration'];
  };
}

const BY_BIZ_STEP: Record<string, string> = {
  shipping: 'ship',
  departing: 'ship',
  receiving: 'receive',
  arriving: 'receive',
  accepting: 'receive',
  inspecting: 'inspect',
  sampling: 'inspect',
  destroying: 'destroy',
  decommissioning: 'destroy',
  retail_selling: 'sell',
};

/** The native event type an EPCIS event is recorded as. */
export function nativeType(event: EpcisEvent): string {
  const action = event.action as string | undefined;
  switch (event.type as EpcisType) {
    case 'TransformationEvent':
      return 'transform';
    case 'AggregationEvent':
    case 'AssociationEvent':
      return action === 'DELETE' ? 'disaggregate' : 'aggregate';
    case 'TransactionEvent':
      // DELETE disassociates the objects from the business transaction (EPCIS 2.0): it does nothing to them
      return action === 'DELETE' ? 'observe' : byBizStep(event);
    default:
      // an ObjectEvent DELETE: the objects cease to exist
      return action === 'DELETE' ? 'destroy' : byBizStep(event);
  }
}

/** What an ObjectEvent or TransactionEvent that adds or observes amounts to, by its business step. */
function byBizStep(event: EpcisEvent): string {
  const step = event.bizStep ? shortVocabulary('bizStep', String(event.bizStep)) : '';
  if (BY_BIZ_STEP[step]) return BY_BIZ_STEP[step];
  return event.action === 'ADD' ? 'commission' : 'observe';
}

/** The namespace of the CBV master data attributes (`cbvmda:` in the EPCIS 2.0 context). */
export const CBV_MDA = 'urn:epcglobal:cbv:mda:';

/**
 * The CBV master data attributes (ilmd) a lot's dates are read from and rendered in (as `cbvmda:`
 * members), each date's in the order they are read: a use-by date (`itemExpirationDate`, GS1 AI 17)
 * before a best-before date (AI 15), which stands for the expiry when the event gives none. CBV
 * defines those two, `sellByDate` (AI 16: the last day of sale, kept apart, no expiry) and
 * `lotNumber` (AI 10); it names no production date (its `harvestStartDate`, `harvestEndDate` and
 * `firstFreezeDate` are other days, not read): `productionDate` is no CBV term, read because
 * deployed senders write it.
 */
export const ILMD_DATES = {
  productionDate: ['productionDate'],
  expiryDate: ['itemExpirationDate', 'bestBeforeDate'],
  sellByDate: ['sellByDate'],
} as const;
export const ILMD_DATE_TERMS: ReadonlySet<string> = new Set(Object.values(ILMD_DATES).flat());

/** An ilmd member naming a CBV master data attribute: its local name (`lotNumber`), its name as sent (`mda:lotNumber`), its value. */
export type MasterDataMember = { term: string; member: string; value: unknown };

/**
 * The members of an event's ilmd that name CBV master data attributes, in document order, under
 * whatever name they come: the prefix the document's (and the event's own) @context gives the
 * namespace (`prefixes`, see event-hash.ts contextPrefixes; `cbvmda:` the EPCIS 2.0 context's), or the
 * full IRI (`urn:epcglobal:cbv:mda:lotNumber`). Other members are the sender's own: stored, not read.
 */
export function cbvMasterData(event: EpcisEvent, prefixes: ReadonlyMap<string, string>): MasterDataMember[] {
  const ilmd = event.ilmd;
  if (typeof ilmd !== 'object' || ilmd === null || Array.isArray(ilmd)) return [];
  return Object.entries(ilmd).flatMap(([member, value]) => {
    const iri = expandTerm(member, prefixes);
    return iri.startsWith(CBV_MDA) ? [{ term: iri.slice(CBV_MDA.length), member, value }] : [];
  });
}

/** The role of what an event makes: an ObjectEvent that adds, its subjects; a TransformationEvent, its outputs; else none. */
function makesAs(event: EpcisEvent): Role | null {
  if (event.type === 'TransformationEvent') return 'output';
  return event.type === 'ObjectEvent' && event.action === 'ADD' ? 'subject' : null;
}

/** The dates of the lots an event makes, each with the member of the event it was read from. */
export type LotDates = { -readonly [field in keyof typeof ILMD_DATES]?: { date: string; at: Pointer } };

/**
 * The dates its ilmd gives the lots an event makes: an ObjectEvent that adds them (its epcList and
 * quantityList), or a TransformationEvent (its outputs). Capture validation has held each to a date.
 */
export function lotDatesOf(event: EpcisEvent, prefixes: ReadonlyMap<string, string>): LotDates {
  if (!makesAs(event)) return {};
  const members = cbvMasterData(event, prefixes);
  const dates: LotDates = {};
  for (const [field, terms] of Object.entries(ILMD_DATES) as [keyof LotDates, readonly string[]][]) {
    const given = terms.flatMap((term) => members.find((entry) => entry.term === term && typeof entry.value === 'string') ?? []);
    if (given[0]) dates[field] = { date: given[0].value as string, at: ['ilmd', given[0].member] };
  }
  return dates;
}

/** Why an ilmd `lotNumber` is no GS1 lot number (AI 10, as the AI table has it), or null. */
export function lotNumberProblem(value: unknown): string | null {
  return typeof value === 'string' && !aiValueError('10', value)
    ? null
    : 'must be a GS1 lot number, AI (10): 1-20 characters of GS1 charset 82';
}

const GTIN_CLASS = /^https:\/\/id\.gs1\.org\/01\/(\d{14})$/;
const LGTIN = /^https:\/\/id\.gs1\.org\/01\/\d{14}\/10\/([^/]+)$/;

/**
 * The lot number an LGTIN (a class as capture stores it, `https://id.gs1.org/01/<gtin>/10/<lot>`)
 * gives the lot it names, decoded from its URI escapes: a lot made from it carries it as a native
 * lot carries its lotNumber (a consumer product variant, AI 22, is not kept in the stored form). None
 * for any other identifier, nor for a lot whose escapes do not decode to a GS1 lot number.
 */
export function lotNumberOfClass(id: string): string | null {
  const lot = LGTIN.exec(id)?.[1];
  const decoded = lot === undefined ? null : decodedComponent(lot);
  return decoded !== null && !aiValueError('10', decoded) ? decoded : null;
}
const LOT_CLASS = /^https:\/\/id\.gs1\.org\/01\/\d{14}(?:\/22\/[^/]+)?\/10\/([^/]+)$/;

/** A class an event makes whose lot differs from its ilmd `lotNumber`: the class, its lot, and the member giving the other. */
export type LotNumberMismatch = { item: Named; lot: string; lotNumber: string; member: string };

/**
 * The identifiers an event names, with the lot number its ilmd gives (CBV `lotNumber`) applied to
 * the product classes it makes (an ObjectEvent ADD's quantityList, a TransformationEvent's
 * outputs): a GTIN's class without a lot (`…/01/<gtin>`, `urn:epc:idpat:sgtin:…*`) is the LGTIN of
 * that lot (as if the event had named `…/01/<gtin>/10/<lotNumber>`), its written form kept; a class
 * already carrying another lot is a mismatch (the first one named). Capture validation has held the
 * lot number to AI 10.
 */
export function withIlmdLotNumber(
  event: EpcisEvent,
  named: Named[],
  prefixes: ReadonlyMap<string, string>,
): { named: Named[]; mismatch: LotNumberMismatch | null } {
  const given = cbvMasterData(event, prefixes).find((entry) => entry.term === 'lotNumber' && typeof entry.value === 'string');
  if (!given) return { named, mismatch: null };
  const lotNumber = given.value as string;
  const made = makesAs(event);
  let mismatch: LotNumberMismatch | null = null;
  const applied = named.map((item) => {
    if (!item.isClass || item.role !== made) return item;
    const gtin = GTIN_CLASS.exec(item.id)?.[1];
    if (gtin) return { ...item, id: canonicalIdentifier(`https://id.gs1.org/01/${gtin}/10/${encodeURIComponent(lotNumber)}`) };
    const lot = LOT_CLASS.exec(item.id)?.[1];
    // a lot whose escapes do not decode is not the ilmd's either
    const decoded = lot === undefined ? undefined : (decodedComponent(lot) ?? lot);
    if (decoded !== undefined && decoded !== lotNumber) mismatch ??= { item, lot: decoded, lotNumber, member: given.member };
    return item;
  });
  return { named: applied, mismatch };
}

/** The extension member a native inspection's kind, result and findings are rendered in (see render.ts), and read back from. */
export const INSPECTION_FIELD = 'cntrace:inspection';

/** What an EPCIS inspection says of its result, as the native inspect rule takes it. */
export type EpcisInspection = {
  inspection: { kind?: string; labPartyCode?: string; result: 'pass' | 'fail'; [detail: string]: unknown };
  /** Where each of its fields was read from (where a problem with it is named). */
  at: MemberFields;
};

const RESULT_BY_DISPOSITION: Record<string, 'pass' | 'fail'> = { conformant: 'pass', non_conformant: 'fail' };

/**
 * The result an inspection (CBV bizStep `inspecting` or `sampling`) carries: the service's own
 * `cntrace:inspection` member (as a native inspection renders, validated on capture), else the CBV
 * disposition it leaves the objects in, `conformant` (pass) or `non_conformant` (fail), a sample
 * being of kind `sampling`. None (no such disposition): the event says an inspection took place but
 * not its result, and is recorded as a sighting.
 */
export function inspectionOf(event: EpcisEvent): EpcisInspection | null {
  const given = event[INSPECTION_FIELD];
  if (typeof given === 'object' && given !== null) {
    return { inspection: given as EpcisInspection['inspection'], at: (within) => [INSPECTION_FIELD, ...within] };
  }
  const result = event.disposition ? RESULT_BY_DISPOSITION[shortVocabulary('disposition', String(event.disposition))] : undefined;
  if (!result) return null;
  const sampled = event.bizStep !== undefined && shortVocabulary('bizStep', String(event.bizStep)) === 'sampling';
  // a sample's kind is its business step's word
  return {
    inspection: { ...(sampled ? { kind: 'sampling' } : {}), result },
    at: ([field]) => (sampled && field === 'kind' ? ['bizStep'] : ['disposition']),
  };
}

/** "+08:00" from an EPCIS eventTimeZoneOffset or, failing that, from the eventTime itself. */
export function offsetOf(event: EpcisEvent): string {
  const declared = event.eventTimeZoneOffset as string | undefined;
  if (declared && /^[+-]\d{2}:\d{2}$/.test(declared)) return declared;
  const match = /([+-]\d{2}):?(\d{2})$/.exec(String(event.eventTime));
  return match ? `${match[1]}:${match[2]}` : '+00:00';
}

export const idOf = (value: unknown): string | null => {
  const id = (value as { id?: string } | undefined)?.id;
  return id ? canonicalIdentifier(id) : null;
};

const SITE_GLN = /^https:\/\/id\.gs1\.org\/414\/(\d{13})(?:\/254\/[^/]+)?$/;
const PARTY_GLN = /^https:\/\/id\.gs1\.org\/417\/(\d{13})$/;

/**
 * The registered site or party an id may name: this service's URI of a location or party, or a GLN
 * in any spelling the service reads (a Digital Link or EPC URN, read as its canonical form): AI 414
 * a site (with or without its extension), AI 417 a party. Whether one is registered, the writer finds.
 */
function registeredNameOf(id: string, publicBaseUrl: string): RegisteredName | null {
  for (const kind of ['location', 'party'] as const) {
    const prefix = `${publicBaseUrl}/${kind === 'location' ? 'locations' : 'parties'}/`;
    if (id.startsWith(prefix) && id.length > prefix.length) return { kind, code: id.slice(prefix.length) };
  }
  const canonical = canonicalIdentifier(id);
  const site = SITE_GLN.exec(canonical)?.[1];
  if (site) return { kind: 'location', gln: site };
  const party = PARTY_GLN.exec(canonical)?.[1];
  return party ? { kind: 'party', gln: party } : null;
}

/** The sides of a shipment and a receipt that are the capturing party's own: a shipment's source, a receipt's destination. */
type SourceOrDestination = { list: 'sourceList' | 'destinationList'; member: 'source' | 'destination' };
const OWN_SIDE: Partial<Record<string, SourceOrDestination>> = {
  ship: { list: 'sourceList', member: 'source' },
  receive: { list: 'destinationList', member: 'destination' },
};
/** Source and destination types naming a party or one of its sites. */
const PARTY_OR_SITE_TYPES = new Set(['owning_party', 'possessing_party', 'location']);

/**
 * Where the event names registered sites and parties as the capturing party's: its read point and
 * business location (sites it records the event at), and the own side of a shipment (its source)
 * or receipt (its destination). The other side names the counterparty, whoever it is; a shipment's
 * destination site is one of the party it names there (as a native toLocationCode is the addressee's).
 */
export function claimsOf(event: EpcisEvent, type: string, publicBaseUrl: string): Claim[] {
  const claims: Claim[] = [];
  for (const field of ['readPoint', 'bizLocation'] as const) {
    const id = idOf(event[field]);
    const name = id ? registeredNameOf(id, publicBaseUrl) : null;
    // a place: a party's URI or PGLN names no site
    if (name?.kind === 'location') claims.push({ name, rule: 'site', at: [field, 'id'] });
  }
  const side = OWN_SIDE[type];
  if (!side) return claims;
  for (const { name, at } of partiesAndSites(event, side, publicBaseUrl)) {
    // a shipment's source site is its fromLocationCode; a receipt's destination has no native field
    claims.push({ name, rule: type === 'ship' && name.kind === 'location' ? 'from' : 'own', at });
  }
  if (type === 'ship') {
    for (const { name, at } of partiesAndSites(event, { list: 'destinationList', member: 'destination' }, publicBaseUrl)) {
      claims.push({ name, rule: 'to', at });
    }
  }
  return claims;
}

/** The registered parties and sites a source or destination list may name, each where it names it. */
function partiesAndSites(event: EpcisEvent, side: SourceOrDestination, publicBaseUrl: string): { name: RegisteredName; at: Pointer }[] {
  return list(event[side.list]).flatMap((entry, index) => {
    const { type: entryType, [side.member]: id } = entry as Record<string, unknown>;
    if (typeof id !== 'string' || !PARTY_OR_SITE_TYPES.has(cbvForms('SDT', 'sdt', String(entryType))[0])) return [];
    const name = registeredNameOf(id, publicBaseUrl);
    return name ? [{ name, at: [side.list, index, side.member] }] : [];
  });
}

/**
 * The native reference document types that are CBV 2.0 business transaction types, by their CBV short names:
 * a native event renders them as those (`desadv`), and a captured entry of such a type is the native document.
 * Every other native type (certificates, test reports, recall notices) renders as `urn:county-trace:doc:<type>`.
 */
export const DOCUMENT_BTT: Readonly<Record<string, string>> = Object.freeze({
  despatch_advice: 'desadv',
  invoice: 'inv',
  purchase_order: 'po',
  receiving_advice: 'recadv',
});
const DOCUMENT_OF_BTT: ReadonlyMap<string, string> = new Map(Object.entries(DOCUMENT_BTT).map(([document, btt]) => [btt, document]));

/** The native reference document type a CBV business transaction type (in any of its forms) is; undefined for others. */
export const documentTypeOfBtt = (type: string): string | undefined => DOCUMENT_OF_BTT.get(cbvForms('BTT', 'btt', type)[0]);

/** bizTransactionList entries as native reference documents (a CBV type of one as that document: desadv a despatch_advice). */
export function referenceDocumentsOf(event: EpcisEvent): { type: string; number: string }[] {
  return list(event.bizTransactionList).map((entry) => {
    const transaction = entry as { type?: string; bizTransaction: string };
    const type = transaction.type ? String(transaction.type) : undefined;
    return {
      type: type === undefined ? 'other' : (documentTypeOfBtt(type) ?? type.replace(/^.*[-:/]/, '')),
      number: transaction.bizTransaction,
    };
  });
}

const SENSOR_METADATA_TIMES = ['time', 'startTime', 'endTime'];

/**
 * The times an event's sensor elements give — when the readings were taken, and the period they
 * cover — each with the field that gives it (the event writer holds them to its clock).
 */
export function sensorTimesOf(event: EpcisEvent): ReadingTime[] {
  return list(event.sensorElementList).flatMap((element, index) => {
    const { sensorMetadata, sensorReport } = (element ?? {}) as { sensorMetadata?: Record<string, unknown>; sensorReport?: unknown };
    const at = `sensorElementList[${index}]`;
    return [
      ...SENSOR_METADATA_TIMES.flatMap((field) => {
        const time = sensorMetadata?.[field];
        return typeof time === 'string'
          ? [{ time, pointer: ['sensorElementList', index, 'sensorMetadata', field], field: `${at}.sensorMetadata.${field}` }]
          : [];
      }),
      ...list(sensorReport).flatMap((report, position) => {
        const time = (report as { time?: unknown } | null)?.time;
        return typeof time === 'string'
          ? [
              {
                time,
                pointer: ['sensorElementList', index, 'sensorReport', position, 'time'],
                field: `${at}.sensorReport[${position}].time`,
              },
            ]
          : [];
      }),
    ];
  });
}
