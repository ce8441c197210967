// Capture throughput: EPCIS 2.0 documents against the native event API, in one run.
//
//   npx tsx scripts/bench-epcis.ts [--docs 20]
//
// PostgreSQL when DATABASE_URL is set (a fresh bench_epcis_<random> database on that server,
// dropped at the end, also after a failure or Ctrl-C), else an in-memory PGlite. One processor
// party with an operator key, two products with GTINs. Then, through app.inject (no network):
//   EPCIS   --docs EPCISDocuments of 100 events each (50 ObjectEvents commissioning GTIN + lot
//           classes, 25 TransformationEvents of 2 lots into 1, 25 AggregationEvents packing each
//           new lot onto an SSCC; Digital Link EPCs, no eventIDs so every id is the CBV 2.0 hash)
//           POSTed to /epcis/capture; timed until the capture jobs are done (services.epcis.idle()).
//   native  the same events through POST /events (commission, transform, aggregate), one request each.
// A warm-up document and its native equivalent run first and are not timed.
import { performance } from 'node:perf_hooks';
import { customAlphabet } from 'nanoid';
import { type App, buildApp } from '../src/app.js';
import { completeGs1 } from '../src/codes/gs1.js';
import { MOD31_CHARSET } from '../src/codes/mod31.js';
import { completeUscc } from '../src/codes/uscc.js';
import { parseFlags } from './lib/args.js';
import { type Scratch, withScratchDatabase } from './lib/database.js';
import { formatNumber, formatRatio } from './lib/report.js';

const { docs: DOCS } = parseFlags({ docs: 20 });

const EVENTS_PER_DOC = 100;
const COMMISSIONS = 50;
const TRANSFORMS = 25; // each takes 2 commissioned lots; then one aggregation per new lot
const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'];
const RAW_GTIN = completeGs1('0690123400001');
const CURED_GTIN = completeGs1('0690123400002');
const GLN = completeGs1('690123400001');
const sscc = (run: number, doc: number, j: number) =>
  completeGs1(`0690123${String(run).padStart(2, '0')}${String(doc).padStart(5, '0')}${String(j).padStart(3, '0')}`);

// ---------------------------------------------------------------------------------------
// the workload

type Json = Record<string, unknown>;

async function request(app: App, key: string, method: 'GET' | 'POST', url: string, payload?: unknown, contentType = 'application/json') {
  const reply = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${key}`, ...(payload === undefined ? {} : { 'content-type': contentType }) },
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  });
  return { status: reply.statusCode, body: reply.json() as Json };
}

async function expect(reply: Promise<{ status: number; body: Json }>, status: number, what: string): Promise<Json> {
  const result = await reply;
  if (result.status !== status)
    throw new Error(`${what}: expected ${status}, got ${result.status} ${JSON.stringify(result.body).slice(0, 500)}`);
  return result.body;
}

/** Event times: one minute apart, ending before now, so none is in the future. */
function clock(total: number) {
  const start = Date.now() - (total + 10) * 60_000;
  let tick = 0;
  return () => new Date(start + tick++ * 60_000).toISOString();
}

/** One EPCISDocument of 100 events (no eventIDs). `run` keeps identifiers apart between warm-up and timed runs. */
function epcisDocument(run: number, doc: number, time: () => string): Json {
  const lot = (gtin: string, number: string) => `https://id.gs1.org/01/${gtin}/10/${number}`;
  const raw = (i: number) => lot(RAW_GTIN, `E${run}-${doc}-R${i}`);
  const cured = (j: number) => lot(CURED_GTIN, `E${run}-${doc}-C${j}`);
  const where = { readPoint: { id: `https://id.gs1.org/414/${GLN}` }, bizLocation: { id: `https://id.gs1.org/414/${GLN}` } };
  const common = () => ({ eventTime: time(), eventTimeZoneOffset: '+08:00' });
  const events: Json[] = [];
  for (let i = 0; i < COMMISSIONS; i++) {
    events.push({
      type: 'ObjectEvent',
      ...common(),
      quantityList: [{ epcClass: raw(i), quantity: 100, uom: 'KGM' }],
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      ...where,
    });
  }
  for (let j = 0; j < TRANSFORMS; j++) {
    events.push({
      type: 'TransformationEvent',
      ...common(),
      inputQuantityList: [
        { epcClass: raw(2 * j), quantity: 100, uom: 'KGM' },
        { epcClass: raw(2 * j + 1), quantity: 100, uom: 'KGM' },
      ],
      outputQuantityList: [{ epcClass: cured(j), quantity: 150, uom: 'KGM' }],
      bizStep: 'commissioning',
      disposition: 'active',
      ...where,
    });
  }
  for (let j = 0; j < TRANSFORMS; j++) {
    events.push({
      type: 'AggregationEvent',
      ...common(),
      parentID: `https://id.gs1.org/00/${sscc(run, doc, j)}`,
      childQuantityList: [{ epcClass: cured(j), quantity: 150, uom: 'KGM' }],
      action: 'ADD',
      bizStep: 'packing',
      disposition: 'in_progress',
      ...where,
    });
  }
  return {
    '@context': CONTEXT,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: { eventList: events },
  };
}

type Setup = { app: App; key: string; raw: string; cured: string; location: string };

/** The same 100 events through POST /events. Returns the number recorded. */
async function nativeDocument({ app, key, raw, cured, location }: Setup, run: number, doc: number, time: () => string): Promise<number> {
  const post = async (body: Json) =>
    (
      await expect(
        request(app, key, 'POST', '/events', { eventTime: time(), readPoint: location, bizLocation: location, ...body }),
        201,
        `native ${body.type}`,
      )
    ).createdLotCodes as string[];
  const rawLots: string[] = [];
  for (let i = 0; i < COMMISSIONS; i++) {
    rawLots.push(
      ...(await post({
        type: 'commission',
        bizStep: 'commissioning',
        disposition: 'active',
        lots: [{ productCode: raw, lotNumber: `N${run}-${doc}-R${i}`, quantity: 100, unit: 'kg' }],
      })),
    );
  }
  const curedLots: string[] = [];
  for (let j = 0; j < TRANSFORMS; j++) {
    curedLots.push(
      ...(await post({
        type: 'transform',
        bizStep: 'commissioning',
        disposition: 'active',
        process: { kind: 'curing' },
        inputs: [
          { lotCode: rawLots[2 * j], quantity: 100 },
          { lotCode: rawLots[2 * j + 1], quantity: 100 },
        ],
        outputs: [{ productCode: cured, lotNumber: `N${run}-${doc}-C${j}`, quantity: 150, unit: 'kg' }],
      })),
    );
  }
  for (let j = 0; j < TRANSFORMS; j++) {
    await post({
      type: 'aggregate',
      bizStep: 'packing',
      disposition: 'in_progress',
      parent: { sscc: sscc(run + 50, doc, j) },
      children: [{ lotCode: curedLots[j] }],
    });
  }
  return COMMISSIONS + 2 * TRANSFORMS;
}

/** POSTs the documents, waits for their capture jobs, checks every job stored all its events. */
async function epcisRun({ app, key }: Setup, run: number, docs: number, time: () => string) {
  const ids: string[] = [];
  const start = performance.now();
  for (let doc = 0; doc < docs; doc++) {
    ids.push(
      (await expect(request(app, key, 'POST', '/epcis/capture', epcisDocument(run, doc, time), 'application/ld+json'), 202, 'capture'))
        .captureID as string,
    );
  }
  const accepted = performance.now() - start;
  await app.services.epcis.idle();
  const elapsed = performance.now() - start;
  let events = 0;
  for (const id of ids) {
    const job = await expect(request(app, key, 'GET', `/epcis/capture/${id}`), 200, 'capture job');
    if (job.success !== true || job.captured !== EVENTS_PER_DOC)
      throw new Error(`capture job ${id} did not store all events: ${JSON.stringify(job).slice(0, 500)}`);
    events += job.captured as number;
  }
  return { events, elapsed, accepted };
}

async function nativeRun(setup: Setup, run: number, docs: number, time: () => string) {
  const start = performance.now();
  let events = 0;
  for (let doc = 0; doc < docs; doc++) events += await nativeDocument(setup, run, doc, time);
  return { events, elapsed: performance.now() - start };
}

// ---------------------------------------------------------------------------------------

async function main({ database, label }: Scratch) {
  const app = await buildApp({ database, bodyLimit: 16 * 1024 * 1024, publicBaseUrl: 'https://bench.example' });
  try {
    const adminKey = (await app.services.apiKeys.ensureAdminKey()) as string;
    const uscc = completeUscc(`91500236${customAlphabet(MOD31_CHARSET, 9)()}`);
    const party = await expect(
      request(app, adminKey, 'POST', '/parties', { kind: 'processor', name: 'bench processor', uscc, regionCode: '500236' }),
      201,
      'party',
    );
    const partyCode = party.code as string;
    const key = (await expect(request(app, adminKey, 'POST', '/api-keys', { role: 'operator', partyCode }), 201, 'operator key'))
      .key as string;
    const product = async (name: string, gtin: string, category: string) =>
      (await expect(request(app, key, 'POST', '/products', { partyCode, name, gtin, category, unit: 'kg' }), 201, 'product'))
        .code as string;
    const raw = await product('fresh pork', RAW_GTIN, 'fresh_meat');
    const cured = await product('cured pork', CURED_GTIN, 'cured_meat');
    const location = (
      await expect(
        request(app, key, 'POST', '/locations', { partyCode, name: 'plant', kind: 'plant', regionCode: '500236' }),
        201,
        'location',
      )
    ).code as string;
    const setup: Setup = { app, key, raw, cured, location };
    const time = clock((DOCS + 1) * EVENTS_PER_DOC * 2);

    console.log(`database   ${label}`);
    console.log(
      `workload   ${DOCS} × ${EVENTS_PER_DOC} events (${COMMISSIONS} commission, ${TRANSFORMS} transform, ${TRANSFORMS} aggregate) each way, after one untimed warm-up document`,
    );
    await epcisRun(setup, 0, 1, time);
    await nativeRun(setup, 0, 1, time);

    const epcis = await epcisRun(setup, 1, DOCS, time);
    const native = await nativeRun(setup, 1, DOCS, time);
    const epcisRate = epcis.events / (epcis.elapsed / 1000);
    const nativeRate = native.events / (native.elapsed / 1000);
    console.log(
      `EPCIS      ${formatNumber(epcis.events)} events in ${formatNumber(epcis.elapsed / 1000, 2)} s → ${formatNumber(epcisRate)} events/s  (${DOCS} × POST /epcis/capture, last 202 after ${formatNumber(epcis.accepted / 1000, 2)} s; jobs run meanwhile)`,
    );
    console.log(
      `native     ${formatNumber(native.events)} events in ${formatNumber(native.elapsed / 1000, 2)} s → ${formatNumber(nativeRate)} events/s  (POST /events ×${formatNumber(native.events)})`,
    );
    console.log(`ratio      EPCIS / native = ${formatRatio(epcisRate / nativeRate)}`);
  } finally {
    await app.close();
  }
}

await withScratchDatabase('epcis', main);
