import { randomBytes } from 'node:crypto';
import type { TestApp } from './support/test-app';
import { JobsService } from '../src/jobs/jobs.service';

const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
const vin = () => Array.from(randomBytes(17), (b) => VIN_CHARS[b % VIN_CHARS.length]).join('');

/** Direct SQL fixtures for the follow-ups/feedback tests (the customers and vehicles APIs are other modules'). */
export function fixtures(t: TestApp) {
  return {
    async customer(
      rooftopId: string,
      o: { birthday?: string; language?: string; salespersonId?: string | null; firstName?: string } = {},
    ): Promise<string> {
      const [row] = await t.db.query(
        `INSERT INTO customer (home_rooftop_id, first_name, last_name, email, birthday, language, assigned_salesperson_id)
         VALUES ($1, $2, 'Test', $3, $4, $5, $6) RETURNING id`,
        [
          rooftopId,
          o.firstName ?? 'Dara',
          `c.${randomBytes(4).toString('hex')}@example.test`,
          o.birthday ?? null,
          o.language ?? 'en',
          o.salespersonId ?? null,
        ],
      );
      return row.id;
    },
    async vehicle(
      rooftopId: string,
      ownerId: string,
      o: {
        purchaseDate?: string | null;
        purchaseType?: string;
        soldById?: string | null;
        termEndDate?: string;
        warrantyEndDate?: string;
        warrantyEndDistance?: number;
        purchaseOdometer?: number;
      } = {},
    ): Promise<string> {
      const [row] = await t.db.query(
        `INSERT INTO vehicle (rooftop_id, vin, make, model, year, powertrain, owner_id, purchase_date, purchase_type, purchase_odometer, sold_by_id, selling_rooftop_id, term_end_date, warranty_end_date, warranty_end_distance)
         VALUES ($1, $2, 'Toyota', 'Hilux', 2026, 'ice', $3, $4, $5, $6, $7, $1, $8, $9, $10) RETURNING id`,
        [
          rooftopId,
          vin(),
          ownerId,
          o.purchaseDate === undefined ? '2026-01-01' : o.purchaseDate,
          o.purchaseType ?? 'new',
          o.purchaseOdometer ?? 0,
          o.soldById ?? null,
          o.termEndDate ?? null,
          o.warrantyEndDate ?? null,
          o.warrantyEndDistance ?? null,
        ],
      );
      return row.id;
    },
    async reading(vehicleId: string, value: number, readAt: string) {
      await t.db.query(
        `INSERT INTO odometer_reading (vehicle_id, value, read_at, source) VALUES ($1, $2, $3, 'customer')`,
        [vehicleId, value, readAt],
      );
    },
    /** A closed visit (as C1 writes it), optionally with declined lines. */
    async closedVisit(
      rooftopId: string,
      vehicleId: string,
      customerId: string,
      closedAt: string,
      o: {
        advisorId?: string | null;
        declined?: { description: string; itemCode?: string; estimate?: number }[];
      } = {},
    ): Promise<string> {
      const [row] = await t.db.query(
        `INSERT INTO service_visit (rooftop_id, vehicle_id, customer_id, advisor_id, ro_number, visit_date, odometer, status, closed_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1000, 'closed', $6) RETURNING id`,
        [
          rooftopId,
          vehicleId,
          customerId,
          o.advisorId ?? null,
          `RO-${randomBytes(4).toString('hex')}`,
          closedAt,
        ],
      );
      let position = 0;
      for (const line of o.declined ?? []) {
        await t.db.query(
          `INSERT INTO service_visit_line (service_visit_id, position, kind, item_code, description, estimate_amount) VALUES ($1, $2, 'declined', $3, $4, $5)`,
          [row.id, position++, line.itemCode ?? null, line.description, line.estimate ?? null],
        );
      }
      return row.id;
    },
    async runFollowUps(asOf: string) {
      return t.app.get(JobsService).run('follow-ups', new Date(asOf));
    },
    async outbox(
      customerId: string,
      kind?: string,
    ): Promise<
      {
        id: string;
        dedupe_key: string;
        kind: string;
        purpose: string;
        payload: any;
        scheduled_at: Date;
        status: string;
        status_reason: string | null;
      }[]
    > {
      return t.db.query(
        `SELECT id, dedupe_key, kind, purpose, payload, scheduled_at, status, status_reason FROM outbox_message
          WHERE customer_id = $1 AND ($2::text IS NULL OR kind = $2) ORDER BY scheduled_at, dedupe_key`,
        [customerId, kind ?? null],
      );
    },
    async tasks(
      customerId: string,
      type?: string,
    ): Promise<
      { id: string; type: string; assignee_id: string; due_at: Date; dedupe_key: string; title: string }[]
    > {
      return t.db.query(
        `SELECT * FROM task WHERE customer_id = $1 AND ($2::text IS NULL OR type = $2) ORDER BY due_at, dedupe_key`,
        [customerId, type ?? null],
      );
    },
  };
}
