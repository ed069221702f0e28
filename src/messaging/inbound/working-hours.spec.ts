import { DateTime } from 'luxon';
import { addWorkingHours, DEFAULT_OPENING_HOURS, WorkingWeek } from './working-hours';

const phnomPenh: WorkingWeek = {
  timeZone: 'Asia/Phnom_Penh',
  openingHours: DEFAULT_OPENING_HOURS,
  closedDates: [],
};
/** `local` is a wall-clock time in the week's zone; the answer is given the same way. */
function due(week: WorkingWeek, local: string, hours = 4): string {
  const from = DateTime.fromISO(local, { zone: week.timeZone }).toJSDate();
  return DateTime.fromJSDate(addWorkingHours(from, hours, week), { zone: week.timeZone }).toISO({
    suppressMilliseconds: true,
    includeOffset: true,
  })!;
}

describe('addWorkingHours (4 working hours of the rooftop)', () => {
  it('adds hours within one working day', () => {
    expect(due(phnomPenh, '2026-06-15T09:30')).toBe('2026-06-15T13:30:00+07:00');
  });

  it('carries a reply on Saturday 16:00 over Sunday to Monday 11:00', () => {
    expect(due(phnomPenh, '2026-06-13T16:00')).toBe('2026-06-15T11:00:00+07:00');
  });

  it('starts a reply that arrives at night at the next opening', () => {
    expect(due(phnomPenh, '2026-06-15T22:10')).toBe('2026-06-16T12:00:00+07:00');
    expect(due(phnomPenh, '2026-06-16T06:00')).toBe('2026-06-16T12:00:00+07:00');
  });

  it('ends exactly at closing time when the hours fill the rest of the day', () => {
    expect(due(phnomPenh, '2026-06-15T13:00')).toBe('2026-06-15T17:00:00+07:00');
  });

  it('skips closed dates and days without hours, and uses several intervals of a day', () => {
    const week: WorkingWeek = {
      timeZone: 'Asia/Vientiane',
      openingHours: {
        '1': [
          { open: '13:00', close: '17:00' },
          { open: '08:00', close: '12:00' },
        ],
        '2': [{ open: '08:00', close: '12:00' }],
      },
      closedDates: ['2026-06-16'],
    };
    // Monday 11:00: 1 h before lunch, 3 h after it.
    expect(due(week, '2026-06-15T11:00')).toBe('2026-06-15T16:00:00+07:00');
    // Monday 16:00: 1 h, Tuesday is closed, Wednesday–Sunday have no hours, next Monday 08:00 + 3 h.
    expect(due(week, '2026-06-15T16:00')).toBe('2026-06-22T11:00:00+07:00');
  });

  it('counts local days across a daylight-saving change (New York, spring forward on Sunday 8 March 2026)', () => {
    const newYork: WorkingWeek = { ...phnomPenh, timeZone: 'America/New_York' };
    // Saturday 16:00 EST → Monday 11:00 EDT: local hours, not 24-hour steps in UTC.
    expect(due(newYork, '2026-03-07T16:00')).toBe('2026-03-09T11:00:00-04:00');
  });

  it('counts the real time of an interval that spans the change (an hour less in spring, one more in autumn)', () => {
    const night = (timeZone: string): WorkingWeek => ({
      timeZone,
      openingHours: Object.fromEntries(
        (['1', '2', '3', '4', '5', '6', '7'] as const).map((d) => [d, [{ open: '00:00', close: '06:00' }]]),
      ),
      closedDates: [],
    });
    // 8 March 2026 00:00–06:00 in New York is 5 real hours: 5 working hours end at 06:00 that day.
    expect(due(night('America/New_York'), '2026-03-08T00:00', 5)).toBe('2026-03-08T06:00:00-04:00');
    // 1 November 2026 00:00–06:00 is 7 real hours: 6 working hours end at 05:00 EST.
    expect(due(night('America/New_York'), '2026-11-01T00:00', 6)).toBe('2026-11-01T05:00:00-05:00');
  });

  it('falls back to real time for a week without working hours', () => {
    const none: WorkingWeek = { timeZone: 'Asia/Phnom_Penh', openingHours: {}, closedDates: [] };
    expect(due(none, '2026-06-13T16:00')).toBe('2026-06-13T20:00:00+07:00');
  });
});
