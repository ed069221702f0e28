import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { requestHash } from '../common/http/idempotency-key';
import { NotFoundError, UnprocessableError, ValidationFailedError } from '../common/problem/domain-error';
import { CreateRedemptionDto } from './dto/loyalty.dto';
import { debitOrRefuse } from './loyalty-debit';
import { IdempotentAnswer, LoyaltyIdempotency } from './loyalty-idempotency';
import { LoyaltyLedger } from './loyalty-ledger';

type Reward = { code: string; name: string; pointsCost: number; active: boolean };

/** The redemption row, written in the same statement as the stored answer (see LoyaltyIdempotency.run). */
const INSERT_REDEMPTION_SQL = `INSERT INTO loyalty_redemption (id, customer_id, reward_id, points, reason, entry_id, rooftop_id, created_by, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

/** The points and reason of a redemption: the reward's price (it must be known and offered), or the body's. */
function priced(body: CreateRedemptionDto, reward: Reward | null): { points: number; reason: string } {
  if (body.rewardId === undefined) return { points: body.points!, reason: body.reason! };
  if (!reward)
    throw new UnprocessableError('unknown_reward', 'No reward has this id', [
      { field: 'rewardId', message: 'unknown reward' },
    ]);
  if (!reward.active)
    throw new UnprocessableError('reward_inactive', 'This reward is no longer offered', [
      { field: 'rewardId', message: 'reward is inactive' },
    ]);
  return {
    points: reward.pointsCost,
    reason: `Reward ${reward.code}: ${reward.name}${body.reason ? ` — ${body.reason}` : ''}`,
  };
}

/** Redemptions: points spent on a reward or a stated amount, oldest lots first, idempotent on the client's key. */
@Injectable()
export class LoyaltyRedemptions {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LoyaltyLedger,
    private readonly idempotency: LoyaltyIdempotency,
  ) {}

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
    // The reward is checked under the lock, after the idempotency check, so a replay answers as before even if
    // the reward was retired since.
    const customer = await this.customerAndReward(customerId, body.rewardId ?? null, actor);
    const hash = requestHash({
      customerId,
      rewardId: body.rewardId ?? null,
      points: body.points ?? null,
      reason: body.reason ?? null,
    });
    // Keys are the caller's own (as for service visits): two rooftops' staff may happen to send the same one.
    const scope = `redemption:${actor.id}`;
    return this.idempotency.run(scope, idempotencyKey, hash, customerId, async (manager, account, lots) => {
      const { points, reason } = priced(body, customer.reward);
      const now = this.clock.now();
      const redemptionId = randomUUID();
      const entry = await debitOrRefuse(
        this.ledger,
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
          sql: INSERT_REDEMPTION_SQL,
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

  /** The customer (visible to the actor, else 404) and the reward asked for, in one read. */
  private async customerAndReward(
    customerId: string,
    rewardId: string | null,
    actor: AuthUser,
  ): Promise<{ homeRooftopId: string; reward: Reward | null }> {
    const [customer]: { homeRooftopId: string; reward: Reward | null }[] = await this.db.query(
      `SELECT c.home_rooftop_id AS "homeRooftopId",
              CASE WHEN r.id IS NULL THEN NULL
                   ELSE json_build_object('code', r.code, 'name', r.name, 'pointsCost', r.points_cost, 'active', r.active)
              END AS reward
         FROM customer c LEFT JOIN loyalty_reward r ON r.id = $2
        WHERE c.id = $1`,
      [customerId, rewardId],
    );
    if (!customer) throw new NotFoundError('Customer');
    actor.assertRooftop(customer.homeRooftopId, 'Customer');
    return customer;
  }
}
