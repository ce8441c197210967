// GET /events newest first, paged by token: `next` and a Link header while more events follow, a
// walk by the links lists every event once while events are recorded between pages, and a token
// continues only the listing it came from (not a sync, nor other filters).

import { nextLink, refusedAt, walkPages } from '../fixtures/pages.js';
import { at, createWorld, type World } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const id = (event: { id: string }) => event.id;

/** A farm with six events: two pairs at one event time each, and two more. */
async function farmWithEvents(world: World) {
  const farm = await world.party('farm');
  const pork = await farm.product('kg');
  const commission = (eventTime?: string) =>
    world.ok(farm.event({ type: 'commission', lots: [{ productCode: pork, quantity: 5 }], ...(eventTime ? { eventTime } : {}) }));
  for (const eventTime of [at(-30), at(-30), at(-20), at(-20)]) await commission(eventTime);
  await commission();
  await commission();
  return { farm, commission };
}

t.test('a walk by the links lists every event once, while events are recorded between pages', async (t) => {
  const world = await createWorld(t);
  const { farm, commission } = await farmWithEvents(world);
  const listed = (await world.regulator.get(`/events?partyCode=${farm.code}&limit=1000`)).body;
  t.equal(listed.items.length, 6, 'the farm recorded six events');
  t.equal(listed.next, undefined, 'one page holds them: no next');

  const walk = await walkPages(t, world.regulator, `/events?partyCode=${farm.code}&limit=2`, id, () => commission());
  t.same(walk.keys, listed.items.map(id), 'every event there was when the walk began, once, in the listing order');
  t.equal(walk.pages, 3);

  // an event recorded meanwhile with an event time the walk has not reached yet is listed in it, once
  const backdated = await walkPages(t, world.regulator, `/events?partyCode=${farm.code}&type=commission&limit=3`, id, async (page) => {
    if (page === 1) await commission(at(-40));
  });
  const now = (await world.regulator.get(`/events?partyCode=${farm.code}&type=commission&limit=1000`)).body.items.map(id);
  t.equal(new Set(backdated.keys).size, backdated.keys.length, 'no event twice');
  t.same(
    backdated.keys,
    now.slice(now.length - backdated.keys.length),
    'those newer than the walk aside, every event, the backdated one too',
  );
  t.ok(backdated.keys.length >= 9, 'the nine events there were when it began, and the one recorded at -40 h');

  const byOffset = [];
  for (let offset = 0; offset < now.length; offset += 4)
    byOffset.push(
      ...(await world.regulator.get(`/events?partyCode=${farm.code}&type=commission&limit=4&offset=${offset}`)).body.items.map(id),
    );
  t.same(byOffset, now, 'limit and offset page the same order');
});

t.test('the Link header keeps the filters, encoded; a token continues only its own listing', async (t) => {
  const world = await createWorld(t);
  const { farm } = await farmWithEvents(world);
  const from = at(-35); // +08:00: a "+" a query string must carry as %2B
  const first = await farm.api.get(`/events?type=commission&from=${encodeURIComponent(from)}&limit=2`);
  const link = nextLink(first) as string;
  t.ok(link, 'more follow: a link');
  t.notMatch(link, /\+08:00/, 'no raw "+" in the link');
  const url = new URL(link, 'http://local');
  t.equal(url.pathname, '/events');
  t.equal(new Date(url.searchParams.get('from') as string).getTime(), new Date(from).getTime(), 'the from filter, the same instant');
  t.equal(url.searchParams.get('type'), 'commission');
  const walk = await walkPages(t, farm.api, `/events?type=commission&from=${encodeURIComponent(from)}&limit=2`, id);
  t.equal(walk.keys.length, 6);
  const last = await farm.api.get(`/events?limit=6`);
  t.equal(last.body.next, undefined, 'a page that ends with the last event: no next');
  t.equal(last.headers.link, undefined, 'nor a link');

  const token = first.body.next as string;
  const get = (query: string) => farm.api.get(`/events?${query}`);
  const sameFrom = `from=${encodeURIComponent(from)}`;
  t.equal((await get(`type=commission&${sameFrom}&limit=10&pageToken=${token}`)).status, 200, 'the same filters, another limit');
  const sameInstant = encodeURIComponent(new Date(from).toISOString());
  t.equal((await get(`type=commission&from=${sameInstant}&pageToken=${token}`)).status, 200, 'the same instant written in UTC');
  await refusedAt(t, get(`type=observe&${sameFrom}&pageToken=${token}`), '/pageToken', 'another type');
  await refusedAt(t, get(`type=commission&pageToken=${token}`), '/pageToken', 'without from');
  await refusedAt(t, get(`type=commission&${sameFrom}&pageToken=${token}&offset=2`), '/offset', 'an offset with it');
  await refusedAt(t, get(`type=commission&${sameFrom}&pageToken=not-a-token`), '/pageToken', 'no token at all');
  await refusedAt(t, get(`recordedFrom=${encodeURIComponent(at(-50))}&pageToken=${token}`), '/pageToken', 'with a sync');
  const syncCursor = (await get(`recordedFrom=${encodeURIComponent(at(-50))}`)).body.next as string;
  await refusedAt(t, get(`pageToken=${syncCursor}`), '/pageToken', "a sync's cursor as a page token");
  await refusedAt(t, get(`after=${token}`), '/after', 'a page token as a sync cursor');
  const lotsToken = (await world.regulator.get(`/lots?limit=1`)).body.next as string;
  await refusedAt(t, get(`pageToken=${lotsToken}`), '/pageToken', "the lots' token");
});

t.test('each page is the asker’s: a token carries no access', async (t) => {
  const world = await createWorld(t);
  const { farm } = await farmWithEvents(world);
  const plant = await world.party('processor');
  const plantProduct = await plant.product('kg');
  // older than any of the farm's: after where the farm's token points
  const older = await world.ok(
    plant.event({ type: 'commission', eventTime: at(-100), lots: [{ productCode: plantProduct, quantity: 3 }] }),
  );
  const farmToken = (await farm.api.get('/events?limit=2')).body.next as string;
  const read = await plant.api.get(`/events?limit=10&pageToken=${farmToken}`);
  t.same(read.body.items.map(id), [older.event.id], "the farm's token read by the plant lists the plant's own events alone");
  const regulatorToken = (await world.regulator.get(`/events?partyCode=${farm.code}&limit=2`)).body.next;
  t.equal(
    (await plant.api.get(`/events?partyCode=${farm.code}&pageToken=${regulatorToken}`)).status,
    403,
    "another party's events: 403 as ever",
  );
});
