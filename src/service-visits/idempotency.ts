import { IdempotencyKeyStore } from '../common/http/idempotency-store';

/** Idempotency-Keys of visit creation, in service-visits' own table. */
export const IdempotencyStore = new IdempotencyKeyStore({
  claim: `INSERT INTO service_visit_idempotency (actor_id, key, request_hash) VALUES ($1, $2, $3)
          ON CONFLICT (actor_id, key) DO NOTHING RETURNING key`,
  stored: `SELECT request_hash, response FROM service_visit_idempotency WHERE actor_id = $1 AND key = $2`,
  complete: `UPDATE service_visit_idempotency SET response = $3, service_visit_id = $4 WHERE actor_id = $1 AND key = $2`,
});
