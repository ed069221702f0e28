import fc from 'fast-check';
import { MemoryLedger, opArb } from '../../test/support/loyalty-model';
import {
  allocateOldestFirst,
  compareLots,
  expiringLots,
  expiryOf,
  InsufficientPointsError,
  isServicedOnTime,
  localDate,
  Lot,
  onTimeBonus,
  pointsForAmount,
  pointsToNextTier,
  tierFor,
} from './loyalty-rules';
import { earningRulesFor, EXPIRY_MONTHS, TIER_THRESHOLDS } from './loyalty-settings';

const T = TIER_THRESHOLDS;
const DAY = 86_400_000;

describe('tiers', () => {
  it.each([
    [0, 'bronze'],
    [999, 'bronze'],
    [1_000, 'silver'],
    [2_999, 'silver'],
    [3_000, 'gold'],
    [5_999, 'gold'],
    [6_000, 'platinum'],
    [60_000, 'platinum'],
  ])('%i points in the trailing 12 months is %s', (points, tier) => {
    expect(tierFor(points, T)).toBe(tier);
  });

  it('says how many points are missing for the next tier', () => {
    expect(pointsToNextTier(999, T)).toEqual({ nextTier: 'silver', pointsToNextTier: 1 });
    expect(pointsToNextTier(1_000, T)).toEqual({ nextTier: 'gold', pointsToNextTier: 2_000 });
    expect(pointsToNextTier(6_000, T)).toEqual({ nextTier: null, pointsToNextTier: null });
  });
});

describe('earning arithmetic', () => {
  it('gives one point per whole currency unit of customer pay, computed on cents', () => {
    expect(pointsForAmount('149.99', 1)).toBe(149);
    expect(pointsForAmount('0.29', 100)).toBe(29);
    expect(pointsForAmount('1000.00', 0.5)).toBe(500);
    expect(pointsForAmount(null, 1)).toBe(0);
    expect(pointsForAmount('-5.00', 1)).toBe(0);
  });

  it('rounds the on-time bonus down', () => {
    expect(onTimeBonus(149, 50)).toBe(74);
    expect(onTimeBonus(1, 50)).toBe(0);
  });

  it('takes valid rooftop overrides and ignores broken ones', () => {
    expect(
      earningRulesFor({
        loyalty: { pointsPerCurrencyUnit: 0.001, surveyPoints: 'lots', referralPoints: -1 },
      }),
    ).toMatchObject({
      pointsPerCurrencyUnit: 0.001,
      surveyPoints: 100,
      referralPoints: 250,
    });
  });
});

describe('on-time service boundaries (due_soon inclusive, overdue exclusive)', () => {
  const dueSoon = '2026-06-01';
  const overdue = '2026-07-15';
  it.each([
    ['2026-05-31', false, 'the day before due_soon'],
    ['2026-06-01', true, 'on the due_soon date'],
    ['2026-07-14', true, 'the day before overdue'],
    ['2026-07-15', false, 'on the overdue date'],
  ])('%s → %s (%s)', (day, onTime) => {
    expect(isServicedOnTime(day, dueSoon, overdue)).toBe(onTime);
  });

  it('compares in the rooftop’s local calendar', () => {
    // 2026-05-31 20:00 UTC is already 1 June in Phnom Penh (UTC+7).
    expect(localDate(new Date('2026-05-31T20:00:00Z'), 'Asia/Phnom_Penh')).toBe('2026-06-01');
  });
});

describe('allocation', () => {
  const at = (d: string) => new Date(d);
  const lot = (id: string, earned: string, remaining: number): Lot => ({
    id,
    occurredAt: at(earned),
    expiresAt: expiryOf(at(earned), EXPIRY_MONTHS),
    remaining,
  });

  it('consumes the oldest points first and skips expired lots', () => {
    const lots = [
      lot('3', '2026-03-01T00:00:00Z', 100),
      lot('1', '2024-01-01T00:00:00Z', 50),
      lot('2', '2025-01-01T00:00:00Z', 80),
    ];
    expect(allocateOldestFirst(lots, 120, at('2026-06-01T00:00:00Z'))).toEqual([
      { lotId: '2', points: 80 },
      { lotId: '3', points: 40 },
    ]);
    expect(expiringLots(lots, at('2026-06-01T00:00:00Z'))).toEqual([{ lotId: '1', points: 50 }]);
  });

  it('expires a lot exactly 24 months after it was earned, not a moment before', () => {
    const l = lot('1', '2024-02-29T10:00:00Z', 10);
    expect(l.expiresAt.toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(expiringLots([l], new Date(l.expiresAt.getTime() - 1))).toEqual([]);
    expect(expiringLots([l], l.expiresAt)).toEqual([{ lotId: '1', points: 10 }]);
  });

  it('refuses more than the usable points and allocates nothing', () => {
    expect(() =>
      allocateOldestFirst([lot('1', '2026-01-01T00:00:00Z', 10)], 11, at('2026-02-01T00:00:00Z')),
    ).toThrow(InsufficientPointsError);
  });

  it('takes a preferred lot first (a reversal takes back its own points first)', () => {
    const lots = [lot('1', '2025-01-01T00:00:00Z', 50), lot('2', '2026-01-01T00:00:00Z', 80)];
    expect(allocateOldestFirst(lots, 100, at('2026-02-01T00:00:00Z'), '2')).toEqual([
      { lotId: '2', points: 80 },
      { lotId: '1', points: 20 },
    ]);
  });
});

describe('ledger invariants (property-based)', () => {
  it('keeps balance = sum of the ledger, never negative, expiring only after 24 months and oldest first', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
        const ledger = new MemoryLedger();
        let now = new Date('2024-01-01T00:00:00Z').getTime();
        const earned: string[] = [];
        for (const op of ops) {
          now += op.days * DAY;
          const at = new Date(now);
          const before = ledger.entries.length;
          const lotsBefore = ledger.lots.map((l) => ({ ...l }));
          if (op.kind === 'earn') earned.push(ledger.credit('earn', op.points, at));
          else if (op.kind === 'adjust' && op.points > 0) ledger.credit('adjust', op.points, at);
          else if (op.kind === 'adjust' || op.kind === 'redeem') {
            const points = op.kind === 'adjust' ? -op.points : op.points;
            const ok = ledger.spend(op.kind, points, at);
            if (!ok) expect(ledger.entries.length).toBe(before);
            if (ok) {
              // Oldest first: every usable lot older than the newest one touched was emptied.
              const spent = ledger.entries[ledger.entries.length - 1];
              const usable = lotsBefore
                .filter((l) => !(l.expiresAt.getTime() <= at.getTime()) && l.remaining > 0)
                .sort(compareLots);
              const touched = spent.allocations.map((a) => a.lotId);
              expect(usable.slice(0, touched.length).map((l) => l.id)).toEqual(touched);
            }
          } else if (op.kind === 'expire') ledger.expire(at);
          else if (earned.length) ledger.reverse(earned[op.pick % earned.length], at);

          const sum = ledger.entries.reduce((s, e) => s + e.points, 0);
          expect(ledger.balance).toBe(sum);
          expect(ledger.balance).toBeGreaterThanOrEqual(0);
          expect(ledger.lots.reduce((s, l) => s + l.remaining, 0)).toBe(ledger.balance);
          let running = 0;
          for (const e of ledger.entries) {
            running += e.points;
            expect(e.balanceAfter).toBe(running);
            expect(e.balanceAfter).toBeGreaterThanOrEqual(0);
          }
          for (const e of ledger.entries.filter((x) => x.type === 'expire')) {
            const lot = ledger.lots.find((l) => l.id === e.allocations[0].lotId)!;
            expect(e.at.getTime()).toBe(expiryOf(lot.occurredAt, EXPIRY_MONTHS).getTime());
          }
          for (const lot of ledger.lots) {
            const used = ledger.entries
              .flatMap((e) => e.allocations)
              .filter((a) => a.lotId === lot.id)
              .reduce((s, a) => s + a.points, 0);
            expect(lot.points - used).toBe(lot.remaining);
          }
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
