import { DateTime } from 'luxon';

/** ISO weekday 1 = Monday … 7 = Sunday, as luxon numbers them (and the service calendar stores them). */
export type IsoWeekday = '1' | '2' | '3' | '4' | '5' | '6' | '7';

/** Local wall-clock opening intervals (`HH:MM`, close after open) by ISO weekday; a missing day is closed. */
export interface WorkingWeek {
  timeZone: string;
  openingHours: Partial<Record<IsoWeekday, { open: string; close: string }[]>>;
  /** Local dates (YYYY-MM-DD) with no working hours. */
  closedDates: string[];
}

/** Mon–Sat 08:00–17:00: a dealership's week when the rooftop has no service calendar. */
export const DEFAULT_OPENING_HOURS: WorkingWeek['openingHours'] = Object.fromEntries(
  (['1', '2', '3', '4', '5', '6'] as const).map((d) => [d, [{ open: '08:00', close: '17:00' }]]),
);

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** Far enough to cross any run of closed days a calendar can hold; beyond it the week has no hours. */
const MAX_DAYS = 400;

function time(hhmm: string): { hour: number; minute: number } | null {
  const m = HHMM.exec(hhmm);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : null;
}

/** Whether the week has any working time at all (a calendar with no hours cannot give a due time). */
export function hasWorkingHours(week: Pick<WorkingWeek, 'openingHours'>): boolean {
  return Object.values(week.openingHours).some((day) =>
    (day ?? []).some((i) => {
      const open = time(i.open);
      const close = time(i.close);
      return !!open && !!close && close.hour * 60 + close.minute > open.hour * 60 + open.minute;
    }),
  );
}

/**
 * The instant `hours` working hours after `from` (SPEC "Replies": a reply's task is due in 4 working hours).
 * Each opening interval counts for the real time between its local opening and closing instants, so a
 * daylight-saving change inside an interval counts what the clock on the wall shows, neither an hour more
 * nor less; days are stepped as local calendar days, never as 24 hours. Time outside the intervals and on
 * closed dates does not count. A week without working hours falls back to the real-time sum.
 */
export function addWorkingHours(from: Date, hours: number, week: WorkingWeek): Date {
  let remaining = Math.round(hours * 3_600_000);
  if (remaining <= 0 || !hasWorkingHours(week)) return new Date(from.getTime() + Math.max(remaining, 0));
  const start = from.getTime();
  let day = DateTime.fromMillis(start, { zone: week.timeZone }).startOf('day');
  for (let n = 0; n < MAX_DAYS; n += 1, day = day.plus({ days: 1 }).startOf('day')) {
    const date = day.toISODate()!;
    if (week.closedDates.includes(date)) continue;
    const intervals = (week.openingHours[String(day.weekday) as IsoWeekday] ?? [])
      .map((i) => ({ open: time(i.open), close: time(i.close) }))
      .filter((i) => i.open && i.close)
      .map((i) => ({
        open: day.set({ ...i.open!, second: 0, millisecond: 0 }).toMillis(),
        close: day.set({ ...i.close!, second: 0, millisecond: 0 }).toMillis(),
      }))
      .sort((a, b) => a.open - b.open);
    for (const { open, close } of intervals) {
      const begin = Math.max(open, start);
      if (begin >= close) continue;
      if (remaining <= close - begin) return new Date(begin + remaining);
      remaining -= close - begin;
    }
  }
  return new Date(start + Math.round(hours * 3_600_000));
}
