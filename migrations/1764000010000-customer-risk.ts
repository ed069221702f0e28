import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The at-risk list, computed by the `customer-risk` job (scoring every customer takes tens of seconds at a
 * million vehicles, too long for a request). The API pages through this table; `customer_risk_run` says as of
 * when it was computed.
 */
export class CustomerRisk1764000010000 implements MigrationInterface {
  name = 'CustomerRisk1764000010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customer_risk (
        customer_id uuid PRIMARY KEY REFERENCES customer (id) ON DELETE CASCADE,
        rooftop_id uuid NOT NULL REFERENCES rooftop (id) ON DELETE CASCADE,
        score int NOT NULL CHECK (score BETWEEN 0 AND 100),
        reasons jsonb NOT NULL
      )`);
    await q.query(
      `CREATE INDEX customer_risk_page_idx ON customer_risk (score DESC, customer_id DESC) INCLUDE (rooftop_id)`,
    );
    await q.query(
      `CREATE INDEX customer_risk_rooftop_page_idx ON customer_risk (rooftop_id, score DESC, customer_id DESC)`,
    );
    await q.query(`
      CREATE TABLE customer_risk_run (
        id int PRIMARY KEY CHECK (id = 1),
        as_of timestamptz NOT NULL,
        finished_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS customer_risk_run`);
    await q.query(`DROP TABLE IF EXISTS customer_risk`);
  }
}
