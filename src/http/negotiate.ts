type MediaRange = { major: string; minor: string; q: number; order: number };

function mediaRanges(accept: string): MediaRange[] {
  return accept.split(',').map((part, order) => {
    const [range, ...params] = part.trim().split(';');
    const q = Number(
      params
        .map((p) => p.trim().toLowerCase())
        .find((p) => p.startsWith('q='))
        ?.slice(2) ?? 1,
    );
    const [major = '', minor = ''] = range.trim().toLowerCase().split('/');
    return { major, minor, q, order };
  });
}

/** How closely a range names a type: 2 for type/subtype, 1 for type/*, 0 for * / *, -1 when it does not match. */
function specificity(range: MediaRange, type: string): number {
  const [major, minor] = type.split('/');
  if (range.major === '*' && range.minor === '*') return 0;
  if (range.major !== major) return -1;
  if (range.minor === '*') return 1;
  return range.minor === minor ? 2 : -1;
}

/**
 * The offered type the client's Accept ranks highest, with its q-value (-1: no range matches it).
 * A type takes the q-value of the most specific range that matches it (RFC 9110 §12.5.1): HTML
 * refused by name stays refused whatever a wildcard allows. Between types of equal q-value, one
 * the client named earlier wins, else the one offered first.
 */
function bestOffered(accept: string, offered: string[]): { type: string; q: number } {
  const ranges = mediaRanges(accept);
  let best = { type: offered[0], q: -1, order: Infinity };
  for (const type of offered) {
    let match: { q: number; order: number; specificity: number } | null = null;
    for (const range of ranges) {
      const how = specificity(range, type);
      if (how > (match?.specificity ?? -1)) match = { q: range.q, order: how === 2 ? range.order : Infinity, specificity: how };
    }
    if (match && (match.q > best.q || (match.q === best.q && match.order < best.order))) best = { type, q: match.q, order: match.order };
  }
  return best;
}

/** The media type the client prefers among those offered, by Accept q-values; HTML for a bare phone scan. */
export function preferredType(accept: string | undefined, offered: string[]): string {
  if (!accept) return offered[0];
  const best = bestOffered(accept, offered);
  return best.q > 0 ? best.type : offered[0];
}

/** Whether the client takes any of the types offered (no Accept takes anything). */
export function acceptsAnyOf(accept: string | undefined, offered: string[]): boolean {
  // an Accept naming no media range (` , `) says nothing, as none does
  return !accept?.replace(/[\s,]/g, '') || bestOffered(accept, offered).q > 0;
}
