// Composition root: infrastructure → repositories → services → routes, wired explicitly.

import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createApiKeysRepository } from './auth/repository.js';
import { apiKeyRoutes } from './auth/routes.js';
import { createApiKeyService } from './auth/service.js';
import { createComplaintsRepository } from './complaints/repository.js';
import { complaintRoutes } from './complaints/routes.js';
import { createComplaintService } from './complaints/service.js';
import type { Database, Db } from './db/client.js';
import { type CaptureRepositories, findLotFor } from './epcis/capture.js';
import { canonicalId } from './epcis/mapping.js';
import { createEpcisRepository } from './epcis/repository.js';
import { epcisRoutes } from './epcis/routes.js';
import { createEpcisService } from './epcis/service.js';
import { createSubscriptionService } from './epcis/subscriptions.js';
import { createEventsRepository } from './events/repository.js';
import { eventRoutes } from './events/routes.js';
import { createEventService, type EventRepositories } from './events/service.js';
import { registerAuthentication } from './http/authenticate.js';
import { registerProblemHandlers } from './http/problem.js';
import { registerOpenApi } from './http/swagger.js';
import { createItemsRepository } from './items/repository.js';
import { itemRoutes } from './items/routes.js';
import { createItemService } from './items/service.js';
import { createLineageRepository } from './lineage/repository.js';
import { traceRoutes } from './lineage/routes.js';
import { createTraceService } from './lineage/service.js';
import { createLocationsRepository } from './locations/repository.js';
import { locationRoutes } from './locations/routes.js';
import { createLocationService } from './locations/service.js';
import { createLotsRepository } from './lots/repository.js';
import { lotRoutes } from './lots/routes.js';
import { createLotService } from './lots/service.js';
import { createPartiesRepository } from './parties/repository.js';
import { partyRoutes } from './parties/routes.js';
import { createPartyService } from './parties/service.js';
import { createProductsRepository } from './products/repository.js';
import { productRoutes } from './products/routes.js';
import { createProductService } from './products/service.js';
import { regulatorRoutes } from './regulator/routes.js';
import type { FlagPolicy } from './resolver/flags.js';
import { resolverRoutes } from './resolver/routes.js';
import { createResolverService } from './resolver/service.js';
import { createScansRepository } from './scans/repository.js';
import { createShipmentsRepository } from './shipments/repository.js';
import { shipmentRoutes } from './shipments/routes.js';

export type AppOptions = {
  database: Database;
  logger?: FastifyServerOptions['logger'];
  bodyLimit?: number;
  /** Origin printed on labels and used in links, e.g. https://fj.example.cn */
  publicBaseUrl?: string;
  flagPolicy?: FlagPolicy;
  complaintsPerHour?: number;
  ipSalt?: string;
  /** How often webhook subscriptions are checked for new events, and how far behind now a delivery window ends. */
  subscriptionTickMs?: number;
  subscriptionLagMs?: number;
};

export function createRepositories(db: Db) {
  return {
    // bulk loading (COPY) needs the pool, not a transaction; item issuance uses its own repository
    items: createItemsRepository({ db, copyRows: () => Promise.reject(new Error('bulk loads run outside transactions')) }),
    scans: createScansRepository(db),
    epcis: createEpcisRepository(db),
    complaints: createComplaintsRepository(db),
    apiKeys: createApiKeysRepository(db),
    parties: createPartiesRepository(db),
    locations: createLocationsRepository(db),
    products: createProductsRepository(db),
    lots: createLotsRepository(db),
    events: createEventsRepository(db),
    lineage: createLineageRepository(db),
    shipments: createShipmentsRepository(db),
  };
}

type ServiceLog = { error: (object: object, message: string) => void; warn: (object: object, message: string) => void };

export function createServices(
  database: Database,
  options: Omit<AppOptions, 'database' | 'logger' | 'bodyLimit'> & { log?: ServiceLog } = {},
) {
  const repos = createRepositories(database.db);
  const items = createItemsRepository(database);
  const publicBaseUrl = options.publicBaseUrl ?? 'http://127.0.0.1:3000';
  const ipSalt = options.ipSalt ?? 'county-trace-scans';
  const lotUriPrefix = `${publicBaseUrl}/lots/`;
  const trace = createTraceService({ ...repos, lotForEpc: (uri) => findLotFor(repos, canonicalId(uri), lotUriPrefix) });
  const partyExists = async (code: string) => (await repos.parties.findByCode(code)) !== undefined;
  const transaction = <T>(work: (scoped: EventRepositories & CaptureRepositories) => Promise<T>) =>
    database.db.transaction((tx) => work(createRepositories(tx as unknown as Db)));
  const epcis = createEpcisService({
    transaction,
    epcis: repos.epcis,
    lookup: repos,
    events: repos.events,
    lots: repos.lots,
    products: repos.products,
    locations: repos.locations,
    prefixes: () => repos.parties.companyPrefixes(),
    publicBaseUrl,
    log: options.log,
  });
  return {
    repos,
    epcis,
    subscriptions: createSubscriptionService({ db: database.db, epcis, lagMs: options.subscriptionLagMs, log: options.log }),
    apiKeys: createApiKeyService({ apiKeys: repos.apiKeys, partyExists }),
    parties: createPartyService({ parties: repos.parties }),
    locations: createLocationService({ locations: repos.locations, partyExists }),
    products: createProductService({ products: repos.products, partyExists }),
    lots: createLotService({ lots: repos.lots, shipments: repos.shipments }),
    events: createEventService({ transaction, events: repos.events, lots: repos.lots }),
    trace,
    items: createItemService({ items, lots: repos.lots, products: repos.products, publicBaseUrl, log: options.log }),
    itemsRepository: items,
    resolver: createResolverService({
      items,
      scans: repos.scans,
      lots: repos.lots,
      products: repos.products,
      trace,
      ipSalt,
      policy: options.flagPolicy,
      onScanWriteError: (error) => options.log?.error({ err: error }, 'storing scans failed'),
    }),
    complaints: createComplaintService({ complaints: repos.complaints, items, ipSalt }),
    publicBaseUrl,
  };
}

export type Services = ReturnType<typeof createServices>;

export async function buildApp(options: AppOptions) {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: 'x-request-id',
    ajv: undefined,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const services = createServices(options.database, { ...options, log: app.log });
  registerProblemHandlers(app);
  // Resolver pages, QR images and the API are read cross-origin; keys travel in headers, never cookies.
  await app.register(cors, {
    origin: '*',
    methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    exposedHeaders: ['Link', 'Location', 'X-Request-Id'],
    strictPreflight: false,
    preflightContinue: true,
  });
  await app.register(formbody);
  await app.register(rateLimit, { global: false });
  await registerOpenApi(app);
  registerAuthentication(app, services.apiKeys);

  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary: 'Liveness and database reachability',
        response: {
          200: z.object({ status: z.literal('ok'), database: z.object({ kind: z.string(), reachable: z.boolean() }) }),
          503: z.object({ status: z.literal('degraded'), database: z.object({ kind: z.string(), reachable: z.boolean() }) }),
        },
      },
    },
    async (_request, reply) => {
      const reachable = await options.database.ping();
      const database = { kind: options.database.kind, reachable };
      return reachable ? { status: 'ok' as const, database } : reply.code(503).send({ status: 'degraded' as const, database });
    },
  );

  await app.register(apiKeyRoutes, { service: services.apiKeys });
  await app.register(partyRoutes, { service: services.parties });
  await app.register(locationRoutes, { service: services.locations });
  await app.register(productRoutes, { service: services.products });
  await app.register(lotRoutes, { service: services.lots });
  await app.register(eventRoutes, { service: services.events });
  await app.register(shipmentRoutes, { shipments: services.repos.shipments });
  await app.register(traceRoutes, { service: services.trace });
  await app.register(itemRoutes, { service: services.items, items: services.itemsRepository });
  await app.register(resolverRoutes, { service: services.resolver, publicBaseUrl: services.publicBaseUrl });
  await app.register(complaintRoutes, { service: services.complaints, perHour: options.complaintsPerHour ?? 5 });
  await app.register(regulatorRoutes, { scans: services.repos.scans, flushScans: services.resolver.flushScans });
  await app.register(epcisRoutes, { service: services.epcis, subscriptions: services.subscriptions });
  services.subscriptions.start(options.subscriptionTickMs ?? 1000);
  app.addHook('onClose', async () => {
    await services.resolver.flushScans();
    await services.items.idle();
    await services.epcis.idle();
    await services.subscriptions.stop();
  });

  return Object.assign(app, { services });
}

export type App = Awaited<ReturnType<typeof buildApp>>;
