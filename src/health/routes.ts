import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const databaseState = z.object({ kind: z.string(), reachable: z.boolean() });

/** Liveness for load balancers and compose: is the process up and its database reachable? */
export const healthRoutes: FastifyPluginAsyncZod<{ database: { kind: string; ping: () => Promise<boolean> } }> = async (
  app,
  { database },
) => {
  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary: 'Liveness and database reachability',
        response: {
          200: z.object({ status: z.literal('ok'), database: databaseState }),
          503: z.object({ status: z.literal('degraded'), database: databaseState }),
        },
      },
    },
    async (_request, reply) => {
      const reachable = await database.ping();
      const state = { kind: database.kind, reachable };
      return reachable
        ? { status: 'ok' as const, database: state }
        : reply.code(503).send({ status: 'degraded' as const, database: state });
    },
  );
};
