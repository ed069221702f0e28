import { taskTitlesSql } from '../tasks/task-titles';
import {
  at,
  DEFAULT_RATE,
  LOCAL_AS_OF,
  LOCAL_FROM,
  PlanWindow,
  SALES_ASSIGNEE,
  sameDayIn,
  VEHICLE_JSON,
} from './follow-up-sql';

/**
 * Candidate queries of the cadences that follow the customer's and the vehicle's life: anniversaries, end of
 * term, warranty, birthday and win-back (see follow-up-sql.ts for the columns).
 */

/** Yearly on the purchase date (1st, 2nd, … anniversary) for the current owner of an active vehicle. */
export function anniversary(): string {
  const day = sameDayIn('y.y', 'v.purchase_date');
  return `
    SELECT v.owner_id AS customer_id, v.id AS vehicle_id, ${at(day)} AS moment,
           'fu:anniversary:' || v.id || ':' || v.owner_id || ':' || (y.y - extract(year FROM v.purchase_date)::int) AS email_key,
           jsonb_build_object('vehicle', ${VEHICLE_JSON}, 'purchaseDate', to_char(v.purchase_date, 'YYYY-MM-DD'),
             'years', y.y - extract(year FROM v.purchase_date)::int) AS payload,
           NULL::text AS task_key, NULL::uuid AS assignee_id, NULL::text AS title
      FROM vehicle v JOIN customer c ON c.id = v.owner_id
      CROSS JOIN LATERAL (VALUES (extract(year FROM ${LOCAL_AS_OF})::int), (extract(year FROM ${LOCAL_AS_OF})::int - 1)) AS y(y)
     WHERE COALESCE(v.selling_rooftop_id, v.rooftop_id) = $1 AND c.erased_at IS NULL AND v.status = 'active'
       AND v.purchase_date IS NOT NULL AND y.y > extract(year FROM v.purchase_date)::int`;
}

/** Lease/finance end: end-of-term email and a salesperson task, `daysBefore` days before the end date. */
export function termEnd(daysBefore: number[]): string {
  const list = daysBefore.map((d) => Number(d)).join(',');
  return `
    SELECT v.owner_id AS customer_id, v.id AS vehicle_id, ${at('v.term_end_date - d.d')} AS moment,
           'fu:term_end:' || v.id || ':' || v.owner_id || ':' || to_char(v.term_end_date, 'YYYY-MM-DD') || ':-' || d.d || 'd' AS email_key,
           jsonb_build_object('vehicle', ${VEHICLE_JSON}, 'termEndDate', to_char(v.term_end_date, 'YYYY-MM-DD'),
             'purchaseType', v.purchase_type, 'daysBefore', d.d) AS payload,
           'task:term_end:' || v.id || ':' || v.owner_id || ':' || to_char(v.term_end_date, 'YYYY-MM-DD') || ':-' || d.d || 'd' AS task_key,
           ${SALES_ASSIGNEE} AS assignee_id,
           CASE v.purchase_type
             WHEN 'lease' THEN ${taskTitlesSql('lease_end', { date: `to_char(v.term_end_date, 'YYYY-MM-DD')`, vehicle: `concat_ws(' ', v.year, v.make, v.model)` })}
             ELSE ${taskTitlesSql('finance_end', { date: `to_char(v.term_end_date, 'YYYY-MM-DD')`, vehicle: `concat_ws(' ', v.year, v.make, v.model)` })}
           END AS title
      FROM vehicle v JOIN customer c ON c.id = v.owner_id
      CROSS JOIN unnest(ARRAY[${list}]::int[]) AS d(d)
     WHERE COALESCE(v.selling_rooftop_id, v.rooftop_id) = $1 AND c.erased_at IS NULL AND v.status = 'active'
       AND v.purchase_type IN ('lease','finance') AND v.term_end_date IS NOT NULL
       AND v.term_end_date - d.d BETWEEN ${LOCAL_FROM} - 1 AND ${LOCAL_AS_OF}`;
}

/**
 * Warranty expiring: once per vehicle and owner, while the warranty still runs, as soon as either the end
 * date is `daysBefore` days away or the projected odometer is within `withinDistance` of the end distance.
 * Unlike the other cadences this is a state, not a moment: a run fires it whenever the state holds, so a
 * projection that jumps (a new reading) is still caught. The projection uses the SPEC driving rate:
 * readings of the last 24 months, first and last 30+ days apart → (last − first) / days, else the default
 * 40 km/day (25 mi/day); projected from the latest reading (or the purchase odometer and date).
 */
export function warranty(w: PlanWindow): string {
  const days = Number(w.settings.warrantyExpiring.daysBefore);
  const within = w.settings.warrantyExpiring.withinDistance ?? 0;
  const rate = DEFAULT_RATE[w.unit];
  return `
    SELECT customer_id, vehicle_id, email_key, payload, task_key, assignee_id, title,
           CASE WHEN by_date THEN LEAST(${at(`warranty_end_date - ${days}`)}, $5::timestamptz) ELSE $5::timestamptz END AS moment
      FROM (
        SELECT v.owner_id AS customer_id, v.id AS vehicle_id, v.warranty_end_date,
               'fu:warranty:' || v.id || ':' || v.owner_id AS email_key,
               jsonb_build_object('vehicle', ${VEHICLE_JSON},
                 'warrantyEndDate', to_char(v.warranty_end_date, 'YYYY-MM-DD'),
                 'warrantyEndDistance', v.warranty_end_distance,
                 'projectedOdometer', round(p.projected)::int) AS payload,
               NULL::text AS task_key, NULL::uuid AS assignee_id, NULL::text AS title,
               (v.warranty_end_date IS NOT NULL AND ${LOCAL_AS_OF} >= v.warranty_end_date - ${days}) AS by_date,
               (v.warranty_end_distance IS NOT NULL AND p.projected >= v.warranty_end_distance - ${Number(within)}) AS by_distance,
               (v.warranty_end_date IS NULL OR ${LOCAL_AS_OF} < v.warranty_end_date)
                 AND (v.warranty_end_distance IS NULL OR p.projected < v.warranty_end_distance) AS running
          FROM vehicle v
          JOIN customer c ON c.id = v.owner_id
          LEFT JOIN LATERAL (
            SELECT (array_agg(r.value ORDER BY r.read_at, r.value))[1] AS first_value,
                   (array_agg((r.read_at AT TIME ZONE $2)::date ORDER BY r.read_at, r.value))[1] AS first_date,
                   (array_agg(r.value ORDER BY r.read_at DESC, r.value DESC))[1] AS last_value,
                   (array_agg((r.read_at AT TIME ZONE $2)::date ORDER BY r.read_at DESC, r.value DESC))[1] AS last_date
              FROM odometer_reading r
             WHERE r.vehicle_id = v.id AND r.read_at <= $5::timestamptz AND r.read_at > $5::timestamptz - interval '24 months'
          ) h ON true
          LEFT JOIN LATERAL (
            SELECT r.value, (r.read_at AT TIME ZONE $2)::date AS read_date FROM odometer_reading r
             WHERE r.vehicle_id = v.id AND r.read_at <= $5::timestamptz ORDER BY r.read_at DESC, r.value DESC LIMIT 1
          ) b ON true
          CROSS JOIN LATERAL (
            SELECT COALESCE(b.value, v.purchase_odometer)
                     + GREATEST(${LOCAL_AS_OF} - COALESCE(b.read_date, v.purchase_date, (v.created_at AT TIME ZONE $2)::date), 0)
                     * CASE WHEN h.last_date - h.first_date >= 30
                            THEN GREATEST(h.last_value - h.first_value, 0)::numeric / (h.last_date - h.first_date)
                            ELSE ${rate} END AS projected
          ) p
         WHERE v.rooftop_id = $1 AND c.erased_at IS NULL AND v.status = 'active'
           AND (v.warranty_end_date IS NOT NULL OR v.warranty_end_distance IS NOT NULL)
      ) x
     WHERE running AND (by_date OR by_distance)`;
}

/** Birthday on the day, in the rooftop's time zone (29 February → 28 February in common years). */
export function birthday(): string {
  const day = sameDayIn('y.y', 'c.birthday');
  return `
    SELECT c.id AS customer_id, NULL::uuid AS vehicle_id, ${at(day)} AS moment,
           'fu:birthday:' || c.id || ':' || y.y AS email_key, '{}'::jsonb AS payload,
           NULL::text AS task_key, NULL::uuid AS assignee_id, NULL::text AS title
      FROM customer c
      CROSS JOIN LATERAL (VALUES (extract(year FROM ${LOCAL_AS_OF})::int), (extract(year FROM ${LOCAL_AS_OF})::int - 1)) AS y(y)
     WHERE c.home_rooftop_id = $1 AND c.erased_at IS NULL AND c.birthday IS NOT NULL`;
}

/**
 * No visit (nor purchase) for `afterMonths` months: win-back email and a task, `afterMonths` after the last
 * contact and then every 12 months while nothing happens — never twice within 365 days for a customer.
 */
export function winBack(afterMonths: number): string {
  const months = Number(afterMonths);
  return `
    SELECT customer_id, NULL::uuid AS vehicle_id, moment,
           'fu:win_back:' || customer_id || ':' || to_char(moment_date, 'YYYY-MM-DD') AS email_key,
           jsonb_build_object('lastVisitDate', to_char(last_date, 'YYYY-MM-DD')) AS payload,
           'task:win_back:' || customer_id || ':' || to_char(moment_date, 'YYYY-MM-DD') AS task_key,
           assignee_id, ${taskTitlesSql('win_back', { date: `to_char(last_date, 'YYYY-MM-DD')` })} AS title
      FROM (
        SELECT l.customer_id, l.last_date, l.assignee_id, k.moment_date, ${at('k.moment_date')} AS moment
          FROM (
            SELECT c.id AS customer_id,
                   COALESCE((SELECT u.id FROM app_user u WHERE u.id = c.assigned_salesperson_id AND u.active), $6::uuid) AS assignee_id,
                   GREATEST(
                     (SELECT max((sv.visit_date AT TIME ZONE $2)::date) FROM service_visit sv
                       WHERE sv.customer_id = c.id AND sv.status = 'closed' AND sv.visit_date <= $5::timestamptz),
                     (SELECT max(v.purchase_date) FROM vehicle v WHERE v.owner_id = c.id AND v.purchase_date <= ${LOCAL_AS_OF})
                   ) AS last_date
              FROM customer c
             WHERE c.home_rooftop_id = $1 AND c.erased_at IS NULL
          ) l
          CROSS JOIN LATERAL (
            SELECT (l.last_date + make_interval(months => ${months}))::date AS first_date
          ) f
          CROSS JOIN LATERAL (
            SELECT (f.first_date + make_interval(years => GREATEST(extract(year FROM age(${LOCAL_AS_OF}, f.first_date))::int, 0)))::date AS moment_date
          ) k
         WHERE l.last_date IS NOT NULL AND f.first_date <= ${LOCAL_AS_OF}
      ) x
     WHERE NOT EXISTS (
       SELECT 1 FROM outbox_message o
        WHERE o.customer_id = x.customer_id AND o.kind = 'win_back'
          AND o.scheduled_at > x.moment - interval '365 days' AND o.scheduled_at < x.moment)`;
}
