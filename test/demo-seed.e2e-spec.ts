import { createHash } from 'node:crypto';
import { DEMO_PASSWORD, DEMO_USERS, seedDemoData } from '../src/demo-seed/demo-seed';
import { DEMO_UUID_NAMESPACE } from '../src/demo-seed/demo-seed.sql';
import { JobsService } from '../src/jobs/jobs.service';
import { TemplateRenderer } from '../src/messaging/template-renderer';
import { bearer, startTestApp, TestApp } from './support/test-app';

const AS_OF = new Date('2026-06-15T03:00:00Z');

/** RFC 9562 version 3: md5(namespace bytes || name) with the version and variant bits set. */
function uuidV3(name: string, namespace: string): string {
  const h = createHash('md5')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  h[6] = (h[6] & 0x0f) | 0x30;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Runs `fn` over `items`, `width` at a time. */
async function eachLimited<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

describe('demo seed: every seeded record opens through the API', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp({ now: AS_OF.toISOString() });
    const result = await seedDemoData(t.db, { asOf: AS_OF, customers: 100 });
    expect(result.seeded).toBe(true);
    // What `npm start` does next: the jobs raise the complaint and cadence tasks of the demo data.
    await t.app.get(JobsService).run('complaint-sla', AS_OF);
    await t.app.get(JobsService).run('follow-ups', AS_OF);
    for (const email of [
      'admin@demo.example',
      'manager.phnompenh@demo.example',
      'manager.vientiane@demo.example',
    ]) {
      const login = await t.http.post('/api/v1/auth/login').send({ email, password: DEMO_PASSWORD });
      expect(login.status).toBe(200);
      tokens[email] = login.body.accessToken;
    }
  });
  afterAll(() => t.close());

  it('gives every uuid column of every table an RFC 9562 UUID (version 3, 4, 5 or 7; variant 10)', async () => {
    const columns: { table_name: string; column_name: string; data_type: string }[] = await t.db.query(
      `SELECT c.table_name, c.column_name, c.data_type
         FROM information_schema.columns c
         JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
        WHERE c.table_schema = 'public' AND tb.table_type = 'BASE TABLE'
          AND (c.udt_name = 'uuid' OR c.udt_name = '_uuid')
        ORDER BY 1, 2`,
    );
    expect(columns.length).toBeGreaterThan(40);
    const bad: string[] = [];
    let checked = 0;
    for (const col of columns) {
      const values =
        col.data_type === 'ARRAY'
          ? `SELECT u FROM "${col.table_name}", unnest("${col.column_name}") AS u`
          : `SELECT "${col.column_name}" AS u FROM "${col.table_name}"`;
      // uuid_extract_version is NULL unless the variant bits are 10 (RFC 9562).
      const [row] = await t.db.query(
        `SELECT count(*)::int AS n,
                count(*) FILTER (WHERE uuid_extract_version(u) IS NULL OR uuid_extract_version(u) NOT IN (3, 4, 5, 7))::int AS bad,
                min(u::text) FILTER (WHERE uuid_extract_version(u) IS NULL OR uuid_extract_version(u) NOT IN (3, 4, 5, 7)) AS example
           FROM (${values}) v WHERE u IS NOT NULL`,
      );
      checked += row.n;
      if (row.bad > 0)
        bad.push(`${col.table_name}.${col.column_name}: ${row.bad} of ${row.n}, e.g. ${row.example}`);
    }
    expect(bad).toEqual([]);
    expect(checked).toBeGreaterThan(1000);
  });

  it('names its ids with RFC 9562 version 3 in the demo namespace, so any uuid library can recompute them', async () => {
    const rooftops: { id: string; name: string }[] = await t.db.query(
      `SELECT id, name FROM rooftop ORDER BY name`,
    );
    expect(rooftops).toEqual([
      { id: uuidV3('demo-rooftop-pp', DEMO_UUID_NAMESPACE), name: 'Phnom Penh Motors' },
      { id: uuidV3('demo-rooftop-vte', DEMO_UUID_NAMESPACE), name: 'Vientiane Auto' },
    ]);
    const [first] = await t.db.query(`SELECT id FROM customer WHERE external_id = 'DEMO-000001'`);
    expect(first.id).toBe(uuidV3('demo-customer-1', DEMO_UUID_NAMESPACE));
    const [admin] = await t.db.query(`SELECT id FROM app_user WHERE email = 'admin@demo.example'`);
    expect(admin.id).toBe(uuidV3('demo-user-admin@demo.example', DEMO_UUID_NAMESPACE));
  });

  it('gives each seeded message the subject its template renders in the customer’s language', async () => {
    const rows: {
      kind: string;
      language: 'en' | 'km' | 'lo';
      customer_language: string;
      rooftop: {
        name: string;
        address: string;
        phone: string;
        booking_url: string;
        time_zone: string;
        currency: string;
      };
      subject: string;
      n: number;
    }[] = await t.db.query(
      `SELECT o.kind, o.language, c.language AS customer_language, o.subject, count(*)::int AS n,
              jsonb_build_object('name', r.name, 'address', r.address, 'phone', r.phone, 'booking_url', r.booking_url,
                                 'time_zone', r.time_zone, 'currency', r.currency) AS rooftop
         FROM outbox_message o JOIN customer c ON c.id = o.customer_id JOIN rooftop r ON r.id = o.rooftop_id
        WHERE o.dedupe_key LIKE 'demo:%'
        GROUP BY 1, 2, 3, 4, 6`,
    );
    expect(new Set(rows.map((r) => r.language))).toEqual(new Set(['en', 'km', 'lo']));
    expect(new Set(rows.map((r) => r.kind))).toEqual(
      new Set(['service_reminder', 'sale_thank_you', 'win_back']),
    );
    const renderer = new TemplateRenderer();
    for (const r of rows) {
      expect(r.language).toBe(r.customer_language);
      const rendered = renderer.render({
        kind: r.kind,
        language: r.language,
        unit: 'km',
        customer: { firstName: 'Dara', lastName: 'Sok' },
        rooftop: {
          name: r.rooftop.name,
          address: r.rooftop.address,
          phone: r.rooftop.phone,
          bookingUrl: r.rooftop.booking_url,
          timeZone: r.rooftop.time_zone,
          currency: r.rooftop.currency,
        },
        payload: {},
        links: { unsubscribe: 'https://crm.test/u', booking: r.rooftop.booking_url },
      });
      expect({ kind: r.kind, language: r.language, subject: r.subject }).toEqual({
        kind: r.kind,
        language: r.language,
        subject: rendered.subject,
      });
    }
    const khmer = rows.find((r) => r.language === 'km' && r.kind === 'win_back');
    expect(khmer?.subject).toBe('យើងនឹកអ្នកនៅ Phnom Penh Motors');
  });

  it('opens every rooftop, customer (and its 360), vehicle, visit, complaint and task as its manager and as admin', async () => {
    const manager: Record<string, string> = {};
    for (const u of DEMO_USERS.filter((x) => x.role === 'manager')) {
      const [r] = await t.db.query(
        `SELECT ur.rooftop_id FROM user_rooftop ur JOIN app_user u ON u.id = ur.user_id WHERE u.email = $1`,
        [u.email],
      );
      manager[r.rooftop_id] = tokens[u.email];
    }
    const admin = tokens['admin@demo.example'];
    const records: { path: string; rooftop: string }[] = [];
    const add = async (sql: string, path: (id: string) => string[]) => {
      const rows: { id: string; rooftop: string }[] = await t.db.query(sql);
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) for (const p of path(r.id)) records.push({ path: p, rooftop: r.rooftop });
    };
    await add(`SELECT id, id AS rooftop FROM rooftop`, (id) => [
      `/api/v1/rooftops/${id}`,
      `/api/v1/customers?rooftopId=${id}&limit=5`,
      `/api/v1/analytics/summary?rooftopId=${id}`,
    ]);
    await add(`SELECT id, home_rooftop_id AS rooftop FROM customer`, (id) => [
      `/api/v1/customers/${id}`,
      `/api/v1/customers/${id}/360`,
    ]);
    await add(`SELECT id, rooftop_id AS rooftop FROM vehicle`, (id) => [`/api/v1/vehicles/${id}`]);
    await add(`SELECT id, rooftop_id AS rooftop FROM service_visit`, (id) => [
      `/api/v1/service-visits/${id}`,
    ]);
    await add(`SELECT id, rooftop_id AS rooftop FROM complaint_case`, (id) => [`/api/v1/complaints/${id}`]);
    await add(`SELECT id, rooftop_id AS rooftop FROM task`, (id) => [`/api/v1/tasks/${id}`]);
    // The tasks point at customers that open (checked above with every customer).
    const [orphans] = await t.db.query(
      `SELECT count(*)::int AS n FROM task k LEFT JOIN customer c ON c.id = k.customer_id WHERE c.id IS NULL`,
    );
    expect(orphans.n).toBe(0);

    const failures: string[] = [];
    await eachLimited(records, 4, async (r) => {
      for (const [who, token] of [
        ['manager', manager[r.rooftop]],
        ['admin', admin],
      ]) {
        const res = await t.http.get(r.path).set(bearer(token));
        if (res.status !== 200)
          failures.push(`${who} GET ${r.path} → ${res.status} ${res.body?.detail ?? ''}`);
      }
    });
    expect(failures).toEqual([]);
  });
});
