// Every lot status has its one name in Chinese for the Excel exports and the printed recall report.
import { LOT_STATUSES } from '../../src/lots/ledger.js';
import { LOT_STATUS_NAMES_ZH } from '../../src/lots/names-zh.js';
import { fileTest } from '../root.js';

const t = fileTest();

const CHINESE = /^[\u4e00-\u9fff/]+$/;

t.test('every lot status is named in Chinese', async (t) => {
  for (const status of LOT_STATUSES) t.match(LOT_STATUS_NAMES_ZH[status], CHINESE, status);
  t.equal(new Set(Object.values(LOT_STATUS_NAMES_ZH)).size, LOT_STATUSES.length, 'no two statuses share a name');
});
