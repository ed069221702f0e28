import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { AuthUser } from '../src/auth/auth-user';
import { JobsService } from '../src/jobs/jobs.service';
import { LoyaltyService } from '../src/loyalty-program/loyalty.service';
import { MemoryLedger, opArb } from './support/loyalty-model';
import { bearer, startTestApp, TestApp } from './support/test-app';

const DAY = 86_400_000;

describe('loyalty ledger under concurrency and random histories', () => {
  let t: TestApp;
  let rooftop: string;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-06-15T03:00:00Z' });
    rooftop = (await t.rooftop()).id;
  });
  afterAll(() => t.close());

  async function customer(): Promise<string> {
    const [row] = await t.db.query(
      `INSERT INTO customer (home_rooftop_id, first_name) VALUES ($1, 'Noy') RETURNING id`,
      [rooftop],
    );
    return row.id;
  }

  /** Every bank-statement invariant, read straight from the tables. */
  async function assertInvariants(customerId: string) {
    const [account] = await t.db.query(`SELECT balance FROM loyalty_account WHERE customer_id = $1`, [
      customerId,
    ]);
    const entries: {
      id: string;
      type: string;
      points: number;
      balanceAfter: number;
      remaining: number | null;
      occurredAt: Date;
      expiresAt: Date | null;
    }[] = await t.db.query(
      `SELECT id::text AS id, type, points, balance_after AS "balanceAfter", remaining, occurred_at AS "occurredAt", expires_at AS "expiresAt"
           FROM loyalty_entry WHERE customer_id = $1 ORDER BY loyalty_entry.id`,
      [customerId],
    );
    const sum = entries.reduce((s, e) => s + e.points, 0);
    expect(account?.balance ?? 0).toBe(sum);
    expect(sum).toBeGreaterThanOrEqual(0);
    let running = 0;
    for (const e of entries) {
      running += e.points;
      expect(e.balanceAfter).toBe(running);
    }
    expect(entries.reduce((s, e) => s + (e.remaining ?? 0), 0)).toBe(sum);
    const allocations: { lot: string; points: number; type: string; at: Date }[] = await t.db.query(
      `SELECT a.lot_entry_id::text AS lot, a.points, d.type, d.occurred_at AS at
         FROM loyalty_allocation a JOIN loyalty_entry d ON d.id = a.debit_entry_id WHERE d.customer_id = $1`,
      [customerId],
    );
    for (const lot of entries.filter((e) => e.points > 0)) {
      const used = allocations.filter((a) => a.lot === lot.id);
      expect(lot.points - used.reduce((s, a) => s + a.points, 0)).toBe(lot.remaining);
      // Expired only at (never before) 24 months after it was earned.
      for (const a of used.filter((x) => x.type === 'expire'))
        expect(new Date(a.at).getTime()).toBe(new Date(lot.expiresAt!).getTime());
    }
    return entries;
  }

  it('lets exactly floor(balance / cost) of 50 concurrent redemptions succeed and refuses the rest with 422', async () => {
    const c = await customer();
    const manager = await t.user('manager', [rooftop]);
    const sales = await t.user('salesperson', [rooftop]);
    const reward = await t.http
      .post('/api/v1/loyalty/rewards')
      .set(bearer(manager.token))
      .send({ code: 'SERVICE-70', name: 'Service voucher', pointsCost: 70 });
    expect(reward.status).toBe(201);
    await t.http
      .post(`/api/v1/customers/${c}/loyalty/adjustments`)
      .set(bearer(manager.token))
      .send({ points: 1_000, reason: 'Opening balance' })
      .expect(201);

    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        t.http
          .post(`/api/v1/customers/${c}/loyalty/redemptions`)
          .set(bearer(sales.token))
          .set('Idempotency-Key', randomUUID())
          .send({ rewardId: reward.body.id }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(Math.floor(1_000 / 70));
    expect(statuses.filter((s) => s === 422)).toHaveLength(50 - 14);
    for (const refused of answers.filter((a) => a.status === 422))
      expect(refused.body).toMatchObject({ code: 'insufficient_points', required: 70 });
    const balances = answers.filter((a) => a.status === 201).map((a) => a.body.balance as number);
    expect(new Set(balances).size).toBe(14);
    expect(Math.min(...balances)).toBe(20);
    await assertInvariants(c);
    expect((await t.http.get(`/api/v1/customers/${c}/loyalty`).set(bearer(sales.token))).body.balance).toBe(
      20,
    );
  });

  it('answers concurrent retries of one redemption with one effect', async () => {
    const c = await customer();
    const sales = await t.user('salesperson', [rooftop]);
    const manager = await t.user('manager', [rooftop]);
    await t.http
      .post(`/api/v1/customers/${c}/loyalty/adjustments`)
      .set(bearer(manager.token))
      .send({ points: 500, reason: 'Opening balance' })
      .expect(201);
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.http
          .post(`/api/v1/customers/${c}/loyalty/redemptions`)
          .set(bearer(sales.token))
          .set('Idempotency-Key', key)
          .send({ points: 100, reason: 'Tyre discount' }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    await assertInvariants(c);
    expect(
      (await t.db.query(`SELECT balance FROM loyalty_account WHERE customer_id = $1`, [c]))[0].balance,
    ).toBe(400);
  });

  it('refuses to rewrite or delete ledger entries, and a balance that disagrees with the ledger', async () => {
    const c = await customer();
    const manager = await t.user('manager', [rooftop]);
    await t.http
      .post(`/api/v1/customers/${c}/loyalty/adjustments`)
      .set(bearer(manager.token))
      .send({ points: 50, reason: 'Opening balance' })
      .expect(201);
    await expect(
      t.db.query(`UPDATE loyalty_entry SET points = 5000 WHERE customer_id = $1`, [c]),
    ).rejects.toThrow(/append-only/);
    await expect(t.db.query(`DELETE FROM loyalty_entry WHERE customer_id = $1`, [c])).rejects.toThrow(
      /append-only/,
    );
    await expect(
      t.db.query(`UPDATE loyalty_account SET balance = 5000 WHERE customer_id = $1`, [c]),
    ).rejects.toThrow(/does not match its ledger/);
    await expect(
      t.db.query(`UPDATE loyalty_account SET balance = -1 WHERE customer_id = $1`, [c]),
    ).rejects.toThrow(/check constraint/);
    await assertInvariants(c);
  });

  it("lets only the erasure blank an erased customer's reasons, and still refuses every other rewrite or delete", async () => {
    const c = await customer();
    const manager = await t.user('manager', [rooftop]);
    await t.http
      .post(`/api/v1/customers/${c}/loyalty/adjustments`)
      .set(bearer(manager.token))
      .send({ points: 50, reason: 'Goodwill for Noy' })
      .expect(201);
    const entry = `customer_id = '${c}'`;
    const refused = (sql: string) => expect(t.db.query(sql)).rejects.toThrow(/append-only/);
    // Not erased: the reason cannot change, not even to the marker.
    await refused(`UPDATE loyalty_entry SET reason = '[erased]' WHERE ${entry}`);
    await t.db.query(`UPDATE customer SET erased_at = now() WHERE id = $1`, [c]);
    // Erased: only to the marker, and nothing else alongside it.
    await refused(`UPDATE loyalty_entry SET reason = 'Something else' WHERE ${entry}`);
    await refused(`UPDATE loyalty_entry SET reason = '[erased]', points = 5000 WHERE ${entry}`);
    await refused(`UPDATE loyalty_entry SET reason = '[erased]', type = 'earn' WHERE ${entry}`);
    await refused(`UPDATE loyalty_entry SET reason = '[erased]', source = 'visit' WHERE ${entry}`);
    await refused(`UPDATE loyalty_entry SET reason = '[erased]', idempotency_key = 'other' WHERE ${entry}`);
    await refused(
      `UPDATE loyalty_entry SET reason = '[erased]', occurred_at = occurred_at - interval '1 day' WHERE ${entry}`,
    );
    await refused(`UPDATE loyalty_entry SET reason = '[erased]', balance_after = 5000 WHERE ${entry}`);
    await refused(`UPDATE loyalty_entry SET reason = '[erased]', remaining = remaining + 1 WHERE ${entry}`);
    await refused(`UPDATE loyalty_entry SET points = 5000 WHERE ${entry}`);
    await refused(`UPDATE loyalty_entry SET type = 'earn' WHERE ${entry}`);
    await refused(`DELETE FROM loyalty_entry WHERE ${entry}`);
    const before = await t.db.query(`SELECT * FROM loyalty_entry WHERE ${entry}`);
    await t.db.query(`UPDATE loyalty_entry SET reason = '[erased]' WHERE ${entry}`);
    expect(await t.db.query(`SELECT * FROM loyalty_entry WHERE ${entry}`)).toEqual(
      before.map((e: object) => ({ ...e, reason: '[erased]' })),
    );
    await assertInvariants(c);
  });

  it('matches the in-memory model over random histories of earn, redeem, adjust, expire and reverse (real database)', async () => {
    const service = t.app.get(LoyaltyService);
    const jobs = t.app.get(JobsService);
    const managerUser = await t.user('manager', [rooftop]);
    const actor = new AuthUser(managerUser.id, 'manager', [rooftop], 'jwt');
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 20 }), async (ops) => {
        const c = await customer();
        const model = new MemoryLedger();
        const lotIds: { model: string; db: string }[] = [];
        let now = new Date('2024-01-01T00:00:00Z').getTime();
        for (const op of ops) {
          now += op.days * DAY;
          const at = new Date(now);
          t.clock.set(at);
          switch (op.kind) {
            case 'earn': {
              const modelId = model.credit('earn', op.points, at);
              const entry = await t.db.transaction((m) =>
                service.credit(m, {
                  customerId: c,
                  points: op.points,
                  source: 'visit',
                  reason: 'Random visit',
                  idempotencyKey: randomUUID(),
                  actor: null,
                  occurredAt: at,
                }),
              );
              lotIds.push({ model: modelId, db: entry.id });
              break;
            }
            case 'redeem': {
              const ok = model.spend('redeem', op.points, at);
              const res = await service
                .redeem(c, { points: op.points, reason: 'Random redemption' }, randomUUID(), actor)
                .then(
                  () => true,
                  (e: { code?: string }) => {
                    if (e.code !== 'insufficient_points') throw e;
                    return false;
                  },
                );
              expect(res).toBe(ok);
              break;
            }
            case 'adjust': {
              const ok =
                op.points > 0
                  ? (model.credit('adjust', op.points, at), true)
                  : model.spend('adjust', -op.points, at);
              const res = await service
                .adjust(c, { points: op.points, reason: 'Random adjustment' }, undefined, actor)
                .then(
                  () => true,
                  (e: { code?: string }) => {
                    if (e.code !== 'insufficient_points') throw e;
                    return false;
                  },
                );
              expect(res).toBe(ok);
              break;
            }
            case 'expire':
              model.expire(at);
              await jobs.run('loyalty-expiry', at);
              break;
            case 'reverse': {
              if (!lotIds.length) break;
              const target = lotIds[op.pick % lotIds.length];
              model.reverse(target.model, at);
              await t.db.transaction((m) =>
                service.reverse(m, target.db, { reason: 'Random void', occurredAt: at }),
              );
              break;
            }
          }
        }
        const entries = await assertInvariants(c);
        expect(entries.map((e) => [e.type, e.points, e.balanceAfter])).toEqual(
          model.entries.map((e) => [e.type, e.points, e.balanceAfter]),
        );
      }),
      { numRuns: 50 },
    );
    t.clock.set('2026-06-15T03:00:00Z');
  });
});
