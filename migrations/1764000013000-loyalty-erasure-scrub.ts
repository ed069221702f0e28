import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erasure may blank the free text of an erased customer's ledger entries (a manager's adjustment reason, a
 * redemption note), and nothing else: the append-only trigger lets `reason` change only to the erasure marker
 * `[erased]`, only for a customer already erased, with every other column as it was (a lot's `remaining` may
 * still only go down). Amounts, types, keys, timestamps and running balances stay unchangeable; deletes stay
 * refused. The marker (not NULL or '') keeps the column's NOT NULL and non-blank CHECK for every insert.
 *
 * Stored idempotent answers name their customer only inside `body`; an index on it lets the erasure find them.
 */
export class LoyaltyErasureScrub1764000013000 implements MigrationInterface {
  name = 'LoyaltyErasureScrub1764000013000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION loyalty_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'loyalty_entry is append-only' USING ERRCODE = 'check_violation';
        END IF;
        IF (to_jsonb(NEW) - 'remaining' - 'reason') IS DISTINCT FROM (to_jsonb(OLD) - 'remaining' - 'reason')
           OR NEW.remaining > OLD.remaining THEN
          RAISE EXCEPTION 'loyalty_entry is append-only (only a lot''s remaining may decrease)' USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.reason IS DISTINCT FROM OLD.reason AND (
             NEW.reason IS DISTINCT FROM '[erased]'
             OR NOT EXISTS (SELECT 1 FROM customer WHERE id = NEW.customer_id AND erased_at IS NOT NULL)) THEN
          RAISE EXCEPTION 'loyalty_entry is append-only (a reason may only be blanked by the erasure of its customer)'
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE INDEX loyalty_idempotency_customer_idx ON loyalty_idempotency ((body->>'customerId'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS loyalty_idempotency_customer_idx`);
    await q.query(`
      CREATE OR REPLACE FUNCTION loyalty_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'loyalty_entry is append-only' USING ERRCODE = 'check_violation';
        END IF;
        IF (to_jsonb(NEW) - 'remaining') IS DISTINCT FROM (to_jsonb(OLD) - 'remaining') OR NEW.remaining > OLD.remaining THEN
          RAISE EXCEPTION 'loyalty_entry is append-only (only a lot''s remaining may decrease)' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
  }
}
