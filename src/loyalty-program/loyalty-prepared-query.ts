import { createHash } from 'node:crypto';
import { EntityManager, QueryFailedError } from 'typeorm';

/** The pg client under a TypeORM query runner (set once the runner is connected). */
interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}
const statementNames = new Map<string, string>();

/**
 * A statement of the ledger's hot path run as a named (prepared) statement on the query runner's connection: pg
 * parses it once per connection and PostgreSQL can keep its plan, instead of parsing and planning it on every
 * redemption. Errors are TypeORM's QueryFailedError, as with manager.query (the problem filter maps their codes).
 * Without a connected query runner it is manager.query.
 */
export async function preparedQuery<T>(
  manager: EntityManager,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const client = (manager.queryRunner as unknown as { databaseConnection?: PgClient } | undefined)
    ?.databaseConnection;
  if (!client || manager.queryRunner?.isReleased) return manager.query(text, values);
  let name = statementNames.get(text);
  if (!name) {
    name = `loyalty_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  try {
    return (await client.query({ name, text, values })).rows as T[];
  } catch (e) {
    throw new QueryFailedError(text, values, e as Error);
  }
}
