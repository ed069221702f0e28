import { vinCheckDigit } from '../../src/vehicles/vin';
import { bearer, TestApp } from './test-app';

let vinSeq = 0;

/** A fresh, valid North-American VIN (correct check digit), different on every call. */
export function nextVin(): string {
  vinSeq += 1;
  const serial = `${process.pid % 100}`.padStart(2, '0') + `${vinSeq}`.padStart(4, '0');
  const draft = `1HGCM826X3A${serial}`;
  return draft.slice(0, 8) + vinCheckDigit(draft) + draft.slice(9);
}

/** A customer row written directly (the customers module owns the API; vehicles only need the row). */
export async function insertCustomer(t: TestApp, homeRooftopId: string, firstName = 'Test'): Promise<string> {
  const [row] = await t.db.query(
    `INSERT INTO customer (home_rooftop_id, first_name) VALUES ($1, $2) RETURNING id`,
    [homeRooftopId, firstName],
  );
  return row.id as string;
}

/** Creates a vehicle through the API and returns its body (fails the test on anything but 201). */
export async function createVehicle(
  t: TestApp,
  token: string,
  body: Record<string, unknown>,
): Promise<{ id: string; version: number; vin: string; [k: string]: unknown }> {
  const res = await t.http
    .post('/api/v1/vehicles')
    .set(bearer(token))
    .send({ vin: nextVin(), make: 'Toyota', model: 'Camry', year: 2024, powertrain: 'hybrid', ...body });
  if (res.status !== 201)
    throw new Error(`vehicle create answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}
