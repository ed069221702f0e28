import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { DomainEventMap, DomainEvents } from '../common/domain-events';
import { EarningRules, earningRulesFor } from './loyalty-settings';
import { LoyaltyService } from './loyalty.service';
import { OnTimeServiceCheck } from './on-time-service.check';
import { onTimeBonus, pointsForAmount } from './loyalty-rules';

/**
 * The loyalty module's listeners: earns points from what happens elsewhere and credits complaint goodwill,
 * inside the emitter's transaction. Every credit has a deterministic idempotency key (`visit:<id>:earn`…),
 * so a repeated event earns nothing more.
 */
@Injectable()
export class LoyaltyEarningListener implements OnModuleInit {
  private readonly logger = new Logger('LoyaltyEarning');

  constructor(
    private readonly events: DomainEvents,
    private readonly loyalty: LoyaltyService,
    private readonly onTime: OnTimeServiceCheck,
    private readonly clock: Clock,
  ) {}

  onModuleInit() {
    this.events.on('service_visit.closed', (m, e) => this.visitClosed(m, e));
    this.events.on('service_visit.voided', (m, e) => this.visitVoided(m, e));
    this.events.on('vehicle.sold', (m, e) => this.vehicleSold(m, e));
    this.events.on('survey.answered', (m, e) => this.surveyAnswered(m, e));
    this.events.on('complaint.goodwill_granted', (m, e) => this.goodwillGranted(m, e));
  }

  /**
   * 1 point per currency unit of customer pay (rooftop setting), +50 % when a due item was serviced on time —
   * judged on the visit's own date, not when it was logged.
   */
  async visitClosed(manager: EntityManager, e: DomainEventMap['service_visit.closed']): Promise<void> {
    if (!e.customerId) return;
    const rules = await this.rules(manager, e.rooftopId);
    const points = pointsForAmount(e.customerPayAmount, rules.pointsPerCurrencyUnit);
    if (points <= 0) return;
    const base = {
      customerId: e.customerId,
      source: 'visit' as const,
      sourceId: e.visitId,
      occurredAt: e.closedAt,
      rooftopId: e.rooftopId,
      actor: null,
    };
    await this.loyalty.credit(manager, {
      ...base,
      points,
      reason: `Service visit: ${points} points for the customer-pay amount`,
      idempotencyKey: `visit:${e.visitId}:earn`,
    });
    const bonus = onTimeBonus(points, rules.onTimeBonusPercent);
    if (bonus > 0) {
      const item = await this.onTime.servicedOnTime(manager, {
        visitId: e.visitId,
        vehicleId: e.vehicleId,
        rooftopId: e.rooftopId,
        visitDate: e.visitDate,
        itemCodes: e.itemCodes,
      });
      if (item) {
        await this.loyalty.credit(manager, {
          ...base,
          points: bonus,
          reason: `On-time service bonus (${rules.onTimeBonusPercent} %): ${item} serviced between its due-soon and overdue dates`,
          idempotencyKey: `visit:${e.visitId}:bonus`,
        });
      }
    }
  }

  /** A voided visit takes back every point it earned (base and bonus). */
  async visitVoided(manager: EntityManager, e: DomainEventMap['service_visit.voided']): Promise<void> {
    const earned: { id: string }[] = await manager.query(
      `SELECT id::text AS id FROM loyalty_entry WHERE source = 'visit' AND source_id = $1 AND points > 0 ORDER BY loyalty_entry.id`,
      [e.visitId],
    );
    for (const entry of earned) {
      await this.loyalty.reverse(manager, entry.id, {
        reason: 'Service visit voided',
        occurredAt: e.voidedAt,
      });
    }
  }

  /** 500 points to the buyer; 250 to whoever referred them, on their first purchase after the referral. */
  async vehicleSold(manager: EntityManager, e: DomainEventMap['vehicle.sold']): Promise<void> {
    const rules = await this.rules(manager, e.rooftopId);
    const occurredAt = this.saleInstant(e.purchaseDate);
    if (rules.vehiclePurchasePoints > 0) {
      await this.loyalty.credit(manager, {
        customerId: e.customerId,
        points: Math.floor(rules.vehiclePurchasePoints),
        source: 'sale',
        sourceId: e.vehicleId,
        reason: 'Vehicle purchase',
        idempotencyKey: `sale:${e.vehicleId}:${e.customerId}:${e.purchaseDate}:earn`,
        occurredAt,
        rooftopId: e.rooftopId,
        actor: null,
      });
    }
    const [referral] = await manager.query(
      `SELECT id, referrer_customer_id AS "referrerId" FROM referral WHERE referred_customer_id = $1 AND rewarded_at IS NULL FOR UPDATE`,
      [e.customerId],
    );
    if (referral && rules.referralPoints > 0) {
      await this.loyalty.credit(manager, {
        customerId: referral.referrerId,
        points: Math.floor(rules.referralPoints),
        source: 'referral',
        sourceId: referral.id,
        reason: 'A customer you referred bought a vehicle',
        idempotencyKey: `referral:${referral.id}:earn`,
        occurredAt,
        rooftopId: e.rooftopId,
        actor: null,
      });
      await manager.query(`UPDATE referral SET rewarded_at = $2 WHERE id = $1`, [referral.id, occurredAt]);
    }
  }

  async surveyAnswered(manager: EntityManager, e: DomainEventMap['survey.answered']): Promise<void> {
    const rules = await this.rules(manager, e.rooftopId);
    if (rules.surveyPoints <= 0) return;
    await this.loyalty.credit(manager, {
      customerId: e.customerId,
      points: Math.floor(rules.surveyPoints),
      source: 'survey',
      sourceId: e.surveyId,
      reason: 'Answered a survey',
      idempotencyKey: `survey:${e.surveyId}:earn`,
      occurredAt: e.answeredAt,
      rooftopId: e.rooftopId,
      actor: null,
    });
  }

  /** Goodwill a manager granted on resolving a complaint (contract C4), once per complaint version. */
  async goodwillGranted(
    manager: EntityManager,
    e: DomainEventMap['complaint.goodwill_granted'],
  ): Promise<void> {
    await this.loyalty.credit(manager, {
      customerId: e.customerId,
      points: e.points,
      source: 'complaint_goodwill',
      sourceId: e.complaintId,
      reason: 'Goodwill for a complaint',
      idempotencyKey: `complaint:${e.complaintId}:goodwill:${e.complaintVersion}`,
      occurredAt: e.at,
      rooftopId: e.rooftopId,
      actor: { id: e.grantedById },
    });
  }

  private async rules(manager: EntityManager, rooftopId: string): Promise<EarningRules> {
    const [rooftop] = await manager.query(`SELECT settings FROM rooftop WHERE id = $1`, [rooftopId]);
    return earningRulesFor(rooftop?.settings);
  }

  /** purchaseDate is a calendar date; the sale earns at that date's start (UTC), or the given instant. */
  private saleInstant(purchaseDate: string): Date {
    const at = new Date(
      /^\d{4}-\d{2}-\d{2}$/.test(purchaseDate) ? `${purchaseDate}T00:00:00Z` : purchaseDate,
    );
    if (Number.isNaN(at.getTime())) {
      this.logger.warn({ msg: 'vehicle.sold with an unreadable purchaseDate; using the event time' });
      return this.clock.now();
    }
    return at;
  }
}
