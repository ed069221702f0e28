import { ceilDate, monthBuckets, ratio, resolvePeriod } from './period';

describe('analytics periods', () => {
  it('compares calendar dates as midnight UTC: the first date at or after an instant', () => {
    expect(ceilDate(new Date('2026-06-15T00:00:00Z'))).toBe('2026-06-15');
    expect(ceilDate(new Date('2026-06-15T03:00:00Z'))).toBe('2026-06-16');
    expect(ceilDate(new Date('2026-12-31T23:59:59.999Z'))).toBe('2027-01-01');
  });

  it('cuts a period into calendar months clipped to it', () => {
    const buckets = monthBuckets({
      from: new Date('2026-01-15T00:00:00Z'),
      to: new Date('2026-03-01T00:00:00Z'),
      timeZone: 'UTC',
    });
    expect(buckets.map((b) => [b.month, b.from.toISOString(), b.to.toISOString()])).toEqual([
      ['2026-01', '2026-01-15T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
      ['2026-02', '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
    ]);
  });

  it('defaults to the 12 months before now and refuses reversed or over-long periods', () => {
    const now = new Date('2026-06-15T03:00:00Z');
    expect(resolvePeriod(undefined, undefined, now)).toEqual({
      from: new Date('2025-06-15T03:00:00Z'),
      to: now,
      timeZone: 'UTC',
    });
    expect(() => resolvePeriod('2026-06-01T00:00:00Z', '2026-01-01T00:00:00Z', now)).toThrow(
      'The request is invalid',
    );
    expect(() => resolvePeriod('2020-01-01T00:00:00Z', '2026-01-01T00:00:00Z', now)).toThrow(
      'The request is invalid',
    );
  });

  it('works in the rooftops’ calendar: local midnights, local months, local dates', () => {
    const pp = 'Asia/Phnom_Penh'; // UTC+7, no daylight saving
    const period = resolvePeriod('2026-01-01', '2026-03-01', new Date('2026-06-15T03:00:00Z'), pp);
    expect(period).toEqual({
      from: new Date('2025-12-31T17:00:00Z'),
      to: new Date('2026-02-28T17:00:00Z'),
      timeZone: pp,
    });
    // An instant with an offset stays that instant.
    expect(
      resolvePeriod('2026-01-01T00:00:00Z', undefined, new Date('2026-06-15T03:00:00Z'), pp).from,
    ).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(monthBuckets(period).map((b) => [b.month, b.from.toISOString()])).toEqual([
      ['2026-01', '2025-12-31T17:00:00.000Z'],
      ['2026-02', '2026-01-31T17:00:00.000Z'],
    ]);
    // 2026-06-14T17:00Z is midnight of 15 June in Phnom Penh; one millisecond later, the 16th is the first.
    expect(ceilDate(new Date('2026-06-14T17:00:00Z'), pp)).toBe('2026-06-15');
    expect(ceilDate(new Date('2026-06-14T17:00:00.001Z'), pp)).toBe('2026-06-16');
  });

  it('answers null instead of dividing by zero', () => {
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(2, 3)).toBe(0.6667);
  });
});
