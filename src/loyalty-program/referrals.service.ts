import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthUser, notFoundIn } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { ConflictError, NotFoundError, UnprocessableError } from '../common/problem/domain-error';
import { LoyaltyService } from './loyalty.service';

export interface ReferralView {
  id: string;
  referrerCustomerId: string;
  referredCustomerId: string;
  createdAt: string;
  rewardedAt: string | null;
}

const COLUMNS = `id, referrer_customer_id AS "referrerCustomerId", referred_customer_id AS "referredCustomerId", created_at AS "createdAt", rewarded_at AS "rewardedAt"`;

function view(row: {
  id: string;
  referrerCustomerId: string;
  referredCustomerId: string;
  createdAt: Date;
  rewardedAt: Date | null;
}): ReferralView {
  return {
    ...row,
    createdAt: new Date(row.createdAt).toISOString(),
    rewardedAt: row.rewardedAt ? new Date(row.rewardedAt).toISOString() : null,
  };
}

/** "Customer A referred customer B": A earns the referral points when B buys a vehicle (vehicle.sold). */
@Injectable()
export class ReferralsService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly loyalty: LoyaltyService,
  ) {}

  async create(referrerId: string, referredId: string, actor: AuthUser): Promise<ReferralView> {
    await this.loyalty.visibleCustomer(referrerId, actor);
    if (referrerId === referredId) {
      throw new UnprocessableError('self_referral', 'A customer cannot refer themselves', [
        { field: 'referredCustomerId', message: 'must be another customer' },
      ]);
    }
    try {
      await this.loyalty.visibleCustomer(referredId, actor);
    } catch (e) {
      // An id in the body obeys the path-id rule: another rooftop's customer, or none, answers 404.
      throw e instanceof NotFoundError ? notFoundIn('referredCustomerId', 'Customer') : e;
    }
    const rows = await this.db.query(
      `INSERT INTO referral (referrer_customer_id, referred_customer_id, created_by, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (referred_customer_id) DO NOTHING RETURNING ${COLUMNS}`,
      [referrerId, referredId, actor.id, this.clock.now()],
    );
    if (!rows.length)
      throw new ConflictError('already_referred', 'This customer was already referred by someone', {
        field: 'referredCustomerId',
      });
    return view(rows[0]);
  }

  async listByReferrer(referrerId: string): Promise<{ items: ReferralView[]; nextCursor: null }> {
    const rows = await this.db.query(
      `SELECT ${COLUMNS} FROM referral WHERE referrer_customer_id = $1 ORDER BY created_at DESC, id DESC LIMIT 200`,
      [referrerId],
    );
    return { items: rows.map(view), nextCursor: null };
  }
}
