import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { EntityManager } from 'typeorm';
import { AdjustmentIdempotencyScope1764000014000 } from '../migrations/1764000014000-adjustment-idempotency-scope';
import { DomainEventMap, DomainEvents } from '../src/common/domain-events';
import { requestHash } from '../src/common/http/idempotency-key';
import { JobsService } from '../src/jobs/jobs.service';
import { MaintenanceDueService } from '../src/service-reminders/maintenance-due.service';
import { creditPoints } from './support/loyalty-fixtures';
import { bearer, startTestApp, TestApp } from './support/test-app';

type Token = { id: string; token: string };

describe('loyalty program', () => {
  let t: TestApp;
  let rooftopA: string;
  let rooftopB: string;
  let admin: Token;
  let manager: Token;
  let sales: Token;
  let advisor: Token;
  let managerB: Token;
  let vinSeq = 0;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-06-15T03:00:00Z' });
    rooftopA = (await t.rooftop()).id;
    rooftopB = (await t.rooftop()).id;
    admin = await t.user('admin');
    manager = await t.user('manager', [rooftopA]);
    sales = await t.user('salesperson', [rooftopA]);
    advisor = await t.user('service_advisor', [rooftopA]);
    managerB = await t.user('manager', [rooftopB]);
  });
  afterAll(() => t.close());

  async function customer(rooftopId = rooftopA): Promise<string> {
    const [row] = await t.db.query(
      `INSERT INTO customer (home_rooftop_id, first_name, last_name, email) VALUES ($1, 'Sok', 'Dara', $2) RETURNING id`,
      [rooftopId, `c${randomUUID().slice(0, 8)}@example.test`],
    );
    return row.id;
  }

  async function vehicle(ownerId: string, purchaseDate = '2026-01-01'): Promise<string> {
    vinSeq += 1;
    const vin = `LXY${String(vinSeq).padStart(14, '0')}`;
    const [row] = await t.db.query(
      `INSERT INTO vehicle (rooftop_id, vin, make, model, year, powertrain, owner_id, purchase_date, purchase_odometer)
       VALUES ($1, $2, 'Toyota', 'Vios', 2025, 'ice', $3, $4, 0) RETURNING id`,
      [rooftopA, vin, ownerId, purchaseDate],
    );
    await t.db.query(
      `INSERT INTO vehicle_ownership (vehicle_id, customer_id, started_at) VALUES ($1, $2, $3)`,
      [row.id, ownerId, `${purchaseDate}T00:00:00Z`],
    );
    return row.id;
  }

  async function emit<K extends keyof DomainEventMap>(name: K, payload: DomainEventMap[K]) {
    await t.db.transaction((m) => t.app.get(DomainEvents).emit(m, name, payload));
  }

  async function balance(customerId: string): Promise<number> {
    const [row] = await t.db.query(`SELECT balance FROM loyalty_account WHERE customer_id = $1`, [
      customerId,
    ]);
    return row?.balance ?? 0;
  }

  async function entries(
    customerId: string,
  ): Promise<{ type: string; points: number; source: string; idempotencyKey: string }[]> {
    return t.db.query(
      `SELECT type, points, source, idempotency_key AS "idempotencyKey" FROM loyalty_entry WHERE customer_id = $1 ORDER BY id`,
      [customerId],
    );
  }

  async function ledgerCount(): Promise<number> {
    return (await t.db.query(`SELECT count(*)::int AS n FROM loyalty_entry`))[0].n;
  }

  async function credit(customerId: string, points: number, occurredAt?: Date) {
    await creditPoints(t, customerId, points, { occurredAt });
  }

  async function closeVisit(
    vehicleId: string,
    at: string,
    amount = 200,
    itemCode = 'OIL_CHANGE',
  ): Promise<string> {
    t.clock.set(at);
    const res = await t.http
      .post('/api/v1/service-visits')
      .set(bearer(advisor.token))
      .send({
        rooftopId: rooftopA,
        vehicleId,
        roNumber: `RO-${randomUUID().slice(0, 8)}`,
        visitDate: at,
        odometer: 5_000,
        lines: [{ itemCode, labourAmount: amount / 2, partsAmount: amount / 2, payType: 'customer' }],
        close: true,
      });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  const redeem = (
    customerId: string,
    body: object,
    key: string | null = randomUUID(),
    token = sales.token,
  ) => {
    const req = t.http.post(`/api/v1/customers/${customerId}/loyalty/redemptions`).set(bearer(token));
    if (key !== null) req.set('Idempotency-Key', key);
    return req.send(body);
  };

  describe('earning', () => {
    it('earns 1 point per currency unit of customer pay when a visit closes, and reverses it when the visit is voided', async () => {
      const c = await customer();
      const v = await vehicle(c, '2024-01-01');
      const visitId = await closeVisit(v, '2026-06-15T03:00:00Z', 149.98);
      expect(await balance(c)).toBe(149);
      expect(await entries(c)).toEqual([
        expect.objectContaining({
          type: 'earn',
          points: 149,
          source: 'visit',
          idempotencyKey: `visit:${visitId}:earn`,
        }),
      ]);

      const voided = await t.http
        .post(`/api/v1/service-visits/${visitId}/void`)
        .set(bearer(advisor.token))
        .send({ reason: 'Wrong vehicle' });
      expect(voided.status).toBe(200);
      expect(await balance(c)).toBe(0);
      // Voiding again (a replayed event) reverses nothing more.
      await emit('service_visit.voided', {
        visitId,
        vehicleId: v,
        customerId: c,
        rooftopId: rooftopA,
        voidedAt: t.clock.now(),
      });
      expect((await entries(c)).map((e) => [e.type, e.points])).toEqual([
        ['earn', 149],
        ['reverse', -149],
      ]);
    });

    it('earns 500 for a vehicle purchase and 100 for an answered survey, once each however often the event comes', async () => {
      const c = await customer();
      const sold = {
        vehicleId: randomUUID(),
        customerId: c,
        rooftopId: rooftopA,
        soldById: null,
        purchaseDate: '2026-06-10',
        purchaseType: 'new',
      };
      await emit('vehicle.sold', sold);
      await emit('vehicle.sold', sold);
      const survey = {
        surveyId: randomUUID(),
        customerId: c,
        rooftopId: rooftopA,
        nps: 10,
        csat: 5,
        answeredAt: new Date('2026-06-14T00:00:00Z'),
      };
      await emit('survey.answered', survey);
      await emit('survey.answered', survey);
      expect((await entries(c)).map((e) => [e.source, e.points])).toEqual([
        ['sale', 500],
        ['survey', 100],
      ]);
      expect(await balance(c)).toBe(600);
    });

    it('uses a rooftop’s own earning rules from settings.loyalty', async () => {
      const lak = await t.rooftop({ currency: 'LAK', settings: { loyalty: { surveyPoints: 40 } } });
      const c = await customer(lak.id);
      await emit('survey.answered', {
        surveyId: randomUUID(),
        customerId: c,
        rooftopId: lak.id,
        nps: 8,
        csat: 4,
        answeredAt: new Date('2026-06-14T00:00:00Z'),
      });
      expect(await balance(c)).toBe(40);
    });

    it('earns 250 for a referral who buys, once, and only for the referrer', async () => {
      const referrer = await customer();
      const friend = await customer();
      const res = await t.http
        .post(`/api/v1/customers/${referrer}/referrals`)
        .set(bearer(sales.token))
        .send({ referredCustomerId: friend });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        referrerCustomerId: referrer,
        referredCustomerId: friend,
        rewardedAt: null,
      });
      await emit('vehicle.sold', {
        vehicleId: randomUUID(),
        customerId: friend,
        rooftopId: rooftopA,
        soldById: null,
        purchaseDate: '2026-06-12',
        purchaseType: 'new',
      });
      await emit('vehicle.sold', {
        vehicleId: randomUUID(),
        customerId: friend,
        rooftopId: rooftopA,
        soldById: null,
        purchaseDate: '2026-06-13',
        purchaseType: 'used',
      });
      expect((await entries(referrer)).map((e) => [e.source, e.points])).toEqual([['referral', 250]]);
      expect(await balance(friend)).toBe(1_000);
      const list = await t.http.get(`/api/v1/customers/${referrer}/referrals`).set(bearer(sales.token));
      expect(list.body.items[0].rewardedAt).not.toBeNull();
    });

    it('refuses bad referrals and writes nothing', async () => {
      const a = await customer();
      const b = await customer();
      const other = await customer(rooftopB);
      const post = (id: string, body: object) =>
        t.http.post(`/api/v1/customers/${id}/referrals`).set(bearer(sales.token)).send(body);
      const missing = await post(a, { referredCustomerId: 'nope', extra: 1 });
      expect(missing.status).toBe(400);
      expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'extra',
        'referredCustomerId',
      ]);
      expect((await post(a, { referredCustomerId: a })).body).toMatchObject({
        status: 422,
        code: 'self_referral',
      });
      expect((await post(a, { referredCustomerId: other })).body).toMatchObject({
        status: 404,
        code: 'not_found',
        errors: [{ field: 'referredCustomerId', message: expect.any(String) }],
      });
      expect((await post(other, { referredCustomerId: a })).status).toBe(404);
      expect(
        (
          await t.db.query(`SELECT count(*)::int AS n FROM referral WHERE referrer_customer_id IN ($1, $2)`, [
            a,
            other,
          ])
        )[0].n,
      ).toBe(0);
      expect((await post(a, { referredCustomerId: b })).status).toBe(201);
      expect((await post(b, { referredCustomerId: b })).status).toBe(422);
      expect((await post(await customer(), { referredCustomerId: b })).body).toMatchObject({
        status: 409,
        code: 'already_referred',
      });
    });
  });

  describe('on-time service bonus (+50 % between the due_soon date, inclusive, and the overdue date, exclusive)', () => {
    let dueSoon: string;
    let overdue: string;
    const day = (date: string, delta: number) =>
      new Date(Date.parse(`${date}T03:00:00Z`) + delta * 86_400_000).toISOString();

    beforeAll(async () => {
      const c = await customer();
      const v = await vehicle(c, '2026-01-01');
      const due = await t.app.get(MaintenanceDueService).dueForVehicle(v, new Date('2026-02-01T00:00:00Z'));
      const oil = due.items.find((i) => i.itemCode === 'OIL_CHANGE')!;
      dueSoon = oil.dueSoonDate!;
      overdue = oil.overdueDate!;
    });

    it.each([
      ['the day before due_soon', 0, 'dueSoon', -1],
      ['on the due_soon date', 100, 'dueSoon', 0],
      ['the day before overdue', 100, 'overdue', -1],
      ['on the overdue date', 0, 'overdue', 0],
    ])('closing a 200-point visit %s earns a bonus of %i', async (_label, bonus, anchor, delta) => {
      const c = await customer();
      const v = await vehicle(c, '2026-01-01');
      const visitId = await closeVisit(v, day(anchor === 'dueSoon' ? dueSoon : overdue, delta), 200);
      const rows = await entries(c);
      expect(rows.map((e) => e.idempotencyKey)).toEqual(
        bonus ? [`visit:${visitId}:earn`, `visit:${visitId}:bonus`] : [`visit:${visitId}:earn`],
      );
      expect(await balance(c)).toBe(200 + bonus);
    });

    afterAll(() => t.clock.set('2026-06-15T03:00:00Z'));
  });

  describe('tiers', () => {
    it.each([
      [999, 'bronze'],
      [1_000, 'silver'],
      [2_999, 'silver'],
      [3_000, 'gold'],
      [5_999, 'gold'],
      [6_000, 'platinum'],
    ])('puts %i points earned in the trailing 12 months in %s', async (points, tier) => {
      const c = await customer();
      await credit(c, points);
      const res = await t.http.get(`/api/v1/customers/${c}/loyalty`).set(bearer(sales.token));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ balance: points, tier, earnedTrailing12Months: points });
    });

    it('writes one tier-up email per tier and month, transactional, in the same transaction as the earning', async () => {
      const c = await customer();
      await credit(c, 600);
      await credit(c, 600);
      await credit(c, 100);
      const rows = await t.db.query(
        `SELECT dedupe_key, kind, purpose, payload FROM outbox_message WHERE customer_id = $1`,
        [c],
      );
      expect(rows).toEqual([
        expect.objectContaining({
          dedupe_key: `tier:${c}:silver:2026-06`,
          kind: 'loyalty_tier_up',
          purpose: 'transactional',
        }),
      ]);
      expect(rows[0].payload).toMatchObject({
        tier: 'silver',
        previousTier: 'bronze',
        nextTier: 'gold',
        pointsToNextTier: 1_800,
      });
      const summary = await t.http.get(`/api/v1/customers/${c}/loyalty`).set(bearer(sales.token));
      expect(summary.body).toMatchObject({ tier: 'silver', nextTier: 'gold', pointsToNextTier: 1_700 });
      const view360 = await t.http.get(`/api/v1/customers/${c}/360`).set(bearer(sales.token));
      expect(view360.status).toBe(200);
      expect(view360.body.loyalty).toMatchObject({ balance: 1_300, tier: 'silver' });
    });

    it('lowers the tier in the nightly job when points leave the 12-month window', async () => {
      const c = await customer();
      await credit(c, 1_000, new Date('2026-01-10T00:00:00Z'));
      expect((await t.http.get(`/api/v1/customers/${c}/loyalty`).set(bearer(sales.token))).body.tier).toBe(
        'silver',
      );
      const early = await t.app.get(JobsService).run('loyalty-tiers', new Date('2027-01-09T00:00:00Z'));
      expect(early.result).toMatchObject({ failed: 0 });
      expect((await t.db.query(`SELECT tier FROM loyalty_account WHERE customer_id = $1`, [c]))[0].tier).toBe(
        'silver',
      );
      const res = await t.http
        .post('/api/v1/jobs/loyalty-tiers/runs')
        .set(bearer(admin.token))
        .send({ asOf: '2027-01-10T00:00:00Z' });
      expect(res.status).toBe(200);
      expect(res.body.result.tierDowns).toBeGreaterThanOrEqual(1);
      expect((await t.db.query(`SELECT tier FROM loyalty_account WHERE customer_id = $1`, [c]))[0].tier).toBe(
        'bronze',
      );
    });
  });

  describe('expiry', () => {
    it('expires points 24 months after they were earned, oldest first, after partial redemptions, once', async () => {
      const c = await customer();
      await credit(c, 100, new Date('2024-03-01T00:00:00Z'));
      await credit(c, 200, new Date('2024-09-01T00:00:00Z'));
      await credit(c, 300, new Date('2026-01-01T00:00:00Z'));
      t.clock.set('2025-01-01T00:00:00Z');
      expect((await redeem(c, { points: 150, reason: 'Oil change discount' })).status).toBe(201); // 100 from lot 1, 50 from lot 2
      t.clock.set('2026-06-15T03:00:00Z');

      const summary = await t.http.get(`/api/v1/customers/${c}/loyalty`).set(bearer(sales.token));
      expect(summary.body.expiringSoon).toEqual({
        withinDays: 90,
        points: 150,
        lots: [{ expiresAt: '2026-09-01T00:00:00.000Z', points: 150 }],
      });

      const jobs = t.app.get(JobsService);
      await jobs.run('loyalty-expiry', new Date('2026-08-31T23:59:59Z'));
      expect(await balance(c)).toBe(450);
      const run = await jobs.run('loyalty-expiry', new Date('2026-09-01T00:00:00Z'));
      expect(run.result).toMatchObject({ entries: 1, points: 150, failed: 0 });
      await jobs.run('loyalty-expiry', new Date('2026-09-02T00:00:00Z'));
      expect(await balance(c)).toBe(300);
      const expired = await t.db.query(
        `SELECT points, occurred_at FROM loyalty_entry WHERE customer_id = $1 AND type = 'expire'`,
        [c],
      );
      expect(expired).toEqual([{ points: -150, occurred_at: new Date('2026-09-01T00:00:00Z') }]);
    });

    it('never spends points that have expired even before the nightly job ran', async () => {
      const c = await customer();
      await credit(c, 100, new Date('2024-01-01T00:00:00Z'));
      await credit(c, 50, new Date('2026-01-01T00:00:00Z'));
      const res = await redeem(c, { points: 60, reason: 'Accessories' });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'insufficient_points', balance: 50, required: 60 });
      expect(await balance(c)).toBe(150);
    });

    it('shows the balance without points past their expiry, in the summary and the 360, before the job ran', async () => {
      t.clock.set('2026-06-15T03:00:00Z');
      const c = await customer();
      await credit(c, 100, new Date('2024-01-01T00:00:00Z')); // expired 2026-01-01, not written yet
      await credit(c, 40, new Date('2024-08-01T00:00:00Z')); // expires 2026-08-01: within 90 days of the clock
      await credit(c, 50, new Date('2026-01-01T00:00:00Z'));
      expect(await balance(c)).toBe(190);
      const expected = {
        balance: 90,
        expiringSoon: {
          withinDays: 90,
          points: 40,
          lots: [{ expiresAt: '2026-08-01T00:00:00.000Z', points: 40 }],
        },
      };
      const summary = await t.http.get(`/api/v1/customers/${c}/loyalty`).set(bearer(sales.token));
      expect(summary.body).toMatchObject(expected);
      const view = await t.http.get(`/api/v1/customers/${c}/360`).set(bearer(sales.token));
      expect(view.body.loyalty).toMatchObject(expected);
      // What the summary says can be spent, can.
      expect((await redeem(c, { points: 90, reason: 'Accessories' })).status).toBe(201);
    });
  });

  describe('rewards and redemptions', () => {
    let rewardId: string;

    it('lets a manager create and update rewards (If-Match) and forbids a salesperson (403)', async () => {
      const created = await t.http
        .post('/api/v1/loyalty/rewards')
        .set(bearer(manager.token))
        .send({ code: 'FREE-WASH', name: 'Free car wash', pointsCost: 300 });
      expect(created.status).toBe(201);
      rewardId = created.body.id;
      expect(
        (
          await t.http
            .post('/api/v1/loyalty/rewards')
            .set(bearer(sales.token))
            .send({ code: 'X1', name: 'Nope', pointsCost: 1 })
        ).status,
      ).toBe(403);
      expect(
        (
          await t.http
            .patch(`/api/v1/loyalty/rewards/${rewardId}`)
            .set(bearer(sales.token))
            .set('If-Match', '"1"')
            .send({ name: 'Nope' })
        ).status,
      ).toBe(403);
      expect(
        (
          await t.http
            .patch(`/api/v1/loyalty/rewards/${rewardId}`)
            .set(bearer(manager.token))
            .send({ name: 'Wash' })
        ).status,
      ).toBe(428);
      expect(
        (
          await t.http
            .patch(`/api/v1/loyalty/rewards/${rewardId}`)
            .set(bearer(manager.token))
            .set('If-Match', '"7"')
            .send({ name: 'Wash' })
        ).status,
      ).toBe(412);
      const updated = await t.http
        .patch(`/api/v1/loyalty/rewards/${rewardId}`)
        .set(bearer(manager.token))
        .set('If-Match', '"1"')
        .send({ name: 'Free car wash and vacuum' });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ name: 'Free car wash and vacuum', pointsCost: 300, version: 2 });
      const list = await t.http.get('/api/v1/loyalty/rewards').set(bearer(sales.token));
      expect(list.body.items.map((r: { code: string }) => r.code)).toContain('FREE-WASH');
    });

    it('refuses bad rewards and writes nothing', async () => {
      const before = (await t.db.query(`SELECT count(*)::int AS n FROM loyalty_reward`))[0].n;
      const bad = await t.http
        .post('/api/v1/loyalty/rewards')
        .set(bearer(manager.token))
        .send({ code: 'a b', name: '', pointsCost: 0, active: 'yes', x: 1 });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'active',
        'code',
        'name',
        'pointsCost',
        'x',
      ]);
      expect(
        (
          await t.http
            .post('/api/v1/loyalty/rewards')
            .set(bearer(manager.token))
            .send({ code: 'free-wash', name: 'Dup', pointsCost: 5 })
        ).status,
      ).toBe(409);
      const nulled = await t.http
        .patch(`/api/v1/loyalty/rewards/${rewardId}`)
        .set(bearer(manager.token))
        .set('If-Match', '"2"')
        .send({ name: null });
      expect(nulled.status).toBe(400);
      expect((await t.db.query(`SELECT count(*)::int AS n FROM loyalty_reward`))[0].n).toBe(before);
    });

    it('redeems a reward or points; the statement shows the running balance newest first', async () => {
      const c = await customer();
      await credit(c, 1_000);
      const byReward = await redeem(c, { rewardId });
      expect(byReward.status).toBe(201);
      expect(byReward.body).toMatchObject({ points: 300, balance: 700, rewardId });
      const byPoints = await redeem(c, { points: 200, reason: 'Floor mats' }, randomUUID(), advisor.token);
      expect(byPoints.body).toMatchObject({ points: 200, balance: 500 });
      const ledger = await t.http
        .get(`/api/v1/customers/${c}/loyalty/ledger?limit=2`)
        .set(bearer(sales.token));
      expect(
        ledger.body.items.map((e: { type: string; points: number; balanceAfter: number }) => [
          e.type,
          e.points,
          e.balanceAfter,
        ]),
      ).toEqual([
        ['redeem', -200, 500],
        ['redeem', -300, 700],
      ]);
      const next = await t.http
        .get(`/api/v1/customers/${c}/loyalty/ledger?limit=2&cursor=${ledger.body.nextCursor}`)
        .set(bearer(sales.token));
      expect(next.body).toMatchObject({
        items: [expect.objectContaining({ type: 'earn', points: 1_000, balanceAfter: 1_000 })],
        nextCursor: null,
      });
      const redemptions = await t.http
        .get(`/api/v1/customers/${c}/loyalty/redemptions`)
        .set(bearer(sales.token));
      expect(redemptions.body.items).toHaveLength(2);
    });

    it('replays the first answer for the same key and body, and refuses the same key with another body (422)', async () => {
      const c = await customer();
      await credit(c, 1_000);
      const key = randomUUID();
      const first = await redeem(c, { points: 100, reason: 'Wiper blades' }, key);
      const again = await redeem(c, { points: 100, reason: 'Wiper blades' }, key);
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      const other = await redeem(c, { points: 101, reason: 'Wiper blades' }, key);
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('idempotency_key_reused');
      expect(await balance(c)).toBe(900);
    });

    it('scopes an Idempotency-Key to its caller: the same key sent at two rooftops gives two redemptions', async () => {
      const atA = await customer(rooftopA);
      const atB = await customer(rooftopB);
      await credit(atA, 1_000);
      await credit(atB, 1_000);
      const key = randomUUID();
      const body = { points: 100, reason: 'Wiper blades' };
      const first = await redeem(atA, body, key, sales.token);
      const second = await redeem(atB, body, key, managerB.token);
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.headers['idempotent-replayed']).toBeUndefined();
      expect(second.body).toMatchObject({ customerId: atB, createdBy: managerB.id });
      expect([await balance(atA), await balance(atB)]).toEqual([900, 900]);
      // Each caller's retry still replays its own answer.
      const retry = await redeem(atB, body, key, managerB.token);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(second.body);
      expect(await balance(atB)).toBe(900);
    });

    it('answers 422 with the current balance when points are short, and 428 without an Idempotency-Key', async () => {
      const c = await customer();
      await credit(c, 250);
      const short = await redeem(c, { rewardId });
      expect(short.status).toBe(422);
      expect(short.headers['content-type']).toMatch(/problem\+json/);
      expect(short.body).toMatchObject({ code: 'insufficient_points', balance: 250, required: 300 });
      expect((await redeem(c, { points: 10, reason: 'Key chain' }, null)).status).toBe(428);
      expect(await balance(c)).toBe(250);
    });

    it('refuses bad redemptions and writes nothing', async () => {
      const c = await customer();
      await credit(c, 500);
      const before = await ledgerCount();
      const cases: [object, string[]][] = [
        [{}, ['points', 'rewardId']],
        [{ points: 0, reason: 'x' }, ['points', 'reason']],
        [{ points: 10 }, ['reason']],
        [{ rewardId: 'abc' }, ['rewardId']],
        [{ points: 1.5, reason: 'Half a point', bonus: true }, ['bonus', 'points']],
      ];
      for (const [body, fields] of cases) {
        const res = await redeem(c, body);
        expect(res.status).toBe(400);
        expect([...new Set(res.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(fields);
      }
      expect((await redeem(c, { rewardId, points: 5, reason: 'both' })).status).toBe(400);
      expect((await redeem(c, { rewardId: randomUUID() })).body).toMatchObject({
        status: 422,
        code: 'unknown_reward',
      });
      expect((await redeem(c, { points: 5, reason: 'Key chain' }, 'bad key with spaces')).status).toBe(400);
      expect(await ledgerCount()).toBe(before);
      expect(
        (await t.db.query(`SELECT count(*)::int AS n FROM loyalty_redemption WHERE customer_id = $1`, [c]))[0]
          .n,
      ).toBe(0);
    });
  });

  describe('adjustments', () => {
    it('lets a manager add and remove points with a reason, audited, never below zero', async () => {
      const c = await customer();
      const post = (body: object, token = manager.token) =>
        t.http.post(`/api/v1/customers/${c}/loyalty/adjustments`).set(bearer(token)).send(body);
      const add = await post({ points: 300, reason: 'Goodwill for the delayed delivery' });
      expect(add.status).toBe(201);
      expect(add.body).toMatchObject({ type: 'adjust', points: 300, balance: 300, source: 'manager' });
      expect((await post({ points: -100, reason: 'Duplicate credit' })).body).toMatchObject({
        points: -100,
        balance: 200,
      });
      const tooMuch = await post({ points: -201, reason: 'Too much' });
      expect(tooMuch.status).toBe(422);
      expect(tooMuch.body).toMatchObject({ code: 'insufficient_points', balance: 200 });
      const audit = await t.db.query(
        `SELECT action, fields, reason FROM audit_log WHERE entity_id = $1 ORDER BY id`,
        [c],
      );
      expect(audit).toEqual([
        {
          action: 'loyalty.adjusted',
          fields: ['loyalty.balance'],
          reason: 'Goodwill for the delayed delivery',
        },
        { action: 'loyalty.adjusted', fields: ['loyalty.balance'], reason: 'Duplicate credit' },
      ]);
      expect(await balance(c)).toBe(200);
    });

    it('scopes an Idempotency-Key to its caller: the same key sent by managers of two rooftops gives two adjustments', async () => {
      const atA = await customer(rooftopA);
      const atB = await customer(rooftopB);
      const key = randomUUID();
      const body = { points: 250, reason: 'Goodwill for the delayed delivery' };
      const adjust = (c: string, token: string) =>
        t.http
          .post(`/api/v1/customers/${c}/loyalty/adjustments`)
          .set(bearer(token))
          .set('Idempotency-Key', key)
          .send(body);
      const first = await adjust(atA, manager.token);
      const second = await adjust(atB, managerB.token);
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.headers['idempotent-replayed']).toBeUndefined();
      expect(second.body).toMatchObject({ customerId: atB, sourceId: managerB.id, balance: 250 });
      expect([await balance(atA), await balance(atB)]).toEqual([250, 250]);
      // Each caller's retry still replays its own answer.
      const retry = await adjust(atB, managerB.token);
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(second.body);
      expect([await balance(atA), await balance(atB)]).toEqual([250, 250]);
    });

    it('replays a retry across the upgrade that scoped adjustment keys (migration 1764000014000)', async () => {
      const c = await customer(rooftopA);
      const key = randomUUID();
      const adjust = () =>
        t.http
          .post(`/api/v1/customers/${c}/loyalty/adjustments`)
          .set(bearer(manager.token))
          .set('Idempotency-Key', key)
          .send({ points: 40, reason: 'Birthday bonus' });
      const first = await adjust();
      expect(first.status).toBe(201);
      // Stored as before the upgrade: one shared scope.
      await t.db.query(`UPDATE loyalty_idempotency SET scope = 'adjustment' WHERE scope = $1 AND key = $2`, [
        `adjustment:${manager.id}`,
        key,
      ]);
      const runner = t.db.createQueryRunner();
      try {
        await new AdjustmentIdempotencyScope1764000014000().up(runner);
      } finally {
        await runner.release();
      }
      const retry = await adjust();
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect(await balance(c)).toBe(40);
    });

    it('forbids salespeople and advisors (403) and refuses bad input, writing nothing', async () => {
      const c = await customer();
      const before = await ledgerCount();
      const post = (body: object, token = manager.token) =>
        t.http.post(`/api/v1/customers/${c}/loyalty/adjustments`).set(bearer(token)).send(body);
      expect((await post({ points: 10, reason: 'Because' }, sales.token)).status).toBe(403);
      expect((await post({ points: 10, reason: 'Because' }, advisor.token)).status).toBe(403);
      const bad = await post({ points: 0, reason: '' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['points', 'reason']);
      expect((await post({ points: '5', reason: 'String points' })).status).toBe(400);
      expect((await post({ points: -5, reason: 'Nothing to take' })).status).toBe(422);
      expect(await ledgerCount()).toBe(before);
      expect(
        (await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1`, [c]))[0].n,
      ).toBe(0);
    });
  });

  describe('rooftop scoping', () => {
    it('answers 404 for a customer of a rooftop not granted, on every loyalty route', async () => {
      const c = await customer(rooftopA);
      await credit(c, 500);
      const base = `/api/v1/customers/${c}`;
      expect((await t.http.get(`${base}/loyalty`).set(bearer(managerB.token))).status).toBe(404);
      expect((await t.http.get(`${base}/loyalty/ledger`).set(bearer(managerB.token))).status).toBe(404);
      expect((await t.http.get(`${base}/loyalty/redemptions`).set(bearer(managerB.token))).status).toBe(404);
      expect(
        (await redeem(c, { points: 10, reason: 'Key chain' }, randomUUID(), managerB.token)).status,
      ).toBe(404);
      expect(
        (
          await t.http
            .post(`${base}/loyalty/adjustments`)
            .set(bearer(managerB.token))
            .send({ points: 10, reason: 'Nope' })
        ).status,
      ).toBe(404);
      expect(
        (await t.http.get(`/api/v1/customers/${randomUUID()}/loyalty`).set(bearer(admin.token))).status,
      ).toBe(404);
      expect(await balance(c)).toBe(500);
    });

    it('answers 404 before opening an account: another rooftop’s customer without one, or no such customer', async () => {
      // The customer is read in the statement that locks the account; the account is opened only after the check.
      const c = await customer(rooftopA);
      const accounts = async () =>
        (await t.db.query(`SELECT count(*)::int AS n FROM loyalty_account WHERE customer_id = $1`, [c]))[0].n;
      const refused = await redeem(c, { points: 10, reason: 'Key chain' }, randomUUID(), managerB.token);
      expect(refused.status).toBe(404);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      const adjusted = await t.http
        .post(`/api/v1/customers/${c}/loyalty/adjustments`)
        .set(bearer(managerB.token))
        .send({ points: 10, reason: 'Nope' });
      expect(adjusted.status).toBe(404);
      expect(await accounts()).toBe(0);
      const none = await redeem(randomUUID(), { points: 10, reason: 'Key chain' }, randomUUID(), admin.token);
      expect(none.status).toBe(404);
      expect(none.headers['content-type']).toMatch(/application\/problem\+json/);
    });

    it('answers the ledger entry the redemption wrote (stored with the answer in the same statement)', async () => {
      const c = await customer();
      const first = await redeem(c, { points: 10, reason: 'Key chain' }, randomUUID(), admin.token);
      expect(first.status).toBe(422); // no account yet, nothing to spend: refused, and nothing stored
      await credit(c, 100);
      const key = randomUUID();
      const done = await redeem(c, { points: 40, reason: 'Key chain' }, key);
      expect(done.status).toBe(201);
      const [row] = await t.db.query(
        `SELECT r.entry_id::text AS "entryId", i.body->>'entryId' AS "storedEntryId", e.points, e.type
           FROM loyalty_redemption r JOIN loyalty_entry e ON e.id = r.entry_id
           JOIN loyalty_idempotency i ON i.key = $2
          WHERE r.id = $1`,
        [done.body.id, key],
      );
      expect(row).toEqual({
        entryId: done.body.entryId,
        storedEntryId: done.body.entryId,
        points: -40,
        type: 'redeem',
      });
      expect(done.body.balance).toBe(60);
      const again = await redeem(c, { points: 40, reason: 'Key chain' }, key);
      expect(again.body).toEqual(done.body);
      expect(await balance(c)).toBe(60);
    });
  });

  describe("the caller's user, checked by the redemption's first statement (not by the guard)", () => {
    const stored = async (userId: string) =>
      (
        await t.db.query(`SELECT count(*)::int AS n FROM loyalty_idempotency WHERE scope = $1`, [
          `redemption:${userId}`,
        ])
      )[0].n;

    it('refuses a disabled user at once (401 before 404 or a replay, nothing written) and follows a removed rooftop grant at once', async () => {
      const user = await t.user('salesperson', [rooftopA]);
      const c = await customer();
      await credit(c, 500);
      const key = randomUUID();
      const body = { points: 10, reason: 'Key chain' };
      expect((await redeem(c, body, key, user.token)).status).toBe(201);

      await t.db.query(`UPDATE app_user SET active = false WHERE id = $1`, [user.id]);
      const refused = await redeem(c, body, randomUUID(), user.token);
      expect(refused.status).toBe(401);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect((await redeem(c, body, key, user.token)).status).toBe(401); // no replay either
      expect((await redeem(randomUUID(), body, randomUUID(), user.token)).status).toBe(401); // not 404
      expect(await balance(c)).toBe(490);
      expect(await stored(user.id)).toBe(1);

      await t.db.query(`UPDATE app_user SET active = true WHERE id = $1`, [user.id]);
      expect((await redeem(c, body, randomUUID(), user.token)).status).toBe(201);
      await t.db.query(`DELETE FROM user_rooftop WHERE user_id = $1`, [user.id]);
      expect((await redeem(c, body, randomUUID(), user.token)).status).toBe(404);
      expect(await balance(c)).toBe(480);
      expect(await stored(user.id)).toBe(2);
      expect((await redeem(c, body, randomUUID(), 'not-a-token')).status).toBe(401);
    });

    it('takes an API key checked by the guard, as on every route', async () => {
      const owner = await t.user('manager', [rooftopA]);
      const created = await t.http
        .post('/api/v1/api-keys')
        .set(bearer(admin.token))
        .send({ name: 'Kiosk', userId: owner.id });
      const apiKey = created.body.key as string;
      const c = await customer();
      await credit(c, 100);
      const send = () =>
        t.http
          .post(`/api/v1/customers/${c}/loyalty/redemptions`)
          .set('X-API-Key', apiKey)
          .set('Idempotency-Key', randomUUID())
          .send({ points: 10, reason: 'Key chain' });
      const done = await send();
      expect(done.status).toBe(201);
      expect(done.body.createdBy).toBe(owner.id);
      await t.db.query(`UPDATE app_user SET active = false WHERE id = $1`, [owner.id]);
      expect((await send()).status).toBe(401);
      expect(await balance(c)).toBe(90);
    });
  });

  describe("redemption without the account's lock (read, then one write gated on the account row)", () => {
    /** Runs `during` in a transaction of its own, sends the redemption, and commits once the request waits on it. */
    async function redeemAcross(
      during: (m: EntityManager) => Promise<unknown>,
      send: () => Promise<Response>,
    ) {
      const holder = t.db.createQueryRunner();
      await holder.connect();
      try {
        await holder.startTransaction();
        await during(holder.manager);
        const pending = send();
        for (let waiting = 0; waiting < 1;) {
          await new Promise((r) => setTimeout(r, 20));
          [{ waiting }] = await t.db.query(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
        }
        await holder.commitTransaction();
        return await pending;
      } finally {
        await holder.release();
      }
    }

    it('redeems from the new balance when another write to the account commits between its read and its write', async () => {
      const c = await customer();
      await credit(c, 100);
      // The credit holds the account row (updated, not committed): the redemption reads the balance of 100, then
      // its gated write waits for the row; once the credit commits the gate fails, nothing is written, and the
      // redemption runs again under the lock from a balance of 150.
      const res = await redeemAcross(
        (m) => creditPoints(t, c, 50, { manager: m }),
        () => redeem(c, { points: 40, reason: 'Key chain' }).then((r) => r),
      );
      expect(res.status).toBe(201);
      expect(res.body.balance).toBe(110);
      expect(await balance(c)).toBe(110);
      expect((await entries(c)).map((e) => e.points)).toEqual([100, 50, -40]);
    });

    it('replays the answer another request stored for the same key between its read and its write, writing nothing', async () => {
      const c = await customer();
      await credit(c, 100);
      const key = randomUUID();
      const body = { points: 40, reason: 'Key chain' };
      const stored = { id: randomUUID(), customerId: c, points: 40, balance: 60, note: 'stored meanwhile' };
      // The answer is inserted (not committed) before the request reads: its gated write then waits on the key,
      // meets the committed answer (a unique violation that undoes the whole statement) and replays it.
      const res = await redeemAcross(
        (m) =>
          m.query(
            `INSERT INTO loyalty_idempotency (scope, key, request_hash, status, body) VALUES ($1, $2, $3, 201, $4)`,
            [
              `redemption:${sales.id}`,
              key,
              requestHash({ customerId: c, rewardId: null, points: 40, reason: 'Key chain' }),
              JSON.stringify(stored),
            ],
          ),
        () => redeem(c, body, key).then((r) => r),
      );
      expect(res.status).toBe(201);
      expect(res.body).toEqual(stored);
      expect(await balance(c)).toBe(100);
      expect(await entries(c)).toHaveLength(1);
      expect(
        (await t.db.query(`SELECT count(*)::int AS n FROM loyalty_redemption WHERE customer_id = $1`, [c]))[0]
          .n,
      ).toBe(0);
    });

    it('gives its connection back to the pool whatever it answers (more requests than the pool has connections)', async () => {
      // Its read and write share one connection checked out of the pool: every way out must hand it back, or
      // the pool runs dry and later requests wait for a connection that never comes.
      const poolSize = (t.db.options.extra as { max: number }).max;
      const c = await customer();
      await credit(c, 100);
      const other = await customer(rooftopB);
      await credit(other, 100);
      const key = randomUUID();
      expect((await redeem(c, { points: 10, reason: 'Key chain' }, key)).status).toBe(201);
      for (let i = 0; i <= poolSize; i++) {
        expect((await redeem(c, { points: 1_000, reason: 'Too much' })).status).toBe(422);
        expect((await redeem(other, { points: 10, reason: 'Key chain' })).status).toBe(404);
        expect((await redeem(c, { points: 10, reason: 'Key chain' }, key)).status).toBe(201);
      }
      const res = await redeem(c, { points: 20, reason: 'Floor mats' });
      expect(res.status).toBe(201);
      expect(res.body.balance).toBe(70);
    });
  });
});
