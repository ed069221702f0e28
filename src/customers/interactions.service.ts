import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { Keyset, limitOf, Page, PageQueryDto } from '../common/http/pagination';
import { CustomersService } from './customers.service';
import { CreateInteractionDto } from './dto/interaction.dto';
import { Interaction, InteractionDirection, InteractionKind } from './interaction.entity';

/** Newest first; interaction_customer_idx (customer_id, occurred_at DESC, id) serves it. */
const INTERACTION_KEYS = new Keyset(
  [
    { sql: 'i.occurred_at', type: 'timestamptz' },
    { sql: 'i.id', type: 'uuid' },
  ],
  'DESC',
);

/** The CRM timeline: calls, emails, visits and notes logged by staff. */
@Injectable()
export class InteractionsService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly customers: CustomersService,
  ) {}

  async create(customerId: string, dto: CreateInteractionDto, actor: AuthUser): Promise<Interaction> {
    return this.db.transaction(async (m) => {
      const customer = await this.customers.findWritable(m, customerId, actor);
      const interaction = await m.save(
        m.create(Interaction, {
          customerId,
          rooftopId: customer.homeRooftopId,
          kind: dto.kind,
          direction: dto.direction ?? null,
          summary: dto.summary,
          occurredAt: new Date(dto.occurredAt),
          createdBy: actor.id,
          createdAt: this.clock.now(),
        }),
      );
      await this.audit.record(m, actor, {
        action: 'interaction.created',
        entityType: 'interaction',
        entityId: interaction.id,
        rooftopId: customer.homeRooftopId,
        fields: Object.keys(dto),
      });
      return interaction;
    });
  }

  /**
   * Logs an entry that another module's act produced (a task done, a survey answered) in the caller's
   * transaction: occurred and created at the same instant, by the acting user (null for the customer).
   * Returns the entry's id.
   */
  async log(
    m: EntityManager,
    entry: {
      customerId: string;
      rooftopId: string;
      kind: InteractionKind;
      direction: InteractionDirection | null;
      summary: string;
      at: Date;
      createdBy: string | null;
    },
  ): Promise<string> {
    const inserted = await m.insert(Interaction, {
      customerId: entry.customerId,
      rooftopId: entry.rooftopId,
      kind: entry.kind,
      direction: entry.direction,
      summary: entry.summary,
      occurredAt: entry.at,
      createdBy: entry.createdBy,
      createdAt: entry.at,
    });
    return (inserted.identifiers[0] as { id: string }).id;
  }

  /** Newest first, by (occurred_at, id) — served by interaction_customer_idx. */
  async list(customerId: string, query: PageQueryDto, actor: AuthUser): Promise<Page<Interaction>> {
    await this.customers.findVisible(this.db.manager, customerId, actor);
    const limit = limitOf(query);
    const after = INTERACTION_KEYS.decode(query.cursor);
    const qb = this.db
      .getRepository(Interaction)
      .createQueryBuilder('i')
      .where('i.customer_id = :customerId', { customerId });
    return INTERACTION_KEYS.pageOf(
      await INTERACTION_KEYS.applyTo(qb, after, limit).getRawAndEntities(),
      limit,
    );
  }

  /** The latest few entries, for the 360 view. */
  recent(customerId: string, limit: number): Promise<Interaction[]> {
    return this.db
      .getRepository(Interaction)
      .find({ where: { customerId }, order: { occurredAt: 'DESC', id: 'DESC' }, take: limit });
  }
}
