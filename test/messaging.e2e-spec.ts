import * as fs from 'node:fs';
import * as path from 'node:path';
import { simpleParser } from 'mailparser';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import { JobsService } from '../src/jobs/jobs.service';
import { DispatcherService, LEASE_SECONDS } from '../src/messaging/dispatcher.service';
import { SendingRules } from '../src/messaging/sending-rules';
import {
  enqueue,
  insertCustomer,
  outboxRow,
  ownDispatcher,
  recordConsent,
} from './support/messaging-fixtures';
import { rawHeader, startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { startTestApp, type TestApp } from './support/test-app';

// 03:00Z is 10:00 in Phnom Penh and Vientiane: inside the default 08:00–20:00 sending window.
const T = new Date('2026-06-15T03:00:00Z');
const at = (ms: number) => new Date(T.getTime() + ms);
const MIN = 60_000;
const HOUR = 3_600_000;

describe('messaging: the dispatcher against a real SMTP server', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let dispatcher: DispatcherService;
  let rooftopId: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({
      now: T.toISOString(),
      env: { SMTP_URL: sink.url, MAIL_FROM: 'Dealer CRM <no-reply@crm.example>' },
    });
    dispatcher = t.app.get(DispatcherService);
    rooftopId = (
      await t.rooftop({
        name: 'Phnom Penh Motors',
        address: '12 Norodom Blvd, Phnom Penh',
        phone: '+85523555111',
        bookingUrl: 'https://book.example/pp',
        senderEmail: 'service@ppmotors.example',
        senderName: 'Phnom Penh Motors Service',
      })
    ).id;
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });
  beforeEach(() => sink.reset());

  it('sends an email once with HTML and text parts, one-click unsubscribe headers and a deterministic Message-ID', async () => {
    const customerId = await insertCustomer(t.db, rooftopId, { firstName: 'Sokha' });
    const id = await enqueue(t.db, {
      rooftopId,
      customerId,
      payload: { message: 'Your car is ready for pick-up.' },
    });

    const run = await t.app.get(JobsService).run('outbox-dispatch', T);
    expect(run.result).toMatchObject({ claimed: 1, sent: 1 });
    expect(sink.accepted).toHaveLength(1);
    const mail = sink.accepted[0].parsed;
    expect(mail.messageId).toBe(`<${id}@crm.example>`);
    expect(mail.subject).toBe('A message from Phnom Penh Motors');
    expect(mail.from?.value[0]).toMatchObject({
      address: 'service@ppmotors.example',
      name: 'Phnom Penh Motors Service',
    });
    expect(mail.text).toContain('Dear Sokha,');
    expect(mail.text).toContain('Your car is ready for pick-up.');
    expect(mail.text).toContain('12 Norodom Blvd, Phnom Penh');
    expect(mail.text).toContain('https://book.example/pp');
    expect(mail.html).toContain('<strong>Phnom Penh Motors</strong>');
    const unsubscribe = rawHeader(mail, 'list-unsubscribe') ?? '';
    expect(unsubscribe).toMatch(/^<https:\/\/crm\.test\/api\/v1\/unsubscribe\/[\w-]+\.[\w-]+>$/);
    expect(rawHeader(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.text).toContain(unsubscribe.slice(1, -1));

    const row = await outboxRow(t.db, id);
    expect(row).toMatchObject({
      status: 'sent',
      attempts: 1,
      message_id: `<${id}@crm.example>`,
      language: 'en',
    });
    expect(row.subject).toBe('A message from Phnom Penh Motors');
    expect(row.html_body).toContain('Your car is ready for pick-up.');
    expect(row.text_body).toContain('Dear Sokha,');
    expect(new Date(row.sent_at)).toEqual(T);

    // A second run finds nothing to do: sent exactly once.
    expect((await dispatcher.dispatch(at(10 * MIN))).claimed).toBe(0);
    expect(sink.accepted).toHaveLength(1);
  });

  it('keeps Khmer and Lao script intact end to end through SMTP', async () => {
    const khmer = await insertCustomer(t.db, rooftopId, { firstName: 'សុខា', language: 'km' });
    const lao = await insertCustomer(t.db, rooftopId, { firstName: 'ສົມພອນ', language: 'lo' });
    await enqueue(t.db, {
      rooftopId,
      customerId: khmer,
      payload: { message: 'រថយន្តរបស់អ្នករួចរាល់ហើយ', date: '2026-06-20T02:30:00Z' },
    });
    await enqueue(t.db, { rooftopId, customerId: lao, payload: { message: 'ລົດຂອງທ່ານພ້ອມແລ້ວ' } });
    await dispatcher.dispatch(T);

    const byLang = new Map(
      sink.accepted.map((m) => [m.parsed.subject?.startsWith('សារ') ? 'km' : 'lo', m.parsed]),
    );
    const km = byLang.get('km')!;
    expect(km.subject).toBe('សារពី Phnom Penh Motors');
    expect(km.text).toContain('ជូនចំពោះ សុខា');
    expect(km.text).toContain('រថយន្តរបស់អ្នករួចរាល់ហើយ');
    expect(km.text).toContain('ឈប់ទទួលអ៊ីមែលប្រភេទនេះ');
    // The date helper: Khmer month name, in the rooftop's time zone (02:30Z is 09:30 in Phnom Penh).
    expect(km.text).toMatch(/20 មិថុនា 2026.*9:30/);
    expect(km.html).toContain('ជូនចំពោះ សុខា');
    const lo = byLang.get('lo')!;
    expect(lo.subject).toBe('ຂໍ້ຄວາມຈາກ Phnom Penh Motors');
    expect(lo.text).toContain('ຮຽນ ສົມພອນ');
    expect(lo.html).toContain('ລົດຂອງທ່ານພ້ອມແລ້ວ');
  });

  it('retries after SMTP 451 and delivers exactly once with attempts = 2', async () => {
    sink.respond((attempt) => (attempt === 1 ? { code: 451, message: 'Try again later' } : null));
    const customerId = await insertCustomer(t.db, rooftopId);
    const id = await enqueue(t.db, { rooftopId, customerId });

    expect(await dispatcher.dispatch(T)).toMatchObject({ claimed: 1, retry: 1 });
    let row = await outboxRow(t.db, id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, status_reason: 'retry_scheduled' });
    expect(row.last_error).toContain('451');
    expect(new Date(row.next_attempt_at)).toEqual(at(1 * MIN));

    expect((await dispatcher.dispatch(at(30_000))).claimed).toBe(0);
    expect(await dispatcher.dispatch(at(1 * MIN))).toMatchObject({ sent: 1 });
    row = await outboxRow(t.db, id);
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sink.attempts).toBe(2);
    expect(sink.accepted).toHaveLength(1);
    expect(sink.accepted[0].parsed.messageId).toBe(`<${id}@crm.example>`);
    const log = await t.db.query(
      `SELECT attempt, outcome, smtp_code FROM message_attempt WHERE message_id = $1 ORDER BY attempt`,
      [id],
    );
    expect(log).toEqual([
      { attempt: 1, outcome: 'temporary_failure', smtp_code: 451 },
      { attempt: 2, outcome: 'sent', smtp_code: null },
    ]);
  });

  it('fails at once on SMTP 550, never retries, and marks the address bouncing', async () => {
    sink.respond(() => ({ code: 550, message: 'No such user here' }));
    const customerId = await insertCustomer(t.db, rooftopId);
    const id = await enqueue(t.db, { rooftopId, customerId });

    expect(await dispatcher.dispatch(T)).toMatchObject({ claimed: 1, failed: 1 });
    const row = await outboxRow(t.db, id);
    expect(row).toMatchObject({ status: 'failed', status_reason: 'smtp_550', attempts: 1 });
    expect(row.last_error).toContain('No such user');
    expect(
      (await t.db.query(`SELECT email_bouncing FROM customer WHERE id = $1`, [customerId]))[0].email_bouncing,
    ).toBe(true);

    expect((await dispatcher.dispatch(at(7 * HOUR))).claimed).toBe(0);
    expect(sink.attempts).toBe(1);

    // The next email to that customer is suppressed while the address bounces.
    const next = await enqueue(t.db, { rooftopId, customerId });
    await dispatcher.dispatch(at(8 * HOUR));
    expect(await outboxRow(t.db, next)).toMatchObject({
      status: 'suppressed',
      status_reason: 'email_bouncing',
      attempts: 0,
    });
    expect(sink.attempts).toBe(1);
  });

  it('gives up after 48 hours of temporary failures with back-off growing from 1 minute to 6 hours', async () => {
    const allDay = (await t.rooftop({ sendWindowStart: '00:00', sendWindowEnd: '00:00' })).id;
    sink.respond(() => ({ code: 421, message: 'Service not available' }));
    const customerId = await insertCustomer(t.db, allDay);
    const id = await enqueue(t.db, { rooftopId: allDay, customerId });
    const gaps: number[] = [];
    let asOf = T;
    for (let i = 0; i < 40; i++) {
      await dispatcher.dispatch(asOf);
      const row = await outboxRow(t.db, id);
      if (row.status !== 'pending') break;
      const next = new Date(row.next_attempt_at);
      gaps.push((next.getTime() - asOf.getTime()) / MIN);
      asOf = next;
    }
    const row = await outboxRow(t.db, id);
    expect(row).toMatchObject({ status: 'failed', status_reason: 'retries_exhausted' });
    expect(gaps.slice(0, 5)).toEqual([1, 2, 4, 8, 16]);
    expect(Math.max(...gaps)).toBe(360);
    expect(asOf.getTime() - T.getTime()).toBeGreaterThanOrEqual(48 * HOUR);
    expect(asOf.getTime() - T.getTime()).toBeLessThan(48 * HOUR + 6 * HOUR);
    expect(sink.accepted).toHaveLength(0);
    expect(
      (await t.db.query(`SELECT email_bouncing FROM customer WHERE id = $1`, [customerId]))[0].email_bouncing,
    ).toBe(false);
  });

  it('lets no stale worker whose lease expired overwrite the newer attempt', async () => {
    const customerId = await insertCustomer(t.db, rooftopId);
    const id = await enqueue(t.db, { rooftopId, customerId });

    const [a] = await dispatcher.claim(T, 'worker-A', 10);
    expect(a).toMatchObject({ id, workerId: 'worker-A' });
    // While A's lease holds, nobody else gets the row.
    expect(await dispatcher.claim(at(30_000), 'worker-B', 10)).toEqual([]);

    // A stalls; its lease runs out and B takes the row over with a higher fence.
    const later = at((LEASE_SECONDS + 1) * 1000);
    const [b] = await dispatcher.claim(later, 'worker-B', 10);
    expect(b).toMatchObject({ id, fence: a.fence + 1 });

    // A wakes up: it may not send (its fence is stale) ...
    expect(await dispatcher.process(a, T)).toBe('lost');
    expect(sink.attempts).toBe(0);
    // ... B sends ...
    expect(await dispatcher.process(b, later)).toBe('sent');
    // ... and A, reporting an outcome after B's is recorded, changes nothing (the status check refuses it;
    // test/messaging-fence.e2e-spec.ts has A reporting while B is still sending, where only the fence does).
    expect(
      await dispatcher.complete(a, T, { ok: false, kind: 'permanent', smtpCode: 550, error: 'late' }, null),
    ).toBeNull();
    expect(await dispatcher.complete(a, T, { ok: true, response: 'late' }, null)).toBeNull();

    const row = await outboxRow(t.db, id);
    expect(row).toMatchObject({ status: 'sent', attempts: 2, lease_owner: null, status_reason: null });
    expect(Number(row.fence)).toBe(b.fence);
    expect(new Date(row.sent_at)).toEqual(later);
    expect(
      (await t.db.query(`SELECT email_bouncing FROM customer WHERE id = $1`, [customerId]))[0].email_bouncing,
    ).toBe(false);
    const log = await t.db.query(
      `SELECT worker, outcome FROM message_attempt WHERE message_id = $1 ORDER BY attempt`,
      [id],
    );
    expect(log).toEqual([
      { worker: 'worker-A', outcome: 'lease_expired' },
      { worker: 'worker-B', outcome: 'sent' },
    ]);
    expect(sink.accepted).toHaveLength(1);
  });

  it('defers a message outside the sending window to the next window start in the rooftop’s time zone', async () => {
    const vientiane = (
      await t.rooftop({ timeZone: 'Asia/Vientiane', sendWindowStart: '08:00', sendWindowEnd: '20:00' })
    ).id;
    const customerId = await insertCustomer(t.db, vientiane);
    const id = await enqueue(t.db, { rooftopId: vientiane, customerId });
    // 14:30Z is 21:30 in Vientiane (UTC+7): quiet until 08:00 local = 01:00Z the next day.
    const night = new Date('2026-06-15T14:30:00Z');
    expect(await dispatcher.dispatch(night)).toMatchObject({ claimed: 1, deferred: 1 });
    const row = await outboxRow(t.db, id);
    expect(row).toMatchObject({
      status: 'pending',
      status_reason: 'quiet_hours',
      attempts: 0,
      lease_owner: null,
    });
    expect(new Date(row.next_attempt_at)).toEqual(new Date('2026-06-16T01:00:00Z'));
    expect(
      await t.db.query(`SELECT count(*)::int AS n FROM message_attempt WHERE message_id = $1`, [id]),
    ).toEqual([{ n: 0 }]);
    expect(sink.attempts).toBe(0);

    expect((await dispatcher.dispatch(new Date('2026-06-16T00:59:00Z'))).claimed).toBe(0);
    expect(await dispatcher.dispatch(new Date('2026-06-16T01:00:00Z'))).toMatchObject({ sent: 1 });
    expect(await outboxRow(t.db, id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('sends at most one reminder, follow-up or marketing email per customer per 72 hours; surveys are not counted', async () => {
    const customerId = await insertCustomer(t.db, rooftopId);
    await recordConsent(t.db, customerId, 'marketing', true, at(-HOUR));
    const first = await enqueue(t.db, { rooftopId, customerId, purpose: 'follow_ups' });
    await dispatcher.dispatch(T);
    expect(await outboxRow(t.db, first)).toMatchObject({ status: 'sent' });

    const second = await enqueue(t.db, { rooftopId, customerId, purpose: 'marketing' });
    const survey = await enqueue(t.db, { rooftopId, customerId, purpose: 'surveys' });
    expect(await dispatcher.dispatch(at(HOUR))).toMatchObject({ sent: 1, deferred: 1 });
    expect(await outboxRow(t.db, survey)).toMatchObject({ status: 'sent' });
    const deferred = await outboxRow(t.db, second);
    expect(deferred).toMatchObject({ status: 'pending', status_reason: 'frequency_cap', attempts: 0 });
    expect(new Date(deferred.next_attempt_at)).toEqual(at(72 * HOUR));

    expect(await dispatcher.dispatch(at(72 * HOUR))).toMatchObject({ sent: 1 });
    expect(await outboxRow(t.db, second)).toMatchObject({ status: 'sent' });
    expect(sink.accepted).toHaveLength(3);
  });

  it('suppresses with the reason when consent is withdrawn or marketing was never granted', async () => {
    const customerId = await insertCustomer(t.db, rooftopId);
    await recordConsent(t.db, customerId, 'service_reminders', false, at(-HOUR));
    const reminder = await enqueue(t.db, { rooftopId, customerId, purpose: 'service_reminders' });
    const other = await insertCustomer(t.db, rooftopId);
    const marketing = await enqueue(t.db, { rooftopId, customerId: other, purpose: 'marketing' });
    const noEmail = await enqueue(t.db, {
      rooftopId,
      customerId: await insertCustomer(t.db, rooftopId, { email: null }),
    });
    const notice = await enqueue(t.db, { rooftopId, customerId, purpose: 'transactional' });

    expect(await dispatcher.dispatch(T)).toMatchObject({ claimed: 4, suppressed: 3, sent: 1 });
    expect(await outboxRow(t.db, reminder)).toMatchObject({
      status: 'suppressed',
      status_reason: 'no_consent:service_reminders',
      attempts: 0,
    });
    expect(await outboxRow(t.db, marketing)).toMatchObject({
      status: 'suppressed',
      status_reason: 'no_consent:marketing',
    });
    expect(await outboxRow(t.db, noEmail)).toMatchObject({
      status: 'suppressed',
      status_reason: 'no_email_address',
    });
    // Transactional notices need no consent.
    expect(await outboxRow(t.db, notice)).toMatchObject({ status: 'sent' });
  });

  it('applies registered suppression hooks (contract C3)', async () => {
    const rules = t.app.get(SendingRules);
    rules.registerSuppression('test: vip hold', async (_manager, message) =>
      message.payload.hold === true ? 'vip_hold' : null,
    );
    const customerId = await insertCustomer(t.db, rooftopId);
    const held = await enqueue(t.db, { rooftopId, customerId, payload: { message: 'x', hold: true } });
    await dispatcher.dispatch(T);
    expect(await outboxRow(t.db, held)).toMatchObject({ status: 'suppressed', status_reason: 'vip_hold' });
  });

  it('fails a message whose kind has no template, without marking the address bouncing', async () => {
    const customerId = await insertCustomer(t.db, rooftopId);
    const id = await enqueue(t.db, { rooftopId, customerId, kind: 'no_such_template' });
    await dispatcher.dispatch(T);
    expect(await outboxRow(t.db, id)).toMatchObject({ status: 'failed', status_reason: 'render_failed' });
    expect(
      (await t.db.query(`SELECT email_bouncing FROM customer WHERE id = $1`, [customerId]))[0].email_bouncing,
    ).toBe(false);
    expect(sink.attempts).toBe(0);
  });

  it('sends one of two capped emails to one customer claimed in the same batch and defers the other by 72 hours', async () => {
    const customerId = await insertCustomer(t.db, rooftopId);
    const first = await enqueue(t.db, { rooftopId, customerId, purpose: 'follow_ups' });
    const second = await enqueue(t.db, { rooftopId, customerId, purpose: 'service_reminders' });
    expect(await dispatcher.dispatch(T)).toMatchObject({ sent: 1, deferred: 1 });
    expect(await outboxRow(t.db, first)).toMatchObject({ status: 'sent' });
    const deferred = await outboxRow(t.db, second);
    expect(deferred).toMatchObject({ status: 'pending', status_reason: 'frequency_cap', attempts: 0 });
    expect(new Date(deferred.next_attempt_at)).toEqual(at(72 * HOUR));
    expect(sink.accepted).toHaveLength(1);
  });

  it('sends at most one capped email per customer when two dispatchers race over batches of several customers', async () => {
    const customers = await Promise.all(Array.from({ length: 5 }, () => insertCustomer(t.db, rooftopId)));
    const ids: string[] = [];
    for (let round = 0; round < 3; round++)
      for (const customerId of customers)
        ids.push(await enqueue(t.db, { rooftopId, customerId, purpose: 'follow_ups' }));

    const workers = await Promise.all(
      ['capped-1', 'capped-2'].map(async (workerId) => {
        const db = new DataSource(dataSourceOptions(t.config.DATABASE_URL!, 4));
        await db.initialize();
        const { d, transport } = ownDispatcher(t, db);
        d.batchSize = 4;
        d.concurrency = 2;
        return { workerId, db, transport, d };
      }),
    );
    await Promise.all(
      workers.map(async ({ workerId, d }) => {
        for (;;) if ((await d.runBatch(T, workerId)).claimed === 0) return;
      }),
    );
    for (const w of workers) {
      w.transport.close();
      await w.db.destroy();
    }

    const rows: { customer_id: string; status: string; status_reason: string | null }[] = await t.db.query(
      `SELECT customer_id, status, status_reason FROM outbox_message WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    for (const customerId of customers) {
      const own = rows.filter((r) => r.customer_id === customerId);
      expect(own.filter((r) => r.status === 'sent')).toHaveLength(1);
      expect(own.filter((r) => r.status === 'pending' && r.status_reason === 'frequency_cap')).toHaveLength(
        2,
      );
    }
    expect(sink.accepted).toHaveLength(customers.length);
  });

  it('delivers every message exactly once with two dispatchers on two connections racing for the same outbox', async () => {
    const n = 30;
    const customers = await Promise.all(Array.from({ length: 6 }, () => insertCustomer(t.db, rooftopId)));
    const ids: string[] = [];
    for (let i = 0; i < n; i++)
      ids.push(await enqueue(t.db, { rooftopId, customerId: customers[i % customers.length] }));

    const workers = await Promise.all(
      ['dispatcher-1', 'dispatcher-2'].map(async (workerId) => {
        const db = new DataSource(dataSourceOptions(t.config.DATABASE_URL!, 4));
        await db.initialize();
        const { d, transport } = ownDispatcher(t, db);
        d.batchSize = 3;
        d.concurrency = 2;
        return { workerId, db, transport, d };
      }),
    );
    const sentBy = await Promise.all(
      workers.map(async ({ workerId, d }) => {
        let sent = 0;
        for (;;) {
          const s = await d.runBatch(T, workerId);
          sent += s.sent;
          if (s.claimed === 0) return sent;
        }
      }),
    );
    for (const w of workers) {
      w.transport.close();
      await w.db.destroy();
    }

    expect(sentBy[0] + sentBy[1]).toBe(n);
    const messageIds = sink.accepted.map((m) => m.parsed.messageId);
    expect(messageIds).toHaveLength(n);
    expect(new Set(messageIds).size).toBe(n);
    expect(new Set(messageIds)).toEqual(new Set(ids.map((id) => `<${id}@crm.example>`)));
    const rows = await t.db.query(`SELECT status, attempts FROM outbox_message WHERE id = ANY($1::uuid[])`, [
      ids,
    ]);
    expect(
      rows.every((r: { status: string; attempts: number }) => r.status === 'sent' && r.attempts === 1),
    ).toBe(true);
  });

  it('completes at most one message per sending lane ahead of its outcome: when a DATA ends, at most lanes − 1 others the server took are unrecorded', async () => {
    const n = 20;
    const ids: string[] = [];
    for (let i = 0; i < n; i++)
      ids.push(await enqueue(t.db, { rooftopId, customerId: await insertCustomer(t.db, rooftopId) }));
    // When a DATA ends, at most lanes − 1 messages the server has already accepted are unrecorded: a crash at
    // any moment can then leave at most `lanes` accepted-but-unrecorded messages (issue 16's bound).
    const taken: string[] = [];
    const unrecordedAtEnd: number[] = [];
    sink.onEnd = async (raw) => {
      const [{ n: unrecorded }] = await t.db.query(
        `SELECT count(*)::int AS n FROM outbox_message WHERE message_id = ANY($1::text[]) AND status <> 'sent'`,
        [taken],
      );
      unrecordedAtEnd.push(unrecorded);
      taken.push(/^Message-ID: (<[^>]+>)/im.exec(raw.toString('latin1'))![1]);
    };
    dispatcher.concurrency = 5;
    const summary = await dispatcher.dispatch(T);
    expect(summary).toMatchObject({ claimed: n, sent: n });
    expect(unrecordedAtEnd).toHaveLength(n);
    expect(unrecordedAtEnd.filter((u) => u > dispatcher.concurrency - 1)).toEqual([]);
    expect(new Set(taken)).toEqual(new Set(ids.map((id) => `<${id}@crm.example>`)));
  });

  it('withholds the end of DATA when the claim’s lease is running out: nothing delivered, retried later', async () => {
    const { d: own, transport } = ownDispatcher(t);
    // A 3 s lease: a message may start within 1.5 s of the claim and be completed within 2 s of it.
    own.leaseSeconds = 3;
    own.concurrency = 1;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++)
      ids.push(await enqueue(t.db, { rooftopId, customerId: await insertCustomer(t.db, rooftopId) }));
    // The first message's outcome cannot be committed for 2.5 s (its statement waits for a lock), so it keeps
    // the one end-gate permit; the second, started at once, waits at the end of DATA meanwhile.
    const locker = t.db.createQueryRunner();
    await locker.connect();
    await locker.startTransaction();
    await locker.query(`LOCK TABLE message_provider_ref IN EXCLUSIVE MODE`);
    const run = own.dispatch(T);
    while (sink.accepted.length === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 2_500));
    await locker.commitTransaction();
    await locker.release();
    const summary = await run;
    transport.close();
    expect(summary).toMatchObject({ claimed: 2, sent: 1, retry: 1 });
    expect(sink.accepted).toHaveLength(1);
    expect(sink.attempts).toBe(1);
    const retried = await t.db.query(
      `SELECT m.id, m.status, m.status_reason, m.last_error, a.outcome
         FROM outbox_message m JOIN message_attempt a ON a.message_id = m.id
        WHERE m.id = ANY($1::uuid[]) AND m.status = 'pending'`,
      [ids],
    );
    expect(retried).toHaveLength(1);
    expect(retried[0]).toMatchObject({ status_reason: 'retry_scheduled', outcome: 'temporary_failure' });
    expect(retried[0].last_error).toMatch(/end of DATA withheld/);
    // The retry goes out normally once its back-off is over.
    expect(await dispatcher.dispatch(at(MIN))).toMatchObject({ sent: 1 });
    expect(sink.accepted.map((m) => m.parsed.messageId)).toEqual(
      expect.arrayContaining(ids.map((id) => `<${id}@crm.example>`)),
    );
  });

  it('on shutdown lets the in-flight send finish and hands back the claims it has not started', async () => {
    const { d: own, transport } = ownDispatcher(t);
    own.concurrency = 1;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(await enqueue(t.db, { rooftopId, customerId: await insertCustomer(t.db, rooftopId) }));
    const release = sink.pause();
    const run = own.dispatch(T);
    while (sink.held === 0) await new Promise((r) => setTimeout(r, 10));
    const shutdown = own.beforeApplicationShutdown();
    release();
    const summary = await run;
    await shutdown;
    expect(summary).toMatchObject({ claimed: 3, sent: 1, handed_back: 2 });
    const rows = await t.db.query(
      `SELECT status, attempts, lease_owner FROM outbox_message WHERE id = ANY($1::uuid[]) ORDER BY status`,
      [ids],
    );
    expect(rows).toEqual([
      { status: 'pending', attempts: 0, lease_owner: null },
      { status: 'pending', attempts: 0, lease_owner: null },
      { status: 'sent', attempts: 1, lease_owner: null },
    ]);
    expect(sink.accepted).toHaveLength(1);
    // A stopped dispatcher claims nothing more; the app's own dispatcher sends the rest.
    expect((await own.dispatch(T)).claimed).toBe(0);
    transport.close();
    expect(await dispatcher.dispatch(T)).toMatchObject({ sent: 2 });
  });

  it('hands back claims it has not started when the application shuts down', async () => {
    const customerId = await insertCustomer(t.db, rooftopId);
    const id = await enqueue(t.db, { rooftopId, customerId });
    const [claim] = await dispatcher.claim(T, 'worker-shutdown', 10);
    expect(await dispatcher.handBack(claim)).toBe(true);
    expect(await outboxRow(t.db, id)).toMatchObject({
      status: 'pending',
      attempts: 0,
      lease_owner: null,
      lease_until: null,
    });
    expect(
      await t.db.query(`SELECT count(*)::int AS n FROM message_attempt WHERE message_id = $1`, [id]),
    ).toEqual([{ n: 0 }]);
    // Then the next run sends it normally.
    expect(await dispatcher.dispatch(T)).toMatchObject({ sent: 1 });
  });
});

describe('messaging: without SMTP_URL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { MAIL_FROM: 'Dealer CRM <no-reply@crm.example>' } });
  });
  afterAll(() => t.close());

  it('writes one .eml file per message under DATA_DIR/mail, named by the message id', async () => {
    const rooftopId = (await t.rooftop({ name: 'Vientiane Auto' })).id;
    const customerId = await insertCustomer(t.db, rooftopId, { firstName: 'Noy', language: 'lo' });
    const id = await enqueue(t.db, { rooftopId, customerId, payload: { message: 'ລົດຂອງທ່ານພ້ອມແລ້ວ' } });
    expect(await t.app.get(DispatcherService).dispatch(T)).toMatchObject({ sent: 1 });

    const file = path.join(t.dataDir, 'mail', `${id}.eml`);
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.readdirSync(path.join(t.dataDir, 'mail'))).toEqual([`${id}.eml`]);
    const parsed = await simpleParser(fs.readFileSync(file));
    expect(parsed.messageId).toBe(`<${id}@crm.example>`);
    expect(parsed.from?.value[0]).toMatchObject({ address: 'no-reply@crm.example', name: 'Dealer CRM' });
    expect(parsed.subject).toBe('ຂໍ້ຄວາມຈາກ Vientiane Auto');
    expect(parsed.text).toContain('ລົດຂອງທ່ານພ້ອມແລ້ວ');
    expect(rawHeader(parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(await outboxRow(t.db, id)).toMatchObject({ status: 'sent' });
  });
});
