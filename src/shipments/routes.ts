import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { normalizeCode } from '../codes/service-codes.js';
import { bearerSecurity, principalOf } from '../http/authenticate.js';
import { forbidden, problemSchema } from '../http/problem.js';
import type { ShipmentsRepository } from './repository.js';

export const shipmentSchema = z
  .object({
    id: z.string(),
    shipEventId: z.string(),
    fromPartyCode: z.string(),
    fromLocationCode: z.string().nullable(),
    toPartyCode: z.string(),
    toLocationCode: z.string().nullable(),
    status: z.enum(['open', 'received', 'cancelled']),
    shippedAt: z.date(),
    receiveEventId: z.string().nullable(),
    receivedAt: z.date().nullable(),
    lines: z.array(z.object({ lotCode: z.string(), quantity: z.number(), receivedQuantity: z.number().nullable() })),
  })
  .meta({ id: 'Shipment' });

export const shipmentRoutes: FastifyPluginAsyncZod<{ shipments: Pick<ShipmentsRepository, 'list'> }> = async (app, { shipments }) => {
  app.get(
    '/shipments',
    {
      schema: {
        tags: ['shipments'],
        summary: 'Shipments from or to a party (an operator sees its own): receive an open one with its id',
        security: bearerSecurity,
        querystring: z.object({
          partyCode: z.string().optional(),
          status: z.enum(['open', 'received', 'cancelled']).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ items: z.array(shipmentSchema) }), 403: problemSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const asked = request.query.partyCode ? normalizeCode(request.query.partyCode) : undefined;
      if (principal.role === 'operator' && asked && asked !== principal.partyCode) {
        throw forbidden(`party ${principal.partyCode} may not list shipments of ${asked}`);
      }
      const partyCode = principal.role === 'operator' ? (principal.partyCode as string) : asked;
      const rows = await shipments.list({ ...request.query, partyCode });
      return {
        items: rows.map((row) => ({
          ...row,
          status: row.status as 'open',
          lines: row.lines.map(({ lotCode, quantity, receivedQuantity }) => ({ lotCode, quantity, receivedQuantity })),
        })),
      };
    },
  );
};
