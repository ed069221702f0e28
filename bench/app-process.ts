/**
 * Starts the app under test in its own process and waits until ready: the compiled app in dist/, as `npm start` runs
 * it (built first when a source changed, as `npm start` does; with the variables its script sets). Under swc-register (as the fault suite runs it) the
 * in-process compiler and inline source maps added ~45 MB to the app's RSS.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { freePort } from '../src/database/embedded-postgres';
import { startScriptEnv } from '../test/support/start-script';
import { sleep } from './support';

export const ADMIN = { email: 'bench-admin@example.test', password: 'bench-password-1234' };
/** The app's JWT secret under test: the hand-written 360 server verifies its tokens with it. */
export const BENCH_JWT_SECRET = 'bench-jwt-secret-bench-jwt-secret-0123456789';

export interface AppProcess {
  base: string;
  child: ChildProcess;
  /** Milliseconds from spawn to a 200 from /api/v1/health/ready. */
  readyMs: number;
  token: string;
  rssMb(): number;
  stop(): Promise<void>;
}

let built = false;

/** scripts/build.js --if-stale, once per bench process. */
function buildOnce(): void {
  if (built) return;
  const result = spawnSync(process.execPath, ['scripts/build.js', '--if-stale'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the build into dist/ failed');
  built = true;
}

export async function startApp(
  env: Record<string, string>,
  opts: { login?: boolean } = {},
): Promise<AppProcess> {
  buildOnce();
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, ['-r', './dist/bench/capture-sql.js', 'dist/src/main.js'], {
    // An empty value unsets a variable (e.g. DATABASE_URL: '' to use the embedded PostgreSQL).
    env: Object.fromEntries(
      Object.entries({
        ...process.env,
        ...startScriptEnv(),
        PORT: String(port),
        JOBS_ENABLED: 'false',
        LOG_LEVEL: 'warn',
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        JWT_SECRET: BENCH_JWT_SECRET,
        ...env,
      }).filter(([, v]) => v !== undefined && v !== ''),
    ),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const base = `http://127.0.0.1:${port}/api/v1`;
  let readyMs: number;
  let token = '';
  // A failure after the spawn must not leave the app running (it would hold the cluster's connections).
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`app exited: ${stderr}`);
      try {
        const res = await fetch(`${base}/health/ready`);
        if (res.ok) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() - started > 120_000) throw new Error(`app not ready after 120 s: ${stderr}`);
      await sleep(25);
    }
    readyMs = Date.now() - started;
    if (opts.login !== false) {
      const res = await fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ADMIN),
      });
      if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      token = ((await res.json()) as { accessToken: string }).accessToken;
    }
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    base,
    child,
    readyMs,
    token,
    rssMb: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : NaN;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      for (let i = 0; i < 200 && child.exitCode === null; i++) await sleep(50);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Statements the app sent while `fn` ran (the app must be idle otherwise: JOBS_ENABLED=false). */
export async function captureSql(
  file: string,
  fn: () => Promise<unknown>,
): Promise<{ text: string; values: unknown[] }[]> {
  const before = fs.existsSync(file) ? fs.statSync(file).size : 0;
  // The app records only while the marker exists (bench/capture-sql.ts polls it every 5 ms).
  fs.writeFileSync(`${file}.on`, '');
  await sleep(30);
  try {
    await fn();
    await sleep(50);
  } finally {
    fs.rmSync(`${file}.on`, { force: true });
    await sleep(30);
  }
  const fd = fs.openSync(file, 'r');
  const size = fs.fstatSync(fd).size;
  const buffer = Buffer.alloc(size - before);
  fs.readSync(fd, buffer, 0, buffer.length, before);
  fs.closeSync(fd);
  return buffer
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { text: string; values: unknown[] });
}
