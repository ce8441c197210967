import { createHash } from 'node:crypto';
import type { Principal } from '../access/index.js';
import type { BrandService } from '../brands/service.js';
import { type BrandStanding, badgesOf, type LotMaking, makingOf, misuseFindings } from '../brands/standing.js';
import { chinaDay } from '../codes/timestamp.js';
import { uuidV7 } from '../codes/uuid-v7.js';
import { badRequest, notFound } from '../errors/problem.js';
import type { EventsRepository } from '../events/repository.js';
import { buildDigitalLink, type DigitalLink } from '../gs1/digital-link.js';
import { GS1_DL_HOST } from '../gs1/epc-uri.js';
import { atCodeParam, digitalLinkIdentifier } from '../identifiers/parse.js';
import type { IdentifierService } from '../identifiers/service.js';
import type { ItemsRepository, ScannedItem } from '../items/repository.js';
import type { LineageRepository } from '../lineage/repository.js';
import type { LotsRepository } from '../lots/repository.js';
import type { PendingCounts } from '../scans/buffer.js';
import { DEFAULT_FLAG_POLICY, type FlagPolicy, marksCounterfeit, misuseFlag, scanFlags } from '../scans/flags.js';
import type { ScanService } from '../scans/service.js';
import type { Trace } from '../trace/schemas.js';
import type { TraceService } from '../trace/service.js';
import { containerReadings } from './container-readings.js';
import { type LotSummary, lotSummary, type PackFacts } from './summary.js';

/** The resolver reads the whole chain on the consumer's behalf; the summary strips commercial data. */
const RESOLVER: Principal = { keyId: 'resolver', role: 'regulator', partyCode: null };
const TRACE_CACHE_MS = 30_000;
const TRACE_CACHE_SIZE = 2_000;
/** How many containers deep a lot's cold-chain readings are looked for: a pack in a case on a pallet in a reefer. */
const CONTAINER_LEVELS = 3;

export type ScanContext = {
  record: boolean;
  /**
   * Count the scan when the code names nothing, though `record` is false: a linkType's redirect target counts
   * a known code's scan, but an unknown code has no link to redirect to.
   */
  recordUnknown?: boolean;
  region: string | null;
  ip: string;
  userAgent: string | null;
};
/** What a code resolves to: its lot's shared summary and the scanned pack's own facts. */
export type Resolved = {
  kind: 'item' | 'lot' | 'container';
  code: string;
  lot: LotSummary;
  pack: PackFacts;
  /** The producer's credit grade, when the consumer page shows it and the producer has one. */
  producerGrade: string | null;
};

/** What a cached lot view is keyed by besides the lot: see lotView. */
type LotState = { status: string; onHold: boolean; changes: string };

/**
 * A lot as every pack of it shows alike: its backward trace, the readings of the containers it lay in
 * (see containerReadingsOf), the lots of it with a failed test that still stands, and the brands
 * covering its product with its owner's standing.
 */
export type LotView = {
  trace: Trace;
  containerReadings: Trace['events'];
  failedLots: ReadonlySet<string>;
  standings: BrandStanding[];
  making: LotMaking;
  /** The certifications the lot's owner held when it made the lot (see earnedMarks). */
  certifications: string[];
};

/**
 * A scanned code that names no pack: the lot and maker its flag names (a pack's code presented where it is not that
 * pack's), what the flag says, and how the not-genuine answer names the code where not as the resolver read it.
 */
type Misread = { lotCode: string | null; partyCode: string | null; detail: string; shownAs?: string };

const NEVER_ISSUED = 'a well-formed code that was never issued';

/** A pack of a lot whose making was declared in error: flagged with the lot and its maker. */
const voidedPack = (pack: ScannedItem): Misread => ({
  lotCode: pack.lotCode,
  partyCode: pack.partyCode,
  detail: `a code issued for lot ${pack.lotCode}, whose making was declared in error`,
});

/** Why a (414) or (8003) Digital Link names nothing here. */
export const UNRESOLVED_KEY = 'only GTIN (01) and SSCC (00) keys resolve here';

export class NotGenuineError extends Error {
  override name = 'NotGenuineError';
  constructor(readonly code: string) {
    super(`code ${code} is not registered: it may not be genuine`);
  }
}

/**
 * A GTIN alone (`/01/{gtin}`, a product's barcode or QR) names a registered product but no lot or pack: there is no
 * chain to show, no scan to count and nothing to flag. `makerName` is the product owner's name, as the consumer page
 * names a lot's producer.
 */
export class RegisteredProductError extends Error {
  override name = 'RegisteredProductError';
  constructor(
    readonly gtin: string,
    readonly productName: string,
    readonly makerName: string | null,
  ) {
    super(`GTIN ${gtin} is registered (${productName}); scan a code with a lot or serial for its chain`);
  }
}

/** What a lot's view is read from (see readLotView): the resolver's own dependencies. */
type LotViewSources = {
  failures: Pick<EventsRepository, 'standingFailedLots'>;
  containers: Pick<LineageRepository, 'packingLinksAbove'>;
  lots: Pick<LotsRepository, 'findByCodes'>;
  trace: Pick<TraceService, 'trace'>;
  brands: Pick<BrandService, 'standingsOfLot' | 'certificationsWhenMade'>;
};

/**
 * A lot's view read afresh: what the resolver reads on a miss of its cache of views (see lotView in
 * createResolverService), its backward trace alongside the readings of the containers it lay in.
 */
export async function readLotView(deps: LotViewSources, lotCode: string): Promise<LotView> {
  const [trace, containerReadings, [lot]] = await Promise.all([
    deps.trace.trace(RESOLVER, lotCode, 'backward', 30),
    containerReadingsOf(deps, lotCode),
    deps.lots.findByCodes([lotCode]),
  ]);
  // a lot recorded without a production date was produced when it was recorded
  const making = makingOf(lot);
  const [failedLots, standings, certifications] = await Promise.all([
    deps.failures.standingFailedLots(trace.nodes.map((node) => node.code)),
    deps.brands.standingsOfLot(lot),
    deps.brands.certificationsWhenMade(lot, making),
  ]);
  return { trace, containerReadings, failedLots, standings, making, certifications };
}

/**
 * The lot's shared summary as a scan at `at` shows it, with the brand badges its production day earned
 * (and no exit has withdrawn): built once per view and day (lotSummary).
 */
export function summaryOfView(lotCode: string, view: LotView, at: Date): LotSummary {
  return lotSummary({
    lotCode,
    trace: view.trace,
    containerReadings: view.containerReadings,
    failedLots: view.failedLots,
    // expiry dates are China's calendar days, not UTC's
    today: chinaDay(at),
    brands: badgesOf(view.standings, view.making, chinaDay(at)),
    certifications: view.certifications,
  });
}

/**
 * Cold-chain readings are often taken on the pallet or case the lot travelled in (downstream of it): those taken
 * while the lot lay in it, by its owner or the container's holder then, count (containerReadings), not a pallet's
 * after it was emptied. The forward trace's nodes name who made the lot and each container; when the lot lay in
 * each is read from the packing links as the ledger ended them, beside the trace (one statement, run alongside).
 * Such an observation counts whatever else it names (a lot unpacked from the case lying loose beside the pallet).
 */
async function containerReadingsOf(deps: LotViewSources, lotCode: string): Promise<Trace['events']> {
  const [forward, links] = await Promise.all([
    deps.trace.trace(RESOLVER, lotCode, 'forward', CONTAINER_LEVELS),
    deps.containers.packingLinksAbove(lotCode, CONTAINER_LEVELS),
  ]);
  const makers = new Map(forward.nodes.map((node) => [node.code, node.partyCode]));
  return containerReadings(forward.events, links, lotCode, makers, CONTAINER_LEVELS);
}

export function createResolverService(deps: {
  items: Pick<ItemsRepository, 'findItem'>;
  /** Which lots of a chain have a failed test that still stands (the anomalies' rule, standingFailure). */
  failures: Pick<EventsRepository, 'standingFailedLots'>;
  /**
   * Whether the containers a pack or case lies in hold, recall or destroyed it, and whether a lot a case holds is on hold:
   * the walk up the packings the event writer locks by; and the packing links a lot's cold chain reads.
   */
  containers: Pick<LineageRepository, 'containersState' | 'packingLinksAbove'>;
  scans: Pick<ScanService, 'record' | 'beginRead' | 'raiseFlag' | 'scannedRecentlyBy' | 'scannersOf'>;
  lots: Pick<LotsRepository, 'findByCodes' | 'pageChanges'>;
  identifiers: Pick<IdentifierService, 'parse' | 'find'>;
  trace: Pick<TraceService, 'trace'>;
  brands: Pick<BrandService, 'standingsOfLot' | 'certificationsWhenMade'>;
  ipSalt: string;
  policy?: FlagPolicy;
  now?: () => Date;
  /** The lot owner's last stored credit grade; given only when the consumer page shows it. */
  producerGrade?: (partyCode: string) => Promise<string | null>;
  /** A party's name, for the maker of a product scanned by its GTIN alone; without it the maker is not named. */
  partyName?: (partyCode: string) => Promise<string | null>;
}) {
  const now = deps.now ?? (() => new Date());
  const producerGrade = (partyCode: string) => deps.producerGrade?.(partyCode) ?? Promise.resolve(null);
  const policy = deps.policy ?? DEFAULT_FLAG_POLICY;
  // The lot's chain changes rarely and every pack of a lot shares it; the key carries what the page
  // shows that changes without the chain (status, hold, tests, brand standing, the recalls that reached
  // it), so a recall (a further one of a recalled lot too), a hold or a failed test shows on the very next scan. A failed test (or its re-test) of another lot of the
  // chain shows when the view is read again; the containers a pack lies in are its own, read per scan.
  // Entries hold the promise, so concurrent scans of a lot whose entry expired share one computation.
  const views = new Map<string, { at: number; view: Promise<LotView> }>();

  function lotView(lotCode: string, state: LotState): Promise<LotView> {
    const key = `${lotCode}:${state.status}:${state.onHold}:${state.changes}`;
    const cached = views.get(key);
    if (cached && now().getTime() - cached.at < TRACE_CACHE_MS) return cached.view;
    const view = readLotView(deps, lotCode);
    view.then(
      // a hold, its release or a recall that came between reading the key and reading the trace: the
      // view is not what the key says, and a release could bring the key back while it is still kept
      ({ trace }) => {
        const start = trace.nodes.find((node) => node.depth === 0);
        if (start?.status !== state.status || start.onHold !== state.onHold) views.delete(key);
      },
      () => views.delete(key),
    );
    if (views.size >= TRACE_CACHE_SIZE) views.delete(views.keys().next().value as string);
    views.set(key, { at: now().getTime(), view });
    return view;
  }

  /** The lot's shared summary (see summaryOfView). */
  const summaryOf = (lotCode: string, view: LotView) => summaryOfView(lotCode, view, now());

  /**
   * Whether the container a pack or container lies in, or any container that one lies in, is on hold,
   * recalled or destroyed, and of a container whether a lot it holds now is on hold: read on every scan,
   * as the pack's own lot state is, since it is the pack's alone. A pack's own container counts with those
   * it lies in; a container scanned shows its own state as its lot's. A container's recall is the pack's
   * only when the recall named the container itself: a recall of a lot marks the containers it lies in
   * too, not what else they hold (the pack's own lot recalled shows as the lot's warning).
   */
  const containerState = (code: string, kind: 'pack' | 'container'): Promise<PackFacts['container']> =>
    deps.containers.containersState(code, kind);

  const hashIp = (ip: string) => createHash('sha256').update(`${deps.ipSalt}:${ip}`).digest('hex').slice(0, 32);
  /**
   * Who a scan is the same scan by, within the repeat window: the client's address alone (its salted hash, as ip_hash
   * holds it). One shopper opening a pack's page in a messenger and then in the phone's browser sends two user agents
   * from one address, and is one scan. Instances before this one stored the hash of the address and the user agent: in
   * a rolling restart a client's scan stored by one kind of instance is not recognised by the other, so one client may
   * count once more, at most, within one window (no migration: the rows are forgotten an hour later, FORGOTTEN_AFTER_MS).
   */
  const hashClient = (context: ScanContext) => hashIp(context.ip);

  /**
   * A pack's scan (`code` its trace code), or, with `misread`, the scan of a code that names no pack (`code` as the
   * resolver read it): counted and flagged as an unknown code's, its flag reading as `misread` says.
   */
  async function resolveItem(code: string, context: ScanContext, misread?: Misread): Promise<Resolved> {
    const client = hashClient(context);
    // A batch of scans may be stored while the pack's counts are read, and its commit seen by the
    // read before this process sees its write end: the counts read and the scans kept in memory are
    // told apart by the read's snapshot, so each scan counts once (and the one before this, for
    // impossible travel, is where it is). The read is closed once that is told, before any flag is
    // written: while it is open, stored batches stay in memory. A scan is counted only once the pack's
    // lot could be shown, so that a failed request counts nothing and raises its flags when retried.
    const read = deps.scans.beginRead();
    let found: ScannedItem | undefined;
    let view: LotView | undefined;
    let grade: Awaited<ReturnType<typeof producerGrade>> | null;
    let scan: { at: Date; ipHash: string } | null = null;
    let pending: PendingCounts | undefined;
    let record = context.record;
    try {
      let repeated: boolean;
      [found, repeated] = await Promise.all([
        misread ? undefined : deps.items.findItem(code),
        context.record && !misread ? deps.scans.scannedRecentlyBy(code, client, 'item') : false,
      ]);
      // a pack of a lot whose making was declared in error names nothing: not genuine
      if (found?.lotVoided) [misread, found] = [voidedPack(found), undefined];
      if (!found) {
        // a code that names nothing counts by the code as read, once per client within the window as a pack's
        // does: a reload raises no flag again
        record ||= context.recordUnknown === true;
        repeated = record && (await deps.scans.scannedRecentlyBy(code, client, 'unknown'));
      }
      [view, grade] = await Promise.all([
        found ? lotView(found.lotCode, { status: found.lotStatus, onHold: found.lotOnHold, changes: found.lotPageChanges }) : undefined,
        found ? producerGrade(found.partyCode) : null,
      ]);
      // a reload or re-opened page within the window is the same scan: shown, not counted again
      if (record && !repeated) scan = recordScan(code, found && { ...found, itemCode: found.code }, context, client);
      // what this process counted that the stored counts do not include, this scan among them
      pending = found && read.pendingFor(found.code, found.snapshot);
    } finally {
      read.close();
    }
    const containers = found?.containerCode && view ? containerState(found.containerCode, 'pack') : Promise.resolve(undefined);
    const [item, container] = await Promise.all([
      scan ? flagScan(code, found, view, context, scan, pending, containers, misread) : withPending(found, pending),
      containers,
    ]);
    if (!item || !view) throw new NotGenuineError(misread?.shownAs ?? code);
    return {
      kind: 'item',
      code,
      lot: summaryOf(item.lotCode, view),
      pack: {
        code,
        scans: { count: item.scanCount, firstScannedAt: item.firstScannedAt },
        // a recalled or destroyed lot's scan or a misused brand is no copied code, and says nothing once the lot is active again
        flagged: item.flagKinds.some(marksCounterfeit),
        container,
      },
      producerGrade: grade,
    };
  }

  /** The item as this process knows it: stored counts plus the scans they do not include yet. */
  function withPending(item: ScannedItem | undefined, pending: PendingCounts | undefined): ScannedItem | undefined {
    if (!item || !pending) return item;
    return { ...item, scanCount: item.scanCount + pending.count, firstScannedAt: item.firstScannedAt ?? pending.firstAt };
  }

  /**
   * Counts the scan (in the buffer, stored with its batch): of a pack, of a lot or case by its own label, or of
   * nothing known. Null when the same client's scan of the code came first, in a request answered meanwhile.
   */
  function recordScan(
    code: string,
    named: { itemCode: string | null; lotCode: string; partyCode: string } | undefined,
    context: ScanContext,
    client: string,
  ): { at: Date; ipHash: string } | null {
    const at = now();
    const ipHash = hashIp(context.ip);
    const counted = deps.scans.record({
      id: uuidV7(at),
      code,
      itemCode: named?.itemCode ?? null,
      lotCode: named?.lotCode ?? null,
      partyCode: named?.partyCode ?? null,
      at,
      region: context.region,
      ipHash,
      userAgent: context.userAgent,
      clientHash: client,
    });
    return counted ? { at, ipHash } : null;
  }

  /**
   * Raises any counterfeit or brand misuse flags a counted scan shows; unknown codes are flagged too.
   * `containers`: the state of the containers the pack lies in, read meanwhile: a destroyed one ended the
   * pack as its lot's destruction would.
   */
  async function flagScan(
    code: string,
    item: ScannedItem | undefined,
    view: LotView | undefined,
    context: ScanContext,
    { at, ipHash }: { at: Date; ipHash: string },
    pending: PendingCounts | undefined,
    containers: Promise<PackFacts['container']>,
    misread?: Misread,
  ): Promise<ScannedItem | undefined> {
    if (!item || !view) {
      await deps.scans.raiseFlag({
        code,
        kind: 'unknown_code',
        lotCode: misread?.lotCode ?? null,
        partyCode: misread?.partyCode ?? null,
        detail: misread?.detail ?? NEVER_ISSUED,
        at,
      });
      return undefined;
    }
    // this scan is among the pending ones
    const counted = pending as PendingCounts;
    // where the latest scan before this one that had a region was, and when that scan was: a scan
    // with no region in between moves neither. Another instance may have stored a later one than
    // this process's own pending scans: the later of the two is the one before.
    const stored = { region: item.lastRegion, at: item.lastRegionAt, ipHash: item.lastRegionIpHash };
    const local = counted.regionBefore;
    const earlier = local && !(stored.region && stored.at && stored.at > local.at) ? local : stored;
    const scanCount = item.scanCount + counted.count;
    const container = await containers;
    const misuse = misuseFindings(view.standings, {
      ...view.making,
      issuedOn: chinaDay(item.issuedAt),
      issuedAt: item.issuedAt.toISOString(),
    });
    const raised = [
      ...scanFlags(
        {
          scanners: await scannersOf(item.code, scanCount, counted.addresses, item.overScanCleared),
          region: context.region,
          ipHash,
          previousRegion: earlier.region,
          previousScanAt: earlier.at,
          previousIpHash: earlier.ipHash,
          at,
          lotStatus: item.lotStatus,
          containerDestroyed: container?.destroyed,
        },
        policy,
      ),
      // every brand's finding in one occurrence: raised one by one, the flag would keep the last, and a dismissal
      // of it reopen on the next scan's other finding
      ...(misuse.length ? [{ kind: 'brand_misuse' as const, ...misuseFlag(misuse) }] : []),
    ];
    // a flag that stays dismissed (this scan shows nothing new) does not mark the pack
    const open: string[] = [];
    for (const flag of raised) {
      if (await deps.scans.raiseFlag({ code, lotCode: item.lotCode, partyCode: item.partyCode, ...flag, at })) open.push(flag.kind);
    }
    return {
      ...item,
      scanCount,
      firstScannedAt: item.firstScannedAt ?? counted.firstAt,
      flagKinds: [...item.flagKinds, ...open],
    };
  }

  /**
   * How many addresses scanned a pack, up to one more than the over-scanned threshold (or, its over-scan dismissed, up
   * to twice the addresses `cleared`): those of its stored scans and
   * of the ones this process holds (this scan's among them; a batch stored meanwhile is in both, and counts once).
   * No more addresses than scans: a pack scanned no more times than the threshold is not asked for.
   */
  async function scannersOf(itemCode: string, scanCount: number, pending: ReadonlySet<string>, cleared: number | null): Promise<number> {
    if (scanCount <= policy.overScanThreshold) return scanCount;
    // a dismissed over-scan reopens at twice the addresses it cleared (reopensDismissed): counted up to there
    const stored = await deps.scans.scannersOf(itemCode, Math.max(policy.overScanThreshold + 1, 2 * (cleared ?? 0)));
    return new Set([...stored, ...pending]).size;
  }

  /**
   * Brand misuse on a counted scan of a lot's label: a serial captured through EPCIS names a pack as an item code
   * does (its lot, made as the serial was commissioned, is its issue), flagged as a pack's code is; a lot's own label
   * (no `serial`) is judged by its making alone, and flagged by the lot's code, one flag per lot whichever of its
   * labels was scanned (misuseFindings).
   */
  async function flagLabelMisuse(lotCode: string, partyCode: string, view: LotView, serial?: string): Promise<void> {
    const { making } = view;
    const misuse = misuseFindings(
      view.standings,
      serial === undefined ? making : { ...making, issuedOn: chinaDay(new Date(making.recordedAt)), issuedAt: making.recordedAt },
    );
    if (misuse.length === 0) return;
    await deps.scans.raiseFlag({ code: serial ?? lotCode, kind: 'brand_misuse', lotCode, partyCode, ...misuseFlag(misuse), at: now() });
  }

  /**
   * A lot or case scanned by its own label (a Digital Link with a batch, an SSCC): a scan like a pack's
   * for the figures (once per client within the repeat window), though it shows no count and raises no
   * counterfeit flag: the code is on every pack of the lot, or on a case many shoppers may scan. Brand misuse it
   * flags as a pack's scan does (flagLabelMisuse).
   */
  async function resolveLot(lotCode: string, kind: 'lot' | 'container', context: ScanContext, serial?: string): Promise<Resolved> {
    const client = hashClient(context);
    // open until the scan is counted: a scan by this client stored meanwhile, after the check for one, is still held
    const read = deps.scans.beginRead();
    const shown = async () => {
      const [[lot], changes, repeated] = await Promise.all([
        deps.lots.findByCodes([lotCode]),
        deps.lots.pageChanges(lotCode),
        context.record ? deps.scans.scannedRecentlyBy(lotCode, client, 'lot') : false,
      ]);
      const [view, grade] = await Promise.all([
        lotView(lotCode, { status: lot.status, onHold: lot.hold !== null, changes }),
        producerGrade(lot.partyCode),
      ]);
      // counted once its page could be shown, as a pack's scan is
      const counted = context.record && !repeated;
      if (counted) recordScan(lotCode, { itemCode: null, lotCode, partyCode: lot.partyCode }, context, client);
      return { view, grade, counted, partyCode: lot.partyCode };
    };
    const { view, grade, counted, partyCode } = await shown().finally(() => read.close());
    if (counted) await flagLabelMisuse(lotCode, partyCode, view, serial);
    // a case on a held or recalled pallet; a lot is not one pack, and lies in no one container
    const container = kind === 'container' ? await containerState(lotCode, 'container') : undefined;
    return {
      kind,
      code: lotCode,
      lot: summaryOf(lotCode, view),
      pack: { code: lotCode, scans: { count: 0, firstScannedAt: null }, flagged: false, container },
      producerGrade: grade,
    };
  }

  function traceCode(raw: string): string {
    const id = deps.identifiers.parse(raw, atCodeParam);
    if (id.kind !== 'item') {
      const detail = `${raw} is not a trace code (11 characters with a check character)`;
      throw badRequest(detail, [atCodeParam(detail)]);
    }
    return id.code;
  }

  return {
    /** A short trace code from a label (`/t/{code}`). */
    async resolveCode(raw: string, context: ScanContext): Promise<Resolved> {
      return resolveItem(traceCode(raw), context);
    },

    /** A short trace code as typed or scanned, as issued (upper case); a 400 when it is no trace code or mistyped. */
    traceCode,

    /** A GS1 Digital Link: GTIN [+ lot] [+ serial] or GTIN + (235), or an SSCC. */
    async resolveDigitalLink(link: DigitalLink, context: ScanContext): Promise<Resolved> {
      // (235) extensions are never issued here: the link names no pack, however genuine its GTIN or the code written
      // there, and is counted and flagged as a serial never issued is
      if (link.gtin !== undefined && link.tpx !== undefined) {
        const read = buildDigitalLink(GS1_DL_HOST, { gtin: link.gtin, tpx: link.tpx });
        return resolveItem(read, context, {
          lotCode: null,
          partyCode: null,
          detail: NEVER_ISSUED,
          shownAs: `${link.gtin}/235/${link.tpx}`,
        });
      }
      const id = digitalLinkIdentifier(link);
      if (!id) throw notFound(UNRESOLVED_KEY);
      const named = await deps.identifiers.find(id);
      const written = [link.sscc ?? link.gtin, link.lot, link.serial].filter(Boolean).join('/');
      if (!named) {
        // a lot or product link names no pack: nothing scanned to count or flag
        if (id.kind !== 'gtin' || id.serial === undefined) throw new NotGenuineError(written);
        const pack = await deps.items.findItem(id.serial);
        // a pack of a lot whose making was declared in error names nothing, but its scan is flagged
        // with the lot and its maker, as at /t/{code}
        if (pack?.lotVoided) return resolveItem(id.serial, context);
        // a serial never issued, or a pack's presented under another product or lot (a copied code), is the scan of
        // a code that names nothing, as at /t/{code}: counted and flagged by the link as read, on GS1's host with its
        // lot kept (the canonical URI leaves it out, and would name the pack's own link)
        const detail = pack
          ? `pack ${pack.code} of lot ${pack.lotCode} presented under GTIN ${id.gtin}${id.cpv === undefined ? '' : ` variant ${id.cpv}`}${id.lot === undefined ? '' : ` and lot ${id.lot}`}, not its own product and lot`
          : NEVER_ISSUED;
        const read = buildDigitalLink(GS1_DL_HOST, { gtin: id.gtin, cpv: link.cpv, lot: id.lot, serial: id.serial });
        return resolveItem(read, context, {
          lotCode: pack?.lotCode ?? null,
          partyCode: pack?.partyCode ?? null,
          detail,
          shownAs: written,
        });
      }
      if (named.kind === 'product') {
        throw new RegisteredProductError(link.gtin as string, named.productName, (await deps.partyName?.(named.partyCode)) ?? null);
      }
      if (named.kind === 'item') return resolveItem(named.itemCode, context);
      return resolveLot(named.lotCode, named.kind, context, id.kind === 'gtin' && id.serial !== undefined ? id.uri : undefined);
    },
  };
}

export type ResolverService = ReturnType<typeof createResolverService>;
