// GET /lots paged by token: `next` and a Link header while more lots follow, a walk by the links
// lists every lot once while lots are written between pages, and a token continues only the
// listing (filters, list) it came from. The party rules apply to each page as to any listing.

import { nextLink, refusedAt, walkPages } from '../fixtures/pages.js';
import { createWorld, type World } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const code = (lot: { code: string }) => lot.code;

/** A farm with seven lots: three commissions of two (lots made together share their creation time) and one of one. */
async function farmWithLots(world: World) {
  const farm = await world.party('farm');
  const pork = await farm.product('kg');
  for (let i = 0; i < 3; i++)
    await world.ok(
      farm.event({
        type: 'commission',
        lots: [
          { productCode: pork, quantity: 5 },
          { productCode: pork, quantity: 6 },
        ],
      }),
    );
  await farm.commission(pork, 7);
  return { farm, pork };
}

t.test('a walk by the links lists every lot once, while lots are made between pages', async (t) => {
  const world = await createWorld(t);
  const { farm, pork } = await farmWithLots(world);
  const listed = (await world.regulator.get(`/lots?partyCode=${farm.code}&limit=1000`)).body;
  t.equal(listed.items.length, 7, 'the farm has seven lots');
  t.equal(listed.next, undefined, 'one page holds them: no next');

  const made: string[] = [];
  const walk = await walkPages(t, world.regulator, `/lots?partyCode=${farm.code}&limit=2`, code, async () => {
    made.push(await farm.commission(pork, 1));
  });
  t.same(walk.keys, listed.items.map(code), 'every lot there was when the walk began, once, in the listing order');
  t.equal(walk.pages, 4, 'in pages of two');
  t.equal(made.length, 3, 'a lot made after each page but the last');
  const after = (await world.regulator.get(`/lots?partyCode=${farm.code}&limit=1000`)).body.items.map(code);
  t.same(after, [...made.reverse(), ...walk.keys], 'the lots made meanwhile are newer: listed before all the walk read');

  const offsetPaged = [];
  for (let offset = 0; offset < 10; offset += 3)
    offsetPaged.push(...(await world.regulator.get(`/lots?partyCode=${farm.code}&limit=3&offset=${offset}`)).body.items.map(code));
  t.same(offsetPaged, after, 'limit and offset page the same order as before');
});

t.test('the next token and the Link header: given while more lots follow, not on the last page', async (t) => {
  const world = await createWorld(t);
  const { farm, pork } = await farmWithLots(world);
  const first = await world.regulator.get(`/lots?partyCode=${farm.code}&status=active&productCode=${pork}&limit=3`);
  const link = nextLink(first);
  t.ok(link, 'a first page of three of seven links to the next');
  const url = new URL(link as string, 'http://local');
  t.equal(url.pathname, '/lots');
  t.same(
    [...url.searchParams.keys()].sort(),
    ['limit', 'pageToken', 'partyCode', 'productCode', 'status'],
    'with the filters, the limit and the token',
  );
  t.equal(url.searchParams.get('productCode'), pork);
  t.equal(url.searchParams.get('pageToken'), first.body.next, "the link's token is the page's next");

  const exact = await world.regulator.get(`/lots?partyCode=${farm.code}&limit=7`);
  t.equal(exact.body.items.length, 7);
  t.equal(exact.body.next, undefined, 'a page that ends with the last lot has no next');
  t.equal(exact.headers.link, undefined, 'nor a Link header');
  const offsetPage = await world.regulator.get(`/lots?partyCode=${farm.code}&limit=2&offset=4`);
  const rest = (await world.regulator.get(nextLink(offsetPage) as string)).body.items.map(code);
  const all = exact.body.items.map(code);
  t.same(rest, all.slice(6), 'an offset page links to the lots after its own');
});

t.test('a token continues only its own listing', async (t) => {
  const world = await createWorld(t);
  const { farm } = await farmWithLots(world);
  const get = (query: string) => world.regulator.get(`/lots?${query}`);
  const token = (await get(`partyCode=${farm.code}&status=active&limit=2`)).body.next as string;
  t.type(token, 'string');
  await refusedAt(t, get(`partyCode=${farm.code}&status=consumed&limit=2&pageToken=${token}`), '/pageToken', 'another status');
  await refusedAt(t, get(`partyCode=${farm.code}&limit=2&pageToken=${token}`), '/pageToken', 'without the status');
  await refusedAt(t, get(`status=active&limit=2&pageToken=${token}`), '/pageToken', 'without the party');
  await refusedAt(t, get(`partyCode=${farm.code}&status=active&pageToken=${token}&offset=1`), '/offset', 'an offset with it');
  t.equal(
    (await get(`partyCode=${farm.code}&status=active&limit=5&pageToken=${token}&offset=0`)).body.items.length,
    5,
    'offset 0 and another limit',
  );

  const forge = (fields: unknown) => Buffer.from(JSON.stringify(fields)).toString('base64url');
  const fields = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  const shipments = forge({ ...fields, by: 'shippedAt' });
  for (const [forged, what] of [
    ['not-a-token', 'no token at all'],
    [token.slice(0, -4), 'a token cut short'],
    [shipments, "another list's"],
    [forge({ ...fields, id: "'; drop table lots; --" }), 'a key no lot has the shape of'],
    [forge({ ...fields, t: '0000-01-01T00:00:00.000Z' }), 'a time the database does not store'],
    [forge({ ...fields, filters: { status: 7 } }), 'filters not text'],
    [forge({ ...fields, dir: 'ASC' }), 'another order'],
    ['x'.repeat(5000), 'one too long to be a token'],
  ])
    await refusedAt(t, get(`partyCode=${farm.code}&status=active&pageToken=${forged}`), '/pageToken', what);
});

t.test('each page is the asker’s: a token carries no access', async (t) => {
  const world = await createWorld(t);
  const plant = await world.party('processor');
  const ownLot = await plant.commission(await plant.product('kg'), 3);
  const { farm } = await farmWithLots(world);
  const farmToken = (await farm.api.get('/lots?limit=2')).body.next;
  const walked = await walkPages(t, farm.api, '/lots?limit=2', code);
  t.equal(walked.keys.length, 7, "the farm's walk: its seven lots");
  const plantPage = await plant.api.get(`/lots?limit=2&pageToken=${farmToken}`);
  t.same(plantPage.body.items.map(code), [ownLot], "the farm's token read by the plant lists the plant's own lots alone");
  const regulatorToken = (await world.regulator.get(`/lots?partyCode=${farm.code}&limit=2`)).body.next;
  t.equal(
    (await plant.api.get(`/lots?partyCode=${farm.code}&pageToken=${regulatorToken}`)).status,
    403,
    "another party's lots: 403 as ever",
  );
});
