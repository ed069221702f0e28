import { DEFAULT_CHANNEL_ORDER, isChannel, type Channel } from '../common/channels';

/** A customer's contact points as the channel choice sees them (SPEC "Channels: email, SMS, Telegram"). */
export interface ContactFacts {
  email: string | null;
  emailBouncing: boolean;
  phone?: string | null;
  phoneUndeliverable?: boolean;
  telegramChatId?: string | null;
  telegramBlocked?: boolean;
  preferredChannel?: Channel | null;
}

/** Why a channel cannot carry a message: no contact point, a marked one, or no consent on that channel. */
export type ChannelBlock = 'absent' | 'marked' | 'no_consent';

/**
 * The order channels are tried in for one message: a channel staff asked for on retry, then the customer's
 * preferred channel, then the rooftop's order; channels that already failed permanently for this message are
 * left out (a message is never sent twice on one channel).
 */
export function channelOrder(
  rooftopOrder: readonly string[] | null | undefined,
  preferred: Channel | null | undefined,
  failed: readonly string[] = [],
  requested: Channel | null = null,
  /** The channels there is a driver for (all when not said). */
  available?: readonly Channel[],
): Channel[] {
  const order = [requested, preferred, ...(rooftopOrder?.length ? rooftopOrder : DEFAULT_CHANNEL_ORDER)];
  const out: Channel[] = [];
  for (const c of order)
    if (isChannel(c) && !out.includes(c) && !failed.includes(c) && (!available || available.includes(c)))
      out.push(c);
  return out;
}

/** The address a channel sends to (email address, E.164 phone, chat id), or why there is none to use. */
export function contactOn(
  channel: Channel,
  facts: ContactFacts,
): { to: string } | { block: 'absent' | 'marked'; reason: string } {
  switch (channel) {
    case 'email':
      if (!facts.email) return { block: 'absent', reason: 'no_email_address' };
      if (facts.emailBouncing) return { block: 'marked', reason: 'email_bouncing' };
      return { to: facts.email };
    case 'sms':
      if (!facts.phone) return { block: 'absent', reason: 'no_phone' };
      if (facts.phoneUndeliverable) return { block: 'marked', reason: 'phone_undeliverable' };
      return { to: facts.phone };
    case 'telegram':
      if (!facts.telegramChatId) return { block: 'absent', reason: 'no_telegram_chat' };
      if (facts.telegramBlocked) return { block: 'marked', reason: 'telegram_blocked' };
      return { to: String(facts.telegramChatId) };
  }
}

export type ChannelChoice =
  { usable: true; channel: Channel; to: string; fallbacks: Channel[] } | { usable: false; reason: string };

/**
 * The first usable channel of `order` (a contact point that is not marked, and consent for the purpose on
 * that channel), with the usable ones after it as fallbacks. When none is usable, one reason, chosen so that
 * an email-only customer reads as before channels existed: no consent on any channel →
 * `no_consent:<purpose>`; erased → `customer_erased`; else the first channel (in order) that has a contact
 * point but may not use it (`no_consent:<purpose>`, `email_bouncing`, `phone_undeliverable`,
 * `telegram_blocked`); else, with no contact point at all, `no_email_address` when email was a candidate,
 * `no_channel` otherwise.
 */
export function chooseChannel(
  order: Channel[],
  facts: ContactFacts & { erased: boolean },
  purpose: string,
  consentOn: (channel: Channel) => boolean,
): ChannelChoice {
  const states = order.map((channel) => {
    const contact = contactOn(channel, facts);
    const consent = consentOn(channel);
    return { channel, contact, consent };
  });
  if (!facts.erased) {
    const usable = states.filter((s) => s.consent && 'to' in s.contact);
    if (usable.length > 0) {
      const [first, ...rest] = usable;
      return {
        usable: true,
        channel: first.channel,
        to: (first.contact as { to: string }).to,
        fallbacks: rest.map((s) => s.channel),
      };
    }
  }
  const noConsent = `no_consent:${purpose}`;
  if (states.length > 0 && states.every((s) => !s.consent)) return { usable: false, reason: noConsent };
  if (facts.erased) return { usable: false, reason: 'customer_erased' };
  for (const s of states) {
    if ('to' in s.contact || s.contact.block === 'marked') {
      // Consent is checked before the mark, as the email rules always were.
      return { usable: false, reason: s.consent ? (s.contact as { reason: string }).reason : noConsent };
    }
  }
  return { usable: false, reason: order.includes('email') ? 'no_email_address' : 'no_channel' };
}
