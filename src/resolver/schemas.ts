// What a scan answers, in zod: the consumer summary's types, and the OpenAPI document's responses
// of the resolver routes, come from these.
import { z } from 'zod';
import { brandSchema } from '../brands/schemas.js';
import { problemSchema } from '../errors/problem.js';
import { traceNodeSchema } from '../trace/schemas.js';
import { PAGE_HEADERS_DECLARED } from '../web/html.js';

/** Every answer on a scan path: kept by a cache only to be revalidated, so no scan is answered from before a recall. */
export const SCAN_CACHE_CONTROL = 'no-cache';

export const stageSchema = z.enum(['farm', 'slaughter', 'cutting', 'processing', 'cold_chain', 'distribution', 'retail']);
export const LOT_WARNINGS = ['recalled', 'on_hold', 'held', 'expired', 'destroyed'] as const;
const lotWarningSchema = z.enum(LOT_WARNINGS);
export const warningSchema = z.enum([...LOT_WARNINGS, 'counterfeit_suspected']);

export const testItemSchema = z
  .object({
    name: z.string(),
    value: z.union([z.string(), z.number()]).nullable(),
    unit: z.string().nullable(),
    limit: z.string().nullable(),
    result: z.string(),
  })
  .describe('one tested item of an inspection as recorded: 瘦肉精 阴性, 亚硝酸盐 8.6 mg/kg (≤30)');

const testsSchema = z
  .array(
    z.object({
      kind: z.string(),
      party: z.string().describe('the party that recorded the inspection'),
      lab: z.string().nullable(),
      result: z.string(),
      reportNumber: z.string().nullable(),
      time: z.string(),
      items: z.array(testItemSchema),
    }),
  )
  .describe('each inspection once, however many lots of the chain it covered, with what it tested');
const certificatesSchema = traceNodeSchema.shape.certificates;
/** What a recall says is wrong and what harm it may do, as its opener wrote it; never its reason, which may be internal. */
const recallHazardsSchema = z.array(z.string());

/** What every pack of a lot shows alike: names, places, dates, tests and certificates — never quantities or commercial data. */
export const lotSummarySchema = z.object({
  product: z.object({ name: z.string(), gtin: z.string().nullable(), category: z.string(), marks: z.array(z.string()) }).nullable(),
  brands: z
    .array(brandSchema.pick({ code: true, kind: true, nameZh: true, nameEn: true }))
    .describe("brands (奉上好品, 奉节腊肉 GI) the producer was admitted to on the lot's production day"),
  lot: z.object({
    code: z.string(),
    lotNumber: z.string().nullable(),
    productionDate: z.string().nullable(),
    expiryDate: z.string().nullable(),
    sellByDate: z.string().nullable().describe('the last day of sale; no expiry (not a warning once past)'),
    status: z.string(),
  }),
  producer: z
    .object({ name: z.string(), regionCode: z.string(), address: z.string().nullable() })
    .nullable()
    .describe('the party that made the lot, with its address (printed on its label by law), unless it is a farm'),
  origins: z
    .array(z.object({ farm: z.string(), regionCode: z.string(), earTagCount: z.number().int() }))
    .describe("farms by name and county only: often a family's holding, whose address and contacts are personal data"),
  timeline: z.array(
    z.object({
      stage: stageSchema,
      time: z.string(),
      party: z.string(),
      place: z.string().nullable(),
      action: z.string(),
      temperatures: z
        .object({ readings: z.number().int(), lastTime: z.string(), minCelsius: z.number(), maxCelsius: z.number() })
        .optional()
        .describe(
          'a temperature log (action observe) only: the logs of its party and place one after another, with nothing else of the lot between them (a shipment, a receipt, a test, a sighting shown), folded into this one step: how many temperatures they read, the last one’s time (time is the first’s), and the lowest and highest °C',
        ),
    }),
  ),
  tests: testsSchema,
  certificates: certificatesSchema,
  coldChain: z.object({ readings: z.number().int(), minCelsius: z.number(), maxCelsius: z.number(), withinLimits: z.boolean() }).nullable(),
  warnings: z
    .array(lotWarningSchema)
    .describe(
      "the lot's own state: recalled; on_hold (held for sale, 暂停销售); held (a failed test that no re-test settled, of the lot or of a lot of its backward chain); expired; destroyed",
    ),
  recallHazards: recallHazardsSchema.describe(
    'the hazards of the recalls that reached the lot, each once, in the order they opened; empty unless it is recalled',
  ),
  lineage: z
    .object({
      nodes: z.array(
        z.object({
          code: z
            .string()
            .describe(
              "the scanned lot's code (depth 0, as lot.code); for each lot or container upstream of it a public id, n1, n2, … in chain order, never its lot code",
            ),
          depth: z.number().int(),
          label: z.string(),
          stage: stageSchema.nullable(),
        }),
      ),
      edges: z.array(z.object({ from: z.string(), to: z.string() }).describe("an input of a node to it, by the nodes' codes as listed")),
    })
    .describe('the chain of what the lot holds now, in chain order: the farms first, the scanned lot last'),
});

export const consumerSummarySchema = z
  .object({
    code: z.string(),
    genuine: z.literal(true),
    scans: z.object({ count: z.number().int(), firstScannedAt: z.string().nullable() }),
    warnings: z
      .array(warningSchema)
      .describe(
        "the lot's warnings; recalled when a recall named a container the pack lies in (at any level) itself, not when it only marks the container for another lot packed in it; on_hold when a container the pack lies in (at any level) is on hold, and for a case scanned by its SSCC when a lot it holds now is; destroyed when a container the pack lies in (at any level) was destroyed; counterfeit_suspected when a flag of a copied code (unknown_code, over_scanned or impossible_travel) is raised on this pack, and the lot is not out of circulation",
      ),
    recallHazards: recallHazardsSchema.describe(
      "when recalled: the hazard of each recall that reached the pack (its lot, or a container it lies in that a recall named), what is wrong and what harm it may do, each once, in the order the recalls opened; never a recall's reason",
    ),
    ...lotSummarySchema.omit({ warnings: true, recallHazards: true }).shape,
  })
  .meta({
    id: 'ConsumerSummary',
    description:
      "What a consumer's phone (or any client asking for application/json) gets for a code: the pack's own facts, then its lot's",
  });

const consumerCertificatesSchema = z.object({ code: z.string(), certificates: certificatesSchema, tests: testsSchema }).meta({
  id: 'ConsumerCertificates',
  description: "format=certificates (the gs1:certificationInfo link): the lot's tests and certificates",
});

const linkTargetSchema = z.object({
  href: z.string(),
  type: z.string(),
  title: z.string(),
  hreflang: z.array(z.string()).optional(),
});

const linksetSchema = z
  .object({
    linkset: z.array(
      z.object({
        anchor: z.string().describe('the identifier as scanned'),
        'https://gs1.org/voc/pip': z.array(linkTargetSchema),
        'https://gs1.org/voc/traceability': z.array(linkTargetSchema),
        'https://gs1.org/voc/certificationInfo': z
          .array(linkTargetSchema)
          .optional()
          .describe('only when the lot has tests or certificates'),
        'https://gs1.org/voc/defaultLink': z.array(linkTargetSchema),
      }),
    ),
  })
  .meta({ id: 'Linkset', description: 'The RFC 9264 linkset of a scanned identifier, its link relations named by the GS1 Web Vocabulary' });

/**
 * On a scan path every answer, errors included, follows Accept, and a page Accept-Language (src/resolver/routes.ts):
 * a cache must tell them apart, and ask again before it reuses one; a page among them carries its page headers.
 */
const varyHeader = {
  Vary: {
    type: 'string',
    const: 'Accept, Accept-Language',
    description: 'the answer follows Accept, and a page (text/html) Accept-Language when no lang names its language',
  },
  'Cache-Control': {
    type: 'string',
    const: SCAN_CACHE_CONTROL,
    description: 'a cache (a CDN, an in-app browser) asks again before reusing an answer: a recall or hold shows at the next scan',
  },
  ...PAGE_HEADERS_DECLARED,
};
/** What every answer to a scan of a well-formed code or Digital Link carries, a 404 included: the link to its linkset. */
const scannedHeaders = {
  Link: {
    type: 'string',
    description: '<…?linkType=linkset>; rel="linkset"; type="application/linkset+json": the linkset of the identifier scanned',
  },
  ...varyHeader,
};

/**
 * The 2xx answers of a scan (a short code or a GS1 Digital Link). The routes send these bodies as
 * they built them (HTML and JSON text), past the response serializer.
 */
export const scanResponses = {
  200: {
    description:
      'The consumer page (text/html, by default); the consumer summary (format=json or Accept: application/json) or the lot’s tests and certificates (format=certificates) as application/json; the linkset (linkType=linkset or Accept: application/linkset+json)',
    content: {
      'text/html': { schema: z.string() },
      'application/json': { schema: z.union([consumerSummarySchema, consumerCertificatesSchema]) },
      'application/linkset+json': { schema: linksetSchema },
    },
    headers: scannedHeaders,
  },
  307: z.null().meta({
    description:
      'A linkType other than linkset: a redirect to that link (to the default link, the consumer page, for a linkType with no link here), the rest of the query string passed on',
    headers: {
      location: {
        type: 'string',
        format: 'uri-reference',
        description: 'the link the linkType names (…?format=html, json or certificates); path-absolute unless PUBLIC_BASE_URL is set',
      },
      ...scannedHeaders,
    },
  }),
};

/** A 308 of a path ending in "/" to the same path without it (`to`: where its Location leads). */
const slashRedirect = (description: string, to: string) => ({
  308: z.null().meta({
    description,
    headers: {
      location: { type: 'string', format: 'uri-reference', description: `${to}; path-absolute unless PUBLIC_BASE_URL is set` },
    },
  }),
});

/** A Digital Link ending in "/": a permanent redirect to the same link without it, the method and query string kept. */
export const trailingSlashRedirect = slashRedirect(
  'A path ending in "/" whose link is well-formed and answered here without it: a redirect to that canonical form (a 414 instead when, its query string escaped, that would be a URL longer than the service takes)',
  'the same Digital Link without the trailing "/"',
);

export const traceCodeSlashRedirect = slashRedirect(
  'A trace code followed by "/": a redirect to /t/{code}, the code as issued and the query string kept (a 414 instead when, escaped, that would be a URL longer than the service takes)',
  "the trace code's own path",
);

/**
 * An error of a scan: the scan error page (a 404 for a code never issued: the not-genuine page) when
 * the client prefers text/html and asks for no format (a phone's browser), else problem+json.
 */
export const scanError = (description: string, headers: Record<string, object> = varyHeader) => ({
  description: `${description}: a page in the shopper's language when text/html is preferred and no format is asked for, else problem+json`,
  headers,
  content: { 'application/problem+json': { schema: problemSchema }, 'text/html': { schema: z.string() } },
});

export const scanErrorResponses = {
  400: scanError(
    "A malformed code or GS1 Digital Link, or a query parameter the resolver cannot read (`format=xml`): its page names the parameter, never that the code is invalid, and its problem the parameter's path",
  ),
  404: scanError(
    "A code or key never issued here (the not-genuine page), or a key that names no lot or pack (a registered product's GTIN alone: a page naming the product and what to scan instead)",
    scannedHeaders,
  ),
  429: scanError('Too many scans from this address in a minute'),
};

/** The lookup page at `/` (a code typed when its QR code will not scan) and where its form leads. */
export const lookupResponses = {
  200: {
    description: 'The lookup page (text/html), for a client that prefers a page (a browser; no Accept or */* too)',
    headers: PAGE_HEADERS_DECLARED,
    content: { 'text/html': { schema: z.string() } },
  },
  303: z.null().meta({
    description: 'With ?code=: a redirect to the scan URL of what was typed, which the resolver answers as a scan',
    headers: {
      location: {
        type: 'string',
        format: 'uri-reference',
        description: '/t/{code} (the code as issued), /00/{sscc} or the Digital Link as typed, with the page’s lang when the form sent it',
      },
    },
  }),
  400: {
    description:
      'A code left empty, a trace code with a character mistyped (its check character fails), a mainland mobile number (11 digits, the first 1, that fail the check), or one that names nothing the resolver reads: the page again with a message, else problem+json at /code',
    content: { 'application/problem+json': { schema: problemSchema }, 'text/html': { schema: z.string() } },
  },
  404: {
    description: 'No code, and a client preferring JSON to a page',
    content: { 'application/problem+json': { schema: problemSchema } },
  },
};

export const resolverDescriptionSchema = z
  .object({
    name: z.string(),
    resolverRoot: z.string(),
    supportedPrimaryKeys: z.array(z.string()).describe('the GS1 keys whose Digital Links name a lot or pack here'),
    supportedLinkType: z.array(z.object({ namespace: z.string(), prefix: z.string() })),
    linkTypes: z.array(z.string()),
    linkTypeDefaultCanBeLinkset: z.boolean(),
    supportedContextValuesEnumerated: z.array(z.string()),
    supportedLanguages: z.array(z.string()),
    shortCodePattern: z.string().describe('the URL template of a short code, {code} for the code'),
    digitalLink: z.object({
      syntax: z.string(),
      keyQualifiers: z
        .record(z.string(), z.array(z.array(z.string())))
        .describe('per primary key, the sequences of key qualifiers it takes, each in its order'),
      keyQualifierRule: z.string(),
      dataAttributes: z.string(),
      queryParameters: z.array(z.string()),
      otherQueryParameters: z.string(),
      zeroSuppressedGtin: z.string(),
      trailingSlash: z.string(),
      deploymentPrefix: z.string(),
      statuses: z.object({ malformed: z.number().int(), wellFormedButUnknown: z.number().int(), unsupportedKey: z.number().int() }),
    }),
  })
  .meta({ id: 'ResolverDescription', description: 'What this resolver reads and answers (GET /.well-known/gs1resolver)' });
export type ResolverDescription = z.input<typeof resolverDescriptionSchema>;
