// Who may do what: every access decision of the service is made here, from the principal an API
// key resolves to. Pure: callers look up the facts (a lot's owner, the parties that held it) and
// ask. Admins register parties and keys; an operator acts for one party and reads that party's
// private data; regulators read everything; a reader (an RFID reader's device key) only posts
// reads for its own party's read points; the brand office (品牌办) admits, suspends and exits the
// members of the county's brands and reaches only the brand routes.
import { createHash, timingSafeEqual } from 'node:crypto';
import { bodyField, forbidden, notFound, Problem, paramField } from '../errors/problem.js';

export const ROLES = ['admin', 'operator', 'regulator', 'reader', 'brand_office'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved from the API key on every non-public request. */
export type Principal = { keyId: string; role: Role; partyCode: string | null };

type Grant = { roles: readonly Role[]; what: string };

/** Actions that only depend on the role. */
const ROLE_GRANTS = {
  'api-keys.manage': { roles: ['admin'], what: 'manage API keys' },
  'parties.register': { roles: ['admin'], what: 'register parties' },
  'regulator.read': { roles: ['regulator', 'admin'], what: 'read scan statistics and flags' },
  'complaints.handle': { roles: ['regulator', 'admin'], what: 'handle complaints' },
  // a judgement on the evidence (and on the record under the regulator's key): not an admin's to make
  'flags.dismiss': { roles: ['regulator'], what: 'dismiss flags' },
  // the same judgement undone: whoever may dismiss a flag may reopen it, and no one else
  'flags.reopen': { roles: ['regulator'], what: 'reopen flags' },
  'figures.read': { roles: ['regulator', 'admin'], what: 'read mass balances, anomalies, coverage, pass rates and exports' },
  // a browser session cookie carrying an admin's power (keys, parties) is a risk the dashboard does not need
  'dashboard.session': { roles: ['regulator'], what: 'sign in to the regulator dashboard' },
  'registrations.review': { roles: ['regulator', 'admin'], what: 'review applications to join' },
  'registry.conflicts': { roles: ['regulator', 'admin'], what: 'list company prefixes, GTINs and GLNs in conflict' },
  'recalls.read': { roles: ['regulator', 'admin', 'operator'], what: 'read recalls' },
  'audit.verify': { roles: ['regulator'], what: 'verify the audit log and export its chain heads' },
  'credit.list': { roles: ['regulator', 'admin'], what: 'list the credit of every enterprise' },
  'credit.recompute': { roles: ['regulator', 'admin'], what: 'recompute and store credit scores' },
  'brands.manage': { roles: ['brand_office', 'regulator', 'admin'], what: 'register brands and admit, suspend or exit their members' },
  'brands.disposals': { roles: ['brand_office', 'regulator', 'admin'], what: 'read the brand-labelled stock left to dispose of' },
} satisfies Record<string, Grant>;
export type RoleAction = keyof typeof ROLE_GRANTS;

/** May the principal's role do this? (requireRole throws the 403 when not.) */
export function hasGrant(principal: Principal, action: RoleAction): boolean {
  const grant: Grant = ROLE_GRANTS[action];
  return grant.roles.includes(principal.role);
}

export function requireRole(principal: Principal, action: RoleAction): void {
  const grant: Grant = ROLE_GRANTS[action];
  if (!hasGrant(principal, action)) {
    throw forbidden(`only ${grant.roles.join(' or ')} keys may ${grant.what}; this key has the ${principal.role} role`);
  }
}

/**
 * Whose private data (quantities, holders, events, jobs) the principal reads: `null` for every
 * party's, else the one party code. List queries filter by it.
 */
export function privateScope(principal: Principal): string | null {
  return principal.role === 'operator' || principal.role === 'reader' ? (principal.partyCode as string) : null;
}

/** May the principal read this party's private data? */
export function canReadPartyData(principal: Principal, partyCode: string): boolean {
  const scope = privateScope(principal);
  return scope === null || scope === partyCode;
}

/**
 * A record of one party found by its id (a capture job): another party's reads as no such record
 * (`missing`, the very answer to an unknown id), so ids cannot be probed.
 */
export function requirePartyRecord(principal: Principal, partyCode: string, missing: () => Error): void {
  if (!canReadPartyData(principal, partyCode)) throw missing();
}

/** An enterprise's credit score and its history: regulators and admins, and the enterprise itself. */
export function requireCreditReader(principal: Principal, partyCode: string): void {
  if (!canReadPartyData(principal, partyCode))
    throw forbidden(`party ${principal.partyCode} may not read the credit of party ${partyCode}`);
}

/**
 * The party filter of a list query (`?partyCode=`): an operator always lists its own party's (asking
 * for another party is refused, pointing at the parameter); admins and regulators list the party asked for, or all.
 */
export function partyFilter(principal: Principal, asked: string | undefined, what: string): string | undefined {
  const scope = privateScope(principal);
  if (scope === null) return asked;
  if (asked !== undefined && asked !== scope)
    throw forbidden(`party ${scope} may not list ${what} of ${asked}`, [
      { in: 'querystring', pointer: '/partyCode', detail: `not the key's party ${scope}` },
    ]);
  return scope;
}

/**
 * Lines of 0 (a lot named in a ship event that moved none of it, as the event writer stored them
 * before it refused such lines) sent nothing: to the parties at either end they are no line of
 * their shipment, wherever shipment lines are shown (GET /shipments, a trace's custody edges). The
 * addressee was never sent the lot and may not read it, and a shipment of nothing else (no line
 * with a quantity) is no shipment to them, as a ship of nothing opens none now. Regulators and
 * admins, who oversee every record, see every line, and list shipments of nothing with the rest.
 */
export function seesShipmentLinesOfNothing(principal: Principal): boolean {
  return privateScope(principal) === null;
}

/** The lines of a shipment shown to the principal: without lines of 0, unless it sees them (seesShipmentLinesOfNothing). */
export function shipmentLinesShownTo<L extends { quantity: number }>(principal: Principal, lines: L[]): L[] {
  return seesShipmentLinesOfNothing(principal) ? lines : lines.filter((line) => line.quantity > 0);
}

/**
 * Lots and traces are open to every party that owned, held or was sent the lot; an operator
 * outside that circle asks a regulator.
 */
export function requireLotReader(principal: Principal, lotCode: string, involvedParties: ReadonlySet<string>): void {
  if (!canReadLot(principal, involvedParties)) {
    throw forbidden(`party ${privateScope(principal)} has never owned or held ${lotCode}; ask a regulator for it`);
  }
}

/**
 * Does an identifier of this kind name its lot to whoever holds it? A lot, container or pack code
 * is the lot's own (printed on it), and GTIN and SSCC keys are what the public resolver answers;
 * an ear tag, a party's own lot number or another captured URI says what it names only to those
 * who may read the lot (as `GET /epc/{value}` does).
 */
export function identifierNamesLotOpenly(kind: string): boolean {
  return ['lot', 'container', 'item', 'gtin', 'sscc'].includes(kind);
}

/**
 * Does an identifier of this kind (see identifierNamesLotOpenly) tell the reader (`scope`, as
 * privateScope gives it: a party's code, or null for those who read every party's data) which lot
 * it names? When not, every door answers for it as for an unknown identifier (a trace, a tag
 * binding), or refuses it without naming a lot (an EPCIS capture), so that its answers do not tell
 * another party's herd or lot numbers apart from identifiers no one uses.
 */
export function identifierNamesLotTo(scope: string | null, kind: string, involvedParties: ReadonlySet<string>): boolean {
  return identifierNamesLotOpenly(kind) || scope === null || partyReadsLot(scope, involvedParties);
}

export function canReadLot(principal: Principal, involvedParties: ReadonlySet<string>): boolean {
  const scope = privateScope(principal);
  return scope === null || partyReadsLot(scope, involvedParties);
}

/**
 * Does the party (an operator's, as events are recorded: see actingParty) read the lot? Only when
 * it owned, held or was sent it. A refusal to use a lot it may not read names the lot only as the
 * party named it, and none of the lot's owner or holders.
 */
export function partyReadsLot(partyCode: string, involvedParties: ReadonlySet<string>): boolean {
  return involvedParties.has(partyCode);
}

/**
 * Whom a tag check (GET /epc) tells what a tag names: everyone, when the public resolver would
 * show it (packs and lots behind GTIN and SSCC keys); otherwise admins and regulators, and an
 * operator only for a lot it may read (`lot-readers`: ask canReadLot). Anonymous callers see no more.
 */
export function tagReferentAudience(principal: Principal | null, publiclyResolvable: boolean): 'everyone' | 'nobody' | 'lot-readers' {
  if (publiclyResolvable || (principal !== null && privateScope(principal) === null)) return 'everyone';
  return principal === null ? 'nobody' : 'lot-readers';
}

/**
 * A party's contact persons, phone numbers, licences and site addresses: admins and regulators
 * see them, and an operator sees those of its own party and of its trading partners (goods it
 * shipped to them or received from them, received at least in part). Everyone sees a party's
 * public identity (code, kind, name, region).
 */
export function canSeePrivateDetails(principal: Principal, partyCode: string, tradingPartners: ReadonlySet<string>): boolean {
  const scope = privateScope(principal);
  return scope === null || scope === partyCode || tradingPartners.has(partyCode);
}

/**
 * Whose authorizations to a brand the principal lists, suspension and exit reasons included:
 * every member's (`asked`, or all) for the brand office, regulators and admins, and for the party
 * owning the brand (an enterprise brand's licensor, who answers for its members); any other party
 * only its own (none when it is no member), and asking for another member is refused without a
 * word about it. What a consumer sees of a brand (a pack's badge) needs none of this.
 */
export function brandMemberFilter(principal: Principal, brand: { ownerPartyCode: string | null }, asked: string | undefined) {
  const scope = privateScope(principal);
  if (scope === null || scope === brand.ownerPartyCode) return asked;
  if (asked !== undefined && asked !== scope) throw forbidden(`party ${scope} may read only its own authorizations to this brand`);
  return scope;
}

/**
 * Which API key made each change of a brand authorization (its id and label) is the brand office's own
 * record: shown to brand offices, regulators and admins, not to the members or owners reading their history.
 */
export const seesBrandOfficeKeys = (principal: Principal): boolean =>
  principal.role === 'brand_office' || principal.role === 'regulator' || principal.role === 'admin';

/**
 * Whether a brand office key runs the brand: a key issued for no party is the county's brand office,
 * which runs every brand; a key issued for a party runs the brands that party owns (`ownerPartyCode`).
 */
const runsBrand = (principal: Principal, brand: { ownerPartyCode: string | null }) =>
  principal.role === 'brand_office' && (principal.partyCode === null || principal.partyCode === brand.ownerPartyCode);

/**
 * A brand's register (its products, its members' admissions, suspensions and exits, their stock left to
 * dispose of) is kept by regulators, admins and the offices that run the brand (runsBrand): a brand office
 * key issued for a party keeps its own brands' only, and registers a brand only in its party's name.
 */
export function requireBrandManager(
  principal: Principal,
  action: 'brands.manage' | 'brands.disposals',
  brand: { code: string; ownerPartyCode: string | null },
): void {
  requireRole(principal, action);
  if (principal.role === 'brand_office' && !runsBrand(principal, brand))
    throw forbidden(
      `brand ${brand.code} is not run by party ${principal.partyCode}: a brand office keeps the register of its own brands only`,
    );
}

/**
 * Who registers a brand: regulators, admins and the county's brand office (a key of no party) any brand;
 * a brand office key issued for a party only an `enterprise` brand its party owns. A regional public brand
 * or a GI mark is the county's: one registered by an enterprise would earn its own packs the county's
 * badge and the 地理标志 mark.
 */
export function requireBrandRegistrar(principal: Principal, brand: { kind: string; ownerPartyCode?: string }): void {
  requireRole(principal, 'brands.manage');
  if (principal.role !== 'brand_office' || principal.partyCode === null) return;
  if (brand.ownerPartyCode !== principal.partyCode)
    throw forbidden(`a brand office key issued for party ${principal.partyCode} registers brands that party owns only`, [
      bodyField(['ownerPartyCode'], `must be ${principal.partyCode}`),
    ]);
  if (brand.kind !== 'enterprise')
    throw forbidden(
      `a brand office key issued for party ${principal.partyCode} registers enterprise brands only: a ${brand.kind} brand is registered by the county's brand office, a regulator or an admin`,
      [bodyField(['kind'], 'must be enterprise')],
    );
}

/**
 * What is found about a brand's packs in the market — the `brand_misuse` flags raised on scans of them and
 * the consumers' complaints about them — is read by regulators and admins for every brand, and by the
 * offices that run the brand (runsBrand). Any other key is refused, a brand office key of another party and
 * a member's alike: brands are public, so the refusal tells nothing a caller could not read at
 * `GET /brands/{code}`. The members themselves are judged by the regulator's flags and complaints, not by
 * each other's. The brand's report and its members' credentials are read alike; `what` names the one asked for.
 */
export function requireBrandOverseer(
  principal: Principal,
  brand: { code: string; ownerPartyCode: string | null },
  what = 'misuse flags and complaints',
): void {
  if (principal.role === 'regulator' || principal.role === 'admin' || runsBrand(principal, brand)) return;
  if (principal.role === 'brand_office')
    throw forbidden(
      `brand ${brand.code} is not run by party ${principal.partyCode}: a brand office reads the ${what} of its own brands only`,
    );
  throw forbidden(`only the office of brand ${brand.code}, regulators and admins read its ${what}`);
}

/**
 * A finding of the brand's office on a misuse flag of its brand (a note beside the flag) is the office's own
 * word: written only with a brand office key issued for the party owning the brand. Regulators decide on the
 * flag itself (a dismissal, a reopening) and write no notes under the office's name; admins neither.
 */
export function requireBrandOffice(principal: Principal, brand: { code: string; ownerPartyCode: string | null }): void {
  if (principal.role === 'brand_office' && principal.partyCode !== null && principal.partyCode === brand.ownerPartyCode) return;
  requireBrandOverseer(principal, brand);
  throw forbidden(`only the office of brand ${brand.code} records its findings on the brand's flags; regulators dismiss or reopen a flag`);
}

/**
 * The consumers' complaints about a maker's goods — those whose code names a lot or case its party made (owns) —
 * are read by the maker, an operator key for its own party, so that it can check its lot before the regulators
 * call. A party that only held or sold the goods (a retailer) is no maker of them and reads none. Regulators and
 * admins handle every complaint at `GET /regulator/complaints`, phone number and notes included; a brand's office
 * reads its brands' at `/brands/{code}/complaints`. Returns the party whose complaints the key reads.
 */
export function complaintsMaker(principal: Principal): string {
  if (principal.role === 'operator' && principal.partyCode) return principal.partyCode;
  if (hasGrant(principal, 'complaints.handle'))
    throw forbidden(
      `GET /complaints lists a maker's own complaints, to its operator keys; ${principal.role} keys read every complaint at GET /regulator/complaints`,
    );
  throw forbidden(`only a maker's operator keys read the complaints about its goods; this key has the ${principal.role} role`);
}

/** Master data (locations, products, RFID readers and read points), named by the body's `partyCode`: admins for anyone, an operator for its own party. */
export function requireMasterDataWriter(principal: Principal, partyCode: string): void {
  if (principal.role === 'admin') return;
  if (principal.role === 'operator' && principal.partyCode === partyCode) return;
  throw forbidden(`this key may not write data of party ${partyCode}`, [bodyField(['partyCode'], 'not a party this key writes for')]);
}

/** The kinds of party that test any party's lot, where the goods are (see requireEventSite and requireInspectionClaim). */
export const INDEPENDENT_TESTERS: readonly string[] = ['lab', 'regulator'];

/** A lab or a regulator party (INDEPENDENT_TESTERS). */
export const testsIndependently = (partyKind: string | undefined): boolean =>
  partyKind !== undefined && INDEPENDENT_TESTERS.includes(partyKind);

/**
 * The site an event names as read point or business location is the actor's own, except that a lab
 * or regulator samples where the goods are: its test may name a site of a party that owns or holds
 * a lot it tests (`testedLotParties`; empty for any other event).
 */
export function requireEventSite(
  actor: { code: string; kind: string | undefined },
  location: { code: string; partyCode: string },
  testedLotParties: ReadonlySet<string>,
  pointer: (string | number)[],
): void {
  if (testsIndependently(actor.kind) && testedLotParties.has(location.partyCode)) return;
  requireOwnMasterData(actor.code, 'location', location, pointer);
}

/**
 * A party records what it does, not what another party does: the side of a shipment or receipt it
 * names as its own (an EPCIS shipment's source, a receipt's destination) is itself.
 */
export function requireOwnSide(actor: string, party: string, pointer: (string | number)[]): void {
  if (party === actor) return;
  throw forbidden(`party ${actor} may not record an event for party ${party}`, [bodyField(pointer, `party ${party}, not ${actor}`)]);
}

/**
 * Who may record each kind of inspection, by the kind of party recording it: `only` those kinds of
 * party, `never` those, neither any; `namesAnyLab`: it may name a lab besides its recorder. The pack
 * page, pass rates and credit take a test's kind and lab as the word of whoever they name, so only
 * that party gives it. A lab or regulator recording `self` is refused rather than read as its own
 * kind: it chose a kind that is not its own, and only it knows which it meant. Data, not code: the
 * SQL readers build from it the kind a stored inspection reads as (inspectionKindAsRead in
 * src/events/retests.ts), as inspectionClaimAsRead reads it here.
 */
export const INSPECTION_RECORDERS: Readonly<
  Record<string, { only?: readonly string[]; never?: readonly string[]; namesAnyLab?: true; who: string }>
> = {
  third_party: { only: ['lab'], who: 'only a lab records a third_party test, its own' },
  sampling: { only: ['regulator'], namesAnyLab: true, who: 'only a regulator records a sampling (official sampling, 抽样)' },
  self: {
    never: INDEPENDENT_TESTERS,
    who: 'a self-test is the lot owner’s or holder’s: a lab records its tests as third_party, a regulator as sampling',
  },
  rapid: { who: 'any party that may test the lot records a rapid test' },
};

/** The kind of test a party records as its own: a lab's third party, a regulator's sampling, any other party's self-test. */
export const OWN_INSPECTION_KINDS: { readonly byPartyKind: Readonly<Record<string, string>>; readonly otherwise: string } = {
  byPartyKind: { lab: 'third_party', regulator: 'sampling' },
  otherwise: 'self',
};

/** A party's own kind of test (OWN_INSPECTION_KINDS). */
export function ownInspectionKind(partyKind: string | undefined): string {
  const { byPartyKind, otherwise } = OWN_INSPECTION_KINDS;
  return partyKind !== undefined && Object.hasOwn(byPartyKind, partyKind) ? byPartyKind[partyKind] : otherwise;
}

/** The rule of an inspection kind; none for a kind the schema does not know (stored before it did). */
const recordersOf = (kind: string) => (Object.hasOwn(INSPECTION_RECORDERS, kind) ? INSPECTION_RECORDERS[kind] : undefined);

/** May a party of this kind record an inspection of this kind (INSPECTION_RECORDERS)? */
function mayRecordKind(partyKind: string | undefined, kind: string): boolean {
  const recorders = recordersOf(kind);
  if (recorders === undefined) return true;
  const of = partyKind ?? '';
  return (recorders.only?.includes(of) ?? true) && !(recorders.never?.includes(of) ?? false);
}

/** May the party recording an inspection of this kind name this lab: none, itself, or any where its kind names any. */
const mayNameLab = (actorCode: string, kind: string, labPartyCode: string | null | undefined) =>
  labPartyCode == null || labPartyCode === actorCode || recordersOf(kind)?.namesAnyLab === true;

/**
 * An inspection's kind and lab are the recording party's own: a `third_party` test is recorded by
 * the lab that made it, and names that lab or none (`labPartyCode`; the writer fills it in); a
 * `sampling` by a regulator, which may name the lab that tested its sample; a `self` test by a lot's
 * owner or holder; a `rapid` test by any party that may test the lot. No other inspection names a
 * lab but the party recording it. `at` is where the request gave each field.
 */
export function requireInspectionClaim(
  actor: { code: string; kind: string | undefined },
  inspection: { kind: string; labPartyCode?: string },
  at: (field: 'kind' | 'labPartyCode') => (string | number)[],
): void {
  const recorders = recordersOf(inspection.kind);
  if (recorders !== undefined && !mayRecordKind(actor.kind, inspection.kind)) {
    throw forbidden(`${recorders.who}; party ${actor.code} may not record a ${inspection.kind} inspection`, [
      bodyField(at('kind'), `not a kind party ${actor.code} records`),
    ]);
  }
  const { labPartyCode } = inspection;
  if (mayNameLab(actor.code, inspection.kind, labPartyCode)) return;
  throw forbidden(
    inspection.kind === 'third_party'
      ? `a lab records its own tests: ${actor.code} may not record one of ${labPartyCode}`
      : `only a regulator’s sampling names a lab other than the party recording it; party ${actor.code} may not name ${labPartyCode}`,
    [bodyField(at('labPartyCode'), `not party ${actor.code}`)],
  );
}

/**
 * What a stored inspection says of who tested, as every reader takes it (the pack page, the trace,
 * pass rates, failed inspections and credit): what its recorder could have said, by the rule
 * requireInspectionClaim holds new ones to. Inspections stored before that rule may claim another
 * party's word; none is rewritten (the event log is append-only), each is read so. A kind its
 * recorder may not record reads as its own kind (a processor's third_party or sampling as `self`, a
 * lab's self or sampling as `third_party`, a regulator's self or third_party as `sampling`); a
 * `third_party` test names the lab that recorded it; any other names a lab only where its recorder
 * may name it (itself, or any lab in a sampling), else none. An allowed claim reads as stored.
 */
export function inspectionClaimAsRead(
  recorder: { code: string; kind: string | undefined },
  stored: { kind: string; labPartyCode: string | null },
): { kind: string; labPartyCode: string | null } {
  const kind = mayRecordKind(recorder.kind, stored.kind) ? stored.kind : ownInspectionKind(recorder.kind);
  if (kind === 'third_party') return { kind, labPartyCode: recorder.code };
  return { kind, labPartyCode: mayNameLab(recorder.code, kind, stored.labPartyCode) ? stored.labPartyCode : null };
}

/**
 * A party makes lots of its own products at its own sites, and records events at its own sites:
 * a product or location is registered for one party (see requireMasterDataWriter) and names it.
 */
export function requireOwnMasterData(
  actor: string,
  what: 'product' | 'location',
  record: { code: string; partyCode: string },
  pointer: (string | number)[],
): void {
  if (what === 'location') requireLocationOf(record, actor, pointer);
  if (record.partyCode === actor) return;
  throw forbidden(`${what} ${record.code} belongs to party ${record.partyCode}; party ${actor} may not use it`, [
    bodyField(pointer, `a ${what} of ${record.partyCode}, not of ${actor}`),
  ]);
}

/**
 * A site named where it must be one party's: the acting party's own (an event's read point or
 * business location, a shipment's source site, a new lot's origin, an EPCIS event's sites and
 * sources), the addressee's (a shipment's destination site), a read point's party's (an RFID read
 * point). Another party's is refused one way at every field and door, native, EPCIS and RFID:
 * 403 `foreign-location`, naming the site, its party and the party it must be of.
 */
export function requireLocationOf(location: { code: string; partyCode: string }, owner: string, pointer: (string | number)[]): void {
  if (location.partyCode === owner) return;
  throw new Problem(
    403,
    'foreign-location',
    'A location of another party',
    `location ${location.code} belongs to party ${location.partyCode}, not ${owner}`,
    [bodyField(pointer, `a location of ${location.partyCode}, not of ${owner}`)],
  );
}

/**
 * A lot or serial under a GTIN is brought into being only by the GTIN's owner (the party of its
 * product, else of the company prefix it carries), at every door: otherwise a scan of its Digital
 * Link would show another party's lot.
 */
export function requireOwnGtin(actor: string, identifier: string, gtin: string, owner: string, pointer: (string | number)[]): void {
  if (owner === actor) return;
  throw forbidden(`${identifier} is under GTIN ${gtin} of party ${owner}; party ${actor} may not commission it`, [
    bodyField(pointer, `under a GTIN of ${owner}, not of ${actor}`),
  ]);
}

/**
 * Who makes a regulator act (hold, release, recall, closing a recall): the party it is recorded
 * under, and whether it acts with a regulator's rights. Those rights come with the key's role, as
 * every other right does: a regulator key issued for its regulator party (kind `regulator`) has
 * them; an operator key has a lot owner's rights only, whatever its party's kind (a regulator
 * party's operator key records its tests, and reads only its own party's data).
 */
export type RegulatoryActor = { code: string; regulator: boolean; admin?: boolean };

/**
 * The regulator act's actor: an operator acts for its own party (as a lot's owner), a regulator
 * through the regulator party its key was issued for. A regulator key without a party reads but
 * does not act, so every act in the log names an accountable body; the key id is kept with each act too.
 */
export function regulatoryActor(principal: Principal): RegulatoryActor {
  if ((principal.role === 'operator' || principal.role === 'regulator') && principal.partyCode)
    return { code: principal.partyCode, regulator: principal.role === 'regulator' };
  throw forbidden(
    principal.role === 'regulator'
      ? 'a regulator acts through its regulator party: ask an admin for a key issued with partyCode of a party of kind regulator'
      : 'holds and recalls are made by a regulator key or by the lot owner’s operator key',
  );
}

/**
 * Who lifts a decision another party made (a hold it put on, a recall it opened): a regulator or an
 * operator as in regulatoryActor; an admin, who has no party, on behalf of the party that made it
 * (`decidedBy`), so the act is recorded under that party (with the admin key's id) and the log still
 * names the accountable body. What the admin may then do decide requireReleaseRight and requireRecallCloser.
 */
export function actorLifting(principal: Principal, decidedBy: string): RegulatoryActor {
  if (principal.role === 'admin') return { code: decidedBy, regulator: false, admin: true };
  return regulatoryActor(principal);
}

/** The lot's owner as a refusal names it after the lot: only to a principal that may read the lot. */
const ownerShownTo = (readsLot: boolean, lot: { partyCode: string }) => (readsLot ? ` (${lot.partyCode})` : '');

/** What a hold or a recall names, as its refusals word the act: on the lot itself, and on a container holding the lot refused. */
const REGULATORY_ACTS = {
  hold: { onLot: 'put it on hold', onContainer: (code: string) => `put ${code} on hold` },
  recall: { onLot: 'recall it', onContainer: (code: string) => `recall ${code}` },
  release: { onLot: 'release its hold' },
} as const;
export type RegulatoryAct = keyof typeof REGULATORY_ACTS;

/** A lot or container packed, at some level, in a container a hold or a recall names. */
export type PackedLot = { code: string; partyCode: string };

/**
 * A hold or a recall is put on a lot by a regulator party or by the lot's owner, and a hold released
 * by them (see requireReleaseRight). The refusal names the owner only to a party that may read the lot
 * (`involvedParties`, see partyReadsLot), and points at the lot where the request named it (`pointer`).
 * A hold or a recall of a container reaches all that is packed in it (`packed`, every level down: a
 * held container is neither moved nor unpacked, a recalled one recalls its contents), so a party other
 * than a regulator puts one on a container only when all of that is its own too: packing another's lot
 * must not let it freeze or recall that lot. That refusal names the lot (the lowest code of those not
 * its own, so every door names the same) and nobody's stock. A release frees what it reaches, so the
 * owner lifts its own hold whatever lies in the container now.
 */
export function requireHoldOrRecallRight(
  actor: RegulatoryActor,
  lot: { code: string; partyCode: string },
  act: RegulatoryAct,
  involvedParties: ReadonlySet<string>,
  pointer: (string | number)[],
  packed: readonly PackedLot[],
) {
  if (actor.regulator || actor.admin) return;
  if (actor.code !== lot.partyCode)
    throw forbidden(
      `only a regulator or the owner of lot ${lot.code}${ownerShownTo(partyReadsLot(actor.code, involvedParties), lot)} may ${REGULATORY_ACTS[act].onLot}`,
      [bodyField(pointer, 'not a lot of this party')],
    );
  if (act === 'release') return;
  const [another] = packed
    .filter((content) => content.partyCode !== actor.code)
    .map((content) => content.code)
    .sort();
  if (another === undefined) return;
  throw forbidden(`only a regulator or the owner of lot ${another} may ${REGULATORY_ACTS[act].onContainer(lot.code)}, which holds it`, [
    bodyField(pointer, 'holds a lot of another party'),
  ]);
}

/**
 * A regulator party puts its own hold in place of the one the lot's owner put on, in one act, so
 * the owner has no moment between a release and the new hold to move the lot; the owner then can
 * no longer release it (requireReleaseRight). A regulator's hold is not taken over by anyone.
 */
export function mayTakeOverHold(actor: RegulatoryActor, lot: { partyCode: string }, heldBy: string): boolean {
  return actor.regulator && heldBy === lot.partyCode && actor.code !== heldBy;
}

/**
 * A hold the owner put on is released by a regulator or the owner; a regulator's hold only by the
 * regulator party that put it on, or an admin: another regulator (another county's) neither lifts
 * it nor, by lifting it, replaces it with its own. Decided after requireHoldOrRecallRight, which
 * refuses any other party, so who put the hold on is named to the owner and regulators only.
 * The refusal points at the lot in the request (`pointer`), as that one does.
 */
export function requireReleaseRight(
  actor: RegulatoryActor,
  lot: { code: string; partyCode: string },
  heldBy: string,
  pointer: (string | number)[],
) {
  if (actor.admin) return;
  if (heldBy === lot.partyCode) {
    if (actor.regulator || actor.code === lot.partyCode) return;
    throw forbidden(`the hold on lot ${lot.code} was put on by ${heldBy}; only a regulator or the owner may release it`, [
      bodyField(pointer, 'held by its owner'),
    ]);
  }
  if (actor.regulator && actor.code === heldBy) return;
  throw forbidden(`the hold on lot ${lot.code} was put on by ${heldBy}; only ${heldBy} or an admin may release it`, [
    bodyField(pointer, `held by ${heldBy}`),
  ]);
}

/**
 * Regulators and admins see every recall; an operator those it opened, those that reach it (it was
 * recorded holding some of the scope) and those of lots it may read (see partyReadsLot): a
 * producer that shipped out all it made, or a trader that passed the lot on, still calls its
 * customers back and answers the regulator. Whether the party may read any lot of the recall's
 * scope (`readsScopeLot`) is looked up only when the rest does not decide.
 */
export async function canReadRecall(
  principal: Principal,
  recall: { partyCode: string },
  holders: ReadonlySet<string>,
  readsScopeLot: (partyCode: string) => Promise<boolean>,
): Promise<boolean> {
  const scope = privateScope(principal);
  return scope === null || scope === recall.partyCode || holders.has(scope) || (await readsScopeLot(scope));
}

/**
 * Whose part of a recall the principal sees: every holder's (`null`) for regulators, admins and the
 * party that opened it; any other reader (a holder, a producer or past holder of a lot of the scope)
 * only its own, as in a lot's views: its holder row, progress, reports and the lots of the scope it
 * may read (their pack codes counted only for its own lots), none if it holds nothing now.
 * The recall itself (what, why, its status and due times) every reader sees; what describes every
 * holder's stock (how many holders and acknowledgements, the scope's counts, its CSV) only the
 * first three.
 */
export function recallHoldingsScope(principal: Principal, recall: { partyCode: string }): string | null {
  const scope = privateScope(principal);
  return scope === recall.partyCode ? null : scope;
}

/** A holder acknowledges a recall and reports what it returned or destroyed, for itself only. */
export function requireRecallHolder(principal: Principal, recallId: string, holders: ReadonlySet<string>): string {
  if (principal.role === 'operator' && principal.partyCode && holders.has(principal.partyCode)) return principal.partyCode;
  throw forbidden(`only an operator key of a holder reached by recall ${recallId} may report on it`);
}

/**
 * A recall is closed by a regulator party, by the party that opened it, or by an admin. Closing
 * before it is done (every holder acknowledged, every return reported destroyed) is an override, with a reason: of a recall a regulator
 * opened, only that regulator party's or an admin's (another county's regulator does not end it);
 * of one a producer opened, any regulator's or an admin's.
 */
export function requireRecallCloser(
  actor: RegulatoryActor,
  recall: { id: string; partyCode: string; openedByRegulator: boolean },
  override: boolean,
) {
  if (actor.admin) return;
  // an override is refused at its reason; a closing the party may not make at all, at the recall it names
  if (override) {
    if (!actor.regulator)
      throw forbidden(
        `only a regulator may close recall ${recall.id} before it is done (every holder acknowledged, every return reported destroyed)`,
        [bodyField(['overrideReason'], 'only a regulator closes a recall before it is done')],
      );
    if (recall.openedByRegulator && actor.code !== recall.partyCode)
      throw forbidden(
        `recall ${recall.id} was opened by ${recall.partyCode}; only ${recall.partyCode} or an admin may close it before it is done (every holder acknowledged, every return reported destroyed)`,
        [bodyField(['overrideReason'], `only ${recall.partyCode} or an admin closes this recall before it is done`)],
      );
    return;
  }
  if (actor.regulator) return;
  if (actor.code !== recall.partyCode)
    throw forbidden(`only a regulator or ${recall.partyCode}, which opened it, may close recall ${recall.id}`, [
      paramField('id', `opened by ${recall.partyCode}; closed by it or a regulator`),
    ]);
}

/** Events are recorded (natively, through EPCIS or by devices) by the key's own party. */
export function actingParty(principal: Principal): string {
  if (principal.role !== 'operator' || !principal.partyCode) {
    throw forbidden('events are recorded with an operator key, acting for its own party');
  }
  return principal.partyCode;
}

/**
 * A shipment is received by its addressee. Its sender is told whom it is addressed to; to any other
 * party it reads as no such shipment (`missing`, the very answer to an unknown id), so shipment ids
 * cannot be probed for where goods went.
 */
export function requireShipmentAddressee(
  partyCode: string,
  shipment: { id: string; fromPartyCode: string; toPartyCode: string },
  missing: () => Error,
  pointer: (string | number)[],
): void {
  if (shipment.toPartyCode === partyCode) return;
  if (shipment.fromPartyCode !== partyCode) throw missing();
  throw forbidden(`shipment ${shipment.id} is addressed to ${shipment.toPartyCode}, not ${partyCode}`, [
    bodyField(pointer, `addressed to ${shipment.toPartyCode}`),
  ]);
}

/** Item codes are issued by the lot's owner for its own lot; the refusal names the owner only to a reader of the lot. */
export async function requireLotOwner(
  principal: Principal,
  lot: { code: string; partyCode: string },
  what: string,
  /** Loaded only to word a refusal. */
  involvedParties: () => Promise<ReadonlySet<string>>,
): Promise<void> {
  if (principal.role === 'operator' && principal.partyCode === lot.partyCode) return;
  throw forbidden(`only the owner of lot ${lot.code}${ownerShownTo(canReadLot(principal, await involvedParties()), lot)} may ${what}`);
}

/** Who has a lot in hand or coming: its owner, the parties holding some of it, the addressees of open shipments carrying it. */
export type LotCustody = { ownerCode: string; holders: ReadonlySet<string>; addressees: ReadonlySet<string> };

/**
 * Tags are bound to a lot (or a pack or container of it) by the lot's owner, a party holding some
 * of it, or the addressee of an open shipment carrying it, who tags the goods as they come in. At
 * the gates a binding outranks the GS1 key a tag carries, so no one else may point a tag at a lot.
 */
export function mayBindTagsTo(partyCode: string, custody: LotCustody): boolean {
  return custody.ownerCode === partyCode || custody.holders.has(partyCode) || custody.addressees.has(partyCode);
}

/**
 * A tag whose EPC carries a GS1 key of a party here (a GTIN of its registered product, a key under
 * its company prefix) is bound by that party only: a binding outranks the key, and the first binding
 * of a tag keeps it from every other party, so another's would lock the key's owner out of its own tag.
 */
export function mayBindTagOfKeyOwner(partyCode: string, keyOwner: string | null): boolean {
  return keyOwner === null || keyOwner === partyCode;
}

export const hashTicket = (ticket: string) => createHash('sha256').update(ticket).digest();

/**
 * An enterprise applying to join has no key yet: the ticket it was given when it applied opens its
 * own application. A wrong ticket reads as no such application, so ids cannot be probed.
 */
export function requireApplicant(ticket: string | undefined, storedTicketHash: string, what: string): void {
  const stored = Buffer.from(storedTicketHash, 'hex');
  if (ticket === undefined || !timingSafeEqual(hashTicket(ticket), stored))
    throw notFound(`no ${what}, or not with this Registration-Ticket`);
}

/** Keys bound to one party: operators, and the device keys of its RFID readers. */
export const PARTY_ROLES: readonly Role[] = ['operator', 'reader'];

/** What kind of route a request reached, as far as route access goes. */
export type RouteKind = { takesReads: boolean; brandRoute: boolean };

/**
 * A reader's device key reaches only the routes that take reads, a brand office's key only the
 * brand routes; every other key reaches every route (and is checked there).
 */
const ROUTE_BOUND_ROLES = {
  reader: { reaches: (route: RouteKind) => route.takesReads, refusal: 'a reader key may only post reads' },
  brand_office: { reaches: (route: RouteKind) => route.brandRoute, refusal: 'a brand office key reaches only the brand routes (/brands)' },
} satisfies Partial<Record<Role, { reaches: (route: RouteKind) => boolean; refusal: string }>>;
type RouteBoundRole = keyof typeof ROUTE_BOUND_ROLES;

/** The roles whose keys a route of this kind refuses whatever they ask (the OpenAPI document declares its 403 by them). */
export const rolesRefusedBy = (route: RouteKind): Role[] =>
  (Object.keys(ROUTE_BOUND_ROLES) as RouteBoundRole[]).filter((role) => !ROUTE_BOUND_ROLES[role].reaches(route));

export function requireRouteAccess(principal: Principal, route: RouteKind): void {
  const bound = Object.hasOwn(ROUTE_BOUND_ROLES, principal.role) ? ROUTE_BOUND_ROLES[principal.role as RouteBoundRole] : undefined;
  if (bound && !bound.reaches(route)) throw forbidden(bound.refusal);
}

export function requireReaderKey(principal: Principal): void {
  if (principal.role !== 'reader') throw forbidden('reads are posted with a reader key');
}

/**
 * A reader's reads are posted with a key of the reader's own party. The refusal says only that the
 * reader is not the caller's: whose it is is its party's business.
 */
export function requireReaderOwner(
  principal: Principal,
  reader: { hostName: string; partyCode: string },
  /** Where the read names the reader (its host name, else the read itself). */
  pointer: (string | number)[],
): void {
  if (reader.partyCode !== principal.partyCode) {
    throw forbidden(`reader ${reader.hostName} is not a reader of ${principal.partyCode}; a reader key posts only its own party's reads`, [
      bodyField(pointer, `not a reader of ${principal.partyCode}`),
    ]);
  }
}

/**
 * A reader's own device key posts that reader's reads only; a reader key of its party issued for no
 * reader (a middleware's, say) posts for any of the party's readers. The refusal names the field.
 */
export function requireOwnReader(
  keyReader: { id: string; hostName: string } | undefined,
  reader: { id: string; hostName: string },
  /** Where the read names the reader. */
  pointer: (string | number)[],
): void {
  if (keyReader && keyReader.id !== reader.id) {
    throw forbidden(
      `reader ${reader.hostName} is not the reader of this key (${keyReader.hostName}); a reader's key posts only its own reads`,
      [bodyField(pointer, `not the reader of this key (${keyReader.hostName})`)],
    );
  }
}

/**
 * Whose Idempotency-Keys a reader key's batches are under: the key's own (`key:{id}`, as a key of no
 * party's are), so that two readers of a party numbering their batches alike do not meet.
 */
export const readerIdempotencyScope = (principal: Principal): string => `key:${principal.keyId}`;

/**
 * Reads are posted with a reader key of the party whose read point took them. The refusal names
 * neither the read point nor its party, as requireReaderOwner's names no reader's party.
 */
export function requireReadPointPoster(
  principal: Principal,
  readPoint: { partyCode: string },
  /** Where the read names the read point (or the antenna that placed it there). */
  pointer: (string | number)[],
): void {
  requireReaderKey(principal);
  if (principal.partyCode !== readPoint.partyCode) {
    throw forbidden(`a reader of party ${principal.partyCode} may post reads only for its own party's read points`, [
      bodyField(pointer, `not a read point of ${principal.partyCode}`),
    ]);
  }
}

/**
 * A reader's own device key names only the read points its reader's antennas serve: its reads are
 * taken there, and a read "at" another door of the party would move goods the reader never saw. A
 * reader key of the party issued for no reader (a middleware's) names any of the party's read points.
 * Asked once the read point is known to be the caller's party's (requireReadPointPoster).
 */
export function requireReadPointOfReader(
  keyReader: { id: string; hostName: string } | undefined,
  /** The readers whose antennas serve the read point named. */
  servedBy: ReadonlySet<string>,
  /** Where the read names the read point. */
  pointer: (string | number)[],
): void {
  if (keyReader && !servedBy.has(keyReader.id)) {
    throw forbidden(`a reader's key posts reads only at the read points its antennas serve (reader ${keyReader.hostName})`, [
      bodyField(pointer, `served by no antenna of reader ${keyReader.hostName}`),
    ]);
  }
}
