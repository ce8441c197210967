import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiKeys } from '../db/schema.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export function createApiKeysRepository(db: Db) {
  return {
    async insert(row: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
      const [inserted] = await db.insert(apiKeys).values(row).returning();
      return inserted;
    },
    async findActiveByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
      const [row] = await db
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)));
      return row;
    },
    async hasActiveAdmin(): Promise<boolean> {
      const rows = await db
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(and(eq(apiKeys.role, 'admin'), isNull(apiKeys.revokedAt)))
        .limit(1);
      return rows.length > 0;
    },
    list(): Promise<ApiKeyRow[]> {
      return db.select().from(apiKeys).orderBy(apiKeys.createdAt);
    },
    async revoke(id: string): Promise<ApiKeyRow | undefined> {
      const [row] = await db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .returning();
      return row;
    },
  };
}

export type ApiKeysRepository = ReturnType<typeof createApiKeysRepository>;
