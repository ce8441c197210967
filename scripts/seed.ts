// Loads the demo Fengjie chain into the configured database (PGlite DATA_DIR or DATABASE_URL).

import { loadDemoChainOnce } from '../seeds/fengjie.js';
import { createRepositories, createServices } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openPglite, openPostgres } from '../src/db/client.js';

const config = loadConfig();
const database = config.DATABASE_URL ? await openPostgres(config.DATABASE_URL) : await openPglite(config.DATA_DIR);
try {
  await database.migrate();
  const demo = await loadDemoChainOnce(createServices(database), createRepositories(database));
  console.log(demo ? `demo chain loaded; retail lot ${demo.retailLotCode} (${demo.retailLotNumber})` : 'demo chain already present');
} finally {
  await database.close();
}
