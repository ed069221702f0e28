import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** Numbers written without a country code are read as Cambodian (the dealer group's home market). */
export const DEFAULT_PHONE_REGION: CountryCode = 'KH';

/** E.164 form of a phone number, or null when it is not a valid number. */
export function normalisePhone(input: string, region: CountryCode = DEFAULT_PHONE_REGION): string | null {
  const trimmed = input.trim();
  if (!trimmed || trimmed.length > 40) return null;
  const parsed = parsePhoneNumberFromString(trimmed, region);
  return parsed?.isValid() ? parsed.number : null;
}

/** A real calendar date written YYYY-MM-DD between 1900 and 2100. */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900 || y > 2100) return false;
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Birthdays cannot lie after today (business time). */
export function isFutureDate(value: string, today: Date): boolean {
  return value > today.toISOString().slice(0, 10);
}

export function normaliseEmail(value: string): string {
  return value.trim().toLowerCase();
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * ILIKE patterns for the customer search: one for names, emails and VINs, and one for phones, which
 * are stored in E.164 — "012 345 678" finds +85512345678 (the national trunk 0 is dropped).
 */
/** True when the search term could be part of a VIN (only [A-HJ-NPR-Z0-9], case-insensitive). */
export function couldMatchVin(q: string): boolean {
  return /^[A-HJ-NPR-Z0-9]+$/.test(q.trim().toUpperCase());
}

export function searchPatterns(q: string): { text: string; phone: string | null } {
  const term = q.trim().toLowerCase().replace(/\s+/g, ' ');
  const digits = term.replace(/\D/g, '');
  const phoneDigits = term.startsWith('+') ? digits : digits.replace(/^0+/, '');
  // Only digit-like searches (≥ 3 digits, nothing but digits and separators) are phone searches.
  const phone = phoneDigits.length >= 3 && /^[+\d\s().-]+$/.test(term) ? `%${phoneDigits}%` : null;
  return { text: `%${escapeLike(term)}%`, phone };
}
