import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
function diffPath(a: any, b: any, path = ''): string[] { if (isDeepStrictEqual(a, b)) return []; if (a && b && typeof a === 'object' && typeof b === 'object') { const keys = new Set([...Object.keys(a), ...Object.keys(b)]); return [...keys].flatMap((k) => diffPath(a[k], b[k], `${path}/${k}`)); } return [`${path}: got ${JSON.stringify(a)?.slice(0,200)} want ${JSON.stringify(b)?.slice(0,200)}`]; }
import { createWorld } from './fixtures/world.js';
import { eventHashId, documentEvents } from '../src/epcis/event-hash.js';
const ROOT = '/work/shared/conformance/epcis';
const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]).sort();
const teardowns: (() => unknown)[] = [];
const fakeT = { teardown: (f: () => unknown) => teardowns.push(f) } as never;
const world = await createWorld(fakeT);
const p = await world.party('processor');
const auth = { authorization: `Bearer ${p.key}` };
const strip = (e: any, keys: string[]) => { const c = { ...e }; for (const k of keys) delete c[k]; return c; };
async function capture(doc: unknown) {
  const r = await world.app.inject({ method: 'POST', url: '/epcis/capture', payload: JSON.stringify(doc), headers: { ...auth, 'content-type': 'application/ld+json' } });
  if (r.statusCode !== 202) return { status: r.statusCode, body: r.json() };
  await world.app.services.epcis.idle();
  const j = await world.app.inject({ method: 'GET', url: `/epcis/capture/${r.json().captureID}`, headers: auth });
  return { status: 202, job: j.json() };
}
const docs = [...walk(join(ROOT, 'gs1-examples')).filter((f) => !f.includes('EPCISQueryDocument')), ...walk(join(ROOT, 'openepcis/valid-documents'))];
const t0 = Date.now();
for (const f of docs) {
  const doc = JSON.parse(readFileSync(f, 'utf8'));
  const res = await capture(doc);
  const short = f.slice(ROOT.length + 1);
  if (res.status !== 202) { console.log('REJECT', short, JSON.stringify(res.body).slice(0, 600)); continue; }
  if (!res.job.success) { console.log('JOBFAIL', short, JSON.stringify(res.job).slice(0, 600)); continue; }
  const events = documentEvents(doc);
  for (const [i, ev] of events.entries()) {
    const id = res.job.eventIDs[i];
    const q = await world.app.inject({ method: 'GET', url: `/epcis/events?EQ_eventID=${encodeURIComponent(id)}`, headers: auth });
    const list = q.json().epcisBody?.queryResults?.resultsBody?.eventList;
    if (!list || list.length !== 1) { console.log('QUERY', short, i, id, q.statusCode, list?.length); continue; }
    const got = strip(list[0], ['recordTime', 'eventID', ...(ev.errorDeclaration ? ['errorDeclaration'] : [])]);
    const want = strip(ev, ['recordTime', 'eventID', 'errorDeclaration']);
    const d = diffPath(got, want); if (d.length) console.log('DIFF', short, i, d.join(' | '));
    if (ev.errorDeclaration && !list[0].errorDeclaration) console.log('NOERRDECL', short, i);
    if (ev.eventID && id !== ev.eventID) console.log('IDCHANGE', short, i, ev.eventID, id);
  }
  if (res.job.duplicates) console.log('dups', short, res.job.duplicates);
}
console.log('docs ms', Date.now() - t0);
for (const f of walk(join(ROOT, 'openepcis/valid-single-events'))) {
  const r = await world.app.inject({ method: 'POST', url: '/epcis/events', payload: readFileSync(f, 'utf8'), headers: { ...auth, 'content-type': 'application/ld+json' } });
  console.log('SINGLE', f.slice(ROOT.length + 1), r.statusCode, r.statusCode >= 300 ? r.body.slice(0, 400) : '');
}
for (const f of walk(join(ROOT, 'openepcis/invalid'))) {
  const r = await world.app.inject({ method: 'POST', url: '/epcis/capture', payload: readFileSync(f, 'utf8'), headers: { ...auth, 'content-type': 'application/ld+json' } });
  console.log('INVALID', f.slice(ROOT.length + 1), r.statusCode, r.headers['content-type'], JSON.stringify(r.json().errors ?? r.json()).slice(0, 500));
}
for (const f of readdirSync(join(ROOT, 'event-hash')).filter((f) => f.endsWith('.jsonld')).sort()) {
  const base = join(ROOT, 'event-hash', f.replace(/\.jsonld$/, ''));
  let hashes: string[]; try { hashes = readFileSync(`${base}.hashes`, 'utf8').split('\n').filter(Boolean); } catch { console.log('HASH nohashes', f); continue; }
  const doc = JSON.parse(readFileSync(join(ROOT, 'event-hash', f), 'utf8'));
  const res = await capture(doc);
  if (res.status !== 202) { console.log('HASH REJECT', f, JSON.stringify(res.body).slice(0, 500)); continue; }
  const eq = JSON.stringify(res.job.eventIDs) === JSON.stringify(hashes);
  console.log('HASH', f, res.job.success, eq, res.job.duplicates, eq ? '' : JSON.stringify(res.job).slice(0, 500));
}
for (const f of teardowns.reverse()) await f();
