// What the writer loads up front for an action: lists of any length, as a captured EPCIS event's
// (whose lots came through a spread's arguments, which overflow the stack at some 100,000).
import { referencesOf } from '../../src/events/writer/rules/index.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test("an action's lots are gathered however many it names", async (t) => {
  const lotCodes = Array.from({ length: 150_000 }, (_, i) => `L${i}`);
  t.equal(referencesOf({ type: 'observe', lotCodes }).lots.length, 150_000, 'observed');
  t.equal(referencesOf({ type: 'hold', lotCodes } as never).lots.length, 150_000, 'held');
  const lines = lotCodes.map((lotCode) => ({ lotCode, quantity: 1 }));
  t.equal(referencesOf({ type: 'sell', lines } as never).lots.length, 150_000, 'sold');
});
