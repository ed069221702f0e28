import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../src/database/embedded-postgres';
import { startAppChild, stopChild, type Child } from '../support/child-processes';
import { rawHeader, startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { createTestDatabase } from '../support/test-app';

/**
 * No personal data in logs: a real app process (src/main.ts, LOG_LEVEL=debug, stdout and stderr captured
 * to a file) goes through a representative flow — customers with distinctive names, emails and phones,
 * a vehicle sale, a closed service visit, follow-up planning, emails sent over SMTP, a survey answered
 * (a detractor: a complaint opens), an unsubscribe, some refused requests — and the log must not contain
 * any customer's name, email, phone or survey comment.
 */
const DAY = 86_400_000;
const PEOPLE = [
  {
    firstName: 'Zorvanthe',
    lastName: 'Quellibrand',
    email: 'zorvanthe.quellibrand@mailhost.example',
    phone: '+85512987654',
    national: '012 987 654',
  },
  {
    firstName: 'Ysmerelda',
    lastName: 'Vantrobeck',
    email: 'ysmerelda.v@othermail.example',
    phone: '+8562055123456',
    national: '020 5512 3456',
  },
];
const COMMENT = 'Xanthrokel comment: the advisor was rude';

describe('log scan: no customer names, emails or phones in the logs', () => {
  let app: Child | undefined;
  let sink: SmtpSink;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-logscan-'));
  const logFile = path.join(dataDir, 'app.log');

  beforeAll(async () => {
    sink = await startSmtpSink();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    if (app) await stopChild(app);
    await sink.close();
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps a full flow’s debug log free of customer personal data', async () => {
    const started = await startAppChild(
      {
        DATABASE_URL: db.url,
        PORT: String(await freePort()),
        SMTP_URL: sink.url,
        MAIL_FROM: 'Log Scan Motors <no-reply@logscan.example>',
        PUBLIC_BASE_URL: 'https://crm.logscan.example',
        JWT_SECRET: 'log-scan-secret-log-scan-secret-0123456789',
        JOBS_ENABLED: 'false',
        MIGRATIONS_RUN: 'false',
        LOG_LEVEL: 'debug',
        DATA_DIR: dataDir,
        ADMIN_EMAIL: 'admin@logscan.example',
        ADMIN_PASSWORD: 'a-long-admin-password',
      },
      logFile,
    );
    app = started;
    const api = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${started.baseUrl}/api/v1${url}`, {
        method,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    };
    let token = '';
    token = (
      await api('POST', '/auth/login', { email: 'admin@logscan.example', password: 'a-long-admin-password' })
    ).body.accessToken as string;
    expect(token).toBeTruthy();

    const rooftop = await api('POST', '/rooftops', {
      name: 'Log Scan Motors',
      timeZone: 'Asia/Phnom_Penh',
      sendWindowStart: '00:00',
      sendWindowEnd: '23:59',
      // The flow reads the survey link from the emails: these customers have phones, so email goes first.
      channelOrder: ['email'],
    });
    expect(rooftop.status).toBe(201);
    const rooftopId = rooftop.body.id as string;
    const customerIds: string[] = [];
    for (const p of PEOPLE) {
      const c = await api('POST', '/customers', {
        firstName: p.firstName,
        lastName: p.lastName,
        email: p.email,
        phone: p.phone,
        homeRooftopId: rooftopId,
      });
      expect(c.status).toBe(201);
      customerIds.push(c.body.id as string);
    }
    // Refused requests carrying personal data.
    expect(
      (
        await api('POST', '/customers', {
          firstName: PEOPLE[0].firstName,
          email: `${PEOPLE[0].firstName}@`,
          homeRooftopId: rooftopId,
        })
      ).status,
    ).toBe(400);
    await api('GET', `/customers?q=${encodeURIComponent(PEOPLE[0].lastName)}`);
    await api('GET', `/customers?q=${encodeURIComponent(PEOPLE[1].email)}`);
    await api('POST', '/auth/login', { email: PEOPLE[0].email, password: 'wrong-password-123' });

    const now = Date.now();
    const vehicle = await api('POST', '/vehicles', {
      rooftopId,
      vin: 'WVWZZZ1JZXW000001',
      make: 'Toyota',
      model: 'Hilux',
      year: 2024,
      powertrain: 'ice',
      ownerId: customerIds[0],
      purchaseDate: new Date(now - 10 * DAY).toISOString().slice(0, 10),
      purchaseOdometer: 10,
    });
    expect(vehicle.status).toBe(201);
    const visit = await api('POST', '/service-visits', {
      rooftopId,
      vehicleId: vehicle.body.id,
      roNumber: 'RO-LOG-1',
      visitDate: new Date(now - DAY).toISOString(),
      odometer: 900,
      lines: [{ itemCode: 'OIL_CHANGE', labourAmount: 25, partsAmount: 38.5, payType: 'customer' }],
      declinedLines: [{ itemCode: 'BRAKE_FLUID', estimateAmount: 45 }],
      close: true,
    });
    expect(visit.status).toBe(201);

    // Plan and send as of three days later (the service survey is due two days after the visit closed).
    const asOf = new Date(now + 3 * DAY).toISOString();
    for (const job of ['service-reminders', 'follow-ups', 'outbox-dispatch']) {
      expect((await api('POST', `/jobs/${job}/runs`, { asOf })).status).toBeLessThan(300);
    }
    expect(sink.accepted.length).toBeGreaterThan(0);
    const texts = sink.accepted.map((m) => `${m.parsed.text ?? ''} ${String(m.parsed.html ?? '')}`);
    const surveyToken = texts
      .map((x) => /\/api\/v1\/surveys\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(x)?.[1])
      .find(Boolean);
    expect(surveyToken).toBeDefined();
    const answer = await api('POST', `/surveys/${surveyToken}`, { nps: 2, csat: 1, comment: COMMENT });
    expect(answer.status).toBeLessThan(300);
    const unsubscribe = /<([^>]+)>/.exec(rawHeader(sink.accepted[0].parsed, 'List-Unsubscribe') ?? '')?.[1];
    expect(unsubscribe).toBeDefined();
    // RFC 8058 one-click, as a mail client posts it.
    const oneClick = await fetch(`${started.baseUrl}${new URL(unsubscribe!).pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    for (const id of customerIds) {
      await api('GET', `/customers/${id}/360`);
      await api('PATCH', `/customers/${id}`, { lastName: 'Changed' }, { 'If-Match': '"1"' });
    }
    expect((await api('POST', `/customers/${customerIds[1]}/erasure`, {})).status).toBeLessThan(300);

    await stopChild(started);
    app = undefined;
    const log = fs.readFileSync(logFile, 'utf8');
    // The log was really captured at debug level.
    expect(log).toMatch(/"msg":"request"/);
    expect(log.split('\n').length).toBeGreaterThan(30);

    const needles = PEOPLE.flatMap((p) => [
      p.firstName,
      p.lastName,
      p.email,
      p.email.split('@')[0],
      p.phone,
      p.phone.slice(1),
      p.national,
      p.national.replace(/\s/g, ''),
    ]).concat([COMMENT, 'Xanthrokel']);
    const found = needles.filter((n) => log.toLowerCase().includes(n.toLowerCase()));
    expect(found).toEqual([]);
  }, 180_000);
});
