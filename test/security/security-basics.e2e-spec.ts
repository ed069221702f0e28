import { JwtService } from '@nestjs/jwt';
import { createHmac } from 'node:crypto';
import { LinkSigner } from '../../src/common/link-signer';
import { UnsubscribeLinks } from '../../src/messaging/unsubscribe-links';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

/**
 * Security basics not covered elsewhere. Already tested (not repeated here): login rate limit 429 and API-key
 * revocation and security headers (test/auth.e2e-spec.ts), argon2id parameters m ≥ 19 MiB, t ≥ 2 and
 * deactivated users (test/users.e2e-spec.ts). The log scan runs in test/security/log-scan.e2e-spec.ts.
 */
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('security basics', () => {
  let t: TestApp;
  let rooftopId: string;
  let staff: { id: string; token: string };
  let customerX: string;
  let customerY: string;

  beforeAll(async () => {
    t = await startTestApp();
    rooftopId = (await t.rooftop()).id;
    staff = await t.user('salesperson', [rooftopId]);
    const make = async (firstName: string) =>
      (
        await t.http
          .post('/api/v1/customers')
          .set(bearer(staff.token))
          .send({ firstName, email: `${firstName}@example.com`, homeRooftopId: rooftopId })
      ).body.id as string;
    customerX = await make('xavier');
    customerY = await make('yolanda');
  });
  afterAll(() => t.close());

  describe('access tokens (JWT)', () => {
    it('refuses a token whose exp has passed, signed with the app’s own key', async () => {
      const jwt = t.app.get(JwtService);
      const now = Math.floor(Date.now() / 1000);
      const expired = await jwt.signAsync({ sub: staff.id, iat: now - 3600, exp: now - 60 });
      const res = await t.http.get('/api/v1/auth/me').set(bearer(expired));
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      // The same claims with a future exp pass: the refusal above is the expiry, not the key.
      const fresh = await jwt.signAsync({ sub: staff.id, exp: now + 60 });
      expect((await t.http.get('/api/v1/auth/me').set(bearer(fresh))).status).toBe(200);
    });

    it('refuses an unsigned token (alg none) and a token whose payload was changed after signing', async () => {
      const jwt = t.app.get(JwtService);
      const admin = await t.user('admin');
      const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: admin.id, exp: Math.floor(Date.now() / 1000) + 600 })}.`;
      expect((await t.http.get('/api/v1/users').set(bearer(unsigned))).status).toBe(401);

      const [header, , signature] = (await jwt.signAsync({ sub: staff.id })).split('.');
      const swapped = `${header}.${b64({ sub: admin.id, iat: Math.floor(Date.now() / 1000) })}.${signature}`;
      expect((await t.http.get('/api/v1/users').set(bearer(swapped))).status).toBe(401);

      // HS256 with a guessable key (the public-link secret's label) is still refused.
      const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: admin.id })}`;
      const guessed = `${body}.${createHmac('sha256', 'public-links/v1').update(body).digest('base64url')}`;
      expect((await t.http.get('/api/v1/users').set(bearer(guessed))).status).toBe(401);
    });

    it('refuses a well-signed token for a user that does not exist', async () => {
      const token = await t.app.get(JwtService).signAsync({ sub: '00000000-0000-4000-8000-000000000000' });
      expect((await t.http.get('/api/v1/auth/me').set(bearer(token))).status).toBe(401);
    });
  });

  it('sends hardening headers on API answers and on the public customer pages, and never names the server stack', async () => {
    const api = await t.http.get('/api/v1/auth/me').set(bearer(staff.token));
    const page = await t.http.get('/api/v1/unsubscribe/not-a-token');
    for (const res of [api, page]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'|default-src 'none'/);
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'|frame-ancestors 'self'/);
      expect(res.headers['referrer-policy']).toBeDefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['server']).toBeUndefined();
    }
    // The public page carries a signed token in its URL: it must not leak to other sites through Referer.
    expect(page.headers['referrer-policy']).toMatch(/no-referrer/);
  });

  describe('signed links (unsubscribe, survey)', () => {
    const consents = async (customerId: string) =>
      t.db.query<{ purpose: string; granted: boolean }[]>(
        `SELECT purpose, granted FROM consent WHERE customer_id = $1 ORDER BY id`,
        [customerId],
      );

    it('cannot turn customer X’s unsubscribe token into one for customer Y, nor forge one', async () => {
      const links = t.app.get(UnsubscribeLinks);
      const token = links.token(customerX, 'marketing', t.clock.now());
      const [body, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
      const retargeted = `${b64({ ...claims, c: customerY })}.${signature}`;
      const widened = `${b64({ ...claims, p: 'all' })}.${signature}`;
      const selfSigned = `${b64({ ...claims, c: customerY })}.${createHmac('sha256', 'guess')
        .update(b64({ ...claims, c: customerY }))
        .digest('base64url')}`;
      for (const forged of [retargeted, widened, selfSigned, `${body}.`, body, `${token}.x`]) {
        const res = await t.http.post(`/api/v1/unsubscribe/${forged}`).set('Accept', 'application/json');
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      expect(await consents(customerY)).toEqual([]);
      expect(await consents(customerX)).toEqual([]);

      // The genuine token acts on X only, for the purpose it names; using it again changes nothing more.
      const ok = await t.http.post(`/api/v1/unsubscribe/${token}`).set('Accept', 'application/json');
      expect(ok.status).toBe(200);
      expect(ok.body.purposes).toEqual(['marketing']);
      await t.http.post(`/api/v1/unsubscribe/${token}`).set('Accept', 'application/json');
      expect((await consents(customerX)).every((c) => c.purpose === 'marketing' && !c.granted)).toBe(true);
      expect(await consents(customerY)).toEqual([]);
    });

    it('does not accept a survey token as an unsubscribe token (or the reverse), nor a survey token retargeted at another customer', async () => {
      const signer = t.app.get(LinkSigner);
      const [survey] = await t.db.query(
        `INSERT INTO survey (kind, rooftop_id, customer_id, dedupe_key, issued_at, expires_at)
         VALUES ('service', $1, $2, 'sec:1', $3, $3::timestamptz + interval '30 days') RETURNING id`,
        [rooftopId, customerX, t.clock.now()],
      );
      const surveyToken = signer.sign('survey', { s: survey.id, c: customerX });
      expect(
        (await t.http.get(`/api/v1/surveys/${surveyToken}`).set('Accept', 'application/json')).status,
      ).toBe(200);

      // Same signature, payload names customer Y: refused. A valid token signed for Y but naming X's survey: refused.
      const [, signature] = surveyToken.split('.');
      const retargeted = `${b64({ k: 'survey', s: survey.id, c: customerY })}.${signature}`;
      const otherCustomer = signer.sign('survey', { s: survey.id, c: customerY });
      for (const bad of [retargeted, otherCustomer]) {
        const res = await t.http
          .post(`/api/v1/surveys/${bad}`)
          .set('Accept', 'application/json')
          .send({ nps: 0, csat: 1 });
        expect(res.status).toBe(404);
      }
      const asUnsubscribe = await t.http
        .post(`/api/v1/unsubscribe/${surveyToken}`)
        .set('Accept', 'application/json');
      expect(asUnsubscribe.status).toBe(404);
      const unsubscribeToken = t.app.get(UnsubscribeLinks).token(customerX, 'surveys', t.clock.now());
      expect(
        (
          await t.http
            .post(`/api/v1/surveys/${unsubscribeToken}`)
            .set('Accept', 'application/json')
            .send({ nps: 0, csat: 1 })
        ).status,
      ).toBe(404);

      const [row] = await t.db.query(`SELECT answered_at FROM survey WHERE id = $1`, [survey.id]);
      expect(row.answered_at).toBeNull();
      expect(await consents(customerY)).toEqual([]);
    });
  });
});
