import { DateTime } from 'luxon';
import { ValidationFailedError } from '../common/problem/domain-error';

/** A half-open interval of instants [from, to). All analytics periods are half-open. */
export interface Period {
  from: Date;
  to: Date;
}

/** The longest period (and series) we compute in one request; keeps the monthly series to 60 points. */
export const MAX_PERIOD_MONTHS = 60;

/**
 * The period of a request: `to` defaults to now, `from` to 12 months before `to` (UTC). `from` must be
 * before `to` and the span at most MAX_PERIOD_MONTHS.
 */
export function resolvePeriod(from: string | undefined, to: string | undefined, now: Date): Period {
  const end = to ? new Date(to) : now;
  const start = from ? new Date(from) : minusMonths(end, 12);
  if (start.getTime() >= end.getTime()) {
    throw new ValidationFailedError([{ field: 'from', message: 'from must be before to' }]);
  }
  if (start.getTime() < minusMonths(end, MAX_PERIOD_MONTHS).getTime()) {
    throw new ValidationFailedError([
      { field: 'from', message: `the period may span at most ${MAX_PERIOD_MONTHS} months` },
    ]);
  }
  return { from: start, to: end };
}

export function minusMonths(instant: Date, months: number): Date {
  return DateTime.fromJSDate(instant, { zone: 'utc' }).minus({ months }).toJSDate();
}

export function plusDays(instant: Date, days: number): Date {
  return DateTime.fromJSDate(instant, { zone: 'utc' }).plus({ days }).toJSDate();
}

/**
 * Calendar dates (purchase, warranty end…) are compared as midnight UTC. The first date whose midnight
 * is at or after `instant`, as 'YYYY-MM-DD': `date >= ceilDate(x)` ⇔ midnight(date) >= x, and it stays
 * an index-friendly comparison of a date column with a constant.
 */
export function ceilDate(instant: Date): string {
  const d = DateTime.fromJSDate(instant, { zone: 'utc' });
  const floor = d.startOf('day');
  return (floor.toMillis() === d.toMillis() ? floor : floor.plus({ days: 1 })).toISODate() as string;
}

/** Calendar months (UTC) overlapping the period, each clipped to it: the points of a monthly series. */
export function monthBuckets(period: Period): { month: string; from: Date; to: Date }[] {
  const buckets: { month: string; from: Date; to: Date }[] = [];
  let cursor = DateTime.fromJSDate(period.from, { zone: 'utc' }).startOf('month');
  const end = period.to.getTime();
  while (cursor.toMillis() < end) {
    const next = cursor.plus({ months: 1 });
    buckets.push({
      month: cursor.toFormat('yyyy-MM'),
      from: new Date(Math.max(cursor.toMillis(), period.from.getTime())),
      to: new Date(Math.min(next.toMillis(), end)),
    });
    cursor = next;
  }
  return buckets;
}

/** n / d rounded to 4 decimals, or null when there is nothing to divide by (empty periods). */
export function ratio(n: number, d: number): number | null {
  return d > 0 ? Math.round((n / d) * 10_000) / 10_000 : null;
}
