import { randomUUID } from 'node:crypto';
import { creditPoints } from './support/loyalty-fixtures';
import { bearer, startTestApp, TestApp } from './support/test-app';

/**
 * The hot paths' statements run prepared (src/common/prepared-query.ts) so that PostgreSQL can keep one plan per
 * connection instead of planning every call. It keeps it only when the generic plan does not look dearer than the
 * custom ones: a statement whose arrays read as constants (`unnest($1::int[])`) gets a row estimate from each call's
 * values, every custom plan looks cheaper, and the statement is planned anew on every execution (the dispatcher's
 * outcome statement did: 0.4 ms of planning per call, as much as running it). With one connection in the pool, every
 * statement below runs on the connection this test then reads pg_prepared_statements from.
 */
describe('prepared statements of the hot paths', () => {
  let t: TestApp;
  let rooftopId: string;
  let sales: { token: string };

  beforeAll(async () => {
    t = await startTestApp({ env: { DB_POOL_SIZE: '1' } });
    rooftopId = (await t.rooftop()).id;
    sales = await t.user('salesperson', [rooftopId]);
  });
  afterAll(() => t.close());

  async function customerWithPoints(points: number): Promise<string> {
    const [row] = await t.db.query(
      `INSERT INTO customer (home_rooftop_id, first_name, last_name, email) VALUES ($1, 'Sok', 'Dara', $2) RETURNING id`,
      [rooftopId, `c${randomUUID().slice(0, 8)}@example.test`],
    );
    // Two lots, so that a redemption of 150 takes points from both.
    for (const part of [points / 2, points / 2]) await creditPoints(t, row.id, part);
    return row.id;
  }

  it('keep their generic plan after the first five executions: redemption, its replay, and the 360 view', async () => {
    const customers: string[] = [];
    for (let i = 0; i < 8; i++) customers.push(await customerWithPoints(400));
    for (const c of customers) {
      const key = randomUUID();
      const send = () =>
        t.http
          .post(`/api/v1/customers/${c}/loyalty/redemptions`)
          .set(bearer(sales.token))
          .set('Idempotency-Key', key)
          .send({ points: 150, reason: 'Floor mats' });
      expect((await send()).status).toBe(201);
      expect((await send()).status).toBe(201); // the replay of the same key
      expect((await t.http.get(`/api/v1/customers/${c}/360`).set(bearer(sales.token))).status).toBe(200);
    }

    const statements: { name: string; statement: string; generic: number; custom: number }[] =
      await t.db.query(
        `SELECT name, statement, generic_plans::int AS generic, custom_plans::int AS custom
           FROM pg_prepared_statements WHERE name LIKE 'q\\_%'`,
      );
    const hot = statements.filter((s) => s.generic + s.custom >= 8);
    // The redemption's read and write and the 360 view at least.
    expect(hot.length).toBeGreaterThanOrEqual(3);
    const replanned = hot
      .filter((s) => s.generic === 0)
      .map((s) => `${s.custom} custom plans: ${s.statement.replace(/\s+/g, ' ').slice(0, 160)}`);
    expect(replanned).toEqual([]);
  });
});
