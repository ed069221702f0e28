import { AnalyticsFixture, insertAnalyticsFixture } from './support/analytics-fixtures';
import { insertCustomer, insertVehicle } from './service-reminders-fixtures';
import { bearer, startTestApp, TestApp } from './support/test-app';

/**
 * Every expected number is computed by hand from test/support/analytics-fixtures.ts; the arithmetic is
 * written next to it. Period under test: [2026-01-01, 2026-06-01); business "now" 2026-06-15T03:00Z. The
 * arithmetic is in UTC, so these requests ask for timeZone=UTC (the rooftops are in Asia/Phnom_Penh, whose
 * calendar is the default: see "reports in the rooftops’ calendar").
 */
const FROM = '2026-01-01T00:00:00Z';
const TO = '2026-06-01T00:00:00Z';
const PERIOD = `from=${FROM}&to=${TO}&timeZone=UTC`;

describe('retention analytics', () => {
  let t: TestApp;
  let f: AnalyticsFixture;
  let admin: { token: string };
  let managerA: { token: string };
  let salesperson: { id: string; token: string };
  let advisor: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-06-15T03:00:00Z' });
    const A = await t.rooftop({ name: 'Phnom Penh' });
    const B = await t.rooftop({ name: 'Vientiane' });
    admin = await t.user('admin');
    managerA = await t.user('manager', [A.id]);
    salesperson = await t.user('salesperson', [A.id]);
    advisor = await t.user('service_advisor', [A.id]);
    f = await insertAnalyticsFixture(t.db, {
      A: A.id,
      B: B.id,
      salesperson: salesperson.id,
      advisor: advisor.id,
    });
  });
  afterAll(() => t.close());

  const get = (token: string, path: string) => t.http.get(`/api/v1/analytics/${path}`).set(bearer(token));

  describe('summary', () => {
    it('computes churn as (active at start − still active at end) / active at start for the manager’s rooftop', async () => {
      const res = await get(managerA.token, `summary?${PERIOD}`);
      expect(res.status).toBe(200);
      // Active at 2026-01-01 (purchase or closed visit in [2025-01-01, 2026-01-01)):
      //   c1 (bought 2025-03-10), c2 (visit 2025-08-01), c3 (visit 2025-02-01), c5 (bought 2025-06-01; its visit was voided),
      //   c7 (bought 2025-01-01, the boundary counts); not c4 (visit 2024-11-01) nor c6 (bought 2024-12-31) → 5.
      // Active at 2026-06-01 (window [2025-06-01, 2026-06-01)): c2, c3 (visit 2026-03-01), c5 (bought 2025-06-01, the
      //   boundary), c7 (visit exactly 2025-06-01) → 4; c1 is not. c4 is active at the end only and does not count.
      expect(res.body.churn).toEqual({
        activeAtStart: 5,
        stillActiveAtEnd: 4,
        churned: 5 - 4,
        rate: (5 - 4) / 5,
      });
    });

    it('computes service and customer-pay retention of vehicles sold 12–24 months before `to`', async () => {
      const res = await get(managerA.token, `summary?${PERIOD}`);
      // Cohort: sold in [2024-06-01, 2025-06-01) by A: v1 (2025-03-10), v6 (2024-12-31), v7 (2025-01-01), v8 (2024-06-01) = 4
      //   (v5 bought 2025-06-01 is outside; v2, v4 too old). Closed visit in [2025-06-01, 2026-06-01):
      //   v7 (2025-06-01, warranty only) and v8 (2026-03-01, customer pay 80) → 2; customer pay → v8 only → 1.
      expect(res.body.retention).toEqual({
        asOf: '2026-06-01T00:00:00.000Z',
        cohortVehicles: 4,
        retainedVehicles: 2,
        serviceRetentionRate: 2 / 4,
        customerPayRetainedVehicles: 1,
        customerPayRetentionRate: 1 / 4,
      });
    });

    it('computes NPS, CSAT and response rate over the surveys issued in the period', async () => {
      const res = await get(managerA.token, `summary?${PERIOD}`);
      // Issued in the period at A: s1..s5 (s6 was issued 2025-12-20) = 5, answered s1, s2, s4, s5 = 4.
      // NPS answers 10, 9, 6, 8 → promoters 2, passives 1, detractors 1; CSAT 5, 4, 2, 3 → 2 of 4 are 4–5.
      expect(res.body.feedback).toEqual({
        invited: 5,
        answered: 4,
        responseRate: 4 / 5,
        promoters: 2,
        passives: 1,
        detractors: 1,
        nps: ((2 - 1) / 4) * 100,
        csatAnswers: 4,
        csatSatisfied: 2,
        csat: 2 / 4,
      });
    });

    it('computes the complaint SLA: median first response and share breached', async () => {
      const res = await get(managerA.token, `summary?${PERIOD}`);
      // Opened in the period at A: k1 (ack +2 h, resolved +72 h), k2 (ack +30 h, resolved +192 h), k3 (ack +4 h, unresolved),
      // k4 (nothing yet, opened 2026-05-30). Median of 2, 30, 4 h = 4 h.
      // First response breached (> 24 h, or none by now 2026-06-15): k2, k4 → 2 of 4.
      // Resolution breached (> 7 d = 168 h, or none by now): k2 (192 h), k3, k4 → 3 of 4.
      expect(res.body.complaints).toEqual({
        opened: 4,
        responded: 3,
        medianFirstResponseHours: 4,
        firstResponseBreached: 2,
        firstResponseBreachRate: 2 / 4,
        resolutionBreached: 3,
        resolutionBreachRate: 3 / 4,
      });
    });

    it('computes loyalty: points outstanding, members per tier and redemption rate', async () => {
      const res = await get(managerA.token, `summary?${PERIOD}`);
      // Balances at A: c2 1,200 + c3 200 = 1,400; tiers silver 1, bronze 1.
      // In the period: earned 1,000 (c2, 2026-02-01) + 200 (c3, 2026-04-01) = 1,200; redeemed 300 → 300 / 1,200.
      expect(res.body.loyalty).toEqual({
        pointsOutstanding: 1200 + 200,
        members: { bronze: 1, silver: 1, gold: 0, platinum: 0 },
        pointsEarned: 1000 + 200,
        pointsRedeemed: 300,
        redemptionRate: 300 / 1200,
      });
    });

    it('answers null rates and zero counts for an empty period, never dividing by zero', async () => {
      const res = await get(managerA.token, 'summary?from=2010-01-01T00:00:00Z&to=2010-06-01T00:00:00Z');
      expect(res.status).toBe(200);
      expect(res.body.churn).toEqual({ activeAtStart: 0, stillActiveAtEnd: 0, churned: 0, rate: null });
      expect(res.body.retention).toMatchObject({
        cohortVehicles: 0,
        serviceRetentionRate: null,
        customerPayRetentionRate: null,
      });
      expect(res.body.feedback).toMatchObject({
        invited: 0,
        answered: 0,
        responseRate: null,
        nps: null,
        csat: null,
      });
      expect(res.body.complaints).toEqual({
        opened: 0,
        responded: 0,
        medianFirstResponseHours: null,
        firstResponseBreached: 0,
        firstResponseBreachRate: null,
        resolutionBreached: 0,
        resolutionBreachRate: null,
      });
      // Points outstanding is a standing figure (now), the flow is the period's.
      expect(res.body.loyalty).toMatchObject({
        pointsOutstanding: 1400,
        pointsEarned: 0,
        pointsRedeemed: 0,
        redemptionRate: null,
      });
    });

    it('gives an admin every rooftop, or one rooftop on request', async () => {
      const all = await get(admin.token, `summary?${PERIOD}`);
      // b1 (visit 2025-07-01) is active at both instants: (6 − 5) / 6 = 0.16666… → 0.1667 (rates have 4 decimals).
      expect(all.body.churn).toEqual({ activeAtStart: 6, stillActiveAtEnd: 5, churned: 1, rate: 0.1667 });
      const b = await get(admin.token, `summary?${PERIOD}&rooftopId=${f.B}`);
      // B: vb1 sold 2024-09-01, visit 2025-07-01 → 1 of 1; s7 answered NPS 0, CSAT 1; b1 gold 5,000 earned 2026-01-15.
      expect(b.body.rooftopIds).toEqual([f.B]);
      expect(b.body.retention).toMatchObject({
        cohortVehicles: 1,
        retainedVehicles: 1,
        serviceRetentionRate: 1,
        customerPayRetentionRate: 1,
      });
      expect(b.body.feedback).toMatchObject({ invited: 1, answered: 1, nps: -100, csat: 0, responseRate: 1 });
      expect(b.body.loyalty).toEqual({
        pointsOutstanding: 5000,
        members: { bronze: 0, silver: 0, gold: 1, platinum: 0 },
        pointsEarned: 5000,
        pointsRedeemed: 0,
        redemptionRate: 0,
      });
    });
  });

  describe('access and scoping', () => {
    it('hides another rooftop from a manager (404) and forbids salespeople and advisors (403)', async () => {
      expect((await get(managerA.token, `summary?${PERIOD}&rooftopId=${f.B}`)).status).toBe(404);
      expect((await get(managerA.token, `at-risk?rooftopId=${f.B}`)).status).toBe(404);
      expect((await get(managerA.token, `reminders?rooftopId=${f.B}`)).status).toBe(404);
      for (const path of [
        `summary?${PERIOD}`,
        'series?metric=nps',
        'feedback',
        'reminders',
        'at-risk',
        'context',
      ]) {
        expect((await get(salesperson.token, path)).status).toBe(403);
        expect((await get(advisor.token, path)).status).toBe(403);
      }
      expect((await t.http.get('/api/v1/analytics/summary')).status).toBe(401);
    });

    it('answers 404 for a rooftop that does not exist, even to an admin', async () => {
      expect((await get(admin.token, 'summary?rooftopId=00000000-0000-4000-8000-000000000000')).status).toBe(
        404,
      );
    });

    it('names the offending fields of a bad query', async () => {
      const bad = await get(managerA.token, 'series?metric=happiness&from=yesterday&rooftopId=42');
      expect(bad.status).toBe(400);
      expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'from',
        'metric',
        'rooftopId',
      ]);
      const reversed = await get(managerA.token, `summary?from=${TO}&to=${FROM}`);
      expect(reversed.status).toBe(400);
      expect(reversed.body.errors).toEqual([{ field: 'from', message: 'from must be before to' }]);
      const groupBy = await get(managerA.token, 'feedback?groupBy=weather');
      expect(groupBy.status).toBe(400);
      expect(groupBy.body.errors[0].field).toBe('groupBy');
      const cursor = await get(managerA.token, 'at-risk?cursor=not-a-cursor&limit=500');
      expect(cursor.status).toBe(400);
      expect(cursor.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['limit']);
      expect((await get(managerA.token, 'at-risk?cursor=not-a-cursor')).body.errors[0].field).toBe('cursor');
    });
  });

  describe('feedback breakdowns', () => {
    it('breaks feedback down by salesperson (sale surveys) and advisor (service surveys)', async () => {
      const bySales = await get(managerA.token, `feedback?${PERIOD}&groupBy=salesperson`);
      // s1 (NPS 10, CSAT 5), s2 (9, 4), s3 unanswered → 2 of 3 answered, NPS (2 − 0) / 2, CSAT 2 / 2.
      expect(bySales.body.items).toEqual([
        expect.objectContaining({
          key: salesperson.id,
          invited: 3,
          answered: 2,
          responseRate: 0.6667,
          nps: 100,
          csat: 1,
        }),
      ]);
      const byAdvisor = await get(managerA.token, `feedback?${PERIOD}&groupBy=advisor`);
      // s4 (6, 2), s5 (8, 3): NPS (0 − 1) / 2 = −50, CSAT 0 / 2.
      expect(byAdvisor.body.items).toEqual([
        expect.objectContaining({
          key: advisor.id,
          invited: 2,
          answered: 2,
          nps: -50,
          csat: 0,
          detractors: 1,
          passives: 1,
        }),
      ]);
    });

    it('breaks feedback down by month and by rooftop', async () => {
      const byMonth = await get(managerA.token, `feedback?${PERIOD}&groupBy=month`);
      // January: s1, s2 → NPS 100, CSAT 1; February: s3 (unanswered), s4 (6, 2) → NPS −100, CSAT 0; March: s5 (8, 3) → NPS 0, CSAT 0.
      expect(
        byMonth.body.items.map((i: Record<string, unknown>) => [i.key, i.invited, i.answered, i.nps, i.csat]),
      ).toEqual([
        ['2026-01', 2, 2, 100, 1],
        ['2026-02', 2, 1, -100, 0],
        ['2026-03', 1, 1, 0, 0],
      ]);
      const byRooftop = await get(admin.token, `feedback?${PERIOD}&groupBy=rooftop`);
      const rows = Object.fromEntries(
        byRooftop.body.items.map((i: { key: string; label: string; nps: number }) => [i.label, i.nps]),
      );
      expect(rows).toEqual({ 'Phnom Penh': 25, Vientiane: -100 });
    });
  });

  describe('series', () => {
    it('gives one point per calendar month', async () => {
      const res = await get(
        managerA.token,
        `series?metric=nps&from=${FROM}&to=2026-04-01T00:00:00Z&timeZone=UTC`,
      );
      expect(res.status).toBe(200);
      expect(res.body.points.map((p: { month: string; value: number | null }) => [p.month, p.value])).toEqual(
        [
          ['2026-01', 100],
          ['2026-02', -100],
          ['2026-03', 0],
        ],
      );
      const csat = await get(
        managerA.token,
        `series?metric=csat&from=2025-11-01T00:00:00Z&to=2026-02-01T00:00:00Z&timeZone=UTC`,
      );
      // November: nothing → null; December: s6 (CSAT 1) → 0; January: 2 of 2.
      expect(csat.body.points.map((p: { value: number | null }) => p.value)).toEqual([null, 0, 1]);
      const redemption = await get(
        managerA.token,
        `series?metric=redemptionRate&from=2026-02-01T00:00:00Z&to=2026-04-01T00:00:00Z&timeZone=UTC`,
      );
      // February: earned 1,000, redeemed 0 → 0; March: earned 0 → null.
      expect(redemption.body.points.map((p: { value: number | null }) => p.value)).toEqual([0, null]);
    });
  });

  describe('reports in the rooftops’ calendar', () => {
    it('uses the time zone the rooftops share by default: local midnights, local months', async () => {
      // A rooftop of its own, one survey issued at 20:00 UTC on 31 January = 03:00 on 1 February in Vientiane.
      const c = await t.rooftop({ name: 'Vientiane North', timeZone: 'Asia/Vientiane' });
      const [{ id: customerId }] = await t.db.query(
        `INSERT INTO customer (home_rooftop_id, first_name, last_name, language) VALUES ($1, 'Noy', 'K', 'lo') RETURNING id`,
        [c.id],
      );
      await t.db.query(
        `INSERT INTO survey (kind, rooftop_id, customer_id, dedupe_key, issued_at, expires_at)
         VALUES ('service', $1, $2, 'tz-test', '2026-01-31T20:00:00Z', '2026-03-01T20:00:00Z')`,
        [c.id, customerId],
      );
      const local = await get(
        admin.token,
        `series?metric=responseRate&rooftopId=${c.id}&from=2026-01-01&to=2026-03-01`,
      );
      expect(local.status).toBe(200);
      expect(local.body.period).toEqual({
        from: '2025-12-31T17:00:00.000Z',
        to: '2026-02-28T17:00:00.000Z',
        timeZone: 'Asia/Vientiane',
      });
      // Invited in February (local): January has no invitation (null), February one unanswered (0).
      expect(
        local.body.points.map((p: { month: string; value: number | null }) => [p.month, p.value]),
      ).toEqual([
        ['2026-01', null],
        ['2026-02', 0],
      ]);
      const utc = await get(
        admin.token,
        `series?metric=responseRate&rooftopId=${c.id}&from=2026-01-01&to=2026-03-01&timeZone=UTC`,
      );
      expect(utc.body.points.map((p: { month: string; value: number | null }) => [p.month, p.value])).toEqual(
        [
          ['2026-01', 0],
          ['2026-02', null],
        ],
      );
      const byMonth = await get(
        admin.token,
        `feedback?rooftopId=${c.id}&from=2026-01-01&to=2026-03-01&groupBy=month`,
      );
      expect(byMonth.body.items.map((i: { key: string; invited: number }) => [i.key, i.invited])).toEqual([
        ['2026-02', 1],
      ]);
    });

    it('refuses a time zone that does not exist, naming the field', async () => {
      const res = await get(managerA.token, `summary?timeZone=Mars/Olympus`);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['timeZone']);
    });
  });

  describe('reminder effectiveness', () => {
    it('attributes each closed visit to the latest outreach message within 30 days before it', async () => {
      const res = await get(managerA.token, `reminders?${PERIOD}`);
      expect(res.status).toBe(200);
      // service_reminder sent in the period at A: m1 (01-10), m2 (01-15), m4 (01-20), m9 (05-20) = 4 (m6 failed, m8 sent before).
      //   Visit 5 (v4, 02-01) → latest before it is m4 (m1 is older; m5 is a survey, not outreach): 200.00.
      //   Visit 9 (v2, 06-10, after `to` but within 30 days of m9) → m9: 40.00.
      //   Visit 3 (v8, 03-01): m2 is 45 days before; the latest is m3 (win_back to c3 without a vehicle, 02-10): 80.00.
      expect(res.body.items).toEqual([
        {
          kind: 'service_reminder',
          sent: 4,
          attributedVisits: 2,
          convertedMessages: 2,
          attributedRevenue: '240.00',
          conversionRate: 2 / 4,
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
      expect(res.body.totals).toEqual({
        sent: 5,
        attributedVisits: 3,
        convertedMessages: 3,
        conversionRate: 3 / 5,
        attributedRevenue: '320.00',
      });
      expect(res.body.revenueBasis).toBe('customer_pay');
    });

    it('shows nothing sent in an empty period', async () => {
      const res = await get(managerA.token, 'reminders?from=2010-01-01T00:00:00Z&to=2010-02-01T00:00:00Z');
      expect(res.body.items).toEqual([]);
      expect(res.body.totals).toEqual({
        sent: 0,
        attributedVisits: 0,
        convertedMessages: 0,
        conversionRate: null,
        attributedRevenue: '0.00',
      });
    });
  });

  describe('at-risk customers', () => {
    const runRisk = (asOf: string) =>
      t.http.post('/api/v1/jobs/customer-risk/runs').set(bearer(admin.token)).send({ asOf }).expect(200);

    it('is empty with computedAt null until the customer-risk job has run', async () => {
      const before = await get(managerA.token, 'at-risk');
      expect(before.status).toBe(200);
      expect(before.body).toEqual({ items: [], nextCursor: null, computedAt: null });
    });

    it('scores customers 0–100 with their reasons, highest first, and pages on (score, id)', async () => {
      const run = await runRisk('2026-06-15T03:00:00Z');
      expect(run.body.result).toMatchObject({ atRisk: 8, removed: 0 });
      const first = await get(managerA.token, 'at-risk?limit=3');
      expect(first.status).toBe(200);
      expect(first.body.computedAt).toBe('2026-06-15T03:00:00.000Z');
      const [c3, c1, c4] = first.body.items;
      // c3: 4 overdue items on v8 → min(30, 4 × 10) + detractor s4 25 + open complaint k7 25 + lease ends 2026-08-01 15
      //     + warranty ended 2026-04-01 10 = 105 → capped at 100.
      expect(c3.customerId).toBe(f.c.c3);
      expect(c3.score).toBe(100);
      expect(
        Object.fromEntries(c3.reasons.map((r: { code: string; points: number }) => [r.code, r.points])),
      ).toEqual({
        overdue_maintenance: 30,
        detractor: 25,
        open_complaint: 25,
        term_ending: 15,
        warranty_ended: 10,
      });
      expect(c3.reasons.find((r: { code: string }) => r.code === 'overdue_maintenance').refs).toHaveLength(4);
      expect(c3.reasons.find((r: { code: string }) => r.code === 'detractor').refs).toEqual([
        { type: 'survey', id: f.survey.s4 },
      ]);
      // c1: open complaints k3 + k4 (25 once) + no visit ever (20) + warranty of v1 ended 2026-05-01 (10) = 55.
      expect(c1).toMatchObject({ customerId: f.c.c1, score: 25 + 20 + 10 });
      expect(c1.reasons).toEqual([
        {
          code: 'open_complaint',
          points: 25,
          refs: [f.complaint.k3, f.complaint.k4].sort().map((id) => ({ type: 'complaint', id })),
        },
        { code: 'no_visit_12_months', points: 20, refs: [{ type: 'customer', id: f.c.c1 }] },
        { code: 'warranty_ended', points: 10, refs: [{ type: 'vehicle', id: f.v.v1 }] },
      ]);
      // c4: detractor s6 (answered 2025-12-22, within 12 months) = 25.
      expect(c4).toMatchObject({ customerId: f.c.c4, score: 25 });

      // Then four customers at 20, by id descending: c2 (2 open overdue cycles on v2: the OIL_CHANGE cycle since
      // 2025-08-01 and TIRE_ROTATION; BRAKE_FLUID's and the old OIL_CHANGE cycle were closed by 2025-08-01),
      // c5 (only a voided visit; finance ends 2026-09-20, beyond 90 days), c6 (never visited), c7 (last visit 2025-06-01).
      const rest: { customerId: string; score: number; reasons: { code: string; refs: unknown[] }[] }[] = [];
      let cursor = first.body.nextCursor as string | null;
      while (cursor) {
        const page = await get(managerA.token, `at-risk?limit=3&cursor=${cursor}`);
        rest.push(...page.body.items);
        cursor = page.body.nextCursor;
      }
      expect(rest.map((r) => r.score)).toEqual([20, 20, 20, 20]);
      expect(rest.map((r) => r.customerId)).toEqual([f.c.c2, f.c.c5, f.c.c6, f.c.c7].sort().reverse());
      const byId = Object.fromEntries(rest.map((r) => [r.customerId, r.reasons]));
      expect(byId[f.c.c2]).toEqual([
        {
          code: 'overdue_maintenance',
          points: 20,
          refs: [
            { type: 'vehicle', id: f.v.v2, itemCode: 'OIL_CHANGE' },
            { type: 'vehicle', id: f.v.v2, itemCode: 'TIRE_ROTATION' },
          ],
        },
      ]);
      expect(byId[f.c.c7]).toEqual([
        { code: 'no_visit_12_months', points: 20, refs: [{ type: 'service_visit', id: f.visit[7] }] },
      ]);
      // Rooftop B's b1 (open complaint k6 + detractor s7 = 50) never shows up for A's manager.
      expect([...first.body.items, ...rest].map((r: { customerId: string }) => r.customerId)).not.toContain(
        f.c.b1,
      );
      const adminB = await get(admin.token, `at-risk?rooftopId=${f.B}`);
      expect(
        adminB.body.items.map((r: { customerId: string; score: number }) => [r.customerId, r.score]),
      ).toEqual([[f.c.b1, 25 + 25]]);
    });

    it('shows what changed at the next run: a resolved complaint lowers the score, an erased customer leaves', async () => {
      await t.db.query(`UPDATE complaint_case SET state = 'resolved' WHERE id = ANY ($1::uuid[])`, [
        [f.complaint.k3, f.complaint.k4],
      ]);
      // Not before the job runs again: the list is a snapshot and says when it was taken.
      const stale = await get(managerA.token, 'at-risk?limit=50');
      expect(stale.body.items.find((r: { customerId: string }) => r.customerId === f.c.c1).score).toBe(55);
      const run = await runRisk('2026-06-15T04:00:00Z');
      expect(run.body.result).toMatchObject({ atRisk: 8, changed: 1, removed: 0 });
      const fresh = await get(managerA.token, 'at-risk?limit=50');
      expect(fresh.body.computedAt).toBe('2026-06-15T04:00:00.000Z');
      expect(fresh.body.items.find((r: { customerId: string }) => r.customerId === f.c.c1).score).toBe(30);
      // Erased customers disappear at once (the page re-checks erasure), and from the table at the next run.
      await t.db.query(`UPDATE customer SET erased_at = now() WHERE id = $1`, [f.c.c4]);
      const now = await get(managerA.token, 'at-risk?limit=50');
      expect(now.body.items.map((r: { customerId: string }) => r.customerId)).not.toContain(f.c.c4);
      expect((await runRisk('2026-06-15T05:00:00Z')).body.result).toMatchObject({ removed: 1 });
      // Erased through the API: the stored row goes in the erasure's own transaction.
      const stored = () =>
        t.db.query(`SELECT count(*)::int AS n FROM customer_risk WHERE customer_id = $1`, [f.c.c6]);
      expect(await stored()).toEqual([{ n: 1 }]);
      await t.http.post(`/api/v1/customers/${f.c.c6}/erasure`).set(bearer(admin.token)).expect(200);
      expect(await stored()).toEqual([{ n: 0 }]);
    });

    it('counts a warranty as ended from midnight of its end date in the rooftop’s time zone', async () => {
      const customerId = await insertCustomer(t.db, f.A);
      const vehicleId = await insertVehicle(t.db, { rooftopId: f.A, ownerId: customerId });
      await t.db.query(`UPDATE vehicle SET warranty_end_date = '2026-06-16' WHERE id = $1`, [vehicleId]);
      const reasonsOf = async () =>
        (await get(managerA.token, 'at-risk?limit=200')).body.items
          .find((r: { customerId: string }) => r.customerId === customerId)
          ?.reasons.map((r: { code: string }) => r.code) ?? [];
      // 16:59 UTC on 15 June is 23:59 in Phnom Penh: the warranty still runs.
      await runRisk('2026-06-15T16:59:00Z');
      expect(await reasonsOf()).not.toContain('warranty_ended');
      // 17:00 UTC is midnight of 16 June there: a minute later it has ended (a UTC calendar would wait 7 hours).
      await runRisk('2026-06-15T17:01:00Z');
      expect(await reasonsOf()).toContain('warranty_ended');
    });
  });

  it('tells the dashboard the viewer’s language and rooftops', async () => {
    const res = await get(managerA.token, 'context');
    expect(res.body).toEqual({
      language: 'en',
      role: 'manager',
      rooftops: [{ id: f.A, name: 'Phnom Penh', currency: 'USD' }],
    });
  });
});
