import { hasRegionCodeShape, isValidEarTag, isValidScLicence } from '../../src/codes/china.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('hasRegionCodeShape (the list itself is checked in regions.test.ts)', async (t) => {
  for (const v of ['500236', '500103', '110101', '350100', '820000']) t.ok(hasRegionCodeShape(v), v);
  t.ok(hasRegionCodeShape('500234'), 'a retired code keeps its shape');
  t.notOk(hasRegionCodeShape('100000'), 'province 10');
  t.notOk(hasRegionCodeShape('830000'), 'province 83');
  t.notOk(hasRegionCodeShape('000000'));
  t.notOk(hasRegionCodeShape('50023'), '5 digits');
  t.notOk(hasRegionCodeShape('5002360'), '7 digits');
  t.notOk(hasRegionCodeShape('50023A'));
  t.notOk(hasRegionCodeShape(' 500236'));
  t.notOk(hasRegionCodeShape('５００２３６'), 'full-width digits');
  t.notOk(hasRegionCodeShape(undefined as unknown as string));
});

t.test('ear tags', async (t) => {
  t.ok(isValidEarTag('150023600000001'));
  t.ok(isValidEarTag('250023612345678'));
  t.ok(isValidEarTag('311010199999999'));

  t.notOk(isValidEarTag('450023600000001'), 'species 4');
  t.notOk(isValidEarTag('050023600000001'), 'species 0');
  t.notOk(isValidEarTag('109023600000001'), 'province 09');
  t.notOk(isValidEarTag('190023600000001'), 'province 90');
  t.notOk(isValidEarTag('15002360000000'), '14 digits');
  t.notOk(isValidEarTag('1500236000000012'), '16 digits');
  t.notOk(isValidEarTag('15002360000000A'));
  t.notOk(isValidEarTag(''));
});

t.test('isValidScLicence (shape only)', async (t) => {
  // Made-up but well-formed: category 114, province 50, city 02, county 36, seq 0012, check 3.
  t.ok(isValidScLicence('SC11450023600123'));
  t.ok(isValidScLicence('SC10435010200017'));
  t.ok(isValidScLicence('SC20111010100015'), 'food additive category');
  t.notOk(isValidScLicence('sc11450023600123'), 'lowercase prefix');
  t.notOk(isValidScLicence('QS11450023600123'));
  t.notOk(isValidScLicence('SC1145002360012'), '13 digits');
  t.notOk(isValidScLicence('SC114500236001234'), '15 digits');
  t.notOk(isValidScLicence('SC11409023600123'), 'province 09');
  t.notOk(isValidScLicence('SC11499023600123'), 'province 99');
  t.notOk(isValidScLicence('SC1145002360012X'));
  t.notOk(isValidScLicence(' SC11450023600123'));
  // the category's first digit says food (1) or food additive (2)
  for (const first of '03456789') t.notOk(isValidScLicence(`SC${first}1450023600123`), `category starting with ${first}`);
});
