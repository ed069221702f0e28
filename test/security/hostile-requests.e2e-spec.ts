import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../src/database/embedded-postgres';
import { startAppChild, stopChild, type Child } from '../support/child-processes';
import { createTestDatabase } from '../support/test-app';

/**
 * Requests that once stopped or stalled the server, sent to the real app in a child process, so that a
 * crash shows as a dead process (not a dead test worker). After every request the process must still be
 * up and answering; nothing may be written by a refused request.
 */
const ADMIN_EMAIL = 'admin@hostile.test';
const ADMIN_PASSWORD = 'Mekong-ferry-lantern-2026!';
const WRITE = ['post', 'put', 'patch', 'delete'];
const CONTENT_TYPES = [
  'text/csv',
  'application/csv',
  'TEXT/CSV; charset=utf-8',
  null,
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
];

interface Op {
  method: string;
  path: string;
  consumes: string[];
}

describe('hostile requests against a running app process', () => {
  let app: Child & { baseUrl: string };
  let drop: () => Promise<void>;
  let db: Client;
  let token: string;
  let ops: Op[];
  let dataDir: string;
  let snapshotSql: string;

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    db = new Client({ connectionString: database.url });
    await db.connect();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-hostile-'));
    const logFile = path.join(dataDir, 'app.log');
    app = await startAppChild(
      {
        DATABASE_URL: database.url,
        DATA_DIR: dataDir,
        PORT: String(await freePort()),
        JWT_SECRET: 'x'.repeat(40),
        JOBS_ENABLED: 'false',
        MIGRATIONS_RUN: 'false',
        LOG_LEVEL: 'warn',
        ADMIN_EMAIL,
        ADMIN_PASSWORD,
        REQUEST_TIMEOUT_SECONDS: '2',
      },
      logFile,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${fs.readFileSync(logFile, 'utf8').slice(-3000)}`);
    });
    const login = await fetch(`${app.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    const session = (await login.json()) as { accessToken?: string };
    if (!session.accessToken) throw new Error(`login failed: ${login.status} ${JSON.stringify(session)}`);
    token = session.accessToken;
    const doc = (await (await fetch(`${app.baseUrl}/api/docs-json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>>;
    };
    ops = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.entries(item)
        .filter(([m]) => WRITE.includes(m))
        .map(([m, op]) => ({
          method: m.toUpperCase(),
          path: p.replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000'),
          consumes: Object.keys(op.requestBody?.content ?? { 'application/json': {} }),
        })),
    );
    const tables: { table_name: string }[] = (
      await db.query(
        `SELECT table_name FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('login_attempt', 'schema_migrations')`,
      )
    ).rows;
    snapshotSql = `SELECT ${tables.map((t) => `(SELECT count(*) FROM "${t.table_name}")::text AS "${t.table_name}"`).join(', ')}`;
  }, 240_000);

  afterAll(async () => {
    if (app) await stopChild(app);
    await db?.end();
    await drop?.();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function send(
    method: string,
    url: string,
    init: { type?: string | null; body?: string; auth?: boolean },
  ) {
    const headers: Record<string, string> = {};
    if (init.type) headers['content-type'] = init.type;
    if (init.auth !== false) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${app.baseUrl}${url}`, { method, headers, body: init.body });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text };
  }

  async function stillUp(after: string) {
    expect({ after, exitCode: app.proc.exitCode, signal: app.proc.signalCode }).toEqual({
      after,
      exitCode: null,
      signal: null,
    });
    const health = await fetch(`${app.baseUrl}/api/v1/health`);
    expect({ after, status: health.status }).toEqual({ after, status: 200 });
  }

  it('finds the write routes and the CSV import among them', () => {
    expect(ops.length).toBeGreaterThan(40);
    expect(ops.filter((o) => o.consumes.includes('text/csv')).map((o) => o.path)).toEqual([
      '/api/v1/customers/import',
    ]);
  });

  it('refuses a body type a route was not made for with 415 problem+json, logged in or not, and stays up', async () => {
    const [before] = (await db.query(snapshotSql)).rows;
    const wrong: string[] = [];
    for (const op of ops) {
      for (const type of CONTENT_TYPES) {
        const essence = type?.split(';')[0].toLowerCase() ?? null;
        if (essence && op.consumes.includes(essence)) continue;
        for (const auth of [true, false]) {
          const res = await send(op.method, op.path, { type, body: 'x,y\n1,2\n', auth });
          const ok = res.status === 415 && res.type.startsWith('application/problem+json');
          if (!ok)
            wrong.push(
              `${op.method} ${op.path} ${type} auth=${auth} → ${res.status} ${res.text.slice(0, 100)}`,
            );
        }
        await stillUp(`${op.method} ${op.path} ${type}`);
      }
    }
    expect(wrong).toEqual([]);
    expect((await db.query(snapshotSql)).rows[0]).toEqual(before);
  }, 300_000);

  it('answers the crash request from the outside test (CSV to the login) with 415, and the app stays up', async () => {
    for (const url of ['/api/v1/auth/login', '/api/v1/surveys/not-a-token', '/api/v1/customers']) {
      const res = await send('POST', url, { type: 'text/csv', body: 'x', auth: false });
      // The body type is checked before the login: 415 whether or not the caller is logged in.
      expect([url, res.status]).toEqual([url, 415]);
      const authed = await send('POST', url, { type: 'text/csv', body: 'x' });
      expect([url, authed.status]).toEqual([url, 415]);
      await stillUp(url);
    }
  });

  it('refuses deeply nested JSON at the parser with 400 too_deep, without a login', async () => {
    const bodies = [
      '['.repeat(100_000) + ']'.repeat(100_000),
      '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000),
      `{"email":"a@b.c","password":${'['.repeat(33)}"x"${']'.repeat(33)}}`,
    ];
    for (const url of ['/api/v1/auth/login', '/api/v1/surveys/not-a-token']) {
      for (const body of bodies) {
        const res = await send('POST', url, { type: 'application/json', body, auth: false });
        expect(res.status).toBe(400);
        expect(res.type).toMatch(/^application\/problem\+json/);
        expect(JSON.parse(res.text)).toMatchObject({ code: 'too_deep' });
      }
    }
    // 20 at once, as the outside tester sent them: all refused, and the app still answers.
    const many = await Promise.all(
      Array.from({ length: 20 }, () =>
        send('POST', '/api/v1/auth/login', { type: 'application/json', body: bodies[0], auth: false }),
      ),
    );
    expect(many.map((r) => r.status)).toEqual(Array(20).fill(400));
    await stillUp('deep JSON');
  });

  it('accepts JSON nested as deep as a real client sends it', async () => {
    // A service visit's lines are the deepest documented body (body → lines → item); 6 levels pass the parser.
    const res = await send('POST', '/api/v1/service-visits', {
      type: 'application/json',
      body: JSON.stringify({ lines: [{ a: { b: { c: [1] } } }] }),
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).code).toBe('validation_failed');
  });

  it('refuses prototype keys, non-object bodies and unstorable text with 400 naming the field', async () => {
    const cases: [string, string, string][] = [
      ['/api/v1/auth/login', '{"__proto__":{"admin":true},"email":"a@b.c","password":"x"}', 'bad_request'],
      ['/api/v1/auth/login', '{"constructor":{"prototype":{"admin":true}}}', 'bad_request'],
      ['/api/v1/auth/login', '[{"email":"a@b.c"}]', 'validation_failed'],
      ['/api/v1/auth/login', '"a string"', 'validation_failed'],
      ['/api/v1/auth/login', 'null', 'validation_failed'],
      ['/api/v1/auth/login', '{"email":"a\\u0000@b.c","password":"x"}', 'validation_failed'],
      ['/api/v1/auth/login', '{"email":"\\ud800@b.c","password":"x"}', 'validation_failed'],
      ['/api/v1/auth/login', '{"email":"a@b.c","password":"\\udc00x"}', 'validation_failed'],
    ];
    for (const [url, body, code] of cases) {
      const res = await send('POST', url, { type: 'application/json', body, auth: false });
      expect([body, res.status, res.type.split(';')[0]]).toEqual([body, 400, 'application/problem+json']);
      expect([body, JSON.parse(res.text).code]).toEqual([body, code]);
    }
    const nul = await send('POST', '/api/v1/auth/login', {
      type: 'application/json',
      body: '{"email":"a\\u0000@b.c","password":"x"}',
      auth: false,
    });
    expect(JSON.parse(nul.text).errors).toEqual([expect.objectContaining({ field: 'email' })]);
    const query = await fetch(`${app.baseUrl}/api/v1/customers?q=a%00b`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(query.status).toBe(400);
    expect(((await query.json()) as { errors: { field: string }[] }).errors).toEqual([
      expect.objectContaining({ field: 'q' }),
    ]);
    await stillUp('odd bodies');
  });

  it('answers a URL that is not valid UTF-8 with 400 problem+json and the security headers', async () => {
    for (const url of ['/api/v1/customers/%ED%A0%80', '/api/v1/surveys/a%ff']) {
      const res = await fetch(`${app.baseUrl}${url}`, { headers: { authorization: `Bearer ${token}` } });
      expect([url, res.status, res.headers.get('content-type')?.split(';')[0]]).toEqual([
        url,
        400,
        'application/problem+json',
      ]);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    // In a query string, undecodable bytes are kept as text (a search for them finds nothing).
    const query = await fetch(`${app.baseUrl}/api/v1/customers?q=%ED%A0%80`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(query.status).toBe(200);
    await stillUp('bad URLs');
  });

  it('cuts off a client that trickles its request, and keeps serving others', async () => {
    // 20 sockets each sending one byte of a request every 300 ms; REQUEST_TIMEOUT_SECONDS=2 here. The request
    // would take 60 s to finish: every socket must be closed by the server long before the client is done.
    const { port } = new URL(app.baseUrl);
    const request = `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n${'{'.repeat(200)}`;
    const sockets = Array.from({ length: 20 }, () => {
      const socket = net.connect(Number(port), '127.0.0.1');
      let sent = 0;
      let answer = '';
      socket.on('data', (d) => (answer += d.toString()));
      const closed = new Promise<{ sent: number; answer: string }>((resolve) => {
        socket.on('close', () => resolve({ sent, answer }));
        socket.on('error', () => undefined);
      });
      const timer = setInterval(() => {
        if (sent >= request.length || socket.destroyed) return clearInterval(timer);
        socket.write(request[sent++]);
      }, 300);
      return closed.finally(() => clearInterval(timer));
    });
    const health = await fetch(`${app.baseUrl}/api/v1/health`);
    expect(health.status).toBe(200);
    const results = await Promise.all(sockets);
    for (const r of results) {
      expect(r.sent).toBeLessThan(request.length);
      expect(r.answer).toMatch(/^HTTP\/1\.1 408/);
    }
    await stillUp('slow bodies');
  }, 60_000);

  it('marks API answers as not cacheable, and the dashboard runs no inline script', async () => {
    const me = await fetch(`${app.baseUrl}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    const dashboard = await fetch(`${app.baseUrl}/dashboard`);
    const csp = dashboard.headers.get('content-security-policy') ?? '';
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
    expect(scriptSrc).toMatch(/'self'/);
    expect(scriptSrc).not.toMatch(/unsafe-inline/);
    const html = await dashboard.text();
    // Every inline <script> is a data block (type application/json), which CSP does not run.
    for (const tag of html.match(/<script[^>]*>/g) ?? []) {
      expect(tag).toMatch(/src=|type="application\/json"/);
    }
  });
});
