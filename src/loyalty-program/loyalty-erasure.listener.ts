import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEvents } from '../common/domain-events';

/** What a blanked reason reads afterwards: the only change the ledger's append-only trigger lets through. */
export const ERASED_REASON = '[erased]';
/** Ledger sources whose reason is a person's free text (a manager's adjustment, a redemption note); the rest are written by the code. */
const FREE_TEXT_SOURCES = ['manager', 'redemption'];

/**
 * Erasure of a customer, the loyalty side, in the erasure's transaction: the reasons staff wrote on their
 * adjustments and redemptions may name them, so they are blanked in the ledger, the redemptions and the stored
 * idempotent answers. Points, amounts, keys and timestamps stay (the statement still adds up); a replayed
 * answer keeps its status and ids, with the reason blanked.
 */
@Injectable()
export class LoyaltyErasureListener implements OnModuleInit {
  constructor(private readonly events: DomainEvents) {}

  onModuleInit() {
    this.events.on('customer.erased', (m, e) => this.erase(m, e.customerId));
  }

  async erase(m: EntityManager, customerId: string): Promise<void> {
    // loyalty_entry_customer_idx; migration 1764000013000 lets exactly this update through, for an erased customer.
    await m.query(
      `UPDATE loyalty_entry SET reason = $2
        WHERE customer_id = $1 AND source = ANY($3::text[]) AND reason <> $2`,
      [customerId, ERASED_REASON, FREE_TEXT_SOURCES],
    );
    await m.query(`UPDATE loyalty_redemption SET reason = $2 WHERE customer_id = $1 AND reason <> $2`, [
      customerId,
      ERASED_REASON,
    ]);
    // Stored answers of adjustments and redemptions name the customer in their body (loyalty_idempotency_customer_idx).
    await m.query(
      `UPDATE loyalty_idempotency SET body = jsonb_set(body, '{reason}', to_jsonb($2::text))
        WHERE body->>'customerId' = $1 AND jsonb_typeof(body->'reason') = 'string' AND body->>'reason' <> $2`,
      [customerId, ERASED_REASON],
    );
  }
}
