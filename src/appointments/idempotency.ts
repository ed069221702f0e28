import { EntityManager } from 'typeorm';
import { UnprocessableError } from '../common/problem/domain-error';

export type Claim = { replay: false } | { replay: true; response: unknown };

/**
 * Idempotency-Key store for bookings (table appointment_idempotency), used inside the booking transaction: the
 * key row is inserted first, so a concurrent retry waits on the primary key until the first commits (then
 * replays) or rolls back (then proceeds). Keys are scoped to the caller.
 */
export const AppointmentIdempotency = {
  async claim(m: EntityManager, actorId: string, key: string, hash: string): Promise<Claim> {
    const inserted: unknown[] = await m.query(
      `INSERT INTO appointment_idempotency (actor_id, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (actor_id, key) DO NOTHING RETURNING key`,
      [actorId, key, hash],
    );
    if (inserted.length > 0) return { replay: false };
    const [stored]: { request_hash: string; response: unknown }[] = await m.query(
      `SELECT request_hash, response FROM appointment_idempotency WHERE actor_id = $1 AND key = $2`,
      [actorId, key],
    );
    if (stored.request_hash !== hash) {
      throw new UnprocessableError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request body',
        [{ field: 'Idempotency-Key', message: 'use a new key for a different request' }],
      );
    }
    return { replay: true, response: stored.response };
  },

  async complete(m: EntityManager, actorId: string, key: string, appointmentId: string, response: unknown) {
    await m.query(
      `UPDATE appointment_idempotency SET response = $3, appointment_id = $4 WHERE actor_id = $1 AND key = $2`,
      [actorId, key, JSON.stringify(response), appointmentId],
    );
  },
};
