import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { DistanceUnit } from '../config/app-config';
import { LABELS_JSON } from './reminder-labels';
import {
  DEFAULT_RATE_PER_DAY,
  DUE_SOON_DAYS,
  OVERDUE_DAYS,
  RATE_MIN_DAYS,
  RATE_WINDOW_MONTHS,
} from './due-projection';

/**
 * The fleet-wide due scan: the same arithmetic as `projectDue` (due-projection.ts — read its comment first),
 * for every active vehicle with a (non-erased) owner × every applicable active catalogue item, in SQL.
 * Parameters: $1 asOf, $2 distance unit, $3 default rate per day.
 *
 * Indexes that serve it:
 *  - vehicle_active_owned_idx (partial: active vehicles with an owner) drives the scan;
 *  - odometer_reading_vehicle_idx (vehicle_id, read_at DESC) answers both per-vehicle readings lookups;
 *  - maintenance_performed_vehicle_item_idx (vehicle_id, item_code, performed_at DESC) the last performance;
 *  - maintenance_item_override_uq (item_code, lower(make), lower(coalesce(model,''))) the overrides.
 */
export const DUE_SCAN_SQL = `
  WITH params AS (
    SELECT $1::timestamptz AS as_of,
           ($1::timestamptz AT TIME ZONE 'UTC' - interval '${RATE_WINDOW_MONTHS} months') AT TIME ZONE 'UTC' AS window_start
  ),
  vehicles AS (
    SELECT v.id, v.owner_id, v.vin, v.make, v.model, v.powertrain, v.purchase_date, v.purchase_odometer,
           r.time_zone AS tz, (v.created_at AT TIME ZONE r.time_zone)::date AS created_date,
           (p.as_of AT TIME ZONE r.time_zone)::date AS as_of_date
      FROM params p
      CROSS JOIN vehicle v
      JOIN rooftop r ON r.id = v.rooftop_id
      JOIN customer c ON c.id = v.owner_id AND c.erased_at IS NULL
     WHERE v.status = 'active' AND v.owner_id IS NOT NULL
  ),
  rated AS (
    SELECT vv.*, l.value AS latest_value, (l.read_at AT TIME ZONE vv.tz)::date AS latest_date,
           CASE WHEN f.value IS NOT NULL AND l.read_at > p.window_start
                 AND (l.read_at AT TIME ZONE vv.tz)::date - (f.read_at AT TIME ZONE vv.tz)::date >= ${RATE_MIN_DAYS}
                THEN greatest(l.value - f.value, 0) ELSE $3::int END AS rate_distance,
           CASE WHEN f.value IS NOT NULL AND l.read_at > p.window_start
                 AND (l.read_at AT TIME ZONE vv.tz)::date - (f.read_at AT TIME ZONE vv.tz)::date >= ${RATE_MIN_DAYS}
                THEN (l.read_at AT TIME ZONE vv.tz)::date - (f.read_at AT TIME ZONE vv.tz)::date ELSE 1 END AS rate_days
      FROM vehicles vv
      CROSS JOIN params p
      LEFT JOIN LATERAL (SELECT o.value, o.read_at FROM odometer_reading o
                          WHERE o.vehicle_id = vv.id AND o.read_at > p.window_start AND o.read_at <= p.as_of
                          ORDER BY o.read_at, o.value LIMIT 1) f ON true
      LEFT JOIN LATERAL (SELECT o.value, o.read_at FROM odometer_reading o
                          WHERE o.vehicle_id = vv.id AND o.read_at <= p.as_of
                          ORDER BY o.read_at DESC, o.value DESC LIMIT 1) l ON true
  ),
  cycles AS (
    SELECT rv.id AS vehicle_id, rv.owner_id, rv.vin, rv.make, rv.model, rv.as_of_date, rv.latest_value, rv.latest_date,
           rv.rate_distance, rv.rate_days, mi.code AS item_code, mi.name AS item_name,
           CASE WHEN om.id IS NOT NULL THEN om.interval_months WHEN ok.id IS NOT NULL THEN ok.interval_months ELSE mi.interval_months END AS months,
           CASE WHEN $2 = 'km'
                THEN CASE WHEN om.id IS NOT NULL THEN om.interval_km WHEN ok.id IS NOT NULL THEN ok.interval_km ELSE mi.interval_km END
                ELSE CASE WHEN om.id IS NOT NULL THEN om.interval_mi WHEN ok.id IS NOT NULL THEN ok.interval_mi ELSE mi.interval_mi END
           END AS distance,
           CASE WHEN lp.performed_at IS NOT NULL THEN (lp.performed_at AT TIME ZONE rv.tz)::date
                WHEN rv.purchase_date IS NOT NULL THEN rv.purchase_date ELSE rv.created_date END AS start_date,
           CASE WHEN lp.performed_at IS NOT NULL THEN lp.odometer ELSE rv.purchase_odometer END AS start_odometer,
           CASE WHEN lp.performed_at IS NOT NULL
                THEN to_char(lp.performed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ELSE 'purchase' END AS cycle_key
      FROM rated rv
      CROSS JOIN params p
      JOIN maintenance_item mi ON mi.active AND rv.powertrain = ANY (mi.applies_to)
      LEFT JOIN maintenance_item_override om ON om.item_code = mi.code AND om.active AND om.model IS NOT NULL
            AND lower(om.make) = lower(rv.make) AND lower(om.model) = lower(rv.model)
      LEFT JOIN maintenance_item_override ok ON ok.item_code = mi.code AND ok.active AND ok.model IS NULL
            AND lower(ok.make) = lower(rv.make)
      LEFT JOIN LATERAL (SELECT mp.performed_at, mp.odometer FROM maintenance_performed mp
                          WHERE mp.vehicle_id = rv.id AND mp.item_code = mi.code AND mp.performed_at <= p.as_of
                          ORDER BY mp.performed_at DESC, mp.odometer DESC LIMIT 1) lp ON true
  ),
  based AS (
    SELECT c.*,
           CASE WHEN c.latest_value IS NULL OR c.start_date > c.latest_date THEN c.start_date ELSE c.latest_date END AS base_date,
           CASE WHEN c.latest_value IS NULL OR c.start_date > c.latest_date THEN c.start_odometer ELSE c.latest_value END AS base_value
      FROM cycles c
  ),
  projected AS (
    SELECT b.*,
           CASE WHEN b.months IS NOT NULL THEN (b.start_date + make_interval(months => b.months))::date END AS time_due,
           CASE WHEN b.distance IS NOT NULL AND b.rate_distance > 0
                THEN b.base_date + ceil(((b.start_odometer + b.distance - b.base_value)::numeric * b.rate_days) / b.rate_distance)::int
           END AS distance_due
      FROM based b
  ),
  due AS (
    SELECT pr.*,
           CASE WHEN pr.time_due IS NOT NULL AND (pr.distance_due IS NULL OR pr.time_due <= pr.distance_due)
                THEN pr.time_due ELSE pr.distance_due END AS due_date
      FROM projected pr
  )
  SELECT d.*,
         CASE WHEN d.due_date IS NULL THEN 'ok'
              WHEN d.as_of_date >= d.due_date + ${OVERDUE_DAYS} THEN 'overdue'
              WHEN d.as_of_date >= d.due_date THEN 'due'
              WHEN d.as_of_date >= d.due_date - ${DUE_SOON_DAYS} THEN 'due_soon'
              ELSE 'ok' END AS stage
    FROM due d`;

/**
 * One statement: the due scan, then every reached stage into service_reminder_stage (ON CONFLICT DO NOTHING —
 * "each stage of each item of each cycle is sent at most once, ever"; earlier stages of the cycle go in as
 * 'skipped' so that a late run sends only the latest stage), then one digest per customer into the outbox built
 * from the rows this statement actually inserted. Rows are inserted in a fixed order so that two concurrent
 * planners meet on the first row: the second waits for the first to commit and then inserts nothing.
 * $4 = asOf as ISO text (part of the dedupe key); $5 = Khmer/Lao item names and stage labels (reminder-labels.ts).
 */
export const PLAN_SQL = `
  WITH scan AS MATERIALIZED (${DUE_SCAN_SQL}),
  reached AS (
    SELECT s.*, CASE s.stage WHEN 'due_soon' THEN 1 WHEN 'due' THEN 2 ELSE 3 END AS stage_ord
      FROM scan s WHERE s.stage <> 'ok'
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
  planned AS (
    SELECT i.id, i.customer_id, i.vehicle_id, i.item_code, i.stage, i.due_date, r.vin, r.make, r.model, r.item_name, r.base_value
      FROM ins i
      JOIN reached r ON r.vehicle_id = i.vehicle_id AND r.item_code = i.item_code
     WHERE i.status = 'planned'
  ),
  msgs AS (
    INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, vehicle_id, kind, purpose, payload, scheduled_at, next_attempt_at)
    SELECT 'svc:' || p.customer_id || ':' || $4 || ':' || md5(string_agg(p.id::text, ',' ORDER BY p.id)),
           c.home_rooftop_id, p.customer_id,
           CASE WHEN count(DISTINCT p.vehicle_id) = 1 THEN min(p.vehicle_id::text)::uuid END,
           'service_reminder', 'service_reminders',
           jsonb_build_object('asOf', $4::text, 'items', jsonb_agg(jsonb_build_object(
             'stageId', p.id, 'vehicleId', p.vehicle_id, 'vin', p.vin, 'make', p.make, 'model', p.model,
             'itemCode', p.item_code, 'itemName', p.item_name, 'stage', p.stage, 'dueDate', p.due_date,
             'latestOdometer', p.base_value,
             'itemNames', jsonb_build_object('en', p.item_name,
               'km', coalesce($5::jsonb #>> ARRAY['items', p.item_code, 'km'], p.item_name),
               'lo', coalesce($5::jsonb #>> ARRAY['items', p.item_code, 'lo'], p.item_name)),
             'stageLabels', $5::jsonb #> ARRAY['stages', p.stage]) ORDER BY p.due_date, p.vin, p.item_code)),
           $1::timestamptz, $1::timestamptz
      FROM planned p JOIN customer c ON c.id = p.customer_id
     GROUP BY p.customer_id, c.home_rooftop_id
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id
  )
  SELECT (SELECT count(*) FROM ins WHERE status = 'planned')::int AS stages_planned,
         (SELECT count(*) FROM ins WHERE status = 'skipped')::int AS stages_skipped,
         (SELECT count(*) FROM msgs)::int AS messages_planned`;

export interface DueScanRow {
  vehicle_id: string;
  item_code: string;
  due_date: string | null;
  time_due: string | null;
  distance_due: string | null;
  stage: string;
  cycle_key: string;
}

export interface PlanCounts {
  stagesPlanned: number;
  stagesSkipped: number;
  messagesPlanned: number;
}

@Injectable()
export class ServiceRemindersRepository {
  /** The due scan alone (dates as text), for diagnostics, the bench and the SQL-equals-TypeScript test. */
  async scanDue(manager: EntityManager, asOf: Date, unit: DistanceUnit): Promise<DueScanRow[]> {
    return manager.query(
      `SELECT vehicle_id, item_code, due_date::text, time_due::text, distance_due::text, stage, cycle_key FROM (${DUE_SCAN_SQL}) s`,
      [asOf, unit, DEFAULT_RATE_PER_DAY[unit]],
    );
  }

  async planDue(manager: EntityManager, asOf: Date, unit: DistanceUnit): Promise<PlanCounts> {
    const [row]: { stages_planned: number; stages_skipped: number; messages_planned: number }[] =
      await manager.query(PLAN_SQL, [
        asOf,
        unit,
        DEFAULT_RATE_PER_DAY[unit],
        asOf.toISOString(),
        LABELS_JSON,
      ]);
    return {
      stagesPlanned: row.stages_planned,
      stagesSkipped: row.stages_skipped,
      messagesPlanned: row.messages_planned,
    };
  }

  /**
   * Removes items of a vehicle (all, or the given codes) from pending service_reminder digests, optionally only
   * those of one customer; a digest left with no item is cancelled.
   */
  async removeFromPendingDigests(
    manager: EntityManager,
    filter: { vehicleId: string; itemCodes?: string[]; customerId?: string | null },
    reason: string,
  ): Promise<{ messagesChanged: number; messagesCancelled: number }> {
    const keep = `(SELECT coalesce(jsonb_agg(e.it ORDER BY e.ord), '[]'::jsonb)
                     FROM jsonb_array_elements(m.payload->'items') WITH ORDINALITY AS e(it, ord)
                    WHERE NOT (e.it->>'vehicleId' = $1::text AND ($2::text[] IS NULL OR e.it->>'itemCode' = ANY ($2::text[]))))`;
    // TypeORM answers an UPDATE with [rows, affectedCount].
    const [rows]: [{ cancelled: boolean }[], number] = await manager.query(
      `UPDATE outbox_message m
          SET payload = jsonb_set(m.payload, '{items}', ${keep}),
              status = CASE WHEN jsonb_array_length(${keep}) = 0 THEN 'cancelled' ELSE m.status END,
              status_reason = CASE WHEN jsonb_array_length(${keep}) = 0 THEN $4 ELSE m.status_reason END,
              updated_at = now()
        WHERE m.kind = 'service_reminder' AND m.status = 'pending'
          AND ($3::uuid IS NULL OR m.customer_id = $3::uuid)
          AND m.payload->'items' @> jsonb_build_array(jsonb_build_object('vehicleId', $1::text))
          AND jsonb_array_length(${keep}) < jsonb_array_length(m.payload->'items')
        RETURNING m.status = 'cancelled' AS cancelled`,
      [filter.vehicleId, filter.itemCodes ?? null, filter.customerId ?? null, reason],
    );
    return { messagesChanged: rows.length, messagesCancelled: rows.filter((r) => r.cancelled).length };
  }
}
