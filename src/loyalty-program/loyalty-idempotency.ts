import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { NotFoundError, UnprocessableError } from '../common/problem/domain-error';
import { Allocation } from './loyalty-rules';
import {
  EntryMeta,
  LockedAccount,
  LoyaltyLedger,
  preparedQuery,
  RewardRow,
  StoredAnswer,
} from './loyalty-ledger';
import { Lot } from './loyalty-rules';

export interface IdempotentAnswer<T> {
  status: number;
  body: T;
  replayed: boolean;
}

class IdempotencyRace extends Error {}

/** The stored answer for the same request (replayed), or 422 for another request with the same key. */
function replayed<T>(stored: StoredAnswer, hash: string): IdempotentAnswer<T> {
  if (stored.hash !== hash) {
    throw new UnprocessableError(
      'idempotency_key_reused',
      'This Idempotency-Key was already used for a different request',
      [{ field: 'Idempotency-Key', message: 'already used with a different body' }],
    );
  }
  return { status: stored.status, body: stored.body as T, replayed: true };
}

/**
 * What the work of an idempotent write answers. `alongside` is one more write that goes in the same statement as
 * the stored answer (as a CTE named `name`, its own parameters numbered from $1), to save a round trip.
 *
 * `debit`, when given, is the work's ledger debit, not yet written: it goes in the same statement as `alongside`
 * and the stored answer (one round trip for the whole write). `alongside` may then read the new entry (`entry`),
 * and the new entry's id is set in the body (stored and answered) as `debit.entryField`.
 */
export interface WorkAnswer<T> {
  status: number;
  body: T;
  alongside?: { name: string; sql: string; params: unknown[] };
  debit?: {
    account: LockedAccount;
    type: 'redeem' | 'adjust';
    allocations: Allocation[];
    meta: EntryMeta;
    entryField: string;
  };
}

/** The write itself, given the account (locked, or as read for the path without a lock) and its open lots. */
export type Work<T> = (
  manager: EntityManager,
  account: LockedAccount,
  lots: Lot[],
  customer: { homeRooftopId: string; reward: RewardRow | null },
) => Promise<WorkAnswer<T>>;

/** Whom the write is for: the customer, checked before anything is written, and the reward it names, if any. */
export interface IdempotentTarget {
  customerId: string;
  /** Throws (404) for a customer the caller may not see. */
  visible: (customer: { homeRooftopId: string }) => void;
  rewardId?: string | null;
  /**
   * Try first without the account's lock (see `withoutLock`): for work whose only write is its `debit` (a
   * redemption). Falls back to the locked path whenever that does not apply.
   */
  withoutLock?: boolean;
}

/** Thrown by the read-only manager of the path without a lock: the work wanted to write (e.g. a due expiry). */
class NeedsLock extends Error {}
const READ_ONLY = { query: () => Promise.reject(new NeedsLock()) } as unknown as EntityManager;

/** Idempotent account writes (redemptions, adjustments): one answer per (scope, key), stored with the write. */
@Injectable()
export class LoyaltyIdempotency {
  constructor(
    private readonly db: DataSource,
    private readonly ledger: LoyaltyLedger,
  ) {}

  /**
   * Runs a write once per (scope, key): with the account locked, a stored answer for the key is replayed
   * (same request) or refused (422, different request). Only successful answers are stored, so a refused
   * request (e.g. insufficient points) can be retried with the same key once it can succeed.
   */
  async run<T>(
    scope: string,
    key: string,
    hash: string,
    target: IdempotentTarget,
    work: Work<T>,
  ): Promise<IdempotentAnswer<T>> {
    if (target.withoutLock) {
      const answered = await this.withoutLock(scope, key, hash, target, work);
      if (answered) return answered;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction(async (manager) => {
          // One statement: the customer (and reward), the account lock, the stored answer and the open lots.
          const { account, stored, lots, customer } = await this.ledger.lockForWrite(
            manager,
            target.customerId,
            { scope, key },
            target.visible,
            target.rewardId ?? null,
          );
          if (stored) return replayed<T>(stored, hash);
          const answer = await work(manager, account, lots, customer);
          const body = JSON.parse(JSON.stringify(answer.body)) as T;
          const inserted = answer.debit
            ? await this.debitAndStore(manager, scope, key, hash, answer, body)
            : await this.store(manager, scope, key, hash, answer, body);
          // Another account's request with the same key committed first: undo ours, then replay or refuse.
          if (!inserted) throw new IdempotencyRace();
          return { status: answer.status, body, replayed: false };
        });
      } catch (e) {
        if (e instanceof IdempotencyRace && attempt < 2) continue;
        throw e;
      }
    }
  }

  /**
   * Two statements and no transaction, when nothing else writes the account meanwhile: read what `lockForWrite`
   * reads, without the lock; run the work (which may not write: its manager refuses); then write its debit, the
   * `alongside` write and the stored answer in one statement gated on the account row being as it was read (see
   * LoyaltyLedger.debitWith). Every ledger write updates that row, so the gate holding means the balance and lots
   * the work used are current, as under the lock. Null (nothing written) sends the caller to the locked path: a
   * new account, work that wanted to write (a due expiry), a gate that failed (a concurrent write), or the key
   * stored meanwhile (the answer's insert has no ON CONFLICT here: its unique violation undoes the statement).
   * A stored answer is replayed (or refused) as under the lock: once stored, it never changes.
   */
  private async withoutLock<T>(
    scope: string,
    key: string,
    hash: string,
    target: IdempotentTarget,
    work: Work<T>,
  ): Promise<IdempotentAnswer<T> | null> {
    const runner = this.db.createQueryRunner();
    try {
      await runner.connect();
      const read = await this.ledger.readForWrite(
        runner.manager,
        target.customerId,
        { scope, key },
        target.rewardId ?? null,
      );
      if (!read) throw new NotFoundError('Customer');
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
      if (!answer.debit) return null;
      const body = JSON.parse(JSON.stringify(answer.body)) as T;
      try {
        const stored = await this.debitAndStore(runner.manager, scope, key, hash, answer, body, read.rowXmin);
        return stored ? { status: answer.status, body, replayed: false } : null;
      } catch (e) {
        if (
          e instanceof QueryFailedError &&
          (e.driverError as { constraint?: string })?.constraint === 'loyalty_idempotency_pkey'
        )
          return null;
        throw e;
      }
    } finally {
      await runner.release();
    }
  }

  /** One statement: the stored answer, and the work's last write if it has one (a CTE, so both or neither). */
  private async store<T>(
    manager: EntityManager,
    scope: string,
    key: string,
    hash: string,
    answer: WorkAnswer<T>,
    body: T,
  ): Promise<boolean> {
    const params = answer.alongside?.params ?? [];
    const n = params.length;
    const [inserted] = await preparedQuery<{ key: string }>(
      manager,
      `${answer.alongside ? `WITH ${answer.alongside.name} AS (${answer.alongside.sql})\n` : ''}` +
        `INSERT INTO loyalty_idempotency (scope, key, request_hash, status, body)
         VALUES ($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5})
         ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
      [...params, scope, key, hash, answer.status, JSON.stringify(body)],
    );
    return inserted !== undefined;
  }

  /**
   * One statement: the debit (entry, allocations, lots, balance), `alongside` and the stored answer, whose body
   * gets the new entry's id (in `body` too). All or nothing: a key stored meanwhile by another account's request
   * makes the caller roll the whole statement back.
   */
  private async debitAndStore<T>(
    manager: EntityManager,
    scope: string,
    key: string,
    hash: string,
    answer: WorkAnswer<T>,
    body: T,
    gate: string | null = null,
  ): Promise<boolean> {
    const { account, type, allocations, meta, entryField } = answer.debit!;
    const params = answer.alongside?.params ?? [];
    const n = params.length;
    const written = await this.ledger.debitWith(
      manager,
      account,
      type,
      allocations,
      meta,
      null,
      {
        ctes:
          `${answer.alongside ? `${answer.alongside.name} AS (${answer.alongside.sql}),\n` : ''}` +
          `answer AS (
           INSERT INTO loyalty_idempotency (scope, key, request_hash, status, body)
           SELECT $${n + 1}::text, $${n + 2}::text, $${n + 3}::text, $${n + 4}::int,
                  $${n + 5}::jsonb || jsonb_build_object($${n + 6}::text, entry.id::text)
             FROM entry
           ${gate === null ? 'ON CONFLICT (scope, key) DO NOTHING ' : ''}RETURNING key)`,
        params: [...params, scope, key, hash, answer.status, JSON.stringify(body), entryField],
        columns: `(SELECT count(*)::int FROM answer) AS "answerStored"`,
      },
      gate,
    );
    if (!written) return false;
    const { entry, extra } = written;
    (body as Record<string, unknown>)[entryField] = entry.id;
    return extra.answerStored === 1;
  }
}
