/**
 * Benchmark of the `service-reminders` due scan at fleet scale.
 *   npm run bench:reminders -- --vehicles 1000000
 * COPY-seeds N vehicles (2 odometer readings each, a maintenance record for every other one) into a fresh
 * database on the embedded cluster (under DATA_DIR/bench), then times the due scan and the full planning
 * statement through the app's TypeORM DataSource and raw through pg (each rolled back), prints a table and
 * writes bench-results/reminders.json.
 */
import { Presets, SingleBar } from 'cli-progress';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { DEFAULT_RATE_PER_DAY } from '../src/service-reminders/due-projection';
import { LABELS_JSON } from '../src/service-reminders/reminder-labels';
import { DUE_SCAN_SQL, PLAN_SQL } from '../src/service-reminders/service-reminders.repository';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(String(process.argv[i + 1]).replace(/[,_]/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
function vin(i: number): string {
  let s = '';
  let n = i;
  for (let k = 0; k < 11; k++) {
    s = VIN_CHARS[n % VIN_CHARS.length] + s;
    n = Math.floor(n / VIN_CHARS.length);
  }
  return `KMHBN${s}X`.slice(0, 17);
}

/** A deterministic pseudo-random number in [0, 1) from an integer. */
const noise = (i: number, salt: number) => {
  const x = Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453;
  return x - Math.floor(x);
};

async function copyRows(
  client: Client,
  sql: string,
  total: number,
  row: (i: number) => string,
  bar: SingleBar,
): Promise<void> {
  let i = 0;
  const source = Readable.from(
    (function* () {
      while (i < total) {
        const lines: string[] = [];
        for (let k = 0; k < 5000 && i < total; k++, i++) lines.push(row(i));
        bar.increment(lines.length);
        yield lines.join('\n') + '\n';
      }
    })(),
  );
  await pipeline(source, client.query(copyFrom(sql)));
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

async function main() {
  const vehicles = arg('vehicles', 1_000_000);
  const customers = Math.max(1, Math.ceil(vehicles / 1.5));
  const dataDir = path.resolve(process.env.DATA_DIR ?? '.data', 'bench');
  console.log(`Embedded PostgreSQL in ${dataDir}; seeding ${vehicles.toLocaleString('en')} vehicles`);
  const cluster = await startEmbeddedPostgres({
    dataDir,
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
  });
  const database = `bench_reminders_${Date.now()}`;
  await cluster.createDatabase(database);
  const url = cluster.url(database);
  const ds = new DataSource(dataSourceOptions(url, 2));
  const raw = new Client({ connectionString: url });
  try {
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await raw.connect();

    const [{ id: rooftopId }] = (
      await raw.query(
        `INSERT INTO rooftop (name, time_zone) VALUES ('Bench Motors', 'Asia/Phnom_Penh') RETURNING id`,
      )
    ).rows;
    const bar = new SingleBar(
      { format: ' {task} [{bar}] {percentage}% {value}/{total}' },
      Presets.shades_classic,
    );
    const seedStarted = Date.now();
    bar.start(customers + vehicles * 3 + Math.ceil(vehicles / 2), 0, { task: 'COPY' });
    const customerId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    const vehicleId = (i: number) => `00000000-0000-4000-9000-${i.toString(16).padStart(12, '0')}`;
    await copyRows(
      raw,
      `COPY customer (id, home_rooftop_id, first_name, email) FROM STDIN`,
      customers,
      (i) => `${customerId(i)}\t${rooftopId}\tC${i}\tc${i}@bench.test`,
      bar,
    );
    const powertrains = ['ice', 'ice', 'hybrid', 'ev'];
    const base = Date.parse('2022-01-01T00:00:00Z');
    const day = 86_400_000;
    const purchase = (i: number) => base + Math.floor(noise(i, 1) * 1400) * day;
    await copyRows(
      raw,
      `COPY vehicle (id, rooftop_id, vin, make, model, year, powertrain, owner_id, purchase_date, purchase_odometer) FROM STDIN`,
      vehicles,
      (i) =>
        `${vehicleId(i)}\t${rooftopId}\t${vin(i)}\tHyundai\tTucson\t2022\t${powertrains[i % 4]}\t${customerId(i % customers)}\t${new Date(purchase(i)).toISOString().slice(0, 10)}\t0`,
      bar,
    );
    await copyRows(
      raw,
      `COPY odometer_reading (vehicle_id, value, read_at, source) FROM STDIN`,
      vehicles * 2,
      (k) => {
        const i = k >> 1;
        const days = k % 2 === 0 ? 30 + Math.floor(noise(i, 2) * 200) : 300 + Math.floor(noise(i, 3) * 500);
        return `${vehicleId(i)}\t${Math.floor(days * (20 + noise(i, 4) * 80))}\t${new Date(purchase(i) + days * day).toISOString()}\timport`;
      },
      bar,
    );
    await copyRows(
      raw,
      `COPY maintenance_performed (vehicle_id, item_code, performed_at, odometer) FROM STDIN`,
      Math.ceil(vehicles / 2),
      (k) =>
        `${vehicleId(k * 2)}\tTIRE_ROTATION\t${new Date(purchase(k * 2) + 200 * day).toISOString()}\t${Math.floor(200 * 50)}`,
      bar,
    );
    bar.stop();
    await raw.query(`ANALYZE`);
    const seedMs = Date.now() - seedStarted;

    const asOf = new Date('2026-06-15T03:00:00Z');
    const scanParams = [asOf, 'km', DEFAULT_RATE_PER_DAY.km];
    const planParams = [asOf, 'km', DEFAULT_RATE_PER_DAY.km, asOf.toISOString(), LABELS_JSON];
    const countSql = `SELECT count(*)::int AS rows, count(*) FILTER (WHERE stage <> 'ok')::int AS reached FROM (${DUE_SCAN_SQL}) s`;

    const results: { case: string; ms: number; detail: string }[] = [];
    const scanOrm = await time(() => ds.query(countSql, scanParams));
    results.push({ case: 'due scan via TypeORM', ms: scanOrm.ms, detail: JSON.stringify(scanOrm.value[0]) });
    const scanRaw = await time(() => raw.query(countSql, scanParams));
    results.push({ case: 'due scan raw pg', ms: scanRaw.ms, detail: JSON.stringify(scanRaw.value.rows[0]) });

    const runner = ds.createQueryRunner();
    await runner.startTransaction();
    const planOrm = await time(() => runner.query(PLAN_SQL, planParams));
    await runner.rollbackTransaction();
    await runner.release();
    results.push({
      case: 'plan (scan + stages + digests) via TypeORM, rolled back',
      ms: planOrm.ms,
      detail: JSON.stringify(planOrm.value[0]),
    });
    await raw.query('BEGIN');
    const planRaw = await time(() => raw.query(PLAN_SQL, planParams));
    await raw.query('ROLLBACK');
    results.push({
      case: 'plan raw pg, rolled back',
      ms: planRaw.ms,
      detail: JSON.stringify(planRaw.value.rows[0]),
    });

    console.log(`\nSeeded in ${(seedMs / 1000).toFixed(1)} s. As of ${asOf.toISOString()}:`);
    console.table(
      results.map((r) => ({ case: r.case, seconds: (r.ms / 1000).toFixed(2), result: r.detail })),
    );
    fs.mkdirSync('bench-results', { recursive: true });
    fs.writeFileSync(
      path.join('bench-results', 'reminders.json'),
      JSON.stringify(
        { vehicles, customers, seedMs, asOf: asOf.toISOString(), node: process.version, results },
        null,
        2,
      ) + '\n',
    );
    console.log('Wrote bench-results/reminders.json');
  } finally {
    await raw.end().catch(() => undefined);
    if (ds.isInitialized) await ds.destroy();
    await cluster.dropDatabase(database).catch(() => undefined);
    await cluster.stop();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
