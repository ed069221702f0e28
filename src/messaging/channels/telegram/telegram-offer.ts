import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../common/clock';
import { escapeHtml } from '../../../common/http/html';
import { TelegramLinks } from './telegram-links';
import { telegramTexts } from './telegram-texts';

/** The deep link offered to a customer, with its label and the opt-in wording in their language. */
export interface TelegramOffer {
  url: string;
  label: string;
  wording: string;
}

/**
 * The Telegram opt-in offered on the customer's public pages (survey thank-you, booking confirmation): only to
 * a customer whose chat is not linked yet, and only when a bot is configured.
 */
@Injectable()
export class TelegramOffers {
  private readonly logger = new Logger('TelegramOffers');

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly links: TelegramLinks,
  ) {}

  async offerFor(customerId: string | null | undefined): Promise<TelegramOffer | null> {
    if (!customerId) return null;
    try {
      const rows: { language: string; rooftopName: string; linked: boolean }[] = await this.db.query(
        `SELECT c.language, r.name AS "rooftopName", c.telegram_chat_id IS NOT NULL AS linked
           FROM customer c JOIN rooftop r ON r.id = c.home_rooftop_id
          WHERE c.id = $1 AND c.erased_at IS NULL`,
        [customerId],
      );
      const customer = rows[0];
      if (!customer || customer.linked) return null;
      const link = await this.links.linkFor(customerId, this.clock.now());
      if (!link) return null;
      const texts = telegramTexts(customer.language);
      return { url: link.url, label: texts.linkLabel, wording: texts.optIn(customer.rooftopName) };
    } catch (e) {
      // An offer is a convenience: a page never fails because of it.
      this.logger.warn({ msg: 'no telegram offer', error: e instanceof Error ? e.message : String(e) });
      return null;
    }
  }
}

/** The offer as a paragraph of a public page ('' without one). */
export function telegramOfferHtml(offer: TelegramOffer | null): string {
  if (!offer) return '';
  return `<p class="telegram" id="telegram-offer"><a href="${escapeHtml(offer.url)}">${escapeHtml(offer.label)}</a><br><small>${escapeHtml(offer.wording)}</small></p>`;
}
