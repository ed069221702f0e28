import { LANGUAGES } from '../../config/app-config';
import { smsPartCount, splitSms } from '../channels/sms/sms-text';
import { newShortCode, SHORT_LINK_BASE_MAX, shortLinkUrl } from '../short-links';
import { EMAIL_TEMPLATES } from '.';
import { ShortTextRenderer, smsText } from './short-text-renderer';

/** Realistic, long-ish values: a 20-character first name, a 25-character rooftop, the longest supported base. */
const FIRST_NAME = 'Sovannarith Chanmony';
const ROOFTOP = { name: 'Phnom Penh Toyota Service', phone: '+855 23 987 654', timeZone: 'Asia/Phnom_Penh' };
const PUBLIC_BASE_URL = 'https://crm.phnompenh-toyota.com';
const VEHICLE = { make: 'Toyota', model: 'Land Cruiser', year: 2024 };
const SLOT = '2026-12-14T02:30:00.000Z';
/** The kinds about one vehicle name it in every language (appointments name it in English only: km/lo need the room for the date). */
const NAMES_VEHICLE = [
  'service_reminder',
  'declined_service',
  'warranty_expiring',
  'sale_thank_you',
  'sale_check_in',
  'purchase_anniversary',
  'term_end',
  'survey_invitation',
];

/** A payload for each kind, as its planner writes it (see each *.template.ts). */
const PAYLOADS: Record<string, Record<string, unknown>> = {
  // The staff's own words, already in the customer's language (see transactional.template.ts).
  transactional: { message: 'Your vehicle is ready for pick-up.', date: SLOT },
  service_reminder: {
    items: [
      {
        vehicleId: 'v1',
        make: 'Toyota',
        model: 'Land Cruiser',
        itemCode: 'OIL_CHANGE',
        dueDate: '2026-12-20',
      },
      {
        vehicleId: 'v1',
        make: 'Toyota',
        model: 'Land Cruiser',
        itemCode: 'TIRE_ROTATION',
        dueDate: '2026-12-20',
      },
    ],
  },
  declined_service: { vehicle: VEHICLE, visitDate: '2026-11-20', items: [{ description: 'Brake pads' }] },
  warranty_expiring: { vehicle: VEHICLE, warrantyEndDate: '2027-01-30', projectedOdometer: 98_500 },
  sale_thank_you: { vehicle: VEHICLE, purchaseDate: '2026-12-01' },
  sale_check_in: { vehicle: VEHICLE, purchaseDate: '2026-11-01' },
  purchase_anniversary: { vehicle: VEHICLE, purchaseDate: '2023-12-07', years: 3 },
  term_end: { vehicle: VEHICLE, termEndDate: '2027-06-30', purchaseType: 'lease', daysBefore: 180 },
  win_back: { lastVisitDate: '2025-11-20' },
  birthday: {},
  loyalty_tier_up: {
    tier: 'platinum',
    tierName: { en: 'Platinum', km: 'ប្លាទីន', lo: 'ແພລທິນຳ' },
    balance: 12_345,
  },
  survey_invitation: { isService: true, surveyUrl: 'x', expiresAt: '2027-01-06T00:00:00Z', vehicle: VEHICLE },
  appointment_confirmation: { change: 'rescheduled', slotStart: SLOT, vehicle: VEHICLE },
  appointment_reminder: { stage: 'day_before', slotStart: SLOT, vehicle: VEHICLE },
  appointment_cancelled: { slotStart: SLOT, vehicle: VEHICLE },
  appointment_no_show: { slotStart: SLOT, vehicle: VEHICLE },
};

const STAFF_MESSAGE = {
  en: 'Your vehicle is ready for pick-up.',
  km: 'រថយន្តរបស់អ្នករួចរាល់ហើយ សូមអញ្ជើញមកយក។',
  lo: 'ລົດຂອງທ່ານພ້ອມແລ້ວ, ເຊີນມາຮັບໄດ້.',
};

const renderer = new ShortTextRenderer();
const sms = (kind: string, language: (typeof LANGUAGES)[number]) => {
  const short = renderer.render({
    kind,
    language,
    customer: { firstName: FIRST_NAME },
    rooftop: ROOFTOP,
    payload:
      kind === 'transactional' ? { ...PAYLOADS[kind], message: STAFF_MESSAGE[language] } : PAYLOADS[kind],
  });
  return { short, text: smsText(short, shortLinkUrl(PUBLIC_BASE_URL, newShortCode())) };
};

describe('short texts', () => {
  it('the test base URL is the longest one supported', () => {
    expect(PUBLIC_BASE_URL.replace('https://', '')).toHaveLength(SHORT_LINK_BASE_MAX);
    expect(FIRST_NAME).toHaveLength(20);
  });

  it('every email kind has a short form (and a payload here)', () => {
    const kinds = EMAIL_TEMPLATES.map((t) => t.kind).sort();
    expect(renderer.kinds().sort()).toEqual(kinds);
    expect(Object.keys(PAYLOADS).sort()).toEqual(kinds);
  });

  describe.each(EMAIL_TEMPLATES.map((t) => t.kind))('%s', (kind) => {
    it.each([...LANGUAGES])('fits two SMS parts with its link in %s', (language) => {
      const { short, text } = sms(kind, language);
      expect({ text, parts: smsPartCount(text) }).toEqual({ text, parts: expect.any(Number) });
      expect(smsPartCount(text)).toBeLessThanOrEqual(2);
      // What the customer must see: their name, the rooftop, the vehicle where the kind is about one, the link.
      expect(text).toContain(FIRST_NAME);
      expect(text).toContain(ROOFTOP.name);
      if (
        NAMES_VEHICLE.includes(kind) ||
        (language === 'en' && ['appointment_confirmation', 'appointment_reminder'].includes(kind))
      ) {
        expect(text).toContain(VEHICLE.model);
      }
      if (short.link !== 'none') expect(text).toMatch(/ crm\.phnompenh-toyota\.com\/l\/[0-9A-Za-z]{10}$/);
      expect(text).not.toMatch(/\{\{|undefined|null|NaN|\[object/);
    });
  });

  it('keeps English in GSM-7 and writes Khmer and Lao in their own scripts', () => {
    for (const kind of renderer.kinds()) {
      expect(splitSms(sms(kind, 'en').text).encoding).toBe('gsm7');
      expect(sms(kind, 'km').short.text).toMatch(/[\u1780-\u17FF]/);
      expect(sms(kind, 'lo').short.text).toMatch(/[\u0E80-\u0EFF]/);
    }
  });

  it('writes an instant in each rooftop’s own zone and a calendar date as written, whatever came before', () => {
    const at = (timeZone: string, language: (typeof LANGUAGES)[number] = 'en') =>
      renderer.render({
        kind: 'appointment_cancelled',
        language,
        customer: { firstName: 'Dara' },
        rooftop: { ...ROOFTOP, timeZone },
        payload: { slotStart: SLOT, vehicle: VEHICLE },
      }).text;
    // SLOT is 02:30 UTC: 09:30 in Phnom Penh and Vientiane, 11:30 in Tokyo, 21:30 the day before in New York.
    expect(at('Asia/Phnom_Penh')).toContain('14 Dec, 09:30');
    expect(at('Asia/Tokyo')).toContain('14 Dec, 11:30');
    expect(at('America/New_York')).toContain('13 Dec, 21:30');
    expect(at('Asia/Phnom_Penh')).toContain('14 Dec, 09:30');
    expect(at('Asia/Tokyo', 'km')).toContain('14/12');
    const day = renderer.render({
      kind: 'warranty_expiring',
      language: 'en',
      customer: { firstName: 'Dara' },
      rooftop: { ...ROOFTOP, timeZone: 'America/New_York' },
      payload: PAYLOADS.warranty_expiring,
    }).text;
    expect(day).toContain('on 30 Jan 2027');
  });
});
