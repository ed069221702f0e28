import { Injectable, Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { EntityManager } from 'typeorm';
import type { MessagePurpose } from './outbox.service';

/** The outbox row as the rules (and the registered hooks) see it. */
export interface RuleMessage {
  id: string;
  customerId: string;
  rooftopId: string;
  vehicleId: string | null;
  kind: string;
  purpose: MessagePurpose;
  payload: Record<string, unknown>;
}

export interface RuleContext {
  customer: { email: string | null; erasedAt: Date | null; emailBouncing: boolean };
  rooftop: { timeZone: string; sendWindowStart: string; sendWindowEnd: string };
}

export type RuleDecision =
  | { action: 'send' }
  | { action: 'suppress'; reason: string }
  | { action: 'defer'; until: Date; reason: string };

/** A registered check (contract C3): returns a suppression reason, or null to let the message through. */
export type SuppressionHook = (manager: EntityManager, message: RuleMessage) => Promise<string | null>;

/** SPEC: at most one reminder, follow-up or marketing email per customer per 72 hours; surveys not counted. */
export const CAPPED_PURPOSES: readonly MessagePurpose[] = ['service_reminders', 'follow_ups', 'marketing'];
export const FREQUENCY_CAP_HOURS = 72;
/** Relationship purposes are allowed until withdrawn; marketing needs an explicit opt-in. */
const OPT_IN_PURPOSES: readonly MessagePurpose[] = ['marketing'];

/**
 * When the rooftop's sending window next opens, or null if `at` is inside it. The window is local time
 * [start, end) in the rooftop's zone; an overnight window (start > end) wraps past midnight.
 */
export function nextWindowStart(at: Date, timeZone: string, start: string, end: string): Date | null {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  const minutes = local.hour * 60 + local.minute + local.second / 60;
  const s = toMinutes(start);
  const e = toMinutes(end);
  if (s === e) return null; // a window of the whole day
  const inside = s < e ? minutes >= s && minutes < e : minutes >= s || minutes < e;
  if (inside) return null;
  let opens = local.set({ hour: Math.floor(s / 60), minute: s % 60, second: 0, millisecond: 0 });
  if (opens <= local) opens = opens.plus({ days: 1 });
  return opens.toJSDate();
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.trim().split(':').map(Number);
  return h * 60 + m;
}

/**
 * The sending rules of SPEC "Sending rules", checked by the dispatcher for every message right before it
 * is sent, in this order: consent → erased / no address → bouncing → registered hooks → sending window →
 * frequency cap. Suppressions are final (kept with the reason); deferrals move the message to a later time.
 */
@Injectable()
export class SendingRules {
  private readonly logger = new Logger('SendingRules');
  private readonly hooks = new Map<string, SuppressionHook>();

  registerSuppression(name: string, hook: SuppressionHook): void {
    this.hooks.set(name, hook);
  }

  async evaluate(
    manager: EntityManager,
    message: RuleMessage,
    ctx: RuleContext,
    asOf: Date,
  ): Promise<RuleDecision> {
    if (
      message.purpose !== 'transactional' &&
      !(await this.hasConsent(manager, message.customerId, message.purpose))
    ) {
      return { action: 'suppress', reason: `no_consent:${message.purpose}` };
    }
    if (ctx.customer.erasedAt) return { action: 'suppress', reason: 'customer_erased' };
    if (!ctx.customer.email) return { action: 'suppress', reason: 'no_email_address' };
    if (ctx.customer.emailBouncing) return { action: 'suppress', reason: 'email_bouncing' };
    for (const [name, hook] of this.hooks) {
      const reason = await hook(manager, message);
      if (reason) {
        this.logger.debug({ msg: 'suppressed by hook', hook: name, outboxId: message.id });
        return { action: 'suppress', reason };
      }
    }
    const opens = nextWindowStart(
      asOf,
      ctx.rooftop.timeZone,
      ctx.rooftop.sendWindowStart,
      ctx.rooftop.sendWindowEnd,
    );
    if (opens) return { action: 'defer', until: opens, reason: 'quiet_hours' };
    if (CAPPED_PURPOSES.includes(message.purpose)) {
      const last = await this.lastCappedEmail(manager, message, asOf);
      if (last) {
        return {
          action: 'defer',
          until: new Date(last.getTime() + FREQUENCY_CAP_HOURS * 3_600_000),
          reason: 'frequency_cap',
        };
      }
    }
    return { action: 'send' };
  }

  /**
   * The latest consent row decides. Deliberately not limited to rows before asOf: a withdrawal recorded
   * "later" than a back-dated run must still stop an email that would leave now.
   */
  private async hasConsent(
    manager: EntityManager,
    customerId: string,
    purpose: MessagePurpose,
  ): Promise<boolean> {
    const rows: { granted: boolean }[] = await manager.query(
      `SELECT granted FROM consent WHERE customer_id = $1 AND purpose = $2 AND channel = 'email'
       ORDER BY at DESC, id DESC LIMIT 1`,
      [customerId, purpose],
    );
    if (rows.length === 0) return !OPT_IN_PURPOSES.includes(purpose);
    return rows[0].granted;
  }

  /**
   * The last capped email to this customer within the cap: one sent in the last 72 h, or one that another
   * worker has cleared and is sending right now (approved_fence = fence; it counts as sent at asOf).
   * The caller holds the customer's advisory lock, so two workers cannot both pass this check.
   */
  private async lastCappedEmail(
    manager: EntityManager,
    message: RuleMessage,
    asOf: Date,
  ): Promise<Date | null> {
    const rows: { last: Date | null }[] = await manager.query(
      `SELECT max(CASE WHEN status = 'sent' THEN sent_at ELSE $3::timestamptz END) AS last
         FROM outbox_message
        WHERE customer_id = $1 AND id <> $2 AND purpose = ANY($4::text[])
          AND ((status = 'sent' AND sent_at > $3::timestamptz - make_interval(hours => $5))
            OR (status = 'sending' AND approved_fence = fence AND lease_until >= $3::timestamptz))`,
      [message.customerId, message.id, asOf, CAPPED_PURPOSES, FREQUENCY_CAP_HOURS],
    );
    return rows[0]?.last ? new Date(rows[0].last) : null;
  }
}
