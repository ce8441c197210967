import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { createWorld } from './fixtures/world.js';
import { documentEvents } from '../src/epcis/event-hash.js';
function diffPath(a: any, b: any, path = ''): string[] { if (isDeepStrictEqual(a, b)) return []; if (a && b && typeof a === 'object' && typeof b === 'object') { const keys = new Set([...Object.keys(a), ...Object.keys(b)]); return [...keys].flatMap((k) => diffPath(a[k], b[k], `${path}/${k}`)); } return [`${path}: got ${JSON.stringify(a)?.slice(0,300)} want ${JSON.stringify(b)?.slice(0,300)}`]; }
const ROOT = '/work/shared/conformance/epcis/';
const files = process.argv.slice(2);
const teardowns: (() => unknown)[] = [];
const fakeT = { teardown: (f: () => unknown) => teardowns.push(f) } as never;
const strip = (e: any, keys: string[]) => { const c = { ...e }; for (const k of keys) delete c[k]; return c; };
for (const f of files) {
  const world = await createWorld(fakeT);
  const p = await world.party('processor');
  const auth = { authorization: `Bearer ${p.key}` };
  const doc = JSON.parse(readFileSync(ROOT + f, 'utf8'));
  const r = await world.app.inject({ method: 'POST', url: '/epcis/capture', payload: JSON.stringify(doc), headers: { ...auth, 'content-type': 'application/ld+json' } });
  await world.app.services.epcis.idle();
  const job = (await world.app.inject({ method: 'GET', url: `/epcis/capture/${r.json().captureID}`, headers: auth })).json();
  console.log(f, JSON.stringify(job));
  for (const [i, ev] of documentEvents(doc).entries()) {
    const q = await world.app.inject({ method: 'GET', url: `/epcis/events?EQ_eventID=${encodeURIComponent(job.eventIDs[i])}`, headers: auth });
    const list = q.json().epcisBody.queryResults.resultsBody.eventList;
    const d = diffPath(strip(list[0], ['recordTime', 'eventID', ...(ev.errorDeclaration ? ['errorDeclaration'] : [])]), strip(ev, ['recordTime', 'eventID', 'errorDeclaration']));
    console.log('  ', i, ev.eventID ?? '-', list.length, d.join(' | '));
  }
}
for (const f of teardowns.reverse()) await f();
