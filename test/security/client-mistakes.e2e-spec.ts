import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { BookingLinkService } from '../../src/appointments/booking-links.provider';
import { LinkSigner } from '../../src/common/link-signer';
import { buildWorld, realPathParam, type World } from '../support/security-world';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

/**
 * Client mistakes that once gave a 500, driven by the OpenAPI document so that a new endpoint is covered
 * as soon as it is documented:
 * - `null` in each body field, one at a time, on every write endpoint with a JSON body: never a 5xx; a
 *   field whose column is NOT NULL answers 400 problem+json naming the field; `null` is accepted only
 *   where the document says the field is nullable (it clears the value).
 * - every write endpoint without a body refuses unknown fields with 400 naming them, as bodies do elsewhere.
 */
const WRITE = ['post', 'put', 'patch', 'delete'];

interface Schema {
  type?: string;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  $ref?: string;
  example?: unknown;
}
interface Operation {
  method: string;
  path: string;
  schema: Schema | null;
  headers: string[];
  /** Has a request body of another type (CSV, form): not a body-less endpoint. */
  otherBody: boolean;
}
/** How to send a valid request to one endpoint; `fresh` gives path ids for one attempt. */
interface Case {
  /** The body, given the fresh ids of this attempt. */
  body: (fresh: Record<string, string>) => Record<string, unknown>;
  /** Records made for one attempt (a visit to void, a survey to answer); path parameters take them by name. */
  fresh?: () => Promise<Record<string, string>>;
  /** The current version for If-Match, where no GET of the same path gives it. */
  version?: () => Promise<number>;
  /** Status of the valid request when it is not a 2xx (a login with an unknown password). */
  baseline?: number;
}
interface Problem {
  errors?: { field: string }[];
}

let seq = 0;
const next = () => ++seq;
const vin = () => `WVWZZZ1JZXW${String(100000 + next()).slice(-6)}`;
const STRONG_PASSWORD = 'Vq7#pL9!zR2@wX4k-null';

describe('client mistakes', () => {
  let t: TestApp;
  let w: World;
  let operations: Operation[];
  let components: Record<string, Schema>;

  beforeAll(async () => {
    t = await startTestApp();
    w = await buildWorld(t);
    const doc = (await t.http.get('/api/docs-json')).body as {
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: { content?: Record<string, { schema?: Schema }> };
            parameters?: { in: string; name: string }[];
          }
        >
      >;
      components: { schemas: Record<string, Schema> };
    };
    components = doc.components.schemas;
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => WRITE.includes(method))
        .map(([method, op]) => {
          const content = op.requestBody?.content ?? {};
          const json = resolve(content['application/json']?.schema ?? null);
          return {
            method,
            path,
            schema: json?.properties ? json : null,
            headers: (op.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()),
            otherBody: Object.keys(content).length > 0,
          };
        }),
    );
    // Points to redeem.
    await t.http
      .post(`/api/v1/customers/${w.customerId}/loyalty/adjustments`)
      .set(bearer(w.admin.token))
      .set('Idempotency-Key', randomUUID())
      .send({ points: 100_000, reason: 'Points for the client-mistakes suite' })
      .expect(201);
  });
  afterAll(() => t.close());

  function resolve(schema: Schema | null | undefined): Schema | null {
    if (!schema) return null;
    if (schema.$ref) return components[schema.$ref.split('/').pop()!] ?? null;
    if (schema.allOf?.length === 1) return { ...resolve(schema.allOf[0]), nullable: schema.nullable };
    return schema;
  }

  const realParam = (path: string, name: string) => realPathParam(w, path, name);

  const admin = () => bearer(w.admin.token);
  async function created(what: string, res: Promise<Response> | Response): Promise<string> {
    const r = await res;
    if (r.status >= 300) throw new Error(`fixture ${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return (r.body as { id: string }).id;
  }
  const freshVisit = () =>
    created(
      'visit',
      t.http
        .post('/api/v1/service-visits')
        .set(admin())
        .send({
          rooftopId: w.rooftopA,
          vehicleId: w.vehicleId,
          roNumber: `RO-NULL-${next()}`,
          visitDate: '2026-06-10T02:00:00Z',
          odometer: 8_100,
          lines: [{ itemCode: 'OIL_CHANGE', labourAmount: 25, partsAmount: 10, payType: 'customer' }],
        }),
    );
  const freshTask = () =>
    created(
      'task',
      t.http.post('/api/v1/tasks').set(admin()).send({
        customerId: w.customerId,
        title: 'Call back',
        dueAt: '2026-06-20T03:00:00Z',
        assigneeId: w.a.manager.id,
      }),
    );
  const freshComplaint = async (acknowledged = false) => {
    const id = await created(
      'complaint',
      t.http
        .post('/api/v1/complaints')
        .set(admin())
        .send({ customerId: w.customerId, source: 'call', summary: 'Scratch on the bumper' }),
    );
    if (acknowledged) await t.http.post(`/api/v1/complaints/${id}/acknowledge`).set(admin()).expect(200);
    return id;
  };
  const freshVehicle = () =>
    created(
      'vehicle',
      t.http.post('/api/v1/vehicles').set(admin()).send({
        rooftopId: w.rooftopA,
        vin: vin(),
        make: 'Toyota',
        model: 'Vios',
        year: 2024,
        powertrain: 'ice',
        ownerId: w.customerId,
        purchaseDate: '2026-01-10',
        purchaseOdometer: 10,
      }),
    );
  /** A booking link of a fresh customer (one standing appointment per link's customer and vehicle). */
  const freshBookingLink = async () =>
    t.app
      .get(BookingLinkService)
      .sign(
        { c: await freshCustomer(), r: w.rooftopA, v: null, i: [], l: 'en', m: null, mk: null },
        new Date('2026-06-15T03:00:00Z'),
      );
  const freshAppointment = () =>
    created(
      'appointment',
      t.http
        .post('/api/v1/appointments')
        .set(admin())
        .send({
          rooftopId: w.rooftopA,
          customerId: w.customerId,
          vehicleId: w.vehicleId,
          slotStart: '2026-06-16T07:00:00Z',
          itemCodes: ['OIL_CHANGE'],
        }),
    );
  const freshCustomer = () =>
    created(
      'customer',
      t.http.post('/api/v1/customers').set(admin()).send({ firstName: 'Fresh', homeRooftopId: w.rooftopA }),
    );
  async function freshSurvey(): Promise<string> {
    const [row] = await t.db.query(
      `INSERT INTO survey (kind, rooftop_id, customer_id, dedupe_key, language, issued_at, expires_at)
       VALUES ('sale', $1, $2, $3, 'en', '2026-06-14T03:00:00Z', '2026-07-14T03:00:00Z') RETURNING id`,
      [w.rooftopA, w.customerId, `null-test:${next()}`],
    );
    return t.app.get(LinkSigner).sign('survey', { s: row.id, c: w.customerId });
  }

  /**
   * A valid request for every write endpoint with a JSON body. A new endpoint fails the suite until it is
   * listed here (so that its fields are tried with null from a request that would otherwise succeed).
   */
  const CASES: Record<string, Case> = {
    'POST /api/v1/auth/login': {
      body: () => ({ email: 'nobody@null.example', password: 'a-wrong-password-123' }),
      baseline: 401,
    },
    'POST /api/v1/api-keys': { body: () => ({ name: 'Null key', userId: w.a.manager.id }) },
    'POST /api/v1/users': {
      body: () => ({
        email: `null.${next()}@staff.example`,
        name: 'Null Test',
        role: 'salesperson',
        password: STRONG_PASSWORD,
        rooftopIds: [w.rooftopA],
      }),
    },
    'PATCH /api/v1/users/{id}': { body: () => ({}) },
    'POST /api/v1/rooftops': { body: () => ({ name: `Null Motors ${next()}` }) },
    'PATCH /api/v1/rooftops/{id}': { body: () => ({}) },
    'POST /api/v1/customers': { body: () => ({ firstName: 'Null', homeRooftopId: w.rooftopA }) },
    'PATCH /api/v1/customers/{id}': { body: () => ({}) },
    'POST /api/v1/customers/{id}/consents': {
      body: () => ({ purpose: 'marketing', channel: 'email', granted: true, source: 'showroom_form' }),
    },
    'POST /api/v1/messages/{id}/retry': {
      body: () => ({ channel: 'same' }),
      // A failed email of a customer who has an address (the channel must be usable for a retry).
      fresh: async () => {
        const [row] = await t.db.query(
          `WITH c AS (INSERT INTO customer (home_rooftop_id, first_name, last_name, email, language)
                      VALUES ($1, 'Null', 'Retry', $2, 'en') RETURNING id)
           INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, kind, purpose, payload, scheduled_at,
                                       next_attempt_at, status, status_reason, channel)
           SELECT $3, $1, c.id, 'transactional', 'transactional', '{"message":"hi"}', now(), now(), 'failed',
                  'retries_exhausted', 'email' FROM c RETURNING id`,
          [w.rooftopA, `null-retry-${next()}@example.test`, `null-retry:${next()}`],
        );
        return { id: (row as { id: string }).id };
      },
    },
    'POST /api/v1/customers/{id}/interactions': {
      body: () => ({ kind: 'call', summary: 'Called back', occurredAt: '2026-06-14T09:30:00Z' }),
    },
    'POST /api/v1/jobs/{name}/runs': { body: () => ({ asOf: '2026-06-15T03:00:00Z' }) },
    'POST /api/v1/maintenance-items': {
      body: () => ({ code: `NULL_ITEM_${next()}`, name: 'Null item', appliesTo: ['ice'], intervalMonths: 6 }),
    },
    'PATCH /api/v1/maintenance-items/{code}': { body: () => ({}) },
    'POST /api/v1/maintenance-items/{code}/overrides': {
      body: () => ({ make: `Make${next()}`, intervalMonths: 6 }),
    },
    'PATCH /api/v1/maintenance-items/{code}/overrides/{id}': {
      body: () => ({}),
      version: async () =>
        (await t.db.query(`SELECT version FROM maintenance_item_override WHERE id = $1`, [w.overrideId]))[0]
          .version as number,
    },
    'POST /api/v1/vehicles': {
      body: () => ({
        rooftopId: w.rooftopA,
        vin: vin(),
        make: 'Toyota',
        model: 'Camry',
        year: 2024,
        powertrain: 'hybrid',
      }),
    },
    'PATCH /api/v1/vehicles/{id}': { body: () => ({}) },
    'POST /api/v1/vehicles/{id}/transfer': {
      body: () => ({ newOwnerId: w.otherCustomerId }),
      fresh: async () => ({ id: await freshVehicle() }),
    },
    'POST /api/v1/vehicles/{id}/odometer-readings': {
      body: () => ({ value: 20 }),
      fresh: async () => ({ id: await freshVehicle() }),
    },
    'POST /api/v1/service-visits': {
      body: () => ({
        rooftopId: w.rooftopA,
        vehicleId: w.vehicleId,
        roNumber: `RO-NULL-${next()}`,
        visitDate: '2026-06-10T02:00:00Z',
        odometer: 8_100,
        lines: [{ itemCode: 'OIL_CHANGE', labourAmount: 25, partsAmount: 10, payType: 'customer' }],
        declinedLines: [{ itemCode: 'BRAKE_FLUID', estimateAmount: 45 }],
      }),
    },
    'POST /api/v1/service-visits/{id}/void': {
      body: () => ({ reason: 'Logged on the wrong vehicle' }),
      fresh: async () => ({ id: await freshVisit() }),
    },
    'POST /api/v1/customers/{id}/loyalty/redemptions': {
      body: () => ({ points: 10, reason: 'Discount' }),
    },
    'POST /api/v1/customers/{id}/loyalty/adjustments': { body: () => ({ points: 5, reason: 'Goodwill' }) },
    'POST /api/v1/customers/{id}/referrals': {
      body: (fresh) => ({ referredCustomerId: fresh.referred }),
      fresh: async () => ({ id: await freshCustomer(), referred: await freshCustomer() }),
    },
    'POST /api/v1/loyalty/rewards': {
      body: () => ({ code: `NULL-${next()}`, name: 'Null reward', pointsCost: 100 }),
    },
    'PATCH /api/v1/loyalty/rewards/{id}': { body: () => ({}) },
    'POST /api/v1/tasks': {
      body: () => ({
        customerId: w.customerId,
        vehicleId: w.vehicleId,
        title: 'Call back',
        dueAt: '2026-06-20T03:00:00Z',
        assigneeId: w.a.manager.id,
      }),
    },
    'POST /api/v1/tasks/{id}/complete': {
      body: () => ({ outcome: 'Called' }),
      fresh: async () => ({ id: await freshTask() }),
    },
    'POST /api/v1/tasks/{id}/snooze': {
      body: () => ({ until: '2026-06-18T02:00:00Z' }),
      fresh: async () => ({ id: await freshTask() }),
    },
    'POST /api/v1/inbound-messages/{id}/match': {
      body: () => ({ customerId: w.customerId }),
      fresh: async () => {
        const [row] = await t.db.query(
          `INSERT INTO inbound_message (channel, provider_ref, sender, text, received_at)
           VALUES ('sms', $1, '+85599000002', 'Who is this?', now()) RETURNING id`,
          [`null-test:${next()}`],
        );
        return { id: (row as { id: string }).id };
      },
    },
    'POST /api/v1/tasks/{id}/reassign': {
      body: () => ({ assigneeId: w.a.salesperson.id }),
      fresh: async () => ({ id: await freshTask() }),
    },
    'POST /api/v1/surveys/{token}': {
      body: () => ({ nps: 9, csat: 5, comment: 'Fine' }),
      fresh: async () => ({ token: await freshSurvey() }),
    },
    'POST /api/v1/complaints': {
      body: () => ({
        customerId: w.customerId,
        source: 'call',
        summary: 'Rude advisor',
        ownerId: w.a.manager.id,
      }),
    },
    'POST /api/v1/book/{token}': {
      body: () => ({
        action: 'book',
        slotStart: '2026-06-16T08:00:00Z',
        itemCodes: ['OIL_CHANGE'],
        note: 'Null',
      }),
      fresh: async () => ({ token: await freshBookingLink() }),
    },
    'PUT /api/v1/rooftops/{id}/service-calendar': {
      body: () => ({
        openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, open: '08:00', close: '17:00' })),
        placesPerSlot: 100,
      }),
    },
    'POST /api/v1/appointments': {
      body: () => ({
        rooftopId: w.rooftopA,
        customerId: w.customerId,
        vehicleId: w.vehicleId,
        advisorId: w.a.service_advisor.id,
        slotStart: '2026-06-16T05:00:00Z',
        itemCodes: ['OIL_CHANGE'],
        note: 'Null test',
        source: 'phone',
      }),
    },
    'POST /api/v1/appointments/{id}/reschedule': {
      body: () => ({ slotStart: '2026-06-16T06:00:00Z' }),
      fresh: async () => ({ id: await freshAppointment() }),
      version: async () => 1,
    },
    'POST /api/v1/appointments/{id}/cancel': {
      body: () => ({ reason: 'Customer travelling' }),
      fresh: async () => ({ id: await freshAppointment() }),
    },
    'POST /api/v1/appointments/{id}/check-in': {
      body: () => ({ roNumber: `RO-APPT-NULL-${next()}`, odometer: 9_000 }),
      fresh: async () => ({ id: await freshAppointment() }),
    },
    'POST /api/v1/complaints/{id}/notes': { body: () => ({ body: 'Called the customer' }) },
    'POST /api/v1/complaints/{id}/resolve': {
      body: () => ({ resolution: 'Repainted' }),
      fresh: async () => ({ id: await freshComplaint(true) }),
    },
    'POST /api/v1/complaints/{id}/reopen': {
      body: () => ({ reason: 'Still visible' }),
      fresh: async () => {
        const id = await freshComplaint(true);
        await t.http
          .post(`/api/v1/complaints/${id}/resolve`)
          .set(admin())
          .send({ resolution: 'Repainted' })
          .expect(200);
        return { id };
      },
    },
  };
  /** Sends `body` to the operation with a real id (or a fresh one), a current If-Match and an Idempotency-Key. */
  async function send(
    op: Operation,
    c: Case,
    change: (body: Record<string, unknown>) => Record<string, unknown> = (b) => b,
  ): Promise<Response> {
    const fresh: Record<string, string> = c.fresh ? await c.fresh() : {};
    const body = change(c.body(fresh));
    const url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
      encodeURIComponent(fresh[name] ?? realParam(op.path, name)),
    );
    let req = (t.http as unknown as Record<string, (u: string) => import('supertest').Test>)
      [op.method](url)
      .set(admin())
      .set('Accept', 'application/json');
    if (op.method === 'patch' || op.headers.includes('if-match')) {
      const version = c.version
        ? await c.version()
        : ((await t.http.get(url).set(admin())).body as { version?: number }).version;
      if (typeof version === 'number') req = req.set('If-Match', `"${version}"`);
    }
    if (op.headers.includes('idempotency-key')) req = req.set('Idempotency-Key', randomUUID());
    return req.set('Content-Type', 'application/json').send(JSON.stringify(body));
  }

  /** Every (field path, nullable) of a body: the top-level fields and the fields of objects in arrays. */
  function fields(schema: Schema, prefix = ''): { path: string[]; nullable: boolean }[] {
    return Object.entries(schema.properties ?? {}).flatMap(([name, raw]) => {
      const prop = resolve(raw) ?? raw;
      const here = [{ path: [...(prefix ? prefix.split('.') : []), name], nullable: prop.nullable === true }];
      const items = prop.type === 'array' ? resolve(prop.items) : null;
      const nested = items?.properties ? fields(items, `${prefix ? `${prefix}.` : ''}${name}.0`) : [];
      const object = prop.properties ? fields(prop, `${prefix ? `${prefix}.` : ''}${name}`) : [];
      return here.concat(nested, object);
    });
  }

  /** The valid body with the value at `path` set to null (arrays: their first element, built from examples). */
  function withNull(op: Operation, body: Record<string, unknown>, path: string[]): Record<string, unknown> {
    const copy = structuredClone(body);
    let node: Record<string, unknown> = copy;
    let schema: Schema | null = op.schema;
    for (const key of path.slice(0, -1)) {
      if (/^\d+$/.test(key)) continue;
      const prop = resolve(schema?.properties?.[key]);
      const isArray = prop?.type === 'array';
      const inner = isArray ? resolve(prop?.items) : prop;
      if (node[key] === undefined || node[key] === null) {
        const example = Object.fromEntries(
          Object.entries(inner?.properties ?? {}).map(([k, v]) => [k, (resolve(v) ?? v).example]),
        );
        node[key] = isArray ? [example] : example;
      }
      node = (isArray ? (node[key] as Record<string, unknown>[])[0] : node[key]) as Record<string, unknown>;
      schema = inner;
    }
    node[path[path.length - 1]] = null;
    return copy;
  }

  it('knows a valid request for every write endpoint with a JSON body', () => {
    const withBody = operations
      .filter((op) => op.schema)
      .map((op) => `${op.method.toUpperCase()} ${op.path}`);
    expect(withBody.length).toBeGreaterThan(30);
    expect(withBody.filter((k) => !CASES[k])).toEqual([]);
  });

  it('answers null in any body field with 400 naming it, unless the field is documented nullable', async () => {
    const failures: string[] = [];
    let tried = 0;
    for (const op of operations.filter((o) => o.schema)) {
      const key = `${op.method.toUpperCase()} ${op.path}`;
      const c = CASES[key];
      if (!c) continue;
      const baseline = await send(op, c);
      if (baseline.status !== (c.baseline ?? baseline.status) || (!c.baseline && baseline.status >= 300)) {
        failures.push(
          `${key}: the valid request answered ${baseline.status} ${JSON.stringify(baseline.body)}`,
        );
        continue;
      }
      for (const field of fields(op.schema!)) {
        const name = field.path.join('.');
        const res = await send(op, c, (body) => withNull(op, body, field.path));
        tried += 1;
        const type = String(res.headers['content-type'] ?? '');
        const named = ((res.body as Problem).errors ?? []).some((e) => e.field === name);
        if (res.status >= 500) failures.push(`${key} ${name}=null → ${res.status}`);
        else if (res.status >= 400 && !type.startsWith('application/problem+json'))
          failures.push(`${key} ${name}=null → ${res.status} ${type}`);
        else if (!field.nullable && !(res.status === 400 && named))
          failures.push(`${key} ${name}=null → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    }
    expect(tried).toBeGreaterThan(150);
    expect(failures).toEqual([]);
  }, 300_000);

  /** Every table's content, to show that a refused request wrote nothing. */
  async function snapshot(): Promise<Record<string, string>> {
    const tables: { table_name: string }[] = await t.db.query(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'login_attempt' ORDER BY 1`,
    );
    const sql = tables
      .map(
        ({ table_name: n }) =>
          `(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM "${n}" x) AS "${n}"`,
      )
      .join(', ');
    return (await t.db.query(`SELECT ${sql}`))[0] as Record<string, string>;
  }

  it('refuses a body on every endpoint that takes none, naming the fields, and writes nothing', async () => {
    const bodyless = operations.filter((op) => !op.schema && !op.otherBody);
    expect(bodyless.map((op) => `${op.method.toUpperCase()} ${op.path}`)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/customers/{id}/erasure',
        'POST /api/v1/complaints/{id}/acknowledge',
        'POST /api/v1/complaints/{id}/close',
        'POST /api/v1/service-visits/{id}/close',
      ]),
    );
    const failures: string[] = [];
    const noCase: Case = { body: () => ({}) };
    for (const op of bodyless) {
      const key = `${op.method.toUpperCase()} ${op.path}`;
      for (const [raw, field] of [
        [{ reason: 'not asked for', unexpected: 1 }, 'unexpected'],
        [[1, 2], 'body'],
        ['text', 'body'],
      ] as const) {
        const before = await snapshot();
        const res = await send(op, noCase, () => raw as unknown as Record<string, unknown>);
        const type = String(res.headers['content-type'] ?? '');
        const named = ((res.body as Problem).errors ?? []).some((e) => e.field === field);
        if (res.status !== 400 || !type.startsWith('application/problem+json') || !named)
          failures.push(
            `${key} ${JSON.stringify(raw)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
          );
        const after = await snapshot();
        const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
        if (changed.length) failures.push(`${key} ${JSON.stringify(raw)} changed ${changed.join(', ')}`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('still accepts the body-less actions with no body or {}', async () => {
    const complaint = await freshComplaint();
    const ack = await t.http.post(`/api/v1/complaints/${complaint}/acknowledge`).set(admin());
    expect(ack.status).toBe(200);
    const visit = await freshVisit();
    const close = await t.http.post(`/api/v1/service-visits/${visit}/close`).set(admin()).send({});
    expect(close.status).toBe(200);
    const customer = await freshCustomer();
    const erased = await t.http.post(`/api/v1/customers/${customer}/erasure`).set(admin()).send({});
    expect(erased.status).toBe(200);
  });
});
