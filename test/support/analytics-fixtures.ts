import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * A small hand-built dealer history for the analytics tests, inserted with SQL directly. Every expected
 * number in test/analytics.e2e-spec.ts is derived from the rows below (see the comments there).
 * Rooftop A holds c1…c7, rooftop B holds b1.
 */
export interface AnalyticsFixture {
  A: string;
  B: string;
  c: Record<'c1' | 'c2' | 'c3' | 'c4' | 'c5' | 'c6' | 'c7' | 'b1', string>;
  v: Record<'v1' | 'v2' | 'v4' | 'v5' | 'v6' | 'v7' | 'v8' | 'vb1', string>;
  visit: Record<number, string>;
  survey: Record<string, string>;
  complaint: Record<string, string>;
}

let vinSeq = 0;
const vin = () =>
  `KNADE${String(++vinSeq).padStart(6, '0')}${String(process.pid % 1_000_000).padStart(6, '0')}`;

export async function insertAnalyticsFixture(
  db: DataSource,
  ids: { A: string; B: string; salesperson: string; advisor: string },
): Promise<AnalyticsFixture> {
  const { A, B } = ids;
  const q = (sql: string, params: unknown[]) => db.query(sql, params);
  const c = {} as AnalyticsFixture['c'];
  for (const [name, rooftop] of [
    ['c1', A],
    ['c2', A],
    ['c3', A],
    ['c4', A],
    ['c5', A],
    ['c6', A],
    ['c7', A],
    ['b1', B],
  ] as const) {
    c[name] = randomUUID();
    await q(`INSERT INTO customer (id, home_rooftop_id, first_name, last_name) VALUES ($1, $2, $3, 'Test')`, [
      c[name],
      rooftop,
      name.toUpperCase(),
    ]);
  }

  const v = {} as AnalyticsFixture['v'];
  const vehicle = async (
    name: keyof AnalyticsFixture['v'],
    rooftop: string,
    owner: string,
    purchase: string,
    extra: { type?: string; term?: string; warranty?: string } = {},
  ) => {
    v[name] = randomUUID();
    await q(
      `INSERT INTO vehicle (id, rooftop_id, vin, make, model, year, powertrain, owner_id, purchase_date, purchase_type, selling_rooftop_id,
                            term_end_date, warranty_end_date, status)
       VALUES ($1, $2, $3, 'Toyota', 'Vios', 2024, 'ice', $4, $5, $6, $2, $7, $8, 'active')`,
      [
        v[name],
        rooftop,
        vin(),
        owner,
        purchase,
        extra.type ?? 'cash',
        extra.term ?? null,
        extra.warranty ?? null,
      ],
    );
  };
  await vehicle('v1', A, c.c1, '2025-03-10', { warranty: '2026-05-01' });
  await vehicle('v2', A, c.c2, '2022-05-01');
  await vehicle('v4', A, c.c4, '2020-01-01', { warranty: '2026-01-01' });
  await vehicle('v5', A, c.c5, '2025-06-01', { type: 'finance', term: '2026-09-20' });
  await vehicle('v6', A, c.c6, '2024-12-31');
  await vehicle('v7', A, c.c7, '2025-01-01');
  await vehicle('v8', A, c.c3, '2024-06-01', { type: 'lease', term: '2026-08-01', warranty: '2026-04-01' });
  await vehicle('vb1', B, c.b1, '2024-09-01');

  const visit: Record<number, string> = {};
  const serviceVisit = async (
    n: number,
    rooftop: string,
    veh: string,
    customer: string,
    at: string,
    status: string,
    customerPay: string,
    warranty = '0',
  ) => {
    visit[n] = randomUUID();
    await q(
      `INSERT INTO service_visit (id, rooftop_id, vehicle_id, customer_id, advisor_id, ro_number, visit_date, odometer, status,
                                  customer_pay_amount, warranty_amount, closed_at, voided_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1000, $8, $9, $10, CASE WHEN $8 = 'closed' THEN $7::timestamptz END, CASE WHEN $8 = 'voided' THEN $7::timestamptz END)`,
      [visit[n], rooftop, veh, customer, ids.advisor, `RO-${n}`, at, status, customerPay, warranty],
    );
  };
  await serviceVisit(1, A, v.v2, c.c2, '2025-08-01T00:00:00Z', 'closed', '150.00');
  await serviceVisit(2, A, v.v8, c.c3, '2025-02-01T00:00:00Z', 'closed', '60.00');
  await serviceVisit(3, A, v.v8, c.c3, '2026-03-01T00:00:00Z', 'closed', '80.00');
  await serviceVisit(4, A, v.v4, c.c4, '2024-11-01T00:00:00Z', 'closed', '50.00');
  await serviceVisit(5, A, v.v4, c.c4, '2026-02-01T00:00:00Z', 'closed', '200.00');
  await serviceVisit(6, A, v.v5, c.c5, '2025-05-01T00:00:00Z', 'voided', '90.00');
  await serviceVisit(7, A, v.v7, c.c7, '2025-06-01T00:00:00Z', 'closed', '0.00', '120.00');
  await serviceVisit(8, B, v.vb1, c.b1, '2025-07-01T00:00:00Z', 'closed', '70.00');
  await serviceVisit(9, A, v.v2, c.c2, '2026-06-10T00:00:00Z', 'closed', '40.00');

  // Outbox messages (reminder effectiveness).
  const message = async (
    key: string,
    rooftop: string,
    customer: string,
    veh: string | null,
    kind: string,
    purpose: string,
    status: string,
    sentAt: string | null,
  ) => {
    await q(
      `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, vehicle_id, kind, purpose, status, scheduled_at, next_attempt_at, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8::timestamptz, '2026-01-01T00:00:00Z'), COALESCE($8::timestamptz, '2026-01-01T00:00:00Z'), $8)`,
      [key, rooftop, customer, veh, kind, purpose, status, sentAt],
    );
  };
  await message('m1', A, c.c4, v.v4, 'service_reminder', 'service_reminders', 'sent', '2026-01-10T00:00:00Z');
  await message('m2', A, c.c3, v.v8, 'service_reminder', 'service_reminders', 'sent', '2026-01-15T00:00:00Z');
  await message('m3', A, c.c3, null, 'win_back', 'marketing', 'sent', '2026-02-10T00:00:00Z');
  await message('m4', A, c.c4, v.v4, 'service_reminder', 'service_reminders', 'sent', '2026-01-20T00:00:00Z');
  await message('m5', A, c.c4, v.v4, 'survey_invitation', 'surveys', 'sent', '2026-01-25T00:00:00Z');
  await message('m6', A, c.c2, v.v2, 'service_reminder', 'service_reminders', 'failed', null);
  await message(
    'm7',
    B,
    c.b1,
    v.vb1,
    'service_reminder',
    'service_reminders',
    'sent',
    '2026-02-01T00:00:00Z',
  );
  await message('m8', A, c.c1, v.v1, 'service_reminder', 'service_reminders', 'sent', '2025-12-20T00:00:00Z');
  await message('m9', A, c.c2, v.v2, 'service_reminder', 'service_reminders', 'sent', '2026-05-20T00:00:00Z');

  const survey: Record<string, string> = {};
  const addSurvey = async (
    name: string,
    kind: 'sale' | 'service',
    rooftop: string,
    customer: string,
    issued: string,
    answered: string | null,
    nps: number | null,
    csat: number | null,
  ) => {
    survey[name] = randomUUID();
    await q(
      `INSERT INTO survey (id, kind, rooftop_id, customer_id, salesperson_id, advisor_id, dedupe_key, issued_at, expires_at, answered_at, nps, csat)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8::timestamptz + interval '30 days', $9, $10, $11)`,
      [
        survey[name],
        kind,
        rooftop,
        customer,
        kind === 'sale' ? ids.salesperson : null,
        kind === 'service' ? ids.advisor : null,
        name,
        issued,
        answered,
        nps,
        csat,
      ],
    );
  };
  await addSurvey('s1', 'sale', A, c.c2, '2026-01-05T00:00:00Z', '2026-01-06T00:00:00Z', 10, 5);
  await addSurvey('s2', 'sale', A, c.c4, '2026-01-20T00:00:00Z', '2026-01-21T00:00:00Z', 9, 4);
  await addSurvey('s3', 'sale', A, c.c6, '2026-02-03T00:00:00Z', null, null, null);
  await addSurvey('s4', 'service', A, c.c3, '2026-02-10T00:00:00Z', '2026-02-12T00:00:00Z', 6, 2);
  await addSurvey('s5', 'service', A, c.c7, '2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z', 8, 3);
  await addSurvey('s6', 'service', A, c.c4, '2025-12-20T00:00:00Z', '2025-12-22T00:00:00Z', 0, 1);
  await addSurvey('s7', 'sale', B, c.b1, '2026-01-10T00:00:00Z', '2026-01-12T00:00:00Z', 0, 1);

  const complaint: Record<string, string> = {};
  const addComplaint = async (
    name: string,
    rooftop: string,
    customer: string,
    opened: string,
    state: string,
    ackHours: number | null,
    resolvedHours: number | null,
    closedHours: number | null,
  ) => {
    complaint[name] = randomUUID();
    await q(
      `INSERT INTO complaint_case (id, rooftop_id, customer_id, source, severity, summary, state, opened_at, first_response_due_at, resolution_due_at,
                                   acknowledged_at, resolved_at, closed_at)
       VALUES ($1, $2, $3, 'call', 'medium', 'Test complaint', $4, $5, $5::timestamptz + interval '24 hours', $5::timestamptz + interval '7 days',
               $5::timestamptz + make_interval(hours => $6::int), $5::timestamptz + make_interval(hours => $7::int), $5::timestamptz + make_interval(hours => $8::int))`,
      [complaint[name], rooftop, customer, state, opened, ackHours, resolvedHours, closedHours],
    );
  };
  await addComplaint('k1', A, c.c2, '2026-02-01T00:00:00Z', 'resolved', 2, 72, null);
  await addComplaint('k2', A, c.c4, '2026-03-01T00:00:00Z', 'closed', 30, 192, 216);
  await addComplaint('k3', A, c.c1, '2026-04-01T00:00:00Z', 'acknowledged', 4, null, null);
  await addComplaint('k4', A, c.c1, '2026-05-30T00:00:00Z', 'open', null, null, null);
  await addComplaint('k5', A, c.c6, '2025-12-01T00:00:00Z', 'closed', 1, 10, 20);
  await addComplaint('k6', B, c.b1, '2026-05-01T00:00:00Z', 'open', null, null, null);
  await addComplaint('k7', A, c.c3, '2025-11-01T00:00:00Z', 'open', null, null, null);

  // Loyalty: accounts and chained ledger entries in one transaction (the balance check is deferred to commit).
  await db.transaction(async (m) => {
    const account = async (
      customer: string,
      balance: number,
      tier: string,
      entries: [type: string, points: number, occurred: string][],
    ) => {
      await m.query(
        `INSERT INTO loyalty_account (customer_id, balance, lifetime_earned, tier) VALUES ($1, $2, $3, $4)`,
        [customer, balance, entries.filter((e) => e[1] > 0).reduce((s, e) => s + e[1], 0), tier],
      );
      let running = 0;
      for (const [type, points, occurred] of entries) {
        running += points;
        await m.query(
          `INSERT INTO loyalty_entry (customer_id, type, points, reason, source, source_id, idempotency_key, occurred_at, expires_at, remaining, balance_after)
           VALUES ($1, $2, $3, 'test', $4, 'x', $5, $6, CASE WHEN $3 > 0 THEN $6::timestamptz + interval '24 months' END, CASE WHEN $3 > 0 THEN $3 END, $7)`,
          [
            customer,
            type,
            points,
            type === 'redeem' ? 'redemption' : 'visit',
            randomUUID(),
            occurred,
            running,
          ],
        );
      }
    };
    await account(c.c2, 1200, 'silver', [
      ['earn', 500, '2025-11-01T00:00:00Z'],
      ['earn', 1000, '2026-02-01T00:00:00Z'],
      ['redeem', -300, '2026-03-01T00:00:00Z'],
    ]);
    await account(c.c3, 200, 'bronze', [['earn', 200, '2026-04-01T00:00:00Z']]);
    await account(c.b1, 5000, 'gold', [['earn', 5000, '2026-01-15T00:00:00Z']]);
  });

  // Maintenance performed and reminder stages (at-risk "overdue maintenance").
  await q(
    `INSERT INTO maintenance_performed (vehicle_id, item_code, performed_at, odometer, service_visit_id) VALUES
           ($1, 'OIL_CHANGE', '2025-08-01T00:00:00Z', 1000, $2), ($1, 'BRAKE_FLUID', '2025-08-01T00:00:00Z', 1000, $2)`,
    [v.v2, visit[1]],
  );
  const stage = (veh: string, item: string, cycle: string, st: string) =>
    q(
      `INSERT INTO service_reminder_stage (vehicle_id, item_code, cycle_key, stage, status, due_date, as_of) VALUES ($1, $2, $3, $4, 'planned', '2026-01-01', '2026-05-01T00:00:00Z')`,
      [veh, item, cycle, st],
    );
  await stage(v.v2, 'OIL_CHANGE', '2025-08-01T00:00:00.000000Z', 'overdue'); // open cycle (latest performance)
  await stage(v.v2, 'OIL_CHANGE', 'purchase', 'overdue'); // an older cycle, closed by the 2025-08-01 oil change
  await stage(v.v2, 'TIRE_ROTATION', 'purchase', 'overdue'); // never performed: open
  await stage(v.v2, 'BRAKE_FLUID', 'purchase', 'overdue'); // closed by the 2025-08-01 brake fluid
  await stage(v.v2, 'CABIN_AIR_FILTER', 'purchase', 'due'); // not overdue
  for (const item of ['OIL_CHANGE', 'TIRE_ROTATION', 'CABIN_AIR_FILTER', 'BRAKE_INSPECTION'])
    await stage(v.v8, item, 'purchase', 'overdue');

  return { A, B, c, v, visit, survey, complaint };
}
