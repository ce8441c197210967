import { z } from 'zod';
import { ROLES } from '../access/index.js';
import { freeTextSchema } from '../codes/names.js';
import { serviceCodeField } from '../codes/service-codes.js';

export const issueApiKeyBody = z.object({
  role: z.enum(ROLES),
  partyCode: serviceCodeField('party')
    .optional()
    .describe(
      'required for operator and reader keys: the party the key acts for; for regulator keys optional: the regulator party (kind regulator) its holds and recalls are recorded under; for brand_office keys optional: the party owning the brands the office runs, whose misuse flags and complaints it then reads; omitted (or left empty) for admin keys',
    ),
  label: freeTextSchema(200).optional(),
});

export const apiKeySchema = z
  .object({
    id: z.string(),
    keyPrefix: z.string(),
    role: z.enum(ROLES),
    partyCode: z.string().nullable(),
    label: z.string().nullable(),
    createdAt: z.date(),
    revokedAt: z.date().nullable(),
  })
  .meta({ id: 'ApiKey' });

export const issuedApiKeySchema = z
  .object({
    id: z.string(),
    key: z.string().describe('shown once; only its hash is stored'),
    role: z.enum(ROLES),
    partyCode: z.string().nullable(),
    label: z.string().nullable(),
  })
  .meta({ id: 'IssuedApiKey' });
