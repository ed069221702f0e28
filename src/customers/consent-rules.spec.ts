import { defaultConsent, isGranted, PURPOSES, toCurrentConsents } from './consent-rules';

describe('consent rules (SPEC "Consent")', () => {
  it('allows the relationship purposes until withdrawn and needs an opt-in for marketing', () => {
    expect(PURPOSES.map((p) => [p, defaultConsent(p)])).toEqual([
      ['service_reminders', true],
      ['follow_ups', true],
      ['surveys', true],
      ['marketing', false],
    ]);
  });

  it('lets the latest recorded decision override the default either way', () => {
    expect(isGranted('marketing', true)).toBe(true);
    expect(isGranted('surveys', false)).toBe(false);
    expect(isGranted('marketing', undefined)).toBe(false);
    expect(isGranted('follow_ups', null)).toBe(true);
  });

  it('fills the current state of every purpose, marking the defaults', () => {
    const at = new Date('2026-06-01T00:00:00Z');
    const current = toCurrentConsents([{ purpose: 'marketing', granted: true, at, source: 'showroom_form' }]);
    expect(current.marketing).toEqual({ granted: true, at, source: 'showroom_form', default: false });
    expect(current.surveys).toEqual({ granted: true, at: null, source: 'default', default: true });
  });
});
