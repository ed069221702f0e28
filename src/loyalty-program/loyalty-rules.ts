import { DateTime } from 'luxon';

/**
 * The pure rules of the loyalty ledger. The service calls these same functions inside its transactions,
 * and the property-based test checks them against an in-memory model, so the rules live in one place.
 */

export const ENTRY_TYPES = ['earn', 'redeem', 'expire', 'adjust', 'reverse'] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

export const ENTRY_SOURCES = [
  'visit',
  'sale',
  'survey',
  'referral',
  'complaint_goodwill',
  'manager',
  'system',
  'redemption',
] as const;
export type EntrySource = (typeof ENTRY_SOURCES)[number];

export const TIERS = ['bronze', 'silver', 'gold', 'platinum'] as const;
export type Tier = (typeof TIERS)[number];

export interface TierThresholds {
  silver: number;
  gold: number;
  platinum: number;
}

/** A credit that can still be spent: earn or positive adjustment. */
export interface Lot {
  id: string;
  occurredAt: Date;
  expiresAt: Date;
  remaining: number;
}

export interface Allocation {
  lotId: string;
  points: number;
}

export class InsufficientPointsError extends Error {
  constructor(
    readonly available: number,
    readonly required: number,
  ) {
    super(`insufficient points: ${available} available, ${required} required`);
  }
}

/** Oldest points first: by expiry, then by when they were earned, then by entry id (numeric). */
export function compareLots(a: Lot, b: Lot): number {
  return (
    a.expiresAt.getTime() - b.expiresAt.getTime() ||
    a.occurredAt.getTime() - b.occurredAt.getTime() ||
    a.id.length - b.id.length ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** A lot is expired at and after its expiry instant. */
export function isExpired(lot: Lot, asOf: Date): boolean {
  return lot.expiresAt.getTime() <= asOf.getTime();
}

/**
 * Takes `points` from the lots, oldest first, skipping lots expired at `asOf` (those belong to the
 * expiry). `preferLotId` is consumed first (a reversal takes back the reversed lot's own points first).
 * Throws InsufficientPointsError when the usable lots hold fewer points; allocates nothing then.
 */
export function allocateOldestFirst(
  lots: readonly Lot[],
  points: number,
  asOf: Date,
  preferLotId?: string,
): Allocation[] {
  if (!Number.isInteger(points) || points <= 0) throw new RangeError('points must be a positive integer');
  const usable = lots.filter((l) => l.remaining > 0 && !isExpired(l, asOf)).sort(compareLots);
  const preferred = usable.findIndex((l) => l.id === preferLotId);
  if (preferred > 0) usable.unshift(...usable.splice(preferred, 1));
  const available = usable.reduce((s, l) => s + l.remaining, 0);
  if (available < points) throw new InsufficientPointsError(available, points);
  const allocations: Allocation[] = [];
  let left = points;
  for (const lot of usable) {
    if (left === 0) break;
    const take = Math.min(lot.remaining, left);
    allocations.push({ lotId: lot.id, points: take });
    left -= take;
  }
  return allocations;
}

/** Lots whose points expire at `asOf`: what is left of each, oldest first. */
export function expiringLots(lots: readonly Lot[], asOf: Date): Allocation[] {
  return lots
    .filter((l) => l.remaining > 0 && isExpired(l, asOf))
    .sort(compareLots)
    .map((l) => ({ lotId: l.id, points: l.remaining }));
}

/** Points usable at `asOf` (not yet expired). */
export function availablePoints(lots: readonly Lot[], asOf: Date): number {
  return lots.filter((l) => !isExpired(l, asOf)).reduce((s, l) => s + l.remaining, 0);
}

/** Applies allocations to lots (returns new lots; the service does the same with UPDATE … remaining). */
export function applyAllocations(lots: readonly Lot[], allocations: readonly Allocation[]): Lot[] {
  const byId = new Map(allocations.map((a) => [a.lotId, a.points]));
  return lots.map((l) => (byId.has(l.id) ? { ...l, remaining: l.remaining - byId.get(l.id)! } : l));
}

/** Points expire a fixed number of calendar months after they were earned (UTC calendar). */
export function expiryOf(earnedAt: Date, months: number): Date {
  return DateTime.fromJSDate(earnedAt, { zone: 'utc' }).plus({ months }).toJSDate();
}

/** Start (exclusive) of the trailing window ending at asOf (inclusive). */
export function windowStart(asOf: Date, months: number): Date {
  return DateTime.fromJSDate(asOf, { zone: 'utc' }).minus({ months }).toJSDate();
}

/** Tier by points earned in the trailing window; thresholds are inclusive (1,000 → Silver). */
export function tierFor(points: number, t: TierThresholds): Tier {
  if (points >= t.platinum) return 'platinum';
  if (points >= t.gold) return 'gold';
  if (points >= t.silver) return 'silver';
  return 'bronze';
}

export function nextTier(tier: Tier): Tier | null {
  const i = TIERS.indexOf(tier);
  return i < TIERS.length - 1 ? TIERS[i + 1] : null;
}

export function thresholdOf(tier: Tier, t: TierThresholds): number {
  return tier === 'bronze' ? 0 : t[tier];
}

export function pointsToNextTier(
  points: number,
  t: TierThresholds,
): { nextTier: Tier | null; pointsToNextTier: number | null } {
  const next = nextTier(tierFor(points, t));
  return next
    ? { nextTier: next, pointsToNextTier: thresholdOf(next, t) - points }
    : { nextTier: null, pointsToNextTier: null };
}

export function isTierUp(from: Tier, to: Tier): boolean {
  return TIERS.indexOf(to) > TIERS.indexOf(from);
}

/**
 * Points for a customer-pay amount given as a decimal string (numeric(12,2)): floor(amount × rate).
 * Computed on integer cents so that 0.29 × 100 is 29, not 28.999….
 */
export function pointsForAmount(amount: string | number | null | undefined, ratePerUnit: number): number {
  if (amount === null || amount === undefined) return 0;
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?/.exec(String(amount).trim());
  if (!match || match[1] === '-') return 0;
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '0').padEnd(2, '0'));
  const scaled = Math.round(cents * ratePerUnit * 1e6) / 1e6;
  return Math.floor(scaled / 100);
}

/** The on-time bonus: a percentage of the visit points, rounded down. */
export function onTimeBonus(visitPoints: number, percent: number): number {
  return Math.floor((visitPoints * percent) / 100);
}

/** A calendar date (YYYY-MM-DD) or instant, as the local calendar date in a time zone. */
export function localDate(value: Date | string, timeZone: string): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const dt =
    typeof value === 'string'
      ? DateTime.fromISO(value, { zone: 'utc' })
      : DateTime.fromJSDate(value, { zone: 'utc' });
  return dt.setZone(timeZone).toISODate()!;
}

/**
 * On time = serviced between the item's due_soon date and its overdue date: the due_soon date counts
 * (inclusive), the overdue date does not (exclusive). Compared as local calendar dates of the rooftop.
 */
export function isServicedOnTime(servicedOn: string, dueSoonDate: string, overdueDate: string): boolean {
  return servicedOn >= dueSoonDate && servicedOn < overdueDate;
}
