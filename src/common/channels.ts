/** The ways out to customers (SPEC "Channels: email, SMS, Telegram"), as consent and the outbox spell them. */
export const CHANNELS = ['email', 'sms', 'telegram'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The order a rooftop tries channels in until it says otherwise. */
export const DEFAULT_CHANNEL_ORDER: readonly Channel[] = ['telegram', 'sms', 'email'];

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}
