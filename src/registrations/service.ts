import { createHash, randomUUID } from 'node:crypto';
import { customAlphabet } from 'nanoid';
import { hashTicket, type Principal, requireApplicant, requireRole } from '../access/index.js';
import { type AuditRecorder, chainOf } from '../audit/service.js';
import type { IssuedKey } from '../auth/service.js';
import { isKnownRegionCode } from '../codes/regions.js';
import { chinaDay } from '../codes/timestamp.js';
import type { Transact } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { badRequest, conflict, notFound, Problem, payloadTooLarge } from '../errors/problem.js';
import type { PartyService } from '../parties/service.js';
import type { DocumentRow, RegistrationRow, RegistrationsRepository } from './repository.js';
import {
  type ApplyInput,
  DOCUMENT_TYPES,
  MAX_DOCUMENT_BYTES,
  MAX_DOCUMENTS,
  type Registration,
  type RegistrationStatus,
} from './schemas.js';

const newTicket = customAlphabet('0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz', 32);
const DAY_MS = 86_400_000;

export type DocumentType = keyof typeof DOCUMENT_TYPES;

/** The party's licence field each type of an application's licence goes to. */
const LICENCE_KEYS: Record<string, string> = {
  sc_licence: 'scLicence',
  animal_epidemic_prevention: 'animalEpidemicPreventionCertificate',
  business_licence: 'businessLicence',
};

export function createRegistrationService(deps: {
  registrations: Pick<
    RegistrationsRepository,
    | 'insert'
    | 'find'
    | 'findPendingByUscc'
    | 'list'
    | 'decide'
    | 'claimFirstKey'
    | 'addDocument'
    | 'documentsOf'
    | 'document'
    | 'declaredCredentials'
  >;
  parties: Pick<PartyService, 'register'>;
  findPartyByUscc: (uscc: string) => Promise<{ code: string } | undefined>;
  apiKeys: {
    issue: (input: { role: 'operator'; partyCode: string; label: string }) => Promise<IssuedKey>;
    revoke: (id: string) => Promise<unknown>;
  };
  transaction: Transact;
  audit: AuditRecorder;
  ipSalt: string;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());

  async function view(row: RegistrationRow, documents?: DocumentRow[]): Promise<Registration> {
    const { ticketHash, ipHash, decidedBy, keyIssuedAt, documentCount, ...shown } = row;
    const listed = documents ?? (await deps.registrations.documentsOf([row.id]));
    return {
      ...shown,
      status: row.status as RegistrationStatus,
      documents: listed.map(({ registrationId, ...document }) => document),
    };
  }

  async function ofApplicant(id: string, ticket: string | undefined): Promise<RegistrationRow> {
    const row = await deps.registrations.find(id);
    if (!row) throw notFound(`no application ${id}, or not with this Registration-Ticket`);
    requireApplicant(ticket, row.ticketHash, `application ${id}`);
    return row;
  }

  async function pending(id: string): Promise<RegistrationRow> {
    const row = await deps.registrations.find(id);
    if (!row) throw notFound(`no application ${id}`);
    if (row.status !== 'pending') throw conflict(`application ${id} was already ${row.status} on ${row.decidedAt?.toISOString()}`);
    return row;
  }

  const alreadyRegistered = (uscc: string, partyCode: string) =>
    conflict(`USCC ${uscc} is already registered as party ${partyCode}`, [{ in: 'body', pointer: '/uscc', detail: 'already registered' }]);

  return {
    /** An enterprise applies to join, without a key; the ticket it gets back is shown this once. */
    async apply(input: ApplyInput, ip: string): Promise<Registration & { ticket: string }> {
      const party = await deps.findPartyByUscc(input.uscc);
      if (party) throw alreadyRegistered(input.uscc, party.code);
      const waiting = await deps.registrations.findPendingByUscc(input.uscc);
      const waitingConflict = () =>
        conflict(`an application for USCC ${input.uscc} is already waiting for review`, [
          { in: 'body', pointer: '/uscc', detail: 'already applied' },
        ]);
      if (waiting) throw waitingConflict();
      const ticket = newTicket();
      try {
        const row = await deps.registrations.insert({
          id: randomUUID(),
          ticketHash: hashTicket(ticket).toString('hex'),
          status: 'pending',
          ...input,
          ipHash: createHash('sha256').update(`${deps.ipSalt}:${ip}`).digest('hex').slice(0, 32),
        });
        return { ...(await view(row, [])), ticket };
      } catch (error) {
        if (isUniqueViolation(error)) throw waitingConflict();
        throw error;
      }
    },

    /**
     * The applicant's view. After approval, the first check also issues the new party's first
     * operator key and shows it, this once; the key itself is never stored.
     */
    async status(id: string, ticket: string | undefined): Promise<Registration> {
      const row = await ofApplicant(id, ticket);
      const shown = await view(row);
      if (row.status !== 'approved' || row.keyIssuedAt !== null) return shown;
      const key = await deps.apiKeys.issue({ role: 'operator', partyCode: row.partyCode as string, label: 'first key (registration)' });
      if (await deps.registrations.claimFirstKey(id)) return { ...shown, operatorKey: key.key };
      // a parallel check showed the first key already
      await deps.apiKeys.revoke(key.id);
      return shown;
    },

    async addDocument(id: string, ticket: string | undefined, upload: { name: string; contentType: DocumentType; content: Buffer }) {
      const row = await ofApplicant(id, ticket);
      if (row.status !== 'pending')
        throw conflict(`application ${id} was already ${row.status}; documents are added while it waits for review`);
      if (upload.content.length > MAX_DOCUMENT_BYTES) {
        throw payloadTooLarge('document-too-large', `a document may have at most ${MAX_DOCUMENT_BYTES} bytes`);
      }
      const magic = DOCUMENT_TYPES[upload.contentType];
      if (upload.content.subarray(0, magic.length).toString('latin1') !== magic) {
        throw badRequest(`the body is not a ${upload.contentType === 'application/pdf' ? 'PDF' : 'JPEG'} file, as its Content-Type says`);
      }
      const document = {
        id: randomUUID(),
        registrationId: id,
        name: upload.name,
        contentType: upload.contentType,
        size: upload.content.length,
        content: upload.content,
      };
      if (!(await deps.registrations.addDocument(document, MAX_DOCUMENTS))) {
        const current = await deps.registrations.find(id);
        if (current?.status !== 'pending') throw conflict(`application ${id} was decided meanwhile; documents are added while it waits`);
        throw new Problem(409, 'too-many-documents', 'Too many documents', `an application may carry at most ${MAX_DOCUMENTS} documents`);
      }
      const { content, registrationId, ...stored } = document;
      return { ...stored, uploadedAt: now() };
    },

    /** A document's bytes, for the applicant (with its ticket) or a regulator. */
    async document(id: string, documentId: string, access: { ticket: string | undefined } | { principal: Principal }) {
      if ('principal' in access) {
        requireRole(access.principal, 'registrations.review');
        if (!(await deps.registrations.find(id))) throw notFound(`no application ${id}`);
      } else {
        await ofApplicant(id, access.ticket);
      }
      const document = await deps.registrations.document(id, documentId);
      if (!document) throw notFound(`application ${id} has no document ${documentId}`);
      return document;
    },

    async get(principal: Principal, id: string): Promise<Registration> {
      requireRole(principal, 'registrations.review');
      const row = await deps.registrations.find(id);
      if (!row) throw notFound(`no application ${id}`);
      return view(row);
    },

    async list(principal: Principal, filter: { status?: RegistrationStatus; limit: number; offset: number }): Promise<Registration[]> {
      requireRole(principal, 'registrations.review');
      const rows = await deps.registrations.list(filter);
      const documents = await deps.registrations.documentsOf(rows.map((row) => row.id));
      return Promise.all(
        rows.map((row) =>
          view(
            row,
            documents.filter((document) => document.registrationId === row.id),
          ),
        ),
      );
    },

    /** The enterprise becomes a party with its unified code; its first key waits for the applicant. */
    async approve(principal: Principal, id: string): Promise<Registration> {
      requireRole(principal, 'registrations.review');
      const row = await pending(id);
      // checked when it applied; a list updated since may have retired the code (a new party's code carries its region)
      if (!isKnownRegionCode(row.regionCode)) {
        throw conflict(
          `application ${id} cannot be approved: its region code ${row.regionCode} is no longer in GB/T 2260; reject it, so that the enterprise applies again`,
        );
      }
      // every licence the application named: one of a type as its number, several as the list of their numbers
      const numbers = new Map<string, string[]>();
      for (const licence of row.licences) {
        const key = LICENCE_KEYS[licence.type] ?? licence.type;
        numbers.set(key, [...new Set([...(numbers.get(key) ?? []), licence.number])]);
      }
      const licences = Object.fromEntries([...numbers].map(([key, list]) => [key, list.length === 1 ? list[0] : list]));
      const decided = await deps.transaction(async (tx) => {
        const party = await deps.parties
          .register(
            {
              kind: row.kind as never,
              name: row.name,
              uscc: row.uscc,
              regionCode: row.regionCode,
              address: row.address,
              contact: row.contact,
              licences,
            },
            { by: principal, tx },
          )
          .catch((error) => {
            // the USCC was registered meanwhile (POST /parties): the approval names no field that is wrong; the application waits to be rejected
            if (error instanceof Problem && error.status === 409) throw conflict(`application ${id} cannot be approved: ${error.detail}`);
            throw error;
          });
        const approved = await deps.registrations.decide(
          id,
          { status: 'approved', decidedBy: principal.keyId, reason: null, partyCode: party.code },
          tx,
        );
        // decided by someone else meanwhile: the party is not created
        if (!approved) throw conflict(`application ${id} was decided meanwhile`);
        await deps.audit.record(tx, { chain: chainOf(principal), kind: 'registration.approve', subjectId: id, keyId: principal.keyId });
        return approved;
      });
      return view(decided);
    },

    async reject(principal: Principal, id: string, reason: string): Promise<Registration> {
      requireRole(principal, 'registrations.review');
      await pending(id);
      const decided = await deps.transaction(async (tx) => {
        const rejected = await deps.registrations.decide(
          id,
          { status: 'rejected', decidedBy: principal.keyId, reason, partyCode: null },
          tx,
        );
        if (!rejected) throw conflict(`application ${id} was decided meanwhile`);
        await deps.audit.record(tx, { chain: chainOf(principal), kind: 'registration.reject', subjectId: id, keyId: principal.keyId });
        return rejected;
      });
      return view(decided);
    },

    /** Licences and certifications ending within `days` (and those already ended), soonest first. */
    async expiring(principal: Principal, days: number) {
      requireRole(principal, 'registrations.review');
      // validity dates are China's calendar days: a credential ends at midnight in China, not in UTC
      const today = chinaDay(now());
      const until = chinaDay(new Date(now().getTime() + (days + 1) * DAY_MS));
      const rows = await deps.registrations.declaredCredentials({ endingBefore: until });
      return rows.map(({ validFrom, ...row }) => ({ ...row, expired: row.validUntil < today }));
    },
  };
}

export type RegistrationService = ReturnType<typeof createRegistrationService>;
