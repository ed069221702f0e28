/**
 * Seeds the benchmark database with COPY:
 *   npm run bench:seed -- --customers 500000 --vehicles 1000000
 * Drops and re-creates the database `bench` on the embedded cluster under DATA_DIR/bench (or seeds DATABASE_URL,
 * which must be an empty database), runs the migrations, then COPYs rooftops, customers (searchable names,
 * emails, phones), vehicles (mixed powertrains), two odometer readings each, maintenance history, closed service
 * visits and interactions. Deterministic: the same sizes give the same rows.
 */
import { MultiBar, Presets, SingleBar } from 'cli-progress';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import {
  BENCH_DATABASE,
  customerId,
  noise,
  numberArg,
  openBenchDatabase,
  vehicleId,
  writeJson,
} from './support';

const FIRST = [
  'Sokha',
  'Dara',
  'Vanna',
  'Chenda',
  'Bopha',
  'Rithy',
  'Sophal',
  'Kosal',
  'Malis',
  'Piseth',
  'Sreyneang',
  'Vichet',
  'Khemara',
  'Nary',
  'Sovann',
  'Thida',
  'Bounmy',
  'Keo',
  'Somphone',
  'Noy',
  'Phet',
  'Vilay',
  'Khamla',
  'Souk',
  'Anousone',
  'Manivanh',
  'Chanthy',
  'Lina',
  'Sinath',
  'Davy',
];
const LAST = [
  'Sok',
  'Chan',
  'Kim',
  'Heng',
  'Lim',
  'Meas',
  'Pich',
  'Ouk',
  'Seng',
  'Tep',
  'Nhem',
  'Prak',
  'Phommachanh',
  'Sisavath',
  'Vongsa',
  'Keomany',
  'Inthavong',
  'Souvannavong',
  'Chanthavong',
  'Phanthavong',
];
const MODELS: [string, string, string][] = [
  ['Toyota', 'Hilux', 'ice'],
  ['Toyota', 'Camry', 'hybrid'],
  ['Toyota', 'Corolla Cross', 'hybrid'],
  ['Hyundai', 'Tucson', 'ice'],
  ['Hyundai', 'Ioniq 5', 'ev'],
  ['Ford', 'Ranger', 'ice'],
  ['Lexus', 'RX', 'hybrid'],
  ['BYD', 'Atto 3', 'ev'],
  ['Mazda', 'CX-5', 'ice'],
  ['Isuzu', 'D-Max', 'ice'],
];
const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
const DAY = 86_400_000;

function vin(i: number): string {
  let s = '';
  let n = i;
  for (let k = 0; k < 11; k++) {
    s = VIN_CHARS[n % VIN_CHARS.length] + s;
    n = Math.floor(n / VIN_CHARS.length);
  }
  return `MR0HA3CD${s.slice(2)}`;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** The seed's "today": vehicles, readings and visits lie before it (the bench plans as of this day). */
export const SEED_TODAY = Date.parse('2026-06-15T03:00:00Z');
/** Vehicle i: bought 60 days to 6 years ago, driven 20–100 km a day. */
const ageDays = (i: number) => 60 + Math.floor(noise(i, 1) * 2100);
const purchase = (i: number) => SEED_TODAY - ageDays(i) * DAY;
const ratePerDay = (i: number) => 20 + noise(i, 4) * 80;
/** An odometer value for vehicle i on SEED_TODAY that passes the odometer guard. */
export const odometerToday = (i: number) => Math.floor(ageDays(i) * ratePerDay(i));
/**
 * Customer i joined 400–1,899 days before SEED_TODAY, on a day drawn from a hash of i: independent of the name
 * (FIRST[i % 30], LAST[i / 30 % 20]), as sign-up order is of names in real data. A day of i % 1500 tied the two:
 * the oldest 10,000 customers of a 1 M seed (the rows the search walks first) had 15 of the 30 first names and 2
 * of the 20 last names, so a common name looked rare to the search.
 */
const customerCreated = (i: number) => SEED_TODAY - (400 + Math.floor(noise(i, 5) * 1500)) * DAY;
/** Two readings per vehicle: one a month or more after purchase, the last (its latest service visit) 0–400 days ago. */
const readingDays = (i: number, last: boolean) => {
  const first = Math.min(30 + Math.floor(noise(i, 2) * 200), Math.floor(ageDays(i) / 3));
  return last ? Math.max(first + 1, ageDays(i) - Math.floor(noise(i, 3) * 400)) : first;
};

async function copyRows(
  client: Client,
  sql: string,
  total: number,
  row: (i: number) => string,
  bar: SingleBar,
) {
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

/** Runs the pending migrations on the bench database. */
export async function migrate(url: string) {
  const ds = new DataSource(dataSourceOptions(url, 1));
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}

export async function seed(url: string, customers: number, vehicles: number) {
  await migrate(url);

  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const rooftops = (
      await db.query(
        `INSERT INTO rooftop (name, time_zone) VALUES ('Bench Motors Phnom Penh', 'Asia/Phnom_Penh'),
           ('Bench Motors Siem Reap', 'Asia/Phnom_Penh'), ('Bench Motors Vientiane', 'Asia/Vientiane') RETURNING id`,
      )
    ).rows.map((r: { id: string }) => r.id);
    const rooftop = (i: number) => rooftops[i % rooftops.length];
    const owner = (v: number) => v % customers;
    const visits = vehicles;
    const visitId = (k: number) => `00000000-0000-4000-a000-${k.toString(16).padStart(12, '0')}`;

    const bars = new MultiBar(
      { format: ' {table} [{bar}] {percentage}% {value}/{total}', hideCursor: true },
      Presets.shades_classic,
    );
    const tables: [string, number, string, (i: number) => string][] = [
      [
        'customer',
        customers,
        `COPY customer (id, home_rooftop_id, first_name, last_name, email, phone, language, created_at) FROM STDIN`,
        (i) => {
          const first = FIRST[i % FIRST.length];
          const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
          const lang = ['en', 'km', 'km', 'lo'][i % 4];
          return `${customerId(i)}\t${rooftop(i)}\t${first}\t${last}\t${first.toLowerCase()}.${last.toLowerCase()}${i}@example.test\t+8551${String(i).padStart(7, '0')}\t${lang}\t${iso(customerCreated(i))}`;
        },
      ],
      [
        'vehicle',
        vehicles,
        `COPY vehicle (id, rooftop_id, vin, make, model, year, powertrain, owner_id, purchase_date, purchase_type, purchase_odometer) FROM STDIN`,
        (i) => {
          const [make, model, pt] = MODELS[i % MODELS.length];
          return `${vehicleId(i)}\t${rooftop(owner(i))}\t${vin(i)}\t${make}\t${model}\t${2018 + (i % 8)}\t${pt}\t${customerId(owner(i))}\t${iso(purchase(i)).slice(0, 10)}\tnew\t0`;
        },
      ],
      [
        'odometer_reading',
        vehicles * 2,
        `COPY odometer_reading (vehicle_id, value, read_at, source) FROM STDIN`,
        (k) => {
          const i = k >> 1;
          const days = readingDays(i, k % 2 === 1);
          return `${vehicleId(i)}\t${Math.floor(days * ratePerDay(i))}\t${iso(purchase(i) + days * DAY)}\timport`;
        },
      ],
      [
        'service_visit',
        visits,
        `COPY service_visit (id, rooftop_id, vehicle_id, customer_id, ro_number, visit_date, odometer, status, customer_pay_amount, closed_at) FROM STDIN`,
        (i) => {
          const k = i;
          const days = readingDays(i, true);
          const at = iso(purchase(i) + days * DAY);
          return `${visitId(k)}\t${rooftop(owner(i))}\t${vehicleId(i)}\t${customerId(owner(i))}\tRO-${k}\t${at}\t${Math.floor(days * ratePerDay(i))}\tclosed\t${(50 + (k % 200)).toFixed(2)}\t${at}`;
        },
      ],
      [
        'maintenance_performed',
        visits * 2,
        `COPY maintenance_performed (vehicle_id, item_code, performed_at, odometer, service_visit_id) FROM STDIN`,
        (m) => {
          const i = m >> 1;
          const k = i;
          const days = readingDays(i, true);
          const item =
            m % 2 === 1
              ? 'TIRE_ROTATION'
              : MODELS[i % MODELS.length][2] === 'ev'
                ? 'EV_BATTERY_CHECK'
                : 'OIL_CHANGE';
          return `${vehicleId(i)}\t${item}\t${iso(purchase(i) + days * DAY)}\t${Math.floor(days * ratePerDay(i))}\t${visitId(k)}`;
        },
      ],
      [
        'interaction',
        customers,
        `COPY interaction (customer_id, rooftop_id, kind, summary, occurred_at) FROM STDIN`,
        (i) =>
          `${customerId(i)}\t${rooftop(i)}\tcall\tCalled about the next service\t${iso(SEED_TODAY - (i % 700) * DAY)}`,
      ],
    ];
    const progress = tables.map(([name, total]) => bars.create(total, 0, { table: name.padEnd(22) }));
    for (const [n, [, total, sql, row]] of tables.entries()) await copyRows(db, sql, total, row, progress[n]);
    bars.stop();
    process.stdout.write('ANALYZE…\n');
    await db.query('VACUUM ANALYZE');
    await db.query(`CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)`);
    await db.query(
      `INSERT INTO bench_meta VALUES ('sizes', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [JSON.stringify({ customers, vehicles, seededAt: new Date().toISOString() })],
    );
  } finally {
    await db.end();
  }
}

async function main() {
  const customers = numberArg('customers', 500_000);
  const vehicles = numberArg('vehicles', 1_000_000);
  const started = Date.now();
  const database = await openBenchDatabase();
  try {
    if (database.cluster) {
      await database.cluster.dropDatabase(BENCH_DATABASE);
      await database.cluster.createDatabase(BENCH_DATABASE);
    }
    console.log(
      `Seeding ${customers.toLocaleString('en')} customers, ${vehicles.toLocaleString('en')} vehicles`,
    );
    await seed(database.url, customers, vehicles);
    const seconds = (Date.now() - started) / 1000;
    console.log(`Seeded in ${seconds.toFixed(1)} s`);
    writeJson('bench-results/seed.json', { customers, vehicles, seconds, node: process.version });
  } finally {
    await database.stop();
  }
}

if (require.main === module)
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
