import { JobsService } from '../src/jobs/jobs.service';
import { fixtures } from './follow-ups-fixtures';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { bearer, startTestApp, type TestApp } from './support/test-app';

/** Monday 2026-06-15, 10:00 in Phnom Penh. */
const T0 = '2026-06-15T03:00:00Z';
const WEEK = [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, open: '08:00', close: '17:00' }));

describe('appointment analytics: reminder → appointment → visit', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let rooftop: string;
  let other: string;
  let manager: { id: string; token: string };
  let advisor: { id: string; token: string };

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({
      now: T0,
      env: { SMTP_URL: sink.url, MAIL_FROM: 'Dealer CRM <no-reply@crm.example>' },
    });
    rooftop = (await t.rooftop({ name: 'Phnom Penh Motors' })).id;
    other = (await t.rooftop({ name: 'Elsewhere' })).id;
    manager = await t.user('manager', [rooftop]);
    advisor = await t.user('service_advisor', [rooftop]);
    await t.http
      .put(`/api/v1/rooftops/${rooftop}/service-calendar`)
      .set(bearer(manager.token))
      .send({ openingHours: WEEK, placesPerSlot: 5 })
      .expect(200);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  const run = (job: string, at: string) => t.app.get(JobsService).run(job as never, new Date(at));

  it('attributes a visit to the reminder whose link booked it, and reports the rates, lead time and revenue', async () => {
    const f = fixtures(t);
    // Three reminded customers; two book from their link, one of those shows up, the other does not.
    const reminded = [];
    for (let i = 0; i < 3; i++) {
      const customer = await f.customer(rooftop);
      const vehicle = await f.vehicle(rooftop, customer, { purchaseDate: '2025-12-10' });
      reminded.push({ customer, vehicle });
    }
    await run('service-reminders', T0);
    await run('outbox-dispatch', T0);
    const links = [];
    for (const { customer } of reminded.slice(0, 2)) {
      const [{ email }] = await t.db.query(`SELECT email FROM customer WHERE id = $1`, [customer]);
      const mail = sink.accepted.find((m) => m.to.includes(email))!;
      links.push(new URL(/href="([^"]*\/api\/v1\/book\/[^"]+)"/.exec(String(mail.parsed.html))![1]).pathname);
    }
    const shows = await t.http.post(links[0]).send({ action: 'book', slotStart: '2026-06-16T02:00:00.000Z' });
    const misses = await t.http
      .post(links[1])
      .send({ action: 'book', slotStart: '2026-06-17T02:00:00.000Z' });
    expect([shows.status, misses.status]).toEqual([200, 200]);
    // A phone-in booking, not from a message.
    const phone = await t.http
      .post('/api/v1/appointments')
      .set(bearer(advisor.token))
      .send({ rooftopId: rooftop, customerId: reminded[2].customer, slotStart: '2026-06-15T08:00:00Z' });
    expect(phone.status).toBe(201);

    t.clock.set('2026-06-16T01:55:00Z');
    const checkIn = await t.http
      .post(`/api/v1/appointments/${shows.body.appointment.id}/check-in`)
      .set(bearer(advisor.token))
      .send({ roNumber: 'RO-ATTR-1', odometer: 5_000 });
    expect(checkIn.status).toBe(200);
    const visitId = checkIn.body.serviceVisitId as string;
    await t.http.post(`/api/v1/service-visits/${visitId}/close`).set(bearer(advisor.token)).expect(200);
    // The desk priced the confirmed lines (fixture: the visit API has no line editing yet).
    await t.db.query(`UPDATE service_visit SET customer_pay_amount = 120.50 WHERE id = $1`, [visitId]);
    t.clock.set(T0);
    await run('appointment-no-shows', '2026-06-17T04:00:00Z');

    const res = await t.http
      .get('/api/v1/analytics/appointments')
      .query({ from: '2026-06-15T00:00:00Z', to: '2026-06-20T00:00:00Z' })
      .set(bearer(manager.token));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      appointments: { booked: 0, checkedIn: 0, completed: 1, cancelled: 0, noShow: 2 },
      showRate: 0.3333,
      noShowRate: 0.6667,
      attributedVisits: 1,
      bookedVisitRevenue: '120.50',
    });
    // Lead times 23 h, 47 h and 5 h (booked at 03:00Z): the median is 23 h.
    expect(res.body.medianLeadHours).toBe(23);
    expect(res.body.bookingRates).toEqual([
      { kind: 'service_reminder', channel: 'email', sent: 3, booked: 2, rate: 0.6667 },
    ]);

    // Another rooftop's manager sees none of it; a rooftop not granted is 404; salespeople may not read it.
    const elsewhere = await t.user('manager', [other]);
    const theirs = await t.http
      .get('/api/v1/analytics/appointments')
      .query({ from: '2026-06-15T00:00:00Z', to: '2026-06-20T00:00:00Z' })
      .set(bearer(elsewhere.token));
    expect(theirs.body.appointments).toEqual({
      booked: 0,
      checkedIn: 0,
      completed: 0,
      cancelled: 0,
      noShow: 0,
    });
    expect(theirs.body.bookingRates).toEqual([]);
    const foreign = await t.http
      .get('/api/v1/analytics/appointments')
      .query({ rooftopId: rooftop })
      .set(bearer(elsewhere.token));
    expect([foreign.status, foreign.body.errors?.[0]?.field]).toEqual([404, 'rooftopId']);
    const sales = await t.user('salesperson', [rooftop]);
    expect((await t.http.get('/api/v1/analytics/appointments').set(bearer(sales.token))).status).toBe(403);
  });
});
