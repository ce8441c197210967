// Key data elements of events for a spreadsheet (in the manner of FSMA 204 KDEs): one row per lot
// line of an event, with what moved, how much, from whom to whom, and the documents, certificates
// and test reports that go with it. Pure.
import { shanghaiIso } from '../codes/timestamp.js';
import type { EventType } from '../events/schemas.js';
import { eventIdOfKey } from '../gs1/event-id.js';
import type { CsvColumn } from '../http/csv.js';
import { UNIT_NAMES_ZH } from '../products/unit-names-zh.js';
import { documentTypeName } from '../web/i18n/document-types.js';
import { attributeCertificates, CERTIFICATE_ATTRIBUTES } from './graph.js';
import type { Trace } from './schemas.js';

/** One lot line of one event, as read from the log or from a trace. */
export type KdeSource = {
  /** The key the event is stored under (its eventID, or its party's key for it: partyEventKey). */
  eventId: string;
  type: string;
  eventTime: Date;
  partyCode: string;
  readPoint: string | null;
  bizLocation: string | null;
  referenceDocuments: { type: string; number: string }[];
  /** The event's payload, or only its fields a row reads (KDE_PAYLOAD_FIELDS). */
  payload: Record<string, unknown>;
  lotCode: string;
  role: string;
  quantity: number | null;
  unit: string | null;
  lotNumber: string | null;
  productCode: string | null;
  productName: string | null;
  /** Certificates the lot carries itself (not those on event documents). */
  lotCertificates: { type: string; number: string }[];
  /** A correction: the key of the event it declared in error (its rows are that event's lot lines). */
  correctsEventId: string | null;
  /** The key of the correction that declared this event in error, if one did. */
  correctedBy: string | null;
};

export type KdeRow = {
  eventTime: string;
  eventType: string;
  eventId: string;
  role: string;
  lotCode: string;
  lotNumber: string | null;
  productCode: string | null;
  product: string | null;
  quantity: number | null;
  unit: string | null;
  fromParty: string | null;
  fromPartyName: string | null;
  fromLocation: string | null;
  toParty: string | null;
  toPartyName: string | null;
  toLocation: string | null;
  referenceDocuments: string;
  certificates: string;
  testReports: string;
  /** eventTime in Asia/Shanghai as `YYYY-MM-DD HH:mm:ss`, which a spreadsheet reads as a date. */
  localTime: string;
  testKind: string | null;
  testResult: string | null;
  /** The names of the items an inspection failed. */
  failedItems: string[];
  /** The party that recorded an inspection (its lab for a third_party test, the regulator for a sampling). */
  testedBy: string | null;
  /** The lab an inspection names (the lab that tested a regulator's sample). */
  testLab: string | null;
  /** Why: a hold's, release's, destruction's, recall's or correction's reason; a recall closed over unacknowledged holders, the override's. */
  reason: string | null;
  /** The recall a recall event, or a return or destruction reported to a recall, belongs to. */
  recallId: string | null;
  recallPhase: RecallPhase | null;
  /** The eventID of the correction that declared this event in error. */
  correctedBy: string | null;
  /** A correction: the eventID of the event it declared in error. */
  corrects: string | null;
};

export const RECALL_PHASES = ['open', 'close', 'override_close'] as const;
export type RecallPhase = (typeof RECALL_PHASES)[number];

/**
 * The fields of an event's payload a row reads (the counterparts and locations of a shipment or
 * receipt, a sale's buyer, an inspection's report number): all an export of the log needs to select,
 * since a payload may list a thousand lots and an event has a line for each.
 */
export const KDE_PAYLOAD_FIELDS = [
  'fromLocationCode',
  'toPartyCode',
  'toLocationCode',
  'fromPartyCode',
  'buyer',
  'inspection',
  'reason',
  'overrideReason',
  'recallId',
  'phase',
] as const;

export const KDE_SORTS = ['time', 'lot', 'product', 'type'] as const;
export type KdeSort = (typeof KDE_SORTS)[number];

const CERTIFICATE_TYPES = new Set(Object.values(CERTIFICATE_ATTRIBUTES));
const TEST_REPORT_TYPES = new Set(['test_report', 'clenbuterol_test']);
const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
/** Between the values of a cell that lists several (documents, test reports). */
const LIST_SEPARATOR = '; ';
const joined = (values: (string | null)[]) => [...new Set(values.filter((value): value is string => value !== null))].join(LIST_SEPARATOR);

/** Who a line moved from and to: the sender and receiver of a shipment, the seller and buyer of a sale, else the acting party where it acted. */
function parties(source: KdeSource) {
  const { payload, partyCode } = source;
  switch (source.type) {
    case 'ship':
      return {
        fromParty: partyCode,
        fromLocation: text(payload.fromLocationCode) ?? source.readPoint,
        toParty: text(payload.toPartyCode),
        toLocation: text(payload.toLocationCode),
      };
    case 'receive':
      return {
        fromParty: text(payload.fromPartyCode),
        fromLocation: null,
        toParty: partyCode,
        toLocation: source.bizLocation ?? source.readPoint,
      };
    default:
      return { fromParty: partyCode, fromLocation: source.bizLocation ?? source.readPoint, toParty: null, toLocation: null };
  }
}

/** `2026-03-05 08:00:00`: the time in China (UTC+8, no daylight saving), as a spreadsheet reads a date. */
export const shanghaiLocal = (time: Date) => shanghaiIso(time).slice(0, 19).replace('T', ' ');

type InspectionPayload = {
  kind?: unknown;
  result?: unknown;
  labPartyCode?: unknown;
  reportNumber?: unknown;
  items?: { name?: unknown; result?: unknown }[];
};

/** A recall event's phase; a close over holders that had not acknowledged records the override's reason. */
function recallPhaseOf(source: KdeSource): RecallPhase | null {
  if (source.type !== 'recall') return null;
  if (source.payload.phase === 'open') return 'open';
  return text(source.payload.overrideReason) ? 'override_close' : 'close';
}

export function kdeRow(source: KdeSource, partyName: (code: string) => string | null): KdeRow {
  const { fromParty, fromLocation, toParty, toLocation } = parties(source);
  const inspection = source.type === 'inspect' ? (source.payload.inspection as InspectionPayload | undefined) : undefined;
  const documents = source.referenceDocuments;
  const failedItems = Array.isArray(inspection?.items)
    ? [...new Set(inspection.items.filter((item) => item.result === 'fail').map((item) => text(item.name)))].filter((name) => name !== null)
    : [];
  return {
    eventTime: shanghaiIso(source.eventTime),
    eventType: source.type,
    // the eventID it was captured as, not the key that kept it apart from another party's
    eventId: eventIdOfKey(source.eventId),
    role: source.role,
    lotCode: source.lotCode,
    lotNumber: source.lotNumber,
    productCode: source.productCode,
    product: source.productName,
    quantity: source.quantity,
    unit: source.unit,
    fromParty,
    fromPartyName: fromParty ? partyName(fromParty) : null,
    fromLocation,
    toParty,
    // a sale's buyer is a name, not a registered party
    toPartyName: toParty ? partyName(toParty) : source.type === 'sell' ? text(source.payload.buyer) : null,
    toLocation,
    referenceDocuments: joined(documents.map((document) => `${document.type} ${document.number}`)),
    certificates: joined([
      ...source.lotCertificates.map((certificate) => `${certificate.type} ${certificate.number}`),
      ...documents.filter((document) => CERTIFICATE_TYPES.has(document.type)).map((document) => `${document.type} ${document.number}`),
    ]),
    testReports: joined([
      text(inspection?.reportNumber),
      ...documents.filter((document) => TEST_REPORT_TYPES.has(document.type)).map((document) => document.number),
    ]),
    localTime: shanghaiLocal(source.eventTime),
    testKind: text(inspection?.kind),
    testResult: text(inspection?.result),
    failedItems,
    testedBy: inspection ? source.partyCode : null,
    testLab: text(inspection?.labPartyCode),
    reason: text(source.payload.reason) ?? text(source.payload.overrideReason),
    recallId: text(source.payload.recallId),
    recallPhase: recallPhaseOf(source),
    correctedBy: source.correctedBy ? eventIdOfKey(source.correctedBy) : null,
    corrects: source.correctsEventId ? eventIdOfKey(source.correctsEventId) : null,
  };
}

const SORT_KEYS: Record<KdeSort, (row: KdeRow) => string> = {
  time: (row) => row.eventTime,
  lot: (row) => row.lotCode,
  product: (row) => row.product ?? '\uffff',
  type: (row) => row.eventType,
};

/** Within an event, what went in comes before what came out. */
export const ROLE_ORDER = ['input', 'subject', 'parent', 'child', 'output'];
const roleRank = (role: string) => String(ROLE_ORDER.indexOf(role));

/** Rows in the order asked for; ties by time, event, role and lot, so the order is the same every time. */
function sortKde(rows: KdeRow[], sort: KdeSort): KdeRow[] {
  const key = SORT_KEYS[sort];
  const tie = (row: KdeRow) => [row.eventTime, row.eventId, roleRank(row.role), row.lotCode];
  return [...rows].sort((a, b) => {
    const first = key(a).localeCompare(key(b), 'zh-CN');
    if (first !== 0) return first;
    const [ta, tb] = [tie(a), tie(b)];
    for (let i = 0; i < ta.length; i++) if (ta[i] !== tb[i]) return ta[i] < tb[i] ? -1 : 1;
    return 0;
  });
}

/**
 * A lot an event of a trace names that is no node of it (another output of a commission, a lot
 * received with one of the trace's), as its CSV row describes it: `certificates` holds the lot's
 * certificate attributes (see attributeCertificates).
 */
export type LotBeyond = {
  code: string;
  lotNumber: string | null;
  productCode: string | null;
  productName: string | null;
  unit: string | null;
  certificates: Record<string, unknown>;
};

/** What linesOf reads of an event: a trace's, or the graph's it is made from. */
type EventLines = {
  id: string;
  type: string;
  partyCode: string;
  correctsEventId: string | null;
  lots: { lotCode: string; role: string; quantity: number | null }[];
};

/**
 * The lot lines each event of a trace has rows for: its own; a correction, which names no lots of its
 * own, those of the event it declared in error (a party's, under its eventID), so that it is listed
 * beside what it corrected. A correction of an event the trace does not show has none.
 */
function linesOf<E extends EventLines>(events: E[]): { event: E; lines: E['lots']; correction: boolean }[] {
  const byId = new Map(events.map((event) => [`${event.partyCode}\n${event.id}`, event]));
  return events.map((event) => {
    if (event.type !== 'correction') return { event, lines: event.lots, correction: false };
    const corrected = event.correctsEventId ? byId.get(`${event.partyCode}\n${event.correctsEventId}`) : undefined;
    return { event, lines: corrected?.lots ?? [], correction: true };
  });
}

/** The lots the rows of a trace's CSV name that are no nodes of the trace, each once. */
export function lotsBeyond(trace: { nodes: { code: string }[]; events: EventLines[] }): string[] {
  const nodes = new Set(trace.nodes.map((node) => node.code));
  const beyond = new Set<string>();
  for (const { lines } of linesOf(trace.events)) for (const { lotCode } of lines) if (!nodes.has(lotCode)) beyond.add(lotCode);
  return [...beyond];
}

/**
 * The lot lines of the events of a trace: an event declared in error names its correction
 * (`correctedBy`), and the correction is listed on its lines (see linesOf) without quantities. A line
 * of a lot beyond the trace is described as `beyond` has it (those the caller may read), and
 * otherwise by its code alone, as the trace's events name it.
 */
export function traceKdeRows(trace: Trace, sort: KdeSort, beyond: LotBeyond[]): KdeRow[] {
  const products = new Map(trace.products.map((product) => [product.code, product.name]));
  const described = new Map<string, Omit<LotBeyond, 'code' | 'certificates'> & { certificates: { type: string; number: string }[] }>();
  for (const { code, lotNumber, productCode, unit, certificates } of trace.nodes) {
    const productName = productCode ? (products.get(productCode) ?? null) : null;
    described.set(code, { lotNumber, productCode, productName, unit, certificates });
  }
  for (const lot of beyond) described.set(lot.code, { ...lot, certificates: attributeCertificates(lot.certificates) });
  const names = new Map(trace.parties.map((party) => [party.code, party.name]));
  // a node's certificates merge its own with those on the documents of events standing: keep its own
  const onDocuments = new Set(
    trace.events
      .filter((event) => !event.declaredInErrorBy)
      .flatMap((event) => event.referenceDocuments.map((document) => `${document.type} ${document.number}`)),
  );
  const rows = linesOf(trace.events).flatMap(({ event, lines, correction }) =>
    lines.map((line) => {
      const lot = described.get(line.lotCode);
      return kdeRow(
        {
          eventId: event.id,
          type: event.type,
          eventTime: event.eventTime,
          partyCode: event.partyCode,
          readPoint: event.readPoint,
          bizLocation: event.bizLocation,
          referenceDocuments: event.referenceDocuments,
          payload: event.details,
          lotCode: line.lotCode,
          role: line.role,
          quantity: correction ? null : line.quantity,
          unit: lot?.unit ?? null,
          lotNumber: lot?.lotNumber ?? null,
          productCode: lot?.productCode ?? null,
          productName: lot?.productName ?? null,
          lotCertificates: (lot?.certificates ?? []).filter((certificate) => !onDocuments.has(`${certificate.type} ${certificate.number}`)),
          correctsEventId: event.correctsEventId,
          correctedBy: event.declaredInErrorBy,
        },
        (code) => names.get(code) ?? null,
      );
    }),
  );
  return sortKde(rows, sort);
}

/** Event types in Chinese, as the Excel flavour of the CSV writes them. */
const EVENT_TYPES_ZH = {
  commission: '登记',
  transform: '加工',
  aggregate: '装箱',
  disaggregate: '拆箱',
  ship: '发货',
  receive: '收货',
  inspect: '检测',
  observe: '观测记录',
  destroy: '销毁',
  sell: '销售',
  correction: '更正',
  hold: '暂停销售',
  release: '解除暂停',
  recall: '召回',
} satisfies Record<EventType, string>;

/** What a lot is to its event: what went in, what came out, a container and what it holds. */
const ROLES_ZH: Record<string, string> = { subject: '本批次', input: '投入', output: '产出', parent: '容器', child: '装入' };
const TEST_KINDS_ZH: Record<string, string> = { self: '企业自检', rapid: '快速检测', sampling: '抽样检验', third_party: '第三方检测' };
const RECALL_PHASES_ZH = { open: '发起', close: '结束', override_close: '监管强制结束' } satisfies Record<RecallPhase, string>;

/**
 * A cell of documents as kdeRow joins them (`type number; type number`), each named by its type in
 * Chinese (a document type is a code without spaces; its number follows the first space as written).
 */
const documentsInChinese = (cell: string) =>
  cell
    .split(LIST_SEPARATOR)
    .map((document) => {
      const space = document.indexOf(' ');
      return space < 0 ? document : documentTypeName(document.slice(0, space), 'zh-CN') + document.slice(space);
    })
    .join(LIST_SEPARATOR);

/** Columns of the CSV export, in order, with their headers and values in Chinese for the Excel flavour. */
export const KDE_COLUMNS: CsvColumn<KdeRow>[] = [
  { header: 'event_time', zh: '事件时间', value: (row) => row.eventTime },
  { header: 'event_type', zh: '事件类型', value: (row) => row.eventType, zhValues: EVENT_TYPES_ZH },
  { header: 'role', zh: '批次角色', value: (row) => row.role, zhValues: ROLES_ZH },
  { header: 'lot_code', zh: '批次码', value: (row) => row.lotCode },
  { header: 'lot_number', zh: '批号', value: (row) => row.lotNumber },
  { header: 'product_code', zh: '产品编码', value: (row) => row.productCode },
  { header: 'product', zh: '产品', value: (row) => row.product },
  { header: 'quantity', zh: '数量', value: (row) => row.quantity, reads: 'number' },
  { header: 'unit', zh: '单位', value: (row) => row.unit, zhValues: UNIT_NAMES_ZH },
  { header: 'from_party', zh: '发货方代码', value: (row) => row.fromParty },
  { header: 'from_party_name', zh: '发货方', value: (row) => row.fromPartyName },
  { header: 'from_location', zh: '发货地点', value: (row) => row.fromLocation },
  { header: 'to_party', zh: '收货方代码', value: (row) => row.toParty },
  { header: 'to_party_name', zh: '收货方', value: (row) => row.toPartyName },
  { header: 'to_location', zh: '收货地点', value: (row) => row.toLocation },
  { header: 'reference_documents', zh: '关联单据', value: (row) => row.referenceDocuments, zhValues: documentsInChinese },
  { header: 'certificates', zh: '证明文件', value: (row) => row.certificates, zhValues: documentsInChinese },
  { header: 'test_reports', zh: '检测报告', value: (row) => row.testReports },
  { header: 'event_id', zh: '事件编号', value: (row) => row.eventId },
  // added later, after the first columns so that readers of those keep reading them where they were
  { header: 'local_time', zh: '北京时间', value: (row) => row.localTime, reads: 'date' },
  { header: 'test_kind', zh: '检测类型', value: (row) => row.testKind, zhValues: TEST_KINDS_ZH },
  { header: 'test_result', zh: '检测结果', value: (row) => row.testResult, zhValues: { pass: '合格', fail: '不合格' } },
  { header: 'failed_items', zh: '不合格项目', value: (row) => row.failedItems.join(LIST_SEPARATOR) },
  { header: 'tested_by', zh: '检测方', value: (row) => row.testedBy },
  { header: 'test_lab', zh: '检测机构', value: (row) => row.testLab },
  { header: 'reason', zh: '原因', value: (row) => row.reason },
  { header: 'recall_id', zh: '召回编号', value: (row) => row.recallId },
  { header: 'recall_phase', zh: '召回阶段', value: (row) => row.recallPhase, zhValues: RECALL_PHASES_ZH },
  { header: 'corrected_by', zh: '更正事件编号', value: (row) => row.correctedBy },
  { header: 'corrects', zh: '所更正事件编号', value: (row) => row.corrects },
];
