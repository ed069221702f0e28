import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { requestHash } from '../common/http/idempotency-key';
import { CreateAdjustmentDto } from './dto/loyalty.dto';
import { toEntryView } from './loyalty-account-reads';
import { debitOrRefuse } from './loyalty-debit';
import { IdempotentAnswer, LoyaltyIdempotency } from './loyalty-idempotency';
import { EntryMeta, LoyaltyLedger } from './loyalty-ledger';

/** Manager adjustments: credits or debits with a reason, audited, never below zero. */
@Injectable()
export class LoyaltyAdjustments {
  constructor(
    private readonly clock: Clock,
    private readonly ledger: LoyaltyLedger,
    private readonly idempotency: LoyaltyIdempotency,
    private readonly audit: AuditService,
  ) {}

  /** POST /customers/{id}/loyalty/adjustments (manager/admin): audited, never below zero. */
  async adjust(
    customerId: string,
    body: CreateAdjustmentDto,
    idempotencyKey: string | undefined,
    actor: AuthUser,
  ): Promise<IdempotentAnswer<unknown>> {
    const hash = requestHash({ customerId, points: body.points, reason: body.reason });
    const key = idempotencyKey ?? `server:${randomUUID()}`;
    // Keys are the caller's own (as for redemptions): two rooftops' managers may happen to send the same one.
    const scope = `adjustment:${actor.id}`;
    // The customer is read (another rooftop's: 404, before anything is written) with the account's lock.
    const target = {
      customerId,
      visible: (c: { homeRooftopId: string }) => actor.assertRooftop(c.homeRooftopId, 'Customer'),
    };
    return this.idempotency.run(scope, key, hash, target, async (manager, account, lots, customer) => {
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
          : await debitOrRefuse(
              this.ledger,
              manager,
              account,
              lots,
              'adjust',
              -body.points,
              now,
              'points',
              meta,
            );
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
}
