import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { decodeCursor, Page, PageQueryDto, limitOf, toPage } from '../common/http/pagination';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  ValidationFailedError,
} from '../common/problem/domain-error';
import { AuditService } from '../audit/audit.service';
import { CreateRewardDto, UpdateRewardDto } from './dto/loyalty.dto';
import { LoyaltyReward } from './loyalty.entities';

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
    const cursor = decodeCursor(query.cursor, 2);
    if (
      cursor &&
      (Number.isNaN(Date.parse(String(cursor[0]))) || !/^[0-9a-f-]{36}$/.test(String(cursor[1])))
    ) {
      throw new ValidationFailedError([
        { field: 'cursor', message: 'cursor is not a cursor returned by this API' },
      ]);
    }
    const qb = this.db
      .getRepository(LoyaltyReward)
      .createQueryBuilder('r')
      .orderBy('r.created_at', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .limit(limit + 1);
    if (cursor)
      qb.where('(r.created_at, r.id) > (:at::timestamptz, :id::uuid)', { at: cursor[0], id: cursor[1] });
    const rows = await qb.getMany();
    return toPage(rows, limit, (r) => [r.createdAt.toISOString(), r.id]);
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
