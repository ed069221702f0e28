import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Redemption Idempotency-Keys are scoped to the caller, as service visits' are (scope `redemption:<user id>`):
 * two rooftops' staff who happen to send the same key get two redemptions, not a 422. Stored answers of the
 * old shared scope move to their caller's scope (the answer names its caller in `createdBy`), so a retry
 * across the upgrade still replays.
 */
export class RedemptionIdempotencyScope1764000012000 implements MigrationInterface {
  name = 'RedemptionIdempotencyScope1764000012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE loyalty_idempotency SET scope = 'redemption:' || (body->>'createdBy')
        WHERE scope = 'redemption' AND body ? 'createdBy'`,
    );
  }

  /** Back to one shared scope: where two callers used the same key, the older answer is kept. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM loyalty_idempotency i
        WHERE i.scope LIKE 'redemption:%'
          AND EXISTS (SELECT 1 FROM loyalty_idempotency o
                       WHERE o.scope LIKE 'redemption:%' AND o.key = i.key
                         AND (o.created_at, o.scope) < (i.created_at, i.scope))`,
    );
    await q.query(`UPDATE loyalty_idempotency SET scope = 'redemption' WHERE scope LIKE 'redemption:%'`);
  }
}
