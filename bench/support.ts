/**
 * Shared helpers of the benchmark suite: the dedicated embedded cluster under DATA_DIR/bench (or
 * DATABASE_URL), argument parsing, timing and the result table.
 */
import { ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultPoolSize } from '../src/config/app-config';
import { EmbeddedCluster, startEmbeddedPostgres } from '../src/database/embedded-postgres';

export const BENCH_DATABASE = 'bench';

/** Settings for a throwaway benchmark cluster: durability off (it is re-seeded at will), more memory. */
const BENCH_SETTINGS = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  shared_buffers: '1GB',
  work_mem: '64MB',
  maintenance_work_mem: '512MB',
  max_wal_size: '4GB',
  checkpoint_timeout: '30min',
};

export interface BenchDatabase {
  url: string;
  cluster?: EmbeddedCluster;
  stop(): Promise<void>;
}

/** DATABASE_URL when set (the database must exist), otherwise the embedded cluster in DATA_DIR/bench. */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => undefined };
  const cluster = await startEmbeddedPostgres({
    dataDir: path.resolve(process.env.DATA_DIR ?? '.data', 'bench'),
    settings: BENCH_SETTINGS,
  });
  await cluster.createDatabase(BENCH_DATABASE);
  return {
    url: cluster.url(BENCH_DATABASE),
    cluster,
    stop: async () => {
      await cluster.stop();
    },
  };
}

/**
 * The app's database pool size in this run (DB_POOL_SIZE, else its default from the cores): the hand-written
 * baselines use as many connections, so both sides have the same concurrency at the database.
 */
export function appPoolSize(): number {
  return Number(process.env.DB_POOL_SIZE) || defaultPoolSize();
}

export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(String(process.argv[i + 1]).replace(/[,_]/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

export function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

export const flag = (name: string) => process.argv.includes(`--${name}`);

export async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Deterministic pseudo-random number in [0, 1) from an integer (the seed must be reproducible). */
export function noise(i: number, salt: number): number {
  const x = Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

export const customerId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
export const vehicleId = (i: number) => `00000000-0000-4000-9000-${i.toString(16).padStart(12, '0')}`;

/** p-th percentile (0–100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function writeJson(file: string, data: unknown) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
}

/**
 * The folder for the bench's own files (captured statements, replay lists): DATA_DIR or .data, created when
 * missing (with DATABASE_URL set no cluster creates it).
 */
export function benchDir(): string {
  const dir = path.resolve(process.env.DATA_DIR ?? '.data');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The 1, 5 and 15 minute load averages, two decimals. */
export const loadAverage = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

/** Per-round ratios of an alternated measurement (A B A B …): the spread says how noisy the machine was. */
export interface RatioRange {
  min: number;
  median: number;
  max: number;
  rounds: number;
}

export function ratioRange(ratios: number[]): RatioRange {
  const r = (n: number) => Math.round(n * 100) / 100;
  return {
    min: r(Math.min(...ratios)),
    median: r(median(ratios)),
    max: r(Math.max(...ratios)),
    rounds: ratios.length,
  };
}

/**
 * The median of a list of numbers: the mean of the two middle values for an even count (the lower middle alone made
 * a two-round case report its better round: the back-fill's and the whole-fleet run's).
 */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A bench peer (SMTP sink, SMPP peer, Bot API stand-in) in its own process, asked over IPC. */
export interface PeerProcess<R> {
  /** The first message the child sends: where it listens. */
  ready: R;
  /** Sends `{ type }` and resolves with the child's first answer of that type. */
  ask<T>(type: string): Promise<T>;
  /** Disconnects the child (it closes its server and exits) and waits for it to exit. */
  close(): Promise<void>;
}

/** Forks `file` with `args` under swc-register, waits for its ready message; `name` names it in errors. */
export async function forkPeer<R>(file: string, args: string[], name: string): Promise<PeerProcess<R>> {
  const child: ChildProcess = fork(file, args, {
    execArgv: ['-r', './test/support/swc-register.js'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<R>((resolve, reject) => {
    child.once('message', (m: R) => resolve(m));
    child.once('exit', (code) => reject(new Error(`${name} exited (${code})`)));
  });
  return {
    ready,
    ask: <T>(type: string) =>
      new Promise<T>((resolve) => {
        const on = (m: { type?: string }) => {
          if (m.type !== type) return;
          child.off('message', on);
          resolve(m as T);
        };
        child.on('message', on);
        child.send({ type });
      }),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await exited;
    },
  };
}
