import { randomUUID } from 'node:crypto';
import { actingParty, type Principal, partyFilter, requirePartyData } from '../access/index.js';
import { newContainerCode, newLotCode } from '../codes/service-codes.js';
import type { LotAttributes, lineageEdges, lots } from '../db/schema.js';
import { bodyField, conflict, type FieldProblem, forbidden, notFound, unprocessable } from '../errors/problem.js';
import type { ItemsRepository } from '../items/repository.js';
import type { LineageRepository } from '../lineage/repository.js';
import type { LocationsRepository } from '../locations/repository.js';
import { type MovementKind, nextLotStatus } from '../lots/ledger.js';
import type { LotRow, LotsRepository, MovementRow } from '../lots/repository.js';
import type { PartiesRepository } from '../parties/repository.js';
import type { ProductsRepository } from '../products/repository.js';
import type { ShipmentsRepository } from '../shipments/repository.js';
import type { EventsRepository } from './repository.js';
import type { EventInput, EventInputOf, EventType, EventView, NewLotInput, PrimaryEventInput } from './schemas.js';
import { timeZoneOffsetOf } from './time.js';
import { toEventView } from './view.js';

/** Repositories an event needs, all bound to one transaction. */
export type EventRepositories = {
  events: Pick<EventsRepository, 'insert' | 'findById' | 'findCorrectionOf'>;
  lots: Pick<
    LotsRepository,
    | 'insertLots'
    | 'findByCodes'
    | 'lockByCodes'
    | 'findByLotNumber'
    | 'findBySscc'
    | 'findTakenIdentifiers'
    | 'insertIdentifiers'
    | 'releaseIdentifiers'
    | 'findCreatedBy'
    | 'voidLots'
    | 'replaceLot'
    | 'setStatus'
    | 'insertMovements'
    | 'movementsOfEvent'
    | 'holdings'
    | 'statusInputs'
  >;
  lineage: Pick<
    LineageRepository,
    | 'insertEdges'
    | 'isDownstream'
    | 'activeContents'
    | 'endContainment'
    | 'hasLiveDownstream'
    | 'retractEdgesOf'
    | 'restoreContainmentEndedBy'
  >;
  items: Pick<ItemsRepository, 'findIssued' | 'packInto' | 'unpack'>;
  shipments: Pick<
    ShipmentsRepository,
    'insert' | 'findById' | 'findByShipEvent' | 'findByReceiveEvent' | 'markReceived' | 'reopen' | 'cancel'
  >;
  parties: Pick<PartiesRepository, 'findByCode'>;
  locations: Pick<LocationsRepository, 'findByCode'>;
  products: Pick<ProductsRepository, 'findByCode'>;
};

export const DEFAULT_BIZ_STEP: Record<EventType, string> = {
  commission: 'commissioning',
  transform: 'commissioning',
  aggregate: 'packing',
  disaggregate: 'unpacking',
  ship: 'shipping',
  receive: 'receiving',
  inspect: 'inspecting',
  observe: 'storing',
  destroy: 'destroying',
  sell: 'retail_selling',
  correction: 'other',
};

/** How each native event reads as an EPCIS 2.0 event type. */
export const EPCIS_TYPE: Record<EventType, string> = {
  commission: 'ObjectEvent',
  transform: 'TransformationEvent',
  aggregate: 'AggregationEvent',
  disaggregate: 'AggregationEvent',
  ship: 'ObjectEvent',
  receive: 'ObjectEvent',
  inspect: 'ObjectEvent',
  observe: 'ObjectEvent',
  destroy: 'ObjectEvent',
  sell: 'ObjectEvent',
  correction: 'ObjectEvent',
};

/** Allowed clock skew between a device and the server before an event counts as "in the future". */
const FUTURE_TOLERANCE_MS = 2 * 60 * 1000;

type EventLotRole = 'subject' | 'input' | 'output' | 'parent' | 'child';

/** Everything one event writes, collected while its rules are checked and then stored at once. */
class EventDraft {
  readonly lots: (typeof lots.$inferInsert)[] = [];
  readonly reusedLots: { code: string; values: Omit<typeof lots.$inferInsert, 'code'> }[] = [];
  readonly identifiers: { kind: string; value: string; lotCode: string; partyCode: string }[] = [];
  readonly eventLots = new Map<string, { lotCode: string; role: EventLotRole; quantity: number | null }>();
  readonly movements: MovementRow[] = [];
  readonly edges: (typeof lineageEdges.$inferInsert)[] = [];
  /** Writes that reference the stored event row (shipments), run right after it. */
  readonly afterInsert: (() => Promise<void>)[] = [];
  readonly touched = new Set<string>();

  constructor(
    readonly id: string,
    readonly actor: string,
  ) {}

  link(lotCode: string, role: EventLotRole, quantity: number | null = null) {
    this.eventLots.set(`${lotCode}:${role}`, { lotCode, role, quantity });
    this.touched.add(lotCode);
  }

  move(lotCode: string, kind: MovementKind, quantity: number, partyCode = this.actor) {
    this.movements.push({ eventId: this.id, lotCode, partyCode, kind, quantity });
    this.touched.add(lotCode);
  }
}

export type RecordedEvent = { event: EventView; replacement: EventView | null; createdLotCodes: string[]; shipmentId: string | null };

export function createEventService(deps: {
  transaction: <T>(work: (repos: EventRepositories) => Promise<T>) => Promise<T>;
  events: Pick<EventsRepository, 'findById' | 'list'>;
  lots: Pick<LotsRepository, 'involvedParties'>;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());

  function assertNotInFuture(eventTime: string, pointer: (string | number)[]) {
    if (new Date(eventTime).getTime() > now().getTime() + FUTURE_TOLERANCE_MS) {
      throw unprocessable('future-event-time', `eventTime ${eventTime} is in the future`, [
        bodyField(pointer, 'must not be in the future'),
      ]);
    }
  }

  /** Applies one non-correction event inside the transaction and returns the stored row's id. */
  async function apply(
    repos: EventRepositories,
    actor: string,
    input: PrimaryEventInput,
    base: (string | number)[],
    options: { replaces?: string; reuseLotCodes?: string[] } = {},
  ): Promise<{ id: string; createdLotCodes: string[]; shipmentId: string | null }> {
    const draft = new EventDraft(randomUUID(), actor);
    const at = (...path: (string | number)[]) => [...base, ...path];
    const reuse = [...(options.reuseLotCodes ?? [])];
    let shipmentId: string | null = null;
    let payload: Record<string, unknown>;
    let disposition = input.disposition ?? null;
    let bizLocation = input.bizLocation ?? null;

    if (input.readPoint) await requireLocation(repos, input.readPoint, at('readPoint'));
    // usually the same place: one lookup then
    if (input.bizLocation && input.bizLocation !== input.readPoint) await requireLocation(repos, input.bizLocation, at('bizLocation'));

    const held = await holdingsOf(repos, actor, lotCodesOf(input));

    switch (input.type) {
      case 'commission': {
        const created = await createLots(repos, draft, input.lots, at('lots'), reuse);
        for (const lot of created) draft.link(lot.lotCode, 'subject', lot.quantity);
        payload = { lots: created };
        break;
      }
      case 'transform': {
        const inputs = await takeFrom(repos, draft, held, input.inputs, at('inputs'), 'consume', { requireQuantity: true });
        const created = await createLots(repos, draft, input.outputs, at('outputs'), reuse);
        for (const used of inputs) {
          draft.link(used.lot.code, 'input', used.quantity);
          for (const output of created) {
            draft.edges.push({
              upstreamCode: used.lot.code,
              downstreamCode: output.lotCode,
              kind: 'transform',
              quantity: used.quantity,
              unit: used.lot.unit,
              eventId: draft.id,
              partyCode: actor,
            });
          }
        }
        for (const output of created) draft.link(output.lotCode, 'output', output.quantity);
        payload = {
          process: input.process ?? null,
          inputs: inputs.map((used) => ({ lotCode: used.lot.code, quantity: used.quantity, unit: used.lot.unit })),
          outputs: created,
        };
        break;
      }
      case 'aggregate': {
        const parent = await resolveContainer(repos, draft, held, input.parent, at('parent'));
        const packs = await itemLines(repos, input.itemCodes ?? [], at('itemCodes'));
        const lines = [...input.children, ...packs.lines.map((line) => ({ ...line, index: input.children.length }))];
        if (lines.length === 0)
          throw unprocessable('empty-aggregation', 'pack at least one lot, container or item', [bodyField(at('children'), 'empty')]);
        const children = await takeFrom(
          repos,
          draft,
          await holdingsOf(
            repos,
            actor,
            lines.map((line) => line.lotCode),
          ),
          lines,
          at('children'),
          null,
        );
        for (const [index, child] of children.entries()) {
          if (child.lot.code === parent.code || (await repos.lineage.isDownstream(parent.code, child.lot.code))) {
            throw conflict(`packing ${child.lot.code} into ${parent.code} would create a lineage cycle`, [
              bodyField(at('children', index, 'lotCode'), 'already contains (or is) the parent container'),
            ]);
          }
          draft.edges.push({
            upstreamCode: child.lot.code,
            downstreamCode: parent.code,
            kind: 'aggregate',
            quantity: child.quantity,
            unit: child.lot.unit,
            eventId: draft.id,
            partyCode: actor,
          });
          draft.link(child.lot.code, 'child', child.quantity);
        }
        draft.link(parent.code, 'parent');
        if (packs.codes.length) draft.afterInsert.push(() => repos.items.packInto(packs.codes, parent.code));
        payload = {
          parentCode: parent.code,
          sscc: parent.sscc,
          children: children.map((c) => ({ lotCode: c.lot.code, quantity: c.quantity })),
          ...(packs.codes.length ? { itemCodes: packs.codes } : {}),
        };
        disposition ??= 'container_closed';
        break;
      }
      case 'disaggregate': {
        const [parent] = await requireLots(repos, [input.parentCode], () => at('parentCode'));
        if (parent.kind !== 'container')
          throw unprocessable('not-a-container', `${parent.code} is not a container`, [bodyField(at('parentCode'), 'not a container')]);
        requireHolder(parent, held, at('parentCode'), actor);
        const contents = await repos.lineage.activeContents(parent.code);
        const contentCodes = new Set(contents.map((edge) => edge.upstreamCode));
        const children = input.children ?? [...contentCodes];
        children.forEach((code, index) => {
          if (!contentCodes.has(code)) {
            throw unprocessable('not-in-container', `${code} is not in container ${parent.code}`, [
              bodyField(at('children', index), 'not a current content'),
            ]);
          }
        });
        await repos.lineage.endContainment(parent.code, children, draft.id);
        await repos.items.unpack(parent.code, children);
        draft.link(parent.code, 'parent');
        for (const code of children) draft.link(code, 'child');
        payload = { parentCode: parent.code, children };
        disposition ??= 'container_open';
        break;
      }
      case 'ship': {
        const destination = await repos.parties.findByCode(input.toPartyCode);
        if (!destination)
          throw unprocessable('unknown-reference', `no party ${input.toPartyCode}`, [bodyField(at('toPartyCode'), 'unknown party')]);
        if (destination.code === actor)
          throw unprocessable('ship-to-self', 'a shipment goes to another party', [bodyField(at('toPartyCode'), 'is the acting party')]);
        if (input.toLocationCode) await requireLocation(repos, input.toLocationCode, at('toLocationCode'), destination.code);
        if (input.fromLocationCode) await requireLocation(repos, input.fromLocationCode, at('fromLocationCode'), actor);
        const lines = await expandContainers(repos, input.lines, at('lines'));
        const shipped = await takeFrom(
          repos,
          draft,
          await holdingsOf(
            repos,
            actor,
            lines.map((l) => l.lotCode),
          ),
          lines,
          at('lines'),
          'ship_out',
        );
        for (const line of shipped) draft.link(line.lot.code, 'subject', line.quantity);
        shipmentId = randomUUID();
        const shipment = {
          id: shipmentId,
          shipEventId: draft.id,
          fromPartyCode: actor,
          fromLocationCode: input.fromLocationCode ?? null,
          toPartyCode: destination.code,
          toLocationCode: input.toLocationCode ?? null,
          status: 'open',
          shippedAt: new Date(input.eventTime),
        };
        payload = {
          shipmentId,
          toPartyCode: destination.code,
          toLocationCode: shipment.toLocationCode,
          fromLocationCode: shipment.fromLocationCode,
          lines: shipped.map((l) => ({ lotCode: l.lot.code, quantity: l.quantity })),
        };
        disposition ??= 'in_transit';
        draft.afterInsert.push(() =>
          repos.shipments.insert(
            shipment,
            shipped.map((l) => ({
              shipmentId: shipment.id,
              lotCode: l.lot.code,
              quantity: l.quantity,
              receivedQuantity: null,
              partyCode: actor,
            })),
          ),
        );
        break;
      }
      case 'receive': {
        const shipment = await repos.shipments.findById(input.shipmentId, true);
        if (!shipment)
          throw unprocessable('unknown-shipment', `no shipment ${input.shipmentId}`, [bodyField(at('shipmentId'), 'unknown shipment')]);
        if (shipment.toPartyCode !== actor)
          throw forbidden(`shipment ${shipment.id} is addressed to ${shipment.toPartyCode}, not ${actor}`);
        if (shipment.status !== 'open')
          throw conflict(`shipment ${shipment.id} is ${shipment.status}, not open`, [
            bodyField(at('shipmentId'), `shipment is ${shipment.status}`),
          ]);
        const shippedBy = new Map(shipment.lines.map((line) => [line.lotCode, line.quantity]));
        const received = new Map(shippedBy);
        (input.lines ?? []).forEach((line, index) => {
          const shipped = shippedBy.get(line.lotCode);
          if (shipped === undefined)
            throw unprocessable('not-in-shipment', `${line.lotCode} is not in shipment ${shipment.id}`, [
              bodyField(at('lines', index, 'lotCode'), 'not in the shipment'),
            ]);
          if (line.quantity > shipped)
            throw unprocessable('exceeds-shipped', `received ${line.quantity} of ${line.lotCode} but ${shipped} were shipped`, [
              bodyField(at('lines', index, 'quantity'), `at most ${shipped}`),
            ]);
          received.set(line.lotCode, line.quantity);
        });
        await repos.lots.lockByCodes([...received.keys()]);
        for (const [lotCode, quantity] of received) {
          if (quantity > 0) draft.move(lotCode, 'receive_in', quantity);
          draft.link(lotCode, 'subject', quantity);
        }
        bizLocation ??= shipment.toLocationCode;
        payload = {
          shipmentId: shipment.id,
          fromPartyCode: shipment.fromPartyCode,
          lines: [...received].map(([lotCode, quantity]) => ({ lotCode, shipped: shippedBy.get(lotCode), quantity })),
        };
        shipmentId = shipment.id;
        draft.afterInsert.push(() => repos.shipments.markReceived(shipment.id, draft.id, new Date(input.eventTime), received));
        break;
      }
      case 'inspect': {
        const lots = await requireLots(repos, input.lotCodes, (index) => at('lotCodes', index));
        const actorParty = await repos.parties.findByCode(actor);
        const independent = actorParty?.kind === 'lab' || actorParty?.kind === 'regulator';
        lots.forEach((lot) => {
          if (!independent && lot.partyCode !== actor && !(held.get(lot.code) ?? 0)) {
            throw forbidden(`party ${actor} neither owns nor holds lot ${lot.code}; only they or a lab may inspect it`);
          }
          draft.link(lot.code, 'subject');
        });
        const { labPartyCode } = input.inspection;
        if (input.inspection.kind === 'third_party' && !labPartyCode) {
          throw unprocessable('lab-required', 'a third-party inspection names its lab', [
            bodyField(at('inspection', 'labPartyCode'), 'required for third_party'),
          ]);
        }
        if (labPartyCode) {
          const lab = await repos.parties.findByCode(labPartyCode);
          if (lab?.kind !== 'lab')
            throw unprocessable('unknown-reference', `${labPartyCode} is not a registered lab`, [
              bodyField(at('inspection', 'labPartyCode'), 'not a lab party'),
            ]);
        }
        disposition ??= input.inspection.result === 'pass' ? 'conformant' : 'non_conformant';
        payload = { inspection: input.inspection };
        break;
      }
      case 'observe': {
        const lots = await requireLots(repos, input.lotCodes, (index) => at('lotCodes', index));
        lots.forEach((lot) => {
          if (lot.partyCode !== actor && !(held.get(lot.code) ?? 0))
            throw forbidden(`party ${actor} neither owns nor holds lot ${lot.code}`);
          draft.link(lot.code, 'subject');
        });
        payload = { readings: input.readings ?? [] };
        break;
      }
      case 'destroy':
      case 'sell': {
        const kind = input.type === 'destroy' ? 'destroy' : 'sell';
        const taken = await takeFrom(repos, draft, held, input.lines, at('lines'), kind);
        for (const line of taken) draft.link(line.lot.code, 'subject', line.quantity);
        disposition ??= input.type === 'destroy' ? 'destroyed' : 'retail_sold';
        payload = {
          ...(input.type === 'destroy' ? { reason: input.reason } : { buyer: input.buyer ?? null }),
          lines: taken.map((line) => ({ lotCode: line.lot.code, quantity: line.quantity })),
        };
        break;
      }
    }

    await persist(repos, draft, input, { payload, disposition, bizLocation }, options.replaces);
    await refreshStatuses(repos, draft.touched);
    return {
      id: draft.id,
      createdLotCodes: [...draft.lots.map((lot) => lot.code), ...draft.reusedLots.map((lot) => lot.code)],
      shipmentId,
    };
  }

  async function persist(
    repos: EventRepositories,
    draft: EventDraft,
    input: PrimaryEventInput,
    fields: { payload: Record<string, unknown>; disposition: string | null; bizLocation: string | null },
    replaces?: string,
  ) {
    // lots first: event_lots and movements reference them
    await repos.lots.insertLots(draft.lots);
    for (const lot of draft.reusedLots) await repos.lots.replaceLot(lot.code, lot.values);
    await repos.lots.insertIdentifiers(draft.identifiers);
    await repos.events.insert(
      {
        id: draft.id,
        type: input.type,
        eventTime: new Date(input.eventTime),
        eventTimeZoneOffset: timeZoneOffsetOf(input.eventTime),
        partyCode: draft.actor,
        bizStep: input.bizStep ?? DEFAULT_BIZ_STEP[input.type],
        disposition: fields.disposition,
        readPoint: input.readPoint ?? null,
        bizLocation: fields.bizLocation,
        referenceDocuments: input.referenceDocuments ?? [],
        payload: replaces ? { ...fields.payload, replacesEventId: replaces } : fields.payload,
        epcisType: EPCIS_TYPE[input.type],
      },
      [...draft.eventLots.values()].map((link) => ({ ...link, eventId: draft.id, partyCode: draft.actor })),
    );
    await repos.lots.insertMovements(draft.movements);
    await repos.lineage.insertEdges(draft.edges);
    for (const write of draft.afterInsert) await write();
  }

  async function refreshStatuses(repos: EventRepositories, codes: Set<string>) {
    for (const lot of await repos.lots.statusInputs([...codes])) {
      if (lot.voidedByEventId) continue;
      const status = nextLotStatus(lot);
      if (status !== lot.status) await repos.lots.setStatus(lot.code, status);
    }
  }

  async function createLots(
    repos: EventRepositories,
    draft: EventDraft,
    inputs: NewLotInput[],
    pointer: (string | number)[],
    reuse: string[],
  ) {
    const numbers = new Set<string>();
    const earTags = new Map<string, (string | number)[]>();
    const created = [];
    for (const [index, input] of inputs.entries()) {
      const at = [...pointer, index];
      const product = await repos.products.findByCode(input.productCode);
      if (!product)
        throw unprocessable('unknown-reference', `no product ${input.productCode}`, [bodyField([...at, 'productCode'], 'unknown product')]);
      if (input.originLocationCode) await requireLocation(repos, input.originLocationCode, [...at, 'originLocationCode']);
      if (input.lotNumber) {
        if (numbers.has(input.lotNumber) || (await repos.lots.findByLotNumber(draft.actor, input.lotNumber))) {
          throw conflict(`lot number ${input.lotNumber} is already used by party ${draft.actor}`, [
            bodyField([...at, 'lotNumber'], 'already used'),
          ]);
        }
        numbers.add(input.lotNumber);
      }
      const expiryDate = input.expiryDate ?? defaultExpiry(input.productionDate, product.shelfLifeDays);
      if (input.productionDate && expiryDate && expiryDate < input.productionDate) {
        throw unprocessable('invalid-dates', 'expiryDate is before productionDate', [
          bodyField([...at, 'expiryDate'], 'before productionDate'),
        ]);
      }
      const attributes: LotAttributes = { ...(input.attributes ?? {}) };
      for (const [tagIndex, tag] of (attributes.earTags ?? []).entries()) {
        if (earTags.has(tag))
          throw conflict(`ear tag ${tag} appears twice`, [bodyField([...at, 'attributes', 'earTags', tagIndex], 'duplicate ear tag')]);
        earTags.set(tag, [...at, 'attributes', 'earTags', tagIndex]);
      }
      const reusedCode = reuse.shift();
      const code = reusedCode ?? newLotCode();
      const values = {
        kind: 'lot',
        partyCode: draft.actor,
        productCode: product.code,
        lotNumber: input.lotNumber ?? null,
        sscc: null,
        quantity: input.quantity,
        unit: input.unit ?? product.unit,
        productionDate: input.productionDate ?? null,
        expiryDate,
        originLocationCode: input.originLocationCode ?? null,
        attributes,
        status: 'active',
        createdByEventId: draft.id,
        voidedByEventId: null,
      };
      if (reusedCode) draft.reusedLots.push({ code, values });
      else draft.lots.push({ code, ...values });
      for (const tag of attributes.earTags ?? [])
        draft.identifiers.push({ kind: 'ear_tag', value: tag, lotCode: code, partyCode: draft.actor });
      draft.move(code, 'produce', input.quantity);
      created.push({
        lotCode: code,
        productCode: product.code,
        lotNumber: values.lotNumber,
        quantity: input.quantity,
        unit: values.unit,
        productionDate: values.productionDate,
        expiryDate,
        originLocationCode: values.originLocationCode,
        attributes,
      });
    }
    if (earTags.size > 0) {
      const taken = await repos.lots.findTakenIdentifiers('ear_tag', [...earTags.keys()]);
      if (taken.length > 0) {
        throw conflict(
          `ear tag ${taken[0]} is already registered to another lot`,
          taken.slice(0, 20).map((tag) => bodyField(earTags.get(tag)!, 'already registered')),
        );
      }
    }
    return created;
  }

  return {
    async record(principal: Principal, input: EventInput): Promise<RecordedEvent> {
      const actor = actingParty(principal);
      assertNotInFuture(input.eventTime, ['eventTime']);
      if (input.type === 'correction' && input.replacement) assertNotInFuture(input.replacement.eventTime, ['replacement', 'eventTime']);
      const outcome = await deps.transaction(async (repos) => {
        if (input.type !== 'correction') return { ...(await apply(repos, actor, input, [])), replacementId: null };
        return correct(repos, actor, input);
      });
      const stored = await deps.events.findById(outcome.id);
      const replacement = outcome.replacementId ? await deps.events.findById(outcome.replacementId) : undefined;
      return {
        event: toEventView(stored!),
        replacement: replacement ? toEventView(replacement) : null,
        createdLotCodes: outcome.createdLotCodes,
        shipmentId: outcome.shipmentId,
      };
    },

    async get(principal: Principal, id: string): Promise<EventView> {
      const event = await deps.events.findById(id);
      if (!event) throw notFound(`no event ${id}`);
      requirePartyData(principal, event.partyCode, 'events');
      return toEventView(event);
    },

    async list(principal: Principal, filter: Omit<Parameters<EventsRepository['list']>[0], 'partyCode'> & { partyCode?: string }) {
      const partyCode = partyFilter(principal, filter.partyCode, 'events');
      return (await deps.events.list({ ...filter, partyCode })).map(toEventView);
    },
  };

  /** Declares an event in error: reverses its effects, then applies the replacement if given. */
  async function correct(repos: EventRepositories, actor: string, input: EventInputOf<'correction'>) {
    const target = await repos.events.findById(input.correctsEventId);
    if (!target)
      throw unprocessable('unknown-reference', `no event ${input.correctsEventId}`, [bodyField(['correctsEventId'], 'unknown event')]);
    if (target.partyCode !== actor) throw forbidden(`event ${target.id} was recorded by ${target.partyCode}; only it may correct it`);
    if (target.type === 'correction')
      throw conflict('a correction cannot itself be corrected; correct the replacement event instead', [
        bodyField(['correctsEventId'], 'is a correction'),
      ]);
    if (target.declaredInErrorBy)
      throw conflict(`event ${target.id} was already declared in error by ${target.declaredInErrorBy}`, [
        bodyField(['correctsEventId'], 'already corrected'),
      ]);

    const draft = new EventDraft(randomUUID(), actor);
    const problems: FieldProblem[] = [bodyField(['correctsEventId'], 'its effects are already used downstream')];

    // quantities: the negated ledger rows must leave no party with less than nothing
    const moved = await repos.lots.movementsOfEvent(target.id);
    await repos.lots.lockByCodes(moved.map((row) => row.lotCode));
    for (const row of moved) draft.movements.push({ ...row, eventId: draft.id, quantity: -row.quantity });
    const balance = new Map<string, number>();
    for (const holding of await repos.lots.holdings([...new Set(moved.map((row) => row.lotCode))]))
      balance.set(`${holding.lotCode}|${holding.partyCode}`, holding.onHand);
    for (const row of draft.movements) {
      const key = `${row.lotCode}|${row.partyCode}`;
      balance.set(key, (balance.get(key) ?? 0) + row.quantity);
    }
    for (const [key, value] of balance) {
      if (value < -1e-9)
        throw conflict(
          `cannot correct ${target.id}: lot ${key.split('|')[0]} has since been used by ${key.split('|')[1]}; correct those events first`,
          problems,
        );
    }

    const created = await repos.lots.findCreatedBy(target.id);
    const createdCodes = created.filter((lot) => !lot.voidedByEventId).map((lot) => lot.code);
    if (await repos.lineage.hasLiveDownstream(createdCodes)) {
      throw conflict(`cannot correct ${target.id}: lots it created are already inputs or contents downstream`, problems);
    }

    if (target.type === 'ship') {
      const shipment = await repos.shipments.findByShipEvent(target.id);
      if (shipment && shipment.status !== 'open')
        throw conflict(`cannot correct ${target.id}: shipment ${shipment.id} was already received; correct the receipt first`, problems);
      if (shipment) await repos.shipments.cancel(shipment.id);
    }
    if (target.type === 'receive') {
      const shipment = await repos.shipments.findByReceiveEvent(target.id);
      if (shipment) await repos.shipments.reopen(shipment.id);
    }

    await repos.events.insert(
      {
        id: draft.id,
        type: 'correction',
        eventTime: new Date(input.eventTime),
        eventTimeZoneOffset: timeZoneOffsetOf(input.eventTime),
        partyCode: actor,
        bizStep: DEFAULT_BIZ_STEP.correction,
        disposition: null,
        readPoint: null,
        bizLocation: null,
        referenceDocuments: [],
        payload: { reason: input.reason },
        correctsEventId: target.id,
      },
      [],
    );
    await repos.lots.insertMovements(draft.movements);
    await repos.lots.voidLots(createdCodes, draft.id);
    await repos.lots.releaseIdentifiers(createdCodes);
    await repos.lineage.retractEdgesOf(target.id, draft.id);
    await repos.lineage.restoreContainmentEndedBy(target.id);
    await refreshStatuses(repos, new Set([...moved.map((row) => row.lotCode), ...target.lots.map((lot) => lot.lotCode)]));

    if (!input.replacement) return { id: draft.id, replacementId: null, createdLotCodes: [], shipmentId: null };
    const replacement = await apply(repos, actor, input.replacement, ['replacement'], { replaces: target.id, reuseLotCodes: createdCodes });
    return {
      id: draft.id,
      replacementId: replacement.id,
      createdLotCodes: replacement.createdLotCodes,
      shipmentId: replacement.shipmentId,
    };
  }
}

export type EventService = ReturnType<typeof createEventService>;

function defaultExpiry(productionDate: string | undefined, shelfLifeDays: number | null): string | null {
  if (!productionDate || !shelfLifeDays) return null;
  const date = new Date(`${productionDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + shelfLifeDays);
  return date.toISOString().slice(0, 10);
}

type Pointer = (string | number)[];
type Line = { lotCode: string; quantity?: number; index?: number };

async function requireLocation(repos: EventRepositories, code: string, pointer: Pointer, ownerCode?: string) {
  const location = await repos.locations.findByCode(code);
  if (!location) throw unprocessable('unknown-reference', `no location ${code}`, [bodyField(pointer, 'unknown location')]);
  if (ownerCode && location.partyCode !== ownerCode) {
    throw unprocessable('foreign-location', `location ${code} belongs to ${location.partyCode}, not ${ownerCode}`, [
      bodyField(pointer, `not a location of ${ownerCode}`),
    ]);
  }
  return location;
}

/** Lots the event draws on, locked for the rest of the transaction, with what the actor holds of each. */
async function holdingsOf(repos: EventRepositories, actor: string, codes: string[]): Promise<Map<string, number>> {
  await repos.lots.lockByCodes(codes);
  const holdings = await repos.lots.holdings([...new Set(codes)]);
  return new Map(holdings.filter((h) => h.partyCode === actor).map((h) => [h.lotCode, h.onHand]));
}

function lotCodesOf(input: PrimaryEventInput): string[] {
  switch (input.type) {
    case 'transform':
      return input.inputs.map((line) => line.lotCode);
    case 'aggregate':
      return [...input.children.map((line) => line.lotCode), ...(input.parent.containerCode ? [input.parent.containerCode] : [])];
    case 'disaggregate':
      return [input.parentCode];
    case 'destroy':
    case 'sell':
      return input.lines.map((line) => line.lotCode);
    case 'inspect':
    case 'observe':
      return input.lotCodes;
    default:
      return [];
  }
}

/** The lots named, in order; an unknown or voided one is reported at `pointerOf(index)`. */
async function requireLots(repos: EventRepositories, codes: string[], pointerOf: (index: number) => Pointer): Promise<LotRow[]> {
  const found = new Map((await repos.lots.findByCodes(codes)).filter((lot) => !lot.voidedByEventId).map((lot) => [lot.code, lot]));
  return codes.map((code, index) => {
    const lot = found.get(code);
    if (!lot) throw unprocessable('unknown-lot', `no lot ${code}`, [bodyField(pointerOf(index), 'unknown lot')]);
    return lot;
  });
}

function requireHolder(lot: LotRow, held: Map<string, number>, pointer: Pointer, actor: string) {
  if ((held.get(lot.code) ?? 0) > 0) return;
  if (lot.partyCode === actor) {
    throw conflict(`party ${actor} no longer holds any of ${lot.code}`, [bodyField(pointer, 'nothing on hand')]);
  }
  throw forbidden(`party ${actor} does not hold lot ${lot.code}; only its holder may use it`);
}

/** Checks the actor holds enough of every line and books the outflow (when `kind` is given). */
async function takeFrom(
  repos: EventRepositories,
  draft: EventDraft,
  held: Map<string, number>,
  lines: Line[],
  pointer: Pointer,
  kind: MovementKind | null,
  options: { requireQuantity?: boolean } = {},
): Promise<{ lot: LotRow; quantity: number }[]> {
  const lots = await requireLots(
    repos,
    lines.map((line) => line.lotCode),
    (index) => [...pointer, lines[index].index ?? index],
  );
  const seen = new Set<string>();
  return lines.map((line, position) => {
    const index = line.index ?? position;
    const lot = lots[position];
    if (seen.has(lot.code))
      throw unprocessable('duplicate-lot', `${lot.code} is listed twice`, [bodyField([...pointer, index, 'lotCode'], 'listed twice')]);
    seen.add(lot.code);
    requireHolder(lot, held, [...pointer, index, 'lotCode'], draft.actor);
    const onHand = held.get(lot.code) as number;
    const quantity = options.requireQuantity ? (line.quantity as number) : (line.quantity ?? onHand);
    if (quantity > onHand + 1e-9) {
      throw conflict(`only ${onHand} ${lot.unit} of ${lot.code} remain with ${draft.actor}; ${quantity} requested`, [
        bodyField([...pointer, index, 'quantity'], `at most ${onHand}`),
      ]);
    }
    if (kind) draft.move(lot.code, kind, -quantity);
    return { lot, quantity };
  });
}

async function resolveContainer(
  repos: EventRepositories,
  draft: EventDraft,
  held: Map<string, number>,
  parent: { containerCode?: string; sscc?: string },
  pointer: Pointer,
): Promise<{ code: string; sscc: string | null }> {
  const existing = parent.containerCode
    ? (await requireLots(repos, [parent.containerCode], () => [...pointer, 'containerCode']))[0]
    : parent.sscc
      ? await repos.lots.findBySscc(parent.sscc)
      : undefined;
  if (existing) {
    if (existing.kind !== 'container')
      throw unprocessable('not-a-container', `${existing.code} is a lot, not a container`, [bodyField(pointer, 'not a container')]);
    const holdings = held.has(existing.code) ? held : await holdingsOf(repos, draft.actor, [existing.code]);
    requireHolder(existing, holdings, pointer, draft.actor);
    return existing;
  }
  const code = newContainerCode();
  draft.lots.push({
    code,
    kind: 'container',
    partyCode: draft.actor,
    productCode: null,
    lotNumber: null,
    sscc: parent.sscc ?? null,
    quantity: 1,
    unit: 'container',
    attributes: {},
    status: 'active',
    createdByEventId: draft.id,
  });
  draft.move(code, 'produce', 1);
  return { code, sscc: parent.sscc ?? null };
}

/** A container ships with everything in it, nested containers included. */
async function expandContainers(repos: EventRepositories, lines: Line[], pointer: Pointer): Promise<Line[]> {
  const expanded: Line[] = [];
  const lots = await requireLots(
    repos,
    lines.map((line) => line.lotCode),
    (index) => [...pointer, index],
  );
  for (const [index, lot] of lots.entries()) {
    expanded.push({ ...lines[index], index });
    if (lot.kind !== 'container') continue;
    const queue = [lot.code];
    while (queue.length > 0) {
      for (const edge of await repos.lineage.activeContents(queue.shift() as string)) {
        expanded.push({ lotCode: edge.upstreamCode, quantity: edge.quantity ?? undefined, index });
        const [content] = await repos.lots.findByCodes([edge.upstreamCode]);
        if (content?.kind === 'container') queue.push(content.code);
      }
    }
  }
  return expanded;
}

/** Serialized packs to aggregate, counted per lot so lineage stays at lot level. */
async function itemLines(repos: EventRepositories, codes: string[], pointer: Pointer): Promise<{ codes: string[]; lines: Line[] }> {
  const issued = new Map((await repos.items.findIssued(codes)).map((item) => [item.code, item.lotCode]));
  const perLot = new Map<string, number>();
  const seen = new Set<string>();
  codes.forEach((code, index) => {
    const lotCode = issued.get(code);
    if (!lotCode)
      throw unprocessable('unknown-item', `item code ${code} is not issued`, [bodyField([...pointer, index], 'unknown item code')]);
    if (seen.has(code)) throw unprocessable('duplicate-item', `${code} is listed twice`, [bodyField([...pointer, index], 'listed twice')]);
    seen.add(code);
    perLot.set(lotCode, (perLot.get(lotCode) ?? 0) + 1);
  });
  return { codes, lines: [...perLot].map(([lotCode, quantity]) => ({ lotCode, quantity })) };
}
