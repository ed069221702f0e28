/**
 * Benchmark of the SMS channel: the app's dispatcher against a bare loop of the same SMPP client library.
 *   npm run bench -- --case sms          (a case of the suite)
 *   node -r ./test/support/swc-register.js bench/sms.ts --messages 3000
 * Seeds N due service reminders for customers with a phone and no Telegram (languages en/km/lo, so GSM-7 and
 * UCS-2, one or two parts) into a fresh database and starts the SMPP peer (test/support/smpp-peer.ts) in a
 * process of its own. Then, in rounds that alternate (A B A B …, round 0 warms up and is not counted), times
 * DispatcherService draining that round's messages (claim, sending rules and channel choice, short text and short
 * link, SmsDriver's submit_sm per part over one transceiver bind, fenced outcome with the provider refs) and a
 * bare loop of the smpp package's client, bound once, submitting the dispatcher's very texts as the same parts at
 * the same concurrency. Reports messages/s of both and their ratio per round (min/median/max); writes
 * bench-results/sms.json. Goal (issue 14): ≥ 80 % of the bare loop and ≥ 300 messages/s.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Client, Pool } from 'pg';
import { connect, type PDU, type Session } from 'smpp';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service';
import { SystemClock } from '../src/common/clock';
import { DomainEvents } from '../src/common/domain-events';
import { LinkSigner } from '../src/common/link-signer';
import { loadConfig } from '../src/config/app-config';
import { ContactPointsService } from '../src/customers/contact-points.service';
import { EmailBouncingService } from '../src/customers/email-bouncing.service';
import { dataSourceOptions } from '../src/database/data-source';
import { BookingLinks } from '../src/messaging/booking-links';
import { EmailDriver } from '../src/messaging/channels/email.driver';
import { ShortTextComposer } from '../src/messaging/channels/short-text.composer';
import { parseSmppUrl } from '../src/messaging/channels/sms/smpp-session';
import { SmsDriver } from '../src/messaging/channels/sms/sms.driver';
import { submitsFor } from '../src/messaging/channels/sms/sms-submit';
import { splitSms } from '../src/messaging/channels/sms/sms-text';
import { DISPATCH_CONCURRENCY, DispatcherService } from '../src/messaging/dispatcher.service';
import { SendingRules } from '../src/messaging/sending-rules';
import { ShortLinks } from '../src/messaging/short-links';
import { ShortTextRenderer } from '../src/messaging/templates/short-text-renderer';
import { TemplateRenderer } from '../src/messaging/template-renderer';
import { UnsubscribeLinks } from '../src/messaging/unsubscribe-links';
import { startSmppPeer } from '../test/support/smpp-peer';
import {
  channelCaseResult,
  DurableRounds,
  durableTableRows,
  seedDurableRows,
  type DurableSend,
} from './hand-written-dispatch';
import type { CaseResult } from './run';
import { appPoolSize, forkPeer, numberArg, openBenchDatabase, time, writeJson } from './support';

const DATABASE = 'bench_sms';
const AS_OF = new Date('2026-06-15T03:00:00Z');
/** Round r of the app runs as of AS_OF + 2r minutes; the odd minutes are the hand-written durable loop's. */
const ROUND_MS = 120_000;
const SENDER = 'BenchMotor';

interface Sample {
  to: string;
  text: string;
}

interface Peer {
  url: string;
  submits(): Promise<number>;
  sample(): Promise<Sample[]>;
  close(): Promise<void>;
}

/** The SMPP peer in its own process (this file with --peer), asked over IPC. */
async function startPeerProcess(): Promise<Peer> {
  const peer = await forkPeer<{ url: string }>(__filename, ['--peer'], 'SMPP peer');
  return {
    url: peer.ready.url,
    submits: async () => (await peer.ask<{ submits: number }>('count')).submits,
    sample: async () => (await peer.ask<{ sample: Sample[] }>('sample')).sample,
    close: () => peer.close(),
  };
}

/** The child: the peer, answering every submit; the first messages it reassembles are the bare loop's texts. */
async function runPeer() {
  const peer = await startSmppPeer({ systemId: 'bench', password: 'bench1' });
  process.send!({ url: peer.url });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'count') process.send!({ type: 'count', submits: peer.submits.length });
    if (m.type === 'sample') {
      const sample = peer
        .messages()
        .slice(0, 3000)
        .map((msg) => ({ to: `+${msg.destination}`, text: msg.text }));
      process.send!({ type: 'sample', sample });
    }
  });
  process.on('disconnect', () => void peer.close().then(() => process.exit(0)));
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

/** The bare loop's client: the smpp package's session, one transceiver bind, as an integration would use it. */
async function bareSession(url: string): Promise<Session> {
  const account = parseSmppUrl(url);
  const session = connect({ host: account.host, port: account.port });
  await new Promise<void>((resolve, reject) => {
    session.on('error', reject);
    session.on('connect', () =>
      session.bind_transceiver(
        { system_id: account.systemId, password: account.password, interface_version: 0x34 },
        (r: PDU) => (r.command_status === 0 ? resolve() : reject(new Error(`bind ${r.command_status}`))),
      ),
    );
  });
  return session;
}

const submit = (session: Session, fields: Record<string, unknown>) =>
  new Promise<PDU>((resolve) => session.submit_sm(fields, resolve));

/** `rounds` rounds of `perRound` messages, the dispatcher and the bare smpp loop alternating. */
export async function smsBench(benchUrl: string, perRound: number, rounds = 3) {
  const peer = await startPeerProcess();
  const n = perRound * (rounds + 1);
  try {
    const url = await freshDatabase(benchUrl);
    const config = loadConfig({
      DATABASE_URL: url,
      JWT_SECRET: randomBytes(32).toString('hex'),
      PUBLIC_BASE_URL: 'https://crm.bench',
      LOG_LEVEL: 'warn',
      SMPP_URL: peer.url,
      SMS_SENDER: SENDER,
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
         INSERT INTO customer (home_rooftop_id, first_name, last_name, email, language, phone)
         SELECT $1, 'Customer' || g, 'Bench', 'customer' || g || '@bench.example', (ARRAY['en','km','lo'])[1 + g % 3],
                '+85512' || lpad(g::text, 7, '0')
           FROM generate_series(0, $2 - 1) g
         RETURNING id, split_part(first_name, 'Customer', 2)::int AS g)
       INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, kind, purpose, payload, scheduled_at, next_attempt_at)
       SELECT 'bench:' || c.id, $1, c.id, 'service_reminder', 'service_reminders', '{}'::jsonb,
              $3::timestamptz + (c.g / $4) * interval '2 minutes', $3::timestamptz + (c.g / $4) * interval '2 minutes'
         FROM c`,
      [rooftopId, n, AS_OF, perRound],
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
    const sms = new SmsDriver(config, db, new DomainEvents(), new SystemClock());
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
      sms,
      undefined,
      new ShortTextComposer(new ShortTextRenderer(), unsubscribe, bookingLinks, new ShortLinks(db, config)),
    );
    const bare = await bareSession(peer.url);
    // The hand-written durable loop's own bind, as the app has its own.
    const durableSession = await bareSession(peer.url);
    const app: number[] = [];
    const loop: number[] = [];
    const durable = new DurableRounds(pool, 'sms', AS_OF, perRound);
    let sample: Sample[] = [];
    let sent = 0;
    let bareParts = 0;
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
      if (sample.length === 0) sample = await peer.sample();
      if (sample.length === 0) throw new Error('the SMPP peer received no message from the dispatcher');
      const bareLoop = await time(async () => {
        let next = 0;
        const lane = async () => {
          while (next < perRound) {
            const m = sample[next++ % sample.length];
            for (const fields of submitsFor(randomUUID(), m.to, SENDER, splitSms(m.text))) {
              const response = await submit(bare, fields);
              if (response.command_status !== 0) throw new Error(`bare submit ${response.command_status}`);
              bareParts += 1;
            }
          }
        };
        await Promise.all(Array.from({ length: DISPATCH_CONCURRENCY }, lane));
      });
      if (counted) loop.push(perRound / (bareLoop.ms / 1000));
      // The same texts again, durably, under the bound (bench/hand-written-dispatch.ts).
      const durableSend: DurableSend = async (row, k, end) => {
        const m = sample[k % sample.length];
        await end();
        const refs: string[] = [];
        for (const fields of submitsFor(row.id, row.to, SENDER, splitSms(m.text))) {
          const response = await submit(durableSession, fields);
          if (response.command_status !== 0) throw new Error(`durable submit ${response.command_status}`);
          refs.push(String(response.message_id));
        }
        return { refs, subject: null, html: null, text: m.text };
      };
      await durable.run(r, counted, durableSend);
    }
    await sms.onApplicationShutdown();
    bare.close();
    durableSession.close();
    await pool.end();
    const [{ parts }]: { parts: number }[] = await db.query(
      `SELECT count(*)::int AS parts FROM message_provider_ref WHERE channel = 'sms'`,
    );
    await db.destroy();
    const received = await peer.submits();
    if (sent !== n || received !== parts + bareParts) {
      throw new Error(
        `dispatcher sent ${sent} of ${n}; the peer took ${received} parts, expected ${parts + bareParts}`,
      );
    }
    const twoParts = sample.filter((m) => splitSms(m.text).parts.length === 2).length;
    const ucs2 = sample.filter((m) => splitSms(m.text).encoding === 'ucs2').length;
    const result = {
      benchmark: 'sms',
      ...durable.figures(app, loop, rounds, DISPATCH_CONCURRENCY),
      sample: { messages: sample.length, ucs2, twoParts },
      perRoundMsgPerS: {
        app: app.map(Math.round),
        bareSmpp: loop.map(Math.round),
        durable: durable.rates.map(Math.round),
      },
      note:
        'value = DispatcherService (claim, rules, channel choice, short text + short link, SmsDriver submit_sm per ' +
        "part over one bind, fenced outcome + provider refs); baseline = the smpp package's client, bound once, " +
        "submitting the dispatcher's own texts as the same parts, same concurrency; durable = the same texts by " +
        'the hand-written durable loop (bench/hand-written-dispatch.ts: claim, ≤ 5 sent-but-unrecorded, one ' +
        'outcome statement per group); SMPP peer in its own process',
    };
    console.table([
      { measure: 'dispatcher → SMPP (value)', 'messages/s': result.value },
      { measure: 'bare smpp loop, same texts', 'messages/s': result.baseline },
      ...durableTableRows(result),
    ]);
    writeJson(path.join('bench-results', 'sms.json'), result);
    console.log('Wrote bench-results/sms.json');
    return result;
  } finally {
    await peer.close();
  }
}

/** The `sms` case of npm run bench. */
export async function smsCase(ctx: { db: { url: string }; quick: boolean; results: CaseResult[] }) {
  const r = await smsBench(ctx.db.url, ctx.quick ? 200 : 1000, 3);
  ctx.results.push(
    channelCaseResult(
      `outbox dispatch to the SMPP peer (${r.messages} messages)`,
      '≥ 0.80 of the bare smpp client and ≥ 300 msg/s',
      r,
      {
        perRound: r.perRoundMsgPerS,
        sample: r.sample,
      },
    ),
  );
}

async function main() {
  if (process.argv.includes('--peer')) return runPeer();
  const bench = await openBenchDatabase();
  try {
    await smsBench(bench.url, Math.ceil(numberArg('messages', 3000) / 3), 3);
  } finally {
    await bench.stop();
  }
}

if (require.main === module)
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
