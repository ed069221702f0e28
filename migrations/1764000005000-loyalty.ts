import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Loyalty program: accounts, an append-only ledger with FIFO lots, allocations (which lots each debit
 * consumed), rewards, redemptions, referrals and stored idempotent answers.
 *
 * "As trustworthy as a bank statement" is enforced by the database itself, not only by the service:
 *  - balance >= 0 (CHECK) on the account and on every entry's running balance;
 *  - every entry carries balance_after = previous balance_after + points (trigger, under the account lock),
 *    and at commit the account balance must equal the latest balance_after (deferred constraint trigger),
 *    so balance = sum(ledger) by induction;
 *  - entries are never deleted or rewritten; only a lot's `remaining` may go down (trigger).
 */
export class Loyalty1764000005000 implements MigrationInterface {
  name = 'Loyalty1764000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE loyalty_account (
        customer_id uuid PRIMARY KEY REFERENCES customer(id),
        balance integer NOT NULL DEFAULT 0 CHECK (balance >= 0),
        lifetime_earned integer NOT NULL DEFAULT 0 CHECK (lifetime_earned >= 0),
        tier text NOT NULL DEFAULT 'bronze' CHECK (tier IN ('bronze','silver','gold','platinum')),
        tier_changed_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE loyalty_entry (
        id bigserial PRIMARY KEY,
        customer_id uuid NOT NULL REFERENCES loyalty_account(customer_id),
        type text NOT NULL CHECK (type IN ('earn','redeem','expire','adjust','reverse')),
        points integer NOT NULL CHECK (points <> 0),
        reason text NOT NULL CHECK (length(btrim(reason)) > 0),
        source text NOT NULL
          CHECK (source IN ('visit','sale','survey','referral','complaint_goodwill','manager','system','redemption')),
        source_id text NOT NULL,
        idempotency_key text NOT NULL,
        rooftop_id uuid REFERENCES rooftop(id),
        actor_id uuid REFERENCES app_user(id),
        -- Business time of the movement (visit closed, lot expired...); recorded_at is when it was written.
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        -- Credits are lots: they expire (24 months) and are consumed oldest first.
        expires_at timestamptz,
        remaining integer,
        reverses_entry_id bigint REFERENCES loyalty_entry(id),
        balance_after integer NOT NULL CHECK (balance_after >= 0),
        CHECK ((type = 'earn' AND points > 0) OR (type IN ('redeem','expire','reverse') AND points < 0) OR type = 'adjust'),
        CHECK ((points > 0) = (remaining IS NOT NULL) AND (points > 0) = (expires_at IS NOT NULL)),
        CHECK (remaining IS NULL OR (remaining >= 0 AND remaining <= points))
      )`);
    await q.query(`CREATE UNIQUE INDEX loyalty_entry_idempotency_uq ON loyalty_entry (idempotency_key)`);
    // The statement (newest first) and the running-balance chain both read this index.
    await q.query(`CREATE INDEX loyalty_entry_customer_idx ON loyalty_entry (customer_id, id DESC)`);
    // Open lots, oldest first: redemption allocation, expiry and "expiring in the next 90 days".
    await q.query(
      `CREATE INDEX loyalty_entry_open_lots_idx ON loyalty_entry (expires_at, customer_id) WHERE remaining > 0`,
    );
    // Trailing-12-month earnings for tiers.
    await q.query(
      `CREATE INDEX loyalty_entry_earn_idx ON loyalty_entry (customer_id, occurred_at) WHERE type = 'earn'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX loyalty_entry_reverses_uq ON loyalty_entry (reverses_entry_id) WHERE reverses_entry_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE loyalty_allocation (
        debit_entry_id bigint NOT NULL REFERENCES loyalty_entry(id),
        lot_entry_id bigint NOT NULL REFERENCES loyalty_entry(id),
        points integer NOT NULL CHECK (points > 0),
        PRIMARY KEY (debit_entry_id, lot_entry_id)
      )`);
    await q.query(`CREATE INDEX loyalty_allocation_lot_idx ON loyalty_allocation (lot_entry_id)`);

    await q.query(`
      CREATE FUNCTION loyalty_entry_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE prev integer;
      BEGIN
        -- Serialise writers of one account even if a caller forgot to lock it.
        PERFORM 1 FROM loyalty_account WHERE customer_id = NEW.customer_id FOR UPDATE;
        SELECT balance_after INTO prev FROM loyalty_entry WHERE customer_id = NEW.customer_id ORDER BY id DESC LIMIT 1;
        IF NEW.balance_after <> COALESCE(prev, 0) + NEW.points THEN
          RAISE EXCEPTION 'loyalty ledger chain broken for %: % + % <> %', NEW.customer_id, COALESCE(prev, 0), NEW.points, NEW.balance_after
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER loyalty_entry_chain BEFORE INSERT ON loyalty_entry FOR EACH ROW EXECUTE FUNCTION loyalty_entry_chain()`,
    );

    await q.query(`
      CREATE FUNCTION loyalty_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'loyalty_entry is append-only' USING ERRCODE = 'check_violation';
        END IF;
        IF (to_jsonb(NEW) - 'remaining') IS DISTINCT FROM (to_jsonb(OLD) - 'remaining') OR NEW.remaining > OLD.remaining THEN
          RAISE EXCEPTION 'loyalty_entry is append-only (only a lot''s remaining may decrease)' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER loyalty_entry_append_only BEFORE UPDATE OR DELETE ON loyalty_entry FOR EACH ROW EXECUTE FUNCTION loyalty_entry_append_only()`,
    );

    await q.query(`
      CREATE FUNCTION loyalty_account_matches_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE last integer; current integer;
      BEGIN
        -- Deferred to commit: NEW is the row as of the queued event, so read the row as it is now.
        SELECT balance INTO current FROM loyalty_account WHERE customer_id = NEW.customer_id;
        SELECT balance_after INTO last FROM loyalty_entry WHERE customer_id = NEW.customer_id ORDER BY id DESC LIMIT 1;
        IF current <> COALESCE(last, 0) THEN
          RAISE EXCEPTION 'loyalty balance % of % does not match its ledger (%)', current, NEW.customer_id, COALESCE(last, 0)
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER loyalty_account_matches_ledger AFTER INSERT OR UPDATE ON loyalty_account
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION loyalty_account_matches_ledger()`);

    await q.query(`
      CREATE TABLE loyalty_reward (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL,
        name text NOT NULL,
        points_cost integer NOT NULL CHECK (points_cost > 0),
        active boolean NOT NULL DEFAULT true,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX loyalty_reward_code_uq ON loyalty_reward (upper(code))`);

    await q.query(`
      CREATE TABLE loyalty_redemption (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES loyalty_account(customer_id),
        reward_id uuid REFERENCES loyalty_reward(id),
        points integer NOT NULL CHECK (points > 0),
        reason text NOT NULL,
        entry_id bigint NOT NULL UNIQUE REFERENCES loyalty_entry(id),
        rooftop_id uuid REFERENCES rooftop(id),
        created_by uuid REFERENCES app_user(id),
        created_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX loyalty_redemption_customer_idx ON loyalty_redemption (customer_id, created_at DESC, id DESC)`,
    );

    await q.query(`
      CREATE TABLE referral (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        referrer_customer_id uuid NOT NULL REFERENCES customer(id),
        referred_customer_id uuid NOT NULL REFERENCES customer(id),
        created_by uuid REFERENCES app_user(id),
        created_at timestamptz NOT NULL,
        rewarded_at timestamptz,
        CHECK (referrer_customer_id <> referred_customer_id)
      )`);
    // A customer is referred by one person at most: one referral bonus per buyer.
    await q.query(`CREATE UNIQUE INDEX referral_referred_uq ON referral (referred_customer_id)`);
    await q.query(`CREATE INDEX referral_referrer_idx ON referral (referrer_customer_id, created_at DESC)`);

    await q.query(`
      CREATE TABLE loyalty_idempotency (
        scope text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        status integer NOT NULL,
        body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS loyalty_idempotency`);
    await q.query(`DROP TABLE IF EXISTS referral`);
    await q.query(`DROP TABLE IF EXISTS loyalty_redemption`);
    await q.query(`DROP TABLE IF EXISTS loyalty_reward`);
    await q.query(`DROP TABLE IF EXISTS loyalty_allocation`);
    await q.query(`DROP TABLE IF EXISTS loyalty_entry`);
    await q.query(`DROP TABLE IF EXISTS loyalty_account`);
    await q.query(`DROP FUNCTION IF EXISTS loyalty_entry_chain()`);
    await q.query(`DROP FUNCTION IF EXISTS loyalty_entry_append_only()`);
    await q.query(`DROP FUNCTION IF EXISTS loyalty_account_matches_ledger()`);
  }
}
