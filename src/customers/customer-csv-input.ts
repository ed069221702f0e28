import { CsvError } from 'csv-parse';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Reading an uploaded CSV safely: the bytes must be UTF-8 text, and when the file cannot be read, the
 * reason is told by code and line only. The parser's own messages quote the cell they stopped at (a
 * customer's name), and those messages once went to the log and into the stored job.
 */

/** A file refused before or while parsing, described without its content. */
export class CsvInputError extends Error {
  constructor(
    readonly code: string,
    readonly line: number | null,
  ) {
    super(describe(code, line));
  }
}

const REASONS: Record<string, string> = {
  CSV_NOT_UTF8: 'the file is not UTF-8 text; save it as "CSV UTF-8"',
  CSV_BINARY: 'the file holds a NUL byte, so it is not a text CSV',
  INVALID_OPENING_QUOTE:
    'a quote appears inside a field that does not start with one; put such a field in double quotes and double the quote ("")',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote is followed by other characters',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a closing quote is followed by other characters',
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_MAX_RECORD_SIZE: 'a row is longer than 64 KB',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'a row has a different number of fields than the header',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'a row has a different number of fields than the header',
};

function describe(code: string, line: number | null): string {
  const reason = REASONS[code] ?? 'the file could not be read as CSV';
  return line ? `line ${line}: ${reason}` : reason;
}

/**
 * The parser's error as a CsvInputError (code and line, never the message), or null for an error that
 * did not come from reading the file (an interrupted upload, the database).
 */
export function csvInputError(error: unknown): CsvInputError | null {
  if (error instanceof CsvInputError) return error;
  if (!(error instanceof CsvError)) return null;
  const lines = (error as CsvError & { lines?: unknown }).lines;
  return new CsvInputError(error.code, typeof lines === 'number' && lines > 0 ? lines : null);
}

function newlines(chunk: Buffer, end = chunk.length): number {
  let n = 0;
  for (let i = chunk.indexOf(0x0a); i !== -1 && i < end; i = chunk.indexOf(0x0a, i + 1)) n++;
  return n;
}

/**
 * Passes the bytes through unchanged while checking that they are UTF-8 (a multi-byte character may span
 * chunks) without NUL bytes; fails with CsvInputError naming the line otherwise. A leading BOM is valid
 * UTF-8 and left for the parser to drop.
 */
export class Utf8TextGuard extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** Line on which the next chunk starts. */
  private line = 1;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const nul = chunk.indexOf(0);
    if (nul !== -1) {
      done(new CsvInputError('CSV_BINARY', this.line + newlines(chunk, nul)));
      return;
    }
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      done(new CsvInputError('CSV_NOT_UTF8', this.badLine(chunk)));
      return;
    }
    this.line += newlines(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    try {
      this.decoder.decode();
    } catch {
      done(new CsvInputError('CSV_NOT_UTF8', this.line));
      return;
    }
    done();
  }

  /** Only on failure: the first line of the chunk that does not decode (a newline byte never sits inside a character). */
  private badLine(chunk: Buffer): number {
    const probe = new TextDecoder('utf-8', { fatal: true });
    // Continuation bytes of a character that began in the previous chunk were checked with that chunk.
    let start = 0;
    while (start < 3 && start < chunk.length && (chunk[start] & 0xc0) === 0x80) start++;
    let line = this.line;
    for (;;) {
      const end = chunk.indexOf(0x0a, start);
      try {
        probe.decode(chunk.subarray(start, end === -1 ? chunk.length : end + 1), { stream: true });
      } catch {
        return line;
      }
      if (end === -1) return line;
      start = end + 1;
      line++;
    }
  }
}
