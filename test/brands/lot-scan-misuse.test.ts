// A lot of a branded product scanned by its own label (a Digital Link with its batch) raises the brand misuse
// flag a pack's scan of it raises, once per lot, and its page shows what a pack's page shows of the misuse.
import { completeGs1 } from '../../src/codes/gs1.js';
import { shanghaiIso } from '../../src/codes/timestamp.js';
import { codedAroundTheCheck } from '../fixtures/brand-codes.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { BRANDS_REGISTERED, createWorld } from '../fixtures/world.js';
import { client, phoneAddress } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

type Flag = { code: string; kind: string; lotCode: string | null; partyCode: string | null; detail: string; occurrences: number };

t.test('a lot-level scan of a non-member’s lot of a branded product is flagged as misuse, once per lot', async (t) => {
  const world = await createWorld(t);
  const office = client(world.app, (await world.ok(world.admin.post('/api-keys', { role: 'brand_office' }))).key);
  const outsider = await world.party('processor');
  const member = await world.party('processor');
  const gtin = completeGs1('0695512399101');
  const memberGtin = completeGs1('0695512399102');
  const product = await outsider.product('piece', { gtin });
  const memberProduct = await member.product('piece', { gtin: memberGtin });
  await world.ok(
    world.onClock(BRANDS_REGISTERED, () =>
      office.post('/brands', {
        code: 'LOTS',
        kind: 'regional',
        regionCode: '500236',
        nameZh: '奉节批次',
        nameEn: 'Fengjie Lots',
        products: [product, memberProduct],
      }),
    ),
  );
  await world.ok(
    office.post('/brands/LOTS/authorizations', { partyCode: member.code, tier: 'authorized', validFrom: '2026-01-01', reason: '准入' }),
  );
  const producedOn = shanghaiIso(new Date()).slice(0, 10);
  const lot = await outsider.commission(product, 20, { productionDate: producedOn, lotNumber: 'OUT-1' });
  const memberLot = await member.commission(memberProduct, 20, { productionDate: producedOn, lotNumber: 'IN-1' });
  const [memberPack] = await issuePacks(world, member, memberLot, 1);

  let phones = 0;
  const scan = (url: string, phone = ++phones, accept = 'application/json') =>
    world.app.inject({ method: 'GET', url, remoteAddress: phoneAddress(phone), headers: { accept, 'user-agent': `phone ${phone}` } });
  const misuseFlags = async (lotCode: string): Promise<Flag[]> =>
    (await world.regulator.get(`/regulator/flags?kind=brand_misuse&lotCode=${lotCode}`)).body.items;
  const finding = `奉节批次 (LOTS): produced on ${producedOn}, while its owner was not admitted to the brand`;

  const lotLink = `/01/${gtin}/10/OUT-1`;
  const first = await scan(lotLink, 1);
  t.equal(first.statusCode, 200, 'the lot’s page');
  await scan(lotLink, 1);
  await scan(lotLink, 2);
  await scan(`${lotLink}?lang=en`, 3, 'text/html');
  t.match(
    await misuseFlags(lot),
    [{ code: lot, kind: 'brand_misuse', lotCode: lot, partyCode: outsider.code, detail: finding, occurrences: 3 }],
    'one flag for the lot, its occurrences the scans counted (a reload within the window is none)',
  );
  t.equal((await misuseFlags(lot)).length, 1, 'and no other');
  t.match(
    (await world.ok(office.get('/brands/LOTS/flags'), 200)).items,
    [{ code: lot, lotCode: lot, partyCode: outsider.code, findings: [finding] }],
    'the brand’s office reads it among its brand’s flags',
  );
  t.match((await world.ok(office.get(`/brands/LOTS/flags/${lot}`), 200)).findings, [finding], 'and by the lot’s code');

  // a pack of the same lot, coded by a path around the check: its scan raises its own flag, the same finding first
  const pack = await codedAroundTheCheck(world, outsider, lot);
  const packScan = (await scan(`/t/${pack}`)).json();
  const packFlag = (await misuseFlags(lot)).find((flag) => flag.code === pack);
  t.match(packFlag?.detail, `奉节批次 (LOTS): produced on ${producedOn}`, 'the pack’s scan is flagged as ever');
  const lotScan = (await scan(lotLink)).json();
  t.same(lotScan.brands, packScan.brands, 'the lot’s page shows the brand as the pack’s page does: no badge');
  t.same(lotScan.brands, []);
  t.notOk(lotScan.warnings.includes('counterfeit_suspected'), 'and, as the pack’s, does not call it counterfeit');
  t.notOk(packScan.warnings.includes('counterfeit_suspected'));
  const page = await scan(lotLink, ++phones, 'text/html');
  t.notMatch(page.body, 'data-brand="LOTS"', 'its page shows no badge either');

  // a member's lot of a covered product: its badge, and no flag, whether scanned by its lot or by a pack
  const memberScan = (await scan(`/01/${memberGtin}/10/IN-1`)).json();
  t.same(
    memberScan.brands.map((brand: { code: string }) => brand.code),
    ['LOTS'],
    'a member’s lot shows its badge',
  );
  t.same((await scan(`/t/${memberPack}`)).json().brands, memberScan.brands, 'as its pack does');
  t.same(await misuseFlags(memberLot), [], 'and is no misuse');
});
