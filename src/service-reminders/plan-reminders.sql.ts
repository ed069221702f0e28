import { outboxInsertSql } from '../messaging/outbox.service';
import { DUE_SOON_DAYS, OVERDUE_DAYS } from './due-projection';
import { dueScanCtes, PLANNER_SCAN_SELECT } from './due-scan.sql';

/**
 * Which vehicles one planning statement covers.
 *  - 'scheduled': the vehicles whose check has come (service_reminder_schedule_next_idx), or every vehicle with $5.
 *  - 'owners': every vehicle whose owner id is in ($5, $6] (vehicle_owner_idx); a missing bound is open, and the
 *    last range (no upper bound) also takes the vehicles without an owner. A whole-fleet run is cut into such
 *    ranges so that each statement's rows fit in memory and a customer's items still meet in one digest.
 */
export type PlanScope = { kind: 'scheduled' } | { kind: 'owners'; after: string | null; upTo: string | null };

export interface PlanSqlOptions {
  scope: PlanScope;
  /**
   * Drop the reached items whose cycle already has this stage or a later one recorded. Left out only when no
   * stage row of the range's customers exists (a back-fill range), where it would find nothing at the cost of
   * one index probe per reached item.
   */
  antiJoin: boolean;
}

function candidates(scope: PlanScope): string {
  if (scope.kind === 'scheduled')
    return `
    SELECT s.vehicle_id, s.version FROM service_reminder_schedule s WHERE $5::boolean OR s.next_check_at <= $1::timestamptz`;
  // Both bounds are always referenced (an open one as "IS NULL", folded away when planned) so their types are known.
  const owned = `
    SELECT s.vehicle_id, s.version
      FROM vehicle v JOIN service_reminder_schedule s ON s.vehicle_id = v.id
     WHERE ${scope.after === null ? '$5::uuid IS NULL AND v.owner_id IS NOT NULL' : 'v.owner_id > $5::uuid'}
       AND ${scope.upTo === null ? '$6::uuid IS NULL' : 'v.owner_id <= $6::uuid'}`;
  return scope.upTo !== null
    ? owned
    : `${owned}
    UNION ALL
    SELECT s.vehicle_id, s.version
      FROM vehicle v JOIN service_reminder_schedule s ON s.vehicle_id = v.id
     WHERE v.owner_id IS NULL`;
}

/**
 * One planning statement: the scan of the scope's vehicles, then each newly reached stage into
 * service_reminder_stage, then one digest per customer into the outbox built from the rows this statement
 * actually inserted, then each scanned vehicle's next check.
 * "Each stage of each item of each cycle is sent at most once, ever; if a run is late, only the latest stage
 * reached is sent": a cycle's reached stage is recorded (and sent) only if neither it nor a later stage of the
 * cycle is recorded yet. Only the stage sent is recorded: the stages a late run passes over are implied by it
 * (counted as skipped, not written; rows written 'skipped' by earlier versions are read the same way), which
 * keeps a back-fill at one row per reached item instead of up to three. ON CONFLICT DO NOTHING settles a race
 * with a concurrent planner; rows are inserted in a fixed order so that two concurrent planners meet on the
 * first row.
 * Rows stay narrow until the digest: the ok rows (most of them) only feed the schedule; a reached row's cycle key
 * (the last performance's instant in UTC, or 'purchase' — at-risk analytics reads it the same way) is formatted
 * for reached rows only; VIN, make and model are read for the planned lines only; the next check is converted to
 * an instant once per vehicle.
 * A vehicle's next check is written only while its schedule row still has the version this statement read, so
 * an input change committed meanwhile (which bumps the version) is planned by the next run; it is written after
 * the stage inserts (the scalar subquery on `ins`), so this statement takes schedule row locks last.
 * $1 asOf; $2 distance unit; $3 default rate per day; $4 = asOf as ISO text (part of the dedupe key);
 * $5 = plan every vehicle ('scheduled' scope); $5, $6 = the owner id range ('owners' scope).
 * A digest line stores the item's catalogue name, not its Khmer and Lao names nor the stage's labels: the renderer
 * looks those up (withReminderLabels), which keeps a digest at about half the bytes to build, parse and store.
 */
export function planSql(opts: PlanSqlOptions): string {
  return `
  WITH ${dueScanCtes({ scope: 'planner', candidates: candidates(opts.scope) })},
  scan AS MATERIALIZED (${PLANNER_SCAN_SELECT}),
  reached AS (
    SELECT r.*, (ARRAY['due_soon', 'due', 'overdue'])[r.stage_ord] AS stage,
           -- The earlier stages of the cycle never recorded: a late run passes over them (counted as skipped).
           ${
             opts.antiJoin
               ? `(SELECT count(*)::int FROM unnest((ARRAY['due_soon', 'due'])[1:r.stage_ord - 1]) e(stage)
                WHERE NOT EXISTS (SELECT 1 FROM service_reminder_stage x
                                   WHERE x.vehicle_id = r.vehicle_id AND x.item_code = r.item_code
                                     AND x.cycle_key = r.cycle_key AND x.stage = e.stage))`
               : 'r.stage_ord - 1'
           } AS passed_over
      FROM (SELECT s.vehicle_id, s.owner_id, s.item_code, s.base_value, s.due_date,
                   CASE WHEN s.k >= ${OVERDUE_DAYS} THEN 3 WHEN s.k >= 0 THEN 2 ELSE 1 END AS stage_ord,
                   CASE WHEN s.performed_at IS NULL THEN 'purchase'
                        ELSE to_char(s.performed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END AS cycle_key
              FROM scan s
             WHERE s.k >= ${-DUE_SOON_DAYS}
            OFFSET 0) r
     WHERE ${
       opts.antiJoin
         ? `NOT EXISTS (SELECT 1 FROM service_reminder_stage x
                        WHERE x.vehicle_id = r.vehicle_id AND x.item_code = r.item_code AND x.cycle_key = r.cycle_key
                          AND x.stage = ANY ((ARRAY['due_soon', 'due', 'overdue'])[r.stage_ord:3]))
       AND `
         : ''
     }-- Paused while a booked appointment of the vehicle names the item (appointments module's table, read only).
       NOT EXISTS (SELECT 1 FROM appointment ap
                    WHERE ap.vehicle_id = r.vehicle_id AND ap.state = 'booked' AND r.item_code = ANY (ap.item_codes))
  ),
  ins AS (
    INSERT INTO service_reminder_stage (vehicle_id, item_code, cycle_key, stage, status, customer_id, due_date, as_of)
    SELECT r.vehicle_id, r.item_code, r.cycle_key, r.stage, 'planned', r.owner_id, r.due_date, $1::timestamptz
      FROM reached r
     ORDER BY r.vehicle_id, r.item_code, r.cycle_key
    ON CONFLICT (vehicle_id, item_code, cycle_key, stage) DO NOTHING
    RETURNING id, vehicle_id, item_code, stage, customer_id, due_date
  ),
  planned AS (
    SELECT i.id, i.customer_id, i.vehicle_id, i.item_code, i.stage, i.due_date, r.base_value, r.passed_over
      FROM ins i
      JOIN reached r ON r.vehicle_id = i.vehicle_id AND r.item_code = i.item_code
  ),
  -- The digests go in through the outbox's own insert statement (outboxInsertSql), in this statement so that they
  -- are built from the stage rows it inserted.
  msgs AS (${outboxInsertSql(`
    -- A stage row belongs to exactly one digest, so any one of its ids makes the key unique (no per-group sort).
    SELECT 'svc:' || p.customer_id || ':' || $4 || ':' || md5(min(p.id::text)) AS dedupe_key,
           c.home_rooftop_id AS rooftop_id, p.customer_id,
           CASE WHEN min(p.vehicle_id::text) = max(p.vehicle_id::text) THEN min(p.vehicle_id::text)::uuid END AS vehicle_id,
           'service_reminder' AS kind, 'service_reminders' AS purpose,
           json_build_object('asOf', $4::text, 'items', json_agg(json_build_object(
             'stageId', p.id, 'vehicleId', p.vehicle_id, 'vin', v.vin, 'make', v.make, 'model', v.model,
             'itemCode', p.item_code, 'itemName', mi.name, 'stage', p.stage, 'dueDate', p.due_date,
             'latestOdometer', p.base_value)
             ORDER BY p.due_date, v.vin, p.item_code)) AS payload,
           $1::timestamptz AS scheduled_at
      FROM planned p
      JOIN vehicle v ON v.id = p.vehicle_id
      JOIN maintenance_item mi ON mi.code = p.item_code
      JOIN customer c ON c.id = p.customer_id
     GROUP BY p.customer_id, c.home_rooftop_id`)}
  ),
  -- A vehicle out of scope (inactive, no owner, owner erased) waits for a change to its row ('infinity').
  checks AS (
    SELECT c.vehicle_id, c.version,
           coalesce(least(pc.next_date::timestamp AT TIME ZONE v.tz, v.data_next_at), 'infinity'::timestamptz) AS next_at
      FROM cand c
      LEFT JOIN (SELECT vehicle_id, min(next_check_date) AS next_date FROM scan GROUP BY vehicle_id) pc
             ON pc.vehicle_id = c.vehicle_id
      LEFT JOIN vehicles v ON v.id = c.vehicle_id
  ),
  sched AS (
    UPDATE service_reminder_schedule s SET next_check_at = ch.next_at
      FROM checks ch
     WHERE s.vehicle_id = ch.vehicle_id AND s.version = ch.version AND s.next_check_at IS DISTINCT FROM ch.next_at
       AND (SELECT count(*) FROM ins) >= 0
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM ins)::int AS stages_planned,
         (SELECT coalesce(sum(passed_over), 0) FROM planned)::int AS stages_skipped,
         (SELECT count(*) FROM msgs)::int AS messages_planned,
         (SELECT count(*) FROM cand)::int AS vehicles_checked,
         (SELECT count(*) FROM sched)::int AS checks_rescheduled`;
}

/** The daily run's statement (the vehicles whose check has come, or all of them with $5): one statement. */
export const PLAN_SQL = planSql({ scope: { kind: 'scheduled' }, antiJoin: true });
