// Every access decision, as pure functions of the principal and the facts the caller looked up.
import {
  actingParty,
  actorLifting,
  canReadPartyData,
  canReadRecall,
  canSeePrivateDetails,
  complaintsMaker,
  mayBindTagsTo,
  mayTakeOverHold,
  type Principal,
  partyFilter,
  privateScope,
  ROLES,
  type RoleAction,
  recallHoldingsScope,
  requireBrandManager,
  requireBrandOffice,
  requireBrandOverseer,
  requireCreditReader,
  requireEventSite,
  requireHoldOrRecallRight,
  requireLotOwner,
  requireLotReader,
  requireMasterDataWriter,
  requireReaderOwner,
  requireRecallCloser,
  requireReleaseRight,
  requireRole,
  requireRouteAccess,
  requireShipmentAddressee,
  seesShipmentLinesOfNothing,
  shipmentLinesShownTo,
} from '../../src/access/index.js';
import { Problem } from '../../src/errors/problem.js';
import { fileTest } from '../root.js';

const t = fileTest();

const admin: Principal = { keyId: 'k-admin', role: 'admin', partyCode: null };
const regulator: Principal = { keyId: 'k-regulator', role: 'regulator', partyCode: null };
const farm: Principal = { keyId: 'k-farm', role: 'operator', partyCode: 'FARM' };
const plant: Principal = { keyId: 'k-plant', role: 'operator', partyCode: 'PLANT' };
const reader: Principal = { keyId: 'k-reader', role: 'reader', partyCode: 'FARM' };
const brandOffice: Principal = { keyId: 'k-brand-office', role: 'brand_office', partyCode: null };
const principals = { admin, operator: farm, regulator, reader, brand_office: brandOffice } as const;

/** The 403 a decision that loads what it needs rejects with, or null when it allows. */
async function asyncRefusal(decide: () => Promise<unknown>): Promise<string | null> {
  try {
    await decide();
    return null;
  } catch (error) {
    if (!(error instanceof Problem) || error.status !== 403) throw error;
    return error.detail ?? '';
  }
}

/** The 403 a decision throws, or null when it allows. */
function refusal(decide: () => unknown): string | null {
  try {
    decide();
    return null;
  } catch (error) {
    if (!(error instanceof Problem) || error.status !== 403) throw error;
    return error.detail ?? '';
  }
}

t.test('role grants: every role × action', async (t) => {
  const allowed: Record<RoleAction, string[]> = {
    'api-keys.manage': ['admin'],
    'parties.register': ['admin'],
    'regulator.read': ['admin', 'regulator'],
    'complaints.handle': ['admin', 'regulator'],
    'flags.dismiss': ['regulator'],
    'flags.reopen': ['regulator'],
    'registrations.review': ['admin', 'regulator'],
    'registry.conflicts': ['admin', 'regulator'],
    'recalls.read': ['admin', 'operator', 'regulator'],
    'figures.read': ['admin', 'regulator'],
    'dashboard.session': ['regulator'],
    'audit.verify': ['regulator'],
    'credit.list': ['admin', 'regulator'],
    'credit.recompute': ['admin', 'regulator'],
    'brands.manage': ['admin', 'regulator', 'brand_office'],
    'brands.disposals': ['admin', 'regulator', 'brand_office'],
  };
  for (const [action, roles] of Object.entries(allowed) as [RoleAction, string[]][]) {
    const granted = ROLES.filter((role) => refusal(() => requireRole(principals[role], action)) === null);
    t.same(granted, roles, `${action}: ${roles.join(', ')}`);
  }
  t.equal(
    refusal(() => requireRole(farm, 'api-keys.manage')),
    'only admin keys may manage API keys; this key has the operator role',
  );
  t.equal(
    refusal(() => requireRole(farm, 'regulator.read')),
    'only regulator or admin keys may read scan statistics and flags; this key has the operator role',
  );
  t.equal(
    refusal(() => requireRole(regulator, 'parties.register')),
    'only admin keys may register parties; this key has the regulator role',
  );
});

t.test('credit: regulators and admins read every enterprise’s, an operator only its own', async (t) => {
  for (const principal of [admin, regulator, farm])
    t.equal(
      refusal(() => requireCreditReader(principal, 'FARM')),
      null,
    );
  t.equal(
    refusal(() => requireCreditReader(farm, 'PLANT')),
    'party FARM may not read the credit of party PLANT',
  );
});

t.test("complaints about a maker's goods: its own operator keys read them, no one else at that route", async (t) => {
  t.equal(complaintsMaker(farm), 'FARM', 'an operator reads its own party’s');
  t.equal(complaintsMaker(plant), 'PLANT');
  for (const principal of [regulator, admin])
    t.equal(
      refusal(() => complaintsMaker(principal)),
      `GET /complaints lists a maker's own complaints, to its operator keys; ${principal.role} keys read every complaint at GET /regulator/complaints`,
    );
  for (const principal of [reader, brandOffice])
    t.equal(
      refusal(() => complaintsMaker(principal)),
      `only a maker's operator keys read the complaints about its goods; this key has the ${principal.role} role`,
    );
});

t.test('read scopes: an operator reads its own party, admins and regulators every party', async (t) => {
  t.equal(privateScope(farm), 'FARM');
  t.equal(privateScope(admin), null);
  t.equal(privateScope(regulator), null);

  t.ok(canReadPartyData(farm, 'FARM'));
  t.notOk(canReadPartyData(farm, 'PLANT'));
  t.ok(canReadPartyData(regulator, 'PLANT'));
  t.ok(canReadPartyData(admin, 'PLANT'));
});

t.test('list filters: an operator always lists its own party; others list what they ask for', async (t) => {
  t.equal(partyFilter(farm, undefined, 'lots'), 'FARM', 'no filter asked: its own');
  t.equal(partyFilter(farm, 'FARM', 'lots'), 'FARM');
  t.equal(
    refusal(() => partyFilter(farm, 'PLANT', 'shipments')),
    'party FARM may not list shipments of PLANT',
  );
  t.equal(partyFilter(regulator, undefined, 'lots'), undefined, 'a regulator lists every party');
  t.equal(partyFilter(regulator, 'PLANT', 'lots'), 'PLANT');
  t.equal(partyFilter(admin, 'FARM', 'events'), 'FARM');
});

t.test('lots and traces: open to every party that owned, held or was sent the lot', async (t) => {
  const involved = new Set(['FARM']);
  t.equal(
    refusal(() => requireLotReader(farm, 'LOT1', involved)),
    null,
  );
  t.equal(
    refusal(() => requireLotReader(plant, 'LOT1', involved)),
    'party PLANT has never owned or held LOT1; ask a regulator for it',
  );
  t.equal(
    refusal(() => requireLotReader(regulator, 'LOT1', new Set())),
    null,
    'regulators read any lot',
  );
  t.equal(
    refusal(() => requireLotReader(admin, 'LOT1', new Set())),
    null,
  );
});

t.test('private details: the party itself, its trading partners, regulators and admins', async (t) => {
  const partners = new Set(['PLANT']);
  t.ok(canSeePrivateDetails(farm, 'FARM', partners), 'its own');
  t.ok(canSeePrivateDetails(farm, 'PLANT', partners), 'a trading partner');
  t.notOk(canSeePrivateDetails(farm, 'SHOP', partners), 'a stranger');
  t.ok(canSeePrivateDetails(regulator, 'SHOP', new Set()));
  t.ok(canSeePrivateDetails(admin, 'SHOP', new Set()));
});

t.test('a shipment is received by its addressee; its sender is told whom to, anyone else that there is no such shipment', async (t) => {
  const shipment = { id: 'S1', fromPartyCode: 'FARM', toPartyCode: 'PLANT' };
  const missing = () => new Problem(422, 'unknown-shipment', 'Unprocessable request', 'no shipment S1');
  const at = ['shipmentId'];
  t.equal(
    refusal(() => requireShipmentAddressee('PLANT', shipment, missing, at)),
    null,
    'the addressee',
  );
  t.equal(
    refusal(() => requireShipmentAddressee('FARM', shipment, missing, at)),
    'shipment S1 is addressed to PLANT, not FARM',
    'the sender',
  );
  t.throws(
    () => requireShipmentAddressee('FARM', shipment, missing, at),
    { errors: [{ in: 'body', pointer: '/shipmentId', detail: 'addressed to PLANT' }] },
    'at the field naming the shipment',
  );
  t.throws(() => requireShipmentAddressee('SHOP', shipment, missing, at), missing(), 'anyone else: as an unknown id');
});

t.test('shipment lines of 0: shown to regulators and admins, to neither party at its ends', async (t) => {
  t.ok(seesShipmentLinesOfNothing(regulator), 'regulators oversee every record');
  t.ok(seesShipmentLinesOfNothing(admin));
  t.notOk(seesShipmentLinesOfNothing(farm), 'an operator, sender or addressee, is sent no such line');
  const lines = [
    { lotCode: 'MEAT', quantity: 2 },
    { lotCode: 'FEED', quantity: 0 },
  ];
  t.same(shipmentLinesShownTo(regulator, lines), lines, 'a regulator sees every line');
  t.same(shipmentLinesShownTo(admin, lines), lines);
  t.same(shipmentLinesShownTo(farm, lines), [{ lotCode: 'MEAT', quantity: 2 }], 'an operator only those that moved something');
  t.same(shipmentLinesShownTo(farm, [{ lotCode: 'FEED', quantity: 0 }]), [], 'of a shipment of nothing, none');
});

t.test('recalls: regulators, admins and the party that opened one see every holder’s part; another holder its own', async (t) => {
  const recall = { partyCode: 'PLANT' };
  t.equal(recallHoldingsScope(regulator, recall), null);
  t.equal(recallHoldingsScope(admin, recall), null);
  t.equal(recallHoldingsScope(plant, recall), null, 'the party that opened it');
  t.equal(recallHoldingsScope(farm, recall), 'FARM', 'a holder: its own part only');
});

t.test('recalls: read by regulators, admins, the opener, the holders and whoever may read a lot of the scope', async (t) => {
  const recall = { partyCode: 'PLANT' };
  const asked: string[] = [];
  const readsScopeLot = (lotReaders: string[]) => async (partyCode: string) => {
    asked.push(partyCode);
    return lotReaders.includes(partyCode);
  };
  t.ok(await canReadRecall(regulator, recall, new Set(), readsScopeLot([])));
  t.ok(await canReadRecall(admin, recall, new Set(), readsScopeLot([])));
  t.ok(await canReadRecall(plant, recall, new Set(), readsScopeLot([])), 'the party that opened it');
  t.ok(await canReadRecall(farm, recall, new Set(['FARM']), readsScopeLot([])), 'a holder');
  t.same(asked, [], 'none of them costs a look at the scope');
  t.ok(await canReadRecall(farm, recall, new Set(['SHOP']), readsScopeLot(['FARM'])), 'a producer or past holder of a lot of it');
  t.notOk(await canReadRecall(farm, recall, new Set(['SHOP']), readsScopeLot(['SHOP'])), 'no other party');
  t.same(asked, ['FARM', 'FARM'], 'asked for the operator’s own party');
});

t.test('tag bindings: the lot’s owner, a holder, or the addressee of an open shipment carrying it', async (t) => {
  const custody = { ownerCode: 'PLANT', holders: new Set(['PLANT', 'STORE']), addressees: new Set(['SHOP']) };
  t.ok(mayBindTagsTo('PLANT', custody), 'the owner');
  t.ok(mayBindTagsTo('STORE', custody), 'a holder');
  t.ok(mayBindTagsTo('SHOP', custody), 'the addressee of goods on their way');
  t.notOk(mayBindTagsTo('FARM', custody), 'anyone else');
});

t.test('event sites: the actor’s own, or for a lab’s or regulator’s test a site of a party whose lot it tests', async (t) => {
  const plantSite = { code: 'SITE', partyCode: 'PLANT' };
  const tested = new Set(['PLANT']);
  const allowed = (actor: { code: string; kind: string }, parties: ReadonlySet<string>) => {
    try {
      requireEventSite(actor, plantSite, parties, ['readPoint']);
      return true;
    } catch (error) {
      if (error instanceof Problem && error.status === 403 && error.errors?.[0].pointer === '/readPoint') return false;
      throw error;
    }
  };
  t.ok(allowed({ code: 'PLANT', kind: 'slaughterhouse' }, new Set()), 'its own site');
  t.ok(allowed({ code: 'LAB', kind: 'lab' }, tested), 'a lab at the plant whose lot it tests');
  t.ok(allowed({ code: 'MARKET', kind: 'regulator' }, tested), 'a regulator too');
  t.notOk(allowed({ code: 'LAB', kind: 'lab' }, new Set(['STORE'])), 'not at a site of a party whose lot it does not test');
  t.notOk(allowed({ code: 'SHOP', kind: 'retailer' }, tested), 'nor anyone else at another’s site');
});

t.test('write rights', async (t) => {
  t.test('master data: admins for anyone, an operator for its own party, never a regulator', async (t) => {
    t.equal(
      refusal(() => requireMasterDataWriter(admin, 'PLANT')),
      null,
    );
    t.equal(
      refusal(() => requireMasterDataWriter(farm, 'FARM')),
      null,
    );
    t.equal(
      refusal(() => requireMasterDataWriter(farm, 'PLANT')),
      'this key may not write data of party PLANT',
    );
    t.equal(
      refusal(() => requireMasterDataWriter(regulator, 'PLANT')),
      'this key may not write data of party PLANT',
    );
  });

  t.test('events: only an operator key, acting for its own party', async (t) => {
    t.equal(actingParty(farm), 'FARM');
    const message = 'events are recorded with an operator key, acting for its own party';
    t.equal(
      refusal(() => actingParty(admin)),
      message,
    );
    t.equal(
      refusal(() => actingParty(regulator)),
      message,
    );
    t.equal(
      refusal(() => actingParty({ keyId: 'k', role: 'operator', partyCode: null })),
      message,
      'an operator key bound to no party',
    );
  });

  t.test("item codes: only the lot's owner, named only to a reader of the lot", async (t) => {
    const lot = { code: 'LOT1', partyCode: 'FARM' };
    const involved = new Set(['FARM']);
    t.equal(await asyncRefusal(() => requireLotOwner(farm, lot, 'issue item codes', async () => involved)), null);
    const message = 'only the owner of lot LOT1 (FARM) may issue item codes';
    t.equal(
      await asyncRefusal(() => requireLotOwner(plant, lot, 'issue item codes', async () => involved)),
      'only the owner of lot LOT1 may issue item codes',
      'a party that may not read the lot is not told whose it is',
    );
    t.equal(
      await asyncRefusal(() => requireLotOwner(plant, lot, 'issue item codes', async () => new Set(['FARM', 'PLANT']))),
      message,
      'a party that was sent it is',
    );
    t.equal(await asyncRefusal(() => requireLotOwner(admin, lot, 'issue item codes', async () => involved)), message, 'not even an admin');
    t.equal(await asyncRefusal(() => requireLotOwner(regulator, lot, 'issue item codes', async () => involved)), message);
  });
});

t.test('holds and recalls: a refusal names the owner, or who held the lot, only to a party that may read it', async (t) => {
  const lot = { code: 'LOT1', partyCode: 'FARM' };
  const plantParty = { code: 'PLANT', regulator: false };
  const farmParty = { code: 'FARM', regulator: false };
  const bureau = { code: 'BUREAU', regulator: true };
  const stranger = new Set(['FARM']);
  const sentIt = new Set(['FARM', 'PLANT']);
  t.equal(
    refusal(() => requireHoldOrRecallRight(plantParty, lot, 'recall', stranger, ['lotCodes', 0], [])),
    'only a regulator or the owner of lot LOT1 may recall it',
  );
  t.equal(
    refusal(() => requireHoldOrRecallRight(plantParty, lot, 'recall', sentIt, ['lotCodes', 0], [])),
    'only a regulator or the owner of lot LOT1 (FARM) may recall it',
  );
  for (const actor of [farmParty, bureau])
    t.equal(
      refusal(() => requireHoldOrRecallRight(actor, lot, 'recall', stranger, ['lotCodes', 0], [])),
      null,
    );
  t.equal(
    refusal(() => requireReleaseRight(farmParty, lot, 'BUREAU', ['lotCodes', 0])),
    'the hold on lot LOT1 was put on by BUREAU; only BUREAU or an admin may release it',
  );
  t.equal(
    refusal(() => requireReleaseRight({ code: 'YUZHONG', regulator: true }, lot, 'BUREAU', ['lotCodes', 0])),
    'the hold on lot LOT1 was put on by BUREAU; only BUREAU or an admin may release it',
    'another regulator does not lift a regulator’s hold',
  );
  t.equal(
    refusal(() => requireReleaseRight(bureau, lot, 'BUREAU', ['lotCodes', 0])),
    null,
    'the regulator that put it on',
  );
  t.equal(
    refusal(() =>
      requireReleaseRight(actorLifting({ keyId: 'k', role: 'admin', partyCode: null }, 'BUREAU'), lot, 'BUREAU', ['lotCodes', 0]),
    ),
    null,
    'an admin, on behalf of that regulator',
  );
  t.equal(
    refusal(() => requireReleaseRight(farmParty, lot, 'FARM', ['lotCodes', 0])),
    null,
  );
  t.equal(
    refusal(() => requireReleaseRight(bureau, lot, 'FARM', ['lotCodes', 0])),
    null,
  );
  t.equal(
    refusal(() => requireHoldOrRecallRight({ code: 'BUREAU', regulator: false }, lot, 'recall', stranger, ['lotCodes', 0], [])),
    'only a regulator or the owner of lot LOT1 may recall it',
    'a regulator party acting with an operator key has a lot owner’s rights only',
  );
});

t.test('a recall closed early: by the regulator that opened it or an admin; a producer’s by any regulator', async (t) => {
  const fengjie = { code: 'FENGJIE', regulator: true };
  const yuzhong = { code: 'YUZHONG', regulator: true };
  const producer = { code: 'FARM', regulator: false };
  const admin = actorLifting({ keyId: 'k', role: 'admin', partyCode: null }, 'FENGJIE');
  const regulators = { id: 'R1', partyCode: 'FENGJIE', openedByRegulator: true };
  const producers = { id: 'R2', partyCode: 'FARM', openedByRegulator: false };
  t.same(admin, { code: 'FENGJIE', regulator: false, admin: true }, 'an admin acts under the party whose decision it lifts');
  t.equal(
    refusal(() => requireRecallCloser(yuzhong, regulators, true)),
    'recall R1 was opened by FENGJIE; only FENGJIE or an admin may close it before it is done (every holder acknowledged, every return reported destroyed)',
  );
  for (const actor of [fengjie, admin])
    t.equal(
      refusal(() => requireRecallCloser(actor, regulators, true)),
      null,
    );
  t.equal(
    refusal(() => requireRecallCloser(yuzhong, producers, true)),
    null,
  );
  t.equal(
    refusal(() => requireRecallCloser(producer, producers, true)),
    'only a regulator may close recall R2 before it is done (every holder acknowledged, every return reported destroyed)',
  );
  t.equal(
    refusal(() => requireRecallCloser(producer, producers, false)),
    null,
    'the producer closes its own once all acknowledged',
  );
});

t.test('holds and recalls of a container: its owner only while all that is packed in it, at every level, is its own', async (t) => {
  const pallet = { code: 'PALLET', partyCode: 'PACKER' };
  const packer = { code: 'PACKER', regulator: false };
  const own = [{ code: 'CASE1', partyCode: 'PACKER' }];
  const mixed = [...own, { code: 'MEAT2', partyCode: 'MAKER' }, { code: 'CASE9', partyCode: 'DEALER' }];
  const involved = new Set(['PACKER']);
  for (const [act, words] of [
    ['hold', 'put PALLET on hold'],
    ['recall', 'recall PALLET'],
  ] as const) {
    t.equal(
      refusal(() => requireHoldOrRecallRight(packer, pallet, act, involved, ['lotCodes', 1], own)),
      null,
      `${act}: all its own`,
    );
    t.equal(
      refusal(() => requireHoldOrRecallRight(packer, pallet, act, involved, ['lotCodes', 1], mixed)),
      `only a regulator or the owner of lot CASE9 may ${words}, which holds it`,
      `${act}: the lowest code not its own, whatever order the contents were read in, and nobody's stock`,
    );
    t.equal(
      refusal(() => requireHoldOrRecallRight({ code: 'BUREAU', regulator: true }, pallet, act, involved, ['lotCodes', 1], mixed)),
      null,
      `${act}: a regulator reaches what it holds`,
    );
  }
  t.equal(
    refusal(() => requireHoldOrRecallRight(packer, pallet, 'release', involved, ['lotCodes', 1], mixed)),
    null,
    'the owner releases its own hold whatever lies in the container now',
  );
});

t.test('holds: a regulator party takes over the owner’s hold; nobody takes over a regulator’s', async (t) => {
  const lot = { partyCode: 'FARM' };
  const bureau = { code: 'BUREAU', regulator: true };
  t.ok(mayTakeOverHold(bureau, lot, 'FARM'), 'a regulator replaces the owner’s hold');
  t.notOk(mayTakeOverHold(bureau, lot, 'CITY'), 'not another regulator’s');
  t.notOk(mayTakeOverHold(bureau, lot, 'BUREAU'), 'nor its own');
  t.notOk(mayTakeOverHold({ code: 'FARM', regulator: false }, lot, 'FARM'), 'the owner holds its held lot no further');
  t.notOk(mayTakeOverHold({ code: 'FARM', regulator: false }, lot, 'BUREAU'), 'nor takes over a regulator’s hold');
  t.notOk(mayTakeOverHold({ code: 'PLANT', regulator: false }, lot, 'FARM'), 'another party never');
  t.notOk(mayTakeOverHold({ code: 'BUREAU', regulator: false }, lot, 'FARM'), 'nor a regulator party acting with an operator key');
});

t.test('route reach: a reader key only posts reads, a brand office key only calls the brand routes', async (t) => {
  const route = (takesReads: boolean, brandRoute: boolean) => ({ takesReads, brandRoute });
  t.equal(
    refusal(() => requireRouteAccess(brandOffice, route(false, true))),
    null,
  );
  t.equal(
    refusal(() => requireRouteAccess(brandOffice, route(false, false))),
    'a brand office key reaches only the brand routes (/brands)',
  );
  t.equal(
    refusal(() => requireRouteAccess(brandOffice, route(true, false))),
    'a brand office key reaches only the brand routes (/brands)',
  );
  t.equal(
    refusal(() => requireRouteAccess(reader, route(false, true))),
    'a reader key may only post reads',
  );
  for (const principal of [admin, regulator, farm])
    t.equal(
      refusal(() => requireRouteAccess(principal, route(false, false))),
      null,
    );
});

t.test("a reader's reads are posted with a key of the reader's own party", async (t) => {
  const fx = { hostName: 'FX7500-A', partyCode: 'FARM' };
  t.equal(
    refusal(() => requireReaderOwner(reader, fx, ['data', 'hostName'])),
    null,
  );
  const other = { hostName: 'FX7500-B', partyCode: 'PLANT' };
  t.equal(
    refusal(() => requireReaderOwner(reader, other, ['data', 'hostName'])),
    "reader FX7500-B is not a reader of FARM; a reader key posts only its own party's reads",
  );
  t.throws(() => requireReaderOwner(reader, other, ['reads', 1, 'reader']), {
    errors: [{ in: 'body', pointer: '/reads/1/reader', detail: 'not a reader of FARM' }],
  });
});

t.test("a brand's misuse flags and complaints: its office (a brand office key of its owner party), regulators and admins", async (t) => {
  const brand = { code: 'FJQC', ownerPartyCode: 'OFFICE-A' };
  const officeOf = (partyCode: string | null): Principal => ({ keyId: 'k-office', role: 'brand_office', partyCode });
  t.equal(
    refusal(() => requireBrandOverseer(officeOf('OFFICE-A'), brand)),
    null,
    "the brand's office",
  );
  t.equal(
    refusal(() => requireBrandOverseer(regulator, brand)),
    null,
    'a regulator',
  );
  t.equal(
    refusal(() => requireBrandOverseer(admin, brand)),
    null,
    'an admin',
  );
  t.equal(
    refusal(() => requireBrandOverseer(officeOf('OFFICE-B'), brand)),
    'brand FJQC is not run by party OFFICE-B: a brand office reads the misuse flags and complaints of its own brands only',
    "another brand's office",
  );
  t.equal(
    refusal(() => requireBrandOverseer(brandOffice, brand)),
    null,
    "the county's brand office (a key of no party), which runs every brand",
  );
  t.equal(
    refusal(() => requireBrandOverseer(officeOf(null), { code: 'X', ownerPartyCode: null })),
    null,
    'a brand no party owns too',
  );
  t.match(
    refusal(() => requireBrandOverseer(officeOf('OFFICE-A'), { code: 'X', ownerPartyCode: null })),
    /not run by party OFFICE-A/,
    'but not by an office issued for a party',
  );
  for (const principal of [farm, reader, { ...farm, partyCode: 'OFFICE-A' }]) {
    t.equal(
      refusal(() => requireBrandOverseer(principal, brand)),
      'only the office of brand FJQC, regulators and admins read its misuse flags and complaints',
      `a ${principal.role} key, even of the owner party`,
    );
  }
});

t.test("a note on a brand's misuse flag: its office alone", async (t) => {
  const brand = { code: 'FJQC', ownerPartyCode: 'OFFICE-A' };
  const officeOf = (partyCode: string | null): Principal => ({ keyId: 'k-office', role: 'brand_office', partyCode });
  t.equal(
    refusal(() => requireBrandOffice(officeOf('OFFICE-A'), brand)),
    null,
    "the brand's office",
  );
  for (const principal of [regulator, admin]) {
    t.equal(
      refusal(() => requireBrandOffice(principal, brand)),
      "only the office of brand FJQC records its findings on the brand's flags; regulators dismiss or reopen a flag",
      `not a ${principal.role}, who reads them`,
    );
  }
  t.match(
    refusal(() => requireBrandOffice(officeOf('OFFICE-B'), brand)),
    /not run by party OFFICE-B/,
    "another brand's office",
  );
  t.match(
    refusal(() => requireBrandOffice(farm, brand)),
    /only the office of brand FJQC, regulators and admins read/,
    'a member',
  );
});

t.test("a brand's register: regulators, admins, the county's office and the office of the party owning it", async (t) => {
  const brand = { code: 'FJQC', ownerPartyCode: 'OFFICE-A' };
  const officeOf = (partyCode: string | null): Principal => ({ keyId: 'k-office', role: 'brand_office', partyCode });
  for (const [who, principal] of [
    ['a regulator', regulator],
    ['an admin', admin],
    ["the county's office", officeOf(null)],
    ["the brand's office", officeOf('OFFICE-A')],
  ] as const) {
    t.equal(
      refusal(() => requireBrandManager(principal, 'brands.manage', brand)),
      null,
      `${who} keeps it`,
    );
    t.equal(
      refusal(() => requireBrandManager(principal, 'brands.disposals', brand)),
      null,
      `${who} reads its disposals`,
    );
  }
  t.equal(
    refusal(() => requireBrandManager(officeOf('OFFICE-B'), 'brands.manage', brand)),
    'brand FJQC is not run by party OFFICE-B: a brand office keeps the register of its own brands only',
    "another brand's office",
  );
  t.match(
    refusal(() => requireBrandManager(farm, 'brands.manage', brand)),
    /only brand_office or regulator or admin keys/,
    'an operator',
  );
});
