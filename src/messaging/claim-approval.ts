import { EntityManager } from 'typeorm';
import { isChannel, type Channel } from '../common/channels';
import { LANGUAGES, type Language } from '../config/app-config';
import type { Checked } from './dispatch-pipeline';
import type { Claim, ClaimDecision, LoadedMessage, OutboxClaimsRepository } from './outbox-claims.repository';
import { SendingRules, type RuleContext, type RuleMessage } from './sending-rules';

/** A claim the sending rules let through, with what its send needs: the channel and the address on it. */
export interface ApprovedMessage {
  message: LoadedMessage;
  /** The email Message-ID (the same on every retry); null on the other channels. */
  messageId: string | null;
  language: Language;
  channel: Channel;
  /** Email address, E.164 phone or Telegram chat id. */
  to: string;
}

/**
 * Checks the sending rules for a claimed batch, in one short transaction: the advisory locks of its customers
 * (in a fixed order), the row locks with each fence re-checked, the rules set-based, and one statement writing
 * every decision. Suppressions and deferrals release the claim without consuming an attempt; approvals keep the
 * lease and mark the row as an in-flight send.
 */
export class ClaimApproval {
  constructor(
    private readonly claims: OutboxClaimsRepository,
    private readonly rules: SendingRules,
    private readonly defaultLanguage: () => Language,
    /** The email Message-ID of a message (the same on every retry). */
    private readonly messageIdOf: (outboxId: string) => string,
    /** The channels the dispatcher has a driver for: the choice is made among these. */
    private readonly available: readonly Channel[] = ['email'],
  ) {}

  /** One answer per claim, in claim order; a claim no longer held (a newer fence) is 'lost'. */
  approveAll(claims: Claim[], asOf: Date): Promise<Checked<ApprovedMessage>[]> {
    return this.claims.withLockedBatch(
      claims.map((c) => c.id),
      async (manager, loaded) => {
        const byId = new Map(loaded.map((m) => [m.id, m]));
        const held = claims.filter((claim) => {
          const m = byId.get(claim.id);
          return m && m.status === 'sending' && Number(m.fence) === claim.fence;
        });
        const decisions = await this.decide(manager, held, byId, asOf);
        await this.claims.recordDecisions(manager, decisions, asOf);
        const results = new Map<string, Checked<ApprovedMessage>>();
        for (const d of decisions) {
          if (d.action === 'send') {
            const message = byId.get(d.claim.id)!;
            const { messageId, language, channel, to } = d;
            results.set(d.claim.id, {
              outcome: 'approved',
              approved: { message, messageId, language, channel, to },
            });
          } else
            results.set(d.claim.id, {
              outcome: d.action === 'suppress' ? 'suppressed' : d.action === 'fail' ? 'failed' : 'deferred',
            });
        }
        return claims.map((claim) => results.get(claim.id) ?? { outcome: 'lost' as const });
      },
    );
  }

  /** The sending rules for the held claims, in claim order. */
  private async decide(
    manager: EntityManager,
    held: Claim[],
    byId: Map<string, LoadedMessage>,
    asOf: Date,
  ): Promise<ClaimDecision[]> {
    const verdicts = await this.rules.evaluateBatch(
      manager,
      held.map((claim) => ruleInput(byId.get(claim.id)!, this.available)),
      asOf,
    );
    return held.map((claim, k): ClaimDecision => {
      const verdict = verdicts[k];
      const m = byId.get(claim.id)!;
      if (verdict.action === 'send') {
        const language: Language = (LANGUAGES as readonly string[]).includes(m.customer_language)
          ? (m.customer_language as Language)
          : this.defaultLanguage();
        return {
          claim,
          action: 'send',
          channel: verdict.channel,
          messageId: verdict.channel === 'email' ? this.messageIdOf(m.id) : null,
          to: verdict.to,
          language,
          fallbacks: verdict.fallbacks,
        };
      }
      return { claim, ...verdict };
    });
  }
}

function ruleInput(
  m: LoadedMessage,
  available: readonly Channel[],
): { message: RuleMessage; ctx: RuleContext } {
  return {
    message: {
      id: m.id,
      customerId: m.customer_id,
      rooftopId: m.rooftop_id,
      vehicleId: m.vehicle_id,
      kind: m.kind,
      purpose: m.purpose,
      payload: m.payload ?? {},
      failedChannels: m.failed_channels ?? [],
      requestedChannel: isChannel(m.requested_channel) ? m.requested_channel : null,
    },
    ctx: {
      customer: {
        email: m.email,
        erasedAt: m.erased_at,
        emailBouncing: m.email_bouncing,
        phone: m.customer_phone,
        phoneUndeliverable: m.phone_undeliverable,
        telegramChatId: m.telegram_chat_id,
        telegramBlocked: m.telegram_blocked,
        preferredChannel: isChannel(m.preferred_channel) ? m.preferred_channel : null,
      },
      rooftop: {
        timeZone: m.time_zone,
        sendWindowStart: m.send_window_start,
        sendWindowEnd: m.send_window_end,
        channelOrder: m.channel_order,
      },
      available,
    },
  };
}
