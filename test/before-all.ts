// tap's `before` step: the migrated database every test file copies, made once per run, and an
// empty queue of test files for the workers.
import { ensurePgliteDump, ensurePostgresTemplate } from './database.js';
import { resetClaims } from './workers/queue.js';

resetClaims();

if (process.env.DATABASE_URL) await ensurePostgresTemplate();
else await ensurePgliteDump();
