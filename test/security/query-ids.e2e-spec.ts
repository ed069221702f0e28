import { randomUUID } from 'node:crypto';
import type { Test } from 'supertest';
import { buildWorld, type World } from '../support/security-world';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

/**
 * Ids in a list's query string obey the rule of ids in paths (docs/security.md "Rooftop scoping"): an id the
 * caller cannot see — a record of a rooftop not granted, a user who shares no rooftop with them, or nothing at
 * all — answers 404 problem+json naming the parameter, never an empty 200. Generated from the OpenAPI document:
 * every query parameter of a GET that is documented as a uuid or named …Id must have an entry in QUERY_IDS, so a
 * new filter fails this suite until someone decides how it is checked. `?rooftopId=` is covered by
 * test/security/body-ids.e2e-spec.ts.
 */

interface Case {
  /** What the id names (for a user: one whose role fits the filter). */
  kind: 'customer' | 'vehicle' | 'user';
  /** Rooftop B's record of that kind. */
  foreign: (w: World) => string;
  /** Rooftop A's record of that kind: rooftop A's manager gets 200. */
  own: (w: World) => string;
}

const customer: Case = { kind: 'customer', foreign: (w) => w.customerB, own: (w) => w.customerId };
const vehicle: Case = { kind: 'vehicle', foreign: (w) => w.vehicleB, own: (w) => w.vehicleId };
const user = (role: 'manager' | 'salesperson' | 'service_advisor'): Case => ({
  kind: 'user',
  foreign: (w) => w.b[role].id,
  own: (w) => w.a[role].id,
});

const QUERY_IDS: Record<string, Case> = {
  'GET /api/v1/customers salespersonId': user('salesperson'),
  'GET /api/v1/vehicles ownerId': customer,
  'GET /api/v1/service-visits vehicleId': vehicle,
  'GET /api/v1/service-visits customerId': customer,
  'GET /api/v1/messages customerId': customer,
  'GET /api/v1/tasks assigneeId': user('salesperson'),
  'GET /api/v1/tasks customerId': customer,
  'GET /api/v1/feedback salespersonId': user('salesperson'),
  'GET /api/v1/feedback advisorId': user('service_advisor'),
  'GET /api/v1/feedback/summary salespersonId': user('salesperson'),
  'GET /api/v1/feedback/summary advisorId': user('service_advisor'),
  'GET /api/v1/complaints ownerId': user('manager'),
  'GET /api/v1/complaints customerId': customer,
  'GET /api/v1/appointments advisorId': user('service_advisor'),
  'GET /api/v1/appointments customerId': customer,
};

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: { format?: string; example?: unknown; enum?: unknown[] };
}
type Doc = { paths: Record<string, Record<string, { parameters?: Parameter[] }>> };

/** Every id query parameter of every GET (`?rooftopId=` aside), as `GET <path> <name>`. */
function queryIds(doc: Doc): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    (ops.get?.parameters ?? [])
      .filter((p) => p.in === 'query' && p.name !== 'rooftopId')
      .filter((p) => p.schema?.format === 'uuid' || /Ids?$/.test(p.name))
      .map((p) => `GET ${path} ${p.name}`),
  );
}

const isProblem = (res: { headers: Record<string, string> }) =>
  String(res.headers['content-type']).startsWith('application/problem+json');

describe('ids in list filters obey the rooftop rule of path ids (generated from the OpenAPI document)', () => {
  let t: TestApp;
  let w: World;
  let doc: Doc;

  beforeAll(async () => {
    t = await startTestApp();
    w = await buildWorld(t);
    doc = (await t.http.get('/api/docs-json')).body as Doc;
  });
  afterAll(() => t.close());

  /** The other required query parameters, from their documented example or first allowed value. */
  const required = (path: string, name: string) =>
    Object.fromEntries(
      (doc.paths[path].get.parameters ?? [])
        .filter((p) => p.in === 'query' && p.required && p.name !== name)
        .map((p) => [p.name, p.schema?.example ?? p.schema?.enum?.[0]]),
    );
  const call = (key: string, token: string, id: string): Test => {
    const [, path, name] = key.split(' ');
    return t.http
      .get(path)
      .query({ ...required(path, name), [name]: id })
      .set(bearer(token));
  };

  it('covers every id filter of every list, and no filter that no longer exists', () => {
    const inDoc = queryIds(doc).sort();
    const covered = Object.keys(QUERY_IDS).sort();
    expect(inDoc.length).toBeGreaterThanOrEqual(10);
    expect(inDoc.filter((k) => !covered.includes(k))).toEqual([]);
    expect(covered.filter((k) => !inDoc.includes(k))).toEqual([]);
  });

  it('answers 404 naming the filter for an id of rooftop B or of nothing (also to an admin), 200 for rooftop A’s own', async () => {
    const failures: string[] = [];
    for (const [key, c] of Object.entries(QUERY_IDS)) {
      const name = key.split(' ')[2];
      for (const [who, token, id] of [
        ['rooftop A’s manager, rooftop B’s', w.a.manager.token, c.foreign(w)],
        ['rooftop A’s manager, an unknown', w.a.manager.token, randomUUID()],
        ['the admin, an unknown', w.admin.token, randomUUID()],
      ]) {
        const res = await call(key, token, id);
        const named = (res.body.errors ?? []).some((e: { field: string }) => e.field === name);
        if (res.status !== 404 || !isProblem(res) || res.body.code !== 'not_found' || !named)
          failures.push(
            `${key} as ${who} ${c.kind} → ${res.status} ${JSON.stringify(res.body).slice(0, 150)}`,
          );
      }
      const own = await call(key, w.a.manager.token, c.own(w));
      if (own.status !== 200)
        failures.push(
          `${key} as rooftop A’s manager, A’s own → ${own.status} ${JSON.stringify(own.body).slice(0, 150)}`,
        );
    }
    expect(failures).toEqual([]);
  });

  it('lets the admin filter by any rooftop’s record', async () => {
    const failures: string[] = [];
    for (const [key, c] of Object.entries(QUERY_IDS)) {
      const res = await call(key, w.admin.token, c.foreign(w));
      if (res.status !== 200) failures.push(`${key} as admin, rooftop B’s → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });
});
