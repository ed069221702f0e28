import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { debitAndStore, IdempotentAnswer, replayed, storeAnswer, Work } from './loyalty-answer-store';
import { LoyaltyLedger } from './loyalty-ledger';
import { lockForWrite } from './loyalty-read-for-write';
import { IdempotentTarget, writeWithoutLock } from './loyalty-unlocked-write';

export type { IdempotentAnswer, Work, WorkAnswer } from './loyalty-answer-store';
export type { IdempotentTarget } from './loyalty-unlocked-write';

class IdempotencyRace extends Error {}

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
   * request (e.g. insufficient points) can be retried with the same key once it can succeed. With
   * `target.withoutLock`, first tried without the lock (loyalty-unlocked-write.ts).
   */
  async run<T>(
    scope: string,
    key: string,
    hash: string,
    target: IdempotentTarget,
    work: Work<T>,
  ): Promise<IdempotentAnswer<T>> {
    if (target.user && !target.withoutLock)
      throw new Error('a user left to the route is checked by the read without the lock');
    if (target.withoutLock) {
      const answered = await writeWithoutLock(this.db, this.ledger, { scope, key, hash }, target, work);
      if (answered) return answered;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction(async (manager) => {
          // One statement: the customer (and reward), the account lock, the stored answer and the open lots.
          const { account, stored, lots, customer } = await lockForWrite(
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
            ? await debitAndStore(this.ledger, manager, { scope, key, hash }, answer, body)
            : await storeAnswer(manager, scope, key, hash, answer, body);
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
