import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Update } from 'grammy/types';
import type { EntityManager } from 'typeorm';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { createLogger } from '../../src/app.factory';
import { AppModule } from '../../src/app.module';
import { DomainEvents, type DomainEventMap } from '../../src/common/domain-events';
import { dataSourceOptions } from '../../src/database/data-source';
import { loadConfig } from '../../src/config/app-config';
import { TelegramLinks } from '../../src/messaging/channels/telegram/telegram-links';
import { TelegramPoller } from '../../src/messaging/channels/telegram/telegram-poller';
import { telegramTexts } from '../../src/messaging/channels/telegram/telegram-texts';
import { TelegramUpdatesService } from '../../src/messaging/channels/telegram/telegram-updates.service';
import { TelegramWebhookSetup } from '../../src/messaging/channels/telegram/telegram-webhook-setup';
import { TelegramDriver } from '../../src/messaging/channels/telegram/telegram.driver';
import { DispatcherService } from '../../src/messaging/dispatcher.service';
import { enqueue, insertCustomer, outboxRow } from '../support/messaging-fixtures';
import { BOT, TelegramBotApi, waitUntil } from '../support/telegram-bot-api';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

const TOKEN = '123456789:TEST-token_abcdefghijklmnopqrstuvw';
const SECRET = 'webhook-secret-0123456789abcdef';
const WEBHOOK = '/api/v1/telegram/webhook';

type ConsentRow = { purpose: string; granted: boolean; source: string; wording: string | null };

async function telegramConsents(t: TestApp, customerId: string): Promise<ConsentRow[]> {
  return t.db.query<ConsentRow[]>(
    `SELECT purpose, granted, source, wording FROM consent
      WHERE customer_id = $1 AND channel = 'telegram' ORDER BY at, id`,
    [customerId],
  );
}

async function chatOf(t: TestApp, customerId: string): Promise<string | null> {
  const rows: { telegram_chat_id: string | null }[] = await t.db.query(
    `SELECT telegram_chat_id FROM customer WHERE id = $1`,
    [customerId],
  );
  return rows[0].telegram_chat_id;
}

const startTokenOf = (url: string) => /^https:\/\/t\.me\/\w+\?start=([A-Za-z0-9_-]{1,64})$/.exec(url)?.[1];

describe('Telegram (webhook)', () => {
  const api = new TelegramBotApi(TOKEN);
  let t: TestApp;
  let appUrl: string;
  let rooftop: { id: string; name: string };
  let other: { id: string };
  let staff: { token: string };
  let otherStaff: { token: string };
  let chat = 880_000;
  const received: DomainEventMap['message.received'][] = [];
  const inTransaction: boolean[] = [];

  beforeAll(async () => {
    await api.start();
    t = await startTestApp({
      env: {
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_URL: api.url,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        TELEGRAM_UPDATES: 'webhook',
      },
    });
    await t.app.get(TelegramWebhookSetup).done;
    await t.app.listen(0, '127.0.0.1');
    appUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}${WEBHOOK}`;
    rooftop = await t.rooftop({ name: 'Phnom Penh Motors' });
    other = await t.rooftop();
    staff = await t.user('service_advisor', [rooftop.id]);
    otherStaff = await t.user('service_advisor', [other.id]);
    t.app.get(DomainEvents).on('message.received', async (m: EntityManager, payload) => {
      received.push(payload);
      inTransaction.push(m.queryRunner?.isTransactionActive === true);
    });
  });

  afterAll(async () => {
    await t?.close();
    await api.close();
  });

  async function linkFor(customerId: string) {
    const res = await t.http.get(`/api/v1/customers/${customerId}/telegram-link`).set(bearer(staff.token));
    expect(res.status).toBe(200);
    return res.body as { url: string; expiresAt: string; qrPng: string; wording: string };
  }

  const deliver = (update: Update) => api.postToWebhook(update, { url: appUrl });

  it('sets its webhook at start: the public URL, the secret and the updates it handles', () => {
    expect(api.webhook).toEqual({
      url: `https://crm.test${WEBHOOK}`,
      secret_token: SECRET,
      allowed_updates: ['message', 'callback_query'],
    });
  });

  it('links a Khmer customer’s chat through the deep link, records consent with the wording shown, and answers in Khmer', async () => {
    const customerId = await insertCustomer(t.db, rooftop.id, { language: 'km' });
    const link = await linkFor(customerId);
    const token = startTokenOf(link.url);
    expect(link.url.startsWith(`https://t.me/${BOT.username}?start=`)).toBe(true);
    expect(token).toBeDefined();
    expect(new Date(link.expiresAt).getTime()).toBe(t.clock.now().getTime() + 30 * 86_400_000);
    expect(link.qrPng).toMatch(/^data:image\/png;base64,/);
    const wording = telegramTexts('km').optIn('Phnom Penh Motors');
    expect(link.wording).toBe(wording);

    chat += 1;
    const res = await deliver(api.textUpdate(chat, `/start ${token}`, { languageCode: 'en' }));
    expect(res.status).toBe(200);

    expect(await chatOf(t, customerId)).toBe(String(chat));
    const consents = await telegramConsents(t, customerId);
    expect(consents.map((c) => c.purpose).sort()).toEqual(['follow_ups', 'service_reminders', 'surveys']);
    for (const c of consents) expect(c).toMatchObject({ granted: true, source: 'telegram_start', wording });
    // The customer's language, not the Telegram app's.
    expect(api.sentTo(chat).map((m) => m.text)).toEqual([telegramTexts('km').linked('Phnom Penh Motors')]);
  });

  it('answers a forged, altered or expired token politely and links nothing', async () => {
    const customerId = await insertCustomer(t.db, rooftop.id, { language: 'km' });
    const token = startTokenOf((await linkFor(customerId)).url)!;
    const altered = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
    const expired = t.app.get(TelegramLinks).token(customerId, new Date(t.clock.now().getTime() - 1000));
    for (const bad of ['not-a-token', altered, expired]) {
      chat += 1;
      const res = await deliver(api.textUpdate(chat, `/start ${bad}`, { languageCode: 'lo' }));
      expect(res.status).toBe(200);
      // The customer is unknown: the Telegram app's language.
      expect(api.sentTo(chat).map((m) => m.text)).toEqual([telegramTexts('lo').invalidLink]);
    }
    expect(await chatOf(t, customerId)).toBeNull();
    expect(await telegramConsents(t, customerId)).toEqual([]);

    // The same token is good until it expires: the clock moves past its 30 days.
    t.clock.advance(30 * 86_400_000 + 1000);
    try {
      chat += 1;
      await deliver(api.textUpdate(chat, `/start ${token}`));
      expect(api.sentTo(chat).map((m) => m.text)).toEqual([telegramTexts('en').invalidLink]);
      expect(await chatOf(t, customerId)).toBeNull();
    } finally {
      t.clock.advance(-(30 * 86_400_000 + 1000));
    }
  });

  it('refuses the webhook without the secret or with a wrong one (401), and does nothing', async () => {
    const customerId = await insertCustomer(t.db, rooftop.id);
    const token = startTokenOf((await linkFor(customerId)).url)!;
    for (const secret of [null, 'wrong-secret-0123456789abcdef', `${SECRET}x`]) {
      chat += 1;
      const update = api.textUpdate(chat, `/start ${token}`);
      const res = await api.postToWebhook(update, { url: appUrl, secret });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toMatchObject({ status: 401 });
      expect(api.sentTo(chat)).toEqual([]);
      const seen = await t.db.query(`SELECT 1 FROM telegram_update WHERE update_id = $1`, [update.update_id]);
      expect(seen).toEqual([]);
    }
    expect(await chatOf(t, customerId)).toBeNull();
    expect(await telegramConsents(t, customerId)).toEqual([]);
  });

  it('refuses a body that is not an update (400 naming update_id) and a non-JSON one (415)', async () => {
    const res = await t.http
      .post(WEBHOOK)
      .set('x-telegram-bot-api-secret-token', SECRET)
      .send({ message: { text: 'hi' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'update_id' })]);
    const text = await t.http
      .post(WEBHOOK)
      .set('x-telegram-bot-api-secret-token', SECRET)
      .set('content-type', 'text/plain')
      .send('update_id=1');
    expect(text.status).toBe(415);
  });

  it('acts once on an update delivered twice', async () => {
    const customerId = await insertCustomer(t.db, rooftop.id);
    const token = startTokenOf((await linkFor(customerId)).url)!;
    chat += 1;
    const update = api.textUpdate(chat, `/start ${token}`);
    expect((await deliver(update)).status).toBe(200);
    expect((await deliver(update)).status).toBe(200);
    expect(await telegramConsents(t, customerId)).toHaveLength(3);
    expect(api.sentTo(chat)).toHaveLength(1);

    const reply = api.textUpdate(chat, 'Can I come on Saturday?');
    await deliver(reply);
    await deliver(reply);
    expect(received.filter((r) => r.providerRef === String(reply.update_id))).toHaveLength(1);
  });

  it('/stop withdraws Telegram consent for every purpose, unlinks the chat and answers in the customer’s language', async () => {
    const customerId = await insertCustomer(t.db, rooftop.id, { language: 'lo' });
    const token = startTokenOf((await linkFor(customerId)).url)!;
    chat += 1;
    await deliver(api.textUpdate(chat, `/start ${token}`));
    expect(await chatOf(t, customerId)).toBe(String(chat));

    await deliver(api.textUpdate(chat, '/stop'));
    expect(await chatOf(t, customerId)).toBeNull();
    const latest: { purpose: string; granted: boolean; source: string }[] = await t.db.query(
      `SELECT DISTINCT ON (purpose) purpose, granted, source FROM consent
        WHERE customer_id = $1 AND channel = 'telegram' ORDER BY purpose, at DESC, id DESC`,
      [customerId],
    );
    expect(latest).toEqual(
      ['follow_ups', 'marketing', 'service_reminders', 'surveys'].map((purpose) => ({
        purpose,
        granted: false,
        source: 'telegram_stop',
      })),
    );
    expect(api.sentTo(chat).map((m) => m.text)).toEqual([
      telegramTexts('lo').linked(rooftop.name),
      telegramTexts('lo').stopped,
    ]);

    // From a chat linked to nobody, /stop changes nothing and says so.
    chat += 1;
    await deliver(api.textUpdate(chat, '/stop'));
    expect(api.sentTo(chat).map((m) => m.text)).toEqual([telegramTexts('en').notLinked]);
  });

  it('passes any other text on as message.received, inside the update’s transaction', async () => {
    chat += 1;
    const update = api.textUpdate(chat, 'សួស្តី ខ្ញុំចង់ណាត់ថ្ងៃសៅរ៍');
    await deliver(update);
    const event = received.find((r) => r.providerRef === String(update.update_id));
    expect(event).toEqual({
      channel: 'telegram',
      providerRef: String(update.update_id),
      sender: String(chat),
      text: 'សួស្តី ខ្ញុំចង់ណាត់ថ្ងៃសៅរ៍',
      receivedAt: t.clock.now(),
    });
    expect(inTransaction.every(Boolean)).toBe(true);
  });

  it('ignores a group chat: a group is never a customer’s contact point', async () => {
    const customerId = await insertCustomer(t.db, rooftop.id);
    const token = startTokenOf((await linkFor(customerId)).url)!;
    const update = api.textUpdate(-100123, `/start ${token}`);
    update.message!.chat = { id: -100123, type: 'group', title: 'Family' };
    expect((await deliver(update)).status).toBe(200);
    expect(await chatOf(t, customerId)).toBeNull();
    expect(api.sentTo(-100123)).toEqual([]);
  });

  it('answers a callback query', async () => {
    const update = api.callbackUpdate(chat, 'noop');
    await deliver(update);
    expect(api.answeredCallbacks).toContain(update.callback_query!.id);
  });

  it('gives the QR code as a PNG with Accept: image/png or ?format=png', async () => {
    const customerId = await insertCustomer(t.db, rooftop.id);
    const url = `/api/v1/customers/${customerId}/telegram-link`;
    const byAccept = await t.http.get(url).set(bearer(staff.token)).set('accept', 'image/png').buffer(true);
    const byQuery = await t.http.get(`${url}?format=png`).set(bearer(staff.token)).buffer(true);
    for (const res of [byAccept, byQuery]) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers['cache-control']).toBe('no-store');
      expect((res.body as Buffer).subarray(0, 8)).toEqual(
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      );
    }
    const bad = await t.http.get(`${url}?format=gif`).set(bearer(staff.token));
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'format' })]);
  });

  it('answers 404 for another rooftop’s customer (and for none)', async () => {
    const customerId = await insertCustomer(t.db, rooftop.id);
    const res = await t.http
      .get(`/api/v1/customers/${customerId}/telegram-link`)
      .set(bearer(otherStaff.token));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const none = await t.http
      .get(`/api/v1/customers/00000000-0000-4000-8000-000000000000/telegram-link`)
      .set(bearer(staff.token));
    expect(none.status).toBe(404);
  });

  describe('through the dispatcher', () => {
    let bookable: { id: string; name: string };
    beforeAll(async () => {
      bookable = await t.rooftop({ name: 'Siem Reap Motors', bookingUrl: 'https://book.example/siem-reap' });
    });

    async function linkedCustomer(phone: string | null) {
      const customerId = await insertCustomer(t.db, bookable.id, { language: 'km', firstName: 'សុខា' });
      if (phone) await t.db.query(`UPDATE customer SET phone = $2 WHERE id = $1`, [customerId, phone]);
      const link = await t.app.get(TelegramLinks).linkFor(customerId, t.clock.now());
      chat += 1;
      await deliver(api.textUpdate(chat, `/start ${link!.token}`));
      expect(await chatOf(t, customerId)).toBe(String(chat));
      return { customerId, chat };
    }

    const reminder = (customerId: string) =>
      enqueue(t.db, {
        rooftopId: bookable.id,
        customerId,
        kind: 'service_reminder',
        purpose: 'service_reminders',
        payload: {},
      });

    const attempts = (messageId: string) =>
      t.db.query<{ channel: string; outcome: string; smtp_code: number | null }[]>(
        `SELECT channel, outcome, smtp_code FROM message_attempt WHERE message_id = $1 ORDER BY attempt`,
        [messageId],
      );

    it('sends a linked Khmer customer their reminder on Telegram, in Khmer, with a booking button', async () => {
      const { customerId, chat: chatId } = await linkedCustomer(null);
      const messageId = await reminder(customerId);
      await t.app.get(DispatcherService).dispatch(t.clock.now());

      const row = await outboxRow(t.db, messageId);
      expect(row).toMatchObject({ status: 'sent', channel: 'telegram' });
      const [sent] = api.sentTo(chatId).slice(-1);
      expect(sent.text).toContain('Siem Reap Motors៖ សុខា');
      expect(sent.reply_markup?.inline_keyboard).toEqual([
        [{ text: expect.any(String), url: 'https://book.example/siem-reap' }],
      ]);
      const refs = await t.db.query(
        `SELECT ref FROM message_provider_ref WHERE channel = 'telegram' AND message_id = $1`,
        [messageId],
      );
      expect(refs).toEqual([{ ref: String(sent.message_id) }]);
    });

    it('falls back to SMS, once, for a customer who blocked the bot (403), and marks the chat blocked', async () => {
      const { customerId, chat: chatId } = await linkedCustomer('+85512345678');
      api.block(chatId);
      const messageId = await reminder(customerId);
      const dispatcher = t.app.get(DispatcherService);
      for (let i = 0; i < 3; i++) await dispatcher.dispatch(t.clock.now());

      expect(await attempts(messageId)).toEqual([
        { channel: 'telegram', outcome: 'blocked', smtp_code: 403 },
        { channel: 'sms', outcome: 'sent', smtp_code: null },
      ]);
      expect(await outboxRow(t.db, messageId)).toMatchObject({ status: 'sent', channel: 'sms' });
      expect(api.attempts.filter((a) => a.chat_id === String(chatId))).toEqual([
        { chat_id: String(chatId), status: 200 },
        { chat_id: String(chatId), status: 403 },
      ]);
      const sms = JSON.parse(fs.readFileSync(path.join(t.dataDir, 'sms', `${messageId}.json`), 'utf8'));
      expect(sms).toMatchObject({ to: '+85512345678' });
      const [customer] = await t.db.query(
        `SELECT telegram_blocked_at IS NOT NULL AS blocked FROM customer WHERE id = $1`,
        [customerId],
      );
      expect(customer.blocked).toBe(true);
    });
  });

  describe('the driver', () => {
    const send = (chatId: string, buttons = [{ label: 'Book', url: 'https://crm.test/book/x' }]) =>
      t.app
        .get(TelegramDriver)
        .send({ outboxId: '00000000-0000-4000-8000-000000000001', chatId, text: 'ការរំលឹក', buttons });

    it('sends the text with its URL buttons and returns the message_id', async () => {
      const result = await send('990001');
      const [sent] = api.sentTo('990001');
      expect(result).toEqual({ ok: true, response: 'sent', providerRefs: [String(sent.message_id)] });
      expect(sent.reply_markup).toEqual({
        inline_keyboard: [[{ text: 'Book', url: 'https://crm.test/book/x' }]],
      });
    });

    it('429 → temporary, asking to wait retry_after', async () => {
      api.throttleNext(1, 7);
      expect(await send('990002')).toMatchObject({
        ok: false,
        kind: 'temporary',
        smtpCode: 429,
        retryAfterMs: 7000,
      });
      expect(api.sentTo('990002')).toEqual([]);
      expect(await send('990002')).toMatchObject({ ok: true });
    });

    it('403 blocked by the user → permanent; 400 chat not found → permanent; 502 → temporary', async () => {
      api.block('990003');
      expect(await send('990003')).toEqual({
        ok: false,
        kind: 'permanent',
        smtpCode: 403,
        error: 'Forbidden: bot was blocked by the user',
      });
      api.chatNotFound('990004');
      expect(await send('990004')).toMatchObject({ ok: false, kind: 'permanent', smtpCode: 400 });
      api.failNext(1);
      expect(await send('990005')).toMatchObject({ ok: false, kind: 'temporary', smtpCode: 502 });
    });

    it('a refused beforeEnd calls the send off before the request: nothing sent, temporary', async () => {
      const result = await t.app
        .get(TelegramDriver)
        .send(
          { outboxId: '00000000-0000-4000-8000-000000000002', chatId: '990006', text: 'x', buttons: [] },
          { beforeEnd: () => Promise.reject(new Error('claim lost')) },
        );
      expect(result).toMatchObject({ ok: false, kind: 'temporary', error: 'claim lost' });
      expect(api.sentTo('990006')).toEqual([]);
    });

    it('a network failure is temporary', async () => {
      const dead = new TelegramDriver(
        loadConfig({
          TELEGRAM_BOT_TOKEN: TOKEN,
          TELEGRAM_API_URL: 'http://127.0.0.1:9',
          DATA_DIR: t.dataDir,
        }),
      );
      expect(await dead.send({ outboxId: 'x', chatId: '1', text: 'x', buttons: [] })).toMatchObject({
        ok: false,
        kind: 'temporary',
        smtpCode: null,
      });
    });
  });
});

describe('Telegram settings', () => {
  it('takes updates by webhook with a secret, by polling with a token alone, and none without a token', () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN }).telegramUpdates).toBe('polling');
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET }).telegramUpdates).toBe(
      'webhook',
    );
    expect(
      loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_UPDATES: 'off' })
        .telegramUpdates,
    ).toBe('off');
    expect(loadConfig({ TELEGRAM_UPDATES: 'polling' }).telegramUpdates).toBe('off');
  });

  it('refuses a webhook without its secret, a malformed token or secret, and an unknown mode, naming them', () => {
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_UPDATES: 'webhook' })).toThrow(
      /TELEGRAM_WEBHOOK_SECRET: required/,
    );
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: 'not a token' })).toThrow(/TELEGRAM_BOT_TOKEN/);
    expect(() => loadConfig({ TELEGRAM_WEBHOOK_SECRET: 'short' })).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
    expect(() => loadConfig({ TELEGRAM_UPDATES: 'push' })).toThrow(/TELEGRAM_UPDATES/);
    // The message names the setting, never the value.
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: '12:secret-value' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret-value') }),
    );
  });

  it('leaves the link out for 5 minutes after getMe failed, so emails never wait on a Telegram outage', async () => {
    const api = new TelegramBotApi(TOKEN);
    await api.start();
    try {
      api.down = true;
      const config = loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_URL: api.url });
      const links = new TelegramLinks(config, new TelegramDriver(config));
      const customerId = '00000000-0000-4000-8000-000000000009';
      expect(await links.linkFor(customerId, new Date())).toBeNull();
      api.down = false;
      expect(await links.linkFor(customerId, new Date())).toBeNull();
      expect(api.calls.filter((c) => c.method === 'getMe')).toHaveLength(1);
    } finally {
      await api.close();
    }
  });
});

describe('Telegram without a bot token', () => {
  it('writes each message whole to <DATA_DIR>/telegram/<outboxId>.json', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-telegram-'));
    try {
      const driver = new TelegramDriver(loadConfig({ DATA_DIR: dataDir }));
      let before = 0;
      const result = await driver.send(
        {
          outboxId: 'abc',
          chatId: '42',
          text: 'ສະບາຍດີ',
          buttons: [{ label: 'Book', url: 'https://crm.test/b' }],
        },
        { beforeEnd: async () => void (before += 1) },
      );
      expect(result).toEqual({ ok: true, response: 'written abc.json' });
      expect(before).toBe(1);
      expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'telegram', 'abc.json'), 'utf8'))).toEqual({
        method: 'sendMessage',
        chat_id: '42',
        text: 'ສະບາຍດີ',
        reply_markup: { inline_keyboard: [[{ text: 'Book', url: 'https://crm.test/b' }]] },
      });
      expect(fs.readdirSync(path.join(dataDir, 'telegram'))).toEqual(['abc.json']);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('Telegram in the CLI', () => {
  // A CLI command runs in an application context without HTTP: it must neither set the webhook (it would point
  // Telegram at whatever PUBLIC_BASE_URL the operator's shell has) nor poll (it would take updates from the app).
  it.each(['webhook', 'polling'] as const)(
    'with TELEGRAM_UPDATES=%s calls nothing of the Bot API at start',
    async (mode) => {
      const api = new TelegramBotApi(TOKEN);
      await api.start();
      const t = await startTestApp({
        env: {
          TELEGRAM_BOT_TOKEN: TOKEN,
          TELEGRAM_API_URL: api.url,
          TELEGRAM_UPDATES: 'off',
        },
      });
      const config = Object.assign(Object.create(Object.getPrototypeOf(t.config)), t.config, {
        TELEGRAM_UPDATES: mode,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
      });
      expect(config.telegramUpdates).toBe(mode);
      const db = new DataSource(dataSourceOptions(t.config.DATABASE_URL!, 2));
      await db.initialize();
      try {
        const ctx = await NestFactory.createApplicationContext(
          AppModule.forRoot({ config, database: { dataSource: db, url: t.config.DATABASE_URL! } }),
          { logger: createLogger('warn') },
        );
        try {
          await ctx.get(TelegramWebhookSetup).done;
          await new Promise((r) => setTimeout(r, 500));
          expect(api.calls.map((c) => c.method)).toEqual([]);
        } finally {
          await ctx.close();
        }
      } finally {
        if (db.isInitialized) await db.destroy();
        await t.close();
        await api.close();
      }
    },
  );
});

describe('Telegram (long polling)', () => {
  const api = new TelegramBotApi(TOKEN);
  let t: TestApp;
  let rooftop: { id: string; name: string };

  beforeAll(async () => {
    await api.start();
    api.webhook = { url: 'https://old.example/hook' };
    t = await startTestApp({
      env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_URL: api.url, TELEGRAM_UPDATES: 'polling' },
    });
    rooftop = await t.rooftop({ name: 'Vientiane Auto' });
  });

  afterAll(async () => {
    await t?.close();
    await api.close();
  });

  it('deletes a leftover webhook, polls, and links a Khmer customer from /start', async () => {
    const customerId = await insertCustomer(t.db, rooftop.id, { language: 'km' });
    const link = await t.app.get(TelegramLinks).linkFor(customerId, t.clock.now());
    const update = api.textUpdate(770001, `/start ${link!.token}`);
    api.queueUpdate(update);
    await waitUntil(async () => (await chatOf(t, customerId)) === '770001', 'the chat to be linked');
    await waitUntil(() => api.sentTo(770001).length === 1, 'the answer');
    expect(api.webhook).toBeNull();
    expect(api.sentTo(770001)[0].text).toBe(telegramTexts('km').linked('Vientiane Auto'));
    expect(await telegramConsents(t, customerId)).toHaveLength(3);
  });

  it('acts once on an update that comes again (the instance that polled it died before confirming it)', async () => {
    const customerId = await insertCustomer(t.db, rooftop.id);
    const link = await t.app.get(TelegramLinks).linkFor(customerId, t.clock.now());
    const update = api.textUpdate(770002, `/start ${link!.token}`);
    const poller = t.app.get(TelegramPoller);
    const handled = poller.handled;
    api.queueUpdate(update);
    await waitUntil(() => poller.handled === handled + 1, 'the update to be polled');
    // The instance that takes over polls from Telegram's last confirmed offset and gets the update again.
    expect(await t.app.get(TelegramUpdatesService).handle(update)).toBe('duplicate');
    expect(await telegramConsents(t, customerId)).toHaveLength(3);
    expect(api.sentTo(770002)).toHaveLength(1);
  });

  it('skips an update whose handling fails three times, and goes on with the next', async () => {
    // A real failure: the database refuses this update_id.
    await t.db.query(`ALTER TABLE telegram_update ADD CONSTRAINT test_refuse CHECK (update_id <> 424242)`);
    try {
      const poison = { ...api.textUpdate(770003, 'hello'), update_id: 424242 };
      const next = { ...api.textUpdate(770003, '/stop'), update_id: 424243 };
      api.queueUpdate(poison);
      api.queueUpdate(next);
      await waitUntil(() => api.sentTo(770003).length === 1, 'the update after the bad one', 30_000);
      expect(api.sentTo(770003)[0].text).toBe(telegramTexts('en').notLinked);
      const seen = await t.db.query(
        `SELECT update_id FROM telegram_update WHERE update_id IN (424242, 424243)`,
      );
      expect(seen).toEqual([{ update_id: '424243' }]);
    } finally {
      await t.db.query(`ALTER TABLE telegram_update DROP CONSTRAINT test_refuse`);
    }
  });

  it('polls from one instance at a time: the lock is held, a second poller cannot take it', async () => {
    await waitUntil(() => t.app.get(TelegramPoller).polling, 'the poller to hold its lock');
    const second = new TelegramPoller(
      t.config,
      t.db,
      t.app.get(TelegramDriver),
      t.app.get(TelegramUpdatesService),
    );
    expect(await (second as unknown as { acquire(): Promise<boolean> }).acquire()).toBe(false);
    expect(second.polling).toBe(false);
  });

  it('has no webhook route while polling (404)', async () => {
    const res = await t.http
      .post(WEBHOOK)
      .set('x-telegram-bot-api-secret-token', SECRET)
      .send({ update_id: 1 });
    expect(res.status).toBe(404);
  });
});
