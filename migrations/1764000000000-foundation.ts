import { MigrationInterface, QueryRunner } from 'typeorm';

/** Rooftops, users, API keys, audit log, login throttle, customers, consents, interactions, vehicles, odometer. */
export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    await q.query(`
      CREATE TABLE rooftop (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        time_zone text NOT NULL DEFAULT 'Asia/Phnom_Penh',
        currency char(3) NOT NULL DEFAULT 'USD',
        address text NOT NULL DEFAULT '',
        phone text NOT NULL DEFAULT '',
        sender_email text,
        sender_name text,
        booking_url text,
        send_window_start char(5) NOT NULL DEFAULT '08:00',
        send_window_end char(5) NOT NULL DEFAULT '20:00',
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        active boolean NOT NULL DEFAULT true,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE app_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin','manager','salesperson','service_advisor')),
        language text NOT NULL DEFAULT 'en' CHECK (language IN ('en','km','lo')),
        password_hash text,
        active boolean NOT NULL DEFAULT true,
        last_login_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX app_user_email_uq ON app_user (lower(email))`);

    await q.query(`
      CREATE TABLE user_rooftop (
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        rooftop_id uuid NOT NULL REFERENCES rooftop(id) ON DELETE CASCADE,
        PRIMARY KEY (user_id, rooftop_id)
      )`);
    await q.query(`CREATE INDEX user_rooftop_rooftop_idx ON user_rooftop (rooftop_id)`);

    await q.query(`
      CREATE TABLE api_key (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES app_user(id),
        name text NOT NULL,
        prefix text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        created_by uuid REFERENCES app_user(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);

    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid,
        actor_kind text NOT NULL,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id text,
        rooftop_id uuid,
        fields text[] NOT NULL DEFAULT '{}',
        reason text,
        request_id text
      )`);
    await q.query(`CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, at)`);

    await q.query(`
      CREATE TABLE login_attempt (
        id bigserial PRIMARY KEY,
        key text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX login_attempt_key_at_idx ON login_attempt (key, at)`);

    await q.query(`
      CREATE TABLE customer (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        home_rooftop_id uuid NOT NULL REFERENCES rooftop(id),
        external_id text,
        first_name text NOT NULL,
        last_name text NOT NULL DEFAULT '',
        email text,
        phone text,
        address text,
        birthday date,
        language text NOT NULL DEFAULT 'en' CHECK (language IN ('en','km','lo')),
        assigned_salesperson_id uuid REFERENCES app_user(id),
        email_bouncing boolean NOT NULL DEFAULT false,
        erased_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX customer_external_id_uq ON customer (external_id) WHERE external_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX customer_rooftop_created_idx ON customer (home_rooftop_id, created_at, id)`);
    await q.query(`CREATE INDEX customer_created_idx ON customer (created_at, id)`);
    // Search (name, email, phone): trigram GIN indexes keep ILIKE '%term%' fast at a million rows.
    await q.query(
      `CREATE INDEX customer_name_trgm_idx ON customer USING gin ((lower(first_name || ' ' || last_name)) gin_trgm_ops)`,
    );
    await q.query(`CREATE INDEX customer_email_trgm_idx ON customer USING gin (lower(email) gin_trgm_ops)`);
    await q.query(`CREATE INDEX customer_phone_trgm_idx ON customer USING gin (phone gin_trgm_ops)`);
    await q.query(`CREATE INDEX customer_salesperson_idx ON customer (assigned_salesperson_id)`);

    await q.query(`
      CREATE TABLE consent (
        id bigserial PRIMARY KEY,
        customer_id uuid NOT NULL REFERENCES customer(id),
        purpose text NOT NULL CHECK (purpose IN ('service_reminders','follow_ups','surveys','marketing')),
        channel text NOT NULL DEFAULT 'email' CHECK (channel IN ('email')),
        granted boolean NOT NULL,
        at timestamptz NOT NULL,
        source text NOT NULL,
        wording text,
        recorded_by uuid REFERENCES app_user(id)
      )`);
    // Current state per purpose = the latest row; this index answers it directly.
    await q.query(
      `CREATE INDEX consent_current_idx ON consent (customer_id, purpose, channel, at DESC, id DESC)`,
    );

    await q.query(`
      CREATE TABLE interaction (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customer(id),
        rooftop_id uuid NOT NULL REFERENCES rooftop(id),
        kind text NOT NULL,
        direction text,
        summary text NOT NULL,
        occurred_at timestamptz NOT NULL,
        created_by uuid REFERENCES app_user(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX interaction_customer_idx ON interaction (customer_id, occurred_at DESC, id)`);

    await q.query(`
      CREATE TABLE vehicle (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        rooftop_id uuid NOT NULL REFERENCES rooftop(id),
        vin text NOT NULL CHECK (vin ~ '^[A-HJ-NPR-Z0-9]{17}$'),
        make text NOT NULL,
        model text NOT NULL,
        year smallint NOT NULL,
        powertrain text NOT NULL CHECK (powertrain IN ('ice','hybrid','ev')),
        owner_id uuid REFERENCES customer(id),
        purchase_date date,
        purchase_type text CHECK (purchase_type IN ('new','used','lease','finance','cash')),
        purchase_odometer integer NOT NULL DEFAULT 0,
        sold_by_id uuid REFERENCES app_user(id),
        selling_rooftop_id uuid REFERENCES rooftop(id),
        term_end_date date,
        warranty_end_date date,
        warranty_end_distance integer,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','sold_away','scrapped')),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX vehicle_vin_uq ON vehicle (vin)`);
    await q.query(`CREATE INDEX vehicle_vin_trgm_idx ON vehicle USING gin (vin gin_trgm_ops)`);
    await q.query(`CREATE INDEX vehicle_owner_idx ON vehicle (owner_id)`);
    await q.query(`CREATE INDEX vehicle_rooftop_created_idx ON vehicle (rooftop_id, created_at, id)`);

    await q.query(`
      CREATE TABLE vehicle_ownership (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vehicle_id uuid NOT NULL REFERENCES vehicle(id),
        customer_id uuid NOT NULL REFERENCES customer(id),
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        reason text,
        recorded_by uuid REFERENCES app_user(id)
      )`);
    await q.query(`CREATE INDEX vehicle_ownership_vehicle_idx ON vehicle_ownership (vehicle_id, started_at)`);
    await q.query(`CREATE INDEX vehicle_ownership_customer_idx ON vehicle_ownership (customer_id)`);
    await q.query(
      `CREATE UNIQUE INDEX vehicle_ownership_current_uq ON vehicle_ownership (vehicle_id) WHERE ended_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE odometer_reading (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        vehicle_id uuid NOT NULL REFERENCES vehicle(id),
        value integer NOT NULL CHECK (value >= 0),
        read_at timestamptz NOT NULL,
        source text NOT NULL CHECK (source IN ('service_visit','sale','customer','import','staff')),
        is_correction boolean NOT NULL DEFAULT false,
        note text,
        recorded_by uuid REFERENCES app_user(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX odometer_reading_vehicle_idx ON odometer_reading (vehicle_id, read_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'odometer_reading',
      'vehicle_ownership',
      'vehicle',
      'interaction',
      'consent',
      'customer',
      'login_attempt',
      'audit_log',
      'api_key',
      'user_rooftop',
      'app_user',
      'rooftop',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
