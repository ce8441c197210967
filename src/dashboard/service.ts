import { createHash, randomBytes } from 'node:crypto';
import { hasGrant, type Principal, type Role, requireRole } from '../access/index.js';
import type { ApiKeyService } from '../auth/service.js';
import type { Scope } from '../figures/repository.js';
import type { PassRateRegionParty } from '../figures/schemas.js';
import type { FiguresService } from '../figures/service.js';
import type { RecallService } from '../recalls/service.js';
import type { KdeSort } from '../trace/kde.js';
import type { DashboardRepository } from './repository.js';

export const SESSION_HOURS = 8;
/** Open recalls the dashboard's panel draws; it says how many there are, and links to them all when there are more. */
const RECALLS_SHOWN = 20;
const RECALLS_PER_PAGE = 100;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function createDashboardService(deps: {
  dashboard: Pick<
    DashboardRepository,
    'insertSession' | 'findSession' | 'deleteSession' | 'flagsByKind' | 'recentFlags' | 'complaintsByStatus'
  >;
  authenticate: ApiKeyService['authenticate'];
  figures: Pick<FiguresService, 'passRates' | 'traceability' | 'activity' | 'anomalyCounts' | 'gapCount' | 'exportAll' | 'knownRegion'>;
  recalls: Pick<RecallService, 'list' | 'count' | 'finalReport'>;
  now: () => Date;
}) {
  return {
    /**
     * Signs in with a regulator key: a random session token for the cookie, of which only the hash
     * is stored. Throws 401 for an unknown key and 403 for any other role's, an admin's too.
     */
    async login(key: string): Promise<{ token: string; expiresAt: Date }> {
      const principal = await deps.authenticate(`Bearer ${key.trim()}`);
      requireRole(principal, 'dashboard.session');
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(deps.now().getTime() + SESSION_HOURS * 3_600_000);
      await deps.dashboard.insertSession({ tokenHash: hashToken(token), keyId: principal.keyId, expiresAt });
      return { token, expiresAt };
    },

    /**
     * The principal of a live session, or null (no cookie, expired, its key revoked, or a key that may
     * no longer sign in: an admin's session begun before admins were refused).
     */
    async principal(token: string | undefined): Promise<Principal | null> {
      if (!token) return null;
      const session = await deps.dashboard.findSession(hashToken(token), deps.now());
      if (!session) return null;
      const principal = { keyId: session.keyId, role: session.role as Role, partyCode: session.partyCode };
      return hasGrant(principal, 'dashboard.session') ? principal : null;
    },

    async logout(token: string | undefined): Promise<void> {
      if (token) await deps.dashboard.deleteSession(hashToken(token), deps.now());
    },

    /**
     * The key data elements of the events of the period and region (GET /regulator/events as CSV),
     * for the page's export link: a browser follows it with the session cookie, not an API key.
     */
    events(principal: Principal, scope: Scope, sort: KdeSort) {
      return deps.figures.exportAll(principal, scope, sort);
    },

    /** Everything the dashboard shows, for one period and region; its pass rates by the region of `regionOf` (see passRates). */
    async view(principal: Principal, scope: Scope, regionOf: PassRateRegionParty = 'owner') {
      requireRole(principal, 'figures.read');
      // one check before the panels read, not one problem from each
      await deps.figures.knownRegion(scope.region);
      const [passRates, coverage, coverageByEnterprise, activity, anomalies, gaps, flags, recentFlags, complaints, recalls, openRecalls] =
        await Promise.all([
          deps.figures.passRates(principal, scope, regionOf),
          deps.figures.traceability(principal, scope, 'township'),
          deps.figures.traceability(principal, scope, 'enterprise'),
          deps.figures.activity(principal, scope),
          deps.figures.anomalyCounts(principal, { region: scope.region, shipmentDays: 3 }),
          deps.figures.gapCount(principal, { region: scope.region }),
          deps.dashboard.flagsByKind(scope),
          deps.dashboard.recentFlags(scope, 10),
          deps.dashboard.complaintsByStatus(scope),
          // in progress at some time in the period (open now without one), reaching the region: see RecallPeriod
          deps.recalls.list(principal, { during: scope, limit: RECALLS_SHOWN, offset: 0 }),
          deps.recalls.count(principal, { during: scope }),
        ]);
      return {
        passRates,
        coverage,
        coverageByEnterprise,
        activity,
        anomalyCounts: {
          gaps,
          unreceivedShipments: anomalies.unreceivedShipments,
          expiredLots: anomalies.expiredLots,
          failedInspectionsWithoutHold: anomalies.failedInspectionsWithoutHold,
          suspiciousCodes: anomalies.suspiciousCodes,
          salesAfterExpiry: anomalies.salesAfterExpiry,
        },
        flags,
        recentFlags,
        complaints,
        recalls,
        openRecalls,
      };
    },

    /** The panel's recalls (of the period and region), a page at a time: the list it links to when it shows only the latest. */
    /**
     * The final report of a recall, for the printable page the dashboard links each recall to: a
     * session's principal is a regulator's, and the recall service decides what it may read.
     */
    recallReport(principal: Principal, id: string) {
      requireRole(principal, 'dashboard.session');
      return deps.recalls.finalReport(principal, id);
    },

    async openRecalls(principal: Principal, offset: number, scope: Scope = {}) {
      requireRole(principal, 'figures.read');
      await deps.figures.knownRegion(scope.region);
      const [recalls, total] = await Promise.all([
        deps.recalls.list(principal, { during: scope, limit: RECALLS_PER_PAGE, offset }),
        deps.recalls.count(principal, { during: scope }),
      ]);
      return { recalls, total, offset, pageSize: RECALLS_PER_PAGE };
    },
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
export type DashboardView = Awaited<ReturnType<DashboardService['view']>>;
export type OpenRecallsView = Awaited<ReturnType<DashboardService['openRecalls']>>;
