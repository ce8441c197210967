// A capture's transaction lost to a concurrent writer is run again (nothing of it was stored).
import { againOnRace } from '../../src/epcis/service.js';
import { fileTest } from '../root.js';

const t = fileTest();

const failure = (fields: object) => Object.assign(new Error('statement failed'), { cause: Object.assign(new Error('driver'), fields) });

t.test('a capture ended by a deadlock or a lost eventID race runs again; other failures do not', async (t) => {
  for (const fields of [{ code: '40P01' }, { code: '40001' }, { code: '23505', constraint: 'events_pkey' }]) {
    let runs = 0;
    const result = await againOnRace(async () => {
      runs += 1;
      if (runs < 3) throw failure(fields);
      return 'stored';
    });
    t.equal(result, 'stored', JSON.stringify(fields));
    t.equal(runs, 3);
  }
  let runs = 0;
  await t.rejects(
    againOnRace(async () => {
      runs += 1;
      throw failure({ code: '40P01' });
    }),
    { status: 409, message: /send it again/ },
    'a race lost five times is a conflict to send again',
  );
  t.equal(runs, 5);
  let others = 0;
  await t.rejects(
    againOnRace(async () => {
      others += 1;
      throw failure({ code: '23503' });
    }),
    /statement failed/,
  );
  t.equal(others, 1, 'another failure is not run again');
});
