import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/** Column types whose JSON form differs from what pg hands TypeORM: read as text, as pg would give them. */
const AS_TEXT = new Set(['numeric', 'decimal', 'bigint', 'int8', 'money']);
const AS_DATE = new Set([
  'timestamptz',
  'timestamp',
  'timestamp with time zone',
  'timestamp without time zone',
]);

/**
 * Entities read inside a JSON-building statement (several row sets in one round trip) instead of one
 * TypeORM find each. `json(alias)` is a json_build_object of every column under its property name;
 * `hydrate(row)` turns one such object back into the entity TypeORM would have loaded (timestamps as
 * Date, numeric/bigint as strings).
 */
export function jsonEntity<T extends ObjectLiteral>(db: DataSource, target: EntityTarget<T>) {
  const metadata = db.getMetadata(target);
  const columns = metadata.columns.map((c) => {
    const type = String(typeof c.type === 'function' ? c.type.name : c.type).toLowerCase();
    return {
      property: c.propertyName,
      column: c.databaseName,
      text: AS_TEXT.has(type),
      date: AS_DATE.has(type),
    };
  });
  return {
    json(alias: string): string {
      return `json_build_object(${columns
        .map((c) => `'${c.property}', ${alias}."${c.column}"${c.text ? '::text' : ''}`)
        .join(', ')})`;
    },
    hydrate(row: Record<string, unknown>): T {
      const entity = metadata.create() as T;
      for (const c of columns) {
        const v = row[c.property];
        (entity as Record<string, unknown>)[c.property] = c.date && v != null ? new Date(v as string) : v;
      }
      return entity;
    },
  };
}

/** `COALESCE(json_agg(<json> ORDER BY n), '[]')` over a LIMITed, ordered sub-select: the order survives. */
export function jsonList(json: string, from: string, orderBy: string, limit: number | null): string {
  return `(SELECT COALESCE(json_agg(x.j ORDER BY x.n), '[]'::json) FROM (
      SELECT ${json} AS j, row_number() OVER (ORDER BY ${orderBy}) AS n ${from} ORDER BY ${orderBy} LIMIT ${limit ?? 'ALL'}) x)`;
}
