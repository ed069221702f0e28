import { DASHBOARD_TEXT } from './dashboard-i18n';

/**
 * The manager dashboard: one static page. It holds no data and needs no login to load; it asks for
 * credentials, then calls the analytics API with the bearer token (the data is what needs auth).
 * Chart.js is served by this app (/dashboard/chart.umd.min.js), never from a CDN.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dashboard</title>
<style>
  body { font-family: system-ui, "Noto Sans Khmer", "Noto Sans Lao", sans-serif; margin: 0; background: #f4f6f8; color: #1d2733; }
  header { background: #1d3557; color: #fff; padding: 12px 24px; display: flex; gap: 16px; align-items: center; }
  header h1 { font-size: 20px; margin: 0; flex: 1; }
  main { padding: 16px 24px; }
  #login { max-width: 360px; margin: 64px auto; background: #fff; padding: 24px; border-radius: 8px; box-shadow: 0 1px 4px #0002; }
  #login label { display: block; margin: 12px 0 4px; }
  #login input { width: 100%; padding: 8px; box-sizing: border-box; }
  #login button { margin-top: 16px; padding: 8px 16px; }
  .error { color: #b00020; min-height: 1.2em; }
  .kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 12px; }
  .kpi { background: #fff; border-radius: 8px; padding: 12px; box-shadow: 0 1px 3px #0001; }
  .kpi .label { font-size: 13px; color: #55606e; }
  .kpi .value { font-size: 26px; font-weight: 600; margin-top: 4px; }
  .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 12px; margin-top: 12px; }
  .card { background: #fff; border-radius: 8px; padding: 12px; box-shadow: 0 1px 3px #0001; }
  .muted { color: #666; font-size: 0.85em; margin: 6px 0 0; }
  .card h2 { font-size: 15px; margin: 0 0 8px; }
  table { width: 100%; border-collapse: collapse; font-size: 14px; }
  th, td { text-align: left; padding: 6px; border-bottom: 1px solid #e3e7eb; vertical-align: top; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<header><h1 data-t="title"></h1>
  <span id="rooftopBox" hidden><label for="rooftop" data-t="rooftop"></label> <select id="rooftop"></select></span>
  <button id="logout" hidden data-t="logout"></button></header>
<main>
  <form id="login">
    <label for="email" data-t="email"></label><input id="email" type="email" autocomplete="username" required>
    <label for="password" data-t="password"></label><input id="password" type="password" autocomplete="current-password" required>
    <button type="submit" data-t="login"></button>
    <p class="error" id="loginError"></p>
  </form>
  <section id="board" hidden>
    <p><span data-t="period"></span> · <span id="status"></span></p>
    <div class="kpis" id="kpis"></div>
    <div class="charts">
      <div class="card"><h2 data-t="npsCsatTrend"></h2><canvas id="npsCsatChart" height="220"></canvas></div>
      <div class="card"><h2 data-t="retentionRates"></h2><canvas id="retentionChart" height="220"></canvas></div>
      <div class="card"><h2 data-t="reminderConversion"></h2><canvas id="remindersChart" height="220"></canvas></div>
      <div class="card"><h2 data-t="atRisk"></h2><canvas id="atRiskChart" height="220"></canvas>
        <table><thead><tr><th data-t="customer"></th><th data-t="score"></th><th data-t="reasons"></th></tr></thead><tbody id="atRiskRows"></tbody></table><p id="atRiskAsOf" class="muted"></p></div>
    </div>
  </section>
</main>
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
  var state = { token: sessionStorage.getItem('crm.token'), lang: pickLang(), charts: {}, data: {}, ready: false };
  window.dashboard = state;

  function pickLang() {
    var q = new URLSearchParams(location.search).get('lang');
    if (q && TEXT[q]) return q;
    var nav = (navigator.language || 'en').slice(0, 2);
    return TEXT[nav] ? nav : 'en';
  }
  function t(key) { return TEXT[state.lang][key]; }
  /** YYYY-MM-DD and YYYY-MM-DD HH:MM of an instant in the report's time zone. */
  function localDate(iso, timeZone) { return new Date(iso).toLocaleDateString('en-CA', { timeZone: timeZone }); }
  function localDateTime(iso, timeZone) {
    return localDate(iso, timeZone) + ' ' +
      new Date(iso).toLocaleTimeString('en-GB', { timeZone: timeZone, hour: '2-digit', minute: '2-digit' });
  }
  function applyText() {
    document.documentElement.lang = state.lang;
    document.title = t('title');
    document.querySelectorAll('[data-t]').forEach(function (el) { el.textContent = t(el.getAttribute('data-t')); });
  }
  function pct(v) { return v === null || v === undefined ? '—' : (v * 100).toFixed(1) + '%'; }
  function num(v, digits) { return v === null || v === undefined ? '—' : Number(v).toFixed(digits); }

  async function api(path) {
    var res = await fetch('/api/v1' + path, { headers: { Authorization: 'Bearer ' + state.token } });
    if (res.status === 401) { logout(); throw new Error('unauthenticated'); }
    if (res.status === 403) { throw new Error('forbidden'); }
    if (!res.ok) throw new Error('HTTP ' + res.status);
    return res.json();
  }

  async function login(ev) {
    ev.preventDefault();
    var err = document.getElementById('loginError');
    err.textContent = '';
    var res = await fetch('/api/v1/auth/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: document.getElementById('email').value, password: document.getElementById('password').value }),
    });
    if (!res.ok) { err.textContent = t('loginFailed'); return; }
    state.token = (await res.json()).accessToken;
    sessionStorage.setItem('crm.token', state.token);
    start();
  }

  function logout() {
    sessionStorage.removeItem('crm.token');
    state.token = null;
    document.getElementById('board').hidden = true;
    document.getElementById('logout').hidden = true;
    document.getElementById('rooftopBox').hidden = true;
    document.getElementById('login').hidden = false;
  }

  async function start() {
    try {
      var ctx = await api('/analytics/context');
      state.lang = TEXT[ctx.language] ? ctx.language : state.lang;
      applyText();
      var select = document.getElementById('rooftop');
      select.innerHTML = '';
      var all = document.createElement('option'); all.value = ''; all.textContent = t('allRooftops'); select.appendChild(all);
      ctx.rooftops.forEach(function (r) { var o = document.createElement('option'); o.value = r.id; o.textContent = r.name; select.appendChild(o); });
      document.getElementById('login').hidden = true;
      document.getElementById('board').hidden = false;
      document.getElementById('logout').hidden = false;
      document.getElementById('rooftopBox').hidden = false;
      await load();
    } catch (e) {
      document.getElementById('loginError').textContent = e.message === 'forbidden' ? t('forbidden') : String(e.message);
      if (e.message === 'forbidden') logout();
    }
  }

  function kpi(id, label, value) {
    var el = document.createElement('div'); el.className = 'kpi'; el.setAttribute('data-kpi', id);
    var l = document.createElement('div'); l.className = 'label'; l.textContent = label;
    var v = document.createElement('div'); v.className = 'value'; v.textContent = value;
    el.appendChild(l); el.appendChild(v);
    return el;
  }

  function chart(id, config) {
    if (state.charts[id]) state.charts[id].destroy();
    config.options = Object.assign({ animation: false, responsive: true }, config.options || {});
    state.charts[id] = new Chart(document.getElementById(id), config);
  }

  async function load() {
    state.ready = false;
    document.getElementById('status').textContent = t('loading');
    var rooftop = document.getElementById('rooftop').value;
    var q = rooftop ? '?rooftopId=' + encodeURIComponent(rooftop) : '';
    var amp = rooftop ? '&rooftopId=' + encodeURIComponent(rooftop) : '';
    var results = await Promise.all([
      api('/analytics/summary' + q),
      api('/analytics/series?metric=nps' + amp),
      api('/analytics/series?metric=csat' + amp),
      api('/analytics/reminders' + q),
      api('/analytics/at-risk?limit=10' + amp),
    ]);
    var s = results[0], nps = results[1], csat = results[2], rem = results[3], risk = results[4];
    state.data = { summary: s, nps: nps, csat: csat, reminders: rem, atRisk: risk };

    var k = document.getElementById('kpis');
    k.innerHTML = '';
    k.appendChild(kpi('churnRate', t('churnRate'), pct(s.churn.rate)));
    k.appendChild(kpi('serviceRetention', t('serviceRetention'), pct(s.retention.serviceRetentionRate)));
    k.appendChild(kpi('customerPayRetention', t('customerPayRetention'), pct(s.retention.customerPayRetentionRate)));
    k.appendChild(kpi('nps', t('nps'), num(s.feedback.nps, 1)));
    k.appendChild(kpi('csat', t('csat'), pct(s.feedback.csat)));
    k.appendChild(kpi('responseRate', t('responseRate'), pct(s.feedback.responseRate)));
    k.appendChild(kpi('complaintMedian', t('complaintMedian'), num(s.complaints.medianFirstResponseHours, 2)));
    k.appendChild(kpi('complaintBreach', t('complaintBreach'), pct(s.complaints.firstResponseBreachRate)));
    k.appendChild(kpi('pointsOutstanding', t('pointsOutstanding'), String(s.loyalty.pointsOutstanding)));
    k.appendChild(kpi('redemptionRate', t('redemptionRate'), pct(s.loyalty.redemptionRate)));

    var months = nps.points.map(function (p) { return p.month; });
    chart('npsCsatChart', {
      type: 'line',
      data: { labels: months, datasets: [
        { label: 'NPS', data: nps.points.map(function (p) { return p.value; }), yAxisID: 'y', borderColor: '#1d3557', spanGaps: true },
        { label: 'CSAT %', data: csat.points.map(function (p) { return p.value === null ? null : Math.round(p.value * 1000) / 10; }), yAxisID: 'y1', borderColor: '#e76f51', spanGaps: true },
      ] },
      options: { scales: { y: { min: -100, max: 100 }, y1: { min: 0, max: 100, position: 'right', grid: { drawOnChartArea: false } } } },
    });
    chart('retentionChart', {
      type: 'bar',
      data: { labels: [t('serviceRetention'), t('customerPayRetention'), t('churnRate')],
        datasets: [{ label: '%', backgroundColor: ['#2a9d8f', '#457b9d', '#e63946'],
          data: [s.retention.serviceRetentionRate, s.retention.customerPayRetentionRate, s.churn.rate].map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; }) }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { min: 0, max: 100 } } },
    });
    chart('remindersChart', {
      type: 'bar',
      data: { labels: rem.items.map(function (i) { return TEXT[state.lang].kind[i.kind] || i.kind; }),
        datasets: [{ label: '%', backgroundColor: '#f4a261',
          data: rem.items.map(function (i) { return i.conversionRate === null ? null : Math.round(i.conversionRate * 1000) / 10; }) }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { min: 0 } } },
    });
    chart('atRiskChart', {
      type: 'bar',
      data: { labels: risk.items.map(function (i) { return (i.firstName + ' ' + i.lastName).trim(); }),
        datasets: [{ label: t('score'), backgroundColor: '#e63946', data: risk.items.map(function (i) { return i.score; }) }] },
      options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { min: 0, max: 100 } } },
    });

    var body = document.getElementById('atRiskRows');
    body.innerHTML = '';
    risk.items.forEach(function (i) {
      var tr = document.createElement('tr'); tr.setAttribute('data-customer', i.customerId);
      [(i.firstName + ' ' + i.lastName).trim(), String(i.score),
       i.reasons.map(function (r) { return TEXT[state.lang].reason[r.code] || r.code; }).join(', ')].forEach(function (text) {
        var td = document.createElement('td'); td.textContent = text; tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    if (!risk.items.length) { var tr = document.createElement('tr'); var td = document.createElement('td'); td.colSpan = 3; td.textContent = t('none'); tr.appendChild(td); body.appendChild(tr); }
    // The list is computed by the hourly customer-risk job: say as of when, in the report's time zone.
    document.getElementById('atRiskAsOf').textContent = risk.computedAt
      ? t('asOf') + ' ' + localDateTime(risk.computedAt, s.period.timeZone)
      : t('notComputed');
    document.getElementById('status').textContent =
      localDate(s.period.from, s.period.timeZone) + ' – ' + localDate(s.period.to, s.period.timeZone);
    state.ready = true;
  }

  applyText();
  document.getElementById('login').addEventListener('submit', function (ev) { login(ev).catch(function (e) { document.getElementById('loginError').textContent = String(e.message); }); });
  document.getElementById('logout').addEventListener('click', logout);
  document.getElementById('rooftop').addEventListener('change', function () { load().catch(function (e) { document.getElementById('status').textContent = String(e.message); }); });
  if (state.token) start();
})();
`;
