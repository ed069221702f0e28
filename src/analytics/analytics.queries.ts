import { Keyset } from '../common/http/pagination';

/**
 * The analytics, one SQL statement per metric. Every statement is set-based (aggregates in PostgreSQL,
 * nothing loaded whole into memory) and names the indexes it reads. `$1` is always the rooftop scope
 * (uuid[]); instants are half-open [from, to). Calendar dates (purchase, visit, warranty and term end) are
 * compared as local midnight in the report's time zone through ceilDate() bounds computed by the caller
 * (see period.ts).
 */

/** At-risk weights (also in the README). The score is the sum, capped at 100. */
export const AT_RISK_WEIGHTS = {
  overdue_maintenance: 10, // per overdue item, at most OVERDUE_CAP
  detractor: 25,
  open_complaint: 25,
  no_visit_12_months: 20,
  warranty_ended: 10,
  term_ending: 15,
} as const;
export const OVERDUE_CAP = 30;
export type AtRiskReasonCode = keyof typeof AT_RISK_WEIGHTS;

/**
 * Churn over [from, to): customers active at `from` and how many of them are still active at `to`.
 * Active at T = a purchase (vehicle.purchase_date of a vehicle the customer owns) or a closed service
 * visit (customer_id = owner at the visit) in [T − 12 months, T). Customers belong to their home rooftop.
 * $2/$3 = visit window at start, $4/$5 = visit window at end, $6/$7 and $8/$9 = the same as dates.
 * Indexes: vehicle_purchase_date_idx, service_visit_closed_date_idx (range scans), customer_pkey.
 */
export const CHURN_SQL = `
  WITH active_start AS (
    SELECT v.owner_id AS customer_id FROM vehicle v
     WHERE v.purchase_date >= $6::date AND v.purchase_date < $7::date AND v.owner_id IS NOT NULL
    UNION
    SELECT sv.customer_id FROM service_visit sv
     WHERE sv.status = 'closed' AND sv.visit_date >= $2 AND sv.visit_date < $3 AND sv.customer_id IS NOT NULL
  ), active_end AS (
    SELECT v.owner_id AS customer_id FROM vehicle v
     WHERE v.purchase_date >= $8::date AND v.purchase_date < $9::date AND v.owner_id IS NOT NULL
    UNION
    SELECT sv.customer_id FROM service_visit sv
     WHERE sv.status = 'closed' AND sv.visit_date >= $4 AND sv.visit_date < $5 AND sv.customer_id IS NOT NULL
  )
  SELECT count(*)::int AS active_at_start, count(e.customer_id)::int AS still_active_at_end
    FROM active_start s
    JOIN customer c ON c.id = s.customer_id AND c.home_rooftop_id = ANY ($1::uuid[])
    LEFT JOIN active_end e ON e.customer_id = s.customer_id`;

/**
 * Service retention at `to`: of the vehicles sold (purchase date) in [to − 24 months, to − 12 months) by
 * a rooftop in scope (selling rooftop, else the vehicle's rooftop), how many had a closed visit in
 * [to − 12 months, to), and how many a closed visit with customer_pay_amount > 0.
 * $2/$3 = cohort dates, $4/$5 = visit window.
 * Indexes: vehicle_purchase_date_idx (cohort), service_visit_vehicle_idx (vehicle_id, visit_date DESC) per vehicle.
 */
export const SERVICE_RETENTION_SQL = `
  SELECT count(*)::int AS cohort_vehicles,
         count(*) FILTER (WHERE r.any_visit)::int AS retained_vehicles,
         count(*) FILTER (WHERE r.customer_pay_visit)::int AS customer_pay_retained_vehicles
    FROM vehicle v
    CROSS JOIN LATERAL (
      SELECT EXISTS (SELECT 1 FROM service_visit sv
                      WHERE sv.vehicle_id = v.id AND sv.status = 'closed' AND sv.visit_date >= $4 AND sv.visit_date < $5) AS any_visit,
             EXISTS (SELECT 1 FROM service_visit sv
                      WHERE sv.vehicle_id = v.id AND sv.status = 'closed' AND sv.visit_date >= $4 AND sv.visit_date < $5
                        AND sv.customer_pay_amount > 0) AS customer_pay_visit
    ) r
   WHERE v.purchase_date >= $2::date AND v.purchase_date < $3::date
     AND COALESCE(v.selling_rooftop_id, v.rooftop_id) = ANY ($1::uuid[])`;

export type FeedbackGroupBy = 'rooftop' | 'salesperson' | 'advisor' | 'month';
export const FEEDBACK_GROUP_BY: readonly FeedbackGroupBy[] = ['rooftop', 'salesperson', 'advisor', 'month'];

/** Whitelisted grouping pieces (never user input) for FEEDBACK_SQL. */
const FEEDBACK_GROUPS: Record<
  FeedbackGroupBy | 'all',
  { key: string; label: string; join: string; where: string }
> = {
  all: { key: `'all'`, label: `'all'`, join: '', where: '' },
  rooftop: {
    key: 's.rooftop_id::text',
    label: 'g.name',
    join: 'LEFT JOIN rooftop g ON g.id = s.rooftop_id',
    where: '',
  },
  salesperson: {
    key: 's.salesperson_id::text',
    label: 'g.name',
    join: 'LEFT JOIN app_user g ON g.id = s.salesperson_id',
    where: `AND s.kind = 'sale'`,
  },
  advisor: {
    key: 's.advisor_id::text',
    label: 'g.name',
    join: 'LEFT JOIN app_user g ON g.id = s.advisor_id',
    where: `AND s.kind = 'service'`,
  },
  month: {
    key: `to_char(s.issued_at AT TIME ZONE $4::text, 'YYYY-MM')`,
    label: `to_char(s.issued_at AT TIME ZONE $4::text, 'YYYY-MM')`,
    join: '',
    where: '',
  },
};

/**
 * Feedback over surveys ISSUED in [from, to) (the invitation cohort): invited, answered (by now),
 * promoters 9–10 / passives 7–8 / detractors 0–6 among answers with an NPS, CSAT answers and those 4–5.
 * Sale surveys are credited to the salesperson, service surveys to the advisor.
 * Index: survey_rooftop_issued_idx (rooftop_id, issued_at).
 */
export function feedbackSql(groupBy: FeedbackGroupBy | 'all'): string {
  const g = FEEDBACK_GROUPS[groupBy];
  return `
  SELECT ${g.key} AS key, ${groupBy === 'all' || groupBy === 'month' ? g.label : `min(${g.label})`} AS label,
         count(*)::int AS invited,
         count(*) FILTER (WHERE s.answered_at IS NOT NULL)::int AS answered,
         count(*) FILTER (WHERE s.answered_at IS NOT NULL AND s.nps >= 9)::int AS promoters,
         count(*) FILTER (WHERE s.answered_at IS NOT NULL AND s.nps BETWEEN 7 AND 8)::int AS passives,
         count(*) FILTER (WHERE s.answered_at IS NOT NULL AND s.nps <= 6)::int AS detractors,
         count(*) FILTER (WHERE s.answered_at IS NOT NULL AND s.csat IS NOT NULL)::int AS csat_answers,
         count(*) FILTER (WHERE s.answered_at IS NOT NULL AND s.csat >= 4)::int AS csat_satisfied
    FROM survey s
    ${g.join}
   WHERE s.rooftop_id = ANY ($1::uuid[]) AND s.issued_at >= $2 AND s.issued_at < $3 ${g.where}
   ${groupBy === 'all' ? '' : 'GROUP BY 1 ORDER BY 1 NULLS LAST'}`;
}

/**
 * Complaint SLA over cases OPENED in [from, to): the median first response (acknowledged_at − opened_at,
 * acknowledged cases only), and breaches: first response later than its deadline, or still without one
 * while the deadline has passed at $4 (now); likewise resolution (resolved_at, else closed_at).
 * Index: complaint_case_rooftop_idx (rooftop_id, opened_at DESC, id).
 */
export const COMPLAINT_SLA_SQL = `
  SELECT count(*)::int AS opened,
         count(*) FILTER (WHERE c.acknowledged_at IS NOT NULL)::int AS responded,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.acknowledged_at - c.opened_at))
           FILTER (WHERE c.acknowledged_at IS NOT NULL) AS median_first_response_seconds,
         count(*) FILTER (WHERE COALESCE(c.acknowledged_at, $4) > c.first_response_due_at)::int AS first_response_breached,
         count(*) FILTER (WHERE COALESCE(c.resolved_at, c.closed_at, $4) > c.resolution_due_at)::int AS resolution_breached
    FROM complaint_case c
   WHERE c.rooftop_id = ANY ($1::uuid[]) AND c.opened_at >= $2 AND c.opened_at < $3`;

/**
 * Loyalty standing now: points outstanding (sum of account balances) and members per tier, for customers
 * whose home rooftop is in scope. Indexes: customer_rooftop_created_idx, loyalty_account_pkey.
 */
export const LOYALTY_STANDING_SQL = `
  SELECT COALESCE(sum(a.balance), 0)::bigint AS points_outstanding,
         count(*) FILTER (WHERE a.tier = 'bronze')::int AS bronze,
         count(*) FILTER (WHERE a.tier = 'silver')::int AS silver,
         count(*) FILTER (WHERE a.tier = 'gold')::int AS gold,
         count(*) FILTER (WHERE a.tier = 'platinum')::int AS platinum
    FROM customer c
    JOIN loyalty_account a ON a.customer_id = c.id
   WHERE c.home_rooftop_id = ANY ($1::uuid[])`;

/**
 * Loyalty flow in [from, to) by business time (occurred_at): points earned ('earn' entries) and points
 * redeemed ('redeem' entries, as a positive number). Index: loyalty_entry_occurred_idx.
 */
export const LOYALTY_FLOW_SQL = `
  SELECT COALESCE(sum(e.points) FILTER (WHERE e.type = 'earn'), 0)::bigint AS points_earned,
         COALESCE(-sum(e.points) FILTER (WHERE e.type = 'redeem'), 0)::bigint AS points_redeemed
    FROM loyalty_entry e
    JOIN customer c ON c.id = e.customer_id AND c.home_rooftop_id = ANY ($1::uuid[])
   WHERE e.type IN ('earn', 'redeem') AND e.occurred_at >= $2 AND e.occurred_at < $3`;

const W = AT_RISK_WEIGHTS;

/**
 * At-risk scores of every customer of the $1 rooftops as of $2 (now), for the `customer-risk` job, which stores
 * them in customer_risk (the API pages through that table).
 * Reasons (one row per cause, then weighted per customer):
 *  - overdue_maintenance: service_reminder_stage rows of stage 'overdue' whose cycle is still open (the
 *    item's latest maintenance_performed is the cycle's start, as the planner keys it) on an active
 *    vehicle the customer owns now; index service_reminder_stage_overdue_idx, maintenance_performed_vehicle_item_idx;
 *  - detractor: a survey answered with NPS 0–6 in (now − 12 months, now]; survey_rooftop_answered_idx;
 *  - open_complaint: a complaint 'open' or 'acknowledged'; complaint_case_sla_idx;
 *  - no_visit_12_months: owns an active vehicle, bought none and had no closed visit in the last 12
 *    months; customer_rooftop_created_idx, vehicle_owner_idx, service_visit_customer_idx;
 *  - warranty_ended: warranty end date in the last 90 days;
 *  - term_ending: lease/finance term ending within the next 90 days.
 *    (Both compare local midnights, so they scan vehicle once per run rather than use vehicle_warranty_end_idx /
 *    vehicle_term_end_idx: this statement runs in the hourly job, never in a request.)
 * Windows are in each rooftop's calendar (rooftop_days: now − 12 months, now ± 90 days as local calendar
 * arithmetic), and a calendar date counts from its local midnight (the vehicle's rooftop for warranty and term
 * dates, the customer's home rooftop for purchases and visits).
 */
export const AT_RISK_SCORES_SQL = `
  WITH rooftop_days AS (
    SELECT r.id, r.time_zone AS tz,
           (l.now_local - interval '12 months') AT TIME ZONE r.time_zone AS minus_12_months,
           (l.now_local - interval '90 days') AT TIME ZONE r.time_zone AS minus_90_days,
           (l.now_local + interval '90 days') AT TIME ZONE r.time_zone AS plus_90_days
      FROM rooftop r CROSS JOIN LATERAL (SELECT $2::timestamptz AT TIME ZONE r.time_zone AS now_local) l
  ),
  reasons AS (
    SELECT v.owner_id AS customer_id, 'overdue_maintenance' AS code, 'vehicle' AS ref_type, v.id::text AS ref_id, s.item_code
      FROM service_reminder_stage s
      JOIN vehicle v ON v.id = s.vehicle_id AND v.status = 'active' AND v.owner_id IS NOT NULL
      LEFT JOIN LATERAL (SELECT mp.performed_at FROM maintenance_performed mp
                          WHERE mp.vehicle_id = s.vehicle_id AND mp.item_code = s.item_code AND mp.performed_at <= $2
                          ORDER BY mp.performed_at DESC LIMIT 1) lp ON true
     WHERE s.stage = 'overdue'
       AND s.cycle_key = COALESCE(to_char(lp.performed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'purchase')
    UNION ALL
    SELECT s.customer_id, 'detractor', 'survey', s.id::text, NULL
      FROM survey s JOIN rooftop_days rd ON rd.id = s.rooftop_id
     WHERE s.rooftop_id = ANY ($1::uuid[]) AND s.answered_at > rd.minus_12_months AND s.answered_at <= $2 AND s.nps <= 6
    UNION ALL
    SELECT c.customer_id, 'open_complaint', 'complaint', c.id::text, NULL
      FROM complaint_case c
     WHERE c.state IN ('open', 'acknowledged') AND c.rooftop_id = ANY ($1::uuid[])
    UNION ALL
    SELECT c.id, 'no_visit_12_months', CASE WHEN lv.id IS NULL THEN 'customer' ELSE 'service_visit' END,
           COALESCE(lv.id, c.id)::text, NULL
      FROM customer c
      JOIN rooftop_days rd ON rd.id = c.home_rooftop_id
      LEFT JOIN LATERAL (SELECT sv.id, sv.visit_date FROM service_visit sv
                          WHERE sv.customer_id = c.id AND sv.status = 'closed'
                            AND sv.visit_date::timestamp AT TIME ZONE rd.tz <= $2
                          ORDER BY sv.visit_date DESC LIMIT 1) lv ON true
     WHERE c.home_rooftop_id = ANY ($1::uuid[]) AND c.erased_at IS NULL
       AND EXISTS (SELECT 1 FROM vehicle v WHERE v.owner_id = c.id AND v.status = 'active')
       AND NOT EXISTS (SELECT 1 FROM vehicle v WHERE v.owner_id = c.id
                          AND v.purchase_date::timestamp AT TIME ZONE rd.tz >= rd.minus_12_months)
       AND (lv.visit_date IS NULL OR lv.visit_date::timestamp AT TIME ZONE rd.tz <= rd.minus_12_months)
    UNION ALL
    SELECT v.owner_id, 'warranty_ended', 'vehicle', v.id::text, NULL
      FROM vehicle v JOIN rooftop_days rd ON rd.id = v.rooftop_id
     WHERE v.owner_id IS NOT NULL AND v.warranty_end_date IS NOT NULL AND v.status = 'active'
       AND v.warranty_end_date::timestamp AT TIME ZONE rd.tz >= rd.minus_90_days
       AND v.warranty_end_date::timestamp AT TIME ZONE rd.tz < $2
    UNION ALL
    SELECT v.owner_id, 'term_ending', 'vehicle', v.id::text, NULL
      FROM vehicle v JOIN rooftop_days rd ON rd.id = v.rooftop_id
     WHERE v.owner_id IS NOT NULL AND v.purchase_type IN ('lease', 'finance') AND v.status = 'active'
       AND v.term_end_date::timestamp AT TIME ZONE rd.tz >= $2
       AND v.term_end_date::timestamp AT TIME ZONE rd.tz < rd.plus_90_days
  ), weighted AS (
    SELECT r.customer_id, r.code,
           CASE r.code
             WHEN 'overdue_maintenance' THEN least(${OVERDUE_CAP}, ${W.overdue_maintenance} * count(*))
             WHEN 'detractor' THEN ${W.detractor}
             WHEN 'open_complaint' THEN ${W.open_complaint}
             WHEN 'no_visit_12_months' THEN ${W.no_visit_12_months}
             WHEN 'warranty_ended' THEN ${W.warranty_ended}
             WHEN 'term_ending' THEN ${W.term_ending}
           END AS points,
           jsonb_agg(jsonb_strip_nulls(jsonb_build_object('type', r.ref_type, 'id', r.ref_id, 'itemCode', r.item_code))
                     ORDER BY r.ref_id, r.item_code) AS refs
      FROM reasons r
     GROUP BY r.customer_id, r.code
  ), scored AS (
    SELECT w.customer_id, least(100, sum(w.points))::int AS score,
           jsonb_agg(jsonb_build_object('code', w.code, 'points', w.points, 'refs', w.refs) ORDER BY w.points DESC, w.code) AS reasons
      FROM weighted w
     GROUP BY w.customer_id
  )
  SELECT s.customer_id, c.home_rooftop_id AS rooftop_id, s.score, s.reasons
    FROM scored s
    JOIN customer c ON c.id = s.customer_id AND c.home_rooftop_id = ANY ($1::uuid[]) AND c.erased_at IS NULL`;

/**
 * Replaces the stored at-risk list with AT_RISK_SCORES_SQL's (same parameters), writing only the rows that
 * changed; then records as of when. Readers see the previous list until this commits.
 */
export const REFRESH_AT_RISK_SQL = `
  WITH fresh AS MATERIALIZED (${AT_RISK_SCORES_SQL}),
  upserted AS (
    INSERT INTO customer_risk (customer_id, rooftop_id, score, reasons)
    SELECT customer_id, rooftop_id, score, reasons FROM fresh
    ON CONFLICT (customer_id) DO UPDATE
       SET rooftop_id = excluded.rooftop_id, score = excluded.score, reasons = excluded.reasons
     WHERE (customer_risk.rooftop_id, customer_risk.score, customer_risk.reasons)
           IS DISTINCT FROM (excluded.rooftop_id, excluded.score, excluded.reasons)
    RETURNING 1
  ),
  removed AS (
    DELETE FROM customer_risk r WHERE NOT EXISTS (SELECT 1 FROM fresh f WHERE f.customer_id = r.customer_id)
    RETURNING 1
  ),
  run AS (
    INSERT INTO customer_risk_run (id, as_of, finished_at) VALUES (1, $2, clock_timestamp())
    ON CONFLICT (id) DO UPDATE SET as_of = excluded.as_of, finished_at = excluded.finished_at
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM fresh)::int AS at_risk, (SELECT count(*) FROM upserted)::int AS changed,
         (SELECT count(*) FROM removed)::int AS removed, (SELECT count(*) FROM run)::int AS runs`;

/**
 * A page of the stored at-risk list for the $1 rooftops, highest score first, keyset-paginated on (score, id)
 * descending ($3/$4 = the cursor or NULL); $2 = limit + 1. The customer's current rooftop and erasure are
 * checked again, so a customer moved or erased since the last run never shows in the wrong place.
 */
/** Highest score first: customer_risk_page_idx / customer_risk_rooftop_page_idx (score DESC, customer_id DESC). */
export const AT_RISK_KEYS = new Keyset(
  [
    { sql: 'r.score', type: 'int' },
    { sql: 'r.customer_id', type: 'uuid' },
  ],
  'DESC',
);

export const AT_RISK_PAGE_SQL = `
  SELECT r.customer_id, r.score, r.reasons, c.first_name, c.last_name, c.home_rooftop_id, ${AT_RISK_KEYS.select}
    FROM customer_risk r
    JOIN customer c ON c.id = r.customer_id AND c.home_rooftop_id = ANY ($1::uuid[]) AND c.erased_at IS NULL
   WHERE r.rooftop_id = ANY ($1::uuid[])
     AND ($3::int IS NULL OR (r.score, r.customer_id) < ($3::int, $4::uuid))
   ORDER BY ${AT_RISK_KEYS.orderBy}
   LIMIT $2`;
