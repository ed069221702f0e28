import type { DataSource } from 'typeorm';
import { PasswordHasher } from '../auth/password-hasher';
import { LANGUAGES, type Language } from '../config/app-config';
import { TemplateRenderer } from '../messaging/template-renderer';
import {
  CREATE_DEMO_UUID_FUNCTION,
  DEMO_MESSAGE_KINDS,
  DEMO_SEED_STEPS,
  DROP_DEMO_UUID_FUNCTION,
} from './demo-seed.sql';
import { AnalyticsRepository } from '../analytics/analytics.repository';

export const DEMO_PASSWORD = 'demo-password-2026';
const RANDOM_SEED = 0.2026;

interface DemoUser {
  key: string;
  email: string;
  name: string;
  role: 'admin' | 'manager' | 'salesperson' | 'service_advisor';
  language: 'en' | 'km' | 'lo';
  rooftop: 'pp' | 'vte' | null;
}

export const DEMO_USERS: DemoUser[] = [
  {
    key: 'admin',
    email: 'admin@demo.example',
    name: 'Demo Administrator',
    role: 'admin',
    language: 'en',
    rooftop: null,
  },
  {
    key: 'pp_mgr',
    email: 'manager.phnompenh@demo.example',
    name: 'Sokha Chan',
    role: 'manager',
    language: 'km',
    rooftop: 'pp',
  },
  {
    key: 'vte_mgr',
    email: 'manager.vientiane@demo.example',
    name: 'Bounmy Sisouk',
    role: 'manager',
    language: 'lo',
    rooftop: 'vte',
  },
  {
    key: 'pp_sales',
    email: 'sales1.phnompenh@demo.example',
    name: 'Dara Sok',
    role: 'salesperson',
    language: 'km',
    rooftop: 'pp',
  },
  {
    key: 'pp_sales',
    email: 'sales2.phnompenh@demo.example',
    name: 'Vanna Kim',
    role: 'salesperson',
    language: 'en',
    rooftop: 'pp',
  },
  {
    key: 'pp_sales',
    email: 'sales3.phnompenh@demo.example',
    name: 'Sophea Heng',
    role: 'salesperson',
    language: 'km',
    rooftop: 'pp',
  },
  {
    key: 'vte_sales',
    email: 'sales1.vientiane@demo.example',
    name: 'Keo Vongsa',
    role: 'salesperson',
    language: 'lo',
    rooftop: 'vte',
  },
  {
    key: 'vte_sales',
    email: 'sales2.vientiane@demo.example',
    name: 'Noy Keomany',
    role: 'salesperson',
    language: 'lo',
    rooftop: 'vte',
  },
  {
    key: 'pp_adv',
    email: 'advisor1.phnompenh@demo.example',
    name: 'Rithy Meas',
    role: 'service_advisor',
    language: 'km',
    rooftop: 'pp',
  },
  {
    key: 'pp_adv',
    email: 'advisor2.phnompenh@demo.example',
    name: 'Bopha Prak',
    role: 'service_advisor',
    language: 'en',
    rooftop: 'pp',
  },
  {
    key: 'vte_adv',
    email: 'advisor1.vientiane@demo.example',
    name: 'Souk Inthavong',
    role: 'service_advisor',
    language: 'lo',
    rooftop: 'vte',
  },
  {
    key: 'vte_adv',
    email: 'advisor2.vientiane@demo.example',
    name: 'Vilay Sengdara',
    role: 'service_advisor',
    language: 'lo',
    rooftop: 'vte',
  },
];

const ROOFTOP_COLUMNS = 'id, name, address, phone, booking_url, time_zone, currency';
interface DemoRooftopRow {
  id: string;
  name: string;
  address: string;
  phone: string;
  booking_url: string | null;
  time_zone: string;
  currency: string;
}

/** The subject line the real template gives a message of `kind` in `language` (the customer's language). */
function subjectOf(renderer: TemplateRenderer, kind: string, language: Language, r: DemoRooftopRow): string {
  return renderer.render({
    kind,
    language,
    unit: 'km',
    customer: { firstName: '', lastName: '' },
    rooftop: {
      name: r.name,
      address: r.address,
      phone: r.phone,
      bookingUrl: r.booking_url,
      timeZone: r.time_zone,
      currency: r.currency,
    },
    payload: {},
    links: { unsubscribe: '', booking: r.booking_url },
  }).subject;
}

export interface SeedResult {
  seeded: boolean;
  counts: Record<string, number>;
  ms: number;
}

/**
 * Builds the demo dealer group (2 rooftops, staff, customers, vehicles, three years of sales, visits,
 * reminders, surveys, complaints, loyalty, and the open tasks of the last two weeks) in ONE transaction:
 * all or nothing. It refuses to run twice: the first demo customer or user already present → nothing is
 * written.
 */
export async function seedDemoData(
  db: DataSource,
  opts: { asOf: Date; customers: number },
): Promise<SeedResult> {
  const started = Date.now();
  const present: unknown[] = await db.query(
    `SELECT 1 FROM customer WHERE external_id = 'DEMO-000001' UNION ALL SELECT 1 FROM app_user WHERE lower(email) = ANY ($1::text[])`,
    [DEMO_USERS.map((u) => u.email)],
  );
  if (present.length > 0) return { seeded: false, counts: {}, ms: Date.now() - started };

  const hash = await new PasswordHasher().hash(DEMO_PASSWORD);
  const renderer = new TemplateRenderer();
  await db.transaction(async (m) => {
    await m.query(`SELECT setseed($1)`, [RANDOM_SEED]);
    await m.query(CREATE_DEMO_UUID_FUNCTION);
    const [pp] = await m.query(
      `INSERT INTO rooftop (id, name, time_zone, currency, address, phone, sender_email, sender_name, booking_url)
       VALUES (pg_temp.demo_uuid('demo-rooftop-pp'), 'Phnom Penh Motors', 'Asia/Phnom_Penh', 'USD', '123 Norodom Blvd, Phnom Penh, Cambodia',
               '+85523123456', 'service@phnompenh-motors.demo.example', 'Phnom Penh Motors', 'https://phnompenh-motors.demo.example/book')
       RETURNING ${ROOFTOP_COLUMNS}`,
    );
    const [vte] = await m.query(
      `INSERT INTO rooftop (id, name, time_zone, currency, address, phone, sender_email, sender_name, booking_url)
       VALUES (pg_temp.demo_uuid('demo-rooftop-vte'), 'Vientiane Auto', 'Asia/Vientiane', 'USD', '45 Lane Xang Avenue, Vientiane, Laos',
               '+85621234567', 'service@vientiane-auto.demo.example', 'Vientiane Auto', 'https://vientiane-auto.demo.example/book')
       RETURNING ${ROOFTOP_COLUMNS}`,
    );
    await m.query(
      `CREATE TEMP TABLE demo_subject (kind text, language text, rooftop_id uuid, subject text) ON COMMIT DROP`,
    );
    for (const rooftop of [pp, vte] as DemoRooftopRow[])
      for (const kind of DEMO_MESSAGE_KINDS)
        for (const language of LANGUAGES)
          await m.query(`INSERT INTO demo_subject VALUES ($1, $2, $3, $4)`, [
            kind,
            language,
            rooftop.id,
            subjectOf(renderer, kind, language, rooftop),
          ]);
    const ids: Record<string, string[]> = {};
    for (const u of DEMO_USERS) {
      const [row] = await m.query(
        `INSERT INTO app_user (id, email, name, role, language, password_hash) VALUES (pg_temp.demo_uuid('demo-user-' || $1), $1, $2, $3, $4, $5) RETURNING id`,
        [u.email, u.name, u.role, u.language, hash],
      );
      if (u.rooftop) {
        await m.query(`INSERT INTO user_rooftop (user_id, rooftop_id) VALUES ($1, $2)`, [
          row.id,
          u.rooftop === 'pp' ? pp.id : vte.id,
        ]);
      }
      (ids[u.key] ??= []).push(row.id as string);
    }
    await m.query(`CREATE TEMP TABLE demo_ctx (
      now timestamptz, pp uuid, vte uuid, pp_sales uuid[], vte_sales uuid[], pp_adv uuid[], vte_adv uuid[], pp_mgr uuid, vte_mgr uuid, customers int
    ) ON COMMIT DROP`);
    await m.query(`INSERT INTO demo_ctx VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
      opts.asOf,
      pp.id,
      vte.id,
      ids.pp_sales,
      ids.vte_sales,
      ids.pp_adv,
      ids.vte_adv,
      ids.pp_mgr[0],
      ids.vte_mgr[0],
      opts.customers,
    ]);
    for (const step of DEMO_SEED_STEPS) {
      try {
        await m.query(step.sql);
      } catch (e) {
        throw new Error(
          `demo seed step "${step.name}" failed: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    await m.query(DROP_DEMO_UUID_FUNCTION);
  });

  // Fresh bulk rows have no planner statistics until autovacuum gets to them; without these the
  // analytics plans are badly misestimated right after seeding.
  await db.query(
    `ANALYZE customer, consent, vehicle, vehicle_ownership, service_visit, service_visit_line, maintenance_performed, odometer_reading,
             service_reminder_stage, outbox_message, survey, complaint_case, loyalty_account, loyalty_entry, loyalty_redemption, task`,
  );
  // The at-risk list as of the end of the history (what the hourly `customer-risk` job keeps up to date).
  const risk = await new AnalyticsRepository(db).refreshAtRisk(opts.asOf);
  const [counts] = await db.query(`SELECT
      (SELECT count(*) FROM rooftop)::int AS rooftops, (SELECT count(*) FROM app_user)::int AS users,
      (SELECT count(*) FROM customer)::int AS customers, (SELECT count(*) FROM vehicle)::int AS vehicles,
      (SELECT count(*) FROM service_visit)::int AS service_visits, (SELECT count(*) FROM service_visit_line)::int AS visit_lines,
      (SELECT count(*) FROM outbox_message WHERE status = 'sent')::int AS messages_sent, (SELECT count(*) FROM survey)::int AS surveys,
      (SELECT count(*) FROM survey WHERE answered_at IS NOT NULL)::int AS surveys_answered,
      (SELECT count(*) FROM complaint_case)::int AS complaints, (SELECT count(*) FROM loyalty_entry)::int AS loyalty_entries,
      (SELECT count(*) FROM task WHERE status = 'open')::int AS open_tasks`);
  return { seeded: true, counts: { ...counts, customers_at_risk: risk.atRisk }, ms: Date.now() - started };
}
