import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { AppConfig, LANGUAGES, type Language } from '../config/app-config';
import { PURPOSES, type Purpose } from '../customers/consent-rules';
import { ConsentsService } from '../customers/consents.service';
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
    private readonly consents: ConsentsService,
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
   * Withdraws consent at once, in one transaction, the same act as a withdrawal through the API: customers
   * record it (ConsentsService, source 'unsubscribe_link') and emit 'consent.changed', on which messaging
   * suppresses the pending messages of that purpose (messaging.listeners.ts). A purpose already withdrawn is
   * left as it was, so repeating the link is harmless.
   */
  async unsubscribe(token: string): Promise<UnsubscribeResult | null> {
    const target = await this.resolve(token);
    if (!target) return null;
    const scope: Purpose[] = target.scope === 'all' ? [...PURPOSES] : [target.scope];
    return this.db.transaction(async (manager) => {
      // Serialises with the dispatcher's rule check for this customer.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('outbox-customer:' || $1))`, [
        target.customerId,
      ]);
      const current = await this.consents.currentConsents(target.customerId, manager);
      const withdrawn = scope.filter((purpose) => current[purpose].granted);
      // Counted before: the pending messages of the purposes withdrawn now are the ones this act stops.
      const [{ pending }]: { pending: number }[] = await manager.query(
        `SELECT count(*)::int AS pending FROM outbox_message
          WHERE customer_id = $1 AND status = 'pending' AND purpose = ANY($2::text[])`,
        [target.customerId, withdrawn],
      );
      for (const purpose of withdrawn) {
        await this.consents.record(manager, {
          customerId: target.customerId,
          purpose,
          granted: false,
          source: 'unsubscribe_link',
          wording: 'One-click unsubscribe link in an email',
          actor: null,
        });
      }
      if (withdrawn.length > 0) {
        await this.audit.record(manager, null, {
          action: 'consent.withdrawn',
          entityType: 'customer',
          entityId: target.customerId,
          fields: withdrawn.map((p) => `consent.${p}`),
          reason: 'unsubscribe_link',
        });
      }
      this.logger.log({
        msg: 'unsubscribed',
        customerId: target.customerId,
        purposes: withdrawn,
        suppressed: pending,
      });
      return { ...target, withdrawn, suppressedMessages: pending };
    });
  }
}
