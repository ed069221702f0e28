import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { assertFiltersVisible } from '../auth/filter-ids';
import { Clock } from '../common/clock';
import { Keyset, limitOf, type Page } from '../common/http/pagination';
import { isChannel, type Channel } from '../common/channels';
import { ConflictError, NotFoundError, UnprocessableError } from '../common/problem/domain-error';
import type { Purpose } from '../customers/consent-rules';
import { consentDecisions, consentKey } from '../customers/consent-decisions';
import { EmailBouncingService } from '../customers/email-bouncing.service';
import { channelOrder, chooseChannel } from './channel-choice';
import type {
  ListMessagesQueryDto,
  MessageDetailDto,
  MessageStatus,
  MessageSummaryDto,
  RetryChannel,
} from './dto/messages.dto';

const SUMMARY_COLUMNS = `m.id, m.rooftop_id, m.customer_id, m.vehicle_id, m.kind, m.purpose, m.status, m.status_reason,
  m.scheduled_at, m.next_attempt_at, m.attempts, m.sent_at, m.message_id, m.channel, m.failed_channels,
  m.fallback_channels, m.delivery_status, m.delivered_at, m.to_address, m.language, m.subject, m.last_error,
  m.created_at`;

interface Row {
  id: string;
  rooftop_id: string;
  customer_id: string;
  vehicle_id: string | null;
  kind: string;
  purpose: string;
  status: MessageStatus;
  status_reason: string | null;
  scheduled_at: Date;
  next_attempt_at: Date;
  attempts: number;
  sent_at: Date | null;
  message_id: string | null;
  channel: Channel | null;
  failed_channels: Channel[];
  fallback_channels: Channel[];
  delivery_status: 'delivered' | 'undeliverable' | null;
  delivered_at: Date | null;
  to_address: string | null;
  language: string | null;
  subject: string | null;
  last_error: string | null;
  created_at: Date;
  payload?: Record<string, unknown>;
  html_body?: string | null;
  text_body?: string | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function toSummary(r: Row): MessageSummaryDto {
  return {
    id: r.id,
    rooftopId: r.rooftop_id,
    customerId: r.customer_id,
    vehicleId: r.vehicle_id,
    kind: r.kind,
    purpose: r.purpose,
    status: r.status,
    statusReason: r.status_reason,
    scheduledAt: iso(r.scheduled_at)!,
    nextAttemptAt: iso(r.next_attempt_at)!,
    attempts: r.attempts,
    sentAt: iso(r.sent_at),
    messageId: r.message_id,
    channel: r.channel,
    failedChannels: r.failed_channels ?? [],
    fallbackChannels: r.fallback_channels ?? [],
    deliveryStatus: r.delivery_status,
    deliveredAt: iso(r.delivered_at),
    toAddress: r.to_address,
    language: r.language,
    subject: r.subject,
    lastError: r.last_error,
    createdAt: iso(r.created_at)!,
  };
}

/** Newest first, served by outbox_message_created_idx and outbox_message_status_idx (created_at DESC, id DESC). */
const MESSAGE_KEYS = new Keyset(
  [
    { sql: 'm.created_at', type: 'timestamptz' },
    { sql: 'm.id', type: 'uuid' },
  ],
  'DESC',
);

/** Staff view of the outbox: every message with its status, rendered content, attempts and errors. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly bouncing: EmailBouncingService,
  ) {}

  /** Newest first; keyset pagination on (created_at, id). Scoped to the user's rooftops. */
  async list(query: ListMessagesQueryDto, user: AuthUser): Promise<Page<MessageSummaryDto>> {
    const limit = limitOf(query);
    const cursor = MESSAGE_KEYS.decode(query.cursor);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.rooftopId) {
      await user.assertUsableRooftop(this.db, query.rooftopId, 'rooftopId');
      add('m.rooftop_id = ?', query.rooftopId);
    }
    const scope = user.rooftopScope();
    if (scope) add('m.rooftop_id = ANY(?::uuid[])', scope);
    if (query.status) add('m.status = ?', query.status);
    if (query.kind) add('m.kind = ?', query.kind);
    if (query.purpose) add('m.purpose = ?', query.purpose);
    if (query.channel) add('m.channel = ?', query.channel);
    if (query.customerId) {
      await assertFiltersVisible(this.db, user, [
        { field: 'customerId', kind: 'customer', id: query.customerId },
      ]);
      add('m.customer_id = ?', query.customerId);
    }
    if (cursor)
      where.push(
        MESSAGE_KEYS.after(cursor, (value) => {
          params.push(value);
          return `$${params.length}`;
        }),
      );
    params.push(limit + 1);
    const rows: Row[] = await this.db.query(
      `SELECT ${SUMMARY_COLUMNS}, ${MESSAGE_KEYS.select} FROM outbox_message m
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${MESSAGE_KEYS.orderBy}
        LIMIT $${params.length}`,
      params,
    );
    const page = MESSAGE_KEYS.page(rows, limit);
    return { items: page.items.map(toSummary), nextCursor: page.nextCursor };
  }

  async get(id: string, user: AuthUser): Promise<MessageDetailDto> {
    const rows: Row[] = await this.db.query(
      `SELECT ${SUMMARY_COLUMNS}, m.payload, m.html_body, m.text_body FROM outbox_message m WHERE m.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row || !user.canSeeRooftop(row.rooftop_id)) throw new NotFoundError('Message');
    const attempts: {
      attempt: number;
      channel: Channel | null;
      worker: string;
      started_at: Date;
      finished_at: Date | null;
      outcome: string | null;
      smtp_code: number | null;
      error: string | null;
    }[] = await this.db.query(
      `SELECT attempt, channel, worker, started_at, finished_at, outcome, smtp_code, error
         FROM message_attempt WHERE message_id = $1 ORDER BY attempt, id`,
      [id],
    );
    return {
      ...toSummary(row),
      payload: row.payload ?? {},
      html: row.html_body ?? null,
      text: row.text_body ?? null,
      attemptLog: attempts.map((a) => ({
        attempt: a.attempt,
        channel: a.channel,
        worker: a.worker,
        startedAt: iso(a.started_at)!,
        finishedAt: iso(a.finished_at),
        outcome: a.outcome,
        smtpCode: a.smtp_code,
        error: a.error,
      })),
    };
  }

  /**
   * A failed message goes back to pending, due now, with a fresh 48 h retry window, on the channel staff ask
   * for: 'same' (the last attempt's, the default), 'next' (the next usable channel of the customer's order
   * after it) or one by name; that channel is tried first and no longer counts as failed. It must be usable
   * now (a contact point that is not marked, and consent for the purpose on it): 422 naming `channel`
   * otherwise. When an email had bounced, staff retrying it on email vouch for the address, so the customer's
   * bouncing flag is cleared (audited).
   */
  async retry(id: string, user: AuthUser, requested: RetryChannel = 'same'): Promise<MessageDetailDto> {
    await this.db.transaction(async (manager) => {
      const rows: RetryRow[] = await manager.query(
        `SELECT m.rooftop_id, m.customer_id, m.purpose, m.status, m.status_reason, m.channel, m.failed_channels,
                c.email, c.email_bouncing, c.phone, c.phone_undeliverable_at IS NOT NULL AS phone_undeliverable,
                c.telegram_chat_id::text AS telegram_chat_id, c.telegram_blocked_at IS NOT NULL AS telegram_blocked,
                c.preferred_channel, c.erased_at IS NOT NULL AS erased, r.channel_order
           FROM outbox_message m
           JOIN customer c ON c.id = m.customer_id
           JOIN rooftop r ON r.id = m.rooftop_id
          WHERE m.id = $1 FOR UPDATE OF m`,
        [id],
      );
      const row = rows[0];
      if (!row || !user.canSeeRooftop(row.rooftop_id)) throw new NotFoundError('Message');
      if (row.status !== 'failed') {
        throw new ConflictError(
          'message_not_failed',
          `Only a failed message can be retried; this one is ${row.status}`,
          {
            currentStatus: row.status,
          },
        );
      }
      const channel = await this.retryChannel(manager, row, requested);
      // Staff vouch for an address that bounced when they send this email again.
      const vouched =
        channel === 'email' &&
        (/^smtp_5\d\d$/.test(row.status_reason ?? '') || row.failed_channels.includes('email'));
      await manager.query(
        `UPDATE outbox_message
            SET status = 'pending', status_reason = 'manual_retry', next_attempt_at = $2, first_attempt_at = NULL,
                lease_owner = NULL, lease_until = NULL, approved_fence = NULL, requested_channel = $3,
                failed_channels = array_remove(failed_channels, $3), updated_at = now()
          WHERE id = $1`,
        [id, this.clock.now(), channel],
      );
      if (vouched) {
        await this.bouncing.clear(manager, row.customer_id, user, {
          rooftopId: row.rooftop_id,
          reason: `retry of message ${id}`,
        });
      }
      await this.audit.record(manager, user, {
        action: 'message.retried',
        entityType: 'outbox_message',
        entityId: id,
        rooftopId: row.rooftop_id,
        fields: channel === row.channel ? ['status'] : ['status', 'channel'],
      });
    });
    return this.get(id, user);
  }

  /** The channel a retry goes on, checked usable now (422 naming `channel` when it is not). */
  private async retryChannel(
    manager: EntityManager,
    row: RetryRow,
    requested: RetryChannel,
  ): Promise<Channel> {
    const order = channelOrder(
      row.channel_order,
      isChannel(row.preferred_channel) ? row.preferred_channel : null,
    );
    const consent =
      row.purpose === 'transactional'
        ? null
        : await consentDecisions(
            manager,
            order.map((channel) => ({
              customerId: row.customer_id,
              purpose: row.purpose as Purpose,
              channel,
            })),
          );
    const consentOn = (channel: Channel) =>
      consent === null || consent.get(consentKey(row.customer_id, row.purpose as Purpose, channel)) === true;
    const facts = {
      email: row.email,
      // A bounced address is usable for a retry on email: staff vouch for it (the mark is cleared).
      emailBouncing: false,
      phone: row.phone,
      phoneUndeliverable: row.phone_undeliverable,
      telegramChatId: row.telegram_chat_id,
      telegramBlocked: row.telegram_blocked,
      erased: row.erased,
    };
    if (requested === 'next' || (requested === 'same' && !row.channel)) {
      // 'next': the usable channels after the last one; a message that never reached a channel: the first usable.
      const after = (row.channel ? order.slice(order.indexOf(row.channel) + 1) : order).filter(
        (c) => c !== row.channel && !row.failed_channels.includes(c),
      );
      const choice = chooseChannel(after, facts, row.purpose, consentOn);
      if (choice.usable) return choice.channel;
      throw notUsable(`no usable channel${row.channel ? ` after ${row.channel}` : ''} (${choice.reason})`);
    }
    const channel = requested === 'same' ? row.channel! : requested;
    if (!order.includes(channel)) throw notUsable(`${channel} is not in the rooftop's channel order`);
    const choice = chooseChannel([channel], facts, row.purpose, consentOn);
    if (!choice.usable) throw notUsable(`${channel} cannot be used for this message (${choice.reason})`);
    return channel;
  }
}

/** The failed row a retry reads, with the customer's contact points and the rooftop's order. */
interface RetryRow {
  rooftop_id: string;
  customer_id: string;
  purpose: string;
  status: string;
  status_reason: string | null;
  channel: Channel | null;
  failed_channels: Channel[];
  email: string | null;
  email_bouncing: boolean;
  phone: string | null;
  phone_undeliverable: boolean;
  telegram_chat_id: string | null;
  telegram_blocked: boolean;
  preferred_channel: string | null;
  erased: boolean;
  channel_order: string[];
}

function notUsable(message: string): UnprocessableError {
  return new UnprocessableError('channel_not_usable', 'The message cannot be retried on that channel', [
    { field: 'channel', message },
  ]);
}
