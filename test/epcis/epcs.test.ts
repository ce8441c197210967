// GET /epcis/epcs: the EPCs and classes a party's events name, each object once, paged.
import { sql } from 'drizzle-orm';
import { completeGs1 } from '../../src/codes/gs1.js';
import { newLotCode } from '../../src/codes/service-codes.js';
import { queryRows } from '../../src/db/client.js';
import { epcisRequests, observation } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import type { Client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const listed = async (api: Client, query = '') => {
  const reply = await api.get(`/epcis/epcs${query}`);
  if (reply.status !== 200) throw new Error(`GET /epcis/epcs${query}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body['@set'] as string[];
};

/** The objects' names in the order of their codes here, as /epcis/epcs lists them. */
const inCodeOrder = (named: Record<string, string>) =>
  Object.keys(named)
    .sort()
    .map((code) => named[code]);

const forged = (fields: object) => Buffer.from(JSON.stringify(fields)).toString('base64url');

/** Every page of /epcis/epcs from the one at `url`, following the Link header. */
async function allPages(api: Client, from: string) {
  const pages: string[][] = [];
  let url: string | null = from;
  while (url) {
    const reply = await api.get(url);
    if (reply.status !== 200) throw new Error(`GET ${url}: ${reply.status} ${JSON.stringify(reply.body)}`);
    pages.push(reply.body['@set']);
    const link = reply.headers.link as string | undefined;
    url = link ? (/^<([^>]+)>; rel="next"$/.exec(link)?.[1] ?? null) : null;
  }
  return pages;
}

t.test('/epcis/epcs lists what the party’s events name: native lots and containers, captured EPCs and classes', async (t) => {
  const world = await createWorld(t);
  const { capture } = epcisRequests(world);
  const farm = await world.party('processor');
  const distributor = await world.party('distributor');
  const maker = await world.party('processor');
  const idle = await world.party('retailer');

  const gtin = completeGs1('0690123400004');
  const product = await farm.product('kg', { gtin });
  const shipped = await farm.commission(product, 10, { lotNumber: 'LN-1' });
  const second = await farm.commission(product, 5, { lotNumber: 'LN-2' });
  const sscc = completeGs1('06901234000000001');
  const pallet = (await world.ok(farm.event({ type: 'aggregate', parent: { sscc }, children: [{ lotCode: shipped, quantity: 10 }] })))
    .createdLotCodes[0];
  await world.handOver(farm, distributor, pallet);
  const lgtin = (lotNumber: string) => `https://id.gs1.org/01/${gtin}/10/${lotNumber}`;
  const palletUri = `https://id.gs1.org/00/${sscc}`;

  // the maker's instance, captured as an EPC URN, reaches the distributor natively
  const serial = 'urn:epc:id:sgtin:0614141.812345.6789';
  const serialLink = 'https://id.gs1.org/01/80614141123458/21/6789';
  t.match(await capture(maker.key, [observation(1, { action: 'ADD', bizStep: 'commissioning', epcList: [serial] })]), { success: true });
  const [serialLot] = (await world.ok(maker.api.get('/lots'), 200)).items.map((lot: { code: string }) => lot.code);
  await world.handOver(maker, distributor, serialLot, 1);

  // the distributor names what it received in EPCIS: a class that exists natively, the pallet by
  // its SSCC as an EPC URN, and the maker's instance by its Digital Link
  const palletUrn = `urn:epc:id:sscc:${sscc.slice(1, 8)}.${sscc[0]}${sscc.slice(8, 17)}`;
  t.match(
    await capture(distributor.key, [
      observation(20, { bizStep: 'inspecting', quantityList: [{ epcClass: lgtin('LN-1'), quantity: 1, uom: 'KGM' }] }),
      {
        type: 'AggregationEvent',
        eventTime: '2026-03-20T09:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        action: 'OBSERVE',
        bizStep: 'inspecting',
        parentID: palletUrn,
        childQuantityList: [{ epcClass: lgtin('LN-1') }],
      },
      observation(21, { bizStep: 'inspecting', epcList: [serialLink] }),
    ]),
    { success: true, captured: 3 },
  );

  t.same(
    await listed(farm.api),
    inCodeOrder({ [pallet]: palletUri, [shipped]: lgtin('LN-1'), [second]: lgtin('LN-2') }),
    'the farm: its native lots and its pallet',
  );
  t.same(
    await listed(distributor.api),
    inCodeOrder({ [pallet]: palletUri, [shipped]: lgtin('LN-1'), [serialLot]: serialLink }),
    'the distributor: what it received and named, each object once (the instance by its EPC, not by its code here)',
  );
  t.same(await listed(maker.api), [serialLink], 'the maker: its instance, not what others named');
  t.same(await listed(idle.api), [], 'a party without events: nothing');
  t.same(
    await listed(world.regulator),
    inCodeOrder({ [pallet]: palletUri, [shipped]: lgtin('LN-1'), [second]: lgtin('LN-2'), [serialLot]: serialLink }),
    'a regulator: every party’s',
  );
  for (const uri of await listed(distributor.api)) {
    const events = (await distributor.api.get(`/epcis/epcs/${encodeURIComponent(uri)}/events`)).body;
    t.ok(events.epcisBody.queryResults.resultsBody.eventList.length > 0, `${uri} finds the distributor's events`);
  }
});

t.test('/epcis/epcs pages as /epcis/events does: perPage, nextPageToken and a Link header', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('processor');
  const gtin = completeGs1('0690123400011');
  const product = await farm.product('kg', { gtin });
  const named: Record<string, string> = {};
  for (const lotNumber of ['A', 'B', 'C', 'D', 'E'])
    named[await farm.commission(product, 1, { lotNumber })] = `https://id.gs1.org/01/${gtin}/10/${lotNumber}`;
  const all = await listed(farm.api);
  t.same(all, inCodeOrder(named));

  const seen: string[] = [];
  let url: string | null = '/epcis/epcs?perPage=2';
  let pages = 0;
  while (url) {
    const reply = await farm.api.get(url);
    expectStatus(t, reply, 200, `page ${++pages}`);
    t.ok(reply.body['@set'].length <= 2);
    seen.push(...reply.body['@set']);
    const link = reply.headers.link as string | undefined;
    url = link ? (/^<([^>]+)>; rel="next"$/.exec(link)?.[1] ?? null) : null;
    if (link) t.match(link, /nextPageToken=/);
  }
  t.equal(pages, 3, 'five objects in pages of two');
  t.same(seen, all, 'every object once, in order');
  t.notOk((await farm.api.get('/epcis/epcs')).headers.link, 'one page holds them all: no next page');

  for (const [query, pointer] of [
    ['perPage=0', '/perPage'],
    ['perPage=abc', '/perPage'],
    ['nextPageToken=not-a-token', '/nextPageToken'],
    ['MATCH_epc=x', '/MATCH_epc'],
    // what reaches the database's comparison is a code as issued: not a NUL it refuses, nor a name
    [`nextPageToken=${forged({ by: 'lotCode', dir: 'ASC', id: `${Object.keys(named)[0]}\u0000` })}`, '/nextPageToken'],
    [`nextPageToken=${forged({ after: all[0] })}`, '/nextPageToken'],
  ]) {
    const refused = await farm.api.get(`/epcis/epcs?${query}`);
    expectStatus(t, refused, 400, query);
    t.match(refused.body, { errors: [{ in: 'querystring', pointer }] }, `${query}: names ${pointer}`);
  }
  const eventsToken = (await farm.api.get('/epcis/events?perPage=1')).headers.link as string;
  const token = new URL(/<([^>]+)>/.exec(eventsToken)?.[1] ?? '', 'http://local').searchParams.get('nextPageToken');
  expectStatus(t, await farm.api.get(`/epcis/epcs?nextPageToken=${token}`), 400, 'a token of /epcis/events does not continue /epcis/epcs');
});

t.test(
  '/epcis/epcs pages through more objects than a page holds: each once, in the order of their codes, for a party and a regulator',
  async (t) => {
    const world = await createWorld(t);
    const farm = await world.party('processor');
    const other = await world.party('processor');
    const gtin = completeGs1('0690123400028');
    const otherGtin = completeGs1('0690123400035');
    const product = await farm.product('kg', { gtin });
    const otherProduct = await other.product('kg', { gtin: otherGtin });
    const farmLots: Record<string, string> = {};
    const otherLots: Record<string, string> = {};
    for (let n = 1; n <= 7; n++) {
      farmLots[await farm.commission(product, 1, { lotNumber: `F${n}` })] = `https://id.gs1.org/01/${gtin}/10/F${n}`;
      otherLots[await other.commission(otherProduct, 1, { lotNumber: `O${n}` })] = `https://id.gs1.org/01/${otherGtin}/10/O${n}`;
    }

    for (const [who, api, named] of [
      ['the party', farm.api, farmLots],
      ['a regulator', world.regulator, { ...farmLots, ...otherLots }],
    ] as const) {
      const pages = await allPages(api, '/epcis/epcs?perPage=3');
      const count = Object.keys(named).length;
      t.equal(pages.length, Math.ceil(count / 3), `${who}: ${count} objects in pages of three`);
      t.ok(
        pages.every((page) => page.length <= 3),
        `${who}: no page holds more than perPage`,
      );
      t.same(pages.flat(), inCodeOrder(named), `${who}: every object once, in the order of their codes`);
      t.same(await allPages(api, '/epcis/epcs?perPage=3'), pages, `${who}: the same pages again`);
    }

    // an object recorded while a client pages takes its place among the rest: nothing listed before repeats
    const firstPage = await farm.api.get('/epcis/epcs?perPage=3');
    t.same(firstPage.body['@set'], inCodeOrder(farmLots).slice(0, 3), 'the first page');
    const lastListed = Object.keys(farmLots).sort()[2];
    const added = await farm.commission(product, 1, { lotNumber: 'F8' });
    farmLots[added] = `https://id.gs1.org/01/${gtin}/10/F8`;
    const rest = await allPages(farm.api, /^<([^>]+)>; rel="next"$/.exec(firstPage.headers.link as string)?.[1] as string);
    t.same(
      rest.flat(),
      inCodeOrder(Object.fromEntries(Object.entries(farmLots).filter(([code]) => code > lastListed))),
      'the pages after it: every object after the last one listed, the new one too if it sorts there',
    );
  },
);

/** The lot (or container) code a party's key finds behind an EPC (GET /epc). */
const codeOf = async (api: Client, epc: string): Promise<string> => {
  const reply = await api.get(`/epc/${encodeURIComponent(epc)}?companyPrefixLength=7`);
  if (reply.status !== 200 || !reply.body.knownAs) throw new Error(`GET /epc/${epc}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.knownAs.code;
};

t.test('/epcis/epcs lists to an operator only the objects it may read, whatever its events reach', async (t) => {
  const world = await createWorld(t);
  const { capture } = epcisRequests(world);
  const owner = await world.party('processor');
  const maker = await world.party('processor');
  const lab = await world.party('lab');

  const gtin = completeGs1('0690123400059');
  const product = await owner.product('kg', { gtin });
  const lotA = await owner.commission(product, 10, { lotNumber: 'RA-1' });
  const lgtin = `https://id.gs1.org/01/${gtin}/10/RA-1`;
  await world.handOver(owner, maker, lotA);

  // the maker cuts the owner's lot into packs it captures under its own EPCs, and commissions another
  const packs = ['https://id.gs1.org/01/80614141123458/21/P1', 'https://id.gs1.org/01/80614141123458/21/P2'];
  const own = 'https://id.gs1.org/01/80614141123458/21/OWN-9';
  t.match(
    await capture(maker.key, [
      observation(1, { action: 'ADD', bizStep: 'commissioning', epcList: [own] }),
      {
        type: 'TransformationEvent',
        eventTime: '2026-03-20T08:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        bizStep: 'commissioning',
        inputQuantityList: [{ epcClass: lgtin, quantity: 10, uom: 'KGM' }],
        outputEPCList: packs,
      },
    ]),
    { success: true, captured: 2 },
  );
  const packLots = await Promise.all(packs.map((pack) => codeOf(maker.api, pack)));
  const ownLot = await codeOf(maker.api, own);

  // the owner's recall reaches the maker's packs, and a lab tests the maker's lot: their own events
  // name lots they never owned, held or were sent
  expectStatus(t, await owner.api.post('/recalls', { lotCodes: [lotA], level: 3, reason: 'r', hazard: 'h' }), 201, 'the recall');
  const tested = [ownLot, ...packLots];
  expectStatus(
    t,
    await lab.event({
      eventTime: '2026-03-21T08:00:00+08:00',
      type: 'inspect',
      lotCodes: tested,
      inspection: { kind: 'third_party', result: 'pass' },
    }),
    201,
    'the lab’s test',
  );
  for (const code of packLots) expectStatus(t, await owner.api.get(`/lots/${code}`), 403, 'the owner may not read a pack lot');
  for (const code of tested) expectStatus(t, await lab.api.get(`/lots/${code}`), 403, 'the lab may not read a lot it tested');
  // the lab's own sample lot, listed among those it may not read
  const labGtin = completeGs1('0690123400073');
  const sampleLot = await lab.commission(await lab.product('kg', { gtin: labGtin }), 1, { lotNumber: 'S-1' });
  const sample = `https://id.gs1.org/01/${labGtin}/10/S-1`;

  t.same(await listed(owner.api), [lgtin], 'the owner: its own lot, not the maker’s packs its recall reached');
  t.same(await listed(lab.api), [sample], 'the lab: its own lot, not the EPCs the maker captured for the lots it tested');
  for (const perPage of [1, 2, 3])
    for (const [who, api, own] of [
      ['the owner', owner.api, lgtin],
      ['the lab', lab.api, sample],
    ] as const)
      t.same((await allPages(api, `/epcis/epcs?perPage=${perPage}`)).flat(), [own], `${who}, perPage=${perPage}: the same`);
  t.same(
    await listed(maker.api),
    inCodeOrder({ [lotA]: lgtin, [packLots[0]]: packs[0], [packLots[1]]: packs[1], [ownLot]: own }),
    'the maker: what it received, made and captured',
  );
  t.same(
    await listed(world.regulator),
    inCodeOrder({ [lotA]: lgtin, [packLots[0]]: packs[0], [packLots[1]]: packs[1], [ownLot]: own, [sampleLot]: sample }),
    'a regulator: every object',
  );
});

t.test('/epcis/epcs: perPage counts the EPCs listed, and a lot’s EPCs may straddle pages', async (t) => {
  const world = await createWorld(t);
  const { capture } = epcisRequests(world);
  const farm = await world.party('processor');
  const gtin = completeGs1('0690123400066');
  const product = await farm.product('kg', { gtin });
  const named: Record<string, string[]> = {};
  for (const lotNumber of ['N1', 'N2'])
    named[await farm.commission(product, 1, { lotNumber })] = [`https://id.gs1.org/01/${gtin}/10/${lotNumber}`];
  const serial = (name: string) => `https://id.gs1.org/01/80614141123458/21/${name}`;
  t.match(
    await capture(
      farm.key,
      ['S1', 'S2', 'S3', 'S4'].map((name, day) =>
        observation(day + 1, { action: 'ADD', bizStep: 'commissioning', epcList: [serial(name)] }),
      ),
    ),
    { success: true, captured: 4 },
  );
  // the writer stores one EPC for each lot a capture creates, but identifiers are keyed by their
  // value, not by lot: a lot may carry several, and the listing lists each
  const extra: Record<string, string[]> = { S1: ['S1-B', 'S1-C'], S2: [], S3: ['S3-B'], S4: ['S4-B', 'S4-C', 'S4-D'] };
  for (const [name, more] of Object.entries(extra)) {
    const lotCode = await codeOf(farm.api, serial(name));
    named[lotCode] = [serial(name), ...more.map(serial)].sort();
    for (const value of more)
      await queryRows(
        world.database.db,
        sql`insert into lot_identifiers (kind, value, lot_code, party_code) values ('epc', ${serial(value)}, ${lotCode}, ${farm.code})`,
      );
  }
  const all = Object.keys(named)
    .sort()
    .flatMap((code) => named[code]);
  t.equal(all.length, 12);
  t.same(await listed(farm.api), all, 'one page: every EPC, lot by lot in the order of their codes, each lot’s in order');
  t.same(await listed(world.regulator), all, 'a regulator: the same');

  for (const perPage of [1, 2, 3, 4, 5, 7, 11, 12]) {
    for (const [who, api] of [
      ['the party', farm.api],
      ['a regulator', world.regulator],
    ] as const) {
      const pages = await allPages(api, `/epcis/epcs?perPage=${perPage}`);
      t.same(
        pages.map((page) => page.length),
        [
          ...Array.from({ length: Math.ceil(all.length / perPage) - 1 }, () => perPage),
          all.length - perPage * (Math.ceil(all.length / perPage) - 1),
        ],
        `${who}, perPage=${perPage}: every page but the last holds perPage EPCs`,
      );
      t.same(pages.flat(), all, `${who}, perPage=${perPage}: every EPC once, in order`);
    }
  }

  // a token carries what it continues after: the lot, and the last EPC listed of it when its other EPCs come next
  const s4 = await codeOf(farm.api, serial('S4'));
  const continued = await farm.api.get(`/epcis/epcs?nextPageToken=${forged({ by: 'lotCode', dir: 'ASC', id: s4, epc: serial('S4-B') })}`);
  expectStatus(t, continued, 200, 'a token within a lot');
  t.same(continued.body['@set'], all.slice(all.indexOf(serial('S4-B')) + 1), 'continues after that EPC');
  for (const [what, epc] of [
    ['not a string', 7],
    ['null', null],
    ['empty', ''],
    ['with a NUL', `${serial('S4-B')}\u0000`],
    ['with a space', 'urn:x y'],
    ['a lone surrogate', '\ud800'],
    ['too long', `urn:x:${'a'.repeat(2000)}`],
  ] as const) {
    const refused = await farm.api.get(`/epcis/epcs?nextPageToken=${forged({ by: 'lotCode', dir: 'ASC', id: s4, epc })}`);
    expectStatus(t, refused, 400, `a token whose EPC is ${what}`);
    t.match(refused.body, { errors: [{ in: 'querystring', pointer: '/nextPageToken' }] });
  }
});

t.test('/epcis/epcs takes as many statements a page however many lots the party may not read its events name', async (t) => {
  // no subscription poller, no RFID gate ticks and no job lease rounds (every 10 s on PostgreSQL):
  // their statements would be counted with the pages'
  const world = await createWorld(t, undefined, { subscriptionTickMs: 3_600_000, rfidTickMs: 0, jobLeaseSeconds: 3_600 });
  const owner = await world.party('processor');
  const other = await world.party('processor');
  const gtin = completeGs1('0690123400080');
  const otherGtin = completeGs1('0690123400097');
  const product = await owner.product('kg', { gtin });
  const otherProduct = await other.product('kg', { gtin: otherGtin });
  const named: Record<string, string> = {};
  for (const lotNumber of ['K1', 'K2', 'K3'])
    named[await owner.commission(product, 1, { lotNumber })] = `https://id.gs1.org/01/${gtin}/10/${lotNumber}`;
  // a lot the owner holds, and one it was sent and has not received (which its events do not name: a link below does)
  const held = await other.commission(otherProduct, 1, { lotNumber: 'H1' });
  await world.handOver(other, owner, held);
  named[held] = `https://id.gs1.org/01/${otherGtin}/10/H1`;
  const sent = await other.commission(otherProduct, 1, { lotNumber: 'S1' });
  await other.ship(owner, [{ lotCode: sent }]);
  named[sent] = `https://id.gs1.org/01/${otherGtin}/10/S1`;
  const [{ id: eventId }] = await queryRows<{ id: string }>(
    world.database.db,
    sql`select id from events where party_code = ${owner.code} order by record_time limit 1`,
  );
  // the links, and the value list entries the event writer keeps with them
  const link = (codes: string[]) =>
    queryRows(
      world.database.db,
      sql`with linked as (insert into event_lots (event_id, lot_code, role, party_code)
          select ${eventId}, code, 'subject', ${owner.code} from unnest(${sql.param(codes)}::text[]) code)
        insert into event_values (party_code, field, value)
          select ${owner.code}, 'lot', code from unnest(${sql.param(codes)}::text[]) code on conflict do nothing`,
    );
  await link([sent]);

  /** Every page of perPage=2, and the statements each took. */
  const paged = async () => {
    const statements: number[] = [];
    let current = 0;
    // the API key's look-up (cached for a few seconds after its first use) is not the listing's
    const stop = world.database.stats.observe((query) => {
      if (!/from "api_keys"/.test(query.text)) current++;
    });
    try {
      const pages: string[][] = [];
      let url: string | null = '/epcis/epcs?perPage=2';
      while (url) {
        current = 0;
        const reply = await owner.api.get(url);
        if (reply.status !== 200) throw new Error(`GET ${url}: ${reply.status} ${JSON.stringify(reply.body)}`);
        statements.push(current);
        pages.push(reply.body['@set']);
        const next = reply.headers.link as string | undefined;
        url = next ? (/^<([^>]+)>; rel="next"$/.exec(next)?.[1] ?? null) : null;
      }
      return { pages, statements };
    } finally {
      stop();
    }
  };
  const few = await paged();
  t.same(few.pages.flat(), inCodeOrder(named), 'the lots the owner owned, holds and was sent');

  // an owner's recall links every lot of its scope to one event: thousands it may not read, among its own in code order
  const unreadable = Array.from({ length: 4000 }, newLotCode);
  await queryRows(
    world.database.db,
    sql`insert into lots (code, kind, party_code, product_code, quantity, unit, status, created_by_event_id)
      select code, 'lot', ${other.code}, ${otherProduct}, 1, 'kg', 'active', ${eventId} from unnest(${sql.param(unreadable)}::text[]) code`,
  );
  await link(unreadable);
  const many = await paged();
  t.same(many.pages, few.pages, 'the same pages');
  t.same(many.statements, few.statements, `as many statements a page (${few.statements.join(', ')})`);
});
