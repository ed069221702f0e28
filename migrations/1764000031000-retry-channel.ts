import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Staff retry a failed message on the same, the next or a named channel (POST /messages/{id}/retry): the
 * channel asked for is tried first by the next attempt's channel choice.
 */
export class RetryChannel1764000031000 implements MigrationInterface {
  name = 'RetryChannel1764000031000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbox_message
        ADD COLUMN requested_channel text CHECK (requested_channel IN ('email','sms','telegram'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_message DROP COLUMN requested_channel`);
  }
}
