import { MigrationInterface, QueryRunner } from 'typeorm';

/** Follow-up tasks, survey invitations and answers, complaint cases and their notes (contract C5). */
export class FollowUpsFeedback1764000006000 implements MigrationInterface {
  name = 'FollowUpsFeedback1764000006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE survey (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('sale','service')),
        rooftop_id uuid NOT NULL REFERENCES rooftop(id),
        customer_id uuid NOT NULL REFERENCES customer(id),
        vehicle_id uuid REFERENCES vehicle(id),
        service_visit_id uuid,
        salesperson_id uuid REFERENCES app_user(id),
        advisor_id uuid REFERENCES app_user(id),
        dedupe_key text NOT NULL,
        language text NOT NULL DEFAULT 'en' CHECK (language IN ('en','km','lo')),
        issued_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        answered_at timestamptz,
        nps smallint CHECK (nps BETWEEN 0 AND 10),
        csat smallint CHECK (csat BETWEEN 1 AND 5),
        comment text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One invitation per cadence trigger, ever (the planner inserts with ON CONFLICT DO NOTHING).
    await q.query(`CREATE UNIQUE INDEX survey_dedupe_uq ON survey (dedupe_key)`);
    await q.query(`CREATE INDEX survey_rooftop_answered_idx ON survey (rooftop_id, answered_at DESC, id)`);
    await q.query(`CREATE INDEX survey_rooftop_issued_idx ON survey (rooftop_id, issued_at)`);
    await q.query(`CREATE INDEX survey_customer_idx ON survey (customer_id, issued_at DESC)`);
    await q.query(
      `CREATE INDEX survey_visit_idx ON survey (service_visit_id) WHERE service_visit_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE complaint_case (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        rooftop_id uuid NOT NULL REFERENCES rooftop(id),
        customer_id uuid NOT NULL REFERENCES customer(id),
        survey_id uuid REFERENCES survey(id),
        source text NOT NULL CHECK (source IN ('survey','call','email','visit','social')),
        severity text NOT NULL CHECK (severity IN ('low','medium','high')),
        summary text NOT NULL,
        owner_id uuid REFERENCES app_user(id),
        state text NOT NULL DEFAULT 'open' CHECK (state IN ('open','acknowledged','resolved','closed')),
        opened_at timestamptz NOT NULL,
        first_response_due_at timestamptz NOT NULL,
        resolution_due_at timestamptz NOT NULL,
        acknowledged_at timestamptz,
        resolved_at timestamptz,
        closed_at timestamptz,
        resolution text,
        apology_sent boolean NOT NULL DEFAULT false,
        goodwill_points integer NOT NULL DEFAULT 0 CHECK (goodwill_points >= 0),
        breached_first_response boolean NOT NULL DEFAULT false,
        breached_resolution boolean NOT NULL DEFAULT false,
        created_by uuid REFERENCES app_user(id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX complaint_case_survey_uq ON complaint_case (survey_id) WHERE survey_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX complaint_case_rooftop_idx ON complaint_case (rooftop_id, opened_at DESC, id)`,
    );
    await q.query(`CREATE INDEX complaint_case_customer_idx ON complaint_case (customer_id, state)`);
    // The SLA job scans only cases that are still running against a deadline.
    await q.query(
      `CREATE INDEX complaint_case_sla_idx ON complaint_case (state, first_response_due_at, resolution_due_at) WHERE state IN ('open','acknowledged')`,
    );

    await q.query(`
      CREATE TABLE complaint_note (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES complaint_case(id) ON DELETE CASCADE,
        author_id uuid REFERENCES app_user(id),
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX complaint_note_case_idx ON complaint_note (case_id, created_at, id)`);

    await q.query(`
      CREATE TABLE task (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        rooftop_id uuid NOT NULL REFERENCES rooftop(id),
        customer_id uuid NOT NULL REFERENCES customer(id),
        vehicle_id uuid REFERENCES vehicle(id),
        complaint_id uuid REFERENCES complaint_case(id),
        type text NOT NULL CHECK (type IN ('call_after_sale','lease_end','win_back','complaint_breach','manual')),
        title text NOT NULL,
        assignee_id uuid NOT NULL REFERENCES app_user(id),
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','done')),
        outcome text,
        snoozed_until timestamptz,
        dedupe_key text,
        created_by uuid REFERENCES app_user(id),
        completed_by uuid REFERENCES app_user(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Cadence tasks carry a key so a re-run (or a second instance) never raises the same task twice.
    await q.query(`CREATE UNIQUE INDEX task_dedupe_uq ON task (dedupe_key)`);
    await q.query(`CREATE INDEX task_assignee_idx ON task (assignee_id, status, due_at, id)`);
    await q.query(`CREATE INDEX task_rooftop_idx ON task (rooftop_id, status, due_at, id)`);
    await q.query(`CREATE INDEX task_customer_idx ON task (customer_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS task`);
    await q.query(`DROP TABLE IF EXISTS complaint_note`);
    await q.query(`DROP TABLE IF EXISTS complaint_case`);
    await q.query(`DROP TABLE IF EXISTS survey`);
  }
}
