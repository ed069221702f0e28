import type { DistanceUnit } from '../config/app-config';
import type { FollowUpSettings } from './follow-up-settings';

/**
 * The SQL the follow-up cadences share: the planning window, its parameters and the fragments the candidate
 * queries (sale-and-visit-candidates.ts, lifecycle-candidates.ts) are written with.
 */

/** One rooftop's planning run: the window is (from, asOf]; date-based moments fall at `sendAt` local time. */
export interface PlanWindow {
  rooftopId: string;
  timeZone: string;
  from: Date;
  asOf: Date;
  settings: FollowUpSettings;
  unit: DistanceUnit;
  /** The manager who gets cadence tasks of customers without a salesperson (null: no task can be raised). */
  fallbackAssigneeId: string | null;
}

export const DEFAULT_RATE: Record<DistanceUnit, number> = { km: 40, mi: 25 };

/** The shared parameters, in the order the fragments below number them. */
export const windowParams = (w: PlanWindow): unknown[] => [
  w.rooftopId,
  w.timeZone,
  w.settings.sendAt,
  w.from,
  w.asOf,
  w.fallbackAssigneeId,
];

/**
 * Candidate queries select, per occurrence: customer_id, vehicle_id, moment (timestamptz), email_key,
 * payload (jsonb) and, for cadences that raise a task, task_key, assignee_id, title (jsonb: one per language,
 * see taskTitlesSql; the task gets its assignee's).
 * Parameters shared by every query: $1 rooftop, $2 time zone, $3 sendAt 'HH:MM', $4 from, $5 asOf.
 */
export const LOCAL_AS_OF = `($5::timestamptz AT TIME ZONE $2)::date`;
export const LOCAL_FROM = `($4::timestamptz AT TIME ZONE $2)::date`;
/** A local calendar date at the rooftop's send time, as an instant. */
export const at = (dateSql: string) => `((${dateSql}) + $3::time) AT TIME ZONE $2`;
/** The same month/day in another year; 29 February becomes the 28th in common years. */
export const sameDayIn = (yearSql: string, dateSql: string) =>
  `make_date(${yearSql}, extract(month FROM ${dateSql})::int,
     LEAST(extract(day FROM ${dateSql})::int,
           extract(day FROM (make_date(${yearSql}, extract(month FROM ${dateSql})::int, 1) + interval '1 month - 1 day'))::int))`;
export const VEHICLE_JSON = `jsonb_build_object('id', v.id, 'make', v.make, 'model', v.model, 'year', v.year)`;
/** Salesperson of the sale, else the customer's salesperson, else the rooftop's manager ($6). */
export const SALES_ASSIGNEE = `COALESCE(
  (SELECT u.id FROM app_user u WHERE u.id = v.sold_by_id AND u.active),
  (SELECT u.id FROM app_user u WHERE u.id = c.assigned_salesperson_id AND u.active),
  $6::uuid)`;
/** Names every shared parameter once with its type, so a query that does not use one still plans. */
export const TYPED_PARAMS = `SELECT $1::uuid, $2::text, $3::text, $4::timestamptz, $5::timestamptz, $6::uuid`;
export const IN_WINDOW = `moment > $4::timestamptz AND moment <= $5::timestamptz`;

/** A declined-work email more than this many days past its moment is stale: the next visit or reminder covers it. */
export const DECLINED_GRACE_DAYS = 14;
/**
 * Visit cadences are timed from the visit's own date, but a visit can be logged (closed) after that moment — an
 * import, a late entry. Their candidates also give known_at (when the visit was closed) and stale_at (when the
 * occurrence is no longer worth sending). An occurrence fires in the run whose window holds the later of its moment
 * and known_at, as long as it is not stale yet; one that became known already stale is counted, never planned.
 */
export const VISIT_DUE = `GREATEST(moment, known_at) > $4::timestamptz AND moment <= $5::timestamptz AND known_at <= $5::timestamptz`;
export const VISIT_IN_WINDOW = `${VISIT_DUE} AND stale_at > $5::timestamptz`;
export const VISIT_TOO_OLD = `${VISIT_DUE} AND stale_at <= $5::timestamptz`;
/**
 * Visits whose moment (`offset` days after the local visit date) or closing can be in the window: a cheap superset
 * of VISIT_DUE on the visit's columns (a local date at any send time lies within a day of the instant).
 */
export const visitMayBeDue = (offset: number) =>
  `(sv.visit_date > $4::timestamptz - interval '${offset + 2} days' OR sv.closed_at > $4::timestamptz)`;
