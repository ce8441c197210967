// The complaint service with exactly its narrowed repositories, on a real database.
import { createAuditService } from '../../src/audit/service.js';
import { completeGs1 } from '../../src/codes/gs1.js';
import { createComplaintService } from '../../src/complaints/service.js';
import type { Db } from '../../src/db/client.js';
import { createIdentifierService } from '../../src/identifiers/service.js';
import { createChain, narrow, REGULATOR } from '../fixtures/chain.js';
import { openTestDatabase } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('complaints', async (t) => {
  const database = await openTestDatabase(t);
  const chain = createChain(database);
  const { repositories } = chain;
  let clock = new Date('2026-03-01T15:59:59Z');
  const transaction = <T>(work: (tx: Db) => Promise<T>) => database.db.transaction((tx) => work(tx as unknown as Db));
  const deps = (ipSalt: string, ticketSuffix?: () => string): Parameters<typeof createComplaintService>[0] => ({
    complaints: narrow(repositories.complaints, ['insert', 'lockAddress', 'filedFrom', 'sameFiledFrom', 'find', 'transition', 'list']),
    items: narrow(repositories.items, ['findItem']),
    lots: narrow(repositories.lots, ['findByCodes']),
    products: narrow(repositories.products, ['findByCode']),
    identifiers: createIdentifierService({ ...repositories, publicBaseUrl: 'http://localhost' }),
    ipSalt,
    perHour: 3,
    ticketSuffix,
    transaction,
    audit: createAuditService({ audit: repositories.audit, transaction, now: () => clock }),
    now: () => clock,
  });
  const serviceWith = (ipSalt: string, ticketSuffix?: () => string) => createComplaintService(deps(ipSalt, ticketSuffix));
  const service = serviceWith('salt-a');
  const plant = await chain.party('processor');
  // a lot a consumer pack's label names (a GTIN and a lot number): a code a shopper may complain about
  const labelled = await plant.product('kg', { gtin: completeGs1('0690123456789') });
  const lotCode: string = (await plant.event({ type: 'commission', lots: [{ productCode: labelled, quantity: 10, lotNumber: 'LA-1' }] }))
    .createdLotCodes[0];

  t.test('a ticket carries the day of its filing in China, not in UTC', async (t) => {
    clock = new Date('2026-03-01T15:59:59Z'); // 23:59:59 in Beijing
    t.match((await service.file({ code: lotCode, category: 'quality', text: '有异味' }, '203.0.113.7')).ticket, /^TS20260301[0-9A-Z]{6}$/);
    clock = new Date('2026-03-01T16:00:00Z'); // midnight in Beijing: the next day there
    t.match(
      (await service.file({ code: lotCode, category: 'quality', text: '还有异味' }, '203.0.113.7')).ticket,
      /^TS20260302[0-9A-Z]{6}$/,
    );
  });

  t.test('a complaint names the lot and maker of its code; an unknown code is taken with neither', async (t) => {
    const aboutLot = await service.file({ code: lotCode, category: 'quality', text: '包装破损' }, '203.0.113.8');
    t.match(await repositories.complaints.find(aboutLot.ticket), { lotCode, partyCode: plant.code, itemCode: lotCode });
    const unknown = await service.file({ code: 'K7QM2XR9P4D', category: 'counterfeit', text: '疑似假冒' }, '203.0.113.8');
    t.match(await repositories.complaints.find(unknown.ticket), { lotCode: null, partyCode: null, itemCode: 'K7QM2XR9P4D' });
  });

  t.test("the consumer's address is kept only as a hash salted by the service", async (t) => {
    const first = await service.file({ code: lotCode, category: 'quality', text: '一' }, '198.51.100.23');
    const again = await service.file({ code: lotCode, category: 'quality', text: '二' }, '198.51.100.23');
    const elsewhere = await serviceWith('salt-b').file({ code: lotCode, category: 'quality', text: '三' }, '198.51.100.23');
    const [a, b, c] = await Promise.all(
      [first, again, elsewhere].map(async ({ ticket }) => (await repositories.complaints.find(ticket))?.ipHash),
    );
    t.notMatch(a, /198\.51\.100\.23/, 'not the address itself');
    t.equal(a, b, 'one client, one hash: its complaints can be counted together');
    t.not(a, c, 'another salt gives another hash: the stored hash alone does not tell the address');
  });

  t.test('a regulator moves a complaint on until it is resolved, which is final: a 409 naming the status', async (t) => {
    const { ticket } = await service.file({ code: lotCode, category: 'quality', text: '变质' }, '203.0.113.9');
    const moved = await service.transition(REGULATOR, ` ${ticket.toLowerCase()} `, 'investigating', '已受理');
    t.match(moved, { ticket, status: 'investigating', notes: [{ status: 'investigating', note: '已受理', by: REGULATOR.keyId }] });
    t.match(await service.transition(REGULATOR, ticket, 'resolved', '已核实', 'upheld'), { status: 'resolved', outcome: 'upheld' });
    await t.rejects(service.transition(REGULATOR, ticket, 'investigating', 'reopened'), {
      status: 409,
      detail: `complaint ${ticket} is resolved, which is final: it may move to no other status`,
      errors: [{ in: 'body', pointer: '/status' }],
    });
    t.equal((await service.status(ticket)).status, 'resolved', 'left as it was');
  });

  t.test('a ticket drawn again is not a failure: another is drawn', async (t) => {
    clock = new Date('2026-03-05T02:00:00Z');
    const drawn = ['K7QM2X', 'K7QM2X', 'K7QM2X', 'R9P4DA'];
    const clashing = serviceWith('salt-a', () => drawn.shift() as string);
    const first = await clashing.file({ code: lotCode, category: 'quality', text: '一' }, '203.0.113.40');
    t.equal(first.ticket, 'TS20260305K7QM2X');
    const second = await clashing.file({ code: lotCode, category: 'quality', text: '二' }, '203.0.113.41');
    t.equal(second.ticket, 'TS20260305R9P4DA', 'the ticket taken is passed over');
    t.match(await repositories.complaints.find(second.ticket), { text: '二' }, 'the complaint is stored under the new ticket');
    t.match(await repositories.complaints.find(first.ticket), { text: '一' }, 'and the first is left as it was');
  });

  t.test('the same complaint posted again from one address within ten minutes is the one filed, counted once', async (t) => {
    clock = new Date('2026-03-07T02:00:00Z');
    const complaint = { code: lotCode, category: 'quality', text: '有异味' };
    const first = await service.file(complaint, '192.0.2.70');
    t.equal(first.repeated, false, 'filed');
    clock = new Date('2026-03-07T02:09:59Z');
    const again = await service.file({ ...complaint, phone: '13800000000' }, '192.0.2.70');
    t.match(again, { ticket: first.ticket, repeated: true }, 'a reload or a second tap: the ticket filed');
    t.notOk((await repositories.complaints.find(first.ticket))?.phone, 'and nothing of it stored');
    for (const [what, other, ip] of [
      ['another text', { ...complaint, text: '有异味。' }, '192.0.2.70'],
      ['another code', { ...complaint, code: 'K7QM2XR9P4D' }, '192.0.2.70'],
      ['another address', complaint, '192.0.2.71'],
    ] as const)
      t.not((await service.file(other, ip)).ticket, first.ticket, `${what}: another complaint`);
    // three accepted from the address this hour (perHour): the same posted again is still its ticket, not a 429
    t.equal((await service.file(complaint, '192.0.2.70')).ticket, first.ticket, 'counted once against the limit');
    clock = new Date('2026-03-07T02:10:01Z');
    await t.rejects(
      service.file(complaint, '192.0.2.70'),
      { status: 429, message: /try again/ },
      'ten minutes on, a new complaint, over the limit',
    );
  });

  t.test('an address may have COMPLAINTS_PER_HOUR complaints accepted in an hour, then is told when to try again', async (t) => {
    clock = new Date('2026-03-06T02:00:00Z');
    // each says something else: the same said again within ten minutes is the complaint filed before
    let said = 0;
    const file = () => service.file({ code: lotCode, category: 'quality', text: `有异味 ${++said}` }, '192.0.2.50');
    await file();
    clock = new Date('2026-03-06T02:10:00Z');
    await file();
    await file();
    await t.rejects(
      file(),
      { status: 429, retryAfter: 50 * 60, message: /try again in 50 minutes/ },
      'a fourth: 429, until the first is an hour old',
    );
    t.ok(await service.file({ code: lotCode, category: 'quality', text: '有异味' }, '192.0.2.51'), 'another address is not held back');
    clock = new Date('2026-03-06T03:00:01Z');
    t.ok(await file(), 'an hour after the first, one more');
    await t.rejects(file(), { status: 429, retryAfter: 10 * 60 - 1, message: /try again in 10 minutes/ });
    // the limit lowered to two: three complaints of the last hour leave room for one more once two are an hour old
    const at = (time: string, filing = service) => {
      clock = new Date(`2026-03-06T${time}Z`);
      return filing.file({ code: lotCode, category: 'quality', text: `有异味 ${time}` }, '192.0.2.60');
    };
    await at('04:00:00');
    await at('04:20:00');
    await at('04:40:00');
    const lowered = createComplaintService({ ...deps('salt-a'), perHour: 2 });
    await t.rejects(
      at('04:50:00', lowered),
      { status: 429, retryAfter: 30 * 60, message: /try again in 30 minutes/ },
      'until the second oldest is an hour old, not the oldest',
    );
  });
});
