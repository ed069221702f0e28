/**
 * The plausibility rule for odometer readings (SPEC "Odometer reading"): a reading may not be lower than
 * the latest reading before it, nor higher than a later one, nor imply driving more than `maxPerDay`
 * (2,000 km/day; 1,243 mi/day). Elapsed time counts as at least one day, so two readings on the same day
 * may differ by up to one day's maximum.
 */
export interface ReadingPoint {
  value: number;
  readAt: Date;
}

export type OdometerVerdict =
  | { ok: true }
  | {
      ok: false;
      reason: 'future' | 'backwards' | 'ahead_of_later' | 'implausible_jump';
      message: string;
      previous?: ReadingPoint;
      next?: ReadingPoint;
    };

const DAY_MS = 86_400_000;

export function judgeReading(input: {
  value: number;
  readAt: Date;
  now: Date;
  previous: ReadingPoint | null;
  next: ReadingPoint | null;
  maxPerDay: number;
  unit: string;
}): OdometerVerdict {
  const { value, readAt, now, previous, next, maxPerDay, unit } = input;
  const fmt = (p: ReadingPoint) => `${p.value.toLocaleString('en-US')} ${unit} on ${p.readAt.toISOString()}`;
  if (readAt.getTime() > now.getTime()) {
    return {
      ok: false,
      reason: 'future',
      message: `The reading time ${readAt.toISOString()} is in the future`,
    };
  }
  if (previous) {
    if (value < previous.value) {
      return {
        ok: false,
        reason: 'backwards',
        message: `The odometer cannot go backwards: the previous reading is ${fmt(previous)}`,
        previous,
      };
    }
    const days = Math.max(1, (readAt.getTime() - previous.readAt.getTime()) / DAY_MS);
    const allowed = Math.floor(maxPerDay * days);
    if (value - previous.value > allowed) {
      return {
        ok: false,
        reason: 'implausible_jump',
        message: `${(value - previous.value).toLocaleString('en-US')} ${unit} since the previous reading (${fmt(previous)}) is more than ${maxPerDay.toLocaleString('en-US')} ${unit} a day`,
        previous,
      };
    }
  }
  if (next && value > next.value) {
    return {
      ok: false,
      reason: 'ahead_of_later',
      message: `The reading is higher than a later reading (${fmt(next)})`,
      next,
    };
  }
  return { ok: true };
}
