import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { DomainEvents } from '../common/domain-events';
import { Consent } from './consent.entity';
import { toCurrentConsents, type CurrentConsents, type Purpose } from './consent-rules';

export interface RecordConsent {
  customerId: string;
  purpose: Purpose;
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

  /** The current state per purpose (email channel), defaults filled in. Served by consent_current_idx. */
  async currentConsents(
    customerId: string,
    manager: EntityManager = this.db.manager,
  ): Promise<CurrentConsents> {
    const rows: { purpose: Purpose; granted: boolean; at: Date; source: string }[] = await manager.query(
      `SELECT DISTINCT ON (purpose) purpose, granted, at, source
         FROM consent WHERE customer_id = $1 AND channel = 'email'
        ORDER BY purpose, at DESC, id DESC`,
      [customerId],
    );
    return toCurrentConsents(rows);
  }

  /** The full history, newest first. */
  history(customerId: string, manager: EntityManager = this.db.manager): Promise<Consent[]> {
    return manager.find(Consent, { where: { customerId }, order: { at: 'DESC', id: 'DESC' }, take: 1000 });
  }

  /**
   * Appends a decision in the caller's transaction; 'consent.changed' is emitted when the effective state
   * changes (messaging listens and suppresses the pending messages of a withdrawn purpose at once).
   */
  async record(manager: EntityManager, input: RecordConsent): Promise<Consent> {
    const before = (await this.currentConsents(input.customerId, manager))[input.purpose];
    const now = this.clock.now();
    const entry = await manager.save(
      manager.create(Consent, {
        customerId: input.customerId,
        purpose: input.purpose,
        channel: 'email',
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
        granted: input.granted,
        at: now,
      });
    }
    return entry;
  }
}
