import { MigrationInterface, QueryRunner } from 'typeorm';

/** Progress and error report of CSV imports (customers from a DMS export), visible while a large file uploads. */
export class CustomerImport1764000001000 implements MigrationInterface {
  name = 'CustomerImport1764000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_job (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL DEFAULT 'customers' CHECK (kind IN ('customers')),
        rooftop_id uuid NOT NULL REFERENCES rooftop(id),
        created_by uuid REFERENCES app_user(id),
        source text NOT NULL CHECK (source IN ('api','cli')),
        file_name text,
        status text NOT NULL DEFAULT 'running' CHECK (status IN ('running','completed','failed')),
        rows_processed integer NOT NULL DEFAULT 0,
        created integer NOT NULL DEFAULT 0,
        updated integer NOT NULL DEFAULT 0,
        unchanged integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        errors jsonb NOT NULL DEFAULT '[]'::jsonb,
        errors_truncated boolean NOT NULL DEFAULT false,
        failure text,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX import_job_rooftop_idx ON import_job (rooftop_id, started_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS import_job`);
  }
}
