/**
 * Benchmark of the Telegram channel: the app's dispatcher against a bare loop of the same Bot API client.
 *   npm run bench -- --case telegram          (a case of the suite)
 *   node -r ./test/support/swc-register.js bench/telegram.ts --messages 3000
 * Seeds N due service reminders for customers with a linked Telegram chat (languages en/km/lo) into a fresh
 * database and starts the Bot API stand-in (test/support/telegram-bot-api.ts) in a process of its own. Then, in
 * rounds that alternate (A B A B …, round 0 warms up and is not counted), times DispatcherService draining that
 * round's messages (claim, sending rules and channel choice, short text and booking button, sendMessage through
 * grammY, fenced outcome with the provider ref) and a bare loop of grammY's Api sending the same texts with the
 * same buttons at the same concurrency. Reports messages/s of both and their ratio per round (min/median/max);
 * writes bench-results/telegram.json. Goal (issue 14): ≥ 80 % of the bare loop and ≥ 300 messages/s.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Api } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service';
import { SystemClock } from '../src/common/clock';
import { LinkSigner } from '../src/common/link-signer';
import { loadConfig } from '../src/config/app-config';
import { ContactPointsService } from '../src/customers/contact-points.service';
import { EmailBouncingService } from '../src/customers/email-bouncing.service';
import { dataSourceOptions } from '../src/database/data-source';
import { BookingLinks } from '../src/messaging/booking-links';
import { EmailDriver } from '../src/messaging/channels/email.driver';
import { ShortTextComposer } from '../src/messaging/channels/short-text.composer';
import { TelegramDriver } from '../src/messaging/channels/telegram/telegram.driver';
import { DISPATCH_CONCURRENCY, DispatcherService } from '../src/messaging/dispatcher.service';
import { SendingRules } from '../src/messaging/sending-rules';
import { ShortLinks } from '../src/messaging/short-links';
import { ShortTextRenderer } from '../src/messaging/templates/short-text-renderer';
import { TemplateRenderer } from '../src/messaging/template-renderer';
import { UnsubscribeLinks } from '../src/messaging/unsubscribe-links';
import { TelegramBotApi } from '../test/support/telegram-bot-api';
import {
  channelCaseResult,
  DurableRounds,
  durableTableRows,
  seedDurableRows,
  type DurableSend,
} from './hand-written-dispatch';
import type { CaseResult } from './run';
import { appPoolSize, forkPeer, median, numberArg, openBenchDatabase, time, writeJson } from './support';

const DATABASE = 'bench_telegram';
const TOKEN = '123456789:BENCH-token_abcdefghijklmnopqrstuvw';
const AS_OF = new Date('2026-06-15T03:00:00Z');
/** Round r of the app runs as of AS_OF + 2r minutes; the odd minutes are the hand-written durable loop's. */
const ROUND_MS = 120_000;
/** The first chat id; customer g has chat CHAT0 + g. */
const CHAT0 = 500_000_000;

interface Sample {
  chat_id: string;
  text: string;
  reply_markup?: InlineKeyboardMarkup;
}

interface StandIn {
  url: string;
  sent(): Promise<number>;
  sample(): Promise<Sample[]>;
  close(): Promise<void>;
}

/** The stand-in in its own process (this file with --stand-in), asked over IPC. */
async function startStandIn(): Promise<StandIn> {
  const standIn = await forkPeer<{ url: string }>(__filename, ['--stand-in'], 'Bot API stand-in');
  return {
    url: standIn.ready.url,
    sent: async () => (await standIn.ask<{ sent: number }>('count')).sent,
    sample: async () => (await standIn.ask<{ sample: Sample[] }>('sample')).sample,
    close: () => standIn.close(),
  };
}

/** The child: the stand-in, counting every message and keeping the first ones (the bare loop's texts). */
async function runStandIn() {
  const api = new TelegramBotApi(TOKEN);
  api.countOnly = true;
  // The first messages the app sent, so that the bare loop sends the very same texts and buttons.
  api.keep = 3000;
  const url = await api.start();
  process.send!({ url });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'count') process.send!({ type: 'count', sent: api.sentCount });
    if (m.type === 'sample') {
      const sample: Sample[] = api.sent.map(({ chat_id, text, reply_markup }) => ({
        chat_id,
        text,
        reply_markup,
      }));
      process.send!({ type: 'sample', sample });
    }
  });
  process.on('disconnect', () => void api.close().then(() => process.exit(0)));
}

async function freshDatabase(adminUrl: string): Promise<string> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

/**
 * The Telegram benchmark in a fresh database beside `benchUrl`'s: `rounds` rounds of `perRound` messages, the
 * dispatcher and the bare grammY loop alternating.
 */
export async function telegramBench(benchUrl: string, perRound: number, rounds = 3) {
  const standIn = await startStandIn();
  const n = perRound * (rounds + 1);
  try {
    const url = await freshDatabase(benchUrl);
    const config = loadConfig({
      DATABASE_URL: url,
      JWT_SECRET: randomBytes(32).toString('hex'),
      PUBLIC_BASE_URL: 'https://crm.bench',
      LOG_LEVEL: 'warn',
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_URL: standIn.url,
      TELEGRAM_UPDATES: 'off',
    });
    const db = new DataSource(dataSourceOptions(url, appPoolSize()));
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });

    const [{ id: rooftopId }]: { id: string }[] = await db.query(
      `INSERT INTO rooftop (name, address, phone, booking_url, send_window_start, send_window_end)
       VALUES ('Bench Motors', '1 Bench Road, Phnom Penh', '+85523000000', 'https://book.example/bench', '00:00', '00:00')
       RETURNING id`,
    );
    // Round r's messages fall due at AS_OF + 2r minutes, so that a run as of that instant sends that round only.
    await db.query(
      `WITH c AS (
         INSERT INTO customer (home_rooftop_id, first_name, last_name, email, language, telegram_chat_id, telegram_linked_at)
         SELECT $1, 'Customer' || g, 'Bench', 'customer' || g || '@bench.example', (ARRAY['en','km','lo'])[1 + g % 3],
                $5::bigint + g, $3
           FROM generate_series(0, $2 - 1) g
         RETURNING id, split_part(first_name, 'Customer', 2)::int AS g)
       INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, kind, purpose, payload, scheduled_at, next_attempt_at)
       SELECT 'bench:' || c.id, $1, c.id, 'service_reminder', 'service_reminders', '{}'::jsonb,
              $3::timestamptz + (c.g / $4) * interval '2 minutes', $3::timestamptz + (c.g / $4) * interval '2 minutes'
         FROM c`,
      [rooftopId, n, AS_OF, perRound, CHAT0],
    );
    const pool = new Pool({ connectionString: url, max: 4 });
    pool.on('error', () => undefined);
    await seedDurableRows(
      pool,
      { kind: 'service_reminder', purpose: 'service_reminders', payload: '{}' },
      perRound,
      AS_OF,
    );

    const unsubscribe = new UnsubscribeLinks(new LinkSigner(config));
    const bookingLinks = new BookingLinks();
    const telegram = new TelegramDriver(config);
    const dispatcher = new DispatcherService(
      db,
      config,
      new EmailDriver(config),
      new SendingRules(),
      new TemplateRenderer(),
      unsubscribe,
      new EmailBouncingService(new AuditService(new SystemClock())),
      bookingLinks,
      new ContactPointsService(),
      undefined,
      telegram,
      new ShortTextComposer(new ShortTextRenderer(), unsubscribe, bookingLinks, new ShortLinks(db, config)),
    );
    // The same client library, its own instance, as an integration would use it.
    const bare = new Api(TOKEN, { apiRoot: standIn.url });
    const durableApi = new Api(TOKEN, { apiRoot: standIn.url });
    const app: number[] = [];
    const loop: number[] = [];
    const durable = new DurableRounds(pool, 'telegram', AS_OF, perRound);
    const oneAtATime: number[] = [];
    let sample: Sample[] = [];
    let sent = 0;
    for (let r = 0; r <= rounds; r++) {
      const measured = await time(async () => {
        for (;;) {
          const s = await dispatcher.dispatch(new Date(AS_OF.getTime() + r * ROUND_MS));
          sent += s.sent;
          if (s.claimed === 0) return;
        }
      });
      const counted = r > 0;
      if (counted) app.push(perRound / (measured.ms / 1000));
      if (sample.length === 0) sample = await standIn.sample();
      if (sample.length === 0) throw new Error('the stand-in received no message from the dispatcher');
      const bareLoop = (lanes: number) =>
        time(async () => {
          let next = 0;
          const lane = async () => {
            while (next < perRound) {
              const m = sample[next++ % sample.length];
              await bare.sendMessage(m.chat_id, m.text, {
                ...(m.reply_markup ? { reply_markup: m.reply_markup } : {}),
                link_preview_options: { is_disabled: true },
              });
            }
          };
          await Promise.all(Array.from({ length: lanes }, lane));
        });
      const concurrent = await bareLoop(DISPATCH_CONCURRENCY);
      if (counted) loop.push(perRound / (concurrent.ms / 1000));
      // Diagnostic: one request at a time, as a one-permit end gate would complete messages (not a baseline; the
      // gate has one permit per lane now, docs/reliability.md).
      const serial = await bareLoop(1);
      if (counted) oneAtATime.push(perRound / (serial.ms / 1000));
      // The same texts and buttons again, durably, under the bound (bench/hand-written-dispatch.ts).
      const durableSend: DurableSend = async (row, k, end) => {
        const m = sample[k % sample.length];
        await end();
        const sentMessage = await durableApi.sendMessage(row.to, m.text, {
          ...(m.reply_markup ? { reply_markup: m.reply_markup } : {}),
          link_preview_options: { is_disabled: true },
        });
        return { refs: [String(sentMessage.message_id)], subject: null, html: null, text: m.text };
      };
      await durable.run(r, counted, durableSend);
    }
    await pool.end();
    await db.destroy();
    const received = await standIn.sent();
    if (sent !== n || received !== 4 * n) {
      throw new Error(
        `dispatcher sent ${sent} of ${n}; the stand-in received ${received}, expected ${4 * n}`,
      );
    }
    const withButton = sample.filter((m) => m.reply_markup).length;
    const result = {
      benchmark: 'telegram',
      ...durable.figures(app, loop, rounds, DISPATCH_CONCURRENCY),
      sampleWithButton: `${withButton}/${sample.length}`,
      perRoundMsgPerS: {
        app: app.map(Math.round),
        bareGrammy: loop.map(Math.round),
        bareGrammyOneAtATime: oneAtATime.map(Math.round),
        durable: durable.rates.map(Math.round),
      },
      oneAtATime: Math.round(median(oneAtATime)),
      note:
        'value = DispatcherService (claim, rules, channel choice, short text + booking button, grammY sendMessage, ' +
        "fenced outcome + provider ref); baseline = bare grammY Api.sendMessage of the dispatcher's own texts and " +
        'buttons, same concurrency; durable = the same texts by the hand-written durable loop ' +
        '(bench/hand-written-dispatch.ts: claim, ≤ 5 sent-but-unrecorded, one outcome statement per group); ' +
        'Bot API stand-in in its own process',
    };
    console.table([
      { measure: 'dispatcher → Telegram (value)', 'messages/s': result.value },
      { measure: 'bare grammY loop, same texts', 'messages/s': result.baseline },
      { measure: 'bare grammY, one request at a time', 'messages/s': result.oneAtATime },
      ...durableTableRows(result),
    ]);
    writeJson(path.join('bench-results', 'telegram.json'), result);
    console.log('Wrote bench-results/telegram.json');
    return result;
  } finally {
    await standIn.close();
  }
}

/** The `telegram` case of npm run bench. */
export async function telegramCase(ctx: { db: { url: string }; quick: boolean; results: CaseResult[] }) {
  const r = await telegramBench(ctx.db.url, ctx.quick ? 200 : 1000, 3);
  ctx.results.push(
    channelCaseResult(
      `outbox dispatch to the Telegram Bot API stand-in (${r.messages} messages)`,
      '≥ 0.80 of bare grammY and ≥ 300 msg/s',
      r,
      {
        perRound: r.perRoundMsgPerS,
        oneAtATime: r.oneAtATime,
      },
    ),
  );
}

async function main() {
  if (process.argv.includes('--stand-in')) return runStandIn();
  const bench = await openBenchDatabase();
  try {
    await telegramBench(bench.url, Math.ceil(numberArg('messages', 3000) / 3), 3);
  } finally {
    await bench.stop();
  }
}

if (require.main === module)
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
