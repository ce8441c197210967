// Which error declarations and receipts in a document call for the events after them to be planned again.

/** What an event's plan names, for telling whether a declaration can change it. */
export type Footprint = { recordType?: string; transformationId: string | null; lotCodes: readonly string[] };

/**
 * Of the declarations (in the document's order, each with what the declared event names), those that
 * can change what the plan of a later new event of the document (`newEvents`, in order, with what its plan names)
 * reads from the database: a receipt (declared in error, its shipment is open again and the lots it
 * brought in no longer the party's), a step of a transformation a later event joins (its members are
 * read once per plan), an event naming a lot a later event names (what the party held of it may have
 * made the lot its to name), and one between two new events naming the same lot (the later one's plan
 * reads the lot as the earlier made or packed it, from the database once planned again: a document
 * split at a declaration must come out as the two documents would). Two receipts of one shipment are
 * planned apart whatever lies between them (see receiptsThatReplan). A plan reads nothing else a
 * declaration changes; the writer reads what it judges by as it writes. After any other declaration
 * the document goes on as planned.
 */
export function declarationsThatReplan(
  declarations: readonly { index: number; declared: Footprint }[],
  newEvents: readonly { index: number; planned: Footprint }[],
): Set<number> {
  const replanning = new Set<number>();
  const namedBetween = spansOfLots(newEvents);
  const lotsLater = new Set<string>();
  const transformationsLater = new Set<string>();
  let next = newEvents.length - 1;
  // from the end of the document, the later events' lots and transformations gathered as we go
  for (const { index, declared } of [...declarations].sort((a, b) => b.index - a.index)) {
    for (; next >= 0 && newEvents[next].index > index; next--) {
      const { planned } = newEvents[next];
      for (const code of planned.lotCodes) lotsLater.add(code);
      if (planned.transformationId !== null) transformationsLater.add(planned.transformationId);
    }
    if (next === newEvents.length - 1) continue;
    if (
      declared.recordType === 'receive' ||
      (declared.transformationId !== null && transformationsLater.has(declared.transformationId)) ||
      declared.lotCodes.some((code) => lotsLater.has(code)) ||
      namedBetween(index)
    )
      replanning.add(index);
  }
  return replanning;
}

/**
 * Of the new events (in the document's order, each with the shipment its plan receives in, if any),
 * the receipts after which the events that follow are planned again, under proceed: those taking in
 * a shipment a later receipt of the plan takes in too. A plan reads the open shipments once, and
 * whether the writer books the earlier receipt in, the plan cannot know: planned again once it is
 * stored, the later one reads the shipment as a document of its own would (its lines taken, or the
 * shipment received, then another shipment of the lot or a sighting). A receipt of a shipment no
 * later receipt takes in changes nothing a later plan reads: a document without such receipts is
 * planned once.
 */
export function receiptsThatReplan(newEvents: readonly { index: number; receivesIn: string | null }[]): Set<number> {
  const replanning = new Set<number>();
  const takenLater = new Set<string>();
  for (let at = newEvents.length - 1; at >= 0; at--) {
    const { index, receivesIn } = newEvents[at];
    if (receivesIn === null) continue;
    if (takenLater.has(receivesIn)) replanning.add(index);
    takenLater.add(receivesIn);
  }
  return replanning;
}

/**
 * Whether a position lies strictly between the first and the last new event naming some lot: the
 * lots' spans merged, then looked up by binary search.
 */
function spansOfLots(events: readonly { index: number; planned: Footprint }[]): (index: number) => boolean {
  const span = new Map<string, [number, number]>();
  for (const { index, planned } of events)
    for (const code of planned.lotCodes) {
      const known = span.get(code);
      if (known) known[1] = index;
      else span.set(code, [index, index]);
    }
  const merged: [number, number][] = [];
  for (const [first, last] of [...span.values()].filter(([first, last]) => last > first).sort((a, b) => a[0] - b[0])) {
    const previous = merged.at(-1);
    if (previous && first <= previous[1]) previous[1] = Math.max(previous[1], last);
    else merged.push([first, last]);
  }
  return (index) => {
    let low = 0;
    let high = merged.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const [first, last] = merged[middle];
      if (index <= first) high = middle - 1;
      else if (index >= last) low = middle + 1;
      else return true;
    }
    return false;
  };
}
