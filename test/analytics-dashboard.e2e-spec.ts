import { JobsService } from '../src/jobs/jobs.service';
import { CHROMIUM, CHROMIUM_ARGS, describeInBrowser } from './support/browser';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DASHBOARD_TEXT } from '../src/analytics/dashboard/dashboard-i18n';
import { insertAnalyticsFixture } from './support/analytics-fixtures';
import { bearer, startTestApp, TestApp } from './support/test-app';

// The same formatting as the page (src/analytics/dashboard/dashboard-page.ts).
const pct = (v: number | null) => (v === null ? '—' : (v * 100).toFixed(1) + '%');
const num = (v: number | null, digits: number) => (v === null ? '—' : v.toFixed(digits));

describeInBrowser('manager dashboard in a real browser', () => {
  let t: TestApp;
  let context: BrowserContext;
  let page: Page;
  let baseUrl: string;
  let profile: string;
  let manager: { email: string; password: string; token: string };
  let rooftopA: string;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-06-15T03:00:00Z' });
    const A = await t.rooftop({ name: 'Phnom Penh' });
    const B = await t.rooftop({ name: 'Vientiane' });
    rooftopA = A.id;
    manager = await t.user('manager', [A.id]);
    const salesperson = await t.user('salesperson', [A.id]);
    const advisor = await t.user('service_advisor', [A.id]);
    await t.db.query(`UPDATE app_user SET language = 'km' WHERE email = $1`, [manager.email]);
    await insertAnalyticsFixture(t.db, {
      A: A.id,
      B: B.id,
      salesperson: salesperson.id,
      advisor: advisor.id,
    });
    await t.app.get(JobsService).run('customer-risk', t.clock.now());
    await t.app.listen(0, '127.0.0.1');
    baseUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1400, height: 1100 },
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    await t?.close();
  });

  it('serves the page and Chart.js from this app, and no data without a login', async () => {
    const html = await t.http.get('/dashboard');
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.text).toContain('<script src="/dashboard/chart.umd.min.js">');
    expect(html.text).not.toMatch(/https?:\/\/(cdn|unpkg|jsdelivr)/);
    const lib = await t.http.get('/dashboard/chart.umd.min.js');
    expect(lib.status).toBe(200);
    expect(lib.text.length).toBeGreaterThan(100_000);
    expect((await t.http.get('/api/v1/analytics/summary')).status).toBe(401);
  });

  it('logs a manager in, draws the charts in Khmer and shows the numbers the API returns', async () => {
    await page.goto(`${baseUrl}/dashboard`);
    await page.fill('#email', manager.email);
    await page.fill('#password', manager.password);
    await page.click('#login button[type=submit]');
    await page.waitForFunction(
      () => (window as unknown as { dashboard?: { ready: boolean } }).dashboard?.ready === true,
      undefined,
      { timeout: 30_000 },
    );

    // Every chart canvas has a Chart instance with data.
    const charts = await page.evaluate(() => {
      const w = window as unknown as {
        Chart: { getChart(el: HTMLCanvasElement): { data: { datasets: { data: unknown[] }[] } } | undefined };
      };
      return ['npsCsatChart', 'retentionChart', 'remindersChart', 'atRiskChart'].map((id) => {
        const chart = w.Chart.getChart(document.getElementById(id) as HTMLCanvasElement);
        return { id, drawn: !!chart, points: chart ? chart.data.datasets[0].data.length : 0 };
      });
    });
    expect(charts).toEqual([
      { id: 'npsCsatChart', drawn: true, points: expect.any(Number) },
      { id: 'retentionChart', drawn: true, points: 3 },
      { id: 'remindersChart', drawn: true, points: 2 },
      { id: 'atRiskChart', drawn: true, points: 7 },
    ]);

    // The manager's language is Khmer: the page speaks it.
    expect(await page.textContent('h1')).toBe(DASHBOARD_TEXT.km.title);
    expect(await page.textContent('[data-kpi=churnRate] .label')).toBe(DASHBOARD_TEXT.km.churnRate);

    // The figures shown equal the API's for the same token and the same (default) period.
    const token = await page.evaluate(() => sessionStorage.getItem('crm.token'));
    const api = async (p: string) =>
      (await t.http.get(`/api/v1/analytics/${p}`).set(bearer(token as string))).body;
    const s = await api('summary');
    const shown = async (kpi: string) => page.textContent(`[data-kpi=${kpi}] .value`);
    expect(await shown('churnRate')).toBe(pct(s.churn.rate));
    expect(await shown('serviceRetention')).toBe(pct(s.retention.serviceRetentionRate));
    expect(await shown('customerPayRetention')).toBe(pct(s.retention.customerPayRetentionRate));
    expect(await shown('nps')).toBe(num(s.feedback.nps, 1));
    expect(await shown('csat')).toBe(pct(s.feedback.csat));
    expect(await shown('responseRate')).toBe(pct(s.feedback.responseRate));
    expect(await shown('complaintMedian')).toBe(num(s.complaints.medianFirstResponseHours, 2));
    expect(await shown('complaintBreach')).toBe(pct(s.complaints.firstResponseBreachRate));
    expect(await shown('pointsOutstanding')).toBe(String(s.loyalty.pointsOutstanding));
    expect(await shown('redemptionRate')).toBe(pct(s.loyalty.redemptionRate));
    expect(s.loyalty.pointsOutstanding).toBe(1400);

    const nps = await api('series?metric=nps');
    const drawnNps = await page.evaluate(() => {
      const w = window as unknown as {
        dashboard: { charts: Record<string, { data: { datasets: { data: unknown[] }[] } }> };
      };
      return w.dashboard.charts.npsCsatChart.data.datasets[0].data;
    });
    expect(drawnNps).toEqual(nps.points.map((p: { value: number | null }) => p.value));

    const risk = await api('at-risk?limit=10');
    // The list's freshness, in the viewer's language and the rooftop's time zone (03:00 UTC = 10:00 in Phnom Penh).
    expect(risk.computedAt).toBe('2026-06-15T03:00:00.000Z');
    expect(await page.textContent('#atRiskAsOf')).toBe('ទិន្នន័យគិតត្រឹម 2026-06-15 10:00');
    const rows = await page.$$eval('#atRiskRows tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-customer'), tr.children[1]?.textContent]),
    );
    expect(rows).toEqual(
      risk.items.map((i: { customerId: string; score: number }) => [i.customerId, String(i.score)]),
    );
    expect(await page.textContent('#atRiskRows tr:first-child td:nth-child(3)')).toContain(
      DASHBOARD_TEXT.km.reason.overdue_maintenance,
    );

    const options = await page.$$eval('#rooftop option', (os) =>
      os.map((o) => (o as HTMLOptionElement).value),
    );
    expect(options).toEqual(['', rooftopA]);

    fs.mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true });
  });
});
