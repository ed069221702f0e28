import { DateTime } from 'luxon';

/** ISO weekday: 1 = Monday … 7 = Sunday (luxon's numbering). */
export const WEEKDAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Local wall-clock opening interval, `HH:MM` to `HH:MM` (close after open, same day). */
export interface OpeningInterval {
  open: string;
  close: string;
}

/** A rooftop's service calendar, as the slot arithmetic needs it. */
export interface CalendarRules {
  /** IANA zone of the rooftop: opening hours and closed dates are read in it. */
  timeZone: string;
  /** Opening intervals per ISO weekday; a missing or empty weekday is closed. */
  openingHours: Partial<Record<Weekday, OpeningInterval[]>>;
  /** Local dates (YYYY-MM-DD) the workshop is closed. */
  closedDates: string[];
  slotMinutes: number;
  placesPerSlot: number;
  leadMinutes: number;
  horizonDays: number;
}

export interface Slot {
  start: Date;
  end: Date;
  /** The slot's local date and time in the rooftop's zone, for display. */
  localDate: string;
  localTime: string;
}

export interface FreeSlot extends Slot {
  free: number;
}

export type SlotRefusal = 'not_a_slot' | 'too_soon' | 'beyond_horizon';

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function parseHhmm(value: string): { hour: number; minute: number } | null {
  const m = HHMM.exec(value);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : null;
}

/**
 * The slots of one local date. Opening hours are wall-clock times, but slots are stepped in real time from
 * the instant the workshop opens to the instant it closes: on a daylight-saving change day a slot is neither
 * lost nor doubled — the workshop is open for as many real half-hours as the clock shows it open (an hour
 * fewer in spring, one more in autumn when the hours span the change).
 */
export function slotsOfDate(rules: CalendarRules, localDate: string): Slot[] {
  const day = DateTime.fromISO(localDate, { zone: rules.timeZone });
  if (!day.isValid || rules.closedDates.includes(localDate)) return [];
  const intervals = rules.openingHours[String(day.weekday) as Weekday] ?? [];
  const slots: Slot[] = [];
  const stepMs = rules.slotMinutes * 60_000;
  for (const interval of intervals) {
    const open = parseHhmm(interval.open);
    const close = parseHhmm(interval.close);
    if (!open || !close) continue;
    const from = day.set({ ...open, second: 0, millisecond: 0 }).toMillis();
    const to = day.set({ ...close, second: 0, millisecond: 0 }).toMillis();
    for (let t = from; t + stepMs <= to; t += stepMs) {
      const local = DateTime.fromMillis(t, { zone: rules.timeZone });
      slots.push({
        start: new Date(t),
        end: new Date(t + stepMs),
        localDate: local.toISODate()!,
        localTime: local.toFormat('HH:mm'),
      });
    }
  }
  return slots.sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** The bookable window at `now`: from now + lead time to the end of the horizon's last local day. */
export function bookableWindow(rules: CalendarRules, now: Date): { earliest: Date; latest: Date } {
  const earliest = new Date(now.getTime() + rules.leadMinutes * 60_000);
  const latest = DateTime.fromJSDate(now, { zone: rules.timeZone })
    .startOf('day')
    .plus({ days: rules.horizonDays + 1 })
    .toJSDate();
  return { earliest, latest };
}

/**
 * Every slot starting within the window (lead time … horizon) on the next `days` local days from `now`,
 * with the places still free. `taken` maps a slot's start (ms) to the places booked in it.
 */
export function freeSlots(
  rules: CalendarRules,
  now: Date,
  days: number,
  taken: ReadonlyMap<number, number>,
): FreeSlot[] {
  const { earliest, latest } = bookableWindow(rules, now);
  const today = DateTime.fromJSDate(now, { zone: rules.timeZone }).startOf('day');
  const out: FreeSlot[] = [];
  for (let i = 0; i < days; i += 1) {
    for (const slot of slotsOfDate(rules, today.plus({ days: i }).toISODate()!)) {
      if (slot.start < earliest || slot.start >= latest) continue;
      const free = Math.max(0, rules.placesPerSlot - (taken.get(slot.start.getTime()) ?? 0));
      out.push({ ...slot, free });
    }
  }
  return out;
}

/** Why `start` cannot be booked at `now` (null when it can, places permitting). */
export function refuseSlot(rules: CalendarRules, now: Date, start: Date): SlotRefusal | null {
  const local = DateTime.fromJSDate(start, { zone: rules.timeZone });
  const isSlot = slotsOfDate(rules, local.toISODate()!).some((s) => s.start.getTime() === start.getTime());
  if (!isSlot) return 'not_a_slot';
  const { earliest, latest } = bookableWindow(rules, now);
  if (start < earliest) return 'too_soon';
  if (start >= latest) return 'beyond_horizon';
  return null;
}

/** Whether the customer may still change or cancel an appointment starting at `start` (until the lead time). */
export function changeableUntilLead(rules: CalendarRules, now: Date, start: Date): boolean {
  return start.getTime() - now.getTime() >= rules.leadMinutes * 60_000;
}
