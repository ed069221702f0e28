import { AppConfig } from '../../config/app-config';
import { BookingLinks } from '../booking-links';
import { TelegramLinks } from './telegram/telegram-links';
import type { ApprovedMessage } from '../claim-approval';
import { TemplateRenderer, type RenderedEmail } from '../template-renderer';
import { UnsubscribeLinks } from '../unsubscribe-links';
import type { EmailDriver, OutgoingMail } from './email.driver';

export type ComposedEmail =
  { ok: true; rendered: RenderedEmail; mail: OutgoingMail } | { ok: false; error: string };

/**
 * An approved outbox message as an email: its template rendered in the customer's language, its sender, its
 * one-click unsubscribe headers, its booking link and any calendar invite.
 */
export class EmailComposer {
  constructor(
    private readonly config: AppConfig,
    private readonly driver: EmailDriver,
    private readonly renderer: TemplateRenderer,
    private readonly links: UnsubscribeLinks,
    private readonly bookingLinks: BookingLinks,
    private readonly telegramLinks?: TelegramLinks,
  ) {}

  /** `<outbox id@MAIL_FROM domain>`: the same on every retry, so that a receiver can drop a duplicate. */
  messageId(outboxId: string): string {
    return `<${outboxId}@${this.driver.domain}>`;
  }

  /** The email, or `ok: false` when its template cannot be rendered (a permanent failure, 'render_failed'). */
  async compose(approved: ApprovedMessage, asOf: Date): Promise<ComposedEmail> {
    const { message, messageId, language } = approved;
    const unsubscribeUrl = this.links.url(this.links.token(message.customer_id, message.purpose, asOf));
    const bookingUrl = await this.bookingLinks.linkFor(
      {
        messageId: message.id,
        kind: message.kind,
        customerId: message.customer_id,
        rooftopId: message.rooftop_id,
        vehicleId: message.vehicle_id,
        language,
        payload: message.payload ?? {},
        asOf,
      },
      message.booking_url,
    );
    // The footer offers Telegram to a customer whose chat is not linked yet (SPEC "Channels").
    const telegramUrl = message.telegram_chat_id
      ? null
      : ((await this.telegramLinks?.linkFor(message.customer_id, asOf))?.url ?? null);
    let rendered: RenderedEmail;
    try {
      rendered = this.renderer.render({
        kind: message.kind,
        language,
        unit: this.config.DISTANCE_UNIT,
        customer: { firstName: message.first_name, lastName: message.last_name },
        rooftop: {
          name: message.rooftop_name,
          address: message.address,
          phone: message.phone,
          bookingUrl: message.booking_url,
          timeZone: message.time_zone,
          currency: message.currency,
        },
        payload: message.payload ?? {},
        links: { unsubscribe: unsubscribeUrl, booking: bookingUrl, telegram: telegramUrl },
      });
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    const mail: OutgoingMail = {
      outboxId: message.id,
      messageId: messageId ?? this.messageId(message.id),
      from: message.sender_email
        ? { name: message.sender_name ?? message.rooftop_name, address: message.sender_email }
        : this.driver.defaultFrom,
      to: approved.to,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      headers: {
        'List-Unsubscribe': `<${unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
      calendar: calendarOf(message.payload),
    };
    return { ok: true, rendered, mail };
  }
}

/** A calendar invite the message carries (payload.calendar: { method, content }), sent as a text/calendar part. */
function calendarOf(
  payload: Record<string, unknown> | null,
): { method: string; content: string } | undefined {
  const calendar = payload?.calendar as { method?: unknown; content?: unknown } | undefined;
  return typeof calendar?.method === 'string' && typeof calendar.content === 'string'
    ? { method: calendar.method, content: calendar.content }
    : undefined;
}
