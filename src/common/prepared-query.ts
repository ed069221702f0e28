import { createHash } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

/** What pg's Pool and a connected pg Client have in common: a query with a statement name. */
interface PgQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

const statementNames = new Map<string, string>();

/**
 * A hot-path statement run as a named (prepared) statement: pg parses it once per connection and PostgreSQL can
 * keep its plan instead of planning it on every call (the 360 view: 3.6 ms planning vs 0.56 ms execution; the
 * outcome statement: 0.6–0.8 vs 0.4–0.6 ms). On a DataSource it runs on pg's pool; on an EntityManager, on its
 * query runner's connection (inside its transaction). Errors are TypeORM's QueryFailedError, as from `query()`, so
 * the problem filter maps their codes. Without pg (another driver, or no connected runner) it is plain `query()`.
 */
export async function preparedQuery<T>(
  on: DataSource | EntityManager,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const client = pgOf(on);
  if (!client) return rowsOf<T>(await on.query(text, values));
  let name = statementNames.get(text);
  if (!name) {
    name = `q_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  try {
    return (await client.query({ name, text, values })).rows as T[];
  } catch (e) {
    throw new QueryFailedError(text, values, e as Error);
  }
}

function pgOf(on: DataSource | EntityManager): PgQueryable | undefined {
  if (on instanceof DataSource) {
    const pool = (on.driver as unknown as { master?: Partial<PgQueryable> }).master;
    return pool?.query ? (pool as PgQueryable) : undefined;
  }
  const runner = on.queryRunner;
  if (!runner || runner.isReleased) return undefined;
  return (runner as unknown as { databaseConnection?: PgQueryable }).databaseConnection;
}

/** Rows of a raw query: TypeORM answers [rows, rowCount] for a top-level UPDATE/DELETE, rows otherwise. */
export function rowsOf<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return result as T[];
}
