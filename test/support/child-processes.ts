import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Real separate node processes running the TypeScript sources (swc-register): the app, a PostgreSQL. */
const ROOT = path.resolve(__dirname, '..', '..');

export interface Child {
  proc: ChildProcess;
  pid: number;
  exited: Promise<number | null>;
}

function run(script: string, args: string[], env: Record<string, string>, logFile: string): Child {
  const out = fs.openSync(logFile, 'a');
  const proc = spawn(process.execPath, ['-r', './test/support/swc-register.js', script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['pipe', out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, pid: proc.pid!, exited };
}

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  child?: Child,
) {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void child?.exited.then(() => (dead = true));
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${what}: the process exited`);
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms`);
}

/** PostgreSQL in a child process on a fixed port (so that it can be restarted under running apps). */
export async function startPostgresChild(dataDir: string, port: number, logFile: string): Promise<Child> {
  const child = run('test/support/fault-postgres.ts', [dataDir, String(port)], {}, logFile);
  const { Client } = await import('pg');
  await until(
    'PostgreSQL',
    async () => {
      const c = new Client({ connectionString: `postgres://postgres:faults@127.0.0.1:${port}/postgres` });
      await c.connect();
      await c.end();
      return true;
    },
    120_000,
    child,
  );
  return child;
}

export async function stopChild(
  child: Child,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 30_000,
): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill(signal);
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
  if ((await Promise.race([child.exited, timer])) === 'timeout') {
    child.proc.kill('SIGKILL');
    await child.exited;
  }
}

/** `node -r swc-register src/main.ts` with the given settings; resolves when /api/v1/health answers. */
export async function startAppChild(
  env: Record<string, string>,
  logFile: string,
): Promise<Child & { baseUrl: string }> {
  const child = run('src/main.ts', [], env, logFile);
  const baseUrl = `http://127.0.0.1:${env.PORT}`;
  await until('app instance', async () => (await fetch(`${baseUrl}/api/v1/health`)).ok, 180_000, child);
  return { ...child, baseUrl };
}
