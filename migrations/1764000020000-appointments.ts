import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Service appointments (SPEC "Service appointments"): a calendar per rooftop, the appointments, and one
 * counter row per booked slot. The counter is what makes overbooking impossible: a booking takes a place with
 * one conditional upsert (`taken < places`), so concurrent requests for the last place serialize on that row.
 */
export class Appointments1764000020000 implements MigrationInterface {
  name = 'Appointments1764000020000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE service_calendar (
        rooftop_id uuid PRIMARY KEY REFERENCES rooftop(id) ON DELETE CASCADE,
        opening_hours jsonb NOT NULL,
        closed_dates date[] NOT NULL DEFAULT '{}',
        slot_minutes integer NOT NULL DEFAULT 30 CHECK (slot_minutes BETWEEN 10 AND 240),
        places_per_slot integer NOT NULL DEFAULT 2 CHECK (places_per_slot BETWEEN 1 AND 100),
        lead_minutes integer NOT NULL DEFAULT 120 CHECK (lead_minutes BETWEEN 0 AND 10080),
        horizon_days integer NOT NULL DEFAULT 60 CHECK (horizon_days BETWEEN 1 AND 366),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE appointment_slot (
        rooftop_id uuid NOT NULL REFERENCES rooftop(id) ON DELETE CASCADE,
        slot_start timestamptz NOT NULL,
        taken integer NOT NULL CHECK (taken >= 0),
        PRIMARY KEY (rooftop_id, slot_start)
      )`);
    await q.query(`
      CREATE TABLE appointment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        rooftop_id uuid NOT NULL REFERENCES rooftop(id),
        customer_id uuid NOT NULL REFERENCES customer(id),
        vehicle_id uuid REFERENCES vehicle(id),
        advisor_id uuid REFERENCES app_user(id),
        slot_start timestamptz NOT NULL,
        slot_end timestamptz NOT NULL,
        state text NOT NULL CHECK (state IN ('booked', 'checked_in', 'completed', 'cancelled', 'no_show')),
        item_codes text[] NOT NULL DEFAULT '{}',
        note text,
        source text NOT NULL CHECK (source IN ('phone', 'walk_in', 'online', 'staff')),
        language text NOT NULL DEFAULT 'en',
        origin_message_id uuid,
        origin_kind text,
        booked_by uuid REFERENCES app_user(id),
        cancel_reason text,
        cancelled_at timestamptz,
        checked_in_at timestamptz,
        service_visit_id uuid REFERENCES service_visit(id),
        no_show_at timestamptz,
        ics_sequence integer NOT NULL DEFAULT 0,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The day list (rooftop, day, state) and the jobs' scans of booked appointments by start.
    await q.query(`CREATE INDEX appointment_rooftop_start_idx ON appointment (rooftop_id, slot_start, id)`);
    await q.query(
      `CREATE INDEX appointment_booked_start_idx ON appointment (slot_start) WHERE state = 'booked'`,
    );
    await q.query(`CREATE INDEX appointment_customer_idx ON appointment (customer_id)`);
    await q.query(
      `CREATE UNIQUE INDEX appointment_visit_idx ON appointment (service_visit_id) WHERE service_visit_id IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE appointment_idempotency (
        actor_id uuid NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        appointment_id uuid,
        response jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (actor_id, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE appointment_idempotency`);
    await q.query(`DROP TABLE appointment`);
    await q.query(`DROP TABLE appointment_slot`);
    await q.query(`DROP TABLE service_calendar`);
  }
}
