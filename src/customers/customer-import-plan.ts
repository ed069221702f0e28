import type { CustomerRow } from './customer-csv';
import type { ImportRowError } from './import-job.entity';

/** The customer fields an import sets (besides the external id). */
export const IMPORT_FIELDS = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'address',
  'birthday',
  'language',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** The stored customer of an external id, as the batch reads it under lock. */
export interface ExistingCustomer {
  id: string;
  external_id: string;
  home_rooftop_id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  address: string | null;
  birthday: string | null;
  language: string;
}

export interface ImportWrite {
  externalId: string;
  values: Record<ImportField, string | null>;
}

export interface BatchPlan {
  /** New and changed customers, one per external id. */
  writes: ImportWrite[];
  /** Rows that match what is stored. */
  unchanged: number;
  /** The refused rows' errors, one entry per refused row, in the order they are reported. */
  refused: ImportRowError[][];
}

/** Within a batch the last row of an external id wins; earlier ones are refused, naming the line used. */
export function lastRowPerExternalId(rows: CustomerRow[]): {
  byId: Map<string, CustomerRow>;
  refused: ImportRowError[][];
} {
  const byId = new Map<string, CustomerRow>();
  const refused: ImportRowError[][] = [];
  for (const row of rows) {
    const earlier = byId.get(row.externalId);
    if (earlier)
      refused.push([
        {
          row: earlier.row,
          field: 'external_id',
          message: `external_id appears again on line ${row.row}; that row was used`,
        },
      ]);
    byId.set(row.externalId, row);
  }
  return { byId, refused };
}

/**
 * Decides each row of a batch: refused (an erased customer's id, another rooftop's customer, a new customer
 * without first_name), unchanged, or written with the stored values filling what the file leaves out.
 */
export function planBatch(
  rows: Iterable<CustomerRow>,
  context: {
    existing: Map<string, ExistingCustomer>;
    erased: Set<string>;
    rooftopId: string;
    defaultLanguage: string;
  },
): BatchPlan {
  const plan: BatchPlan = { writes: [], unchanged: 0, refused: [] };
  const refuse = (row: CustomerRow, field: string, message: string) =>
    plan.refused.push([{ row: row.row, field, message }]);
  for (const row of rows) {
    const current = context.existing.get(row.externalId);
    if (!current && context.erased.has(row.externalId)) {
      refuse(row, 'external_id', 'this customer asked to be erased; the row is not imported again');
      continue;
    }
    if (current && current.home_rooftop_id !== context.rooftopId) {
      refuse(row, 'external_id', 'external_id belongs to a customer of another rooftop');
      continue;
    }
    const merged = {
      firstName: row.values.firstName ?? current?.first_name ?? null,
      lastName: row.values.lastName ?? current?.last_name ?? '',
      email: 'email' in row.values ? (row.values.email ?? null) : (current?.email ?? null),
      phone: 'phone' in row.values ? (row.values.phone ?? null) : (current?.phone ?? null),
      address: 'address' in row.values ? (row.values.address ?? null) : (current?.address ?? null),
      birthday: 'birthday' in row.values ? (row.values.birthday ?? null) : (current?.birthday ?? null),
      language: row.values.language ?? current?.language ?? context.defaultLanguage,
    };
    if (!merged.firstName) {
      refuse(row, 'first_name', 'first_name is required for a new customer');
      continue;
    }
    if (current && IMPORT_FIELDS.every((f) => merged[f] === currentValue(current, f))) {
      plan.unchanged += 1;
      continue;
    }
    plan.writes.push({ externalId: row.externalId, values: merged });
  }
  return plan;
}

function currentValue(current: ExistingCustomer, field: ImportField): string | null {
  const columns = { firstName: current.first_name, lastName: current.last_name } as const;
  return field === 'firstName' || field === 'lastName' ? columns[field] : current[field];
}
