import { z } from 'zod';
import { isValidScLicence } from '../codes/china.js';
import { isValidGln } from '../codes/gs1.js';
import { addressSchema, freeTextSchema, nameSchema, refuseControlsInLine } from '../codes/names.js';
import { isKnownRegionCode, regionFilter } from '../codes/regions.js';
import { PARTY_KINDS } from '../codes/service-codes.js';
import { isValidUscc } from '../codes/uscc.js';
import { queryInteger } from '../http/query.js';

export const regionCodeSchema = z
  .string()
  .refine(isKnownRegionCode, { error: 'must be a 6-digit administrative region code listed in GB/T 2260, e.g. 500236' });
export const glnSchema = z.string().refine(isValidGln, { error: 'must be a 13-digit GLN with a valid check digit' });

export const partyKindSchema = z.enum(PARTY_KINDS);

/**
 * One licence's number, or the numbers of several licences of one type (at most 10, each once): free
 * text on one line, checked beside the union so that a refusal names the character and its place.
 */
const oneOrMany = (number: z.ZodType<string>) =>
  z
    .union([
      number,
      z
        .array(number)
        .min(1)
        .max(10)
        .refine((numbers) => new Set(numbers).size === numbers.length, { error: 'lists a licence twice' }),
    ])
    .check(refuseControlsInLine);
const licenceNumber = z.string().trim().max(64);

export const createPartyBody = z.object({
  kind: partyKindSchema,
  name: nameSchema(200),
  uscc: z
    .string()
    .refine(isValidUscc, {
      error: 'must be an 18-character 统一社会信用代码: a 6-digit region code as characters 3–8 and a valid GB 32100 check character',
    })
    .optional(),
  regionCode: regionCodeSchema,
  address: addressSchema.optional(),
  contact: z
    .object({ person: freeTextSchema(100).optional(), phone: freeTextSchema(40).optional(), email: z.string().email().max(254).optional() })
    .optional(),
  licences: z
    .object({
      scLicence: oneOrMany(
        z.string().refine(isValidScLicence, {
          error: 'must be an SC food production licence: "SC" + 14 digits, the first 1 (food) or 2 (food additive)',
        }),
      ).optional(),
      animalEpidemicPreventionCertificate: oneOrMany(licenceNumber).optional(),
      farmCode: oneOrMany(licenceNumber).optional(),
      businessLicence: oneOrMany(licenceNumber).optional(),
    })
    .optional()
    .describe('each a number, or a list of the numbers of several licences of that type'),
  gln: glnSchema.optional(),
  gs1CompanyPrefix: z
    .string()
    .regex(/^\d{6,12}$/, { error: 'must be a GS1 company prefix: 6 to 12 digits' })
    .optional()
    .describe(
      "lets EPCIS render this party's identifiers as EPC URNs; no other party's prefix may equal it, start it or start with it, and the party's products' GTINs must be under it",
    ),
});
export type CreatePartyInput = z.infer<typeof createPartyBody>;

export const partySchema = z
  .object({
    code: z.string().describe('unified entity code issued by this service'),
    kind: partyKindSchema,
    name: z.string(),
    uscc: z.string().nullable(),
    regionCode: z.string(),
    address: z.string().nullable(),
    contact: z.object({ person: z.string().optional(), phone: z.string().optional(), email: z.string().optional() }),
    licences: z
      .record(z.string(), z.union([z.string(), z.array(z.string())]))
      .describe('by type: the number of the one licence of that type, or the numbers of several'),
    gln: z.string().nullable(),
    gs1CompanyPrefix: z.string().nullable(),
    createdAt: z.date(),
    details: z
      .enum(['full', 'public'])
      .describe(
        "public: only the party's public identity is shown (its address, contacts and licences are for regulators and trading partners)",
      ),
  })
  .meta({ id: 'Party' });
export type Party = z.infer<typeof partySchema>;

export const listPartiesQuery = z.object({
  kind: partyKindSchema.optional(),
  regionCode: regionFilter,
  limit: queryInteger(1, 1000).prefault(100),
  offset: queryInteger(0).prefault(0),
});

export const prefixConflictsQuery = z.object({
  limit: queryInteger(1, 1000).prefault(100).describe('at most this many entries in each list'),
  offset: queryInteger(0).prefault(0).describe('entries of each list passed over'),
});

export const prefixConflictsSchema = z
  .object({
    overlappingPrefixes: z
      .array(z.object({ partyCode: z.string(), prefix: z.string(), otherPartyCode: z.string(), otherPrefix: z.string() }))
      .describe(
        'pairs of parties whose GS1 company prefixes are equal or one starts the other; each pair once, the lower party code first',
      ),
    gtinsUnderAnotherPartysPrefix: z
      .array(
        z.object({
          productCode: z.string(),
          gtin: z.string().describe('GTIN-14'),
          partyCode: z.string().describe('the party that registered the product'),
          prefix: z.string(),
          prefixPartyCode: z.string().describe('the party the company prefix is registered to'),
        }),
      )
      .describe('products whose GTIN carries a company prefix registered to another party'),
    glnsUnderAnotherPartysPrefix: z
      .array(
        z.object({
          gln: z.string(),
          partyCode: z.string().describe('the party whose GLN it is, as its own or as the GLN of one of its sites'),
          locationCode: z.string().nullable().describe("the site the GLN names; null for the party's own GLN"),
          prefix: z.string(),
          prefixPartyCode: z.string().describe('the party the company prefix is registered to'),
        }),
      )
      .describe("parties' own GLNs and sites' GLNs under a company prefix registered to another party"),
    locationGlnsOfAnotherParty: z
      .array(
        z.object({
          gln: z.string(),
          locationCode: z.string(),
          partyCode: z.string().describe('the party of the site'),
          glnPartyCode: z.string().describe('the party whose own GLN it is'),
        }),
      )
      .describe("sites named by another party's own GLN"),
    lotsUnderAnotherPartysGtin: z
      .array(
        z.object({
          lotCode: z.string(),
          partyCode: z.string().describe('the party that captured the lot'),
          gtin: z.string().describe('GTIN-14 of the Digital Link the lot was captured under'),
          gtinPartyCode: z.string().describe('the party that owns the GTIN: by its product, else by its company prefix'),
          productCode: z.string().nullable().describe("the owner's product registered under the GTIN; null when owned by prefix"),
          prefix: z.string().nullable().describe('the company prefix the GTIN carries, when owned by it; null when owned by a product'),
        }),
      )
      .describe('lots captured (EPCIS) under a GTIN that another party owns; a lot once per GTIN'),
  })
  .meta({ id: 'PrefixConflicts' });
export type PrefixConflicts = z.infer<typeof prefixConflictsSchema>;
