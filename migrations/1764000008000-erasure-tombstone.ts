import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erased customers' DMS numbers, kept only as SHA-256 hashes, so that re-importing an old DMS export does not
 * bring back a person who asked to be erased.
 */
export class ErasureTombstone1764000008000 implements MigrationInterface {
  name = 'ErasureTombstone1764000008000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE erased_external_id (external_id_hash text PRIMARY KEY, erased_at timestamptz NOT NULL)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS erased_external_id`);
  }
}
