import type { Language } from '../config/app-config';
import { renderBookingPage, type BookingPageModel } from './booking-page';

const LANGUAGES: Language[] = ['en', 'km', 'lo'];
/** Words that offer a phone call, per language. */
const CALL = /call|ទូរស័ព្ទ|ໂທຫາ/i;
/** A gap left by an empty value: two spaces, or a space before a full stop ("call us on ."). */
const GAP = / {2}|[ ]+[.។]/;

const model = (language: Language, rooftopPhone: string, appointment: BookingPageModel['appointment']) => ({
  language,
  rooftopName: 'Vientiane Motors',
  rooftopPhone,
  timeZone: 'Asia/Vientiane',
  action: '/api/v1/book/tok',
  slots: [],
  items: [],
  appointment,
});

/** The two pages that send the customer elsewhere: no free time, and an appointment inside the lead time. */
const pages = (language: Language, phone: string) => [
  renderBookingPage(model(language, phone, null)),
  renderBookingPage(
    model(language, phone, { slotStart: new Date('2026-12-21T02:00:00Z'), changeable: false }),
  ),
];

describe('booking page of a rooftop without a phone number', () => {
  it('sends the customer to the workshop instead of offering a call to no number', () => {
    for (const language of LANGUAGES) {
      for (const html of pages(language, '')) {
        const text = html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]+>/g, '\n');
        expect({ language, call: CALL.exec(text)?.[0] ?? null }).toEqual({ language, call: null });
        expect({ language, gap: GAP.exec(text)?.[0] ?? null }).toEqual({ language, gap: null });
      }
    }
  });

  it('offers the call with the number when the rooftop has one', () => {
    for (const language of LANGUAGES) {
      for (const html of pages(language, '+85621555111')) {
        expect(html).toContain('+85621555111');
        expect(html).toMatch(CALL);
      }
    }
  });
});
