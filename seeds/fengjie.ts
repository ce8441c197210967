// Demo chain: 奉节腊肉 from two pig farms in Fengjie county (500236) to a shop in Chongqing's
// Yuzhong district (500103). Recorded through the services, so every rule applies to it.

import { asc, eq, sql } from 'drizzle-orm';
import type { Principal } from '../src/access/index.js';
import { createRepositories, createServices, type Services } from '../src/app.js';
import { type AuditKind, appendToChains } from '../src/audit/chain.js';
import { completeGs1, toGtin14 } from '../src/codes/gs1.js';
import { completeUscc } from '../src/codes/uscc.js';
import { type Database, openPglite } from '../src/db/client.js';
import * as schema from '../src/db/schema.js';
import type { EventInput } from '../src/events/schemas.js';

export type DemoChain = {
  parties: Record<string, string>;
  itemCode: string;
  retailLotCode: string;
  retailLotNumber: string;
  farmLotCodes: string[];
  earTags: string[];
};

const FENGJIE = '500236';
const YUZHONG = '500103';
/** Rows per INSERT when copying (well under PostgreSQL's 65,535 bind parameters). */
const COPY_CHUNK = 1000;

const DEMO_RETAILER_USCC = completeUscc('92500103MA61RT8K4');

const DAY_MS = 86_400_000;
/** China's offset from UTC: the demo's parties keep China's days and hours. */
const CHINA_MS = 8 * 3_600_000;
/** Days from the pigs' commissioning (day 0) to the load: the shop sold packs on the day before. */
const LOAD_DAY = 32;

/**
 * The demo chain's calendar, counted back from the time it is loaded, so that whenever it is
 * loaded every event lies in the past, in the order and over the days they always have, and the
 * packs (180 days' shelf life) were made 16 days before. Day 0 is the pigs' commissioning.
 */
export function demoCalendar(loadedAt: Date) {
  const loadDay = Math.floor((loadedAt.getTime() + CHINA_MS) / DAY_MS);
  const date = (day: number) => new Date((loadDay - LOAD_DAY + day) * DAY_MS).toISOString().slice(0, 10);
  return {
    /** The day's date in China: YYYY-MM-DD. */
    date,
    /** The day's date as lot and document numbers give it: YYYYMMDD. */
    compact: (day: number) => date(day).replaceAll('-', ''),
    /** A time (HH:MM) of the day in China, as the demo's events give it. */
    at: (day: number, time: string) => `${date(day)}T${time}:00+08:00`,
  };
}

/** The retail lot's number names the day it was packed (day 16), as its packs' labels print it. */
const PACK_LOT_NUMBER = '^KZ-LR-[0-9]{8}-500G$';
const PACK_GTIN = completeGs1('690123456701');

const earTags = (first: number, count: number) =>
  Array.from({ length: count }, (_, i) => `1${FENGJIE}${String(first + i).padStart(8, '0')}`);

/** The tables the demo chain writes, parents before children. */
export const DEMO_TABLES = [
  schema.parties,
  schema.locations,
  schema.products,
  schema.lots,
  schema.lotIdentifiers,
  schema.events,
  schema.eventLots,
  schema.lotMovements,
  schema.lineageEdges,
  schema.shipments,
  schema.shipmentLines,
  schema.codeJobs,
  schema.items,
  schema.brands,
  schema.brandProducts,
  schema.brandAuthorizations,
  schema.brandAuthorizationChanges,
];

/**
 * The demo's brand changes in the order they were made, without their numbers: the database they are
 * copied to numbers them itself, in that order, after the changes it holds (numbers copied over would
 * be handed out again to its next changes).
 */
async function changesInOrder(scratch: Database) {
  const rows = await scratch.db.select().from(schema.brandAuthorizationChanges).orderBy(asc(schema.brandAuthorizationChanges.seq));
  return rows.map(({ seq: _, ...row }) => row);
}

/**
 * Loads the demo chain unless it is there, and says which: `loaded` is true only for the call that
 * loaded it (null when the retailer is there but not the retail lot). It is recorded through the services into a scratch
 * database and then copied over in one transaction, so a start killed halfway leaves nothing
 * behind and the next start loads it whole; of two starting at once on one database, one copies it and the
 * other finds it there.
 */
export async function loadDemoChainOnce(
  database: Database,
  options: { log?: { info: (message: string) => void }; now?: () => Date } = {},
): Promise<(DemoChain & { loaded: boolean }) | null> {
  const { log, now } = options;
  const repos = createRepositories(database);
  const retailer = await repos.parties.findByUscc(DEMO_RETAILER_USCC);
  if (!retailer) {
    log?.info('first start: loading the demo chain');
    const scratch = await openPglite();
    try {
      await scratch.migrate();
      const demo = await seedDemoChain(createServices(scratch, { now }));
      // its audit log too, in order: each entry hashed the rows copied here as they are
      const recorded = await scratch.db
        .select()
        .from(schema.auditEntries)
        .orderBy(asc(schema.auditEntries.partyCode), asc(schema.auditEntries.sequence));
      const copied = await database.db.transaction(async (tx) => {
        // two instances starting at once on one empty database: the second waits here, then finds the first's copy
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext('demo-chain'))`);
        const [present] = await tx
          .select({ code: schema.parties.code })
          .from(schema.parties)
          .where(eq(schema.parties.uscc, DEMO_RETAILER_USCC))
          .limit(1);
        if (present) return false;
        for (const table of DEMO_TABLES) {
          const rows = table === schema.brandAuthorizationChanges ? await changesInOrder(scratch) : await scratch.db.select().from(table);
          for (let i = 0; i < rows.length; i += COPY_CHUNK) await tx.insert(table).values(rows.slice(i, i + COPY_CHUNK) as never);
        }
        // the demo parties' chains are new here; what the demo recorded on the system chain follows
        // what that chain holds here already (the keys issued before the load, say)
        const heads = await repos.audit.lockHeads(
          recorded.map((entry) => entry.partyCode),
          tx,
        );
        const chained = appendToChains(
          heads,
          recorded.map((entry) => ({
            chain: entry.partyCode,
            kind: entry.kind as AuditKind,
            subjectId: entry.subjectId,
            keyId: entry.keyId,
            payloadHash: entry.payloadHash,
            recordedAt: entry.recordedAt,
          })),
        );
        // one statement: the entries go as arrays, not one parameter each
        await repos.audit.append(chained.entries, chained.heads, tx);
        return true;
      });
      if (copied) return { ...demo, loaded: true };
    } finally {
      await scratch.close();
    }
  }
  // its packs' product, and the first lot of it numbered as the demo numbers its retail lot
  const pack = await repos.products.findByGtin(toGtin14(PACK_GTIN));
  const lot = pack ? await repos.lots.firstNumbered(pack.partyCode, pack.code, PACK_LOT_NUMBER) : undefined;
  const itemCode = lot ? await repos.items.firstCodeOfLot(lot.code) : undefined;
  return lot?.lotNumber && itemCode
    ? {
        parties: {},
        itemCode,
        retailLotCode: lot.code,
        retailLotNumber: lot.lotNumber,
        farmLotCodes: [],
        earTags: [],
        loaded: false,
      }
    : null;
}

/** Records the demo chain through the services, dated from their clock's now (see demoCalendar). */
export async function seedDemoChain(services: Services): Promise<DemoChain> {
  const { date, compact, at } = demoCalendar(services.now());
  const packLotNumber = `KZ-LR-${compact(16)}-500G`;
  // the slaughter's meat-quality certificate and the lab's report are numbered by their day and year
  const meatQualityCertificate = `RP500236${compact(1)}01`;
  const testReport = `YJ-${date(18).slice(0, 4)}-SP-10871`;
  const register = (input: Parameters<Services['parties']['register']>[0]) => services.parties.register(input);
  const farm1 = await register({
    kind: 'farm',
    name: '奉节县永乐镇绿源生猪养殖专业合作社',
    uscc: completeUscc('93500236MA5YL1K0N'),
    regionCode: FENGJIE,
    address: '重庆市奉节县永乐镇大坝村3组',
    contact: { person: '刘德兵', phone: '023-56551201' },
    licences: { animalEpidemicPreventionCertificate: '(渝奉)动防合字第20190012号', farmCode: '500236001' },
  });
  const farm2 = await register({
    kind: 'farm',
    name: '奉节县草堂镇高山生态养殖场',
    uscc: completeUscc('92500236MA5YQ8R2P'),
    regionCode: FENGJIE,
    address: '重庆市奉节县草堂镇石马村5组',
    contact: { person: '谭明芳', phone: '023-56552318' },
    licences: { animalEpidemicPreventionCertificate: '(渝奉)动防合字第20200031号', farmCode: '500236007' },
  });
  const abattoir = await register({
    kind: 'slaughterhouse',
    name: '奉节县肉类联合加工有限公司（定点屠宰分割厂）',
    uscc: completeUscc('91500236MA60B7T3C'),
    regionCode: FENGJIE,
    address: '重庆市奉节县永安街道工业园区屠宰路8号',
    contact: { person: '王建国', phone: '023-56560088' },
    licences: { animalEpidemicPreventionCertificate: '(渝奉)动防合字第20180003号', businessLicence: 'A50023601' },
  });
  const processor = await register({
    kind: 'processor',
    name: '重庆市奉节县夔州腊味食品有限公司',
    uscc: completeUscc('91500236MA60C2D4E'),
    regionCode: FENGJIE,
    address: '重庆市奉节县夔门街道食品工业园12号',
    contact: { person: '陈晓梅', phone: '023-56573366' },
    licences: { scLicence: 'SC10450023600123' },
  });
  const coldStore = await register({
    kind: 'cold_storage',
    name: '奉节县甘溪沟冷链物流集散中心',
    uscc: completeUscc('91500236MA60D9L5F'),
    regionCode: FENGJIE,
    address: '重庆市奉节县甘溪沟物流园1号库',
    contact: { person: '黄涛', phone: '023-56580010' },
  });
  const distributor = await register({
    kind: 'distributor',
    name: '重庆渝味坊食品贸易有限公司',
    uscc: completeUscc('91500103MA61PX6G7'),
    regionCode: YUZHONG,
    address: '重庆市渝中区菜园坝水果市场旁民生路181号',
    contact: { person: '李娜', phone: '023-63821155' },
  });
  const retailer = await register({
    kind: 'retailer',
    name: '重庆鲜邻超市解放碑店',
    uscc: DEMO_RETAILER_USCC,
    regionCode: YUZHONG,
    address: '重庆市渝中区邹容路68号',
    contact: { person: '周敏', phone: '023-63710826' },
  });
  const lab = await register({
    kind: 'lab',
    name: '重庆渝检食品检测技术有限公司',
    uscc: completeUscc('91500103MA61QW3H8'),
    regionCode: YUZHONG,
    address: '重庆市渝中区长江一路62号',
    contact: { person: '张工', phone: '023-63899001' },
  });

  const as = (partyCode: string): Principal => ({ keyId: 'seed', role: 'operator', partyCode });
  const location = (partyCode: string, input: Omit<Parameters<Services['locations']['register']>[1], 'partyCode'>) =>
    services.locations.register(as(partyCode), { partyCode, ...input });
  const barn1 = await location(farm1.code, {
    name: '绿源合作社1号猪舍',
    kind: 'barn',
    regionCode: FENGJIE,
    latitude: 30.9936,
    longitude: 109.5391,
  });
  const barn2 = await location(farm2.code, {
    name: '高山生态养殖场育肥舍',
    kind: 'barn',
    regionCode: FENGJIE,
    latitude: 30.8712,
    longitude: 109.3925,
  });
  const abattoirPlant = await location(abattoir.code, {
    name: '屠宰分割车间',
    kind: 'plant',
    regionCode: FENGJIE,
    latitude: 31.0198,
    longitude: 109.4652,
  });
  const curingPlant = await location(processor.code, {
    name: '腊肉熏制车间',
    kind: 'plant',
    regionCode: FENGJIE,
    latitude: 31.0305,
    longitude: 109.4891,
  });
  const coldRoom = await location(coldStore.code, {
    name: '甘溪沟冷链中心2号冷藏库（0–4℃）',
    kind: 'cold_store',
    regionCode: FENGJIE,
    latitude: 31.0412,
    longitude: 109.5103,
  });
  const warehouse = await location(distributor.code, {
    name: '渝味坊菜园坝仓库',
    kind: 'warehouse',
    regionCode: YUZHONG,
    latitude: 29.5503,
    longitude: 106.5467,
  });
  const shop = await location(retailer.code, {
    name: '鲜邻超市解放碑店',
    kind: 'shop',
    regionCode: YUZHONG,
    latitude: 29.5571,
    longitude: 106.5771,
  });

  const product = (partyCode: string, input: Omit<Parameters<Services['products']['register']>[1], 'partyCode'>) =>
    services.products.register(as(partyCode), { partyCode, ...input });
  const pigs1 = await product(farm1.code, { name: '生猪（渝荣1号配套系）', category: 'live_animal', unit: 'head' });
  const pigs2 = await product(farm2.code, { name: '生猪（长白×荣昌）', category: 'live_animal', unit: 'head' });
  const carcass = await product(abattoir.code, { name: '白条猪（带皮猪胴体）', category: 'carcass', unit: 'kg', shelfLifeDays: 3 });
  const belly = await product(abattoir.code, { name: '冷鲜带皮五花肉', category: 'fresh_meat', unit: 'kg', shelfLifeDays: 5 });
  const otherCuts = await product(abattoir.code, {
    name: '冷鲜分割肉（腿肉、排骨、里脊等）',
    category: 'fresh_meat',
    unit: 'kg',
    shelfLifeDays: 5,
  });
  const curedBulk = await product(processor.code, {
    name: '奉节腊肉（五花，散装）',
    category: 'cured_meat',
    unit: 'kg',
    shelfLifeDays: 180,
  });
  const curedPack = await product(processor.code, {
    name: '奉上好品·奉节腊肉 500g',
    gtin: completeGs1('690123456701'),
    category: 'cured_meat',
    unit: 'piece',
    shelfLifeDays: 180,
    marks: ['geographical_indication', 'green_food'],
    description: '奉节县传统柴火熏制腊肉，真空包装，0–4℃冷藏',
  });
  // the county's regional public brand and its GI mark, registered two months before the pigs' commissioning
  // (day -60), and the processor admitted to both a month later (day -30), before it made its lots
  const registeredAt = new Date(at(-60, '09:00'));
  const admittedFrom = date(-30);
  const brandOffice: Principal = { keyId: 'seed', role: 'brand_office', partyCode: null };
  await services.brands.create(
    brandOffice,
    {
      code: 'FSHP',
      kind: 'regional',
      regionCode: FENGJIE,
      nameZh: '奉上好品',
      nameEn: 'Fengjie Finest',
      products: [curedPack.code],
    },
    registeredAt,
  );
  await services.brands.create(
    brandOffice,
    {
      code: 'FJLR',
      kind: 'gi',
      regionCode: FENGJIE,
      nameZh: '奉节腊肉',
      nameEn: 'Fengjie Cured Pork',
      products: [curedBulk.code, curedPack.code],
    },
    registeredAt,
  );
  await services.brands.admit(brandOffice, 'FSHP', {
    partyCode: processor.code,
    tier: 'head',
    validFrom: admittedFrom,
    reason: '“5+20+N” 品牌企业矩阵头部企业',
  });
  await services.brands.admit(brandOffice, 'FJLR', {
    partyCode: processor.code,
    tier: 'backbone',
    validFrom: admittedFrom,
    reason: '地理标志专用标志使用许可',
  });

  const record = (partyCode: string, input: EventInput) => services.events.record(as(partyCode), input);
  const tags1 = earTags(20260101, 6);
  const tags2 = earTags(20260201, 4);

  const farmLot1 = await record(farm1.code, {
    type: 'commission',
    eventTime: at(0, '07:30'),
    readPoint: barn1.code,
    lots: [
      {
        productCode: pigs1.code,
        lotNumber: `LY-${compact(0)}`,
        quantity: 6,
        productionDate: date(0),
        originLocationCode: barn1.code,
        attributes: { earTags: tags1, breed: '渝荣1号', feed: '自配玉米豆粕料', lastVaccination: `${date(-53)} 口蹄疫O型` },
      },
    ],
  });
  const farmLot2 = await record(farm2.code, {
    type: 'commission',
    eventTime: at(0, '08:00'),
    readPoint: barn2.code,
    lots: [
      {
        productCode: pigs2.code,
        lotNumber: `GS-${compact(0)}`,
        quantity: 4,
        productionDate: date(0),
        originLocationCode: barn2.code,
        attributes: { earTags: tags2, breed: '长白×荣昌', feed: '玉米红薯青饲料' },
      },
    ],
  });
  const [lot1, lot2] = [farmLot1.createdLotCodes[0], farmLot2.createdLotCodes[0]];

  const ship1 = await record(farm1.code, {
    type: 'ship',
    eventTime: at(1, '05:30'),
    toPartyCode: abattoir.code,
    toLocationCode: abattoirPlant.code,
    fromLocationCode: barn1.code,
    lines: [{ lotCode: lot1 }],
    referenceDocuments: [
      { type: 'quarantine_certificate', number: '5002361260013571' },
      { type: 'commitment_certificate', number: `CN500236-LY-${compact(0).slice(4)}` },
    ],
  });
  const ship2 = await record(farm2.code, {
    type: 'ship',
    eventTime: at(1, '05:45'),
    toPartyCode: abattoir.code,
    toLocationCode: abattoirPlant.code,
    fromLocationCode: barn2.code,
    lines: [{ lotCode: lot2 }],
    referenceDocuments: [{ type: 'quarantine_certificate', number: '5002361260013588' }],
  });
  await record(abattoir.code, {
    type: 'receive',
    eventTime: at(1, '07:10'),
    shipmentId: ship1.shipmentId!,
    readPoint: abattoirPlant.code,
  });
  await record(abattoir.code, {
    type: 'receive',
    eventTime: at(1, '07:20'),
    shipmentId: ship2.shipmentId!,
    readPoint: abattoirPlant.code,
  });
  await record(abattoir.code, {
    type: 'inspect',
    eventTime: at(1, '07:40'),
    lotCodes: [lot1, lot2],
    readPoint: abattoirPlant.code,
    inspection: {
      kind: 'rapid',
      result: 'pass',
      sampleSize: 10,
      items: [
        { name: '盐酸克伦特罗（瘦肉精）', value: '阴性', result: 'pass' },
        { name: '莱克多巴胺', value: '阴性', result: 'pass' },
      ],
    },
  });
  const slaughter = await record(abattoir.code, {
    type: 'transform',
    eventTime: at(1, '09:00'),
    bizStep: 'killing',
    readPoint: abattoirPlant.code,
    process: { kind: 'slaughter', parameters: { headCount: 10, positives: 0 } },
    inputs: [
      { lotCode: lot1, quantity: 6 },
      { lotCode: lot2, quantity: 4 },
    ],
    outputs: [
      {
        productCode: carcass.code,
        lotNumber: `TZ-${compact(1)}-01`,
        quantity: 812.5,
        productionDate: date(1),
        attributes: { quarantineCertificate: 'B5002361260042117', meatQualityCertificate },
      },
    ],
  });
  const cutting = await record(abattoir.code, {
    type: 'transform',
    eventTime: at(1, '14:00'),
    readPoint: abattoirPlant.code,
    process: { kind: 'cutting' },
    inputs: [{ lotCode: slaughter.createdLotCodes[0], quantity: 812.5 }],
    outputs: [
      {
        productCode: belly.code,
        lotNumber: `FG-${compact(1)}-WH`,
        quantity: 236.4,
        productionDate: date(1),
        attributes: { meatQualityCertificate },
      },
      // the rest of the carcass: cutting trims about 9 % (bone dust, rind, blood), within its 85–100 % yield
      {
        productCode: otherCuts.code,
        lotNumber: `FG-${compact(1)}-QT`,
        quantity: 503.6,
        productionDate: date(1),
        attributes: { meatQualityCertificate },
      },
    ],
  });
  const bellyLot = cutting.createdLotCodes[0];
  const toProcessor = await record(abattoir.code, {
    type: 'ship',
    eventTime: at(2, '06:00'),
    toPartyCode: processor.code,
    toLocationCode: curingPlant.code,
    lines: [{ lotCode: bellyLot }],
    referenceDocuments: [
      { type: 'quarantine_certificate', number: 'B5002361260042117' },
      { type: 'meat_quality_certificate', number: meatQualityCertificate },
    ],
  });
  await record(processor.code, {
    type: 'receive',
    eventTime: at(2, '08:30'),
    shipmentId: toProcessor.shipmentId!,
    lines: [{ lotCode: bellyLot, quantity: 236 }],
  });
  await record(processor.code, {
    type: 'inspect',
    eventTime: at(2, '09:00'),
    lotCodes: [bellyLot],
    readPoint: curingPlant.code,
    inspection: {
      kind: 'self',
      result: 'pass',
      items: [
        { name: '感官检验', value: '色泽鲜红、无异味', result: 'pass' },
        { name: '中心温度', value: 3.2, unit: '℃', limit: '≤7℃', result: 'pass' },
      ],
    },
  });
  const curing = await record(processor.code, {
    type: 'transform',
    eventTime: at(16, '10:00'),
    bizStep: 'urn:county-trace:bizstep:curing',
    readPoint: curingPlant.code,
    process: { kind: 'curing', parameters: { saltingDays: 7, smokingHours: 72, smokeWood: '柏树枝、橘皮', dryingDays: 5 } },
    inputs: [{ lotCode: bellyLot, quantity: 236 }],
    outputs: [{ productCode: curedBulk.code, lotNumber: `KZ-LR-${compact(16)}`, quantity: 153.4, productionDate: date(16) }],
  });
  const packing = await record(processor.code, {
    type: 'transform',
    eventTime: at(16, '16:00'),
    bizStep: 'packing',
    readPoint: curingPlant.code,
    process: { kind: 'packing', parameters: { netWeightGrams: 500, vacuum: true } },
    inputs: [{ lotCode: curing.createdLotCodes[0], quantity: 150 }],
    outputs: [{ productCode: curedPack.code, lotNumber: packLotNumber, quantity: 300, productionDate: date(16) }],
  });
  const packLot = packing.createdLotCodes[0];
  // one code per 500 g pack (一物一码)
  const job = await services.items.issue(as(processor.code), packLot, 300);
  await services.items.idle();
  const firstPage = (await services.items.codesOf(as(processor.code), job.id, 1).next()).value ?? [];
  await record(lab.code, {
    type: 'inspect',
    eventTime: at(18, '15:00'),
    lotCodes: [packLot],
    referenceDocuments: [{ type: 'test_report', number: testReport }],
    inspection: {
      kind: 'third_party',
      labPartyCode: lab.code,
      result: 'pass',
      reportNumber: testReport,
      sampleSize: 3,
      items: [
        { name: '亚硝酸盐（以NaNO2计）', value: 8.6, unit: 'mg/kg', limit: '≤30', result: 'pass' },
        { name: '过氧化值（以脂肪计）', value: 0.21, unit: 'g/100g', limit: '≤0.5', result: 'pass' },
        { name: '苯并[a]芘', value: 1.2, unit: 'μg/kg', limit: '≤5.0', result: 'pass' },
      ],
    },
  });
  const pallet = await record(processor.code, {
    type: 'aggregate',
    eventTime: at(19, '08:00'),
    readPoint: curingPlant.code,
    parent: { sscc: completeGs1('06901234500000001') },
    children: [{ lotCode: packLot, quantity: 300 }],
  });
  const palletCode = pallet.createdLotCodes[0];
  const toColdStore = await record(processor.code, {
    type: 'ship',
    eventTime: at(19, '09:00'),
    toPartyCode: coldStore.code,
    toLocationCode: coldRoom.code,
    lines: [{ lotCode: palletCode }],
    referenceDocuments: [{ type: 'despatch_advice', number: `KZ-FH-${compact(19)}-01` }],
  });
  await record(coldStore.code, {
    type: 'receive',
    eventTime: at(19, '11:00'),
    shipmentId: toColdStore.shipmentId!,
    readPoint: coldRoom.code,
  });
  await record(coldStore.code, {
    type: 'observe',
    eventTime: at(24, '08:00'),
    bizStep: 'sensor_reporting',
    readPoint: coldRoom.code,
    lotCodes: [palletCode],
    readings: [
      { type: 'temperature', value: 2.6, unit: 'Cel', time: at(20, '08:00') },
      { type: 'temperature', value: 3.1, unit: 'Cel', time: at(22, '08:00') },
      { type: 'temperature', value: 2.8, unit: 'Cel', time: at(24, '08:00') },
      { type: 'humidity', value: 71, unit: 'P1', time: at(24, '08:00') },
    ],
  });
  await record(coldStore.code, {
    type: 'disaggregate',
    eventTime: at(27, '07:30'),
    readPoint: coldRoom.code,
    parentCode: palletCode,
  });
  const toDistributor = await record(coldStore.code, {
    type: 'ship',
    eventTime: at(27, '08:00'),
    toPartyCode: distributor.code,
    toLocationCode: warehouse.code,
    lines: [{ lotCode: packLot, quantity: 200 }],
  });
  await record(distributor.code, {
    type: 'receive',
    eventTime: at(27, '15:30'),
    shipmentId: toDistributor.shipmentId!,
    readPoint: warehouse.code,
  });
  const toShop = await record(distributor.code, {
    type: 'ship',
    eventTime: at(29, '07:00'),
    toPartyCode: retailer.code,
    toLocationCode: shop.code,
    lines: [{ lotCode: packLot, quantity: 60 }],
    referenceDocuments: [{ type: 'invoice', number: '50023261100045871' }],
  });
  await record(retailer.code, {
    type: 'receive',
    eventTime: at(29, '09:00'),
    shipmentId: toShop.shipmentId!,
    readPoint: shop.code,
  });
  await record(retailer.code, {
    type: 'sell',
    eventTime: at(31, '18:20'),
    readPoint: shop.code,
    lines: [{ lotCode: packLot, quantity: 12 }],
  });

  return {
    parties: {
      farm1: farm1.code,
      farm2: farm2.code,
      abattoir: abattoir.code,
      processor: processor.code,
      coldStore: coldStore.code,
      distributor: distributor.code,
      retailer: retailer.code,
      lab: lab.code,
    },
    itemCode: firstPage[0].code,
    retailLotCode: packLot,
    retailLotNumber: packLotNumber,
    farmLotCodes: [lot1, lot2],
    earTags: [...tags1, ...tags2],
  };
}
