import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainEventMap, DomainEvents } from '../common/domain-events';
import { OutboxService } from './outbox.service';

/** The status reason of a pending message stopped by a withdrawal, whichever path recorded it. */
export const CONSENT_WITHDRAWN = 'consent_withdrawn';

/**
 * What messaging does when other modules' facts change, in the emitter's transaction. Messaging writes only
 * its own rows here: customers own consent and erasure, and tell messaging through these events.
 */
@Injectable()
export class MessagingListeners implements OnModuleInit {
  constructor(
    private readonly events: DomainEvents,
    private readonly outbox: OutboxService,
  ) {}

  onModuleInit() {
    this.events.on('consent.changed', (m, e) => this.consentChanged(m, e));
    this.events.on('customer.erased', (m, e) => this.customerErased(m, e));
  }

  /**
   * A withdrawal (API, unsubscribe link, erasure) takes effect at once: the pending messages of that purpose
   * are suppressed with one reason, so one business act leaves one state. Under the customer's advisory lock,
   * so it serialises with the dispatcher's rule check for this customer.
   */
  async consentChanged(m: EntityManager, e: DomainEventMap['consent.changed']): Promise<void> {
    if (e.granted) return;
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('outbox-customer:' || $1))`, [e.customerId]);
    await m.query(
      `UPDATE outbox_message SET status = 'suppressed', status_reason = $3, updated_at = now()
        WHERE customer_id = $1 AND status = 'pending' AND purpose = $2`,
      [e.customerId, e.purpose, CONSENT_WITHDRAWN],
    );
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
