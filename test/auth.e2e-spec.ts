import { JwtService } from '@nestjs/jwt';
import { bearer, startTestApp, TestApp } from './support/test-app';
import { AuthService } from '../src/auth/auth.service';

describe('auth and rooftops', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('refuses a request without credentials with problem+json 401', async () => {
    const res = await t.http.get('/api/v1/rooftops');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 401, code: 'unauthenticated' });
  });

  it('logs in with email and password and uses the token', async () => {
    const admin = await t.user('admin');
    const login = await t.http
      .post('/api/v1/auth/login')
      .send({ email: admin.email, password: admin.password });
    expect(login.status).toBe(200);
    expect(login.body.tokenType).toBe('Bearer');
    const me = await t.http.get('/api/v1/auth/me').set(bearer(login.body.accessToken));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: admin.id, role: 'admin' });
  });

  it('stamps the last login (through users, on user.logged_in) at business time, and not on a failed one', async () => {
    const user = await t.user('manager');
    const lastLogin = async () =>
      (await t.db.query(`SELECT last_login_at FROM app_user WHERE id = $1`, [user.id]))[0].last_login_at;
    expect(await lastLogin()).toBeNull();
    const wrong = await t.http
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: 'wrong-password!' });
    expect(wrong.status).toBe(401);
    expect(await lastLogin()).toBeNull();
    const ok = await t.http.post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    expect(ok.status).toBe(200);
    expect(await lastLogin()).toEqual(t.clock.now());
  });

  it('answers 401 to a wrong password and 429 after too many failures', async () => {
    const user = await t.user('salesperson');
    let last = 0;
    for (let i = 0; i < 11; i++) {
      last = (
        await t.http.post('/api/v1/auth/login').send({ email: user.email, password: 'wrong-password!' })
      ).status;
      if (i < 10) expect(last).toBe(401);
    }
    expect(last).toBe(429);
  });

  it('lets an admin create a rooftop and names bad fields', async () => {
    const admin = await t.user('admin');
    const bad = await t.http
      .post('/api/v1/rooftops')
      .set(bearer(admin.token))
      .send({ name: '', timeZone: 'Mars/Olympus', sendWindowStart: '25:00', surprise: 1 });
    expect(bad.status).toBe(400);
    const fields = bad.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['name', 'sendWindowStart', 'surprise', 'timeZone']);
    expect(await t.db.query('SELECT count(*)::int AS n FROM rooftop')).toEqual([{ n: 0 }]);

    const ok = await t.http
      .post('/api/v1/rooftops')
      .set(bearer(admin.token))
      .send({ name: 'Vientiane Auto', timeZone: 'Asia/Vientiane', currency: 'LAK' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      name: 'Vientiane Auto',
      timeZone: 'Asia/Vientiane',
      currency: 'LAK',
      sendWindowStart: '08:00',
    });
  });

  it('forbids a salesperson from creating rooftops (403) and hides rooftops not granted (404)', async () => {
    const mine = await t.rooftop();
    const theirs = await t.rooftop();
    const sales = await t.user('salesperson', [mine.id]);
    expect((await t.http.post('/api/v1/rooftops').set(bearer(sales.token)).send({ name: 'X' })).status).toBe(
      403,
    );
    expect((await t.http.get(`/api/v1/rooftops/${mine.id}`).set(bearer(sales.token))).status).toBe(200);
    expect((await t.http.get(`/api/v1/rooftops/${theirs.id}`).set(bearer(sales.token))).status).toBe(404);
    const list = await t.http.get('/api/v1/rooftops').set(bearer(sales.token));
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([mine.id]);
  });

  it('issues an API key once, accepts it, and refuses it after revocation', async () => {
    const admin = await t.user('admin');
    const integration = await t.user('manager');
    const created = await t.http
      .post('/api/v1/api-keys')
      .set(bearer(admin.token))
      .send({ name: 'DMS', userId: integration.id });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect(key).toMatch(/^crm_/);
    expect((await t.http.get('/api/v1/auth/me').set('X-API-Key', key)).body).toMatchObject({
      id: integration.id,
      via: 'api_key',
    });
    const listed = await t.http.get('/api/v1/api-keys').set(bearer(admin.token));
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect((await t.http.delete(`/api/v1/api-keys/${created.body.id}`).set(bearer(admin.token))).status).toBe(
      204,
    );
    expect((await t.http.get('/api/v1/auth/me').set('X-API-Key', key)).status).toBe(401);
  });

  it('rejects a token signed with another secret', async () => {
    const forged =
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAifQ.c2lnbmF0dXJl';
    expect((await t.http.get('/api/v1/auth/me').set(bearer(forged))).status).toBe(401);
  });

  it('refuses a token once it has expired, though it was accepted (and remembered) before', async () => {
    const user = await t.user('salesperson');
    const jwt = t.app.get(JwtService);
    const token = await jwt.signAsync({ sub: user.id }, { expiresIn: 1 });
    expect((await t.http.get('/api/v1/auth/me').set(bearer(token))).status).toBe(200);
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number };
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    const res = await t.http.get('/api/v1/auth/me').set(bearer(token));
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('remembers at most 1,000 verified tokens, and one forgotten is verified again', async () => {
    const user = await t.user('salesperson');
    const jwt = t.app.get(JwtService);
    const auth = t.app.get(AuthService);
    const tokens = await Promise.all(
      Array.from({ length: 1005 }, (_, k) => jwt.signAsync({ sub: user.id, n: k }, { expiresIn: 60 })),
    );
    for (const token of tokens) expect(await auth.tokenSubject(token)).toBe(user.id);
    const verified = (auth as unknown as { verified: Map<string, unknown> }).verified;
    expect(verified.size).toBe(1000);
    expect(verified.has(tokens[0])).toBe(false);
    expect(await auth.tokenSubject(tokens[0])).toBe(user.id);
  });

  it('refuses a token without exp, even when signed with the app’s own secret', async () => {
    const user = await t.user('salesperson');
    const jwt = t.app.get(JwtService);
    const forever = await jwt.signAsync({ sub: user.id });
    expect(JSON.parse(Buffer.from(forever.split('.')[1], 'base64url').toString())).not.toHaveProperty('exp');
    const res = await t.http.get('/api/v1/auth/me').set(bearer(forever));
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    // The same claims with an exp pass: the refusal above is the missing exp, not the key.
    const expiring = await jwt.signAsync({ sub: user.id }, { expiresIn: 60 });
    expect((await t.http.get('/api/v1/auth/me').set(bearer(expiring))).status).toBe(200);
  });

  it('sends security headers and a request id', async () => {
    const res = await t.http.get('/api/v1/health').set('X-Request-Id', 'abc-123');
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
  });
});
