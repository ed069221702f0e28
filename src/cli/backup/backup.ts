import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import {
  appliedMigrations,
  BACKUP_FORMAT,
  BACKUP_TITLE,
  BackupHeader,
  copyLine,
  END_PREFIX,
  quoteIdent,
  sequences,
  tablesInLoadOrder,
} from './backup-format';

export interface BackupSummary {
  file: string;
  bytes: number;
  tables: number;
  rows: number;
  migration: string | undefined;
}

/**
 * Writes every table of the database at `url` to `file` (see backup-format.ts), all from one snapshot
 * (a REPEATABLE READ transaction): the app may keep running. The file appears only when complete.
 */
export async function writeBackup(
  url: string,
  migrationsTable: string,
  file: string,
): Promise<BackupSummary> {
  if (fs.existsSync(file)) throw new Error(`${file} exists; a backup never overwrites a file`);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const partial = `${file}.partial`;
  const client = new Client({ connectionString: url, application_name: 'dealer-crm backup' });
  await client.connect();
  const gzip = createGzip();
  const out = fs.createWriteStream(partial, { mode: 0o600 });
  gzip.pipe(out);
  const write = async (chunk: string | Buffer) => {
    if (!gzip.write(chunk)) await once(gzip, 'drain');
  };
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const tables = await tablesInLoadOrder(client, migrationsTable);
    const header: BackupHeader = {
      format: BACKUP_FORMAT,
      createdAt: new Date().toISOString(),
      server: (await client.query<{ v: string }>('SELECT version() AS v')).rows[0].v,
      database: (await client.query<{ d: string }>('SELECT current_database() AS d')).rows[0].d,
      migrations: await appliedMigrations(client, migrationsTable),
      tables,
    };
    await write(`${BACKUP_TITLE}\n-- ${JSON.stringify(header)}\n`);
    const rows: Record<string, number> = {};
    for (const table of tables) {
      await write(`${copyLine(table)}\n`);
      const columns = table.columns.map(quoteIdent).join(', ');
      const copy = client.query(copyTo(`COPY (SELECT ${columns} FROM ${quoteIdent(table.name)}) TO STDOUT`));
      for await (const chunk of copy) await write(chunk as Buffer);
      rows[table.name] = copy.rowCount;
      await write('\\.\n');
    }
    for (const s of await sequences(client, migrationsTable)) {
      await write(
        `SELECT pg_catalog.setval('${quoteIdent(s.name).replace(/'/g, "''")}', ${s.value}, ${s.isCalled});\n`,
      );
    }
    await write(`${END_PREFIX}${JSON.stringify({ rows })}\n`);
    await client.query('COMMIT');
    gzip.end();
    await finished(out);
    fs.renameSync(partial, file);
    return {
      file,
      bytes: fs.statSync(file).size,
      tables: tables.length,
      rows: Object.values(rows).reduce((a, b) => a + b, 0),
      migration: header.migrations.at(-1),
    };
  } catch (e) {
    gzip.destroy();
    out.destroy();
    fs.rmSync(partial, { force: true });
    throw e;
  } finally {
    await client.end();
  }
}
