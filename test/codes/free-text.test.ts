// Free text people write and others read — reasons of holds, recalls and corrections, a recall's
// hazard, complaint texts and notes, descriptions, certificate and report numbers, buyers, labels,
// antenna names — must not hold a control or bidi character: a bidi override (U+202E) shows a
// reason reversed to the regulator or consumer who reads it ("Trojan source"), a C0 or C1 control
// breaks the lines of a page, a CSV export or a log. Every free-text field of every request schema
// refuses them at its own path, naming the code point; text that may run over several lines keeps
// its tabs and line breaks, and Chinese text and emoji (joined by U+200D) are text like any other.
// The names a party gives its own lot attributes and process parameters are held to the rule for names.
import type { z } from 'zod';
import { issueApiKeyBody } from '../../src/auth/schemas.js';
import { admitBody, changeBody } from '../../src/brands/schemas.js';
import { freeTextSchema } from '../../src/codes/names.js';
import { newLocationCode, newLotCode, newPartyCode, newProductCode } from '../../src/codes/service-codes.js';
import { fileComplaintBody, transitionBody } from '../../src/complaints/schemas.js';
import { validateCaptureEvent } from '../../src/epcis/validation/index.js';
import { eventInput } from '../../src/events/schemas.js';
import { createPartyBody } from '../../src/parties/schemas.js';
import { createProductBody } from '../../src/products/schemas.js';
import { closeRecallBody, holdBody, openRecallBody, recallReportBody, releaseBody } from '../../src/recalls/schemas.js';
import { applyBody, rejectBody } from '../../src/registrations/schemas.js';
import { createReadPointBody, genericReadSchema, impinjEventSchema, registerReaderBody } from '../../src/rfid/schemas.js';
import { BIDI_CONTROLS, hex } from '../fixtures/characters.js';
import { registrationBody } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** Refused in every free text: bidi controls and marks, C0 controls (but tab and line breaks), DEL, C1 controls. */
const REFUSED = [
  ...BIDI_CONTROLS,
  '\u200e',
  '\u200f',
  '\u061c',
  '\u0001',
  '\u0007',
  '\u0008',
  '\u000b',
  '\u000c',
  '\u001b',
  '\u001f',
  '\u007f',
  '\u0080',
  '\u0085',
  '\u009f',
];
/** Refused on one line, kept where text may run over several. */
const LINE_BREAKS = ['\n', '\r', '\t', '\r\n'];
// at most 20 characters (UTF-16 code units), as the shortest field (a tested item's unit) takes
const ORDINARY = ['瘦肉精复检阳性，批次封存', '“老字号”·腊肉【特级】！', 'µg/kg ≤ 0.5 — ok', '🐖🥓 👍🏽 👨‍👩‍👧', '奉节\u3000腊肉 naïve'];

const lotCode = newLotCode();
const partyCode = newPartyCode('processor', '500236');
const eventTime = '2026-03-01T08:00:00+08:00';
const uuid = '01890a5d-ac96-774b-bcce-b302099a8057';

type Door = { schema: z.ZodType; base: object; path: (string | number)[]; lines: 'one' | 'many' };
const one = (schema: z.ZodType, base: object, ...path: (string | number)[]): Door => ({ schema, base, path, lines: 'one' });
const many = (schema: z.ZodType, base: object, ...path: (string | number)[]): Door => ({ schema, base, path, lines: 'many' });

const commission = { type: 'commission', eventTime, lots: [{ productCode: newProductCode(), quantity: 1, attributes: {} }] };
const inspect = {
  type: 'inspect',
  eventTime,
  lotCodes: [lotCode],
  inspection: { kind: 'self', result: 'pass', items: [{ name: '瘦肉精', result: 'pass' }] },
};
const party = { kind: 'processor', name: '奉节腊肉厂', regionCode: '500236', contact: {}, licences: {} };
const readPoint = {
  partyCode,
  locationCode: newLocationCode(),
  name: '冷库 1 号门',
  role: 'observe',
  antennas: [{ readerId: uuid, antenna: 'Portal1' }],
};
const impinj = {
  timestamp: '2026-03-01T08:00:00.000+08:00',
  eventType: 'tagInventory',
  tagInventoryEvent: { epc: Buffer.from('E2806894000040017790E471', 'hex').toString('base64url'), antennaName: 'Portal1' },
};
const genericRead = { epc: 'E2806894000040017790E471', time: '2026-03-01T08:00:00+08:00', antenna: 'Portal1' };

const DOORS: Record<string, Door> = {
  'API key label': one(issueApiKeyBody, { role: 'admin' }, 'label'),
  "party's contact person": one(createPartyBody, party, 'contact', 'person'),
  "party's contact phone": one(createPartyBody, party, 'contact', 'phone'),
  "party's farm code": one(createPartyBody, party, 'licences', 'farmCode'),
  "party's animal epidemic prevention certificate": one(createPartyBody, party, 'licences', 'animalEpidemicPreventionCertificate'),
  "party's business licences (one of several)": one(
    createPartyBody,
    { ...party, licences: { businessLicence: ['91500236MA5U0001X1', ''] } },
    'licences',
    'businessLicence',
    1,
  ),
  "application's licence number": one(
    applyBody,
    registrationBody({ licences: [{ type: 'business_licence', number: 'x', validUntil: '2027-12-31' }] }),
    'licences',
    0,
    'number',
  ),
  "application's certification number": one(
    applyBody,
    registrationBody({ certifications: [{ type: 'green_food', number: 'x', validUntil: '2027-12-31' }] }),
    'certifications',
    0,
    'number',
  ),
  "application's rejection reason": many(rejectBody, {}, 'reason'),
  "product's description": many(createProductBody, { partyCode, name: '腊肉', category: 'cured_meat', unit: 'kg' }, 'description'),
  "brand admission's reason": many(admitBody, { partyCode, tier: 'authorized', validFrom: '2026-01-01' }, 'reason'),
  "brand authorization change's reason": many(changeBody, { state: 'suspended' }, 'reason'),
  "complaint's text": many(fileComplaintBody, { code: 'J5002361234', category: 'quality' }, 'text'),
  'complaint note': many(transitionBody, { status: 'investigating' }, 'note'),
  "hold's reason": many(holdBody, { lotCodes: [lotCode] }, 'reason'),
  "hold's pending test": one(holdBody, { lotCodes: [lotCode], reason: '待检' }, 'pendingTest'),
  "release's reason": many(releaseBody, { lotCodes: [lotCode] }, 'reason'),
  "recall's reason": many(openRecallBody, { lotCodes: [lotCode], level: 1, hazard: '瘦肉精' }, 'reason'),
  "recall's hazard": many(openRecallBody, { lotCodes: [lotCode], level: 1, reason: '瘦肉精' }, 'hazard'),
  "recall report's note": many(recallReportBody, {}, 'note'),
  "recall's override reason": many(closeRecallBody, {}, 'overrideReason'),
  "event's reference document number": one(
    eventInput,
    { ...commission, referenceDocuments: [{ type: 'invoice' }] },
    'referenceDocuments',
    0,
    'number',
  ),
  "lot's quarantine certificate": one(eventInput, commission, 'lots', 0, 'attributes', 'quarantineCertificate'),
  "lot's meat quality certificate": one(eventInput, commission, 'lots', 0, 'attributes', 'meatQualityCertificate'),
  "lot's commitment certificate": one(eventInput, commission, 'lots', 0, 'attributes', 'commitmentCertificate'),
  "lot's own attribute": many(eventInput, commission, 'lots', 0, 'attributes', 'breed'),
  "lot's own attribute list": many(
    eventInput,
    { ...commission, lots: [{ ...commission.lots[0], attributes: { feeds: ['玉米', ''] } }] },
    'lots',
    0,
    'attributes',
    'feeds',
    1,
  ),
  "transformation's parameter": many(
    eventInput,
    {
      type: 'transform',
      eventTime,
      inputs: [{ lotCode, quantity: 1 }],
      outputs: commission.lots,
      process: { kind: 'curing', parameters: {} },
    },
    'process',
    'parameters',
    'note',
  ),
  "inspection's report number": one(eventInput, inspect, 'inspection', 'reportNumber'),
  "tested item's value": one(eventInput, inspect, 'inspection', 'items', 0, 'value'),
  "tested item's unit": one(eventInput, inspect, 'inspection', 'items', 0, 'unit'),
  "tested item's limit": one(eventInput, inspect, 'inspection', 'items', 0, 'limit'),
  "destruction's reason": many(eventInput, { type: 'destroy', eventTime, lines: [{ lotCode }] }, 'reason'),
  "sale's buyer": one(eventInput, { type: 'sell', eventTime, lines: [{ lotCode }] }, 'buyer'),
  "correction's reason": many(eventInput, { type: 'correction', eventTime, correctsEventId: uuid }, 'reason'),
  "RFID reader's serial": one(registerReaderBody, { partyCode, hostName: 'FX9600-1' }, 'serial'),
  "RFID read point's antenna name": one(createReadPointBody, readPoint, 'antennas', 0, 'antenna'),
  "Impinj read's antenna name": one(impinjEventSchema, impinj, 'tagInventoryEvent', 'antennaName'),
  "generic read's antenna name": one(genericReadSchema, genericRead, 'antenna'),
};

/** A copy of `base` with `value` at `path`. */
function withValue(base: object, path: (string | number)[], value: string): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) {
    at[key] ??= typeof path[path.indexOf(key) + 1] === 'number' ? [] : {};
    at = at[key] as Record<string | number, unknown>;
  }
  at[path[path.length - 1]] = value;
  return copy;
}

t.test('every free-text field refuses control and bidi characters at its path, naming the code point', async (t) => {
  for (const [door, { schema, base, path, lines }] of Object.entries(DOORS)) {
    t.test(door, async (t) => {
      const text = (inside: string) => `批次${inside}复检`;
      for (const character of [...REFUSED, ...(lines === 'one' ? LINE_BREAKS : [])]) {
        const parsed = schema.safeParse(withValue(base, path, text(character)));
        t.notOk(parsed.success, `${hex(character)} refused`);
        t.match(
          parsed.error?.issues,
          [{ path, message: new RegExp(`${hex(character).replace('+', '\\+')} at character 3\\b`) }],
          `${hex(character)} at /${path.join('/')}, named`,
        );
      }
      for (const ordinary of [...ORDINARY, ...(lines === 'many' ? ['第一行\n第二行\r\n\t第三行'] : [])]) {
        const parsed = schema.safeParse(withValue(base, path, ordinary));
        t.ok(parsed.success, `${JSON.stringify(ordinary)} taken${parsed.success ? '' : `: ${JSON.stringify(parsed.error.issues)}`}`);
      }
    });
  }
});

t.test(
  "the names of a lot's own attributes and of a transformation's parameters are held to the rule for names, at the name's path",
  async (t) => {
    // shown as labels beside their values on lot and event details: one line, nothing that reorders
    // or hides, as a name (zero-width characters and separators refused too)
    const RECORDS: Record<string, (name: string) => { input: object; path: (string | number)[] }> = {
      "lot's own attribute": (name) => ({
        input: { ...commission, lots: [{ ...commission.lots[0], attributes: { [name]: '长白猪' } }] },
        path: ['lots', 0, 'attributes', name],
      }),
      "transformation's parameter": (name) => ({
        input: {
          type: 'transform',
          eventTime,
          inputs: [{ lotCode, quantity: 1 }],
          outputs: commission.lots,
          process: { kind: 'curing', parameters: { [name]: 12 } },
        },
        path: ['process', 'parameters', name],
      }),
    };
    for (const [record, given] of Object.entries(RECORDS)) {
      t.test(record, async (t) => {
        for (const character of [...REFUSED, ...LINE_BREAKS, '\u200b', '\u200d', '\u00ad', '\ufeff', '\u2028']) {
          const { input, path } = given(`品种${character}`);
          const parsed = eventInput.safeParse(input);
          t.notOk(parsed.success, `${hex(character)} refused`);
          t.match(
            parsed.error?.issues,
            [{ path, message: new RegExp(`${hex(character).replace('+', '\\+')} at character 3\\b`) }],
            `${hex(character)} at the name's path, named`,
          );
        }
        for (const name of ['品种', 'breed', 'feed_ratio (%)', '阿卜杜·热合曼', '奉节\u3000腊肉']) {
          const parsed = eventInput.safeParse(given(name).input);
          t.ok(parsed.success, `${JSON.stringify(name)} taken${parsed.success ? '' : `: ${JSON.stringify(parsed.error.issues)}`}`);
        }
      });
    }
  },
);

t.test('an EPCIS inspection is held to the same rule; the URIs an event names are URIs, no free text', async (t) => {
  const event = (fields: object) => ({
    type: 'ObjectEvent',
    eventTime,
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    bizStep: 'inspecting',
    epcList: ['https://id.gs1.org/01/06901234000030/21/1'],
    ...fields,
  });
  const inspection = { kind: 'self', result: 'pass', reportNumber: 'R-2026-1', items: [{ name: '瘦肉精', result: 'pass', limit: '0' }] };
  t.match(validateCaptureEvent(event({ 'cntrace:inspection': inspection })), { ok: true }, 'an inspection with ordinary text');
  const refused = [
    ['reportNumber', '\u202e', { ...inspection, reportNumber: 'R-2026\u202e-1' }],
    ['items/0/limit', '\u0007', { ...inspection, items: [{ ...inspection.items[0], limit: '0\u0007' }] }],
  ] as const;
  for (const [field, character, given] of refused) {
    t.match(
      validateCaptureEvent(event({ 'cntrace:inspection': given })),
      { ok: false, errors: [{ pointer: `/cntrace:inspection/${field}`, message: hex(character) }] },
      `${hex(character)} at cntrace:inspection/${field}, named`,
    );
  }
  // an error declaration's reason and a business transaction are URIs (or CBV names): no control or bidi character passes for one
  const declared = validateCaptureEvent(
    event({ errorDeclaration: { declarationTime: eventTime, reason: 'urn:example:reason:\u202eatad_tcerroc' } }),
  );
  t.match(declared, { ok: false, errors: [{ pointer: '/errorDeclaration/reason' }] }, 'a reason with U+202E is no URI');
  const transaction = validateCaptureEvent(event({ bizTransactionList: [{ type: 'po', bizTransaction: 'urn:example:po:\u0007' }] }));
  t.match(transaction, { ok: false, errors: [{ pointer: '/bizTransactionList/0/bizTransaction' }] }, 'a business transaction with U+0007');
});

t.test('the building block: one line or several, trimmed, bounded', async (t) => {
  const line = freeTextSchema(20);
  const lines = freeTextSchema(20, { lines: 'many' });
  t.equal(line.parse('  奉节腊肉  '), '奉节腊肉', 'trimmed');
  t.equal(lines.parse('第一行\n\t第二行\n'), '第一行\n\t第二行', 'tabs and line breaks kept inside, trimmed around');
  t.notOk(line.safeParse('第一行\n第二行').success, 'one line: no line break');
  t.notOk(line.safeParse('第一行\u2028第二行').success, 'one line: no line separator either');
  t.notOk(line.safeParse('x'.repeat(21)).success, 'at most its length');
  // the character counted as people count them: an emoji before it is one character, not two
  t.match(lines.safeParse('🐖a\u202eb').error?.issues, [{ message: /U\+202E at character 3\b/ }], 'counted in characters');
  t.ok(lines.safeParse('').success, 'empty is the caller’s to refuse');
  // a browser submits a textarea's line breaks as CRLF: each is one break, as the textarea's maxlength counts it
  t.equal(lines.parse('第一行\r\n第二行\r\n'), '第一行\n第二行', 'CRLF read as LF');
  t.equal(lines.parse('a\rb'), 'a\nb', 'a lone CR too');
  t.ok(lines.safeParse(`${'x'.repeat(9)}\r\n${'y'.repeat(10)}`).success, 'twenty characters with a CRLF fit twenty');
  t.notOk(line.safeParse('a\r\nb').success, 'one line: no CRLF either');
});
