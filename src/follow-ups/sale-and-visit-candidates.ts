import type { TaskType } from '../tasks/task.entity';
import { taskTitlesSql } from '../tasks/task-titles';
import { SURVEY_VALID_DAYS } from '../feedback/survey-invitations.service';
import {
  at,
  DECLINED_GRACE_DAYS,
  LOCAL_AS_OF,
  LOCAL_FROM,
  SALES_ASSIGNEE,
  VEHICLE_JSON,
  visitMayBeDue,
} from './follow-up-sql';

/** Candidate queries of the cadences that follow a sale or a service visit (see follow-up-sql.ts for the columns). */

/** Vehicles sold by this rooftop, `offset` days after the purchase date. */
export function saleOffset(offset: number, taskType?: TaskType): string {
  const o = Number(offset);
  return `
    SELECT v.owner_id AS customer_id, v.id AS vehicle_id, ${at(`v.purchase_date + ${o}`)} AS moment,
           'fu:sale:' || v.id || ':' || v.owner_id || ':+${o}d' AS email_key,
           jsonb_build_object('vehicle', ${VEHICLE_JSON}, 'purchaseDate', to_char(v.purchase_date, 'YYYY-MM-DD')) AS payload,
           'task:${taskType ?? 'sale'}:' || v.id || ':' || v.owner_id || ':+${o}d' AS task_key,
           ${SALES_ASSIGNEE} AS assignee_id,
           ${taskTitlesSql('call_after_sale', { vehicle: `concat_ws(' ', v.year, v.make, v.model)` })} AS title
      FROM vehicle v JOIN customer c ON c.id = v.owner_id
     WHERE COALESCE(v.selling_rooftop_id, v.rooftop_id) = $1 AND c.erased_at IS NULL
       AND v.purchase_date BETWEEN ${LOCAL_FROM} - ${o} AND ${LOCAL_AS_OF} - ${o}`;
}

export function saleSurveyCandidates(offset: number): string {
  const o = Number(offset);
  return `
    SELECT v.owner_id AS customer_id, v.id AS vehicle_id, ${at(`v.purchase_date + ${o}`)} AS moment,
           'fu:sale:' || v.id || ':' || v.owner_id || ':+${o}d:survey' AS email_key,
           ${VEHICLE_JSON} AS payload, 'sale' AS survey_kind, NULL::uuid AS service_visit_id,
           v.sold_by_id AS salesperson_id, NULL::uuid AS advisor_id, c.language
      FROM vehicle v JOIN customer c ON c.id = v.owner_id
     WHERE COALESCE(v.selling_rooftop_id, v.rooftop_id) = $1 AND c.erased_at IS NULL
       AND v.purchase_date BETWEEN ${LOCAL_FROM} - ${o} AND ${LOCAL_AS_OF} - ${o}`;
}

/**
 * Closed (not voided) visits, `offset` days after the visit's own local date; a survey that could no longer be
 * answered (moment + SURVEY_VALID_DAYS passed) is stale.
 */
export function serviceSurveyCandidates(offset: number): string {
  const o = Number(offset);
  return `
    SELECT *, moment + interval '${SURVEY_VALID_DAYS} days' AS stale_at FROM (
    SELECT sv.customer_id, sv.vehicle_id, ${at(`(sv.visit_date AT TIME ZONE $2)::date + ${o}`)} AS moment,
           sv.closed_at AS known_at,
           'fu:service:' || sv.id || ':+${o}d:survey' AS email_key,
           ${VEHICLE_JSON} AS payload, 'service' AS survey_kind, sv.id AS service_visit_id,
           NULL::uuid AS salesperson_id, sv.advisor_id, c.language
      FROM service_visit sv JOIN customer c ON c.id = sv.customer_id JOIN vehicle v ON v.id = sv.vehicle_id
     WHERE sv.rooftop_id = $1 AND sv.status = 'closed' AND c.erased_at IS NULL
       AND ${visitMayBeDue(o)}) visit`;
}

/**
 * Declined lines of closed visits, listed in one email per visit, `offset` days after the visit's own local date;
 * items serviced since the visit's date are left out. Stale DECLINED_GRACE_DAYS after its moment.
 */
export function declined(offset: number): string {
  const o = Number(offset);
  return `
    SELECT *, moment + interval '${DECLINED_GRACE_DAYS} days' AS stale_at FROM (
    SELECT sv.customer_id, sv.vehicle_id, ${at(`(sv.visit_date AT TIME ZONE $2)::date + ${o}`)} AS moment,
           sv.closed_at AS known_at,
           'fu:declined:' || sv.id || ':+${o}d' AS email_key,
           jsonb_build_object('vehicle', ${VEHICLE_JSON}, 'visitId', sv.id, 'roNumber', sv.ro_number,
             'visitDate', sv.visit_date, 'currency', r.currency, 'items', d.items) AS payload,
           NULL::text AS task_key, NULL::uuid AS assignee_id, NULL::text AS title
      FROM service_visit sv
      JOIN customer c ON c.id = sv.customer_id
      JOIN vehicle v ON v.id = sv.vehicle_id
      JOIN rooftop r ON r.id = sv.rooftop_id
      CROSS JOIN LATERAL (
        SELECT jsonb_agg(jsonb_build_object('itemCode', l.item_code, 'description', l.description,
                 'estimate', l.estimate_amount) ORDER BY l.description) AS items
          FROM service_visit_line l
         WHERE l.service_visit_id = sv.id AND l.kind = 'declined'
           AND NOT (l.item_code IS NOT NULL AND EXISTS (
             SELECT 1 FROM maintenance_performed mp
              WHERE mp.vehicle_id = sv.vehicle_id AND mp.item_code = l.item_code AND mp.performed_at > sv.visit_date))
      ) d
     WHERE sv.rooftop_id = $1 AND sv.status = 'closed' AND c.erased_at IS NULL AND d.items IS NOT NULL
       AND v.owner_id = sv.customer_id
       AND ${visitMayBeDue(o)}) visit`;
}
