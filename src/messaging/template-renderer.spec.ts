import { EMAIL_TEMPLATES } from './templates';
import { formatDate, formatDistance, TemplateRenderer } from './template-renderer';

const input = {
  kind: 'transactional',
  language: 'en' as const,
  unit: 'km' as const,
  customer: { firstName: '<Dara>', lastName: 'Chan' },
  rooftop: {
    name: 'Phnom Penh Motors',
    address: '12 Norodom Blvd',
    phone: '+85523555111',
    bookingUrl: 'https://book.example/pp',
    timeZone: 'Asia/Phnom_Penh',
    currency: 'USD',
  },
  payload: { message: 'Tom & Jerry <b>' },
  links: { unsubscribe: 'https://crm.test/api/v1/unsubscribe/abc.def', booking: 'https://book.example/pp' },
};

describe('TemplateRenderer', () => {
  const renderer = new TemplateRenderer();

  it('escapes values in the HTML part but not in the text part or subject', () => {
    const out = renderer.render(input);
    expect(out.html).toContain('Dear &lt;Dara&gt;,');
    expect(out.html).toContain('Tom &amp; Jerry &lt;b&gt;');
    expect(out.text).toContain('Dear <Dara>,');
    expect(out.text).toContain('Tom & Jerry <b>');
  });

  it("names the booking button after what the link does: the appointment's own emails manage it, others book", () => {
    const slot = { slotStart: '2026-12-10T02:00:00Z', slotEnd: '2026-12-10T03:00:00Z', items: [] };
    const button = (kind: string, language: 'en' | 'km' | 'lo') => {
      const out = renderer.render({ ...input, kind, language, payload: { ...slot, stage: 'day_before' } });
      return { html: out.html, text: out.text };
    };
    const words = {
      en: ['Move or cancel your appointment', 'Book a service visit'],
      km: ['ប្តូរ ឬបោះបង់ការណាត់របស់អ្នក', 'កក់ពេលមកថែទាំរថយន្ត'],
      lo: ['ປ່ຽນ ຫຼື ຍົກເລີກການນັດໝາຍຂອງທ່ານ', 'ນັດໝາຍເຂົ້າມາບໍລິການລົດ'],
    } as const;
    for (const language of ['en', 'km', 'lo'] as const) {
      const [manage, book] = words[language];
      for (const kind of ['appointment_confirmation', 'appointment_reminder']) {
        for (const part of Object.values(button(kind, language))) {
          expect(part).toContain(manage);
          expect(part).not.toContain(book);
        }
      }
      for (const kind of ['appointment_no_show', 'service_reminder']) {
        for (const part of Object.values(button(kind, language))) {
          expect(part).toContain(book);
          expect(part).not.toContain(manage);
        }
      }
    }
  });

  it('wraps every email in the layout with rooftop details, booking and unsubscribe links', () => {
    const out = renderer.render(input);
    for (const part of [out.html, out.text]) {
      expect(part).toContain('12 Norodom Blvd');
      expect(part).toContain('+85523555111');
      expect(part).toContain('https://book.example/pp');
      expect(part).toContain('https://crm.test/api/v1/unsubscribe/abc.def');
    }
  });

  it('has every registered template in English, Khmer and Lao, each compiling and rendering', () => {
    for (const template of EMAIL_TEMPLATES) {
      for (const language of ['en', 'km', 'lo'] as const) {
        expect(template.subject[language].trim()).not.toBe('');
        const out = renderer.render({ ...input, kind: template.kind, language, payload: {} });
        expect(out.subject).not.toBe('');
      }
      // The translations are real: Khmer and Lao script, not English placeholders.
      expect(template.html.km).toMatch(/[\u1780-\u17FF]/);
      expect(template.html.lo).toMatch(/[\u0E80-\u0EFF]/);
    }
  });

  it('refuses an unknown kind', () => {
    expect(() => renderer.render({ ...input, kind: 'nope' })).toThrow(/no email template/);
  });
});

describe('date and distance helpers', () => {
  it('formats an instant in the rooftop’s time zone per language', () => {
    expect(formatDate('2026-06-20T18:30:00Z', 'en', 'Asia/Phnom_Penh', 'long')).toBe('21 June 2026');
    expect(formatDate('2026-06-20T02:30:00Z', 'km', 'Asia/Phnom_Penh', 'long')).toMatch(/20 មិថុនា 2026/);
    expect(formatDate('2026-06-20T02:30:00Z', 'lo', 'Asia/Vientiane', 'long')).toMatch(/20 ມິຖຸນາ 2026/);
  });

  it('shows a calendar date as written, whatever the time zone', () => {
    expect(formatDate('2026-06-20', 'en', 'America/Los_Angeles', 'long')).toBe('20 June 2026');
  });

  it('formats distances with the unit', () => {
    expect(formatDistance(12345, 'en', 'km')).toBe('12,345 km');
    expect(formatDistance(6000, 'en', 'mi')).toBe('6,000 mi');
    expect(formatDistance(10000, 'km', 'km')).toBe('10,000 គ.ម');
    expect(formatDistance(30000, 'lo', 'km')).toBe('30.000 ກມ');
    expect(formatDistance(null, 'en', 'km')).toBe('');
  });

  it('ends a sentence after a distance with one full stop, in every language', () => {
    const renderer = new TemplateRenderer();
    const item = {
      vin: 'JTDKB20U093000001',
      make: 'Toyota',
      model: 'Hilux',
      itemNames: { en: 'Oil change', km: 'ប្តូរប្រេងម៉ាស៊ីន', lo: 'ປ່ຽນນ້ຳມັນເຄື່ອງ' },
      stageLabels: { en: 'due', km: 'ដល់ពេល', lo: 'ຮອດກຳນົດ' },
      dueDate: '2026-12-20',
      latestOdometer: 30000,
    };
    // "Last known odometer: 30,000 km." ends the reminder's sentence; "ກມ." used to make it "30.000 ກມ..".
    const endings = { en: '30,000 km.', km: '30,000 គ.ម។', lo: '30.000 ກມ.' };
    for (const language of ['en', 'km', 'lo'] as const) {
      const out = renderer.render({
        ...input,
        kind: 'service_reminder',
        language,
        payload: { items: [item] },
      });
      for (const part of [out.html, out.text]) {
        expect(part).toContain(endings[language]);
        expect(part).not.toMatch(/\.\s*\.|\.។/);
      }
    }
  });

  it('keeps the unit readable mid-sentence', () => {
    const renderer = new TemplateRenderer();
    const payload = {
      vehicle: { make: 'Toyota', model: 'Hilux', year: 2024 },
      warrantyEndDate: '2027-02-01',
      warrantyEndDistance: 100000,
    };
    const middles = { en: '100,000 km, whichever', km: '100,000 គ.ម អាស្រ័យ', lo: '100.000 ກມ ແລ້ວແຕ່' };
    for (const language of ['en', 'km', 'lo'] as const) {
      const out = renderer.render({ ...input, kind: 'warranty_expiring', language, payload });
      expect(out.text).toContain(middles[language]);
    }
  });
});
