import { EntityManager } from 'typeorm';
import { UnprocessableError } from '../common/problem/domain-error';
import { EntryMeta, EntryRow, LockedAccount, LoyaltyLedger } from './loyalty-ledger';
import { Allocation, allocateOldestFirst, InsufficientPointsError, Lot } from './loyalty-rules';

/**
 * Lazily writes due expiries first (so expired points are never spent), then allocates `points` oldest first
 * — or refuses with 422 and the current balance. `lots` are the open lots read under the lock. The debit itself
 * is left to the caller (`debitOrRefuse`, or a statement that writes more, see LoyaltyIdempotency).
 */
export async function allocateOrRefuse(
  ledger: LoyaltyLedger,
  manager: EntityManager,
  account: LockedAccount,
  lots: Lot[],
  points: number,
  asOf: Date,
  field: string,
): Promise<Allocation[]> {
  // The lots read with the lock serve both: the expiry consumes only lots expired at asOf (no statement when
  // none has), which the allocation skips.
  await ledger.expireDue(manager, account, asOf, lots);
  try {
    return allocateOldestFirst(lots, points, asOf);
  } catch (e) {
    if (e instanceof InsufficientPointsError) {
      throw new UnprocessableError(
        'insufficient_points',
        `The balance is ${account.balance} points; ${points} are needed`,
        [{ field, message: 'more points than the balance' }],
        { balance: account.balance, required: points },
      );
    }
    throw e;
  }
}

/** `allocateOrRefuse`, then the debit. */
export async function debitOrRefuse(
  ledger: LoyaltyLedger,
  manager: EntityManager,
  account: LockedAccount,
  lots: Lot[],
  type: 'redeem' | 'adjust',
  points: number,
  asOf: Date,
  field: string,
  meta: EntryMeta,
): Promise<EntryRow> {
  const allocations = await allocateOrRefuse(ledger, manager, account, lots, points, asOf, field);
  return ledger.debit(manager, account, type, allocations, meta);
}
