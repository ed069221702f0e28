import { createHash } from 'node:crypto';
import type { Language } from '../../config/app-config';
import { TemplateRenderer, type RenderInput } from '../template-renderer';
import { EMAIL_TEMPLATES } from '.';

/**
 * A rooftop's phone and address are optional (both default to ''), and a booking link may be missing: every
 * email must still read well, in every language, in its subject, HTML and text parts.
 */
const LANGUAGES: Language[] = ['en', 'km', 'lo'];
const names = (en: string, km: string, lo: string) => ({ en, km, lo });
const vehicle = { make: 'Toyota', model: 'Hilux', year: 2024 };
const slot = { slotStart: '2026-12-21T02:00:00Z', slotEnd: '2026-12-21T02:30:00Z', vehicle };
const items = [{ itemCode: 'OIL_CHANGE', names: names('Oil change', 'ប្តូរប្រេងម៉ាស៊ីន', 'ປ່ຽນນ້ຳມັນເຄື່ອງ') }];

/** A realistic payload for every template kind (the test fails when a template is added without one). */
const PAYLOADS: Record<string, Record<string, unknown>> = {
  transactional: { message: 'Your vehicle is ready.', date: '2026-12-20T03:00:00Z' },
  service_reminder: {
    items: [
      {
        vin: 'JTDKB20U093000001',
        ...vehicle,
        itemCode: 'OIL_CHANGE',
        itemNames: items[0].names,
        stageLabels: names('due', 'ដល់ពេល', 'ຮອດກຳນົດ'),
        dueDate: '2026-12-20',
        latestOdometer: 30000,
      },
    ],
  },
  loyalty_tier_up: {
    tier: 'silver',
    tierName: names('Silver', 'ប្រាក់', 'ເງິນ'),
    earnedTrailing12Months: 1200,
    balance: 1500,
    nextTier: 'gold',
    nextTierName: names('Gold', 'មាស', 'ຄຳ'),
    pointsToNextTier: 1800,
  },
  birthday: {},
  declined_service: {
    vehicle,
    visitDate: '2026-12-01',
    currency: 'USD',
    items: [{ itemCode: null, description: 'Front brake pads', estimate: 120 }],
  },
  purchase_anniversary: { vehicle, purchaseDate: '2024-12-20', years: 2 },
  sale_check_in: { vehicle, purchaseDate: '2026-11-20' },
  sale_thank_you: { vehicle, purchaseDate: '2026-12-19' },
  survey_invitation: {
    isService: true,
    surveyKind: 'service',
    surveyUrl: 'https://crm.test/api/v1/surveys/tok',
    expiresAt: '2027-01-19T00:00:00Z',
    vehicle,
  },
  term_end: { vehicle, termEndDate: '2027-06-20', purchaseType: 'lease', daysBefore: 180 },
  warranty_expiring: { vehicle, warrantyEndDate: '2027-02-01', warrantyEndDistance: 100000 },
  win_back: { lastVisitDate: '2025-11-02' },
  appointment_confirmation: {
    ...slot,
    change: 'booked',
    items,
    calendar: { method: 'REQUEST', content: 'BEGIN:VCALENDAR' },
  },
  appointment_cancelled: { ...slot, items },
  appointment_reminder: { ...slot, items },
  appointment_no_show: { ...slot, items },
};

const rooftop = (contact: { phone: string; address: string }): RenderInput['rooftop'] => ({
  name: 'Vientiane Motors',
  ...contact,
  bookingUrl: null,
  timeZone: 'Asia/Vientiane',
  currency: 'USD',
});

function render(
  kind: string,
  language: Language,
  contact: { phone: string; address: string },
  booking: string | null,
) {
  return renderer.render({
    kind,
    language,
    unit: 'km',
    customer: { firstName: 'Dara', lastName: 'Chan' },
    rooftop: rooftop(contact),
    payload: PAYLOADS[kind],
    links: { unsubscribe: 'https://crm.test/api/v1/unsubscribe/abc', booking },
  });
}

/** Words that offer a phone call, per language: none may appear when there is no number to call. */
const CALL = /call|phone|ទូរស័ព្ទ|ໂທຫາ|ໂທລະສັບ/i;
/** "The link below", per language: only when the layout shows a booking link below. */
const LINK_BELOW = /link below|តំណខាងក្រោម|ລິ້ງຂ້າງລຸ່ມ/;
/** A gap left by an empty value, or punctuation doubled around one ("at  to", "Blvd. .", "ກມ..", ".។"). */
const GAP = / {2}|[ ]+[.,។]|[.។]\s*[.។]|<p>\s*<\/p>|\(\s*\)/;

const renderer = new TemplateRenderer();

describe('emails of a rooftop without a phone number or an address', () => {
  it('has a payload for every template kind', () => {
    expect(Object.keys(PAYLOADS).sort()).toEqual(EMAIL_TEMPLATES.map((t) => t.kind).sort());
  });

  for (const booking of ['https://crm.test/api/v1/book/tok', null]) {
    it(`offers no call, no missing link and leaves no gap, in every kind and language (${booking ? 'with' : 'without'} a booking link)`, () => {
      const problems: string[] = [];
      for (const { kind } of EMAIL_TEMPLATES) {
        for (const language of LANGUAGES) {
          const out = render(kind, language, { phone: '', address: '' }, booking);
          for (const [part, content] of Object.entries(out)) {
            const checks = { call: CALL, gap: GAP, ...(booking ? {} : { link: LINK_BELOW }) };
            for (const [what, pattern] of Object.entries(checks)) {
              const found = pattern.exec(content);
              if (found)
                problems.push(
                  `${kind} ${language} ${part} ${what}: …${content.slice(Math.max(0, found.index - 40), found.index + 40)}…`,
                );
            }
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('still offers the call, with the number, when the rooftop has one', () => {
    const withPhone = { phone: '+85621555111', address: 'Lane Xang Avenue' };
    for (const kind of [
      'service_reminder',
      'appointment_confirmation',
      'appointment_reminder',
      'appointment_no_show',
    ]) {
      for (const language of LANGUAGES) {
        for (const booking of ['https://crm.test/api/v1/book/tok', null]) {
          const out = render(kind, language, withPhone, booking);
          for (const content of [out.html, out.text]) {
            // In the body (before the footer, which shows the number on its own line).
            const body = content.split(/\n--\n|<strong>Vientiane Motors<\/strong>/)[0];
            expect(body).toContain('+85621555111');
            expect(body).toMatch(CALL);
            expect(GAP.exec(content)?.[0] ?? null).toBeNull();
          }
        }
      }
    }
  });

  it('leaves no empty line where the address would be in the footer', () => {
    const out = render('birthday', 'en', { phone: '+85621555111', address: '' }, null);
    expect(out.text).toContain('--\nVientiane Motors\nPhone: +85621555111\n');
    expect(out.html).toContain('<strong>Vientiane Motors</strong><br>Phone: +85621555111<br>');
  });
});

/**
 * The rendered bytes of every kind × language, with and without phone, address, booking and Telegram links, in km
 * and mi, pinned by their SHA-256: the renderer's internals (its Handlebars environment, the body as the layout's
 * partial, cached Intl formatters) may change, what a customer reads may not. The dates and numbers come from
 * Node's ICU data: after a Node upgrade that changes them, check the output and pin it again.
 */
describe('rendered output', () => {
  it('is byte for byte what it was (every kind, language and contact variant)', () => {
    const hash = createHash('sha256');
    let emails = 0;
    for (const { kind } of EMAIL_TEMPLATES)
      for (const language of LANGUAGES)
        for (const unit of ['km', 'mi'] as const)
          for (const contact of [
            { phone: '', address: '' },
            { phone: '+85621555111', address: 'Lane Xang <Avenue> & Co' },
          ])
            for (const booking of [null, 'https://crm.test/api/v1/book/tok?a=1&b=2'])
              for (const telegram of [undefined, null, 'https://t.me/crm_bot?start=tok'])
                for (const timeZone of ['Asia/Vientiane', 'America/Los_Angeles']) {
                  const out = renderer.render({
                    kind,
                    language,
                    unit,
                    customer: { firstName: 'Dara <&>', lastName: 'Chan' },
                    rooftop: { ...rooftop(contact), name: 'Vientiane "Motors"', timeZone },
                    payload: PAYLOADS[kind],
                    links: {
                      unsubscribe: 'https://crm.test/api/v1/unsubscribe/abc',
                      booking,
                      ...(telegram === undefined ? {} : { telegram }),
                    },
                  });
                  for (const part of [out.subject, out.html, out.text]) hash.update(part).update('\0');
                  emails += 1;
                }
    expect(emails).toBe(EMAIL_TEMPLATES.length * 3 * 2 * 2 * 2 * 3 * 2);
    expect(hash.digest('hex')).toBe('cfe97b2027d66fae8c5e68d9f2017968a92b832345c571a133d3fa46080ded6f');
  });
});
