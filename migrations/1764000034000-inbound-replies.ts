import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replies (SPEC "Channels", Replies): an incoming text is a reply or a STOP (it withdrew SMS consent and raises
 * no task); a reply raises a task of the new type `reply`. Staff list replies by rooftop, newest first.
 */
export class InboundReplies1764000034000 implements MigrationInterface {
  name = 'InboundReplies1764000034000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE inbound_message ADD COLUMN kind text NOT NULL DEFAULT 'reply' CHECK (kind IN ('reply','stop'))`,
    );
    await q.query(
      `CREATE INDEX inbound_message_rooftop_idx ON inbound_message (rooftop_id, received_at DESC, id DESC)`,
    );
    await q.query(`ALTER TABLE task DROP CONSTRAINT IF EXISTS task_type_check`);
    await q.query(
      `ALTER TABLE task ADD CONSTRAINT task_type_check
         CHECK (type IN ('call_after_sale','lease_end','win_back','complaint_breach','manual','reply'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM task WHERE type = 'reply'`);
    await q.query(`ALTER TABLE task DROP CONSTRAINT IF EXISTS task_type_check`);
    await q.query(
      `ALTER TABLE task ADD CONSTRAINT task_type_check
         CHECK (type IN ('call_after_sale','lease_end','win_back','complaint_breach','manual'))`,
    );
    await q.query(`DROP INDEX IF EXISTS inbound_message_rooftop_idx`);
    await q.query(`ALTER TABLE inbound_message DROP COLUMN kind`);
  }
}
