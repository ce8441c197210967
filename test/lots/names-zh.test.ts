// Every unit a lot may be counted in, and every lot status, has its one name in Chinese for the
// Excel exports and the printed recall report.
import { UOM } from '../../src/epcis/uom.js';
import { CONTAINER_UNIT, LOT_STATUSES } from '../../src/lots/ledger.js';
import { LOT_STATUS_NAMES_ZH, UNIT_NAMES_ZH } from '../../src/lots/names-zh.js';
import { UNITS } from '../../src/products/schemas.js';
import { fileTest } from '../root.js';

const t = fileTest();

const CHINESE = /^[\u4e00-\u9fff/]+$/;

t.test("a product's units, a container's and the UN/CEFACT codes EPCIS writes them in are named in Chinese", async (t) => {
  for (const unit of [...UNITS, CONTAINER_UNIT, ...Object.values(UOM)]) t.match(UNIT_NAMES_ZH[unit], CHINESE, unit);
  t.equal(UNIT_NAMES_ZH.kg, UNIT_NAMES_ZH[UOM.kg], 'a unit and its code have one name');
  t.equal(UNIT_NAMES_ZH.pallet, UNIT_NAMES_ZH[UOM.pallet]);
});

t.test('every lot status is named in Chinese', async (t) => {
  for (const status of LOT_STATUSES) t.match(LOT_STATUS_NAMES_ZH[status], CHINESE, status);
  t.equal(new Set(Object.values(LOT_STATUS_NAMES_ZH)).size, LOT_STATUSES.length, 'no two statuses share a name');
});
