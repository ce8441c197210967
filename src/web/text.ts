// Plain text as people read it: chart and label-sheet text, values quoted in messages. Pure.

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The text, or when it has more than `count` characters its first `count - 1` and an ellipsis.
 * Characters are whole: never half of a surrogate pair or of an emoji sequence. Reads no further
 * into a long text than it keeps.
 */
export function shortened(text: string, count: number): string {
  const kept = firstCharacters(text, count);
  return kept.length === text.length ? text : `${firstCharacters(kept, count - 1)}…`;
}

/** The first `count` whole characters of the text (never half of a surrogate pair or of an emoji sequence). */
export function firstCharacters(text: string, count: number): string {
  const kept: string[] = [];
  for (const { segment } of graphemes.segment(text)) {
    if (kept.length === count) break;
    kept.push(segment);
  }
  return kept.join('');
}
