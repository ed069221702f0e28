import { DEMO_PASSWORD, seedDemoData } from '../src/demo-seed/demo-seed';
import { TASK_TITLES } from '../src/tasks/task-titles';
import { bearer, startTestApp, TestApp } from './support/test-app';

const AS_OF = new Date('2026-06-15T03:00:00Z');

describe('demo seed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ now: AS_OF.toISOString() });
  });
  afterAll(() => t.close());

  it('builds a believable dealer group in one transaction and refuses to run twice', async () => {
    const first = await seedDemoData(t.db, { asOf: AS_OF, customers: 3000 });
    expect(first.seeded).toBe(true);
    expect(first.counts).toMatchObject({ rooftops: 2, users: 12, customers: 3000, vehicles: 3600 });
    expect(first.counts.service_visits).toBeGreaterThan(5000);
    expect(first.counts.messages_sent).toBeGreaterThan(first.counts.service_visits);
    expect(first.counts.surveys_answered).toBeGreaterThan(1000);
    expect(first.counts.complaints).toBeGreaterThan(50);

    const again = await seedDemoData(t.db, { asOf: AS_OF, customers: 3000 });
    expect(again.seeded).toBe(false);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM customer`))[0].n).toBe(3000);
  });

  it('raises the open tasks of the last two weeks, each titled in its assignee’s language', async () => {
    const tasks: { title: string; language: 'en' | 'km' | 'lo' }[] = await t.db.query(
      `SELECT k.title, u.language FROM task k JOIN app_user u ON u.id = k.assignee_id WHERE k.status = 'open'`,
    );
    expect(new Set(tasks.map((k) => k.language))).toEqual(new Set(['en', 'km', 'lo']));
    const titlePattern = (template: string) =>
      new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '.+')}$`);
    const inOwnLanguage = (k: (typeof tasks)[number]) =>
      Object.values(TASK_TITLES).some((titles) => titlePattern(titles[k.language]).test(k.title));
    expect(tasks.filter((k) => !inOwnLanguage(k))).toEqual([]);
  });

  it('keeps the loyalty ledger consistent: balance = sum of entries = unexpired lots', async () => {
    const broken = await t.db.query(`
      SELECT a.customer_id FROM loyalty_account a
        JOIN (SELECT customer_id, sum(points) AS total, sum(remaining) FILTER (WHERE points > 0) AS lots FROM loyalty_entry GROUP BY customer_id) e
          ON e.customer_id = a.customer_id
       WHERE a.balance <> e.total OR a.balance <> e.lots`);
    expect(broken).toEqual([]);
  });

  it('lets the demo manager log in and see real figures', async () => {
    const login = await t.http
      .post('/api/v1/auth/login')
      .send({ email: 'manager.phnompenh@demo.example', password: DEMO_PASSWORD });
    expect(login.status).toBe(200);
    const summary = await t.http.get('/api/v1/analytics/summary').set(bearer(login.body.accessToken));
    expect(summary.status).toBe(200);
    const s = summary.body;
    for (const rate of [
      s.churn.rate,
      s.retention.serviceRetentionRate,
      s.retention.customerPayRetentionRate,
      s.feedback.csat,
      s.feedback.responseRate,
      s.loyalty.redemptionRate,
    ]) {
      expect(rate).toBeGreaterThan(0);
      expect(rate).toBeLessThan(1);
    }
    expect(s.feedback.nps).toBeGreaterThan(0);
    expect(s.complaints.opened).toBeGreaterThan(0);
    const reminders = await t.http.get('/api/v1/analytics/reminders').set(bearer(login.body.accessToken));
    expect(reminders.body.items.map((i: { kind: string }) => i.kind)).toEqual([
      'sale_thank_you',
      'service_reminder',
      'win_back',
    ]);
    const service = reminders.body.items.find((i: { kind: string }) => i.kind === 'service_reminder');
    expect(service.conversionRate).toBeGreaterThan(0.2);
    const risk = await t.http.get('/api/v1/analytics/at-risk?limit=5').set(bearer(login.body.accessToken));
    expect(risk.body.items).toHaveLength(5);
    expect(risk.body.items[0].score).toBeGreaterThanOrEqual(risk.body.items[4].score);
  });
});
