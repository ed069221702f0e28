import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Maintenance catalogue (SPEC "Maintenance item" defaults), per make/model overrides, and the ledger of
 * reminder stages that makes "each stage of each item of each cycle is sent at most once, ever" a
 * unique constraint.
 */
export class MaintenanceCatalogue1764000003000 implements MigrationInterface {
  name = 'MaintenanceCatalogue1764000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE maintenance_item (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,40}$'),
        name text NOT NULL,
        interval_km integer CHECK (interval_km > 0),
        interval_mi integer CHECK (interval_mi > 0),
        interval_months integer CHECK (interval_months > 0),
        applies_to text[] NOT NULL DEFAULT '{ice,hybrid,ev}'
          CHECK (applies_to <@ ARRAY['ice','hybrid','ev']::text[] AND cardinality(applies_to) > 0),
        active boolean NOT NULL DEFAULT true,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO maintenance_item (code, name, interval_km, interval_mi, interval_months, applies_to) VALUES
        ('OIL_CHANGE',         'Oil and filter change', 10000,  6000,  6, '{ice,hybrid}'),
        ('TIRE_ROTATION',      'Tire rotation',         10000,  6000,  6, '{ice,hybrid,ev}'),
        ('BRAKE_INSPECTION',   'Brake inspection',      20000, 12000, 12, '{ice,hybrid,ev}'),
        ('CABIN_AIR_FILTER',   'Cabin air filter',      20000, 12000, 12, '{ice,hybrid,ev}'),
        ('ENGINE_AIR_FILTER',  'Engine air filter',     40000, 24000, 24, '{ice,hybrid}'),
        ('BRAKE_FLUID',        'Brake fluid',            NULL,  NULL, 24, '{ice,hybrid,ev}'),
        ('TRANSMISSION_FLUID', 'Transmission fluid',    60000, 36000, 48, '{ice,hybrid}'),
        ('COOLANT',            'Coolant',              100000, 60000, 60, '{ice,hybrid}'),
        ('SPARK_PLUGS',        'Spark plugs',          100000, 60000, NULL, '{ice}'),
        ('EV_BATTERY_CHECK',   'EV battery check',      20000, 12000, 12, '{ev}')`);

    await q.query(`
      CREATE TABLE maintenance_item_override (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        item_code text NOT NULL REFERENCES maintenance_item(code) ON UPDATE CASCADE,
        make text NOT NULL,
        model text,
        interval_km integer CHECK (interval_km > 0),
        interval_mi integer CHECK (interval_mi > 0),
        interval_months integer CHECK (interval_months > 0),
        active boolean NOT NULL DEFAULT true,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One override per item × make × model (model NULL = the whole make); makes/models match case-insensitively.
    await q.query(
      `CREATE UNIQUE INDEX maintenance_item_override_uq ON maintenance_item_override (item_code, lower(make), lower(coalesce(model, '')))`,
    );

    await q.query(`
      CREATE TABLE service_reminder_stage (
        id bigserial PRIMARY KEY,
        vehicle_id uuid NOT NULL REFERENCES vehicle(id),
        item_code text NOT NULL,
        cycle_key text NOT NULL,
        stage text NOT NULL CHECK (stage IN ('due_soon','due','overdue')),
        status text NOT NULL CHECK (status IN ('planned','skipped')),
        customer_id uuid REFERENCES customer(id),
        due_date date,
        as_of timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // "Each stage of each item of each cycle is sent at most once, ever": the planner inserts with ON CONFLICT DO NOTHING.
    await q.query(
      `CREATE UNIQUE INDEX service_reminder_stage_uq ON service_reminder_stage (vehicle_id, item_code, cycle_key, stage)`,
    );
    await q.query(`CREATE INDEX service_reminder_stage_customer_idx ON service_reminder_stage (customer_id)`);
    // The planner's scan of pending reminders and the cancellation listeners look up service_reminder messages.
    await q.query(
      `CREATE INDEX outbox_message_svc_pending_idx ON outbox_message (customer_id) WHERE kind = 'service_reminder' AND status = 'pending'`,
    );
    // Planner scan: active vehicles with an owner.
    await q.query(
      `CREATE INDEX vehicle_active_owned_idx ON vehicle (id) INCLUDE (owner_id) WHERE status = 'active' AND owner_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS vehicle_active_owned_idx`);
    await q.query(`DROP INDEX IF EXISTS outbox_message_svc_pending_idx`);
    await q.query(`DROP TABLE IF EXISTS service_reminder_stage`);
    await q.query(`DROP TABLE IF EXISTS maintenance_item_override`);
    await q.query(`DROP TABLE IF EXISTS maintenance_item`);
  }
}
