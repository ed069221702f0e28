import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApp, createLogger } from '../../src/app.factory';
import { FixedClock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source';
import { FollowUpsJob } from '../../src/follow-ups/follow-ups.job';
import type { Job } from '../../src/jobs/job';
import { ServiceRemindersPlanner } from '../../src/service-reminders/service-reminders.planner';
import { fixtures } from '../follow-ups-fixtures';
import request from 'supertest';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

/**
 * Cross-module concurrency: two app instances (two Nest applications, two DataSources, one database) run
 * the service-reminders and follow-ups planners at the same instants, straight through Job.run (the
 * JobsService advisory lock is bypassed on purpose). The outcome must equal one planner running alone on
 * an identical database: every message, task, survey and reminder stage exactly once.
 *
 * Covered elsewhere, not repeated: 50 concurrent redemptions on one loyalty account
 * (test/loyalty-ledger.e2e-spec.ts), two concurrent PATCHes on one instance (test/customers.e2e-spec.ts),
 * two dispatchers racing for one outbox (test/messaging.e2e-spec.ts) and, across processes, the fault suite.
 */
const T0 = new Date('2026-06-15T03:00:00Z');
const DAY = 86_400_000;
const day = (n: number) => new Date(T0.getTime() + n * DAY).toISOString();
const INSTANTS = [day(0), day(2), day(15)];

/** Same fleet in any database: sales, closed visits with declined work, vehicles with maintenance coming due. */
async function seed(t: TestApp, rooftopId: string, salespersonId: string) {
  const f = fixtures(t);
  for (let i = 0; i < 12; i++) {
    const customer = await f.customer(rooftopId, { salespersonId });
    const vehicle = await f.vehicle(rooftopId, customer, {
      purchaseDate: day(-5 - (i % 3)).slice(0, 10),
      soldById: salespersonId,
    });
    if (i % 2 === 0) {
      await f.closedVisit(rooftopId, vehicle, customer, day(-3 + (i % 4)), {
        declined: [{ description: 'Brake fluid', itemCode: 'BRAKE_FLUID', estimate: 45 }],
      });
    }
  }
  for (let i = 0; i < 12; i++) {
    const customer = await f.customer(rooftopId);
    // Bought six months ago, give or take: the oil change and tire rotation come due around T0.
    await f.vehicle(rooftopId, customer, { purchaseDate: day(-182 + (i % 20)).slice(0, 10) });
  }
}

async function outcome(db: DataSource) {
  const [row] = await db.query(`
    SELECT (SELECT json_object_agg(kind, n) FROM (SELECT kind, count(*)::int AS n FROM outbox_message GROUP BY kind) k) AS messages,
           (SELECT count(*)::int FROM outbox_message) AS total,
           -- a customer may get a sale and a service survey at the same instant (both at 09:00 local): two messages
           (SELECT count(DISTINCT (customer_id, kind, scheduled_at, payload->>'surveyKind'))::int FROM outbox_message) AS distinct_messages,
           (SELECT json_object_agg(type, n) FROM (SELECT type, count(*)::int AS n FROM task GROUP BY type) k) AS tasks,
           (SELECT count(*)::int FROM survey) AS surveys,
           (SELECT count(*)::int FROM service_reminder_stage) AS stages`);
  return row as {
    messages: Record<string, number>;
    total: number;
    distinct_messages: number;
    tasks: Record<string, number>;
    surveys: number;
    stages: number;
  };
}

describe('two planners at the same instant (two instances, lock bypassed)', () => {
  let t: TestApp;
  let second: { app: NestFastifyApplication; db: DataSource; dataDir: string };
  let reference: TestApp;

  const attach = async (url: string) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-second-'));
    const config = loadConfig({
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      // The same key as the first instance: a token works on either, as behind a load balancer.
      JWT_SECRET: t.config.JWT_SECRET ?? randomBytes(32).toString('hex'),
      JOBS_ENABLED: 'false',
      MIGRATIONS_RUN: 'false',
      LOG_LEVEL: 'warn',
      PUBLIC_BASE_URL: 'https://crm.test',
    });
    const db = new DataSource(dataSourceOptions(url, 10));
    await db.initialize();
    const app = await createApp(
      { config, database: { dataSource: db, url }, clock: new FixedClock(T0) },
      { logger: createLogger('warn') },
    );
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return { app, db, dataDir };
  };

  beforeAll(async () => {
    t = await startTestApp({ now: T0.toISOString() });
    reference = await startTestApp({ now: T0.toISOString() });
    second = await attach(t.config.DATABASE_URL!);
    for (const x of [t, reference]) {
      const rooftop = await x.rooftop();
      const sales = await x.user('salesperson', [rooftop.id]);
      await seed(x, rooftop.id, sales.id);
    }
  });
  afterAll(async () => {
    await second.app.close();
    if (second.db.isInitialized) await second.db.destroy();
    fs.rmSync(second.dataDir, { recursive: true, force: true });
    await reference.close();
    await t.close();
  });

  it('plans every reminder, follow-up email, task and survey exactly once — the same as one planner alone', async () => {
    // Really two connection pools: each instance works through its own DataSource.
    expect(second.app.get(DataSource)).toBe(second.db);
    expect(t.app.get(DataSource)).toBe(t.db);
    expect(second.db).not.toBe(t.db);
    const jobsOf = (app: NestFastifyApplication): Job[] => [
      app.get(ServiceRemindersPlanner),
      app.get(FollowUpsJob),
    ];
    for (const instant of INSTANTS) {
      const asOf = new Date(instant);
      // Both instances, both planners, twice each, all at once.
      const runs = [...jobsOf(t.app), ...jobsOf(second.app), ...jobsOf(t.app), ...jobsOf(second.app)].map(
        (job) => job.run(asOf),
      );
      await expect(Promise.all(runs)).resolves.toHaveLength(8);
      for (const job of jobsOf(reference.app)) await job.run(asOf);
    }
    const concurrent = await outcome(t.db);
    const alone = await outcome(reference.db);
    expect(alone.total).toBeGreaterThan(20);
    expect(Object.keys(alone.messages)).toEqual(
      expect.arrayContaining(['service_reminder', 'sale_thank_you', 'survey_invitation']),
    );
    expect(alone.surveys).toBeGreaterThan(0);
    expect(concurrent).toEqual(alone);
    expect(concurrent.distinct_messages).toBe(concurrent.total);

    // And a later sequential re-run adds nothing.
    for (const job of jobsOf(t.app)) await job.run(new Date(INSTANTS[INSTANTS.length - 1]));
    expect(await outcome(t.db)).toEqual(concurrent);
  });

  it('lets exactly one of ten concurrent PATCHes with the same If-Match win, across both instances', async () => {
    const rooftop = await t.rooftop();
    const sales = await t.user('salesperson', [rooftop.id]);
    const created = await t.http
      .post('/api/v1/customers')
      .set(bearer(sales.token))
      .send({ firstName: 'Race', homeRooftopId: rooftop.id });
    expect(created.status).toBe(201);
    const servers = [t.http, request(second.app.getHttpServer())];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        servers[i % 2]
          .patch(`/api/v1/customers/${created.body.id}`)
          .set(bearer(sales.token))
          .set('If-Match', '"1"')
          .send({ lastName: `Writer ${i}` }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array<number>(9).fill(412)]);
    const winner = results.find((r) => r.status === 200)!;
    const [row] = await t.db.query(`SELECT last_name, version FROM customer WHERE id = $1`, [
      created.body.id,
    ]);
    expect(row).toEqual({ last_name: winner.body.lastName, version: 2 });
  });
});
