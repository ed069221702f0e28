import { ConfigError, loadConfig } from '../../src/config/app-config';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The login rate limit (docs/security.md "Logins and passwords"): atomic counting, the account key
 * normalised like the user lookup, X-Forwarded-For only from trusted proxies, no lock-out of a user by an
 * attacker elsewhere, and a table that prunes itself.
 */
const LOGIN = '/api/v1/auth/login';
const WRONG = 'not-the-password-at-all';
const HOUR = 3_600_000;

type Status = number;
const tally = (statuses: Status[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

describe('login rate limit, default settings (no trusted proxy)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Every request here comes from 127.0.0.1: a large address budget keeps these cases about the pair.
    t = await startTestApp({ env: { LOGIN_ADDRESS_LIMIT: '1000' } });
  });
  afterAll(() => t.close());

  const login = (email: string, password: string, forwardedFor?: string) => {
    const req = t.http.post(LOGIN);
    return (forwardedFor ? req.set('X-Forwarded-For', forwardedFor) : req).send({ email, password });
  };

  it('checks at most LOGIN_RATE_LIMIT of 40 parallel wrong guesses on one email; the rest get 429 with Retry-After', async () => {
    const user = await t.user('salesperson');
    const answers = await Promise.all(Array.from({ length: 40 }, () => login(user.email, WRONG)));
    expect(tally(answers.map((a) => a.status))).toEqual({ 401: 10, 429: 30 });
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.code).toBe('too_many_login_attempts');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(300);
    // The right password does not get through the spent budget either.
    expect((await login(user.email, user.password)).status).toBe(429);
  });

  it('does not let the right password hidden among 40 parallel guesses buy more than LOGIN_RATE_LIMIT wrong checks', async () => {
    const user = await t.user('salesperson');
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login(user.email, i === 35 ? user.password : WRONG)),
    );
    const counts = tally(answers.map((a) => a.status));
    expect(counts[401] ?? 0).toBeLessThanOrEqual(10);
    expect((counts[401] ?? 0) + (counts[200] ?? 0)).toBeLessThanOrEqual(11);
    expect((counts[401] ?? 0) + (counts[200] ?? 0) + (counts[429] ?? 0)).toBe(40);
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: rotating it buys no further guesses', async () => {
    const user = await t.user('salesperson');
    for (let i = 0; i < 10; i++) expect((await login(user.email, WRONG)).status).toBe(401);
    const rotated: Status[] = [];
    for (let i = 1; i <= 10; i++) rotated.push((await login(user.email, WRONG, `203.0.113.${i}`)).status);
    expect(rotated).toEqual(Array(10).fill(429));
    expect((await login(user.email, user.password, '203.0.113.200')).status).toBe(429);
  });
});

describe('login rate limit behind a trusted proxy (TRUST_PROXY=loopback)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: { TRUST_PROXY: 'loopback', LOGIN_ACCOUNT_LIMIT: '25', LOGIN_ADDRESS_LIMIT: '15' },
    });
  });
  afterAll(() => t.close());

  const from = (address: string, email: string, password: string) =>
    t.http.post(LOGIN).set('X-Forwarded-For', address).send({ email, password });

  it('lets a user log in from their own address while an attacker elsewhere hammers the account', async () => {
    const user = await t.user('manager');
    const office = '198.51.100.7';
    expect((await from(office, user.email, user.password)).status).toBe(200);

    // One attacking address: 10 wrong guesses checked, then 429 — for that address only.
    const first: Status[] = [];
    for (let i = 0; i < 12; i++) first.push((await from('203.0.113.1', user.email, WRONG)).status);
    expect(first).toEqual([...Array(10).fill(401), 429, 429]);
    expect((await from(office, user.email, user.password)).status).toBe(200);
    expect((await from('198.51.100.8', user.email, user.password)).status).toBe(200);

    // Many attacking addresses spend the account budget (LOGIN_ACCOUNT_LIMIT = 25 failures) ...
    const spread: Status[] = [];
    for (let a = 2; a <= 5; a++) {
      for (let i = 0; i < 10; i++) spread.push((await from(`203.0.113.${a}`, user.email, WRONG)).status);
    }
    expect(tally(spread)).toEqual({ 401: 15, 429: 25 });
    // ... so a new address is refused (documented), but the addresses the user logged in from still work.
    expect((await from('198.51.100.99', user.email, user.password)).status).toBe(429);
    expect((await from(office, user.email, user.password)).status).toBe(200);
    expect((await from('198.51.100.8', user.email, user.password)).status).toBe(200);
  });

  it('counts İris@… and iris@… against one account budget exactly when the user lookup (PostgreSQL lower()) finds one user', async () => {
    const local = `iris${Date.now().toString(36)}`;
    const user = await t.user('salesperson', [], { email: `${local}@staff.test` });
    const dotted = `İ${local.slice(1)}@staff.test`;
    const [{ same }] = await t.db.query(`SELECT lower($1) = lower($2) AS same`, [dotted, user.email]);
    // JavaScript lower-cases İ to "i̇" (two code points): a key built in JavaScript would differ.
    expect(dotted.toLowerCase()).not.toBe(user.email);
    // Spend the account budget (25) on iris@… from three addresses ...
    for (let a = 1; a <= 3; a++) {
      for (let i = 0; i < 10; i++) await from(`203.0.113.${100 + a}`, user.email, WRONG);
    }
    expect((await from('203.0.113.104', user.email, user.password)).status).toBe(429);
    // ... then İris@… from a fresh address: the same account for the lookup, so the same spent budget;
    // were it another account for the lookup, it would have its own budget (and not be found: 401).
    expect((await from('203.0.113.105', dotted, user.password)).status).toBe(same ? 429 : 401);
  });

  it('limits one address guessing across many accounts (LOGIN_ADDRESS_LIMIT = 15)', async () => {
    const sprayer = '192.0.2.66';
    const statuses: Status[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await from(sprayer, `nobody${i}@staff.test`, WRONG)).status);
    expect(statuses).toEqual([...Array(15).fill(401), ...Array(5).fill(429)]);
    const user = await t.user('salesperson');
    expect((await from(sprayer, user.email, user.password)).status).toBe(429);
    expect((await from('192.0.2.67', user.email, user.password)).status).toBe(200);
  });

  it('groups IPv6 clients by /64', async () => {
    const user = await t.user('salesperson');
    for (let i = 0; i < 10; i++)
      expect((await from(`2001:db8:7:9::${i + 1}`, user.email, WRONG)).status).toBe(401);
    expect((await from('2001:db8:7:9:abcd::1', user.email, user.password)).status).toBe(429);
    expect((await from('2001:db8:7:10::1', user.email, user.password)).status).toBe(200);
  });

  it('prunes expired counters as it goes (at most 100 a login), and keeps a trusted address for 30 days', async () => {
    const user = await t.user('salesperson');
    expect((await from('198.51.100.30', user.email, user.password)).status).toBe(200);
    const trusted = async () =>
      (await t.db.query(`SELECT count(*)::int AS n FROM login_throttle WHERE trusted_until IS NOT NULL`))[0]
        .n as number;
    const expired = async () =>
      (
        await t.db.query(`SELECT count(*)::int AS n FROM login_throttle WHERE expires_at < $1`, [
          t.clock.now(),
        ])
      )[0].n as number;
    const total = async () =>
      (await t.db.query(`SELECT count(*)::int AS n FROM login_throttle`))[0].n as number;
    const trustedBefore = await trusted();
    expect(trustedBefore).toBeGreaterThanOrEqual(3);

    // Two hours on, every counter of the tests above has expired (the longest window is one hour).
    t.clock.advance(2 * HOUR);
    expect(await expired()).toBeGreaterThan(0);
    await t.db.query(
      `INSERT INTO login_throttle (key, window_start, hits, expires_at)
       SELECT 'synthetic-' || i, $1::timestamptz - interval '1 day', 3, $1::timestamptz - interval '23 hours'
         FROM generate_series(1, 150) i`,
      [t.clock.now()],
    );
    let stale = await expired();
    expect(stale).toBeGreaterThan(150);
    const before = await total();
    expect((await from('192.0.2.200', 'someone@staff.test', WRONG)).status).toBe(401);
    // 100 expired rows deleted, three new counters (pair, account, address) added by this attempt.
    expect(await total()).toBe(before - 100 + 3);
    expect(await expired()).toBe(stale - 100);
    for (let i = 1; stale > 100 && i < 5; i++) {
      stale -= 100;
      expect((await from(`192.0.2.${200 + i}`, 'someone@staff.test', WRONG)).status).toBe(401);
      expect(await expired()).toBe(Math.max(0, stale - 100));
    }
    expect(await expired()).toBe(0);
    expect(await trusted()).toBe(trustedBefore);

    // The trusted pairs lapse after 30 days and go too.
    t.clock.advance(31 * 24 * HOUR);
    await from('192.0.2.250', 'someone@staff.test', WRONG);
    expect(await trusted()).toBe(0);
    expect(await expired()).toBe(0);
  });
});

describe('TRUST_PROXY setting', () => {
  const base = { DATABASE_URL: 'postgres://localhost/x' };

  it('defaults to trusting no proxy', () => {
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '' }).trustProxy).toBe(false);
  });

  it('accepts true, a hop count, and a list of addresses and CIDRs', () => {
    expect(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 192.168.1.4,::1, loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.4',
      '::1',
      'loopback',
    ]);
    const hops = loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy as (a: string, hop: number) => boolean;
    expect([0, 1, 2].map((hop) => hops('192.0.2.1', hop))).toEqual([true, true, false]);
  });

  it('refuses anything else at start, naming the setting', () => {
    for (const bad of ['yes please', '10.0.0.0/33', '300.1.1.1', 'true,10.0.0.1', '10.0.0.1/8/8']) {
      expect(() => loadConfig({ ...base, TRUST_PROXY: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
    }
  });
});
