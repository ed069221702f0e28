import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { DomainEvents } from '../common/domain-events';
import { OutboxService, PURPOSES, type Purpose } from '../messaging/outbox.service';
import { Consent } from './consent.entity';

export interface ConsentState {
  granted: boolean;
  /** When the decision was recorded; null while the default applies. */
  at: Date | null;
  source: string;
  /** True when the customer never decided and the SPEC default applies. */
  default: boolean;
}

export type CurrentConsents = Record<Purpose, ConsentState>;

/** SPEC "Consent": relationship purposes are allowed until withdrawn; marketing needs an explicit opt-in. */
export function defaultConsent(purpose: Purpose): boolean {
  return purpose !== 'marketing';
}

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
 * state. Other modules ask `currentConsents` before planning email, and may `record` decisions (unsubscribe).
 */
@Injectable()
export class ConsentsService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
    private readonly outbox: OutboxService,
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
   * Appends a decision in the caller's transaction. A withdrawal cancels pending messages of that purpose
   * at once; 'consent.changed' is emitted when the effective state changes.
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
    if (!input.granted) {
      await this.outbox.cancelPending(
        manager,
        { customerId: input.customerId, purpose: input.purpose },
        'consent_withdrawn',
      );
    }
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

/** Rows of the latest decision per purpose (email channel) → the current state, defaults filled in. */
export function toCurrentConsents(
  rows: { purpose: Purpose; granted: boolean; at: Date; source: string }[],
): CurrentConsents {
  const current = {} as CurrentConsents;
  for (const purpose of PURPOSES) {
    const row = rows.find((r) => r.purpose === purpose);
    current[purpose] = row
      ? { granted: row.granted, at: row.at, source: row.source, default: false }
      : { granted: defaultConsent(purpose), at: null, source: 'default', default: true };
  }
  return current;
}
