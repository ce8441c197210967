import { createHash, randomBytes } from 'node:crypto';
import { type Principal, type Role, requireRole } from '../access/index.js';
import type { ApiKeyService } from '../auth/service.js';
import type { Scope } from '../figures/repository.js';
import type { FiguresService } from '../figures/service.js';
import type { RecallService } from '../recalls/service.js';
import type { ScanService } from '../scans/service.js';
import type { KdeSort } from '../trace/kde.js';
import type { DashboardRepository } from './repository.js';

export const SESSION_HOURS = 8;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function createDashboardService(deps: {
  dashboard: Pick<DashboardRepository, 'insertSession' | 'findSession' | 'deleteSession' | 'flagsByKind' | 'complaintsByStatus'>;
  authenticate: ApiKeyService['authenticate'];
  figures: Pick<FiguresService, 'passRates' | 'traceability' | 'activity' | 'anomalies' | 'gapCount' | 'exportAll'>;
  scans: Pick<ScanService, 'listFlags'>;
  recalls: Pick<RecallService, 'list'>;
  now: () => Date;
}) {
  return {
    /**
     * Signs in with a regulator (or admin) key: a random session token for the cookie, of which
     * only the hash is stored. Throws 401 for an unknown key and 403 for an operator's.
     */
    async login(key: string): Promise<{ token: string; expiresAt: Date }> {
      const principal = await deps.authenticate(`Bearer ${key.trim()}`);
      requireRole(principal, 'figures.read');
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(deps.now().getTime() + SESSION_HOURS * 3_600_000);
      await deps.dashboard.insertSession({ tokenHash: hashToken(token), keyId: principal.keyId, expiresAt });
      return { token, expiresAt };
    },

    /** The principal of a live session, or null (no cookie, expired, or its key revoked). */
    async principal(token: string | undefined): Promise<Principal | null> {
      if (!token) return null;
      const session = await deps.dashboard.findSession(hashToken(token), deps.now());
      return session ? { keyId: session.keyId, role: session.role as Role, partyCode: session.partyCode } : null;
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

    /** Everything the dashboard shows, for one period and region. */
    async view(principal: Principal, scope: Scope) {
      requireRole(principal, 'figures.read');
      const [passRates, coverage, coverageByEnterprise, activity, anomalies, gaps, flags, recentFlags, complaints, recalls] =
        await Promise.all([
          deps.figures.passRates(principal, scope),
          deps.figures.traceability(principal, scope, 'township'),
          deps.figures.traceability(principal, scope, 'enterprise'),
          deps.figures.activity(principal, scope),
          deps.figures.anomalies(principal, { region: scope.region, shipmentDays: 3 }),
          deps.figures.gapCount(principal, { region: scope.region }),
          deps.dashboard.flagsByKind(),
          deps.scans.listFlags({ limit: 10, offset: 0 }),
          deps.dashboard.complaintsByStatus(),
          deps.recalls.list(principal, { status: 'open', limit: 20, offset: 0 }),
        ]);
      return {
        passRates,
        coverage,
        coverageByEnterprise,
        activity,
        anomalyCounts: {
          gaps,
          unreceivedShipments: anomalies.unreceivedShipments.length,
          expiredLots: anomalies.expiredLots.length,
          failedInspectionsWithoutHold: anomalies.failedInspectionsWithoutHold.length,
          suspiciousCodes: anomalies.suspiciousCodes.length,
        },
        flags,
        recentFlags,
        complaints,
        recalls,
      };
    },
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
export type DashboardView = Awaited<ReturnType<DashboardService['view']>>;
