import { DASHBOARD_TEXT } from './dashboard-i18n';

/**
 * The manager dashboard: one static page. It holds no data and needs no login to load; it asks for
 * credentials, then calls the analytics API with the bearer token (the data is what needs auth).
 * Chart.js is served by this app (/dashboard/chart.umd.min.js), never from a CDN. The CSP allows no inline
 * script: the texts travel as a JSON data block, the code as /dashboard/app.js, events are bound there.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dashboard</title>
<style>
  * { box-sizing: border-box; }
  body { font-family: system-ui, "Noto Sans Khmer", "Noto Sans Lao", sans-serif; margin: 0; background: #f4f6f8; color: #1d2733; }
  header { background: #1d3557; color: #fff; padding: 12px 24px; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
  header h1 { font-size: 20px; margin: 0; flex: 1 1 auto; }
  .controls { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: center; min-width: 0; }
  .controls label { display: flex; gap: 6px; align-items: center; min-width: 0; }
  .controls select { max-width: 100%; min-width: 0; }
  main { padding: 16px 24px; }
  #login { max-width: 360px; margin: 64px auto; background: #fff; padding: 24px; border-radius: 8px; box-shadow: 0 1px 4px #0002; }
  #login label { display: block; margin: 12px 0 4px; }
  #login input { width: 100%; padding: 8px; }
  #login button { margin-top: 16px; padding: 8px 16px; }
  .error { color: #b00020; min-height: 1.2em; }
  .kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 190px), 1fr)); gap: 12px; }
  .kpi { background: #fff; border-radius: 8px; padding: 12px; box-shadow: 0 1px 3px #0001; min-width: 0; }
  .kpi .label { font-size: 13px; color: #55606e; }
  .kpi .value { font-size: 24px; font-weight: 600; margin-top: 4px; overflow-wrap: anywhere; }
  .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 440px), 1fr)); gap: 12px; margin-top: 12px; }
  .card { background: #fff; border-radius: 8px; padding: 12px; box-shadow: 0 1px 3px #0001; min-width: 0; }
  .chart { position: relative; height: 260px; }
  .chart.tall { height: 320px; }
  .muted { color: #555f6b; font-size: 0.85em; margin: 6px 0 0; }
  .card h2 { font-size: 15px; margin: 0 0 8px; }
  table { width: 100%; border-collapse: collapse; font-size: 14px; table-layout: fixed; margin-top: 8px; }
  th, td { text-align: left; padding: 6px; border-bottom: 1px solid #e3e7eb; vertical-align: top; overflow-wrap: anywhere; }
  th.score, td.score { width: 4.5em; text-align: right; }
  th.num, td.num { width: 5.5em; text-align: right; }
  #channels th.num, #channels td.num { width: auto; }
  #channels th:first-child { width: 24%; }
  #appointments { margin-top: 12px; }
  #appointments .kpi { box-shadow: none; border: 1px solid #e3e7eb; }
  button.open { background: none; border: 0; padding: 0; color: #1d4ed8; text-decoration: underline; cursor: pointer; font: inherit; text-align: left; overflow-wrap: anywhere; }
  .hint { color: #555f6b; font-size: 12px; }
  #customerPanel { position: fixed; top: 0; right: 0; bottom: 0; width: min(440px, 100%); background: #fff; box-shadow: -2px 0 12px #0003;
    padding: 16px; overflow-y: auto; z-index: 10; }
  #customerPanel .head { display: flex; gap: 12px; align-items: flex-start; justify-content: space-between; }
  #customerPanel h2 { margin: 0; font-size: 18px; overflow-wrap: anywhere; }
  #customerPanel h3 { font-size: 14px; margin: 16px 0 4px; }
  #customerPanel dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 4px 12px; margin: 12px 0 0; }
  #customerPanel dt { color: #555f6b; }
  #customerPanel dd { margin: 0; overflow-wrap: anywhere; }
  #customerPanel ul { margin: 0; padding-left: 18px; }
  #customerPanel li { overflow-wrap: anywhere; }
  @media (max-width: 600px) {
    header { padding: 10px 12px; }
    main { padding: 12px; }
    .kpi .value { font-size: 20px; }
  }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<header><h1 data-t="title"></h1>
  <div class="controls" id="controls" hidden>
    <label><span data-t="rooftop"></span><select id="rooftop"></select></label>
    <label><span data-t="periodLabel"></span><select id="period"></select></label>
    <button type="button" id="logout" data-t="logout"></button>
  </div></header>
<main>
  <form id="login">
    <label for="email" data-t="email"></label><input id="email" type="email" autocomplete="username" required>
    <label for="password" data-t="password"></label><input id="password" type="password" autocomplete="current-password" required>
    <button type="submit" data-t="login"></button>
    <p class="error" id="loginError"></p>
  </form>
  <section id="board" hidden>
    <p id="status"></p>
    <div class="kpis" id="kpis"></div>
    <div class="charts">
      <div class="card"><h2 data-t="npsCsatTrend"></h2><div class="chart"><canvas id="npsCsatChart"></canvas></div><p id="partialNote" class="muted"></p></div>
      <div class="card"><h2 data-t="retentionRates"></h2><div class="chart"><canvas id="retentionChart"></canvas></div></div>
      <div class="card"><h2 data-t="reminderConversion"></h2><div class="chart"><canvas id="remindersChart"></canvas></div></div>
      <div class="card" id="channels"><h2 data-t="channelsTitle"></h2>
        <table><thead><tr><th data-t="channelCol"></th><th class="num" data-t="sent"></th><th class="num" data-t="delivered"></th><th class="num" data-t="failed"></th><th class="num" data-t="channelVisits"></th><th class="num" data-t="conversion"></th></tr></thead><tbody id="channelRows"></tbody></table>
        <p class="muted" data-t="channelsNote"></p></div>
      <div class="card"><h2 data-t="atRisk"></h2><div class="chart tall"><canvas id="atRiskChart"></canvas></div>
        <table><thead><tr><th data-t="customer"></th><th class="score" data-t="score"></th><th data-t="reasons"></th></tr></thead><tbody id="atRiskRows"></tbody></table><p id="atRiskAsOf" class="muted"></p></div>
    </div>
    <div class="card" id="appointments"><h2 data-t="appointmentsTitle"></h2>
      <div class="kpis" id="appointmentKpis"></div>
      <h2 data-t="bookingRates"></h2>
      <table><thead><tr><th data-t="messageKind"></th><th class="num" data-t="sent"></th><th class="num" data-t="booked"></th><th class="num" data-t="bookingRate"></th></tr></thead><tbody id="bookingRows"></tbody></table>
      <p class="muted" data-t="appointmentsNote"></p></div>
  </section>
</main>
<aside id="customerPanel" role="dialog" aria-labelledby="customerName" hidden>
  <div class="head"><h2 id="customerName"></h2><button type="button" id="closeCustomer" data-t="close"></button></div>
  <div id="customerBody"></div>
</aside>
<script type="application/json" id="dashboard-text">${JSON.stringify(DASHBOARD_TEXT).replace(/</g, '\\u003c')}</script>
<script src="/dashboard/chart.umd.min.js"></script>
<script src="/dashboard/app.js"></script>
</body>
</html>`;

/** The page's script (plain ES2020, no build step). Exposes window.dashboard for tests and debugging. */
export const DASHBOARD_JS = `(function () {
  'use strict';
  // A data block, not a script: the CSP allows no inline script (the page keeps its token in sessionStorage).
  var TEXT = JSON.parse(document.getElementById('dashboard-text').textContent);
  var PERIODS = [3, 6, 12, 24];
  var LANGUAGE_NAMES = { en: 'English', km: 'ខ្មែរ', lo: 'ລາວ' };
  // How long the API's "now" is reused between loads (switching periods costs no extra request).
  var CLOCK_MAX_AGE_MS = 60000;
  var state = {
    token: sessionStorage.getItem('crm.token'), lang: pickLang(), months: 12,
    charts: {}, data: {}, clocks: {}, customer: null, loads: 0, ready: false,
  };
  window.dashboard = state;

  function pickLang() {
    var q = new URLSearchParams(location.search).get('lang');
    if (q && TEXT[q]) return q;
    var nav = (navigator.language || 'en').slice(0, 2);
    return TEXT[nav] ? nav : 'en';
  }
  function t(key) { return TEXT[state.lang][key]; }
  function fill(template, values) {
    return template.replace(/[{]([a-zA-Z]+)[}]/g, function (m, key) { return values[key]; });
  }
  function byId(id) { return document.getElementById(id); }
  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Numbers: Latin digits on the whole page, grouped and with the decimal mark of the viewer's language. Intl
  // does the rounding and grouping; the marks come from the page's texts, because a browser without Khmer or
  // Lao locale data (Chromium) would silently write English ones.
  function isNum(v) { return typeof v === 'number' && isFinite(v); }
  function number(v, maxDigits, minDigits) {
    var marks = t('format');
    return new Intl.NumberFormat('en-US', { maximumFractionDigits: maxDigits, minimumFractionDigits: minDigits || 0 }).formatToParts(v).map(function (p) {
      return p.type === 'group' ? marks.group : p.type === 'decimal' ? marks.decimal : p.value;
    }).join('');
  }
  /** A ratio (0.457) as a percentage (45.7%). */
  function pct(ratio) { return isNum(ratio) ? number(ratio * 100, 1) + '%' : '—'; }
  function percentTick(v) { return number(v, 1) + '%'; }
  /** A number in its unit's words: pointsValue, hoursValue, visitsValue. */
  function withUnit(key, v, digits) { return isNum(v) ? fill(t(key), { n: number(v, digits) }) : '—'; }
  function plain(v, digits) { return isNum(v) ? number(v, digits) : '—'; }
  /** An amount ('1250.00') in the currency of the rooftops in view: whole amounts without cents. */
  function money(amount, currency) {
    var v = Number(amount);
    if (!isFinite(v)) return '—';
    var n = Math.round(v * 100) % 100 === 0 ? number(v, 0) : number(v, 2, 2);
    return currency ? fill(t('moneyValue'), { n: n, currency: currency }) : n;
  }

  // Dates: the calendar fields of an instant in the report's time zone (Intl's zone data, not its locale
  // data), written with the language's month names.
  function localParts(iso, timeZone) {
    var parts = {};
    new Intl.DateTimeFormat('en-US', {
      timeZone: timeZone, year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23',
    }).formatToParts(new Date(iso)).forEach(function (p) { if (p.type !== 'literal') parts[p.type] = Number(p.value); });
    if (parts.hour === 24) parts.hour = 0;
    parts.ms = new Date(iso).getUTCMilliseconds();
    return parts;
  }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function dateText(iso, timeZone) {
    var p = localParts(iso, timeZone);
    return p.day + ' ' + t('months')[p.month - 1] + ' ' + p.year;
  }
  function dateTimeText(iso, timeZone) {
    var p = localParts(iso, timeZone);
    return dateText(iso, timeZone) + ' ' + pad(p.hour) + ':' + pad(p.minute);
  }
  /** '2026-06' → 'Jun 2026'. */
  function monthText(month) { return t('months')[Number(month.slice(5, 7)) - 1] + ' ' + month.slice(0, 4); }
  /** The instant a local date ('2025-07-01') begins in a time zone (what the API does with a date-only from). */
  function zonedMidnight(date, timeZone) {
    var wall = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
    var guess = wall;
    for (var i = 0; i < 2; i++) {
      var p = localParts(new Date(guess).toISOString(), timeZone);
      guess += wall - Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    }
    return new Date(guess).toISOString();
  }
  function isMonthStart(iso, timeZone) {
    var p = localParts(iso, timeZone);
    return p.day === 1 && p.hour === 0 && p.minute === 0 && p.second === 0 && p.ms === 0;
  }

  /**
   * "Last N months": the current month (unfinished, up to now) and the N - 1 before it, whole, in the report's
   * time zone. A date-only \`from\` is that zone's local midnight for the API.
   */
  function periodFor(months, clock) {
    var p = localParts(clock.now, clock.timeZone);
    var index = p.year * 12 + p.month - 1 - (months - 1) - (isMonthStart(clock.now, clock.timeZone) ? 1 : 0);
    return { from: Math.floor(index / 12) + '-' + pad((index % 12) + 1) + '-01', to: clock.now, timeZone: clock.timeZone };
  }

  function applyText() {
    document.documentElement.lang = state.lang;
    document.title = t('title');
    document.querySelectorAll('[data-t]').forEach(function (e) { e.textContent = t(e.getAttribute('data-t')); });
    var period = byId('period');
    period.innerHTML = '';
    PERIODS.forEach(function (n) {
      var o = el('option', '', fill(t('lastMonths'), { n: number(n, 0) }));
      o.value = String(n);
      period.appendChild(o);
    });
    period.value = String(state.months);
  }

  async function api(path) {
    var res = await fetch('/api/v1' + path, { headers: { Authorization: 'Bearer ' + state.token } });
    if (res.status === 401) { logout(); throw new Error('unauthenticated'); }
    if (res.status === 403) { throw new Error('forbidden'); }
    if (!res.ok) throw new Error('HTTP ' + res.status);
    return res.json();
  }

  async function login(ev) {
    ev.preventDefault();
    var err = byId('loginError');
    err.textContent = '';
    var res = await fetch('/api/v1/auth/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: byId('email').value, password: byId('password').value }),
    });
    if (!res.ok) { err.textContent = t('loginFailed'); return; }
    state.token = (await res.json()).accessToken;
    sessionStorage.setItem('crm.token', state.token);
    start();
  }

  function logout() {
    sessionStorage.removeItem('crm.token');
    state.token = null;
    state.clocks = {};
    closeCustomer();
    byId('board').hidden = true;
    byId('controls').hidden = true;
    byId('login').hidden = false;
  }

  async function start() {
    try {
      var ctx = await api('/analytics/context');
      state.lang = TEXT[ctx.language] ? ctx.language : state.lang;
      state.clocks = {};
      applyText();
      var select = byId('rooftop');
      select.innerHTML = '';
      var all = el('option', '', t('allRooftops')); all.value = ''; select.appendChild(all);
      state.rooftops = ctx.rooftops;
      ctx.rooftops.forEach(function (r) { var o = el('option', '', r.name); o.value = r.id; select.appendChild(o); });
      byId('login').hidden = true;
      byId('board').hidden = false;
      byId('controls').hidden = false;
      await load();
    } catch (e) {
      byId('loginError').textContent = e.message === 'forbidden' ? t('forbidden') : String(e.message);
      if (e.message === 'forbidden') logout();
    }
  }

  /**
   * "Now" and the report's time zone come from the API (its clock, which jobs and tests may set), never from
   * the browser's: the answer of a default-period request carries both.
   */
  async function clockFor(rooftop, scope) {
    var cached = state.clocks[rooftop];
    if (cached && performance.now() - cached.fetchedAt < CLOCK_MAX_AGE_MS) return cached;
    var r = await api('/analytics/reminders' + (scope ? '?' + scope : ''));
    state.clocks[rooftop] = { now: r.period.to, timeZone: r.period.timeZone, fetchedAt: performance.now() };
    return state.clocks[rooftop];
  }

  /**
   * What tells two customers of the same name apart: the last digits of the phone, else the email; \`hint\` for
   * the table, \`shortHint\` for the chart's narrow axis.
   */
  async function withContactHints(risk) {
    var customers = await Promise.all(risk.items.map(function (i) {
      return api('/customers/' + encodeURIComponent(i.customerId)).catch(function () { return null; });
    }));
    risk.items.forEach(function (item, k) {
      var c = customers[k] || {};
      var digits = (c.phone || '').replace(/[^0-9]/g, '');
      item.hint = digits.length >= 4 ? fill(t('phoneEnding'), { n: digits.slice(-4) }) : c.email || '';
      item.shortHint = digits.length >= 4 ? '…' + digits.slice(-4) : c.email || '';
    });
    return risk;
  }
  function fullName(item) { return (item.firstName + ' ' + item.lastName).trim(); }
  function reasonText(code) { return t('reason')[code] || code; }

  function kpi(id, label, value) {
    var box = el('div', 'kpi'); box.setAttribute('data-kpi', id);
    box.appendChild(el('div', 'label', label));
    box.appendChild(el('div', 'value', value));
    return box;
  }

  function axis(title, extra) { return Object.assign({ title: { display: true, text: title } }, extra || {}); }
  function numberAxis(title, digits, extra) {
    return axis(title, Object.assign({ ticks: { callback: function (v) { return plain(v, digits); } } }, extra || {}));
  }
  function percentAxis(title, extra) {
    return axis(title, Object.assign({ min: 0, max: 100, ticks: { callback: percentTick } }, extra || {}));
  }
  /** Draws a chart; \`formats[i]\` writes dataset i's values in its tooltips. */
  function chart(id, config, formats) {
    if (state.charts[id]) state.charts[id].destroy();
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false, locale: 'en-US' }, config.options || {});
    config.options.plugins = Object.assign({}, config.options.plugins, {
      tooltip: { callbacks: { label: function (c) { return c.dataset.label + ': ' + formats[c.datasetIndex](c.raw); } } },
    });
    state.charts[id] = new Chart(byId(id), config);
  }

  async function load() {
    var mine = ++state.loads;
    state.ready = false;
    byId('status').textContent = t('loading');
    var rooftop = byId('rooftop').value;
    var scope = rooftop ? 'rooftopId=' + encodeURIComponent(rooftop) : '';
    var clock = await clockFor(rooftop, scope);
    var period = periodFor(state.months, clock);
    var q = 'from=' + period.from + '&to=' + period.to + '&timeZone=' + encodeURIComponent(period.timeZone) + (scope ? '&' + scope : '');
    var results = await Promise.all([
      api('/analytics/summary?' + q),
      api('/analytics/series?metric=nps&' + q),
      api('/analytics/series?metric=csat&' + q),
      api('/analytics/reminders?' + q),
      api('/analytics/at-risk?limit=10' + (scope ? '&' + scope : '')).then(withContactHints),
      // The appointments report takes instants: the period's local start, made one here.
      api('/analytics/appointments?from=' + zonedMidnight(period.from, period.timeZone) + '&to=' + period.to + (scope ? '&' + scope : '')),
      api('/analytics/channels?' + q),
    ]);
    if (mine !== state.loads) return; // a later choice of rooftop or period is on its way
    var s = results[0], nps = results[1], csat = results[2], rem = results[3], risk = results[4], appt = results[5];
    var tz = s.period.timeZone;
    state.data = { summary: s, nps: nps, csat: csat, reminders: rem, atRisk: risk, appointments: appt, channels: results[6] };
    showAppointments(appt, rooftop);
    showChannels(results[6]);

    var k = byId('kpis');
    k.innerHTML = '';
    k.appendChild(kpi('churnRate', t('churnRate'), pct(s.churn.rate)));
    k.appendChild(kpi('serviceRetention', t('serviceRetention'), pct(s.retention.serviceRetentionRate)));
    k.appendChild(kpi('customerPayRetention', t('customerPayRetention'), pct(s.retention.customerPayRetentionRate)));
    k.appendChild(kpi('nps', t('nps'), plain(s.feedback.nps, 1)));
    k.appendChild(kpi('csat', t('csat'), pct(s.feedback.csat)));
    k.appendChild(kpi('responseRate', t('responseRate'), pct(s.feedback.responseRate)));
    k.appendChild(kpi('complaintMedian', t('complaintMedian'), withUnit('hoursValue', s.complaints.medianFirstResponseHours, 1)));
    k.appendChild(kpi('complaintBreach', t('complaintBreach'), pct(s.complaints.firstResponseBreachRate)));
    k.appendChild(kpi('pointsOutstanding', t('pointsOutstanding'), withUnit('pointsValue', s.loyalty.pointsOutstanding, 0)));
    k.appendChild(kpi('redemptionRate', t('redemptionRate'), pct(s.loyalty.redemptionRate)));

    // The month still running is partial: labelled "to date", drawn dashed, and explained under the chart.
    var points = nps.points;
    var last = points.length - 1;
    var partial = last >= 0 && !isMonthStart(points[last].to, tz);
    var dashed = function (c) { return partial && c.p1DataIndex === last ? [6, 4] : undefined; };
    var percent = function (v) { return v === null ? null : Math.round(v * 1000) / 10; };
    chart('npsCsatChart', {
      type: 'line',
      data: {
        labels: points.map(function (p, i) { return monthText(p.month) + (partial && i === last ? ' (' + t('toDate') + ')' : ''); }),
        datasets: [
          { label: 'NPS', data: points.map(function (p) { return p.value; }), yAxisID: 'y', borderColor: '#1d3557', backgroundColor: '#1d3557', spanGaps: true, segment: { borderDash: dashed } },
          { label: 'CSAT (%)', data: csat.points.map(function (p) { return percent(p.value); }), yAxisID: 'y1', borderColor: '#e76f51', backgroundColor: '#e76f51', spanGaps: true, segment: { borderDash: dashed } },
        ],
      },
      options: { scales: {
        x: axis(t('axisMonth')),
        y: numberAxis(t('axisNps'), 0, { min: -100, max: 100 }),
        y1: percentAxis(t('axisCsat'), { position: 'right', grid: { drawOnChartArea: false } }),
      } },
    }, [function (v) { return plain(v, 1); }, percentTick]);
    byId('partialNote').textContent = partial
      ? fill(t('partialNote'), { month: monthText(points[last].month), date: dateText(s.period.to, tz) })
      : '';

    chart('retentionChart', {
      type: 'bar',
      data: { labels: [t('serviceRetention'), t('customerPayRetention'), t('churnRate')],
        datasets: [{ label: t('axisShare'), backgroundColor: ['#2a9d8f', '#457b9d', '#e63946'],
          data: [s.retention.serviceRetentionRate, s.retention.customerPayRetentionRate, s.churn.rate].map(percent) }] },
      options: { plugins: { legend: { display: false } }, scales: { y: percentAxis(t('axisShare')) } },
    }, [percentTick]);

    chart('remindersChart', {
      type: 'bar',
      data: { labels: rem.items.map(function (i) { return t('kind')[i.kind] || i.kind; }),
        datasets: [
          { label: t('conversion'), backgroundColor: '#f4a261', yAxisID: 'y', data: rem.items.map(function (i) { return percent(i.conversionRate); }) },
          { label: t('visitsAttributed'), backgroundColor: '#457b9d', yAxisID: 'y1', data: rem.items.map(function (i) { return i.attributedVisits; }) },
        ] },
      options: { scales: {
        y: percentAxis(t('axisConversion')),
        y1: numberAxis(t('axisVisits'), 0, { min: 0, position: 'right', grid: { drawOnChartArea: false }, ticks: { precision: 0, callback: function (v) { return plain(v, 0); } } }),
      } },
    }, [percentTick, function (v) { return withUnit('visitsValue', v, 0); }]);

    var label = function (i) { return fullName(i) + (i.shortHint ? ' (' + i.shortHint + ')' : ''); };
    chart('atRiskChart', {
      type: 'bar',
      data: { labels: risk.items.map(label),
        datasets: [{ label: t('score'), backgroundColor: '#e63946', data: risk.items.map(function (i) { return i.score; }) }] },
      options: { indexAxis: 'y', plugins: { legend: { display: false } },
        scales: { x: numberAxis(t('axisScore'), 0, { min: 0, max: 100 }) } },
    }, [function (v) { return plain(v, 0); }]);

    var body = byId('atRiskRows');
    body.innerHTML = '';
    risk.items.forEach(function (i) {
      var tr = el('tr'); tr.setAttribute('data-customer', i.customerId);
      var who = el('td');
      var open = el('button', 'open', fullName(i));
      open.type = 'button';
      open.title = t('openCustomer');
      who.appendChild(open);
      if (i.hint) who.appendChild(el('div', 'hint', i.hint));
      tr.appendChild(who);
      tr.appendChild(el('td', 'score', plain(i.score, 0)));
      tr.appendChild(el('td', '', i.reasons.map(function (r) { return reasonText(r.code); }).join(', ')));
      body.appendChild(tr);
    });
    if (!risk.items.length) { var tr = el('tr'); var td = el('td', '', t('none')); td.colSpan = 3; tr.appendChild(td); body.appendChild(tr); }
    // The list is computed by the hourly customer-risk job: say as of when, in the report's time zone.
    byId('atRiskAsOf').textContent = risk.computedAt ? t('asOf') + ' ' + dateTimeText(risk.computedAt, tz) : t('notComputed');
    byId('status').textContent = dateText(s.period.from, tz) + ' – ' + dateText(s.period.to, tz);
    state.ready = true;
  }

  /** The currency of the rooftops in view, when they share one (amounts of different currencies get none). */
  function currencyOf(rooftop) {
    var codes = (state.rooftops || []).filter(function (r) { return !rooftop || r.id === rooftop; })
      .map(function (r) { return r.currency; });
    return codes.length && codes.every(function (c) { return c === codes[0]; }) ? codes[0] : '';
  }

  /** Service appointments of the period: how they ended, and which messages' links booked them. */
  function showAppointments(a, rooftop) {
    var k = byId('appointmentKpis');
    k.innerHTML = '';
    var c = a.appointments;
    k.appendChild(kpi('appointmentsBooked', t('appointmentsCount'),
      withUnit('appointmentsValue', c.booked + c.checkedIn + c.completed + c.noShow, 0)));
    k.appendChild(kpi('showRate', t('showRate'), pct(a.showRate)));
    k.appendChild(kpi('noShowRate', t('noShowRate'), pct(a.noShowRate)));
    k.appendChild(kpi('medianLead', t('medianLead'), withUnit('hoursValue', a.medianLeadHours, 1)));
    k.appendChild(kpi('bookedRevenue', t('bookedRevenue'), money(a.bookedVisitRevenue, currencyOf(rooftop))));
    k.appendChild(kpi('appointmentVisits', t('appointmentVisits'), withUnit('visitsValue', a.attributedVisits, 0)));
    var body = byId('bookingRows');
    body.innerHTML = '';
    a.bookingRates.forEach(function (r) {
      var tr = el('tr'); tr.setAttribute('data-kind', r.kind + ':' + r.channel);
      tr.appendChild(el('td', '', (t('kind')[r.kind] || r.kind) + ' · ' + (t('channel')[r.channel] || r.channel)));
      tr.appendChild(el('td', 'num', plain(r.sent, 0)));
      tr.appendChild(el('td', 'num', plain(r.booked, 0)));
      tr.appendChild(el('td', 'num', pct(r.rate)));
      body.appendChild(tr);
    });
    if (!a.bookingRates.length) { var tr = el('tr'); var td = el('td', '', t('none')); td.colSpan = 4; tr.appendChild(td); body.appendChild(tr); }
  }

  /** Messages per channel: sent, delivered (— where the channel has no receipts), failed, visits, conversion. */
  function showChannels(c) {
    var body = byId('channelRows');
    body.innerHTML = '';
    c.items.forEach(function (r) {
      var tr = el('tr'); tr.setAttribute('data-channel', r.channel);
      tr.appendChild(el('td', '', t('channel')[r.channel] || r.channel));
      [plain(r.sent, 0), plain(r.delivered, 0), plain(r.failed, 0), plain(r.attributedVisits, 0), pct(r.conversionRate)]
        .forEach(function (v) { tr.appendChild(el('td', 'num', v)); });
      body.appendChild(tr);
    });
  }

  /** The at-risk customer's 360 (GET /customers/{id}/360) in a side panel. */
  async function openCustomer(item, opener) {
    var panel = byId('customerPanel');
    var body = byId('customerBody');
    state.customer = null;
    state.opener = opener;
    byId('customerName').textContent = fullName(item);
    body.textContent = t('loading');
    panel.hidden = false;
    byId('closeCustomer').focus();
    var view = await api('/customers/' + encodeURIComponent(item.customerId) + '/360');
    if (panel.hidden) return;
    var c = view.customer;
    var tz = state.data.summary.period.timeZone;
    byId('customerName').textContent = fullName(c);
    body.innerHTML = '';
    var dl = el('dl');
    [[t('phone'), c.phone], [t('email'), c.email], [t('language'), LANGUAGE_NAMES[c.language] || c.language]].forEach(function (row) {
      dl.appendChild(el('dt', '', row[0]));
      dl.appendChild(el('dd', '', row[1] || '—'));
    });
    body.appendChild(dl);
    var list = function (title, items) {
      body.appendChild(el('h3', '', title));
      if (!items.length) { body.appendChild(el('p', 'muted', t('nothing'))); return; }
      var ul = el('ul');
      items.forEach(function (text) { ul.appendChild(el('li', '', text)); });
      body.appendChild(ul);
    };
    list(t('whyAtRisk'), item.reasons.map(function (r) { return reasonText(r.code); }));
    list(t('vehicles'), view.vehicles.map(function (v) { return [v.make, v.model, v.year].filter(Boolean).join(' ') + ' · VIN ' + v.vin; }));
    list(t('recentVisits'), view.recentVisits.map(function (v) { return dateText(v.visitDate, tz) + ' · ' + v.roNumber; }));
    state.customer = view;
  }
  function closeCustomer() {
    byId('customerPanel').hidden = true;
    state.customer = null;
    if (state.opener && document.body.contains(state.opener)) state.opener.focus();
    state.opener = null;
  }

  function showError(e) { byId('status').textContent = String(e.message); }
  // Chart text in the page's fonts (Khmer and Lao glyphs included).
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  applyText();
  byId('login').addEventListener('submit', function (ev) { login(ev).catch(function (e) { byId('loginError').textContent = String(e.message); }); });
  byId('logout').addEventListener('click', logout);
  byId('rooftop').addEventListener('change', function () { load().catch(showError); });
  byId('period').addEventListener('change', function () { state.months = Number(byId('period').value); load().catch(showError); });
  byId('atRiskRows').addEventListener('click', function (ev) {
    var button = ev.target.closest('button.open');
    if (!button) return;
    var id = button.closest('tr').getAttribute('data-customer');
    var item = state.data.atRisk.items.find(function (i) { return i.customerId === id; });
    openCustomer(item, button).catch(function (e) { byId('customerBody').textContent = String(e.message); });
  });
  byId('closeCustomer').addEventListener('click', closeCustomer);
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape' && !byId('customerPanel').hidden) closeCustomer(); });
  if (state.token) start();
})();
`;
