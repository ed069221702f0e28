import { MigrationInterface, QueryRunner } from 'typeorm';

/** Dispatcher bookkeeping on top of the outbox: retry window, in-flight marker for the frequency cap. */
export class MessagingExtras1764000002500 implements MigrationInterface {
  name = 'MessagingExtras1764000002500';

  async up(q: QueryRunner): Promise<void> {
    // Start of the 48 h retry window (SPEC: 4xx retried for 48 h); reset when staff retry a failed message.
    await q.query(`ALTER TABLE outbox_message ADD COLUMN first_attempt_at timestamptz`);
    // The fence whose attempt passed the sending rules and is about to hit SMTP. A row in 'sending' with
    // approved_fence = fence counts against the customer's 72 h cap, so two workers cannot both send.
    await q.query(`ALTER TABLE outbox_message ADD COLUMN approved_fence bigint`);
    // Frequency cap: "the last capped email sent to this customer".
    await q.query(
      `CREATE INDEX outbox_message_customer_sent_idx ON outbox_message (customer_id, sent_at DESC) WHERE status = 'sent'`,
    );
    // Messages API list, newest first across rooftops (admin) and the status filter.
    await q.query(`CREATE INDEX outbox_message_created_idx ON outbox_message (created_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX outbox_message_status_idx ON outbox_message (status, created_at DESC, id DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS outbox_message_status_idx`);
    await q.query(`DROP INDEX IF EXISTS outbox_message_created_idx`);
    await q.query(`DROP INDEX IF EXISTS outbox_message_customer_sent_idx`);
    await q.query(`ALTER TABLE outbox_message DROP COLUMN IF EXISTS approved_fence`);
    await q.query(`ALTER TABLE outbox_message DROP COLUMN IF EXISTS first_attempt_at`);
  }
}
