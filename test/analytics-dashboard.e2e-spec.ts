import { JobsService } from '../src/jobs/jobs.service';
import { CHROMIUM, CHROMIUM_ARGS, describeInBrowser } from './support/browser';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DASHBOARD_TEXT } from '../src/analytics/dashboard/dashboard-i18n';
import { insertAnalyticsFixture, type AnalyticsFixture } from './support/analytics-fixtures';
import { bearer, startTestApp, TestApp } from './support/test-app';

type Lang = keyof typeof DASHBOARD_TEXT;
const PASSWORD = 'Mekong-ferry-lantern-2026!';
// Khmer (U+17E0–17E9) and Lao (U+0ED0–0ED9) digits: the page writes Latin digits only, in every language.
const NATIVE_DIGITS = /[\u17E0-\u17E9\u0ED0-\u0ED9]/;

/** A number as the page must write it: Latin digits, the language's grouping and decimal marks. */
function formatNumber(lang: Lang, v: number, maxDigits: number): string {
  const { group, decimal } = DASHBOARD_TEXT[lang].format;
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: maxDigits })
    .formatToParts(v)
    .map((p) => (p.type === 'group' ? group : p.type === 'decimal' ? decimal : p.value))
    .join('');
}
const pct = (lang: Lang, v: number | null) => (v === null ? '—' : formatNumber(lang, v * 100, 1) + '%');

interface ChartView {
  labels: string[];
  datasets: { data: unknown[]; label: string }[];
  scales: Record<string, { type: string; title: string | null; ticks: string[] }>;
}
/** What Chart.js drew on a canvas: labels, datasets and each axis's title and tick labels. */
function readChart(page: Page, id: string): Promise<ChartView> {
  return page.evaluate((canvasId) => {
    type ChartLike = {
      data: { labels: string[]; datasets: { data: unknown[]; label: string }[] };
      scales: Record<
        string,
        { type: string; options: { title: { display: boolean; text: string } }; ticks: { label: string }[] }
      >;
    };
    const w = window as unknown as { Chart: { getChart(el: HTMLElement): ChartLike | undefined } };
    const chart = w.Chart.getChart(document.getElementById(canvasId) as HTMLElement) as ChartLike;
    const scales: ChartView['scales'] = {};
    for (const [key, s] of Object.entries(chart.scales)) {
      scales[key] = {
        type: s.type,
        title: s.options.title.display ? s.options.title.text : null,
        ticks: s.ticks.map((tick) => String(tick.label)),
      };
    }
    return {
      labels: chart.data.labels.map(String),
      datasets: chart.data.datasets.map((d) => ({ data: d.data, label: d.label })),
      scales,
    };
  }, id);
}

describeInBrowser('manager dashboard in a real browser', () => {
  let t: TestApp;
  let context: BrowserContext;
  let page: Page;
  let baseUrl: string;
  let profile: string;
  let manager: { email: string; password: string; token: string };
  let rooftopA: string;
  let advisorId: string;
  let f: AnalyticsFixture;
  const requests: string[] = [];

  /** Waits until the page has drawn its figures (for a language or a period, when given). */
  const waitReady = (want: { lang?: string; months?: number } = {}) =>
    page.waitForFunction(
      (w) => {
        const d = (window as unknown as { dashboard?: { ready: boolean; months: number } }).dashboard;
        return (
          d?.ready === true &&
          (!w.lang || document.documentElement.lang === w.lang) &&
          (!w.months || d.months === w.months)
        );
      },
      want,
      { timeout: 20_000 },
    );
  const setLanguage = (lang: Lang) =>
    t.db.query(`UPDATE app_user SET language = $1 WHERE email = $2`, [lang, manager.email]);
  const analytics = async (p: string) =>
    (await t.http.get(`/api/v1/analytics/${p}`).set(bearer(manager.token))).body;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-06-15T03:00:00Z' });
    const A = await t.rooftop({ name: 'Phnom Penh' });
    const B = await t.rooftop({ name: 'Vientiane' });
    rooftopA = A.id;
    manager = await t.user('manager', [A.id], { password: PASSWORD });
    const salesperson = await t.user('salesperson', [A.id]);
    const advisor = await t.user('service_advisor', [A.id]);
    advisorId = advisor.id;
    await setLanguage('km');
    f = await insertAnalyticsFixture(t.db, {
      A: A.id,
      B: B.id,
      salesperson: salesperson.id,
      advisor: advisor.id,
    });
    // Two at-risk customers of the same name: only their phones tell them apart.
    await t.db.query(
      `UPDATE customer SET first_name = 'Sokha', last_name = 'Chan', phone = $2, email = $3 WHERE id = $1`,
      [f.c.c3, '+85512345671', 'sokha.c3@example.com'],
    );
    await t.db.query(
      `UPDATE customer SET first_name = 'Sokha', last_name = 'Chan', phone = $2, email = $3 WHERE id = $1`,
      [f.c.c4, '+85598769820', 'sokha.c4@example.com'],
    );
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
    page.setDefaultTimeout(15_000);
    page.on('request', (r) => requests.push(r.url()));
  });

  afterAll(async () => {
    await context?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    await t?.close();
  });

  it('serves the page and Chart.js from this app, with no inline script, and no data without a login', async () => {
    const html = await t.http.get('/dashboard');
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.text).toContain('<script src="/dashboard/chart.umd.min.js">');
    expect(html.text).not.toMatch(/https?:\/\/(cdn|unpkg|jsdelivr)/);
    // The CSP allows no inline script: every <script> has a src or is a JSON data block; no on…= handlers.
    for (const tag of html.text.match(/<script\b[^>]*>/g) ?? []) {
      expect(tag).toMatch(/\bsrc="\/dashboard\/|type="application\/json"/);
    }
    expect(html.text).not.toMatch(/\son[a-z]+\s*=/i);
    const lib = await t.http.get('/dashboard/chart.umd.min.js');
    expect(lib.status).toBe(200);
    expect(lib.text.length).toBeGreaterThan(100_000);
    expect((await t.http.get('/api/v1/analytics/summary')).status).toBe(401);
  });

  it('logs a manager in, draws the charts in Khmer and shows the numbers the API returns for the period', async () => {
    await page.goto(`${baseUrl}/dashboard`);
    await page.fill('#email', manager.email);
    await page.fill('#password', manager.password);
    await page.click('#login button[type=submit]');
    await waitReady();

    // Every chart canvas has a Chart instance with data.
    const counts = await Promise.all(
      ['npsCsatChart', 'retentionChart', 'remindersChart', 'atRiskChart'].map(async (id) => [
        id,
        (await readChart(page, id)).datasets[0].data.length,
      ]),
    );
    expect(counts).toEqual([
      ['npsCsatChart', 12],
      ['retentionChart', 3],
      ['remindersChart', 2],
      ['atRiskChart', 7],
    ]);

    // The manager's language is Khmer: the page speaks it.
    expect(await page.textContent('h1')).toBe(DASHBOARD_TEXT.km.title);
    expect(await page.textContent('[data-kpi=churnRate] .label')).toBe(DASHBOARD_TEXT.km.churnRate);

    // Default period: the last 12 months, from the first of the month 11 months back to now (the API's clock).
    const query = 'from=2025-07-01&to=2026-06-15T03:00:00.000Z&timeZone=Asia%2FPhnom_Penh';
    const s = await analytics(`summary?${query}`);
    expect(s.period).toEqual({
      from: '2025-06-30T17:00:00.000Z',
      to: '2026-06-15T03:00:00.000Z',
      timeZone: 'Asia/Phnom_Penh',
    });
    const shown = async (kpi: string) => page.textContent(`[data-kpi=${kpi}] .value`);
    expect(await shown('churnRate')).toBe(pct('km', s.churn.rate));
    expect(await shown('serviceRetention')).toBe(pct('km', s.retention.serviceRetentionRate));
    expect(await shown('csat')).toBe(pct('km', s.feedback.csat));
    expect(await shown('redemptionRate')).toBe(pct('km', s.loyalty.redemptionRate));
    expect(await shown('nps')).toBe(formatNumber('km', s.feedback.nps, 1));

    const nps = await analytics(`series?metric=nps&${query}`);
    expect((await readChart(page, 'npsCsatChart')).datasets[0].data).toEqual(
      nps.points.map((p: { value: number | null }) => p.value),
    );

    const risk = await analytics('at-risk?limit=10');
    // The list's freshness, in the viewer's language and the rooftop's time zone (03:00 UTC = 10:00 in Phnom Penh).
    expect(risk.computedAt).toBe('2026-06-15T03:00:00.000Z');
    expect(await page.textContent('#atRiskAsOf')).toBe(`${DASHBOARD_TEXT.km.asOf} 15 មិថុនា 2026 10:00`);
    const rows = await page.$$eval('#atRiskRows tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-customer'), tr.children[1]?.textContent]),
    );
    expect(rows).toEqual(
      risk.items.map((i: { customerId: string; score: number }) => [i.customerId, String(i.score)]),
    );
    expect(await page.textContent('#atRiskRows tr:first-child td:nth-child(3)')).toContain(
      DASHBOARD_TEXT.km.reason.overdue_maintenance,
    );

    // The channel split: a row per channel with the API's figures (— where a channel has no receipts).
    const channels = await analytics(`channels?${query}`);
    expect(await page.textContent('#channels h2')).toBe(DASHBOARD_TEXT.km.channelsTitle);
    const channelRows = await page.$$eval('#channelRows tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-channel'), ...[...tr.children].map((td) => td.textContent)]),
    );
    type ChannelItem = {
      channel: 'email' | 'sms' | 'telegram';
      sent: number;
      delivered: number | null;
      failed: number;
      attributedVisits: number;
      conversionRate: number | null;
    };
    expect(channelRows).toEqual(
      channels.items.map((i: ChannelItem) => [
        i.channel,
        DASHBOARD_TEXT.km.channel[i.channel],
        String(i.sent),
        i.delivered === null ? '—' : String(i.delivered),
        String(i.failed),
        String(i.attributedVisits),
        pct('km', i.conversionRate),
      ]),
    );
    expect(channelRows.map((r) => r[0])).toEqual(['email', 'sms', 'telegram']);

    const options = await page.$$eval('#rooftop option', (os) =>
      os.map((o) => (o as HTMLOptionElement).value),
    );
    expect(options).toEqual(['', rooftopA]);

    fs.mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true });
  });

  it('writes every number for the viewer’s language, with Latin digits only (en, km, lo)', async () => {
    const query = 'from=2025-07-01&to=2026-06-15T03:00:00.000Z&timeZone=Asia%2FPhnom_Penh';
    const s = await analytics(`summary?${query}`);
    expect(s.loyalty.pointsOutstanding).toBe(1400);
    const hours = s.complaints.medianFirstResponseHours as number;
    expect(hours).toBeGreaterThan(0);
    const expected = {
      en: { points: '1,400 points', hours: `${formatNumber('en', hours, 1)} h` },
      km: { points: '1,400 ពិន្ទុ', hours: `${formatNumber('km', hours, 1)} ម៉ោង` },
      lo: { points: '1.400 ຄະແນນ', hours: `${formatNumber('lo', hours, 1)} ຊົ່ວໂມງ` },
    };
    for (const lang of ['en', 'km', 'lo'] as const) {
      await setLanguage(lang);
      await page.reload();
      await waitReady({ lang });
      const kpi = async (id: string) => page.textContent(`[data-kpi=${id}] .value`);
      expect(await kpi('pointsOutstanding')).toBe(expected[lang].points);
      expect(await kpi('complaintMedian')).toBe(expected[lang].hours);
      expect(await kpi('churnRate')).toBe(pct(lang, s.churn.rate));
      expect(await kpi('responseRate')).toBe(pct(lang, s.feedback.responseRate));
      expect(await kpi('complaintBreach')).toBe(pct(lang, s.complaints.firstResponseBreachRate));
      // No bare "1400", no "21.00": each value is grouped and carries no padded decimals.
      const padded = new RegExp(`\\${DASHBOARD_TEXT[lang].format.decimal}\\d*0(?!\\d)`);
      for (const value of await page.$$eval('.kpi .value', (els) => els.map((e) => e.textContent ?? ''))) {
        expect(value).not.toMatch(/\d{4}/);
        expect(value).not.toMatch(padded);
      }
      // One numeral system on the whole page: the text, the month labels and the axis ticks.
      const text = await page.evaluate(() => document.body.innerText);
      expect(text).not.toMatch(NATIVE_DIGITS);
      expect(text).toMatch(/\d/);
      for (const id of ['npsCsatChart', 'retentionChart', 'remindersChart', 'atRiskChart']) {
        const chart = await readChart(page, id);
        const drawn = [...chart.labels, ...Object.values(chart.scales).flatMap((a) => a.ticks)].join(' ');
        expect(drawn).not.toMatch(NATIVE_DIGITS);
      }
      await page.screenshot({ path: `test-artifacts/dashboard-${lang}.png`, fullPage: true });
      const months = (await readChart(page, 'npsCsatChart')).labels;
      expect(months[0]).toBe(`${DASHBOARD_TEXT[lang].months[6]} 2025`);
    }
    await setLanguage('km');
  });

  it('puts a unit on every value axis (%, points, visits)', async () => {
    await page.reload();
    await waitReady();
    const km = DASHBOARD_TEXT.km;
    const trend = await readChart(page, 'npsCsatChart');
    expect(trend.scales.x.title).toBe(km.axisMonth);
    expect(trend.scales.y.title).toBe(km.axisNps);
    expect(trend.scales.y1.title).toBe(km.axisCsat);
    expect(trend.scales.y1.ticks.every((l) => l.endsWith('%'))).toBe(true);
    const retention = await readChart(page, 'retentionChart');
    expect(retention.scales.y.title).toBe(km.axisShare);
    expect(retention.scales.y.ticks.every((l) => l.endsWith('%'))).toBe(true);
    const reminders = await readChart(page, 'remindersChart');
    expect(reminders.scales.y.title).toBe(km.axisConversion);
    expect(reminders.scales.y.ticks.every((l) => l.endsWith('%'))).toBe(true);
    expect(reminders.scales.y1.title).toBe(km.axisVisits);
    const atRisk = await readChart(page, 'atRiskChart');
    expect(atRisk.scales.x.title).toBe(km.axisScore);
    // Every linear axis of every chart names its unit.
    for (const chart of [trend, retention, reminders, atRisk]) {
      for (const axis of Object.values(chart.scales).filter((a) => a.type === 'linear')) {
        expect(axis.title).toMatch(/%|ពិន្ទុ|ដង/);
      }
    }
  });

  it('marks the current, unfinished month as partial: label, dashed segment and a note', async () => {
    const trend = await readChart(page, 'npsCsatChart');
    const km = DASHBOARD_TEXT.km;
    expect(trend.labels.at(-1)).toBe(`${km.months[5]} 2026 (${km.toDate})`);
    expect(trend.labels.slice(0, -1).every((l) => !l.includes(km.toDate))).toBe(true);
    const dashed = await page.evaluate(() => {
      type Meta = { dataset: { options: { borderDash: number[] } }; data: unknown[] };
      type Segmented = {
        getDatasetMeta(i: number): Meta;
        data: { datasets: { segment?: { borderDash?: (ctx: object) => number[] | undefined } }[] };
      };
      const w = window as unknown as { dashboard: { charts: Record<string, Segmented> } };
      const chart = w.dashboard.charts.npsCsatChart;
      const seg = chart.data.datasets[0].segment?.borderDash;
      const n = chart.getDatasetMeta(0).data.length;
      return seg
        ? [seg({ p0DataIndex: n - 2, p1DataIndex: n - 1 }), seg({ p0DataIndex: 0, p1DataIndex: 1 })]
        : null;
    });
    expect(dashed).toEqual([[6, 4], undefined]);
    expect(await page.textContent('#partialNote')).toBe(
      km.partialNote.replace('{month}', `${km.months[5]} 2026`).replace('{date}', '15 មិថុនា 2026'),
    );
  });

  it('reloads the figures for the period picked (last 3 months)', async () => {
    const before = requests.length;
    await page.selectOption('#period', '3');
    await waitReady({ months: 3 });
    const query = 'from=2026-04-01&to=2026-06-15T03:00:00.000Z&timeZone=Asia%2FPhnom_Penh';
    const made = requests.slice(before).filter((u) => u.includes('/api/v1/analytics/'));
    for (const p of ['summary?', 'series?metric=nps&', 'series?metric=csat&', 'reminders?']) {
      expect(made).toContain(`${baseUrl}/api/v1/analytics/${p}${query}`);
    }
    const trend = await readChart(page, 'npsCsatChart');
    const km = DASHBOARD_TEXT.km;
    expect(trend.labels).toEqual([
      `${km.months[3]} 2026`,
      `${km.months[4]} 2026`,
      `${km.months[5]} 2026 (${km.toDate})`,
    ]);
    const s = await analytics(`summary?${query}`);
    const all = await analytics(
      `summary?from=2025-07-01&to=2026-06-15T03:00:00.000Z&timeZone=Asia%2FPhnom_Penh`,
    );
    expect(s.feedback.responseRate).not.toBe(all.feedback.responseRate);
    expect(await page.textContent('[data-kpi=responseRate] .value')).toBe(pct('km', s.feedback.responseRate));
    expect(await page.textContent('[data-kpi=churnRate] .value')).toBe(pct('km', s.churn.rate));
    expect(await page.$eval('#period', (el) => (el as HTMLSelectElement).value)).toBe('3');
  });

  it('tells two at-risk customers of the same name apart, in the table and the chart', async () => {
    const row = (id: string) => `#atRiskRows tr[data-customer="${id}"] td:first-child`;
    const c3 = (await page.textContent(row(f.c.c3))) ?? '';
    const c4 = (await page.textContent(row(f.c.c4))) ?? '';
    expect(c3).toContain('Sokha Chan');
    expect(c4).toContain('Sokha Chan');
    expect(c3).toContain(DASHBOARD_TEXT.km.phoneEnding.replace('{n}', '5671'));
    expect(c4).toContain(DASHBOARD_TEXT.km.phoneEnding.replace('{n}', '9820'));
    const labels = (await readChart(page, 'atRiskChart')).labels.filter((l) => l.includes('Sokha Chan'));
    expect(labels).toHaveLength(2);
    expect(new Set(labels).size).toBe(2);
  });

  it('opens an at-risk customer: their 360 in a panel (contact, vehicles, reasons)', async () => {
    const before = requests.length;
    await page.click(`#atRiskRows tr[data-customer="${f.c.c3}"] button`);
    await page.waitForSelector('#customerPanel:not([hidden])');
    await page.waitForFunction(
      (id) =>
        (window as unknown as { dashboard: { customer?: { customer: { id: string } } } }).dashboard.customer
          ?.customer.id === id,
      f.c.c3,
    );
    expect(requests.slice(before)).toContain(`${baseUrl}/api/v1/customers/${f.c.c3}/360`);
    const panel = (await page.textContent('#customerPanel')) ?? '';
    const [vin] = await t.db.query(`SELECT vin FROM vehicle WHERE id = $1`, [f.v.v8]);
    expect(panel).toContain('Sokha Chan');
    expect(panel).toContain('+85512345671');
    expect(panel).toContain('sokha.c3@example.com');
    expect(panel).toContain(vin.vin);
    expect(panel).toContain(DASHBOARD_TEXT.km.reason.open_complaint);
    expect(panel).not.toMatch(NATIVE_DIGITS);
    await page.click('#closeCustomer');
    expect(await page.isHidden('#customerPanel')).toBe(true);
  });

  it('fits a 390 px wide phone without horizontal scrolling, also with a customer open', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await waitReady();
    const scrollWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
    expect(await scrollWidth()).toBeLessThanOrEqual(390);
    await page.click(`#atRiskRows tr[data-customer="${f.c.c4}"] button`);
    await page.waitForSelector('#customerPanel:not([hidden])');
    await page.waitForFunction(
      (id) =>
        (window as unknown as { dashboard: { customer?: { customer: { id: string } } } }).dashboard.customer
          ?.customer.id === id,
      f.c.c4,
    );
    expect(await scrollWidth()).toBeLessThanOrEqual(390);
    await page.screenshot({ path: 'test-artifacts/dashboard-390.png', fullPage: true });
    await page.click('#closeCustomer');
    await page.evaluate(() => {
      sessionStorage.clear();
    });
    await page.reload();
    await page.waitForSelector('#login:not([hidden])');
    expect(await scrollWidth()).toBeLessThanOrEqual(390);
  });

  /**
   * Appointments of rooftop A (the manager's) and the messages whose links booked them. One slot is at 01:00 on
   * 1 July in Phnom Penh (18:00 UTC the day before): inside the 12-month period only when the page sends the
   * period's start as the local midnight it is. One slot is before the period, one is after "now".
   */
  async function seedAppointments() {
    const { A, c, v } = f;
    const message = async (key: string, kind: string, sentAt: string) => {
      const [m] = await t.db.query(
        `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, vehicle_id, kind, purpose, status, scheduled_at, next_attempt_at, sent_at)
         VALUES ($1, $2, $3, $4, $5, 'service_reminders', 'sent', $6, $6, $6) RETURNING id`,
        [key, A, c.c4, v.v4, kind, sentAt],
      );
      return m.id as string;
    };
    const declined = [
      await message('appt-d1', 'declined_service', '2026-05-01T02:00:00Z'),
      await message('appt-d2', 'declined_service', '2026-05-02T02:00:00Z'),
      await message('appt-d3', 'declined_service', '2026-05-03T02:00:00Z'),
    ];
    const [m1] = await t.db.query(`SELECT id FROM outbox_message WHERE dedupe_key = 'm1'`);
    const visit = async (ro: string, status: string, at: string, customerPay: string, warranty: string) => {
      const [row] = await t.db.query(
        `INSERT INTO service_visit (rooftop_id, vehicle_id, customer_id, advisor_id, ro_number, visit_date, odometer, status,
                                    customer_pay_amount, warranty_amount, closed_at)
         VALUES ($1, $2, $3, $4, $5, $6, 12000, $7, $8, $9, CASE WHEN $7 = 'closed' THEN $6::timestamptz END) RETURNING id`,
        [A, v.v4, c.c4, advisorId, ro, at, status, customerPay, warranty],
      );
      return row.id as string;
    };
    const closed = await visit('RO-APPT-1', 'closed', '2026-05-10T02:00:00Z', '1000.00', '250.00');
    const open = await visit('RO-APPT-2', 'open', '2026-05-20T02:00:00Z', '500.00', '0');
    const appointment = async (
      state: string,
      slotStart: string,
      createdAt: string,
      origin: { id: string; kind: string } | null,
      visitId: string | null,
    ) =>
      t.db.query(
        `INSERT INTO appointment (rooftop_id, customer_id, vehicle_id, advisor_id, slot_start, slot_end, state, source,
                                  origin_message_id, origin_kind, service_visit_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $5::timestamptz + interval '30 minutes', $6, $7, $8, $9, $10, $11)`,
        [
          A,
          c.c4,
          v.v4,
          advisorId,
          slotStart,
          state,
          origin ? 'online' : 'phone',
          origin?.id ?? null,
          origin?.kind ?? null,
          visitId,
          createdAt,
        ],
      );
    // Lead times (booking to slot) of those not cancelled: 48 h, 24 h, 6 h, 12 h → median 18 h.
    await appointment(
      'completed',
      '2026-05-10T02:00:00Z',
      '2026-05-08T02:00:00Z',
      { id: m1.id, kind: 'service_reminder' },
      closed,
    );
    await appointment(
      'checked_in',
      '2026-05-20T02:00:00Z',
      '2026-05-19T02:00:00Z',
      { id: declined[0], kind: 'declined_service' },
      open,
    );
    await appointment('no_show', '2026-06-01T02:00:00Z', '2026-05-31T20:00:00Z', null, null);
    await appointment(
      'cancelled',
      '2026-06-05T02:00:00Z',
      '2026-06-01T02:00:00Z',
      { id: declined[1], kind: 'declined_service' },
      null,
    );
    await appointment('completed', '2025-06-30T18:00:00Z', '2025-06-30T06:00:00Z', null, null);
    await appointment('no_show', '2025-06-30T16:30:00Z', '2025-06-29T16:30:00Z', null, null);
    await appointment('booked', '2026-06-16T02:00:00Z', '2026-06-14T02:00:00Z', null, null);
  }

  it('shows the appointments of the period: show and no-show rates, lead time, revenue, booking rate per message kind and channel (en, km, 390 px)', async () => {
    await seedAppointments();
    await page.setViewportSize({ width: 1400, height: 1100 });
    const before = requests.length;
    await page.goto(`${baseUrl}/dashboard`); // the test before logged out
    await page.fill('#email', manager.email);
    await page.fill('#password', manager.password);
    await page.click('#login button[type=submit]');
    await waitReady({ lang: 'km', months: 12 });
    // The period picker's start, 1 July in Phnom Penh, as the instant it is (the report takes instants).
    const query = 'from=2025-06-30T17:00:00.000Z&to=2026-06-15T03:00:00.000Z';
    expect(requests.slice(before)).toContain(`${baseUrl}/api/v1/analytics/appointments?${query}`);
    const a = await analytics(`appointments?${query}`);
    expect(a.appointments).toEqual({ booked: 0, checkedIn: 1, completed: 2, cancelled: 1, noShow: 1 });
    expect([a.showRate, a.noShowRate, a.medianLeadHours, a.bookedVisitRevenue]).toEqual([
      0.75,
      0.25,
      18,
      '1250.00',
    ]);
    expect(a.bookingRates).toEqual([
      { kind: 'declined_service', channel: 'email', sent: 3, booked: 2, rate: 0.6667 },
      { kind: 'service_reminder', channel: 'email', sent: 5, booked: 1, rate: 0.2 },
      { kind: 'win_back', channel: 'email', sent: 1, booked: 0, rate: 0 },
    ]);

    const expected = {
      en: {
        kpis: ['4 appointments', '75%', '25%', '18 h', '1,250 USD', '2 visits'],
        rows: [
          ['Declined work · email', '3', '2', '66.7%'],
          ['Maintenance reminder · email', '5', '1', '20%'],
          ['Win-back · email', '1', '0', '0%'],
        ],
      },
      km: {
        kpis: ['4 ការណាត់', '75%', '25%', '18 ម៉ោង', '1,250 USD', '2 ដង'],
        rows: [
          [`${DASHBOARD_TEXT.km.kind.declined_service} · អ៊ីមែល`, '3', '2', '66.7%'],
          [`${DASHBOARD_TEXT.km.kind.service_reminder} · អ៊ីមែល`, '5', '1', '20%'],
          [`${DASHBOARD_TEXT.km.kind.win_back} · អ៊ីមែល`, '1', '0', '0%'],
        ],
      },
    };
    const ids = [
      'appointmentsBooked',
      'showRate',
      'noShowRate',
      'medianLead',
      'bookedRevenue',
      'appointmentVisits',
    ];
    const read = async () => ({
      kpis: await Promise.all(
        ids.map(async (id) => page.textContent(`#appointmentKpis [data-kpi=${id}] .value`)),
      ),
      rows: await page.$$eval('#bookingRows tr', (trs) =>
        trs.map((tr) => [...tr.children].map((td) => td.textContent)),
      ),
    });
    expect(await read()).toEqual(expected.km);
    expect(await page.textContent('#appointments h2')).toBe(DASHBOARD_TEXT.km.appointmentsTitle);
    expect(await page.textContent('[data-kpi=showRate] .label')).toBe(DASHBOARD_TEXT.km.showRate);
    await page.screenshot({ path: 'test-artifacts/dashboard-appointments-km.png', fullPage: true });

    await setLanguage('en');
    await page.reload();
    await waitReady({ lang: 'en' });
    expect(await read()).toEqual(expected.en);
    expect(await page.textContent('[data-kpi=noShowRate] .label')).toBe('No-show rate');

    // On a phone the section fits: no horizontal scroll, the table inside its card.
    await page.setViewportSize({ width: 390, height: 844 });
    await setLanguage('km');
    await page.reload();
    await waitReady({ lang: 'km' });
    expect(await read()).toEqual(expected.km);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const fits = await page.$eval('#appointments', (card) => card.scrollWidth <= card.clientWidth);
    expect(fits).toBe(true);
    await page.screenshot({ path: 'test-artifacts/dashboard-appointments-390.png', fullPage: true });
  });
});
