import { randomUUID } from 'node:crypto';
import { insertCustomer, insertVehicle } from './service-reminders-fixtures';
import { bearer, startTestApp, type TestApp } from './support/test-app';

/**
 * Analytics per channel (SPEC "Channels": sent, delivered, failed, read where known, visits attributed,
 * conversion), from a small hand-built history: outbox messages with their attempts on each channel, as the
 * dispatcher writes them (a Telegram chat that blocked the bot and an SMS fallback, an undeliverable SMS receipt
 * and an email fallback, retries that ran out, an email 5xx). Period [2026-01-01, 2026-02-01), UTC.
 */
const PERIOD = 'from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&timeZone=UTC';

describe('analytics per channel', () => {
  let t: TestApp;
  let A: string;
  let B: string;
  let manager: { token: string };
  let admin: { token: string };
  let salesperson: { token: string };
  let advisor: string;
  const m: Record<string, string> = {};

  /** An outbox row as the dispatcher leaves it, with its attempts ([channel, outcome, finished at]). */
  async function message(
    name: string,
    f: {
      rooftop: string;
      customer: string;
      vehicle: string | null;
      kind: string;
      purpose: string;
      status: 'sent' | 'failed';
      reason?: string;
      channel: string;
      failedChannels?: string[];
      delivery?: 'delivered' | 'undeliverable';
      sentAt?: string;
      attempts: [string, string, string][];
    },
  ) {
    m[name] = randomUUID();
    await t.db.query(
      `INSERT INTO outbox_message (id, dedupe_key, rooftop_id, customer_id, vehicle_id, kind, purpose, status, status_reason,
                                   channel, failed_channels, delivery_status, sent_at, scheduled_at, next_attempt_at, attempts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)`,
      [
        m[name],
        `test:${name}`,
        f.rooftop,
        f.customer,
        f.vehicle,
        f.kind,
        f.purpose,
        f.status,
        f.reason ?? null,
        f.channel,
        f.failedChannels ?? [],
        f.delivery ?? null,
        f.sentAt ?? null,
        f.attempts[0]?.[2] ?? f.sentAt,
        f.attempts.length,
      ],
    );
    for (const [i, [channel, outcome, at]] of f.attempts.entries()) {
      await t.db.query(
        `INSERT INTO message_attempt (message_id, attempt, fence, worker, started_at, finished_at, outcome, channel)
         VALUES ($1, $2::int, $2::int, 'test', $3, $3, $4, $5)`,
        [m[name], i + 1, at, outcome, channel],
      );
    }
  }

  async function visit(rooftop: string, vehicle: string, customer: string, at: string, pay: string) {
    await t.db.query(
      `INSERT INTO service_visit (rooftop_id, vehicle_id, customer_id, advisor_id, ro_number, visit_date, odometer, status,
                                  customer_pay_amount, closed_at)
       VALUES ($1, $2, $3, $4, $5, $6, 1000, 'closed', $7, $6)`,
      [rooftop, vehicle, customer, advisor, `RO-${randomUUID().slice(0, 8)}`, at, pay],
    );
  }

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-03-01T03:00:00Z' });
    A = (await t.rooftop({ name: 'Phnom Penh Toyota Service' })).id;
    B = (await t.rooftop({ name: 'Vientiane' })).id;
    manager = await t.user('manager', [A]);
    admin = await t.user('admin');
    salesperson = await t.user('salesperson', [A]);
    advisor = (await t.user('service_advisor', [A])).id;
    const c: string[] = [];
    const v: string[] = [];
    for (let i = 0; i < 7; i++) {
      c.push(await insertCustomer(t.db, i === 6 ? B : A));
      v.push(await insertVehicle(t.db, { rooftopId: i === 6 ? B : A, ownerId: c[i] }));
    }
    // m1: Telegram, delivered; visit 15 days later (100.00) → attributed to Telegram.
    await message('m1', {
      rooftop: A,
      customer: c[0],
      vehicle: v[0],
      kind: 'service_reminder',
      purpose: 'service_reminders',
      status: 'sent',
      channel: 'telegram',
      delivery: 'delivered',
      sentAt: '2026-01-05T03:00:00Z',
      attempts: [['telegram', 'sent', '2026-01-05T03:00:00Z']],
    });
    await visit(A, v[0], c[0], '2026-01-20T03:00:00Z', '100.00');
    // m2: the chat blocked the bot (403) → SMS, delivered by receipt.
    await message('m2', {
      rooftop: A,
      customer: c[1],
      vehicle: v[1],
      kind: 'service_reminder',
      purpose: 'service_reminders',
      status: 'sent',
      channel: 'sms',
      failedChannels: ['telegram'],
      delivery: 'delivered',
      sentAt: '2026-01-06T03:00:00Z',
      attempts: [
        ['telegram', 'blocked', '2026-01-06T03:00:00Z'],
        ['sms', 'sent', '2026-01-06T03:00:00Z'],
      ],
    });
    // m3: a win-back (no vehicle) accepted by SMS, then an undeliverable receipt → email; a visit of the customer
    // 18 days later (80.00) → attributed to the channel that reached them: email.
    await message('m3', {
      rooftop: A,
      customer: c[2],
      vehicle: null,
      kind: 'win_back',
      purpose: 'marketing',
      status: 'sent',
      channel: 'email',
      failedChannels: ['sms'],
      sentAt: '2026-01-07T04:00:00Z',
      attempts: [
        ['sms', 'sent', '2026-01-07T03:00:00Z'],
        ['email', 'sent', '2026-01-07T04:00:00Z'],
      ],
    });
    await visit(A, v[2], c[2], '2026-01-25T03:00:00Z', '80.00');
    // m4: a survey by email (not outreach: no attribution).
    await message('m4', {
      rooftop: A,
      customer: c[3],
      vehicle: v[3],
      kind: 'survey_invitation',
      purpose: 'surveys',
      status: 'sent',
      channel: 'email',
      sentAt: '2026-01-08T03:00:00Z',
      attempts: [['email', 'sent', '2026-01-08T03:00:00Z']],
    });
    // m5: SMS retries ran out (two temporary failures, the message failed).
    await message('m5', {
      rooftop: A,
      customer: c[4],
      vehicle: v[4],
      kind: 'service_reminder',
      purpose: 'service_reminders',
      status: 'failed',
      reason: 'retries_exhausted',
      channel: 'sms',
      attempts: [
        ['sms', 'temporary_failure', '2026-01-09T03:00:00Z'],
        ['sms', 'temporary_failure', '2026-01-10T03:00:00Z'],
      ],
    });
    // m6: email 5xx (bounced) → SMS, no receipt yet.
    await message('m6', {
      rooftop: A,
      customer: c[5],
      vehicle: v[5],
      kind: 'sale_check_in',
      purpose: 'follow_ups',
      status: 'sent',
      channel: 'sms',
      failedChannels: ['email'],
      sentAt: '2026-01-12T03:00:00Z',
      attempts: [
        ['email', 'bounced', '2026-01-12T02:00:00Z'],
        ['sms', 'sent', '2026-01-12T03:00:00Z'],
      ],
    });
    // m9: a notice accepted by SMS, undeliverable by receipt, then delivered on Telegram: delivered counts for
    // the channel it ended on only.
    await message('m9', {
      rooftop: A,
      customer: c[5],
      vehicle: null,
      kind: 'transactional',
      purpose: 'transactional',
      status: 'sent',
      channel: 'telegram',
      failedChannels: ['sms'],
      delivery: 'delivered',
      sentAt: '2026-01-14T04:00:00Z',
      attempts: [
        ['sms', 'sent', '2026-01-14T03:00:00Z'],
        ['telegram', 'sent', '2026-01-14T04:00:00Z'],
      ],
    });
    // m10: an email marked sent with no attempt row (history from before attempts were kept): still sent.
    await message('m10', {
      rooftop: A,
      customer: c[3],
      vehicle: null,
      kind: 'transactional',
      purpose: 'transactional',
      status: 'sent',
      channel: 'email',
      sentAt: '2026-01-20T03:00:00Z',
      attempts: [],
    });
    // m7: another rooftop; m8: before the period.
    await message('m7', {
      rooftop: B,
      customer: c[6],
      vehicle: v[6],
      kind: 'service_reminder',
      purpose: 'service_reminders',
      status: 'sent',
      channel: 'telegram',
      sentAt: '2026-01-05T03:00:00Z',
      attempts: [['telegram', 'sent', '2026-01-05T03:00:00Z']],
    });
    await message('m8', {
      rooftop: A,
      customer: c[0],
      vehicle: v[0],
      kind: 'service_reminder',
      purpose: 'service_reminders',
      status: 'sent',
      channel: 'telegram',
      sentAt: '2025-12-20T03:00:00Z',
      attempts: [['telegram', 'sent', '2025-12-20T03:00:00Z']],
    });
  });
  afterAll(() => t?.close());

  const get = (token: string, path: string) => t.http.get(`/api/v1/analytics/${path}`).set(bearer(token));

  it('counts per channel: sent, delivered, undeliverable, failed, read (unknown), visits attributed, conversion', async () => {
    const res = await get(manager.token, `channels?${PERIOD}`);
    expect(res.status).toBe(200);
    expect(res.body.attributionWindowDays).toBe(30);
    expect(res.body.items).toEqual([
      {
        // m3's fallback, m4 and m10; m6 bounced. Email has no receipts. Outreach: m3 (win-back) → the 80.00 visit.
        channel: 'email',
        sent: 3,
        delivered: null,
        undeliverable: null,
        deliveryRate: null,
        failed: 1,
        read: null,
        outreachSent: 1,
        attributedVisits: 1,
        convertedMessages: 1,
        conversionRate: 1,
        attributedRevenue: '80.00',
      },
      {
        // m2, m3 and m9 (both then undeliverable), m6; delivered: m2; failed: m5 (retries ran out). Outreach: m2,
        // m6, no visit.
        channel: 'sms',
        sent: 4,
        delivered: 1,
        undeliverable: 2,
        deliveryRate: 0.25,
        failed: 1,
        read: null,
        outreachSent: 2,
        attributedVisits: 0,
        convertedMessages: 0,
        conversionRate: 0,
        attributedRevenue: '0.00',
      },
      {
        // m1 (delivered, the 100.00 visit) and m9 (delivered; not outreach); m2 blocked. m7 is rooftop B's, m8
        // before the period.
        channel: 'telegram',
        sent: 2,
        delivered: 2,
        undeliverable: 0,
        deliveryRate: 1,
        failed: 1,
        read: null,
        outreachSent: 1,
        attributedVisits: 1,
        convertedMessages: 1,
        conversionRate: 1,
        attributedRevenue: '100.00',
      },
    ]);
  });

  it('covers every rooftop granted when none is named (an admin sees rooftop B too)', async () => {
    const all = await get(admin.token, `channels?${PERIOD}`);
    const telegram = all.body.items.find((i: { channel: string }) => i.channel === 'telegram');
    expect([telegram.sent, telegram.outreachSent]).toEqual([3, 2]);
    const onlyB = await get(admin.token, `channels?${PERIOD}&rooftopId=${B}`);
    expect(onlyB.body.items.map((i: { sent: number }) => i.sent)).toEqual([0, 0, 1]);
  });

  it('answers 404 for another rooftop, 403 to a salesperson, 400 naming the bad fields', async () => {
    expect((await get(manager.token, `channels?${PERIOD}&rooftopId=${B}`)).status).toBe(404);
    expect((await get(salesperson.token, `channels?${PERIOD}`)).status).toBe(403);
    const bad = await get(manager.token, 'channels?from=yesterday&rooftopId=42');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['from', 'rooftopId']);
  });

  it('splits reminder effectiveness by the channel that reached the customer', async () => {
    const res = await get(manager.token, `reminders?${PERIOD}`);
    expect(res.body.items).toEqual([
      {
        kind: 'sale_check_in',
        sent: 1,
        attributedVisits: 0,
        convertedMessages: 0,
        attributedRevenue: '0.00',
        conversionRate: 0,
      },
      {
        kind: 'service_reminder',
        sent: 2,
        attributedVisits: 1,
        convertedMessages: 1,
        attributedRevenue: '100.00',
        conversionRate: 0.5,
      },
      {
        kind: 'win_back',
        sent: 1,
        attributedVisits: 1,
        convertedMessages: 1,
        attributedRevenue: '80.00',
        conversionRate: 1,
      },
    ]);
    expect(res.body.byChannel).toEqual([
      {
        kind: 'sale_check_in',
        channel: 'sms',
        sent: 1,
        attributedVisits: 0,
        convertedMessages: 0,
        attributedRevenue: '0.00',
        conversionRate: 0,
      },
      {
        kind: 'service_reminder',
        channel: 'sms',
        sent: 1,
        attributedVisits: 0,
        convertedMessages: 0,
        attributedRevenue: '0.00',
        conversionRate: 0,
      },
      {
        kind: 'service_reminder',
        channel: 'telegram',
        sent: 1,
        attributedVisits: 1,
        convertedMessages: 1,
        attributedRevenue: '100.00',
        conversionRate: 1,
      },
      {
        kind: 'win_back',
        channel: 'email',
        sent: 1,
        attributedVisits: 1,
        convertedMessages: 1,
        attributedRevenue: '80.00',
        conversionRate: 1,
      },
    ]);
    expect(res.body.totals.sent).toBe(4);
  });

  it('splits the appointment booking rate by message kind and channel', async () => {
    await t.db.query(
      `INSERT INTO appointment (rooftop_id, customer_id, slot_start, slot_end, state, source, origin_message_id, origin_kind)
       SELECT rooftop_id, customer_id, '2026-01-15T03:00:00Z', '2026-01-15T03:30:00Z', 'booked', 'online', id, kind
         FROM outbox_message WHERE id = $1`,
      [m.m1],
    );
    const res = await get(manager.token, 'appointments?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z');
    expect(res.status).toBe(200);
    expect(res.body.bookingRates).toEqual([
      { kind: 'sale_check_in', channel: 'sms', sent: 1, booked: 0, rate: 0 },
      { kind: 'service_reminder', channel: 'sms', sent: 1, booked: 0, rate: 0 },
      { kind: 'service_reminder', channel: 'telegram', sent: 1, booked: 1, rate: 1 },
      { kind: 'win_back', channel: 'email', sent: 1, booked: 0, rate: 0 },
    ]);
  });
});
