// Which error declarations in a document call for the events after them to be planned again.

/** What an event's plan names, for telling whether a declaration can change it. */
export type Footprint = { recordType?: string; transformationId: string | null; lotCodes: readonly string[] };

/**
 * Of the declarations (in the document's order, each with what the declared event names), those that
 * can change what the plan of a later new event of the document (in order, with what its plan names)
 * reads from the database: a receipt (declared in error, its shipment is open again and the lots it
 * brought in no longer the party's), a step of a transformation a later event joins (its members are
 * read once per plan), an event naming a lot a later event names (what the party held of it may have
 * made the lot its to name). A plan reads nothing else a declaration changes; the writer reads what
 * it judges by as it writes. After any other declaration the document goes on as planned.
 */
export function declarationsThatReplan(
  declarations: readonly { index: number; declared: Footprint }[],
  later: readonly { index: number; planned: Footprint }[],
): Set<number> {
  const replanning = new Set<number>();
  const lotsLater = new Set<string>();
  const transformationsLater = new Set<string>();
  let next = later.length - 1;
  // from the end of the document, the later events' lots and transformations gathered as we go
  for (const { index, declared } of [...declarations].sort((a, b) => b.index - a.index)) {
    for (; next >= 0 && later[next].index > index; next--) {
      const { planned } = later[next];
      for (const code of planned.lotCodes) lotsLater.add(code);
      if (planned.transformationId !== null) transformationsLater.add(planned.transformationId);
    }
    if (next === later.length - 1) continue;
    if (
      declared.recordType === 'receive' ||
      (declared.transformationId !== null && transformationsLater.has(declared.transformationId)) ||
      declared.lotCodes.some((code) => lotsLater.has(code))
    )
      replanning.add(index);
  }
  return replanning;
}
