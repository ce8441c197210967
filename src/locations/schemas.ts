import { z } from 'zod';
import { addressSchema, nameSchema } from '../codes/names.js';
import { serviceCodeField } from '../codes/service-codes.js';
import { glnSchema, regionCodeSchema } from '../parties/schemas.js';

const LOCATION_KINDS = ['origin', 'farm', 'barn', 'plant', 'cold_store', 'warehouse', 'shop', 'lab', 'other'] as const;

export const createLocationBody = z.object({
  partyCode: serviceCodeField('party').describe('owning party; operators may only register their own'),
  name: nameSchema(200),
  kind: z.enum(LOCATION_KINDS),
  regionCode: regionCodeSchema,
  address: addressSchema.optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  gln: glnSchema.optional(),
});
export type CreateLocationInput = z.infer<typeof createLocationBody>;

export const locationSchema = z
  .object({
    code: z.string(),
    partyCode: z.string(),
    name: z.string(),
    kind: z.enum(LOCATION_KINDS),
    regionCode: z.string(),
    address: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    gln: z.string().nullable(),
    createdAt: z.date(),
    details: z
      .enum(['full', 'public'])
      .describe("public: the site's address and position are for regulators and the party's trading partners"),
  })
  .meta({ id: 'Location' });
export type Location = z.infer<typeof locationSchema>;
