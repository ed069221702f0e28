import { isCalendarDate, isFutureDate, normalisePhone, searchPatterns } from './customer-rules';

describe('customer rules', () => {
  it('normalises Cambodian numbers written locally to E.164', () => {
    expect(normalisePhone('012 345 678')).toBe('+85512345678');
    expect(normalisePhone('+855 12 345 678')).toBe('+85512345678');
  });

  it('keeps foreign numbers given with their country code', () => {
    expect(normalisePhone('+856 20 5555 1234')).toBe('+8562055551234');
  });

  it('refuses numbers that are not valid', () => {
    expect(normalisePhone('12')).toBeNull();
    expect(normalisePhone('not a phone')).toBeNull();
    expect(normalisePhone('')).toBeNull();
  });

  it('accepts only real calendar dates', () => {
    expect(isCalendarDate('1990-02-28')).toBe(true);
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('1990-13-01')).toBe(false);
    expect(isCalendarDate('1890-01-01')).toBe(false);
    expect(isCalendarDate('01/02/1990')).toBe(false);
  });

  it('tells a date after today', () => {
    const today = new Date('2026-06-15T03:00:00Z');
    expect(isFutureDate('2026-06-16', today)).toBe(true);
    expect(isFutureDate('2026-06-15', today)).toBe(false);
  });

  it('builds search patterns that escape LIKE wildcards and match phones without the trunk zero', () => {
    expect(searchPatterns('  Sok  Dara ')).toEqual({ text: '%sok dara%', phone: null });
    expect(searchPatterns('50%_off').text).toBe('%50\\%\\_off%');
    expect(searchPatterns('012 345').phone).toBe('%12345%');
    expect(searchPatterns('+855 12').phone).toBe('%85512%');
    expect(searchPatterns('ab').phone).toBeNull();
  });
});
