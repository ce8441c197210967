import { createHash } from 'node:crypto';
import { customAlphabet } from 'nanoid';
import type { Principal } from '../access/index.js';
import { type AuditRecorder, chainOf } from '../audit/service.js';
import { MOD31_CHARSET } from '../codes/mod31.js';
import { chinaDay } from '../codes/timestamp.js';
import type { Transact } from '../db/client.js';
import { conflict, notFound, Problem, unprocessable } from '../errors/problem.js';
import type { IdentifierService } from '../identifiers/service.js';
import type { ItemsRepository } from '../items/repository.js';
import type { LotRow, LotsRepository } from '../lots/repository.js';
import type { ProductsRepository } from '../products/repository.js';
import type { ComplaintRow, ComplaintsRepository } from './repository.js';
import { ALLOWED_TRANSITIONS, type ComplaintOutcome, type ComplaintStatus } from './schemas.js';

const randomSuffix = customAlphabet(MOD31_CHARSET, 6);

/** How many tickets are drawn for one complaint before giving up: 31^6 a day makes a second draw rare already. */
const TICKET_DRAWS = 5;

const HOUR_MS = 60 * 60 * 1000;

/**
 * How long a post saying the same (one address, code, category and text) is the complaint filed before: a reload of
 * the receipt or a second tap files it once.
 */
export const SAME_COMPLAINT_MS = 10 * 60 * 1000;

/** Too many complaints accepted from one client address in the last hour: 429, with when to try again (seconds). */
export class TooManyComplaints extends Problem {
  constructor(
    readonly retryAfter: number,
    perHour: number,
  ) {
    super(
      429,
      'too-many-requests',
      'Too many requests',
      `${perHour} complaints were accepted from this address in the last hour; try again in ${Math.ceil(retryAfter / 60)} minutes`,
    );
  }
}

/**
 * A move the complaint's current status does not allow: the request conflicts with the complaint's
 * state, not with its own content (RFC 9110 409), so the answer names that state and the moves it allows.
 */
function invalidTransition(ticket: string, from: ComplaintStatus, to: ComplaintStatus): Problem {
  const allowed = ALLOWED_TRANSITIONS[from];
  const detail = allowed.length
    ? `complaint ${ticket} is ${from}: it may move only to ${allowed.join(' or ')}, not to ${to}`
    : `complaint ${ticket} is ${from}, which is final: it may move to no other status`;
  return new Problem(409, 'invalid-transition', 'Conflict', detail, [
    { in: 'body', pointer: '/status', detail: `${WORKFLOW}; not ${from} → ${to}` },
  ]);
}

/** The workflow as ALLOWED_TRANSITIONS has it, in words: an open complaint may also be resolved at once. */
const WORKFLOW = (() => {
  const entries = Object.entries(ALLOWED_TRANSITIONS) as [ComplaintStatus, ComplaintStatus[]][];
  const moves = entries.filter(([, to]) => to.length).map(([from, to]) => `${from} → ${to.join(' or ')}`);
  const final = entries.filter(([, to]) => !to.length).map(([from]) => from);
  return `a complaint moves ${moves.join(', ')}, and ${final.join(' and ')} is final`;
})();

/**
 * A code of this service's that is on nothing a shopper buys: a case's or pallet's (an SSCC's), or a lot's that no
 * consumer pack carries (its label names no lot by a Digital Link with a batch: a bulk lot, a farm's). 422 at /code.
 */
export const codeNotSold = (code: string, what: 'container' | 'lot') =>
  unprocessable(
    'complaint-code-not-sold',
    `${code} is the code of a ${what === 'container' ? 'case or pallet' : 'lot no consumer pack is labelled with'}: a complaint is about a pack's trace code, or the lot a pack's label names`,
    [
      {
        in: 'body',
        pointer: '/code',
        detail: `not a code printed on what shoppers buy (${what === 'container' ? 'a case or pallet' : 'a lot of the trade'}): the trace code on the pack bought, or its label's lot`,
      },
    ],
  );

export function createComplaintService(deps: {
  complaints: Pick<ComplaintsRepository, 'insert' | 'lockAddress' | 'filedFrom' | 'sameFiledFrom' | 'find' | 'transition' | 'list'>;
  items: Pick<ItemsRepository, 'findItem'>;
  lots: Pick<LotsRepository, 'findByCodes'>;
  products: Pick<ProductsRepository, 'findByCode'>;
  identifiers: Pick<IdentifierService, 'resolve'>;
  ipSalt: string;
  /** Complaints accepted from one client address in an hour (COMPLAINTS_PER_HOUR). */
  perHour: number;
  transaction: Transact;
  audit: AuditRecorder;
  now?: () => Date;
  /** The six random characters of a ticket (tests draw one taken already). */
  ticketSuffix?: () => string;
}) {
  const now = deps.now ?? (() => new Date());
  const ticketSuffix = deps.ticketSuffix ?? randomSuffix;
  const publicView = (row: ComplaintRow) => ({
    ticket: row.ticket,
    code: row.itemCode,
    category: row.category as never,
    status: row.status as ComplaintStatus,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
  const fullView = (row: ComplaintRow) => ({
    ...publicView(row),
    lotCode: row.lotCode,
    partyCode: row.partyCode,
    text: row.text,
    phone: row.phone,
    outcome: row.outcome as ComplaintOutcome | null,
    notes: row.notes,
  });

  /** The complaint a ticket names, typed as a receipt reads it: surrounding spaces and case do not matter. */
  async function find(ticket: string): Promise<ComplaintRow> {
    const row = await deps.complaints.find(ticket.trim().toUpperCase());
    if (!row) throw notFound(`no complaint ${ticket.trim()}`);
    return row;
  }

  /**
   * Whether a shopper can hold the lot's code: the lot a consumer pack's label names by its Digital Link with a
   * batch (/01/{gtin}/10/{lot}, as the resolver reads it), whose page shows the lot's code and the complaint form.
   */
  async function onConsumerPacks(lot: LotRow): Promise<boolean> {
    if (lot.kind !== 'lot' || !lot.lotNumber || !lot.productCode) return false;
    const product = await deps.products.findByCode(lot.productCode);
    if (!product?.gtin) return false;
    const link = `https://id.gs1.org/01/${product.gtin}/10/${encodeURIComponent(lot.lotNumber)}`;
    // a lot number a Digital Link cannot carry is on no label's link
    const named = await deps.identifiers.resolve(link).catch(() => undefined);
    return named?.kind === 'lot' && named.lotCode === lot.code;
  }

  return {
    /**
     * A consumer's complaint about a code a shopper holds: a pack's, or the lot's code the page of a consumer
     * pack's Digital Link with a batch shows; unknown codes are accepted too (they may be counterfeits). A case's
     * or pallet's code, or a lot's no consumer pack is labelled with, is refused (codeNotSold).
     * The same complaint posted again from the address within SAME_COMPLAINT_MS is the one filed (`repeated`),
     * neither stored nor counted again.
     */
    async file(
      input: { code: string; category: string; text: string; phone?: string },
      ip: string,
    ): Promise<ReturnType<typeof publicView> & { repeated: boolean }> {
      const item = await deps.items.findItem(input.code);
      const [lot] = item ? [] : await deps.lots.findByCodes([input.code]);
      const about = item ?? (lot && { lotCode: lot.code, partyCode: lot.partyCode });
      const refused =
        !item && lot && !(await onConsumerPacks(lot)) ? codeNotSold(input.code, lot.kind === 'container' ? 'container' : 'lot') : null;
      const ipHash = createHash('sha256').update(`${deps.ipSalt}:${ip}`).digest('hex').slice(0, 32);
      const [row, repeated] = await deps.transaction(async (tx): Promise<[ComplaintRow, boolean]> => {
        // one post from an address at a time, on any instance: each counts the complaints stored before it
        await deps.complaints.lockAddress(ipHash, tx);
        const filedAt = now();
        const same = { itemCode: input.code, category: input.category, text: input.text };
        const before = await deps.complaints.sameFiledFrom(ipHash, new Date(filedAt.getTime() - SAME_COMPLAINT_MS), same, tx);
        if (before) return [before, true];
        if (refused) throw refused;
        const filed = await deps.complaints.filedFrom(ipHash, new Date(filedAt.getTime() - HOUR_MS), tx);
        if (filed.length >= deps.perHour) {
          // until enough of them are an hour old to leave room for one more (more than the limit are
          // counted when COMPLAINTS_PER_HOUR was lowered, or instances run with other values)
          const wait = filed[filed.length - deps.perHour].getTime() + HOUR_MS - filedAt.getTime();
          throw new TooManyComplaints(Math.max(1, Math.ceil(wait / 1000)), deps.perHour);
        }
        // the ticket carries the consumer's (China Standard Time) date
        const day = chinaDay(filedAt).replace(/-/g, '');
        for (let draw = 0; draw < TICKET_DRAWS; draw++) {
          const stored = await deps.complaints.insert(
            {
              ticket: `TS${day}${ticketSuffix()}`,
              itemCode: input.code,
              lotCode: about?.lotCode ?? null,
              partyCode: about?.partyCode ?? null,
              category: input.category,
              text: input.text,
              phone: input.phone ?? null,
              status: 'open',
              createdAt: filedAt,
              updatedAt: filedAt,
              ipHash,
            },
            tx,
          );
          // a ticket drawn before (the same day, the same six characters): another one
          if (!stored) continue;
          // the filing, with the row: on the chain of the party the complaint is about (no key acts), or system
          const chain = chainOf(null, stored.partyCode ?? undefined);
          await deps.audit.record(tx, { chain, kind: 'complaint.file', subjectId: stored.ticket, keyId: null });
          return [stored, false];
        }
        throw new Error(`no free complaint ticket in ${TICKET_DRAWS} draws: is the ticket generator random?`);
      });
      return { ...publicView(row), repeated };
    },

    async status(ticket: string) {
      return publicView(await find(ticket));
    },

    async list(filter: Parameters<ComplaintsRepository['list']>[0]) {
      return (await deps.complaints.list(filter)).map(fullView);
    },

    async transition(principal: Principal, typed: string, to: ComplaintStatus, note: string, outcome?: ComplaintOutcome) {
      const row = await find(typed);
      // the stored ticket from here on: the audit entry's subject is looked up by it
      const ticket = row.ticket;
      const from = row.status as ComplaintStatus;
      if (!ALLOWED_TRANSITIONS[from].includes(to)) throw invalidTransition(ticket, from, to);
      const notes = [...row.notes, { at: now().toISOString(), status: to, note, by: principal.keyId }];
      const updated = await deps.transaction(async (tx) => {
        const changed = await deps.complaints.transition(
          ticket,
          from,
          { status: to, outcome: outcome ?? null, notes, updatedAt: now() },
          tx,
        );
        if (!changed) throw conflict(`complaint ${ticket} changed meanwhile; reload and retry`);
        // the regulator's decision, on its chain: the note it added (and the outcome it gave)
        const subjectId = `${ticket}#${notes.length - 1}`;
        await deps.audit.record(tx, { chain: chainOf(principal), kind: 'complaint.transition', subjectId, keyId: principal.keyId });
        return changed;
      });
      return fullView(updated);
    },
  };
}

export type ComplaintService = ReturnType<typeof createComplaintService>;
