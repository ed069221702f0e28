import { addDays, ceilDiv, drivingRate, DueInput, projectDue, stageAt } from './due-projection';
import { effectiveInterval, itemApplies, CatalogueItem } from './effective-interval';

const TZ = 'Asia/Phnom_Penh';
const at = (iso: string) => new Date(iso);
const reading = (value: number, iso: string) => ({ value, readAt: at(iso) });

function input(overrides: Partial<DueInput>): DueInput {
  return {
    asOf: at('2026-05-20T03:00:00Z'),
    timeZone: TZ,
    unit: 'km',
    readings: [],
    start: { date: '2026-01-01', odometer: 0, source: 'purchase' },
    interval: { distance: 10_000, months: 6 },
    ...overrides,
  };
}

describe('driving rate', () => {
  it('uses (last − first) / days over readings of the last 24 months that are 30+ days apart', () => {
    const rate = drivingRate(
      [
        reading(30_000, '2025-12-01T03:00:00Z'),
        reading(31_000, '2026-01-15T03:00:00Z'),
        reading(32_700, '2026-03-01T03:00:00Z'),
      ],
      at('2026-05-20T03:00:00Z'),
      TZ,
      'km',
    );
    expect(rate).toEqual({ perDay: 30, distance: 2_700, days: 90, source: 'history' });
  });

  it('falls back to 40 km/day when the readings are less than 30 days apart', () => {
    const rate = drivingRate(
      [reading(1_000, '2026-05-01T03:00:00Z'), reading(2_000, '2026-05-29T03:00:00Z')],
      at('2026-06-01T00:00:00Z'),
      TZ,
      'km',
    );
    expect(rate).toEqual({ perDay: 40, distance: 40, days: 1, source: 'default' });
  });

  it('falls back to 25 mi/day with a single reading when the unit is miles', () => {
    expect(
      drivingRate([reading(1_000, '2026-05-01T03:00:00Z')], at('2026-06-01T00:00:00Z'), TZ, 'mi'),
    ).toMatchObject({ perDay: 25, source: 'default' });
  });

  it('ignores readings older than 24 months and readings after asOf', () => {
    const readings = [
      reading(0, '2024-05-01T00:00:00Z'),
      reading(10_000, '2025-01-01T00:00:00Z'),
      reading(13_000, '2025-03-01T00:00:00Z'),
      reading(99_000, '2026-07-01T00:00:00Z'),
    ];
    expect(drivingRate(readings, at('2026-06-01T00:00:00Z'), TZ, 'km')).toEqual({
      perDay: 3_000 / 59,
      distance: 3_000,
      days: 59,
      source: 'history',
    });
  });

  it('counts days between the readings’ local dates in the rooftop time zone', () => {
    // 2026-01-01T20:00Z is already 2 January in Phnom Penh (UTC+7).
    const rate = drivingRate(
      [reading(0, '2026-01-01T20:00:00Z'), reading(3_000, '2026-02-01T03:00:00Z')],
      at('2026-03-01T00:00:00Z'),
      TZ,
      'km',
    );
    expect(rate).toMatchObject({ days: 30, distance: 3_000, source: 'history' });
  });
});

describe('due projection (SPEC "When is maintenance due")', () => {
  it('lets time win when the months interval comes first (history rate)', () => {
    const p = projectDue(
      input({
        readings: [reading(30_000, '2025-12-01T03:00:00Z'), reading(32_700, '2026-03-01T03:00:00Z')],
        start: { date: '2025-12-01', odometer: 30_000, source: 'performed' },
      }),
    );
    // rate 2,700 km / 90 days = 30 km/day; target 40,000; from 32,700 on 1 March: ceil(7,300 × 90 / 2,700) = 244 days.
    expect(p.rate).toMatchObject({ source: 'history', perDay: 30 });
    expect(p.timeDueDate).toBe('2026-06-01');
    expect(p.distanceDueDate).toBe('2026-10-31');
    expect(p.targetOdometer).toBe(40_000);
    expect(p).toMatchObject({
      winner: 'time',
      dueDate: '2026-06-01',
      dueSoonDate: '2026-05-18',
      overdueDate: '2026-07-01',
      stage: 'due_soon',
    });
  });

  it('lets distance win for a vehicle driven 100 km a day', () => {
    const p = projectDue(
      input({
        readings: [reading(10_000, '2026-01-01T03:00:00Z'), reading(14_000, '2026-02-10T03:00:00Z')],
        start: { date: '2026-01-01', odometer: 10_000, source: 'purchase' },
        asOf: at('2026-04-11T03:00:00Z'),
      }),
    );
    // 4,000 km / 40 days = 100/day; 6,000 km to go from 10 February → 60 days → 11 April.
    expect(p).toMatchObject({
      timeDueDate: '2026-07-01',
      distanceDueDate: '2026-04-11',
      winner: 'distance',
      dueDate: '2026-04-11',
      stage: 'due',
    });
  });

  it('uses the default 40 km/day and projects from the purchase when the vehicle has no readings', () => {
    const p = projectDue(
      input({ readings: [], start: { date: '2026-01-01', odometer: 0, source: 'purchase' } }),
    );
    // 10,000 km / 40 km per day = 250 days after 1 January 2026.
    expect(p.rate.source).toBe('default');
    expect(p.base).toEqual({ date: '2026-01-01', value: 0 });
    expect(p).toMatchObject({
      distanceDueDate: '2026-09-08',
      timeDueDate: '2026-07-01',
      winner: 'time',
      stage: 'ok',
    });
  });

  it('projects from the latest reading even with the default rate', () => {
    const p = projectDue(
      input({
        readings: [reading(9_000, '2026-05-01T03:00:00Z')],
        interval: { distance: 10_000, months: null },
      }),
    );
    // 1,000 km left at 40 km/day = 25 days after 1 May.
    expect(p).toMatchObject({
      distanceDueDate: '2026-05-26',
      winner: 'distance',
      dueDate: '2026-05-26',
      stage: 'due_soon',
    });
  });

  it('dates a distance already passed on the (estimated) day it was crossed, which can be in the past', () => {
    const p = projectDue(
      input({
        readings: [reading(0, '2025-01-01T03:00:00Z'), reading(18_100, '2025-07-01T03:00:00Z')],
        start: { date: '2025-01-01', odometer: 0, source: 'purchase' },
        asOf: at('2025-07-02T03:00:00Z'),
      }),
    );
    // 18,100 km / 181 days = 100/day; 8,100 km past the target → ceil(−81) = −81 days before 1 July.
    expect(p).toMatchObject({
      distanceDueDate: '2025-04-11',
      winner: 'distance',
      overdueDate: '2025-05-11',
      stage: 'overdue',
    });
  });

  it('computes brake fluid (time only) from the months alone', () => {
    const p = projectDue(
      input({
        interval: { distance: null, months: 24 },
        start: { date: '2024-06-15', odometer: 5_000, source: 'performed' },
      }),
    );
    expect(p).toMatchObject({
      timeDueDate: '2026-06-15',
      distanceDueDate: null,
      winner: 'time',
      dueSoonDate: '2026-06-01',
      stage: 'ok',
    });
  });

  it('computes spark plugs (distance only) from the distance alone', () => {
    const p = projectDue(
      input({
        interval: { distance: 100_000, months: null },
        readings: [reading(0, '2025-06-01T00:00:00Z'), reading(36_500, '2026-06-01T00:00:00Z')],
        asOf: at('2026-06-02T00:00:00Z'),
      }),
    );
    // 36,500 km / 365 days = 100/day; 63,500 km to go → 635 days after 1 June 2026.
    expect(p).toMatchObject({
      timeDueDate: null,
      distanceDueDate: addDays('2026-06-01', 635),
      winner: 'distance',
      stage: 'ok',
    });
  });

  it('clamps calendar months at the end of the month', () => {
    expect(
      projectDue(
        input({
          interval: { distance: null, months: 1 },
          start: { date: '2026-01-31', odometer: 0, source: 'performed' },
        }),
      ).timeDueDate,
    ).toBe('2026-02-28');
  });

  it('gives no distance projection for a car that was not driven', () => {
    const p = projectDue(
      input({
        interval: { distance: 100_000, months: null },
        readings: [reading(500, '2026-01-01T00:00:00Z'), reading(500, '2026-04-01T00:00:00Z')],
      }),
    );
    expect(p).toMatchObject({
      rate: { perDay: 0, source: 'history' },
      distanceDueDate: null,
      dueDate: null,
      winner: null,
      stage: 'ok',
    });
  });

  it('gives time the win on a tie', () => {
    const p = projectDue(
      input({
        interval: { distance: 7_240, months: 6 },
        readings: [],
        start: { date: '2026-01-01', odometer: 0, source: 'purchase' },
      }),
    );
    // 7,240 / 40 = 181 days = 1 July, the same day as six months.
    expect(p).toMatchObject({ timeDueDate: '2026-07-01', distanceDueDate: '2026-07-01', winner: 'time' });
  });
});

describe('stages', () => {
  it.each([
    ['2026-05-17', 'ok'],
    ['2026-05-18', 'due_soon'],
    ['2026-05-31', 'due_soon'],
    ['2026-06-01', 'due'],
    ['2026-06-30', 'due'],
    ['2026-07-01', 'overdue'],
    ['2027-01-01', 'overdue'],
  ])('on %s an item due on 2026-06-01 is %s', (asOf, stage) => {
    expect(stageAt(asOf, '2026-06-01')).toBe(stage);
  });

  it('uses the rooftop’s local date of asOf', () => {
    // 2026-05-17T18:00Z is 18 May in Phnom Penh: due_soon starts that day.
    const p = projectDue(
      input({
        asOf: at('2026-05-17T18:00:00Z'),
        interval: { distance: null, months: 5 },
        start: { date: '2026-01-01', odometer: 0, source: 'purchase' },
      }),
    );
    expect(p).toMatchObject({ dueDate: '2026-06-01', stage: 'due_soon' });
  });
});

describe('ceilDiv', () => {
  it.each([
    [7, 3, 3],
    [6, 3, 2],
    [-7, 3, -2],
    [-6, 3, -2],
    [0, 5, 0],
  ])('ceil(%i / %i) = %i', (a, b, q) => expect(ceilDiv(a, b)).toBe(q));
});

describe('catalogue rules', () => {
  const oil: CatalogueItem = {
    code: 'OIL_CHANGE',
    name: 'Oil',
    intervalKm: 10_000,
    intervalMi: 6_000,
    intervalMonths: 6,
    appliesTo: ['ice', 'hybrid'],
    active: true,
  };

  it('gives an EV no oil change', () => {
    expect(itemApplies(oil, 'ev')).toBe(false);
    expect(itemApplies(oil, 'hybrid')).toBe(true);
    expect(itemApplies({ ...oil, active: false }, 'ice')).toBe(false);
  });

  it('prefers the make+model override, then the make override, then the item', () => {
    const overrides = [
      {
        itemCode: 'OIL_CHANGE',
        make: 'Toyota',
        model: null,
        intervalKm: 8_000,
        intervalMi: 5_000,
        intervalMonths: 6,
        active: true,
      },
      {
        itemCode: 'OIL_CHANGE',
        make: 'toyota',
        model: 'Hilux',
        intervalKm: 5_000,
        intervalMi: 3_000,
        intervalMonths: 3,
        active: true,
      },
      {
        itemCode: 'OIL_CHANGE',
        make: 'Ford',
        model: 'Ranger',
        intervalKm: 1,
        intervalMi: 1,
        intervalMonths: 1,
        active: false,
      },
    ];
    expect(effectiveInterval(oil, overrides, { make: 'TOYOTA', model: 'hilux' }, 'km')).toEqual({
      distance: 5_000,
      months: 3,
      source: 'model',
    });
    expect(effectiveInterval(oil, overrides, { make: 'Toyota', model: 'Camry' }, 'mi')).toEqual({
      distance: 5_000,
      months: 6,
      source: 'make',
    });
    expect(effectiveInterval(oil, overrides, { make: 'Ford', model: 'Ranger' }, 'km')).toEqual({
      distance: 10_000,
      months: 6,
      source: 'item',
    });
    expect(effectiveInterval(oil, overrides, { make: 'Kia', model: 'Rio' }, 'mi')).toEqual({
      distance: 6_000,
      months: 6,
      source: 'item',
    });
  });
});
