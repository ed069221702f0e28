import { Injectable } from '@nestjs/common';
import { BookingLinks } from '../booking-links';
import type { ApprovedMessage } from '../claim-approval';
import { ShortLinks } from '../short-links';
import { ShortTextRenderer, smsText, type RenderedShortText } from '../templates/short-text-renderer';
import { UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS, UnsubscribeLinks } from '../unsubscribe-links';
import type { OutgoingSms, OutgoingTelegram } from './channel-driver';

export type ComposedSms = { ok: true; message: OutgoingSms } | { ok: false; error: string };
export type ComposedTelegram = { ok: true; message: OutgoingTelegram } | { ok: false; error: string };

const DAY_MS = 86_400_000;
/** A booking link is signed for 60 days (appointments' booking-links.provider); its short link lives as long. */
const BOOKING_LINK_DAYS = 60;
/** A survey answers for 30 days (SPEC); the invitation's payload says when exactly. */
const SURVEY_LINK_DAYS = 30;

/**
 * An approved outbox message as a short text (SMS, Telegram): the short form of its kind in the customer's
 * language, with its one link — as a short link in an SMS (a signed link does not fit two parts), as a URL
 * button with the full link on Telegram. The links come from the same builders as the email's.
 */
@Injectable()
export class ShortTextComposer {
  constructor(
    private readonly renderer: ShortTextRenderer,
    private readonly unsubscribeLinks: UnsubscribeLinks,
    private readonly bookingLinks: BookingLinks,
    private readonly shortLinks: ShortLinks,
  ) {}

  /**
   * The SMS: text, then the link's words and its short link. `ok: false` when the kind has no short form (a
   * permanent failure); a database error while storing the short link throws (the dispatcher hands the claim back).
   */
  async composeSms(approved: ApprovedMessage, asOf: Date): Promise<ComposedSms> {
    const to = approved.to;
    if (!to) return { ok: false, error: 'no phone number for SMS' };
    const prepared = await this.prepare(approved, asOf);
    if (!prepared.ok) return prepared;
    const { short, target } = prepared;
    const code =
      target && short.cta ? await this.shortLinks.shorten(target.url, asOf, target.expiresAt) : null;
    const text = smsText(short, code ? this.shortLinks.url(code) : null);
    return { ok: true, message: { outboxId: approved.message.id, to, text } };
  }

  /** The Telegram message: the text, and its link as a URL button (full link) with a label in the language. */
  async composeTelegram(approved: ApprovedMessage, asOf: Date): Promise<ComposedTelegram> {
    const chatId = approved.to;
    if (!chatId) return { ok: false, error: 'no Telegram chat' };
    const prepared = await this.prepare(approved, asOf);
    if (!prepared.ok) return prepared;
    const { short, target } = prepared;
    const buttons = target && short.button ? [{ label: short.button, url: target.url }] : [];
    return { ok: true, message: { outboxId: approved.message.id, chatId, text: short.text, buttons } };
  }

  private async prepare(
    approved: ApprovedMessage,
    asOf: Date,
  ): Promise<
    | { ok: true; short: RenderedShortText; target: { url: string; expiresAt: Date } | null }
    | { ok: false; error: string }
  > {
    const { message, language } = approved;
    const payload = message.payload ?? {};
    let short: RenderedShortText;
    try {
      short = this.renderer.render({
        kind: message.kind,
        language,
        customer: { firstName: message.first_name },
        rooftop: { name: message.rooftop_name, phone: message.phone, timeZone: message.time_zone },
        payload,
      });
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    return { ok: true, short, target: await this.target(approved, short, asOf) };
  }

  /** The full link of the kind's one link (null when there is none to give). */
  private async target(
    { message, language }: ApprovedMessage,
    short: RenderedShortText,
    asOf: Date,
  ): Promise<{ url: string; expiresAt: Date } | null> {
    const payload = message.payload ?? {};
    switch (short.link) {
      case 'none':
        return null;
      case 'booking': {
        const url = await this.bookingLinks.linkFor(
          {
            messageId: message.id,
            kind: message.kind,
            customerId: message.customer_id,
            rooftopId: message.rooftop_id,
            vehicleId: message.vehicle_id,
            language,
            payload,
            asOf,
          },
          message.booking_url,
        );
        return url ? { url, expiresAt: new Date(asOf.getTime() + BOOKING_LINK_DAYS * DAY_MS) } : null;
      }
      case 'survey': {
        if (typeof payload.surveyUrl !== 'string' || !payload.surveyUrl) return null;
        const until = typeof payload.expiresAt === 'string' ? new Date(payload.expiresAt) : null;
        const expiresAt =
          until && !Number.isNaN(until.getTime()) && until > asOf
            ? until
            : new Date(asOf.getTime() + SURVEY_LINK_DAYS * DAY_MS);
        return { url: payload.surveyUrl, expiresAt };
      }
      case 'unsubscribe': {
        const token = this.unsubscribeLinks.token(message.customer_id, message.purpose, asOf);
        return {
          url: this.unsubscribeLinks.url(token),
          expiresAt: new Date(asOf.getTime() + UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS * DAY_MS),
        };
      }
    }
  }
}
