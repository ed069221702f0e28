import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isChannel, type Channel } from '../common/channels';
import { DomainEventMap, DomainEvents } from '../common/domain-events';
import type { Purpose } from '../customers/consent-rules';
import { consentDecisions, consentKey } from '../customers/consent-decisions';
import { ContactPointsService } from '../customers/contact-points.service';
import { channelOrder, chooseChannel } from './channel-choice';
import { OutboxService } from './outbox.service';

/** The status reason of a pending message stopped by a withdrawal, whichever path recorded it. */
export const CONSENT_WITHDRAWN = 'consent_withdrawn';

/** A receipt whose ref is not recorded yet while a send on its channel is unrecorded: to be delivered again. */
export class ReceiptBeforeOutcome extends Error {
  constructor(channel: string) {
    super(`receipt for a ${channel} ref not recorded yet while a send is unrecorded: deliver it again`);
  }
}

/** A pending message of the withdrawn purpose with what the channel choice needs. */
interface PendingOfPurpose {
  id: string;
  failed_channels: string[];
  requested_channel: string | null;
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

/**
 * What messaging does when other modules' facts change, in the emitter's transaction. Messaging writes only
 * its own rows here: customers own consent, erasure and contact points, and tell messaging through these
 * events (or are asked to mark a contact point through ContactPointsService).
 */
@Injectable()
export class MessagingListeners implements OnModuleInit {
  private readonly logger = new Logger('MessagingListeners');

  constructor(
    private readonly events: DomainEvents,
    private readonly outbox: OutboxService,
    private readonly contactPoints: ContactPointsService,
  ) {}

  onModuleInit() {
    this.events.on('consent.changed', (m, e) => this.consentChanged(m, e));
    this.events.on('customer.erased', (m, e) => this.customerErased(m, e));
    this.events.on('message.receipt', (m, e) => this.receipt(m, e));
  }

  /**
   * A withdrawal (API, unsubscribe link, STOP, /stop, erasure) takes effect at once: the pending messages of that
   * purpose that no other channel can carry (contact point and consent) are suppressed with one reason, so one
   * business act leaves one state. One that another channel can still carry stays pending (the approval
   * re-checks consent per channel when it is sent). Under the customer's advisory lock, so it serialises with
   * the dispatcher's rule check for this customer.
   */
  async consentChanged(m: EntityManager, e: DomainEventMap['consent.changed']): Promise<void> {
    if (e.granted) return;
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('outbox-customer:' || $1))`, [e.customerId]);
    const pending: PendingOfPurpose[] = await m.query(
      `SELECT o.id, o.failed_channels, o.requested_channel, c.email, c.email_bouncing, c.phone,
              c.phone_undeliverable_at IS NOT NULL AS phone_undeliverable, c.telegram_chat_id::text AS telegram_chat_id,
              c.telegram_blocked_at IS NOT NULL AS telegram_blocked, c.preferred_channel,
              c.erased_at IS NOT NULL AS erased, r.channel_order
         FROM outbox_message o
         JOIN customer c ON c.id = o.customer_id
         JOIN rooftop r ON r.id = o.rooftop_id
        WHERE o.customer_id = $1 AND o.status = 'pending' AND o.purpose = $2`,
      [e.customerId, e.purpose],
    );
    if (pending.length === 0) return;
    const purpose = e.purpose as Purpose;
    const orders = pending.map((p) =>
      channelOrder(
        p.channel_order,
        isChannel(p.preferred_channel) ? p.preferred_channel : null,
        p.failed_channels,
        isChannel(p.requested_channel) ? p.requested_channel : null,
      ),
    );
    const consent = await consentDecisions(
      m,
      [...new Set(orders.flat())].map((channel) => ({ customerId: e.customerId, purpose, channel })),
    );
    // The event's channel is withdrawn whatever the history says (the emitter wrote it in this transaction).
    const consentOn = (channel: Channel) =>
      channel !== e.channel && consent.get(consentKey(e.customerId, purpose, channel)) === true;
    const stopped = pending
      .filter((p, k) => {
        const facts = {
          email: p.email,
          emailBouncing: p.email_bouncing,
          phone: p.phone,
          phoneUndeliverable: p.phone_undeliverable,
          telegramChatId: p.telegram_chat_id,
          telegramBlocked: p.telegram_blocked,
          erased: p.erased,
        };
        return !chooseChannel(orders[k], facts, purpose, consentOn).usable;
      })
      .map((p) => p.id);
    if (stopped.length === 0) return;
    await m.query(
      `UPDATE outbox_message SET status = 'suppressed', status_reason = $2, updated_at = now()
        WHERE id = ANY($1::uuid[]) AND status = 'pending'`,
      [stopped, CONSENT_WITHDRAWN],
    );
  }

  /**
   * A channel's delivery receipt, found by the channel's id of what it accepted (message_provider_ref), for
   * the attempt that id belongs to (its fence) and only while that attempt is the row's last:
   * delivered → delivery_status and delivered_at; undeliverable → a permanent failure of that channel: the
   * contact point is marked (customers), the channel joins failed_channels and the message falls back as after
   * a refused send — pending and due at once while a fallback channel is left, else failed with delivery_status
   * undeliverable. A receipt that arrives twice changes nothing more.
   */
  async receipt(m: EntityManager, e: DomainEventMap['message.receipt']): Promise<void> {
    const lookUp = async () => {
      const refs: { message_id: string; fence: string; customer_id: string }[] = await m.query(
        `SELECT r.message_id, r.fence, o.customer_id
           FROM message_provider_ref r JOIN outbox_message o ON o.id = r.message_id
          WHERE r.channel = $1 AND r.ref = $2`,
        [e.channel, e.ref],
      );
      return refs[0];
    };
    let ref = await lookUp();
    if (!ref) {
      // A receipt can overtake its send's outcome (the SMSC answers, then reports, before the dispatcher's group
      // commit). While a send on this channel is unrecorded (a row 'sending' on it), the ref may still appear:
      // refuse, so the channel delivers the receipt again (SMPP: deliver_sm_resp ESME_RX_T_APPN). Once none is,
      // look again (an outcome committed since the first look) and drop a ref that is still unknown.
      const [{ open }]: { open: boolean }[] = await m.query(
        `SELECT EXISTS (SELECT 1 FROM outbox_message WHERE status = 'sending' AND channel = $1) AS open`,
        [e.channel],
      );
      if (open) throw new ReceiptBeforeOutcome(e.channel);
      ref = await lookUp();
    }
    if (!ref) {
      this.logger.debug({ msg: 'receipt for an unknown provider ref', channel: e.channel });
      return;
    }
    if (e.delivered) {
      await m.query(
        `UPDATE outbox_message SET delivery_status = 'delivered', delivered_at = $4, updated_at = now()
          WHERE id = $1 AND fence = $2 AND channel = $3 AND status = 'sent' AND delivery_status IS NULL`,
        [ref.message_id, ref.fence, e.channel, e.at],
      );
      return;
    }
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('outbox-customer:' || $1))`, [ref.customer_id]);
    const [changed]: [{ id: string }[], number] = await m.query(
      `UPDATE outbox_message o SET
          failed_channels = o.failed_channels || $3::text,
          delivery_status = 'undeliverable', delivered_at = NULL,
          status = CASE WHEN f.fallback THEN 'pending' ELSE 'failed' END,
          status_reason = CASE WHEN f.fallback THEN 'fallback_from:' || $3 ELSE 'undeliverable' END,
          next_attempt_at = CASE WHEN f.fallback THEN $4 ELSE o.next_attempt_at END,
          first_attempt_at = CASE WHEN f.fallback THEN NULL ELSE o.first_attempt_at END,
          last_error = left($5, 500), updated_at = now()
         FROM (SELECT EXISTS (SELECT 1 FROM outbox_message x, unnest(x.fallback_channels) c
                               WHERE x.id = $1 AND c <> $3 AND NOT c = ANY(x.failed_channels)) AS fallback) f
        WHERE o.id = $1 AND o.fence = $2 AND o.channel = $3 AND o.status = 'sent'
          AND NOT $3 = ANY(o.failed_channels)
        RETURNING o.id`,
      [ref.message_id, ref.fence, e.channel, e.at, `undeliverable: ${e.detail}`],
    );
    if (changed.length === 0) return;
    if (e.channel === 'sms') await this.contactPoints.markPhoneUndeliverable(m, [ref.customer_id], e.at);
    else await this.contactPoints.markTelegramBlocked(m, [ref.customer_id], e.at);
  }

  /**
   * Erasure: every pending message is cancelled, and the kept rows lose their rendered text, addresses and
   * the mail server's errors (which quote the address).
   */
  async customerErased(m: EntityManager, e: DomainEventMap['customer.erased']): Promise<void> {
    await this.outbox.cancelPending(m, { customerId: e.customerId }, 'customer_erased');
    await m.query(
      `UPDATE outbox_message SET to_address = NULL, subject = NULL, html_body = NULL, text_body = NULL,
              payload = '{}'::jsonb, last_error = NULL, updated_at = $2
        WHERE customer_id = $1`,
      [e.customerId, e.at],
    );
    await m.query(
      `UPDATE message_attempt a SET error = NULL
         FROM outbox_message o WHERE o.id = a.message_id AND o.customer_id = $1 AND a.error IS NOT NULL`,
      [e.customerId],
    );
  }
}
