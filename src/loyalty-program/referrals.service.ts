import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthUser, notFoundIn } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { Keyset, limitOf, Page, PageQueryDto } from '../common/http/pagination';
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
/** Newest first: referral_referrer_idx (referrer_customer_id, created_at DESC). */
const REFERRAL_KEYS = new Keyset(
  [
    { sql: 'r.created_at', type: 'timestamptz' },
    { sql: 'r.id', type: 'uuid' },
  ],
  'DESC',
);

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

  async listByReferrer(referrerId: string, query: PageQueryDto): Promise<Page<ReferralView>> {
    const limit = limitOf(query);
    const cursor = REFERRAL_KEYS.decode(query.cursor);
    const params: string[] = [referrerId];
    const bind = (value: string) => `$${params.push(value)}`;
    const rows: Parameters<typeof view>[0][] = await this.db.query(
      `SELECT ${COLUMNS}, ${REFERRAL_KEYS.select} FROM referral r
        WHERE r.referrer_customer_id = $1${cursor ? ` AND ${REFERRAL_KEYS.after(cursor, bind)}` : ''}
        ORDER BY ${REFERRAL_KEYS.orderBy} LIMIT ${limit + 1}`,
      params,
    );
    const page = REFERRAL_KEYS.page(rows, limit);
    return { items: page.items.map(view), nextCursor: page.nextCursor };
  }
}
