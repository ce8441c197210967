// Issues another admin API key (the first one is printed only once, at first start).
import { createServices } from '../src/app.js';
import { withConfiguredDatabase } from './lib/database.js';

// the service's own database: never a new one made by mistake in another folder
await withConfiguredDatabase(
  async (database) => {
    const issued = await createServices(database).apiKeys.issue({ role: 'admin', label: 'npm run admin-key' });
    console.log(`admin API key (shown once, stored hashed): ${issued.key}`);
  },
  { mustExist: true },
);
