import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DomainEvents } from '../common/domain-events';
import { AppConfig, LANGUAGES, type Language } from '../config/app-config';
import { PURPOSES, type Purpose } from './outbox.service';
import { UnsubscribeLinks, type UnsubscribeScope } from './unsubscribe-links';

export interface UnsubscribeTarget {
  customerId: string;
  scope: UnsubscribeScope;
  language: Language;
  rooftopName: string;
}

export interface UnsubscribeResult extends UnsubscribeTarget {
  /** Purposes whose consent was withdrawn now (already-withdrawn ones are left as they were). */
  withdrawn: Purpose[];
  /** Pending messages suppressed by this unsubscribe. */
  suppressedMessages: number;
}

/** One-click unsubscribe (RFC 8058): the signed link names the customer and the purpose. */
@Injectable()
export class UnsubscribeService {
  private readonly logger = new Logger('Unsubscribe');

  constructor(
    private readonly db: DataSource,
    private readonly links: UnsubscribeLinks,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** What the link would do; null for a forged, expired or unknown-customer link. Changes nothing. */
  async resolve(token: string): Promise<UnsubscribeTarget | null> {
    const claim = this.links.verify(token, this.clock.now());
    if (!claim) return null;
    const rows: { language: string; rooftop_name: string }[] = await this.db.query(
      `SELECT c.language, r.name AS rooftop_name FROM customer c JOIN rooftop r ON r.id = c.home_rooftop_id WHERE c.id = $1`,
      [claim.customerId],
    );
    if (rows.length === 0) return null;
    const language = (LANGUAGES as readonly string[]).includes(rows[0].language)
      ? (rows[0].language as Language)
      : this.config.DEFAULT_LANGUAGE;
    return { customerId: claim.customerId, scope: claim.scope, language, rooftopName: rows[0].rooftop_name };
  }

  /**
   * Withdraws consent at once: a consent row per purpose (source 'unsubscribe_link'), pending messages of
   * those purposes suppressed, 'consent.changed' emitted — all in one transaction. Repeating it is harmless.
   */
  async unsubscribe(token: string): Promise<UnsubscribeResult | null> {
    const target = await this.resolve(token);
    if (!target) return null;
    const now = this.clock.now();
    const purposes: Purpose[] = target.scope === 'all' ? [...PURPOSES] : [target.scope];
    return this.db.transaction(async (manager) => {
      // Serialises with the dispatcher's rule check for this customer.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('outbox-customer:' || $1))`, [
        target.customerId,
      ]);
      const withdrawn: Purpose[] = [];
      for (const purpose of purposes) {
        const current: { granted: boolean }[] = await manager.query(
          `SELECT granted FROM consent WHERE customer_id = $1 AND purpose = $2 AND channel = 'email'
           ORDER BY at DESC, id DESC LIMIT 1`,
          [target.customerId, purpose],
        );
        const alreadyOut = current.length > 0 ? !current[0].granted : purpose === 'marketing';
        if (alreadyOut) continue;
        await manager.query(
          `INSERT INTO consent (customer_id, purpose, channel, granted, at, source, wording)
           VALUES ($1, $2, 'email', false, $3, 'unsubscribe_link', $4)`,
          [target.customerId, purpose, now, 'One-click unsubscribe link in an email'],
        );
        withdrawn.push(purpose);
      }
      const [, suppressed]: [unknown[], number] = await manager.query(
        `UPDATE outbox_message SET status = 'suppressed', status_reason = 'unsubscribed', updated_at = now()
          WHERE customer_id = $1 AND status = 'pending' AND purpose = ANY($2::text[])`,
        [target.customerId, purposes],
      );
      if (withdrawn.length > 0) {
        await this.audit.record(manager, null, {
          action: 'consent.withdrawn',
          entityType: 'customer',
          entityId: target.customerId,
          fields: withdrawn.map((p) => `consent.${p}`),
          reason: 'unsubscribe_link',
        });
      }
      for (const purpose of withdrawn) {
        await this.events.emit(manager, 'consent.changed', {
          customerId: target.customerId,
          purpose,
          granted: false,
          at: now,
        });
      }
      this.logger.log({
        msg: 'unsubscribed',
        customerId: target.customerId,
        purposes: withdrawn,
        suppressed,
      });
      return { ...target, withdrawn, suppressedMessages: suppressed ?? 0 };
    });
  }
}
