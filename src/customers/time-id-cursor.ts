import { decodeCursor } from '../common/http/pagination';
import { ValidationFailedError } from '../common/problem/domain-error';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Decodes a (timestamp, id) keyset cursor. The timestamp is PostgreSQL's own text form (`col::text`),
 * which keeps microseconds — a JS Date would drop them and the next page would skip or repeat rows.
 */
export function decodeTimeIdCursor(cursor: string | undefined): [string, string] | undefined {
  const key = decodeCursor(cursor, 2);
  if (!key) return undefined;
  const [ts, id] = key;
  if (typeof ts !== 'string' || typeof id !== 'string' || !TIMESTAMP.test(ts) || !UUID.test(id)) {
    throw new ValidationFailedError([
      { field: 'cursor', message: 'cursor is not a cursor returned by this API' },
    ]);
  }
  return [ts, id];
}
