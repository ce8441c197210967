import {
  actingParty,
  canReadLot,
  canReadPartyData,
  identifierNamesLotOpenly,
  identifierNamesLotTo,
  mayBindTagOfKeyOwner,
  mayBindTagsTo,
  type Principal,
  partyFilter,
  privateScope,
  readerIdempotencyScope,
  requireLocationOf,
  requireMasterDataWriter,
  requireOwnReader,
  requireReaderKey,
  requireReaderOwner,
  requireReadPointOfReader,
  requireReadPointPoster,
} from '../access/index.js';
import { type AuditRecorder, chainOf } from '../audit/service.js';
import { uuidV7 } from '../codes/uuid-v7.js';
import type { Transact } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { type Answered, type IdempotentRequest, once } from '../db/idempotency.js';
import { badRequest, bodyField, conflict, type FieldProblem, forbidden, notFound, Problem, unprocessable } from '../errors/problem.js';
import { FUTURE_TOLERANCE_MS } from '../events/writer/index.js';
import type { IdentifierService } from '../identifiers/service.js';
import type { LocationsRepository } from '../locations/repository.js';
import { CONTAINER_UNIT } from '../lots/ledger.js';
import type { LotsRepository } from '../lots/repository.js';
import { type ParsedBatch, parseGeneric, parseImpinj, parseZebra, type ReaderFormat, readerClockProblem } from './payloads.js';
import type { ReaderRow, ReadPointRow, RfidRepository, TagRow } from './repository.js';
import type { CreateReadPointInput, ReadPointRole, ReadsFilter, TagBinding, UnknownTagsFilter } from './schemas.js';
import { bindingValues, companyKeyOf, epcProblem, gs1KeyOf, normalizeTag, tagKey } from './tags.js';
import { collapseReads, type PlacedRead } from './windows.js';

/** Every antenna of a reader, when no antenna has a read point of its own. */
const ANY_ANTENNA = '*';

type ReaderKeys = {
  /** Issued by `by`, whose key the issue's audit entry names (and on whose chain it goes). */
  issue: (partyCode: string, label: string, by: Principal) => Promise<{ id: string; key: string }>;
  revoke: (id: string, by: Principal) => Promise<unknown>;
};

const MAX_PROBLEMS = 100;
/** A read of a batch left out of it: where it sits in the body and why it could not be placed. */
type UnplacedRead = { pointer: string; reason: string };
/** What a reader's batch is answered (202). */
type IngestResult = {
  batchId: string | null;
  reads: number;
  observations: number;
  otherEvents: number;
  /** Reads left out, none of them stored (the first MAX_PROBLEMS named in unplacedReads). */
  unplaced: number;
  unplacedReads: UnplacedRead[];
};
/**
 * What a read of a tag bound to a lot the party may not read says instead of the gate's refusal, which
 * names the lot: nothing of whether or by whom the tag was bound.
 */
const NOT_A_LOT_OF_THE_PARTY = 'the tag names nothing this party holds or has on its way to it';

export function createRfidService(deps: {
  rfid: Pick<
    RfidRepository,
    | 'insertReader'
    | 'findReaderByHostName'
    | 'findReadersByIds'
    | 'findReadersForBatch'
    | 'listReaders'
    | 'insertReadPoint'
    | 'findAntennas'
    | 'antennasOfReadPoints'
    | 'findReadPoints'
    | 'listReadPoints'
    | 'storeBatches'
    | 'bindTags'
    | 'keptAnswer'
    | 'unbindTags'
    | 'ownersOfTagKeys'
    | 'custodyOf'
    | 'findTags'
    | 'findEpcBinding'
    | 'listReads'
    | 'unknownTags'
    | 'activity'
  >;
  transaction: Transact;
  locations: Pick<LocationsRepository, 'findByCode'>;
  lots: Pick<LotsRepository, 'involvedPartiesOf' | 'findByCodes'>;
  identifiers: Pick<IdentifierService, 'parse' | 'findMany'>;
  partyExists: (code: string) => Promise<boolean>;
  /** Readers' device keys, issued (and revoked) through the API key service. */
  readerKeys: ReaderKeys;
  /** Records readers and read points registered on the chain of the key that registered them, in their transaction. */
  audit: AuditRecorder;
  /** Called after a batch is stored: its windows may be ready to become events. */
  onStored?: () => void;
  now: () => Date;
}) {
  const { rfid } = deps;

  async function readPointView(rows: ReadPointRow[]) {
    const antennas = await rfid.antennasOfReadPoints(rows.map((row) => row.id));
    return rows.map((row) => ({
      ...row,
      role: row.role as ReadPointRole,
      antennas: antennas.filter((antenna) => antenna.readPointId === row.id).map(({ readerId, antenna }) => ({ readerId, antenna })),
    }));
  }

  /**
   * The lot (and pack) a code names to the principal, for tag bindings and commissioning stations:
   * none for an identifier that does not name its lot to it (see identifierNamesLotTo), as for an
   * unknown one.
   */
  async function referentsOf(principal: Principal, codes: string[]) {
    const parsed = codes.map((code) => {
      try {
        return deps.identifiers.parse(code);
      } catch (error) {
        if (error instanceof Problem) return undefined;
        throw error;
      }
    });
    const ids = parsed.filter((id) => id !== undefined);
    const found = await deps.identifiers.findMany(ids);
    const scope = privateScope(principal);
    const privatelyNamed = found.flatMap((referent, index) =>
      referent && referent.kind !== 'product' && !identifierNamesLotOpenly(ids[index].kind) ? [referent.lotCode] : [],
    );
    const involved = scope === null ? new Map<string, Set<string>>() : await deps.lots.involvedPartiesOf([...new Set(privatelyNamed)]);
    let next = 0;
    return parsed.map((id) => {
      if (!id) return undefined;
      const referent = found[next++];
      if (!referent || referent.kind === 'product') return undefined;
      if (!identifierNamesLotTo(scope, id.kind, involved.get(referent.lotCode) ?? new Set())) return undefined;
      return { lotCode: referent.lotCode, itemCode: referent.kind === 'item' ? referent.itemCode : null };
    });
  }

  /** Refuses, naming each, the lots the party may not bind tags to (see mayBindTagsTo). */
  async function requireTagBinder(partyCode: string, lotCodes: string[], pointerOf: (index: number) => (string | number)[]) {
    const custody = await rfid.custodyOf([...new Set(lotCodes)]);
    const refused = lotCodes.flatMap((lotCode, index) => {
      const lot = custody.get(lotCode);
      return lot && mayBindTagsTo(partyCode, lot) ? [] : [{ index }];
    });
    if (refused.length === 0) return;
    // named by where the request names them: a lot's code and owner are its owner's business
    throw forbidden(
      `party ${partyCode} may not bind tags to ${refused.length > 1 ? `${refused.length} of the lots named` : 'the lot named'}: ` +
        "tags are bound by a lot's owner, a holder of it, or the addressee of an open shipment carrying it",
      refused
        .slice(0, MAX_PROBLEMS)
        .map(({ index }) => bodyField(pointerOf(index), `a lot neither owned nor held by ${partyCode}, nor on its way to it`)),
    );
  }

  /**
   * Refuses, naming each, the bindings whose unit cannot be: an item code bound as its whole lot (it
   * names one pack), or a tag bound as one pack of a lot not counted in pieces (the gates count a
   * pack tag as one piece) or of a container (one unit: its tag is bound as the container).
   */
  async function requireCountedPacks(bindings: TagBinding[], rows: { lotCode: string; itemCode: string | null; unit: string }[]) {
    const packLots = [...new Set(rows.flatMap((row) => (row.unit === 'pack' && !row.itemCode ? [row.lotCode] : [])))];
    const units = new Map((await deps.lots.findByCodes(packLots)).map((lot) => [lot.code, lot.unit]));
    const problems = rows.flatMap((row, index): FieldProblem[] => {
      const path = ['tags', index, 'unit'];
      if (row.itemCode && bindings[index].unit === 'lot')
        return [bodyField(path, `${row.itemCode} is one pack of lot ${row.lotCode}: its tag counts that pack (unit pack)`)];
      const unit = row.unit === 'pack' && !row.itemCode ? units.get(row.lotCode) : undefined;
      if (unit === undefined || unit === 'piece') return [];
      return [
        bodyField(
          path,
          unit === CONTAINER_UNIT
            ? `${row.lotCode} is a container, one unit: bind its tag as the container (unit lot)`
            : `lot ${row.lotCode} is counted in ${unit}, not in pieces (piece): pack tags are for lots counted in pieces only, each counting one piece`,
        ),
      ];
    });
    if (problems.length > 0)
      throw unprocessable(
        'tag-unit-refused',
        `${problems.length} tag(s) cannot be bound as the unit given (${problems[0].pointer}: ${problems[0].detail})`,
        problems.slice(0, MAX_PROBLEMS),
      );
  }

  /**
   * Places each read at its reader's read point. A read that cannot be placed (dated by a reset clock,
   * a reader or read point no one registered, an antenna that serves no read point) is left out, named; a batch none of whose
   * reads can be placed is refused whole, so that a wholly misconfigured reader is noticed. A read for
   * a reader or read point of another party, or a reader's own key naming a read point its antennas
   * do not serve, refuses the batch (403).
   */
  async function place(
    principal: Principal,
    parsed: ParsedBatch,
  ): Promise<{ reads: PlacedRead[]; readerId: string | undefined; unplaced: FieldProblem[] }> {
    const hostNames = [...new Set(parsed.reads.flatMap((read) => (read.hostName ? [read.hostName] : [])))];
    const readers = await rfid.findReadersForBatch(principal.keyId, hostNames);
    const keyReader = readers.find((reader) => reader.apiKeyId === principal.keyId);
    // host names are unique within a party: a name is the posting party's own reader, else another
    // party's (which the party may not post for)
    const byHost = new Map(
      readers
        .sort((a, b) => Number(a.partyCode === principal.partyCode) - Number(b.partyCode === principal.partyCode))
        .map((reader) => [reader.hostName.toLowerCase(), reader]),
    );
    const antennas = await rfid.findAntennas(readers.map((reader) => reader.id));
    const named = [...new Set(parsed.reads.flatMap((read) => (read.readPointId ? [read.readPointId] : [])))];
    const readPoints = new Map(
      (await rfid.findReadPoints([...new Set([...antennas.map((a) => a.readPointId), ...named])])).map((row) => [row.id, row]),
    );
    const antennaMap = new Map(antennas.map((antenna) => [`${antenna.readerId}|${antenna.antenna}`, antenna.readPointId]));
    // which of the batch's readers serve each read point: a reader's own key names only its own read points
    const servedBy = new Map<string, Set<string>>();
    for (const { readPointId, readerId } of antennas) servedBy.set(readPointId, (servedBy.get(readPointId) ?? new Set()).add(readerId));

    const problems: FieldProblem[] = [];
    const placed: PlacedRead[] = [];
    for (const [position, read] of parsed.reads.entries()) {
      const clock = readerClockProblem(read);
      if (clock) {
        problems.push(bodyField([...read.pointer, ...read.paths.time], clock));
        continue;
      }
      const reader = read.hostName ? byHost.get(read.hostName.toLowerCase()) : keyReader;
      if (!reader) {
        problems.push(
          read.hostName
            ? bodyField([...read.pointer, ...read.paths.hostName], `no reader is registered with host name ${read.hostName}`)
            : bodyField(read.pointer, 'this key belongs to no registered reader: name the reader'),
        );
        continue;
      }
      requireReaderOwner(principal, reader, read.hostName ? [...read.pointer, ...read.paths.hostName] : read.pointer);
      requireOwnReader(keyReader, reader, [...read.pointer, ...read.paths.hostName]);
      const readPointId =
        read.readPointId ??
        [...read.antennas, ANY_ANTENNA].map((antenna) => antennaMap.get(`${reader.id}|${antenna}`)).find((id) => id !== undefined);
      const readPoint = readPointId ? readPoints.get(readPointId) : undefined;
      if (!readPoint) {
        problems.push(
          read.readPointId
            ? bodyField([...read.pointer, 'readPoint'], `no read point ${read.readPointId}`)
            : bodyField(
                [...read.pointer, ...read.paths.antenna],
                `antenna ${read.antennas.join(' / ') || '(none given)'} of reader ${reader.hostName} serves no read point`,
              ),
        );
        continue;
      }
      requireReadPointPoster(
        principal,
        readPoint,
        read.readPointId ? [...read.pointer, 'readPoint'] : [...read.pointer, ...read.paths.antenna],
      );
      if (read.readPointId) requireReadPointOfReader(keyReader, servedBy.get(readPoint.id) ?? new Set(), [...read.pointer, 'readPoint']);
      placed.push({
        partyCode: readPoint.partyCode,
        readPointId: readPoint.id,
        windowMs: readPoint.windowSeconds * 1000,
        readerId: reader.id,
        antenna: read.antennas[0] ?? ANY_ANTENNA,
        tag: read.tag,
        tid: read.tid,
        time: read.time,
        rawTime: read.rawTime,
        rssi: read.rssi,
        count: read.count,
        position,
      });
    }
    if (placed.length === 0 && problems.length > 0) {
      throw badRequest(
        `no read of the batch can be placed: ${problems.length} read(s) (${problems[0].pointer}: ${problems[0].detail}); nothing of the batch was stored`,
        problems.slice(0, MAX_PROBLEMS),
      );
    }
    const readerId = keyReader?.id ?? placed[0]?.readerId;
    return { reads: placed, readerId, unplaced: problems };
  }

  return {
    async registerReader(principal: Principal, input: { partyCode: string; hostName: string; serial?: string; name?: string }) {
      requireMasterDataWriter(principal, input.partyCode);
      if (!(await deps.partyExists(input.partyCode)))
        throw notFound(`no party ${input.partyCode}`, [bodyField(['partyCode'], 'no such party')]);
      if (await rfid.findReaderByHostName(input.partyCode, input.hostName)) {
        throw hostNameTaken(input.hostName);
      }
      const key = await deps.readerKeys.issue(input.partyCode, `reader ${input.hostName}`, principal);
      let reader: ReaderRow;
      try {
        reader = await deps.transaction(async (tx) => {
          const inserted = await rfid.insertReader(
            {
              id: uuidV7(deps.now()),
              partyCode: input.partyCode,
              hostName: input.hostName,
              serial: input.serial ?? null,
              name: input.name ?? null,
              apiKeyId: key.id,
            },
            tx,
          );
          await deps.audit.record(tx, { chain: chainOf(principal), kind: 'rfid.reader', subjectId: inserted.id, keyId: principal.keyId });
          return inserted;
        });
      } catch (error) {
        await deps.readerKeys.revoke(key.id, principal);
        // registered by a request that ran at the same time
        if (isUniqueViolation(error)) throw hostNameTaken(input.hostName);
        throw error;
      }
      return { ...publicReader(reader), key: key.key };
    },

    async listReaders(principal: Principal, partyCode: string | undefined) {
      return (await rfid.listReaders(partyFilter(principal, partyCode, 'readers'))).map(publicReader);
    },

    async createReadPoint(principal: Principal, input: CreateReadPointInput) {
      requireMasterDataWriter(principal, input.partyCode);
      const location = await deps.locations.findByCode(input.locationCode);
      if (!location)
        throw unprocessable('unknown-reference', `no location ${input.locationCode}`, [bodyField(['locationCode'], 'unknown location')]);
      requireLocationOf(location, input.partyCode, ['locationCode']);
      const readers = new Map((await rfid.findReadersByIds(input.antennas.map((a) => a.readerId))).map((reader) => [reader.id, reader]));
      const taken = new Set((await rfid.findAntennas([...readers.keys()])).map((a) => `${a.readerId}|${a.antenna}`));
      const seen = new Set<string>();
      input.antennas.forEach(({ readerId, antenna }, index) => {
        const reader = readers.get(readerId);
        if (!reader || reader.partyCode !== input.partyCode) {
          throw unprocessable('unknown-reader', `no reader ${readerId} of party ${input.partyCode}`, [
            bodyField(['antennas', index, 'readerId'], 'not a reader of the party'),
          ]);
        }
        const key = `${readerId}|${antenna}`;
        if (taken.has(key) || seen.has(key)) {
          throw conflict(`antenna ${antenna} of reader ${reader.hostName} already serves a read point`, [
            bodyField(['antennas', index, 'antenna'], 'already mapped'),
          ]);
        }
        seen.add(key);
      });
      let bindToCode: string | null = null;
      if (input.bindToCode !== undefined) {
        if (input.role !== 'commissioning') {
          throw badRequest('only a commissioning station binds tags', [bodyField(['bindToCode'], 'only for role commissioning')]);
        }
        const [target] = await referentsOf(principal, [input.bindToCode]);
        if (!target || target.itemCode) {
          throw unprocessable('unknown-lot', `${input.bindToCode} names no lot or container`, [
            bodyField(['bindToCode'], 'not a lot or container'),
          ]);
        }
        await requireTagBinder(input.partyCode, [target.lotCode], () => ['bindToCode']);
        bindToCode = target.lotCode;
      }
      const id = uuidV7(deps.now());
      const insert = () =>
        deps.transaction(async (tx) => {
          const inserted = await rfid.insertReadPoint(
            {
              id,
              partyCode: input.partyCode,
              locationCode: location.code,
              name: input.name,
              role: input.role,
              windowSeconds: input.windowSeconds ?? 30,
              bindToCode,
            },
            input.antennas.map(({ readerId, antenna }) => ({
              readerId,
              antenna: String(antenna),
              readPointId: id,
              partyCode: input.partyCode,
            })),
            tx,
          );
          await deps.audit.record(tx, {
            chain: chainOf(principal),
            kind: 'rfid.read-point',
            subjectId: inserted.id,
            keyId: principal.keyId,
          });
          return inserted;
        });
      const row = await insert().catch((error) => {
        // an antenna mapped by a request that ran at the same time
        if (isUniqueViolation(error)) throw conflict('an antenna of the read point already serves another read point');
        throw error;
      });
      return (await readPointView([row]))[0];
    },

    async listReadPoints(principal: Principal, partyCode: string | undefined) {
      return readPointView(await rfid.listReadPoints(partyFilter(principal, partyCode, 'read points')));
    },

    /**
     * Stores a reader's batch: checked whole (a bad element is a 400 naming its index, and nothing
     * is stored); reads that cannot be placed are left out and named in the answer (see place);
     * collapsed into windows and stored in one statement before it is acknowledged. Under
     * a key (see src/db/idempotency.ts), once: a resent batch is answered as it was first, its key read
     * before its reads are placed (an antenna mapped elsewhere since changes nothing of the answer)
     * and claimed again in the batch's transaction.
     */
    async ingest(
      principal: Principal,
      format: ReaderFormat,
      body: unknown,
      idempotent?: IdempotentRequest<IngestResult>,
    ): Promise<Answered<IngestResult>> {
      requireReaderKey(principal);
      const partyCode = principal.partyCode as string;
      const receivedAt = deps.now();
      // a reader's clock may run ahead by the drift the event writer allows; a later read could never become an event
      const latestTime = new Date(receivedAt.getTime() + FUTURE_TOLERANCE_MS);
      const parsed =
        format === 'zebra'
          ? parseZebra(body, receivedAt, latestTime)
          : format === 'impinj'
            ? parseImpinj(body, latestTime)
            : parseGeneric(body, latestTime);
      // a reader key's Idempotency-Keys are its own: two readers of a party number their batches alike
      const keyScope = readerIdempotencyScope(principal);
      const kept = idempotent && (await rfid.keptAnswer(keyScope, idempotent, receivedAt));
      if (kept) return kept;
      if (parsed.reads.length === 0 && parsed.otherEvents === 0) {
        const empty: IngestResult = { batchId: null, reads: 0, observations: 0, otherEvents: 0, unplaced: 0, unplacedReads: [] };
        // nothing is stored, but a key is claimed for it: its retry is a replay, another batch under it a reuse
        if (!idempotent) return { replayed: false, answer: empty };
        return deps.transaction((tx) => once(tx, idempotent, keyScope, receivedAt, async () => empty));
      }
      const { reads, readerId, unplaced } = await place(principal, parsed);
      const unplacedReads = unplaced.slice(0, MAX_PROBLEMS).map(({ pointer, detail }) => ({ pointer, reason: detail }));
      const windows = collapseReads(reads);
      // one batch of each reader whose reads the post brings (a middleware forwards several readers'), the
      // key's or first-named reader's first with the other events: each keeps the latest time its own reader
      // gave a read, beside when the service received it how far that reader's clock runs off
      const readerIds = [...new Set([readerId ?? principal.keyId, ...reads.map((read) => read.readerId)])];
      const batches = readerIds.map((batchReaderId, index) => {
        const own = reads.filter((read) => read.readerId === batchReaderId);
        return {
          id: uuidV7(receivedAt),
          partyCode,
          readerId: batchReaderId,
          format,
          receivedAt,
          reads: own.reduce((sum, read) => sum + read.count, 0),
          otherEvents: index === 0 ? parsed.otherEvents : 0,
          latestReadAt: own.reduce<Date | null>((latest, read) => (latest === null || read.time > latest ? read.time : latest), null),
        };
      });
      const batchId = batches[0].id;
      const readCount = reads.reduce((sum, read) => sum + read.count, 0);
      const answered = await deps.transaction((tx) =>
        once(tx, idempotent, keyScope, receivedAt, async () => {
          await rfid.storeBatches(batches, windows, tx);
          return {
            batchId,
            reads: readCount,
            observations: windows.length,
            otherEvents: parsed.otherEvents,
            unplaced: unplaced.length,
            unplacedReads,
          };
        }),
      );
      if (!answered.replayed && windows.length > 0) deps.onStored?.();
      return answered;
    },

    /**
     * Binds tags (by EPC or TID) to the item, lot or container each is attached to, all or none. Under
     * a key (see src/db/idempotency.ts), once: a retry is answered as the binding was, read before
     * anything else (a lot shipped away since, or a tag the party moved elsewhere since, changes
     * nothing of it), and claimed again in the binding's transaction.
     */
    async bindTags(
      principal: Principal,
      bindings: TagBinding[],
      idempotent?: IdempotentRequest<{ items: TagRow[] }>,
    ): Promise<Answered<{ items: TagRow[] }>> {
      const actor = actingParty(principal);
      const kept = idempotent && (await rfid.keptAnswer(actor, idempotent, deps.now()));
      if (kept) return kept;
      const problems: FieldProblem[] = [];
      bindings.forEach((binding, index) => {
        const epcFault = binding.epc && epcProblem(binding.epc.trim());
        if (!binding.epc && !binding.tid) problems.push(bodyField(['tags', index], 'give the tag’s epc or its tid'));
        else if (binding.epc && binding.tid) problems.push(bodyField(['tags', index], 'give the tag’s epc or its tid, not both'));
        else if (epcFault) problems.push(bodyField(['tags', index, 'epc'], epcFault));
      });
      const targets = await referentsOf(
        principal,
        bindings.map((binding) => binding.code),
      );
      targets.forEach((target, index) => {
        if (!target) problems.push(bodyField(['tags', index, 'code'], `${bindings[index].code} names no item, lot or container`));
      });
      problems.sort((a, b) => indexOf(a) - indexOf(b));
      if (problems.length > 0)
        throw badRequest(
          `${new Set(problems.map(indexOf)).size} tag(s) cannot be bound (${problems[0].pointer}: ${problems[0].detail})`,
          problems.slice(0, MAX_PROBLEMS),
        );
      const rows = bindings.map((binding, index) => {
        const target = targets[index] as { lotCode: string; itemCode: string | null };
        // an EPC by the GS1 key it carries: one tag is one binding however it is spelled
        return {
          kind: binding.epc ? ('epc' as const) : ('tid' as const),
          value: binding.epc ? tagKey(binding.epc) : normalizeTag(binding.tid as string),
          partyCode: actor,
          ...target,
          // an item code names one pack
          unit: target.itemCode ? ('pack' as const) : (binding.unit ?? 'lot'),
          source: 'api',
          boundAt: deps.now(),
        };
      });
      const keys = new Set<string>();
      rows.forEach((row, index) => {
        const key = `${row.kind}|${row.value}`;
        if (keys.has(key)) problems.push(bodyField(['tags', index], `${row.kind} ${row.value} is listed twice`));
        keys.add(key);
      });
      if (problems.length > 0) throw badRequest(`${problems[0].detail}`, problems.slice(0, MAX_PROBLEMS));
      // a binding stored before bindings were keyed, under a spelling migrations 0083 and 0087 could not rekey:
      // the party's own gives way to this one, another party's stays
      const spelled = await rfid.findTags(
        'epc',
        rows.flatMap((row, index) =>
          row.kind === 'epc' ? bindingValues(bindings[index].epc as string).filter((v) => v !== row.value) : [],
        ),
      );
      const respelled = rows.flatMap((row, index) => {
        const other = row.kind === 'epc' ? spelled.find((tag) => tag.partyCode !== actor && tagKey(tag.value) === row.value) : undefined;
        return other ? [{ index, value: other.value }] : [];
      });
      if (respelled.length > 0) {
        throw conflict(
          `${respelled.length} tag(s) are bound by another party (${respelled[0].value})`,
          respelled.slice(0, MAX_PROBLEMS).map(({ index, value }) => bodyField(['tags', index], `bound by another party as ${value}`)),
        );
      }
      const companyKeys = rows.flatMap((row, index) => {
        const key = row.kind === 'epc' ? companyKeyOf(row.value) : null;
        return key ? [{ key, index }] : [];
      });
      const keyOwners = await rfid.ownersOfTagKeys(companyKeys.map((entry) => entry.key));
      const foreign = companyKeys.flatMap(({ index }, position) => {
        const owner = keyOwners[position];
        return owner !== null && !mayBindTagOfKeyOwner(actor, owner) ? [{ index, owner }] : [];
      });
      if (foreign.length > 0) {
        throw forbidden(
          `party ${actor} may not bind ${foreign.length} tag(s) carrying another party's GS1 key (${rows[foreign[0].index].value} is ${foreign[0].owner}'s): ` +
            "a tag carrying a GTIN of a registered product, or a key under a party's company prefix, is bound by that party",
          foreign
            .slice(0, MAX_PROBLEMS)
            .map(({ index, owner }) => bodyField(['tags', index, 'epc'], `carries a GS1 key of ${owner}, not of ${actor}`)),
        );
      }
      await requireTagBinder(
        actor,
        rows.map((row) => row.lotCode),
        (index) => ['tags', index, 'code'],
      );
      // a binding outranks the GS1 key a tag carries: a tag naming a known case or pack is pointed
      // elsewhere only by a party that may bind tags to that case or pack too
      const carried = rows.flatMap((row, index) => {
        const key = row.kind === 'epc' ? gs1KeyOf(row.value) : null;
        return key ? [{ key, index }] : [];
      });
      const named = (
        await referentsOf(
          principal,
          carried.map((entry) => entry.key),
        )
      ).flatMap((referent, position) => (referent ? [{ lotCode: referent.lotCode, index: carried[position].index }] : []));
      await requireTagBinder(
        actor,
        named.map((entry) => entry.lotCode),
        (position) => ['tags', named[position].index, 'epc'],
      );
      await requireCountedPacks(bindings, rows);
      return deps.transaction((tx) =>
        once(tx, idempotent, actor, deps.now(), async () => {
          await rfid.unbindTags(
            'epc',
            spelled.map((tag) => tag.value),
            tx,
          );
          const bound = await rfid.bindTags(rows, tx);
          if (bound.length < rows.length) {
            const stored = new Set(bound.map((row) => `${row.kind}|${row.value}`));
            const refused = rows.flatMap((row, index) => (stored.has(`${row.kind}|${row.value}`) ? [] : [index]));
            // nothing of the request is kept: the transaction rolls back
            // named by the key the binding is stored under, whichever spelling either party gave
            throw conflict(
              `${refused.length} tag(s) are bound by another party (${rows[refused[0]].value})`,
              refused.slice(0, MAX_PROBLEMS).map((index) => bodyField(['tags', index], `bound by another party as ${rows[index].value}`)),
            );
          }
          return { items: bound };
        }),
      );
    },

    /**
     * A tag's binding, to its party and to those who may read its lot (canReadLot, the rule of GET
     * /lots/{code}: a receiver of goods by the tag reads what it names); to anyone else, as a tag
     * bound by no one.
     */
    async tag(principal: Principal, value: string): Promise<TagRow> {
      const tag = normalizeTag(value);
      const row = (await rfid.findEpcBinding(tag)) ?? (await rfid.findTags('tid', [tag]))[0];
      if (row && canReadPartyData(principal, row.partyCode)) return row;
      if (row && canReadLot(principal, (await deps.lots.involvedPartiesOf([row.lotCode])).get(row.lotCode) ?? new Set())) return row;
      throw notFound(`no tag ${value} this key may read`);
    },

    /**
     * The reads of a party's read points. A read names the lot its tag is bound to only to those who
     * may read that lot (canReadLot): another party's tag read at the party's gate (which the gate
     * could only refuse) names no lot, as GET /rfid/tags/{tag} does not show its binding either.
     */
    async listReads(principal: Principal, filter: ReadsFilter) {
      const rows = await rfid.listReads({
        ...filter,
        partyCode: partyFilter(principal, filter.partyCode, 'RFID reads'),
      });
      if (privateScope(principal) === null) return rows;
      const involved = await deps.lots.involvedPartiesOf([...new Set(rows.flatMap((row) => (row.lotCode ? [row.lotCode] : [])))]);
      return rows.map((row) =>
        row.lotCode === null || canReadLot(principal, involved.get(row.lotCode) ?? new Set())
          ? row
          : { ...row, lotCode: null, eventId: null, detail: NOT_A_LOT_OF_THE_PARTY },
      );
    },
    async unknownTags(principal: Principal, filter: UnknownTagsFilter) {
      return rfid.unknownTags({ ...filter, partyCode: partyFilter(principal, filter.partyCode, 'unknown tags') });
    },
    async activity(principal: Principal, partyCode: string | undefined) {
      return rfid.activity(partyFilter(principal, partyCode, 'gate activity'));
    },
  };
}

export type RfidService = ReturnType<typeof createRfidService>;

const hostNameTaken = (hostName: string) =>
  conflict(`the party has a reader with host name ${hostName} already`, [bodyField(['hostName'], 'already registered by the party')]);

const publicReader = <R extends ReaderRow>({ apiKeyId: _key, ...reader }: R) => reader;

/** The element a problem of a list (`/tags/3/code`) names. */
const indexOf = (problem: FieldProblem) => Number(problem.pointer.split('/')[2]);
