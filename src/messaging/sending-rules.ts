import { Injectable, Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { EntityManager } from 'typeorm';
import type { Channel } from '../common/channels';
import { consentDecisions, consentKey } from '../customers/consent-decisions';
import { channelOrder, chooseChannel, type ContactFacts } from './channel-choice';
import type { MessagePurpose, Purpose } from './outbox.service';

/** The outbox row as the rules (and the registered hooks) see it. */
export interface RuleMessage {
  id: string;
  customerId: string;
  rooftopId: string;
  vehicleId: string | null;
  kind: string;
  purpose: MessagePurpose;
  payload: Record<string, unknown>;
  /** Channels this message already failed on permanently (never tried again). */
  failedChannels?: string[];
  /** A channel staff asked for when retrying it (tried first). */
  requestedChannel?: Channel | null;
}

export interface RuleContext {
  customer: ContactFacts & { erasedAt: Date | null };
  /** `channelOrder`: the rooftop's order (default telegram, sms, email). */
  rooftop: { timeZone: string; sendWindowStart: string; sendWindowEnd: string; channelOrder?: string[] };
  /** The channels the caller can send on (all when not said). */
  available?: readonly Channel[];
}

/**
 * `send` names the channel and address of the attempt and the usable channels after it; `fail` is a message
 * that already failed permanently on a channel and has no other usable one (it stays failed, last failure kept).
 */
export type RuleDecision =
  | { action: 'send'; channel: Channel; to: string; fallbacks: Channel[] }
  | { action: 'fail' }
  | { action: 'suppress'; reason: string }
  | { action: 'defer'; until: Date; reason: string };

/** A registered check (contract C3): returns a suppression reason, or null to let the message through. */
export type SuppressionHook = (manager: EntityManager, message: RuleMessage) => Promise<string | null>;

/**
 * SPEC: at most one reminder, follow-up or marketing message per customer per 72 hours, whatever its channel;
 * surveys not counted.
 */
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
 * is sent, in this order: the channel (the first in the customer's order with a usable contact point and
 * consent for the purpose on it; see channel-choice.ts) → registered hooks → sending window → frequency cap. Suppressions are final (kept with the reason); deferrals move the message to a later time.
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
   * The rules for a claimed batch, in claim order, with two set-based queries (customers' consent decision per
   * customer, purpose and channel; last capped message per customer) instead of two per message. Two capped
   * messages of one customer in the same batch are counted against each other: the first that passes holds the
   * cap (as an in-flight send at asOf) and the later ones are deferred. The caller holds the advisory locks of
   * every customer in the batch, so no other worker can pass the cap check for them meanwhile.
   */
  async evaluateBatch(
    manager: EntityManager,
    items: { message: RuleMessage; ctx: RuleContext }[],
    asOf: Date,
  ): Promise<RuleDecision[]> {
    if (items.length === 0) return [];
    const orders = items.map(({ message: m, ctx }) =>
      channelOrder(
        ctx.rooftop.channelOrder,
        ctx.customer.preferredChannel,
        m.failedChannels,
        m.requestedChannel ?? null,
        ctx.available,
      ),
    );
    const consent = await consentDecisions(
      manager,
      items.flatMap(({ message: m }, k) =>
        m.purpose === 'transactional'
          ? []
          : orders[k].map((channel) => ({
              customerId: m.customerId,
              purpose: m.purpose as Purpose,
              channel,
            })),
      ),
    );
    const capped = await this.lastCappedMessages(
      manager,
      items.map((i) => i.message).filter((m) => CAPPED_PURPOSES.includes(m.purpose)),
      asOf,
    );
    const windows = new Map<string, Date | null>();
    const heldInBatch = new Set<string>();
    const decisions: RuleDecision[] = [];
    for (const [k, { message, ctx }] of items.entries()) {
      const decision = await this.decide(manager, message, ctx, asOf, {
        order: orders[k],
        consentOn: (channel) =>
          message.purpose === 'transactional' ||
          consent.get(consentKey(message.customerId, message.purpose, channel)) === true,
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
    /** `consentOn`: customers' decision for the message's purpose on a channel (always true for transactional). */
    facts: {
      order: Channel[];
      consentOn: (channel: Channel) => boolean;
      lastCapped: Date | null;
      windows: Map<string, Date | null>;
    },
  ): Promise<RuleDecision> {
    const choice = chooseChannel(
      facts.order,
      { ...ctx.customer, erased: ctx.customer.erasedAt !== null },
      message.purpose,
      facts.consentOn,
    );
    if (!choice.usable) {
      // Fallback found no other channel: the message stays failed with its last failure.
      if (message.failedChannels?.length && !ctx.customer.erasedAt) return { action: 'fail' };
      return { action: 'suppress', reason: choice.reason };
    }
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
    // Quiet hours hold on every channel (they matter more on a phone).
    if (opens) return { action: 'defer', until: opens, reason: 'quiet_hours' };
    if (CAPPED_PURPOSES.includes(message.purpose) && facts.lastCapped) {
      return {
        action: 'defer',
        until: new Date(facts.lastCapped.getTime() + FREQUENCY_CAP_HOURS * 3_600_000),
        reason: 'frequency_cap',
      };
    }
    return { action: 'send', channel: choice.channel, to: choice.to, fallbacks: choice.fallbacks };
  }

  /**
   * Per message id, the last capped message to its customer within the cap, on any channel (the cap counts
   * every channel): one sent in the last 72 h, or one that a worker has cleared and is sending right now
   * (approved_fence = fence; it counts as sent at asOf).
   */
  private async lastCappedMessages(
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
