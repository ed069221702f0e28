/**
 * VIN rules (SPEC "Vehicle"): 17 characters, letters and digits without I, O or Q. The North-American
 * check digit (ISO 3779 / 49 CFR 565) sits at position 9. Only VINs whose WMI is North-American
 * (first character 1–5) are bound to it; elsewhere position 9 may be anything, so a mismatch there is a
 * warning, never an error.
 */
export interface VinCheck {
  /** Upper-cased, trimmed VIN. */
  vin: string;
  errors: string[];
  warnings: string[];
}

const TRANSLITERATION: Record<string, number> = {
  A: 1,
  B: 2,
  C: 3,
  D: 4,
  E: 5,
  F: 6,
  G: 7,
  H: 8,
  J: 1,
  K: 2,
  L: 3,
  M: 4,
  N: 5,
  P: 7,
  R: 9,
  S: 2,
  T: 3,
  U: 4,
  V: 5,
  W: 6,
  X: 7,
  Y: 8,
  Z: 9,
};
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const VIN_SHAPE = /^[A-HJ-NPR-Z0-9]{17}$/;

export function normalizeVin(raw: string): string {
  return raw.trim().toUpperCase();
}

/** The expected character at position 9 ('0'–'9' or 'X') of a well-formed VIN. */
export function vinCheckDigit(vin: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = vin[i];
    const value = c >= '0' && c <= '9' ? Number(c) : TRANSLITERATION[c];
    sum += value * WEIGHTS[i];
  }
  const remainder = sum % 11;
  return remainder === 10 ? 'X' : String(remainder);
}

/** True when the first character names a North-American manufacturing region (US, Canada, Mexico). */
export function usesNorthAmericanCheckDigit(vin: string): boolean {
  return /^[1-5]/.test(vin);
}

export function checkVin(raw: string): VinCheck {
  const vin = normalizeVin(raw);
  const errors: string[] = [];
  const warnings: string[] = [];
  if (vin.length !== 17) errors.push(`VIN must be 17 characters (got ${vin.length})`);
  if (/[IOQ]/.test(vin)) errors.push('VIN must not contain the letters I, O or Q');
  if (/[^A-Z0-9]/.test(vin)) errors.push('VIN may contain only letters and digits');
  if (errors.length > 0 || !VIN_SHAPE.test(vin)) return { vin, errors, warnings };

  const expected = vinCheckDigit(vin);
  if (vin[8] !== expected) {
    const message = `VIN check digit (position 9) is '${vin[8]}' but the VIN computes to '${expected}'`;
    if (usesNorthAmericanCheckDigit(vin)) errors.push(message);
    else warnings.push(`${message}; not enforced for a VIN from outside North America`);
  }
  return { vin, errors, warnings };
}
