import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp, createLogger } from '../src/app.factory';
import { FixedClock } from '../src/common/clock';
import { loadConfig } from '../src/config/app-config';
import { dataSourceOptions } from '../src/database/data-source';
import { fixtures } from './follow-ups-fixtures';
import { bearer, startTestApp, type TestApp } from './support/test-app';

/** Monday 2026-06-15, 10:00 in Phnom Penh: with a 2 h lead time the first bookable slot is 12:00 (05:00Z). */
const T0 = '2026-06-15T03:00:00Z';
const WEEK = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, open: '08:00', close: '17:00' }));
const at = (local: string) => new Date(`${local}+07:00`).toISOString();

type User = { id: string; token: string };

describe('service appointments: calendar, availability and the staff API', () => {
  let t: TestApp;
  let rooftop: string;
  let otherRooftop: string;
  let manager: User;
  let advisor: User;
  let salesperson: User;
  let otherManager: User;
  let customer: string;
  let vehicle: string;

  const put = (rooftopId: string, body: object, as: User = manager) =>
    t.http.put(`/api/v1/rooftops/${rooftopId}/service-calendar`).set(bearer(as.token)).send(body);
  const book = (body: object, as: User = advisor) =>
    t.http
      .post('/api/v1/appointments')
      .set(bearer(as.token))
      .send({ rooftopId: rooftop, customerId: customer, ...body });
  const free = async (start: string) => {
    const res = await t.http
      .get(`/api/v1/rooftops/${rooftop}/availability?days=3`)
      .set(bearer(advisor.token));
    return (res.body.slots as { start: string; free: number }[]).find((s) => s.start === start)?.free;
  };

  beforeAll(async () => {
    t = await startTestApp({ now: T0 });
    rooftop = (await t.rooftop()).id;
    otherRooftop = (await t.rooftop()).id;
    manager = await t.user('manager', [rooftop]);
    advisor = await t.user('service_advisor', [rooftop]);
    salesperson = await t.user('salesperson', [rooftop]);
    otherManager = await t.user('manager', [otherRooftop]);
    const f = fixtures(t);
    customer = await f.customer(rooftop, { salespersonId: salesperson.id });
    vehicle = await f.vehicle(rooftop, customer);
    expect(
      (await put(rooftop, { openingHours: WEEK, closedDates: ['2026-06-17'], placesPerSlot: 3 })).status,
    ).toBe(200);
  });
  afterAll(() => t.close());

  describe('calendar', () => {
    it('is set by managers only, and read back with its version as ETag', async () => {
      expect((await put(rooftop, { openingHours: WEEK }, advisor)).status).toBe(403);
      const res = await t.http.get(`/api/v1/rooftops/${rooftop}/service-calendar`).set(bearer(advisor.token));
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe(`"${res.body.version}"`);
      expect(res.body).toMatchObject({
        timeZone: 'Asia/Phnom_Penh',
        slotMinutes: 30,
        placesPerSlot: 3,
        leadMinutes: 120,
        horizonDays: 60,
        closedDates: ['2026-06-17'],
      });
      expect(res.body.openingHours).toHaveLength(5);
    });

    it('refuses a closing before opening and overlapping intervals, naming the fields, and keeps the calendar', async () => {
      const before = await t.http
        .get(`/api/v1/rooftops/${rooftop}/service-calendar`)
        .set(bearer(manager.token));
      const res = await put(rooftop, {
        openingHours: [
          { weekday: 1, open: '09:00', close: '08:00' },
          { weekday: 2, open: '08:00', close: '12:00' },
          { weekday: 2, open: '11:00', close: '17:00' },
        ],
      });
      expect(res.status).toBe(400);
      expect(res.type).toBe('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([
        'openingHours.0.close',
        'openingHours',
      ]);
      const after = await t.http
        .get(`/api/v1/rooftops/${rooftop}/service-calendar`)
        .set(bearer(manager.token));
      expect(after.body).toEqual(before.body);
    });

    it('answers 412 to a stale If-Match', async () => {
      const res = await t.http
        .put(`/api/v1/rooftops/${rooftop}/service-calendar`)
        .set(bearer(manager.token))
        .set('If-Match', '"99"')
        .send({ openingHours: WEEK, closedDates: ['2026-06-17'], placesPerSlot: 3 });
      expect(res.status).toBe(412);
    });

    it("answers 404 for another rooftop's calendar and availability", async () => {
      expect((await put(rooftop, { openingHours: WEEK }, otherManager)).status).toBe(404);
      const res = await t.http
        .get(`/api/v1/rooftops/${rooftop}/availability`)
        .set(bearer(otherManager.token));
      expect(res.status).toBe(404);
      expect(res.type).toBe('application/problem+json');
    });
  });

  describe('availability', () => {
    it("lists today's slots from the lead time, skips the closed date, in the rooftop's time", async () => {
      const res = await t.http
        .get(`/api/v1/rooftops/${rooftop}/availability?days=3`)
        .set(bearer(salesperson.token));
      expect(res.status).toBe(200);
      const slots = res.body.slots as { start: string; localDate: string; localTime: string; free: number }[];
      expect(slots[0]).toMatchObject({ start: at('2026-06-15T12:00'), localTime: '12:00', free: 3 });
      expect(slots.filter((s) => s.localDate === '2026-06-15')).toHaveLength(10);
      expect(slots.filter((s) => s.localDate === '2026-06-16')).toHaveLength(18);
      expect(slots.filter((s) => s.localDate === '2026-06-17')).toHaveLength(0);
    });
  });

  describe('booking', () => {
    it('books a free slot and counts the place taken in the availability', async () => {
      const start = at('2026-06-16T09:00');
      const res = await book({
        vehicleId: vehicle,
        slotStart: start,
        itemCodes: ['OIL_CHANGE'],
        note: 'Squeak',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        state: 'booked',
        slotStart: start,
        slotEnd: at('2026-06-16T09:30'),
        itemCodes: ['OIL_CHANGE'],
        source: 'phone',
      });
      expect(await free(start)).toBe(2);
    });

    it('refuses a start that is no slot, inside the lead time, on a closed date or beyond the horizon (422 naming slotStart)', async () => {
      for (const [slotStart, code] of [
        [at('2026-06-16T09:10'), 'not_a_slot'],
        [at('2026-06-15T11:30'), 'too_soon'],
        [at('2026-06-17T09:00'), 'not_a_slot'],
        [at('2026-08-17T09:00'), 'beyond_horizon'],
      ]) {
        const res = await book({ slotStart });
        expect([slotStart, res.status, res.body.code, res.body.errors?.[0]?.field]).toEqual([
          slotStart,
          422,
          code,
          'slotStart',
        ]);
      }
      expect((await t.db.query(`SELECT count(*)::int AS n FROM appointment`))[0].n).toBe(1);
    });

    it('refuses items that are not in the active catalogue, naming itemCodes, and takes no place', async () => {
      const slotStart = at('2026-06-18T15:00');
      const res = await book({ slotStart, itemCodes: ['OIL_CHANGE', 'FLUX_CAPACITOR'] });
      expect([res.status, res.body.code, res.body.errors?.[0]?.field]).toEqual([
        422,
        'unknown_item',
        'itemCodes',
      ]);
      const taken = await t.db.query(
        `SELECT 1 FROM appointment_slot WHERE rooftop_id = $1 AND slot_start = $2`,
        [rooftop, slotStart],
      );
      expect(taken).toEqual([]);
    });

    it('lets a salesperson book for their own customers only', async () => {
      const mine = await book({ slotStart: at('2026-06-18T10:00') }, salesperson);
      expect(mine.status).toBe(201);
      const someoneElses = await fixtures(t).customer(rooftop);
      const res = await book({ customerId: someoneElses, slotStart: at('2026-06-18T10:00') }, salesperson);
      expect(res.status).toBe(403);
    });

    it("answers 404 naming the field for another rooftop's ids in the body, and writes nothing", async () => {
      const foreign = await fixtures(t).customer(otherRooftop);
      const before = (await t.db.query(`SELECT count(*)::int AS n FROM appointment`))[0].n;
      const a = await book({ customerId: foreign, slotStart: at('2026-06-18T11:00') });
      expect([a.status, a.body.errors?.[0]?.field]).toEqual([404, 'customerId']);
      const b = await book({ rooftopId: otherRooftop, slotStart: at('2026-06-18T11:00') });
      expect([b.status, b.body.errors?.[0]?.field]).toEqual([404, 'rooftopId']);
      const c = await book({
        vehicleId: await fixtures(t).vehicle(otherRooftop, foreign),
        slotStart: at('2026-06-18T11:00'),
      });
      expect([c.status, c.body.errors?.[0]?.field]).toEqual([404, 'vehicleId']);
      expect((await t.db.query(`SELECT count(*)::int AS n FROM appointment`))[0].n).toBe(before);
    });

    it('replays a booking retried with the same Idempotency-Key (one place taken)', async () => {
      const body = { slotStart: at('2026-06-18T13:00') };
      const first = await book(body).set('Idempotency-Key', 'book-once-1');
      const again = await book(body).set('Idempotency-Key', 'book-once-1');
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      expect(await free(at('2026-06-18T13:00'))).toBeUndefined(); // beyond days=3
      const [{ taken }] = await t.db.query(
        `SELECT taken FROM appointment_slot WHERE rooftop_id = $1 AND slot_start = $2`,
        [rooftop, at('2026-06-18T13:00')],
      );
      expect(taken).toBe(1);
    });

    it('gives the last place of a slot to exactly one of 50 concurrent requests; the others get 409 slot_full', async () => {
      const start = at('2026-06-19T14:00');
      for (let i = 0; i < 2; i++) expect((await book({ slotStart: start })).status).toBe(201);
      const results = await Promise.all(Array.from({ length: 50 }, () => book({ slotStart: start })));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(49);
      const refused = results.find((r) => r.status === 409)!;
      expect(refused.type).toBe('application/problem+json');
      expect(refused.body.code).toBe('slot_full');
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM appointment WHERE rooftop_id = $1 AND slot_start = $2 AND state = 'booked'`,
        [rooftop, start],
      );
      expect(n).toBe(3);
    });

    it('gives exactly the 3 free places to 50 requests shared between two app instances on one database', async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-second-'));
      const config = loadConfig({
        DATABASE_URL: t.config.DATABASE_URL!,
        DATA_DIR: dataDir,
        JWT_SECRET: t.config.JWT_SECRET ?? randomBytes(32).toString('hex'),
        JOBS_ENABLED: 'false',
        MIGRATIONS_RUN: 'false',
        LOG_LEVEL: 'warn',
        PUBLIC_BASE_URL: 'https://crm.test',
      });
      const db = new DataSource(dataSourceOptions(t.config.DATABASE_URL!, 10));
      await db.initialize();
      let second: NestFastifyApplication | undefined;
      try {
        second = await createApp(
          {
            config,
            database: { dataSource: db, url: t.config.DATABASE_URL! },
            clock: new FixedClock(new Date(T0)),
          },
          { logger: createLogger('warn') },
        );
        await second.init();
        await second.getHttpAdapter().getInstance().ready();
        const servers = [t.http, request(second.getHttpServer())];
        const start = at('2026-06-19T15:00');
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            servers[i % 2]
              .post('/api/v1/appointments')
              .set(bearer(advisor.token))
              .send({ rooftopId: rooftop, customerId: customer, slotStart: start }),
          ),
        );
        const statuses = results.map((r) => r.status);
        expect(statuses.filter((s) => s === 201)).toHaveLength(3);
        expect(statuses.filter((s) => s === 409)).toHaveLength(47);
      } finally {
        await second?.close();
        if (db.isInitialized) await db.destroy();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });

  describe('reschedule, cancel, check-in, no-show', () => {
    let id: string;
    beforeAll(async () => {
      const res = await book({
        vehicleId: vehicle,
        slotStart: at('2026-06-16T10:00'),
        itemCodes: ['OIL_CHANGE'],
      });
      id = res.body.id;
    });

    it('reschedules with If-Match only: 428 without, 412 when stale; moves the place to the new slot', async () => {
      const url = `/api/v1/appointments/${id}/reschedule`;
      const body = { slotStart: at('2026-06-16T11:00') };
      expect((await t.http.post(url).set(bearer(advisor.token)).send(body)).status).toBe(428);
      expect(
        (await t.http.post(url).set(bearer(advisor.token)).set('If-Match', '"7"').send(body)).status,
      ).toBe(412);
      const current = await t.http.get(`/api/v1/appointments/${id}`).set(bearer(advisor.token));
      const res = await t.http
        .post(url)
        .set(bearer(advisor.token))
        .set('If-Match', current.headers.etag)
        .send(body);
      expect(res.status).toBe(200);
      expect(res.body.slotStart).toBe(at('2026-06-16T11:00'));
      expect(res.body.version).toBe(current.body.version + 1);
      expect(await free(at('2026-06-16T10:00'))).toBe(3);
      expect(await free(at('2026-06-16T11:00'))).toBe(2);
    });

    it('refuses to reschedule into a full slot with 409 slot_full and keeps the old place', async () => {
      const full = at('2026-06-19T14:00');
      const current = await t.http.get(`/api/v1/appointments/${id}`).set(bearer(advisor.token));
      const res = await t.http
        .post(`/api/v1/appointments/${id}/reschedule`)
        .set(bearer(advisor.token))
        .set('If-Match', current.headers.etag)
        .send({ slotStart: full });
      expect([res.status, res.body.code]).toEqual([409, 'slot_full']);
      expect(await free(at('2026-06-16T11:00'))).toBe(2);
    });

    it('cannot mark a no-show before the slot began', async () => {
      const res = await t.http.post(`/api/v1/appointments/${id}/no-show`).set(bearer(advisor.token));
      expect([res.status, res.body.code]).toEqual([409, 'appointment_not_started']);
    });

    it('checks in: opens the service visit with the booked items as lines; closing it completes the appointment', async () => {
      t.clock.set(at('2026-06-16T10:55'));
      const res = await t.http
        .post(`/api/v1/appointments/${id}/check-in`)
        .set(bearer(advisor.token))
        .send({ roNumber: 'RO-APPT-1', odometer: 5_000 });
      expect(res.status).toBe(200);
      expect(res.body.state).toBe('checked_in');
      const visit = await t.http
        .get(`/api/v1/service-visits/${res.body.serviceVisitId}`)
        .set(bearer(advisor.token));
      expect(visit.body).toMatchObject({ status: 'open', vehicleId: vehicle, roNumber: 'RO-APPT-1' });
      expect(visit.body.lines.map((l: { itemCode: string }) => l.itemCode)).toEqual(['OIL_CHANGE']);
      const again = await t.http
        .post(`/api/v1/appointments/${id}/check-in`)
        .set(bearer(advisor.token))
        .send({ roNumber: 'RO-APPT-2', odometer: 5_000 });
      expect([again.status, again.body.code]).toEqual([409, 'appointment_checked_in']);
      expect(
        (
          await t.http
            .post(`/api/v1/service-visits/${res.body.serviceVisitId}/close`)
            .set(bearer(advisor.token))
        ).status,
      ).toBe(200);
      const done = await t.http.get(`/api/v1/appointments/${id}`).set(bearer(advisor.token));
      expect(done.body.state).toBe('completed');
      t.clock.set(T0);
    });

    it('cancels with a reason, frees the place, and cannot cancel twice', async () => {
      const start = at('2026-06-16T13:00');
      const booked = await book({ slotStart: start });
      expect(await free(start)).toBe(2);
      const res = await t.http
        .post(`/api/v1/appointments/${booked.body.id}/cancel`)
        .set(bearer(manager.token))
        .send({ reason: 'Customer travelling' });
      expect(res.body).toMatchObject({ state: 'cancelled', cancelReason: 'Customer travelling' });
      expect(await free(start)).toBe(3);
      const again = await t.http
        .post(`/api/v1/appointments/${booked.body.id}/cancel`)
        .set(bearer(manager.token))
        .send({ reason: 'Again' });
      expect([again.status, again.body.code]).toEqual([409, 'appointment_cancelled']);
      expect(
        (
          await t.http
            .post(`/api/v1/appointments/${booked.body.id}/cancel`)
            .set(bearer(salesperson.token))
            .send({ reason: 'x' })
        ).status,
      ).toBe(403);
    });

    it('marks a no-show once the slot began', async () => {
      const booked = await book({ slotStart: at('2026-06-16T14:00') });
      t.clock.set(at('2026-06-16T14:40'));
      const res = await t.http
        .post(`/api/v1/appointments/${booked.body.id}/no-show`)
        .set(bearer(advisor.token));
      t.clock.set(T0);
      expect(res.body.state).toBe('no_show');
    });

    it("answers 404 to another rooftop's manager for every action, and changes nothing", async () => {
      const booked = await book({ slotStart: at('2026-06-16T15:00') });
      const as = bearer(otherManager.token);
      const url = `/api/v1/appointments/${booked.body.id}`;
      expect((await t.http.get(url).set(as)).status).toBe(404);
      expect((await t.http.post(`${url}/cancel`).set(as).send({ reason: 'x' })).status).toBe(404);
      expect(
        (
          await t.http
            .post(`${url}/reschedule`)
            .set(as)
            .set('If-Match', '"1"')
            .send({ slotStart: at('2026-06-16T16:00') })
        ).status,
      ).toBe(404);
      const after = await t.http.get(url).set(bearer(advisor.token));
      expect(after.body.version).toBe(booked.body.version);
    });
  });

  describe('lists', () => {
    it('lists a local day in slot order by state and advisor, paging with the cursor through every row once', async () => {
      const withAdvisor = await book({ slotStart: at('2026-06-18T08:00'), advisorId: advisor.id });
      expect(withAdvisor.status).toBe(201);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await t.http
          .get('/api/v1/appointments')
          .query({ rooftopId: rooftop, date: '2026-06-19', limit: 2, ...(cursor ? { cursor } : {}) })
          .set(bearer(manager.token));
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((a: { id: string }) => a.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      const [{ ids }] = await t.db.query(
        `SELECT array_agg(id::text ORDER BY slot_start, id) AS ids FROM appointment
          WHERE rooftop_id = $1 AND slot_start >= $2 AND slot_start < $3`,
        [rooftop, at('2026-06-19T00:00'), at('2026-06-20T00:00')],
      );
      expect(seen).toEqual(ids);
      expect(seen).toHaveLength(6);
      const byAdvisor = await t.http
        .get('/api/v1/appointments')
        .query({ advisorId: advisor.id, state: 'booked' })
        .set(bearer(manager.token));
      expect(byAdvisor.body.items.map((a: { id: string }) => a.id)).toEqual([withAdvisor.body.id]);
      const bad = await t.http
        .get('/api/v1/appointments')
        .query({ date: '2026-06-19' })
        .set(bearer(manager.token));
      expect([bad.status, bad.body.errors[0].field]).toEqual([400, 'date']);
    });
  });
});
