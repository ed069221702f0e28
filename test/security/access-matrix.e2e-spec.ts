import { routeTable, type RouteInfo } from '../../src/common/http/route-table';
import type { Role } from '../../src/auth/roles';
import { buildWorld, type World } from '../support/security-world';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

/**
 * The access matrix, generated from routeTable(app): every route is called without credentials (401),
 * by each role its @Roles metadata leaves out (403), and — when its path names a record of rooftop A — by
 * an allowed user of rooftop B (404, as if the record did not exist). Every route must have an entry in
 * ROUTES below: a new route fails this test until someone decides how it is checked.
 */
const ROLES: Role[] = ['admin', 'manager', 'salesperson', 'service_advisor'];

/** Routes that need no login (SPEC: health and the public customer links). */
const PUBLIC = [
  'POST /api/v1/auth/login',
  'GET /api/v1/book/{token}',
  'POST /api/v1/book/{token}',
  'GET /api/v1/health',
  'GET /api/v1/health/ready',
  'GET /l/{code}',
  'GET /api/v1/surveys/{token}',
  'POST /api/v1/surveys/{token}',
  'POST /api/v1/telegram/webhook',
  'GET /api/v1/unsubscribe/{token}',
  'POST /api/v1/unsubscribe/{token}',
];

interface Entry {
  /**
   * 'rooftop': the path names a record of rooftop A → another rooftop's user gets 404;
   * 'none': no record in the path (lists, creates); otherwise the reason the record is not rooftop-scoped.
   */
  scope: 'rooftop' | 'none' | { global: string };
  params?: (w: World) => Record<string, string>;
  body?: (w: World) => unknown;
  headers?: Record<string, string>;
}

const ifMatch = { 'If-Match': '"1"' };
const customer = (w: World) => ({ id: w.customerId });
const ROUTES: Record<string, Entry> = {
  'GET /api/v1/analytics/appointments': { scope: 'none' },
  'GET /api/v1/analytics/at-risk': { scope: 'none' },
  'GET /api/v1/analytics/channels': { scope: 'none' },
  'GET /api/v1/analytics/context': { scope: 'none' },
  'GET /api/v1/analytics/feedback': { scope: 'none' },
  'GET /api/v1/analytics/reminders': { scope: 'none' },
  'GET /api/v1/analytics/series': { scope: 'none' },
  'GET /api/v1/analytics/summary': { scope: 'none' },
  'GET /api/v1/api-keys': { scope: 'none' },
  'GET /api/v1/appointments': { scope: 'none' },
  'POST /api/v1/appointments': { scope: 'none' },
  'GET /api/v1/appointments/{id}': { scope: 'rooftop', params: (w) => ({ id: w.appointmentId }) },
  'POST /api/v1/appointments/{id}/cancel': {
    scope: 'rooftop',
    params: (w) => ({ id: w.appointmentId }),
    body: () => ({ reason: 'Customer travelling' }),
  },
  'POST /api/v1/appointments/{id}/check-in': {
    scope: 'rooftop',
    params: (w) => ({ id: w.appointmentId }),
    body: () => ({ roNumber: 'RO-MATRIX-APPT', odometer: 9_000 }),
  },
  'POST /api/v1/appointments/{id}/no-show': { scope: 'rooftop', params: (w) => ({ id: w.appointmentId }) },
  'POST /api/v1/appointments/{id}/reschedule': {
    scope: 'rooftop',
    params: (w) => ({ id: w.appointmentId }),
    body: () => ({ slotStart: '2026-06-16T03:00:00Z' }),
    headers: ifMatch,
  },
  'POST /api/v1/api-keys': { scope: 'none' },
  'DELETE /api/v1/api-keys/{id}': { scope: { global: 'admin only' }, params: (w) => ({ id: w.apiKeyId }) },
  'GET /api/v1/auth/me': { scope: 'none' },
  'GET /api/v1/complaints': { scope: 'none' },
  'POST /api/v1/complaints': { scope: 'none' },
  'GET /api/v1/complaints/{id}': { scope: 'rooftop', params: (w) => ({ id: w.complaintId }) },
  'POST /api/v1/complaints/{id}/acknowledge': { scope: 'rooftop', params: (w) => ({ id: w.complaintId }) },
  'POST /api/v1/complaints/{id}/close': { scope: 'rooftop', params: (w) => ({ id: w.complaintId }) },
  'POST /api/v1/complaints/{id}/notes': {
    scope: 'rooftop',
    params: (w) => ({ id: w.complaintId }),
    body: () => ({ body: 'Called back' }),
  },
  'POST /api/v1/complaints/{id}/reopen': {
    scope: 'rooftop',
    params: (w) => ({ id: w.complaintId }),
    body: () => ({ reason: 'Called again' }),
  },
  'POST /api/v1/complaints/{id}/resolve': {
    scope: 'rooftop',
    params: (w) => ({ id: w.complaintId }),
    body: () => ({ resolution: 'Repainted' }),
  },
  'GET /api/v1/customers': { scope: 'none' },
  'POST /api/v1/customers': { scope: 'none' },
  'GET /api/v1/customers/{id}': { scope: 'rooftop', params: customer },
  'PATCH /api/v1/customers/{id}': {
    scope: 'rooftop',
    params: customer,
    body: () => ({ firstName: 'Changed' }),
    headers: ifMatch,
  },
  'GET /api/v1/customers/{id}/360': { scope: 'rooftop', params: customer },
  'GET /api/v1/customers/{id}/consents': { scope: 'rooftop', params: customer },
  'GET /api/v1/customers/{id}/telegram-link': { scope: 'rooftop', params: customer },
  'POST /api/v1/customers/{id}/consents': {
    scope: 'rooftop',
    params: customer,
    body: () => ({ purpose: 'marketing', granted: true, source: 'showroom_form' }),
  },
  'POST /api/v1/customers/{id}/erasure': { scope: 'rooftop', params: customer },
  'GET /api/v1/customers/{id}/interactions': { scope: 'rooftop', params: customer },
  'POST /api/v1/customers/{id}/interactions': {
    scope: 'rooftop',
    params: customer,
    body: () => ({ kind: 'call', summary: 'Called', occurredAt: '2026-06-14T09:30:00Z' }),
  },
  'GET /api/v1/customers/{id}/loyalty': { scope: 'rooftop', params: customer },
  'POST /api/v1/customers/{id}/loyalty/adjustments': {
    scope: 'rooftop',
    params: customer,
    body: () => ({ points: 100, reason: 'Goodwill' }),
  },
  'GET /api/v1/customers/{id}/loyalty/ledger': { scope: 'rooftop', params: customer },
  'GET /api/v1/customers/{id}/loyalty/redemptions': { scope: 'rooftop', params: customer },
  'POST /api/v1/customers/{id}/loyalty/redemptions': {
    scope: 'rooftop',
    params: customer,
    body: () => ({ points: 10, reason: 'Service discount' }),
    headers: { 'Idempotency-Key': 'matrix-redeem-1' },
  },
  'GET /api/v1/customers/{id}/referrals': { scope: 'rooftop', params: customer },
  'POST /api/v1/customers/{id}/referrals': {
    scope: 'rooftop',
    params: customer,
    body: (w) => ({ referredCustomerId: w.otherCustomerId }),
  },
  'GET /api/v1/customers/export': { scope: 'none' },
  'POST /api/v1/customers/import': { scope: 'none' },
  'GET /api/v1/customers/imports': { scope: 'none' },
  'GET /api/v1/customers/imports/{jobId}': { scope: 'rooftop', params: (w) => ({ jobId: w.importJobId }) },
  'GET /api/v1/feedback': { scope: 'none' },
  'GET /api/v1/feedback/summary': { scope: 'none' },
  'POST /api/v1/jobs/{name}/runs': {
    scope: { global: 'admin only; jobs are not records' },
    params: () => ({ name: 'complaint-sla' }),
  },
  'GET /api/v1/loyalty/rewards': { scope: 'none' },
  'POST /api/v1/loyalty/rewards': { scope: 'none' },
  'GET /api/v1/loyalty/rewards/{id}': {
    scope: { global: 'the rewards catalogue is group-wide' },
    params: (w) => ({ id: w.rewardId }),
  },
  'PATCH /api/v1/loyalty/rewards/{id}': {
    scope: { global: 'the rewards catalogue is group-wide' },
    params: (w) => ({ id: w.rewardId }),
  },
  'GET /api/v1/maintenance-items': { scope: 'none' },
  'POST /api/v1/maintenance-items': { scope: 'none' },
  'GET /api/v1/maintenance-items/{code}': {
    scope: { global: 'the catalogue is group-wide' },
    params: (w) => ({ code: w.itemCode }),
  },
  'PATCH /api/v1/maintenance-items/{code}': {
    scope: { global: 'the catalogue is group-wide' },
    params: (w) => ({ code: w.itemCode }),
  },
  'POST /api/v1/maintenance-items/{code}/overrides': {
    scope: { global: 'the catalogue is group-wide' },
    params: (w) => ({ code: w.itemCode }),
  },
  'DELETE /api/v1/maintenance-items/{code}/overrides/{id}': {
    scope: { global: 'the catalogue is group-wide' },
    params: (w) => ({ code: w.itemCode, id: w.overrideId }),
  },
  'PATCH /api/v1/maintenance-items/{code}/overrides/{id}': {
    scope: { global: 'the catalogue is group-wide' },
    params: (w) => ({ code: w.itemCode, id: w.overrideId }),
  },
  'GET /api/v1/inbound-messages': { scope: 'none' },
  'POST /api/v1/inbound-messages/{id}/match': {
    scope: 'rooftop',
    params: (w) => ({ id: w.inboundMessageId }),
    body: (w) => ({ customerId: w.customerId }),
  },
  'GET /api/v1/messages': { scope: 'none' },
  'GET /api/v1/messages/{id}': { scope: 'rooftop', params: (w) => ({ id: w.messageId }) },
  'POST /api/v1/messages/{id}/retry': { scope: 'rooftop', params: (w) => ({ id: w.messageId }) },
  'GET /api/v1/rooftops': { scope: 'none' },
  'POST /api/v1/rooftops': { scope: 'none' },
  'DELETE /api/v1/rooftops/{id}': { scope: { global: 'admin only' }, params: (w) => ({ id: w.rooftopA }) },
  'GET /api/v1/rooftops/{id}': { scope: 'rooftop', params: (w) => ({ id: w.rooftopA }) },
  'PATCH /api/v1/rooftops/{id}': { scope: { global: 'admin only' }, params: (w) => ({ id: w.rooftopA }) },
  'GET /api/v1/rooftops/{id}/availability': { scope: 'rooftop', params: (w) => ({ id: w.rooftopA }) },
  'GET /api/v1/rooftops/{id}/service-calendar': { scope: 'rooftop', params: (w) => ({ id: w.rooftopA }) },
  'PUT /api/v1/rooftops/{id}/service-calendar': {
    scope: 'rooftop',
    params: (w) => ({ id: w.rooftopA }),
    body: () => ({ openingHours: [{ weekday: 1, open: '08:00', close: '17:00' }] }),
  },
  'GET /api/v1/service-visits': { scope: 'none' },
  'POST /api/v1/service-visits': { scope: 'none' },
  'GET /api/v1/service-visits/{id}': { scope: 'rooftop', params: (w) => ({ id: w.visitId }) },
  'POST /api/v1/service-visits/{id}/close': { scope: 'rooftop', params: (w) => ({ id: w.visitId }) },
  'POST /api/v1/service-visits/{id}/void': {
    scope: 'rooftop',
    params: (w) => ({ id: w.visitId }),
    body: () => ({ reason: 'Wrong vehicle' }),
  },
  'GET /api/v1/tasks': { scope: 'none' },
  'POST /api/v1/tasks': { scope: 'none' },
  'GET /api/v1/tasks/{id}': { scope: 'rooftop', params: (w) => ({ id: w.taskId }) },
  'POST /api/v1/tasks/{id}/complete': {
    scope: 'rooftop',
    params: (w) => ({ id: w.taskId }),
    body: () => ({ outcome: 'Called' }),
  },
  'POST /api/v1/tasks/{id}/reassign': {
    scope: 'rooftop',
    params: (w) => ({ id: w.taskId }),
    body: (w) => ({ assigneeId: w.b.manager.id }),
  },
  'POST /api/v1/tasks/{id}/snooze': {
    scope: 'rooftop',
    params: (w) => ({ id: w.taskId }),
    body: () => ({ until: '2026-06-18T02:00:00Z' }),
  },
  'GET /api/v1/users': { scope: 'none' },
  'POST /api/v1/users': { scope: 'none' },
  'DELETE /api/v1/users/{id}': { scope: { global: 'admin only' }, params: (w) => ({ id: w.userId }) },
  'GET /api/v1/users/{id}': { scope: { global: 'admin only' }, params: (w) => ({ id: w.userId }) },
  'PATCH /api/v1/users/{id}': { scope: { global: 'admin only' }, params: (w) => ({ id: w.userId }) },
  'GET /api/v1/vehicles': { scope: 'none' },
  'POST /api/v1/vehicles': { scope: 'none' },
  'GET /api/v1/vehicles/{id}': { scope: 'rooftop', params: (w) => ({ id: w.vehicleId }) },
  'PATCH /api/v1/vehicles/{id}': {
    scope: 'rooftop',
    params: (w) => ({ id: w.vehicleId }),
    body: () => ({ model: 'Hilux Revo' }),
    headers: ifMatch,
  },
  'GET /api/v1/vehicles/{id}/maintenance-due': { scope: 'rooftop', params: (w) => ({ id: w.vehicleId }) },
  'GET /api/v1/vehicles/{id}/odometer-readings': { scope: 'rooftop', params: (w) => ({ id: w.vehicleId }) },
  'POST /api/v1/vehicles/{id}/odometer-readings': {
    scope: 'rooftop',
    params: (w) => ({ id: w.vehicleId }),
    body: () => ({ value: 9_000 }),
  },
  'GET /api/v1/vehicles/{id}/ownerships': { scope: 'rooftop', params: (w) => ({ id: w.vehicleId }) },
  'POST /api/v1/vehicles/{id}/transfer': {
    scope: 'rooftop',
    params: (w) => ({ id: w.vehicleId }),
    body: (w) => ({ newOwnerId: w.otherCustomerId }),
  },
};

const key = (r: RouteInfo) => `${r.method} ${r.path}`;
const PLACEHOLDER = '00000000-0000-4000-8000-000000000000';

describe('access matrix (generated from the route table)', () => {
  let t: TestApp;
  let w: World;
  let routes: RouteInfo[];
  const tokens: Partial<Record<Role, string>> = {};

  beforeAll(async () => {
    // A bot's username, so that the Telegram deep link route answers (without a bot it is 409).
    t = await startTestApp({ env: { TELEGRAM_BOT_USERNAME: 'dealer_crm_test_bot' } });
    w = await buildWorld(t);
    routes = routeTable(t.app);
    tokens.admin = w.admin.token;
    tokens.manager = w.a.manager.token;
    tokens.salesperson = w.a.salesperson.token;
    tokens.service_advisor = w.a.service_advisor.token;
  });
  afterAll(() => t.close());

  const url = (r: RouteInfo) => {
    const params = ROUTES[key(r)]?.params?.(w) ?? {};
    return r.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? PLACEHOLDER));
  };
  const call = (r: RouteInfo, token?: string) => {
    const entry = ROUTES[key(r)];
    let req = (t.http as unknown as Record<string, (u: string) => import('supertest').Test>)[
      r.method.toLowerCase()
    ](url(r));
    if (token) req = req.set(bearer(token));
    for (const [h, v] of Object.entries(entry?.headers ?? {})) req = req.set(h, v);
    const body = entry?.body?.(w);
    return body === undefined ? req : req.send(body as object);
  };

  it('covers every route of the route table, and no route that no longer exists', () => {
    const inTable = routes.map(key).sort();
    const covered = [...Object.keys(ROUTES), ...PUBLIC].sort();
    expect(inTable.filter((k) => !covered.includes(k))).toEqual([]);
    expect(covered.filter((k) => !inTable.includes(k))).toEqual([]);
  });

  it('lets exactly the listed routes through without credentials', () => {
    expect(
      routes
        .filter((r) => r.public)
        .map(key)
        .sort(),
    ).toEqual([...PUBLIC].sort());
  });

  it('answers 401 problem+json to every other route without credentials, and to a garbage token', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => !x.public)) {
      for (const token of [undefined, 'not-a-jwt']) {
        const res = await call(r, token);
        if (
          res.status !== 401 ||
          !String(res.headers['content-type']).startsWith('application/problem+json')
        ) {
          failures.push(`${key(r)} (${token ? 'bad token' : 'none'}) → ${res.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers 403 to every role that the route’s @Roles leaves out', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const r of routes.filter((x) => !x.public && x.roles)) {
      for (const role of ROLES.filter((x) => !r.roles!.includes(x))) {
        checked += 1;
        const res = await call(r, tokens[role]);
        if (res.status !== 403) failures.push(`${key(r)} as ${role} → ${res.status}`);
      }
    }
    expect(checked).toBeGreaterThan(40);
    expect(failures).toEqual([]);
  });

  it('answers 404 to an allowed user of another rooftop for every record of rooftop A, and changes nothing', async () => {
    const scoped = routes.filter((r) => ROUTES[key(r)]?.scope === 'rooftop');
    expect(scoped.length).toBeGreaterThan(30);
    const before = await t.db.query(
      `SELECT (SELECT count(*) FROM audit_log)::int AS audit, (SELECT max(updated_at) FROM customer) AS customers,
              (SELECT max(updated_at) FROM vehicle) AS vehicles, (SELECT max(updated_at) FROM task) AS tasks,
              (SELECT max(updated_at) FROM complaint_case) AS complaints, (SELECT count(*) FROM consent)::int AS consents,
              (SELECT count(*) FROM interaction)::int AS interactions, (SELECT count(*) FROM odometer_reading)::int AS readings`,
    );
    const failures: string[] = [];
    for (const r of scoped) {
      // An allowed role of rooftop B (manager when allowed: it may do the most).
      const role = (['manager', 'service_advisor', 'salesperson'] as const).find(
        (x) => !r.roles || r.roles.includes(x),
      )!;
      const res = await call(r, w.b[role].token);
      if (res.status !== 404 || !String(res.headers['content-type']).startsWith('application/problem+json')) {
        failures.push(
          `${key(r)} as ${role} of rooftop B → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
        );
      }
    }
    expect(failures).toEqual([]);
    const after = await t.db.query(
      `SELECT (SELECT count(*) FROM audit_log)::int AS audit, (SELECT max(updated_at) FROM customer) AS customers,
              (SELECT max(updated_at) FROM vehicle) AS vehicles, (SELECT max(updated_at) FROM task) AS tasks,
              (SELECT max(updated_at) FROM complaint_case) AS complaints, (SELECT count(*) FROM consent)::int AS consents,
              (SELECT count(*) FROM interaction)::int AS interactions, (SELECT count(*) FROM odometer_reading)::int AS readings`,
    );
    expect(after).toEqual(before);
  });

  it('finds the same records for rooftop A’s own staff (the 404s above are scoping, not bad fixtures)', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.method === 'GET' && ROUTES[key(x)]?.scope === 'rooftop')) {
      const res = await call(r, w.a.manager.token);
      if (res.status !== 200) failures.push(`${key(r)} → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });
});
