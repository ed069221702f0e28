import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { Keyset, Page, PageQueryDto, limitOf } from '../common/http/pagination';
import { NotFoundError, UnprocessableError, ValidationFailedError } from '../common/problem/domain-error';
import { OutboxService } from '../messaging/outbox.service';
import { CreateAdjustmentDto, CreateRedemptionDto } from './dto/loyalty.dto';
import { requestHash } from '../common/http/idempotency-key';
import { EntryMeta, EntryRow, LockedAccount, LoyaltyLedger } from './loyalty-ledger';
import {
  allocateOldestFirst,
  availablePoints,
  EntrySource,
  InsufficientPointsError,
  isTierUp,
  Lot,
  nextTier,
  thresholdOf,
  Tier,
  tierFor,
  windowStart,
} from './loyalty-rules';
import { EXPIRING_SOON_DAYS, TIER_LABELS, TIER_THRESHOLDS, TIER_WINDOW_MONTHS } from './loyalty-settings';

/** Sources that are earnings (count towards tiers); anything else credited is an adjustment. */
const EARNING_SOURCES: EntrySource[] = ['visit', 'sale', 'survey', 'referral'];

export interface CreditInput {
  customerId: string;
  points: number;
  source: EntrySource;
  reason: string;
  idempotencyKey: string;
  actor: AuthUser | null;
  /** What caused it (visit id, survey id, complaint id…); defaults to the idempotency key. */
  sourceId?: string;
  /** Business time of the credit; defaults to now. */
  occurredAt?: Date;
  rooftopId?: string | null;
}

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

export interface IdempotentAnswer<T> {
  status: number;
  body: T;
  replayed: boolean;
}

class IdempotencyRace extends Error {}

/**
 * What the work of an idempotent write answers. `alongside` is one more write that goes in the same statement as
 * the stored answer (as a CTE named `name`, its own parameters numbered from $1), to save a round trip.
 */
interface WorkAnswer<T> {
  status: number;
  body: T;
  alongside?: { name: string; sql: string; params: unknown[] };
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

/**
 * The loyalty program's rules over the ledger: credits (earnings, goodwill), redemptions, manager
 * adjustments, reversals, tiers and the account summary. Every change locks the account row first.
 */
@Injectable()
export class LoyaltyService {
  private readonly logger = new Logger('Loyalty');

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LoyaltyLedger,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  /** The customer, if the actor may see it (another rooftop's customer answers 404). */
  async visibleCustomer(
    customerId: string,
    actor: AuthUser | null,
    manager: EntityManager = this.db.manager,
  ): Promise<{ id: string; homeRooftopId: string }> {
    const [row] = await manager.query(
      `SELECT id, home_rooftop_id AS "homeRooftopId" FROM customer WHERE id = $1`,
      [customerId],
    );
    if (!row) throw new NotFoundError('Customer');
    actor?.assertRooftop(row.homeRooftopId, 'Customer');
    return row;
  }

  /**
   * Contract C4: credits points in the caller's transaction (complaint goodwill, earnings). Idempotent:
   * a second call with the same key returns the first entry and writes nothing.
   */
  async credit(manager: EntityManager, input: CreditInput): Promise<EntryRow> {
    if (!Number.isInteger(input.points) || input.points <= 0)
      throw new ValidationFailedError([
        { field: 'points', message: 'points must be a positive whole number' },
      ]);
    if (!input.reason?.trim())
      throw new ValidationFailedError([{ field: 'reason', message: 'reason is required' }]);
    const customer = await this.visibleCustomer(input.customerId, null, manager);
    const account = await this.ledger.lock(manager, input.customerId);
    const existing = await this.ledger.findByKey(manager, input.idempotencyKey);
    if (existing) return existing;
    const occurredAt = input.occurredAt ?? this.clock.now();
    const type = EARNING_SOURCES.includes(input.source) ? 'earn' : 'adjust';
    const entry = await this.ledger.credit(manager, account, type, input.points, {
      reason: input.reason.trim(),
      source: input.source,
      sourceId: input.sourceId ?? input.idempotencyKey,
      idempotencyKey: input.idempotencyKey,
      occurredAt,
      rooftopId: input.rooftopId ?? customer.homeRooftopId,
      actorId: input.actor?.id ?? null,
    });
    if (type === 'earn')
      await this.recomputeTier(manager, account, this.later(occurredAt), customer.homeRooftopId);
    return entry;
  }

  /**
   * Takes back the points of a credit (a voided visit). Idempotent (`reverse:<entry>`). Points of that
   * lot which already expired are not taken twice; the reversal takes the lot's own remaining points
   * first, then the oldest others, and never more than the balance (the reason says so).
   */
  async reverse(
    manager: EntityManager,
    entryId: string,
    meta: { reason: string; occurredAt: Date; actor?: AuthUser | null },
  ): Promise<EntryRow | null> {
    const original = await this.ledger.findEntry(manager, entryId);
    if (!original || original.points <= 0) return null;
    const account = await this.ledger.lock(manager, original.customerId);
    const key = `reverse:${original.id}`;
    if (await this.ledger.findByKey(manager, key)) return null;
    const asOf = this.later(meta.occurredAt);
    await this.ledger.expireDue(manager, account, asOf);
    const [{ expired }] = await manager.query(
      `SELECT COALESCE(SUM(a.points), 0)::int AS expired
         FROM loyalty_allocation a JOIN loyalty_entry d ON d.id = a.debit_entry_id
        WHERE a.lot_entry_id = $1 AND d.type = 'expire'`,
      [original.id],
    );
    const wanted = original.points - expired;
    const lots = await this.ledger.openLots(manager, original.customerId);
    const amount = Math.min(wanted, availablePoints(lots, asOf));
    if (amount <= 0) {
      this.logger.warn({
        msg: 'nothing left to reverse',
        entryId: original.id,
        customerId: original.customerId,
      });
      return null;
    }
    const allocations = await this.ledger.allocate(manager, original.customerId, amount, asOf, original.id);
    if (original.type === 'earn') account.lifetimeEarned -= original.points;
    const note =
      amount < original.points
        ? ` (${amount} of ${original.points} points reversed; the rest had expired or been spent)`
        : '';
    const entry = await this.ledger.debit(
      manager,
      account,
      'reverse',
      allocations,
      {
        reason: `${meta.reason}${note}`,
        source: original.source,
        sourceId: original.sourceId,
        idempotencyKey: key,
        occurredAt: meta.occurredAt,
        rooftopId: original.rooftopId,
        actorId: meta.actor?.id ?? null,
      },
      original.id,
    );
    const customer = await this.visibleCustomer(original.customerId, null, manager);
    await this.recomputeTier(manager, account, asOf, customer.homeRooftopId);
    return entry;
  }

  /** POST /customers/{id}/loyalty/redemptions: by reward or by points, idempotent on the client's key. */
  async redeem(
    customerId: string,
    body: CreateRedemptionDto,
    idempotencyKey: string,
    actor: AuthUser,
  ): Promise<IdempotentAnswer<unknown>> {
    if (body.rewardId !== undefined && body.points !== undefined) {
      throw new ValidationFailedError([
        { field: 'rewardId', message: 'give either rewardId or points, not both' },
        { field: 'points', message: 'give either rewardId or points, not both' },
      ]);
    }
    // The customer and the reward in one read (the reward is checked under the lock, after the idempotency check,
    // so a replay answers as before even if the reward was retired since).
    const [customer]: {
      homeRooftopId: string;
      reward: { code: string; name: string; pointsCost: number; active: boolean } | null;
    }[] = await this.db.query(
      `SELECT c.home_rooftop_id AS "homeRooftopId",
              CASE WHEN r.id IS NULL THEN NULL
                   ELSE json_build_object('code', r.code, 'name', r.name, 'pointsCost', r.points_cost, 'active', r.active)
              END AS reward
         FROM customer c LEFT JOIN loyalty_reward r ON r.id = $2
        WHERE c.id = $1`,
      [customerId, body.rewardId ?? null],
    );
    if (!customer) throw new NotFoundError('Customer');
    actor.assertRooftop(customer.homeRooftopId, 'Customer');
    const hash = requestHash({
      customerId,
      rewardId: body.rewardId ?? null,
      points: body.points ?? null,
      reason: body.reason ?? null,
    });
    // Keys are the caller's own (as for service visits): two rooftops' staff may happen to send the same one.
    const scope = `redemption:${actor.id}`;
    return this.idempotent(scope, idempotencyKey, hash, customerId, async (manager, account, lots) => {
      let points = body.points!;
      let reason = body.reason!;
      if (body.rewardId !== undefined) {
        const reward = customer.reward;
        if (!reward)
          throw new UnprocessableError('unknown_reward', 'No reward has this id', [
            { field: 'rewardId', message: 'unknown reward' },
          ]);
        if (!reward.active)
          throw new UnprocessableError('reward_inactive', 'This reward is no longer offered', [
            { field: 'rewardId', message: 'reward is inactive' },
          ]);
        points = reward.pointsCost;
        reason = `Reward ${reward.code}: ${reward.name}${body.reason ? ` — ${body.reason}` : ''}`;
      }
      const now = this.clock.now();
      const redemptionId = randomUUID();
      const entry = await this.debitOrRefuse(
        manager,
        account,
        lots,
        'redeem',
        points,
        now,
        body.rewardId !== undefined ? 'rewardId' : 'points',
        {
          reason,
          source: 'redemption',
          sourceId: redemptionId,
          idempotencyKey: `redemption:${redemptionId}`,
          occurredAt: now,
          rooftopId: customer.homeRooftopId,
          actorId: actor.id,
        },
      );
      return {
        status: 201,
        body: {
          id: redemptionId,
          customerId,
          rewardId: body.rewardId ?? null,
          points,
          reason,
          entryId: entry.id,
          balance: account.balance,
          createdAt: now.toISOString(),
          createdBy: actor.id,
        },
        // The redemption row goes in with the stored answer: one statement (see `idempotent`).
        alongside: {
          name: 'redemption',
          sql: `INSERT INTO loyalty_redemption (id, customer_id, reward_id, points, reason, entry_id, rooftop_id, created_by, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          params: [
            redemptionId,
            customerId,
            body.rewardId ?? null,
            points,
            reason,
            entry.id,
            customer.homeRooftopId,
            actor.id,
            now,
          ],
        },
      };
    });
  }

  /** POST /customers/{id}/loyalty/adjustments (manager/admin): audited, never below zero. */
  async adjust(
    customerId: string,
    body: CreateAdjustmentDto,
    idempotencyKey: string | undefined,
    actor: AuthUser,
  ): Promise<IdempotentAnswer<unknown>> {
    const customer = await this.visibleCustomer(customerId, actor);
    const hash = requestHash({ customerId, points: body.points, reason: body.reason });
    const key = idempotencyKey ?? `server:${randomUUID()}`;
    // Keys are the caller's own (as for redemptions): two rooftops' managers may happen to send the same one.
    const scope = `adjustment:${actor.id}`;
    return this.idempotent(scope, key, hash, customerId, async (manager, account, lots) => {
      const now = this.clock.now();
      const adjustmentId = randomUUID();
      const meta: EntryMeta = {
        reason: body.reason,
        source: 'manager',
        sourceId: actor.id,
        idempotencyKey: `adjust:${adjustmentId}`,
        occurredAt: now,
        rooftopId: customer.homeRooftopId,
        actorId: actor.id,
      };
      const entry =
        body.points > 0
          ? await this.ledger.credit(manager, account, 'adjust', body.points, meta)
          : await this.debitOrRefuse(manager, account, lots, 'adjust', -body.points, now, 'points', meta);
      await this.audit.record(manager, actor, {
        action: 'loyalty.adjusted',
        entityType: 'customer',
        entityId: customerId,
        rooftopId: customer.homeRooftopId,
        fields: ['loyalty.balance'],
        reason: body.reason,
      });
      return { status: 201, body: { ...toEntryView(entry), customerId, balance: account.balance } };
    });
  }

  /** The account as the customer 360 shows it. Reads only; a customer without an account is a Bronze zero. */
  async summary(customerId: string, asOf: Date = this.clock.now()): Promise<LoyaltySummary> {
    // One round trip: the account, the trailing earnings (as trailingEarned) and the lots expiring soon.
    const horizon = new Date(asOf.getTime() + EXPIRING_SOON_DAYS * 86_400_000);
    const [row]: {
      account: { balance: number; tier: Tier; lifetimeEarned: number } | null;
      earned: number;
      lots: { expiresAt: string; points: number }[];
    }[] = await this.db.query(
      `SELECT (SELECT json_build_object('balance', balance, 'tier', tier, 'lifetimeEarned', lifetime_earned)
                 FROM loyalty_account WHERE customer_id = $1) AS account,
              (SELECT COALESCE(SUM(e.points), 0)::int FROM loyalty_entry e
                WHERE e.customer_id = $1 AND e.type = 'earn' AND e.occurred_at > $2 AND e.occurred_at <= $3
                  AND NOT EXISTS (SELECT 1 FROM loyalty_entry r WHERE r.reverses_entry_id = e.id)) AS earned,
              (SELECT COALESCE(json_agg(json_build_object('expiresAt', l.expires_at, 'points', l.points) ORDER BY l.expires_at), '[]'::json)
                 FROM (SELECT expires_at, SUM(remaining)::int AS points
                         FROM loyalty_entry WHERE customer_id = $1 AND remaining > 0 AND expires_at <= $4
                        GROUP BY expires_at) l) AS lots`,
      [customerId, windowStart(asOf, TIER_WINDOW_MONTHS), asOf, horizon],
    );
    const { account, earned, lots } = row;
    const tier: Tier = account?.tier ?? 'bronze';
    const next = nextTier(tier);
    return {
      customerId,
      balance: account?.balance ?? 0,
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

  /**
   * Lazily writes due expiries first (so expired points are never spent), then takes `points` oldest
   * first — or refuses with 422 and the current balance. `lots` are the open lots read under the lock.
   */
  private async debitOrRefuse(
    manager: EntityManager,
    account: LockedAccount,
    lots: Lot[],
    type: 'redeem' | 'adjust',
    points: number,
    asOf: Date,
    field: string,
    meta: EntryMeta,
  ): Promise<EntryRow> {
    // The lots read with the lock serve both: the expiry consumes only lots expired at asOf (no statement when
    // none has), which the allocation skips.
    await this.ledger.expireDue(manager, account, asOf, lots);
    try {
      const allocations = allocateOldestFirst(lots, points, asOf);
      return await this.ledger.debit(manager, account, type, allocations, meta);
    } catch (e) {
      if (e instanceof InsufficientPointsError) {
        throw new UnprocessableError(
          'insufficient_points',
          `The balance is ${account.balance} points; ${points} are needed`,
          [{ field, message: 'more points than the balance' }],
          { balance: account.balance, required: points },
        );
      }
      throw e;
    }
  }

  /**
   * Runs a write once per (scope, key): with the account locked, a stored answer for the key is replayed
   * (same request) or refused (422, different request). Only successful answers are stored, so a refused
   * request (e.g. insufficient points) can be retried with the same key once it can succeed.
   */
  private async idempotent<T>(
    scope: string,
    key: string,
    hash: string,
    customerId: string,
    work: (manager: EntityManager, account: LockedAccount, lots: Lot[]) => Promise<WorkAnswer<T>>,
  ): Promise<IdempotentAnswer<T>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction(async (manager) => {
          // One statement: the account lock, the stored answer and the open lots the work needs.
          const { account, stored, lots } = await this.ledger.lockForWrite(manager, customerId, {
            scope,
            key,
          });
          if (stored) {
            if (stored.hash !== hash) {
              throw new UnprocessableError(
                'idempotency_key_reused',
                'This Idempotency-Key was already used for a different request',
                [{ field: 'Idempotency-Key', message: 'already used with a different body' }],
              );
            }
            return { status: stored.status, body: stored.body as T, replayed: true };
          }
          const answer = await work(manager, account, lots);
          const body = JSON.parse(JSON.stringify(answer.body)) as T;
          // One statement: the stored answer, and the work's last write if it has one (a CTE, so both or neither).
          const params = answer.alongside?.params ?? [];
          const n = params.length;
          const [inserted] = await manager.query(
            `${answer.alongside ? `WITH ${answer.alongside.name} AS (${answer.alongside.sql})\n` : ''}` +
              `INSERT INTO loyalty_idempotency (scope, key, request_hash, status, body)
               VALUES ($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5})
               ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
            [...params, scope, key, hash, answer.status, JSON.stringify(body)],
          );
          // Another account's request with the same key committed first: undo ours, then replay or refuse.
          if (!inserted) throw new IdempotencyRace();
          return { status: answer.status, body, replayed: false };
        });
      } catch (e) {
        if (e instanceof IdempotencyRace && attempt < 2) continue;
        throw e;
      }
    }
  }

  /** Business time for an event: its own instant, or now if the clock is later. */
  private later(at: Date): Date {
    const now = this.clock.now();
    return now.getTime() > at.getTime() ? now : at;
  }
}
