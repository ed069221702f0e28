import { judgeReading } from './odometer-guard';

const at = (iso: string) => new Date(iso);
const base = { now: at('2026-06-15T00:00:00Z'), next: null, maxPerDay: 2000, unit: 'km' };

describe('odometer plausibility', () => {
  it('accepts the first reading of a vehicle', () => {
    expect(judgeReading({ ...base, value: 12, readAt: at('2026-06-01T00:00:00Z'), previous: null })).toEqual({
      ok: true,
    });
  });

  it('refuses a reading lower than the previous one and names it', () => {
    const verdict = judgeReading({
      ...base,
      value: 9_000,
      readAt: at('2026-06-10T00:00:00Z'),
      previous: { value: 10_000, readAt: at('2026-06-01T00:00:00Z') },
    });
    expect(verdict).toMatchObject({ ok: false, reason: 'backwards' });
    expect(verdict.ok === false && verdict.message).toContain('10,000 km on 2026-06-01T00:00:00.000Z');
  });

  it('allows exactly 2,000 km a day and refuses one more', () => {
    const previous = { value: 10_000, readAt: at('2026-06-01T00:00:00Z') };
    expect(judgeReading({ ...base, value: 30_000, readAt: at('2026-06-11T00:00:00Z'), previous }).ok).toBe(
      true,
    );
    expect(
      judgeReading({ ...base, value: 30_001, readAt: at('2026-06-11T00:00:00Z'), previous }),
    ).toMatchObject({ ok: false, reason: 'implausible_jump' });
  });

  it('allows up to one day of driving between two readings on the same day', () => {
    const previous = { value: 10_000, readAt: at('2026-06-01T08:00:00Z') };
    expect(judgeReading({ ...base, value: 12_000, readAt: at('2026-06-01T09:00:00Z'), previous }).ok).toBe(
      true,
    );
    expect(judgeReading({ ...base, value: 12_001, readAt: at('2026-06-01T09:00:00Z'), previous }).ok).toBe(
      false,
    );
  });

  it('uses the mile limit when given', () => {
    const previous = { value: 0, readAt: at('2026-06-01T00:00:00Z') };
    expect(
      judgeReading({
        ...base,
        maxPerDay: 1243,
        unit: 'mi',
        value: 1244,
        readAt: at('2026-06-02T00:00:00Z'),
        previous,
      }),
    ).toMatchObject({ ok: false, reason: 'implausible_jump' });
  });

  it('refuses a back-dated reading higher than a later one', () => {
    const verdict = judgeReading({
      ...base,
      value: 20_000,
      readAt: at('2026-06-05T00:00:00Z'),
      previous: null,
      next: { value: 15_000, readAt: at('2026-06-10T00:00:00Z') },
    });
    expect(verdict).toMatchObject({ ok: false, reason: 'ahead_of_later' });
  });

  it('refuses a reading in the future', () => {
    expect(
      judgeReading({ ...base, value: 1, readAt: at('2026-06-15T00:00:01Z'), previous: null }),
    ).toMatchObject({ ok: false, reason: 'future' });
  });
});
