import { once } from 'node:events';
import * as fs from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import {
  BACKUP_FORMAT,
  BACKUP_TITLE,
  BackupHeader,
  BackupTrailer,
  COPY_LINE,
  copyLine,
  END_PREFIX,
  enabledUserTriggers,
  quoteIdent,
  SETVAL_LINE,
  tablesInLoadOrder,
} from './backup-format';

export class RestoreRefused extends Error {}

export interface RestoreSummary {
  tables: number;
  rows: number;
  /** Migrations of this build applied after loading (the backup came from an older version). */
  migratedAfter: string[];
  /** Migrations undone first (the database was newer than the backup). */
  reverted: string[];
}

/** The file's lines as bytes, split at \n only (COPY text escapes every \n and \r inside a value). */
async function* lines(file: string): AsyncGenerator<Buffer> {
  let rest = Buffer.alloc(0);
  for await (const chunk of fs.createReadStream(file).pipe(createGunzip())) {
    const buffer = rest.length ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let i = buffer.indexOf(10, start); i !== -1; i = buffer.indexOf(10, start)) {
      yield buffer.subarray(start, i);
      start = i + 1;
    }
    rest = Buffer.from(buffer.subarray(start));
  }
  if (rest.length) yield rest;
}

const damaged = (file: string, what: string) =>
  new RestoreRefused(`${file} is not a complete backup: ${what}`);

function parseHeader(file: string, title: Buffer | undefined, json: Buffer | undefined): BackupHeader {
  if (title?.toString() !== BACKUP_TITLE || !json?.toString().startsWith('-- {')) {
    throw new RestoreRefused(`${file} is not a Dealer Retention CRM backup (made by npm run cli -- backup)`);
  }
  const header = JSON.parse(json.toString().slice(3)) as BackupHeader;
  if (header.format !== BACKUP_FORMAT)
    throw new RestoreRefused(`${file} has format ${header.format}; this build reads ${BACKUP_FORMAT}`);
  return header;
}

/** Rows per table that the target holds now (tables with none are left out). */
async function rowsHeld(client: Client, tables: string[]): Promise<Record<string, number>> {
  const held: Record<string, number> = {};
  for (const name of tables) {
    const n = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quoteIdent(name)}`))
      .rows[0].n;
    if (n > 0) held[name] = n;
  }
  return held;
}

/**
 * Replaces the content of the database behind `dataSource` with the backup in `file`:
 * 1. the schema is brought to the backup's migrations (applying, or undoing newer ones);
 * 2. in one transaction, with the app's triggers off (the rows are already what they produced), every table is
 *    emptied and loaded, sequences set, row counts checked against the file's last line; any failure leaves the
 *    rows as they were;
 * 3. this build's newer migrations run on the restored rows.
 * A database that holds rows is replaced only when `replace` is set.
 */
export async function restoreBackup(
  dataSource: DataSource,
  url: string,
  file: string,
  options: { replace: boolean },
): Promise<RestoreSummary> {
  if (!fs.existsSync(file)) throw new RestoreRefused(`${file} does not exist`);
  const input = lines(file);
  const next = async () => (await input.next()).value as Buffer | undefined;
  const header = parseHeader(file, await next(), await next());

  const known = dataSource.migrations.map((m) => m.name ?? m.constructor.name);
  const unknown = header.migrations.find((name, i) => known[i] !== name);
  if (unknown) {
    throw new RestoreRefused(
      `the backup's schema includes migration ${unknown}, which this build does not have: restore it with the version that made it`,
    );
  }
  const migrationsTable = dataSource.options.migrationsTableName ?? 'migrations';
  const client = new Client({ connectionString: url, application_name: 'dealer-crm restore' });
  await client.connect();
  try {
    const present = await tablesInLoadOrder(client, migrationsTable);
    const held = await rowsHeld(
      client,
      present.map((t) => t.name),
    );
    if (Object.keys(held).length > 0 && !options.replace) {
      const rows = Object.values(held).reduce((a, b) => a + b, 0);
      throw new RestoreRefused(
        `the database already holds ${rows} rows in ${Object.keys(held).length} tables; a restore replaces all of them: stop the app, then add --replace`,
      );
    }

    // 1. The backup's schema.
    const reverted: string[] = [];
    for (;;) {
      const applied = (
        await dataSource
          .query<{ name: string }[]>(`SELECT name FROM ${quoteIdent(migrationsTable)} ORDER BY timestamp, id`)
          .catch(() => [])
      ).map((r) => r.name);
      if (applied.length <= header.migrations.length) break;
      await dataSource.undoLastMigration({ transaction: 'each' });
      reverted.push(applied[applied.length - 1]);
    }
    const upToBackup = new DataSource({
      ...dataSource.options,
      migrations: (dataSource.options.migrations as Function[]).slice(0, header.migrations.length),
    });
    await upToBackup.initialize();
    try {
      await upToBackup.runMigrations({ transaction: 'each' });
    } finally {
      await upToBackup.destroy();
    }

    // 2. The rows, all or nothing.
    const tables = await tablesInLoadOrder(client, migrationsTable);
    const expected = new Map(header.tables.map((t) => [copyLine(t), t]));
    for (const t of header.tables) {
      if (!tables.some((p) => p.name === t.name))
        throw new RestoreRefused(`table ${t.name} of the backup is not in the database`);
    }
    const loaded: Record<string, number> = {};
    let trailer: BackupTrailer | undefined;
    await client.query('BEGIN');
    try {
      const triggers = await enabledUserTriggers(client);
      for (const t of triggers)
        await client.query(`ALTER TABLE ${quoteIdent(t.table)} DISABLE TRIGGER ${quoteIdent(t.name)}`);
      if (tables.length) await client.query(`TRUNCATE ${tables.map((t) => quoteIdent(t.name)).join(', ')}`);
      for (let line = await next(); line !== undefined; line = await next()) {
        const text = line.toString();
        if (COPY_LINE.test(text)) {
          const table = expected.get(text);
          if (!table) throw damaged(file, `unexpected section ${text}`);
          loaded[table.name] = await loadRows(
            client,
            text.replace(/ FROM stdin;$/, ' FROM STDIN'),
            next,
            file,
          );
        } else if (SETVAL_LINE.test(text)) {
          const [, name, value, isCalled] = SETVAL_LINE.exec(text)!;
          await client.query('SELECT pg_catalog.setval($1::regclass, $2, $3)', [
            name.replace(/''/g, "'"),
            value,
            isCalled === 'true',
          ]);
        } else if (text.startsWith(END_PREFIX)) {
          trailer = JSON.parse(text.slice(END_PREFIX.length)) as BackupTrailer;
          break;
        } else {
          throw damaged(file, `unexpected line ${text.slice(0, 80)}`);
        }
      }
      if (!trailer) throw damaged(file, 'it ends before its last line (cut short?)');
      for (const t of header.tables) {
        if (loaded[t.name] !== trailer.rows[t.name]) {
          throw damaged(
            file,
            `${t.name} has ${loaded[t.name] ?? 0} rows, the backup recorded ${trailer.rows[t.name]}`,
          );
        }
      }
      for (const t of triggers)
        await client.query(`ALTER TABLE ${quoteIdent(t.table)} ENABLE TRIGGER ${quoteIdent(t.name)}`);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK');
      throw e;
    }

    // 3. This build's newer migrations.
    const migratedAfter = (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
    return {
      tables: header.tables.length,
      rows: Object.values(loaded).reduce((a, b) => a + b, 0),
      migratedAfter,
      reverted,
    };
  } finally {
    await input.return(undefined);
    await client.end();
  }
}

/** Streams one COPY section's rows (up to its `\.` line) into the table; returns how many. */
async function loadRows(
  client: Client,
  statement: string,
  next: () => Promise<Buffer | undefined>,
  file: string,
) {
  const copy = client.query(copyFrom(statement));
  const done = new Promise<void>((resolve, reject) => {
    copy.once('finish', resolve);
    copy.once('error', reject);
  });
  let rows = 0;
  for (;;) {
    const line = await next();
    if (line === undefined) {
      copy.destroy();
      await done.catch(() => undefined);
      throw damaged(file, 'it ends inside a table (cut short?)');
    }
    if (line.length === 2 && line[0] === 0x5c && line[1] === 0x2e) break;
    rows += 1;
    if (!copy.write(Buffer.concat([line, Buffer.from('\n')]))) await once(copy, 'drain');
  }
  copy.end();
  await done;
  return rows;
}
