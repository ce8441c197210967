import { bodyField, conflict, forbidden } from '../../../errors/problem.js';
import { roundQuantity } from '../../../lots/ledger.js';
import type { Line, LotSpec, PackedLine, Scope } from '../scope.js';
import { createdLot } from './commission.js';
import type { RuleResult } from './index.js';

export type TransformInput = {
  process?: { kind: string; parameters?: Record<string, unknown> } | null;
  inputs: Line[];
  /** New lots, or (EPCIS) lots already known as outputs of the same transformation. */
  outputs: (LotSpec | { lotCode: string })[];
};

/**
 * Inputs are consumed from what the acting party holds; outputs are new lots of that party (or,
 * through EPCIS, its own existing ones). A container is used with everything packed in it
 * (nested containers included), each lot inside consumed in full, as shipping or selling one
 * takes its contents along. Every input, and every lot packed in one, becomes an upstream of
 * every output.
 */
export function transform(scope: Scope, input: TransformInput, eventTime: Date, reuseCodes?: string[]): RuleResult {
  const used = scope.take(input.inputs, scope.at('inputs'), 'consume');
  const packed: PackedLine[] = [];
  for (const [position, { lot, quantity }] of used.entries()) {
    if (lot.kind === 'container' && quantity > 0) {
      for (const line of scope.takeContents(lot.code, 'consume', scope.at('inputs', input.inputs[position].index ?? position), eventTime))
        packed.push(line);
    }
  }
  scope.requirePackedHeldThen(packed, 'consume');
  // a lot named loose and packed in a case, or packed in two cases, is one input with all used of it
  const sources = new Map<string, { code: string; unit: string; quantity: number }>();
  for (const { code, unit, quantity } of [
    ...used.map(({ lot, quantity }) => ({ code: lot.code, unit: lot.unit, quantity })),
    ...packed.map((line) => ({ code: line.lotCode, unit: scope.lot(line.lotCode)?.unit ?? 'piece', quantity: line.quantity })),
  ]) {
    const known = sources.get(code);
    sources.set(code, { code, unit, quantity: roundQuantity((known?.quantity ?? 0) + quantity) });
  }
  // an output an earlier event of the batch already created is an existing one
  const outputs = input.outputs.map((output) =>
    'lotCode' in output || !output.code || !scope.lot(output.code) ? output : { lotCode: output.code },
  );
  const specs = outputs.flatMap((output, index) => ('lotCode' in output ? [] : [{ spec: output, index }]));
  const created = scope.createLots(
    specs.map(({ spec }) => spec),
    (position) => scope.at('outputs', specs[position].index),
    reuseCodes,
  );
  const existing = outputs.flatMap((output, index) => {
    if (!('lotCode' in output)) return [];
    const [lot] = scope.requireLots([output.lotCode], () => scope.at('outputs', index));
    if (lot.partyCode !== scope.actor) {
      throw forbidden(`${scope.nameOf(lot)} belongs to another party; party ${scope.actor} may not add inputs to it`, [
        bodyField(scope.at('outputs', index), 'a lot of another party'),
      ]);
    }
    return [lot];
  });
  const made = [
    ...created.map((lot) => ({ code: lot.code, quantity: lot.quantity })),
    ...existing.map((lot) => ({ code: lot.code, quantity: null })),
  ];
  for (const { code, unit, quantity } of sources.values()) {
    scope.draft.link(code, 'input', quantity);
    for (const output of made) {
      // an EPCIS object transformed in place is its own input and output: no edge to itself
      if (output.code === code) continue;
      // an existing output that is already upstream of the input would close a cycle
      if (scope.state.reaches(output.code, code)) {
        throw conflict(
          `using ${scope.identifierOfCode(code)} to make ${scope.identifierOfCode(output.code)} would create a lineage cycle`,
          [bodyField(scope.at('outputs'), 'already upstream of an input')],
        );
      }
      scope.draft.edges.push({
        upstreamCode: code,
        downstreamCode: output.code,
        kind: 'transform',
        quantity,
        unit,
        eventId: scope.draft.id,
        partyCode: scope.actor,
      });
    }
  }
  for (const output of made) scope.draft.link(output.code, 'output', output.quantity);
  return {
    payload: {
      process: input.process ?? null,
      inputs: [
        ...used.map(({ lot, quantity }) => ({ lotCode: lot.code, quantity, unit: lot.unit })),
        ...packed.map(({ lotCode, quantity, containerCode }) => ({
          lotCode,
          quantity,
          unit: scope.lot(lotCode)?.unit ?? 'piece',
          containerCode,
        })),
      ],
      outputs: created.map(createdLot),
      ...(existing.length ? { existingOutputs: existing.map((lot) => lot.code) } : {}),
    },
  };
}
