import type { Client } from 'pg';

/**
 * A logical backup made without pg_dump (the embedded PostgreSQL ships none, and an older pg_dump refuses a
 * newer server). One gzip file of text lines:
 *
 *   -- Dealer Retention CRM backup. Restore with: npm run cli -- restore <file>
 *   -- {"format":"dealer-crm-backup/1", "migrations": [...], "tables": [...], ...}
 *   COPY "rooftop" ("id", "name", ...) FROM stdin;
 *   <rows in COPY text format>
 *   \.
 *   ... one COPY section per table, referenced tables first ...
 *   SELECT pg_catalog.setval('"seq"', 42, true);
 *   -- end {"rows": {"rooftop": 2, ...}}
 *
 * The schema itself is not in the file: it is the app's migrations, named in the header. A restore brings the
 * target to those migrations, loads the rows, then applies any newer migration of the running build.
 */
export const BACKUP_FORMAT = 'dealer-crm-backup/1';
export const BACKUP_TITLE = '-- Dealer Retention CRM backup. Restore with: npm run cli -- restore <file>';

export interface TableInfo {
  name: string;
  columns: string[];
}

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  server: string;
  database: string;
  /** Applied migrations, in order: the schema of the rows below. */
  migrations: string[];
  tables: TableInfo[];
}

export interface BackupTrailer {
  rows: Record<string, number>;
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const copyLine = (t: TableInfo) =>
  `COPY ${quoteIdent(t.name)} (${t.columns.map(quoteIdent).join(', ')}) FROM stdin;`;
export const COPY_LINE = /^COPY "((?:[^"]|"")+)" \((.*)\) FROM stdin;$/;
export const SETVAL_LINE = /^SELECT pg_catalog\.setval\('((?:[^']|'')+)', (-?\d+), (true|false)\);$/;
export const END_PREFIX = '-- end ';

/**
 * The app's tables (current schema, without the migrations table) with their stored columns, in load order:
 * every table after the tables it references, so that rows load with foreign keys checked.
 */
export async function tablesInLoadOrder(client: Client, migrationsTable: string): Promise<TableInfo[]> {
  const tables = await client.query<{ oid: number; name: string; columns: string[] }>(
    `SELECT c.oid::int AS oid, c.relname AS name,
            array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> $1
      GROUP BY c.oid, c.relname
      ORDER BY c.relname`,
    [migrationsTable],
  );
  const references = await client.query<{ table: number; referenced: number }>(
    `SELECT conrelid::int AS table, confrelid::int AS referenced
       FROM pg_constraint WHERE contype = 'f' AND conrelid <> confrelid`,
  );
  const byOid = new Map(tables.rows.map((t) => [t.oid, t]));
  const needs = new Map(tables.rows.map((t) => [t.oid, new Set<number>()]));
  for (const r of references.rows) if (byOid.has(r.referenced)) needs.get(r.table)?.add(r.referenced);

  const ordered: TableInfo[] = [];
  const placed = new Set<number>();
  while (placed.size < tables.rows.length) {
    const ready = tables.rows.filter(
      (t) => !placed.has(t.oid) && [...needs.get(t.oid)!].every((o) => placed.has(o)),
    );
    if (ready.length === 0) {
      const left = tables.rows.filter((t) => !placed.has(t.oid)).map((t) => t.name);
      throw new Error(`foreign keys form a cycle among ${left.join(', ')}: no load order exists`);
    }
    for (const t of ready) {
      placed.add(t.oid);
      ordered.push({ name: t.name, columns: t.columns });
    }
  }
  return ordered;
}

/** The sequences' positions (those of the migrations table's ids excepted: that table is not restored). */
export async function sequences(
  client: Client,
  migrationsTable: string,
): Promise<{ name: string; value: string; isCalled: boolean }[]> {
  const names = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'S'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
                         WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND t.relname = $1)
      ORDER BY c.relname`,
    [migrationsTable],
  );
  const result: { name: string; value: string; isCalled: boolean }[] = [];
  for (const { name } of names.rows) {
    const row = await client.query<{ last_value: string; is_called: boolean }>(
      `SELECT last_value::text, is_called FROM ${quoteIdent(name)}`,
    );
    result.push({ name, value: row.rows[0].last_value, isCalled: row.rows[0].is_called });
  }
  return result;
}

/** Enabled triggers the app's migrations created (not the internal ones that check foreign keys). */
export async function enabledUserTriggers(client: Client): Promise<{ table: string; name: string }[]> {
  const rows = await client.query<{ table: string; name: string }>(
    `SELECT c.relname AS table, t.tgname AS name
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND NOT t.tgisinternal AND t.tgenabled <> 'D'
      ORDER BY 1, 2`,
  );
  return rows.rows;
}

export async function appliedMigrations(client: Client, migrationsTable: string): Promise<string[]> {
  const exists = await client.query<{ exists: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS exists`, [
    migrationsTable,
  ]);
  if (!exists.rows[0].exists) return [];
  const rows = await client.query<{ name: string }>(
    `SELECT name FROM ${quoteIdent(migrationsTable)} ORDER BY timestamp, id`,
  );
  return rows.rows.map((r) => r.name);
}
