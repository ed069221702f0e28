import { parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import { canonicalColumn, CsvColumn, CustomerRow, parseCustomerRow } from './customer-csv';
import { Utf8TextGuard } from './customer-csv-input';
import type { ImportRowError } from './import-job.entity';

/** One data line of the file: the mapped row, or why it cannot be imported. */
export interface CsvLine {
  line: number;
  parsed: CustomerRow | ImportRowError[];
}

export interface CustomerCsv {
  /** The data lines in file order; stops at a header that is not usable. Throws what the parser throws. */
  lines(): AsyncGenerator<CsvLine>;
  /** Why the header is not usable, once the lines have been read; null when it is. */
  headerError(): string | null;
  /** Stops reading: the rest of the upload is consumed, not cut off, so that the client still reads the answer. */
  drain(): void;
}

/**
 * Reads a DMS customer export: bytes → UTF-8 check → CSV parser. The header maps aliases to our columns
 * (a column named twice, aliases counted, or a missing external_id / first_name makes it unusable); each
 * line is checked with the API's rules (parseCustomerRow), `now` judging birthdays in the future.
 */
export function readCustomerCsv(input: Readable, now: () => Date): CustomerCsv {
  const head: { columns: CsvColumn[] | null; error: string | null } = { columns: null, error: null };
  const parser = parse({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: 64 * 1024,
    info: true,
    columns: (cells: string[]) => {
      const columns = cells.map((c) => canonicalColumn(c));
      const present = columns.filter((c): c is CsvColumn => c !== undefined);
      const twice = present.find((c, i) => present.indexOf(c) !== i);
      const missing = (['external_id', 'first_name'] as const).filter((c) => !present.includes(c));
      if (twice) head.error = `the column ${twice} appears twice (aliases count)`;
      else if (missing.length) head.error = `the header lacks ${missing.join(', ')}`;
      head.columns = present;
      return columns.map((c) => c ?? false);
    },
  });
  const text = new Utf8TextGuard();
  input.on('error', (e) => parser.destroy(e));
  text.on('error', (e) => parser.destroy(e));
  input.pipe(text).pipe(parser);

  return {
    async *lines() {
      for await (const { record, info } of parser as AsyncIterable<{
        record: Partial<Record<CsvColumn, string>>;
        info: { lines: number };
      }>) {
        if (head.error) return;
        const line = info.lines;
        yield {
          line,
          parsed:
            Object.keys(record).length < (head.columns?.length ?? 0)
              ? [{ row: line, field: '*', message: 'the row has fewer fields than the header' }]
              : parseCustomerRow(record, line, now()),
        };
      }
    },
    headerError: () => head.error ?? (head.columns ? null : 'the file is empty: a header row is required'),
    drain() {
      input.unpipe(text);
      input.resume();
    },
  };
}
