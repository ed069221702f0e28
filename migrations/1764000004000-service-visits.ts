import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Service visits (repair orders) with performed and declined lines, the maintenance performed on closing
 * (contract C1), and the Idempotency-Key store for visit creation. No FK to maintenance_item: the catalogue
 * is validated by the service, and a retired item must not break history.
 */
export class ServiceVisits1764000004000 implements MigrationInterface {
  name = 'ServiceVisits1764000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE service_visit (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        rooftop_id uuid NOT NULL REFERENCES rooftop(id),
        vehicle_id uuid NOT NULL REFERENCES vehicle(id),
        customer_id uuid REFERENCES customer(id),
        advisor_id uuid REFERENCES app_user(id),
        ro_number text NOT NULL,
        visit_date timestamptz NOT NULL,
        odometer integer NOT NULL CHECK (odometer >= 0),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed','voided')),
        customer_pay_amount numeric(12,2) NOT NULL DEFAULT 0,
        warranty_amount numeric(12,2) NOT NULL DEFAULT 0,
        internal_amount numeric(12,2) NOT NULL DEFAULT 0,
        closed_at timestamptz,
        voided_at timestamptz,
        void_reason text,
        created_by uuid REFERENCES app_user(id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A voided RO (e.g. logged on the wrong vehicle) frees its number so it can be logged again.
    await q.query(
      `CREATE UNIQUE INDEX service_visit_ro_uq ON service_visit (rooftop_id, ro_number) WHERE status <> 'voided'`,
    );
    await q.query(`CREATE INDEX service_visit_vehicle_idx ON service_visit (vehicle_id, visit_date DESC)`);
    await q.query(`CREATE INDEX service_visit_customer_idx ON service_visit (customer_id, visit_date DESC)`);
    await q.query(
      `CREATE INDEX service_visit_rooftop_date_idx ON service_visit (rooftop_id, visit_date DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX service_visit_date_idx ON service_visit (visit_date DESC, id DESC)`);
    await q.query(`CREATE INDEX service_visit_advisor_idx ON service_visit (advisor_id)`);

    await q.query(`
      CREATE TABLE service_visit_line (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        service_visit_id uuid NOT NULL REFERENCES service_visit(id) ON DELETE CASCADE,
        position integer NOT NULL,
        kind text NOT NULL CHECK (kind IN ('performed','declined')),
        item_code text,
        description text NOT NULL,
        labour_amount numeric(12,2) CHECK (labour_amount >= 0),
        parts_amount numeric(12,2) CHECK (parts_amount >= 0),
        pay_type text CHECK (pay_type IN ('customer','warranty','internal')),
        estimate_amount numeric(12,2) CHECK (estimate_amount >= 0),
        CHECK (kind <> 'performed' OR (labour_amount IS NOT NULL AND parts_amount IS NOT NULL AND pay_type IS NOT NULL)),
        CHECK (kind <> 'declined' OR estimate_amount IS NOT NULL)
      )`);
    await q.query(
      `CREATE INDEX service_visit_line_visit_idx ON service_visit_line (service_visit_id, position)`,
    );
    await q.query(
      `CREATE INDEX service_visit_line_declined_idx ON service_visit_line (item_code) WHERE kind = 'declined'`,
    );

    await q.query(`
      CREATE TABLE maintenance_performed (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vehicle_id uuid NOT NULL REFERENCES vehicle(id),
        item_code text NOT NULL,
        performed_at timestamptz NOT NULL,
        odometer integer NOT NULL,
        service_visit_id uuid REFERENCES service_visit(id)
      )`);
    // "When was this item last done on this vehicle" — the due projection's main lookup.
    await q.query(
      `CREATE INDEX maintenance_performed_vehicle_item_idx ON maintenance_performed (vehicle_id, item_code, performed_at DESC)`,
    );
    await q.query(`CREATE INDEX maintenance_performed_visit_idx ON maintenance_performed (service_visit_id)`);

    // Idempotency-Key replays: the same caller and key return the stored response; another body is refused.
    await q.query(`
      CREATE TABLE service_visit_idempotency (
        actor_id uuid NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        response jsonb,
        service_visit_id uuid REFERENCES service_visit(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (actor_id, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'service_visit_idempotency',
      'maintenance_performed',
      'service_visit_line',
      'service_visit',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
