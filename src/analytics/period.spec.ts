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
    });
    expect(() => resolvePeriod('2026-06-01T00:00:00Z', '2026-01-01T00:00:00Z', now)).toThrow(
      'The request is invalid',
    );
    expect(() => resolvePeriod('2020-01-01T00:00:00Z', '2026-01-01T00:00:00Z', now)).toThrow(
      'The request is invalid',
    );
  });

  it('answers null instead of dividing by zero', () => {
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(2, 3)).toBe(0.6667);
  });
});
