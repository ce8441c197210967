import { conflict, type Problem } from '../errors/problem.js';

/** A party that may hold a GLN: by the company prefix that starts it, as its own GLN, or as its site's (locationCode). */
export type GlnHolder = { code: string; prefix: string | null; gln: string | null; locationCode: string | null };

/**
 * Why a GLN may not be a party's own or one of its sites' (GS1: a GLN is allocated from the company
 * prefix of the party that owns the site), or undefined: under another party's company prefix, or
 * another party's own GLN or site's GLN, it names that party; and a party that registered a prefix
 * allocates its GLNs from it (one without any takes any GLN no party holds). `partyCode` is null for a
 * party being registered; `ownPrefixes` are the party's company prefixes.
 */
export function glnRefusal(gln: string, party: { code: string | null; ownPrefixes: string[] }, holders: GlnHolder[]): Problem | undefined {
  const others = holders.filter((holder) => holder.code !== party.code);
  const ofOther = (how: string, code: string) =>
    conflict(`GLN ${gln} ${how}`, [{ in: 'body', pointer: '/gln', detail: `a GLN of party ${code}` }]);
  const prefixed = others.find((holder) => holder.prefix !== null && gln.startsWith(holder.prefix));
  if (prefixed) return ofOther(`is under GS1 company prefix ${prefixed.prefix}, registered to party ${prefixed.code}`, prefixed.code);
  const own = others.find((holder) => holder.locationCode === null && holder.gln === gln);
  if (own) return ofOther(`is the GLN of party ${own.code}`, own.code);
  const site = others.find((holder) => holder.locationCode !== null);
  if (site) return ofOther(`is the GLN of site ${site.locationCode} of party ${site.code}`, site.code);
  if (party.ownPrefixes.length > 0 && !party.ownPrefixes.some((prefix) => gln.startsWith(prefix))) {
    const prefixes = party.ownPrefixes.join(', ');
    return conflict(`GLN ${gln} is not under the GS1 company prefix of ${party.code ? `party ${party.code}` : 'the party'} (${prefixes})`, [
      { in: 'body', pointer: '/gln', detail: `not under company prefix ${prefixes}` },
    ]);
  }
  return undefined;
}
