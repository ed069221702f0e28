import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { CHANNELS, type Channel } from '../common/channels';
import { DomainEvents } from '../common/domain-events';
import { Consent } from './consent.entity';
import { toCurrentConsents, type CurrentConsents, type Purpose } from './consent-rules';

export interface RecordConsent {
  customerId: string;
  purpose: Purpose;
  /** The channel the decision is about (email when not said: the unsubscribe link, old clients). */
  channel?: Channel;
  granted: boolean;
  source: string;
  wording?: string | null;
  actor: AuthUser | null;
}

/**
 * Consent is an append-only history per customer × purpose × channel; the latest entry is the current
 * state. Customers own it: other modules ask `currentConsents` (or `consentDecisions` set-based) and
 * `record` decisions here (the unsubscribe link); they react to `consent.changed`, never write `consent`.
 */
@Injectable()
export class ConsentsService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
  ) {}

  /** The current state per purpose on one channel (email by default), defaults filled in. */
  async currentConsents(
    customerId: string,
    manager: EntityManager = this.db.manager,
    channel: Channel = 'email',
  ): Promise<CurrentConsents> {
    return (await this.currentByChannel(customerId, manager))[channel];
  }

  /** The current state per channel and purpose, defaults filled in. Served by consent_current_idx. */
  async currentByChannel(
    customerId: string,
    manager: EntityManager = this.db.manager,
  ): Promise<Record<Channel, CurrentConsents>> {
    const rows: { channel: Channel; purpose: Purpose; granted: boolean; at: Date; source: string }[] =
      await manager.query(
        `SELECT DISTINCT ON (channel, purpose) channel, purpose, granted, at, source
           FROM consent WHERE customer_id = $1
          ORDER BY channel, purpose, at DESC, id DESC`,
        [customerId],
      );
    const out = {} as Record<Channel, CurrentConsents>;
    for (const channel of CHANNELS)
      out[channel] = toCurrentConsents(rows.filter((r) => r.channel === channel));
    return out;
  }

  /** The full history, newest first. */
  history(customerId: string, manager: EntityManager = this.db.manager): Promise<Consent[]> {
    return manager.find(Consent, { where: { customerId }, order: { at: 'DESC', id: 'DESC' }, take: 1000 });
  }

  /**
   * Appends a decision in the caller's transaction; 'consent.changed' is emitted when the effective state
   * changes (messaging listens and suppresses the pending messages of a withdrawn purpose that no other channel
   * can carry).
   */
  async record(manager: EntityManager, input: RecordConsent): Promise<Consent> {
    const channel = input.channel ?? 'email';
    const before = (await this.currentConsents(input.customerId, manager, channel))[input.purpose];
    const now = this.clock.now();
    const entry = await manager.save(
      manager.create(Consent, {
        customerId: input.customerId,
        purpose: input.purpose,
        channel,
        granted: input.granted,
        at: now,
        source: input.source,
        wording: input.wording ?? null,
        recordedBy: input.actor?.id ?? null,
      }),
    );
    if (before.granted !== input.granted) {
      await this.events.emit(manager, 'consent.changed', {
        customerId: input.customerId,
        purpose: input.purpose,
        channel,
        granted: input.granted,
        at: now,
      });
    }
    return entry;
  }
}
