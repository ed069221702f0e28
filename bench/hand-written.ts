/**
 * Baselines written by hand from the SPEC (not captured from the app): what the machine can do for the same work
 * on the same tables. The replay baselines (bench/replay.ts) measure the framework's overhead over the app's own
 * SQL; these measure how far the app's SQL and design are from a direct solution.
 */

/**
 * The customer 360 (SPEC "Customer 360"): the customer, the current consent per purpose (email), vehicles, the
 * 10 most recent interactions, messages and visits, the loyalty summary (balance, tier, lifetime points, points
 * earned in the trailing 12 months that were not reversed, lots expiring within 90 days), and the 20 newest
 * surveys, tasks and complaints — with the caller's access checked in the same statement: an active user whose
 * rooftops include the customer's (admins see every rooftop). One statement, one JSON text.
 *   $1 customer id, $2 user id (the JWT's sub), $3 now
 */
export const HAND_360_SQL = `
WITH u AS (
  SELECT u.role, array(SELECT ur.rooftop_id FROM user_rooftop ur WHERE ur.user_id = u.id) AS rooftops
    FROM app_user u WHERE u.id = $2 AND u.active),
c AS (
  SELECT c.*, (u.role = 'admin') AS all_rooftops, u.rooftops
    FROM customer c, u
   WHERE c.id = $1 AND (u.role = 'admin' OR c.home_rooftop_id = ANY (u.rooftops)))
SELECT json_build_object(
  'customer', json_build_object('id', c.id, 'homeRooftopId', c.home_rooftop_id, 'externalId', c.external_id,
     'firstName', c.first_name, 'lastName', c.last_name, 'email', c.email, 'phone', c.phone, 'address', c.address,
     'birthday', c.birthday, 'language', c.language, 'assignedSalespersonId', c.assigned_salesperson_id,
     'emailBouncing', c.email_bouncing, 'version', c.version, 'createdAt', c.created_at, 'updatedAt', c.updated_at),
  'consents', (SELECT coalesce(json_agg(json_build_object('purpose', k.purpose, 'granted', k.granted, 'at', k.at,
                                                          'source', k.source) ORDER BY k.purpose), '[]')
                 FROM (SELECT DISTINCT ON (purpose) purpose, granted, at, source FROM consent
                        WHERE customer_id = c.id AND channel = 'email' ORDER BY purpose, at DESC, id DESC) k),
  'vehicles', (SELECT coalesce(json_agg(json_build_object('id', v.id, 'vin', v.vin, 'make', v.make, 'model', v.model,
                                'year', v.year, 'powertrain', v.powertrain, 'status', v.status, 'rooftopId', v.rooftop_id,
                                'purchaseDate', v.purchase_date, 'warrantyEndDate', v.warranty_end_date)
                                ORDER BY v.created_at, v.id), '[]')
                 FROM vehicle v WHERE v.owner_id = c.id),
  'recentInteractions', (SELECT coalesce(json_agg(json_build_object('id', i.id, 'kind', i.kind, 'direction', i.direction,
                                  'summary', i.summary, 'occurredAt', i.occurred_at, 'createdBy', i.created_by)), '[]')
                           FROM (SELECT * FROM interaction WHERE customer_id = c.id
                                  ORDER BY occurred_at DESC, id DESC LIMIT 10) i),
  'recentMessages', (SELECT coalesce(json_agg(json_build_object('id', m.id, 'kind', m.kind, 'purpose', m.purpose,
                              'status', m.status, 'scheduledAt', m.scheduled_at, 'sentAt', m.sent_at)), '[]')
                       FROM (SELECT * FROM outbox_message WHERE customer_id = c.id
                                AND (c.all_rooftops OR rooftop_id = ANY (c.rooftops))
                              ORDER BY created_at DESC, id DESC LIMIT 10) m),
  'recentVisits', (SELECT coalesce(json_agg(json_build_object('id', s.id, 'rooftopId', s.rooftop_id,
                            'vehicleId', s.vehicle_id, 'roNumber', s.ro_number, 'visitDate', s.visit_date,
                            'status', s.status, 'odometer', s.odometer, 'customerPayAmount', s.customer_pay_amount)), '[]')
                     FROM (SELECT * FROM service_visit WHERE customer_id = c.id
                              AND (c.all_rooftops OR rooftop_id = ANY (c.rooftops))
                            ORDER BY visit_date DESC, id DESC LIMIT 10) s),
  'loyalty', (SELECT json_build_object('balance', coalesce(a.balance, 0), 'tier', coalesce(a.tier, 'bronze'),
                       'lifetimeEarned', coalesce(a.lifetime_earned, 0),
                       'earnedTrailing12Months', (SELECT coalesce(sum(e.points), 0) FROM loyalty_entry e
                           WHERE e.customer_id = c.id AND e.type = 'earn'
                             AND e.occurred_at > $3::timestamptz - interval '12 months' AND e.occurred_at <= $3
                             AND NOT EXISTS (SELECT 1 FROM loyalty_entry r WHERE r.reverses_entry_id = e.id)),
                       'expiringSoon', (SELECT coalesce(json_agg(json_build_object('expiresAt', l.expires_at, 'points', l.points)
                                                                  ORDER BY l.expires_at), '[]')
                           FROM (SELECT expires_at, sum(remaining) AS points FROM loyalty_entry
                                  WHERE customer_id = c.id AND remaining > 0
                                    AND expires_at <= $3::timestamptz + interval '90 days'
                                  GROUP BY expires_at) l))
                FROM (SELECT 1) one LEFT JOIN loyalty_account a ON a.customer_id = c.id),
  'surveys', (SELECT coalesce(json_agg(row_to_json(s)), '[]')
                FROM (SELECT * FROM survey WHERE customer_id = c.id ORDER BY issued_at DESC, id DESC LIMIT 20) s),
  'tasks', (SELECT coalesce(json_agg(row_to_json(t)), '[]')
              FROM (SELECT * FROM task WHERE customer_id = c.id ORDER BY created_at DESC, id DESC LIMIT 20) t),
  'complaints', (SELECT coalesce(json_agg(row_to_json(k)), '[]')
                   FROM (SELECT * FROM complaint_case WHERE customer_id = c.id ORDER BY opened_at DESC, id DESC LIMIT 20) k)
)::text AS doc
FROM c`;

/**
 * The minimal redemption (SPEC "Loyalty": points are spent oldest lot first, never below zero, idempotent on the
 * client's key), as one short transaction on the app's tables: lock the account and read its open lots and any
 * answer stored for the key; check the balance; write the ledger entry with its allocations, the lots' remaining
 * points, the balance, the redemption and the stored answer in one statement. The open lots are consumed oldest
 * first in SQL (running sum), which the ledger's chain triggers check like any other write.
 */
export const HAND_REDEEM_LOCK_SQL = `
SELECT a.balance, a.lifetime_earned,
       EXISTS (SELECT 1 FROM loyalty_idempotency i WHERE i.scope = $2 AND i.key = $3) AS replay
  FROM loyalty_account a WHERE a.customer_id = $1 FOR UPDATE`;

/** $1 customer, $2 points, $3 balance after, $4 reason, $5 redemption id, $6 reward, $7 rooftop, $8 actor, $9 now,
 *  $10 idempotency scope, $11 key, $12 answer (json text), $13 lifetime earned. */
export const HAND_REDEEM_WRITE_SQL = `
WITH lots AS (
  SELECT id, remaining, sum(remaining) OVER (ORDER BY expires_at, occurred_at, id) AS upto
    FROM loyalty_entry
   WHERE customer_id = $1 AND remaining > 0 AND expires_at > $9),
taken AS (
  SELECT id, least(remaining, $2 - (upto - remaining)) AS pts FROM lots WHERE upto - remaining < $2),
entry AS (
  INSERT INTO loyalty_entry (customer_id, type, points, reason, source, source_id, idempotency_key, rooftop_id,
                             actor_id, occurred_at, balance_after)
  VALUES ($1, 'redeem', -$2::int, $4, 'redemption', $5::text, 'redemption:' || $5, $7, $8, $9, $3)
  RETURNING id),
alloc AS (
  INSERT INTO loyalty_allocation (debit_entry_id, lot_entry_id, points) SELECT entry.id, taken.id, taken.pts FROM entry, taken),
upd AS (
  UPDATE loyalty_entry e SET remaining = e.remaining - taken.pts FROM taken WHERE e.id = taken.id),
acct AS (
  UPDATE loyalty_account SET balance = $3, lifetime_earned = $13, version = version + 1, updated_at = $9
   WHERE customer_id = $1),
red AS (
  INSERT INTO loyalty_redemption (id, customer_id, reward_id, points, reason, entry_id, rooftop_id, created_by, created_at)
  SELECT $5::uuid, $1, $6, $2, $4, entry.id, $7, $8, $9 FROM entry)
INSERT INTO loyalty_idempotency (scope, key, request_hash, status, body)
VALUES ($10, $11, 'bench', 201, $12::jsonb)`;
