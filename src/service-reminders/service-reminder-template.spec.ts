import Handlebars from 'handlebars';
import { LANGUAGES } from '../config/app-config';
import { serviceReminderTemplate } from '../messaging/templates/service-reminder.template';
import { TemplateRenderer } from '../messaging/template-renderer';
import { ITEM_NAMES } from '../maintenance-catalogue/item-names';
import { STAGE_LABELS } from '../messaging/templates/service-reminder-labels';

/** The messaging renderer provides `date` and `distance`; plain stand-ins are enough to check the template. */
const hb = Handlebars.create();
hb.registerHelper('date', (d: string) => `[${d}]`);
hb.registerHelper('distance', (n: number) => `${n} km`);

const context = (booking: string | null) => ({
  customer: { firstName: 'Sokha', lastName: 'Chan' },
  rooftop: { name: 'Phnom Penh Motors', phone: '+85523123456' },
  links: { booking, unsubscribe: 'https://crm.test/u/x' },
  payload: {
    items: (['OIL_CHANGE', 'BRAKE_FLUID'] as const).map((code, i) => ({
      vin: 'KMHXX00XXXX000001',
      make: 'Hyundai',
      model: 'Tucson',
      itemCode: code,
      itemNames: { en: code === 'OIL_CHANGE' ? 'Oil and filter change' : 'Brake fluid', ...ITEM_NAMES[code] },
      stage: i === 0 ? 'due_soon' : 'overdue',
      stageLabels: i === 0 ? STAGE_LABELS.due_soon : STAGE_LABELS.overdue,
      dueDate: i === 0 ? '2026-06-01' : '2026-03-01',
      latestOdometer: 12345,
    })),
  },
});

describe('service_reminder email template', () => {
  it.each(LANGUAGES)(
    'lists every due item with its date, odometer and the booking link in %s',
    (language) => {
      for (const part of ['subject', 'html', 'text'] as const) {
        const out = hb.compile(serviceReminderTemplate[part][language], { strict: false })(
          context('https://ppm.example/book'),
        );
        expect(out).toContain('Phnom Penh Motors'.slice(0, part === 'subject' ? 17 : 0));
        if (part === 'subject') continue;
        expect(out).toContain('[2026-06-01]');
        expect(out).toContain('[2026-03-01]');
        expect(out).toContain('12345 km');
        expect(out).toContain('https://ppm.example/book');
        expect(out).toContain(language === 'en' ? 'Oil and filter change' : ITEM_NAMES.OIL_CHANGE[language]);
        expect(out).toContain(STAGE_LABELS.overdue[language]);
      }
    },
  );

  it.each(LANGUAGES)(
    'renders a digest as the planner stores it (no labels) exactly as one that stored its labels, in %s',
    (language) => {
      const renderer = new TemplateRenderer();
      const stored = context('https://ppm.example/book');
      const render = (items: Record<string, unknown>[]) =>
        renderer.render({
          kind: 'service_reminder',
          language,
          unit: 'km',
          customer: stored.customer,
          rooftop: {
            name: 'Phnom Penh Motors',
            address: '12 Norodom Blvd',
            phone: '+85523123456',
            bookingUrl: 'https://ppm.example/book',
            timeZone: 'Asia/Phnom_Penh',
            currency: 'USD',
          },
          payload: { asOf: '2026-05-20T03:00:00.000Z', items },
          links: stored.links,
        });
      const withLabels = stored.payload.items.map((i) => ({ ...i, itemName: i.itemNames.en }));
      const asPlanned = withLabels.map(({ itemNames, stageLabels, ...rest }) => {
        expect([itemNames, stageLabels]).not.toContain(undefined);
        return rest;
      });
      const email = render(asPlanned);
      expect(email).toEqual(render(withLabels));
      expect(email.html).toContain(
        language === 'en' ? 'Oil and filter change' : ITEM_NAMES.OIL_CHANGE[language],
      );
      expect(email.text).toContain(STAGE_LABELS.due_soon[language]);
    },
  );

  it('offers the phone number when the rooftop has no booking link', () => {
    const out = hb.compile(serviceReminderTemplate.text.en)(context(null));
    expect(out).toContain('Call us on +85523123456');
  });
});
