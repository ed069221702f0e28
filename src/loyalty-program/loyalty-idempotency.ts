import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { UnprocessableError } from '../common/problem/domain-error';
import { Allocation } from './loyalty-rules';
import { EntryMeta, LockedAccount, LoyaltyLedger, preparedQuery, RewardRow } from './loyalty-ledger';
import { Lot } from './loyalty-rules';

export interface IdempotentAnswer<T> {
  status: number;
  body: T;
  replayed: boolean;
}

class IdempotencyRace extends Error {}

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

/** Whom the write is for: the customer, checked before anything is written, and the reward it names, if any. */
export interface IdempotentTarget {
  customerId: string;
  /** Throws (404) for a customer the caller may not see. */
  visible: (customer: { homeRooftopId: string }) => void;
  rewardId?: string | null;
}

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
    work: (
      manager: EntityManager,
      account: LockedAccount,
      lots: Lot[],
      customer: { homeRooftopId: string; reward: RewardRow | null },
    ) => Promise<WorkAnswer<T>>,
  ): Promise<IdempotentAnswer<T>> {
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
          if (stored) {
            if (stored.hash !== hash) {
              throw new UnprocessableError(
                'idempotency_key_reused',
                'This Idempotency-Key was already used for a different request',
                [{ field: 'Idempotency-Key', message: 'already used with a different body' }],
              );
            }
            return { status: stored.status, body: stored.body as T, replayed: true };
          }
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
  ): Promise<boolean> {
    const { account, type, allocations, meta, entryField } = answer.debit!;
    const params = answer.alongside?.params ?? [];
    const n = params.length;
    const { entry, extra } = await this.ledger.debitWith(manager, account, type, allocations, meta, null, {
      ctes:
        `${answer.alongside ? `${answer.alongside.name} AS (${answer.alongside.sql}),\n` : ''}` +
        `answer AS (
           INSERT INTO loyalty_idempotency (scope, key, request_hash, status, body)
           SELECT $${n + 1}::text, $${n + 2}::text, $${n + 3}::text, $${n + 4}::int,
                  $${n + 5}::jsonb || jsonb_build_object($${n + 6}::text, entry.id::text)
             FROM entry
           ON CONFLICT (scope, key) DO NOTHING RETURNING key)`,
      params: [...params, scope, key, hash, answer.status, JSON.stringify(body), entryField],
      columns: `(SELECT count(*)::int FROM answer) AS "answerStored"`,
    });
    (body as Record<string, unknown>)[entryField] = entry.id;
    return extra.answerStored === 1;
  }
}
