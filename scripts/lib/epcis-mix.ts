// The EPCIS events the event-writing benchmarks capture: blocks of 100 (50 commissions of raw lots,
// 25 transformations of two of them into a cured lot, 25 packings of a cured lot into a pallet).
import { completeGs1 } from '../../src/codes/gs1.js';

type Json = Record<string, unknown>;

export const COMMISSIONS = 50;
export const TRANSFORMS = 25; // each takes 2 commissioned lots; then one aggregation per new lot
export const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'];
export const RAW_GTIN = completeGs1('0690123400001');
export const CURED_GTIN = completeGs1('0690123400002');
export const GLN = completeGs1('690123400001');

/** 100 EPCIS events: `run` and `block` keep identifiers apart between documents and runs. */
export function epcisBlock(run: number, block: number, time: () => string): Json[] {
  const lot = (gtin: string, number: string) => `https://id.gs1.org/01/${gtin}/10/${number}`;
  const raw = (i: number) => lot(RAW_GTIN, `E${run}-${block}-R${i}`);
  const cured = (j: number) => lot(CURED_GTIN, `E${run}-${block}-C${j}`);
  const sscc = (j: number) =>
    completeGs1(`0690123${String(run).padStart(2, '0')}${String(block).padStart(5, '0')}${String(j).padStart(3, '0')}`);
  const where = { readPoint: { id: `https://id.gs1.org/414/${GLN}` }, bizLocation: { id: `https://id.gs1.org/414/${GLN}` } };
  const common = () => ({ eventTime: time(), eventTimeZoneOffset: '+08:00' });
  const events: Json[] = [];
  for (let i = 0; i < COMMISSIONS; i++) {
    events.push({
      type: 'ObjectEvent',
      ...common(),
      quantityList: [{ epcClass: raw(i), quantity: 100, uom: 'KGM' }],
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      ...where,
    });
  }
  for (let j = 0; j < TRANSFORMS; j++) {
    events.push({
      type: 'TransformationEvent',
      ...common(),
      inputQuantityList: [
        { epcClass: raw(2 * j), quantity: 100, uom: 'KGM' },
        { epcClass: raw(2 * j + 1), quantity: 100, uom: 'KGM' },
      ],
      outputQuantityList: [{ epcClass: cured(j), quantity: 150, uom: 'KGM' }],
      bizStep: 'commissioning',
      disposition: 'active',
      ...where,
    });
  }
  for (let j = 0; j < TRANSFORMS; j++) {
    events.push({
      type: 'AggregationEvent',
      ...common(),
      parentID: `https://id.gs1.org/00/${sscc(j)}`,
      childQuantityList: [{ epcClass: cured(j), quantity: 150, uom: 'KGM' }],
      action: 'ADD',
      bizStep: 'packing',
      disposition: 'in_progress',
      ...where,
    });
  }
  return events;
}
