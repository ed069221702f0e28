import { Injectable, Logger } from '@nestjs/common';
import { Api, GrammyError, HttpError } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '../../../config/app-config';
import type { ChannelDriver, OutgoingTelegram, SendOptions, SendResult } from '../channel-driver';

/** Well inside the 60 s claim lease: a hung request fails as temporary before the claim expires. */
const REQUEST_TIMEOUT_SECONDS = 30;

/**
 * The Telegram channel (SPEC "Channels"): the Bot API through grammY's client, at TELEGRAM_API_URL.
 * Without TELEGRAM_BOT_TOKEN (development) each message is written to `<DATA_DIR>/telegram/<outbox id>.json`.
 * The token is part of every request URL: grammY keeps it out of its error messages, and so do we.
 */
@Injectable()
export class TelegramDriver implements ChannelDriver<OutgoingTelegram> {
  readonly channel = 'telegram';
  private readonly logger = new Logger('TelegramDriver');
  private client: Api | null = null;

  constructor(private readonly config: AppConfig) {}

  get mode(): 'bot-api' | 'file' {
    return this.config.TELEGRAM_BOT_TOKEN ? 'bot-api' : 'file';
  }

  /** The Bot API client (also used by the updates side: replies, getUpdates, webhooks). */
  get api(): Api {
    if (!this.config.TELEGRAM_BOT_TOKEN) throw new Error('TELEGRAM_BOT_TOKEN is not set');
    this.client ??= new Api(this.config.TELEGRAM_BOT_TOKEN, {
      apiRoot: this.config.TELEGRAM_API_URL.replace(/\/+$/, ''),
      timeoutSeconds: REQUEST_TIMEOUT_SECONDS,
    });
    return this.client;
  }

  async send(message: OutgoingTelegram, options: SendOptions = {}): Promise<SendResult> {
    const replyMarkup = keyboard(message.buttons);
    try {
      if (this.mode === 'file') return await this.writeFile(message, replyMarkup, options);
      // The last moment the send can be called off: after this the request is on its way.
      await options.beforeEnd?.();
      const sent = await this.api.sendMessage(message.chatId, message.text, {
        ...(replyMarkup ? { reply_markup: replyMarkup } : {}),
        link_preview_options: { is_disabled: true },
      });
      return { ok: true, response: 'sent', providerRefs: [String(sent.message_id)] };
    } catch (e) {
      return classifyTelegram(e);
    }
  }

  private async writeFile(
    message: OutgoingTelegram,
    replyMarkup: InlineKeyboardMarkup | undefined,
    options: SendOptions,
  ): Promise<SendResult> {
    const body = JSON.stringify(
      {
        method: 'sendMessage',
        chat_id: message.chatId,
        text: message.text,
        ...(replyMarkup ? { reply_markup: replyMarkup } : {}),
      },
      null,
      2,
    );
    await options.beforeEnd?.();
    fs.mkdirSync(this.config.telegramDir, { recursive: true });
    const file = path.join(this.config.telegramDir, `${message.outboxId}.json`);
    // Written whole then renamed, so a reader never sees half a message.
    fs.writeFileSync(`${file}.tmp`, body);
    fs.renameSync(`${file}.tmp`, file);
    this.logger.debug({ msg: 'telegram message written to file', outboxId: message.outboxId });
    return { ok: true, response: `written ${path.basename(file)}` };
  }
}

/** One URL button a row: they read well on a phone. */
function keyboard(buttons: OutgoingTelegram['buttons']): InlineKeyboardMarkup | undefined {
  if (buttons.length === 0) return undefined;
  return { inline_keyboard: buttons.map((b) => [{ text: b.label, url: b.url }]) };
}

/**
 * What a Bot API failure means for the message: 429 → temporary, after `retry_after` seconds; 403 (the user
 * blocked the bot, or the account is deactivated) and 400 (chat not found, bad request) → permanent; 5xx, a
 * network error or a timeout → temporary. `smtpCode` carries Telegram's error_code.
 */
export function classifyTelegram(e: unknown): SendResult {
  if (e instanceof GrammyError) {
    const code = e.error_code;
    const error = e.description.slice(0, 500);
    if (code === 429) {
      const retryAfter = e.parameters?.retry_after;
      return {
        ok: false,
        kind: 'temporary',
        smtpCode: code,
        error,
        ...(typeof retryAfter === 'number' ? { retryAfterMs: retryAfter * 1000 } : {}),
      };
    }
    if (code >= 500) return { ok: false, kind: 'temporary', smtpCode: code, error };
    // 400 chat not found / bad request, 403 blocked or deactivated, 404: sending again cannot help.
    return { ok: false, kind: 'permanent', smtpCode: code, error };
  }
  if (e instanceof HttpError) {
    return { ok: false, kind: 'temporary', smtpCode: null, error: e.message.slice(0, 500) };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { ok: false, kind: 'temporary', smtpCode: null, error: message.slice(0, 500) };
}
