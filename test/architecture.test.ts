// Imports between src/ folders follow the order written in docs/architecture.md: a folder imports
// only folders listed above it. The order is read from the document, so the two cannot drift apart.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { fileTest } from './root.js';

const t = fileTest();

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');

function layerOrder(): string[] {
  const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const block = /```layers\n([\s\S]*?)```/.exec(doc);
  if (!block) throw new Error('docs/architecture.md has no ```layers block');
  return block[1]
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0])
    .filter(Boolean);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The src/ folder a file belongs to; files directly in src/ are "(root)". */
function folderOf(file: string): string {
  const parts = relative(src, file).split(sep);
  return parts.length === 1 ? '(root)' : parts[0];
}

/** Relative imports of a file (static, type-only, re-exports and dynamic), resolved to paths. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((imported) => imported.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name));
}

const order = layerOrder();
const rank = new Map(order.map((folder, index) => [folder, index]));

t.test('the documented order lists every src/ folder once', async (t) => {
  t.same(order.length, new Set(order).size, 'no folder listed twice');
  const folders = new Set(sourceFiles(src).map(folderOf));
  t.same([...folders].filter((folder) => !rank.has(folder)).sort(), [], 'every folder has a place in the order');
  t.same(order.filter((folder) => !folders.has(folder)).sort(), [], 'the order lists no folder that does not exist');
});

/** The imports of `file` that point to a folder below its own. */
function downwardImports(file: string, targets: string[]): string[] {
  const from = folderOf(file);
  return targets
    .filter((target) => target.startsWith(src + sep)) // seeds/ (demo data) and packages are outside the layering
    .filter((target) => folderOf(target) !== from && (rank.get(folderOf(target)) ?? Number.POSITIVE_INFINITY) > (rank.get(from) ?? -1))
    .map((target) => `${relative(root, file)} (${from}) imports ${relative(root, target)} (${folderOf(target)}), which is below it`);
}

t.test('every import between folders points up the order', async (t) => {
  const violations = sourceFiles(src).flatMap((file) => downwardImports(file, importsOf(file)));
  t.same(violations, [], 'no folder imports one below it');
});

t.test('the check notices an import that points down', async (t) => {
  const lowFile = join(src, 'codes/example.ts');
  t.equal(downwardImports(lowFile, [join(src, 'events/service.ts')]).length, 1, 'codes importing events is refused');
  t.equal(downwardImports(lowFile, [join(src, 'codes/mod31.ts')]).length, 0, 'imports within a folder are free');
  t.equal(downwardImports(join(src, 'events/service.ts'), [join(src, 'codes/mod31.ts')]).length, 0, 'events may import codes');
  t.equal(downwardImports(join(src, 'codes/example.ts'), [join(src, 'unlisted/x.ts')]).length, 1, 'an unlisted folder counts as below');
});

t.test('tests mirror src/: a test folder for every src/ folder, and none for a folder that does not exist', async (t) => {
  const testRoot = join(root, 'test');
  // the suite's own machinery: shared test data, and the workers that run the files
  const support = ['fixtures', 'workers'];
  const testFolders = readdirSync(testRoot).filter((name) => !support.includes(name) && statSync(join(testRoot, name)).isDirectory());
  const srcFolders = order.filter((folder) => folder !== '(root)');
  t.same(
    srcFolders.filter((folder) => !testFolders.includes(folder)),
    [],
    'every src/ folder has its tests in test/<folder>',
  );
  t.same(
    testFolders.filter((folder) => !rank.has(folder)),
    [],
    'every test folder is named after a src/ folder',
  );
});

/** The tables of the event log, its lots, the quantity ledger and its balances, lineage, shipments and the EPCIS value lists: written by the event writer only (the balances by the database, from the ledger). */
const EVENT_TABLES = {
  drizzle: [
    'events',
    'eventLots',
    'eventValues',
    'lots',
    'lotIdentifiers',
    'lotMovements',
    'lotBalances',
    'lineageEdges',
    'shipments',
    'shipmentLines',
  ],
  sql: [
    'events',
    'event_lots',
    'event_values',
    'lots',
    'lot_identifiers',
    'lot_movements',
    'lot_balances',
    'lineage_edges',
    'shipments',
    'shipment_lines',
  ],
};
const WRITES = [
  new RegExp(`\\.(insert|update|delete)\\(\\s*(schema\\.)?(${EVENT_TABLES.drizzle.join('|')})\\s*\\)`),
  new RegExp(`\\b(insert\\s+into|update|delete\\s+from)\\s+"?(${EVENT_TABLES.sql.join('|')})\\b`, 'i'),
];
const writer = join(src, 'events/writer');

/** Lines of `text` that write one of the event tables. */
const eventTableWrites = (text: string) => text.split('\n').filter((line) => WRITES.some((pattern) => pattern.test(line)));

t.test('one writer: only src/events/writer writes events, lots, the ledger, lineage edges and shipments', async (t) => {
  const violations = sourceFiles(src)
    .filter((file) => !file.startsWith(writer + sep))
    .flatMap((file) => eventTableWrites(readFileSync(file, 'utf8')).map((line) => `${relative(root, file)}: ${line.trim()}`));
  t.same(violations, [], 'no other module writes them');
  t.ok(
    sourceFiles(writer).some((file) => eventTableWrites(readFileSync(file, 'utf8')).length > 0),
    'the writer does',
  );
});

t.test('the one-writer check notices a write', async (t) => {
  for (const line of [
    'await tx.insert(lotMovements).values(rows);',
    'await db.update(schema.lots).set({ status });',
    'sql`insert into lineage_edges (upstream_code) values ($1)`',
    'sql`UPDATE "lots" SET status = $1`',
    'sql`delete from shipment_lines where shipment_id = $1`',
  ])
    t.equal(eventTableWrites(line).length, 1, line);
  for (const line of ['await tx.insert(rfidReads).values(rows);', 'sql`update items set scan_count = 1`', 'select * from lots'])
    t.equal(eventTableWrites(line).length, 0, line);
});
