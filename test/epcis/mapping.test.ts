// The native event type each EPCIS event is recorded as: what it does to the objects it names.

import { nativeType } from '../../src/epcis/mapping.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('a TransactionEvent DELETE disassociates its objects from the transaction: it is recorded as seen', async (t) => {
  for (const bizStep of [
    undefined,
    'destroying',
    'retail_selling',
    'shipping',
    'receiving',
    'https://ref.gs1.org/cbv/BizStep-decommissioning',
  ]) {
    t.equal(nativeType({ type: 'TransactionEvent', action: 'DELETE', ...(bizStep ? { bizStep } : {}) }), 'observe', `bizStep ${bizStep}`);
  }
  t.equal(nativeType({ type: 'ObjectEvent', action: 'DELETE' }), 'destroy', 'an ObjectEvent DELETE destroys what it names');
  t.equal(nativeType({ type: 'ObjectEvent', action: 'DELETE', bizStep: 'retail_selling' }), 'destroy', 'whatever its business step');
});

t.test('a TransactionEvent that adds or observes is what its business step says, as an ObjectEvent is', async (t) => {
  const steps: [string | undefined, 'ADD' | 'OBSERVE', string][] = [
    ['retail_selling', 'OBSERVE', 'sell'],
    ['destroying', 'ADD', 'destroy'],
    ['decommissioning', 'OBSERVE', 'destroy'],
    ['shipping', 'OBSERVE', 'ship'],
    ['receiving', 'ADD', 'receive'],
    ['inspecting', 'OBSERVE', 'inspect'],
    [undefined, 'ADD', 'commission'],
    [undefined, 'OBSERVE', 'observe'],
  ];
  for (const [bizStep, action, expected] of steps) {
    for (const type of ['TransactionEvent', 'ObjectEvent']) {
      t.equal(nativeType({ type, action, ...(bizStep ? { bizStep } : {}) }), expected, `${type} ${action} ${bizStep ?? '(no bizStep)'}`);
    }
  }
  t.equal(nativeType({ type: 'AggregationEvent', action: 'DELETE' }), 'disaggregate');
  t.equal(nativeType({ type: 'AssociationEvent', action: 'ADD' }), 'aggregate');
  t.equal(nativeType({ type: 'TransformationEvent' }), 'transform');
});
