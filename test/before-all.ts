// tap's `before` step: the migrated database every test file copies, made once per run.
import { ensurePgliteDump, ensurePostgresTemplate } from './database.js';

if (process.env.DATABASE_URL) await ensurePostgresTemplate();
else await ensurePgliteDump();
