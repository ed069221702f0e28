import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Channel figures (analytics' outreach.queries.ts) count the attempts finished in a period on each channel (sent,
 * failed): a range scan served by this index.
 */
export class ChannelAnalytics1764000035000 implements MigrationInterface {
  name = 'ChannelAnalytics1764000035000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX message_attempt_finished_idx ON message_attempt (finished_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX message_attempt_finished_idx`);
  }
}
