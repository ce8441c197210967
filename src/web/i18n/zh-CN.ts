// The pages' Chinese text, the default language. Its shape is the dictionary type every language follows.
// What takes a user's text (a hazard, a product's name) takes it as markup, marked with its language (userText).
import { type Html, html } from '../markup.js';

export const ZH = {
  title: '产品溯源信息',
  otherLang: 'English',
  site: '县域食品溯源 · 正品查询',
  // The verdict at the top of the page for a registered code whose lot is in circulation.
  genuine: '正品 · 已登记',
  // One per lot warning; like `stages`, indexed with the resolver's own union, so a missing entry fails the typecheck.
  banners: {
    recalled: '已召回 — 请勿食用',
    on_hold: '暂停销售',
    held: '检测不合格 — 本品或其原料未通过检测',
    expired: '已过保质期',
    destroyed: '已销毁 — 请勿食用',
  },
  bannerHint: '请停止食用，联系购买商家退换，或拨打 12315 投诉举报。',
  /** What a recall says is wrong and what harm it may do, under its banner. */
  recallHazard: (hazard: Html | string) => html`危害：${hazard}`,
  counterfeit: '此码疑似被仿冒：扫描次数或地点异常。请核对包装，谨慎食用，并可在下方投诉。',
  marks: { geographical_indication: '地理标志产品', green_food: '绿色食品', organic: '有机产品' } as Record<string, string>,
  /** A brand badge: 奉上好品, or 奉节腊肉 地理标志 for a GI mark. */
  brandBadge: (brand: { kind: string; nameZh: string; nameEn: string }) =>
    brand.kind === 'gi' ? `${brand.nameZh} 地理标志` : brand.nameZh,
  unnamedProduct: '未登记品名',
  lotNumber: '批次号',
  productionDate: '生产日期',
  expiryDate: '保质期至',
  sellByDate: '销售截止日期',
  producer: '生产企业',
  creditGrade: (grade: string) => `生产企业信用等级：${grade} 级`,
  origins: '原料产地',
  earTags: (count: number) => `已登记耳标 ${count} 个`,
  timeline: '生产流通过程',
  stages: {
    farm: '种养殖', // an orchard's step too: planting and raising
    slaughter: '屠宰',
    cutting: '分割',
    processing: '加工',
    cold_chain: '冷链',
    distribution: '流通',
    retail: '零售',
  },
  actions: {
    commission: '登记',
    transform: '加工',
    receive: '收货',
    observe: '温度记录',
    arrived: '入库',
    stored: '在库',
    departed: '出库',
    sighted: '识读记录',
    sell: '销售',
    slaughter: '屠宰',
    cutting: '分割',
    curing: '腌制熏制',
    smoking: '熏制',
    drying: '晾晒风干',
    packing: '包装',
  } as Record<string, string>,
  tests: '检测报告',
  testKinds: { self: '企业自检', rapid: '快速检测', sampling: '抽样检验', third_party: '第三方检测' } as Record<string, string>,
  results: { pass: '合格', fail: '不合格' } as Record<string, string>,
  reportNumber: '报告编号',
  certificates: '证明文件',
  coldChain: '冷链温度',
  /** A timeline step of temperature logs: the one reading, or how many and their range. */
  temperatureLog: (readings: number, min: string, max: string) =>
    readings === 1 ? `${min} °C` : `${readings} 次读数，${min === max ? min : `${min}–${max}`} °C`,
  coldChainLine: (readings: number, min: string, max: string) => `${readings} 次记录，${min}–${max} °C`,
  withinLimits: '正常',
  outOfLimits: '异常',
  lineage: '溯源链',
  lineageThisLot: '本品',
  /** One item of the chain's text version: its number, stage (none unknown) and label; the numbers of its inputs unless it is simply the item before it. */
  lineageStep: (number: number, caption: string, label: Html | string, inputs: number[]) =>
    html`${String(number)}. ${caption ? `${caption}：` : ''}${label}${inputs.length ? `（由第 ${inputs.join('、')} 项而来）` : ''}`,
  /** A time shown in China time, said so once on a page: the first time it shows. */
  inBeijingTime: (time: string) => `${time}（北京时间）`,
  /** The scan count, and the first scan's time in China time, said to be so. */
  scans: (count: number, first: string | null) => `此码已被扫描 ${count} 次${first ? `，首次扫描于 ${first}（北京时间）` : ''}`,
  /** Above the timeline of a page whose times are not said to be China time before it (no scan's time shown). */
  timesInBeijingTime: '以下时间均为北京时间。',
  scansHint: '如果您是第一次扫描，但显示已被多次扫描，请留意是否为仿冒产品。',
  none: '暂无记录',
  complaint: '消费维权投诉',
  category: '问题类型',
  categories: {
    quality: '质量问题',
    counterfeit: '疑似假冒',
    labeling: '标签问题',
    foreign_matter: '异物',
    illness: '食用后不适',
    other: '其他',
  },
  complaintText: '问题描述',
  phone: '联系电话（选填）',
  submit: '提交投诉',
  hotline: '也可拨打全国市场监管投诉举报热线 12315。',
  officialSite: (host: string) => `正品查询仅在官方网址 ${host} 显示，请核对浏览器地址栏。`,
  notGenuine: '此码未登记，可能不是正品',
  notGenuineBody: (code: string) => `您扫描或输入的码 ${code} 在本溯源平台没有登记记录。`,
  notGenuineAdvice: '请谨慎购买，并可向市场监管部门举报（拨打 12315）。',
  productCode: '这是产品码，不是溯源码',
  productCodeBody: (product: Html | string, maker: Html | string | null) =>
    html`这是${maker ? html`${maker}的` : ''}产品“${product}”的产品码，已在本平台登记：作为产品码，它是真实的。`,
  productCodeNoLot: '但它不对应具体的批次或包装，因此无法显示溯源信息。',
  productCodeAdvice: '请扫描包装上印的溯源码（批次码或该包装自己的二维码），查看从农场到商店的完整记录。',
  invalidCode: '此码无效',
  invalidCodeBody: '您扫描或输入的内容不是本平台的溯源码。请核对包装上的码后重新扫描。',
  /** A link to a genuine code with a query parameter the service cannot read (`?format=xml`): the link's fault, not the code's. */
  badParameter: '链接中的参数有误',
  badParameterBody:
    '这不表示溯源码无效：是链接“?”后面的参数本平台无法识别。请直接扫描包装上的二维码，或去掉链接中“?”及其后的内容后重新打开。',
  badParameterNamed: '有误的参数：',
  /** The page at `/` where a code is typed when its QR code cannot be scanned. */
  enterCode: '输入溯源码查询',
  enterCodeBody: '二维码损坏或无法扫描时，请输入包装上印的溯源码（二维码旁的 11 位字母数字），或完整的溯源链接。',
  codeLabel: '溯源码',
  lookUp: '查询',
  emptyCode: '请输入溯源码。',
  malformedCode: '这不是本平台的溯源码，请核对包装上的码后重新输入。',
  /** A typed trace code whose check character fails: a character mistyped, not a code of another platform. */
  mistypedCode: '溯源码有一位输错了，请逐位核对（注意 0/O、1/I、5/S、2/Z）。',
  /** 11 digits starting with 1 whose check fails: a mainland mobile number typed (a contact's?), not a code mistyped. */
  phoneNumberCode: '这像是手机号码，不是产品溯源码。请输入包装上二维码旁印的 11 位字母数字。',
  tooManyRequests: '查询过于频繁',
  tooManyRequestsBody: '请稍后再试。',
  unavailable: '暂时无法查询',
  unavailableBody: '溯源查询服务暂时不可用，请稍后再试。',
  received: '投诉已提交',
  ticket: '投诉编号',
  receivedBody: '市场监管部门将核实处理，生产企业也会看到您反映的问题（不含您的电话）。请保存投诉编号以便查询。',
  checkStatus: '查询处理进度',
  complaintStatus: '投诉处理进度',
  complaintStatusField: '处理状态',
  statuses: { open: '已受理', investigating: '调查处理中', resolved: '已办结' } as Record<string, string>,
  filedAt: '提交时间',
  complaintNotFound: '未找到该投诉',
  complaintNotFoundBody: '没有这个编号的投诉。请核对回执上的投诉编号（TS、提交日期和六位字母数字）后重新查询。',
  updatedAt: '最近更新',
  formError: {
    title: '投诉未能提交',
    intro: '您的投诉还没有提交成功，请根据下面的提示修改后重新提交：',
    fields: {
      phone: '联系电话格式不正确：请填写 6 到 20 位数字，例如 13800000000 或 023-62861234（可带空格、连字符、括号或 +86），也可以不填。',
      text: '请填写问题描述（不超过 2000 字），不要包含无法显示的特殊字符。',
      textEmpty: '请写下发生了什么。',
      category: '请选择投诉类型。',
      code: '投诉所针对的溯源码无效，请返回扫码页面重新提交。',
      codeNotSold:
        '这个码是批次、箱或托盘上的流通码，不在消费者买到的商品包装上。请扫描或输入您所买商品包装上的溯源码，在它的页面提交投诉。',
    } as Record<string, string>,
    other: '提交的内容无法识别，请返回扫码页面，通过页面上的表单重新提交。',
    tooMany: '提交过于频繁',
    tooManyBody: '同一网络在一小时内提交的投诉过多，请稍后再试。',
    unavailable: '投诉服务暂时不可用，请稍后再试。',
    back: '返回扫码页面',
  },
};
