import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../errors/problem.js';
import { CSV_ATTACHMENT_DECLARED, CSV_TYPE, csvDialectQuery, csvStream } from '../http/csv.js';
import { bearerSecurity, principalOf } from '../http/request.js';
import { REPORT_CSV_COLUMNS, reportCsvRows, reportCsvTotalRows } from './report.js';
import {
  addProductsBody,
  admitBody,
  authorizationSchema,
  brandCodeParams,
  brandSchema,
  changeBody,
  createBrandBody,
  disposalSchema,
  memberCredentialsSchema,
  memberPartyCode,
  memberPartyFilter,
  reportQuery,
  reportSchema,
} from './schemas.js';
import type { BrandService } from './service.js';

const memberParams = brandCodeParams.extend({ partyCode: memberPartyCode });

export const brandRoutes: FastifyPluginAsyncZod<{ service: BrandService }> = async (app, { service }) => {
  const tags = ['brands'];
  // the brand office's keys reach these routes and no others
  const config = { brandRoute: true };

  app.post(
    '/brands',
    {
      config,
      schema: {
        tags,
        summary: 'Register a brand: regional public brand (奉上好品), GI mark (奉节腊肉) or enterprise brand (brand office, regulator)',
        security: bearerSecurity,
        body: createBrandBody,
        response: { 201: brandSchema, 400: problemSchema, 403: problemSchema, 409: problemSchema, 422: problemSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(principalOf(request), request.body)),
  );

  app.get(
    '/brands',
    {
      config,
      schema: {
        tags,
        summary: 'Brands and the products they cover',
        security: bearerSecurity,
        response: { 200: z.object({ items: z.array(brandSchema) }) },
      },
    },
    async () => ({ items: await service.list() }),
  );

  app.get(
    '/brands/:code',
    {
      config,
      schema: {
        tags,
        summary: 'One brand and the products it covers',
        security: bearerSecurity,
        params: brandCodeParams,
        response: { 200: brandSchema, 400: problemSchema, 404: problemSchema },
      },
    },
    async (request) => service.get(request.params.code),
  );

  app.post(
    '/brands/:code/products',
    {
      config,
      schema: {
        tags,
        summary: 'Add products (codes or GTINs) to a brand (brand office, regulator)',
        security: bearerSecurity,
        params: brandCodeParams,
        body: addProductsBody,
        response: { 200: brandSchema, 400: problemSchema, 403: problemSchema, 404: problemSchema, 422: problemSchema },
      },
    },
    async (request) => service.addProducts(principalOf(request), request.params.code, request.body.products),
  );

  app.get(
    '/brands/:code/authorizations',
    {
      config,
      schema: {
        tags,
        summary:
          "A brand's members (head, backbone, authorized) with their state and the history of every change, reasons included (brand office, regulators, admins and the brand's owner: every member; any other party: its own)",
        security: bearerSecurity,
        params: brandCodeParams,
        querystring: z.object({ partyCode: memberPartyFilter }),
        response: {
          200: z.object({ items: z.array(authorizationSchema) }),
          400: problemSchema,
          403: problemSchema,
          404: problemSchema,
        },
      },
    },
    async (request) => ({
      items: await service.authorizations(principalOf(request), request.params.code, request.query.partyCode),
    }),
  );

  app.post(
    '/brands/:code/authorizations',
    {
      config,
      schema: {
        tags,
        summary: 'Admit a party to a brand in a tier (at most 5 head and 20 backbone members), with a reason (brand office, regulator)',
        security: bearerSecurity,
        params: brandCodeParams,
        body: admitBody,
        response: { 201: authorizationSchema, 400: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await service.admit(principalOf(request), request.params.code, request.body)),
  );

  app.post(
    '/brands/:code/authorizations/:partyCode/state',
    {
      config,
      schema: {
        tags,
        summary: 'Suspend, reinstate or exit a member, with a reason and the day it takes effect (brand office, regulator)',
        description:
          'admitted → suspended → admitted (reinstatement), admitted or suspended → exited (final). A suspension or exit sets the day its brand-labelled stock must be disposed of by.',
        security: bearerSecurity,
        params: memberParams,
        body: changeBody,
        response: { 200: authorizationSchema, 400: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) => service.changeState(principalOf(request), request.params.code, request.params.partyCode, request.body),
  );

  const reportDescription =
    "The brand's report of a period (from and to, China time, at most a year), as of its last day, or today while it has not ended (asOf): every party that was a member during it (admitted on any of its days), with its state as of that day and the lots it produced in the period whose product the brand covers and that carried the brand's badge then, as the consumer page shows it (made once the product joined the brand while their owner stood admitted, the owner not exited by then); a member that made none is listed with none. A suspended member's lots made before its suspension keep the badge and are counted; those made while suspended are not, nor any lot of a member that had exited by then. With each lot its quantity and unit, the item codes issued for it within the period, how many of those were scanned within it and how often. For the brand's office (a brand_office key of the party owning the brand, or the county's, of no party), regulators and admins; another key is 403, a brand that does not exist 404.";
  const reportRefusals = { 400: problemSchema, 403: problemSchema, 404: problemSchema, 422: problemSchema };

  app.get(
    '/brands/:code/report',
    {
      config,
      schema: {
        tags,
        summary:
          "A brand's report of a period: its members then, their badged lots, their packs and scans in the period, and the totals (the brand's office, regulators, admins)",
        description: reportDescription,
        security: bearerSecurity,
        params: brandCodeParams,
        querystring: reportQuery,
        response: { 200: reportSchema, ...reportRefusals },
      },
    },
    async (request) => service.report(principalOf(request), request.params.code, request.query),
  );

  app.get(
    '/brands/:code/report.csv',
    {
      config,
      schema: {
        tags,
        summary:
          "The brand's report as CSV (UTF-8 with BOM, for Excel): a line per badged lot with its member (one per member with none), then its totals (the brand's office, regulators, admins)",
        description: `${reportDescription} A member with no lot has a line of its own, its lot columns empty. Its last lines are the totals, labelled total (合计 in the Excel flavour): one per unit, each summing that unit's lots.`,
        security: bearerSecurity,
        params: brandCodeParams,
        querystring: reportQuery.extend({ dialect: csvDialectQuery }),
        produces: ['text/csv'],
        response: {
          200: {
            description: 'The lots, as UTF-8 CSV with a byte order mark',
            content: { 'text/csv': { schema: z.string() } },
            headers: CSV_ATTACHMENT_DECLARED,
          },
          ...reportRefusals,
        },
      },
    },
    async (request, reply) => {
      const { code } = request.params;
      const { dialect, ...period } = request.query;
      const report = await service.report(principalOf(request), code, period);
      // a stream is sent as it is, past the response schema
      return reply
        .type(CSV_TYPE)
        .header('content-disposition', `attachment; filename="brand-${report.brandCode}-report-${report.from}-${report.to}.csv"`)
        .send(
          csvStream(REPORT_CSV_COLUMNS, [reportCsvRows(report.members), reportCsvTotalRows(report.members, dialect)], { dialect }) as never,
        );
    },
  );

  app.get(
    '/brands/:code/members/:partyCode/certifications',
    {
      config,
      schema: {
        tags,
        summary:
          "The certifications and licences a member declared on its approved application to join, each with whether it is held today (the brand's office, regulators, admins)",
        description: 'A member is a party admitted or suspended, within its validity. Any other party, known or not, is the same 404.',
        security: bearerSecurity,
        params: memberParams,
        response: { 200: memberCredentialsSchema, 400: problemSchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request) => service.memberCredentials(principalOf(request), request.params.code, request.params.partyCode),
  );

  app.get(
    '/brands/:code/disposals',
    {
      config,
      schema: {
        tags,
        summary: 'Suspended and exited members: brand-labelled stock still on hand, the disposal deadline, and whether it has passed',
        security: bearerSecurity,
        params: brandCodeParams,
        response: { 200: z.object({ items: z.array(disposalSchema) }), 400: problemSchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request) => ({ items: await service.disposals(principalOf(request), request.params.code) }),
  );
};
