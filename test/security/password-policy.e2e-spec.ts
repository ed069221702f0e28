import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../src/config/app-config';
import { UsersService } from '../../src/users/users.service';
import { bearer, createTestDatabase, startTestApp, type TestApp } from '../support/test-app';

/**
 * One password rule wherever a password is set — users API (create, update), ADMIN_PASSWORD at start,
 * the CLI's `admin:create`: at least 12 characters, and not easy to guess (zxcvbn score ≥ 3).
 */
const ROOT = path.resolve(__dirname, '..', '..');

describe('password rule', () => {
  let t: TestApp;
  let admin: { id: string; token: string };
  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.user('admin');
  });
  afterAll(() => t.close());

  const userCount = async () => (await t.db.query(`SELECT count(*)::int AS n FROM app_user`))[0].n as number;
  const create = (email: string, name: string, password: string) =>
    t.http
      .post('/api/v1/users')
      .set(bearer(admin.token))
      .send({ email, name, role: 'salesperson', password, rooftopIds: [] });

  it.each([
    ['aaaaaaaaaaaa', /repeat/i],
    ['password1234', /common/i],
    ['qwertyuiop12', /common|keyboard|pattern/i],
  ])(
    'refuses %s on create with 400 problem+json naming password, and writes nothing',
    async (password, advice) => {
      const before = await userCount();
      const res = await create(`weak.${randomBytes(3).toString('hex')}@staff.test`, 'Weak Example', password);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('weak_password');
      expect(res.body.errors).toEqual([{ field: 'password', message: expect.stringMatching(advice) }]);
      expect(await userCount()).toBe(before);
    },
  );

  it('refuses a password made of the user’s own name or email', async () => {
    const res = await create('sok.dara@ppmotors.example', 'Sok Dara', 'sokdara12345');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('password');
    // The same password is fine for somebody else.
    expect((await create('chan.thy@ppmotors.example', 'Chan Thy', 'sokdara12345')).status).toBe(201);
  });

  it('refuses a weak password on update (password change) and keeps the old one', async () => {
    const user = await t.user('salesperson');
    const [{ password_hash: before }] = await t.db.query(`SELECT password_hash FROM app_user WHERE id = $1`, [
      user.id,
    ]);
    const res = await t.http
      .patch(`/api/v1/users/${user.id}`)
      .set(bearer(admin.token))
      .set('If-Match', '"1"')
      .send({ password: 'password1234' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'password', message: expect.stringMatching(/common/i) }]);
    expect(await t.db.query(`SELECT password_hash, version FROM app_user WHERE id = $1`, [user.id])).toEqual([
      { password_hash: before, version: 1 },
    ]);
    const strong = await t.http
      .patch(`/api/v1/users/${user.id}`)
      .set(bearer(admin.token))
      .set('If-Match', '"1"')
      .send({ password: 'mekong-lantern-orchid-71' });
    expect(strong.status).toBe(200);
    const login = await t.http
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: 'mekong-lantern-orchid-71' });
    expect(login.status).toBe(200);
  });

  it('refuses a weak ADMIN_PASSWORD at start with a settings error, creating nobody', async () => {
    const users = t.app.get(UsersService);
    const before = await userCount();
    await expect(users.ensureFirstAdmin('owner@dealer.example', 'password1234', false)).rejects.toThrow(
      ConfigError,
    );
    await expect(users.ensureFirstAdmin('owner@dealer.example', 'password1234', false)).rejects.toThrow(
      /ADMIN_PASSWORD/,
    );
    expect(await userCount()).toBe(before);
    expect(await users.ensureFirstAdmin('owner@dealer.example', 'Tonle-Sap-at-dawn-1987', false)).toEqual({
      email: 'owner@dealer.example',
    });
  });
});

describe('admin:create (CLI)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-pwcli-'));
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const cli = (args: string[]) =>
    new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        ['-r', './test/support/swc-register.js', 'src/cli/main.ts', ...args],
        {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '/root',
            DATABASE_URL: db.url,
            DATA_DIR: dataDir,
            LOG_LEVEL: 'warn',
          },
          timeout: 180_000,
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
      );
    });
  const admins = async (email: string) => {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(`SELECT count(*)::int AS n FROM app_user WHERE email = $1`, [email])).rows[0]
        .n as number;
    } finally {
      await client.end();
    }
  };

  it('refuses a 5-character and a common password, and accepts a strong one', async () => {
    const short = await cli(['admin:create', '--email', 'ops@cli.test', '--password', 'abcde']);
    expect(short.code).not.toBe(0);
    expect(short.output).toMatch(/at least 12 characters/);
    const common = await cli(['admin:create', '--email', 'ops@cli.test', '--password', 'password1234']);
    expect(common.code).not.toBe(0);
    expect(common.output).toMatch(/too easy to guess/);
    expect(await admins('ops@cli.test')).toBe(0);

    const strong = await cli([
      'admin:create',
      '--email',
      'ops@cli.test',
      '--password',
      'Tonle-Sap-riverside-2026',
    ]);
    expect(strong.output).toMatch(/created admin/);
    expect(strong.code).toBe(0);
    expect(await admins('ops@cli.test')).toBe(1);
  });
});
