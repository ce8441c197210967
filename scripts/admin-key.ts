// Issues another admin API key (the first one is printed only once, at first start).
import { createServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openPglite, openPostgres } from '../src/db/client.js';

const config = loadConfig();
const database = config.DATABASE_URL ? await openPostgres(config.DATABASE_URL) : await openPglite(config.DATA_DIR);
try {
  await database.migrate();
  const issued = await createServices(database).apiKeys.issue({ role: 'admin', label: 'npm run admin-key' });
  console.log(`admin API key (shown once, stored hashed): ${issued.key}`);
} finally {
  await database.close();
}
