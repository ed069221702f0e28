import { EntityManager } from 'typeorm';
import { UnprocessableError } from '../problem/domain-error';

export type Claim = { replay: false } | { replay: true; response: unknown };

/**
 * An Idempotency-Key store on a module's own table `(actor_id, key, request_hash, response, <record>)`, used
 * inside the creating transaction: the key row is inserted first, so a concurrent request with the same key
 * waits on the primary key until the first commits (then replays) or rolls back (then proceeds). A failed
 * request leaves no key behind. Keys are scoped to the caller. The statements are the owning module's (its
 * table, so the ownership test sees who writes it); this class holds the protocol once.
 */
export interface IdempotencyStatements {
  /** $1 actor, $2 key, $3 request hash; `ON CONFLICT (actor_id, key) DO NOTHING RETURNING key`. */
  claim: string;
  /** $1 actor, $2 key → `request_hash, response`. */
  stored: string;
  /** $1 actor, $2 key, $3 response (json), $4 id of the record created. */
  complete: string;
}

export class IdempotencyKeyStore {
  constructor(private readonly sql: IdempotencyStatements) {}

  async claim(m: EntityManager, actorId: string, key: string, hash: string): Promise<Claim> {
    const inserted: unknown[] = await m.query(this.sql.claim, [actorId, key, hash]);
    if (inserted.length > 0) return { replay: false };
    const [stored]: { request_hash: string; response: unknown }[] = await m.query(this.sql.stored, [
      actorId,
      key,
    ]);
    if (stored.request_hash !== hash) {
      throw new UnprocessableError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request body',
        [{ field: 'Idempotency-Key', message: 'use a new key for a different request' }],
      );
    }
    return { replay: true, response: stored.response };
  }

  async complete(m: EntityManager, actorId: string, key: string, recordId: string, response: unknown) {
    await m.query(this.sql.complete, [actorId, key, JSON.stringify(response), recordId]);
  }
}
