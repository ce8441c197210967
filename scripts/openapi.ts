// Writes openapi/openapi.json from the zod route schemas; `--check` fails when it is stale.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { buildApp } from '../src/app.js';
import { openPglite } from '../src/db/client.js';
import { parseFlags } from './lib/args.js';

const { check } = parseFlags({ check: false });

const target = new URL('../openapi/openapi.json', import.meta.url);
const database = await openPglite();
const app = await buildApp({ database });
await app.ready();
const spec = app.swagger() as { components?: { schemas?: Record<string, unknown> } };
// Component order follows module load order; sorted, the document changes only when a schema does.
const schemas = spec.components?.schemas ?? {};
if (spec.components)
  spec.components.schemas = Object.fromEntries(
    Object.keys(schemas)
      .sort()
      .map((name) => [name, schemas[name]]),
  );
const document = `${JSON.stringify(spec, null, 2)}\n`;
await app.close();
await database.close();

if (check) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== document) {
    console.error('openapi/openapi.json is out of date: run `npm run openapi` and commit the result');
    process.exit(1);
  }
  console.log('openapi/openapi.json is up to date');
} else {
  mkdirSync(new URL('.', target), { recursive: true });
  writeFileSync(target, document);
  console.log(`wrote ${target.pathname}`);
}
