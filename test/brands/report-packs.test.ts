// A brand's report counts a lot's packs by the item codes issued for it: those of a code job that succeeded.
// A running job's codes are not yet valid (and are deleted if it fails), as the regulators' figures read them.
import { sql } from 'drizzle-orm';
import { chinaDay } from '../../src/codes/timestamp.js';
import { issuePacks } from '../fixtures/rfid-world.js';
import { createWorld } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test("a brand's report counts no codes of a job still running", async (t) => {
  const world = await createWorld(t);
  const officeParty = await world.party('regulator');
  const office = await world.brandOffice(officeParty.code);
  const grower = await world.party('farm');
  const product = await grower.product('kg');
  const fjqc = { code: 'FJQC', nameZh: '奉节脐橙', nameEn: 'Fengjie navel orange', ownerPartyCode: officeParty.code, products: [product] };
  // registered by the county's office (a key of no party) for the office party that runs it
  await world.brand(await world.brandOffice(), fjqc, { members: [grower.code], admittedBy: office });
  const lot = await grower.commission(product, 10, { productionDate: '2026-06-01' });
  await issuePacks(world, grower, lot, 2);
  // a second job part way through: three codes written, the job still running
  const running = '00000000-0000-4000-8000-000000000777';
  await world.database.db.execute(
    sql`insert into code_jobs (id, party_code, lot_code, total, done, status) values (${running}, ${grower.code}, ${lot}, 5, 3, 'running')`,
  );
  await world.database.db.execute(
    sql`insert into items (code, lot_code, party_code, job_id, seq)
      select 'RUNNING' || n, ${lot}, ${grower.code}, ${running}, n from generate_series(1, 3) n`,
  );
  const today = chinaDay(new Date());
  const report = await world.ok(office.get(`/brands/FJQC/report?from=2026-06-01&to=${today < '2027-05-31' ? today : '2027-05-31'}`), 200);
  const lots = (report.members as { lots: { lotCode: string; packsIssued: number }[] }[]).flatMap((member) => member.lots);
  t.same(
    lots.map((one) => [one.lotCode, one.packsIssued]),
    [[lot, 2]],
    'the lot counts the two codes of its finished job, not the three of the running one',
  );
  t.equal(report.totals.packsIssued, 2, 'and so do the totals');
});
