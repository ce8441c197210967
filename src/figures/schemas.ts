import { z } from 'zod';
import { regionFilter } from '../codes/regions.js';
import { PARTY_KINDS } from '../codes/service-codes.js';
import { dateSchema } from '../codes/timestamp.js';
import { csvDialectQuery } from '../http/csv.js';
import { queryInteger } from '../http/query.js';
import { TRANSFORMATION_KINDS } from '../lots/ledger.js';
import { massBalanceSchema } from '../lots/schemas.js';
import { KDE_SORTS, RECALL_PHASES } from '../trace/kde.js';
import { NAMED_LOTS_PER_FAILURE } from './repository.js';

/** An empty query field (an HTML form's blank input) counts as not given. */
const blankAsUnset = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema);

const periodFields = {
  from: blankAsUnset(dateSchema.optional().describe('first day of the period (China time), e.g. 2026-01-01')),
  to: blankAsUnset(dateSchema.optional().describe('last day of the period, included')),
  region: regionFilter,
};
/** A query over a period of days and a region, with `more` fields of its own. */
export const periodQuery = <T extends z.ZodRawShape>(more: T) =>
  z.object({ ...periodFields, ...more }).refine(
    (query) => {
      const { from, to } = query as { from?: string; to?: string };
      return !from || !to || from <= to;
    },
    { error: 'from must not be after to', path: ['to'] },
  );

const yieldSchema = z.object({
  kind: z.enum(TRANSFORMATION_KINDS),
  unit: z.string(),
  input: z.number(),
  output: z.number(),
  yield: z.number().describe('output ÷ input'),
  allowance: z.object({ min: z.number(), max: z.number() }).describe('the yields allowed for this kind of transformation'),
  gap: z.number().describe('output beyond the allowance (positive) or short of it (negative); 0 within it'),
  eventId: z.string(),
  eventTime: z.date(),
  partyCode: z.string(),
});

export const balanceSheetSchema = z
  .object({
    lotCode: z.string(),
    partyCode: z.string(),
    productCode: z.string().nullable(),
    quantity: z.number(),
    unit: z.string(),
    status: z.string(),
    massBalance: massBalanceSchema,
    madeBy: yieldSchema
      .extend({ share: z.number().describe("this lot's share of the transformation's output") })
      .nullable()
      .describe(
        "the transformation that made the lot; null for a commissioned lot, one whose units cannot be weighed, or to an operator other than its maker (the maker's business)",
      ),
    usedIn: z
      .array(
        z.object({
          eventId: z.string(),
          eventTime: z.date(),
          yield: yieldSchema.nullable().describe('null when inputs and outputs are not booked in one unit'),
        }),
      )
      .describe('the transformations that took the lot: to an operator only its own'),
    gap: z
      .number()
      .describe(
        "the ledger's unaccounted quantity plus the lot's share of the yield gap of the transformation in madeBy; 0 when the books close",
      ),
    closes: z.boolean(),
  })
  .meta({ id: 'BalanceSheet' });

export const gapsQuery = z.object({ region: regionFilter, limit: queryInteger(1, 1000).prefault(100) });
export const gapsSchema = z.object({
  items: z.array(
    z.object({
      lotCode: z.string(),
      partyCode: z.string(),
      productCode: z.string().nullable(),
      unit: z.string(),
      status: z.string(),
      gap: z.number(),
      unaccounted: z.number().describe('what the ledger leaves unaccounted'),
      yieldGap: z.number().describe("the lot's share of its transformation's gap against the yield allowance"),
      madeByEventId: z.string().nullable(),
    }),
  ),
});

export const anomaliesQuery = z.object({
  region: regionFilter,
  shipmentDays: queryInteger(0, 365).prefault(3).describe('a shipment open longer than this many days is listed'),
  limit: queryInteger(1, 1000).prefault(100).describe('at most this many entries in each list'),
  offset: queryInteger(0).prefault(0).describe('entries of each list passed over'),
});
export const anomaliesSchema = z
  .object({
    unreceivedShipments: z.array(
      z.object({
        shipmentId: z.string(),
        fromPartyCode: z.string(),
        toPartyCode: z.string(),
        shippedAt: z.date(),
        daysOpen: z.number().int(),
        lines: z.array(
          z.object({
            lotCode: z.string(),
            quantity: z.number(),
            receivedQuantity: z.number().nullable().describe('what of the line a partial receipt booked in; null while it is on its way'),
          }),
        ),
      }),
    ),
    expiredLots: z.array(
      z.object({
        lotCode: z.string(),
        partyCode: z.string(),
        productCode: z.string().nullable(),
        expiryDate: z.string(),
        status: z.string(),
        onHand: z.number(),
      }),
    ),
    failedInspectionsWithoutHold: z
      .array(
        z.object({
          eventId: z.string(),
          eventTime: z.date(),
          inspectedBy: z.string(),
          kind: z.string(),
          reportNumber: z.string().nullable(),
          lotCode: z.string().describe('the lot tested'),
          partyCode: z.string().describe("the tested lot's owner"),
          status: z.string().describe("the tested lot's status now"),
          onHold: z.boolean().describe('whether the tested lot is on hold'),
          inCirculation: z
            .object({
              count: z.number().int().describe('how many lots in circulation the failure reaches'),
              lotCodes: z.array(z.string()).describe(`the first ${NAMED_LOTS_PER_FAILURE} of them, in code order`),
            })
            .describe(
              'the lots in circulation (active or on the road, neither held, recalled, destroyed nor voided) the failure reaches: the tested lot and the lots downstream of it (made of it, or the lots made of those, and so on) wherever they are owned; holding them takes the failure off the list',
            ),
        }),
      )
      .describe(
        'standing failed tests (unless a later standing pass of the same lot and kind of test, recorded no earlier, by the party that failed it or by a lab or regulator, superseded it) of lots owned in the region, while the tested lot or a lot downstream of it is in circulation and not on hold: a farm lot slaughtered since is listed while its carcass lots are on sale; one entry per failed lot of a test, the earliest test first',
      ),
    suspiciousCodes: z.array(
      z.object({
        lotCode: z.string(),
        partyCode: z.string(),
        status: z.string(),
        quantity: z.number(),
        unit: z.string(),
        codes: z.number().int(),
        reason: z.enum(['lot_consumed', 'beyond_quantity']),
      }),
    ),
    salesAfterExpiry: z
      .array(
        z.object({
          eventId: z.string(),
          eventTime: z.date(),
          soldBy: z.string().describe('the party that recorded the sale'),
          lotCode: z.string(),
          partyCode: z.string().describe("the lot's owner"),
          productCode: z.string().nullable(),
          expiryDate: z.string(),
          quantity: z.number().describe('what the sale sold of the lot'),
          unit: z.string(),
          status: z.string().describe("the lot's status now"),
        }),
      )
      .describe(
        "standing sales of a lot on a day (China time) after its expiry date, whatever became of the lot since (sold out, it leaves expiredLots but not this list); one entry per sale of a lot, a sold case's by the lots in it; by a seller or of a lot owned in the region",
      ),
    counts: z
      .object({
        unreceivedShipments: z.number().int(),
        expiredLots: z.number().int(),
        failedInspectionsWithoutHold: z.number().int(),
        suspiciousCodes: z.number().int(),
        salesAfterExpiry: z.number().int(),
      })
      .describe('how many entries each list holds in all, past the page (limit and offset) it shows'),
  })
  .meta({ id: 'Anomalies' });

const rateFigure = z.object({
  total: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  rate: z
    .number()
    .nullable()
    .describe(
      'passed ÷ total to four decimal places, rounded down (1 only when every test passed) and at least 0.0001 when any did; null when nothing was tested',
    ),
  meetsTarget: z.boolean().describe('passed ÷ total, unrounded, is at least the target; false when nothing was tested'),
});
/** Whose region a pass rate's `region` is: the tested lot's owner's, or that of the party that recorded the test. */
export const PASS_RATE_REGION_PARTIES = ['owner', 'tester'] as const;
export type PassRateRegionParty = (typeof PASS_RATE_REGION_PARTIES)[number];
/** Whose region a pass rate's region filter is: the API's and the dashboard's pass-rate panel's choice. */
export const passRateRegionOf = z
  .enum(PASS_RATE_REGION_PARTIES)
  .default('owner')
  .describe(
    "whose region `region` is: owner, the tested lot's owner (tests of the region's produce, whoever made them); tester, the party that recorded the test — a third_party test's lab, a sampling's regulator, a self-test's owner or holder, a rapid test's recorder — so a bureau reads its own sampling programme, whoever owns the lots it sampled",
  );
export const passRatesQuery = periodQuery({
  region: regionFilter.describe(
    'GB/T 2260 region (2 digits for a province, 4 for a city, 6 for a county, e.g. 500236) of the party regionOf names; empty or blank: every region',
  ),
  regionOf: passRateRegionOf,
});
export const passRatesSchema = z
  .object({
    target: z.number(),
    overall: rateFigure,
    byKind: z.array(rateFigure.extend({ kind: z.string().describe('self, rapid, sampling or third_party') })),
    byItem: z.array(rateFigure.extend({ item: z.string() })),
  })
  .meta({ id: 'PassRates' });

export const TRACEABILITY_DIMENSIONS = ['enterprise', 'product', 'partyKind', 'region', 'township'] as const;
export type TraceabilityDimension = (typeof TRACEABILITY_DIMENSIONS)[number];
export const traceabilityQuery = periodQuery({
  by: z
    .enum(TRACEABILITY_DIMENSIONS)
    .default('enterprise')
    .describe(
      "how to group the lots: by owner, product, kind of owner, region (county code) or township (the 乡镇/街道 the owner's address names, by its 9-digit code; the county code when the address names none)",
    ),
});
const coverageFigure = z.object({
  lots: z.number().int(),
  tracedLots: z.number().int(),
  lotRate: z
    .number()
    .nullable()
    .describe('tracedLots ÷ lots to four decimal places, rounded down: 1 only when every lot is traced, 0 only when none is'),
  items: z.number().int().describe('issued item codes of the lots'),
  tracedItems: z.number().int(),
  itemRate: z.number().nullable().describe('tracedItems ÷ items to four decimal places, rounded down: 0 only when none is traced'),
});
export const traceabilitySchema = z
  .object({
    target: z.number(),
    by: z.enum(TRACEABILITY_DIMENSIONS),
    overall: coverageFigure,
    groups: z.array(
      coverageFigure.extend({
        key: z.string().describe("by product: '' for lots of no registered product (an EPCIS lot of an unknown GTIN)"),
        name: z
          .string()
          .nullable()
          .describe(
            "the enterprise's or product's name, the region's or township's GB/T 2260 name, or the kind of party's (种养殖, 屠宰, …)",
          ),
      }),
    ),
  })
  .meta({ id: 'Traceability' });

const activityFigure = z.object({ registered: z.number().int(), active: z.number().int(), rate: z.number().nullable() });
const activityGroup = z.object({
  all: activityFigure,
  greenFood: activityFigure,
  geographicalIndication: activityFigure,
  organic: activityFigure,
});
export const activitySchema = z
  .object({
    asOf: dateSchema.describe(
      "the day the figures are as of: the period's last day, or today if it has not ended or none is given; enterprises registered by then, certifications held and GI brand admissions in force on it",
    ),
    overall: activityGroup,
    byKind: z.array(
      activityGroup.extend({ kind: z.enum(PARTY_KINDS), name: z.string().describe('the kind of party in Chinese (种养殖, 屠宰, …)') }),
    ),
    byRegion: z.array(
      activityGroup.extend({
        regionCode: z.string(),
        name: z.string().nullable().describe("the region's GB/T 2260 name; null for a code no longer in the list"),
      }),
    ),
  })
  .meta({ id: 'Activity' });

export const exportQuery = periodQuery({
  sort: z.enum(KDE_SORTS).default('time'),
  format: z
    .enum(['json', 'csv'])
    .optional()
    .describe('csv streams every row (also with Accept: text/csv); json pages with limit and offset'),
  dialect: csvDialectQuery,
  limit: queryInteger(1, 10_000).prefault(1000),
  offset: queryInteger(0).prefault(0),
});
export const kdeRowSchema = z
  .object({
    eventTime: z.string(),
    eventType: z.string(),
    eventId: z.string(),
    role: z.string(),
    lotCode: z.string(),
    lotNumber: z.string().nullable(),
    productCode: z.string().nullable(),
    product: z.string().nullable(),
    quantity: z.number().nullable(),
    unit: z.string().nullable(),
    fromParty: z.string().nullable(),
    fromPartyName: z.string().nullable(),
    fromLocation: z.string().nullable(),
    toParty: z.string().nullable(),
    toPartyName: z.string().nullable(),
    toLocation: z.string().nullable(),
    referenceDocuments: z.string(),
    certificates: z.string(),
    testReports: z.string(),
    localTime: z
      .string()
      .describe('eventTime in China (Asia/Shanghai) as YYYY-MM-DD HH:mm:ss, which a spreadsheet reads as a date (CSV column local_time)'),
    testKind: z.string().nullable().describe("an inspection's kind: self, rapid, sampling, third_party (test_kind)"),
    testResult: z.string().nullable().describe("an inspection's result: pass or fail (test_result)"),
    failedItems: z.array(z.string()).describe('the names of the items an inspection failed (failed_items, joined with "; ")'),
    testedBy: z
      .string()
      .nullable()
      .describe('the party that recorded an inspection: a lab, a regulator (a sampling), the owner or holder (tested_by)'),
    testLab: z.string().nullable().describe('the lab an inspection names, as a sampling names the lab that tested it (test_lab)'),
    reason: z
      .string()
      .nullable()
      .describe(
        "why: a hold's, a release's, a destruction's, a recall's or a correction's reason; a recall closed over holders that had not acknowledged, the override's reason (reason)",
      ),
    recallId: z.string().nullable().describe('a recall event, or a return or destruction reported to a recall: the recall (recall_id)'),
    recallPhase: z
      .enum(RECALL_PHASES)
      .nullable()
      .describe('a recall event: open, close, or override_close (closed by a regulator before every holder acknowledged) (recall_phase)'),
    correctedBy: z
      .string()
      .nullable()
      .describe('the eventID of the correction that declared this event in error; the event stays listed (corrected_by)'),
    corrects: z
      .string()
      .nullable()
      .describe(
        "a correction: the eventID of the event it declared in error, listed on that event's lot lines without quantities (corrects)",
      ),
  })
  .describe('Fields after testReports came later, as the CSV columns after event_id: the first columns keep their order.')
  .meta({ id: 'KeyDataElements' });
