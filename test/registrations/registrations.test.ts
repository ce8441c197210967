import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { queryRows } from '../../src/db/client.js';
import { createWorld, expectStatus, registrationBody } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2000, 0x20), Buffer.from('\n%%EOF\n')]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]);

const application = (overrides: Record<string, unknown> = {}) =>
  registrationBody({
    licences: [
      { type: 'sc_licence', number: 'SC10450023600012', validFrom: '2024-01-01', validUntil: inDays(10) },
      { type: 'business_licence', number: 'BL-1', validUntil: inDays(-3) },
    ],
    certifications: [{ type: 'green_food', number: 'LB-15-2401', validUntil: inDays(60) }],
    ...overrides,
  });

async function setup(t: Test, registrationsPerHour = 100, now?: () => Date) {
  const world = await createWorld(t, undefined, { registrationsPerHour, now });
  const anonymous = client(world.app);
  const apply = (body: object) => anonymous.post('/registrations', body);
  const asApplicant = (ticket: string) => ({
    status: (id: string) => anonymous.get(`/registrations/${id}`, { 'registration-ticket': ticket }),
    upload: (id: string, body: Buffer, contentType: string, name = 'licence.pdf') =>
      world.app.inject({
        method: 'POST',
        url: `/registrations/${id}/documents?name=${encodeURIComponent(name)}`,
        payload: body,
        headers: { 'content-type': contentType, 'registration-ticket': ticket },
      }),
    download: (id: string, documentId: string) =>
      world.app.inject({ method: 'GET', url: `/registrations/${id}/documents/${documentId}`, headers: { 'registration-ticket': ticket } }),
  });
  return { world, apply, asApplicant };
}

t.test('an enterprise applies without a key, a regulator approves, its first key records its first event', async (t) => {
  const { world, apply, asApplicant } = await setup(t);
  const submitted = await apply(application());
  expectStatus(t, submitted, 201, 'applied without a key');
  const { id, ticket } = submitted.body;
  t.match(submitted.body, { status: 'pending', partyCode: null, documents: [] });
  t.match(ticket, /^[0-9A-Za-z]{32}$/, 'a ticket to check the status');
  const applicant = asApplicant(ticket);

  const uploaded = await applicant.upload(id, PDF, 'application/pdf', 'SC 许可证.pdf');
  t.equal(uploaded.statusCode, 201, 'a PDF licence scan is stored');
  t.match(uploaded.json(), { name: 'SC 许可证.pdf', contentType: 'application/pdf', size: PDF.length });
  t.equal((await applicant.upload(id, JPEG, 'image/jpeg', 'cert.jpg')).statusCode, 201, 'a JPEG too');

  const pending = await world.regulator.get('/regulator/registrations?status=pending');
  t.equal(pending.status, 200);
  const listed = pending.body.items.find((item: { id: string }) => item.id === id);
  t.equal(listed.documents.length, 2, 'the regulator sees the documents');
  t.notOk('ticket' in listed, 'and never the ticket');

  const document = await world.app.inject({
    method: 'GET',
    url: `/regulator/registrations/${id}/documents/${uploaded.json().id}`,
    headers: { authorization: `Bearer ${(await world.ok(world.admin.post('/api-keys', { role: 'regulator' }))).key}` },
  });
  t.equal(document.statusCode, 200);
  t.same(document.rawPayload, PDF, 'the regulator downloads the exact bytes');
  t.equal(document.headers['content-type'], 'application/pdf');
  t.equal(document.headers['content-disposition'], `attachment; filename*=UTF-8''${encodeURIComponent('SC 许可证.pdf')}`);
  t.equal(document.headers['x-content-type-options'], 'nosniff');
  t.same((await applicant.download(id, uploaded.json().id)).rawPayload, PDF, 'so does the applicant, with its ticket');

  const operator = await world.party('processor');
  expectStatus(t, await operator.api.get('/regulator/registrations'), 403, 'operators do not review applications');
  expectStatus(t, await operator.api.post(`/regulator/registrations/${id}/approve`, {}), 403, 'nor approve them');

  const approved = await world.regulator.post(`/regulator/registrations/${id}/approve`, {});
  expectStatus(t, approved, 200, 'approved');
  const partyCode = approved.body.partyCode;
  t.match(partyCode, /^J500236/, 'the party gets its unified code (processor, region 500236)');
  t.notOk(approved.body.operatorKey, 'the key is not shown to the regulator');
  const party = await world.admin.get(`/parties/${partyCode}`);
  t.match(party.body, {
    name: '奉节县某某腊肉加工厂',
    uscc: submitted.body.uscc,
    licences: { scLicence: 'SC10450023600012', businessLicence: 'BL-1' },
    contact: { person: '张三', phone: '13800000000' },
  });

  const first = await applicant.status(id);
  t.match(first.body, { status: 'approved', partyCode });
  t.match(first.body.operatorKey, /^ctk_/, 'the applicant sees its first operator key');
  t.notOk((await applicant.status(id)).body.operatorKey, 'once');
  const newcomer = client(world.app, first.body.operatorKey);
  const product = await newcomer.post('/products', { partyCode, name: '奉节腊肉', category: 'other', unit: 'kg' });
  expectStatus(t, product, 201, 'the key acts for the new party');
  const event = await newcomer.post('/events', {
    type: 'commission',
    eventTime: new Date(Date.now() - 60_000).toISOString(),
    lots: [{ productCode: product.body.code, quantity: 100 }],
  });
  expectStatus(t, event, 201, 'and records its first event');

  expectStatus(t, await world.regulator.post(`/regulator/registrations/${id}/approve`, {}), 409, 'an application is decided once');
  t.equal((await applicant.upload(id, PDF, 'application/pdf')).statusCode, 409, 'documents are added only while it waits');
  expectStatus(t, await apply(application({ uscc: submitted.body.uscc })), 409, 'a registered USCC cannot apply again');
});

t.test('rejection, with the reason the applicant reads', async (t) => {
  const { world, apply, asApplicant } = await setup(t);
  const { id, ticket } = (await apply(application())).body;
  expectStatus(t, await world.regulator.post(`/regulator/registrations/${id}/reject`, { reason: '' }), 400, 'a reason is required');
  const rejected = await world.regulator.post(`/regulator/registrations/${id}/reject`, { reason: 'SC 许可证已过期' });
  t.match(rejected.body, { status: 'rejected', reason: 'SC 许可证已过期', partyCode: null });
  t.match((await asApplicant(ticket).status(id)).body, { status: 'rejected', reason: 'SC 许可证已过期' });
  t.notOk((await asApplicant(ticket).status(id)).body.operatorKey, 'no key for a rejected application');
  expectStatus(t, await world.regulator.post(`/regulator/registrations/${id}/approve`, {}), 409, 'a rejected application stays rejected');
});

t.test('bad applications, tickets and documents are clear 4xx answers', async (t) => {
  const { world, apply, asApplicant } = await setup(t);
  const bad = await apply(application({ uscc: '91500236MA00000000' }));
  t.equal(bad.status, 400);
  t.match(bad.body.errors, [{ pointer: '/uscc' }], 'a USCC with a wrong check character');
  t.match((await apply(application({ regionCode: '999999' }))).body.errors, [{ pointer: '/regionCode' }], 'an unknown region');
  const badSc = await apply(application({ licences: [{ type: 'sc_licence', number: 'SC123', validUntil: inDays(5) }] }));
  t.match(badSc.body.errors, [{ pointer: '/licences/0/number' }], 'an SC licence that is not SC + 14 digits');
  const backwards = await apply(
    application({ certifications: [{ type: 'organic', number: 'O-1', validFrom: '2026-05-01', validUntil: '2026-01-01' }] }),
  );
  t.match(backwards.body.errors, [{ pointer: '/certifications/0/validUntil' }], 'a validity that ends before it starts');
  const yearZero = await apply(application({ licences: [{ type: 'business_licence', number: 'BL-1', validUntil: '0000-01-01' }] }));
  t.match(yearZero.body.errors, [{ pointer: '/licences/0/validUntil' }], 'a date outside the years 1900–9999');
  expectStatus(t, await apply(application({ kind: 'regulator' })), 400, 'nobody applies to be a regulator');

  const submitted = (await apply(application())).body;
  expectStatus(t, await apply(application({ uscc: submitted.uscc })), 409, 'one waiting application per USCC');
  const applicant = asApplicant(submitted.ticket);
  const stranger = asApplicant('x'.repeat(32));
  expectStatus(t, await stranger.status(submitted.id), 404, 'a wrong ticket reads as no such application');
  expectStatus(t, await client(world.app).get(`/registrations/${submitted.id}`), 400, 'the ticket header is required');
  t.equal((await stranger.upload(submitted.id, PDF, 'application/pdf')).statusCode, 404, 'a stranger cannot upload');

  const notPdf = await applicant.upload(submitted.id, Buffer.from('<html>hi</html>'), 'application/pdf');
  t.equal(notPdf.statusCode, 400, 'a body that is not what its Content-Type says');
  t.match(notPdf.json().detail, /not a PDF file/);
  t.equal((await applicant.upload(submitted.id, PDF, 'text/html')).statusCode, 415, 'other file types are refused');
  const huge = Buffer.concat([PDF, Buffer.alloc(2 * 1024 * 1024)]);
  t.equal((await applicant.upload(submitted.id, huge, 'application/pdf')).statusCode, 413, 'over 2 MiB');

  const uploads = await Promise.all(Array.from({ length: 7 }, () => applicant.upload(submitted.id, JPEG, 'image/jpeg', 'scan.jpg')));
  t.same(uploads.map((reply) => reply.statusCode).sort(), [201, 201, 201, 201, 201, 409, 409], 'parallel uploads stop at five documents');
  const shown = await applicant.status(submitted.id);
  t.equal(shown.body.documents.length, 5);
  const other = (await apply(application())).body;
  expectStatus(t, await asApplicant(other.ticket).status(submitted.id), 404, "one applicant's ticket does not open another's application");
  t.equal((await asApplicant(other.ticket).download(submitted.id, shown.body.documents[0].id)).statusCode, 404, 'nor its documents');
});

t.test('a contact phone is taken as the complaint form takes one: as people write it, kept as its digits', async (t) => {
  const { world, apply } = await setup(t);
  const withPhone = (phone: string) => apply(application({ contact: { person: '张三', phone } }));
  for (const [typed, digits] of [
    ['（023）56661234', '02356661234'],
    ['023-5666 1234', '02356661234'],
    ['+86 138-0000-0000', '+8613800000000'],
  ]) {
    const { id } = expectStatus(t, await withPhone(typed), 201, `${typed} is a phone number`).body;
    const approved = await world.regulator.post(`/regulator/registrations/${id}/approve`, {});
    const party = await world.admin.get(`/parties/${approved.body.partyCode}`);
    t.equal(party.body.contact.phone, digits, `${typed}: its digits`);
  }
  for (const typed of ['call me', '---', '', '12345']) {
    const refused = expectStatus(t, await withPhone(typed), 400, `${JSON.stringify(typed)} is no phone number`);
    t.match(refused.body.errors, [
      {
        pointer: '/contact/phone',
        detail: 'must be a phone number: 6 to 20 digits, + before a country code; spaces, hyphens and parentheses are fine',
      },
    ]);
  }
});

t.test('two regulators approving at once make one party; parallel status checks show one key', async (t) => {
  const { world, apply, asApplicant } = await setup(t);
  const { id, ticket, uscc } = (await apply(application())).body;
  const decisions = await Promise.all([
    world.regulator.post(`/regulator/registrations/${id}/approve`, {}),
    world.regulator.post(`/regulator/registrations/${id}/approve`, {}),
  ]);
  t.same(decisions.map((reply) => reply.status).sort(), [200, 409], 'one approval wins');
  const parties = await world.admin.get('/parties?limit=1000');
  t.equal(parties.body.items.filter((party: { uscc: string }) => party.uscc === uscc).length, 1, 'one party for the USCC');

  const checks = await Promise.all(Array.from({ length: 4 }, () => asApplicant(ticket).status(id)));
  t.equal(checks.filter((reply) => reply.body.operatorKey).length, 1, 'the key is shown to one check only');
  const keys = await world.admin.get('/api-keys');
  const active = keys.body.items.filter(
    (key: { partyCode: string; revokedAt: string | null }) =>
      key.partyCode === decisions.find((d) => d.status === 200)?.body.partyCode && !key.revokedAt,
  );
  t.equal(active.length, 1, 'and only that key is active');
});

t.test('approving an application whose USCC was registered meanwhile is a conflict that names no field of the approval', async (t) => {
  const { world, apply } = await setup(t);
  const { id, uscc } = (await apply(application())).body;
  const registered = await world.admin.post('/parties', { kind: 'processor', name: '先登记的企业', uscc, regionCode: '500236' });
  expectStatus(t, registered, 201, 'an admin registers the USCC directly');
  const approval = await world.regulator.post(`/regulator/registrations/${id}/approve`, {});
  expectStatus(t, approval, 409, 'the approval is refused');
  t.match(approval.body.detail, registered.body.code, 'naming the party the USCC is registered as');
  t.notOk(
    approval.body.errors?.some((error: { in: string }) => error.in === 'body'),
    'the approval has no body: no body field is pointed at',
  );
  t.equal((await world.regulator.get(`/regulator/registrations/${id}`)).body.status, 'pending', 'the application waits, to be rejected');
});

t.test('approving an application whose region code the list no longer has is a conflict, not a failure', async (t) => {
  const { world, apply } = await setup(t);
  const { id } = (await apply(application())).body;
  // 500222 綦江县 became 500110 綦江区 in 2011: as an application made before the list was updated holds it
  await queryRows(world.database.db, sql`update registrations set region_code = '500222' where id = ${id}`);
  const approval = await world.regulator.post(`/regulator/registrations/${id}/approve`, {});
  expectStatus(t, approval, 409, 'the approval is refused');
  t.match(approval.body.detail, /500222/, 'naming the region code');
  t.equal((await world.regulator.get(`/regulator/registrations/${id}`)).body.status, 'pending', 'the application waits, to be rejected');
});

// a licence valid until 1 March has ended at 07:00 on 2 March in China, while it is still 1 March in UTC
t.test('a credential ends with its last day in China, not in UTC', async (t) => {
  let clock = Date.parse('2026-02-20T12:00:00+08:00');
  const { world, apply } = await setup(t, 100, () => new Date(clock));
  const { id } = (await apply(application({ licences: [{ type: 'sc_licence', number: 'SC10450023600012', validUntil: '2026-03-01' }] })))
    .body;
  expectStatus(t, await world.regulator.post(`/regulator/registrations/${id}/approve`, {}), 200, 'approved');
  const expired = async () =>
    (await world.regulator.get('/regulator/credentials/expiring')).body.items.map((item: { expired: boolean }) => item.expired);
  clock = Date.parse('2026-03-01T23:59:00+08:00');
  t.same(await expired(), [false], 'still valid on its last day');
  clock = Date.parse('2026-03-02T07:00:00+08:00');
  t.same(await expired(), [true], 'ended the next morning in China');
});

t.test('licences and certifications ending within 30 days are listed for regulators', async (t) => {
  const { world, apply } = await setup(t);
  const { id } = (await apply(application())).body;
  const waiting = await world.regulator.get('/regulator/credentials/expiring');
  t.same(waiting.body.items, [], 'only registered enterprises count');
  const partyCode = (await world.regulator.post(`/regulator/registrations/${id}/approve`, {})).body.partyCode;
  const expiring = await world.regulator.get('/regulator/credentials/expiring');
  t.same(
    expiring.body.items.map((item: Record<string, unknown>) => [item.partyCode, item.category, item.type, item.expired]),
    [
      [partyCode, 'licence', 'business_licence', true],
      [partyCode, 'licence', 'sc_licence', false],
    ],
    'the ended business licence and the SC licence ending in 10 days; not the certificate ending in 60',
  );
  const wider = await world.regulator.get('/regulator/credentials/expiring?days=90');
  t.equal(wider.body.items.length, 3, 'within 90 days the green-food certificate too');
  expectStatus(t, await (await world.party('farm')).api.get('/regulator/credentials/expiring'), 403, 'operators do not see the list');
});

t.test('applications are rate-limited per client', async (t) => {
  const { apply } = await setup(t, 2);
  expectStatus(t, await apply(application()), 201, 'first');
  expectStatus(t, await apply(application()), 201, 'second');
  const third = await apply(application());
  expectStatus(t, third, 429, 'the third within the hour waits');
});
