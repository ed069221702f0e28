import { DateTime } from 'luxon';
import type { DistanceUnit } from '../config/app-config';

/**
 * SPEC "When is maintenance due", as one pure function. The planner's SQL (service-reminders.repository.ts)
 * mirrors this arithmetic exactly; a randomised e2e test holds the two together.
 *
 * Every calendar date is the vehicle rooftop's local date (IANA time zone), written `YYYY-MM-DD`.
 *
 * Driving rate: readings with asOf − 24 calendar months < readAt ≤ asOf (months counted in UTC). Take the
 * earliest and the latest of them (ties on readAt: lowest value first, highest value last). If their local
 * dates are 30+ days apart, rate = (latest.value − earliest.value) / days ('history'); a negative
 * difference counts as 0 (a parked car never reaches a distance). Otherwise 40 km/day or 25 mi/day ('default').
 * The rate is kept as the exact fraction distance/days so that SQL and TypeScript round identically.
 *
 * Cycle start: the last time the item was performed (local date of performedAt, odometer); never performed →
 * the purchase date and purchase odometer (no purchase date → local date of the vehicle's creation).
 *
 * Time projection: start date + interval months (calendar months; the 31st clamps to the month's end).
 * Distance projection: target = start odometer + interval distance. Base = the latest odometer reading at or
 * before asOf (or the cycle start when it is more recent, or when there is no reading). Then
 *   distanceDate = base date + ceil((target − base value) × rateDays / rateDistance) days,
 * i.e. the first whole day on which the projected odometer is ≥ target. When the base is already past the
 * target the offset is ≤ 0: the (estimated) day it was crossed, which may lie in the past.
 * No distance projection when the item has no distance interval, the start odometer is unknown or the rate is 0.
 *
 * Due date = the earlier projection (a tie goes to 'time'); due_soon = due − 14 days; overdue = due + 30 days.
 * Stage at asOf (local date) = the latest stage whose date is ≤ asOf's date, else 'ok'.
 */

export const DEFAULT_RATE_PER_DAY: Record<DistanceUnit, number> = { km: 40, mi: 25 };
export const RATE_WINDOW_MONTHS = 24;
export const RATE_MIN_DAYS = 30;
export const DUE_SOON_DAYS = 14;
export const OVERDUE_DAYS = 30;

export const STAGES = ['ok', 'due_soon', 'due', 'overdue'] as const;
export type Stage = (typeof STAGES)[number];
export type ReminderStage = Exclude<Stage, 'ok'>;

export interface OdometerPoint {
  value: number;
  readAt: Date;
}

export interface CycleStart {
  /** Local date `YYYY-MM-DD`. */
  date: string;
  odometer: number | null;
  source: 'performed' | 'purchase' | 'created';
}

export interface DueInput {
  asOf: Date;
  timeZone: string;
  unit: DistanceUnit;
  /** Odometer readings of the vehicle (any order; those after asOf are ignored). */
  readings: OdometerPoint[];
  start: CycleStart;
  interval: { distance: number | null; months: number | null };
}

export interface DrivingRate {
  /** Distance per day as a decimal (for display). */
  perDay: number;
  distance: number;
  days: number;
  source: 'history' | 'default';
}

export interface DueProjection {
  rate: DrivingRate;
  /** The odometer point the distance projection starts from. */
  base: { date: string; value: number } | null;
  timeDueDate: string | null;
  distanceDueDate: string | null;
  /** Odometer at which the distance projection falls due. */
  targetOdometer: number | null;
  winner: 'time' | 'distance' | null;
  dueDate: string | null;
  dueSoonDate: string | null;
  overdueDate: string | null;
  stage: Stage;
}

export function localDate(instant: Date, timeZone: string): string {
  return DateTime.fromJSDate(instant, { zone: timeZone }).toISODate()!;
}

export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate()!;
}

export function addMonths(date: string, months: number): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ months }).toISODate()!;
}

export function daysBetween(from: string, to: string): number {
  return Math.round(
    DateTime.fromISO(to, { zone: 'utc' }).diff(DateTime.fromISO(from, { zone: 'utc' }), 'days').days,
  );
}

/** ceil(a / b) for integers, b > 0, without floating-point surprises at exact multiples. */
export function ceilDiv(a: number, b: number): number {
  const q = Math.trunc(a / b);
  return a > 0 && a % b !== 0 ? q + 1 : q;
}

const byTimeThenValue = (a: OdometerPoint, b: OdometerPoint) =>
  a.readAt.getTime() - b.readAt.getTime() || a.value - b.value;

export function drivingRate(
  readings: OdometerPoint[],
  asOf: Date,
  timeZone: string,
  unit: DistanceUnit,
): DrivingRate {
  const windowStart = DateTime.fromJSDate(asOf, { zone: 'utc' })
    .minus({ months: RATE_WINDOW_MONTHS })
    .toMillis();
  const inWindow = readings
    .filter((r) => r.readAt.getTime() > windowStart && r.readAt.getTime() <= asOf.getTime())
    .sort(byTimeThenValue);
  if (inWindow.length >= 2) {
    const first = inWindow[0];
    const last = inWindow[inWindow.length - 1];
    const days = daysBetween(localDate(first.readAt, timeZone), localDate(last.readAt, timeZone));
    if (days >= RATE_MIN_DAYS) {
      const distance = Math.max(0, last.value - first.value);
      return { perDay: distance / days, distance, days, source: 'history' };
    }
  }
  const perDay = DEFAULT_RATE_PER_DAY[unit];
  return { perDay, distance: perDay, days: 1, source: 'default' };
}

export function stageAt(asOfDate: string, dueDate: string | null): Stage {
  if (dueDate === null) return 'ok';
  if (asOfDate >= addDays(dueDate, OVERDUE_DAYS)) return 'overdue';
  if (asOfDate >= dueDate) return 'due';
  if (asOfDate >= addDays(dueDate, -DUE_SOON_DAYS)) return 'due_soon';
  return 'ok';
}

export function projectDue(input: DueInput): DueProjection {
  const { asOf, timeZone, unit, start, interval } = input;
  const rate = drivingRate(input.readings, asOf, timeZone, unit);

  const latest = input.readings
    .filter((r) => r.readAt.getTime() <= asOf.getTime())
    .sort(byTimeThenValue)
    .pop();
  let base: { date: string; value: number } | null = latest
    ? { date: localDate(latest.readAt, timeZone), value: latest.value }
    : null;
  if (start.odometer !== null && (base === null || start.date > base.date))
    base = { date: start.date, value: start.odometer };

  const timeDueDate = interval.months ? addMonths(start.date, interval.months) : null;

  let distanceDueDate: string | null = null;
  let targetOdometer: number | null = null;
  if (interval.distance && start.odometer !== null) {
    targetOdometer = start.odometer + interval.distance;
    if (base && rate.distance > 0) {
      distanceDueDate = addDays(base.date, ceilDiv((targetOdometer - base.value) * rate.days, rate.distance));
    }
  }

  let winner: DueProjection['winner'] = null;
  let dueDate: string | null = null;
  if (timeDueDate !== null && (distanceDueDate === null || timeDueDate <= distanceDueDate)) {
    winner = 'time';
    dueDate = timeDueDate;
  } else if (distanceDueDate !== null) {
    winner = 'distance';
    dueDate = distanceDueDate;
  }

  return {
    rate,
    base,
    timeDueDate,
    distanceDueDate,
    targetOdometer,
    winner,
    dueDate,
    dueSoonDate: dueDate && addDays(dueDate, -DUE_SOON_DAYS),
    overdueDate: dueDate && addDays(dueDate, OVERDUE_DAYS),
    stage: stageAt(localDate(asOf, timeZone), dueDate),
  };
}
