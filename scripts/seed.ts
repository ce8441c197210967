// Loads the demo Fengjie chain into the configured database (PGlite DATA_DIR or DATABASE_URL).

import { loadDemoChainOnce } from '../seeds/fengjie.js';
import { withConfiguredDatabase } from './lib/database.js';

await withConfiguredDatabase(async (database) => {
  const demo = await loadDemoChainOnce(database);
  // a demo found in place (an earlier seed, or a start with SEED_DEMO) is not loaded again
  console.log(
    demo?.loaded ? `demo chain loaded; retail lot ${demo.retailLotCode} (${demo.retailLotNumber})` : 'demo chain already present',
  );
});
