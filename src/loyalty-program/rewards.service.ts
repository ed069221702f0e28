import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { Keyset, Page, PageQueryDto, limitOf } from '../common/http/pagination';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  ValidationFailedError,
} from '../common/problem/domain-error';
import { AuditService } from '../audit/audit.service';
import { CreateRewardDto, UpdateRewardDto } from './dto/loyalty.dto';
import { LoyaltyReward } from './loyalty.entities';

/** Oldest first. The catalogue is small: no index of its own. */
const REWARD_KEYS = new Keyset(
  [
    { sql: 'r.created_at', type: 'timestamptz' },
    { sql: 'r.id', type: 'uuid' },
  ],
  'ASC',
);

/** The rewards catalogue (one per dealer group): what points can be redeemed for. */
@Injectable()
export class RewardsService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(body: CreateRewardDto, actor: AuthUser): Promise<LoyaltyReward> {
    return this.db.transaction(async (m) => {
      await this.assertCodeFree(m.query.bind(m), body.code);
      const reward = await m.save(
        LoyaltyReward,
        m.create(LoyaltyReward, {
          code: body.code,
          name: body.name,
          pointsCost: body.pointsCost,
          active: body.active ?? true,
        }),
      );
      await this.audit.record(m, actor, {
        action: 'loyalty_reward.created',
        entityType: 'loyalty_reward',
        entityId: reward.id,
        fields: Object.keys(body),
      });
      return reward;
    });
  }

  async list(query: PageQueryDto): Promise<Page<LoyaltyReward>> {
    const limit = limitOf(query);
    const cursor = REWARD_KEYS.decode(query.cursor);
    const qb = this.db.getRepository(LoyaltyReward).createQueryBuilder('r');
    return REWARD_KEYS.pageOf(await REWARD_KEYS.applyTo(qb, cursor, limit).getRawAndEntities(), limit);
  }

  async get(id: string): Promise<LoyaltyReward> {
    const reward = await this.db.getRepository(LoyaltyReward).findOneBy({ id });
    if (!reward) throw new NotFoundError('Reward');
    return reward;
  }

  async update(
    id: string,
    body: UpdateRewardDto,
    expectedVersion: number,
    actor: AuthUser,
  ): Promise<LoyaltyReward> {
    const nulls = Object.entries(body).filter(([, v]) => v === null);
    if (nulls.length)
      throw new ValidationFailedError(nulls.map(([k]) => ({ field: k, message: `${k} cannot be null` })));
    return this.db.transaction(async (m) => {
      const reward = await m.findOne(LoyaltyReward, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!reward) throw new NotFoundError('Reward');
      if (reward.version !== expectedVersion) throw new PreconditionFailedError(reward.version);
      if (body.code !== undefined && body.code.toUpperCase() !== reward.code.toUpperCase())
        await this.assertCodeFree(m.query.bind(m), body.code);
      Object.assign(reward, body);
      const saved = await m.save(LoyaltyReward, reward);
      await this.audit.record(m, actor, {
        action: 'loyalty_reward.updated',
        entityType: 'loyalty_reward',
        entityId: id,
        fields: Object.keys(body),
      });
      return saved;
    });
  }

  private async assertCodeFree(query: (sql: string, params: unknown[]) => Promise<unknown[]>, code: string) {
    const rows = await query(`SELECT 1 FROM loyalty_reward WHERE upper(code) = upper($1)`, [code]);
    if (rows.length)
      throw new ConflictError('duplicate_code', 'A reward with this code already exists', { field: 'code' });
  }
}
