import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/app-config';
import { openDatabase } from '../src/database/data-source';

const exec = promisify(execFile);

/** Runs the embedded-database check in a real separate node process (as `npm start` would). */
async function inChild(dataDir: string, statement: string) {
  const { stdout } = await exec(
    process.execPath,
    ['-r', './test/support/swc-register.js', 'test/support/embedded-check.ts', dataDir, statement],
    {
      env: { ...process.env, DATABASE_URL: '' },
      timeout: 60_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as {
    embedded: boolean;
    migrationsRun: number;
    rows: unknown[];
  };
}

describe('embedded PostgreSQL (no DATABASE_URL)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-embedded-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('starts under the data folder, runs migrations, and keeps data across restarts', async () => {
    const first = await inChild(
      dataDir,
      `INSERT INTO rooftop (name) VALUES ('Persisted Motors') RETURNING name`,
    );
    expect(first.embedded).toBe(true);
    expect(first.migrationsRun).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    // The server log is its owner's only (it can hold statements and connection details).
    const logs = fs
      .readdirSync(dataDir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('postgres.log'));
    expect(logs.length).toBeGreaterThan(0);
    for (const log of logs)
      expect((fs.statSync(path.join(dataDir, log)).mode & 0o777).toString(8)).toBe('600');

    const second = await inChild(dataDir, `SELECT name FROM rooftop`);
    expect(second.migrationsRun).toBe(0);
    expect(second.rows).toEqual([{ name: 'Persisted Motors' }]);
  }, 120_000);

  it('says in one line which database it cannot reach', async () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none',
    });
    await expect(openDatabase(config)).rejects.toThrow(
      /^Cannot reach the database at postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none: /,
    );
  });
});
