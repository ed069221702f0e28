import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Channel } from '../../src/common/channels';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { createLogger } from '../../src/app.factory';
import { AppModule } from '../../src/app.module';
import { dataSourceOptions } from '../../src/database/data-source';
import { SmsDriver } from '../../src/messaging/channels/sms/sms.driver';
import { DispatcherService } from '../../src/messaging/dispatcher.service';
import { enqueue, outboxRow } from '../support/messaging-fixtures';
import { startSmppPeer, type SmppPeer } from '../support/smpp-peer';
import { TelegramBotApi } from '../support/telegram-bot-api';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

/** 10:00 in Phnom Penh: inside the default 08:00–20:00 sending window. */
const T = new Date('2026-06-15T03:00:00Z');
const TOKEN = '123456789:TEST-token_abcdefghijklmnopqrstuvw';
const hours = (h: number) => new Date(T.getTime() + h * 3_600_000);

let seq = 0;

/**
 * The dispatcher's channel choice and fallback (SPEC "Channels: email, SMS, Telegram") against real peers: an
 * SMPP server (the smpp package's) and the local Bot API stand-in driven by grammY; email in file mode.
 */
describe('dispatch across channels: choice, consent, fallback, receipts, staff', () => {
  let t: TestApp;
  let peer: SmppPeer;
  let api: TelegramBotApi;
  let dispatcher: DispatcherService;
  let rooftopId: string;
  let admin: string;

  beforeAll(async () => {
    peer = await startSmppPeer();
    api = new TelegramBotApi(TOKEN);
    await api.start();
    t = await startTestApp({
      now: T.toISOString(),
      env: {
        SMPP_URL: peer.url,
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_URL: api.url,
        TELEGRAM_UPDATES: 'off',
      },
    });
    dispatcher = t.app.get(DispatcherService);
    rooftopId = (await t.rooftop()).id;
    admin = (await t.user('admin')).token;
  });
  afterAll(async () => {
    await t?.close();
    await peer?.close();
    await api?.close();
  });

  /** A customer with the contact points asked for (a Telegram chat as if linked through the deep link). */
  async function customer(
    points: { email?: boolean; phone?: boolean; chat?: boolean; preferred?: Channel; rooftop?: string } = {},
  ) {
    seq += 1;
    const phone = points.phone ? `+8551277${String(seq).padStart(4, '0')}` : null;
    const chat = points.chat ? String(900_000_000 + seq) : null;
    const [{ id }]: { id: string }[] = await t.db.query(
      `INSERT INTO customer (home_rooftop_id, first_name, last_name, email, phone, telegram_chat_id, telegram_linked_at,
                             preferred_channel, language)
       VALUES ($1, $2, 'Test', $3, $4, $5::bigint, CASE WHEN $5::text IS NULL THEN NULL ELSE $6::timestamptz END, $7, 'en')
       RETURNING id`,
      [
        points.rooftop ?? rooftopId,
        `Dara${seq}`,
        points.email === false ? null : `dara${seq}@example.test`,
        phone,
        chat,
        T,
        points.preferred ?? null,
      ],
    );
    return { id, phone, chat };
  }

  const message = (customerId: string, purpose = 'service_reminders', rooftop = rooftopId) =>
    enqueue(t.db, {
      rooftopId: rooftop,
      customerId,
      purpose: purpose as 'service_reminders',
      scheduledAt: T,
    });
  const dispatch = (at = T) => dispatcher.dispatch(at);
  const attempts = (id: string) =>
    t.db.query(
      `SELECT channel, outcome, smtp_code FROM message_attempt WHERE message_id = $1 ORDER BY attempt, id`,
      [id],
    );
  const smsTo = (phone: string | null) => peer.messages().filter((m) => `+${m.destination}` === phone);
  const mailOf = (id: string) => fs.existsSync(path.join(t.config.mailDir, `${id}.eml`));
  const consent = (customerId: string, body: Record<string, unknown>) =>
    t.http
      .post(`/api/v1/customers/${customerId}/consents`)
      .set(bearer(admin))
      .send({ source: 'showroom_form', ...body });

  describe('choice', () => {
    it("goes on the first channel of the rooftop's order (telegram, sms, email) with a contact point", async () => {
      const all = await customer({ phone: true, chat: true });
      const noChat = await customer({ phone: true });
      const emailOnly = await customer();
      const [a, b, c] = [await message(all.id), await message(noChat.id), await message(emailOnly.id)];
      await dispatch();

      expect(await outboxRow(t.db, a)).toMatchObject({
        status: 'sent',
        channel: 'telegram',
        to_address: all.chat,
      });
      expect(api.sentTo(all.chat!)).toHaveLength(1);
      expect(await outboxRow(t.db, b)).toMatchObject({
        status: 'sent',
        channel: 'sms',
        to_address: noChat.phone,
      });
      expect(smsTo(noChat.phone)).toHaveLength(1);
      expect(await outboxRow(t.db, c)).toMatchObject({ status: 'sent', channel: 'email' });
      expect(mailOf(c)).toBe(true);
      expect(await outboxRow(t.db, a)).toMatchObject({
        fallback_channels: ['sms', 'email'],
        failed_channels: [],
      });
      expect(await attempts(a)).toEqual([{ channel: 'telegram', outcome: 'sent', smtp_code: null }]);
      // The channel's ids of what it accepted, for receipts.
      const refs = await t.db.query(`SELECT channel FROM message_provider_ref WHERE message_id = $1`, [b]);
      expect(refs).toEqual([{ channel: 'sms' }]);
    });

    it("follows the rooftop's own order and puts the customer's preferred channel first", async () => {
      const emailFirst = (await t.rooftop({ channelOrder: ['email', 'sms'] })).id;
      const x = await customer({ phone: true, chat: true, rooftop: emailFirst });
      const prefersSms = await customer({ phone: true, chat: true, preferred: 'sms' });
      const prefersTelegramNoChat = await customer({ phone: true, preferred: 'telegram' });
      const ids = [
        await message(x.id, 'service_reminders', emailFirst),
        await message(prefersSms.id),
        await message(prefersTelegramNoChat.id),
      ];
      await dispatch();
      const rows = await Promise.all(ids.map((id) => outboxRow(t.db, id)));
      expect(rows.map((r) => [r.status, r.channel, r.fallback_channels])).toEqual([
        // Telegram is not in this rooftop's order: never used.
        ['sent', 'email', ['sms']],
        ['sent', 'sms', ['telegram', 'email']],
        // A preferred channel without a contact point is skipped.
        ['sent', 'sms', ['email']],
      ]);
      expect(api.sentTo(x.chat!)).toHaveLength(0);
    });

    it('keeps the email-era reasons when no channel is usable, and a new one only where new', async () => {
      const none = await customer({ email: false });
      const bouncing = await customer();
      await t.db.query(`UPDATE customer SET email_bouncing = true WHERE id = $1`, [bouncing.id]);
      const noEmailRooftop = (await t.rooftop({ channelOrder: ['telegram', 'sms'] })).id;
      const emailOnlyElsewhere = await customer({ rooftop: noEmailRooftop });
      const blocked = await customer({ email: false, chat: true });
      await t.db.query(`UPDATE customer SET telegram_blocked_at = $2 WHERE id = $1`, [blocked.id, T]);
      const ids = [
        await message(none.id),
        await message(bouncing.id),
        await message(emailOnlyElsewhere.id, 'service_reminders', noEmailRooftop),
        await message(blocked.id),
      ];
      await dispatch();
      const rows = await Promise.all(ids.map((id) => outboxRow(t.db, id)));
      expect(rows.map((r) => [r.status, r.status_reason])).toEqual([
        ['suppressed', 'no_email_address'],
        ['suppressed', 'email_bouncing'],
        ['suppressed', 'no_channel'],
        ['suppressed', 'telegram_blocked'],
      ]);
    });
  });

  describe('consent per purpose and channel', () => {
    it('answers per channel: a withdrawal on Telegram moves the message to SMS; marketing needs an opt-in on the channel', async () => {
      const c = await customer({ phone: true, chat: true });
      expect(
        (await consent(c.id, { purpose: 'follow_ups', channel: 'telegram', granted: false })).status,
      ).toBe(201);
      expect((await consent(c.id, { purpose: 'marketing', channel: 'sms', granted: true })).status).toBe(201);
      const followUp = await message(c.id, 'follow_ups');
      await dispatch();
      expect(await outboxRow(t.db, followUp)).toMatchObject({ status: 'sent', channel: 'sms' });
      const offer = await message(c.id, 'marketing');
      await dispatch(hours(73));
      // Opted in on SMS only: Telegram comes first in the order but has no marketing consent.
      expect(await outboxRow(t.db, offer)).toMatchObject({
        status: 'sent',
        channel: 'sms',
        fallback_channels: [],
      });

      const never = await customer({ phone: true, chat: true });
      const unwanted = await message(never.id, 'marketing');
      await dispatch();
      expect(await outboxRow(t.db, unwanted)).toMatchObject({
        status: 'suppressed',
        status_reason: 'no_consent:marketing',
      });

      const overview = await t.http.get(`/api/v1/customers/${c.id}/consents`).set(bearer(admin));
      expect(overview.status).toBe(200);
      expect(overview.body.byChannel.telegram.follow_ups).toMatchObject({ granted: false, default: false });
      expect(overview.body.byChannel.sms.marketing).toMatchObject({ granted: true, default: false });
      expect(overview.body.byChannel.email.marketing).toMatchObject({ granted: false, default: true });
      expect(overview.body.byChannel.email.follow_ups).toMatchObject({ granted: true, default: true });
      // Old clients: `current` is the email channel's.
      expect(overview.body.current).toEqual(overview.body.byChannel.email);
      // Without a channel a decision is about email, as before channels existed.
      await consent(c.id, { purpose: 'surveys', granted: false });
      const [latest] = await t.db.query(
        `SELECT channel FROM consent WHERE customer_id = $1 AND purpose = 'surveys'`,
        [c.id],
      );
      expect(latest).toEqual({ channel: 'email' });
      const bad = await consent(c.id, { purpose: 'surveys', channel: 'fax', granted: false });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['channel']);
    });

    it('a withdrawal keeps a pending message that another channel can carry, and suppresses one that none can', async () => {
      const both = await customer({ phone: true });
      const emailOnly = await customer();
      const kept = await message(both.id, 'follow_ups');
      const stopped = await message(emailOnly.id, 'follow_ups');
      await consent(both.id, { purpose: 'follow_ups', channel: 'sms', granted: false });
      await consent(emailOnly.id, { purpose: 'follow_ups', channel: 'email', granted: false });
      expect(await outboxRow(t.db, kept)).toMatchObject({ status: 'pending' });
      expect(await outboxRow(t.db, stopped)).toMatchObject({
        status: 'suppressed',
        status_reason: 'consent_withdrawn',
      });
      await dispatch();
      expect(await outboxRow(t.db, kept)).toMatchObject({ status: 'sent', channel: 'email' });
      expect(smsTo(both.phone)).toHaveLength(0);
    });
  });

  describe('fallback', () => {
    it('falls back once after Telegram answers 403: the chat is marked blocked and the message goes by SMS, once', async () => {
      const c = await customer({ phone: true, chat: true });
      api.block(c.chat!);
      const id = await message(c.id);
      await dispatch();
      expect(await outboxRow(t.db, id)).toMatchObject({
        status: 'pending',
        status_reason: 'fallback_from:telegram',
        failed_channels: ['telegram'],
        channel: 'telegram',
      });
      const [marked] = await t.db.query(`SELECT telegram_blocked_at FROM customer WHERE id = $1`, [c.id]);
      expect(marked.telegram_blocked_at).toEqual(T);
      await dispatch();
      expect(await outboxRow(t.db, id)).toMatchObject({
        status: 'sent',
        channel: 'sms',
        to_address: c.phone,
      });
      await dispatch(hours(1));
      await dispatch(hours(80));
      expect(smsTo(c.phone)).toHaveLength(1);
      expect(mailOf(id)).toBe(false);
      expect(await attempts(id)).toEqual([
        { channel: 'telegram', outcome: 'blocked', smtp_code: 403 },
        { channel: 'sms', outcome: 'sent', smtp_code: null },
      ]);
    });

    it('never sends twice on one channel: Telegram refused, SMS refused, then email, each tried once', async () => {
      const c = await customer({ phone: true, chat: true });
      api.block(c.chat!);
      peer.refuseDestination(c.phone!.slice(1));
      const id = await message(c.id);
      for (let i = 0; i < 4; i++) await dispatch();
      expect(await outboxRow(t.db, id)).toMatchObject({
        status: 'sent',
        channel: 'email',
        failed_channels: ['telegram', 'sms'],
      });
      expect((await attempts(id)).map((a: { channel: string }) => a.channel)).toEqual([
        'telegram',
        'sms',
        'email',
      ]);
      const [marks] = await t.db.query(
        `SELECT telegram_blocked_at IS NOT NULL AS blocked, phone_undeliverable_at IS NOT NULL AS undeliverable
           FROM customer WHERE id = $1`,
        [c.id],
      );
      expect(marks).toEqual({ blocked: true, undeliverable: true });
    });

    it('never tries a failed channel again, also when the failure marks no contact point (Telegram 400)', async () => {
      const c = await customer({ phone: true, chat: true });
      api.chatNotFound(c.chat!);
      const id = await message(c.id);
      await dispatch();
      expect(await outboxRow(t.db, id)).toMatchObject({
        status: 'pending',
        status_reason: 'fallback_from:telegram',
        failed_channels: ['telegram'],
      });
      const [marks] = await t.db.query(`SELECT telegram_blocked_at FROM customer WHERE id = $1`, [c.id]);
      expect(marks.telegram_blocked_at).toBeNull();
      await dispatch();
      await dispatch(hours(80));
      expect(await outboxRow(t.db, id)).toMatchObject({ status: 'sent', channel: 'sms' });
      expect(await attempts(id)).toEqual([
        { channel: 'telegram', outcome: 'failed', smtp_code: 400 },
        { channel: 'sms', outcome: 'sent', smtp_code: null },
      ]);
    });

    it('fails, without falling back, when no other channel is usable', async () => {
      const c = await customer({ email: false, chat: true });
      api.block(c.chat!);
      const id = await message(c.id);
      await dispatch();
      expect(await outboxRow(t.db, id)).toMatchObject({
        status: 'failed',
        status_reason: 'telegram_403',
        failed_channels: ['telegram'],
      });
    });

    it('keeps a fallen-back message failed when its fallback channel is no longer usable at send time', async () => {
      const c = await customer({ email: false, phone: true, chat: true });
      api.block(c.chat!);
      const id = await message(c.id);
      await dispatch();
      expect(await outboxRow(t.db, id)).toMatchObject({ status: 'pending', fallback_channels: ['sms'] });
      await t.db.query(`UPDATE customer SET phone_undeliverable_at = $2 WHERE id = $1`, [c.id, T]);
      await dispatch();
      expect(await outboxRow(t.db, id)).toMatchObject({
        status: 'failed',
        status_reason: 'no_channel_left',
        channel: 'telegram',
        failed_channels: ['telegram'],
      });
      expect(smsTo(c.phone)).toHaveLength(0);
      expect(await attempts(id)).toEqual([{ channel: 'telegram', outcome: 'blocked', smtp_code: 403 }]);
    });

    it('does not fall back on a temporary failure: a 429 waits at least retry_after on the same channel', async () => {
      const c = await customer({ phone: true, chat: true });
      const id = await message(c.id);
      api.throttleNext(1, 900);
      await dispatch();
      const row = await outboxRow(t.db, id);
      expect(row).toMatchObject({ status: 'pending', status_reason: 'retry_scheduled', failed_channels: [] });
      // The back-off of a first attempt is one minute; Telegram asked for 15.
      expect(new Date(row.next_attempt_at).getTime()).toBe(T.getTime() + 900_000);
      await dispatch(new Date(T.getTime() + 899_000));
      expect(await outboxRow(t.db, id)).toMatchObject({ status: 'pending', attempts: 1 });
      await dispatch(new Date(T.getTime() + 900_000));
      expect(await outboxRow(t.db, id)).toMatchObject({ status: 'sent', channel: 'telegram' });
      expect(smsTo(c.phone)).toHaveLength(0);
    });
  });

  describe('sending rules across channels', () => {
    it('counts every channel in the 72-hour cap: a Telegram reminder, then an email follow-up waits', async () => {
      const c = await customer({ chat: true });
      const first = await message(c.id, 'service_reminders');
      await dispatch();
      expect(await outboxRow(t.db, first)).toMatchObject({ status: 'sent', channel: 'telegram' });
      await consent(c.id, { purpose: 'follow_ups', channel: 'telegram', granted: false });
      const second = await message(c.id, 'follow_ups');
      await dispatch(hours(1));
      expect(await outboxRow(t.db, second)).toMatchObject({
        status: 'pending',
        status_reason: 'frequency_cap',
        next_attempt_at: hours(72),
      });
      await dispatch(hours(72));
      expect(await outboxRow(t.db, second)).toMatchObject({ status: 'sent', channel: 'email' });
    });

    it('keeps quiet hours on SMS and Telegram', async () => {
      const sms = await customer({ phone: true });
      const tg = await customer({ chat: true });
      const ids = [await message(sms.id, 'surveys'), await message(tg.id, 'surveys')];
      const evening = new Date('2026-06-15T13:30:00Z'); // 20:30 in Phnom Penh
      await dispatch(evening);
      for (const id of ids)
        expect(await outboxRow(t.db, id)).toMatchObject({
          status: 'pending',
          status_reason: 'quiet_hours',
          next_attempt_at: new Date('2026-06-16T01:00:00Z'),
        });
      expect(smsTo(sms.phone)).toHaveLength(0);
      expect(api.sentTo(tg.chat!)).toHaveLength(0);
    });
  });

  describe('receipts', () => {
    it('records a delivery receipt once', async () => {
      const c = await customer({ phone: true });
      const id = await message(c.id);
      await dispatch();
      const [{ ref }] = await t.db.query(`SELECT ref FROM message_provider_ref WHERE message_id = $1`, [id]);
      await peer.receipt(ref, 'DELIVRD');
      const row = await outboxRow(t.db, id);
      expect(row).toMatchObject({ status: 'sent', delivery_status: 'delivered' });
      expect(row.delivered_at).not.toBeNull();
      t.clock.set(hours(2));
      try {
        await peer.receipt(ref, 'DELIVRD');
      } finally {
        t.clock.set(T);
      }
      expect((await outboxRow(t.db, id)).delivered_at).toEqual(row.delivered_at);
    });

    it('an undeliverable receipt marks the phone and falls back to the next channel, once', async () => {
      const c = await customer({ phone: true });
      const id = await message(c.id);
      await dispatch();
      const [{ ref }] = await t.db.query(`SELECT ref FROM message_provider_ref WHERE message_id = $1`, [id]);
      await peer.receipt(ref, 'UNDELIV');
      expect(await outboxRow(t.db, id)).toMatchObject({
        status: 'pending',
        status_reason: 'fallback_from:sms',
        failed_channels: ['sms'],
        delivery_status: 'undeliverable',
      });
      const [marked] = await t.db.query(`SELECT phone_undeliverable_at FROM customer WHERE id = $1`, [c.id]);
      expect(marked.phone_undeliverable_at).not.toBeNull();
      await peer.receipt(ref, 'UNDELIV');
      await dispatch();
      await peer.receipt(ref, 'UNDELIV');
      expect(await outboxRow(t.db, id)).toMatchObject({
        status: 'sent',
        channel: 'email',
        failed_channels: ['sms'],
        delivery_status: null,
      });
      expect(mailOf(id)).toBe(true);
      expect(smsTo(c.phone)).toHaveLength(1);
    });

    it('an undeliverable receipt with no other channel leaves the message failed, undeliverable', async () => {
      const c = await customer({ email: false, phone: true });
      const id = await message(c.id);
      await dispatch();
      const [{ ref }] = await t.db.query(`SELECT ref FROM message_provider_ref WHERE message_id = $1`, [id]);
      await peer.receipt(ref, 'UNDELIV');
      expect(await outboxRow(t.db, id)).toMatchObject({
        status: 'failed',
        delivery_status: 'undeliverable',
        failed_channels: ['sms'],
      });
    });
  });

  describe('end gates (a crash re-sends at most one message per sending lane per channel)', () => {
    /** Holds every outcome write (its statement waits for this lock) until the returned function is called. */
    async function holdOutcomes(): Promise<() => Promise<void>> {
      const locker = t.db.createQueryRunner();
      await locker.connect();
      await locker.startTransaction();
      await locker.query(`LOCK TABLE message_provider_ref IN EXCLUSIVE MODE`);
      return async () => {
        await locker.commitTransaction();
        await locker.release();
      };
    }
    const until = async (done: () => boolean) => {
      while (!done()) await new Promise((r) => setTimeout(r, 10));
    };

    it('completes at most `concurrency` messages per channel whose outcome is not committed, the others wait', async () => {
      expect(dispatcher.concurrency).toBe(5);
      const sms: { phone: string | null }[] = [];
      const telegram: { chat: string | null }[] = [];
      for (let i = 0; i < 8; i++) {
        const s = await customer({ email: false, phone: true });
        await message(s.id);
        sms.push(s);
        const c = await customer({ email: false, chat: true });
        await message(c.id);
        telegram.push(c);
      }
      const smsTaken = () => sms.filter((c) => smsTo(c.phone).length > 0).length;
      const telegramTaken = () => telegram.filter((c) => api.sentTo(c.chat!).length > 0).length;
      const release = await holdOutcomes();
      const run = dispatch();
      await until(() => smsTaken() === 5 && telegramTaken() === 5);
      // Nothing more goes out while those ten outcomes wait (without the gates all 16 would be gone by now).
      await new Promise((r) => setTimeout(r, 500));
      expect([smsTaken(), telegramTaken()]).toEqual([5, 5]);
      await release();
      expect(await run).toMatchObject({ sent: 16 });
      expect([smsTaken(), telegramTaken()]).toEqual([8, 8]);
    });

    it('a delivery receipt that overtakes its send’s outcome is refused (delivered again by the SMSC), then applied', async () => {
      const c = await customer({ phone: true });
      const id = await message(c.id);
      const release = await holdOutcomes();
      const run = dispatch();
      await until(() => smsTo(c.phone).length === 1);
      const submitted = peer.submits.find((s) => `+${s.destination}` === c.phone)!;
      // The SMSC reports before the dispatcher committed the outcome: ESME_RX_T_APPN, nothing lost.
      expect(await peer.receipt(submitted.messageId, 'DELIVRD')).toBe(0x64);
      await release();
      expect(await run).toMatchObject({ sent: 1 });
      expect(await outboxRow(t.db, id)).toMatchObject({ status: 'sent', delivery_status: null });
      // Its redelivery finds the ref.
      expect(await peer.receipt(submitted.messageId, 'DELIVRD')).toBe(0);
      expect(await outboxRow(t.db, id)).toMatchObject({ status: 'sent', delivery_status: 'delivered' });
      // A ref nobody sent is dropped (answered 0) once no send on the channel is unrecorded.
      expect(await peer.receipt('no-such-ref', 'DELIVRD')).toBe(0);
    });

    it('the CLI’s application context (no HTTP) does not bind to the SMSC at start', async () => {
      const binds = peer.binds;
      const db = new DataSource(dataSourceOptions(t.config.DATABASE_URL!, 2));
      await db.initialize();
      const ctx = await NestFactory.createApplicationContext(
        AppModule.forRoot({ config: t.config, database: { dataSource: db, url: t.config.DATABASE_URL! } }),
        { logger: createLogger('warn') },
      );
      try {
        expect(ctx.get(SmsDriver).mode).toBe('smpp');
        await new Promise((r) => setTimeout(r, 500));
        expect(peer.binds).toBe(binds);
      } finally {
        await ctx.close();
        if (db.isInitialized) await db.destroy();
      }
    });
  });

  describe('staff', () => {
    it('filters messages by channel and shows every attempt with its channel and outcome', async () => {
      const c = await customer({ phone: true, chat: true });
      api.block(c.chat!);
      const id = await message(c.id);
      await dispatch();
      await dispatch();
      const page = await t.http.get(`/api/v1/messages?channel=sms&customerId=${c.id}`).set(bearer(admin));
      expect(page.status).toBe(200);
      expect(page.body.items.map((m: { id: string }) => m.id)).toEqual([id]);
      expect(page.body.items[0]).toMatchObject({
        channel: 'sms',
        failedChannels: ['telegram'],
        toAddress: c.phone,
      });
      const none = await t.http
        .get(`/api/v1/messages?channel=telegram&customerId=${c.id}`)
        .set(bearer(admin));
      expect(none.body.items).toEqual([]);
      const detail = await t.http.get(`/api/v1/messages/${id}`).set(bearer(admin));
      expect(
        detail.body.attemptLog.map((a: { channel: string; outcome: string }) => [a.channel, a.outcome]),
      ).toEqual([
        ['telegram', 'blocked'],
        ['sms', 'sent'],
      ]);
      const bad = await t.http.get(`/api/v1/messages?channel=fax`).set(bearer(admin));
      expect(bad.status).toBe(400);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['channel']);
    });

    it('retries a failed message on the same channel by default, or on the next, and refuses one not usable', async () => {
      // SMS exhausted its retries (temporary failures): 'same' sends it by SMS again, not on Telegram first.
      const c = await customer({ phone: true, chat: true });
      const id = await message(c.id);
      await t.db.query(
        `UPDATE outbox_message SET status = 'failed', status_reason = 'retries_exhausted', channel = 'sms' WHERE id = $1`,
        [id],
      );
      const same = await t.http.post(`/api/v1/messages/${id}/retry`).set(bearer(admin));
      expect(same.status).toBe(200);
      expect(same.body).toMatchObject({ status: 'pending', statusReason: 'manual_retry' });
      await dispatch();
      expect(await outboxRow(t.db, id)).toMatchObject({ status: 'sent', channel: 'sms' });
      expect(api.sentTo(c.chat!)).toHaveLength(0);

      // Telegram blocked and SMS not allowed for the purpose: failed. 'same' is refused (the chat is blocked);
      // once SMS is allowed again, 'next' sends it by SMS.
      const d = await customer({ email: false, phone: true, chat: true });
      api.block(d.chat!);
      await consent(d.id, { purpose: 'service_reminders', channel: 'sms', granted: false });
      const failed = await message(d.id);
      await dispatch();
      expect(await outboxRow(t.db, failed)).toMatchObject({ status: 'failed', channel: 'telegram' });
      const refused = await t.http.post(`/api/v1/messages/${failed}/retry`).set(bearer(admin)).send({});
      expect(refused.status).toBe(422);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['channel']);
      const noNext = await t.http
        .post(`/api/v1/messages/${failed}/retry`)
        .set(bearer(admin))
        .send({ channel: 'next' });
      expect(noNext.status).toBe(422);
      const badChannel = await t.http
        .post(`/api/v1/messages/${failed}/retry`)
        .set(bearer(admin))
        .send({ channel: 'fax' });
      expect(badChannel.status).toBe(400);
      expect(badChannel.body.errors.map((e: { field: string }) => e.field)).toEqual(['channel']);
      expect(await outboxRow(t.db, failed)).toMatchObject({ status: 'failed' });

      await consent(d.id, { purpose: 'service_reminders', channel: 'sms', granted: true });
      const next = await t.http
        .post(`/api/v1/messages/${failed}/retry`)
        .set(bearer(admin))
        .send({ channel: 'next' });
      expect(next.status).toBe(200);
      await dispatch();
      expect(await outboxRow(t.db, failed)).toMatchObject({ status: 'sent', channel: 'sms' });
      expect(smsTo(d.phone)).toHaveLength(1);
    });

    it('takes a preferred channel on customers and a channel order on rooftops, validated', async () => {
      const create = await t.http
        .post('/api/v1/customers')
        .set(bearer(admin))
        .send({ firstName: 'Sok', homeRooftopId: rooftopId, phone: '+85512555001', preferredChannel: 'sms' });
      expect(create.status).toBe(201);
      expect(create.body.preferredChannel).toBe('sms');
      const bad = await t.http
        .post('/api/v1/customers')
        .set(bearer(admin))
        .send({ firstName: 'Sok', homeRooftopId: rooftopId, preferredChannel: 'fax' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['preferredChannel']);

      // A new phone number clears the undeliverable mark of the old one; clearing the preference is allowed.
      await t.db.query(`UPDATE customer SET phone_undeliverable_at = $2 WHERE id = $1`, [create.body.id, T]);
      const patched = await t.http
        .patch(`/api/v1/customers/${create.body.id}`)
        .set(bearer(admin))
        .set('If-Match', `"${create.body.version}"`)
        .send({ phone: '+85512555002', preferredChannel: null });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ preferredChannel: null, phoneUndeliverableAt: null });

      const rooftop = await t.http.post('/api/v1/rooftops').set(bearer(admin)).send({ name: 'Order Motors' });
      expect(rooftop.body.channelOrder).toEqual(['telegram', 'sms', 'email']);
      for (const channelOrder of [[], ['sms', 'sms'], ['sms', 'fax'], 'sms']) {
        const res = await t.http
          .patch(`/api/v1/rooftops/${rooftop.body.id}`)
          .set(bearer(admin))
          .send({ channelOrder });
        expect(res.status).toBe(400);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('channelOrder');
      }
      const ok = await t.http
        .patch(`/api/v1/rooftops/${rooftop.body.id}`)
        .set(bearer(admin))
        .send({ channelOrder: ['sms', 'email'] });
      expect(ok.status).toBe(200);
      expect(ok.body.channelOrder).toEqual(['sms', 'email']);
    });

    it('erasure clears the Telegram chat and the contact-point marks', async () => {
      const c = await customer({ phone: true, chat: true, preferred: 'telegram' });
      await t.db.query(
        `UPDATE customer SET telegram_blocked_at = $2, phone_undeliverable_at = $2 WHERE id = $1`,
        [c.id, T],
      );
      const res = await t.http.post(`/api/v1/customers/${c.id}/erasure`).set(bearer(admin));
      expect(res.status).toBe(200);
      const [row] = await t.db.query(
        `SELECT telegram_chat_id, telegram_linked_at, telegram_blocked_at, phone_undeliverable_at, preferred_channel
           FROM customer WHERE id = $1`,
        [c.id],
      );
      expect(row).toEqual({
        telegram_chat_id: null,
        telegram_linked_at: null,
        telegram_blocked_at: null,
        phone_undeliverable_at: null,
        preferred_channel: null,
      });
    });
  });
});
