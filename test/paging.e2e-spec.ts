import type { Response } from 'supertest';
import { bearer, startTestApp, type TestApp } from './support/test-app';

/**
 * Every list pages through rows that share one timestamp — to the microsecond, as rows written by one statement
 * do — and returns each row exactly once, with and without filters. The lists come from the OpenAPI document:
 * a new list fails the first test until it has a case here.
 */

/** One instant for every row, with a sub-millisecond part that a millisecond cursor would lose. */
const AT = '2026-06-10T08:00:00.123456Z';
/** Rows per paged list: a few thousand, written set-based. */
const N = 2000;
/** Rows per list that is returned whole (bounded by nature: rooftops, a vehicle's owners, …). */
const WHOLE = 300;
/** A page size that divides none of the counts. */
const LIMIT = 37;

/** Operations with a `cursor` parameter that are not lists (they return one object). */
const NOT_LISTS: Record<string, string> = {
  'GET /api/v1/feedback/summary': 'a summary of the filtered answers; it shares the feedback filter DTO',
};

interface World {
  admin: { id: string; token: string };
  rooftop: string;
  other: string;
  customer: string;
  vehicle: string;
}

interface ListCase {
  /** `GET <path template>` as the OpenAPI document names it. */
  route: string;
  /** The URL without paging parameters (filters included). */
  url: (w: World) => string;
  /** The ids this URL must return, by SQL. */
  expected: (w: World) => [string, unknown[]];
  /** The field of an item that identifies it (default `id`). */
  idOf?: string;
  /** A list returned whole (bounded by nature): one page, `nextCursor` null. */
  whole?: boolean;
  /** Sorted by text (any string is a position in it), so only malformed cursors can be told apart. */
  textKey?: boolean;
}

const CASES: ListCase[] = [
  {
    route: 'GET /api/v1/messages',
    url: () => '/api/v1/messages',
    expected: () => [`SELECT id FROM outbox_message`, []],
  },
  {
    route: 'GET /api/v1/messages',
    url: () => '/api/v1/messages?status=sent',
    expected: () => [`SELECT id FROM outbox_message WHERE status = 'sent'`, []],
  },
  {
    route: 'GET /api/v1/messages',
    url: (w) => `/api/v1/messages?rooftopId=${w.other}&purpose=follow_ups`,
    expected: (w) => [
      `SELECT id FROM outbox_message WHERE rooftop_id = $1 AND purpose = 'follow_ups'`,
      [w.other],
    ],
  },
  {
    route: 'GET /api/v1/inbound-messages',
    url: () => '/api/v1/inbound-messages',
    expected: () => [`SELECT id FROM inbound_message`, []],
  },
  {
    route: 'GET /api/v1/inbound-messages',
    url: () => '/api/v1/inbound-messages?matched=false&channel=sms',
    expected: () => [`SELECT id FROM inbound_message WHERE customer_id IS NULL AND channel = 'sms'`, []],
  },
  {
    route: 'GET /api/v1/tasks',
    url: () => '/api/v1/tasks',
    expected: (w) => [`SELECT id FROM task WHERE assignee_id = $1 AND status = 'open'`, [w.admin.id]],
  },
  {
    route: 'GET /api/v1/tasks',
    url: () => '/api/v1/tasks?status=done&type=manual',
    expected: (w) => [
      `SELECT id FROM task WHERE assignee_id = $1 AND status = 'done' AND type = 'manual'`,
      [w.admin.id],
    ],
  },
  {
    route: 'GET /api/v1/complaints',
    url: () => '/api/v1/complaints',
    expected: () => [`SELECT id FROM complaint_case`, []],
  },
  {
    route: 'GET /api/v1/complaints',
    url: () => '/api/v1/complaints?state=open',
    expected: () => [`SELECT id FROM complaint_case WHERE state = 'open'`, []],
  },
  {
    route: 'GET /api/v1/feedback',
    url: () => '/api/v1/feedback',
    expected: () => [`SELECT id FROM survey WHERE answered_at IS NOT NULL`, []],
  },
  {
    route: 'GET /api/v1/feedback',
    url: () => '/api/v1/feedback?kind=service',
    expected: () => [`SELECT id FROM survey WHERE answered_at IS NOT NULL AND kind = 'service'`, []],
  },
  {
    route: 'GET /api/v1/loyalty/rewards',
    url: () => '/api/v1/loyalty/rewards',
    expected: () => [`SELECT id FROM loyalty_reward`, []],
  },
  {
    route: 'GET /api/v1/customers/{id}/loyalty/redemptions',
    url: (w) => `/api/v1/customers/${w.customer}/loyalty/redemptions`,
    expected: (w) => [`SELECT id FROM loyalty_redemption WHERE customer_id = $1`, [w.customer]],
  },
  {
    route: 'GET /api/v1/customers/{id}/loyalty/ledger',
    url: (w) => `/api/v1/customers/${w.customer}/loyalty/ledger`,
    expected: (w) => [`SELECT id::text AS id FROM loyalty_entry WHERE customer_id = $1`, [w.customer]],
  },
  {
    route: 'GET /api/v1/customers/{id}/interactions',
    url: (w) => `/api/v1/customers/${w.customer}/interactions`,
    expected: (w) => [`SELECT id FROM interaction WHERE customer_id = $1`, [w.customer]],
  },
  {
    route: 'GET /api/v1/customers',
    url: () => '/api/v1/customers',
    expected: () => [`SELECT id FROM customer`, []],
  },
  {
    route: 'GET /api/v1/customers',
    url: (w) => `/api/v1/customers?rooftopId=${w.other}`,
    expected: (w) => [`SELECT id FROM customer WHERE home_rooftop_id = $1`, [w.other]],
  },
  {
    route: 'GET /api/v1/customers',
    url: () => '/api/v1/customers?q=pagingname',
    expected: () => [`SELECT id FROM customer WHERE first_name = 'Pagingname'`, []],
  },
  {
    route: 'GET /api/v1/analytics/at-risk',
    url: () => '/api/v1/analytics/at-risk',
    expected: () => [`SELECT customer_id AS id FROM customer_risk`, []],
    idOf: 'customerId',
  },
  {
    route: 'GET /api/v1/analytics/at-risk',
    url: (w) => `/api/v1/analytics/at-risk?rooftopId=${w.other}`,
    expected: (w) => [`SELECT customer_id AS id FROM customer_risk WHERE rooftop_id = $1`, [w.other]],
    idOf: 'customerId',
  },
  {
    route: 'GET /api/v1/vehicles',
    url: () => '/api/v1/vehicles',
    expected: () => [`SELECT id FROM vehicle`, []],
  },
  {
    route: 'GET /api/v1/vehicles',
    url: (w) => `/api/v1/vehicles?rooftopId=${w.other}`,
    expected: (w) => [`SELECT id FROM vehicle WHERE rooftop_id = $1`, [w.other]],
  },
  {
    route: 'GET /api/v1/vehicles/{id}/odometer-readings',
    url: (w) => `/api/v1/vehicles/${w.vehicle}/odometer-readings`,
    expected: (w) => [`SELECT id FROM odometer_reading WHERE vehicle_id = $1`, [w.vehicle]],
  },
  {
    route: 'GET /api/v1/service-visits',
    url: () => '/api/v1/service-visits',
    expected: () => [`SELECT id FROM service_visit`, []],
  },
  {
    route: 'GET /api/v1/service-visits',
    url: () => '/api/v1/service-visits?status=closed',
    expected: () => [`SELECT id FROM service_visit WHERE status = 'closed'`, []],
  },
  {
    route: 'GET /api/v1/customers/imports',
    url: () => '/api/v1/customers/imports',
    expected: () => [`SELECT id FROM import_job`, []],
  },
  {
    route: 'GET /api/v1/customers/imports',
    url: (w) => `/api/v1/customers/imports?rooftopId=${w.other}`,
    expected: (w) => [`SELECT id FROM import_job WHERE rooftop_id = $1`, [w.other]],
  },
  {
    route: 'GET /api/v1/users',
    url: () => '/api/v1/users',
    expected: () => [`SELECT id FROM app_user`, []],
    textKey: true,
  },
  {
    route: 'GET /api/v1/api-keys',
    url: () => '/api/v1/api-keys',
    expected: () => [`SELECT id FROM api_key`, []],
  },
  {
    route: 'GET /api/v1/rooftops',
    url: () => '/api/v1/rooftops',
    expected: () => [`SELECT id FROM rooftop`, []],
    whole: true,
  },
  {
    route: 'GET /api/v1/maintenance-items',
    url: () => '/api/v1/maintenance-items',
    expected: () => [`SELECT code AS id FROM maintenance_item`, []],
    idOf: 'code',
    whole: true,
  },
  {
    route: 'GET /api/v1/vehicles/{id}/ownerships',
    url: (w) => `/api/v1/vehicles/${w.vehicle}/ownerships`,
    expected: (w) => [`SELECT id FROM vehicle_ownership WHERE vehicle_id = $1`, [w.vehicle]],
    whole: true,
  },
  {
    route: 'GET /api/v1/appointments',
    url: () => '/api/v1/appointments',
    expected: () => [`SELECT id FROM appointment`, []],
  },
  {
    route: 'GET /api/v1/appointments',
    url: (w) => `/api/v1/appointments?rooftopId=${w.other}&state=booked&date=2026-06-10`,
    expected: (w) => [`SELECT id FROM appointment WHERE rooftop_id = $1 AND state = 'booked'`, [w.other]],
  },
  {
    route: 'GET /api/v1/customers/{id}/referrals',
    url: (w) => `/api/v1/customers/${w.customer}/referrals`,
    expected: (w) => [`SELECT id FROM referral WHERE referrer_customer_id = $1`, [w.customer]],
  },
];

/** Rows for every list, each table in one statement with one shared timestamp. */
async function seed(t: TestApp, w: World): Promise<void> {
  // `$1` is AT, the other parameters are ids: typed here, since PostgreSQL cannot infer a SELECT list's types.
  const q = (sql: string, params: string[] = []) =>
    t.db.query(
      sql.replace(/\$(\d)\b(?!::)/g, (_m, n: string) => `$${n}::${n === '1' ? 'timestamptz' : 'uuid'}`),
      [AT, ...params],
    );
  const { rooftop: r, other: o, customer: c, vehicle: v, admin } = w;
  // Half in each rooftop where a list filters by rooftop.
  const rooftopOf = (i = 'i') => `CASE WHEN ${i} % 2 = 0 THEN $3::uuid ELSE $2::uuid END`;
  await q(
    `INSERT INTO customer (home_rooftop_id, first_name, last_name, created_at)
     SELECT ${rooftopOf()}, 'Pagingname', 'N' || i, $1 FROM generate_series(1, ${N}) i`,
    [r, o],
  );
  await t.db.query(
    `INSERT INTO customer_risk (customer_id, rooftop_id, score, reasons)
     SELECT id, home_rooftop_id, 50, '[]' FROM customer WHERE first_name = 'Pagingname'`,
  );
  await q(
    `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, kind, purpose, status, scheduled_at, next_attempt_at, created_at)
     SELECT 'paging:' || i, ${rooftopOf()}, $4, 'transactional',
            CASE WHEN i % 3 = 0 THEN 'follow_ups' ELSE 'service_reminders' END,
            CASE WHEN i % 5 < 3 THEN 'sent' ELSE 'pending' END, $1, $1, $1
       FROM generate_series(1, ${N}) i`,
    [r, o, c],
  );
  await q(
    `INSERT INTO inbound_message (channel, provider_ref, sender, text, received_at, customer_id, rooftop_id)
     SELECT CASE WHEN i % 2 = 0 THEN 'sms' ELSE 'telegram' END, 'paging:' || i, '+85512000000', 'Paging ' || i, $1,
            CASE WHEN i % 3 = 0 THEN $2 END, CASE WHEN i % 3 = 0 THEN $3 END
       FROM generate_series(1, ${N}) i`,
    [c, r],
  );
  await q(
    `INSERT INTO task (rooftop_id, customer_id, type, title, assignee_id, due_at, status)
     SELECT $2, $3, CASE WHEN i % 4 = 0 THEN 'win_back' ELSE 'manual' END, 'Paging ' || i, $4, $1,
            CASE WHEN i % 3 = 0 THEN 'done' ELSE 'open' END
       FROM generate_series(1, ${N}) i`,
    [r, c, admin.id],
  );
  await q(
    `INSERT INTO complaint_case (rooftop_id, customer_id, source, severity, summary, state, opened_at,
                                 first_response_due_at, resolution_due_at)
     SELECT $2, $3, 'call', 'low', 'Paging ' || i, CASE WHEN i % 2 = 0 THEN 'open' ELSE 'closed' END, $1, $1, $1
       FROM generate_series(1, ${N}) i`,
    [r, c],
  );
  await q(
    `INSERT INTO survey (kind, rooftop_id, customer_id, dedupe_key, issued_at, expires_at, answered_at, nps, csat)
     SELECT CASE WHEN i % 2 = 0 THEN 'sale' ELSE 'service' END, $2, $3, 'paging:' || i, $1, $1,
            CASE WHEN i % 10 = 0 THEN NULL ELSE $1::timestamptz END, 9, 5
       FROM generate_series(1, ${N}) i`,
    [r, c],
  );
  await q(
    `INSERT INTO loyalty_reward (code, name, points_cost, created_at)
     SELECT 'PAGING' || i, 'Reward ' || i, 100, $1 FROM generate_series(1, ${N}) i`,
  );
  await t.db.query(`INSERT INTO loyalty_account (customer_id, balance, lifetime_earned) VALUES ($1, 0, 0)`, [
    c,
  ]);
  // The ledger is a chain (each balance_after = the previous one + points): one earn lot, then N redemptions.
  await q(
    `INSERT INTO loyalty_entry (customer_id, type, points, reason, source, source_id, idempotency_key,
                                occurred_at, recorded_at, expires_at, remaining, balance_after)
     VALUES ($2, 'earn', ${N}, 'Paging', 'manager', 'paging', 'paging:earn', $1, $1, $1 + interval '2 years', ${N}, ${N})`,
    [c],
  );
  await q(
    `WITH e AS (
       INSERT INTO loyalty_entry (customer_id, type, points, reason, source, source_id, idempotency_key,
                                  occurred_at, recorded_at, balance_after)
       SELECT $2, 'redeem', -1, 'Paging', 'redemption', g.i::text, 'paging:' || g.i, $1, $1, ${N} - g.i
         FROM generate_series(1, ${N}) g(i) ORDER BY g.i
       RETURNING id)
     INSERT INTO loyalty_redemption (customer_id, points, reason, entry_id, created_at)
     SELECT $2, 1, 'Paging', id, $1 FROM e`,
    [c],
  );
  await q(
    `INSERT INTO interaction (customer_id, rooftop_id, kind, summary, occurred_at)
     SELECT $2, $3, 'note', 'Paging ' || i, $1 FROM generate_series(1, ${N}) i`,
    [c, r],
  );
  await q(
    `INSERT INTO vehicle (rooftop_id, vin, make, model, year, powertrain, created_at)
     SELECT ${rooftopOf()}, 'PAG' || lpad(i::text, 14, '0'), 'Toyota', 'Vios', 2024, 'ice', $1
       FROM generate_series(1, ${N}) i`,
    [r, o],
  );
  await q(
    `INSERT INTO odometer_reading (vehicle_id, value, read_at, source, created_at)
     SELECT $2, 1000, $1, 'staff', $1 FROM generate_series(1, ${N}) i`,
    [v],
  );
  await q(
    `INSERT INTO service_visit (rooftop_id, vehicle_id, ro_number, visit_date, odometer, status)
     SELECT $2, $3, 'RO-PAGING-' || i, $1, 1000, CASE WHEN i % 2 = 0 THEN 'closed' ELSE 'open' END
       FROM generate_series(1, ${N}) i`,
    [r, v],
  );
  // Every appointment in one slot (AT, 15:00 in Phnom Penh): many places of one bay list, in slot order.
  await q(
    `INSERT INTO appointment (rooftop_id, customer_id, vehicle_id, slot_start, slot_end, state, source)
     SELECT ${rooftopOf()}, $4, $5, $1, $1 + interval '30 minutes',
            CASE WHEN i % 3 = 0 THEN 'cancelled' ELSE 'booked' END, 'staff'
       FROM generate_series(1, ${N}) i`,
    [r, o, c, v],
  );
  await q(
    `INSERT INTO import_job (rooftop_id, source, status, started_at)
     SELECT ${rooftopOf()}, 'api', 'completed', $1 FROM generate_series(1, ${N}) i`,
    [r, o],
  );
  await q(
    `INSERT INTO app_user (email, name, role, created_at)
     SELECT 'paging' || i || '@staff.test', 'Paging ' || i, 'salesperson', $1 FROM generate_series(1, ${N}) i`,
  );
  await q(
    `INSERT INTO api_key (user_id, name, prefix, key_hash, created_at)
     SELECT $2, 'Paging ' || i, 'pg' || i, 'paging-hash-' || i, $1 FROM generate_series(1, ${N}) i`,
    [admin.id],
  );
  await q(
    `INSERT INTO rooftop (name, created_at) SELECT 'Paging ' || i, $1 FROM generate_series(1, ${WHOLE}) i`,
  );
  await q(
    `INSERT INTO maintenance_item (code, name, interval_months, created_at)
     SELECT 'PAGING_' || i, 'Paging ' || i, 12, $1 FROM generate_series(1, ${WHOLE}) i`,
  );
  await q(
    `INSERT INTO vehicle_ownership (vehicle_id, customer_id, started_at, ended_at)
     SELECT $2, $3, $1, $1 FROM generate_series(1, ${WHOLE}) i`,
    [v, c],
  );
  await q(
    `INSERT INTO referral (referrer_customer_id, referred_customer_id, created_at)
     SELECT $2, id, $1 FROM customer WHERE first_name = 'Pagingname'`,
    [c],
  );
}

interface Walk {
  ids: string[];
  pages: number;
  /** The last response that was not a 200, if any. */
  failure?: { status: number; body: unknown };
}

/** Follows `nextCursor` from the first page to the last (or a bounded number of pages, if the cursor loops). */
async function walk(t: TestApp, token: string, url: string, idOf: string, maxPages: number): Promise<Walk> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res: Response = await t.http
      .get(`${url}${sep}limit=${LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      .set(bearer(token));
    if (res.status !== 200) return { ids, pages, failure: { status: res.status, body: res.body } };
    ids.push(...(res.body.items as Record<string, string>[]).map((item) => String(item[idOf])));
    cursor = res.body.nextCursor;
    pages += 1;
  } while (cursor && pages < maxPages);
  return { ids, pages };
}

describe('paging: every list returns each row exactly once', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await startTestApp();
    const rooftop = (await t.rooftop({ name: 'Paging Motors' })).id;
    const other = (await t.rooftop({ name: 'Other Paging Motors' })).id;
    const admin = await t.user('admin');
    const [{ id: customer }] = await t.db.query(
      `INSERT INTO customer (home_rooftop_id, first_name, last_name) VALUES ($1, 'Parent', 'Row') RETURNING id`,
      [rooftop],
    );
    const [{ id: vehicle }] = await t.db.query(
      `INSERT INTO vehicle (rooftop_id, vin, make, model, year, powertrain, owner_id)
       VALUES ($1, 'PARENT00000000001', 'Toyota', 'Hilux', 2024, 'ice', $2) RETURNING id`,
      [rooftop, customer],
    );
    w = { admin, rooftop, other, customer, vehicle };
    await seed(t, w);
  }, 120_000);
  afterAll(() => t?.close());

  it('has a case for every list of the OpenAPI document', async () => {
    const doc = (await t.http.get('/api/docs-json')).body as OpenApi;
    const lists = listOperations(doc).filter((route) => !(route in NOT_LISTS));
    const covered = new Set(CASES.map((c) => c.route));
    expect(lists.filter((route) => !covered.has(route))).toEqual([]);
    // And no case names a route that is gone.
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    expect([...covered].filter((route) => !documented.has(route))).toEqual([]);
  });

  it.each(
    CASES.map((c) => [c.url({ rooftop: ':r', other: ':o', customer: ':c', vehicle: ':v' } as World), c]),
  )('%s', async (_name, c) => {
    const [sql, params] = c.expected(w);
    const expected = (await t.db.query<{ id: string }[]>(sql, params)).map((r) => r.id);
    expect(expected.length).toBeGreaterThanOrEqual(c.whole ? WHOLE : N / 10);
    const got = await walk(
      t,
      w.admin.token,
      c.url(w),
      c.idOf ?? 'id',
      Math.ceil(expected.length / LIMIT) + 2,
    );
    expect(got.failure).toBeUndefined();
    const seen = new Set(got.ids);
    const wanted = new Set(expected);
    expect({
      returned: got.ids.length,
      duplicates: got.ids.length - seen.size,
      missing: expected.filter((id) => !seen.has(id)).length,
      unexpected: [...seen].filter((id) => !wanted.has(id)).length,
    }).toEqual({ returned: expected.length, duplicates: 0, missing: 0, unexpected: 0 });
    if (c.whole) expect(got.pages).toBe(1);
    else expect(got.pages).toBe(Math.max(1, Math.ceil(expected.length / LIMIT)));
  });

  it('refuses a cursor it did not issue with 400 naming `cursor`, on every paged list', async () => {
    const uuid = '00000000-0000-4000-8000-000000000000';
    // [what the cursor decodes to, whether it is a well-formed position in a list sorted by (text, uuid)]
    const tampered: [unknown, boolean][] = [
      [[], false],
      [{ a: 1 }, false],
      [['2026-02-30T00:00:00.000000Z', uuid], true], // no such day
      [['2026-06-10 08:00:00.123456+00', uuid], true], // PostgreSQL's own text: not what a cursor carries
      [['2026-06-10T08:00:00.123Z', uuid], true], // a JS Date's milliseconds
      [['2026-06-10T08:00:00.123456Z', 'not-a-uuid'], false],
      [['99999999999999999999', uuid], true], // beyond bigint
      [[Number.POSITIVE_INFINITY, uuid], false], // JSON writes null
      [[1.5, uuid], false],
      [['1.5', uuid], true],
      [['99999999999999999999'], false],
      [['2026-06-10T08:00:00.123456Z', '2026-06-10T08:00:00.123456Z', 'x'], false],
      [['a\u0000b', uuid], false], // PostgreSQL refuses NUL in text
    ];
    const cursors: [string, string, boolean][] = [
      ['garbage', 'garbage', false],
      ...tampered.map(([v, textPosition]): [string, string, boolean] => [
        Buffer.from(JSON.stringify(v)).toString('base64url'),
        JSON.stringify(v),
        textPosition,
      ]),
    ];
    const failures: string[] = [];
    for (const c of CASES.filter((x) => !x.whole)) {
      const url = c.url(w);
      for (const [cursor, shown, textPosition] of cursors) {
        const res = await t.http
          .get(`${url}${url.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`)
          .set(bearer(w.admin.token));
        // In a list sorted by text any string is a position: such a cursor may be served, never a 500.
        if (c.textKey && textPosition && res.status === 200) continue;
        const named = (res.body?.errors as { field: string }[] | undefined)?.map((e) => e.field);
        if (
          res.status !== 400 ||
          !String(res.headers['content-type']).startsWith('application/problem+json') ||
          JSON.stringify(named) !== '["cursor"]'
        ) {
          failures.push(`${url} cursor=${shown} → ${res.status} ${JSON.stringify(named)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}
interface Operation {
  parameters?: { name: string; in: string }[];
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface Schema {
  $ref?: string;
  properties?: Record<string, Schema>;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

/** GET operations that take a `cursor` or answer with `{ items, nextCursor }`. */
function listOperations(doc: OpenApi): string[] {
  const resolve = (s: Schema | undefined): Schema | undefined =>
    s?.$ref ? doc.components?.schemas?.[s.$ref.split('/').pop()!] : s;
  const paged = (s: Schema | undefined, depth = 0): boolean => {
    const r = resolve(s);
    if (!r || depth > 5) return false;
    if (r.properties?.items && r.properties?.nextCursor) return true;
    return [...(r.allOf ?? []), ...(r.oneOf ?? []), ...(r.anyOf ?? [])].some((x) => paged(x, depth + 1));
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) => {
    const get = ops.get;
    if (!get) return [];
    const cursorParam = (get.parameters ?? []).some((p) => p.name === 'cursor' && p.in === 'query');
    const ok = Object.entries(get.responses ?? {}).find(([status]) => status.startsWith('2'))?.[1];
    const pagedBody = Object.values(ok?.content ?? {}).some((m) => paged(m.schema));
    return cursorParam || pagedBody ? [`GET ${path}`] : [];
  });
}
