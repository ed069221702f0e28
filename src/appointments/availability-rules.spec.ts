import { CalendarRules, freeSlots, refuseSlot, slotsOfDate, changeableUntilLead } from './availability-rules';

const weekdays = (open: string, close: string) => ({
  '1': [{ open, close }],
  '2': [{ open, close }],
  '3': [{ open, close }],
  '4': [{ open, close }],
  '5': [{ open, close }],
  '6': [{ open: '08:00', close: '12:00' }],
});

const phnomPenh: CalendarRules = {
  timeZone: 'Asia/Phnom_Penh',
  openingHours: weekdays('08:00', '17:00'),
  closedDates: ['2026-04-14'],
  slotMinutes: 30,
  placesPerSlot: 3,
  leadMinutes: 120,
  horizonDays: 60,
};

const times = (slots: { localTime: string }[]) => slots.map((s) => s.localTime);

describe('service calendar slot arithmetic', () => {
  it('cuts a Phnom Penh working day into 18 half-hour slots from 08:00 to 16:30 local (UTC+7)', () => {
    const slots = slotsOfDate(phnomPenh, '2026-06-15'); // a Monday
    expect(slots).toHaveLength(18);
    expect(slots[0].start.toISOString()).toBe('2026-06-15T01:00:00.000Z');
    expect(slots[17].localTime).toBe('16:30');
    expect(slots[17].end.toISOString()).toBe('2026-06-15T10:00:00.000Z');
  });

  it('gives no slot on a closed date, nor on a weekday without hours', () => {
    expect(slotsOfDate(phnomPenh, '2026-04-14')).toEqual([]);
    expect(slotsOfDate(phnomPenh, '2026-06-14')).toEqual([]); // a Sunday
    expect(times(slotsOfDate(phnomPenh, '2026-06-13'))).toEqual([
      '08:00',
      '08:30',
      '09:00',
      '09:30',
      '10:00',
      '10:30',
      '11:00',
      '11:30',
    ]);
  });

  it('keeps a lunch break between two intervals, and never a slot that would run past closing', () => {
    const rules = {
      ...phnomPenh,
      openingHours: {
        '1': [
          { open: '13:00', close: '17:15' },
          { open: '08:00', close: '12:00' },
        ],
      },
    };
    const slots = times(slotsOfDate(rules, '2026-06-15'));
    expect(slots).toHaveLength(16);
    expect(slots).not.toContain('12:00');
    expect(slots[slots.length - 1]).toBe('16:30');
  });

  it('offers nothing before the lead time: at 09:10 local the first slot is 11:30', () => {
    const now = new Date('2026-06-15T02:10:00Z'); // 09:10 in Phnom Penh
    const slots = freeSlots(phnomPenh, now, 1, new Map());
    expect(slots[0].localTime).toBe('11:30');
    expect(refuseSlot(phnomPenh, now, new Date('2026-06-15T04:00:00Z'))).toBe('too_soon'); // 11:00
    expect(refuseSlot(phnomPenh, now, new Date('2026-06-15T04:30:00Z'))).toBeNull(); // 11:30
    expect(refuseSlot(phnomPenh, now, new Date('2026-06-15T04:10:00Z'))).toBe('not_a_slot');
  });

  it('offers nothing beyond the horizon: the 60th day is bookable, the 61st is not', () => {
    const now = new Date('2026-06-15T02:00:00Z');
    expect(refuseSlot(phnomPenh, now, new Date('2026-08-14T01:00:00Z'))).toBeNull(); // Fri, day 60
    expect(refuseSlot(phnomPenh, now, new Date('2026-08-15T01:00:00Z'))).toBe('beyond_horizon'); // Sat, day 61
    const all = freeSlots(phnomPenh, now, 90, new Map());
    expect(all[all.length - 1].localDate).toBe('2026-08-14');
  });

  it('counts the free places of each slot from the places taken', () => {
    const now = new Date('2026-06-14T00:00:00Z');
    const taken = new Map([
      [Date.parse('2026-06-15T01:00:00Z'), 3],
      [Date.parse('2026-06-15T01:30:00Z'), 1],
    ]);
    const slots = freeSlots(phnomPenh, now, 2, taken);
    expect(slots.slice(0, 3).map((s) => s.free)).toEqual([0, 2, 3]);
  });

  it('lets the customer change an appointment until the lead time, not after', () => {
    const start = new Date('2026-06-15T05:00:00Z');
    expect(changeableUntilLead(phnomPenh, new Date('2026-06-15T03:00:00Z'), start)).toBe(true);
    expect(changeableUntilLead(phnomPenh, new Date('2026-06-15T03:00:01Z'), start)).toBe(false);
  });

  describe('America/New_York on daylight-saving change days', () => {
    const newYork: CalendarRules = {
      ...phnomPenh,
      timeZone: 'America/New_York',
      closedDates: [],
      openingHours: { '7': [{ open: '00:00', close: '04:00' }], '1': [{ open: '08:00', close: '17:00' }] },
    };

    const assertNoGapNoDouble = (slots: { start: Date; end: Date }[]) => {
      const starts = slots.map((s) => s.start.getTime());
      expect(new Set(starts).size).toBe(starts.length);
      for (let i = 1; i < slots.length; i += 1) expect(starts[i] - starts[i - 1]).toBe(30 * 60_000);
    };

    it('spring forward (2026-03-08): 00:00–04:00 local is three real hours, six slots, none at 02:xx', () => {
      const slots = slotsOfDate(newYork, '2026-03-08');
      expect(times(slots)).toEqual(['00:00', '00:30', '01:00', '01:30', '03:00', '03:30']);
      expect(slots[0].start.toISOString()).toBe('2026-03-08T05:00:00.000Z');
      expect(slots[5].end.toISOString()).toBe('2026-03-08T08:00:00.000Z');
      assertNoGapNoDouble(slots);
    });

    it('fall back (2026-11-01): 00:00–04:00 local is five real hours, ten slots, 01:00 and 01:30 twice at distinct instants', () => {
      const slots = slotsOfDate(newYork, '2026-11-01');
      expect(slots).toHaveLength(10);
      expect(times(slots)).toEqual([
        '00:00',
        '00:30',
        '01:00',
        '01:30',
        '01:00',
        '01:30',
        '02:00',
        '02:30',
        '03:00',
        '03:30',
      ]);
      assertNoGapNoDouble(slots);
    });

    it('the Monday after each change still opens at 08:00 local in the new offset', () => {
      expect(slotsOfDate(newYork, '2026-03-09')[0].start.toISOString()).toBe('2026-03-09T12:00:00.000Z');
      expect(slotsOfDate(newYork, '2026-11-02')[0].start.toISOString()).toBe('2026-11-02T13:00:00.000Z');
      expect(slotsOfDate(newYork, '2026-03-09')).toHaveLength(18);
    });

    it('a slot named by its instant is found on the change day (both 01:00s are bookable slots)', () => {
      const now = new Date('2026-10-25T00:00:00Z');
      expect(refuseSlot(newYork, now, new Date('2026-11-01T05:00:00Z'))).toBeNull(); // 01:00 EDT
      expect(refuseSlot(newYork, now, new Date('2026-11-01T06:00:00Z'))).toBeNull(); // 01:00 EST
    });
  });
});
