import { CHROMIUM, CHROMIUM_ARGS, itInBrowser } from './support/browser';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { simpleParser } from 'mailparser';
import { chromium } from 'playwright-core';
import { DomainEvents } from '../src/common/domain-events';
import { LinkSigner } from '../src/common/link-signer';
import { DispatcherService } from '../src/messaging/dispatcher.service';
import { UnsubscribeLinks } from '../src/messaging/unsubscribe-links';
import { enqueue, insertCustomer, outboxRow, recordConsent } from './support/messaging-fixtures';
import { rawHeader } from './support/smtp-sink';
import { bearer, startTestApp, type TestApp } from './support/test-app';

const T = new Date('2026-06-15T03:00:00Z');
const DAY = 86_400_000;

describe('one-click unsubscribe (RFC 8058)', () => {
  let t: TestApp;
  let links: UnsubscribeLinks;
  let rooftopId: string;
  const changes: { customerId: string; purpose: string; granted: boolean }[] = [];

  beforeAll(async () => {
    t = await startTestApp({ now: T.toISOString() });
    links = t.app.get(UnsubscribeLinks);
    rooftopId = (await t.rooftop({ name: 'Phnom Penh Motors' })).id;
    t.app.get(DomainEvents).on('consent.changed', async (_m, p) => {
      changes.push({ customerId: p.customerId, purpose: p.purpose, granted: p.granted });
    });
  });
  afterAll(() => t.close());
  beforeEach(() => {
    changes.length = 0;
  });

  const consents = (customerId: string) =>
    t.db.query(`SELECT purpose, granted, source FROM consent WHERE customer_id = $1 ORDER BY id`, [
      customerId,
    ]);

  it('shows a confirmation page in the customer’s language on GET and changes nothing', async () => {
    const customerId = await insertCustomer(t.db, rooftopId, { language: 'km' });
    const pending = await enqueue(t.db, { rooftopId, customerId, purpose: 'service_reminders' });
    const token = links.token(customerId, 'service_reminders', T);

    const res = await t.http.get(`/api/v1/unsubscribe/${token}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html; charset=utf-8/);
    expect(res.text).toContain('<html lang="km">');
    expect(res.text).toContain('តើអ្នកចង់ឈប់ទទួលការរំលឹកអំពីការថែទាំរថយន្តពី Phnom Penh Motors មែនទេ?');
    expect(res.text).toContain('<form method="post">');
    expect(await consents(customerId)).toEqual([]);
    expect(await outboxRow(t.db, pending)).toMatchObject({ status: 'pending' });
    expect(changes).toEqual([]);
  });

  it('unsubscribes at once on POST: consent withdrawn, pending messages of that purpose suppressed, event emitted', async () => {
    const customerId = await insertCustomer(t.db, rooftopId, { language: 'lo' });
    const reminder = await enqueue(t.db, { rooftopId, customerId, purpose: 'service_reminders' });
    const survey = await enqueue(t.db, { rooftopId, customerId, purpose: 'surveys' });
    const token = links.token(customerId, 'service_reminders', T);

    const res = await t.http.post(`/api/v1/unsubscribe/${token}`).type('form').send({ confirm: '1' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('ທ່ານໄດ້ຍົກເລີກການຮັບອີເມວແລ້ວ');
    expect(await consents(customerId)).toEqual([
      { purpose: 'service_reminders', granted: false, source: 'unsubscribe_link' },
    ]);
    expect(await outboxRow(t.db, reminder)).toMatchObject({
      status: 'suppressed',
      status_reason: 'consent_withdrawn',
    });
    expect(await outboxRow(t.db, survey)).toMatchObject({ status: 'pending' });
    expect(changes).toEqual([{ customerId, purpose: 'service_reminders', granted: false }]);
    const audit = await t.db.query(`SELECT action, fields, actor_kind FROM audit_log WHERE entity_id = $1`, [
      customerId,
    ]);
    expect(audit).toEqual([
      { action: 'consent.withdrawn', fields: ['consent.service_reminders'], actor_kind: 'system' },
    ]);

    // Posting again is harmless: no second withdrawal row, no second event.
    expect(
      (await t.http.post(`/api/v1/unsubscribe/${token}`).type('form').send({ confirm: '1' })).status,
    ).toBe(200);
    expect(await consents(customerId)).toHaveLength(1);
    expect(changes).toHaveLength(1);
  });

  it('leaves the same state whether consent is withdrawn through the API or through the link (one act, one state)', async () => {
    const staff = await t.user('salesperson', [rooftopId]);
    const viaApi = await insertCustomer(t.db, rooftopId);
    const viaLink = await insertCustomer(t.db, rooftopId);
    for (const customerId of [viaApi, viaLink]) {
      await enqueue(t.db, { rooftopId, customerId, purpose: 'follow_ups' });
      await enqueue(t.db, { rooftopId, customerId, purpose: 'surveys' });
    }

    const api = await t.http
      .post(`/api/v1/customers/${viaApi}/consents`)
      .set(bearer(staff.token))
      .send({ purpose: 'follow_ups', granted: false, source: 'phone_call' });
    expect(api.status).toBe(201);
    const link = await t.http
      .post(`/api/v1/unsubscribe/${links.token(viaLink, 'follow_ups', T)}`)
      .set('Accept', 'application/json');
    expect(link.status).toBe(200);

    const messages = (customerId: string) =>
      t.db.query(
        `SELECT purpose, status, status_reason FROM outbox_message WHERE customer_id = $1 ORDER BY purpose`,
        [customerId],
      );
    const expected = [
      { purpose: 'follow_ups', status: 'suppressed', status_reason: 'consent_withdrawn' },
      { purpose: 'surveys', status: 'pending', status_reason: null },
    ];
    expect(await messages(viaApi)).toEqual(expected);
    expect(await messages(viaLink)).toEqual(expected);
    expect(link.body.suppressedMessages).toBe(1);
    // Both recorded by customers and announced once; only the source says which path it was.
    expect((await consents(viaApi)).map((c: { source: string }) => c.source)).toEqual(['phone_call']);
    expect((await consents(viaLink)).map((c: { source: string }) => c.source)).toEqual(['unsubscribe_link']);
    expect(changes).toEqual([
      { customerId: viaApi, purpose: 'follow_ups', granted: false },
      { customerId: viaLink, purpose: 'follow_ups', granted: false },
    ]);
  });

  it('answers the RFC 8058 one-click POST (urlencoded or multipart) with 200 JSON', async () => {
    const customerId = await insertCustomer(t.db, rooftopId);
    await recordConsent(t.db, customerId, 'marketing', true, new Date(T.getTime() - DAY));
    const offer = await enqueue(t.db, { rooftopId, customerId, purpose: 'marketing' });
    const token = links.token(customerId, 'marketing', T);

    const res = await t.http
      .post(`/api/v1/unsubscribe/${token}`)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ unsubscribed: true, purposes: ['marketing'], suppressedMessages: 1 });
    expect(await outboxRow(t.db, offer)).toMatchObject({ status: 'suppressed' });

    const other = await insertCustomer(t.db, rooftopId);
    const multipart = await t.http
      .post(`/api/v1/unsubscribe/${links.token(other, 'follow_ups', T)}`)
      .field('List-Unsubscribe', 'One-Click');
    expect(multipart.status).toBe(200);
    expect(multipart.body).toMatchObject({ unsubscribed: true, purposes: ['follow_ups'] });
    expect(await consents(other)).toEqual([
      { purpose: 'follow_ups', granted: false, source: 'unsubscribe_link' },
    ]);
  });

  it('answers 404 to a forged, altered, foreign-kind or expired token and changes nothing', async () => {
    const customerId = await insertCustomer(t.db, rooftopId);
    const token = links.token(customerId, 'surveys', T);
    const [body, sig] = token.split('.');
    const flipped = sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A');
    const otherSigner = new LinkSigner(
      Object.assign(Object.create(Object.getPrototypeOf(t.config)), t.config, { JWT_SECRET: 'x'.repeat(40) }),
    );
    const bad = [
      `${body}.${flipped}`,
      'not-a-token',
      t.app
        .get(LinkSigner)
        .sign('survey', { c: customerId, p: 'surveys', iat: Math.floor(T.getTime() / 1000) }),
      otherSigner.sign('unsubscribe', { c: customerId, p: 'surveys', iat: Math.floor(T.getTime() / 1000) }),
      links.token(customerId, 'surveys', new Date(T.getTime() - 731 * DAY)),
    ];
    for (const token of bad) {
      const get = await t.http.get(`/api/v1/unsubscribe/${token}`);
      expect(get.status).toBe(404);
      expect(get.text).toContain('This link is not valid');
      expect(get.text).toContain('តំណនេះមិនត្រឹមត្រូវទេ');
      const post = await t.http.post(`/api/v1/unsubscribe/${token}`).type('form').send({ confirm: '1' });
      expect(post.status).toBe(404);
      const json = await t.http.post(`/api/v1/unsubscribe/${token}`).set('Accept', 'application/json');
      expect(json.status).toBe(404);
      expect(json.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect(await consents(customerId)).toEqual([]);
    // A year-old link still works (SPEC: at least a year).
    const old = await t.http.get(
      `/api/v1/unsubscribe/${links.token(customerId, 'surveys', new Date(T.getTime() - 366 * DAY))}`,
    );
    expect(old.status).toBe(200);
  });

  it('never lets a token for customer A act on customer B', async () => {
    const a = await insertCustomer(t.db, rooftopId);
    const b = await insertCustomer(t.db, rooftopId);
    const bPending = await enqueue(t.db, { rooftopId, customerId: b, purpose: 'follow_ups' });
    const tokenA = links.token(a, 'follow_ups', T);
    // Swap B's id into A's signed payload: the signature no longer matches.
    const [bodyA, sigA] = tokenA.split('.');
    const payload = JSON.parse(Buffer.from(bodyA, 'base64url').toString());
    const swapped = `${Buffer.from(JSON.stringify({ ...payload, c: b })).toString('base64url')}.${sigA}`;
    expect(
      (await t.http.post(`/api/v1/unsubscribe/${swapped}`).set('Accept', 'application/json')).status,
    ).toBe(404);

    expect(
      (await t.http.post(`/api/v1/unsubscribe/${tokenA}`).set('Accept', 'application/json')).status,
    ).toBe(200);
    expect(await consents(a)).toHaveLength(1);
    expect(await consents(b)).toEqual([]);
    expect(await outboxRow(t.db, bPending)).toMatchObject({ status: 'pending' });
  });

  it('unsubscribes through the List-Unsubscribe URL of a real email (a transactional email withdraws every optional purpose)', async () => {
    const customerId = await insertCustomer(t.db, rooftopId);
    const id = await enqueue(t.db, { rooftopId, customerId });
    const reminder = await enqueue(t.db, {
      rooftopId,
      customerId,
      purpose: 'service_reminders',
      scheduledAt: new Date('2026-07-01T03:00:00Z'),
    });
    await t.app.get(DispatcherService).dispatch(T);
    const mail = await simpleParser(fs.readFileSync(path.join(t.dataDir, 'mail', `${id}.eml`)));
    const url = new URL(rawHeader(mail, 'list-unsubscribe')!.slice(1, -1));
    expect(url.origin).toBe('https://crm.test');

    const res = await t.http
      .post(url.pathname)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(res.body.purposes).toEqual(['service_reminders', 'follow_ups', 'surveys', 'marketing']);
    // Marketing was never granted, so three withdrawals are recorded.
    expect((await consents(customerId)).map((c: { purpose: string }) => c.purpose)).toEqual([
      'service_reminders',
      'follow_ups',
      'surveys',
    ]);
    expect(await outboxRow(t.db, reminder)).toMatchObject({
      status: 'suppressed',
      status_reason: 'consent_withdrawn',
    });
  });

  itInBrowser(
    'works in a real browser: the page is localised, the button unsubscribes, consent changes in the database',
    async () => {
      await t.app.listen(0, '127.0.0.1');
      const { port } = t.app.getHttpServer().address() as AddressInfo;
      const customerId = await insertCustomer(t.db, rooftopId, { language: 'km' });
      const pending = await enqueue(t.db, { rooftopId, customerId, purpose: 'follow_ups' });
      const token = links.token(customerId, 'follow_ups', T);

      const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-chromium-'));
      const browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
      });
      try {
        const page = await browser.newPage();
        const response = await page.goto(`http://127.0.0.1:${port}/api/v1/unsubscribe/${token}`);
        expect(response?.status()).toBe(200);
        expect(await page.textContent('#question')).toBe('តើអ្នកចង់ឈប់ទទួលអ៊ីមែលតាមដានពី Phnom Penh Motors មែនទេ?');
        expect(await consents(customerId)).toEqual([]);

        await Promise.all([page.waitForNavigation(), page.click('#unsubscribe')]);
        expect(await page.textContent('#done')).toBe('អ្នកបានឈប់ទទួលអ៊ីមែលហើយ');
        expect(await consents(customerId)).toEqual([
          { purpose: 'follow_ups', granted: false, source: 'unsubscribe_link' },
        ]);
        expect(await outboxRow(t.db, pending)).toMatchObject({
          status: 'suppressed',
          status_reason: 'consent_withdrawn',
        });
      } finally {
        await browser.close();
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
  );
});
