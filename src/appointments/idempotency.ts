import { IdempotencyKeyStore } from '../common/http/idempotency-store';

/** Idempotency-Keys of bookings, in appointments' own table. */
export const AppointmentIdempotency = new IdempotencyKeyStore({
  claim: `INSERT INTO appointment_idempotency (actor_id, key, request_hash) VALUES ($1, $2, $3)
          ON CONFLICT (actor_id, key) DO NOTHING RETURNING key`,
  stored: `SELECT request_hash, response FROM appointment_idempotency WHERE actor_id = $1 AND key = $2`,
  complete: `UPDATE appointment_idempotency SET response = $3, appointment_id = $4 WHERE actor_id = $1 AND key = $2`,
});
