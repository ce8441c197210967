import { randomUUID } from 'node:crypto';
import {
  brandMemberFilter,
  type Principal,
  requireBrandManager,
  requireBrandOffice,
  requireBrandOverseer,
  requireBrandRegistrar,
  seesBrandOfficeKeys,
} from '../access/index.js';
import type { AuditKind } from '../audit/chain.js';
import { type AuditRecorder, chainOf } from '../audit/service.js';
import { isValidGtin, toGtin14 } from '../codes/gs1.js';
import type { PartyKind } from '../codes/service-codes.js';
import { chinaDay, shanghaiIso } from '../codes/timestamp.js';
import type { Db, Transact } from '../db/client.js';
import { isUniqueViolation, violatedUniqueConstraint } from '../db/errors.js';
import { badRequest, bodyField, conflict, forbidden, notFound, Problem, unprocessable } from '../errors/problem.js';
import type { PartiesRepository } from '../parties/repository.js';
import type { ProductsRepository } from '../products/repository.js';
import type { RegistrationsRepository } from '../registrations/repository.js';
import { membersOf, periodRefusal, totalsOf } from './report.js';
import type { AuthorizationRow, BrandProductRow, BrandRow, BrandsRepository, ChangeRow } from './repository.js';
import type { AdmitInput, Authorization, Brand, CreateBrandInput, MemberCredentials } from './schemas.js';
import {
  type AuthorizationHistory,
  type AuthorizationState,
  addDays,
  admissionRefusal,
  admittedWithin,
  type BrandKind,
  type BrandStanding,
  badgesOf,
  disposalStatus,
  evidenceRefusals,
  type LotMaking,
  labelRefusals,
  makingOf,
  memberStateOn,
  TIER_CAPS,
  type Tier,
  transitionRefusal,
  validFromRefusal,
} from './standing.js';

/**
 * The brand, for a principal that oversees it (requireBrandOverseer: its office, regulators, admins): what
 * the market shows of its packs (misuse flags, complaints) is read through it. No such brand is a 404 to
 * anyone (brands are public), another's brand a 403.
 */
export async function overseenBrand(
  brands: Pick<BrandsRepository, 'findBrand'>,
  principal: Principal,
  code: string,
  what?: string,
): Promise<BrandRow> {
  const brand = await brands.findBrand(code);
  if (!brand) throw notFound(`no brand ${code}`);
  requireBrandOverseer(principal, { code: brand.code, ownerPartyCode: brand.partyCode }, what);
  return brand;
}

/** The brand, for its own office alone (requireBrandOffice): what the office writes in its own name. */
export async function officeBrand(brands: Pick<BrandsRepository, 'findBrand'>, principal: Principal, code: string): Promise<BrandRow> {
  const brand = await brands.findBrand(code);
  if (!brand) throw notFound(`no brand ${code}`);
  requireBrandOffice(principal, { code: brand.code, ownerPartyCode: brand.partyCode });
  return brand;
}

/** Days a suspended or exited member has to dispose of its brand-labelled stock, unless configured. */
const DEFAULT_DISPOSAL_DAYS = 30;

/** The terms of an authorization a member's standing is judged by, which each change keeps as of itself (and its audit entry covers). */
const termsOf = ({ tier, validFrom, validUntil }: AuthorizationRow) => ({ tier, validFrom, validUntil });

/** A brand's product as the audit log names it. */
const brandProductId = (row: { brandCode: string; productCode: string }) => `${row.brandCode}/${row.productCode}`;

/** A brand's Chinese name is what consumers read on its badge: no two brands share one. */
const nameTaken = (nameZh: string) =>
  conflict(`a brand named ${nameZh} exists: a brand's Chinese name is its own`, [bodyField(['nameZh'], 'already taken')]);

const TIER_NAMES: Record<Tier, string> = { head: 'head (头部)', backbone: 'backbone (骨干)', authorized: 'authorized (授权)' };

export function createBrandService(deps: {
  brands: Pick<
    BrandsRepository,
    | 'insertBrand'
    | 'addProducts'
    | 'findBrand'
    | 'findBrandNamed'
    | 'listBrands'
    | 'productsOf'
    | 'lockBrand'
    | 'countInTier'
    | 'insertAuthorization'
    | 'findStanding'
    | 'findUnadmitted'
    | 'recordChange'
    | 'authorizationsOf'
    | 'changesOf'
    | 'standingsFor'
    | 'certificationsHeld'
    | 'keyLabels'
    | 'onHand'
    | 'reportLots'
  >;
  products: Pick<ProductsRepository, 'findByCode' | 'findByGtin'>;
  parties: Pick<PartiesRepository, 'findByCode' | 'findByCodes'>;
  registrations: Pick<RegistrationsRepository, 'declaredCredentials'>;
  transaction: Transact;
  audit: AuditRecorder;
  disposalDays?: number;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  /** Records brand-office acts on the audit chain of whoever made them, in their transaction. */
  async function audited(tx: Db, principal: Principal, kind: Extract<AuditKind, `brand.${string}`>, subjectIds: string[]) {
    for (const subjectId of subjectIds) {
      await deps.audit.record(tx, { chain: chainOf(principal), kind, subjectId, keyId: principal.keyId });
    }
  }
  const disposalDays = deps.disposalDays ?? DEFAULT_DISPOSAL_DAYS;
  /** Today in China time: the day brand decisions and production dates are written in. */
  const today = () => shanghaiIso(now()).slice(0, 10);

  async function brandOrNotFound(code: string): Promise<BrandRow> {
    const brand = await deps.brands.findBrand(code);
    if (!brand) throw notFound(`no brand ${code}`);
    return brand;
  }

  /**
   * A party's authorization row for a brand that was never admitted (no change: written behind the
   * service's back) is no member, yet its place is taken: admitting the party again and changing the
   * row are both refused alike, 409, for an operator to look at it (the audit log's verify names it).
   * Neither takes the row over.
   */
  async function refuseUnadmitted(code: string, partyCode: string, tx: Db): Promise<void> {
    const row = await deps.brands.findUnadmitted(code, partyCode, tx);
    if (!row) return;
    throw new Problem(
      409,
      'unadmitted-authorization',
      'Authorization with no logged admission',
      `party ${partyCode} holds an authorization row for brand ${code} (${row.id}, stored as ${row.state}) with no logged admission: it was not made through the brand office and is no member, so it can neither be changed nor admitted again; an operator must look at it (the audit log's verify reports it)`,
    );
  }

  async function view(brand: BrandRow): Promise<Brand> {
    const products = await deps.brands.productsOf([brand.code]);
    const { partyCode, ...shown } = brand;
    return {
      ...shown,
      kind: brand.kind as BrandKind,
      ownerPartyCode: partyCode,
      products: products.map(({ productCode, partyCode }) => ({ productCode, partyCode })),
    };
  }

  /**
   * Product codes or GTINs, as the brand's products with their owners; an unknown one is a 400 at
   * its place, one named again (by code or by GTIN) a 422 at the second place.
   */
  /**
   * The products wanted for the brand. A brand office key issued for a party adds its own party's products
   * and its brand's admitted members' only (403 for another's): a brand covering a product holds its maker's
   * codes to the brand and shows the office the complaints about it, which no office decides for a party
   * outside its brand. The county's office (a key of no party), regulators and admins add any.
   */
  async function resolveProducts(principal: Principal, brandCode: string, wanted: string[], pointer: string, addedAt = now()) {
    const rows: BrandProductRow[] = [];
    const members =
      principal.role === 'brand_office' && principal.partyCode !== null
        ? new Set([
            principal.partyCode,
            ...(await deps.brands.authorizationsOf({ brandCode }))
              .filter((row) => row.state === 'admitted' && !expired(row, today()))
              .map((row) => row.partyCode),
          ])
        : undefined;
    for (const [index, value] of wanted.entries()) {
      const product = isValidGtin(value) ? await deps.products.findByGtin(toGtin14(value)) : await deps.products.findByCode(value);
      if (!product) throw badRequest(`no product ${value}`, [bodyField([pointer, index], 'no product with this code or GTIN')]);
      if (members && !members.has(product.partyCode)) {
        throw forbidden(
          `product ${product.code} is party ${product.partyCode}'s, neither party ${principal.partyCode}'s nor an admitted member's of brand ${brandCode}: a brand office adds those only`,
          [bodyField([pointer, index], 'not a product of the office’s party or of an admitted member')],
        );
      }
      if (rows.some((row) => row.productCode === product.code)) {
        throw unprocessable('duplicate-product', `product ${product.code} is listed twice`, [bodyField([pointer, index], 'listed twice')]);
      }
      rows.push({ brandCode, productCode: product.code, partyCode: product.partyCode, addedAt });
    }
    return rows;
  }

  /** Past its last day, an authorization that did not exit within its validity is expired. */
  const expired = (row: AuthorizationRow, day: string) =>
    row.validUntil !== null && row.validUntil < day && !(row.state === 'exited' && row.stateSince <= row.validUntil);

  async function authorizationView(rows: AuthorizationRow[], showKeys = true): Promise<Authorization[]> {
    const changes = await deps.brands.changesOf(rows.map((row) => row.id));
    const labels = await deps.brands.keyLabels([...changes.values()].flat().map((change) => change.keyId));
    const day = today();
    return rows.map((row) => ({
      id: row.id,
      brandCode: row.brandCode,
      partyCode: row.partyCode,
      tier: row.tier as Tier,
      validFrom: row.validFrom,
      validUntil: row.validUntil,
      ...(expired(row, day)
        ? { state: 'expired' as const, stateSince: addDays(row.validUntil as string, 1) }
        : { state: row.state as AuthorizationState, stateSince: row.stateSince }),
      disposalDeadline: row.disposalDeadline,
      // stored as admitBody read it; none on authorizations admitted before evidence was kept
      evidence: (row.evidence ?? []) as Authorization['evidence'],
      evidenceNote: row.evidenceNote,
      history: (changes.get(row.id) ?? []).map((change) => ({
        fromState: change.fromState as AuthorizationState | null,
        toState: change.toState as AuthorizationState,
        effectiveOn: change.effectiveOn,
        reason: change.reason,
        disposalDeadline: change.disposalDeadline,
        recordedAt: change.recordedAt,
        ...(showKeys ? { keyId: change.keyId, keyLabel: labels.get(change.keyId) ?? null } : {}),
      })),
    }));
  }

  const historyOf = (row: AuthorizationRow & { changes: ChangeRow[] }): AuthorizationHistory => ({
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    changes: row.changes.map((change) => ({
      toState: change.toState as AuthorizationState,
      effectiveOn: change.effectiveOn,
      recordedAt: change.recordedAt.toISOString(),
    })),
  });

  return {
    today,

    /**
     * Registers a brand, created (and its products added) at the service's clock; a seed recording a story gives
     * the moment of it instead (`registeredAt`), as it dates its events. Its admissions start on its day or later.
     */
    async create(principal: Principal, input: CreateBrandInput, registeredAt?: Date): Promise<Brand> {
      const at = registeredAt ?? now();
      requireBrandRegistrar(principal, input);
      if (input.kind !== 'enterprise' && input.regionCode === undefined) {
        throw badRequest(`a ${input.kind} brand vouches for a place: name its area`, [
          bodyField(['regionCode'], 'required for a regional or GI brand: the GB/T 2260 area whose parties it admits, e.g. 500236'),
        ]);
      }
      if (await deps.brands.findBrand(input.code)) throw conflict(`brand ${input.code} exists`, [bodyField(['code'], 'already taken')]);
      if (await deps.brands.findBrandNamed(input.nameZh)) throw nameTaken(input.nameZh);
      if (input.ownerPartyCode && !(await deps.parties.findByCode(input.ownerPartyCode))) {
        throw badRequest(`no party ${input.ownerPartyCode}`, [bodyField(['ownerPartyCode'], 'not a registered party')]);
      }
      const products = await resolveProducts(principal, input.code, input.products, 'products', at);
      try {
        const row = await deps.transaction(async (tx) => {
          const inserted = await deps.brands.insertBrand(
            {
              code: input.code,
              kind: input.kind,
              nameZh: input.nameZh,
              nameEn: input.nameEn,
              partyCode: input.ownerPartyCode ?? null,
              regionCode: input.regionCode ?? null,
              createdAt: at,
            },
            products,
            tx,
          );
          await audited(tx, principal, 'brand.create', [inserted.code]);
          await audited(tx, principal, 'brand.product', products.map(brandProductId));
          return inserted;
        });
        return view(row);
      } catch (error) {
        // a brand created alongside this request won its primary key
        const violated = violatedUniqueConstraint(error);
        if (violated === 'brands_pkey') throw conflict(`brand ${input.code} exists`, [bodyField(['code'], 'already taken')]);
        if (violated === 'brands_name_zh_key') throw nameTaken(input.nameZh);
        throw error;
      }
    },

    async addProducts(principal: Principal, code: string, wanted: string[]): Promise<Brand> {
      const brand = await brandOrNotFound(code);
      requireBrandManager(principal, 'brands.manage', { code, ownerPartyCode: brand.partyCode });
      const products = await resolveProducts(principal, code, wanted, 'products');
      await deps.transaction(async (tx) => {
        const added = await deps.brands.addProducts(products, tx);
        await audited(tx, principal, 'brand.product', added.map(brandProductId));
      });
      return view(brand);
    },

    async list(): Promise<Brand[]> {
      const rows = await deps.brands.listBrands();
      const products = await deps.brands.productsOf(rows.map((row) => row.code));
      return rows.map(({ partyCode, ...row }) => ({
        ...row,
        kind: row.kind as BrandKind,
        ownerPartyCode: partyCode,
        products: products.filter((p) => p.brandCode === row.code).map(({ productCode, partyCode }) => ({ productCode, partyCode })),
      }));
    },

    get: async (code: string): Promise<Brand> => view(await brandOrNotFound(code)),

    /** Admits a party to a brand in a tier; the head and backbone tiers have a fixed number of places. */
    async admit(principal: Principal, code: string, input: AdmitInput): Promise<Authorization> {
      const brand = await brandOrNotFound(code);
      requireBrandManager(principal, 'brands.manage', { code, ownerPartyCode: brand.partyCode });
      const party = await deps.parties.findByCode(input.partyCode);
      if (!party) throw badRequest(`no party ${input.partyCode}`, [bodyField(['partyCode'], 'not a registered party')]);
      // a brand registered before areas were kept is held to its owner's county, when it has an owner
      const area = brand.regionCode ?? (brand.partyCode ? ((await deps.parties.findByCode(brand.partyCode))?.regionCode ?? null) : null);
      const refusal = admissionRefusal(
        { code, kind: brand.kind as BrandKind, area },
        { code: party.code, kind: party.kind as PartyKind, regionCode: party.regionCode },
      );
      if (refusal) throw unprocessable('brand-admission-refused', refusal, [bodyField(['partyCode'], refusal)]);
      const outOfBounds = validFromRefusal({ code, registeredOn: chinaDay(brand.createdAt) }, input.validFrom, today());
      if (outOfBounds) throw unprocessable('admission-out-of-bounds', outOfBounds.detail, [bodyField(['validFrom'], outOfBounds.field)]);
      if (input.evidence?.length) {
        const declared = (await deps.registrations.declaredCredentials({ partyCode: party.code })).filter(
          (credential) => credential.category === 'certification',
        );
        const unsupported = evidenceRefusals(input.evidence, declared, party.code, input.validFrom);
        if (unsupported.length) {
          throw unprocessable(
            'admission-evidence-not-declared',
            `the evidence does not support party ${party.code}'s admission to brand ${code}: ${unsupported.map((item) => item.detail).join('; ')}`,
            unsupported.map((item) => bodyField(['evidence', item.index, 'number'], item.detail)),
          );
        }
      }
      const alreadyMember = (state: string) =>
        conflict(`party ${input.partyCode} already holds an authorization for brand ${code} (${state}); change its state instead`);
      try {
        const row = await deps.transaction(async (tx) => {
          if (!(await deps.brands.lockBrand(code, tx))) throw notFound(`no brand ${code}`);
          const standing = await deps.brands.findStanding(code, input.partyCode, tx);
          if (!standing) await refuseUnadmitted(code, input.partyCode, tx);
          if (standing && !expired(standing, today())) throw alreadyMember(standing.state);
          if (standing) {
            // its validity has ended: the new authorization follows it, and it is closed (stored as
            // exited from the day after its last, when nothing of it is in force, so its lots keep their badges)
            const until = standing.validUntil as string;
            if (input.validFrom <= until) {
              throw conflict(
                `party ${input.partyCode}'s authorization for brand ${code} was valid until ${until}; a new one starts after it`,
                [bodyField(['validFrom'], `must be after ${until}`)],
              );
            }
            const closingId = randomUUID();
            await deps.brands.recordChange(
              standing.id,
              { state: 'exited', stateSince: addDays(until, 1), disposalDeadline: null },
              {
                id: closingId,
                authorizationId: standing.id,
                brandCode: code,
                partyCode: input.partyCode,
                fromState: standing.state,
                toState: 'exited',
                effectiveOn: addDays(until, 1),
                reason: `valid until ${until}; followed by a new authorization (${input.reason})`,
                disposalDeadline: null,
                keyId: principal.keyId,
                recordedAt: now(),
                ...termsOf(standing),
              },
              tx,
            );
            await audited(tx, principal, 'brand.authorization', [closingId]);
          }
          // every earlier authorization has exited (a lapsed one just now): a new one starting before
          // the day the last exit was recorded would rewrite who was admitted on days already decided
          // (badges, misuse flags), the days an exit dated back, or a lapse, had left without a member
          const earlier = await deps.brands.authorizationsOf({ brandCode: code, partyCode: input.partyCode }, tx);
          const changes = await deps.brands.changesOf(
            earlier.map((row) => row.id),
            tx,
          );
          const endedOn = (row: AuthorizationRow) =>
            [
              row.stateSince,
              ...(changes.get(row.id) ?? []).filter((change) => change.toState === 'exited').map((change) => chinaDay(change.recordedAt)),
            ]
              .sort()
              .at(-1) as string;
          const earliest = earlier.map(endedOn).sort().at(-1);
          if (earliest !== undefined && input.validFrom < earliest) {
            throw conflict(
              `a new authorization of party ${input.partyCode} for brand ${code} cannot start before ${earliest}, the day its earlier authorization's end (an exit, or the close of a lapsed one) was recorded: the days before it are already decided`,
              [bodyField(['validFrom'], `must not be before ${earliest}`)],
            );
          }
          const cap = TIER_CAPS[input.tier];
          const taken = await deps.brands.countInTier(code, input.tier, today(), tx);
          if (taken >= cap) {
            throw conflict(
              `brand ${code} already has ${taken} ${TIER_NAMES[input.tier]} members, the most its "5 + 20 + N" matrix allows; exit one first or admit this party in another tier`,
              [bodyField(['tier'], `the ${input.tier} tier is full (${cap})`)],
            );
          }
          const id = randomUUID();
          const changeId = randomUUID();
          const inserted = await deps.brands.insertAuthorization(
            {
              id,
              brandCode: code,
              partyCode: input.partyCode,
              tier: input.tier,
              validFrom: input.validFrom,
              validUntil: input.validUntil ?? null,
              state: 'admitted',
              stateSince: input.validFrom,
              // none shown is stored as before evidence was kept, and its admission hashes as those did
              evidence: input.evidence?.length ? input.evidence : null,
              evidenceNote: input.evidenceNote ?? null,
            },
            {
              id: changeId,
              authorizationId: id,
              brandCode: code,
              partyCode: input.partyCode,
              fromState: null,
              toState: 'admitted',
              effectiveOn: input.validFrom,
              reason: input.reason,
              keyId: principal.keyId,
              recordedAt: now(),
              tier: input.tier,
              validFrom: input.validFrom,
              validUntil: input.validUntil ?? null,
            },
            tx,
          );
          await audited(tx, principal, 'brand.authorization', [changeId]);
          return inserted;
        });
        return (await authorizationView([row]))[0];
      } catch (error) {
        // a parallel admission of the same party won the unique index
        if (isUniqueViolation(error)) throw alreadyMember('admitted');
        throw error;
      }
    },

    /**
     * Suspends, reinstates or exits a member, effective on a day no earlier than its current state's;
     * a suspension or exit sets the day its brand-labelled stock must be disposed of by.
     */
    async changeState(
      principal: Principal,
      code: string,
      partyCode: string,
      input: { state: AuthorizationState; effectiveOn?: string; reason: string },
    ): Promise<Authorization> {
      const brand = await brandOrNotFound(code);
      requireBrandManager(principal, 'brands.manage', { code, ownerPartyCode: brand.partyCode });
      const effectiveOn = input.effectiveOn ?? today();
      if (effectiveOn > today()) {
        throw badRequest('a change takes effect today or on a past day, not in the future', [
          bodyField(['effectiveOn'], `must not be after ${today()}`),
        ]);
      }
      const row = await deps.transaction(async (tx) => {
        const current = await deps.brands.findStanding(code, partyCode, tx);
        if (!current) {
          await refuseUnadmitted(code, partyCode, tx);
          const exited = await deps.brands.authorizationsOf({ brandCode: code, partyCode }, tx);
          if (exited.length) throw conflict(`party ${partyCode}, brand ${code}: ${transitionRefusal('exited', input.state)}`);
          throw notFound(`party ${partyCode} holds no authorization for brand ${code}`);
        }
        // after its last day nothing of an authorization is in force: a change then would change nothing
        if (current.validUntil !== null && effectiveOn > current.validUntil) {
          throw conflict(
            `party ${partyCode}'s authorization for brand ${code} was valid until ${current.validUntil}; a change after that day is of no effect (a new admission is a new authorization)`,
            [bodyField(['effectiveOn'], `must not be after ${current.validUntil}`)],
          );
        }
        const refusal = transitionRefusal(current.state as AuthorizationState, input.state);
        if (refusal) throw conflict(`party ${partyCode}, brand ${code}: ${refusal}`);
        // an admission from a day still to come is changed from today: no change may be in the future,
        // and waiting for its first day would leave a mistaken one holding its place until then
        const earliest = [current.stateSince, today()].sort()[0]; // ISO dates sort as days do
        if (effectiveOn < earliest) {
          throw conflict(`the change cannot take effect before the current state (${current.state} since ${current.stateSince})`, [
            bodyField(['effectiveOn'], `must not be before ${earliest}`),
          ]);
        }
        const disposalDeadline = input.state === 'admitted' ? null : addDays(effectiveOn, disposalDays);
        const changeId = randomUUID();
        const changed = await deps.brands.recordChange(
          current.id,
          { state: input.state, stateSince: effectiveOn, disposalDeadline },
          {
            id: changeId,
            authorizationId: current.id,
            brandCode: code,
            partyCode,
            fromState: current.state,
            toState: input.state,
            effectiveOn,
            reason: input.reason,
            disposalDeadline,
            keyId: principal.keyId,
            recordedAt: now(),
            ...termsOf(current),
          },
          tx,
        );
        await audited(tx, principal, 'brand.authorization', [changeId]);
        return changed;
      });
      return (await authorizationView([row]))[0];
    },

    /** A brand's authorizations with their histories, as far as the principal may read them (see brandMemberFilter). */
    async authorizations(principal: Principal, code: string, partyCode?: string): Promise<Authorization[]> {
      const brand = await brandOrNotFound(code);
      const member = brandMemberFilter(principal, { ownerPartyCode: brand.partyCode }, partyCode);
      return authorizationView(await deps.brands.authorizationsOf({ brandCode: code, partyCode: member }), seesBrandOfficeKeys(principal));
    },

    /**
     * The certifications and licences a member declared on its approved application to join, and whether each
     * is valid today: read by those who oversee the brand. Any party that is no member now (never admitted,
     * exited, lapsed, or no party at all) is the same 404, so the read tells nothing of parties outside the brand.
     */
    async memberCredentials(principal: Principal, code: string, partyCode: string): Promise<MemberCredentials> {
      await overseenBrand(deps.brands, principal, code, "members' certifications and licences");
      const day = today();
      const member = (await deps.brands.authorizationsOf({ brandCode: code, partyCode })).some(
        (row) => row.state !== 'exited' && !expired(row, day),
      );
      if (!member) throw notFound(`party ${partyCode} is no member of brand ${code}`);
      // each credential once, should the party's approved applications declare it more than once
      const declared = new Map<string, MemberCredentials['items'][number]>();
      for (const { category, type, number, validFrom, validUntil } of await deps.registrations.declaredCredentials({ partyCode })) {
        const key = JSON.stringify([category, type, number, validFrom, validUntil]);
        if (declared.has(key)) continue;
        declared.set(key, {
          category,
          type,
          number,
          ...(validFrom === null ? {} : { validFrom }),
          validUntil,
          held: (validFrom ?? day) <= day && day <= validUntil,
        });
      }
      return { partyCode, items: [...declared.values()] };
    },

    /**
     * Members suspended or exited with a disposal deadline: what they still hold of the brand's
     * products now, and whether the deadline has passed with stock left.
     */
    async disposals(principal: Principal, code: string) {
      const brand = await brandOrNotFound(code);
      requireBrandManager(principal, 'brands.disposals', { code, ownerPartyCode: brand.partyCode });
      // a member's current authorization: the standing one, else its last (exited) one; an earlier
      // exit's deadline no longer binds a party admitted again, or suspended or exited since
      const current = new Map<string, AuthorizationRow>();
      for (const row of await deps.brands.authorizationsOf({ brandCode: code })) {
        const kept = current.get(row.partyCode);
        if (!kept || (kept.state === 'exited' && (row.state !== 'exited' || row.stateSince >= kept.stateSince)))
          current.set(row.partyCode, row);
      }
      const rows = [...current.values()].filter((row) => row.disposalDeadline !== null);
      const partyCodes = [...new Set(rows.map((row) => row.partyCode))];
      const [stock, parties] = await Promise.all([deps.brands.onHand(code, partyCodes), deps.parties.findByCodes(partyCodes)]);
      const names = new Map(parties.map((party) => [party.code, party.name]));
      const day = today();
      return rows.map((row) => {
        const onHand = stock.filter((line) => line.partyCode === row.partyCode && line.quantity !== 0);
        const left = onHand.reduce((sum, line) => sum + Math.max(line.quantity, 0), 0);
        const status = disposalStatus(left, row.disposalDeadline as string, day);
        return {
          partyCode: row.partyCode,
          partyName: names.get(row.partyCode) ?? row.partyCode,
          // as the members list shows it: a suspension that ran past the last day is expired, its deadline kept
          ...(expired(row, day)
            ? { state: 'expired' as const, since: addDays(row.validUntil as string, 1) }
            : { state: row.state as 'suspended' | 'exited', since: row.stateSince }),
          deadline: row.disposalDeadline as string,
          onHand: onHand.map(({ quantity, unit }) => ({ quantity, unit })),
          status,
          overdue: status === 'overdue',
        };
      });
    },

    /**
     * The brand's report over a period (its office's, regulators' and admins': overseenBrand), as of its last day, or
     * today while it has not ended (asOf): every party that was a member during it (admitted on any of its days by
     * then: admittedWithin), with its state as of that day and the lots it produced in the period that carried the
     * brand's badge then, as the consumer page shows it (badgesOf: held to the brand, their owner not exited by
     * then), none if it made none; with each lot its quantity, the item codes issued for it within the period and
     * their scans within it (reportLots), and the totals. A suspended member's lots made while it stood admitted
     * keep the badge; those made while suspended have none, nor have any lots of a member that had exited by then.
     */
    async report(principal: Principal, code: string, period: { from: string; to: string }) {
      const brand = await overseenBrand(deps.brands, principal, code, 'report');
      const refusal = periodRefusal(period.from, period.to);
      if (refusal) throw unprocessable('invalid-period', `querystring ${refusal.pointer}: ${refusal.detail}`, [refusal]);
      const day = today();
      const ended = period.to < day;
      const asOf = ended ? period.to : day;
      const [candidates, authorizations] = await Promise.all([
        deps.brands.reportLots(brand.code, period.from, period.to),
        deps.brands.authorizationsOf({ brandCode: brand.code }),
      ]);
      const standings = new Map<string, Promise<BrandStanding[]>>();
      const standingsOf = (lot: { partyCode: string; productCode: string }) => {
        const key = `${lot.partyCode}\n${lot.productCode}`;
        if (!standings.has(key)) standings.set(key, this.standingsOfLot(lot));
        return standings.get(key) as Promise<BrandStanding[]>;
      };
      const badged = [];
      for (const lot of candidates) {
        const making = makingOf(lot);
        const badges = badgesOf(await standingsOf(lot), making, asOf);
        if (badges.some((badge) => badge.code === brand.code)) badged.push({ ...lot, producedOn: making.producedOn });
      }
      const changes = await deps.brands.changesOf(authorizations.map((row) => row.id));
      const histories = new Map<string, AuthorizationHistory[]>();
      for (const row of authorizations) {
        histories.set(row.partyCode, [...(histories.get(row.partyCode) ?? []), historyOf({ ...row, changes: changes.get(row.id) ?? [] })]);
      }
      // a party with a badged lot was admitted when it made it: listed however admittedWithin reads its day
      const partyCodes = [
        ...new Set([
          ...[...histories]
            .filter(([, partyHistories]) => admittedWithin(partyHistories, period.from, asOf))
            .map(([partyCode]) => partyCode),
          ...badged.map((lot) => lot.partyCode),
        ]),
      ].sort();
      const parties = await deps.parties.findByCodes(partyCodes);
      const names = new Map(parties.map((party) => [party.code, party.name]));
      const members = membersOf(
        badged,
        new Map(
          partyCodes.flatMap((partyCode) => {
            const state = memberStateOn(histories.get(partyCode) ?? [], asOf);
            return state === null ? [] : [[partyCode, { partyName: names.get(partyCode) ?? partyCode, state }] as const];
          }),
        ),
      );
      return {
        brandCode: brand.code,
        from: period.from,
        to: period.to,
        asOf,
        members,
        totals: { members: members.length, ...totalsOf(badged) },
      };
    },

    /** The brands covering a lot's product, with its owner's authorization histories for each. */
    async standingsOfLot(lot: { partyCode: string; productCode: string | null }): Promise<BrandStanding[]> {
      if (!lot.productCode) return [];
      const standings = await deps.brands.standingsFor(lot.partyCode, lot.productCode);
      return standings.map(({ brand, addedAt, authorizations }) => ({
        brand: { code: brand.code, kind: brand.kind as BrandKind, nameZh: brand.nameZh, nameEn: brand.nameEn },
        authorizations: authorizations.map(historyOf),
        coveredSince: addedAt?.toISOString() ?? null,
      }));
    },

    /** The certifications the lot's owner held when it made the lot (see earnedMarks). */
    certificationsWhenMade(lot: { partyCode: string }, making: LotMaking): Promise<string[]> {
      return deps.brands.certificationsHeld(lot.partyCode, making.producedOn);
    },

    /**
     * Item codes of a branded product carry the brand: only a party admitted to every brand covering
     * it today may issue them, and only for a lot it made while admitted (see labelRefusals). Throws
     * 403 naming each brand that refuses them, and why.
     */
    async requireLabelRight(lot: {
      code: string;
      partyCode: string;
      productCode: string | null;
      productionDate: string | null;
      createdAt: Date;
    }): Promise<void> {
      const refusal = this.labelRightRefusal(lot, makingOf(lot), await this.standingsOfLot(lot));
      if (refusal) throw refusal;
    },

    /** What requireLabelRight throws, or null, from standings read elsewhere (each batch of a code job reads them with its lot). */
    labelRightRefusal(lot: { code: string; partyCode: string }, making: LotMaking, standings: readonly BrandStanding[]) {
      const refused = labelRefusals(standings, making, today());
      if (refused.length === 0) return null;
      return new Problem(
        403,
        'brand-not-admitted',
        'Not admitted to the brand',
        `party ${lot.partyCode} may not issue item codes for lot ${lot.code}: it is not admitted to the brand covering its product, today or when the lot was made — ${refused.join('; ')}`,
      );
    },
  };
}

export type BrandService = ReturnType<typeof createBrandService>;
