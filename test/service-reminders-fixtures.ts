import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';

/** Seeded PRNG (mulberry32) so that a failure can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';

/** A VIN that passes the table's pattern; position 9 is not used as a check digit by the tests' makes. */
export function randomVin(rand: () => number = Math.random): string {
  let vin = 'KMH';
  while (vin.length < 17) vin += VIN_CHARS[Math.floor(rand() * VIN_CHARS.length)];
  return vin;
}

export async function insertCustomer(db: DataSource, rooftopId: string, language = 'en'): Promise<string> {
  const [row] = await db.query(
    `INSERT INTO customer (home_rooftop_id, first_name, last_name, email, language) VALUES ($1, 'Sokha', 'Chan', $2, $3) RETURNING id`,
    [rooftopId, `c.${randomBytes(4).toString('hex')}@example.test`, language],
  );
  return row.id;
}

export interface VehicleFixture {
  rooftopId: string;
  ownerId: string | null;
  powertrain?: 'ice' | 'hybrid' | 'ev';
  make?: string;
  model?: string;
  purchaseDate?: string | null;
  purchaseOdometer?: number;
  createdAt?: Date;
  status?: string;
  vin?: string;
}

export async function insertVehicle(db: DataSource, v: VehicleFixture): Promise<string> {
  const [row] = await db.query(
    `INSERT INTO vehicle (rooftop_id, vin, make, model, year, powertrain, owner_id, purchase_date, purchase_odometer, status, created_at)
     VALUES ($1, $2, $3, $4, 2024, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      v.rooftopId,
      v.vin ?? randomVin(),
      v.make ?? 'Hyundai',
      v.model ?? 'Tucson',
      v.powertrain ?? 'ice',
      v.ownerId,
      v.purchaseDate === undefined ? '2025-12-01' : v.purchaseDate,
      v.purchaseOdometer ?? 0,
      v.status ?? 'active',
      v.createdAt ?? new Date('2025-01-01T00:00:00Z'),
    ],
  );
  return row.id;
}

export async function insertReading(
  db: DataSource,
  vehicleId: string,
  value: number,
  readAt: string | Date,
): Promise<void> {
  await db.query(
    `INSERT INTO odometer_reading (vehicle_id, value, read_at, source) VALUES ($1, $2, $3, 'import')`,
    [vehicleId, value, new Date(readAt)],
  );
}

export async function insertPerformed(
  db: DataSource,
  vehicleId: string,
  itemCode: string,
  performedAt: string | Date,
  odometer: number,
  visitId: string | null = null,
): Promise<void> {
  await db.query(
    `INSERT INTO maintenance_performed (vehicle_id, item_code, performed_at, odometer, service_visit_id) VALUES ($1, $2, $3, $4, $5)`,
    [vehicleId, itemCode, new Date(performedAt), odometer, visitId],
  );
}

/** Removes every vehicle, customer and what hangs off them, so that each test plans against its own fleet. */
export async function clearFleet(db: DataSource): Promise<void> {
  await db.query(`DELETE FROM outbox_message`);
  await db.query(`DELETE FROM service_reminder_stage`);
  await db.query(`DELETE FROM maintenance_performed`);
  await db.query(`DELETE FROM service_visit_line`);
  await db.query(`DELETE FROM service_visit`);
  await db.query(`DELETE FROM odometer_reading`);
  await db.query(`DELETE FROM vehicle_ownership`);
  await db.query(`DELETE FROM vehicle`);
  await db.query(`DELETE FROM consent`);
  await db.query(`DELETE FROM customer`);
}
