import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { dataSourceOptions } from '../src/database/data-source';
import { freePort } from '../src/database/embedded-postgres';
import { startAppChild, stopChild } from './support/child-processes';
import { runCli } from './support/cli-child';
import { createTestDatabase, startTestApp, TestApp } from './support/test-app';

/** What an operator sees: the bare address in a browser, and the app's own start-up output. */
describe('the bare address /', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('sends a browser on to the dashboard', async () => {
    const res = await t.http.get('/').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/dashboard');
    expect((await t.http.get(res.headers.location)).status).toBe(200);
  });

  it('tells any other client where the dashboard and the API documentation are', async () => {
    for (const accept of ['application/json', '*/*']) {
      const res = await t.http.get('/').set('Accept', accept);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({ dashboard: '/dashboard', apiDocs: '/api/docs', api: '/api/v1' });
      for (const link of [
        res.body.dashboard,
        res.body.apiDocs,
        res.body.openApi,
        res.body.health,
      ] as string[]) {
        expect([link, (await t.http.get(link).redirects(1)).status]).toEqual([link, 200]);
      }
    }
  });
});

describe('npm start output', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-start-'));
  fs.chmodSync(dataDir, 0o755);
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  /** Starts the app with the given settings on the embedded database, stops it, returns its output lines. */
  async function startAndStop(env: Record<string, string>, name: string): Promise<string[]> {
    const logFile = path.join(dataDir, `${name}.log`);
    const app = await startAppChild({ DATA_DIR: dataDir, PORT: String(await freePort()), ...env }, logFile);
    await stopChild(app);
    return fs.readFileSync(logFile, 'utf8').split('\n');
  }

  it('says it is ready and where, with no warning, error or route-by-route lines at the default level', async () => {
    const lines = await startAndStop({}, 'default');
    const entries = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: string; message: unknown; context?: string });
    expect(entries.find((e) => (e.message as { msg?: string }).msg === 'ready')?.message).toMatchObject({
      dashboard: expect.stringMatching(/\/dashboard$/),
      docs: expect.stringMatching(/\/api\/docs$/),
    });
    expect(entries.filter((e) => e.level !== 'log')).toEqual([]);
    expect(lines.filter((l) => /Mapped \{|RoutesResolver|InstanceLoader/.test(l))).toEqual([]);
    expect(lines.filter((l) => /warn|error|deprecat|No files matched/i.test(l))).toEqual([]);
  }, 300_000);

  it('still lists every mapped route at LOG_LEVEL=debug', async () => {
    const lines = await startAndStop({ LOG_LEVEL: 'debug' }, 'debug');
    expect(lines.filter((l) => /Mapped \{\/api\/v1\/health, GET\} route/.test(l))).toHaveLength(1);
  }, 300_000);
});

/** Every table's row count and a digest of its rows, the sequences' positions, and the applied migrations. */
async function contents(url: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND relkind = 'r' AND relname <> 'schema_migrations' ORDER BY 1`,
    );
    const rows: Record<string, { rows: number; digest: string }> = {};
    for (const { name } of tables.rows) {
      const r = await client.query<{ rows: number; digest: string }>(
        `SELECT count(*)::int AS rows, md5(coalesce(string_agg(x::text, E'\n' ORDER BY x::text), '')) AS digest
           FROM "${name}" x`,
      );
      rows[name] = r.rows[0];
    }
    const sequences: Record<string, string> = {};
    for (const { name } of (
      await client.query<{ name: string }>(
        `SELECT relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND relkind = 'S' AND relname <> 'schema_migrations_id_seq'`,
      )
    ).rows) {
      const r = await client.query<{ v: string }>(
        `SELECT last_value || '/' || is_called AS v FROM "${name}"`,
      );
      sequences[name] = r.rows[0].v;
    }
    const migrations = (
      await client.query<{ name: string }>(`SELECT name FROM schema_migrations ORDER BY id`)
    ).rows;
    return { rows, sequences, migrations: migrations.map((m) => m.name) };
  } finally {
    await client.end();
  }
}

/** An empty database (no schema) on the test cluster. */
async function emptyDatabase() {
  const db = await createTestDatabase();
  const client = new Client({ connectionString: db.url });
  await client.connect();
  await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  await client.end();
  return db;
}

describe('backup and restore (npm run cli -- backup <file> / restore <file>)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-backup-'));
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const track = <T extends { drop: () => Promise<void> }>(db: T) => (drops.push(db.drop), db);
  const cli = (args: string[], url: string) => runCli(args, { DATABASE_URL: url, DATA_DIR: dir });

  it('restores a seeded database into an empty one with every table, row and sequence equal', async () => {
    const source = track(await createTestDatabase());
    const seeded = await cli(['seed', '--customers', '20', '--as-of', '2026-06-15T03:00:00Z'], source.url);
    expect(seeded.code).toBe(0);
    const before = await contents(source.url);
    expect(Object.values(before.rows).filter((t) => t.rows > 0).length).toBeGreaterThanOrEqual(20);

    const file = path.join(dir, 'seeded', 'crm.sql.gz');
    const backup = await cli(['backup', file], source.url);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(fs.existsSync(file)).toBe(true);
    // The backup is a snapshot: what the source does afterwards is not in it.
    const client = new Client({ connectionString: source.url });
    await client.connect();
    await client.query(`UPDATE rooftop SET name = name || ' (after the backup)'`);
    await client.end();

    const target = track(await emptyDatabase());
    const restore = await cli(['restore', file], target.url);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(await contents(target.url)).toEqual(before);

    // Into a database that holds data only with --replace; then it holds the backup's rows only.
    expect((await cli(['restore', file], target.url)).stderr).toMatch(/already holds .* add --replace/);
    const changed = new Client({ connectionString: target.url });
    await changed.connect();
    await changed.query(`UPDATE customer SET first_name = 'Changed'`);
    await changed.end();
    const replaced = await cli(['restore', '--replace', file], target.url);
    expect(replaced.code).toBe(0);
    expect(await contents(target.url)).toEqual(before);

    // A backup never overwrites a file.
    const again = await cli(['backup', file], source.url);
    expect([again.code, again.stderr]).toEqual([1, expect.stringMatching(/exists/)]);
  }, 600_000);

  it('restores a backup made before the newest migration: loaded at its own schema, then migrated', async () => {
    const older = MIGRATIONS.slice(0, -1);
    const newest = MIGRATIONS[MIGRATIONS.length - 1].name;
    const source = track(await emptyDatabase());
    const ds = new DataSource({ ...dataSourceOptions(source.url, 2), migrations: older });
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.query(`UPDATE service_reminder_state SET generation = 4242`);
    await ds.destroy();

    const file = path.join(dir, 'older.sql.gz');
    expect((await cli(['backup', file], source.url)).code).toBe(0);
    // What the backup should become: the same rows, brought up by the newest migration.
    expect((await cli(['migrate'], source.url)).code).toBe(0);
    const expected = await contents(source.url);

    const fresh = track(await emptyDatabase());
    const intoFresh = await cli(['restore', file], fresh.url);
    expect(intoFresh.stderr).toBe('');
    expect(intoFresh.stdout).toContain(`applied ${newest}`);
    expect(await contents(fresh.url)).toEqual(expected);

    // A database already at the newest migration is taken back to the backup's, loaded, and brought up again.
    const current = track(await createTestDatabase());
    const intoCurrent = await cli(['restore', '--replace', file], current.url);
    expect(intoCurrent.stderr).toBe('');
    expect(intoCurrent.stdout).toContain(`undid ${newest}`);
    expect(await contents(current.url)).toEqual(expected);
  }, 600_000);

  it('refuses a backup from a newer version, or a damaged one, and changes nothing', async () => {
    const source = track(await createTestDatabase());
    const file = path.join(dir, 'small.sql.gz');
    expect(
      (await cli(['seed', '--customers', '10', '--as-of', '2026-06-15T03:00:00Z'], source.url)).code,
    ).toBe(0);
    expect((await cli(['backup', file], source.url)).code).toBe(0);
    const target = track(await createTestDatabase());
    const before = await contents(target.url);

    const text = execFileSync('gzip', ['-dc', file]).toString();
    const newer = path.join(dir, 'newer.sql.gz');
    fs.writeFileSync(
      newer,
      execFileSync('gzip', ['-c'], {
        input: text.replace('"migrations":[', '"migrations":["Future1999999999999",'),
      }),
    );
    const fromNewer = await cli(['restore', '--replace', newer], target.url);
    expect([fromNewer.code, fromNewer.stderr]).toEqual([1, expect.stringMatching(/Future1999999999999/)]);

    const cut = path.join(dir, 'cut.sql.gz');
    fs.writeFileSync(
      cut,
      execFileSync('gzip', ['-c'], { input: text.slice(0, Math.floor(text.length * 0.6)) }),
    );
    const fromCut = await cli(['restore', '--replace', cut], target.url);
    expect([fromCut.code, fromCut.stderr]).toEqual([1, expect.stringMatching(/not a complete backup/)]);

    expect(await contents(target.url)).toEqual(before);
  }, 600_000);
});
