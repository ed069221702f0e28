import { AppointmentNoShowsJob } from '../src/appointments/appointment-no-shows.job';
import { AppointmentRemindersJob } from '../src/appointments/appointment-reminders.job';
import { BookingLinkService } from '../src/appointments/booking-links.provider';
import { JobsService } from '../src/jobs/jobs.service';
import { fixtures } from './follow-ups-fixtures';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { bearer, startTestApp, type TestApp } from './support/test-app';

/** Monday 2026-06-15, 10:00 in Phnom Penh. */
const T0 = '2026-06-15T03:00:00Z';
const WEEK = [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, open: '08:00', close: '17:00' }));

describe('appointment jobs: reminders and no-shows, as of an instant', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let rooftop: string;
  let advisor: { id: string; token: string };

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({
      now: T0,
      env: { SMTP_URL: sink.url, MAIL_FROM: 'Dealer CRM <no-reply@crm.example>' },
    });
    rooftop = (await t.rooftop({ name: 'Phnom Penh Motors' })).id;
    const manager = await t.user('manager', [rooftop]);
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
  async function book(slotStart: string) {
    const f = fixtures(t);
    const customer = await f.customer(rooftop);
    const vehicle = await f.vehicle(rooftop, customer);
    const res = await t.http
      .post('/api/v1/appointments')
      .set(bearer(advisor.token))
      .send({
        rooftopId: rooftop,
        customerId: customer,
        vehicleId: vehicle,
        slotStart,
        itemCodes: ['OIL_CHANGE'],
      });
    expect(res.status).toBe(201);
    return { customer, id: res.body.id as string, version: res.body.version as number };
  }
  const reminders = (customer: string) =>
    t.db.query(
      `SELECT payload->>'stage' AS stage, scheduled_at, status, dedupe_key FROM outbox_message
        WHERE customer_id = $1 AND kind = 'appointment_reminder' ORDER BY scheduled_at, status`,
      [customer],
    );

  it('queues the day-before and two-hours-before reminders at their instants once the appointment is a day away, once', async () => {
    const { customer } = await book('2026-06-17T02:00:00Z');
    expect((await run('appointment-reminders', T0)).result).toMatchObject({ dayBefore: 0, twoHours: 0 });
    const first = await run('appointment-reminders', '2026-06-16T01:00:00Z');
    expect(first.result).toMatchObject({ dayBefore: 1, twoHours: 1 });
    // Again, and by two planners at once with no lock (two instances): nothing new.
    const job = t.app.get(AppointmentRemindersJob);
    await Promise.all([job.run(new Date('2026-06-16T01:05:00Z')), job.run(new Date('2026-06-16T01:05:00Z'))]);
    const rows = await reminders(customer);
    expect(
      rows.map((r: { stage: string; scheduled_at: Date }) => [r.stage, r.scheduled_at.toISOString()]),
    ).toEqual([
      ['day_before', '2026-06-16T02:00:00.000Z'],
      ['two_hours', '2026-06-17T00:00:00.000Z'],
    ]);
  });

  it('plans no two-hours reminder that quiet hours would hold until the slot (08:00 slot, window from 08:00)', async () => {
    const { customer } = await book('2026-06-23T01:00:00Z'); // Tuesday 08:00 local; 06:00 is quiet
    await run('appointment-reminders', '2026-06-22T01:00:00Z');
    expect((await reminders(customer)).map((r: { stage: string }) => r.stage)).toEqual(['day_before']);
  });

  it('sends no day-before reminder for an appointment booked less than a day ahead', async () => {
    const { customer } = await book('2026-06-15T08:00:00Z');
    await run('appointment-reminders', '2026-06-15T03:30:00Z');
    expect((await reminders(customer)).map((r: { stage: string }) => r.stage)).toEqual(['two_hours']);
  });

  it('cancels the pending reminders of a moved appointment and reminds of the new time', async () => {
    const { customer, id, version } = await book('2026-06-18T02:00:00Z');
    await run('appointment-reminders', '2026-06-17T03:00:00Z');
    const moved = await t.http
      .post(`/api/v1/appointments/${id}/reschedule`)
      .set(bearer(advisor.token))
      .set('If-Match', `"${version}"`)
      .send({ slotStart: '2026-06-18T03:00:00Z' });
    expect(moved.status).toBe(200);
    await run('appointment-reminders', '2026-06-17T03:00:00Z');
    const rows = await reminders(customer);
    expect(
      rows.map((r: { stage: string; status: string; scheduled_at: Date }) => [
        r.stage,
        r.status,
        r.scheduled_at.toISOString(),
      ]),
    ).toEqual([
      ['day_before', 'cancelled', '2026-06-17T03:00:00.000Z'],
      ['day_before', 'pending', '2026-06-17T03:00:00.000Z'],
      ['two_hours', 'cancelled', '2026-06-18T00:00:00.000Z'],
      ['two_hours', 'pending', '2026-06-18T01:00:00.000Z'],
    ]);
  });

  it('does not send a reminder of an appointment that no longer stands when its turn comes', async () => {
    const { customer, id } = await book('2026-06-22T02:00:00Z');
    await run('appointment-reminders', '2026-06-21T02:00:00Z');
    t.clock.set('2026-06-21T03:00:00Z');
    await t.http
      .post(`/api/v1/appointments/${id}/check-in`)
      .set(bearer(advisor.token))
      .send({ roNumber: 'RO-EARLY-1', odometer: 100 })
      .expect(200);
    t.clock.set(T0);
    await run('outbox-dispatch', '2026-06-22T00:00:00Z');
    const rows = await t.db.query(
      `SELECT payload->>'stage' AS stage, status, status_reason FROM outbox_message
        WHERE customer_id = $1 AND kind = 'appointment_reminder' ORDER BY scheduled_at`,
      [customer],
    );
    expect(rows).toEqual([
      { stage: 'day_before', status: 'suppressed', status_reason: 'appointment_checked_in' },
      { stage: 'two_hours', status: 'suppressed', status_reason: 'appointment_checked_in' },
    ]);
  });

  it('marks a no-show 30 minutes after the slot ends without a check-in, once, and emails a link to book again', async () => {
    const { customer, id } = await book('2026-06-16T02:00:00Z'); // 09:00–09:30 local
    const checkedIn = await book('2026-06-16T02:00:00Z');
    t.clock.set('2026-06-16T02:05:00Z');
    await t.http
      .post(`/api/v1/appointments/${checkedIn.id}/check-in`)
      .set(bearer(advisor.token))
      .send({ roNumber: 'RO-NS-1', odometer: 100 })
      .expect(200);
    t.clock.set(T0);
    const state = async (appointmentId: string) =>
      (await t.db.query(`SELECT state FROM appointment WHERE id = $1`, [appointmentId]))[0].state as string;
    await run('appointment-no-shows', '2026-06-16T02:59:59Z');
    expect(await state(id)).toBe('booked');
    expect((await run('appointment-no-shows', '2026-06-16T03:00:00Z')).result).toMatchObject({
      noShows: 1,
      followUps: 1,
    });
    expect((await t.app.get(AppointmentNoShowsJob).run(new Date('2026-06-16T03:10:00Z'))).noShows).toBe(0);
    const [appointment] = await t.db.query(`SELECT state, no_show_at FROM appointment WHERE id = $1`, [id]);
    expect(appointment).toMatchObject({ state: 'no_show' });
    const [other] = await t.db.query(`SELECT state FROM appointment WHERE id = $1`, [checkedIn.id]);
    expect(other.state).toBe('checked_in');

    sink.reset();
    await run('outbox-dispatch', '2026-06-16T03:00:00Z');
    const [{ email }] = await t.db.query(`SELECT email FROM customer WHERE id = $1`, [customer]);
    const mail = sink.accepted.find((m) => m.to.includes(email) && /missed you/.test(m.parsed.subject ?? ''));
    expect(mail).toBeDefined();
    const link = /href="[^"]*\/api\/v1\/book\/([^"]+)"/.exec(String(mail!.parsed.html))![1];
    const claims = t.app.get(BookingLinkService).verify(decodeURIComponent(link));
    expect(claims).toMatchObject({ c: customer, mk: 'appointment_no_show', i: ['OIL_CHANGE'] });
  });

  describe('maintenance reminders for booked items', () => {
    const digestItems = async (customer: string) =>
      (
        await t.db.query(
          `SELECT payload->'items' AS items, status, scheduled_at FROM outbox_message
            WHERE customer_id = $1 AND kind = 'service_reminder' ORDER BY scheduled_at`,
          [customer],
        )
      ).map((r: { items: { itemCode: string }[]; status: string }) => [
        r.status,
        r.items.map((i) => i.itemCode).sort(),
      ]);

    it('pause while the appointment stands (planned and pending alike) and resume once it is cancelled', async () => {
      const f = fixtures(t);
      // Bought 2025-12-10: the oil change and the tyre rotation are both due (since 2026-06-10).
      const booked = await f.customer(rooftop);
      const bookedVehicle = await f.vehicle(rooftop, booked, { purchaseDate: '2025-12-10' });
      const appointment = await t.http
        .post('/api/v1/appointments')
        .set(bearer(advisor.token))
        .send({
          rooftopId: rooftop,
          customerId: booked,
          vehicleId: bookedVehicle,
          slotStart: '2026-06-19T02:00:00Z',
          itemCodes: ['OIL_CHANGE'],
        });
      expect(appointment.status).toBe(201);
      const pending = await f.customer(rooftop);
      const pendingVehicle = await f.vehicle(rooftop, pending, { purchaseDate: '2025-12-10' });

      await run('service-reminders', T0);
      expect(await digestItems(booked)).toEqual([['pending', ['TIRE_ROTATION']]]);
      expect(await digestItems(pending)).toEqual([['pending', ['OIL_CHANGE', 'TIRE_ROTATION']]]);

      // Booking takes the item out of the digest that is still waiting to be sent.
      await t.http
        .post('/api/v1/appointments')
        .set(bearer(advisor.token))
        .send({
          rooftopId: rooftop,
          customerId: pending,
          vehicleId: pendingVehicle,
          slotStart: '2026-06-19T03:00:00Z',
          itemCodes: ['OIL_CHANGE'],
        })
        .expect(201);
      expect(await digestItems(pending)).toEqual([['pending', ['TIRE_ROTATION']]]);

      // Cancelled: the oil change is reminded again at the vehicle's next check (the overdue threshold).
      await t.http
        .post(`/api/v1/appointments/${appointment.body.id}/cancel`)
        .set(bearer(advisor.token))
        .send({ reason: 'Travelling' })
        .expect(200);
      await run('service-reminders', '2026-07-11T03:00:00Z');
      const after = await digestItems(booked);
      expect(after[after.length - 1]).toEqual(['pending', ['OIL_CHANGE', 'TIRE_ROTATION']]);
      // The other appointment still stands: its oil change stays paused.
      const other = await digestItems(pending);
      expect(other[other.length - 1][1]).not.toContain('OIL_CHANGE');
    });
  });
});
