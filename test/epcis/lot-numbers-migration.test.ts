// Migration 0104: lots captured from an LGTIN before capture gave them its lot number get it, decoded,
// where their party's live lots do not carry it already and no other of its captured lots would.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { captured, epcisDocument as doc, traced } from '../fixtures/epcis.js';
import { migrationStatements } from '../fixtures/migrations.js';
import { at, createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const GTIN = '06901234000016';
const OTHER_GTIN = '06901234000023';
const lgtin = (gtin: string, lot: string) => `https://id.gs1.org/01/${gtin}/10/${lot}`;
const commissioning = (epcClass: string, hours: number) => ({
  type: 'ObjectEvent',
  eventTime: at(hours),
  eventTimeZoneOffset: '+08:00',
  action: 'ADD',
  bizStep: 'commissioning',
  quantityList: [{ epcClass, quantity: 10, uom: 'H87' }],
});

t.test('captured LGTIN lots get their lot numbers, where no lot of their party carries them', async (t) => {
  const world = await createWorld(t);
  const db = world.database.db;
  const farm = await world.party('farm');
  const other = await world.party('farm');
  let hour = 0;
  /** A lot captured as before the change: without a lot number. */
  const capturedBefore = async (party: typeof farm, epcClass: string) => {
    const { job } = await captured(world, party.key, doc([commissioning(epcClass, ++hour)]));
    t.match(job, { success: true, captured: 1 }, JSON.stringify(job?.errors));
    const { code } = await traced(party.api, epcClass);
    await queryRows(db, sql`update lots set lot_number = null where code = ${code}`);
    return code as string;
  };
  const plain = await capturedBefore(farm, lgtin(GTIN, 'OLD-1'));
  const escaped = await capturedBefore(farm, 'urn:epc:class:lgtin:6901234.000001.L%2F1');
  const twin = await capturedBefore(farm, lgtin(GTIN, 'TWIN-1'));
  const otherTwin = await capturedBefore(farm, lgtin(OTHER_GTIN, 'TWIN-1'));
  const taken = await capturedBefore(farm, lgtin(GTIN, 'NAT-1'));
  const native = await farm.commission(await farm.product('piece'), 5, { lotNumber: 'NAT-1' });
  const othersOwn = await capturedBefore(other, lgtin(OTHER_GTIN, 'OLD-1'));
  // a consumer product variant (AI 22) is stored as its GTIN and lot alone
  const variant = await capturedBefore(farm, `https://id.gs1.org/01/${GTIN}/22/V1/10/VAR-1`);
  // stored under a lot whose escape decodes to no GS1 lot number (腊)
  const undecodable = await capturedBefore(farm, lgtin(GTIN, 'ODD-1'));
  await queryRows(db, sql`update lot_identifiers set value = ${lgtin(GTIN, 'ODD%E8%85%8A')} where lot_code = ${undecodable}`);

  const numbers = async () =>
    Object.fromEntries(
      (
        await queryRows<{ code: string; lotNumber: string | null }>(
          db,
          sql`select code, lot_number as "lotNumber" from lots where code in (${sql.join(
            [plain, escaped, twin, otherTwin, taken, native, othersOwn, variant, undecodable].map((code) => sql`${code}`),
            sql`, `,
          )})`,
        )
      ).map((row) => [row.code, row.lotNumber]),
    );
  t.same(Object.values(await numbers()).filter(Boolean), ['NAT-1'], 'only the native lot numbered before');

  for (const statement of migrationStatements('0104_lots_captured_lot_numbers.sql')) await queryRows(db, sql.raw(statement));

  t.same(await numbers(), {
    [plain]: 'OLD-1',
    [escaped]: 'L/1',
    [twin]: null,
    [otherTwin]: null,
    [taken]: null,
    [native]: 'NAT-1',
    [othersOwn]: 'OLD-1',
    [variant]: 'VAR-1',
    [undecodable]: null,
  });
  t.match(await farm.lot(plain), { lotNumber: 'OLD-1' }, 'GET /lots/{code}');
  t.match(await traced(farm.api, `${farm.code}:L/1`), { code: escaped }, 'the party’s lot number names it');
});
