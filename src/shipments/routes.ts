import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../errors/problem.js';
import { LIST_NEXT, LIST_PAGING, linkNextPage } from '../http/page-token.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { listShipmentsQuery, shipmentSchema } from './schemas.js';
import type { ShipmentService } from './service.js';

export const shipmentRoutes: FastifyPluginAsyncZod<{ service: ShipmentService }> = async (app, { service }) => {
  app.get(
    '/shipments',
    {
      schema: {
        tags: ['shipments'],
        summary: 'Shipments from or to a party (an operator sees its own): receive an open one with its id',
        description: `Lines of 0 (stored before ships that move nothing were refused) are no line to either party, and a shipment of nothing else (no line with a quantity) no shipment; regulators and admins see every line and list such shipments with the rest. ${LIST_PAGING}`,
        security: bearerSecurity,
        querystring: listShipmentsQuery,
        response: { 200: z.object({ items: z.array(shipmentSchema), next: LIST_NEXT }), 403: problemSchema },
      },
    },
    async (request, reply) => {
      const page = await service.list(principalOf(request), request.query);
      const { partyCode, status, limit } = request.query;
      linkNextPage(reply, '/shipments', { partyCode, status, limit }, page.next);
      return page;
    },
  );
};
