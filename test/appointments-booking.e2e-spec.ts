import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ParsedMail } from 'mailparser';
import { chromium, type BrowserContext } from 'playwright-core';
import { BookingLinkService } from '../src/appointments/booking-links.provider';
import { JobsService } from '../src/jobs/jobs.service';
import { fixtures } from './follow-ups-fixtures';
import { CHROMIUM, CHROMIUM_ARGS, describeInBrowser } from './support/browser';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { bearer, startTestApp, type TestApp } from './support/test-app';

/** Monday 2026-06-15, 10:00 in Phnom Penh. */
const T0 = '2026-06-15T03:00:00Z';
const EVERY_DAY = [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, open: '08:00', close: '17:00' }));

let t: TestApp;
let sink: SmtpSink;
let rooftop: string;
let manager: { id: string; token: string };

async function setup() {
  sink = await startSmtpSink();
  t = await startTestApp({
    now: T0,
    env: { SMTP_URL: sink.url, MAIL_FROM: 'Dealer CRM <no-reply@crm.example>' },
  });
  rooftop = (await t.rooftop({ name: 'Phnom Penh Motors' })).id;
  manager = await t.user('manager', [rooftop]);
  const res = await t.http
    .put(`/api/v1/rooftops/${rooftop}/service-calendar`)
    .set(bearer(manager.token))
    .send({ openingHours: EVERY_DAY, placesPerSlot: 2 });
  expect(res.status).toBe(200);
}

async function teardown() {
  await t?.close();
  await sink?.close();
}

const run = (job: string, at = t.clock.now()) => t.app.get(JobsService).run(job as never, at);

/** A customer whose oil change falls due now, and the reminder email the planner and the dispatcher send them. */
async function reminderEmail(
  language = 'en',
): Promise<{ customer: string; vehicle: string; mail: ParsedMail }> {
  const f = fixtures(t);
  const customer = await f.customer(rooftop, { language });
  const vehicle = await f.vehicle(rooftop, customer, { purchaseDate: '2025-12-10' });
  await run('service-reminders');
  const [reminder] = await f.outbox(customer, 'service_reminder');
  expect(reminder).toBeDefined();
  await run('outbox-dispatch');
  const [{ email }] = await t.db.query(`SELECT email FROM customer WHERE id = $1`, [customer]);
  const mail = sink.accepted.find((m) => m.to.includes(email));
  expect(mail).toBeDefined();
  return { customer, vehicle, mail: mail!.parsed };
}

const bookingPath = (mail: ParsedMail) => {
  const match = /href="([^"]*\/api\/v1\/book\/[^"]+)"/.exec(String(mail.html));
  expect(match).not.toBeNull();
  return new URL(match![1].replace(/&amp;/g, '&')).pathname;
};

const icsOf = (mail: ParsedMail): string => {
  const part = mail.attachments.find(
    (a) => a.contentType.startsWith('text/calendar') || a.filename?.endsWith('.ics'),
  );
  expect(part).toBeDefined();
  return part!.content.toString('utf8').replace(/\r\n[ \t]/g, '');
};
const field = (ics: string, name: string) => new RegExp(`^${name}[:;](.*)$`, 'm').exec(ics)?.[1]?.trim();

describe('booking from a reminder, over HTTP (JSON)', () => {
  beforeAll(setup);
  afterAll(teardown);
  beforeEach(() => sink.reset());

  it('puts a signed booking link in the reminder that suggests the due item of its vehicle', async () => {
    const { customer, vehicle, mail } = await reminderEmail();
    const link = bookingPath(mail);
    const claims = t.app.get(BookingLinkService).verify(decodeURIComponent(link.split('/').pop()!));
    expect(claims).toMatchObject({ c: customer, r: rooftop, v: vehicle, l: 'en', mk: 'service_reminder' });
    expect(claims!.i).toContain('OIL_CHANGE');
    const page = await t.http.get(link).set('Accept', 'application/json');
    expect(page.status).toBe(200);
    expect(page.body.appointment).toBeNull();
    expect(page.body.slots[0]).toMatchObject({ localDate: '2026-06-15', localTime: '12:00' });
    expect(page.body.items.find((i: { code: string }) => i.code === 'OIL_CHANGE')).toMatchObject({
      checked: true,
    });
    expect(page.body.items.filter((i: { checked: boolean }) => !i.checked).length).toBeGreaterThan(0);
  });

  it('puts the booking link in the declined-work follow-up too, suggesting the declined items', async () => {
    const f = fixtures(t);
    const customer = await f.customer(rooftop);
    const vehicle = await f.vehicle(rooftop, customer, { purchaseDate: '2026-03-01' });
    await f.closedVisit(rooftop, vehicle, customer, '2026-06-01T03:00:00Z', {
      declined: [{ description: 'Brake fluid', itemCode: 'BRAKE_FLUID', estimate: 45 }],
    });
    await f.runFollowUps(T0);
    const [declined] = await f.outbox(customer, 'declined_service');
    expect(declined).toBeDefined();
    await run('outbox-dispatch', new Date(Math.max(Date.parse(T0), declined.scheduled_at.getTime())));
    const [{ email }] = await t.db.query(`SELECT email FROM customer WHERE id = $1`, [customer]);
    const mail = sink.accepted.find((m) => m.to.includes(email))!.parsed;
    const claims = t.app
      .get(BookingLinkService)
      .verify(decodeURIComponent(bookingPath(mail).split('/').pop()!));
    expect(claims).toMatchObject({ c: customer, v: vehicle, mk: 'declined_service', i: ['BRAKE_FLUID'] });
  });

  it('books, confirms with a calendar invite, moves (SEQUENCE 1) and cancels (METHOD:CANCEL) with the same link', async () => {
    const { customer, mail } = await reminderEmail();
    const link = bookingPath(mail);
    sink.reset();
    const booked = await t.http.post(link).send({
      action: 'book',
      slotStart: '2026-06-16T02:00:00.000Z',
      itemCodes: ['OIL_CHANGE'],
      note: 'AC too',
    });
    expect(booked.status).toBe(200);
    expect(booked.body.appointment).toMatchObject({
      state: 'booked',
      source: 'online',
      originKind: 'service_reminder',
      itemCodes: ['OIL_CHANGE'],
      note: 'AC too',
      customerId: customer,
    });
    await run('outbox-dispatch');
    const confirmation = sink.accepted.find((m) => /booked/.test(m.parsed.subject ?? ''))!.parsed;
    const invite = icsOf(confirmation);
    const uid = field(invite, 'UID');
    expect(uid).toBe(`appointment-${booked.body.appointment.id}@crm.test`);
    expect([field(invite, 'METHOD'), field(invite, 'SEQUENCE'), field(invite, 'DTSTART')]).toEqual([
      'REQUEST',
      '0',
      '20260616T020000Z',
    ]);
    // The confirmation links back to the same page, which now shows the appointment.
    const again = await t.http.get(bookingPath(confirmation)).set('Accept', 'application/json');
    expect(again.body.appointment).toMatchObject({ changeable: true });

    sink.reset();
    const moved = await t.http
      .post(link)
      .send({ action: 'reschedule', slotStart: '2026-06-17T03:00:00.000Z' });
    expect([moved.status, moved.body.appointment.slotStart]).toEqual([200, '2026-06-17T03:00:00.000Z']);
    await run('outbox-dispatch');
    const update = icsOf(sink.accepted.find((m) => /moved/.test(m.parsed.subject ?? ''))!.parsed);
    expect([field(update, 'UID'), field(update, 'SEQUENCE'), field(update, 'DTSTART')]).toEqual([
      uid,
      '1',
      '20260617T030000Z',
    ]);

    sink.reset();
    const cancelled = await t.http.post(link).send({ action: 'cancel' });
    expect([cancelled.status, cancelled.body.appointment.state]).toEqual([200, 'cancelled']);
    await run('outbox-dispatch');
    const cancel = icsOf(sink.accepted.find((m) => /cancelled/.test(m.parsed.subject ?? ''))!.parsed);
    expect([field(cancel, 'UID'), field(cancel, 'METHOD'), field(cancel, 'SEQUENCE')]).toEqual([
      uid,
      'CANCEL',
      '2',
    ]);
  });

  it('refuses to move or cancel inside the lead time, and a second booking while one stands', async () => {
    const { mail } = await reminderEmail();
    const link = bookingPath(mail);
    expect(
      (await t.http.post(link).send({ action: 'book', slotStart: '2026-06-15T06:00:00.000Z' })).status,
    ).toBe(200);
    const twice = await t.http.post(link).send({ action: 'book', slotStart: '2026-06-15T07:00:00.000Z' });
    expect([twice.status, twice.body.code]).toEqual([409, 'already_booked']);
    t.clock.set('2026-06-15T04:30:00Z'); // 90 minutes before the slot; the lead time is 2 h
    try {
      const late = await t.http.post(link).send({ action: 'cancel' });
      expect([late.status, late.body.code]).toEqual([422, 'too_late']);
      const page = await t.http.get(link).set('Accept', 'application/json');
      expect(page.body.appointment).toMatchObject({ changeable: false });
    } finally {
      t.clock.set(T0);
    }
  });

  it('answers 404 problem+json to a forged link, 404 page to a browser, and 400 naming the field to a bad slot', async () => {
    const { mail } = await reminderEmail();
    const link = bookingPath(mail);
    const forged = link.slice(0, -3) + (link.endsWith('AAA') ? 'BBB' : 'AAA');
    const json = await t.http.get(forged).set('Accept', 'application/json');
    expect([json.status, json.type]).toEqual([404, 'application/problem+json']);
    const html = await t.http.get(forged).set('Accept', 'text/html');
    expect([html.status, html.type]).toEqual([404, 'text/html']);
    const bad = await t.http.post(link).send({ action: 'book', slotStart: 'tomorrow' });
    expect([bad.status, bad.body.errors[0].field]).toEqual([400, 'slotStart']);
    const notASlot = await t.http.post(link).send({ action: 'book', slotStart: '2026-06-16T02:10:00.000Z' });
    expect([notASlot.status, notASlot.body.code]).toEqual([422, 'not_a_slot']);
  });
});

describeInBrowser('booking page in a real browser (headless Chromium)', () => {
  let context: BrowserContext;
  let profile: string;
  let baseUrl: string;

  beforeAll(async () => {
    await setup();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 390, height: 844 },
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    await teardown();
  });

  for (const [language, heading, booked, slot] of [
    ['en', 'Book your service appointment', 'Your appointment is booked', '2026-06-16T03:00:00.000Z'],
    ['km', 'កក់ពេលថែទាំរថយន្តរបស់អ្នក', 'ការណាត់ជួបរបស់អ្នកត្រូវបានកក់ហើយ', '2026-06-16T03:30:00.000Z'],
    ['lo', 'ນັດໝາຍເຂົ້າບໍລິການລົດຂອງທ່ານ', 'ການນັດໝາຍຂອງທ່ານຖືກຈອງແລ້ວ', '2026-06-16T04:00:00.000Z'],
  ] as const) {
    it(`opens the link of a real ${language} reminder at 390 px, picks a slot, confirms; no horizontal scroll`, async () => {
      sink.reset();
      const { customer, mail } = await reminderEmail(language);
      const page = await context.newPage();
      const response = await page.goto(`${baseUrl}${bookingPath(mail)}`);
      expect(response?.status()).toBe(200);
      expect(await page.getAttribute('html', 'lang')).toBe(language);
      expect(await page.textContent('h1')).toBe(heading);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // Every control has a label; the due item is ticked.
      expect(await page.isChecked('input[name="itemCodes"][value="OIL_CHANGE"]')).toBe(true);
      const unlabelled = await page.evaluate(
        () =>
          [...document.querySelectorAll('input:not([type=hidden]), textarea')].filter(
            (el) => !el.closest('label') && !document.querySelector(`label[for="${el.id}"]`),
          ).length,
      );
      expect(unlabelled).toBe(0);
      await page.check(`input[name="slotStart"][value="${slot}"]`);
      await page.fill('#note', 'Tyre pressure light');
      await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
      expect(await page.textContent('#outcome')).toBe(booked);
      const [row] = await t.db.query(
        `SELECT state, source, note, item_codes, slot_start FROM appointment WHERE customer_id = $1`,
        [customer],
      );
      expect(row).toMatchObject({ state: 'booked', source: 'online', note: 'Tyre pressure light' });
      expect(row.item_codes).toContain('OIL_CHANGE');
      expect(new Date(row.slot_start).toISOString()).toBe(slot);
      await page.close();
    });
  }

  it('moves and cancels from the same link with the keyboard alone', async () => {
    sink.reset();
    const { customer, mail } = await reminderEmail('en');
    const page = await context.newPage();
    await page.goto(`${baseUrl}${bookingPath(mail)}`);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    await page.goto(`${baseUrl}${bookingPath(mail)}`);
    expect(await page.textContent('h1')).toBe('Your appointment');
    // Tab to the first slot of the move form, arrow to the next one, Enter submits the form.
    await page.focus('form input[name="slotStart"]');
    await page.keyboard.press('ArrowRight');
    const chosen = await page.evaluate(() => (document.activeElement as HTMLInputElement).value);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    const [moved] = await t.db.query(`SELECT slot_start, state FROM appointment WHERE customer_id = $1`, [
      customer,
    ]);
    expect(new Date(moved.slot_start).toISOString()).toBe(chosen);
    await page.goto(`${baseUrl}${bookingPath(mail)}`);
    await Promise.all([page.waitForNavigation(), page.click('button.secondary')]);
    expect(await page.textContent('#outcome')).toBe('Your appointment is cancelled');
    await page.close();
  });
});
