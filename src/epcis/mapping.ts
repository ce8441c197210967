// EPCIS 2.0 events ⇄ the native event model. Pure: identifiers are resolved by the caller.
import type { ReadingTime } from '../events/writer/index.js';
import { canonicalIdentifier } from '../gs1/canonical.js';

export type EpcisEvent = Record<string, unknown>;
export type EpcisType = 'ObjectEvent' | 'AggregationEvent' | 'TransformationEvent' | 'TransactionEvent' | 'AssociationEvent';
export const EPCIS_TYPES: EpcisType[] = ['ObjectEvent', 'AggregationEvent', 'TransformationEvent', 'TransactionEvent', 'AssociationEvent'];

export type Role = 'subject' | 'input' | 'output' | 'parent' | 'child';
/** One identifier an event names, in canonical form, with its role and (for classes) quantity. */
export type Named = { id: string; role: Role; isClass: boolean; quantity: number | null; uom: string | null };

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

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const instances = (value: unknown, role: Role): Named[] =>
  list(value).map((epc) => ({ id: canonicalIdentifier(String(epc)), role, isClass: false, quantity: null, uom: null }));
const classes = (value: unknown, role: Role): Named[] =>
  list(value).map((entry) => {
    const element = entry as { epcClass: string; quantity?: number; uom?: string };
    return { id: canonicalIdentifier(element.epcClass), role, isClass: true, quantity: element.quantity ?? null, uom: element.uom ?? null };
  });

/** Every identifier the event names, by role (the EPCIS "what" dimension). */
export function namedIdentifiers(event: EpcisEvent): Named[] {
  switch (event.type as EpcisType) {
    case 'ObjectEvent':
      return [...instances(event.epcList, 'subject'), ...classes(event.quantityList, 'subject')];
    case 'TransactionEvent':
      return [
        ...(event.parentID ? instances([event.parentID], 'parent') : []),
        ...instances(event.epcList, 'subject'),
        ...classes(event.quantityList, 'subject'),
      ];
    case 'AggregationEvent':
    case 'AssociationEvent':
      return [
        ...(event.parentID ? instances([event.parentID], 'parent') : []),
        ...instances(event.childEPCs, 'child'),
        ...classes(event.childQuantityList, 'child'),
      ];
    case 'TransformationEvent':
      return [
        ...instances(event.inputEPCList, 'input'),
        ...classes(event.inputQuantityList, 'input'),
        ...instances(event.outputEPCList, 'output'),
        ...classes(event.outputQuantityList, 'output'),
      ];
    default:
      return [];
  }
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
    default: {
      if (action === 'DELETE') return 'destroy';
      const step = event.bizStep ? shortVocabulary('bizStep', String(event.bizStep)) : '';
      if (BY_BIZ_STEP[step]) return BY_BIZ_STEP[step];
      return action === 'ADD' ? 'commission' : 'observe';
    }
  }
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

/** bizTransactionList entries as native reference documents. */
export function referenceDocumentsOf(event: EpcisEvent): { type: string; number: string }[] {
  return list(event.bizTransactionList).map((entry) => {
    const transaction = entry as { type?: string; bizTransaction: string };
    return { type: transaction.type ? String(transaction.type).replace(/^.*[-:/]/, '') : 'other', number: transaction.bizTransaction };
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
