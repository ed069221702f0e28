import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import type { ActiveUserRow } from '../auth/auth-user';
import { PooledClient, withPooledClient } from '../common/prepared-query';
import { NotFoundError } from '../common/problem/domain-error';
import { debitAndStore, IdempotentAnswer, replayed, Work, WorkAnswer } from './loyalty-answer-store';
import { LoyaltyLedger } from './loyalty-ledger';
import { readForWrite } from './loyalty-read-for-write';

/** Whom the write is for: the customer, checked before anything is written, and the reward it names, if any. */
export interface IdempotentTarget {
  customerId: string;
  /** Throws (404) for a customer the caller may not see. */
  visible: (customer: { homeRooftopId: string }) => void;
  rewardId?: string | null;
  /**
   * The caller's user when the guard left its check to the route (UncheckedUser): read by the first statement and
   * given to `check` (401 for a user no longer active) before anything else is used. Needs `withoutLock`, whose
   * read always runs first.
   */
  user?: { id: string; check: (row: ActiveUserRow | null) => void };
  /**
   * Try first without the account's lock (see `writeWithoutLock`): for work whose only write is its `debit` (a
   * redemption). Falls back to the locked path whenever that does not apply.
   */
  withoutLock?: boolean;
}

/** Thrown by the read-only manager of the path without a lock: the work wanted to write (e.g. a due expiry). */
class NeedsLock extends Error {}
const READ_ONLY = { query: () => Promise.reject(new NeedsLock()) } as unknown as EntityManager;

/**
 * An idempotent write in two statements and no transaction, when nothing else writes the account meanwhile: read
 * what `lockForWrite` reads, without the lock; run the work (which may not write: its manager refuses); then write
 * its debit, the `alongside` write and the stored answer in one statement gated on the account row being as it was
 * read (`debitAndStore` with a gate). Every ledger write updates that row, so the gate holding means the balance
 * and lots the work used are current, as under the lock.
 *
 * Null (nothing written) sends the caller to the locked path: a new account, work that wanted to write (a due
 * expiry), a gate that failed (a concurrent write), or the key stored meanwhile (its unique violation undoes the
 * statement). A stored answer is replayed (or refused) as under the lock: once stored, it never changes.
 */
export async function writeWithoutLock<T>(
  db: DataSource,
  ledger: LoyaltyLedger,
  idempotency: { scope: string; key: string; hash: string },
  target: IdempotentTarget,
  work: Work<T>,
): Promise<IdempotentAnswer<T> | null> {
  // Two statements with no transaction between them, on one connection checked out of pg's pool for both (one
  // checkout instead of two; no query runner): each commits on its own.
  return withPooledClient(db, (on) => readThenWrite(on, ledger, idempotency, target, work));
}

async function readThenWrite<T>(
  on: DataSource | PooledClient,
  ledger: LoyaltyLedger,
  idempotency: { scope: string; key: string; hash: string },
  target: IdempotentTarget,
  work: Work<T>,
): Promise<IdempotentAnswer<T> | null> {
  const { scope, key, hash } = idempotency;
  const read = await readForWrite(
    on,
    target.customerId,
    { scope, key },
    target.rewardId ?? null,
    target.user?.id ?? null,
  );
  target.user?.check(read.user);
  if (!read.customer) throw new NotFoundError('Customer');
  target.visible(read.customer);
  if (read.account === null) return null;
  if (read.stored) return replayed<T>(read.stored, hash);
  let answer: WorkAnswer<T>;
  try {
    answer = await work(READ_ONLY, read.account, read.lots, read.customer);
  } catch (e) {
    if (e instanceof NeedsLock) return null;
    throw e;
  }
  const body = JSON.parse(JSON.stringify(answer.body)) as T;
  try {
    const written = await debitAndStore(ledger, on, idempotency, answer, body, read.rowXmin);
    return written ? { status: answer.status, body, replayed: false } : null;
  } catch (e) {
    if (isKeyStoredMeanwhile(e)) return null;
    throw e;
  }
}

/** The gated write's answer insert met an answer stored for the same (scope, key) after the read. */
function isKeyStoredMeanwhile(e: unknown): boolean {
  return (
    e instanceof QueryFailedError &&
    (e.driverError as { constraint?: string } | undefined)?.constraint === 'loyalty_idempotency_pkey'
  );
}
