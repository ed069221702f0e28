import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../src/database/embedded-postgres';
import { startAppChild, stopChild } from './support/child-processes';
import { startTestApp, TestApp } from './support/test-app';

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
