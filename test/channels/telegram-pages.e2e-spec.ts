import * as fs from 'node:fs';
import * as path from 'node:path';
import { simpleParser } from 'mailparser';
import { BookingLinkService } from '../../src/appointments/booking-links.provider';
import { LinkSigner } from '../../src/common/link-signer';
import { TelegramLinks } from '../../src/messaging/channels/telegram/telegram-links';
import { telegramTexts } from '../../src/messaging/channels/telegram/telegram-texts';
import { DispatcherService } from '../../src/messaging/dispatcher.service';
import { enqueue, insertCustomer } from '../support/messaging-fixtures';
import { bearer, startTestApp, type TestApp } from '../support/test-app';

/**
 * Where the Telegram deep link is offered (SPEC "Channels"): the email footer, the survey thank-you page and
 * the booking confirmation, in the customer's language — to customers whose chat is not linked yet.
 */
const BOT = 'dealer_crm_pages_bot';
const EVERY_DAY = [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, open: '08:00', close: '17:00' }));
const deepLink = new RegExp(`https://t\\.me/${BOT}\\?start=([A-Za-z0-9_-]{1,64})`);

describe('Telegram opt-in offered in emails and on the public pages', () => {
  let t: TestApp;
  let rooftop: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { TELEGRAM_BOT_USERNAME: BOT } });
    rooftop = (await t.rooftop({ name: 'Phnom Penh Motors' })).id;
  });
  afterAll(() => t?.close());

  const linkChat = (customerId: string, chatId: string) =>
    t.db.query(`UPDATE customer SET telegram_chat_id = $2, telegram_linked_at = now() WHERE id = $1`, [
      customerId,
      chatId,
    ]);

  async function survey(customerId: string) {
    const [row] = await t.db.query(
      `INSERT INTO survey (kind, rooftop_id, customer_id, dedupe_key, language, issued_at, expires_at)
       VALUES ('service', $1, $2, $3, 'km', '2026-06-14T03:00:00Z', '2026-07-14T03:00:00Z') RETURNING id`,
      [rooftop, customerId, `test:${customerId}`],
    );
    return t.app.get(LinkSigner).sign('survey', { s: row.id, c: customerId });
  }

  it('shows the link on the survey thank-you page, in Khmer, with the wording; not to a linked customer', async () => {
    const customerId = await insertCustomer(t.db, rooftop, { language: 'km' });
    const page = await t.http
      .post(`/api/v1/surveys/${await survey(customerId)}`)
      .type('form')
      .send('nps=9&csat=5');
    expect(page.status).toBe(200);
    const token = deepLink.exec(page.text)?.[1];
    expect(token).toBeDefined();
    expect(t.app.get(TelegramLinks).verify(token!, t.clock.now())).toMatchObject({ ok: true, customerId });
    expect(page.text).toContain(telegramTexts('km').linkLabel);
    expect(page.text).toContain(telegramTexts('km').optIn('Phnom Penh Motors'));

    const linked = await insertCustomer(t.db, rooftop, { language: 'km' });
    await linkChat(linked, '660001');
    const other = await t.http
      .post(`/api/v1/surveys/${await survey(linked)}`)
      .type('form')
      .send('nps=9&csat=5');
    expect(other.status).toBe(200);
    expect(other.text).not.toMatch(deepLink);
  });

  it('shows the link on the booking confirmation', async () => {
    const manager = await t.user('manager', [rooftop]);
    const calendar = await t.http
      .put(`/api/v1/rooftops/${rooftop}/service-calendar`)
      .set(bearer(manager.token))
      .send({ openingHours: EVERY_DAY, placesPerSlot: 2 });
    expect(calendar.status).toBe(200);
    const customerId = await insertCustomer(t.db, rooftop, { language: 'lo' });
    const booking = t.app.get(BookingLinkService);
    const token = booking.sign(
      { c: customerId, r: rooftop, v: null, i: [], l: 'lo', m: null, mk: null },
      t.clock.now(),
    );
    const view = await t.http.get(`/api/v1/book/${token}`).set('Accept', 'application/json');
    expect(view.status).toBe(200);
    const slot = view.body.slots[0].start as string;
    const page = await t.http
      .post(`/api/v1/book/${token}`)
      .type('form')
      .send(`action=book&slotStart=${encodeURIComponent(slot)}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-outcome="booked"');
    expect(page.text).toMatch(deepLink);
    expect(page.text).toContain(telegramTexts('lo').linkLabel);
  });

  it('puts the link in the email footer (HTML and text) of a customer without Telegram', async () => {
    const customerId = await insertCustomer(t.db, rooftop, { language: 'km' });
    const messageId = await enqueue(t.db, { rooftopId: rooftop, customerId });
    await t.app.get(DispatcherService).dispatch(t.clock.now());
    const eml = fs.readFileSync(path.join(t.dataDir, 'mail', `${messageId}.eml`), 'utf8');
    const text = await decodeParts(eml);
    expect(text).toMatch(deepLink);
    expect(text).toContain(telegramTexts('km').linkLabel);
    expect(text).toContain(telegramTexts('km').optIn('Phnom Penh Motors'));

    // Linked, but preferring email: no offer of what they already have.
    const linked = await insertCustomer(t.db, rooftop, { language: 'km' });
    await linkChat(linked, '660002');
    await t.db.query(`UPDATE customer SET preferred_channel = 'email' WHERE id = $1`, [linked]);
    const second = await enqueue(t.db, { rooftopId: rooftop, customerId: linked });
    await t.app.get(DispatcherService).dispatch(t.clock.now());
    const row = await t.db.query(`SELECT status, channel FROM outbox_message WHERE id = $1`, [second]);
    expect(row[0]).toMatchObject({ status: 'sent', channel: 'email' });
    const other = await decodeParts(fs.readFileSync(path.join(t.dataDir, 'mail', `${second}.eml`), 'utf8'));
    expect(other).not.toMatch(deepLink);
  });
});

describe('Telegram opt-in without a bot', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('answers 409 telegram_not_configured for the link and offers nothing in emails', async () => {
    const rooftop = (await t.rooftop()).id;
    const staff = await t.user('salesperson', [rooftop]);
    const customerId = await insertCustomer(t.db, rooftop);
    const res = await t.http.get(`/api/v1/customers/${customerId}/telegram-link`).set(bearer(staff.token));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('telegram_not_configured');
    const messageId = await enqueue(t.db, { rooftopId: rooftop, customerId });
    await t.app.get(DispatcherService).dispatch(t.clock.now());
    const eml = await decodeParts(fs.readFileSync(path.join(t.dataDir, 'mail', `${messageId}.eml`), 'utf8'));
    expect(eml).not.toContain('t.me/');
  });
});

/** The HTML and text parts of an .eml (the footer is in both). */
async function decodeParts(eml: string): Promise<string> {
  const mail = await simpleParser(eml);
  return `${String(mail.html)}\n${mail.text ?? ''}`.replace(/&#x3D;/g, '=');
}
