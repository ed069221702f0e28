import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { Keyset, Page, PageQueryDto, limitOf } from '../common/http/pagination';
import { EntryRow, LoyaltyLedger } from './loyalty-ledger';
import { nextTier, thresholdOf, Tier, windowStart } from './loyalty-rules';
import { EXPIRING_SOON_DAYS, TIER_THRESHOLDS, TIER_WINDOW_MONTHS } from './loyalty-settings';

export interface EntryView {
  id: string;
  type: string;
  points: number;
  balanceAfter: number;
  reason: string;
  source: string;
  sourceId: string;
  occurredAt: string;
  recordedAt: string;
  expiresAt: string | null;
  remaining: number | null;
  reversesEntryId: string | null;
}

export interface LoyaltySummary {
  customerId: string;
  balance: number;
  tier: Tier;
  lifetimeEarned: number;
  earnedTrailing12Months: number;
  nextTier: Tier | null;
  pointsToNextTier: number | null;
  expiringSoon: { withinDays: number; points: number; lots: { expiresAt: string; points: number }[] };
  asOf: string;
}

export function toEntryView(e: EntryRow): EntryView {
  return {
    id: String(e.id),
    type: e.type,
    points: e.points,
    balanceAfter: e.balanceAfter,
    reason: e.reason,
    source: e.source,
    sourceId: e.sourceId,
    occurredAt: new Date(e.occurredAt).toISOString(),
    recordedAt: new Date(e.recordedAt).toISOString(),
    expiresAt: e.expiresAt ? new Date(e.expiresAt).toISOString() : null,
    remaining: e.remaining,
    reversesEntryId: e.reversesEntryId,
  };
}

/** The statement, newest entry first (the order the running balance was computed in): loyalty_entry_customer_idx. */
const LEDGER_KEYS = new Keyset([{ sql: 'loyalty_entry.id', type: 'bigint' }], 'DESC');
/** Newest first: loyalty_redemption_customer_idx (customer_id, created_at DESC, id DESC). */
const REDEMPTION_KEYS = new Keyset(
  [
    { sql: 'r.created_at', type: 'timestamptz' },
    { sql: 'r.id', type: 'uuid' },
  ],
  'DESC',
);

/** Account reads: the summary the 360 shows, the statement and the redemptions, paged. Reads only. */
@Injectable()
export class LoyaltyAccountReads {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  /** The account as the customer 360 shows it. Reads only; a customer without an account is a Bronze zero. */
  async summary(customerId: string, asOf: Date = this.clock.now()): Promise<LoyaltySummary> {
    // One round trip: the account, the trailing earnings (as trailingEarned), the points already past their expiry
    // that the nightly job has not written yet (never spendable: left out of the balance) and the lots expiring soon.
    const horizon = new Date(asOf.getTime() + EXPIRING_SOON_DAYS * 86_400_000);
    const [row]: {
      account: { balance: number; tier: Tier; lifetimeEarned: number } | null;
      earned: number;
      expired: number;
      lots: { expiresAt: string; points: number }[];
    }[] = await this.db.query(
      `SELECT (SELECT json_build_object('balance', balance, 'tier', tier, 'lifetimeEarned', lifetime_earned)
                 FROM loyalty_account WHERE customer_id = $1) AS account,
              (SELECT COALESCE(SUM(e.points), 0)::int FROM loyalty_entry e
                WHERE e.customer_id = $1 AND e.type = 'earn' AND e.occurred_at > $2 AND e.occurred_at <= $3
                  AND NOT EXISTS (SELECT 1 FROM loyalty_entry r WHERE r.reverses_entry_id = e.id)) AS earned,
              (SELECT COALESCE(SUM(remaining), 0)::int FROM loyalty_entry
                WHERE customer_id = $1 AND remaining > 0 AND expires_at <= $3) AS expired,
              (SELECT COALESCE(json_agg(json_build_object('expiresAt', l.expires_at, 'points', l.points) ORDER BY l.expires_at), '[]'::json)
                 FROM (SELECT expires_at, SUM(remaining)::int AS points
                         FROM loyalty_entry WHERE customer_id = $1 AND remaining > 0 AND expires_at > $3 AND expires_at <= $4
                        GROUP BY expires_at) l) AS lots`,
      [customerId, windowStart(asOf, TIER_WINDOW_MONTHS), asOf, horizon],
    );
    const { account, earned, expired, lots } = row;
    const tier: Tier = account?.tier ?? 'bronze';
    const next = nextTier(tier);
    return {
      customerId,
      balance: (account?.balance ?? 0) - expired,
      tier,
      lifetimeEarned: account?.lifetimeEarned ?? 0,
      earnedTrailing12Months: earned,
      nextTier: next,
      pointsToNextTier: next ? Math.max(0, thresholdOf(next, TIER_THRESHOLDS) - earned) : null,
      expiringSoon: {
        withinDays: EXPIRING_SOON_DAYS,
        points: lots.reduce((s, l) => s + l.points, 0),
        lots: lots.map((l) => ({ expiresAt: new Date(l.expiresAt).toISOString(), points: l.points })),
      },
      asOf: asOf.toISOString(),
    };
  }

  /** The statement, newest first (by entry id, i.e. the order the running balance was computed in). */
  async ledgerPage(customerId: string, query: PageQueryDto): Promise<Page<EntryView>> {
    const limit = limitOf(query);
    const cursor = LEDGER_KEYS.decode(query.cursor);
    const params: unknown[] = [customerId];
    const bind = (value: string) => `$${params.push(value)}`;
    const rows: EntryRow[] = await this.db.query(
      `SELECT ${LoyaltyLedger.columns}, ${LEDGER_KEYS.select} FROM loyalty_entry
        WHERE customer_id = $1${cursor ? ` AND ${LEDGER_KEYS.after(cursor, bind)}` : ''}
        ORDER BY ${LEDGER_KEYS.orderBy} LIMIT ${limit + 1}`,
      params,
    );
    const page = LEDGER_KEYS.page(rows, limit);
    return { items: page.items.map(toEntryView), nextCursor: page.nextCursor };
  }

  async redemptionsPage(customerId: string, query: PageQueryDto): Promise<Page<unknown>> {
    const limit = limitOf(query);
    const cursor = REDEMPTION_KEYS.decode(query.cursor);
    const params: unknown[] = [customerId];
    const bind = (value: string) => `$${params.push(value)}`;
    const rows: { createdAt: Date; id: string }[] = await this.db.query(
      `SELECT r.id, r.customer_id AS "customerId", r.reward_id AS "rewardId", r.points, r.reason, r.entry_id::text AS "entryId",
              r.created_at AS "createdAt", r.created_by AS "createdBy", ${REDEMPTION_KEYS.select}
         FROM loyalty_redemption r
        WHERE r.customer_id = $1${cursor ? ` AND ${REDEMPTION_KEYS.after(cursor, bind)}` : ''}
        ORDER BY ${REDEMPTION_KEYS.orderBy} LIMIT ${limit + 1}`,
      params,
    );
    return REDEMPTION_KEYS.page(rows, limit);
  }
}
