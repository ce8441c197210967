// GET /shipments paged by token: `next` and a Link header while more shipments follow, a walk by
// the links lists every shipment once while goods are shipped between pages, and a token continues
// only the listing it came from. Each page is scoped by who asks for it, as any listing.

import { nextLink, refusedAt, walkPages } from '../fixtures/pages.js';
import { at, createWorld, type World } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const id = (shipment: { id: string }) => shipment.id;

/** A farm that shipped six times to a plant: two at one time, then four. */
async function farmShipping(world: World) {
  const farm = await world.party('farm');
  const plant = await world.party('processor');
  const pork = await farm.product('kg');
  const made = await world.ok(farm.event({ type: 'commission', eventTime: at(-100), lots: [{ productCode: pork, quantity: 1000 }] }));
  const lot = made.createdLotCodes[0] as string;
  const ship = async (eventTime?: string) =>
    (
      await world.ok(
        farm.event({ type: 'ship', toPartyCode: plant.code, lines: [{ lotCode: lot, quantity: 1 }], ...(eventTime ? { eventTime } : {}) }),
      )
    ).shipmentId as string;
  const sameTime = at(-50);
  await ship(sameTime);
  await ship(sameTime);
  for (let i = 0; i < 4; i++) await ship();
  return { farm, plant, ship };
}

t.test('a walk by the links lists every shipment once, while goods are shipped between pages', async (t) => {
  const world = await createWorld(t);
  const { farm, plant, ship } = await farmShipping(world);
  const listed = (await plant.api.get('/shipments?limit=1000')).body;
  t.equal(listed.items.length, 6, 'the plant was sent six shipments');
  t.equal(listed.next, undefined);

  const walk = await walkPages(t, plant.api, '/shipments?limit=2', id, () => ship());
  t.same(walk.keys, listed.items.map(id), 'every shipment there was when the walk began, once, in the listing order');
  t.equal(walk.pages, 3);

  const now = (await world.regulator.get(`/shipments?partyCode=${farm.code}&limit=1000`)).body.items.map(id);
  t.equal(now.length, 8, 'two shipped meanwhile');
  const byOffset = [];
  for (let offset = 0; offset < now.length; offset += 3)
    byOffset.push(...(await world.regulator.get(`/shipments?partyCode=${farm.code}&limit=3&offset=${offset}`)).body.items.map(id));
  t.same(byOffset, now, 'limit and offset page the same order');
});

t.test('the Link header and the token: its listing only, each page the asker’s', async (t) => {
  const world = await createWorld(t);
  const { farm, plant } = await farmShipping(world);
  const first = await world.regulator.get(`/shipments?partyCode=${plant.code}&status=open&limit=4`);
  const url = new URL(nextLink(first) as string, 'http://local');
  t.equal(url.pathname, '/shipments');
  t.same(Object.fromEntries(url.searchParams), { partyCode: plant.code, status: 'open', limit: '4', pageToken: first.body.next });
  const last = await world.regulator.get(nextLink(first) as string);
  t.equal(last.body.items.length, 2);
  t.equal(last.body.next, undefined, 'the last page: no next');
  t.equal(last.headers.link, undefined, 'nor a link');

  const token = first.body.next as string;
  const get = (query: string) => world.regulator.get(`/shipments?${query}`);
  await refusedAt(t, get(`partyCode=${plant.code}&status=received&pageToken=${token}`), '/pageToken', 'another status');
  await refusedAt(t, get(`partyCode=${farm.code}&status=open&pageToken=${token}`), '/pageToken', 'another party');
  await refusedAt(t, get(`partyCode=${plant.code}&status=open&pageToken=${token}&offset=3`), '/offset', 'an offset with it');
  await refusedAt(t, get(`partyCode=${plant.code}&status=open&pageToken=%00`), '/pageToken', 'no token at all');

  // the regulator's token, read by the operators themselves: each its own shipments, as ever
  t.equal((await plant.api.get(`/shipments?partyCode=${plant.code}&status=open&pageToken=${token}`)).body.items.length, 2, 'the plant');
  const shop = await world.party('retailer');
  t.same(
    (await shop.api.get(`/shipments?partyCode=${shop.code}&status=open&pageToken=${token}`)).status,
    400,
    "another party's filter: the token's filters differ",
  );
  t.equal(
    (await shop.api.get(`/shipments?partyCode=${plant.code}&status=open&pageToken=${token}`)).status,
    403,
    "the plant's shipments: 403 to the shop",
  );
});
