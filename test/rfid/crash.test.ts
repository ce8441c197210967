// A real crash during reader ingest: the service runs as its own process, readers stream batches
// at it, it is killed with SIGKILL mid-stream and started again on the same data. Every batch it
// acknowledged must then be stored, each read exactly once, and the observations left waiting
// must still become events (or be counted as unknown tags).
import { zebraEvent } from '../fixtures/rfid-payloads.js';
import { ADMIN_KEY, type ServiceProcess, serviceStorage, sleep, startService } from '../fixtures/service-process.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Service = ServiceProcess & { base: string };

const STREAMS = 4;
const BATCH = 100;

async function call(service: Service, key: string, method: 'GET' | 'POST', url: string, body?: unknown) {
  const response = await fetch(`${service.base}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

const tagOf = (stream: number, batch: number, index: number) =>
  `E280${String(stream).padStart(4, '0')}${String(batch).padStart(8, '0')}${String(index).padStart(8, '0')}`;

t.test('killed with SIGKILL during a stream of batches, the restarted service has every acknowledged read once', async (t) => {
  const data = await serviceStorage(t);
  let service: Service = await startService(t, data);
  const party = await call(service, ADMIN_KEY, 'POST', '/parties', { kind: 'cold_storage', name: '冷库', regionCode: '500236' });
  const operator = (await call(service, ADMIN_KEY, 'POST', '/api-keys', { role: 'operator', partyCode: party.code })).key as string;
  const location = await call(service, operator, 'POST', '/locations', {
    partyCode: party.code,
    name: '冷库 1 号门',
    kind: 'cold_store',
    regionCode: '500236',
  });
  const reader = await call(service, operator, 'POST', '/rfid/readers', { partyCode: party.code, hostName: 'FX9600-CRASH' });
  await call(service, operator, 'POST', '/rfid/read-points', {
    partyCode: party.code,
    locationCode: location.code,
    name: '冷库 1 号门',
    role: 'observe',
    antennas: [{ readerId: reader.id, antenna: '*' }],
  });

  const acknowledged = new Set<string>();
  const attempted = new Set<string>();
  let stop = false;
  const stream = async (index: number) => {
    for (let batch = 0; !stop; batch++) {
      const tags = Array.from({ length: BATCH }, (_, read) => tagOf(index, batch, read));
      for (const tag of tags) attempted.add(tag);
      // past times: their windows have closed, so the service also turns them into observations meanwhile
      const body = tags.map((idHex, read) =>
        zebraEvent({ idHex, hostName: 'FX9600-CRASH', timestamp: `2026-06-01T10:${String(read % 60).padStart(2, '0')}:00.000+0800` }),
      );
      try {
        await call(service, reader.key, 'POST', '/rfid/zebra', body);
        for (const tag of tags) acknowledged.add(tag);
      } catch {
        return; // the service died under this request: the batch was never acknowledged
      }
    }
  };
  const streams = Array.from({ length: STREAMS }, (_, index) => stream(index));
  while (acknowledged.size < 20 * BATCH) await sleep(20);
  await service.stop('SIGKILL');
  stop = true;
  await Promise.all(streams);
  t.ok(
    acknowledged.size >= 20 * BATCH,
    `killed with ${acknowledged.size} reads acknowledged, ${attempted.size - acknowledged.size} in flight`,
  );

  service = await startService(t, data);
  const stored = new Map<string, { readCount: number; outcome: string | null }>();
  const readAll = async () => {
    stored.clear();
    for (let offset = 0; ; offset += 1000) {
      const { items } = await call(service, operator, 'GET', `/rfid/reads?limit=1000&offset=${offset}`);
      for (const row of items) {
        if (stored.has(row.tag)) t.fail(`${row.tag} stored twice`);
        stored.set(row.tag, row);
      }
      if (items.length < 1000) return;
    }
  };
  await readAll();
  const missing = [...acknowledged].filter((tag) => !stored.has(tag));
  t.same(missing.slice(0, 5), [], 'every acknowledged read is stored');
  t.ok(
    [...stored.values()].every((row) => row.readCount === 1),
    'each exactly once',
  );
  t.ok(
    [...stored.keys()].every((tag) => attempted.has(tag)),
    'and nothing that was not sent',
  );
  // the restarted service goes on turning closed windows into observations
  const deadline = Date.now() + 60_000;
  while ([...stored.values()].some((row) => row.outcome === null) && Date.now() < deadline) {
    await sleep(250);
    await readAll();
  }
  t.ok(
    [...stored.values()].every((row) => row.outcome === 'unknown'),
    'every observation was handled after the restart',
  );
});
