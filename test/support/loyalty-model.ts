import fc from 'fast-check';
import {
  Allocation,
  allocateOldestFirst,
  applyAllocations,
  availablePoints,
  expiringLots,
  expiryOf,
  InsufficientPointsError,
  Lot,
} from '../../src/loyalty-program/loyalty-rules';
import { EXPIRY_MONTHS } from '../../src/loyalty-program/loyalty-settings';

/**
 * An in-memory ledger built from the same pure functions as the service (lazy expiry before each debit,
 * oldest-first allocation, capped reversals), checked for the invariants of a bank statement.
 */
export type Op =
  | { kind: 'earn'; points: number; days: number }
  | { kind: 'redeem'; points: number; days: number }
  | { kind: 'adjust'; points: number; days: number }
  | { kind: 'expire'; days: number }
  | { kind: 'reverse'; pick: number; days: number };

export interface Entry {
  type: string;
  points: number;
  balanceAfter: number;
  at: Date;
  lotId?: string;
  allocations: Allocation[];
  reverses?: string;
}

export class MemoryLedger {
  lots: (Lot & { points: number })[] = [];
  entries: Entry[] = [];
  balance = 0;
  private seq = 0;

  credit(type: string, points: number, at: Date) {
    const id = String(++this.seq);
    this.lots.push({ id, occurredAt: at, expiresAt: expiryOf(at, EXPIRY_MONTHS), remaining: points, points });
    this.write({ type, points, at, lotId: id, allocations: [] });
    return id;
  }

  expire(asOf: Date) {
    for (const a of expiringLots(this.lots, asOf)) {
      const lotAt = this.lots.find((l) => l.id === a.lotId)!.expiresAt;
      this.debit('expire', [a], lotAt);
    }
  }

  /** Returns false when refused (insufficient points); nothing is written then. */
  spend(type: string, points: number, at: Date): boolean {
    const snapshot = this.snapshot();
    this.expire(at);
    try {
      this.debit(type, allocateOldestFirst(this.lots, points, at), at);
      return true;
    } catch (e) {
      if (!(e instanceof InsufficientPointsError)) throw e;
      this.restore(snapshot);
      return false;
    }
  }

  reverse(lotId: string, at: Date) {
    if (this.entries.some((e) => e.reverses === lotId)) return;
    this.expire(at);
    const lot = this.lots.find((l) => l.id === lotId)!;
    const expired = this.entries
      .filter((e) => e.type === 'expire')
      .flatMap((e) => e.allocations.filter((a) => a.lotId === lotId))
      .reduce((s, a) => s + a.points, 0);
    const amount = Math.min(lot.points - expired, availablePoints(this.lots, at));
    if (amount <= 0) return;
    this.debit('reverse', allocateOldestFirst(this.lots, amount, at, lotId), at, lotId);
  }

  private debit(type: string, allocations: Allocation[], at: Date, reverses?: string) {
    this.lots = applyAllocations(this.lots, allocations) as typeof this.lots;
    this.write({ type, points: -allocations.reduce((s, a) => s + a.points, 0), at, allocations, reverses });
  }

  private write(e: Omit<Entry, 'balanceAfter'>) {
    this.balance += e.points;
    this.entries.push({ ...e, balanceAfter: this.balance });
  }

  private snapshot() {
    return { lots: this.lots.map((l) => ({ ...l })), entries: [...this.entries], balance: this.balance };
  }

  private restore(s: ReturnType<MemoryLedger['snapshot']>) {
    this.lots = s.lots;
    this.entries = s.entries;
    this.balance = s.balance;
  }
}

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('earn' as const),
    points: fc.integer({ min: 1, max: 2_000 }),
    days: fc.integer({ min: 0, max: 200 }),
  }),
  fc.record({
    kind: fc.constant('redeem' as const),
    points: fc.integer({ min: 1, max: 3_000 }),
    days: fc.integer({ min: 0, max: 200 }),
  }),
  fc.record({
    kind: fc.constant('adjust' as const),
    points: fc.integer({ min: -2_000, max: 2_000 }).filter((p) => p !== 0),
    days: fc.integer({ min: 0, max: 60 }),
  }),
  fc.record({ kind: fc.constant('expire' as const), days: fc.integer({ min: 0, max: 400 }) }),
  fc.record({ kind: fc.constant('reverse' as const), pick: fc.nat(), days: fc.integer({ min: 0, max: 30 }) }),
);
