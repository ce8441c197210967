/** The offered type the client's Accept ranks highest, with its q-value (-1: no range matches it). */
function bestOffered(accept: string, offered: string[]): { type: string; q: number } {
  let best = { type: offered[0], q: -1, order: Infinity };
  accept.split(',').forEach((part, order) => {
    const [range, ...params] = part.trim().split(';');
    const q = Number(
      params
        .map((p) => p.trim().toLowerCase())
        .find((p) => p.startsWith('q='))
        ?.slice(2) ?? 1,
    );
    const [major, minor] = range.trim().toLowerCase().split('/');
    for (const type of offered) {
      const [tMajor, tMinor] = type.split('/');
      const matches = (major === '*' || major === tMajor) && (minor === '*' || minor === tMinor);
      const specific = major !== '*' && minor !== '*';
      if (matches && (q > best.q || (q === best.q && specific && order < best.order)))
        best = { type, q, order: specific ? order : Infinity };
    }
  });
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
