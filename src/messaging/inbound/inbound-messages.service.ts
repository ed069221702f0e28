import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { AuthUser } from '../../auth/auth-user';
import { Clock } from '../../common/clock';
import type { DomainEventMap } from '../../common/domain-events';
import { limitOf, type Page } from '../../common/http/pagination';
import { ConflictError, NotFoundError } from '../../common/problem/domain-error';
import { PURPOSES } from '../../customers/consent-rules';
import { ConsentsService } from '../../customers/consents.service';
import { ContactOwner, ContactPointsService } from '../../customers/contact-points.service';
import { InteractionsService } from '../../customers/interactions.service';
import { managersOf } from '../../tasks/assignees';
import { TASK_TITLES } from '../../tasks/task-titles';
import { TasksService } from '../../tasks/tasks.service';
import type { InboundMessageDto, ListInboundMessagesQueryDto } from './dto/inbound-message.dto';
import {
  INBOUND_KEYS,
  InboundChannel,
  InboundMessagesRepository,
  InboundRow,
} from './inbound-messages.repository';
import { isStopRequest } from './stop-words';
import { addWorkingHours } from './working-hours';

/** SPEC "Replies": the task for a reply is due in 4 working hours of the rooftop. */
export const REPLY_DUE_WORKING_HOURS = 4;
const CHANNEL_NAMES: Record<InboundChannel, string> = { sms: 'SMS', telegram: 'Telegram' };

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
function toDto(r: InboundRow): InboundMessageDto {
  return {
    id: r.id,
    channel: r.channel,
    kind: r.kind,
    sender: r.sender,
    text: r.text,
    receivedAt: iso(r.receivedAt)!,
    customerId: r.customerId,
    rooftopId: r.rooftopId,
    interactionId: r.interactionId,
    taskId: r.taskId,
    matchedAt: iso(r.matchedAt),
    matchedBy: r.matchedBy,
  };
}

/**
 * Replies (SPEC "Channels", Replies): an incoming SMS or Telegram text is kept once; an SMS STOP word
 * withdraws SMS consent; a reply from a known customer goes on their timeline with a task for their
 * salesperson; one from an unknown sender waits for staff to match it.
 */
@Injectable()
export class InboundMessagesService {
  private readonly logger = new Logger('InboundMessages');

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly repo: InboundMessagesRepository,
    private readonly contacts: ContactPointsService,
    private readonly consents: ConsentsService,
    private readonly interactions: InteractionsService,
    private readonly tasks: TasksService,
  ) {}

  /** 'message.received', in the driver's transaction. A text the provider delivers again acts once. */
  async received(m: EntityManager, e: DomainEventMap['message.received']): Promise<void> {
    const stop = e.channel === 'sms' && isStopRequest(e.text);
    const id = await this.repo.insertOnce(m, e, stop ? 'stop' : 'reply');
    if (!id) return;
    if (stop) return this.stop(m, id, e);
    const owner =
      e.channel === 'sms'
        ? await this.contacts.findByPhone(m, e.sender)
        : await this.contacts.findByTelegramChat(m, e.sender);
    if (!owner) return; // kept with no customer: staff match it (GET /inbound-messages?matched=false)
    await this.attach(m, id, owner, e, { dueFrom: e.receivedAt, at: e.receivedAt, by: null });
  }

  /** STOP (or ឈប់, ຢຸດ): SMS consent withdrawn for every purpose of everyone with that phone; no task. */
  private async stop(m: EntityManager, id: string, e: DomainEventMap['message.received']): Promise<void> {
    const customers = await this.repo.customersWithPhone(m, e.sender);
    for (const customerId of customers) {
      for (const purpose of PURPOSES) {
        await this.consents.record(m, {
          customerId,
          purpose,
          channel: 'sms',
          granted: false,
          source: 'sms_stop',
          wording: e.text,
          actor: null,
        });
      }
    }
    const owner = customers.length ? await this.contacts.findByPhone(m, e.sender) : null;
    if (owner)
      await this.repo.link(m, id, {
        customerId: owner.id,
        rooftopId: owner.homeRooftopId,
        interactionId: null,
        taskId: null,
        at: e.receivedAt,
        by: null,
      });
  }

  /** Links the text to its customer: an interaction on the timeline and a task for their salesperson. */
  private async attach(
    m: EntityManager,
    id: string,
    owner: ContactOwner,
    e: { channel: InboundChannel; text: string; receivedAt: Date },
    how: { dueFrom: Date; at: Date; by: string | null },
  ): Promise<void> {
    const interactionId = await this.interactions.log(m, {
      customerId: owner.id,
      rooftopId: owner.homeRooftopId,
      kind: e.channel,
      direction: 'inbound',
      summary: e.text,
      at: e.receivedAt,
      createdBy: how.by,
    });
    const taskId = await this.raiseTask(m, id, owner, e.channel, how.dueFrom);
    await this.repo.link(m, id, {
      customerId: owner.id,
      rooftopId: owner.homeRooftopId,
      interactionId,
      taskId,
      at: how.at,
      by: how.by,
    });
  }

  /**
   * The task goes to the customer's salesperson while active, else to the rooftop's first manager (or an admin),
   * as the other system tasks do; titled in the assignee's language, due in 4 working hours of the rooftop.
   */
  private async raiseTask(
    m: EntityManager,
    inboundId: string,
    owner: ContactOwner,
    channel: InboundChannel,
    from: Date,
  ): Promise<string | null> {
    const [active]: { id: string }[] = owner.assignedSalespersonId
      ? await m.query(`SELECT id FROM app_user WHERE id = $1 AND active`, [owner.assignedSalespersonId])
      : [];
    const assigneeId = active?.id ?? (await managersOf(m, owner.homeRooftopId))[0];
    if (!assigneeId) {
      this.logger.warn({ msg: 'reply without anyone to assign its task to', inboundId });
      return null;
    }
    const week = await this.repo.workingWeek(m, owner.homeRooftopId);
    const name = CHANNEL_NAMES[channel];
    const titles = Object.fromEntries(
      Object.entries(TASK_TITLES.reply).map(([language, title]) => [
        language,
        title.replace('{channel}', name),
      ]),
    ) as Record<keyof typeof TASK_TITLES.reply, string>;
    const dedupeKey = `reply:${inboundId}`;
    await this.tasks.raise(m, {
      rooftopId: owner.homeRooftopId,
      customerId: owner.id,
      type: 'reply',
      titles,
      assigneeId,
      dueAt: addWorkingHours(from, REPLY_DUE_WORKING_HOURS, week),
      dedupeKey,
    });
    return this.repo.taskIdOf(m, dedupeKey);
  }

  /**
   * Staff match a text from an unknown sender to a customer: linked, on the timeline, with a task due 4 working
   * hours from now. The row is locked, so two staff matching at once make one task.
   */
  async match(id: string, customerId: string, actor: AuthUser): Promise<InboundMessageDto> {
    return this.db.transaction(async (m) => {
      const row = await this.repo.lockOne(m, id);
      if (!row || !this.visible(row, actor)) throw new NotFoundError('Inbound message');
      if (row.kind === 'stop')
        throw new ConflictError('inbound_is_stop', 'A STOP withdrew consent; it is not a reply to match');
      if (row.customerId)
        throw new ConflictError('inbound_already_matched', 'The message is already linked to a customer');
      const [owner]: ContactOwner[] = await m.query(
        `SELECT id, home_rooftop_id AS "homeRooftopId", language, assigned_salesperson_id AS "assignedSalespersonId"
           FROM customer WHERE id = $1 AND erased_at IS NULL`,
        [customerId],
      );
      actor.assertRooftopIn(owner?.homeRooftopId, 'customerId', 'Customer');
      const now = this.clock.now();
      await this.attach(m, row.id, owner, row, { dueFrom: now, at: now, by: actor.id });
      await this.audit.record(m, actor, {
        action: 'inbound_message.matched',
        entityType: 'inbound_message',
        entityId: row.id,
        rooftopId: owner.homeRooftopId,
        fields: ['customerId'],
      });
      return toDto((await this.repo.findOne(m, row.id))!);
    });
  }

  /** Newest first; staff see their rooftops' rows, managers and admins also the unmatched senders'. */
  async list(query: ListInboundMessagesQueryDto, actor: AuthUser): Promise<Page<InboundMessageDto>> {
    const limit = limitOf(query);
    const rows = await this.repo.list(this.db.manager, {
      scope: actor.rooftopScope(),
      withoutRooftop: actor.isManager,
      matched: query.matched,
      channel: query.channel,
      after: INBOUND_KEYS.decode(query.cursor),
      limit,
    });
    const page = INBOUND_KEYS.page(rows, limit);
    return { items: page.items.map(toDto), nextCursor: page.nextCursor };
  }

  /** Erasure blanks what the customer wrote and where from. */
  customerErased(m: EntityManager, e: DomainEventMap['customer.erased']): Promise<void> {
    return this.repo.scrubCustomer(m, e.customerId);
  }

  /** A row of a granted rooftop; one without a rooftop (an unknown sender) for managers and admins. */
  private visible(row: InboundRow, actor: AuthUser): boolean {
    return row.rooftopId ? actor.canSeeRooftop(row.rooftopId) : actor.isManager;
  }
}
