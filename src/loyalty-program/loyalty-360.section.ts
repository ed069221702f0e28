import { Injectable, OnModuleInit } from '@nestjs/common';
import { Customer360Service, isoSql } from '../customers/customer-360.service';
import { nextTier, thresholdOf, TIERS } from './loyalty-rules';
import { EXPIRING_SOON_DAYS, TIER_THRESHOLDS, TIER_WINDOW_MONTHS } from './loyalty-settings';

/**
 * The loyalty summary (LoyaltyAccountReads.summary: balance, tier, points to the next tier, expiring soon) as a
 * SQL section of the 360's one statement: `c` is the customer, `p.as_of` the instant. A customer without an
 * account is a Bronze zero. The trailing window is asOf − 12 calendar months in UTC (as `windowStart`). The
 * balance leaves out points already past their expiry that the nightly job has not written yet (`x`).
 */
const next = (tier: string) => nextTier(tier as (typeof TIERS)[number]);
const NEXT_TIER_SQL = `CASE a.tier ${TIERS.map((t) => `WHEN '${t}' THEN ${next(t) ? `'${next(t)}'` : 'NULL'}`).join(' ')} END`;
const NEXT_THRESHOLD_SQL = `CASE a.tier ${TIERS.map((t) => {
  const n = next(t);
  return `WHEN '${t}' THEN ${n ? thresholdOf(n, TIER_THRESHOLDS) : 'NULL'}`;
}).join(' ')} END`;

export const LOYALTY_360_SQL = `(
  SELECT json_build_object('customerId', c.id, 'balance', a.balance - x.points, 'tier', a.tier, 'lifetimeEarned', a.lifetime_earned,
           'earnedTrailing12Months', e.earned, 'nextTier', ${NEXT_TIER_SQL},
           'pointsToNextTier', CASE WHEN ${NEXT_TIER_SQL} IS NOT NULL THEN greatest(0, ${NEXT_THRESHOLD_SQL} - e.earned) END,
           'expiringSoon', json_build_object('withinDays', ${EXPIRING_SOON_DAYS}, 'points', l.points, 'lots', l.lots),
           'asOf', ${isoSql('p.as_of')})
    FROM (SELECT coalesce(max(x.balance), 0) AS balance, coalesce(max(x.tier), 'bronze') AS tier,
                 coalesce(max(x.lifetime_earned), 0) AS lifetime_earned
            FROM loyalty_account x WHERE x.customer_id = c.id) a,
         (SELECT coalesce(sum(en.points), 0)::int AS earned FROM loyalty_entry en
           WHERE en.customer_id = c.id AND en.type = 'earn'
             AND en.occurred_at > ((p.as_of AT TIME ZONE 'UTC') - interval '${TIER_WINDOW_MONTHS} months') AT TIME ZONE 'UTC'
             AND en.occurred_at <= p.as_of
             AND NOT EXISTS (SELECT 1 FROM loyalty_entry r WHERE r.reverses_entry_id = en.id)) e,
         (SELECT coalesce(sum(remaining), 0)::int AS points FROM loyalty_entry
           WHERE customer_id = c.id AND remaining > 0 AND expires_at <= p.as_of) x,
         (SELECT coalesce(sum(g.points), 0)::int AS points,
                 coalesce(json_agg(json_build_object('expiresAt', ${isoSql('g.expires_at')}, 'points', g.points)
                                   ORDER BY g.expires_at), '[]'::json) AS lots
            FROM (SELECT expires_at, sum(remaining)::int AS points FROM loyalty_entry
                   WHERE customer_id = c.id AND remaining > 0
                     AND expires_at > p.as_of AND expires_at <= p.as_of + interval '${EXPIRING_SOON_DAYS * 24} hours'
                   GROUP BY expires_at) g) l)`;

/** Adds the loyalty summary (balance, tier, points to the next tier, expiring soon) to the customer 360. */
@Injectable()
export class Loyalty360Section implements OnModuleInit {
  constructor(private readonly c360: Customer360Service) {}

  onModuleInit() {
    this.c360.registerSection('loyalty', { sql: LOYALTY_360_SQL });
  }
}
