// Regulators' decisions on flagged codes: a dismissal, or a reopening by hand, recorded with its reason and audited in one transaction.
import { type Principal, requireRole } from '../access/index.js';
import { type AuditRecorder, chainOf } from '../audit/service.js';
import { uuidV7 } from '../codes/uuid-v7.js';
import type { Transact } from '../db/client.js';
import { conflict, notFound } from '../errors/problem.js';
import type { ScansRepository } from '../scans/repository.js';

export function createFlagReviewService(deps: {
  scans: Pick<ScansRepository, 'lockFlag' | 'dismissFlag' | 'reopenFlag'>;
  audit: AuditRecorder;
  transaction: Transact;
  now: () => Date;
}) {
  return {
    /**
     * Dismisses an open flag: the regulator looked into it and cleared it. A dismissed flag is refused (409)
     * rather than dismissed again, so that a second reason never stands in for the first. The dismissal records
     * the evidence it cleared: a later occurrence reopens the flag only with new (ScansRepository.raiseFlag).
     */
    async dismiss(principal: Principal, flag: { code: string; kind: string }, reason: string) {
      requireRole(principal, 'flags.dismiss');
      return deps.transaction(async (tx) => {
        const stored = await deps.scans.lockFlag(flag.code, flag.kind, tx);
        if (!stored) throw notFound(`no ${flag.kind} flag on ${flag.code}`);
        if (stored.dismissal) {
          throw conflict(
            `the ${flag.kind} flag on ${flag.code} was dismissed at ${stored.dismissal.at.toISOString()} by key ${stored.dismissal.by}; it is open again once raised anew`,
          );
        }
        const at = deps.now();
        const { occurrences, detail, evidence } = stored;
        const dismissal = { id: uuidV7(at), ...flag, reason, keyId: principal.keyId, at, occurrences, detail, evidence };
        await deps.scans.dismissFlag(dismissal, tx);
        await deps.audit.record(tx, { chain: chainOf(principal), kind: 'flag.dismiss', subjectId: dismissal.id, keyId: principal.keyId });
        return { reason, by: principal.keyId, at, occurrences, detail, evidence };
      });
    },

    /**
     * Reopens a dismissed flag by hand: the regulator finds the dismissal was wrong. An open flag is refused (409).
     * The dismissal stays as recorded; the reopening names it, and the flag counts again until dismissed anew.
     */
    async reopen(principal: Principal, flag: { code: string; kind: string }, reason: string) {
      requireRole(principal, 'flags.reopen');
      return deps.transaction(async (tx) => {
        const stored = await deps.scans.lockFlag(flag.code, flag.kind, tx);
        if (!stored) throw notFound(`no ${flag.kind} flag on ${flag.code}`);
        if (!stored.dismissal) throw conflict(`the ${flag.kind} flag on ${flag.code} is open: only a dismissed flag is reopened`);
        const at = deps.now();
        const { id: dismissalId, ...dismissal } = stored.dismissal;
        const reopening = { id: uuidV7(at), ...flag, dismissalId, reason, keyId: principal.keyId, at };
        await deps.scans.reopenFlag(reopening, tx);
        await deps.audit.record(tx, { chain: chainOf(principal), kind: 'flag.reopen', subjectId: reopening.id, keyId: principal.keyId });
        return { reason, by: principal.keyId, at, dismissal };
      });
    },
  };
}

export type FlagReviewService = ReturnType<typeof createFlagReviewService>;
