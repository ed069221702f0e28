import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { UnprocessableError } from '../common/problem/domain-error';
import { LockedAccount, LoyaltyLedger, preparedQuery } from './loyalty-ledger';
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
 */
export interface WorkAnswer<T> {
  status: number;
  body: T;
  alongside?: { name: string; sql: string; params: unknown[] };
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
    customerId: string,
    work: (manager: EntityManager, account: LockedAccount, lots: Lot[]) => Promise<WorkAnswer<T>>,
  ): Promise<IdempotentAnswer<T>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction(async (manager) => {
          // One statement: the account lock, the stored answer and the open lots the work needs.
          const { account, stored, lots } = await this.ledger.lockForWrite(manager, customerId, {
            scope,
            key,
          });
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
          const answer = await work(manager, account, lots);
          const body = JSON.parse(JSON.stringify(answer.body)) as T;
          // One statement: the stored answer, and the work's last write if it has one (a CTE, so both or neither).
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
}
