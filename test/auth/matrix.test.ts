import { mod31CheckChar } from '../../src/codes/mod31.js';
import { at, createWorld, expectStatus } from '../fixtures/world.js';
import type { Reply } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('authorization matrix: a party never writes or reads another party’s private data', async (t) => {
  const world = await createWorld(t);
  const a = await world.party('processor');
  const b = await world.party('processor');
  const productA = await a.product('kg');
  const productB = await b.product('kg');
  const lotA = await a.commission(productA, 100);
  const locationA = await a.location();
  const eventA = (await a.api.get(`/events?lotCode=${lotA}`)).body.items[0].id;
  const shipmentToA = await b.ship(a, [{ lotCode: await b.commission(productB, 5) }]);

  t.test('without a key or with a bad one: 401', async (t) => {
    const anonymous = await world.app.inject({ method: 'GET', url: '/parties' });
    t.equal(anonymous.statusCode, 401);
    t.equal(anonymous.headers['content-type'], 'application/problem+json; charset=utf-8');
    const bad = await world.app.inject({ method: 'GET', url: '/parties', headers: { authorization: 'Bearer ctk_nope' } });
    t.equal(bad.statusCode, 401);
  });

  t.test('cross-party writes: 403', async (t) => {
    const writes: [string, () => Promise<Reply>][] = [
      ['register a location for B', () => a.api.post('/locations', { partyCode: b.code, name: 'x', kind: 'plant', regionCode: '500236' })],
      ['register a product for B', () => a.api.post('/products', { partyCode: b.code, name: 'x', category: 'other', unit: 'kg' })],
      [
        'transform A’s lot as B',
        () => b.event({ type: 'transform', inputs: [{ lotCode: lotA, quantity: 1 }], outputs: [{ productCode: productB, quantity: 1 }] }),
      ],
      ['ship A’s lot as B', () => b.event({ type: 'ship', toPartyCode: b.code === a.code ? '' : a.code, lines: [{ lotCode: lotA }] })],
      ['pack A’s lot as B', () => b.event({ type: 'aggregate', parent: {}, children: [{ lotCode: lotA }] })],
      ['sell A’s lot as B', () => b.event({ type: 'sell', lines: [{ lotCode: lotA, quantity: 1 }] })],
      ['destroy A’s lot as B', () => b.event({ type: 'destroy', reason: 'x', lines: [{ lotCode: lotA, quantity: 1 }] })],
      ['observe A’s lot as B', () => b.event({ type: 'observe', lotCodes: [lotA] })],
      ['inspect A’s lot as B', () => b.event({ type: 'inspect', lotCodes: [lotA], inspection: { kind: 'rapid', result: 'fail' } })],
      ['receive a shipment to A as B', () => b.event({ type: 'receive', shipmentId: shipmentToA })],
      ['register a party as operator', () => b.api.post('/parties', { kind: 'farm', name: 'x', regionCode: '500236' })],
      ['issue a key as operator', () => b.api.post('/api-keys', { role: 'operator', partyCode: a.code })],
      ['issue a key as regulator', () => world.regulator.post('/api-keys', { role: 'operator', partyCode: a.code })],
      ['record an event as regulator', () => world.regulator.post('/events', { type: 'observe', eventTime: at(1), lotCodes: [lotA] })],
    ];
    for (const [what, write] of writes) expectStatus(t, await write(), 403, what);
    // an event is named by an id that may be guessed (an EPCIS event hash): another party's is an unknown id
    t.match(
      expectStatus(t, await b.event({ type: 'correction', correctsEventId: eventA, reason: 'x' }), 422, 'correct A’s event as B').body,
      { type: '/problems/unknown-reference', detail: `no event ${eventA}` },
    );
    t.same((await a.lot(lotA)).holders, [{ partyCode: a.code, onHand: 100 }], 'A’s lot is untouched');
  });

  t.test('cross-party reads: 403; regulators read everything', async (t) => {
    const reads: [string, string][] = [
      ['B reads A’s lot', `/lots/${lotA}`],
      ['B lists A’s lots', `/lots?partyCode=${a.code}`],
      ['B lists A’s events', `/events?partyCode=${a.code}`],
      ['B lists A’s shipments', `/shipments?partyCode=${a.code}`],
      ['B traces A’s lot', `/trace/${lotA}`],
    ];
    for (const [what, url] of reads) {
      expectStatus(t, await b.api.get(url), 403, what);
      expectStatus(t, await world.regulator.get(url), 200, `regulator: ${url.split('?')[0]}`);
    }
    expectStatus(t, await b.api.get(`/events/${eventA}`), 404, 'B reads A’s event: as an unknown id');
    expectStatus(t, await world.regulator.get(`/events/${eventA}`), 200, 'regulator: /events/{id}');
    const listed = await b.api.get('/lots');
    t.notOk(
      listed.body.items.some((lot: { code: string }) => lot.code === lotA),
      'A’s lot is not in B’s list',
    );
    expectStatus(t, await b.api.get(`/locations/${locationA}`), 200, 'the location directory is shared');
    expectStatus(t, await b.api.get(`/parties/${a.code}`), 200, 'the party directory is shared');
  });

  t.test('a receiver reads the lots it was sent; trace shows other parties redacted', async (t) => {
    // lots and a shipment of its own: the shared ones stay as the other tests expect them
    const lotB = await b.commission(productB, 5);
    const shipment = await b.ship(a, [{ lotCode: lotB }]);
    expectStatus(t, await a.api.get(`/lots/${lotB}`), 200, 'A reads the lot shipped to it');
    await a.receive(shipment);
    const ownLot = await a.commission(productA, 10);
    const output = (
      await a.transform(
        [
          { lotCode: lotB, quantity: 5 },
          { lotCode: ownLot, quantity: 10 },
        ],
        [{ productCode: productA, quantity: 12 }],
      )
    )[0];
    const trace = await a.api.get(`/trace/${output}`);
    const nodeB = trace.body.nodes.find((n: { code: string }) => n.code === lotB);
    t.equal(nodeB.redacted, false, 'A holds what it received');
    const farm = await world.party('farm');
    const pigs = await farm.product('head');
    const farmLot = await farm.commission(pigs, 3);
    await world.handOver(farm, b, farmLot);
    const made = (await b.transform([{ lotCode: farmLot, quantity: 3 }], [{ productCode: productB, quantity: 200 }]))[0];
    await world.handOver(b, a, made, 50);
    const back = await a.api.get(`/trace/${made}`);
    const upstream = back.body.nodes.find((n: { code: string }) => n.code === farmLot);
    t.equal(upstream.redacted, true, 'the farm’s lot is redacted for A');
    t.equal(upstream.quantity, null);
    t.equal(upstream.holders, null);
    const used = back.body.edges.find((e: { from: string; to: string }) => e.from === farmLot && e.to === made);
    t.same([used.quantity, used.unit], [3, 'head'], 'how much of it went into a lot A holds is shown');
    // B's own transformation, out of a lot A never held: how much went in is B's business
    const kept = (await b.transform([{ lotCode: made, quantity: 20 }], [{ productCode: productB, quantity: 18 }]))[0];
    const forward = await a.api.get(`/trace/${made}?direction=forward`);
    const into = forward.body.edges.find((e: { from: string; to: string }) => e.from === made && e.to === kept);
    t.same([into.quantity, into.unit], [null, null], 'how much went into a lot A cannot see is withheld');
    t.notOk(
      back.body.events.some((e: { partyCode: string }) => e.partyCode === farm.code),
      'the farm’s events are withheld',
    );
    const madeNode = back.body.nodes.find((n: { code: string }) => n.code === made);
    t.same(madeNode.holders, [{ partyCode: a.code, onHand: 50 }], 'holders show only what A may see… A itself');
  });

  t.test('admin manages keys; revoked keys stop working', async (t) => {
    const issued = await world.admin.post('/api-keys', { role: 'operator', partyCode: a.code, label: 'scale 3' });
    expectStatus(t, issued, 201, 'issue');
    t.match(issued.body.key, /^ctk_/);
    const listed = await world.admin.get('/api-keys');
    t.ok(
      listed.body.items.every((k: Record<string, unknown>) => !('key' in k) && !('keyHash' in k)),
      'secrets and hashes are never listed',
    );
    expectStatus(t, await world.admin.post('/api-keys', { role: 'operator' }), 400, 'operator without party');
    expectStatus(t, await world.admin.post('/api-keys', { role: 'regulator', partyCode: a.code }), 400, 'regulator bound to a party');
    expectStatus(
      t,
      await world.admin.post('/api-keys', { role: 'operator', partyCode: `Y500236XXXXXXX${mod31CheckChar('Y500236XXXXXXX')}` }),
      404,
      'unknown party',
    );
    const probe = () => world.app.inject({ method: 'GET', url: '/parties', headers: { authorization: `Bearer ${issued.body.key}` } });
    t.equal((await probe()).statusCode, 200);
    expectStatus(t, await world.admin.delete(`/api-keys/${issued.body.id}`), 200, 'revoke');
    t.equal((await probe()).statusCode, 401, 'revoked');
    expectStatus(t, await world.admin.delete(`/api-keys/${issued.body.id}`), 404, 'revoking twice');
  });
});
