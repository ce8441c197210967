import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { serviceCodeField } from '../codes/service-codes.js';
import { problemSchema } from '../errors/problem.js';
import { CSV_ATTACHMENT_DECLARED, CSV_TYPE, csvStream, wantsCsv } from '../http/csv.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { KDE_COLUMNS } from '../trace/kde.js';
import {
  activitySchema,
  anomaliesQuery,
  anomaliesSchema,
  balanceSheetSchema,
  exportQuery,
  gapsQuery,
  gapsSchema,
  kdeRowSchema,
  passRatesQuery,
  passRatesSchema,
  periodQuery,
  traceabilityQuery,
  traceabilitySchema,
} from './schemas.js';
import { type FiguresService, periodScope } from './service.js';

const denied = { 400: problemSchema, 403: problemSchema };

export const figuresRoutes: FastifyPluginAsyncZod<{ service: FiguresService }> = async (app, { service }) => {
  const tags = ['regulator'];

  app.get(
    '/lots/:code/balance-sheet',
    {
      schema: {
        tags: ['lots'],
        summary: "A lot's mass balance sheet: its ledger, and the yields of the transformations that made and used it",
        description:
          'In = used in transformations + shipped + sold + destroyed + on hand, with each transformation weighed against the yield allowed for its kind (curing keeps 50–70 % of the weight). Regulators and admins get the whole lot’s books; an operator, the lot’s owner too, those of its own stock and its own uses of the lot.',
        security: bearerSecurity,
        params: z.object({ code: serviceCodeField('lot', 'container') }),
        response: { 200: balanceSheetSchema, ...denied, 404: problemSchema },
      },
    },
    async (request) => service.balanceSheet(principalOf(request), request.params.code),
  );

  app.get(
    '/regulator/mass-balance/gaps',
    {
      schema: {
        tags,
        summary: 'Lots whose books do not close, the largest gap first',
        security: bearerSecurity,
        querystring: gapsQuery,
        response: { 200: gapsSchema, ...denied },
      },
    },
    async (request) => ({ items: await service.gaps(principalOf(request), request.query) }),
  );

  app.get(
    '/regulator/anomalies',
    {
      schema: {
        tags,
        summary:
          'Shipments not received, expired lots still in circulation, failed tests whose lot or lots made from it are in circulation without a hold, item codes of consumed or over-coded lots, sales after the expiry date',
        security: bearerSecurity,
        querystring: anomaliesQuery,
        response: { 200: anomaliesSchema, ...denied },
      },
    },
    async (request) => service.anomalies(principalOf(request), request.query),
  );

  app.get(
    '/regulator/figures/pass-rates',
    {
      schema: {
        tags,
        summary: 'Inspection pass rates by kind (self, rapid, sampling, third party) and by test item, against the 96 % target',
        description:
          "Standing inspections recorded in the period. With a `region`, those of lots owned there (`regionOf=owner`, the default) or those recorded by a party there (`regionOf=tester`: a county bureau's own sampling of another county's produce counts in the bureau's county, not in the owner's).",
        security: bearerSecurity,
        querystring: passRatesQuery,
        response: { 200: passRatesSchema, ...denied },
      },
    },
    async (request) => service.passRates(principalOf(request), periodScope(request.query), request.query.regionOf),
  );

  app.get(
    '/regulator/figures/traceability',
    {
      schema: {
        tags,
        summary:
          'Traceability rate (溯源率): sold lots and items whose trace reaches a farm lot, and every farm lot it reaches carries the certificate its product category calls for: animals and their meat (live_animal, carcass, fresh_meat, cured_meat) their quarantine certificate only; any other category, or none, its commitment certificate or a quarantine certificate',
        security: bearerSecurity,
        querystring: traceabilityQuery,
        response: { 200: traceabilitySchema, ...denied },
      },
    },
    async (request) => service.traceability(principalOf(request), periodScope(request.query), request.query.by),
  );

  app.get(
    '/regulator/figures/activity',
    {
      schema: {
        tags,
        summary: 'Activity rate (进驻率): registered enterprises, and green-food, GI and organic ones, that recorded events in the period',
        description:
          "As of the period's last day (`asOf`; today while the period has not ended): the enterprises registered by then, certified green-food, organic or GI by a certification held that day, GI also by an admission to a `gi` brand in force that day.",
        security: bearerSecurity,
        querystring: periodQuery({}),
        response: { 200: activitySchema, ...denied },
      },
    },
    async (request) => service.activity(principalOf(request), periodScope(request.query)),
  );

  app.get(
    '/regulator/events',
    {
      schema: {
        tags,
        summary: 'Key data elements of the events of a period and region, one row per lot line; CSV for a spreadsheet',
        description:
          'An event is of the region when the party that recorded it is there, a lot it names is owned there, or it is a shipment to or a receipt from a party there; each of its lot lines is then a row, once. An event declared in error stays, naming its correction (`correctedBy`), and the correction is a row on each of its lines (`corrects`); inspections carry their kind, result and failed items, holds, releases and recalls their reason, recalls their id and phase. With `?format=csv` or `Accept: text/csv`: every row, streamed as UTF-8 CSV with a byte order mark (Excel reads the Chinese text), sorted by `sort`.',
        security: bearerSecurity,
        querystring: exportQuery,
        produces: ['application/json', 'text/csv'],
        response: {
          200: {
            description: 'A page of key data elements as JSON, or every row as UTF-8 CSV with a byte order mark',
            content: { 'application/json': { schema: z.object({ items: z.array(kdeRowSchema) }) }, 'text/csv': { schema: z.string() } },
            headers: CSV_ATTACHMENT_DECLARED,
          },
          ...denied,
        },
      },
    },
    async (request, reply) => {
      const { sort, format, dialect, limit, offset } = request.query;
      const scope = periodScope(request.query);
      if (!wantsCsv(format, request.headers.accept, dialect))
        return { items: await service.exportPage(principalOf(request), scope, sort, limit, offset) };
      const pages = await service.exportAll(principalOf(request), scope, sort);
      return (
        reply
          .type(CSV_TYPE)
          .header('content-disposition', 'attachment; filename="events.csv"')
          // a stream is sent as it is, past the JSON response schema
          .send(csvStream(KDE_COLUMNS, pages, { dialect }) as never)
      );
    },
  );
};
