import type { ApprovedMessage } from '../../src/messaging/claim-approval';
import { ShortTextComposer } from '../../src/messaging/channels/short-text.composer';
import { smsPartCount } from '../../src/messaging/channels/sms/sms-text';
import type { LoadedMessage } from '../../src/messaging/outbox-claims.repository';
import { ShortLinks } from '../../src/messaging/short-links';
import { insertCustomer } from '../support/messaging-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

const NOW = '2026-12-07T03:00:00.000Z';
const DAY = 86_400_000;

describe('short texts and short links (SMS, Telegram)', () => {
  let t: TestApp;
  let links: ShortLinks;
  let composer: ShortTextComposer;
  let rooftopId: string;
  let customerId: string;

  beforeAll(async () => {
    t = await startTestApp({ now: NOW, env: { PUBLIC_BASE_URL: 'https://crm.phnompenh-toyota.com' } });
    links = t.app.get(ShortLinks);
    composer = t.app.get(ShortTextComposer);
    const rooftop = await t.rooftop({
      name: 'Phnom Penh Toyota Service',
      bookingUrl: 'https://www.phnompenh-toyota.com/service/booking?utm_source=crm&campaign=reminders',
    });
    rooftopId = rooftop.id;
    customerId = await insertCustomer(t.db, rooftopId, { firstName: 'Sovannarith Chanmony', language: 'km' });
  });
  afterAll(() => t?.close());

  const get = (path: string) => t.http.get(path).set('Accept', 'text/html');

  /** An approved message as the dispatcher hands it to the composer (the columns the composer reads). */
  function approved(
    kind: string,
    purpose: string,
    payload: Record<string, unknown>,
    channel: 'sms' | 'telegram',
  ) {
    const message = {
      id: crypto.randomUUID(),
      customer_id: customerId,
      rooftop_id: rooftopId,
      vehicle_id: null,
      kind,
      purpose,
      payload,
      first_name: 'Sovannarith Chanmony',
      last_name: 'Test',
      rooftop_name: 'Phnom Penh Toyota Service',
      time_zone: 'Asia/Phnom_Penh',
      address: 'Russian Blvd, Phnom Penh',
      phone: '+855 23 987 654',
      booking_url: 'https://www.phnompenh-toyota.com/service/booking?utm_source=crm&campaign=reminders',
      currency: 'USD',
    } as unknown as LoadedMessage;
    return {
      message,
      messageId: null,
      language: 'km',
      channel,
      to: channel === 'sms' ? '+85512345678' : '123456789',
    } as ApprovedMessage;
  }

  const codeOf = (text: string) => /\/l\/([0-9A-Za-z]+)$/.exec(text)?.[1];

  it('an SMS carries the short link, which redirects (302) to the full link', async () => {
    const sms = await composer.composeSms(
      approved('service_reminder', 'service_reminders', { items: [{ model: 'Land Cruiser' }] }, 'sms'),
      new Date(NOW),
    );
    if (!sms.ok) throw new Error(sms.error);
    expect(sms.message.to).toBe('+85512345678');
    expect(sms.message.text).toMatch(/^Phnom Penh Toyota Service៖ Sovannarith Chanmony /);
    expect(sms.message.text).toMatch(/ crm\.phnompenh-toyota\.com\/l\/[0-9A-Za-z]{10}$/);
    expect(smsPartCount(sms.message.text)).toBeLessThanOrEqual(2);
    const res = await get(`/l/${codeOf(sms.message.text)}`).expect(302);
    expect(res.headers.location).toBe(
      'https://www.phnompenh-toyota.com/service/booking?utm_source=crm&campaign=reminders',
    );
  });

  it('a survey SMS links to the survey; a birthday SMS to the unsubscribe page', async () => {
    const surveyUrl = 'https://crm.phnompenh-toyota.com/api/v1/surveys/eyJhbGciOi.signed.token';
    const survey = await composer.composeSms(
      approved(
        'survey_invitation',
        'surveys',
        { surveyUrl, isService: true, expiresAt: '2027-01-06T00:00:00Z' },
        'sms',
      ),
      new Date(NOW),
    );
    if (!survey.ok) throw new Error(survey.error);
    expect((await get(`/l/${codeOf(survey.message.text)}`).expect(302)).headers.location).toBe(surveyUrl);
    const birthday = await composer.composeSms(approved('birthday', 'marketing', {}, 'sms'), new Date(NOW));
    if (!birthday.ok) throw new Error(birthday.error);
    const to = (await get(`/l/${codeOf(birthday.message.text)}`).expect(302)).headers.location;
    expect(to).toMatch(/^https:\/\/crm\.phnompenh-toyota\.com\/api\/v1\/unsubscribe\//);
    await get(new URL(to).pathname).expect(200);
  });

  it('Telegram gets the text and a localised URL button with the full link, no short link', async () => {
    const tg = await composer.composeTelegram(
      approved('service_reminder', 'service_reminders', { items: [{ model: 'Hilux' }] }, 'telegram'),
      new Date(NOW),
    );
    if (!tg.ok) throw new Error(tg.error);
    expect(tg.message.chatId).toBe('123456789');
    expect(tg.message.text).not.toMatch(/\/l\//);
    expect(tg.message.text).toContain('Hilux');
    expect(tg.message.buttons).toEqual([
      {
        label: 'កក់ពេលថែទាំ',
        url: 'https://www.phnompenh-toyota.com/service/booking?utm_source=crm&campaign=reminders',
      },
    ]);
  });

  it('a kind without a short form is a composition failure, not a crash', async () => {
    const sms = await composer.composeSms(approved('no_such_kind', 'marketing', {}, 'sms'), new Date(NOW));
    expect(sms).toEqual({ ok: false, error: "no short text for kind 'no_such_kind'" });
  });

  it('the same target reuses its code; another target gets another code', async () => {
    const asOf = new Date(NOW);
    const a = await links.shorten('https://example.test/a', asOf, new Date(asOf.getTime() + DAY));
    const again = await links.shorten('https://example.test/a', asOf, new Date(asOf.getTime() + 2 * DAY));
    const b = await links.shorten('https://example.test/b', asOf, new Date(asOf.getTime() + DAY));
    expect(a).toMatch(/^[0-9A-Za-z]{10}$/);
    expect(again).toBe(a);
    expect(b).not.toBe(a);
    const rows: { n: number }[] = await t.db.query(
      `SELECT count(*)::int AS n FROM short_link WHERE target = 'https://example.test/a'`,
    );
    expect(rows[0].n).toBe(1);
  });

  it('links asked for at once share one statement; the same target twice gets one code, the later expiry', async () => {
    const asOf = new Date(NOW);
    const at = (days: number) => new Date(asOf.getTime() + days * DAY);
    // The first is stored alone; the three asked for meanwhile go together, the same target twice among them.
    const [first, second, third, other] = await Promise.all([
      links.shorten('https://example.test/together', asOf, at(1)),
      links.shorten('https://example.test/together', asOf, at(2)),
      links.shorten('https://example.test/together', asOf, at(3)),
      links.shorten('https://example.test/together-other', asOf, at(1)),
    ]);
    expect(new Set([first, second, third]).size).toBe(1);
    expect(other).not.toBe(first);
    const rows: { n: number; expires: Date }[] = await t.db.query(
      `SELECT count(*)::int AS n, max(expires_at) AS expires FROM short_link WHERE target = 'https://example.test/together'`,
    );
    expect(rows[0].n).toBe(1);
    expect(new Date(rows[0].expires).getTime()).toBe(at(3).getTime());
  });

  it('reusing a code extends its expiry, never shortens it', async () => {
    const asOf = new Date(NOW);
    const code = await links.shorten('https://example.test/c', asOf, new Date(asOf.getTime() + 10 * DAY));
    await links.shorten('https://example.test/c', asOf, new Date(asOf.getTime() + DAY));
    expect(await links.resolve(code, new Date(asOf.getTime() + 5 * DAY))).toBe('https://example.test/c');
    await links.shorten('https://example.test/c', asOf, new Date(asOf.getTime() + 20 * DAY));
    expect(await links.resolve(code, new Date(asOf.getTime() + 15 * DAY))).toBe('https://example.test/c');
  });

  it('an expired link answers a 404 page', async () => {
    const asOf = new Date(NOW);
    const code = await links.shorten('https://example.test/expiring', asOf, new Date(asOf.getTime() + DAY));
    await get(`/l/${code}`).expect(302);
    t.clock.set(new Date(asOf.getTime() + DAY + 1000));
    try {
      const res = await get(`/l/${code}`).expect(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('Link not found');
      expect(res.text).toContain('រកមិនឃើញតំណ');
    } finally {
      t.clock.set(NOW);
    }
  });

  it('an unknown code answers a 404 page to a browser, problem+json to an API client', async () => {
    const page = await get('/l/AAAAAAAAAA').expect(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const api = await t.http.get('/l/AAAAAAAAAA').set('Accept', 'application/json').expect(404);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(api.body.code).toBe('not_found');
  });

  it('a malformed code is refused before the database is read', async () => {
    // Rows under malformed codes exist: a lookup would find them, so a 404 proves the format check came first.
    const bad = ['AAAAAAAAAAA', 'AAAAAAAAA', 'AAAAA-AAAA', 'AAAA%C3%A9AAAAA'];
    for (const code of ['AAAAAAAAAAA', 'AAAAAAAAA', 'AAAAA-AAAA', 'AAAAéAAAAA']) {
      await t.db.query(`INSERT INTO short_link (code, target, expires_at) VALUES ($1, $2, $3)`, [
        code,
        `https://example.test/bad/${encodeURIComponent(code)}`,
        new Date(Date.parse(NOW) + DAY),
      ]);
    }
    for (const code of bad) await get(`/l/${code}`).expect(404);
    await get(`/l/${'A'.repeat(3000)}`).expect((res) => expect(res.status).toBeGreaterThanOrEqual(400));
  });
});
