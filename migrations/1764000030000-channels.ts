import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Three channels (SPEC "Channels: email, SMS, Telegram"): contact points and a preferred channel on the
 * customer, consent per purpose × channel, a channel order per rooftop, the channel of each outbox attempt
 * with the channels that failed permanently (fallback), provider references for delivery receipts, incoming
 * replies, processed Telegram updates (once across instances) and short links for SMS.
 */
export class Channels1764000030000 implements MigrationInterface {
  name = 'Channels1764000030000';

  async up(q: QueryRunner): Promise<void> {
    // customers: contact points. A permanent failure marks the point (as email_bouncing does for email).
    await q.query(`
      ALTER TABLE customer
        ADD COLUMN preferred_channel text CHECK (preferred_channel IN ('email','sms','telegram')),
        ADD COLUMN telegram_chat_id bigint,
        ADD COLUMN telegram_linked_at timestamptz,
        ADD COLUMN telegram_blocked_at timestamptz,
        ADD COLUMN phone_undeliverable_at timestamptz`);
    await q.query(
      `CREATE UNIQUE INDEX customer_telegram_chat_uq ON customer (telegram_chat_id) WHERE telegram_chat_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX customer_phone_idx ON customer (phone) WHERE phone IS NOT NULL`);
    await q.query(`ALTER TABLE consent DROP CONSTRAINT IF EXISTS consent_channel_check`);
    await q.query(
      `ALTER TABLE consent ADD CONSTRAINT consent_channel_check CHECK (channel IN ('email','sms','telegram'))`,
    );

    // rooftops: the order channels are tried in.
    await q.query(
      `ALTER TABLE rooftop ADD COLUMN channel_order text[] NOT NULL DEFAULT '{telegram,sms,email}'`,
    );

    // messaging: the channel of the current (or last) attempt, and the channels already failed permanently.
    await q.query(`
      ALTER TABLE outbox_message
        ADD COLUMN channel text CHECK (channel IN ('email','sms','telegram')),
        ADD COLUMN failed_channels text[] NOT NULL DEFAULT '{}',
        ADD COLUMN fallback_channels text[] NOT NULL DEFAULT '{}',
        ADD COLUMN delivery_status text CHECK (delivery_status IN ('delivered','undeliverable')),
        ADD COLUMN delivered_at timestamptz`);
    await q.query(`UPDATE outbox_message SET channel = 'email' WHERE status IN ('sent','failed')`);
    await q.query(`ALTER TABLE message_attempt ADD COLUMN channel text`);
    await q.query(`UPDATE message_attempt SET channel = 'email'`);
    await q.query(
      `CREATE INDEX outbox_message_channel_idx ON outbox_message (rooftop_id, channel, created_at DESC)`,
    );

    // The channel's own ids of what it accepted (SMPP message_id per part, Telegram message_id): receipts find
    // their message here.
    await q.query(`
      CREATE TABLE message_provider_ref (
        channel text NOT NULL,
        ref text NOT NULL,
        message_id uuid NOT NULL REFERENCES outbox_message(id) ON DELETE CASCADE,
        fence bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel, ref)
      )`);
    await q.query(`CREATE INDEX message_provider_ref_message_idx ON message_provider_ref (message_id)`);

    // Replies: an incoming SMS or Telegram message; matched to a customer, or kept for staff to match.
    await q.query(`
      CREATE TABLE inbound_message (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        channel text NOT NULL CHECK (channel IN ('email','sms','telegram')),
        provider_ref text NOT NULL,
        sender text NOT NULL,
        text text NOT NULL,
        received_at timestamptz NOT NULL,
        customer_id uuid REFERENCES customer(id),
        rooftop_id uuid REFERENCES rooftop(id),
        interaction_id uuid,
        task_id uuid,
        matched_at timestamptz,
        matched_by uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX inbound_message_ref_uq ON inbound_message (channel, provider_ref)`);
    await q.query(
      `CREATE INDEX inbound_message_unmatched_idx ON inbound_message (received_at DESC, id) WHERE customer_id IS NULL`,
    );
    await q.query(
      `CREATE INDEX inbound_message_customer_idx ON inbound_message (customer_id, received_at DESC)`,
    );

    // Telegram updates handled, by update_id: an update is acted on once even if two instances receive it.
    await q.query(`
      CREATE TABLE telegram_update (
        update_id bigint PRIMARY KEY,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);

    // Short links for SMS (a signed link does not fit two parts): /l/{code} redirects to the target.
    await q.query(`
      CREATE TABLE short_link (
        code text PRIMARY KEY,
        target text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX short_link_target_uq ON short_link (md5(target))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS short_link`);
    await q.query(`DROP TABLE IF EXISTS telegram_update`);
    await q.query(`DROP TABLE IF EXISTS inbound_message`);
    await q.query(`DROP TABLE IF EXISTS message_provider_ref`);
    await q.query(`DROP INDEX IF EXISTS outbox_message_channel_idx`);
    await q.query(`ALTER TABLE message_attempt DROP COLUMN channel`);
    await q.query(`
      ALTER TABLE outbox_message DROP COLUMN channel, DROP COLUMN failed_channels,
        DROP COLUMN fallback_channels, DROP COLUMN delivery_status, DROP COLUMN delivered_at`);
    await q.query(`ALTER TABLE rooftop DROP COLUMN channel_order`);
    await q.query(`DELETE FROM consent WHERE channel <> 'email'`);
    await q.query(`ALTER TABLE consent DROP CONSTRAINT IF EXISTS consent_channel_check`);
    await q.query(`ALTER TABLE consent ADD CONSTRAINT consent_channel_check CHECK (channel IN ('email'))`);
    await q.query(`DROP INDEX IF EXISTS customer_phone_idx`);
    await q.query(`DROP INDEX IF EXISTS customer_telegram_chat_uq`);
    await q.query(`
      ALTER TABLE customer DROP COLUMN preferred_channel, DROP COLUMN telegram_chat_id,
        DROP COLUMN telegram_linked_at, DROP COLUMN telegram_blocked_at, DROP COLUMN phone_undeliverable_at`);
  }
}
