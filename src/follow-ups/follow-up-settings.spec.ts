import { resolveFollowUpSettings } from './follow-up-settings';

describe('follow-up settings', () => {
  it('uses the SPEC defaults when the rooftop has none', () => {
    const s = resolveFollowUpSettings({});
    expect(s.saleThankYou).toEqual({ enabled: true, offsetDays: 1 });
    expect(s.saleCallTask.offsetDays).toBe(3);
    expect(s.saleSurvey.offsetDays).toBe(7);
    expect(s.saleCheckIn.offsetDays).toBe(30);
    expect(s.serviceSurvey.offsetDays).toBe(2);
    expect(s.declinedService.offsetDays).toBe(14);
    expect(s.termEnd.daysBefore).toEqual([180, 90, 30]);
    expect(s.warrantyExpiring).toEqual({ enabled: true, daysBefore: 60, withinDistance: 2000 });
    expect(s.winBack.afterMonths).toBe(12);
    expect(s.lookbackDays).toBe(7);
  });

  it('takes valid overrides and ignores malformed ones', () => {
    const s = resolveFollowUpSettings(
      {
        followUps: {
          saleThankYou: { enabled: false, offsetDays: 2 },
          saleCheckIn: { offsetDays: -4 },
          termEnd: { daysBefore: [60, 'x'] },
          sendAt: '25:00',
          birthday: { enabled: 'no' },
        },
      },
      'mi',
    );
    expect(s.saleThankYou).toEqual({ enabled: false, offsetDays: 2 });
    expect(s.saleCheckIn.offsetDays).toBe(30);
    expect(s.termEnd.daysBefore).toEqual([180, 90, 30]);
    expect(s.sendAt).toBe('09:00');
    expect(s.birthday.enabled).toBe(true);
    expect(s.warrantyExpiring.withinDistance).toBe(1243);
  });
});
