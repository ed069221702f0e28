import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser, UncheckedUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { PageQueryDto, Page } from '../common/http/pagination';
import { ValidationFailedError } from '../common/problem/domain-error';
import { CreateAdjustmentDto, CreateRedemptionDto } from './dto/loyalty.dto';
import { EntryView, LoyaltyAccountReads, LoyaltySummary } from './loyalty-account-reads';
import { LoyaltyAdjustments } from './loyalty-adjustments';
import { findLoyaltyCustomer } from './loyalty-customer';
import { IdempotentAnswer } from './loyalty-idempotency';
import { EntryRow, LockedAccount, LoyaltyLedger } from './loyalty-ledger';
import { LoyaltyRedemptions } from './loyalty-redemptions';
import { availablePoints, EntrySource, Tier } from './loyalty-rules';
import { LoyaltyTiers } from './loyalty-tiers';

export { toEntryView } from './loyalty-account-reads';
export type { EntryView, LoyaltySummary } from './loyalty-account-reads';
export type { IdempotentAnswer } from './loyalty-idempotency';

/** Sources that are earnings (count towards tiers); anything else credited is an adjustment. */
const EARNING_SOURCES: EntrySource[] = ['visit', 'sale', 'survey', 'referral'];

export interface CreditInput {
  customerId: string;
  points: number;
  source: EntrySource;
  reason: string;
  idempotencyKey: string;
  /** Who did it (the ledger keeps the id); null for the system. */
  actor: Pick<AuthUser, 'id'> | null;
  /** What caused it (visit id, survey id, complaint id…); defaults to the idempotency key. */
  sourceId?: string;
  /** Business time of the credit; defaults to now. */
  occurredAt?: Date;
  rooftopId?: string | null;
}

/**
 * The loyalty module's API: credits (earnings, goodwill) and reversals here; redemptions, adjustments, tiers and
 * account reads in their own classes (loyalty-redemptions.ts, loyalty-adjustments.ts, loyalty-tiers.ts,
 * loyalty-account-reads.ts), reached through this one service. Every change locks the account row first.
 */
@Injectable()
export class LoyaltyService {
  private readonly logger = new Logger('Loyalty');

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LoyaltyLedger,
    private readonly tiers: LoyaltyTiers,
    private readonly reads: LoyaltyAccountReads,
    private readonly redemptions: LoyaltyRedemptions,
    private readonly adjustments: LoyaltyAdjustments,
  ) {}

  /** The customer, if the actor may see it (another rooftop's customer answers 404). */
  visibleCustomer(
    customerId: string,
    actor: AuthUser | null,
    manager: EntityManager = this.db.manager,
  ): Promise<{ id: string; homeRooftopId: string }> {
    return findLoyaltyCustomer(manager, customerId, actor);
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
      await this.tiers.recomputeTier(manager, account, this.later(occurredAt), customer.homeRooftopId);
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
    await this.tiers.recomputeTier(manager, account, asOf, customer.homeRooftopId);
    return entry;
  }

  /** POST /customers/{id}/loyalty/redemptions: by reward or by points, idempotent on the client's key. */
  redeem(
    customerId: string,
    body: CreateRedemptionDto,
    idempotencyKey: string,
    actor: AuthUser | UncheckedUser,
  ): Promise<IdempotentAnswer<unknown>> {
    return this.redemptions.redeem(customerId, body, idempotencyKey, actor);
  }

  /** POST /customers/{id}/loyalty/adjustments (manager/admin): audited, never below zero. */
  adjust(
    customerId: string,
    body: CreateAdjustmentDto,
    idempotencyKey: string | undefined,
    actor: AuthUser,
  ): Promise<IdempotentAnswer<unknown>> {
    return this.adjustments.adjust(customerId, body, idempotencyKey, actor);
  }

  summary(customerId: string, asOf?: Date): Promise<LoyaltySummary> {
    return this.reads.summary(customerId, asOf);
  }

  ledgerPage(customerId: string, query: PageQueryDto): Promise<Page<EntryView>> {
    return this.reads.ledgerPage(customerId, query);
  }

  redemptionsPage(customerId: string, query: PageQueryDto): Promise<Page<unknown>> {
    return this.reads.redemptionsPage(customerId, query);
  }

  trailingEarned(manager: EntityManager, customerId: string, asOf: Date): Promise<number> {
    return this.tiers.trailingEarned(manager, customerId, asOf);
  }

  recomputeTier(
    manager: EntityManager,
    account: LockedAccount,
    asOf: Date,
    rooftopId: string,
  ): Promise<{ from: Tier; to: Tier } | null> {
    return this.tiers.recomputeTier(manager, account, asOf, rooftopId);
  }

  /** Business time for an event: its own instant, or now if the clock is later. */
  private later(at: Date): Date {
    const now = this.clock.now();
    return now.getTime() > at.getTime() ? now : at;
  }
}
