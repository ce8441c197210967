// Every key sees a party's public identity; its contacts, licences and site addresses are for
// the party itself, its trading partners, regulators and admins.
import { createWorld, randomUscc } from '../fixtures/world.js';
import { type Client, client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('contacts, licences and addresses are shown to the party, its trading partners, regulators and admins only', async (t) => {
  const world = await createWorld(t);
  const abattoir = await world.party('slaughterhouse');
  const stranger = await world.party('processor');
  const farmUscc = randomUscc();
  const registered = await world.ok(
    world.admin.post('/parties', {
      kind: 'farm',
      name: '奉节县高山生态养殖场',
      uscc: farmUscc,
      regionCode: '500236',
      address: '重庆市奉节县草堂镇石马村5组',
      contact: { person: '谭明芳', phone: '023-56552318' },
      licences: { animalEpidemicPreventionCertificate: '(渝奉)动防合字第20200031号' },
    }),
  );
  const { key } = await world.ok(world.admin.post('/api-keys', { role: 'operator', partyCode: registered.code }));
  const owner = { code: registered.code as string, api: client(world.app, key) };
  const site = await world.ok(
    owner.api.post('/locations', { partyCode: owner.code, name: '猪舍', kind: 'farm', regionCode: '500236', address: '石马村5组' }),
  );

  const look = async (api: Client) => ({
    party: (await api.get(`/parties/${owner.code}`)).body,
    listed: (await api.get('/parties?kind=farm')).body.items.find((party: { code: string }) => party.code === owner.code),
    site: (await api.get(`/locations/${site.code}`)).body,
  });
  const full = (seen: Awaited<ReturnType<typeof look>>, who: string) => {
    t.match(
      seen.party,
      { details: 'full', contact: { person: '谭明芳' }, address: '重庆市奉节县草堂镇石马村5组' },
      `${who} sees the contacts`,
    );
    t.equal(seen.listed.details, 'full', `${who}: the directory agrees`);
    t.equal(seen.site.address, '石马村5组', `${who} sees the site address`);
  };
  const publicOnly = (seen: Awaited<ReturnType<typeof look>>, who: string) => {
    t.match(
      seen.party,
      { details: 'public', code: owner.code, name: '奉节县高山生态养殖场', kind: 'farm', regionCode: '500236', uscc: farmUscc },
      `${who} sees the public identity`,
    );
    t.same([seen.party.contact, seen.party.licences, seen.party.address], [{}, {}, null], `${who} sees no contacts, licences or address`);
    t.equal(seen.listed.details, 'public', `${who}: nor in the directory`);
    t.same([seen.site.address, seen.site.latitude, seen.site.details], [null, null, 'public'], `${who} sees no site address`);
  };

  full(await look(owner.api), 'the party itself');
  full(await look(world.admin), 'an admin');
  full(await look(world.regulator), 'a regulator');
  publicOnly(await look(stranger.api), 'a stranger');
  publicOnly(await look(abattoir.api), 'a party that has not traded with it yet');

  const pigs = await owner.api.post('/products', { partyCode: owner.code, name: '生猪', category: 'live_animal', unit: 'head' });
  const lot = (
    await owner.api.post('/events', {
      type: 'commission',
      eventTime: '2026-03-01T08:00:00+08:00',
      lots: [{ productCode: pigs.body.code, quantity: 10 }],
    })
  ).body.createdLotCodes[0];
  const { shipmentId } = await world.ok(
    owner.api.post('/events', {
      type: 'ship',
      eventTime: '2026-03-01T09:00:00+08:00',
      toPartyCode: abattoir.code,
      lines: [{ lotCode: lot }],
    }),
  );
  publicOnly(await look(abattoir.api), 'a party with a shipment from it still on the way');
  t.equal((await owner.api.get(`/parties/${abattoir.code}`)).body.details, 'public', 'and the other way: nothing was received yet');
  await abattoir.receive(shipmentId);
  full(await look(abattoir.api), 'a party that received from it');
  publicOnly(await look(stranger.api), 'a stranger, still');
  t.equal((await owner.api.get(`/parties/${abattoir.code}`)).body.details, 'full', 'and the other way: the party it shipped to');

  // traces name every party on the way, with addresses and contacts only as the directory shows them
  const shop = await world.party('retailer');
  await world.handOver(abattoir, shop, lot);
  const farmInTrace = async (api: Client) =>
    (await api.get(`/trace/${lot}?direction=backward`)).body.parties.find((party: { code: string }) => party.code === owner.code);
  t.match(
    await farmInTrace(abattoir.api),
    { address: '重庆市奉节县草堂镇石马村5组', contact: { person: '谭明芳' } },
    'the trace of a trading partner shows them',
  );
  t.match(
    await farmInTrace(world.regulator),
    { address: '重庆市奉节县草堂镇石马村5组', contact: { phone: '023-56552318' } },
    "so does a regulator's",
  );
  t.match(
    await farmInTrace(shop.api),
    { name: '奉节县高山生态养殖场', address: null, contact: null },
    'a shop further down the chain sees the farm by name only',
  );
});

t.test('a shipment taken back before it was received makes no trading partners; a partial receipt does', async (t) => {
  const world = await createWorld(t);
  const addressee = await world.party('processor');
  const site = await addressee.location();
  const sender = await world.party('processor');
  const details = async () => ({
    party: (await sender.api.get(`/parties/${addressee.code}`)).body.details,
    site: (await sender.api.get(`/locations/${site}`)).body.details,
  });
  const meat = await sender.product('kg');
  const lot = await sender.commission(meat, 10);

  const ship = await world.ok(sender.event({ type: 'ship', toPartyCode: addressee.code, lines: [{ lotCode: lot, quantity: 0.001 }] }));
  await world.ok(sender.event({ type: 'correction', correctsEventId: ship.event.id, reason: 'sent by mistake' }));
  t.same(await details(), { party: 'public', site: 'public' }, 'a cancelled shipment the addressee never received');

  const other = await sender.commission(meat, 10);
  const shipmentId = await sender.ship(addressee, [
    { lotCode: lot, quantity: 1 },
    { lotCode: other, quantity: 1 },
  ]);
  await world.ok(addressee.event({ type: 'receive', shipmentId, partial: true, lines: [{ lotCode: lot, quantity: 1 }] }));
  t.same(await details(), { party: 'full', site: 'full' }, 'one line of a shipment received');
});
