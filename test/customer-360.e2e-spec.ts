import { Client } from 'pg';
import { Customer360Service } from '../src/customers/customer-360.service';
import { Customer } from '../src/customers/customer.entity';
import { FeedbackService } from '../src/feedback/feedback.service';
import { bearer, startTestApp, TestApp } from './support/test-app';

/**
 * The customer 360 is one statement whose JSON PostgreSQL builds and the app sends as is (issue 16). Each part of
 * the document must stay what its own endpoint or service answers, timestamps written as JSON writes a Date.
 */
describe('GET /customers/{id}/360 (one statement)', () => {
  let t: TestApp;
  let rooftopId: string;
  let other: string;
  let manager: { id: string; token: string };
  let outsider: { token: string };
  let customerId: string;

  beforeAll(async () => {
    t = await startTestApp();
    rooftopId = (await t.rooftop()).id;
    other = (await t.rooftop()).id;
    manager = await t.user('manager', [rooftopId]);
    outsider = await t.user('manager', [other]);
    const created = await t.http.post('/api/v1/customers').set(bearer(manager.token)).send({
      homeRooftopId: rooftopId,
      firstName: 'Whole',
      lastName: 'Document',
      email: 'whole.document@example.com',
      phone: '+85512345678',
      birthday: '1990-02-03',
    });
    expect(created.status).toBe(201);
    customerId = created.body.id;
    const h = bearer(manager.token);
    expect(
      (
        await t.http
          .post(`/api/v1/customers/${customerId}/consents`)
          .set(h)
          .send({ purpose: 'marketing', granted: true, source: 'showroom_form' })
      ).status,
    ).toBe(201);
    // Microseconds, which JSON of a Date drops: the document must show milliseconds, as before.
    await t.db.query(
      `INSERT INTO interaction (customer_id, rooftop_id, kind, direction, summary, occurred_at)
       VALUES ($1, $2, 'call', 'outbound', 'Checked in', '2026-06-01T10:00:00.123456Z')`,
      [customerId, rooftopId],
    );
    await t.db.query(
      `INSERT INTO vehicle (vin, make, model, year, powertrain, owner_id, rooftop_id, purchase_date)
       VALUES ('5YJ3E1EA7KF317000', 'Tesla', 'Model 3', 2024, 'ev', $1, $2, '2024-01-10')`,
      [customerId, rooftopId],
    );
    // Loyalty: an earned lot inside the 12-month window that expires within 90 days, and an older one.
    await t.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO loyalty_account (customer_id, balance, lifetime_earned, tier) VALUES ($1, 1300, 1300, 'silver')`,
        [customerId],
      );
      await m.query(
        `INSERT INTO loyalty_entry (customer_id, type, points, reason, source, source_id, idempotency_key, occurred_at,
                                  expires_at, remaining, balance_after)
       VALUES ($1::uuid, 'earn', 300, 'old', 'manager', 'a', 'a:' || $1::text, '2025-01-01T00:00:00Z', '2026-07-01T00:00:00.5Z', 300, 300),
              ($1::uuid, 'earn', 1000, 'new', 'manager', 'b', 'b:' || $1::text, '2026-05-01T00:00:00Z', '2028-05-01T00:00:00Z', 1000, 1300)`,
        [customerId],
      );
    });
    await t.db.query(
      `INSERT INTO survey (kind, rooftop_id, customer_id, dedupe_key, issued_at, expires_at, answered_at, nps, csat)
       VALUES ('service', $1, $2, 'd1', '2026-06-01T00:00:00.987654Z', '2026-07-01T00:00:00Z', '2026-06-02T00:00:00Z', 8, 4)`,
      [rooftopId, customerId],
    );
    expect(
      (
        await t.http
          .post('/api/v1/complaints')
          .set(h)
          .send({ customerId, source: 'email', summary: 'Late delivery' })
      ).status,
    ).toBe(201);
    expect(
      (
        await t.http
          .post('/api/v1/tasks')
          .set(h)
          .send({ customerId, title: 'Call', dueAt: '2026-06-16T03:00:00Z' })
      ).status,
    ).toBe(201);
  }, 120_000);
  afterAll(() => t.close());

  it('is each part as its own endpoint or service answers it, with millisecond timestamps', async () => {
    const h = bearer(manager.token);
    const res = await t.http.get(`/api/v1/customers/${customerId}/360`).set(h);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const doc = res.body;
    const entity = await t.db.getRepository(Customer).findOneByOrFail({ id: customerId });
    expect(doc.customer).toEqual(JSON.parse(JSON.stringify(entity)));
    const consents = await t.http.get(`/api/v1/customers/${customerId}/consents`).set(h);
    expect(doc.consents).toEqual(consents.body.current);
    const loyalty = await t.http.get(`/api/v1/customers/${customerId}/loyalty`).set(h);
    expect(loyalty.status).toBe(200);
    expect(doc.loyalty).toEqual(loyalty.body);
    expect(doc.loyalty).toMatchObject({
      balance: 1300,
      tier: 'silver',
      earnedTrailing12Months: 1000,
      nextTier: 'gold',
      pointsToNextTier: 2000,
      expiringSoon: { points: 300, lots: [{ expiresAt: '2026-07-01T00:00:00.500Z', points: 300 }] },
    });
    const sections = await t.app.get(FeedbackService).sectionsFor360(customerId);
    expect({ surveys: doc.surveys, tasks: doc.tasks, complaints: doc.complaints }).toEqual(
      JSON.parse(JSON.stringify(sections)),
    );
    expect(doc.surveys[0].issuedAt).toBe('2026-06-01T00:00:00.987Z');
    expect(doc.recentInteractions).toEqual([
      expect.objectContaining({ summary: 'Checked in', occurredAt: '2026-06-01T10:00:00.123Z' }),
    ]);
    expect(doc.vehicles).toEqual([
      expect.objectContaining({
        vin: '5YJ3E1EA7KF317000',
        purchaseDate: '2024-01-10',
        warrantyEndDate: null,
      }),
    ]);
  });

  it('answers 404 for another rooftop’s customer and for an unknown id', async () => {
    expect((await t.http.get(`/api/v1/customers/${customerId}/360`).set(bearer(outsider.token))).status).toBe(
      404,
    );
    expect(
      (
        await t.http
          .get('/api/v1/customers/00000000-0000-4000-8000-000000000000/360')
          .set(bearer(manager.token))
      ).status,
    ).toBe(404);
  });

  it('is one statement besides authentication: no section (the conversation included) reads on its own', async () => {
    // Every statement the app sends while the request runs (pg's Client: TypeORM and the pool both use it).
    const sent: unknown[][] = [];
    const query = Client.prototype.query;
    Client.prototype.query = function (this: Client, ...args: unknown[]) {
      const [config, values] = args as [{ values?: unknown[] } | string, unknown];
      sent.push(Array.isArray(values) ? values : typeof config === 'object' ? (config.values ?? []) : []);
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof Client.prototype.query;
    let res;
    try {
      res = await t.http.get(`/api/v1/customers/${customerId}/360`).set(bearer(manager.token));
    } finally {
      Client.prototype.query = query;
    }
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.conversation)).toBe(true);
    expect(sent.filter((values) => values.includes(customerId))).toHaveLength(1);
  });

  it('still takes sections written as functions, added to the document PostgreSQL built', async () => {
    t.app.get(Customer360Service).registerSection('testSection', async (ctx) => ({
      id: ctx.customer.id,
      firstName: ctx.customer.firstName,
      at: new Date('2026-01-01T00:00:00Z'),
    }));
    const res = await t.http.get(`/api/v1/customers/${customerId}/360`).set(bearer(manager.token));
    expect(res.status).toBe(200);
    expect(res.body.testSection).toEqual({
      id: customerId,
      firstName: 'Whole',
      at: '2026-01-01T00:00:00.000Z',
    });
    expect(res.body.customer.id).toBe(customerId);
    expect(() => t.app.get(Customer360Service).registerSection('loyalty', async () => null)).toThrow(
      /already defined/,
    );
  });
});
