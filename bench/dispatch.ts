/**
 * Benchmark of the outbox dispatcher against a bare pooled-nodemailer loop.
 *   npm run bench:dispatch -- --messages 2000
 * Seeds N due transactional messages (one per customer) into a fresh database, starts a local smtp-server
 * sink, then times DispatcherService draining the outbox (claim with SKIP LOCKED, sending rules, rendering,
 * fenced outcome) and, as the baseline, the same number of plain emails sent through a pooled nodemailer
 * transport with the same concurrency. Prints value (dispatcher msg/s), baseline (bare msg/s) and their
 * ratio, and writes bench-results/dispatch.json.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createTransport } from 'nodemailer';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service';
import { SystemClock } from '../src/common/clock';
import { LinkSigner } from '../src/common/link-signer';
import { loadConfig } from '../src/config/app-config';
import { EmailBouncingService } from '../src/customers/email-bouncing.service';
import { dataSourceOptions } from '../src/database/data-source';
import { DISPATCH_CONCURRENCY, DispatcherService } from '../src/messaging/dispatcher.service';
import { EmailDriver } from '../src/messaging/channels/email.driver';
import { SendingRules } from '../src/messaging/sending-rules';
import { TemplateRenderer } from '../src/messaging/template-renderer';
import { UnsubscribeLinks } from '../src/messaging/unsubscribe-links';
import { numberArg, openBenchDatabase, time, writeJson } from './support';

const DATABASE = 'bench_dispatch';
const AS_OF = new Date('2026-06-15T03:00:00Z');

async function startSink(): Promise<{ url: string; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    hideSecurityWarning: true,
    closeTimeout: 200,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received += 1;
        callback(null, 'queued');
      });
    },
  } as ConstructorParameters<typeof SMTPServer>[0]);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
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

/** The dispatch benchmark in a fresh database beside `benchUrl`'s (also a case of npm run bench). */
export async function dispatchBench(benchUrl: string, n: number) {
  const sink = await startSink();
  try {
    const url = await freshDatabase(benchUrl);
    const config = loadConfig({
      DATABASE_URL: url,
      SMTP_URL: sink.url,
      MAIL_FROM: 'Dealer CRM <no-reply@bench.example>',
      JWT_SECRET: randomBytes(32).toString('hex'),
      PUBLIC_BASE_URL: 'https://crm.bench',
      LOG_LEVEL: 'warn',
    });
    const db = new DataSource(dataSourceOptions(url, 10));
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });

    const [{ id: rooftopId }]: { id: string }[] = await db.query(
      `INSERT INTO rooftop (name, address, phone, booking_url, send_window_start, send_window_end)
       VALUES ('Bench Motors', '1 Bench Road, Phnom Penh', '+85523000000', 'https://book.example', '00:00', '00:00')
       RETURNING id`,
    );
    await db.query(
      `WITH c AS (
         INSERT INTO customer (home_rooftop_id, first_name, last_name, email, language)
         SELECT $1, 'Customer' || g, 'Bench', 'customer' || g || '@bench.example', (ARRAY['en','km','lo'])[1 + g % 3]
           FROM generate_series(1, $2) g
         RETURNING id)
       INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, kind, purpose, payload, scheduled_at, next_attempt_at)
       SELECT 'bench:' || c.id, $1, c.id, 'transactional', 'transactional',
              '{"message":"Your car is ready for pick-up."}'::jsonb, $3, $3
         FROM c`,
      [rooftopId, n, AS_OF],
    );

    const transport = new EmailDriver(config);
    const dispatcher = new DispatcherService(
      db,
      config,
      transport,
      new SendingRules(),
      new TemplateRenderer(),
      new UnsubscribeLinks(new LinkSigner(config)),
      new EmailBouncingService(new AuditService(new SystemClock())),
    );
    const measured = await time(async () => {
      let sent = 0;
      for (;;) {
        const s = await dispatcher.dispatch(AS_OF);
        sent += s.sent;
        if (s.claimed === 0) return sent;
      }
    });
    transport.close();
    if (measured.value !== n || sink.received() !== n) {
      throw new Error(`dispatcher sent ${measured.value}, sink received ${sink.received()}, expected ${n}`);
    }

    // Baseline: the same number of plain emails through a bare pooled transport, same concurrency.
    const bare = createTransport({ url: sink.url, pool: true, maxConnections: 5 } as Parameters<
      typeof createTransport
    >[0]);
    let next = 0;
    const baseline = await time(async () => {
      const lane = async () => {
        while (next < n) {
          const i = next++;
          await bare.sendMail({
            from: 'Dealer CRM <no-reply@bench.example>',
            to: `customer${i}@bench.example`,
            subject: 'A message from Bench Motors',
            text: 'Your car is ready for pick-up.',
            html: '<p>Your car is ready for pick-up.</p>',
          });
        }
      };
      await Promise.all(Array.from({ length: DISPATCH_CONCURRENCY }, lane));
    });
    bare.close();
    await db.destroy();

    const value = n / (measured.ms / 1000);
    const base = n / (baseline.ms / 1000);
    const result = {
      benchmark: 'outbox-dispatch',
      messages: n,
      unit: 'messages/s',
      value: Math.round(value),
      baseline: Math.round(base),
      ratio: Number((value / base).toFixed(3)),
      dispatcherMs: Math.round(measured.ms),
      baselineMs: Math.round(baseline.ms),
      concurrency: DISPATCH_CONCURRENCY,
      note: 'value = DispatcherService (claim, rules, render, send, fenced outcome); baseline = bare pooled nodemailer loop',
    };
    console.table([
      { measure: 'dispatcher (value)', 'messages/s': result.value, ms: result.dispatcherMs },
      { measure: 'bare nodemailer (baseline)', 'messages/s': result.baseline, ms: result.baselineMs },
      { measure: 'ratio value/baseline', 'messages/s': result.ratio, ms: '' },
    ]);
    writeJson(path.join('bench-results', 'dispatch.json'), result);
    console.log('Wrote bench-results/dispatch.json');
    return result;
  } finally {
    await sink.close();
  }
}

async function main() {
  const bench = await openBenchDatabase();
  try {
    await dispatchBench(bench.url, numberArg('messages', 2000));
  } finally {
    await bench.stop();
  }
}

if (require.main === module)
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
