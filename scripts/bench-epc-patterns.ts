// EPC pattern benchmark: GET /epcis/events?MATCH_anyEPC=<N patterns> over the demo chain and
// `epcs` SGTINs captured in one ObjectEvent, for N up to MAX_MATCH_VALUES.
//
//   npx tsx scripts/bench-epc-patterns.ts [--epcs 3000] [--samples 3] [--explain]
//
// PostgreSQL when DATABASE_URL is set (a fresh bench_patterns_<random> database on that server,
// dropped at the end), else an in-memory PGlite. The EPCs are urn:epc:id:sgtin:0614141.900000.<serial>;
// of the N patterns, N - 1 are urn:epc:idpat:sgtin:0614141.<812000 + i>.*, naming none of them, and
// the last one urn:epc:idpat:sgtin:0614141.900000.*. The database is
// analysed after the capture, as autovacuum keeps a database in use. Timed through the
// service (queryByParameters) as the regulator reads, the first run of each N not counted. With
// --explain it prints EXPLAIN (ANALYZE, BUFFERS) of the statement that reads the patterns' lots.
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { seedDemoChain } from '../seeds/fengjie.js';
import type { Principal } from '../src/access/index.js';
import { buildApp } from '../src/app.js';
import { type ObservedQuery, queryRows } from '../src/db/client.js';
import { MAX_MATCH_VALUES } from '../src/epcis/query-params.js';
import { parseFlags } from './lib/args.js';
import { explain, withScratchDatabase } from './lib/database.js';
import { formatMs, printTable } from './lib/report.js';

const { epcs: EPCS, samples: SAMPLES, explain: EXPLAIN } = parseFlags({ epcs: 3000, samples: 3, explain: false });
/** N patterns, only the last of which names the EPCs stored: every other one is tried on each of them. */
const patterns = (n: number) =>
  [...Array.from({ length: n - 1 }, (_, i) => `urn:epc:idpat:sgtin:0614141.${812000 + i}.*`), 'urn:epc:idpat:sgtin:0614141.900000.*'].join(
    '|',
  );
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

await withScratchDatabase('patterns', async ({ database, label }) => {
  console.log(`database: ${label}`);
  const app = await buildApp({ database });
  try {
    const demo = await seedDemoChain(app.services);
    const processor = Object.values(demo.parties).find((code) => code.includes('P')) ?? Object.values(demo.parties)[0];
    const operator: Principal = { keyId: 'bench', role: 'operator', partyCode: processor };
    await app.services.epcis.captureSingle(operator, {
      '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
      type: 'ObjectEvent',
      eventTime: '2026-03-01T08:00:00+08:00',
      eventTimeZoneOffset: '+08:00',
      action: 'ADD',
      bizStep: 'commissioning',
      epcList: Array.from({ length: EPCS }, (_, serial) => `urn:epc:id:sgtin:0614141.900000.${serial + 1}`),
    });
    // statistics as autovacuum keeps them on a database in use
    await queryRows(database.db, sql`analyze`);
    const regulator: Principal = { keyId: 'bench', role: 'admin', partyCode: null };
    const rows: string[][] = [];
    for (const n of [1, 30, 40, MAX_MATCH_VALUES]) {
      const params = {
        MATCH_anyEPC: patterns(n),
        perPage: '1000',
      };
      const times: number[] = [];
      let found = 0;
      for (let sample = 0; sample <= SAMPLES; sample++) {
        const started = performance.now();
        found = (await app.services.epcis.queryByParameters(regulator, params, 'Never_Translates')).events.length;
        if (sample > 0) times.push(performance.now() - started);
      }
      rows.push([String(n), String(found), formatMs(median(times))]);
    }
    printTable(['patterns', 'events', 'median'], rows);
    if (EXPLAIN) {
      const sent: ObservedQuery[] = [];
      const stop = database.stats.observe((query) => {
        if (/lot_identifiers li/.test(query.text)) sent.push(query);
      });
      const params = {
        MATCH_anyEPC: patterns(MAX_MATCH_VALUES),
      };
      await app.services.epcis.queryByParameters(regulator, params, 'Never_Translates');
      stop();
      for (const line of await explain(database, sent[0])) console.log(line);
    }
  } finally {
    await app.close();
  }
});
