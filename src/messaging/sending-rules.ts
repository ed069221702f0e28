import { Injectable, Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { EntityManager } from 'typeorm';
import { consentDecisions, consentKey } from '../customers/consent-decisions';
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

  /** The rules for one message (a batch of one). */
  async evaluate(
    manager: EntityManager,
    message: RuleMessage,
    ctx: RuleContext,
    asOf: Date,
  ): Promise<RuleDecision> {
    const [decision] = await this.evaluateBatch(manager, [{ message, ctx }], asOf);
    return decision;
  }

  /**
   * The rules for a claimed batch, in claim order, with two set-based queries (customers' consent decision
   * per customer and purpose; last capped email per customer) instead of two per message. Two capped messages of one
   * customer in the same batch are counted against each other: the first that passes holds the cap (as an
   * in-flight send at asOf) and the later ones are deferred. The caller holds the advisory locks of every
   * customer in the batch, so no other worker can pass the cap check for them meanwhile.
   */
  async evaluateBatch(
    manager: EntityManager,
    items: { message: RuleMessage; ctx: RuleContext }[],
    asOf: Date,
  ): Promise<RuleDecision[]> {
    if (items.length === 0) return [];
    const consent = await consentDecisions(
      manager,
      items.flatMap(({ message: m }) =>
        m.purpose === 'transactional' ? [] : [{ customerId: m.customerId, purpose: m.purpose }],
      ),
    );
    const capped = await this.lastCappedEmails(
      manager,
      items.map((i) => i.message).filter((m) => CAPPED_PURPOSES.includes(m.purpose)),
      asOf,
    );
    const windows = new Map<string, Date | null>();
    const heldInBatch = new Set<string>();
    const decisions: RuleDecision[] = [];
    for (const { message, ctx } of items) {
      const decision = await this.decide(manager, message, ctx, asOf, {
        consent:
          message.purpose === 'transactional' ||
          consent.get(consentKey(message.customerId, message.purpose)) === true,
        lastCapped: heldInBatch.has(message.customerId) ? asOf : (capped.get(message.id) ?? null),
        windows,
      });
      if (decision.action === 'send' && CAPPED_PURPOSES.includes(message.purpose))
        heldInBatch.add(message.customerId);
      decisions.push(decision);
    }
    return decisions;
  }

  private async decide(
    manager: EntityManager,
    message: RuleMessage,
    ctx: RuleContext,
    asOf: Date,
    /** `consent`: customers' decision for the message's purpose (always true for transactional mail). */
    facts: { consent: boolean; lastCapped: Date | null; windows: Map<string, Date | null> },
  ): Promise<RuleDecision> {
    if (!facts.consent) return { action: 'suppress', reason: `no_consent:${message.purpose}` };
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
    const { timeZone, sendWindowStart, sendWindowEnd } = ctx.rooftop;
    const windowKey = `${timeZone}|${sendWindowStart}|${sendWindowEnd}`;
    let opens = facts.windows.get(windowKey);
    if (opens === undefined) {
      opens = nextWindowStart(asOf, timeZone, sendWindowStart, sendWindowEnd);
      facts.windows.set(windowKey, opens);
    }
    if (opens) return { action: 'defer', until: opens, reason: 'quiet_hours' };
    if (CAPPED_PURPOSES.includes(message.purpose) && facts.lastCapped) {
      return {
        action: 'defer',
        until: new Date(facts.lastCapped.getTime() + FREQUENCY_CAP_HOURS * 3_600_000),
        reason: 'frequency_cap',
      };
    }
    return { action: 'send' };
  }

  /**
   * Per message id, the last capped email to its customer within the cap: one sent in the last 72 h, or one
   * that a worker has cleared and is sending right now (approved_fence = fence; it counts as sent at asOf).
   */
  private async lastCappedEmails(
    manager: EntityManager,
    messages: RuleMessage[],
    asOf: Date,
  ): Promise<Map<string, Date>> {
    const out = new Map<string, Date>();
    if (messages.length === 0) return out;
    const rows: { id: string; last: Date | null }[] = await manager.query(
      `SELECT x.id, (
           SELECT max(CASE WHEN o.status = 'sent' THEN o.sent_at ELSE $3::timestamptz END)
             FROM outbox_message o
            WHERE o.customer_id = x.customer_id AND o.id <> x.id AND o.purpose = ANY($4::text[])
              AND ((o.status = 'sent' AND o.sent_at > $3::timestamptz - make_interval(hours => $5))
                OR (o.status = 'sending' AND o.approved_fence = o.fence AND o.lease_until >= $3::timestamptz))
         ) AS last
         FROM unnest($1::uuid[], $2::uuid[]) AS x(id, customer_id)`,
      [
        messages.map((m) => m.id),
        messages.map((m) => m.customerId),
        asOf,
        CAPPED_PURPOSES,
        FREQUENCY_CAP_HOURS,
      ],
    );
    for (const r of rows) if (r.last) out.set(r.id, new Date(r.last));
    return out;
  }
}
