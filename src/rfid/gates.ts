// Observations to events. Stored reads wait until their window has closed; then, a chunk at a
// time, each observation's tag is resolved to what it names and, by the role of its read point,
// becomes an `observe` (pass-through), a `receive` of an open shipment to the party (entry gate),
// a departure matched to an open shipment from the party or reported as unexpected (exit gate),
// or a tag binding (commissioning station). Events are written through the one event writer, in
// the same transaction that marks the observations done, so a crash redoes a chunk or none of it.

import type { Db } from '../db/client.js';
import { Problem } from '../errors/problem.js';
import { timeZoneOffsetOf } from '../events/time.js';
import type { EventWriter, WriteRequest } from '../events/writer/index.js';
import type { Identifier } from '../identifiers/parse.js';
import type { IdentifierService } from '../identifiers/service.js';
import type { ReadOutcome, ReadPointRow, ReadRow, RfidRepository } from './repository.js';
import { gs1KeyOf } from './tags.js';

/** What a tag names: a lot or container, or one pack of a lot. */
type Referent = { lotCode: string; itemCode: string | null };

const CHUNK = 1000;

type Plan = {
  request: WriteRequest;
  rows: ReadRow[];
  outcome: 'observed' | 'received' | 'unexpected_departure';
  detail: string | null;
};

const rowKey = (row: Pick<ReadRow, 'readPointId' | 'tag' | 'windowStart'>) => `${row.readPointId}|${row.tag}|${row.windowStart.getTime()}`;

export function createGateService(deps: {
  transaction: <T>(work: (tx: Db) => Promise<T>) => Promise<T>;
  rfid: Pick<RfidRepository, 'closedWindows' | 'recordOutcomes' | 'findReadPoints' | 'findTags' | 'openShipments' | 'bindTags'>;
  identifiers: Pick<IdentifierService, 'parse' | 'findMany'>;
  writer: Pick<EventWriter, 'write'>;
  now: () => Date;
  onError?: (error: unknown) => void;
}) {
  const { rfid } = deps;

  /** What each observation's tag names: its binding (EPC, then TID), else the GS1 key it carries. */
  async function resolve(tx: Db, rows: ReadRow[]): Promise<Map<string, Referent>> {
    const byEpc = new Map((await rfid.findTags('epc', [...new Set(rows.map((row) => row.tag))], tx)).map((tag) => [tag.value, tag]));
    const tids = [...new Set(rows.flatMap((row) => (row.tid ? [row.tid] : [])))];
    const byTid = new Map((await rfid.findTags('tid', tids, tx)).map((tag) => [tag.value, tag]));
    const found = new Map<string, Referent>();
    const keyed: { row: ReadRow; id: Identifier }[] = [];
    for (const row of rows) {
      const bound = byEpc.get(row.tag) ?? (row.tid ? byTid.get(row.tid) : undefined);
      if (bound) {
        found.set(rowKey(row), { lotCode: bound.lotCode, itemCode: bound.itemCode });
        continue;
      }
      const key = gs1KeyOf(row.tag);
      if (!key) continue;
      try {
        keyed.push({ row, id: deps.identifiers.parse(key) });
      } catch (error) {
        if (!(error instanceof Problem)) throw error;
      }
    }
    const referents = await deps.identifiers.findMany(
      keyed.map((entry) => entry.id),
      tx,
    );
    keyed.forEach(({ row }, index) => {
      const referent = referents[index];
      if (referent && referent.kind !== 'product') {
        found.set(rowKey(row), { lotCode: referent.lotCode, itemCode: referent.kind === 'item' ? referent.itemCode : null });
      }
    });
    return found;
  }

  function context(readPoint: ReadPointRow, rows: ReadRow[], bizStep: string, bizLocation: boolean): WriteRequest['context'] {
    const first = rows.reduce((earliest, row) => (row.firstSeen < earliest.firstSeen ? row : earliest));
    return {
      eventTime: first.firstSeen.toISOString(),
      eventTimeZoneOffset: timeZoneOffsetOf(first.firstSeenRaw),
      bizStep,
      readPoint: readPoint.locationCode,
      ...(bizLocation ? { bizLocation: readPoint.locationCode } : {}),
    };
  }

  /** One observe event per lot seen in each window, with how many of its tags and reads. */
  function observations(
    readPoint: ReadPointRow,
    seen: { row: ReadRow; referent: Referent }[],
    bizStep: string,
    outcome: Plan['outcome'],
    detailOf: (lotCode: string) => string | null = () => null,
  ): Plan[] {
    const byLot = new Map<string, { lotCode: string; rows: ReadRow[] }>();
    for (const { row, referent } of seen) {
      const key = `${referent.lotCode}|${row.windowStart.getTime()}`;
      const group = byLot.get(key) ?? { lotCode: referent.lotCode, rows: [] };
      group.rows.push(row);
      byLot.set(key, group);
    }
    return [...byLot.values()].map(({ lotCode, rows }) => ({
      request: {
        actor: readPoint.partyCode,
        action: {
          type: 'observe',
          lotCodes: [lotCode],
          readings: [{ readPoint: readPoint.name, tags: rows.length, reads: rows.reduce((sum, row) => sum + row.readCount, 0) }],
        },
        context: context(readPoint, rows, bizStep, bizStep !== 'departing'),
      },
      rows,
      outcome,
      detail: detailOf(lotCode),
    }));
  }

  /** Entry gate: what is in an open shipment to the party receives it (the quantity read), the rest is observed. */
  async function entry(tx: Db, readPoint: ReadPointRow, seen: { row: ReadRow; referent: Referent }[]): Promise<Plan[]> {
    const codes = [...new Set(seen.map((entry) => entry.referent.lotCode))];
    const lines = await rfid.openShipments(tx, 'to', readPoint.partyCode, codes);
    const shipmentOf = (code: string) => lines.find((line) => line.lotCode === code || line.containerCode === code)?.id;
    const byShipment = new Map<string, { row: ReadRow; referent: Referent }[]>();
    const rest: { row: ReadRow; referent: Referent }[] = [];
    for (const entry of seen) {
      const shipment = shipmentOf(entry.referent.lotCode);
      if (shipment) byShipment.set(shipment, [...(byShipment.get(shipment) ?? []), entry]);
      else rest.push(entry);
    }
    const plans: Plan[] = [...byShipment].map(([shipmentId, entries]) => {
      // a lot counted in pieces whose packs were read (and not the lot's own tag) arrives as many as were read
      const received = lines
        .filter((line) => line.id === shipmentId && line.containerCode === null && line.unit === 'piece')
        .flatMap((line) => {
          const ofLot = entries.filter((entry) => entry.referent.lotCode === line.lotCode);
          if (ofLot.length === 0 || ofLot.some((entry) => entry.referent.itemCode === null)) return [];
          const packs = new Set(ofLot.map((entry) => entry.referent.itemCode)).size;
          return [{ lotCode: line.lotCode, quantity: Math.min(packs, line.quantity) }];
        });
      const rows = entries.map((entry) => entry.row);
      return {
        request: {
          actor: readPoint.partyCode,
          action: { type: 'receive', shipmentId, ...(received.length > 0 ? { lines: received } : {}) },
          context: context(readPoint, rows, 'receiving', true),
        },
        rows,
        outcome: 'received',
        detail: shipmentId,
      };
    });
    return [...plans, ...observations(readPoint, rest, 'arriving', 'observed')];
  }

  /**
   * Exit gate: what leaves in an open shipment from the party confirms that shipment (its ship
   * event already says it left); anything else is an unexpected departure, recorded as seen leaving.
   */
  async function exit(
    tx: Db,
    readPoint: ReadPointRow,
    seen: { row: ReadRow; referent: Referent }[],
    settle: (row: ReadRow, outcome: string, lotCode: string, detail: string) => void,
  ): Promise<Plan[]> {
    const codes = [...new Set(seen.map((entry) => entry.referent.lotCode))];
    const lines = await rfid.openShipments(tx, 'from', readPoint.partyCode, codes);
    const shipmentOf = (code: string) => lines.find((line) => line.lotCode === code || line.containerCode === code)?.id;
    const unexpected: { row: ReadRow; referent: Referent }[] = [];
    for (const entry of seen) {
      const shipmentId = shipmentOf(entry.referent.lotCode);
      if (shipmentId) settle(entry.row, 'departed', entry.referent.lotCode, shipmentId);
      else unexpected.push(entry);
    }
    return observations(readPoint, unexpected, 'departing', 'unexpected_departure', () => 'in no open shipment of the party');
  }

  /** Turns one chunk of closed windows into events; returns how many observations it handled. */
  async function processChunk(limit = CHUNK): Promise<number> {
    return deps.transaction(async (tx) => {
      const rows = await rfid.closedWindows(tx, deps.now(), limit);
      if (rows.length === 0) return 0;
      const readPoints = new Map(
        (await rfid.findReadPoints([...new Set(rows.map((row) => row.readPointId))], tx)).map((readPoint) => [readPoint.id, readPoint]),
      );
      const referents = await resolve(tx, rows);
      const outcomes: ReadOutcome[] = [];
      const settle = (row: ReadRow, outcome: string, lotCode: string | null, eventId: string | null, detail: string | null) =>
        outcomes.push({ readPointId: row.readPointId, tag: row.tag, windowStart: row.windowStart, outcome, lotCode, eventId, detail });

      // a read point at a time: a gate receives a shipment on everything of it read in the windows closed so far
      const groups = new Map<string, ReadRow[]>();
      for (const row of rows) groups.set(row.readPointId, [...(groups.get(row.readPointId) ?? []), row]);
      const plans: Plan[] = [];
      const bindings: Parameters<RfidRepository['bindTags']>[0] = [];
      for (const group of groups.values()) {
        const readPoint = readPoints.get(group[0].readPointId) as ReadPointRow;
        const seen: { row: ReadRow; referent: Referent }[] = [];
        for (const row of group) {
          const referent = referents.get(rowKey(row));
          if (referent) seen.push({ row, referent });
          else if (readPoint.role === 'commissioning' && readPoint.bindToCode) {
            bindings.push({
              kind: 'epc',
              value: row.tag,
              partyCode: readPoint.partyCode,
              lotCode: readPoint.bindToCode,
              itemCode: null,
              source: `read point ${readPoint.id}`,
              boundAt: deps.now(),
            });
            settle(row, 'bound', readPoint.bindToCode, null, null);
          } else settle(row, 'unknown', null, null, null);
        }
        if (readPoint.role === 'entry') plans.push(...(await entry(tx, readPoint, seen)));
        else if (readPoint.role === 'exit') {
          plans.push(...(await exit(tx, readPoint, seen, (row, outcome, lotCode, detail) => settle(row, outcome, lotCode, null, detail))));
        } else plans.push(...observations(readPoint, seen, readPoint.role === 'commissioning' ? 'encoding' : 'storing', 'observed'));
      }
      await rfid.bindTags(bindings, tx);
      // receipts first: a lot received at a gate may be observed there in the same chunk
      plans.sort((a, b) => Number(b.outcome === 'received') - Number(a.outcome === 'received'));
      const written = await deps.writer.write(
        tx,
        plans.map((plan) => plan.request),
        'proceed',
      );
      plans.forEach((plan, index) => {
        const result = written[index];
        for (const row of plan.rows) {
          const lotCode = referents.get(rowKey(row))?.lotCode ?? null;
          if (result.ok) settle(row, plan.outcome, lotCode, result.event.id, plan.detail);
          else settle(row, 'rejected', lotCode, null, result.problem.detail ?? result.problem.title);
        }
      });
      await rfid.recordOutcomes(tx, outcomes, deps.now());
      return rows.length;
    });
  }

  let timer: NodeJS.Timeout | undefined;
  let scheduled: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;

  /** Works through every closed window; one run at a time (a kick during a run makes it go round again). */
  function run(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        while (!stopped && (await processChunk()) > 0) {
          // let requests in between chunks
          await new Promise((resolve) => setImmediate(resolve));
        }
      } while (again && !stopped);
    })()
      .catch((error) => deps.onError?.(error))
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  return {
    processChunk,
    /** Turns every window closed by now into events (tests, tools). */
    drain: async () => {
      await running;
      while ((await processChunk()) > 0) {}
    },
    /** A batch was stored: look for closed windows soon (batches arriving together share one look), once started. */
    kick() {
      if (stopped || scheduled) return;
      scheduled = setTimeout(() => {
        scheduled = undefined;
        void run();
      }, 50);
      scheduled.unref();
    },
    /** Looks for windows that have closed every `tickMs` (and at once, for those left from the last run). */
    start(tickMs: number) {
      stopped = false;
      timer = setInterval(() => void run(), tickMs);
      timer.unref();
      void run();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(scheduled);
      scheduled = undefined;
      await running;
    },
  };
}

export type GateService = ReturnType<typeof createGateService>;
