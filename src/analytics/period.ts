import { DateTime } from 'luxon';
import { ValidationFailedError } from '../common/problem/domain-error';

/**
 * A half-open interval of instants [from, to). All analytics periods are half-open. `timeZone` (IANA) is the
 * calendar of the report: date-only bounds are its local midnights, months are its months and calendar dates
 * stored without a time (purchase, visit, warranty end) are compared with its local dates.
 */
export interface Period {
  from: Date;
  to: Date;
  timeZone: string;
}

/** The longest period (and series) we compute in one request; keeps the monthly series to 60 points. */
export const MAX_PERIOD_MONTHS = 60;

/**
 * The period of a request in `timeZone`: `to` defaults to now, `from` to 12 months before `to`. A bound given as
 * a date (`2026-01-01`) or a date-time without an offset is local to `timeZone`; one with `Z` or an offset is
 * that instant. `from` must be before `to` and the span at most MAX_PERIOD_MONTHS.
 */
export function resolvePeriod(
  from: string | undefined,
  to: string | undefined,
  now: Date,
  timeZone = 'UTC',
): Period {
  const end = to ? parseInstant(to, timeZone) : now;
  const start = from ? parseInstant(from, timeZone) : minusMonths(end, 12, timeZone);
  if (start.getTime() >= end.getTime()) {
    throw new ValidationFailedError([{ field: 'from', message: 'from must be before to' }]);
  }
  if (start.getTime() < minusMonths(end, MAX_PERIOD_MONTHS, timeZone).getTime()) {
    throw new ValidationFailedError([
      { field: 'from', message: `the period may span at most ${MAX_PERIOD_MONTHS} months` },
    ]);
  }
  return { from: start, to: end, timeZone };
}

function parseInstant(value: string, timeZone: string): Date {
  return DateTime.fromISO(value, { zone: timeZone, setZone: false }).toJSDate();
}

/** `months` calendar months before `instant`, in `timeZone`'s calendar. */
export function minusMonths(instant: Date, months: number, timeZone = 'UTC'): Date {
  return DateTime.fromJSDate(instant, { zone: timeZone }).minus({ months }).toJSDate();
}

/**
 * Calendar dates (purchase, warranty end…) are compared as local midnight in `timeZone`. The first date whose
 * midnight is at or after `instant`, as 'YYYY-MM-DD': `date >= ceilDate(x)` ⇔ midnight(date) >= x, and it
 * stays an index-friendly comparison of a date column with a constant.
 */
export function ceilDate(instant: Date, timeZone = 'UTC'): string {
  const d = DateTime.fromJSDate(instant, { zone: timeZone });
  const floor = d.startOf('day');
  return (floor.toMillis() === d.toMillis() ? floor : floor.plus({ days: 1 })).toISODate() as string;
}

/** Calendar months of the period's time zone overlapping it, each clipped to it: the points of a monthly series. */
export function monthBuckets(period: Period): { month: string; from: Date; to: Date }[] {
  const buckets: { month: string; from: Date; to: Date }[] = [];
  let cursor = DateTime.fromJSDate(period.from, { zone: period.timeZone }).startOf('month');
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
