// JSON of a large response as a stream of UTF-8 chunks, written as the socket takes them. Pure.

import { Readable } from 'node:stream';

/** Elements of a top-level array written per chunk: about 100 kB of trace JSON. */
const ELEMENTS_PER_CHUNK = 256;

/**
 * The bytes of `JSON.stringify(value)`, top-level member by member and the elements of top-level
 * arrays a few hundred at a time. A recall-sized trace is 40 MB of JSON: as one string and one
 * buffer it took half a second to encode and tens of megabytes of old-generation garbage; in
 * chunks, each piece is short-lived and the first bytes leave before the last are written.
 * V8 writes a whole string as two-byte once any character is not Latin-1 (a Chinese party name),
 * so apart, the large members (codes and numbers) also stay one-byte and encode fast.
 */
export function* jsonChunks(value: Record<string, unknown>): Generator<Buffer> {
  let opened = false;
  for (const [key, member] of Object.entries(value)) {
    const head = `${opened ? ',' : '{'}${JSON.stringify(key)}:`;
    if (Array.isArray(member) && member.length > ELEMENTS_PER_CHUNK) {
      opened = true;
      yield* arrayChunks(head, member);
      continue;
    }
    const json = JSON.stringify(member);
    // JSON.stringify leaves out members whose value has no JSON form (undefined, functions)
    if (json === undefined) continue;
    opened = true;
    yield Buffer.from(head + json);
  }
  yield Buffer.from(opened ? '}' : '{}');
}

function* arrayChunks(head: string, items: unknown[]): Generator<Buffer> {
  for (let start = 0; start < items.length; start += ELEMENTS_PER_CHUNK) {
    // an element with no JSON form is null inside an array, as JSON.stringify writes it
    const elements = JSON.stringify(items.slice(start, start + ELEMENTS_PER_CHUNK)).slice(1, -1);
    const before = start === 0 ? `${head}[` : ',';
    const after = start + ELEMENTS_PER_CHUNK >= items.length ? ']' : '';
    yield Buffer.from(before + elements + after);
  }
}

/** `jsonChunks` as a byte stream for a reply. */
export function jsonStream(value: Record<string, unknown>): Readable {
  return Readable.from(jsonChunks(value), { objectMode: false });
}
