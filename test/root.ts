// The test a test file's top-level tests belong to. Run on its own (`npx tap test/lots/x.test.ts`),
// a file's tests sit on tap's root, in a process of their own. In `npm test` the workers in
// test/workers load many files into one long-lived process, each file under a subtest named by its
// path: start-up (the app's modules, PGlite's WebAssembly) is then paid once per worker, not per
// file, and a file's teardowns still run when its own tests end.
import tap, { type Test } from 'tap';

let loading: Test | undefined;

/** Call once, at the top of a test file, while it loads. */
export function fileTest(): Test {
  return loading ?? tap;
}

/** Loads a test file under a subtest of its own and waits until its tests (and teardowns) are done. */
export async function runTestFile(path: string, url: string, timeoutMs: number): Promise<void> {
  await tap.test(path, { timeout: timeoutMs }, async (t) => {
    loading = t;
    try {
      await import(url);
    } finally {
      loading = undefined;
    }
  });
}
