/**
 * Case `booking` (issue #15): service appointments.
 *  1. Availability: GET /rooftops/{id}/availability?days=14 on a rooftop with 10,000 appointments (a year of
 *     history and the next 60 days), sequential requests, p95; next to a baseline written by hand from the SPEC
 *     (the free slots computed in one statement directly from the calendar and the slot counters) and to the
 *     app's own statements replayed raw. App and baseline alternate in rounds (A B A B); the ratio is given per
 *     round as min / median / max.
 *  2. Bookings per second with contention: 16 concurrent clients booking 4 popular slots (100 places each) of
 *     another rooftop through POST /appointments, next to the raw transaction (the conditional upsert on the slot
 *     counter + the appointment insert) over as many pooled connections as the app has (appPoolSize), also alternating.
 * Everything the case needs is seeded here (two rooftops of its own, their customers and calendars), so it runs
 * on any bench database, --quick on a fresh clone included. It reports; it never fails a build.
 */
import { DateTime } from 'luxon';
import { Client, Pool } from 'pg';
import { captureSql } from './app-process';
import { appPoolSize, median, percentile, time } from './support';

export interface BookingContext {
  raw: Client;
  dbUrl: string;
  app: { base: string; token: string };
  captureFile: string;
  quick: boolean;
}

export interface BookingResult {
  case: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  goal: string;
  met: boolean;
  detail?: Record<string, unknown>;
}

const ZONE = 'Asia/Phnom_Penh';
const CALENDAR_ROOFTOP = '00000000-0000-4000-b000-00000000b001';
const RUSH_ROOFTOP = '00000000-0000-4000-b000-00000000b002';
const APPOINTMENTS = 10_000;
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * The baseline, from the SPEC: the slots of each of the next $3 local days (opening intervals of its ISO weekday,
 * unless closed), stepped in real time from opening to closing, within lead time … horizon, with the places the
 * slot counter leaves free.
 */
export const RAW_AVAILABILITY_SQL = `
  WITH cal AS (
    SELECT c.opening_hours, c.closed_dates, c.slot_minutes, c.places_per_slot, c.lead_minutes, c.horizon_days,
           r.time_zone AS tz, ($2::timestamptz AT TIME ZONE r.time_zone)::date AS today
      FROM service_calendar c JOIN rooftop r ON r.id = c.rooftop_id
     WHERE c.rooftop_id = $1),
  slot AS (
    SELECT s AS slot_start, cal.slot_minutes, cal.places_per_slot, cal.lead_minutes, cal.horizon_days, cal.tz, cal.today
      FROM cal
     CROSS JOIN generate_series(0, $3::int - 1) AS i
     CROSS JOIN LATERAL (SELECT cal.today + i AS d) AS dd
     CROSS JOIN LATERAL jsonb_array_elements(cal.opening_hours -> extract(isodow FROM dd.d)::int::text) AS iv
     CROSS JOIN LATERAL generate_series(
             (dd.d + (iv ->> 'open')::time) AT TIME ZONE cal.tz,
             ((dd.d + (iv ->> 'close')::time) AT TIME ZONE cal.tz) - make_interval(mins => cal.slot_minutes),
             make_interval(mins => cal.slot_minutes)) AS s
     WHERE NOT dd.d = ANY (cal.closed_dates))
  SELECT slot.slot_start,
         slot.slot_start + make_interval(mins => slot.slot_minutes) AS slot_end,
         to_char(slot.slot_start AT TIME ZONE slot.tz, 'YYYY-MM-DD') AS local_date,
         to_char(slot.slot_start AT TIME ZONE slot.tz, 'HH24:MI') AS local_time,
         greatest(0, slot.places_per_slot - coalesce(a.taken, 0)) AS free
    FROM slot
    LEFT JOIN appointment_slot a ON a.rooftop_id = $1 AND a.slot_start = slot.slot_start
   WHERE slot.slot_start >= $2::timestamptz + make_interval(mins => slot.lead_minutes)
     AND slot.slot_start < ((slot.today + slot.horizon_days + 1)::timestamp AT TIME ZONE slot.tz)
   ORDER BY slot.slot_start`;

/** The raw booking: a place in the slot's counter (conditional upsert), then the appointment. */
const TAKE_SQL = `
  INSERT INTO appointment_slot AS s (rooftop_id, slot_start, taken) VALUES ($1, $2, 1)
  ON CONFLICT (rooftop_id, slot_start) DO UPDATE SET taken = s.taken + 1 WHERE s.taken < $3
  RETURNING taken`;
const INSERT_SQL = `
  INSERT INTO appointment (rooftop_id, customer_id, slot_start, slot_end, state, source, language)
  VALUES ($1, $2, $3, $4, 'booked', 'staff', 'en')`;

const WEEK_HOURS = (days: string[], intervals: { open: string; close: string }[]) =>
  JSON.stringify(Object.fromEntries(days.map((d) => [d, intervals])));

/** Two rooftops of the case, 1,000 customers each, their calendars; idempotent. */
async function seedRooftops(raw: Client) {
  for (const [id, name, prefix] of [
    [CALENDAR_ROOFTOP, 'Bench Booking Calendar', 'b100'],
    [RUSH_ROOFTOP, 'Bench Booking Rush', 'b200'],
  ]) {
    await raw.query(
      `INSERT INTO rooftop (id, name, time_zone) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
      [id, name, ZONE],
    );
    await raw.query(
      `INSERT INTO customer (id, home_rooftop_id, first_name, last_name, email, phone, language)
       SELECT ('00000000-0000-4000-${prefix}-' || lpad(to_hex(i), 12, '0'))::uuid, $1, 'Booker', 'No ' || i,
              'booker' || i || '.${prefix}@bench-booking.test', '+8559${prefix.slice(1, 2)}' || lpad(i::text, 6, '0'), 'en'
         FROM generate_series(0, 999) i
       ON CONFLICT DO NOTHING`,
      [id],
    );
  }
  const weekdays = ['1', '2', '3', '4', '5', '6'];
  const hours = [
    { open: '08:00', close: '12:00' },
    { open: '13:00', close: '17:00' },
  ];
  const upsertCalendar = `INSERT INTO service_calendar (rooftop_id, opening_hours, places_per_slot) VALUES ($1, $2, $3)
    ON CONFLICT (rooftop_id) DO UPDATE SET opening_hours = EXCLUDED.opening_hours, places_per_slot = EXCLUDED.places_per_slot,
      closed_dates = '{}', slot_minutes = 30, lead_minutes = 120, horizon_days = 60`;
  await raw.query(upsertCalendar, [CALENDAR_ROOFTOP, WEEK_HOURS(weekdays, hours), 4]);
  await raw.query(upsertCalendar, [
    RUSH_ROOFTOP,
    WEEK_HOURS([...weekdays, '7'], [{ open: '08:00', close: '18:00' }]),
    100,
  ]);
}

/**
 * 10,000 appointments of the calendar rooftop over its slots from 330 days ago to 60 days ahead (1–2 a slot,
 * every tenth cancelled; past ones completed or no-show), and the slot counters that match them. Re-made each
 * run, relative to now.
 */
async function seedAppointments(raw: Client, now: Date) {
  await raw.query(`DELETE FROM appointment WHERE rooftop_id = $1`, [CALENDAR_ROOFTOP]);
  await raw.query(`DELETE FROM appointment_slot WHERE rooftop_id = $1`, [CALENDAR_ROOFTOP]);
  // The calendar's slots (Monday to Saturday, 08:00–12:00 and 13:00–17:00 local) from 330 days ago to 60 ahead.
  const slots = `
    SELECT (row_number() OVER (ORDER BY s) - 1)::int AS n, s
      FROM generate_series((($2::timestamptz AT TIME ZONE $3)::date - 330)::timestamp,
                           (($2::timestamptz AT TIME ZONE $3)::date + 60)::timestamp, interval '1 day') d
     CROSS JOIN generate_series(0, 7) h
     CROSS JOIN unnest(ARRAY[time '08:00', time '13:00']) start
     CROSS JOIN LATERAL (SELECT (d::date + start + h * interval '30 minutes') AT TIME ZONE $3 AS s) x
     WHERE extract(isodow FROM d) < 7`;
  const [{ total }] =
    // ($1, the rooftop, is unused here but must be typed: the statement shares the insert's parameters.)
    (
      await raw.query(`SELECT count(*)::int AS total FROM (${slots}) s WHERE $1::uuid IS NOT NULL`, [
        CALENDAR_ROOFTOP,
        now,
        ZONE,
      ])
    ).rows;
  // Appointment k goes to slot (k × 7919) mod total: a bijection, so no slot gets more than 2 (4 places).
  await raw.query(
    `WITH slots AS (${slots})
     INSERT INTO appointment (rooftop_id, customer_id, slot_start, slot_end, state, source, language, created_at)
     SELECT $1, ('00000000-0000-4000-b100-' || lpad(to_hex(k % 1000), 12, '0'))::uuid, slots.s, slots.s + interval '30 minutes',
            CASE WHEN k % 10 = 0 THEN 'cancelled' WHEN slots.s >= $2 THEN 'booked' WHEN k % 7 = 0 THEN 'no_show' ELSE 'completed' END,
            'staff', 'en', slots.s - interval '3 days'
       FROM generate_series(0, $4::int - 1) k
       JOIN slots ON slots.n = (k * 7919) % $5::int`,
    [CALENDAR_ROOFTOP, now, ZONE, APPOINTMENTS, total],
  );
  await raw.query(
    `INSERT INTO appointment_slot (rooftop_id, slot_start, taken)
     SELECT rooftop_id, slot_start, count(*) FROM appointment
      WHERE rooftop_id = $1 AND state <> 'cancelled' GROUP BY rooftop_id, slot_start`,
    [CALENDAR_ROOFTOP],
  );
  await raw.query(`ANALYZE appointment, appointment_slot`);
}

async function get(ctx: BookingContext, url: string): Promise<unknown> {
  const res = await fetch(ctx.app.base + url, { headers: { authorization: `Bearer ${ctx.app.token}` } });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url} → ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function availability(ctx: BookingContext): Promise<BookingResult[]> {
  await seedRooftops(ctx.raw);
  await seedAppointments(ctx.raw, new Date());
  const url = `/rooftops/${CALENDAR_ROOFTOP}/availability?days=14`;
  const [{ count }] = (
    await ctx.raw.query(`SELECT count(*)::int AS count FROM appointment WHERE rooftop_id = $1`, [
      CALENDAR_ROOFTOP,
    ])
  ).rows;
  // The same answer both ways (slots and free places), checked once.
  const appAnswer = (await get(ctx, url)) as { slots: { start: string; free: number }[] };
  const rawAnswer = (await ctx.raw.query(RAW_AVAILABILITY_SQL, [CALENDAR_ROOFTOP, new Date(), 14])).rows as {
    slot_start: Date;
    free: number;
  }[];
  const sameAnswer =
    appAnswer.slots.length === rawAnswer.length &&
    appAnswer.slots.every(
      (s, i) =>
        new Date(s.start).getTime() === rawAnswer[i].slot_start.getTime() && s.free === rawAnswer[i].free,
    );
  const statements = await captureSql(ctx.captureFile, () => get(ctx, url));
  const rounds = ctx.quick ? 4 : 10;
  const perRound = ctx.quick ? 50 : 200;
  const app: number[] = [];
  const base: number[] = [];
  const replayed: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < 20; i++) await get(ctx, url); // warm-up
  for (let r = 0; r < rounds; r++) {
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < perRound; i++) a.push((await time(() => get(ctx, url))).ms);
    for (let i = 0; i < perRound; i++)
      b.push((await time(() => ctx.raw.query(RAW_AVAILABILITY_SQL, [CALENDAR_ROOFTOP, new Date(), 14]))).ms);
    for (let i = 0; i < perRound; i++)
      replayed.push(
        (
          await time(async () => {
            for (const q of statements) await ctx.raw.query(q.text, q.values);
          })
        ).ms,
      );
    app.push(...a);
    base.push(...b);
    ratios.push(percentile(a, 95) / percentile(b, 95));
  }
  const p95 = percentile(app, 95);
  const rawP95 = percentile(base, 95);
  return [
    {
      case: `availability, 14 days p95 (${count.toLocaleString('en')} appointments)`,
      value: round(p95),
      unit: 'ms',
      baseline: round(rawP95),
      ratio: round(p95 / rawP95),
      goal: 'p95 ≤ 20 ms',
      met: p95 <= 20 && sameAnswer,
      detail: {
        rounds,
        requestsPerRound: perRound,
        ratioPerRound: {
          min: round(Math.min(...ratios)),
          median: round(median(ratios)),
          max: round(Math.max(...ratios)),
        },
        p50: round(percentile(app, 50)),
        rawP50: round(percentile(base, 50)),
        slots: appAnswer.slots.length,
        sameAnswer,
        appStatements: statements.length,
        appStatementsReplayedP95: round(percentile(replayed, 95)),
      },
    },
  ];
}

/** The 4 popular slots: 10:00–11:30 local, two days from now. */
function popularSlots(): Date[] {
  const day = DateTime.now().setZone(ZONE).startOf('day').plus({ days: 2 }).set({ hour: 10 });
  return [0, 30, 60, 90].map((m) => day.plus({ minutes: m }).toJSDate());
}

async function resetRush(raw: Client) {
  await raw.query(`DELETE FROM appointment WHERE rooftop_id = $1`, [RUSH_ROOFTOP]);
  await raw.query(`DELETE FROM appointment_slot WHERE rooftop_id = $1`, [RUSH_ROOFTOP]);
}

const rushCustomer = (k: number) => `00000000-0000-4000-b200-${(k % 1000).toString(16).padStart(12, '0')}`;

/** n booking attempts through the app by 16 concurrent clients: seconds and answers by status. */
async function appBookings(ctx: BookingContext, slots: Date[], n: number) {
  let next = 0;
  const statuses: Record<string, number> = {};
  const { ms } = await time(() =>
    Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < n) {
          const k = next++;
          const res = await fetch(ctx.app.base + '/appointments', {
            method: 'POST',
            headers: { authorization: `Bearer ${ctx.app.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              rooftopId: RUSH_ROOFTOP,
              customerId: rushCustomer(k),
              slotStart: slots[k % slots.length].toISOString(),
              source: 'staff',
            }),
          });
          await res.arrayBuffer();
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        }
      }),
    ),
  );
  return { seconds: ms / 1000, booked: statuses['201'] ?? 0, statuses };
}

/** The same n attempts raw: the transaction (upsert on the counter + insert) over the app's number of pooled connections. */
async function rawBookings(pool: Pool, slots: Date[], n: number) {
  let next = 0;
  let booked = 0;
  let full = 0;
  const { ms } = await time(() =>
    Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < n) {
          const k = next++;
          const slot = slots[k % slots.length];
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            const took = await client.query(TAKE_SQL, [RUSH_ROOFTOP, slot, 100]);
            if (took.rowCount === 1) {
              await client.query(INSERT_SQL, [
                RUSH_ROOFTOP,
                rushCustomer(k),
                slot,
                new Date(slot.getTime() + 1_800_000),
              ]);
              booked++;
            } else full++;
            await client.query('COMMIT');
          } catch (e) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw e;
          } finally {
            client.release();
          }
        }
      }),
    ),
  );
  return { seconds: ms / 1000, booked, full };
}

async function contention(ctx: BookingContext): Promise<BookingResult[]> {
  await seedRooftops(ctx.raw);
  const slots = popularSlots();
  // 4 slots × 100 places: every attempt can succeed, all of them contending for 4 counter rows.
  const n = ctx.quick ? 200 : 400;
  const rounds = ctx.quick ? 3 : 6;
  const pool = new Pool({ connectionString: ctx.dbUrl, max: appPoolSize() });
  const appRates: number[] = [];
  const rawRates: number[] = [];
  const ratios: number[] = [];
  const statuses: Record<string, number> = {};
  try {
    await resetRush(ctx.raw);
    await appBookings(ctx, slots, 32); // warm-up
    for (let r = 0; r < rounds; r++) {
      await resetRush(ctx.raw);
      const a = await appBookings(ctx, slots, n);
      for (const [s, c] of Object.entries(a.statuses)) statuses[s] = (statuses[s] ?? 0) + c;
      await resetRush(ctx.raw);
      const b = await rawBookings(pool, slots, n);
      appRates.push(a.booked / a.seconds);
      rawRates.push(b.booked / b.seconds);
      ratios.push(a.booked / a.seconds / (b.booked / b.seconds));
    }
    await resetRush(ctx.raw);
  } finally {
    await pool.end();
  }
  const value = median(appRates);
  const baseline = median(rawRates);
  return [
    {
      case: `bookings/s, 16 clients on 4 popular slots (${n} per round)`,
      value: round(value, 0),
      unit: 'bookings/s',
      baseline: round(baseline, 0),
      ratio: round(value / baseline),
      goal: '— (reported; every attempt booked)',
      met: (statuses['201'] ?? 0) === n * rounds,
      detail: {
        rounds,
        ratioPerRound: {
          min: round(Math.min(...ratios)),
          median: round(median(ratios)),
          max: round(Math.max(...ratios)),
        },
        appStatuses: statuses,
        appPerRound: appRates.map((x) => round(x, 0)),
        rawPerRound: rawRates.map((x) => round(x, 0)),
      },
    },
  ];
}

export async function bookingBench(ctx: BookingContext): Promise<BookingResult[]> {
  return [...(await availability(ctx)), ...(await contention(ctx))];
}
