import { DataSource } from 'typeorm';
import { EmailBouncingService } from '../../src/customers/email-bouncing.service';
import { DispatcherService } from '../../src/messaging/dispatcher.service';
import { EmailDriver } from '../../src/messaging/channels/email.driver';
import { OutboxService, type EnqueueMessage } from '../../src/messaging/outbox.service';
import { SendingRules } from '../../src/messaging/sending-rules';
import { TemplateRenderer } from '../../src/messaging/template-renderer';
import { UnsubscribeLinks } from '../../src/messaging/unsubscribe-links';
import type { SmtpSink } from './smtp-sink';
import type { TestApp } from './test-app';

let seq = 0;

/** A customer row written directly (the messaging tests need only the columns the dispatcher reads). */
export async function insertCustomer(
  db: DataSource,
  rooftopId: string,
  fields: {
    firstName?: string;
    language?: 'en' | 'km' | 'lo';
    email?: string | null;
    bouncing?: boolean;
  } = {},
): Promise<string> {
  seq += 1;
  const rows: { id: string }[] = await db.query(
    `INSERT INTO customer (home_rooftop_id, first_name, last_name, email, language, email_bouncing)
     VALUES ($1, $2, 'Test', $3, $4, $5) RETURNING id`,
    [
      rooftopId,
      fields.firstName ?? `Dara${seq}`,
      fields.email === undefined ? `customer${seq}.${Date.now()}@example.test` : fields.email,
      fields.language ?? 'en',
      fields.bouncing ?? false,
    ],
  );
  return rows[0].id;
}

export async function recordConsent(
  db: DataSource,
  customerId: string,
  purpose: string,
  granted: boolean,
  at: Date,
) {
  await db.query(
    `INSERT INTO consent (customer_id, purpose, channel, granted, at, source) VALUES ($1, $2, 'email', $3, $4, 'staff')`,
    [customerId, purpose, granted, at],
  );
}

/** Enqueues through the real OutboxService in a transaction of its own. */
export async function enqueue(
  db: DataSource,
  message: Partial<EnqueueMessage> & Pick<EnqueueMessage, 'rooftopId' | 'customerId'>,
): Promise<string> {
  seq += 1;
  const id = await db.transaction((manager) =>
    new OutboxService().enqueue(manager, {
      dedupeKey: `test:${seq}:${Date.now()}`,
      kind: 'transactional',
      purpose: 'transactional',
      payload: { message: 'Your car is ready for pick-up.' },
      scheduledAt: new Date('2026-06-15T00:00:00Z'),
      ...message,
    }),
  );
  if (!id) throw new Error('enqueue inserted nothing');
  return id;
}

export async function outboxRow(db: DataSource, id: string) {
  const rows = await db.query(`SELECT * FROM outbox_message WHERE id = $1`, [id]);
  return rows[0];
}

/** A dispatcher of its own (another worker or instance), on `db` and with its own SMTP pool. */
export function ownDispatcher(t: TestApp, db: DataSource = t.db) {
  const transport = new EmailDriver(t.config);
  const d = new DispatcherService(
    db,
    t.config,
    transport,
    t.app.get(SendingRules),
    t.app.get(TemplateRenderer),
    t.app.get(UnsubscribeLinks),
    t.app.get(EmailBouncingService),
  );
  return { d, transport };
}

/** A message whose DATA has ended at the sink and whose reply the test gives. */
export interface HeldReply {
  raw: Buffer;
  /** Sends the reply: null accepts (250), { code, message } refuses (451, 550...). */
  answer(reply: { code: number; message: string } | null): void;
}

/**
 * Holds every message's DATA reply at `sink` until the test answers that very message, so a test can order
 * what two workers see without timing: `next()` resolves with each message in the order its DATA ended.
 * `acceptAll()` answers whatever is still held (clean-up after a failed expectation).
 */
export function holdEachReply(sink: SmtpSink): { next(): Promise<HeldReply>; acceptAll(): void } {
  const replies = new WeakMap<Buffer, { code: number; message: string } | null>();
  const unanswered = new Set<() => void>();
  const arrived: HeldReply[] = [];
  const waiting: ((held: HeldReply) => void)[] = [];
  sink.respond((_attempt, raw) => replies.get(raw) ?? null);
  sink.onEnd = (raw) =>
    new Promise<void>((release) => {
      unanswered.add(release);
      const held: HeldReply = {
        raw,
        answer(reply) {
          replies.set(raw, reply);
          unanswered.delete(release);
          release();
        },
      };
      const waiter = waiting.shift();
      if (waiter) waiter(held);
      else arrived.push(held);
    });
  return {
    next: () =>
      new Promise<HeldReply>((resolve) => {
        const held = arrived.shift();
        if (held) resolve(held);
        else waiting.push(resolve);
      }),
    acceptAll() {
      for (const release of unanswered) release();
      unanswered.clear();
    },
  };
}
