import { outboxInsertSql } from '../messaging/outbox.service';
import { dueScanCtes, PLANNER_SCAN_SELECT } from './due-scan.sql';

/**
 * One statement: the scan of the vehicles whose check has come (or the whole fleet with $6), then every newly
 * reached stage into service_reminder_stage ("each stage of each item of each cycle is sent at most once, ever";
 * earlier stages of the cycle go in as 'skipped' so that a late run sends only the latest stage), then one digest
 * per customer into the outbox built from the rows this statement actually inserted, then each scanned vehicle's
 * next check. Stages already recorded are dropped by an anti-join before the insert, so a re-run reads the unique
 * index once per reached item and inserts nothing; ON CONFLICT DO NOTHING still settles a race with a concurrent
 * planner. Rows are inserted in a fixed order so that two concurrent planners meet on the first row.
 * A vehicle's next check is written only while its schedule row still has the version this statement read, so
 * an input change committed meanwhile (which bumps the version) is planned by the next run; it is written after
 * the stage inserts (the scalar subquery on `ins`), so this statement takes schedule row locks last.
 * $4 = asOf as ISO text (part of the dedupe key); $5 = Khmer/Lao item names and stage labels (reminder-labels.ts);
 * $6 = plan every vehicle; $7 = the catalogue generation read before the statement.
 */
export const PLAN_SQL = `
  WITH ${dueScanCtes({ scope: 'planner' })},
  scan AS MATERIALIZED (${PLANNER_SCAN_SELECT}),
  reached AS (
    SELECT s.*, CASE s.stage WHEN 'due_soon' THEN 1 WHEN 'due' THEN 2 ELSE 3 END AS stage_ord
      FROM scan s
     WHERE s.stage <> 'ok'
       AND NOT EXISTS (SELECT 1 FROM service_reminder_stage x
                        WHERE x.vehicle_id = s.vehicle_id AND x.item_code = s.item_code
                          AND x.cycle_key = s.cycle_key AND x.stage = s.stage)
       -- Paused while a booked appointment of the vehicle names the item (appointments module's table, read only).
       AND NOT EXISTS (SELECT 1 FROM appointment ap
                        WHERE ap.vehicle_id = s.vehicle_id AND ap.state = 'booked' AND s.item_code = ANY (ap.item_codes))
  ),
  ins AS (
    INSERT INTO service_reminder_stage (vehicle_id, item_code, cycle_key, stage, status, customer_id, due_date, as_of)
    SELECT r.vehicle_id, r.item_code, r.cycle_key, st.stage,
           CASE WHEN st.ord = r.stage_ord THEN 'planned' ELSE 'skipped' END, r.owner_id, r.due_date, $1::timestamptz
      FROM reached r
      JOIN (VALUES ('due_soon', 1), ('due', 2), ('overdue', 3)) AS st(stage, ord) ON st.ord <= r.stage_ord
     ORDER BY r.vehicle_id, r.item_code, r.cycle_key, st.ord
    ON CONFLICT (vehicle_id, item_code, cycle_key, stage) DO NOTHING
    RETURNING id, vehicle_id, item_code, stage, status, customer_id, due_date
  ),
  -- Localized names and stage labels once per item and stage, not looked up in $5 once per digest line.
  item_names AS (
    SELECT mi.code, jsonb_build_object('en', mi.name,
             'km', coalesce($5::jsonb #>> ARRAY['items', mi.code, 'km'], mi.name),
             'lo', coalesce($5::jsonb #>> ARRAY['items', mi.code, 'lo'], mi.name)) AS names
      FROM maintenance_item mi
  ),
  stage_labels AS (
    SELECT key AS stage, value AS labels FROM jsonb_each($5::jsonb -> 'stages')
  ),
  planned AS (
    SELECT i.id, i.customer_id, i.vehicle_id, i.item_code, i.stage, i.due_date, r.vin, r.make, r.model, r.item_name,
           r.base_value, n.names AS item_names, sl.labels AS stage_labels
      FROM ins i
      JOIN reached r ON r.vehicle_id = i.vehicle_id AND r.item_code = i.item_code
      JOIN item_names n ON n.code = i.item_code
      LEFT JOIN stage_labels sl ON sl.stage = i.stage
     WHERE i.status = 'planned'
  ),
  -- The digests go in through the outbox's own insert statement (outboxInsertSql), in this statement so that they
  -- are built from the stage rows it inserted.
  msgs AS (${outboxInsertSql(`
    -- A stage row belongs to exactly one digest, so any one of its ids makes the key unique (no per-group sort).
    SELECT 'svc:' || p.customer_id || ':' || $4 || ':' || md5(min(p.id::text)) AS dedupe_key,
           c.home_rooftop_id AS rooftop_id, p.customer_id,
           CASE WHEN min(p.vehicle_id::text) = max(p.vehicle_id::text) THEN min(p.vehicle_id::text)::uuid END AS vehicle_id,
           'service_reminder' AS kind, 'service_reminders' AS purpose,
           jsonb_build_object('asOf', $4::text, 'items', jsonb_agg(jsonb_build_object(
             'stageId', p.id, 'vehicleId', p.vehicle_id, 'vin', p.vin, 'make', p.make, 'model', p.model,
             'itemCode', p.item_code, 'itemName', p.item_name, 'stage', p.stage, 'dueDate', p.due_date,
             'latestOdometer', p.base_value, 'itemNames', p.item_names, 'stageLabels', p.stage_labels)
             ORDER BY p.due_date, p.vin, p.item_code)) AS payload,
           $1::timestamptz AS scheduled_at
      FROM planned p JOIN customer c ON c.id = p.customer_id
     GROUP BY p.customer_id, c.home_rooftop_id`)}
  ),
  -- A vehicle out of scope (inactive, no owner, owner erased) waits for a change to its row ('infinity').
  checks AS (
    SELECT c.vehicle_id, c.version,
           coalesce(least(pc.next_at, v.data_next_at), 'infinity'::timestamptz) AS next_at
      FROM cand c
      LEFT JOIN (SELECT vehicle_id, min(next_check_at) AS next_at FROM scan GROUP BY vehicle_id) pc
             ON pc.vehicle_id = c.vehicle_id
      LEFT JOIN vehicles v ON v.id = c.vehicle_id
  ),
  sched AS (
    UPDATE service_reminder_schedule s SET next_check_at = ch.next_at
      FROM checks ch
     WHERE s.vehicle_id = ch.vehicle_id AND s.version = ch.version AND s.next_check_at IS DISTINCT FROM ch.next_at
       AND (SELECT count(*) FROM ins) >= 0
    RETURNING 1
  ),
  state AS (
    UPDATE service_reminder_state
       SET planned_generation = greatest(planned_generation, $7::bigint), last_as_of = $1::timestamptz
     WHERE id = 1
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM ins WHERE status = 'planned')::int AS stages_planned,
         (SELECT count(*) FROM ins WHERE status = 'skipped')::int AS stages_skipped,
         (SELECT count(*) FROM msgs)::int AS messages_planned,
         (SELECT count(*) FROM cand)::int AS vehicles_checked,
         (SELECT count(*) FROM sched)::int AS checks_rescheduled,
         (SELECT count(*) FROM state)::int AS state_rows`;
