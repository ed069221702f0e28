import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OutboxService } from '../messaging/outbox.service';
import { LockedAccount } from './loyalty-ledger';
import { isTierUp, nextTier, thresholdOf, Tier, tierFor, windowStart } from './loyalty-rules';
import { TIER_LABELS, TIER_THRESHOLDS, TIER_WINDOW_MONTHS } from './loyalty-settings';

/** Tiers: the trailing-12-month earnings, the tier they give, and the tier-up notice. */
@Injectable()
export class LoyaltyTiers {
  private readonly logger = new Logger('Loyalty');

  constructor(private readonly outbox: OutboxService) {}

  /** Earn entries in the trailing window ending at asOf, not counting reversed ones. */
  async trailingEarned(manager: EntityManager, customerId: string, asOf: Date): Promise<number> {
    const [{ earned }] = await manager.query(
      `SELECT COALESCE(SUM(e.points), 0)::int AS earned FROM loyalty_entry e
        WHERE e.customer_id = $1 AND e.type = 'earn' AND e.occurred_at > $2 AND e.occurred_at <= $3
          AND NOT EXISTS (SELECT 1 FROM loyalty_entry r WHERE r.reverses_entry_id = e.id)`,
      [customerId, windowStart(asOf, TIER_WINDOW_MONTHS), asOf],
    );
    return earned;
  }

  /**
   * Sets the tier from the trailing-12-month earnings (the account must be locked). A tier-up writes a
   * transactional email (an account notice about the member's own status, not a promotion), once per
   * customer, tier and month.
   */
  async recomputeTier(
    manager: EntityManager,
    account: LockedAccount,
    asOf: Date,
    rooftopId: string,
  ): Promise<{ from: Tier; to: Tier } | null> {
    const earned = await this.trailingEarned(manager, account.customerId, asOf);
    const tier = tierFor(earned, TIER_THRESHOLDS);
    if (tier === account.tier) return null;
    const from = account.tier;
    await manager.query(
      `UPDATE loyalty_account SET tier = $2, tier_changed_at = $3, version = version + 1, updated_at = now() WHERE customer_id = $1`,
      [account.customerId, tier, asOf],
    );
    account.tier = tier;
    account.version += 1;
    if (isTierUp(from, tier)) {
      const next = nextTier(tier);
      await this.outbox.enqueue(manager, {
        dedupeKey: `tier:${account.customerId}:${tier}:${asOf.toISOString().slice(0, 7)}`,
        rooftopId,
        customerId: account.customerId,
        kind: 'loyalty_tier_up',
        purpose: 'transactional',
        payload: {
          tier,
          tierName: TIER_LABELS[tier],
          nextTierName: next ? TIER_LABELS[next] : null,
          previousTier: from,
          earnedTrailing12Months: earned,
          balance: account.balance,
          nextTier: next,
          pointsToNextTier: next ? thresholdOf(next, TIER_THRESHOLDS) - earned : null,
        },
        scheduledAt: asOf,
      });
    }
    this.logger.log({ msg: 'loyalty tier changed', customerId: account.customerId, from, to: tier });
    return { from, to: tier };
  }
}
