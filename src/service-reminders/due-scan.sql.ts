import { DUE_SOON_DAYS, OVERDUE_DAYS, RATE_MIN_DAYS, RATE_WINDOW_MONTHS } from './due-projection';

/**
 * The due scan: the same arithmetic as `projectDue` (due-projection.ts — read its comment first), for active
 * vehicles with a (non-erased) owner × every applicable active catalogue item, in SQL.
 * Parameters: $1 asOf, $2 distance unit, $3 default rate per day; the planner scope adds $5 (plan the whole
 * fleet rather than the vehicles whose scheduled check has come).
 *
 * Set-based so that it scales to a million vehicles (each step is one pass, never a lookup per vehicle × item):
 *  - the as-of local date once per rooftop (rooftop_day);
 *  - per vehicle, one pass over odometer_reading for the latest reading and the first one in the rate window;
 *  - per vehicle × item, one pass over maintenance_performed for the last performance (DISTINCT ON, in the
 *    order of maintenance_performed_vehicle_item_idx), with its local date computed there once;
 *  - the vehicle-level values are MATERIALIZED so that the time zone conversions run once per vehicle, not
 *    once per reference per item (inlined CTEs repeat an expression wherever a later step mentions it).
 *
 * Scopes:
 *  - 'fleet': every vehicle; with `reachableOnly`, a cheap integer prefilter drops the vehicle × item rows whose
 *    due date cannot be within DUE_SOON_DAYS of asOf before any date arithmetic runs. It is conservative; the
 *    exact stage is computed afterwards, and the fleet e2e test checks that it drops no reachable row.
 *  - 'planner': only the vehicles in `cand` (service_reminder_schedule rows whose next_check_at has come, or all
 *    of them with $5). The prefilter becomes a flag: reachable rows get their exact due date and stage, the others
 *    the lower bound of their due-soon date. Every row also carries `next_check_at`, the first instant at which its
 *    stage can change (the next threshold in the rooftop's calendar), and each vehicle `data_next_at`, the first
 *    instant at which its inputs can change with time alone (its earliest in-window reading leaving the rate
 *    window; a future-dated reading or performance coming into view).
 */
type ScanScope =
  | { scope: 'fleet'; reachableOnly: boolean }
  /** `candidates`: the SELECT of (vehicle_id, version) rows from service_reminder_schedule to plan. */
  | { scope: 'planner'; candidates: string };

const PREFILTER = (b: string) => `
     -- Prefilter. Time: n calendar months are never shorter than floor(n × 30.4375) − 4 days (checked for n ≤ 240,
     -- month-end clamping included), so time due ≤ horizon needs start ≤ horizon − that. Distance: due ≤ horizon
     -- ⟺ (target − base) × rate days ≤ (horizon − base date) × rate distance, exactly, in integers.
     ((${b}.months IS NOT NULL AND ${b}.start_date <= p.horizon - ((${b}.months * 487) / 16 - 4))
        OR (${b}.distance IS NOT NULL AND ${b}.rate_distance > 0
            AND (${b}.start_odometer + ${b}.distance - ${b}.base_value)::bigint * ${b}.rate_days
                <= (p.horizon - ${b}.base_date)::bigint * ${b}.rate_distance))`;

export function dueScanCtes(opts: ScanScope): string {
  const planner = opts.scope === 'planner';
  const asOfReadings = planner ? 'FILTER (WHERE o.read_at <= p.as_of)' : '';
  const inWindow = planner
    ? 'FILTER (WHERE o.read_at > p.window_start AND o.read_at <= p.as_of)'
    : 'FILTER (WHERE o.read_at > p.window_start)';
  return `
  params AS (
    SELECT $1::timestamptz AS as_of,
           ($1::timestamptz AT TIME ZONE 'UTC' - interval '${RATE_WINDOW_MONTHS} months') AT TIME ZONE 'UTC' AS window_start,
           -- Every rooftop's local date is within a day of the UTC date: one horizon for the prefilter.
           ($1::timestamptz AT TIME ZONE 'UTC')::date + ${DUE_SOON_DAYS + 1} AS horizon
  ),
  rooftop_day AS (
    SELECT r.id, r.time_zone AS tz, (p.as_of AT TIME ZONE r.time_zone)::date AS as_of_date FROM rooftop r, params p
  ),${
    planner
      ? `
  cand AS MATERIALIZED (${opts.candidates}
  ),
  future_performed AS (
    SELECT mp.vehicle_id, min(mp.performed_at) AS next_performed_at
      FROM maintenance_performed mp JOIN cand ON cand.vehicle_id = mp.vehicle_id, params p
     WHERE mp.performed_at > p.as_of
     GROUP BY mp.vehicle_id
  ),`
      : ''
  }
  -- The latest reading at or before asOf and the earliest one in the rate window, per vehicle. Arrays compare
  -- element by element, so min/max of [epoch, value] break ties on read_at by value as projectDue does.
  readings AS (
    SELECT o.vehicle_id,
           max(o.read_at) ${asOfReadings} AS last_at,
           (max(ARRAY[extract(epoch FROM o.read_at), o.value]) ${asOfReadings})[2]::int AS last_value,
           min(o.read_at) ${inWindow} AS first_at,
           (min(ARRAY[extract(epoch FROM o.read_at), o.value]) ${inWindow})[2]::int AS first_value${
             planner ? `,\n           min(o.read_at) FILTER (WHERE o.read_at > p.as_of) AS next_read_at` : ''
           }
      FROM odometer_reading o ${planner ? 'JOIN cand ON cand.vehicle_id = o.vehicle_id' : ''}, params p
     ${planner ? '' : 'WHERE o.read_at <= p.as_of'}
     GROUP BY o.vehicle_id
  ),
  vehicles AS MATERIALIZED (
    SELECT v.id, v.owner_id, ${planner ? '' : 'v.vin, v.make, v.model, '}v.powertrain, v.purchase_odometer, v.rooftop_id,
           lower(v.make) AS make_key, lower(v.model) AS model_key, rd.tz,
           rd.as_of_date, coalesce(v.purchase_date, (v.created_at AT TIME ZONE rd.tz)::date) AS purchase_start,
           rr.last_value AS latest_value, (rr.last_at AT TIME ZONE rd.tz)::date AS latest_date,
           rr.first_value, (rr.first_at AT TIME ZONE rd.tz)::date AS first_date${
             planner
               ? `,
           least(((rr.first_at AT TIME ZONE 'UTC') + interval '${RATE_WINDOW_MONTHS} months') AT TIME ZONE 'UTC',
                 rr.next_read_at, fp.next_performed_at) AS data_next_at`
               : ''
           }
      FROM ${planner ? 'cand JOIN vehicle v ON v.id = cand.vehicle_id' : 'vehicle v'}
      JOIN rooftop_day rd ON rd.id = v.rooftop_id
      JOIN customer c ON c.id = v.owner_id AND c.erased_at IS NULL
      LEFT JOIN readings rr ON rr.vehicle_id = v.id${
        planner ? '\n      LEFT JOIN future_performed fp ON fp.vehicle_id = v.id' : ''
      }
     WHERE v.status = 'active' AND v.owner_id IS NOT NULL
  ),
  rated AS (
    SELECT vv.*,
           CASE WHEN vv.latest_date - vv.first_date >= ${RATE_MIN_DAYS} THEN greatest(vv.latest_value - vv.first_value, 0)
                ELSE $3::int END AS rate_distance,
           CASE WHEN vv.latest_date - vv.first_date >= ${RATE_MIN_DAYS} THEN vv.latest_date - vv.first_date
                ELSE 1 END AS rate_days
      FROM vehicles vv
  ),
  last_performed AS (
    SELECT DISTINCT ON (mp.vehicle_id, mp.item_code) mp.vehicle_id, mp.item_code, mp.performed_at, mp.odometer,
           (mp.performed_at AT TIME ZONE rd.tz)::date AS performed_date
      FROM maintenance_performed mp
      ${planner ? 'JOIN cand ON cand.vehicle_id = mp.vehicle_id' : ''}
      CROSS JOIN params p
      JOIN vehicle v ON v.id = mp.vehicle_id
      JOIN rooftop_day rd ON rd.id = v.rooftop_id
     WHERE mp.performed_at <= p.as_of
     ORDER BY mp.vehicle_id, mp.item_code, mp.performed_at DESC, mp.odometer DESC
  ),
  items AS (
    SELECT mi.code, mi.name, mi.applies_to, mi.interval_months,
           CASE WHEN $2 = 'km' THEN mi.interval_km ELSE mi.interval_mi END AS interval_distance
      FROM maintenance_item mi WHERE mi.active
  ),
  cycles AS (
    SELECT rv.id AS vehicle_id, rv.owner_id, ${planner ? '' : 'rv.vin, rv.make, rv.model, '}rv.as_of_date, rv.latest_value,
           rv.latest_date, rv.rate_distance, rv.rate_days, mi.code AS item_code, ${planner ? '' : 'mi.name AS item_name, '}lp.performed_at,
           CASE WHEN om.id IS NOT NULL THEN om.interval_months WHEN ok.id IS NOT NULL THEN ok.interval_months ELSE mi.interval_months END AS months,
           CASE WHEN om.id IS NOT NULL THEN CASE WHEN $2 = 'km' THEN om.interval_km ELSE om.interval_mi END
                WHEN ok.id IS NOT NULL THEN CASE WHEN $2 = 'km' THEN ok.interval_km ELSE ok.interval_mi END
                ELSE mi.interval_distance END AS distance,
           coalesce(lp.performed_date, rv.purchase_start) AS start_date,
           CASE WHEN lp.vehicle_id IS NOT NULL THEN lp.odometer ELSE rv.purchase_odometer END AS start_odometer
      FROM rated rv
      JOIN items mi ON rv.powertrain = ANY (mi.applies_to)
      LEFT JOIN maintenance_item_override om ON om.item_code = mi.code AND om.active AND om.model IS NOT NULL
            AND lower(om.make) = rv.make_key AND lower(om.model) = rv.model_key
      LEFT JOIN maintenance_item_override ok ON ok.item_code = mi.code AND ok.active AND ok.model IS NULL
            AND lower(ok.make) = rv.make_key
      LEFT JOIN last_performed lp ON lp.vehicle_id = rv.id AND lp.item_code = mi.code
  ),
  based AS (
    SELECT c.*,
           CASE WHEN c.latest_value IS NULL OR c.start_date > c.latest_date THEN c.start_date ELSE c.latest_date END AS base_date,
           CASE WHEN c.latest_value IS NULL OR c.start_date > c.latest_date THEN c.start_odometer ELSE c.latest_value END AS base_value
      FROM cycles c
  ),
  ${
    planner
      ? `flagged AS (
    SELECT b.*, coalesce(${PREFILTER('b')}, false) AS reachable FROM based b CROSS JOIN params p
  ),
  projected AS (
    SELECT b.*,
           CASE WHEN b.reachable AND b.months IS NOT NULL THEN (b.start_date + make_interval(months => b.months))::date END AS time_due,
           CASE WHEN b.reachable AND b.distance IS NOT NULL AND b.rate_distance > 0
                THEN b.base_date + ceil(((b.start_odometer + b.distance - b.base_value)::numeric * b.rate_days) / b.rate_distance)::int
           END AS distance_due,
           -- Not reachable: the due-soon date is no earlier than the prefilter's lower bounds minus ${DUE_SOON_DAYS} days.
           CASE WHEN NOT b.reachable THEN least(
             CASE WHEN b.months IS NOT NULL THEN b.start_date + ((b.months * 487) / 16 - 4) END,
             CASE WHEN b.distance IS NOT NULL AND b.rate_distance > 0
                  THEN b.base_date + floor(((b.start_odometer + b.distance - b.base_value)::numeric * b.rate_days) / b.rate_distance)::int
             END) - ${DUE_SOON_DAYS}
           END AS early_check_date
      FROM flagged b
  ),`
      : `projected AS (
    SELECT b.*,
           CASE WHEN b.months IS NOT NULL THEN (b.start_date + make_interval(months => b.months))::date END AS time_due,
           CASE WHEN b.distance IS NOT NULL AND b.rate_distance > 0
                THEN b.base_date + ceil(((b.start_odometer + b.distance - b.base_value)::numeric * b.rate_days) / b.rate_distance)::int
           END AS distance_due
      FROM based b
     ${opts.reachableOnly ? `CROSS JOIN params p\n     WHERE ${PREFILTER('b')}` : ''}
  ),`
  }
  due AS (
    SELECT pr.*, least(pr.time_due, pr.distance_due) AS due_date FROM projected pr
  )`;
}

const CYCLE_KEY = `CASE WHEN d.performed_at IS NOT NULL
              THEN to_char(d.performed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ELSE 'purchase' END AS cycle_key`;

export function dueScanSql(opts: { reachableOnly: boolean }): string {
  return `
  WITH ${dueScanCtes({ scope: 'fleet', reachableOnly: opts.reachableOnly })}
  SELECT d.vehicle_id, d.owner_id, d.vin, d.make, d.model, d.item_code, d.item_name, d.base_value,
         d.due_date,
         -- The planner needs neither projection: leaving them out saves re-evaluating both on every reached row.
         ${opts.reachableOnly ? 'NULL::date AS time_due, NULL::date AS distance_due' : 'd.time_due, d.distance_due'},
         ${CYCLE_KEY},
         -- The stage = how many of its thresholds (due − 14, due, due + 30 days) the as-of date has reached;
         -- written with a single reference to due_date, as each reference re-evaluates the projections.
         coalesce((ARRAY['ok', 'due_soon', 'due', 'overdue'])[
           1 + width_bucket(d.as_of_date - d.due_date, ARRAY[${-DUE_SOON_DAYS}, 0, ${OVERDUE_DAYS}])], 'ok') AS stage
    FROM due d`;
}

export const DUE_SCAN_SQL = dueScanSql({ reachableOnly: false });

/**
 * The planner's scan rows, narrow (what the stage rows, the digest lines and the schedule need; the vehicle's
 * VIN, make and model are read for the planned lines only). `k` = as-of date − due date is computed once per row
 * (OFFSET 0 keeps the subquery from being flattened, which would re-evaluate the projections at every
 * reference); the stage is read off it by the planner. `next_check_date` is the first local date at which the
 * row's stage can change (the next threshold, or the unreachable row's lower bound); the planner converts the
 * earliest per vehicle to an instant once, in the rooftop's time zone.
 */
export const PLANNER_SCAN_SELECT = `
  SELECT d.vehicle_id, d.owner_id, d.item_code, d.base_value, d.performed_at, k.k, d.as_of_date - k.k AS due_date,
         CASE WHEN k.k IS NULL THEN d.early_check_date
              WHEN k.k < ${-DUE_SOON_DAYS} THEN d.as_of_date + (${-DUE_SOON_DAYS} - k.k)
              WHEN k.k < 0 THEN d.as_of_date - k.k
              WHEN k.k < ${OVERDUE_DAYS} THEN d.as_of_date + (${OVERDUE_DAYS} - k.k)
         END AS next_check_date
    FROM due d CROSS JOIN LATERAL (SELECT d.as_of_date - d.due_date AS k OFFSET 0) k`;
