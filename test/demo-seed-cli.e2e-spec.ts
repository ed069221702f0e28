import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase } from './support/test-app';

const ROOT = path.resolve(__dirname, '..');
const run = promisify(execFile);

/** `npm run seed` as a real process (the CLI from the TypeScript sources), with exactly the given settings. */
async function seed(env: Record<string, string>): Promise<string> {
  const { stdout, stderr } = await run(
    process.execPath,
    [
      '-r',
      './test/support/swc-register.js',
      'src/cli/main.ts',
      'seed',
      '--customers',
      '10',
      '--as-of',
      '2026-06-15T03:00:00Z',
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'warn', ...env },
      timeout: 120_000,
    },
  );
  return stdout + stderr;
}

describe('npm run seed: what it prints', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-seed-cli-'));
  afterAll(() => {
    // Should the CLI ever leave its PostgreSQL behind, stop that one process before removing its folder.
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
    if (fs.existsSync(pidFile)) {
      const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        /* already gone */
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('names the PORT and DATA_DIR it was given (embedded database), also when the data is already there', async () => {
    const first = await seed({ PORT: '4123', DATA_DIR: dataDir });
    expect(first).toContain('Seeded the demo dealer group');
    expect(first).toContain('http://localhost:4123/dashboard');
    expect(first).toContain(`embedded PostgreSQL in ${path.join(dataDir, 'pg')}`);
    expect(first).not.toContain('localhost:3000');
    expect(first).not.toContain('.data');

    const again = await seed({ PORT: '4123', DATA_DIR: dataDir });
    expect(again).toContain('Demo data is already in this database');
    expect(again).toContain(`embedded PostgreSQL in ${path.join(dataDir, 'pg')}`);
    expect(again).toContain(`remove ${dataDir}`);
    expect(again).not.toContain('.data');
  }, 240_000);

  it('names the DATABASE_URL (without its password) and the PUBLIC_BASE_URL when they are set', async () => {
    const db = await createTestDatabase();
    try {
      const out = await seed({
        DATABASE_URL: db.url,
        PUBLIC_BASE_URL: 'https://crm.dealer.example',
        PORT: '4123',
        DATA_DIR: dataDir,
      });
      expect(out).toContain('Seeded the demo dealer group');
      expect(out).toContain('https://crm.dealer.example/dashboard');
      expect(out).toContain(`Database: postgres://`);
      expect(out).toContain(`/${db.name}`);
      expect(out).not.toContain('embedded PostgreSQL');
      const password = new URL(db.url).password;
      expect(password).not.toBe('');
      expect(out).not.toContain(password);
    } finally {
      await db.drop();
    }
  }, 120_000);
});
