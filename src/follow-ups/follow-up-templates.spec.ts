import { LANGUAGES } from '../config/app-config';
import { TemplateRenderer } from '../messaging/template-renderer';

const vehicle = { id: 'v1', make: 'Toyota', model: 'Hilux', year: 2026 };
/** One payload per follow-up email kind, shaped as the planner writes it. */
const PAYLOADS: Record<string, Record<string, unknown>> = {
  sale_thank_you: { vehicle, purchaseDate: '2026-03-10' },
  sale_check_in: { vehicle, purchaseDate: '2026-03-10' },
  purchase_anniversary: { vehicle, purchaseDate: '2024-03-10', years: 2 },
  survey_invitation: {
    vehicle,
    surveyId: 's1',
    surveyKind: 'service',
    isService: true,
    surveyUrl: 'https://crm.test/api/v1/surveys/abc.def',
    expiresAt: '2026-07-15T03:00:00.000Z',
  },
  declined_service: {
    vehicle,
    visitId: 'sv1',
    roNumber: 'RO-1',
    visitDate: '2026-05-01T03:00:00Z',
    currency: 'USD',
    items: [{ itemCode: null, description: 'Replace wiper blades', estimate: 25 }],
  },
  term_end: { vehicle, termEndDate: '2027-01-31', purchaseType: 'lease', daysBefore: 90 },
  warranty_expiring: {
    vehicle,
    warrantyEndDate: '2026-09-30',
    warrantyEndDistance: 50000,
    projectedOdometer: 48000,
  },
  birthday: {},
  win_back: { lastVisitDate: '2025-05-10' },
};

describe('follow-up email templates', () => {
  const renderer = new TemplateRenderer();
  for (const [kind, payload] of Object.entries(PAYLOADS)) {
    for (const language of LANGUAGES) {
      it(`renders ${kind} in ${language} with the customer's name and the payload`, () => {
        const email = renderer.render({
          kind,
          language,
          unit: 'km',
          customer: { firstName: 'Sokha', lastName: 'Chan' },
          rooftop: {
            name: 'Phnom Penh Motors',
            address: '1 Norodom Blvd',
            phone: '+85523000000',
            bookingUrl: 'https://book.test',
            timeZone: 'Asia/Phnom_Penh',
            currency: 'USD',
          },
          payload,
          links: { unsubscribe: 'https://crm.test/api/v1/unsubscribe/x', booking: 'https://book.test' },
        });
        expect(email.subject.length).toBeGreaterThan(5);
        expect(email.text).toContain('Sokha');
        expect(email.html).toContain('Sokha');
        if (kind === 'survey_invitation')
          expect(email.html).toContain('https://crm.test/api/v1/surveys/abc.def');
        if (kind === 'declined_service') expect(email.text).toContain('Replace wiper blades');
        if (kind !== 'birthday' && kind !== 'win_back') expect(email.text).toContain('Hilux');
      });
    }
  }
});
