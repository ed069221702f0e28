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
  'loyalty', (SELECT json_build_object('balance', coalesce(a.balance, 0) - (SELECT coalesce(sum(remaining), 0)
                           FROM loyalty_entry WHERE customer_id = c.id AND remaining > 0 AND expires_at <= $3),
                       'tier', coalesce(a.tier, 'bronze'),
                       'lifetimeEarned', coalesce(a.lifetime_earned, 0),
                       'earnedTrailing12Months', (SELECT coalesce(sum(e.points), 0) FROM loyalty_entry e
                           WHERE e.customer_id = c.id AND e.type = 'earn'
                             AND e.occurred_at > $3::timestamptz - interval '12 months' AND e.occurred_at <= $3
                             AND NOT EXISTS (SELECT 1 FROM loyalty_entry r WHERE r.reverses_entry_id = e.id)),
                       'expiringSoon', (SELECT coalesce(json_agg(json_build_object('expiresAt', l.expires_at, 'points', l.points)
                                                                  ORDER BY l.expires_at), '[]')
                           FROM (SELECT expires_at, sum(remaining) AS points FROM loyalty_entry
                                  WHERE customer_id = c.id AND remaining > 0 AND expires_at > $3
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

/**
 * The vehicle × item rows both fleet statements compute (SPEC "When is maintenance due"): the CTEs p, veh, last_done
 * and rows, with the extra vehicle and row columns a statement needs in front of the common ones.
 */
const fleetRows = (vehicleColumns = '', rowColumns = '') => `
WITH p AS (
  SELECT $1::timestamptz AS as_of, (($1::timestamptz AT TIME ZONE 'UTC') - interval '24 months') AT TIME ZONE 'UTC' AS window_start),
veh AS MATERIALIZED (
  SELECT v.id,${vehicleColumns} v.powertrain, lower(v.make) AS make, lower(v.model) AS model, v.purchase_odometer, r.time_zone AS tz,
         (p.as_of AT TIME ZONE r.time_zone)::date AS today,
         coalesce(v.purchase_date, (v.created_at AT TIME ZONE r.time_zone)::date) AS purchase_start,
         (SELECT (max(ARRAY[extract(epoch FROM o.read_at), o.value]))[2]::int FROM odometer_reading o
           WHERE o.vehicle_id = v.id AND o.read_at <= p.as_of) AS last_value,
         (SELECT (max(o.read_at) AT TIME ZONE r.time_zone)::date FROM odometer_reading o
           WHERE o.vehicle_id = v.id AND o.read_at <= p.as_of) AS last_date,
         (SELECT (min(ARRAY[extract(epoch FROM o.read_at), o.value]))[2]::int FROM odometer_reading o
           WHERE o.vehicle_id = v.id AND o.read_at > p.window_start AND o.read_at <= p.as_of) AS first_value,
         (SELECT (min(o.read_at) AT TIME ZONE r.time_zone)::date FROM odometer_reading o
           WHERE o.vehicle_id = v.id AND o.read_at > p.window_start AND o.read_at <= p.as_of) AS first_date
    FROM vehicle v JOIN rooftop r ON r.id = v.rooftop_id
    JOIN customer c ON c.id = v.owner_id AND c.erased_at IS NULL, p
   WHERE v.status = 'active'),
last_done AS (
  SELECT DISTINCT ON (mp.vehicle_id, mp.item_code) mp.vehicle_id, mp.item_code, mp.performed_at, mp.odometer
    FROM maintenance_performed mp, p WHERE mp.performed_at <= p.as_of
   ORDER BY mp.vehicle_id, mp.item_code, mp.performed_at DESC, mp.odometer DESC),
rows AS (
  SELECT ${rowColumns}veh.today,
         CASE WHEN om.item_code IS NOT NULL THEN om.interval_months WHEN ok.item_code IS NOT NULL THEN ok.interval_months
              ELSE mi.interval_months END AS months,
         CASE WHEN om.item_code IS NOT NULL THEN CASE WHEN $2 = 'km' THEN om.interval_km ELSE om.interval_mi END
              WHEN ok.item_code IS NOT NULL THEN CASE WHEN $2 = 'km' THEN ok.interval_km ELSE ok.interval_mi END
              ELSE CASE WHEN $2 = 'km' THEN mi.interval_km ELSE mi.interval_mi END END AS distance,
         coalesce((ld.performed_at AT TIME ZONE veh.tz)::date, veh.purchase_start) AS start_date,
         CASE WHEN ld.vehicle_id IS NOT NULL THEN ld.odometer ELSE veh.purchase_odometer END AS start_odo,
         veh.last_value, veh.last_date,
         CASE WHEN veh.last_date - veh.first_date >= 30 THEN greatest(veh.last_value - veh.first_value, 0) ELSE $3::int END AS rate_distance,
         CASE WHEN veh.last_date - veh.first_date >= 30 THEN veh.last_date - veh.first_date ELSE 1 END AS rate_days
    FROM veh
    JOIN maintenance_item mi ON mi.active AND veh.powertrain = ANY (mi.applies_to)
    LEFT JOIN maintenance_item_override om ON om.item_code = mi.code AND om.active AND om.model IS NOT NULL
          AND lower(om.make) = veh.make AND lower(om.model) = veh.model
    LEFT JOIN maintenance_item_override ok ON ok.item_code = mi.code AND ok.active AND ok.model IS NULL
          AND lower(ok.make) = veh.make
    LEFT JOIN last_done ld ON ld.vehicle_id = veh.id AND ld.item_code = mi.code),
`;

/**
 * The whole-fleet reminder computation (SPEC "When is maintenance due", as in due-projection.ts's comment), in one
 * read-only statement with narrow rows: for every active vehicle with a (non-erased) owner × every active catalogue
 * item for its powertrain (interval from the make + model override, else the make's, else the item's), the stage
 * at asOf in the rooftop's local date; counted per stage.
 *   $1 asOf, $2 distance unit ('km' | 'mi'), $3 default rate per day
 */
export const HAND_FLEET_SQL = `${fleetRows()}due AS (
  SELECT r.today - least(
           (r.start_date + make_interval(months => r.months))::date,
           CASE WHEN r.distance IS NOT NULL AND r.start_odo IS NOT NULL AND r.rate_distance > 0 THEN
             b.base_date + ceil(((r.start_odo + r.distance - b.base_value)::numeric * r.rate_days) / r.rate_distance)::int
           END) AS k
    FROM rows r
    CROSS JOIN LATERAL (SELECT CASE WHEN r.last_value IS NULL OR r.start_date > r.last_date THEN r.start_date ELSE r.last_date END AS base_date,
                               CASE WHEN r.last_value IS NULL OR r.start_date > r.last_date THEN r.start_odo ELSE r.last_value END AS base_value) b)
SELECT count(*)::int AS rows,
       count(*) FILTER (WHERE k >= -14 AND k < 0)::int AS due_soon,
       count(*) FILTER (WHERE k >= 0 AND k < 30)::int AS due,
       count(*) FILTER (WHERE k >= 30)::int AS overdue
  FROM due`;

/**
 * The reminder back-fill (the first run on fresh data) written from the SPEC: the same vehicle × item computation
 * as HAND_FLEET_SQL, then in the same statement each reached item's stage into service_reminder_stage ("each
 * stage of each item of each cycle is sent at most once, ever": the unique key, ON CONFLICT DO NOTHING; "if a run
 * is late, only the latest stage reached is sent": only that stage is recorded, the earlier ones are counted as
 * skipped; on fresh data no stage of a cycle is recorded yet, so there is nothing to look up before inserting)
 * and one digest per customer into the outbox, built from the stage rows this statement inserted (the payload the
 * service_reminder template reads). Items with a booked appointment naming them are paused. The cycle key is the
 * cycle's start as the stage table and the at-risk analytics read it: the last performance's instant in UTC, or
 * 'purchase'. Counts what it wrote. Writes no schedule: a direct solution re-scans the fleet every day.
 * Like the app's, a digest line carries the item's catalogue name; its Khmer and Lao names and the stage's labels
 * are looked up when the email is rendered.
 *   $1 asOf, $2 distance unit, $3 default rate per day, $4 asOf as ISO text
 */
export const HAND_BACKFILL_SQL = `${fleetRows(' v.owner_id,', 'veh.id AS vehicle_id, veh.owner_id, mi.code AS item_code, ld.performed_at, ')}due AS (
  SELECT r.vehicle_id, r.owner_id, r.item_code, r.performed_at, b.base_value, d.due_date, r.today - d.due_date AS k
    FROM rows r
    CROSS JOIN LATERAL (SELECT CASE WHEN r.last_value IS NULL OR r.start_date > r.last_date THEN r.start_date ELSE r.last_date END AS base_date,
                               CASE WHEN r.last_value IS NULL OR r.start_date > r.last_date THEN r.start_odo ELSE r.last_value END AS base_value) b
    CROSS JOIN LATERAL (SELECT least(
           (r.start_date + make_interval(months => r.months))::date,
           CASE WHEN r.distance IS NOT NULL AND r.start_odo IS NOT NULL AND r.rate_distance > 0 THEN
             b.base_date + ceil(((r.start_odo + r.distance - b.base_value)::numeric * r.rate_days) / r.rate_distance)::int
           END) AS due_date) d),
reached AS MATERIALIZED (
  SELECT d.vehicle_id, d.owner_id, d.item_code, d.performed_at, d.base_value, d.due_date,
         CASE WHEN d.k >= 30 THEN 3 WHEN d.k >= 0 THEN 2 ELSE 1 END AS top
    FROM due d
   WHERE d.k >= -14
     AND NOT EXISTS (SELECT 1 FROM appointment a
                      WHERE a.vehicle_id = d.vehicle_id AND a.state = 'booked' AND d.item_code = ANY (a.item_codes))),
ins AS (
  INSERT INTO service_reminder_stage (vehicle_id, item_code, cycle_key, stage, status, customer_id, due_date, as_of)
  SELECT r.vehicle_id, r.item_code,
         coalesce(to_char(r.performed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'purchase'),
         (ARRAY['due_soon', 'due', 'overdue'])[r.top], 'planned', r.owner_id, r.due_date, $1
    FROM reached r
  ON CONFLICT DO NOTHING
  RETURNING id, vehicle_id, item_code, stage, customer_id, due_date),
digest AS (
  INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, vehicle_id, kind, purpose, payload, scheduled_at, next_attempt_at)
  SELECT 'svc:' || i.customer_id || ':' || $4 || ':' || min(i.id), c.home_rooftop_id, i.customer_id,
         CASE WHEN min(i.vehicle_id::text) = max(i.vehicle_id::text) THEN min(i.vehicle_id::text)::uuid END,
         'service_reminder', 'service_reminders',
         jsonb_build_object('asOf', $4::text, 'items', jsonb_agg(jsonb_build_object(
           'stageId', i.id, 'vehicleId', i.vehicle_id, 'vin', v.vin, 'make', v.make, 'model', v.model,
           'itemCode', i.item_code, 'itemName', n.name, 'stage', i.stage, 'dueDate', i.due_date,
           'latestOdometer', r.base_value)
           ORDER BY i.due_date, v.vin, i.item_code)),
         $1, $1
    FROM ins i
    JOIN reached r ON r.vehicle_id = i.vehicle_id AND r.item_code = i.item_code
    JOIN vehicle v ON v.id = i.vehicle_id
    JOIN maintenance_item n ON n.code = i.item_code
    JOIN customer c ON c.id = i.customer_id
   GROUP BY i.customer_id, c.home_rooftop_id
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING 1)
SELECT (SELECT count(*) FROM ins)::int AS stages_planned,
       (SELECT coalesce(sum(CASE stage WHEN 'due' THEN 1 WHEN 'overdue' THEN 2 ELSE 0 END), 0) FROM ins)::int AS stages_skipped,
       (SELECT count(*) FROM digest)::int AS messages_planned`;
