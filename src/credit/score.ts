// The enterprise credit formula (企业信用评分), pure: a score starts at 100 and each factor takes
// weight × count off it, up to the factor's cap; the score never drops below 0. A new factor is one
// more line in CREDIT_FACTORS (and the count the service finds for it).

type CreditFactorDefinition = {
  key: string;
  label: { zh: string; en: string };
  /** Points taken off per occurrence. */
  weight: number;
  /** The most points this factor can take off. */
  cap: number;
};

export const CREDIT_FACTORS = [
  { key: 'failed_inspections', label: { zh: '检验不合格', en: 'Failed inspections of its lots' }, weight: 5, cap: 30 },
  { key: 'upheld_complaints', label: { zh: '投诉属实', en: 'Upheld complaints about its packs' }, weight: 3, cap: 15 },
  { key: 'recalls_level_1', label: { zh: '一级召回', en: 'Level 1 recalls of its lots' }, weight: 20, cap: 40 },
  { key: 'recalls_level_2', label: { zh: '二级召回', en: 'Level 2 recalls of its lots' }, weight: 10, cap: 30 },
  { key: 'recalls_level_3', label: { zh: '三级召回', en: 'Level 3 recalls of its lots' }, weight: 5, cap: 15 },
  { key: 'mass_balance_gaps', label: { zh: '物料不平衡', en: 'Lots whose books do not close' }, weight: 4, cap: 20 },
  { key: 'unreceived_shipments', label: { zh: '到货未确认', en: 'Shipments to it not booked in' }, weight: 2, cap: 10 },
  { key: 'late_records', label: { zh: '记录补录', en: 'Events recorded late' }, weight: 1, cap: 10 },
  { key: 'brand_misuse', label: { zh: '品牌冒用', en: 'Packs flagged as brand misuse' }, weight: 10, cap: 30 },
] as const satisfies readonly CreditFactorDefinition[];

export type CreditFactorKey = (typeof CREDIT_FACTORS)[number]['key'];
export const CREDIT_FACTOR_KEYS = CREDIT_FACTORS.map((factor) => factor.key) as [CreditFactorKey, ...CreditFactorKey[]];

export const CREDIT_GRADES = ['A', 'B', 'C', 'D'] as const;
export type CreditGrade = (typeof CREDIT_GRADES)[number];
/** The lowest score of each grade, best first; below the last one is D. */
export const GRADE_THRESHOLDS: readonly { grade: CreditGrade; min: number }[] = [
  { grade: 'A', min: 90 },
  { grade: 'B', min: 75 },
  { grade: 'C', min: 60 },
  { grade: 'D', min: 0 },
];

/** The period a score covers: the last 365 days. */
export const CREDIT_PERIOD_DAYS = 365;
/** A shipment still open this many days after it left is one its addressee failed to book in. */
export const UNRECEIVED_AFTER_DAYS = 7;
/** An event recorded more than this many hours after its event time is a late record. */
export const LATE_RECORD_HOURS = 72;

export const CREDIT_FORMULA = 'score = max(0, 100 − Σ min(weight × count, cap)); A ≥ 90, B ≥ 75, C ≥ 60, else D';

type CreditFactor = CreditFactorDefinition & {
  key: CreditFactorKey;
  count: number;
  /** The points this factor changes the score by: 0 or negative. */
  contribution: number;
};

export function gradeOf(score: number): CreditGrade {
  return (GRADE_THRESHOLDS.find((threshold) => score >= threshold.min) ?? GRADE_THRESHOLDS[GRADE_THRESHOLDS.length - 1]).grade;
}

/** The score, grade and each factor's part, from how often each factor occurred (missing counts are 0). */
export function creditScore(counts: Partial<Record<CreditFactorKey, number>>): {
  score: number;
  grade: CreditGrade;
  factors: CreditFactor[];
} {
  const factors = CREDIT_FACTORS.map((factor) => {
    const count = counts[factor.key] ?? 0;
    // written as 0 - x so a factor that took nothing off reads 0, not -0
    return { ...factor, count, contribution: 0 - Math.min(factor.weight * count, factor.cap) };
  });
  const score = Math.max(0, 100 + factors.reduce((sum, factor) => sum + factor.contribution, 0));
  return { score, grade: gradeOf(score), factors };
}
