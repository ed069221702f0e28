import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { DistanceUnit } from '../config/app-config';
import { LinkSigner } from '../common/link-signer';
import type { Purpose } from '../messaging/outbox.service';
import type { TaskType } from '../tasks/task.entity';
import { taskTitlesSql, titleInSql } from '../tasks/task-titles';
import type { FollowUpSettings } from './follow-up-settings';

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

export type PlanCounts = Record<string, number>;

const DEFAULT_RATE: Record<DistanceUnit, number> = { km: 40, mi: 25 };

/**
 * Candidate queries select, per occurrence: customer_id, vehicle_id, moment (timestamptz), email_key,
 * payload (jsonb) and, for cadences that raise a task, task_key, assignee_id, title (jsonb: one per language,
 * see taskTitlesSql; the task gets its assignee's).
 * Parameters shared by every query: $1 rooftop, $2 time zone, $3 sendAt 'HH:MM', $4 from, $5 asOf.
 */
const LOCAL_AS_OF = `($5::timestamptz AT TIME ZONE $2)::date`;
const LOCAL_FROM = `($4::timestamptz AT TIME ZONE $2)::date`;
/** A local calendar date at the rooftop's send time, as an instant. */
const at = (dateSql: string) => `((${dateSql}) + $3::time) AT TIME ZONE $2`;
/** The same month/day in another year; 29 February becomes the 28th in common years. */
const sameDayIn = (yearSql: string, dateSql: string) =>
  `make_date(${yearSql}, extract(month FROM ${dateSql})::int,
     LEAST(extract(day FROM ${dateSql})::int,
           extract(day FROM (make_date(${yearSql}, extract(month FROM ${dateSql})::int, 1) + interval '1 month - 1 day'))::int))`;
const VEHICLE_JSON = `jsonb_build_object('id', v.id, 'make', v.make, 'model', v.model, 'year', v.year)`;
/** Salesperson of the sale, else the customer's salesperson, else the rooftop's manager ($6). */
const SALES_ASSIGNEE = `COALESCE(
  (SELECT u.id FROM app_user u WHERE u.id = v.sold_by_id AND u.active),
  (SELECT u.id FROM app_user u WHERE u.id = c.assigned_salesperson_id AND u.active),
  $6::uuid)`;
/** Names every shared parameter once with its type, so a query that does not use one still plans. */
const TYPED_PARAMS = `SELECT $1::uuid, $2::text, $3::text, $4::timestamptz, $5::timestamptz, $6::uuid`;
const IN_WINDOW = `moment > $4::timestamptz AND moment <= $5::timestamptz`;

/** SPEC "Feedback": a survey can be answered for 30 days after it is sent. */
const SURVEY_VALID_DAYS = 30;
/** A declined-work email more than this many days past its moment is stale: the next visit or reminder covers it. */
const DECLINED_GRACE_DAYS = 14;
/**
 * Visit cadences are timed from the visit's own date, but a visit can be logged (closed) after that moment — an
 * import, a late entry. Their candidates also give known_at (when the visit was closed) and stale_at (when the
 * occurrence is no longer worth sending). An occurrence fires in the run whose window holds the later of its moment
 * and known_at, as long as it is not stale yet; one that became known already stale is counted, never planned.
 */
const VISIT_DUE = `GREATEST(moment, known_at) > $4::timestamptz AND moment <= $5::timestamptz AND known_at <= $5::timestamptz`;
const VISIT_IN_WINDOW = `${VISIT_DUE} AND stale_at > $5::timestamptz`;
const VISIT_TOO_OLD = `${VISIT_DUE} AND stale_at <= $5::timestamptz`;
/**
 * Visits whose moment (`offset` days after the local visit date) or closing can be in the window: a cheap superset
 * of VISIT_DUE on the visit's columns (a local date at any send time lies within a day of the instant).
 */
const visitMayBeDue = (offset: number) =>
  `(sv.visit_date > $4::timestamptz - interval '${offset + 2} days' OR sv.closed_at > $4::timestamptz)`;

/**
 * The follow-up cadences of SPEC "Follow-ups" as set-based SQL, one statement per trigger and rooftop.
 * Every effect is an INSERT … ON CONFLICT (dedupe_key) DO NOTHING, so re-runs and concurrent instances
 * add nothing: each (trigger × offset × subject) fires once, ever. Emails are scheduled at their moment;
 * the dispatcher applies consent, quiet hours and the frequency cap.
 */
@Injectable()
export class FollowUpsPlanner {
  constructor(private readonly links: LinkSigner) {}

  async planRooftop(m: EntityManager, w: PlanWindow): Promise<PlanCounts> {
    const s = w.settings;
    const counts: PlanCounts = {};
    const add = (name: string, n: { emails?: number; tasks?: number; surveys?: number; tooOld?: number }) => {
      for (const [k, v] of Object.entries(n))
        counts[`${name}.${k}`] = (counts[`${name}.${k}`] ?? 0) + (v ?? 0);
    };
    if (s.saleThankYou.enabled)
      add(
        'saleThankYou',
        await this.emailsAndTasks(m, w, this.saleOffset(s.saleThankYou.offsetDays), {
          kind: 'sale_thank_you',
          purpose: 'follow_ups',
        }),
      );
    if (s.saleCallTask.enabled)
      add(
        'saleCallTask',
        await this.emailsAndTasks(
          m,
          w,
          this.saleOffset(s.saleCallTask.offsetDays, 'call_after_sale'),
          undefined,
          'call_after_sale',
        ),
      );
    if (s.saleCheckIn.enabled)
      add(
        'saleCheckIn',
        await this.emailsAndTasks(m, w, this.saleOffset(s.saleCheckIn.offsetDays), {
          kind: 'sale_check_in',
          purpose: 'follow_ups',
        }),
      );
    if (s.saleSurvey.enabled)
      add('saleSurvey', {
        surveys: await this.surveys(m, w, this.saleSurveyCandidates(s.saleSurvey.offsetDays)),
      });
    if (s.serviceSurvey.enabled) {
      const candidates = this.serviceSurveyCandidates(s.serviceSurvey.offsetDays);
      add('serviceSurvey', {
        surveys: await this.surveys(m, w, candidates, VISIT_IN_WINDOW),
        tooOld: await this.tooOld(m, w, candidates, 'survey'),
      });
    }
    if (s.purchaseAnniversary.enabled)
      add(
        'purchaseAnniversary',
        await this.emailsAndTasks(m, w, this.anniversary(), {
          kind: 'purchase_anniversary',
          purpose: 'marketing',
        }),
      );
    if (s.declinedService.enabled) {
      const candidates = this.declined(s.declinedService.offsetDays);
      add('declinedService', {
        ...(await this.emailsAndTasks(
          m,
          w,
          candidates,
          { kind: 'declined_service', purpose: 'service_reminders' },
          undefined,
          VISIT_IN_WINDOW,
        )),
        tooOld: await this.tooOld(m, w, candidates, 'outbox_message'),
      });
    }
    if (s.termEnd.enabled)
      add(
        'termEnd',
        await this.emailsAndTasks(
          m,
          w,
          this.termEnd(s.termEnd.daysBefore),
          { kind: 'term_end', purpose: 'marketing' },
          'lease_end',
        ),
      );
    if (s.warrantyExpiring.enabled)
      add(
        'warrantyExpiring',
        await this.emailsAndTasks(m, w, this.warranty(w), {
          kind: 'warranty_expiring',
          purpose: 'service_reminders',
        }),
      );
    if (s.birthday.enabled)
      add(
        'birthday',
        await this.emailsAndTasks(m, w, this.birthday(), { kind: 'birthday', purpose: 'marketing' }),
      );
    if (s.winBack.enabled)
      add(
        'winBack',
        await this.emailsAndTasks(
          m,
          w,
          this.winBack(s.winBack.afterMonths),
          { kind: 'win_back', purpose: 'marketing' },
          'win_back',
        ),
      );
    return counts;
  }

  /**
   * Inserts the emails and/or tasks of one candidate query in ONE statement, so that both see the same
   * snapshot (the win-back "once a year" guard looks at earlier outbox rows, not at the ones it adds).
   */
  private async emailsAndTasks(
    m: EntityManager,
    w: PlanWindow,
    candidates: string,
    email?: { kind: string; purpose: Purpose },
    taskType?: TaskType,
    window = IN_WINDOW,
  ): Promise<{ emails: number; tasks: number }> {
    const params: unknown[] = [
      w.rooftopId,
      w.timeZone,
      w.settings.sendAt,
      w.from,
      w.asOf,
      w.fallbackAssigneeId,
      email?.kind ?? null,
      email?.purpose ?? null,
      taskType ?? null,
    ];
    const emailInsert = email
      ? `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, vehicle_id, kind, purpose, payload, scheduled_at, next_attempt_at)
         SELECT email_key, $1, customer_id, vehicle_id, $7, $8, payload, moment, moment FROM c
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING 1`
      : `SELECT 1 WHERE false`;
    const taskInsert = taskType
      ? `INSERT INTO task (rooftop_id, customer_id, vehicle_id, type, title, assignee_id, due_at, status, dedupe_key)
         SELECT $1, c.customer_id, c.vehicle_id, $9, ${titleInSql('c.title', 'u.language')}, c.assignee_id, c.moment, 'open', c.task_key
           FROM c JOIN app_user u ON u.id = c.assignee_id
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING 1`
      : `SELECT 1 WHERE false`;
    const rows: { emails: number; tasks: number }[] = await m.query(
      `WITH c AS (SELECT * FROM (${candidates}) q WHERE ${window}),
            e AS (${emailInsert}),
            t AS (${taskInsert})
       SELECT (SELECT count(*) FROM e)::int AS emails, (SELECT count(*) FROM t)::int AS tasks
         FROM (${TYPED_PARAMS}, $7::text, $8::text, $9::text) AS typed_params`,
      params,
    );
    return rows[0];
  }

  /** Survey invitations: the survey row first (its id goes into the signed link), then its email. */
  private async surveys(
    m: EntityManager,
    w: PlanWindow,
    candidates: string,
    window = IN_WINDOW,
  ): Promise<number> {
    const created: {
      id: string;
      customer_id: string;
      vehicle_id: string | null;
      issued_at: Date;
      expires_at: Date;
      dedupe_key: string;
      kind: string;
      vehicle: unknown;
    }[] = await m.query(
      `WITH c AS (SELECT * FROM (${candidates}) q WHERE ${window}),
              s AS (
                INSERT INTO survey (kind, rooftop_id, customer_id, vehicle_id, service_visit_id, salesperson_id, advisor_id, dedupe_key, language, issued_at, expires_at)
                SELECT survey_kind, $1, customer_id, vehicle_id, service_visit_id, salesperson_id, advisor_id, email_key, language, moment, moment + interval '${SURVEY_VALID_DAYS} days' FROM c
                ON CONFLICT (dedupe_key) DO NOTHING
                RETURNING id, customer_id, vehicle_id, issued_at, expires_at, dedupe_key, kind)
         SELECT s.*, c.payload AS vehicle FROM s JOIN c ON c.email_key = s.dedupe_key
           CROSS JOIN (${TYPED_PARAMS}) AS typed_params`,
      [w.rooftopId, w.timeZone, w.settings.sendAt, w.from, w.asOf, w.fallbackAssigneeId],
    );
    for (const survey of created) {
      const token = this.links.sign('survey', { s: survey.id, c: survey.customer_id });
      const payload = {
        surveyId: survey.id,
        surveyKind: survey.kind,
        isService: survey.kind === 'service',
        surveyUrl: this.links.url(`/api/v1/surveys/${token}`),
        expiresAt: new Date(survey.expires_at).toISOString(),
        vehicle: survey.vehicle,
      };
      await m.query(
        `INSERT INTO outbox_message (dedupe_key, rooftop_id, customer_id, vehicle_id, kind, purpose, payload, scheduled_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, 'survey_invitation', 'surveys', $5, $6, $6) ON CONFLICT (dedupe_key) DO NOTHING`,
        [
          survey.dedupe_key,
          w.rooftopId,
          survey.customer_id,
          survey.vehicle_id,
          JSON.stringify(payload),
          survey.issued_at,
        ],
      );
    }
    return created.length;
  }

  /**
   * Visit occurrences that became known in this run's window already stale (VISIT_TOO_OLD) and were never planned:
   * reported in the job's result, so that an operator sees why a back-dated visit got no survey or email.
   */
  private async tooOld(
    m: EntityManager,
    w: PlanWindow,
    candidates: string,
    plannedIn: 'survey' | 'outbox_message',
  ): Promise<number> {
    const rows: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM (${candidates}) q CROSS JOIN (${TYPED_PARAMS}) AS typed_params
        WHERE ${VISIT_TOO_OLD} AND NOT EXISTS (SELECT 1 FROM ${plannedIn} p WHERE p.dedupe_key = q.email_key)`,
      [w.rooftopId, w.timeZone, w.settings.sendAt, w.from, w.asOf, w.fallbackAssigneeId],
    );
    return rows[0].n;
  }

  /** Vehicles sold by this rooftop, `offset` days after the purchase date. */
  private saleOffset(offset: number, taskType?: TaskType): string {
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

  private saleSurveyCandidates(offset: number): string {
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
  private serviceSurveyCandidates(offset: number): string {
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
  private declined(offset: number): string {
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

  /** Yearly on the purchase date (1st, 2nd, … anniversary) for the current owner of an active vehicle. */
  private anniversary(): string {
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
  private termEnd(daysBefore: number[]): string {
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
  private warranty(w: PlanWindow): string {
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
  private birthday(): string {
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
  private winBack(afterMonths: number): string {
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
}
