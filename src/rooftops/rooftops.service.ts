import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { DEFAULT_CHANNEL_ORDER } from '../common/channels';
import { NotFoundError } from '../common/problem/domain-error';
import { CreateRooftopDto, UpdateRooftopDto } from './dto/rooftop.dto';
import { Rooftop } from './rooftop.entity';

@Injectable()
export class RooftopsService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateRooftopDto, actor: AuthUser): Promise<Rooftop> {
    return this.db.transaction(async (m) => {
      const rooftop = await m.save(
        m.create(Rooftop, {
          timeZone: 'Asia/Phnom_Penh',
          currency: 'USD',
          address: '',
          phone: '',
          sendWindowStart: '08:00',
          sendWindowEnd: '20:00',
          channelOrder: [...DEFAULT_CHANNEL_ORDER],
          settings: {},
          active: true,
          ...dto,
        }),
      );
      await this.audit.record(m, actor, {
        action: 'rooftop.created',
        entityType: 'rooftop',
        entityId: rooftop.id,
        rooftopId: rooftop.id,
      });
      return rooftop;
    });
  }

  /** Only the rooftops the caller was granted (all for admins). */
  list(actor: AuthUser): Promise<Rooftop[]> {
    const scope = actor.rooftopScope();
    const qb = this.db.getRepository(Rooftop).createQueryBuilder('r').orderBy('r.name').addOrderBy('r.id');
    if (scope) qb.where('r.id = ANY(:scope)', { scope });
    return qb.getMany();
  }

  async get(id: string, actor: AuthUser): Promise<Rooftop> {
    actor.assertRooftop(id, 'Rooftop');
    const rooftop = await this.db.getRepository(Rooftop).findOneBy({ id });
    if (!rooftop) throw new NotFoundError('Rooftop');
    return rooftop;
  }

  async update(id: string, dto: UpdateRooftopDto, actor: AuthUser): Promise<Rooftop> {
    return this.db.transaction(async (m) => {
      const rooftop = await m.findOne(Rooftop, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!rooftop) throw new NotFoundError('Rooftop');
      Object.assign(rooftop, dto);
      const saved = await m.save(rooftop);
      await this.audit.record(m, actor, {
        action: 'rooftop.updated',
        entityType: 'rooftop',
        entityId: id,
        rooftopId: id,
        fields: Object.keys(dto),
      });
      return saved;
    });
  }
}
