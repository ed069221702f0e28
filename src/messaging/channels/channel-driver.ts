/**
 * One way out to customers. The dispatcher core (claim, lease, fence, sending rules, outcomes) knows channels
 * only through this interface; each channel (email, SMS, Telegram) is a driver.
 */
export interface ChannelDriver<M> {
  /** The channel's name, as consent and the outbox spell it. */
  readonly channel: string;
  /** Hands one message to the channel and says what became of it. Never throws: a failure is a result. */
  send(message: M, options?: SendOptions): Promise<SendResult>;
}

export interface SendOptions {
  /**
   * Called once the whole message has been handed over and before the act that completes it (for SMTP the
   * end of DATA, the `<CRLF>.<CRLF>` after which the server takes the message): the last moment a send can
   * still be called off without anything delivered. Rejecting aborts the send, which fails as temporary.
   */
  beforeEnd?: () => Promise<void>;
}

/**
 * What a send came to: accepted by the channel; a temporary failure (retried with back-off); a permanent
 * failure (failed, never retried, the contact point marked). `smtpCode` is the channel's numeric reply when it
 * gave one (SMTP's today, stored as message_attempt.smtp_code); `error` says why.
 */
export type SendResult =
  | {
      ok: true;
      response: string;
      /** The channel's own ids of what it accepted (SMPP message_id per part, Telegram message_id). */
      providerRefs?: string[];
    }
  | {
      ok: false;
      kind: 'temporary' | 'permanent';
      smtpCode: number | null;
      error: string;
      /** The channel asked to wait this long before the next try (Telegram 429 retry_after, SMPP throttling). */
      retryAfterMs?: number;
    };

/** An SMS as the SMS driver sends it: the whole text (the driver splits it into parts). */
export interface OutgoingSms {
  outboxId: string;
  /** E.164. */
  to: string;
  text: string;
}

/** A Telegram message as the Telegram driver sends it: text and URL buttons (booking, survey). */
export interface OutgoingTelegram {
  outboxId: string;
  chatId: string;
  text: string;
  buttons: { label: string; url: string }[];
}

/** The last_error text of a failed send (null when accepted). */
export function describeFailure(result: SendResult): string | null {
  if (result.ok) return null;
  return (result.smtpCode ? `${result.smtpCode} ${result.error}` : result.error).slice(0, 500);
}
