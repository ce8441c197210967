// Every unit a lot may be counted in has its one name in Chinese, for the Excel exports (the brand report's,
// the recall's) and the printed recall report: a table in products, which every folder that writes one may import.
import { UOM } from '../../src/epcis/uom.js';
import { CONTAINER_UNIT } from '../../src/lots/ledger.js';
import { UNITS } from '../../src/products/schemas.js';
import { UNIT_NAMES_ZH } from '../../src/products/unit-names-zh.js';
import { fileTest } from '../root.js';

const t = fileTest();

const CHINESE = /^[\u4e00-\u9fff/]+$/;

t.test("a product's units, a container's and the UN/CEFACT codes EPCIS writes them in are named in Chinese", async (t) => {
  for (const unit of [...UNITS, CONTAINER_UNIT, ...Object.values(UOM)]) t.match(UNIT_NAMES_ZH[unit], CHINESE, unit);
  t.equal(UNIT_NAMES_ZH.kg, UNIT_NAMES_ZH[UOM.kg], 'a unit and its code have one name');
  t.equal(UNIT_NAMES_ZH.pallet, UNIT_NAMES_ZH[UOM.pallet]);
});
