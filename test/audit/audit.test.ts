// The audit log on a real database, driven over HTTP: events and admin acts are chained per
// party, rows altered or deleted behind the service's back are found as exactly the broken
// link they are, concurrent writers keep a chain whole, and a past day's heads digest holds.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createRepositories } from '../../src/app.js';
import { hashOf } from '../../src/audit/chain.js';
import { queryRows } from '../../src/db/client.js';
import type { WriteRequest } from '../../src/events/writer/index.js';
import { eventWriterOn } from '../fixtures/chain.js';
import { sentAsDeclared, servedOpenApi } from '../fixtures/openapi.js';
import { at, createWorld, expectStatus, registrationBody } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

// the service's clock: a past day first, then "today"
const YESTERDAY = '2026-11-29';
const TODAY = '2026-11-30';
let clock = new Date(`${YESTERDAY}T10:00:00+08:00`);

t.test('audit log', async (t) => {
  const world = await createWorld(t, undefined, { now: () => clock });
  const { database, regulator } = world;
  const run = <T>(query: ReturnType<typeof sql>) => queryRows<T>(database.db, query);
  const verify = async (party?: string) => {
    const reply = await regulator.get(`/audit/verify${party ? `?party=${party}` : ''}`);
    if (reply.status !== 200) throw new Error(`verify: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body as {
      ok: boolean;
      chains: { chain: string; entries: number; ok: boolean; firstBroken: Record<string, unknown> | null }[];
    };
  };
  const broken = async () => (await verify()).chains.filter((chain) => !chain.ok);
  const entriesOf = (chain: string) =>
    run<{ sequence: number; kind: string; subjectId: string }>(
      sql`select sequence, kind, subject_id as "subjectId" from audit_entries where party_code = ${chain} order by sequence`,
    );

  const farm = await world.party('farm');
  const plant = await world.party('processor');
  const pork = await farm.product('kg');
  const lot = await farm.commission(pork, 100);
  const shipmentId = await farm.ship(plant, [{ lotCode: lot, quantity: 40 }]);
  await plant.receive(shipmentId);
  const ham = await plant.product('kg');
  await plant.transform([{ lotCode: lot, quantity: 30 }], [{ productCode: ham, quantity: 21.5 }]);
  await plant.commission(ham, 3.25);

  t.test('events and admin acts are chained, each on its own chain', async (t) => {
    const report = await verify();
    t.ok(report.ok, 'the untouched log verifies');
    const farmEvents = await run<{ id: string }>(sql`select id from events where party_code = ${farm.code} order by record_time, id`);
    const farmEntries = await entriesOf(farm.code);
    t.same(
      farmEntries.map((entry) => entry.sequence),
      farmEntries.map((_, i) => i + 1),
      'sequences run 1, 2, 3, … without gaps',
    );
    t.same(
      farmEntries.map((entry) => `${entry.kind} ${entry.subjectId}`).sort(),
      [...farmEvents.map((event) => `event ${event.id}`), `product.create ${pork}`].sort(),
      "the farm's chain holds exactly its events and the product its key registered",
    );
    const system = await entriesOf('system');
    for (const kind of ['party.create', 'api-key.issue'])
      t.ok(
        system.some((entry) => entry.kind === kind),
        `admin acts (${kind}) are on the system chain`,
      );
    t.ok(
      system.some((entry) => entry.subjectId === farm.code),
      "the farm's registration is among them",
    );
    t.match(
      report.chains.find((chain) => chain.chain === plant.code),
      { entries: (await entriesOf(plant.code)).length, ok: true, firstBroken: null },
    );
    t.same(
      (await verify(plant.code)).chains.map((chain) => chain.chain),
      [plant.code],
      '?party= verifies one chain',
    );
    // read as every party code in a request is: trimmed and in upper case, a mistyped one a 400
    t.same(
      (await verify(`%20${plant.code.toLowerCase()}%20`)).chains.map((chain) => chain.chain),
      [plant.code],
      'a party code typed in lower case names its chain',
    );
    t.same(
      (await verify('System')).chains.map((chain) => chain.chain),
      ['system'],
      'and so does system',
    );
    const mistyped = plant.code.slice(0, -1) + (plant.code.endsWith('A') ? 'B' : 'A');
    // one character dropped, one too many, no code at all: no chain to verify, not a report of nothing checked
    for (const party of [mistyped, '%20', plant.code.slice(0, -1), `${plant.code}5`, 'foo']) {
      const refused = await regulator.get(`/audit/verify?party=${party}`);
      t.equal(refused.status, 400, `?party=${party} is a 400`);
      t.match(refused.body.errors, [{ in: 'querystring', pointer: '/party' }]);
    }
  });

  t.test('only a regulator verifies', async (t) => {
    expectStatus(t, await farm.api.get('/audit/verify'), 403, 'not an operator');
    expectStatus(t, await world.admin.get('/audit/verify'), 403, 'not an admin');
    expectStatus(t, await farm.api.get(`/audit/heads?date=${YESTERDAY}`), 403, 'nor reads the heads');
  });

  t.test('an event row altered in the database is found as exactly its entry', async (t) => {
    const [shipped] = await run<{ id: string }>(sql`select id from events where party_code = ${farm.code} and type = 'ship'`);
    const [entry] = await run<{ sequence: number }>(
      sql`select sequence from audit_entries where party_code = ${farm.code} and subject_id = ${shipped.id}`,
    );
    const expectBroken = async (what: string) => {
      const chains = await broken();
      t.same(
        chains.map((chain) => chain.chain),
        [farm.code],
        `${what}: the farm's chain only`,
      );
      t.match(chains[0]?.firstBroken, { sequence: entry.sequence, kind: 'event', subjectId: shipped.id, problem: 'payload-mismatch' });
      t.equal(chains[0]?.entries, entry.sequence, 'checked up to the broken entry');
    };

    await run(sql`update events set event_time = event_time - interval '1 hour' where id = ${shipped.id}`);
    await expectBroken('event time moved');
    await run(sql`update events set event_time = event_time + interval '1 hour' where id = ${shipped.id}`);
    t.ok((await verify()).ok, 'put back, it verifies again');

    await run(sql`update lot_movements set quantity = quantity + 1 where event_id = ${shipped.id} and quantity < 0`);
    await expectBroken('a ledger line changed');
    await run(sql`update lot_movements set quantity = quantity - 1 where event_id = ${shipped.id} and quantity < 0`);

    await run(sql`update events set payload = payload || '{"toPartyCode": "elsewhere"}'::jsonb where id = ${shipped.id}`);
    await expectBroken('its details changed');
    await run(sql`update events set payload = payload || ${JSON.stringify({ toPartyCode: plant.code })}::jsonb where id = ${shipped.id}`);
    t.ok((await verify()).ok, 'all put back');
  });

  t.test('an audit row altered or deleted is found as exactly that link', async (t) => {
    const entries = await entriesOf(plant.code);
    t.ok(entries.length >= 3, 'the plant has a few entries');
    const second = sql`party_code = ${plant.code} and sequence = 2`;
    const [saved] = await run<{ row: unknown }>(sql`select to_jsonb(a) as row from audit_entries a where ${second}`);
    const onlyPlantBroken = async (what: string, expected: Record<string, unknown>) => {
      const chains = await broken();
      t.same(
        chains.map((chain) => chain.chain),
        [plant.code],
        `${what}: the plant's chain only`,
      );
      t.match(chains[0]?.firstBroken, expected, what);
      return chains[0];
    };
    const restore = async () => {
      await run(sql`delete from audit_entries where ${second}`);
      await run(
        sql`insert into audit_entries select * from jsonb_populate_record(null::audit_entries, ${JSON.stringify(saved.row)}::jsonb)`,
      );
      t.ok((await verify()).ok, 'put back, it verifies again');
    };

    await run(sql`update audit_entries set recorded_at = recorded_at + interval '1 second' where ${second}`);
    await onlyPlantBroken('its time altered', { sequence: 2, subjectId: entries[1].subjectId, problem: 'entry-mismatch' });
    await restore();

    await run(
      sql`update audit_entries set payload_hash = (select payload_hash from audit_entries where party_code = ${plant.code} and sequence = 1)
        where ${second}`,
    );
    await onlyPlantBroken('another payload hash put in', { sequence: 2, problem: 'payload-mismatch' });
    await restore();

    await run(sql`delete from audit_entries where ${second}`);
    const chain = await onlyPlantBroken('deleted from the middle', {
      sequence: 3,
      subjectId: entries[2].subjectId,
      problem: 'missing-entry',
    });
    t.equal(chain?.entries, 2, 'found at the entry after the gap');
    await run(sql`insert into audit_entries select * from jsonb_populate_record(null::audit_entries, ${JSON.stringify(saved.row)}::jsonb)`);

    const last = entries.length;
    const [tail] = await run<{ row: unknown }>(
      sql`select to_jsonb(a) as row from audit_entries a where party_code = ${plant.code} and sequence = ${last}`,
    );
    await run(sql`delete from audit_entries where party_code = ${plant.code} and sequence = ${last}`);
    await onlyPlantBroken('its last entry deleted', { sequence: last, problem: 'head-mismatch' });
    await run(sql`insert into audit_entries select * from jsonb_populate_record(null::audit_entries, ${JSON.stringify(tail.row)}::jsonb)`);

    const [head] = await run<{ row: unknown }>(sql`select to_jsonb(h) as row from audit_heads h where party_code = ${plant.code}`);
    await run(sql`delete from audit_heads where party_code = ${plant.code}`);
    await onlyPlantBroken('its head deleted', { sequence: last, kind: 'head', problem: 'head-mismatch' });
    await run(sql`insert into audit_heads select * from jsonb_populate_record(null::audit_heads, ${JSON.stringify(head.row)}::jsonb)`);
    t.ok((await verify()).ok, 'all put back');
  });

  t.test('registrations decided, keys revoked and parties registered are chained and re-derived too', async (t) => {
    const anonymous = client(world.app);
    const apply = async () => (await anonymous.post('/registrations', registrationBody())).body.id as string;
    const approved = await apply();
    const rejected = await apply();
    expectStatus(t, await regulator.post(`/regulator/registrations/${approved}/approve`, {}), 200, 'approved');
    expectStatus(t, await regulator.post(`/regulator/registrations/${rejected}/reject`, { reason: '材料不全' }), 200, 'rejected');
    const { id: keyId } = await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: farm.code }));
    expectStatus(t, await world.admin.delete(`/api-keys/${keyId}`), 200, 'a key revoked');

    const system = await entriesOf('system');
    const kinds = new Map(system.map((entry) => [`${entry.kind} ${entry.subjectId}`, entry.sequence]));
    for (const act of [
      `registration.approve ${approved}`,
      `registration.reject ${rejected}`,
      `api-key.issue ${keyId}`,
      `api-key.revoke ${keyId}`,
    ])
      t.ok(kinds.has(act), act);
    const [{ partyCode }] = await run<{ partyCode: string }>(
      sql`select party_code as "partyCode" from registrations where id = ${approved}`,
    );
    t.ok(kinds.has(`party.create ${partyCode}`), 'the party the approval made');
    t.ok((await verify()).ok, 'all verify');

    await run(sql`update registrations set reason = '已补正' where id = ${rejected}`);
    let chains = await broken();
    t.same(
      chains.map((chain) => chain.chain),
      ['system'],
    );
    t.match(chains[0].firstBroken, {
      sequence: kinds.get(`registration.reject ${rejected}`),
      kind: 'registration.reject',
      problem: 'payload-mismatch',
    });
    await run(sql`update registrations set reason = '材料不全' where id = ${rejected}`);

    await run(sql`update parties set name = '冒名' where code = ${farm.code}`);
    chains = await broken();
    t.match(chains[0]?.firstBroken, { kind: 'party.create', subjectId: farm.code, problem: 'payload-mismatch' }, 'a renamed party');
    await run(sql`update parties set name = ${'farm 1'} where code = ${farm.code}`);
  });

  t.test('products and locations registered are chained on the chain of the key that registered them, and re-derived', async (t) => {
    // an operator's registration on its party's chain, an admin's on system
    const site = await farm.location('farm');
    const { code: bacon } = await world.ok(
      world.admin.post('/products', { partyCode: farm.code, name: '腊肉', category: 'cured_meat', unit: 'kg', shelfLifeDays: 180 }),
    );
    const { code: barn } = await world.ok(
      world.admin.post('/locations', { partyCode: farm.code, name: '圈舍', kind: 'barn', regionCode: '500236', latitude: 31.02 }),
    );
    const farmChain = new Map((await entriesOf(farm.code)).map((entry) => [`${entry.kind} ${entry.subjectId}`, entry.sequence]));
    const system = new Map((await entriesOf('system')).map((entry) => [`${entry.kind} ${entry.subjectId}`, entry.sequence]));
    t.ok(farmChain.has(`product.create ${pork}`), "the operator's product, on the farm's chain");
    t.ok(farmChain.has(`location.create ${site}`), "the operator's site, on the farm's chain");
    t.ok(system.has(`product.create ${bacon}`), "the admin's product, on system");
    t.ok(system.has(`location.create ${barn}`), "the admin's site, on system");
    t.ok((await verify()).ok, 'all verify');

    await run(sql`update products set shelf_life_days = 365 where code = ${bacon}`);
    let chains = await broken();
    t.same(
      chains.map((chain) => chain.chain),
      ['system'],
    );
    t.match(chains[0].firstBroken, {
      sequence: system.get(`product.create ${bacon}`),
      kind: 'product.create',
      problem: 'payload-mismatch',
    });
    await run(sql`update products set shelf_life_days = 180 where code = ${bacon}`);

    await run(sql`update locations set latitude = 30.5 where code = ${barn}`);
    chains = await broken();
    t.match(chains[0]?.firstBroken, { kind: 'location.create', subjectId: barn, problem: 'payload-mismatch' }, 'a site moved');
    await run(sql`update locations set latitude = 31.02 where code = ${barn}`);

    const [{ name }] = await run<{ name: string }>(sql`select name from locations where code = ${site}`);
    await run(sql`update locations set name = '别处' where code = ${site}`);
    chains = await broken();
    t.same(
      chains.map((chain) => chain.chain),
      [farm.code],
    );
    t.match(chains[0].firstBroken, {
      sequence: farmChain.get(`location.create ${site}`),
      kind: 'location.create',
      problem: 'payload-mismatch',
    });
    await run(sql`update locations set name = ${name} where code = ${site}`);
    t.ok((await verify()).ok, 'verifies again once restored');
  });

  t.test("RFID readers and read points registered are chained on the registering key's chain, with the reader's key issue", async (t) => {
    const site = await plant.location('plant');
    const reader = await world.ok(world.admin.post('/rfid/readers', { partyCode: plant.code, hostName: 'FX9600-AUDIT', serial: 'SN-1' }));
    const point = await world.ok(
      plant.api.post('/rfid/read-points', {
        partyCode: plant.code,
        locationCode: site,
        name: '1 号门',
        role: 'entry',
        antennas: [{ readerId: reader.id, antenna: 1 }],
      }),
    );
    const system = await run<{ sequence: number; kind: string; subjectId: string; keyId: string | null }>(
      sql`select sequence, kind, subject_id as "subjectId", key_id as "keyId" from audit_entries where party_code = 'system' order by sequence`,
    );
    const readerEntry = system.find((entry) => entry.kind === 'rfid.reader' && entry.subjectId === reader.id);
    t.ok(readerEntry, "the admin's reader, on system");
    const [keyRow] = await run<{ id: string }>(sql`select api_key_id as id from rfid_readers where id = ${reader.id}`);
    t.ok(
      system.some((entry) => entry.kind === 'api-key.issue' && entry.subjectId === keyRow.id && entry.keyId === readerEntry?.keyId),
      "its device key's issue, on the chain of the key that registered it, naming that key",
    );
    t.ok(
      (await entriesOf(plant.code)).some((entry) => entry.kind === 'rfid.read-point' && entry.subjectId === point.id),
      "the operator's read point, on the plant's chain",
    );
    t.ok((await verify()).ok, 'all verify');

    await run(sql`update rfid_antennas set antenna = '2' where read_point_id = ${point.id}`);
    let chains = await broken();
    t.match(chains[0]?.firstBroken, { kind: 'rfid.read-point', subjectId: point.id, problem: 'payload-mismatch' }, 'an antenna moved');
    await run(sql`update rfid_antennas set antenna = '1' where read_point_id = ${point.id}`);
    await run(sql`update rfid_read_points set location_code = ${await plant.location('plant')} where id = ${point.id}`);
    chains = await broken();
    t.match(chains[0]?.firstBroken, { kind: 'rfid.read-point', subjectId: point.id, problem: 'payload-mismatch' }, 'a read point moved');
    await run(sql`update rfid_read_points set location_code = ${site} where id = ${point.id}`);
    await run(sql`update rfid_readers set party_code = ${farm.code} where id = ${reader.id}`);
    chains = await broken();
    t.match(chains[0]?.firstBroken, { kind: 'rfid.reader', subjectId: reader.id, problem: 'payload-mismatch' }, 'a reader given away');
    await run(sql`update rfid_readers set party_code = ${plant.code} where id = ${reader.id}`);
    t.ok((await verify()).ok, 'verifies again once restored');
  });

  t.test("the brand office's acts are chained and re-derived", async (t) => {
    const brandOffice = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
    const reason = '县品牌办审定';
    expectStatus(
      t,
      await brandOffice.post('/brands', {
        code: 'AUDIT1',
        kind: 'regional',
        regionCode: '500236',
        nameZh: '奉上好品',
        nameEn: 'Fengshang',
        products: [ham],
      }),
      201,
      'a brand registered',
    );
    const admitted = await brandOffice.post('/brands/AUDIT1/authorizations', {
      partyCode: plant.code,
      tier: 'head',
      validFrom: YESTERDAY,
      reason,
    });
    expectStatus(t, admitted, 201, 'a member admitted');
    // a second on: changes are ordered by when they were recorded, and the fixed clock would tie them
    clock = new Date(clock.getTime() + 1000);
    expectStatus(
      t,
      await brandOffice.post(`/brands/AUDIT1/authorizations/${plant.code}/state`, { state: 'suspended', reason }),
      200,
      'suspended',
    );

    const system = await entriesOf('system');
    const changes = await run<{ id: string; toState: string }>(
      sql`select id, to_state as "toState" from brand_authorization_changes where brand_code = 'AUDIT1' order by recorded_at`,
    );
    t.same(
      changes.map((change) => change.toState),
      ['admitted', 'suspended'],
    );
    for (const act of [
      'brand.create AUDIT1',
      `brand.product AUDIT1/${ham}`,
      ...changes.map((change) => `brand.authorization ${change.id}`),
    ])
      t.ok(
        system.some((entry) => `${entry.kind} ${entry.subjectId}` === act),
        act,
      );
    t.ok((await verify()).ok, 'all verify');

    await run(sql`update brand_authorization_changes set effective_on = effective_on - 30 where id = ${changes[1].id}`);
    const chains = await broken();
    t.same(
      chains.map((chain) => chain.chain),
      ['system'],
    );
    t.match(
      chains[0].firstBroken,
      { kind: 'brand.authorization', subjectId: changes[1].id, problem: 'payload-mismatch' },
      'a backdated suspension',
    );
    await run(sql`update brand_authorization_changes set effective_on = effective_on + 30 where id = ${changes[1].id}`);
    t.ok((await verify()).ok, 'verifies again once restored');

    // the terms a member's badges and label rights are judged by: the authorization's, as of its latest change
    const terms = sql`tier, valid_from::text as "validFrom", valid_until::text as "validUntil"`;
    const [kept] = await run<{ tier: string; validFrom: string; validUntil: string | null }>(
      sql`select ${terms} from brand_authorizations where brand_code = 'AUDIT1'`,
    );
    for (const [field, set] of [
      ['tier', sql`tier = 'authorized'`],
      ['valid_from', sql`valid_from = '2020-01-01'`],
      ['valid_until', sql`valid_until = '2099-12-31'`],
    ] as const) {
      await run(sql`update brand_authorizations set ${set} where brand_code = 'AUDIT1'`);
      const tampered = await broken();
      t.match(
        tampered[0]?.firstBroken,
        { kind: 'brand.authorization', subjectId: changes[1].id, problem: 'payload-mismatch' },
        `an authorization's ${field} altered: its latest change no longer matches`,
      );
      await run(
        sql`update brand_authorizations set tier = ${kept.tier}, valid_from = ${kept.validFrom}::date, valid_until = ${kept.validUntil}::date
          where brand_code = 'AUDIT1'`,
      );
      t.ok((await verify()).ok, `verifies again once its ${field} is restored`);
    }
    // and as each change recorded them
    await run(sql`update brand_authorization_changes set valid_until = '2099-12-31' where id = ${changes[0].id}`);
    t.match((await broken())[0]?.firstBroken, { subjectId: changes[0].id, problem: 'payload-mismatch' }, "an admission's terms altered");
    await run(sql`update brand_authorization_changes set valid_until = ${kept.validUntil}::date where id = ${changes[0].id}`);
    await run(sql`update brand_authorization_changes set tier = null where id = ${changes[0].id}`);
    t.match((await broken())[0]?.firstBroken, { subjectId: changes[0].id, problem: 'payload-mismatch' }, 'or dropped');
    await run(sql`update brand_authorization_changes set tier = ${kept.tier} where id = ${changes[0].id}`);
    t.ok((await verify()).ok, 'verifies again once restored');

    // a change recorded before the terms were kept (migration 0071) hashes as its entry did then
    await run(sql`update brand_authorization_changes set tier = null, valid_from = null, valid_until = null where id = ${changes[1].id}`);
    const [asHashedThen] = await run<{ facts: unknown }>(
      sql`select json_build_object('id', id, 'authorizationId', authorization_id,
        'brandCode', brand_code, 'partyCode', party_code, 'fromState', from_state, 'toState', to_state,
        'effectiveOn', effective_on, 'reason', reason, 'disposalDeadline', disposal_deadline, 'keyId', key_id,
        'recordedAt', to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) as facts
      from brand_authorization_changes where id = ${changes[1].id}`,
    );
    const derived = await createRepositories(database).audit.payloadHashes('brand.authorization', [changes[1].id]);
    t.equal(derived.get(changes[1].id), hashOf(asHashedThen.facts), 'the facts of a change without terms are those hashed before');
    await run(
      sql`update brand_authorization_changes set tier = ${kept.tier}, valid_from = ${kept.validFrom}::date, valid_until = ${kept.validUntil}::date
        where id = ${changes[1].id}`,
    );
    t.ok((await verify()).ok, 'verifies again once restored');

    // a change row slipped in behind the log's back (no entry of its own), carrying the altered terms
    // the authorization's row is given: it neither stands as the latest change nor goes unnoticed
    const forged = randomUUID();
    const forge = (validUntil: string | null) =>
      run(sql`insert into brand_authorization_changes (id, authorization_id, brand_code, party_code, from_state, to_state,
          effective_on, reason, disposal_deadline, key_id, recorded_at, tier, valid_from, valid_until)
        select ${forged}, authorization_id, brand_code, party_code, from_state, to_state, effective_on, reason, disposal_deadline, key_id,
          (select max(recorded_at) from brand_authorization_changes where brand_code = 'AUDIT1') + interval '1 second',
          tier, valid_from, ${validUntil}::date
        from brand_authorization_changes where id = ${changes[0].id}`);
    await forge('2099-12-31');
    await run(sql`update brand_authorizations set valid_until = '2099-12-31' where brand_code = 'AUDIT1'`);
    t.match((await broken())[0]?.firstBroken, { kind: 'brand.authorization', problem: 'payload-mismatch' }, 'terms hidden by a change row');
    await run(sql`update brand_authorizations set valid_until = ${kept.validUntil}::date where brand_code = 'AUDIT1'`);
    t.match(
      (await broken())[0]?.firstBroken,
      { kind: 'brand.authorization', problem: 'payload-mismatch' },
      'a change row with no entry, alone, is found too (a reinstatement slipped in would admit the member)',
    );
    await run(sql`delete from brand_authorization_changes where id = ${forged}`);
    t.ok((await verify()).ok, 'verifies again once removed');

    // an exit slipped in dated before the admission (which its badges would read as never started):
    // an authorization whose admission is logged has every change logged, whenever the row claims it was recorded
    const backdated = (recordedAt: string) =>
      run(sql`insert into brand_authorization_changes (id, authorization_id, brand_code, party_code, from_state, to_state,
          effective_on, reason, disposal_deadline, key_id, recorded_at, tier, valid_from, valid_until)
        select ${forged}, authorization_id, brand_code, party_code, null, 'exited', '2025-12-01', 'forged', null, key_id,
          ${recordedAt}::timestamptz, tier, valid_from, valid_until
        from brand_authorization_changes where id = ${changes[0].id}`);
    const [admittedAt] = await run<{ at: string }>(
      sql`select to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at from brand_authorization_changes where id = ${changes[0].id}`,
    );
    for (const [when, recordedAt] of [
      ['before the admission', '2025-12-01T00:00:00Z'],
      ['as the admission', admittedAt.at],
    ] as const) {
      await backdated(recordedAt);
      t.match(
        (await broken())[0]?.firstBroken,
        { kind: 'brand.authorization', subjectId: changes[0].id, problem: 'payload-mismatch' },
        `a change row with no entry recorded ${when}`,
      );
      await run(sql`delete from brand_authorization_changes where id = ${forged}`);
    }
    t.ok((await verify()).ok, 'verifies again once removed');

    // a whole authorization slipped in (no change of it has an entry, so none is walked): the brand was
    // created since its acts are logged, and its creation names it; so too once the office, unaware, changed it
    const store = await world.party('retailer');
    const slipIn = async (brand: string) => {
      const id = randomUUID();
      await run(sql`insert into brand_authorizations (id, brand_code, party_code, tier, valid_from, valid_until, state, state_since)
        values (${id}, ${brand}, ${store.code}, 'head', ${YESTERDAY}, null, 'admitted', ${YESTERDAY})`);
      await run(sql`insert into brand_authorization_changes (id, authorization_id, brand_code, party_code, from_state, to_state,
          effective_on, reason, disposal_deadline, key_id, recorded_at)
        select ${randomUUID()}, ${id}, ${brand}, ${store.code}, null, 'admitted', ${YESTERDAY}, ${reason}, null, key_id, '2026-11-01T00:00:00Z'
        from brand_authorization_changes where id = ${changes[0].id}`);
      return id;
    };
    const suspend = (brand: string) =>
      brandOffice.post(`/brands/${brand}/authorizations/${store.code}/state`, { state: 'suspended', reason });
    const slipped = await slipIn('AUDIT1');
    const brandCreation = { kind: 'brand.create', subjectId: 'AUDIT1', problem: 'payload-mismatch' };
    t.match((await broken())[0]?.firstBroken, brandCreation, 'an authorization slipped in whole');
    expectStatus(t, await suspend('AUDIT1'), 200, 'and suspended since');
    t.match((await broken())[0]?.firstBroken, brandCreation, 'its logged suspension does not cover its admission');
    const remove = (id: string) =>
      run(sql`with gone as (delete from brand_authorization_changes where authorization_id = ${id})
        delete from brand_authorizations where id = ${id}`);
    await remove(slipped);
    t.match((await broken())[0]?.firstBroken, { kind: 'brand.authorization', problem: 'payload-mismatch' }, 'its logged suspension, gone');
    await run(
      sql`delete from audit_entries where party_code = 'system' and sequence = (select sequence from audit_heads where party_code = 'system')`,
    );
    await run(sql`update audit_heads set sequence = sequence - 1, entry_hash = (select entry_hash from audit_entries e
        where e.party_code = 'system' and e.sequence = audit_heads.sequence - 1) where party_code = 'system'`);
    t.ok((await verify()).ok, 'verifies again once removed');

    // a member of a brand created before its acts were logged, admitted then and changed since: its
    // admission has no entry, and stands
    await run(
      sql`insert into brands (code, kind, name_zh, name_en, created_at) values ('OLD1', 'regional', '老品牌', 'Old', '2026-11-01T00:00:00Z')`,
    );
    await slipIn('OLD1');
    expectStatus(t, await suspend('OLD1'), 200, 'a member admitted before the log suspended');
    t.ok((await verify()).ok, 'its unlogged admission verifies with its logged suspension');
  });

  t.test("a regulator's handling of a complaint is chained: each note, and the outcome it resolved with", async (t) => {
    const filed = await client(world.app).post('/complaints', { code: 'FAKE0000000', category: 'counterfeit', text: '码扫不出来' });
    expectStatus(t, filed, 201, 'a complaint filed');
    const ticket = filed.body.ticket as string;
    const transition = (status: string, note: string, outcome?: string) =>
      regulator.post(`/regulator/complaints/${ticket}/transitions`, { status, note, outcome });
    expectStatus(t, await transition('investigating', '已联系零售商'), 200, 'investigating');
    expectStatus(t, await transition('resolved', '确认冒用', 'upheld'), 200, 'resolved, upheld');

    const system = await entriesOf('system');
    for (const subject of [`${ticket}#0`, `${ticket}#1`])
      t.ok(
        system.some((entry) => entry.kind === 'complaint.transition' && entry.subjectId === subject),
        `complaint.transition ${subject}`,
      );
    t.ok((await verify()).ok, 'all verify');

    // the outcome turned round behind the service's back: it weighs on a producer's credit
    await run(sql`update complaints set outcome = 'dismissed' where ticket = ${ticket}`);
    const chains = await broken();
    t.same(
      chains.map((chain) => chain.chain),
      ['system'],
    );
    t.match(chains[0].firstBroken, { kind: 'complaint.transition', subjectId: `${ticket}#1`, problem: 'payload-mismatch' });
    await run(sql`update complaints set outcome = 'upheld' where ticket = ${ticket}`);
    t.ok((await verify()).ok, 'verifies again once restored');

    // reopened behind the service's back: the public ticket page would show it open
    await run(sql`update complaints set status = 'open' where ticket = ${ticket}`);
    t.match(
      (await broken())[0]?.firstBroken,
      { kind: 'complaint.transition', subjectId: `${ticket}#1`, problem: 'payload-mismatch' },
      "a status other than its last note's",
    );
    await run(sql`update complaints set status = 'resolved' where ticket = ${ticket}`);
    t.ok((await verify()).ok, 'verifies again once restored');

    // resolved behind the service's back with a note of its own: the last note the log recorded is not it
    const other = (await client(world.app).post('/complaints', { code: 'FAKE0000000', category: 'counterfeit', text: '包装不对' })).body
      .ticket as string;
    expectStatus(
      t,
      await regulator.post(`/regulator/complaints/${other}/transitions`, { status: 'investigating', note: '已联系零售商' }),
      200,
      'investigating',
    );
    t.ok((await verify()).ok, 'all verify');
    const forgedNote = JSON.stringify([{ at: new Date().toISOString(), status: 'resolved', note: '确认冒用', by: null }]);
    await run(
      sql`update complaints set status = 'resolved', outcome = 'upheld', notes = notes || ${forgedNote}::jsonb where ticket = ${other}`,
    );
    t.match(
      (await broken())[0]?.firstBroken,
      { kind: 'complaint.transition', subjectId: `${other}#0`, problem: 'payload-mismatch' },
      'a resolution with no entry',
    );
    await run(sql`update complaints set status = 'investigating', outcome = null, notes = notes - 1 where ticket = ${other}`);
    t.ok((await verify()).ok, 'verifies again once removed');
    // notes altered into JSON that is no list: reported, not a failure of verification
    const [{ notes }] = await run<{ notes: unknown }>(sql`select notes from complaints where ticket = ${other}`);
    await run(sql`update complaints set notes = '{"0": "x"}'::jsonb where ticket = ${other}`);
    t.match((await broken())[0]?.firstBroken, { kind: 'complaint.transition', subjectId: `${other}#0` }, 'notes no longer a list');
    await run(sql`update complaints set notes = ${JSON.stringify(notes)}::jsonb where ticket = ${other}`);
    t.ok((await verify()).ok, 'verifies again once restored');

    // resolved behind the service's back before any note was logged: its filing's entry covers it
    const unhandled = (await client(world.app).post('/complaints', { code: 'FAKE0000000', category: 'counterfeit', text: 't' })).body
      .ticket as string;
    t.ok((await verify()).ok, 'all verify');
    await run(sql`update complaints set status = 'resolved', outcome = 'dismissed' where ticket = ${unhandled}`);
    const moved = await broken();
    t.same(
      moved.map((chain) => chain.chain),
      ['system'],
    );
    t.match(
      moved[0].firstBroken,
      { kind: 'complaint.file', subjectId: unhandled, problem: 'payload-mismatch' },
      'a resolution no note records',
    );
    await run(sql`update complaints set status = 'open', outcome = null where ticket = ${unhandled}`);
    t.ok((await verify()).ok, 'verifies again once restored');
  });

  t.test('a credit recompute run is chained with the scores it stored', async (t) => {
    const run1 = await regulator.post('/credit/recompute', {});
    expectStatus(t, run1, 200, 'recomputed');
    const computedAt = new Date(run1.body.computedAt).toISOString();
    t.ok(
      (await entriesOf('system')).some((entry) => entry.kind === 'credit.recompute' && entry.subjectId === computedAt),
      'the run is on the chain of the regulator who asked (system)',
    );
    t.ok((await verify()).ok, 'all verify');
    const [stored] = await run<{ score: number; grade: string }>(
      sql`select score, grade from credit_scores where party_code = ${plant.code}`,
    );
    await run(sql`update credit_scores set score = 10, grade = 'D' where party_code = ${plant.code}`);
    const chains = await broken();
    t.match(chains[0]?.firstBroken, { kind: 'credit.recompute', subjectId: computedAt, problem: 'payload-mismatch' }, 'a score changed');
    await run(sql`update credit_scores set score = ${stored.score}, grade = ${stored.grade} where party_code = ${plant.code}`);
    t.ok((await verify()).ok, 'verifies again once restored');
  });

  t.test('concurrent writers of one party keep its chain whole', async (t) => {
    const kg = await plant.product('kg');
    const before = (await entriesOf(plant.code)).length;
    // native posts share group commits; direct writers run in transactions side by side
    const writer = eventWriterOn(database, { now: () => clock });
    const request = (i: number): WriteRequest => ({
      actor: plant.code,
      action: { type: 'commission', lots: [{ productCode: kg, quantity: 1 + i / 1000 }] },
      context: { eventTime: at(1000 + i) },
    });
    const outcomes = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) =>
        plant.api.post('/events', { eventTime: at(2000 + i), type: 'commission', lots: [{ productCode: kg, quantity: 5 }] }),
      ),
      ...Array.from({ length: 10 }, (_, i) => database.db.transaction((tx) => writer.write(tx as never, [request(i)], 'rollback'))),
    ]);
    t.equal(outcomes.length, 20);
    const entries = await entriesOf(plant.code);
    t.equal(entries.length, before + 20, 'one entry per event');
    t.same(
      entries.map((entry) => entry.sequence),
      entries.map((_, i) => i + 1),
      'no sequence taken twice or skipped',
    );
    t.match((await verify(plant.code)).chains, [{ chain: plant.code, ok: true, entries: before + 20 }]);
  });

  t.test("a past day's heads digest stays; today's moves with each new entry", async (t) => {
    clock = new Date(`${TODAY}T15:00:00+08:00`);
    const heads = async (date: string) => {
      const reply = await regulator.get(`/audit/heads?date=${date}`);
      if (reply.status !== 200) throw new Error(`heads: ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body as { digest: string; heads: { chain: string; sequence: number; entryHash: string }[] };
    };
    const yesterday = await heads(YESTERDAY);
    t.same(
      yesterday.heads.map((head) => head.chain).sort(),
      ['system', farm.code, plant.code].sort(),
      'every chain that had entries by then',
    );
    const [farmHead] = await run<{ sequence: number; entryHash: string }>(
      sql`select sequence, entry_hash as "entryHash" from audit_heads where party_code = ${farm.code}`,
    );
    t.match(
      yesterday.heads.find((head) => head.chain === farm.code),
      farmHead,
      "the farm's head as it stood",
    );
    const todayBefore = await heads(TODAY);
    t.same(
      todayBefore.heads.map(({ chain, sequence, entryHash }) => ({ chain, sequence, entryHash })),
      yesterday.heads.map(({ chain, sequence, entryHash }) => ({ chain, sequence, entryHash })),
      'no entry recorded today yet',
    );

    await farm.commission(pork, 7);
    t.equal((await heads(YESTERDAY)).digest, yesterday.digest, "yesterday's digest is unchanged by today's entry");
    const todayAfter = await heads(TODAY);
    t.not(todayAfter.digest, todayBefore.digest, "today's digest moved");
    t.equal(todayAfter.heads.find((head) => head.chain === farm.code)?.sequence, farmHead.sequence + 1);

    const csv = await world.app.inject({
      method: 'GET',
      url: `/audit/heads?date=${YESTERDAY}&format=csv`,
      headers: { authorization: `Bearer ${(await world.ok(world.admin.post('/api-keys', { role: 'regulator' }))).key}` },
    });
    t.equal(csv.headers['x-audit-digest'], yesterday.digest, 'the CSV carries the digest in a header');
    sentAsDeclared(t, await servedOpenApi(world.app), ['GET', '/audit/heads'], { status: csv.statusCode, headers: csv.headers }, 200);
    t.match(csv.body, /^\uFEFFchain,sequence,entry_hash,recorded_at\r\n/);
    t.equal(csv.body.trim().split('\r\n').length, yesterday.heads.length + 1, 'one line per chain');
    expectStatus(t, await regulator.get('/audit/heads?date=2026-13-01'), 400, 'a date that is not one');
  });
});
