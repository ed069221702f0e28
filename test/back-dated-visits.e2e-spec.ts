import { randomBytes } from 'node:crypto';
import { DomainEvents } from '../src/common/domain-events';
import { JobsService } from '../src/jobs/jobs.service';
import { fixtures } from './follow-ups-fixtures';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { bearer, startTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/**
 * A service visit is often logged after it happened (an import, a late entry). Its survey, its declined-work
 * email and its on-time bonus follow the visit's own date, not the instant it was logged. Visits are logged
 * through the API with the clock at "logging time"; the jobs run "as of" instants. Rooftops are in
 * Asia/Phnom_Penh (UTC+7): date-based moments fall at 09:00 local = 02:00 UTC.
 */
describe('back-dated service visits: timed from the visit’s own date', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let f: ReturnType<typeof fixtures>;
  let rooftopId: string;
  let advisor: { id: string; token: string };

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({
      now: '2026-06-15T03:00:00Z',
      env: { SMTP_URL: sink.url, MAIL_FROM: 'Dealer CRM <no-reply@crm.example>' },
    });
    f = fixtures(t);
    rooftopId = (await t.rooftop({ name: 'Phnom Penh Motors' })).id;
    advisor = await t.user('service_advisor', [rooftopId]);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });
  beforeEach(() => sink.reset());

  async function vehicle(ownerId: string, purchaseDate: string): Promise<string> {
    const vehicleId = await f.vehicle(rooftopId, ownerId, { purchaseDate });
    await t.db.query(
      `INSERT INTO vehicle_ownership (vehicle_id, customer_id, started_at) VALUES ($1, $2, $3)`,
      [vehicleId, ownerId, `${purchaseDate}T00:00:00Z`],
    );
    return vehicleId;
  }

  /** Logs a closed visit through the API with the clock at `loggedAt`. */
  async function logVisit(
    vehicleId: string,
    visitDate: string,
    loggedAt: string,
    o: {
      odometer?: number;
      itemCode?: string;
      amount?: number;
      declined?: { itemCode?: string; description?: string; estimateAmount: number }[];
    } = {},
  ): Promise<string> {
    t.clock.set(loggedAt);
    const amount = o.amount ?? 200;
    const res = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .send({
        rooftopId,
        vehicleId,
        roNumber: `RO-${randomBytes(4).toString('hex')}`,
        visitDate,
        odometer: o.odometer ?? 1_000,
        lines: [
          {
            itemCode: o.itemCode ?? 'TIRE_ROTATION',
            labourAmount: amount / 2,
            partsAmount: amount / 2,
            payType: 'customer',
          },
        ],
        declinedLines: o.declined ?? [],
        close: true,
      });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  const surveysOf = (visitId: string): Promise<{ issued_at: Date; expires_at: Date }[]> =>
    t.db.query(`SELECT issued_at, expires_at FROM survey WHERE service_visit_id = $1`, [visitId]);

  const run = async (job: 'follow-ups' | 'outbox-dispatch', asOf: string) =>
    (await t.app.get(JobsService).run(job, new Date(asOf))).result;

  describe('service survey (visit date + 2 days, valid 30 days)', () => {
    it('plans no survey for a visit back-dated 14 months, whenever the job runs, and says so in the job’s result', async () => {
      const today = '2026-06-15T03:00:00Z';
      const customer = await f.customer(rooftopId);
      const v = await vehicle(customer, '2025-01-05');
      const visit = await logVisit(v, '2025-04-15T03:00:00Z', today);

      const first = await run('follow-ups', today);
      for (const asOf of [plus(today, 2 * DAY + HOUR), plus(today, 3 * DAY), plus(today, 15 * DAY)])
        await run('follow-ups', asOf);

      expect(await surveysOf(visit)).toEqual([]);
      expect(await f.outbox(customer, 'survey_invitation')).toEqual([]);
      expect(first['serviceSurvey.surveys']).toBe(0);
      expect(first['serviceSurvey.tooOld']).toBe(1);
    });

    it('plans the survey at once, dated visit date + 2 days, for a visit dated 3 days ago and logged today; the email goes out', async () => {
      const today = '2026-08-15T03:00:00Z';
      const customer = await f.customer(rooftopId);
      const v = await vehicle(customer, '2026-01-05');
      const visit = await logVisit(v, '2026-08-12T03:00:00Z', today);

      // A run as of yesterday (a back-fill) sees the world as it was: the visit was not logged yet.
      expect((await run('follow-ups', plus(today, -DAY)))['serviceSurvey.surveys']).toBe(0);
      const result = await run('follow-ups', today);
      expect(result['serviceSurvey.surveys']).toBe(1);
      const [survey] = await surveysOf(visit);
      expect(survey.issued_at.toISOString()).toBe('2026-08-14T02:00:00.000Z');
      expect(survey.expires_at.toISOString()).toBe('2026-09-13T02:00:00.000Z');
      const [mail] = await f.outbox(customer, 'survey_invitation');
      expect(mail.scheduled_at.toISOString()).toBe('2026-08-14T02:00:00.000Z');

      await run('outbox-dispatch', today);
      expect(sink.accepted).toHaveLength(1);
      expect(sink.accepted[0].parsed.subject).toBe('Two minutes for Phnom Penh Motors? Tell us how we did');
    });

    it('plans a survey for a visit logged late while its survey can still be answered, and none once it could not', async () => {
      // Logged at 10:00 local. Dated 31 days ago: survey 29 days ago at 09:00, answerable for 23 more hours.
      // Dated 32 days ago: its survey would have closed an hour ago.
      const today = '2026-10-15T03:00:00Z';
      const fresh = await f.customer(rooftopId);
      const stale = await f.customer(rooftopId);
      const freshVisit = await logVisit(await vehicle(fresh, '2026-01-05'), plus(today, -31 * DAY), today);
      const staleVisit = await logVisit(await vehicle(stale, '2026-01-05'), plus(today, -32 * DAY), today);

      const result = await run('follow-ups', today);
      expect(result['serviceSurvey.surveys']).toBe(1);
      expect(result['serviceSurvey.tooOld']).toBe(1);
      const [survey] = await surveysOf(freshVisit);
      expect(survey.expires_at.toISOString()).toBe('2026-10-16T02:00:00.000Z');
      expect(await surveysOf(staleVisit)).toEqual([]);
    });
  });

  describe('declined-work email (visit date + 14 days, at most 14 days late)', () => {
    it('sends no declined-work email for a visit back-dated 14 months', async () => {
      const today = '2026-12-15T03:00:00Z';
      const customer = await f.customer(rooftopId);
      const v = await vehicle(customer, '2025-01-05');
      await logVisit(v, '2025-10-15T03:00:00Z', today, {
        declined: [{ description: 'Replace wiper blades', estimateAmount: 25 }],
      });

      const first = await run('follow-ups', today);
      for (const asOf of [plus(today, 14 * DAY + HOUR), plus(today, 15 * DAY)]) await run('follow-ups', asOf);
      expect(await f.outbox(customer, 'declined_service')).toEqual([]);
      expect(first['declinedService.emails']).toBe(0);
      expect(first['declinedService.tooOld']).toBe(1);
    });

    it('sends the email at once for a visit dated 14 days ago and logged today, leaving out what a later visit did', async () => {
      const today = '2027-02-15T03:00:00Z';
      const customer = await f.customer(rooftopId);
      const v = await vehicle(customer, '2026-06-01');
      // A visit dated a week ago, logged then, did the brakes; the visit dated a fortnight ago is logged today.
      await logVisit(v, plus(today, -7 * DAY), plus(today, -7 * DAY), {
        odometer: 3_000,
        itemCode: 'BRAKE_INSPECTION',
      });
      await logVisit(v, plus(today, -14 * DAY), today, {
        odometer: 2_700,
        declined: [
          { itemCode: 'BRAKE_INSPECTION', description: 'Replace front brake pads', estimateAmount: 120 },
          { description: 'Replace wiper blades', estimateAmount: 25 },
        ],
      });

      const result = await run('follow-ups', today);
      expect(result['declinedService.emails']).toBe(1);
      const [mail] = await f.outbox(customer, 'declined_service');
      expect(mail.scheduled_at.toISOString()).toBe('2027-02-15T02:00:00.000Z');
      expect(mail.payload.items.map((i: { description: string }) => i.description)).toEqual([
        'Replace wiper blades',
      ]);

      await run('outbox-dispatch', today);
      const sent = sink.accepted.filter((m) => m.parsed.text?.includes('Replace wiper blades'));
      expect(sent).toHaveLength(1);
    });

    it('sends the email for a visit logged up to 14 days after it was due, and none later', async () => {
      // Logged at 10:00 local. Dated 27 days ago: due 13 days ago at 09:00. Dated 29 days ago: due 15 days ago.
      const today = '2027-04-15T03:00:00Z';
      const fresh = await f.customer(rooftopId);
      const stale = await f.customer(rooftopId);
      const declined = [{ description: 'Replace wiper blades', estimateAmount: 25 }];
      await logVisit(await vehicle(fresh, '2026-06-01'), plus(today, -27 * DAY), today, { declined });
      await logVisit(await vehicle(stale, '2026-06-01'), plus(today, -29 * DAY), today, { declined });

      const result = await run('follow-ups', today);
      expect(result['declinedService.emails']).toBe(1);
      expect(result['declinedService.tooOld']).toBe(1);
      expect(await f.outbox(fresh, 'declined_service')).toHaveLength(1);
      expect(await f.outbox(stale, 'declined_service')).toEqual([]);
    });
  });

  describe('on-time bonus (+50 % when a performed item was between due_soon and overdue on the visit’s date)', () => {
    const bonusOf = async (visitId: string): Promise<number[]> =>
      (
        await t.db.query(`SELECT points FROM loyalty_entry WHERE idempotency_key = $1`, [
          `visit:${visitId}:bonus`,
        ])
      ).map((r: { points: number }) => r.points);

    it('earns the bonus for a visit back-dated to a day its oil change was on time, logged when it was overdue', async () => {
      // Bought 2025-01-05 at 0 km: the oil change is due 2025-07-05 (6 months), due_soon 2025-06-21, overdue 2025-08-04.
      const customer = await f.customer(rooftopId);
      const v = await vehicle(customer, '2025-01-05');
      const visit = await logVisit(v, '2025-07-01T03:00:00Z', '2027-06-15T03:00:00Z', {
        odometer: 7_000,
        itemCode: 'OIL_CHANGE',
        amount: 200,
      });
      expect(await bonusOf(visit)).toEqual([100]);
    });

    it('earns no bonus for a visit back-dated to before its oil change was due soon, logged when it was due', async () => {
      // Bought 2027-01-05 at 0 km: the oil change is due 2027-07-05, due_soon 2027-06-21, overdue 2027-08-04.
      const customer = await f.customer(rooftopId);
      const v = await vehicle(customer, '2027-01-05');
      const visit = await logVisit(v, '2027-05-20T03:00:00Z', '2027-06-25T03:00:00Z', {
        odometer: 5_000,
        itemCode: 'OIL_CHANGE',
        amount: 200,
      });
      expect(await bonusOf(visit)).toEqual([]);
      const earned = await t.db.query(`SELECT points FROM loyalty_entry WHERE idempotency_key = $1`, [
        `visit:${visit}:earn`,
      ]);
      expect(earned).toEqual([{ points: 200 }]);
    });

    it('judges on the visit date the closing event carries (a required field: nothing is re-read)', async () => {
      // The event's payload is complete: the listener takes the visit's date, amount and items from it.
      const customer = await f.customer(rooftopId);
      const v = await vehicle(customer, '2025-01-05');
      const [visit] = await t.db.query(
        `INSERT INTO service_visit (rooftop_id, vehicle_id, customer_id, ro_number, visit_date, odometer, status,
                                    customer_pay_amount, closed_at)
         VALUES ($1, $2, $3, $4, '2025-07-01T03:00:00Z', 7000, 'closed', 200, '2027-06-15T03:00:00Z') RETURNING id`,
        [rooftopId, v, customer, `RO-${randomBytes(4).toString('hex')}`],
      );
      await t.db.query(
        `INSERT INTO maintenance_performed (vehicle_id, item_code, performed_at, odometer, service_visit_id)
         VALUES ($1, 'OIL_CHANGE', '2025-07-01T03:00:00Z', 7000, $2)`,
        [v, visit.id],
      );
      await t.db.transaction((m) =>
        t.app.get(DomainEvents).emit(m, 'service_visit.closed', {
          visitId: visit.id,
          vehicleId: v,
          customerId: customer,
          rooftopId,
          closedAt: new Date('2027-06-15T03:00:00Z'),
          advisorId: null,
          customerPayAmount: '200.00',
          itemCodes: ['OIL_CHANGE'],
          vehicleOwnerId: customer,
          visitDate: new Date('2025-07-01T03:00:00Z'),
        }),
      );
      expect(await bonusOf(visit.id)).toEqual([100]);
    });
  });
});
