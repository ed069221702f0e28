import { randomUUID } from 'node:crypto';
import type { Test } from 'supertest';
import { buildWorld, type World } from '../support/security-world';
import { bearer, startTestApp, type TestApp } from '../support/test-app';
import { nextVin } from '../support/vehicle-fixtures';

/**
 * Ids inside requests obey the rule of ids in paths (docs/security.md "Rooftop scoping"). Generated from the
 * OpenAPI document: every request-body property documented as a uuid must have an entry in BODY_IDS, so a new id
 * field fails this suite until someone decides how it is checked. The rule:
 *  - an id the caller cannot see (a record of a rooftop not granted, or no record at all) → 404 problem+json,
 *    nothing written;
 *  - a user the caller can see but who is not granted the record's rooftop → 422 naming the field, nothing written.
 * Every `?rooftopId=` filter (listed from the same document) answers 404 for a rooftop not granted.
 */

type Ctx = Record<string, string>;
interface Case {
  /** What the id names. A user must also be granted the rooftop of the record they are put on (else 422). */
  kind: 'rooftop' | 'customer' | 'vehicle' | 'user';
  /** Rooftop B's id of that kind (for a user, one whose role fits the field). */
  foreign: (w: World) => string;
  /** Fresh records one call needs (a vehicle to transfer, a customer to refer), made before the call. */
  setup?: (t: TestApp, w: World) => Promise<Ctx>;
  params?: (w: World, ctx: Ctx) => Record<string, string>;
  /** A body rooftop A's manager may send (answers 2xx); the property under test is then replaced. */
  body: (w: World, ctx: Ctx) => Record<string, unknown>;
}
type Entry = Case | { global: string };

let seq = 0;
const vehicleBody = (w: World) => ({
  rooftopId: w.rooftopA,
  vin: nextVin(),
  make: 'Toyota',
  model: 'Fortuner',
  year: 2025,
  powertrain: 'ice',
  ownerId: w.customerId,
  purchaseDate: '2026-06-01',
  purchaseType: 'cash',
  purchaseOdometer: 5,
  soldById: w.a.salesperson.id,
  sellingRooftopId: w.rooftopA,
});
const visitBody = (w: World) => ({
  rooftopId: w.rooftopA,
  vehicleId: w.vehicleId,
  advisorId: w.a.service_advisor.id,
  roNumber: `RO-BODY-${++seq}`,
  visitDate: '2026-06-02T02:00:00Z',
  odometer: 9_000,
  lines: [{ itemCode: 'OIL_CHANGE', labourAmount: 25, partsAmount: 38.5, payType: 'customer' }],
});
const appointmentBody = (w: World) => ({
  rooftopId: w.rooftopA,
  customerId: w.customerId,
  vehicleId: w.vehicleId,
  advisorId: w.a.service_advisor.id,
  slotStart: '2026-06-16T04:00:00Z',
});
const customerBody = (w: World) => ({
  firstName: 'Body',
  lastName: 'Ids',
  homeRooftopId: w.rooftopA,
  assignedSalespersonId: w.a.salesperson.id,
});
const taskBody = (w: World) => ({
  customerId: w.customerId,
  vehicleId: w.vehicleId,
  title: 'Call about the body ids',
  dueAt: '2026-06-20T03:00:00Z',
  assigneeId: w.a.salesperson.id,
});
const complaintBody = (w: World) => ({
  customerId: w.customerId,
  source: 'call',
  summary: 'Body ids',
  ownerId: w.a.manager.id,
});
/** A vehicle of rooftop A sold to the world's customer, ready to change owner. */
const vehicleToTransfer = async (t: TestApp, w: World): Promise<Ctx> => {
  const res = await t.http.post('/api/v1/vehicles').set(bearer(w.a.manager.token)).send(vehicleBody(w));
  if (res.status !== 201) throw new Error(`fixture vehicle: ${res.status} ${JSON.stringify(res.body)}`);
  return { vehicleId: res.body.id as string };
};
const transferBody = (w: World) => ({
  newOwnerId: w.otherCustomerId,
  sale: {
    purchaseDate: '2026-06-10',
    purchaseType: 'used',
    soldById: w.a.salesperson.id,
    odometer: 1_000,
  },
});
const freshCustomer = async (t: TestApp, w: World): Promise<Ctx> => {
  const res = await t.http.post('/api/v1/customers').set(bearer(w.a.manager.token)).send(customerBody(w));
  if (res.status !== 201) throw new Error(`fixture customer: ${res.status} ${JSON.stringify(res.body)}`);
  return { customerId: res.body.id as string };
};

const rooftopB = (w: World) => w.rooftopB;
const customerB = (w: World) => w.customerB;
const vehicle = (w: World) => ({ id: w.vehicleId });
const BODY_IDS: Record<string, Entry> = {
  'POST /api/v1/api-keys userId': { global: 'admin only; admins see every user' },
  'POST /api/v1/users rooftopIds': { global: 'admin only; admins see every rooftop' },
  'PATCH /api/v1/users/{id} rooftopIds': { global: 'admin only; admins see every rooftop' },
  'POST /api/v1/customers/{id}/loyalty/redemptions rewardId': {
    global: 'the rewards catalogue is group-wide',
  },
  'POST /api/v1/customers homeRooftopId': { kind: 'rooftop', foreign: rooftopB, body: customerBody },
  'POST /api/v1/customers assignedSalespersonId': {
    kind: 'user',
    foreign: (w) => w.b.salesperson.id,
    body: customerBody,
  },
  'PATCH /api/v1/customers/{id} homeRooftopId': {
    kind: 'rooftop',
    foreign: rooftopB,
    params: (w) => ({ id: w.customerId }),
    body: (w) => ({ homeRooftopId: w.rooftopA }),
  },
  'PATCH /api/v1/customers/{id} assignedSalespersonId': {
    kind: 'user',
    foreign: (w) => w.b.salesperson.id,
    params: (w) => ({ id: w.customerId }),
    body: (w) => ({ assignedSalespersonId: w.a.salesperson.id }),
  },
  'POST /api/v1/customers/{id}/referrals referredCustomerId': {
    kind: 'customer',
    foreign: customerB,
    setup: freshCustomer,
    params: (w) => ({ id: w.customerId }),
    body: (_w, ctx) => ({ referredCustomerId: ctx.customerId }),
  },
  'POST /api/v1/vehicles rooftopId': { kind: 'rooftop', foreign: rooftopB, body: vehicleBody },
  'POST /api/v1/vehicles ownerId': { kind: 'customer', foreign: customerB, body: vehicleBody },
  'POST /api/v1/vehicles soldById': { kind: 'user', foreign: (w) => w.b.salesperson.id, body: vehicleBody },
  'POST /api/v1/vehicles sellingRooftopId': { kind: 'rooftop', foreign: rooftopB, body: vehicleBody },
  'PATCH /api/v1/vehicles/{id} soldById': {
    kind: 'user',
    foreign: (w) => w.b.salesperson.id,
    params: vehicle,
    body: (w) => ({ soldById: w.a.salesperson.id }),
  },
  'PATCH /api/v1/vehicles/{id} sellingRooftopId': {
    kind: 'rooftop',
    foreign: rooftopB,
    params: vehicle,
    body: (w) => ({ sellingRooftopId: w.rooftopA }),
  },
  'POST /api/v1/vehicles/{id}/transfer newOwnerId': {
    kind: 'customer',
    foreign: customerB,
    setup: vehicleToTransfer,
    params: (_w, ctx) => ({ id: ctx.vehicleId }),
    body: transferBody,
  },
  'POST /api/v1/vehicles/{id}/transfer sale.soldById': {
    kind: 'user',
    foreign: (w) => w.b.salesperson.id,
    setup: vehicleToTransfer,
    params: (_w, ctx) => ({ id: ctx.vehicleId }),
    body: transferBody,
  },
  'POST /api/v1/service-visits rooftopId': { kind: 'rooftop', foreign: rooftopB, body: visitBody },
  'POST /api/v1/service-visits vehicleId': {
    kind: 'vehicle',
    foreign: (w) => w.vehicleB,
    body: visitBody,
  },
  'POST /api/v1/service-visits advisorId': {
    kind: 'user',
    foreign: (w) => w.b.service_advisor.id,
    body: visitBody,
  },
  'POST /api/v1/appointments rooftopId': { kind: 'rooftop', foreign: rooftopB, body: appointmentBody },
  'POST /api/v1/appointments customerId': { kind: 'customer', foreign: customerB, body: appointmentBody },
  'POST /api/v1/appointments vehicleId': {
    kind: 'vehicle',
    foreign: (w) => w.vehicleB,
    body: appointmentBody,
  },
  'POST /api/v1/appointments advisorId': {
    kind: 'user',
    foreign: (w) => w.b.service_advisor.id,
    body: appointmentBody,
  },
  'POST /api/v1/tasks customerId': { kind: 'customer', foreign: customerB, body: taskBody },
  'POST /api/v1/tasks vehicleId': { kind: 'vehicle', foreign: (w) => w.vehicleB, body: taskBody },
  'POST /api/v1/tasks assigneeId': { kind: 'user', foreign: (w) => w.b.salesperson.id, body: taskBody },
  'POST /api/v1/tasks/{id}/reassign assigneeId': {
    kind: 'user',
    foreign: (w) => w.b.manager.id,
    params: (w) => ({ id: w.taskId }),
    body: (w) => ({ assigneeId: w.a.salesperson.id }),
  },
  'POST /api/v1/inbound-messages/{id}/match customerId': {
    kind: 'customer',
    foreign: customerB,
    setup: async (t) => {
      const [row] = await t.db.query(
        `INSERT INTO inbound_message (channel, provider_ref, sender, text, received_at)
         VALUES ('sms', $1, '+85599000001', 'Who is this?', now()) RETURNING id`,
        [`body-ids-${++seq}`],
      );
      return { id: (row as { id: string }).id };
    },
    params: (_w, ctx) => ({ id: ctx.id }),
    body: (w) => ({ customerId: w.customerId }),
  },
  'POST /api/v1/complaints customerId': { kind: 'customer', foreign: customerB, body: complaintBody },
  'POST /api/v1/complaints ownerId': { kind: 'user', foreign: (w) => w.b.manager.id, body: complaintBody },
};

/** Ids that are not ours (the DMS's), so not uuids. */
const NOT_UUID = ['externalId'];

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
}
interface Operation {
  parameters?: {
    name: string;
    in: string;
    required?: boolean;
    schema?: { example?: unknown; enum?: unknown[] };
  }[];
  requestBody?: { content?: Record<string, { schema: Schema }> };
}
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

/** Every property of every JSON request body, by dotted path (array items under the array's name). */
function bodyProperties(doc: Doc): { key: string; name: string; uuid: boolean }[] {
  const out: { key: string; name: string; uuid: boolean }[] = [];
  const resolve = (s: Schema): Schema => (s.$ref ? doc.components.schemas[s.$ref.split('/').pop()!] : s);
  const walk = (route: string, raw: Schema, prefix: string, seen: string[]) => {
    if (raw.$ref && seen.includes(raw.$ref)) return;
    const s = resolve(raw);
    const next = raw.$ref ? [...seen, raw.$ref] : seen;
    for (const part of s.allOf ?? []) walk(route, part, prefix, next);
    if (s.items) walk(route, s.items, prefix, next);
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      const path = prefix ? `${prefix}.${name}` : name;
      const leaf = resolve(prop.items ?? prop);
      out.push({
        key: `${route} ${path}`,
        name,
        uuid: (prop.items ?? prop).format === 'uuid' || leaf.format === 'uuid',
      });
      walk(route, prop, path, next);
    }
  };
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      if (schema) walk(`${method.toUpperCase()} ${path}`, schema, '', []);
    }
  }
  return out;
}

function withValue(body: Record<string, unknown>, path: string, value: string): Record<string, unknown> {
  const copy = structuredClone(body);
  const names = path.split('.');
  let at = copy;
  for (const name of names.slice(0, -1)) at = at[name] as Record<string, unknown>;
  at[names[names.length - 1]] = value;
  return copy;
}

const isProblem = (res: { headers: Record<string, string> }) =>
  String(res.headers['content-type']).startsWith('application/problem+json');
/** The problem's `errors` name the property under test (the last word of the key). */
const names = (res: { body: { errors?: { field: string }[] } }, key: string) =>
  !!res.body.errors?.some((e) => e.field === key.split(' ')[2]);

describe('ids inside requests obey the rooftop rule of path ids (generated from the OpenAPI document)', () => {
  let t: TestApp;
  let w: World;
  let doc: Doc;

  beforeAll(async () => {
    t = await startTestApp();
    w = await buildWorld(t);
    doc = (await t.http.get('/api/docs-json')).body as Doc;
  });
  afterAll(() => t.close());

  /** What a refused request must leave as it was: rows of every table a body id leads to, and their versions. */
  const fingerprint = () =>
    t.db.query(
      `SELECT (SELECT count(*) FROM audit_log)::int AS audit, (SELECT count(*) FROM outbox_message)::int AS outbox,
              (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM customer) AS customers,
              (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM vehicle) AS vehicles,
              (SELECT count(*) FROM vehicle_ownership)::int AS ownerships,
              (SELECT count(*) FROM odometer_reading)::int AS readings,
              (SELECT count(*) FROM service_visit)::int AS visits,
              (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM task) AS tasks,
              (SELECT count(*) FROM complaint_case)::int AS complaints,
              (SELECT count(*) FROM referral)::int AS referrals,
              (SELECT count(*) FROM loyalty_entry)::int AS ledger`,
    );

  const send = async (key: string, c: Case, ctx: Ctx, token: string, value?: string): Promise<Test> => {
    const [method, path, property] = key.split(' ');
    const params = c.params?.(w, ctx) ?? {};
    const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]));
    let body = c.body(w, ctx);
    if (value !== undefined) body = withValue(body, property, value);
    const http = t.http as unknown as Record<string, (u: string) => Test>;
    let req = http[method.toLowerCase()](url).set(bearer(token));
    if (method === 'PATCH')
      req = req.set('If-Match', (await t.http.get(url).set(bearer(token))).headers.etag);
    return req.send(body);
  };

  const cases = () => Object.entries(BODY_IDS).filter((e): e is [string, Case] => !('global' in e[1]));

  it('covers every id property of every request body, and no property that no longer exists', () => {
    const inDoc = bodyProperties(doc)
      .filter((p) => p.uuid)
      .map((p) => p.key)
      .sort();
    const covered = Object.keys(BODY_IDS).sort();
    expect(inDoc.filter((k) => !covered.includes(k))).toEqual([]);
    expect(covered.filter((k) => !inDoc.includes(k))).toEqual([]);
  });

  it('documents every id property of a request body as a uuid (so that the coverage above sees it)', () => {
    const undocumented = bodyProperties(doc)
      .filter((p) => /Ids?$/.test(p.name) && !NOT_UUID.includes(p.name) && !p.uuid)
      .map((p) => p.key);
    expect(undocumented).toEqual([]);
  });

  it('answers 404 to rooftop A’s manager for an id of rooftop B or of nothing, writes nothing, and accepts A’s own', async () => {
    const failures: string[] = [];
    for (const [key, c] of cases()) {
      const ctx = (await c.setup?.(t, w)) ?? {};
      const before = await fingerprint();
      for (const [what, value] of [
        ['rooftop B’s', c.foreign(w)],
        ['an unknown', randomUUID()],
      ]) {
        const res = await send(key, c, ctx, w.a.manager.token, value);
        if (res.status !== 404 || !isProblem(res) || res.body.code !== 'not_found' || !names(res, key))
          failures.push(`${key} with ${what} id → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
      const after = await fingerprint();
      if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`${key}: a refused request wrote`);
      const own = await send(key, c, ctx, w.a.manager.token);
      if (own.status >= 300)
        failures.push(`${key} with rooftop A’s id → ${own.status} ${JSON.stringify(own.body).slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers 422 naming the field when a user the caller can see is not granted the record’s rooftop', async () => {
    const users = cases().filter(([, c]) => c.kind === 'user');
    expect(users.length).toBeGreaterThanOrEqual(8);
    const failures: string[] = [];
    for (const [key, c] of users) {
      const ctx = (await c.setup?.(t, w)) ?? {};
      const before = await fingerprint();
      // The admin sees every user, so rooftop B's user is visible; it still does not belong to rooftop A's record.
      const res = await send(key, c, ctx, w.admin.token, c.foreign(w));
      if (res.status !== 422 || !isProblem(res) || !names(res, key))
        failures.push(
          `${key} as admin with rooftop B’s user → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
        );
      if (JSON.stringify(await fingerprint()) !== JSON.stringify(before))
        failures.push(`${key}: a refused request wrote`);
    }
    expect(failures).toEqual([]);
  });

  it('checks a seller against the selling rooftop: a manager of A and B records B’s sale of a vehicle kept at A', async () => {
    const both = await t.user('manager', [w.rooftopA, w.rooftopB]);
    const sale = { ...vehicleBody(w), soldById: w.b.salesperson.id };
    const keptAtA = await t.http.post('/api/v1/vehicles').set(bearer(both.token)).send(sale);
    expect(keptAtA.status).toBe(422);
    expect(keptAtA.body.errors).toEqual([{ field: 'soldById', message: expect.any(String) }]);
    const soldAtB = await t.http
      .post('/api/v1/vehicles')
      .set(bearer(both.token))
      .send({ ...sale, vin: nextVin(), sellingRooftopId: w.rooftopB });
    expect(soldAtB.status).toBe(201);
    expect(soldAtB.body).toMatchObject({ rooftopId: w.rooftopA, sellingRooftopId: w.rooftopB });
  });

  it('re-checks the person already on a record when its rooftop changes: 422 until they fit', async () => {
    const admin = bearer(w.admin.token);
    const customer = await t.http.post('/api/v1/customers').set(admin).send(customerBody(w));
    const moved = await t.http
      .patch(`/api/v1/customers/${customer.body.id}`)
      .set(admin)
      .set('If-Match', customer.headers.etag)
      .send({ homeRooftopId: w.rooftopB });
    expect(moved.status).toBe(422);
    expect(moved.body.errors).toEqual([{ field: 'assignedSalespersonId', message: expect.any(String) }]);
    const withSalesperson = await t.http
      .patch(`/api/v1/customers/${customer.body.id}`)
      .set(admin)
      .set('If-Match', customer.headers.etag)
      .send({ homeRooftopId: w.rooftopB, assignedSalespersonId: w.b.salesperson.id });
    expect(withSalesperson.status).toBe(200);

    const vehicle = await t.http.post('/api/v1/vehicles').set(admin).send(vehicleBody(w));
    const soldElsewhere = await t.http
      .patch(`/api/v1/vehicles/${vehicle.body.id}`)
      .set(admin)
      .set('If-Match', vehicle.headers.etag)
      .send({ sellingRooftopId: w.rooftopB });
    expect(soldElsewhere.status).toBe(422);
    expect(soldElsewhere.body.errors).toEqual([{ field: 'soldById', message: expect.any(String) }]);
    const withSeller = await t.http
      .patch(`/api/v1/vehicles/${vehicle.body.id}`)
      .set(admin)
      .set('If-Match', vehicle.headers.etag)
      .send({ sellingRooftopId: w.rooftopB, soldById: w.b.salesperson.id });
    expect(withSeller.status).toBe(200);
  });

  describe('?rooftopId= filters', () => {
    /** Operations that take `?rooftopId=` and are not plain GETs: how to call them. */
    const NOT_GET: Record<string, (req: Test) => Test> = {
      'POST /api/v1/customers/import': (req) =>
        req.set('Content-Type', 'text/csv').send('External_ID,First Name,Last Name\nBODY-1,Filter,Test\n'),
    };
    const filtered = () =>
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.entries(ops)
          .filter(([, op]) => op.parameters?.some((p) => p.in === 'query' && p.name === 'rooftopId'))
          .map(([method]) => `${method.toUpperCase()} ${path}`),
      );
    /** The other required query parameters, from their documented example or first allowed value. */
    const required = (key: string) => {
      const [method, path] = key.split(' ');
      const params = doc.paths[path][method.toLowerCase()].parameters ?? [];
      return Object.fromEntries(
        params
          .filter((p) => p.in === 'query' && p.required && p.name !== 'rooftopId')
          .map((p) => [p.name, p.schema?.example ?? p.schema?.enum?.[0]]),
      );
    };
    const call = (key: string, token: string, rooftopId: string) => {
      const [method, path] = key.split(' ');
      const http = t.http as unknown as Record<string, (u: string) => Test>;
      const req = http[method.toLowerCase()](path)
        .query({ ...required(key), rooftopId })
        .set(bearer(token));
      return method === 'GET' ? req : NOT_GET[key](req);
    };

    it('knows how to call every operation that takes one', () => {
      const keys = filtered();
      expect(keys.length).toBeGreaterThanOrEqual(10);
      expect(keys.filter((k) => !k.startsWith('GET ') && !NOT_GET[k])).toEqual([]);
    });

    it('answers 404 for a rooftop not granted (and for an admin, one that does not exist), 200 for one’s own', async () => {
      const failures: string[] = [];
      for (const key of filtered()) {
        const before = await fingerprint();
        for (const [who, token, rooftopId] of [
          ['rooftop A’s manager, rooftop B', w.a.manager.token, w.rooftopB],
          ['the admin, no rooftop', w.admin.token, randomUUID()],
        ]) {
          const res = await call(key, token, rooftopId);
          if (res.status !== 404 || !isProblem(res))
            failures.push(`${key} as ${who} → ${res.status} ${JSON.stringify(res.body).slice(0, 150)}`);
        }
        if (JSON.stringify(await fingerprint()) !== JSON.stringify(before))
          failures.push(`${key}: a refused request wrote`);
        const own = await call(key, w.a.manager.token, w.rooftopA);
        if (own.status >= 300) failures.push(`${key} as rooftop A’s manager, rooftop A → ${own.status}`);
      }
      expect(failures).toEqual([]);
    });
  });
});
