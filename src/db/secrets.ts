import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { type Db, queryRows } from './client.js';
import { serviceSecrets } from './schema.js';

/**
 * The secret stored under `name`, made (32 random bytes) by the first process to ask for it; every
 * process on the database gets the same one, however many ask at once.
 */
export async function storedSecret(db: Db, name: string): Promise<string> {
  await db
    .insert(serviceSecrets)
    .values({ name, value: randomBytes(32).toString('base64url') })
    .onConflictDoNothing();
  const [row] = await queryRows<{ value: string }>(db, sql`select value from ${serviceSecrets} where name = ${name}`);
  return row.value;
}
