import { createHash, randomUUID } from 'node:crypto';
import { customAlphabet } from 'nanoid';
import { PARTY_ROLES, type Principal, type Role } from '../access/index.js';
import { type AuditRecorder, chainOf } from '../audit/service.js';
import type { Transact } from '../db/client.js';
import { badRequest, bodyField, notFound, unauthorized } from '../errors/problem.js';
import { SetupError } from '../errors/setup.js';
import type { ApiKeyRow, ApiKeysRepository } from './repository.js';

const randomSecret = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 40);
const KEY_PREFIX = 'ctk_';

const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * How long an authenticated key is trusted without asking the database again. Revoking a key
 * in this process forgets it at once; a key revoked by another instance (or in the database)
 * stops working here within this time.
 */
export const API_KEY_CACHE_MS = 5_000;
const API_KEY_CACHE_ENTRIES = 10_000;

/** The configured ADMIN_API_KEY was revoked: it is not brought back, and the service does not start with it. */
export class RevokedAdminKeyError extends SetupError {
  constructor(keyId: string) {
    super(`ADMIN_API_KEY was revoked (key ${keyId}); configure another admin key`);
    this.name = 'RevokedAdminKeyError';
  }
}

export type IssuedKey = { id: string; key: string; role: Role; partyCode: string | null; label: string | null };

export function createApiKeyService(deps: {
  apiKeys: Pick<ApiKeysRepository, 'insert' | 'findActiveByHash' | 'findByHash' | 'hasAdminKey' | 'list' | 'revoke'>;
  /** The kind of a registered party, undefined when there is none. */
  partyKind: (code: string) => Promise<string | undefined>;
  transaction: Transact;
  audit: AuditRecorder;
  /** Milliseconds since the epoch; the key cache's clock. */
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  // key hash → the principal it resolved to and until when that answer is trusted
  const recent = new Map<string, { principal: Promise<Principal>; until: number }>();

  /** Stores a key's hash and records the issue on the chain of whoever issued it (without one: of the key's party). */
  async function store(key: string, role: Role, partyCode: string | null, label: string | null, by: Principal | null): Promise<IssuedKey> {
    const row = await deps.transaction(async (tx) => {
      const inserted = await deps.apiKeys.insert(
        { id: randomUUID(), keyHash: hashApiKey(key), keyPrefix: key.slice(0, KEY_PREFIX.length + 6), role, partyCode, label },
        tx,
      );
      const chain = chainOf(by, partyCode ?? undefined);
      await deps.audit.record(tx, { chain, kind: 'api-key.issue', subjectId: inserted.id, keyId: by?.keyId ?? null });
      return inserted;
    });
    return { id: row.id, key, role, partyCode, label };
  }

  return {
    /** Only the hash is stored; the key itself is returned once. */
    async issue(input: { role: Role; partyCode?: string | null; label?: string | null }, by: Principal | null = null): Promise<IssuedKey> {
      // left empty or blank (read trimmed), partyCode names no party
      const partyCode = input.partyCode || null;
      const boundToParty = PARTY_ROLES.includes(input.role);
      if (boundToParty && !partyCode) {
        throw badRequest(`a key with the ${input.role} role acts for one party: give partyCode`, [
          { in: 'body', pointer: '/partyCode', detail: `required for role ${input.role}` },
        ]);
      }
      // a brand office key may be issued for the party that runs its brands (their owner), which it then oversees
      if (input.role === 'admin' && partyCode) {
        throw badRequest(`a key with the ${input.role} role is not bound to a party`, [
          { in: 'body', pointer: '/partyCode', detail: `must be omitted for role ${input.role}` },
        ]);
      }
      const kind = partyCode ? await deps.partyKind(partyCode) : undefined;
      if (partyCode && !kind) throw notFound(`party ${partyCode} is not registered`, [bodyField(['partyCode'], 'no such party')]);
      // a regulator key may name the regulator party its acts (holds, recalls) are recorded under
      if (input.role === 'regulator' && partyCode && kind !== 'regulator') {
        throw badRequest(`a regulator key acts for a party of kind regulator; ${partyCode} is a ${kind}`, [
          { in: 'body', pointer: '/partyCode', detail: 'must be a party of kind regulator' },
        ]);
      }
      return store(KEY_PREFIX + randomSecret(), input.role, partyCode, input.label ?? null, by);
    },

    async authenticate(authorization: string | undefined): Promise<Principal> {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      if (!match) throw unauthorized('send the API key as "Authorization: Bearer <key>"');
      const hash = hashApiKey(match[1]);
      const cached = recent.get(hash);
      if (cached && cached.until > now()) return cached.principal;
      // requests arriving together with the same key share one look-up
      const principal = deps.apiKeys.findActiveByHash(hash).then((row): Principal => {
        if (!row) throw unauthorized('unknown or revoked API key');
        return { keyId: row.id, role: row.role as Role, partyCode: row.partyCode };
      });
      recent.delete(hash);
      // the oldest entry makes room: Map keeps insertion order
      if (recent.size >= API_KEY_CACHE_ENTRIES) recent.delete(recent.keys().next().value as string);
      recent.set(hash, { principal, until: now() + API_KEY_CACHE_MS });
      principal.catch(() => {
        if (recent.get(hash)?.principal === principal) recent.delete(hash);
      });
      return principal;
    },

    /**
     * The bootstrap admin key: ADMIN_API_KEY when configured (stored if new; refused once revoked,
     * RevokedAdminKeyError), otherwise a generated key on the very first start, when no admin key
     * was ever issued (a start after every admin key was revoked makes none: `npm run admin-key`
     * issues another). Returns the key only when it was generated now.
     */
    async ensureAdminKey(configuredKey?: string): Promise<string | null> {
      if (configuredKey) {
        const stored = await deps.apiKeys.findByHash(hashApiKey(configuredKey));
        // a revocation stands: restarting with the same setting does not undo it
        if (stored?.revokedAt) throw new RevokedAdminKeyError(stored.id);
        if (!stored) await store(configuredKey, 'admin', null, 'ADMIN_API_KEY', null);
        return null;
      }
      if (await deps.apiKeys.hasAdminKey()) return null;
      const issued = await store(KEY_PREFIX + randomSecret(), 'admin', null, 'bootstrap', null);
      return issued.key;
    },

    list: (): Promise<ApiKeyRow[]> => deps.apiKeys.list(),

    async revoke(id: string, by: Principal | null = null): Promise<ApiKeyRow> {
      const row = await deps.transaction(async (tx) => {
        const revoked = await deps.apiKeys.revoke(id, tx);
        if (!revoked) throw notFound(`no active API key ${id}`);
        const chain = chainOf(by, revoked.partyCode ?? undefined);
        await deps.audit.record(tx, { chain, kind: 'api-key.revoke', subjectId: id, keyId: by?.keyId ?? null });
        return revoked;
      });
      recent.delete(row.keyHash);
      return row;
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
