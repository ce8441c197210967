import { z } from 'zod';
import { seedDemoChain } from '../../seeds/fengjie.js';
import { completeGs1 } from '../../src/codes/gs1.js';
import { mod31CheckChar } from '../../src/codes/mod31.js';
import { problemSchema } from '../../src/errors/problem.js';
import { resolverDescriptionSchema, scanResponses } from '../../src/resolver/schemas.js';
import {
  committedOpenApi,
  conformsTo,
  declaredMediaTypes,
  declaredResponse,
  headersNotDeclared,
  mediaTypeOf,
  type OpenApiDocument,
  servedOpenApi,
} from '../fixtures/openapi.js';
import { buildTestApp, TEST_BASE_URL } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const SCAN_PATHS = ['/t/{code}', '/01/{*}', '/00/{*}'];
const SCAN_ANSWERS = { '200': ['text/html', 'application/json', 'application/linkset+json'], '307': [] };

t.test(
  'a scan answers each 2xx with a content type the OpenAPI document declares, its body as the declared schema describes it',
  async (t) => {
    const { app } = await buildTestApp(t);
    const demo = await seedDemoChain(app.services);
    const document = await servedOpenApi(app);
    const item = demo.itemCode;
    const gtin = (await app.inject({ method: 'GET', url: `/t/${item}?format=json` })).json().product.gtin;
    const scans: [string, string][] = [
      ['/t/{code}', `/t/${item}`],
      ['/01/{*}', `/01/${gtin}/10/${demo.retailLotNumber}/21/${item}`],
      ['/01/{*}', `/01/${gtin}/10/${demo.retailLotNumber}`],
      // the demo's pallet
      ['/00/{*}', `/00/${completeGs1('06901234500000001')}`],
    ];
    const asks: [string, Record<string, string>][] = [
      ['', {}],
      ['', { accept: 'application/json' }],
      ['', { accept: 'application/linkset+json' }],
      ...[
        'format=json',
        'format=certificates',
        'format=html',
        'linkType=linkset',
        'linkType=gs1:pip',
        'linkType=gs1:certificationInfo',
      ].map((query): [string, Record<string, string>] => [`?${query}`, {}]),
    ];
    const seen = new Set<string>();
    for (const [path, scanned] of scans) {
      for (const [query, headers] of asks) {
        const url = `${scanned}${query}`;
        const response = await app.inject({ method: 'GET', url, headers });
        const what = `${url} (${headers.accept ?? 'no Accept'})`;
        const declared = document.paths[path].get.responses[response.statusCode];
        if (!declared) {
          t.fail(`${what}: ${response.statusCode} is not declared`);
          continue;
        }
        t.strictSame(headersNotDeclared(declared, response.headers), [], `${what}: every header it carries declared`);
        if (response.statusCode === 307) {
          t.ok(declared.headers?.location && response.headers.location, `${what}: a redirect, with its Location declared`);
          seen.add('307');
          continue;
        }
        t.equal(response.statusCode, 200, what);
        const mediaType = mediaTypeOf(response.headers);
        t.ok(declared.content?.[mediaType], `${what}: ${mediaType} is declared`);
        const schema = scanResponses[200].content[mediaType as keyof (typeof scanResponses)[200]['content']].schema;
        conformsTo(t, schema, mediaType === 'text/html' ? response.body : response.json(), what);
        seen.add(`200 ${mediaType}`);
      }
    }
    t.strictSame(
      [...seen].sort(),
      ['200 application/json', '200 application/linkset+json', '200 text/html', '307'],
      'every declared answer was given',
    );
  },
);

t.test('the JSON a scan answers is sent as built: members in their order, none added or left out', async (t) => {
  const { app } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const path = `/t/${demo.itemCode}`;
  const get = (query: string) => app.inject({ method: 'GET', url: `${path}?${query}` });

  const summary = (await get('format=json')).json();
  t.equal(
    (await get('format=certificates')).body,
    JSON.stringify({ code: demo.itemCode, certificates: summary.certificates, tests: summary.tests }),
    "the certificates are the summary's, as the summary lists them",
  );

  const linkset = await get('linkType=linkset');
  t.equal(linkset.headers['content-type'], 'application/linkset+json; charset=utf-8');
  const link = (format: string, type: string, title: string) => ({ href: `${TEST_BASE_URL}${path}?format=${format}`, type, title });
  const languages = { hreflang: ['zh-CN', 'en'] };
  const pip = link('html', 'text/html', '产品溯源信息 / Product traceability page');
  t.equal(
    linkset.body,
    JSON.stringify({
      linkset: [
        {
          anchor: `${TEST_BASE_URL}${path}`,
          'https://gs1.org/voc/pip': [{ ...pip, ...languages }],
          'https://gs1.org/voc/traceability': [{ ...link('json', 'application/json', '溯源数据 / Trace summary'), ...languages }],
          'https://gs1.org/voc/certificationInfo': [
            { ...link('certificates', 'application/json', '检测报告与证书 / Tests and certificates'), ...languages },
          ],
          'https://gs1.org/voc/defaultLink': [pip],
        },
      ],
    }),
  );
});

/** The bodies a scan error may have: the scan error page, or a problem. */
const ERROR_BODIES: Record<string, z.ZodType> = { 'text/html': z.string(), 'application/problem+json': problemSchema };

t.test('a scan answers each error as the OpenAPI document declares it: a page when a browser asks, else problem+json', async (t) => {
  const { app } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const document = await servedOpenApi(app);
  const gtin = (await app.inject({ method: 'GET', url: `/t/${demo.itemCode}?format=json` })).json().product.gtin;
  const unissued = `0000000001${mod31CheckChar('0000000001')}`;
  const errors: [string, string, number][] = [
    ['/t/{code}', `/t/${'A'.repeat(65)}`, 400],
    ['/t/{code}', `/t/${unissued}`, 404],
    ['/t/{code}', `/t/${unissued}?linkType=gs1:nothing`, 404],
    ['/01/{*}', `/01/${gtin.slice(1)}`, 400],
    ['/01/{*}', '/01/09506000134352/21/X', 404],
    ['/00/{*}', '/00/106901234500000011', 400],
    ['/00/{*}', '/00/106901234500000010', 404],
    ['/414/{*}', '/414/123', 400],
    ['/414/{*}', `/414/${completeGs1('690123400001')}`, 404],
    ['/8003/{*}', '/8003/0', 400],
  ];
  const seen = new Set<string>();
  for (const [path, url, status] of errors) {
    for (const accept of ['text/html,application/xhtml+xml,*/*;q=0.8', 'application/json', undefined]) {
      const response = await app.inject({ method: 'GET', url, headers: accept ? { accept } : {} });
      const what = `${url} (${accept ?? 'no Accept'})`;
      t.equal(response.statusCode, status, what);
      const mediaType = mediaTypeOf(response.headers);
      const declared = declaredResponse(document, path, status);
      t.ok(declared?.content?.[mediaType], `${what}: ${status} ${mediaType} is declared`);
      t.strictSame(headersNotDeclared(declared, response.headers), [], `${what}: every header it carries declared`);
      conformsTo(t, ERROR_BODIES[mediaType] ?? z.never(), mediaType === 'text/html' ? response.body : response.json(), what);
      seen.add(`${status} ${mediaType}`);
    }
  }
  t.strictSame(
    [...seen].sort(),
    ['400 application/problem+json', '400 text/html', '404 application/problem+json', '404 text/html'],
    'pages and problems alike',
  );
});

t.test('too many scans are answered as declared: the page for a browser, else problem+json', async (t) => {
  const { app } = await buildTestApp(t, undefined, { scansPerMinute: 1 });
  const document = await servedOpenApi(app);
  await app.inject({ method: 'GET', url: '/t/B' });
  for (const [path, url] of [
    ['/t/{code}', '/t/B'],
    ['/01/{*}', '/01/09506000134352'],
    ['/00/{*}', '/00/106901234500000010'],
  ]) {
    for (const accept of ['text/html', 'application/json']) {
      const response = await app.inject({ method: 'GET', url, headers: { accept } });
      const mediaType = mediaTypeOf(response.headers);
      t.equal(response.statusCode, 429, `${url} (${accept})`);
      t.equal(mediaType, accept === 'text/html' ? 'text/html' : 'application/problem+json');
      t.ok(declaredResponse(document, path, 429)?.content?.[mediaType], `${url}: 429 ${mediaType} is declared`);
      t.strictSame(headersNotDeclared(declaredResponse(document, path, 429), response.headers), [], `${url}: every header declared`);
      conformsTo(t, ERROR_BODIES[mediaType], mediaType === 'text/html' ? response.body : response.json(), url);
    }
  }
});

t.test("the resolver's description (/.well-known/gs1resolver) is what the OpenAPI document declares", async (t) => {
  const { app } = await buildTestApp(t);
  const document = await servedOpenApi(app);
  const response = await app.inject({ method: 'GET', url: '/.well-known/gs1resolver' });
  t.equal(response.statusCode, 200);
  const mediaType = mediaTypeOf(response.headers);
  t.strictSame(declaredMediaTypes(document, '/.well-known/gs1resolver')['200'], [mediaType], `200 ${mediaType} is declared`);
  t.strictSame(declaredResponse(document, '/.well-known/gs1resolver', 200)?.content?.[mediaType], {
    schema: { $ref: '#/components/schemas/ResolverDescription' },
  });
  conformsTo(t, resolverDescriptionSchema, response.json(), '/.well-known/gs1resolver');
  t.strictSame(
    committedOpenApi().components.schemas.ResolverDescription,
    document.components.schemas.ResolverDescription,
    'openapi/openapi.json has ResolverDescription',
  );
});

const scanResponsesOf = (document: OpenApiDocument) =>
  Object.fromEntries([...SCAN_PATHS, '/414/{*}', '/8003/{*}'].map((path) => [path, document.paths[path].get.responses]));

t.test('the OpenAPI document declares the 200 and 307 answers of the scan routes, with their content types', async (t) => {
  const { app } = await buildTestApp(t);
  const served = await servedOpenApi(app);
  for (const path of SCAN_PATHS) {
    const { '200': page, '307': redirect } = declaredMediaTypes(served, path);
    t.strictSame({ '200': page, '307': redirect }, SCAN_ANSWERS, `${path}: the page, the JSON, the linkset and the redirect`);
    t.match(served.paths[path].get.responses['307'].headers, { location: { schema: { type: 'string', format: 'uri-reference' } } });
  }
  for (const path of ['/414/{*}', '/8003/{*}'])
    t.notOk(served.paths[path].get.responses['200'], `${path}: names no lot or pack, so it answers no 200`);

  const committed = committedOpenApi();
  t.strictSame(scanResponsesOf(committed), scanResponsesOf(served), 'openapi/openapi.json declares them too');
  for (const name of ['ConsumerSummary', 'ConsumerCertificates', 'Linkset'])
    t.strictSame(committed.components.schemas[name], served.components.schemas[name], `openapi/openapi.json has ${name}`);
});

t.test('a client asking for the linkset is answered errors as problem+json, not with the page', async (t) => {
  const { app } = await buildTestApp(t);
  const unissued = `0000000001${mod31CheckChar('0000000001')}`;
  for (const [url, status] of [
    [`/t/${unissued}`, 404],
    ['/t/ABC', 400],
    ['/01/09506000134352/21/X', 404],
    ['/01/9506000134352/21/X', 400],
  ] as const) {
    const response = await app.inject({ method: 'GET', url, headers: { accept: 'application/linkset+json' } });
    t.equal(response.statusCode, status, url);
    t.equal(mediaTypeOf(response.headers), 'application/problem+json', `${url}: a problem, as an API client reads it`);
    conformsTo(t, problemSchema, response.json(), url);
  }
});

t.test("a client that accepts the linkset follows the linkset's links to what they name", async (t) => {
  const { app } = await buildTestApp(t);
  const demo = await seedDemoChain(app.services);
  const path = `/t/${demo.itemCode}`;
  const accept = { accept: 'application/linkset+json' };
  const linkset = await app.inject({ method: 'GET', url: path, headers: accept });
  t.equal(mediaTypeOf(linkset.headers), 'application/linkset+json', 'with no parameter, Accept asks for the linkset');
  const links = linkset.json().linkset[0];
  for (const relation of ['https://gs1.org/voc/pip', 'https://gs1.org/voc/traceability', 'https://gs1.org/voc/certificationInfo']) {
    const [{ href, type }] = links[relation];
    const followed = await app.inject({ method: 'GET', url: href.slice(TEST_BASE_URL.length), headers: accept });
    t.equal(followed.statusCode, 200, href);
    t.equal(mediaTypeOf(followed.headers), type, `${relation}: the link's ${type}, as the link's format asks`);
  }
  const redirect = await app.inject({ method: 'GET', url: `${path}?linkType=gs1:traceability`, headers: accept });
  t.equal(redirect.statusCode, 307, 'a linkType is a redirect to its link');
  t.equal(redirect.headers.location, `${path}?format=json`);
  const summary = await app.inject({ method: 'GET', url: `${path}?format=json`, headers: accept });
  t.equal(summary.json().code, demo.itemCode, 'which is the summary');
});
