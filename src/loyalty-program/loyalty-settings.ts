import type { TierThresholds } from './loyalty-rules';

/** Earning rules (SPEC "Loyalty program" defaults). A rooftop may override them in `settings.loyalty`. */
export interface EarningRules {
  /** Points per currency unit of customer-pay amount on a closed visit. */
  pointsPerCurrencyUnit: number;
  vehiclePurchasePoints: number;
  surveyPoints: number;
  referralPoints: number;
  /** Bonus on the visit points when a due item is serviced on time (between due_soon and overdue). */
  onTimeBonusPercent: number;
}

export const DEFAULT_EARNING_RULES: EarningRules = {
  pointsPerCurrencyUnit: 1,
  vehiclePurchasePoints: 500,
  surveyPoints: 100,
  referralPoints: 250,
  onTimeBonusPercent: 50,
};

/** Program-wide (one dealer group, one program): tiers and expiry do not vary by rooftop. */
export const TIER_THRESHOLDS: TierThresholds = { silver: 1_000, gold: 3_000, platinum: 6_000 };
export const TIER_WINDOW_MONTHS = 12;
export const EXPIRY_MONTHS = 24;
/** "Points expiring soon" in the account summary. */
export const EXPIRING_SOON_DAYS = 90;

/**
 * The rules for a rooftop: defaults, with each valid override from `rooftop.settings.loyalty` applied
 * (a non-negative finite number; anything else is ignored so a typo never stops earning).
 */
export function earningRulesFor(rooftopSettings: Record<string, unknown> | null | undefined): EarningRules {
  const overrides = (rooftopSettings?.loyalty ?? {}) as Record<string, unknown>;
  const rules = { ...DEFAULT_EARNING_RULES };
  for (const key of Object.keys(rules) as (keyof EarningRules)[]) {
    const value = overrides[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) rules[key] = value;
  }
  return rules;
}

/** Tier names in the customer languages, put into the tier-up email's payload. */
export const TIER_LABELS = {
  bronze: { en: 'Bronze', km: 'សំរិទ្ធ', lo: 'ທອງສຳລິດ' },
  silver: { en: 'Silver', km: 'ប្រាក់', lo: 'ເງິນ' },
  gold: { en: 'Gold', km: 'មាស', lo: 'ຄຳ' },
  platinum: { en: 'Platinum', km: 'ប្លាទីន', lo: 'ແພລທິນຳ' },
} as const;
