// JSON of a large response as UTF-8 bytes, written member by member. Pure.

/**
 * The same bytes as `Buffer.from(JSON.stringify(value))`, built one top-level member at a time.
 * V8 writes a whole document as a two-byte string once any string in it is not Latin-1, so one
 * Chinese party name makes a 38 MB trace a 76 MB string that is slow to encode; written apart,
 * the large members (codes and numbers) stay one-byte and are encoded fast. The members' text is
 * written straight into one buffer of the document's size: no buffer per member to join after.
 */
export function jsonBytes(value: Record<string, unknown>): Buffer {
  const pieces: string[] = [];
  for (const [key, member] of Object.entries(value)) {
    const json = JSON.stringify(member);
    // JSON.stringify leaves out members whose value has no JSON form (undefined, functions)
    if (json === undefined) continue;
    pieces.push(`${pieces.length === 0 ? '{' : ','}${JSON.stringify(key)}:`, json);
  }
  pieces.push(pieces.length === 0 ? '{}' : '}');
  const bytes = Buffer.allocUnsafe(pieces.reduce((size, piece) => size + Buffer.byteLength(piece), 0));
  let written = 0;
  for (const piece of pieces) written += bytes.write(piece, written);
  return bytes;
}
