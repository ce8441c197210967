// The service under load in the script's own process: a free port to listen on, and a CPU profile
// of this process (the server; load generators run in child processes) while some work runs, and
// an HTTP client on a thread of its own.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createServer } from 'node:net';
import { Worker } from 'node:worker_threads';

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };

/**
 * Runs `work` under the V8 sampling profiler of this process; the report lists self time by area
 * (a package, a file of the project, GC, idle) and the top frames. With `save`, the profile is also
 * written there (a .cpuprofile file, for Chrome DevTools or speedscope).
 */
export async function profiled<T>(work: () => Promise<T>, frames = 12, save?: string): Promise<{ value: T; report: string[] }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  await session.post('Profiler.start');
  let value: T;
  let profile: { nodes: ProfileNode[] };
  try {
    value = await work();
  } finally {
    ({ profile } = (await session.post('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[] } });
    session.disconnect();
  }
  if (save) await writeFile(save, JSON.stringify(profile));
  const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0) || 1;
  const where = (url: string) => {
    const path = url.replace(/^file:\/\//, '');
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    if (pkg) return pkg;
    const local = /\/(src|seeds|scripts)\/(.+)$/.exec(path);
    return local ? `${local[1]}/${local[2]}` : path.startsWith('node:') ? path : path ? 'node internals' : '(native)';
  };
  const byArea = new Map<string, number>();
  const byFrame = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = functionName.startsWith('(') ? functionName : where(url);
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
    const frame = functionName.startsWith('(') ? functionName : `${functionName || '(anonymous)'} ${where(url)}:${lineNumber + 1}`;
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + hits);
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, hits]) => `${((hits / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
  return {
    value,
    report: [
      '  by area:',
      ...top(byArea, 10).map((l) => `    ${l}`),
      '  top frames (self time):',
      ...top(byFrame, frames).map((l) => `    ${l}`),
    ],
  };
}

/** What a client got: the status, the body (whole, joined after the clock stopped) and the time to its last byte. */
export type Fetched = { status: number; bytes: number; ms: number; body: Uint8Array };

const FETCH_CLIENT = `
const { parentPort } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
parentPort.on('message', async ({ id, url, headers }) => {
  try {
    const start = performance.now();
    const response = await fetch(url, { headers });
    const chunks = [];
    let bytes = 0;
    for await (const chunk of response.body ?? []) {
      chunks.push(chunk);
      bytes += chunk.byteLength;
    }
    const ms = performance.now() - start;
    const body = Buffer.concat(chunks);
    const copy = new Uint8Array(body);
    parentPort.postMessage({ id, status: response.status, bytes, ms, body: copy }, [copy.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error) });
  }
});`;

/**
 * An HTTP client on a thread of its own, as the load generators of the other benchmarks run in
 * child processes: receiving a large response (40 MB) takes CPU time and garbage collection that
 * a client on another machine would not take from the server. Times each request from its start
 * to the last byte received, on its own clock.
 */
export function clientThread() {
  const worker = new Worker(FETCH_CLIENT, { eval: true });
  worker.unref();
  const waiting = new Map<number, { resolve: (fetched: Fetched) => void; reject: (error: Error) => void }>();
  let next = 0;
  worker.on('message', (message: Fetched & { id: number; error?: string }) => {
    const request = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error) request?.reject(new Error(message.error));
    else request?.resolve(message);
  });
  return {
    get(url: string, headers: Record<string, string>): Promise<Fetched> {
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, url, headers });
      });
    },
    close: () => worker.terminate(),
  };
}
