import { z } from 'zod';
import { EPC_SCHEMES } from '../gs1/epc-binary.js';
import { queryInteger } from '../http/query.js';

export const tagCheckQuery = z.object({
  filter: queryInteger(0, 7).optional().describe('filter value for a pure identity or Digital Link (default 0, "all others")'),
  companyPrefixLength: queryInteger(6, 12)
    .optional()
    .describe('GS1 company prefix length of a Digital Link, when no registered party has its prefix'),
});

const knownAsSchema = z
  .object({
    kind: z
      .enum(['item', 'pack', 'lot', 'container'])
      .describe('pack: a tag bound as one pack of a lot (POST /rfid/tags with unit pack), without an item code of its own'),
    code: z.string().describe('item, lot or container code issued by this service; of a pack, its lot'),
    lotCode: z.string().optional().describe("an item's or a pack's lot"),
  })
  .meta({ id: 'TagReferent' });

export const tagCheckSchema = z
  .object({
    value: z.string().describe('the value as given'),
    kind: z
      .enum(['gs1', 'gid', 'raw'])
      .describe(
        'gs1: an EPC of a GS1 key; gid: a General Identifier (GID-96, no GS1 key); raw: any other tag id (factory EPC, unknown header)',
      ),
    hex: z.string().nullable().describe('the EPC bits in upper-case hex (null for a raw URI with an AFI)'),
    rawUri: z.string().describe('urn:epc:raw:<bits>.x<hex>'),
    scheme: z.enum(EPC_SCHEMES as [string, ...string[]]).optional(),
    filter: z.number().int().min(0).max(7).optional(),
    tagUri: z.string().optional(),
    pureIdentity: z.string().optional().describe('urn:epc:id:…, the form EPCIS capture stores'),
    digitalLink: z.string().optional().describe('canonical GS1 Digital Link on https://id.gs1.org'),
    gtin: z.string().optional(),
    sscc: z.string().optional(),
    gln: z.string().optional(),
    glnExtension: z.string().optional(),
    grai: z.string().optional().describe('AI (8003): 0, asset type with check digit, serial'),
    giai: z.string().optional(),
    gdti: z.string().optional().describe('AI (253): document type with check digit, serial'),
    gsrn: z.string().optional().describe('AI (8018)'),
    gsrnp: z.string().optional().describe('AI (8017)'),
    sgcn: z.string().optional().describe('AI (255): coupon number with check digit, serial'),
    cpi: z.string().optional().describe('AI (8010); its serial is AI (8011)'),
    itip: z.string().optional().describe('AI (8006): the GTIN, piece number and total count; its serial is AI (21)'),
    managerNumber: z.string().optional().describe('GID: the general manager number'),
    objectClass: z.string().optional().describe('GID: the object class'),
    serial: z.string().optional(),
    knownAs: knownAsSchema
      .nullable()
      .describe('what this service knows the tag as, when the caller may see that (anonymous callers: what the public resolver shows)'),
  })
  .meta({ id: 'TagCheck' });
export type TagCheck = z.infer<typeof tagCheckSchema>;
