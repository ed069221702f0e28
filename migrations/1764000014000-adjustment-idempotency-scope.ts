import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Adjustment Idempotency-Keys are scoped to the caller, as redemptions' are (scope `adjustment:<user id>`): two
 * rooftops' managers who happen to send the same key get two adjustments, not a 422. Stored answers of the old
 * shared scope move to their caller's scope (an adjustment's entry names its manager in `sourceId`), so a retry
 * across the upgrade still replays.
 */
export class AdjustmentIdempotencyScope1764000014000 implements MigrationInterface {
  name = 'AdjustmentIdempotencyScope1764000014000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE loyalty_idempotency SET scope = 'adjustment:' || (body->>'sourceId')
        WHERE scope = 'adjustment' AND body->>'source' = 'manager' AND body ? 'sourceId'`,
    );
  }

  /** Back to one shared scope: where two callers used the same key, the older answer is kept. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM loyalty_idempotency i
        WHERE i.scope LIKE 'adjustment:%'
          AND EXISTS (SELECT 1 FROM loyalty_idempotency o
                       WHERE o.scope LIKE 'adjustment:%' AND o.key = i.key
                         AND (o.created_at, o.scope) < (i.created_at, i.scope))`,
    );
    await q.query(`UPDATE loyalty_idempotency SET scope = 'adjustment' WHERE scope LIKE 'adjustment:%'`);
  }
}
