import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { Language } from '../config/app-config';
import { isFutureDate, normaliseEmail, normalisePhone } from './customer-rules';
import { CustomerFieldsDto } from './dto/customer.dto';
import type { ImportRowError } from './import-job.entity';

/** The CSV columns of import and export, in order (export adds `id` first). */
export const CSV_COLUMNS = [
  'external_id',
  'first_name',
  'last_name',
  'email',
  'phone',
  'address',
  'birthday',
  'language',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Header names seen in DMS exports, after lower-casing and turning spaces/dashes into underscores. */
const ALIASES: Record<string, CsvColumn> = {
  external_id: 'external_id',
  externalid: 'external_id',
  customer_id: 'external_id',
  customerid: 'external_id',
  cust_no: 'external_id',
  custno: 'external_id',
  customer_no: 'external_id',
  customer_number: 'external_id',
  dms_id: 'external_id',
  first_name: 'first_name',
  firstname: 'first_name',
  given_name: 'first_name',
  last_name: 'last_name',
  lastname: 'last_name',
  surname: 'last_name',
  family_name: 'last_name',
  email: 'email',
  email_address: 'email',
  e_mail: 'email',
  phone: 'phone',
  phone_number: 'phone',
  mobile: 'phone',
  mobile_phone: 'phone',
  cell: 'phone',
  telephone: 'phone',
  address: 'address',
  street_address: 'address',
  birthday: 'birthday',
  birth_date: 'birthday',
  date_of_birth: 'birthday',
  dob: 'birthday',
  language: 'language',
  lang: 'language',
  preferred_language: 'language',
};

/** Canonical column for a header cell, or undefined for a column we ignore (DMS exports carry many). */
export function canonicalColumn(header: string): CsvColumn | undefined {
  return ALIASES[
    header
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_')
  ];
}

const PROPERTY: Record<CsvColumn, keyof CustomerFieldsDto> = {
  external_id: 'externalId',
  first_name: 'firstName',
  last_name: 'lastName',
  email: 'email',
  phone: 'phone',
  address: 'address',
  birthday: 'birthday',
  language: 'language',
};
const COLUMN_OF = Object.fromEntries(Object.entries(PROPERTY).map(([c, p]) => [p, c])) as Record<
  string,
  CsvColumn
>;

/**
 * CSV injection (OWASP): a spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return
 * before one) as a formula, e.g. a customer named `=cmd|' /C calc'!A0`. The export prefixes such a cell
 * with a single quote, which spreadsheets show as text; the import removes that quote again, so an export
 * imports back unchanged. A plain number such as an E.164 phone (`+85512345678`) stays as it is: it calls
 * nothing, and a quote would change the phone column for every customer.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}

/** The import's inverse of neutraliseFormula. */
export function restoreFormula(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

/** A valid row: normalised values; `null` = empty cell, absent key = column not in the file. */
export interface CustomerRow {
  row: number;
  externalId: string;
  values: Partial<{
    firstName: string;
    lastName: string;
    email: string | null;
    phone: string | null;
    address: string | null;
    birthday: string | null;
    language: Language | null;
  }>;
}

/**
 * Validates one CSV record with the API's rules (CustomerFieldsDto) plus the import's own: external_id
 * is required, because it is what makes a re-import idempotent. Errors name the CSV column.
 */
export function parseCustomerRow(
  record: Partial<Record<CsvColumn, string>>,
  row: number,
  today: Date,
): CustomerRow | ImportRowError[] {
  const plain: Record<string, string> = {};
  for (const column of CSV_COLUMNS) {
    const value = record[column];
    if (value !== undefined && value !== '') plain[PROPERTY[column]] = restoreFormula(value);
  }
  const errors: ImportRowError[] = [];
  if (!plain.externalId)
    errors.push({
      row,
      field: 'external_id',
      message: 'external_id is required to import (it makes re-imports idempotent)',
    });
  if (!plain.firstName && 'first_name' in record)
    errors.push({ row, field: 'first_name', message: 'first_name is required' });
  const dto = plainToInstance(CustomerFieldsDto, { firstName: 'x', ...plain });
  for (const error of validateSync(dto)) {
    const field = COLUMN_OF[error.property] ?? error.property;
    for (const message of Object.values(error.constraints ?? {}))
      errors.push({ row, field, message: message.replace(error.property, field) });
  }
  if (plain.birthday && !errors.some((e) => e.field === 'birthday') && isFutureDate(plain.birthday, today)) {
    errors.push({ row, field: 'birthday', message: 'birthday cannot be in the future' });
  }
  if (errors.length) return errors;

  const values: CustomerRow['values'] = {};
  const has = (c: CsvColumn) => c in record;
  if (has('first_name')) values.firstName = dto.firstName;
  if (has('last_name')) values.lastName = dto.lastName ?? '';
  if (has('email')) values.email = dto.email ? normaliseEmail(dto.email) : null;
  if (has('phone')) values.phone = dto.phone ? normalisePhone(dto.phone) : null;
  if (has('address')) values.address = dto.address ?? null;
  if (has('birthday')) values.birthday = dto.birthday ?? null;
  if (has('language')) values.language = dto.language ?? null;
  return { row, externalId: dto.externalId as string, values };
}
