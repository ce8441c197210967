// `npm test` runs this first. tap builds its test class from the configured plugins and rebuilds it
// when they change, but the run that rebuilds it still starts every test process with the loaders
// of the build it found: on a fresh `npm ci`, the TypeScript plugin we turn off (ts-node, loaded in
// every test process beside tsx). So build first whenever the installed build is not ours.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const configured: string[] = packageJson.tap.plugin ?? [];
const builtClass = readFileSync(new URL('../node_modules/@tapjs/test/test-built/dist/esm/index.js', import.meta.url), 'utf8');
const built = new Set(/export const signature = `([^`]*)`/.exec(builtClass)?.[1].split('\n') ?? []);

const stale = configured.some((plugin) => (plugin.startsWith('!') ? built.has(plugin.slice(1)) : !built.has(plugin)));
if (stale) execFileSync('npx', ['tap', 'build'], { stdio: 'inherit' });
