import type { PayType } from './service-visit-line.entity';

/** Money is summed in integer cents: 0.1 + 0.2 must be 0.30, not 0.30000000000000004. */
export function toCents(amount: number | string): number {
  return Math.round(Number(amount) * 100);
}

export function fromCents(cents: number): string {
  return (cents / 100).toFixed(2);
}

export interface PayLine {
  labourAmount: number | string;
  partsAmount: number | string;
  payType: PayType;
}

/** Labour + parts of the performed lines, per pay type, as numeric(12,2) strings. */
export function payTotals(lines: PayLine[]): Record<PayType, string> {
  const cents: Record<PayType, number> = { customer: 0, warranty: 0, internal: 0 };
  for (const line of lines) cents[line.payType] += toCents(line.labourAmount) + toCents(line.partsAmount);
  return {
    customer: fromCents(cents.customer),
    warranty: fromCents(cents.warranty),
    internal: fromCents(cents.internal),
  };
}
