import { Injectable, Logger } from '@nestjs/common';
import type { Update } from 'grammy/types';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../../../common/clock';
import { DomainEvents } from '../../../common/domain-events';
import { PURPOSES, type Purpose } from '../../../customers/consent-rules';
import { ConsentsService } from '../../../customers/consents.service';
import { ContactPointsService } from '../../../customers/contact-points.service';
import { TelegramLinks } from './telegram-links';
import { telegramTexts } from './telegram-texts';
import { TelegramDriver } from './telegram.driver';

/** The relationship purposes a /start grants on Telegram (SPEC "Consent": marketing needs its own opt-in). */
const START_PURPOSES: Purpose[] = ['service_reminders', 'follow_ups', 'surveys'];

const START = /^\/start(?:@\w+)?(?:\s+(\S+))?\s*$/;
const STOP = /^\/stop(?:@\w+)?\s*$/i;

/** What to answer once the update's transaction has committed. */
type Answer = { kind: 'message'; chatId: number; text: string } | { kind: 'callback'; id: string };

export type UpdateOutcome = 'duplicate' | 'linked' | 'invalid_link' | 'stopped' | 'received' | 'ignored';

/**
 * Telegram updates, however they arrive (webhook or long polling): each is acted on once across instances —
 * its update_id goes into telegram_update in the same transaction as its effects, so a second delivery finds
 * it there and does nothing. Answers to the customer go out after the commit (an answer never speaks for an
 * effect that rolled back).
 */
@Injectable()
export class TelegramUpdatesService {
  private readonly logger = new Logger('TelegramUpdates');

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
    private readonly consents: ConsentsService,
    private readonly contacts: ContactPointsService,
    private readonly links: TelegramLinks,
    private readonly driver: TelegramDriver,
  ) {}

  async handle(update: Update): Promise<UpdateOutcome> {
    const answers: Answer[] = [];
    const outcome = await this.db.transaction(async (m) => {
      const now = this.clock.now();
      const rows: { update_id: string }[] = await m.query(
        `INSERT INTO telegram_update (update_id, received_at) VALUES ($1, $2)
         ON CONFLICT (update_id) DO NOTHING RETURNING update_id`,
        [update.update_id, now],
      );
      if (rows.length === 0) return 'duplicate' as const;
      return this.act(m, update, now, answers);
    });
    for (const answer of answers) await this.answer(answer);
    this.logger.debug({ msg: 'telegram update', updateId: update.update_id, outcome });
    return outcome;
  }

  private async act(m: EntityManager, update: Update, now: Date, answers: Answer[]): Promise<UpdateOutcome> {
    if (typeof update.callback_query?.id === 'string') {
      // Buttons are URL buttons; a stray callback only needs its spinner stopped.
      answers.push({ kind: 'callback', id: update.callback_query.id });
      return 'ignored';
    }
    const message = update.message;
    // Private chats only: a group is never a customer's contact point.
    if (
      !message ||
      typeof message.chat?.id !== 'number' ||
      message.chat.type !== 'private' ||
      typeof message.text !== 'string'
    )
      return 'ignored';
    const chatId = message.chat.id;
    const text = message.text;
    const fromLanguage = message.from?.language_code;

    const start = START.exec(text.trim());
    if (start) {
      const token = start[1];
      if (!token) {
        answers.push({ kind: 'message', chatId, text: telegramTexts(fromLanguage).hello });
        return 'ignored';
      }
      return this.start(m, chatId, token, fromLanguage, now, answers);
    }
    if (STOP.test(text.trim())) return this.stop(m, chatId, fromLanguage, now, answers);

    await this.events.emit(m, 'message.received', {
      channel: 'telegram',
      providerRef: String(update.update_id),
      sender: String(chatId),
      text,
      receivedAt: now,
    });
    return 'received';
  }

  /** `/start <token>`: link the chat and record consent with the wording shown beside the link. */
  private async start(
    m: EntityManager,
    chatId: number,
    token: string,
    fromLanguage: string | undefined,
    now: Date,
    answers: Answer[],
  ): Promise<UpdateOutcome> {
    const claim = this.links.verify(token, now);
    const customer = claim.ok ? await this.customerOf(m, claim.customerId) : null;
    if (!claim.ok || !customer || !(await this.contacts.linkTelegram(m, customer.id, String(chatId), now))) {
      answers.push({ kind: 'message', chatId, text: telegramTexts(fromLanguage).invalidLink });
      return 'invalid_link';
    }
    const texts = telegramTexts(customer.language);
    const wording = texts.optIn(customer.rooftopName);
    for (const purpose of START_PURPOSES) {
      await this.consents.record(m, {
        customerId: customer.id,
        purpose,
        channel: 'telegram',
        granted: true,
        source: 'telegram_start',
        wording,
        actor: null,
      });
    }
    answers.push({ kind: 'message', chatId, text: texts.linked(customer.rooftopName) });
    return 'linked';
  }

  /** `/stop`: withdraw Telegram consent for every purpose and unlink the chat. */
  private async stop(
    m: EntityManager,
    chatId: number,
    fromLanguage: string | undefined,
    now: Date,
    answers: Answer[],
  ): Promise<UpdateOutcome> {
    const owner = await this.contacts.findByTelegramChat(m, String(chatId));
    if (!owner) {
      answers.push({ kind: 'message', chatId, text: telegramTexts(fromLanguage).notLinked });
      return 'ignored';
    }
    for (const purpose of PURPOSES) {
      await this.consents.record(m, {
        customerId: owner.id,
        purpose,
        channel: 'telegram',
        granted: false,
        source: 'telegram_stop',
        wording: '/stop',
        actor: null,
      });
    }
    await this.contacts.unlinkTelegram(m, String(chatId));
    this.logger.log({ msg: 'telegram chat unlinked by /stop', customerId: owner.id, at: now.toISOString() });
    answers.push({ kind: 'message', chatId, text: telegramTexts(owner.language).stopped });
    return 'stopped';
  }

  /** The customer a token names, with what the answer needs (read, not written: customers own the row). */
  private async customerOf(
    m: EntityManager,
    customerId: string,
  ): Promise<{ id: string; language: string; rooftopName: string } | null> {
    const rows: { id: string; language: string; rooftopName: string }[] = await m.query(
      `SELECT c.id, c.language, r.name AS "rooftopName"
         FROM customer c JOIN rooftop r ON r.id = c.home_rooftop_id
        WHERE c.id = $1 AND c.erased_at IS NULL`,
      [customerId],
    );
    return rows[0] ?? null;
  }

  /** An answer that fails is logged and dropped: the update's effects are committed either way. */
  private async answer(answer: Answer): Promise<void> {
    try {
      if (answer.kind === 'callback') await this.driver.api.answerCallbackQuery(answer.id);
      else
        await this.driver.api.sendMessage(answer.chatId, answer.text, {
          link_preview_options: { is_disabled: true },
        });
    } catch (e) {
      this.logger.warn({
        msg: 'telegram answer failed',
        kind: answer.kind,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }
}
