// Zebra heartbeats and GPI/GPO events are accepted and counted, as Impinj's events that are not
// reads are.
import { zebraEvent } from '../fixtures/rfid-payloads.js';
import { readPoint, registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const tag = (n: number) => `E28011606000${String(n).padStart(12, '0')}`;
const readTime = (minute: number) => `2026-06-01T10:${String(minute).padStart(2, '0')}:00.000+0800`;

t.test('Zebra heartbeats and GPI/GPO events are accepted and counted, not reads', async (t) => {
  const world = await createWorld(t, undefined, { rfidTickMs: 0 });
  const store = await world.party('cold_storage');
  const reader = await registerReader(world, store, 'FX-HEART');
  await readPoint(world, store, 'observe', [{ readerId: reader.id, antenna: '*' }]);
  const heartbeat = {
    type: 'heartbeat',
    timestamp: '2026-06-01T10:00:00.000+0800',
    data: { radio_control: { ANTENNAS: { '1': 'connected' } } },
  };
  const gpi = { type: 'GPI', timestamp: '2026-06-01T10:00:01.000+0800', data: { pin: 1, state: 'HIGH' } };
  const gpo = { type: 'GPO', timestamp: '2026-06-01T10:00:02.000+0800', data: { pin: 2, state: 'LOW' } };
  const alone = await reader.api.post('/rfid/zebra', heartbeat);
  t.match(expectStatus(t, alone, 202, 'a heartbeat alone').body, { reads: 0, otherEvents: 1 });
  const mixed = await reader.api.post('/rfid/zebra', [
    gpi,
    zebraEvent({ idHex: tag(20), hostName: reader.hostName, timestamp: readTime(20) }),
    gpo,
  ]);
  t.match(expectStatus(t, mixed, 202, 'with reads').body, { reads: 1, observations: 1, otherEvents: 2 });
  const typo = await reader.api.post('/rfid/zebra', [{ ...gpi, type: 'SIMPEL' }]);
  expectStatus(t, typo, 400, 'an event type Zebra does not send');
});
