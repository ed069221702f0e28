import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InlineKeyboardMarkup, Update } from 'grammy/types';

/**
 * A local stand-in for the Telegram Bot API (https://core.telegram.org/bots/api), speaking the methods the app
 * uses — getMe, sendMessage, setWebhook, deleteWebhook, getUpdates (long polling), answerCallbackQuery — with
 * Telegram's JSON shapes: `{ ok: true, result }` or `{ ok: false, error_code, description, parameters }`. The app
 * reaches it with its real client (grammY, `apiRoot` = TELEGRAM_API_URL). Tests drive it: 429s with
 * retry_after, blocked chats (403), updates queued for getUpdates or posted to the webhook.
 */
export interface SentMessage {
  message_id: number;
  chat_id: string;
  text: string;
  reply_markup?: InlineKeyboardMarkup;
  at: number;
}

interface ApiFailure {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
}

interface Waiter {
  offset: number;
  limit: number;
  respond: (updates: Update[]) => void;
}

export const BOT = { id: 7_000_000_001, username: 'dealer_crm_test_bot', first_name: 'Dealer CRM' };

export class TelegramBotApi {
  readonly sent: SentMessage[] = [];
  /** Every sendMessage, with the error_code it got (200 when sent). */
  readonly attempts: { chat_id: string; status: number }[] = [];
  readonly answeredCallbacks: string[] = [];
  readonly calls: { method: string; at: number }[] = [];
  webhook: { url: string; secret_token?: string; allowed_updates?: string[] } | null = null;
  private server: http.Server | null = null;
  private nextMessageId = 1;
  private nextUpdateId = 100_000;
  private queue: Update[] = [];
  private waiters: Waiter[] = [];
  private throttle = { count: 0, retryAfter: 0 };
  private readonly blocked = new Set<string>();
  private readonly missing = new Set<string>();
  private serverErrors = 0;
  /** Telegram is having an incident: every method answers 502. */
  down = false;
  /** Answers a successful sendMessage this much later (the message is already taken): a slow Bot API. */
  replyDelayMs = 0;
  /** Slows every sendMessage (for benchmarks of a remote-ish server); 0 by default. */
  sendDelayMs = 0;
  /** Keeps only a count of sent messages beyond the first `keep` (benchmarks: no growing array). */
  countOnly = false;
  keep = 0;
  sentCount = 0;

  constructor(readonly token: string) {}

  /** The TELEGRAM_API_URL to give the app. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('the stand-in is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => void this.route(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this.url;
  }

  async close(): Promise<void> {
    for (const w of this.waiters.splice(0)) w.respond([]);
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `count` sendMessage calls answer 429 with `retry_after` seconds. */
  throttleNext(count: number, retryAfterSeconds: number): void {
    this.throttle = { count, retryAfter: retryAfterSeconds };
  }

  /** The user of this chat blocked the bot: sendMessage answers 403. */
  block(chatId: string | number): void {
    this.blocked.add(String(chatId));
  }

  /** A chat that never started the bot (or does not exist): sendMessage answers 400 "chat not found". */
  chatNotFound(chatId: string | number): void {
    this.missing.add(String(chatId));
  }

  /** The next `count` sendMessage calls answer 502 (Telegram's "Bad Gateway" during its incidents). */
  failNext(count: number): void {
    this.serverErrors = count;
  }

  sentTo(chatId: string | number): SentMessage[] {
    return this.sent.filter((m) => m.chat_id === String(chatId));
  }

  /** A private-chat text message as Telegram delivers it (the chat id is the user's id). */
  textUpdate(chatId: number, text: string, from: { languageCode?: string; firstName?: string } = {}): Update {
    const update_id = this.nextUpdateId++;
    const user = {
      id: chatId,
      is_bot: false,
      first_name: from.firstName ?? 'Customer',
      ...(from.languageCode ? { language_code: from.languageCode } : {}),
    };
    const entities = text.startsWith('/')
      ? [{ type: 'bot_command' as const, offset: 0, length: text.split(/\s/, 1)[0].length }]
      : undefined;
    const update: Update = {
      update_id,
      message: {
        message_id: update_id,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'private', first_name: user.first_name },
        from: user,
        text,
        ...(entities ? { entities } : {}),
      },
    };
    return update;
  }

  callbackUpdate(chatId: number, data: string): Update {
    const update_id = this.nextUpdateId++;
    const update: Update = {
      update_id,
      callback_query: {
        id: `cb${update_id}`,
        from: { id: chatId, is_bot: false, first_name: 'Customer' },
        chat_instance: `ci${chatId}`,
        data,
      },
    };
    return update;
  }

  /** Queues an update for getUpdates (long polling); a waiting getUpdates answers at once. */
  queueUpdate(update: Update): void {
    this.queue.push(update);
    for (const w of this.waiters.splice(0)) {
      const batch = this.pending(w.offset, w.limit);
      if (batch.length > 0) w.respond(batch);
      else this.waiters.push(w);
    }
  }

  /** Updates not yet confirmed by a getUpdates offset. */
  get unconfirmed(): number {
    return this.queue.length;
  }

  /** Posts an update to the webhook as Telegram does (JSON, the secret header); resolves with the answer. */
  async postToWebhook(
    update: Update,
    options: { url?: string; secret?: string | null } = {},
  ): Promise<{ status: number; body: string }> {
    const url = options.url ?? this.webhook?.url;
    if (!url) throw new Error('no webhook set');
    const secret = options.secret === undefined ? this.webhook?.secret_token : options.secret;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}),
      },
      body: JSON.stringify(update),
    });
    return { status: response.status, body: await response.text() };
  }

  private pending(offset: number, limit: number): Update[] {
    return this.queue.filter((u) => u.update_id >= offset).slice(0, limit);
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url?.split('?', 1)[0] ?? '');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const reply = (status: number, body: unknown) => {
      if (res.writableEnded || res.destroyed) return;
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    const fail = (f: ApiFailure) => reply(f.error_code, { ok: false, ...f });
    if (!match) return fail({ error_code: 404, description: 'Not Found' });
    if (match[1] !== this.token) return fail({ error_code: 401, description: 'Unauthorized' });
    let params: Record<string, unknown> = {};
    const raw = Buffer.concat(chunks).toString('utf8');
    const type = req.headers['content-type'] ?? '';
    try {
      if (raw && type.includes('json')) params = JSON.parse(raw) as Record<string, unknown>;
      else if (raw) params = Object.fromEntries(new URLSearchParams(raw));
    } catch {
      return fail({ error_code: 400, description: "Bad Request: can't parse JSON object" });
    }
    const method = match[2];
    this.calls.push({ method, at: Date.now() });
    const ok = (result: unknown) => reply(200, { ok: true, result });
    if (this.down) return fail({ error_code: 502, description: 'Bad Gateway' });
    switch (method) {
      case 'getMe':
        return ok({ ...BOT, is_bot: true, can_join_groups: false, can_read_all_group_messages: false });
      case 'sendMessage': {
        const chat_id = params.chat_id === undefined ? '' : String(params.chat_id);
        return this.sendMessage(
          params,
          (result) => {
            if (!this.countOnly) this.attempts.push({ chat_id, status: 200 });
            if (this.replyDelayMs > 0) setTimeout(() => ok(result), this.replyDelayMs);
            else ok(result);
          },
          (f) => {
            this.attempts.push({ chat_id, status: f.error_code });
            fail(f);
          },
        );
      }
      case 'setWebhook': {
        if (typeof params.url !== 'string')
          return fail({ error_code: 400, description: 'Bad Request: bad webhook: URL must be set' });
        this.webhook = {
          url: params.url,
          secret_token: params.secret_token as string | undefined,
          allowed_updates: params.allowed_updates as string[] | undefined,
        };
        return reply(200, { ok: true, result: true, description: 'Webhook was set' });
      }
      case 'deleteWebhook':
        this.webhook = null;
        return reply(200, { ok: true, result: true, description: 'Webhook was deleted' });
      case 'getUpdates':
        return this.getUpdates(params, res, ok, fail);
      case 'answerCallbackQuery':
        if (typeof params.callback_query_id !== 'string')
          return fail({
            error_code: 400,
            description: 'Bad Request: query is too old or query ID is invalid',
          });
        this.answeredCallbacks.push(params.callback_query_id);
        return ok(true);
      default:
        return fail({ error_code: 404, description: 'Not Found' });
    }
  }

  private async sendMessage(
    params: Record<string, unknown>,
    ok: (result: unknown) => void,
    fail: (f: ApiFailure) => void,
  ): Promise<void> {
    const chatId = params.chat_id === undefined ? '' : String(params.chat_id);
    const text = typeof params.text === 'string' ? params.text : '';
    if (this.sendDelayMs > 0) await new Promise((r) => setTimeout(r, this.sendDelayMs));
    if (!chatId) return fail({ error_code: 400, description: 'Bad Request: chat_id is empty' });
    if (this.throttle.count > 0) {
      this.throttle.count -= 1;
      const retryAfter = this.throttle.retryAfter;
      return fail({
        error_code: 429,
        description: `Too Many Requests: retry after ${retryAfter}`,
        parameters: { retry_after: retryAfter },
      });
    }
    if (this.serverErrors > 0) {
      this.serverErrors -= 1;
      return fail({ error_code: 502, description: 'Bad Gateway' });
    }
    if (this.blocked.has(chatId))
      return fail({ error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    if (this.missing.has(chatId))
      return fail({ error_code: 400, description: 'Bad Request: chat not found' });
    if (!text.trim()) return fail({ error_code: 400, description: 'Bad Request: message text is empty' });
    if (text.length > 4096) return fail({ error_code: 400, description: 'Bad Request: message is too long' });
    const replyMarkup =
      typeof params.reply_markup === 'string'
        ? (JSON.parse(params.reply_markup) as InlineKeyboardMarkup)
        : (params.reply_markup as InlineKeyboardMarkup | undefined);
    const message_id = this.nextMessageId++;
    this.sentCount += 1;
    if (!this.countOnly || this.sent.length < this.keep)
      this.sent.push({
        message_id,
        chat_id: chatId,
        text,
        ...(replyMarkup ? { reply_markup: replyMarkup } : {}),
        at: Date.now(),
      });
    return ok({
      message_id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: Number(chatId), type: 'private' },
      from: { ...BOT, is_bot: true },
      text,
      ...(replyMarkup ? { reply_markup: replyMarkup } : {}),
    });
  }

  private getUpdates(
    params: Record<string, unknown>,
    res: http.ServerResponse,
    ok: (result: unknown) => void,
    fail: (f: ApiFailure) => void,
  ): void {
    if (this.webhook)
      return fail({
        error_code: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
    const offset = Number(params.offset ?? 0);
    const limit = Math.min(Math.max(Number(params.limit ?? 100), 1), 100);
    const timeout = Math.max(Number(params.timeout ?? 0), 0);
    // An offset confirms every update before it: Telegram forgets them.
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
    const batch = this.pending(offset, limit);
    if (batch.length > 0 || timeout === 0) return ok(batch);
    let timer: NodeJS.Timeout | undefined = undefined;
    const waiter: Waiter = {
      offset,
      limit,
      respond: (updates) => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        ok(updates);
      },
    };
    timer = setTimeout(() => waiter.respond([]), timeout * 1000);
    // The client gave up (an aborted long poll at shutdown).
    res.once('close', () => {
      clearTimeout(timer);
      this.waiters = this.waiters.filter((w) => w !== waiter);
    });
    this.waiters.push(waiter);
  }
}

/** Waits until `check` holds (polling the stand-in's records); fails with `what` after `ms`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, ms = 10_000) {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
