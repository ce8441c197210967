import { z } from 'zod';
import { isValidGtin } from '../codes/gs1.js';
import { freeTextSchema, nameSchema } from '../codes/names.js';
import { serviceCodeField } from '../codes/service-codes.js';

export const PRODUCT_MARKS = ['geographical_indication', 'green_food', 'organic'] as const;
export const PRODUCT_CATEGORIES = ['live_animal', 'carcass', 'fresh_meat', 'cured_meat', 'processed_food', 'packaging', 'other'] as const;
export type ProductCategory = (typeof PRODUCT_CATEGORIES)[number];
export const UNITS = ['head', 'kg', 'piece', 'box', 'case', 'pallet'] as const;

export const createProductBody = z.object({
  partyCode: serviceCodeField('party').describe('brand owner; operators may only register their own products'),
  name: nameSchema(200),
  gtin: z
    .string()
    .refine(isValidGtin, { error: 'must be a GTIN-8/12/13/14 with a valid check digit' })
    .optional()
    .describe(
      'stored as GTIN-14; restricted circulation numbers (GS1 prefixes 02, 04, 20–29; GTIN-8 under 0 or 2), refund receipts and coupons (980–984, 99) and all zeros are refused',
    ),
  category: z.enum(PRODUCT_CATEGORIES),
  unit: z.enum(UNITS),
  shelfLifeDays: z.number().int().min(1).max(3650).optional(),
  marks: z
    .array(z.enum(PRODUCT_MARKS))
    .max(PRODUCT_MARKS.length)
    .optional()
    .describe(
      '地理标志 / 绿色食品 / 有机, as declared (and shown so here); consumers are shown a mark only where earned: its certification (gi_use_permit, green_food, organic) on the owner’s approved application to join, valid on the day the lot was made, or, for geographical_indication, a gi brand covering the lot whose owner was admitted when it made it and has not exited',
    ),
  description: freeTextSchema(2000, { lines: 'many' }).optional(),
});
export type CreateProductInput = z.infer<typeof createProductBody>;

export const productSchema = z
  .object({
    code: z.string(),
    partyCode: z.string(),
    name: z.string(),
    gtin: z.string().nullable().describe('GTIN-14'),
    category: z.enum(PRODUCT_CATEGORIES),
    unit: z.enum(UNITS),
    shelfLifeDays: z.number().int().nullable(),
    marks: z.array(z.enum(PRODUCT_MARKS)),
    description: z.string().nullable(),
    createdAt: z.date(),
  })
  .meta({ id: 'Product' });
export type Product = z.infer<typeof productSchema>;
