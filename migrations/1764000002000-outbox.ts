import { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox: every email is first a row here, written in the same transaction as its cause. */
export class Outbox1764000002000 implements MigrationInterface {
  name = 'Outbox1764000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_message (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dedupe_key text NOT NULL,
        rooftop_id uuid NOT NULL REFERENCES rooftop(id),
        customer_id uuid NOT NULL REFERENCES customer(id),
        vehicle_id uuid REFERENCES vehicle(id),
        kind text NOT NULL,
        purpose text NOT NULL CHECK (purpose IN ('service_reminders','follow_ups','surveys','marketing','transactional')),
        payload jsonb NOT NULL DEFAULT '{}'::jsonb,
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending','sending','sent','failed','suppressed','cancelled')),
        scheduled_at timestamptz NOT NULL,
        next_attempt_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        fence bigint NOT NULL DEFAULT 0,
        lease_owner text,
        lease_until timestamptz,
        to_address text,
        language text,
        subject text,
        html_body text,
        text_body text,
        message_id text,
        last_error text,
        status_reason text,
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Re-running a planner (or two planners at once) inserts nothing new: ON CONFLICT (dedupe_key) DO NOTHING.
    await q.query(`CREATE UNIQUE INDEX outbox_message_dedupe_uq ON outbox_message (dedupe_key)`);
    // The dispatcher's claim query: due pending rows, oldest first.
    await q.query(
      `CREATE INDEX outbox_message_due_idx ON outbox_message (next_attempt_at) WHERE status = 'pending'`,
    );
    // Expired leases of crashed workers.
    await q.query(
      `CREATE INDEX outbox_message_lease_idx ON outbox_message (lease_until) WHERE status = 'sending'`,
    );
    await q.query(
      `CREATE INDEX outbox_message_customer_idx ON outbox_message (customer_id, created_at DESC)`,
    );
    await q.query(
      `CREATE INDEX outbox_message_vehicle_idx ON outbox_message (vehicle_id, sent_at) WHERE vehicle_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX outbox_message_rooftop_idx ON outbox_message (rooftop_id, created_at DESC, id)`,
    );

    await q.query(`
      CREATE TABLE message_attempt (
        id bigserial PRIMARY KEY,
        message_id uuid NOT NULL REFERENCES outbox_message(id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        fence bigint NOT NULL,
        worker text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        outcome text,
        smtp_code integer,
        error text
      )`);
    await q.query(`CREATE INDEX message_attempt_message_idx ON message_attempt (message_id, attempt)`);

    await q.query(`
      CREATE TABLE job_run (
        id bigserial PRIMARY KEY,
        job text NOT NULL,
        as_of timestamptz NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        result jsonb
      )`);
    await q.query(`CREATE INDEX job_run_job_idx ON job_run (job, started_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS job_run`);
    await q.query(`DROP TABLE IF EXISTS message_attempt`);
    await q.query(`DROP TABLE IF EXISTS outbox_message`);
  }
}
