import { nextWindowStart } from './sending-rules';
import { backoffMs } from './dispatcher.service';

describe('nextWindowStart', () => {
  it('is null inside the window, in the rooftop’s time zone', () => {
    // 03:00Z = 10:00 in Phnom Penh (UTC+7).
    expect(nextWindowStart(new Date('2026-06-15T03:00:00Z'), 'Asia/Phnom_Penh', '08:00', '20:00')).toBeNull();
  });

  it('defers an evening message to 08:00 local the next day', () => {
    // 13:30Z = 20:30 local: the window closed at 20:00.
    expect(nextWindowStart(new Date('2026-06-15T13:30:00Z'), 'Asia/Phnom_Penh', '08:00', '20:00')).toEqual(
      new Date('2026-06-16T01:00:00Z'),
    );
  });

  it('defers an early-morning message to 08:00 local the same day', () => {
    // 22:00Z on the 14th = 05:00 local on the 15th.
    expect(nextWindowStart(new Date('2026-06-14T22:00:00Z'), 'Asia/Vientiane', '08:00', '20:00')).toEqual(
      new Date('2026-06-15T01:00:00Z'),
    );
  });

  it('treats the end of the window as quiet (the window is [start, end))', () => {
    expect(nextWindowStart(new Date('2026-06-15T13:00:00Z'), 'Asia/Phnom_Penh', '08:00', '20:00')).toEqual(
      new Date('2026-06-16T01:00:00Z'),
    );
  });

  it('handles an overnight window and a whole-day window', () => {
    const noonLocal = new Date('2026-06-15T05:00:00Z');
    expect(nextWindowStart(noonLocal, 'Asia/Phnom_Penh', '20:00', '06:00')).toEqual(
      new Date('2026-06-15T13:00:00Z'),
    );
    expect(nextWindowStart(new Date('2026-06-15T20:00:00Z'), 'Asia/Phnom_Penh', '20:00', '06:00')).toBeNull();
    expect(nextWindowStart(noonLocal, 'Asia/Phnom_Penh', '00:00', '00:00')).toBeNull();
  });

  it('respects daylight saving time where the zone has it', () => {
    // New York on 2026-03-08 springs forward; 08:00 local is 12:00Z that day (EDT, UTC-4).
    expect(nextWindowStart(new Date('2026-03-08T06:00:00Z'), 'America/New_York', '08:00', '20:00')).toEqual(
      new Date('2026-03-08T12:00:00Z'),
    );
  });
});

describe('backoffMs', () => {
  it('grows from 1 minute and is capped at 6 hours', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n) / 60_000)).toEqual([1, 2, 4, 8]);
    expect(backoffMs(9) / 60_000).toBe(256);
    expect(backoffMs(10) / 60_000).toBe(360);
    expect(backoffMs(40) / 60_000).toBe(360);
  });
});
