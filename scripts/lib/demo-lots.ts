// Lots for benchmarks made on the Fengjie demo chain (seeds/fengjie.ts), through the production event service.
import { type DemoChain, demoCalendar } from '../../seeds/fengjie.js';
import type { Principal } from '../../src/access/index.js';
import { type App, createRepositories } from '../../src/app.js';
import type { Database } from '../../src/db/client.js';

/**
 * A lot of the demo's pack product packed by its processor (`operator`) from the rest of the cured
 * meat the demo's pack lot was made of, in `packs` packs: a lot as deep in the chain as the demo's
 * own, to take as many item codes.
 */
export async function packDemoLot(
  app: App,
  database: Database,
  demo: DemoChain,
  operator: Principal,
  { lotNumber, packs }: { lotNumber: string; packs: number },
): Promise<string> {
  const days = demoCalendar(app.services.now());
  const lots = createRepositories(database).lots;
  const [retail] = await lots.findByCodes([demo.retailLotCode]);
  // the cured bulk lot the demo packed from, numbered as its pack lot without the pack size
  const bulk = await lots.findByLotNumber(demo.parties.processor, demo.retailLotNumber.replace(/-500G$/, ''));
  if (!bulk || !retail?.productCode) throw new Error('the demo chain has no cured bulk lot or pack product');
  const packed = await app.services.events.record(operator, {
    type: 'transform',
    eventTime: days.at(17, '09:00'),
    bizStep: 'packing',
    process: { kind: 'packing' },
    inputs: [{ lotCode: bulk.code, quantity: 1 }],
    outputs: [{ productCode: retail.productCode, lotNumber, quantity: packs, productionDate: days.date(17) }],
  });
  return packed.createdLotCodes[0] as string;
}
