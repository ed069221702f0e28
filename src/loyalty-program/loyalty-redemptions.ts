import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ActiveUserRow, AuthUser, UncheckedUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { requestHash } from '../common/http/idempotency-key';
import { UnprocessableError, ValidationFailedError } from '../common/problem/domain-error';
import { CreateRedemptionDto } from './dto/loyalty.dto';
import { allocateOrRefuse } from './loyalty-debit';
import { IdempotentAnswer, LoyaltyIdempotency, Work } from './loyalty-idempotency';
import { LoyaltyLedger } from './loyalty-ledger';
import { RewardRow } from './loyalty-read-for-write';

/**
 * The redemption row, written in the same statement as the debit and the stored answer (see
 * LoyaltyIdempotency.run): `entry` is the debit's new ledger entry.
 */
const INSERT_REDEMPTION_SQL = `INSERT INTO loyalty_redemption (id, customer_id, reward_id, points, reason, entry_id, rooftop_id, created_by, created_at)
                SELECT $1::uuid, $2::uuid, $3::uuid, $4::int, $5::text, entry.id, $6::uuid, $7::uuid, $8::timestamptz FROM entry`;

/** The points and reason of a redemption: the reward's price (it must be known and offered), or the body's. */
function priced(body: CreateRedemptionDto, reward: RewardRow | null): { points: number; reason: string } {
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
    private readonly clock: Clock,
    private readonly ledger: LoyaltyLedger,
    private readonly idempotency: LoyaltyIdempotency,
  ) {}

  /** POST /customers/{id}/loyalty/redemptions: by reward or by points, idempotent on the client's key. */
  async redeem(
    customerId: string,
    body: CreateRedemptionDto,
    idempotencyKey: string,
    principal: AuthUser | UncheckedUser,
  ): Promise<IdempotentAnswer<unknown>> {
    if (body.rewardId !== undefined && body.points !== undefined) {
      throw new ValidationFailedError([
        { field: 'rewardId', message: 'give either rewardId or points, not both' },
        { field: 'points', message: 'give either rewardId or points, not both' },
      ]);
    }
    const hash = requestHash({
      customerId,
      rewardId: body.rewardId ?? null,
      points: body.points ?? null,
      reason: body.reason ?? null,
    });
    // Keys are the caller's own (as for service visits): two rooftops' staff may happen to send the same one.
    const scope = `redemption:${principal.id}`;
    // A JWT's user is checked by the first statement (the guard left it to us), before anything else is used.
    let actor = principal instanceof AuthUser ? principal : null;
    // One statement reads the customer (another rooftop's: 404, before anything is written), the reward, the
    // account (and its lock, on the locked path), the stored answer and the open lots; one more writes the debit,
    // the redemption and the stored answer. The reward is checked after the idempotency check, so a replay answers
    // as before even if the reward was retired since.
    const target = {
      customerId,
      rewardId: body.rewardId ?? null,
      user:
        principal instanceof UncheckedUser
          ? {
              id: principal.id,
              check: (row: ActiveUserRow | null) => {
                actor = principal.checked(row);
              },
            }
          : undefined,
      visible: (c: { homeRooftopId: string }) => actor!.assertRooftop(c.homeRooftopId, 'Customer'),
      // Its only write is the debit's statement: tried first without the account's lock (2 statements, no
      // transaction), under the lock when another write came first, an expiry is due or there is no account yet.
      withoutLock: true,
    };
    return this.idempotency.run(
      scope,
      idempotencyKey,
      hash,
      target,
      this.redemption(customerId, body, principal.id),
    );
  }

  /** The redemption's work: its price, the allocation (or 422), the answer, the debit and the redemption row. */
  private redemption(customerId: string, body: CreateRedemptionDto, actorId: string): Work<unknown> {
    return async (manager, account, lots, customer) => {
      const { points, reason } = priced(body, customer.reward);
      const now = this.clock.now();
      const redemptionId = randomUUID();
      const field = body.rewardId !== undefined ? 'rewardId' : 'points';
      const allocations = await allocateOrRefuse(this.ledger, manager, account, lots, points, now, field);
      const rewardId = body.rewardId ?? null;
      return {
        status: 201,
        body: {
          id: redemptionId,
          customerId,
          rewardId,
          points,
          reason,
          entryId: null, // the debit's entry, set when it is written
          balance: account.balance - points,
          createdAt: now.toISOString(),
          createdBy: actorId,
        },
        debit: {
          account,
          type: 'redeem',
          allocations,
          entryField: 'entryId',
          meta: {
            reason,
            source: 'redemption',
            sourceId: redemptionId,
            idempotencyKey: `redemption:${redemptionId}`,
            occurredAt: now,
            rooftopId: customer.homeRooftopId,
            actorId,
          },
        },
        // The redemption row goes in with the debit and the stored answer: one statement.
        alongside: {
          name: 'redemption',
          sql: INSERT_REDEMPTION_SQL,
          params: [redemptionId, customerId, rewardId, points, reason, customer.homeRooftopId, actorId, now],
        },
      };
    };
  }
}
