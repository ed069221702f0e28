import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SurveyInvitationsService } from '../feedback/survey-invitations.service';
import { OutboxService, Purpose } from '../messaging/outbox.service';
import type { TaskType } from '../tasks/task.entity';
import { TasksService } from '../tasks/tasks.service';
import {
  IN_WINDOW,
  PlanWindow,
  TYPED_PARAMS,
  VISIT_IN_WINDOW,
  VISIT_TOO_OLD,
  windowParams,
} from './follow-up-sql';
import { anniversary, birthday, termEnd, warranty, winBack } from './lifecycle-candidates';
import {
  declined,
  saleOffset,
  saleSurveyCandidates,
  serviceSurveyCandidates,
} from './sale-and-visit-candidates';

export type { PlanWindow } from './follow-up-sql';
export type PlanCounts = Record<string, number>;
type AddCounts = (
  name: string,
  n: { emails?: number; tasks?: number; surveys?: number; tooOld?: number },
) => void;

/**
 * The follow-up cadences of SPEC "Follow-ups", one set-based candidate query per trigger and rooftop
 * (sale-and-visit-candidates.ts, lifecycle-candidates.ts). The planner reads other modules' tables but writes
 * none: each candidate set goes to its owner in one INSERT … SELECT that the owner runs (OutboxService,
 * TasksService, SurveyInvitationsService), keyed ON CONFLICT (dedupe_key) DO NOTHING, so re-runs and
 * concurrent instances add nothing: each (trigger × offset × subject) fires once, ever. Emails are scheduled
 * at their moment; the dispatcher applies consent, quiet hours and the frequency cap.
 */
@Injectable()
export class FollowUpsPlanner {
  constructor(
    private readonly outbox: OutboxService,
    private readonly tasks: TasksService,
    private readonly surveyInvitations: SurveyInvitationsService,
  ) {}

  async planRooftop(m: EntityManager, w: PlanWindow): Promise<PlanCounts> {
    const counts: PlanCounts = {};
    const add: AddCounts = (name, n) => {
      for (const [k, v] of Object.entries(n))
        counts[`${name}.${k}`] = (counts[`${name}.${k}`] ?? 0) + (v ?? 0);
    };
    await this.saleAndVisitCadences(m, w, add);
    await this.lifecycleCadences(m, w, add);
    return counts;
  }

  /** After a sale (emails, the call task, the survey) and after a service visit (survey, declined work). */
  private async saleAndVisitCadences(m: EntityManager, w: PlanWindow, add: AddCounts): Promise<void> {
    const s = w.settings;
    if (s.saleThankYou.enabled)
      add(
        'saleThankYou',
        await this.emailsAndTasks(m, w, saleOffset(s.saleThankYou.offsetDays), {
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
          saleOffset(s.saleCallTask.offsetDays, 'call_after_sale'),
          undefined,
          'call_after_sale',
        ),
      );
    if (s.saleCheckIn.enabled)
      add(
        'saleCheckIn',
        await this.emailsAndTasks(m, w, saleOffset(s.saleCheckIn.offsetDays), {
          kind: 'sale_check_in',
          purpose: 'follow_ups',
        }),
      );
    if (s.saleSurvey.enabled)
      add('saleSurvey', {
        surveys: await this.surveys(m, w, saleSurveyCandidates(s.saleSurvey.offsetDays)),
      });
    if (s.serviceSurvey.enabled) {
      const candidates = serviceSurveyCandidates(s.serviceSurvey.offsetDays);
      add('serviceSurvey', {
        surveys: await this.surveys(m, w, candidates, VISIT_IN_WINDOW),
        tooOld: await this.tooOld(m, w, candidates, 'survey'),
      });
    }
    if (s.declinedService.enabled) {
      const candidates = declined(s.declinedService.offsetDays);
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
  }

  /** Along the customer's and the vehicle's life: anniversary, end of term, warranty, birthday, win-back. */
  private async lifecycleCadences(m: EntityManager, w: PlanWindow, add: AddCounts): Promise<void> {
    const s = w.settings;
    if (s.purchaseAnniversary.enabled)
      add(
        'purchaseAnniversary',
        await this.emailsAndTasks(m, w, anniversary(), {
          kind: 'purchase_anniversary',
          purpose: 'marketing',
        }),
      );
    if (s.termEnd.enabled)
      add(
        'termEnd',
        await this.emailsAndTasks(
          m,
          w,
          termEnd(s.termEnd.daysBefore),
          { kind: 'term_end', purpose: 'marketing' },
          'lease_end',
        ),
      );
    if (s.warrantyExpiring.enabled)
      add(
        'warrantyExpiring',
        await this.emailsAndTasks(m, w, warranty(w), {
          kind: 'warranty_expiring',
          purpose: 'service_reminders',
        }),
      );
    if (s.birthday.enabled)
      add(
        'birthday',
        await this.emailsAndTasks(m, w, birthday(), { kind: 'birthday', purpose: 'marketing' }),
      );
    if (s.winBack.enabled)
      add(
        'winBack',
        await this.emailsAndTasks(
          m,
          w,
          winBack(s.winBack.afterMonths),
          { kind: 'win_back', purpose: 'marketing' },
          'win_back',
        ),
      );
  }

  /**
   * The emails and/or tasks of one candidate query. Tasks go first: no candidate query reads tasks, while the
   * win-back "once a year" guard reads earlier outbox rows — so both statements see the same candidates, the
   * ones the emails add not among them (the rooftop's run is one transaction; the job is exclusive).
   */
  private async emailsAndTasks(
    m: EntityManager,
    w: PlanWindow,
    candidates: string,
    email?: { kind: string; purpose: Purpose },
    taskType?: TaskType,
    window = IN_WINDOW,
  ): Promise<{ emails: number; tasks: number }> {
    const from = `FROM (${candidates}) q CROSS JOIN (${TYPED_PARAMS}) AS typed_params WHERE ${window}`;
    const tasks = taskType
      ? await this.tasks.raiseFromQuery(m, {
          sql: `SELECT $1::uuid AS rooftop_id, q.customer_id, q.vehicle_id, NULL::uuid AS complaint_id, $7::text AS type,
                       q.title AS titles, q.assignee_id, q.moment AS due_at, q.task_key AS dedupe_key ${from}`,
          params: [...windowParams(w), taskType],
        })
      : 0;
    const emails = email
      ? await this.outbox.enqueueFromQuery(m, {
          sql: `SELECT q.email_key AS dedupe_key, $1::uuid AS rooftop_id, q.customer_id, q.vehicle_id, $7::text AS kind,
                       $8::text AS purpose, q.payload, q.moment AS scheduled_at ${from}`,
          params: [...windowParams(w), email.kind, email.purpose],
        })
      : 0;
    return { emails, tasks };
  }

  /** Survey invitations: the surveys module adds each survey and its email. */
  private surveys(m: EntityManager, w: PlanWindow, candidates: string, window = IN_WINDOW): Promise<number> {
    return this.surveyInvitations.inviteFromQuery(m, {
      sql: `SELECT q.survey_kind, $1::uuid AS rooftop_id, q.customer_id, q.vehicle_id, q.service_visit_id,
                   q.salesperson_id, q.advisor_id, q.email_key AS dedupe_key, q.language, q.moment AS issued_at,
                   q.payload AS vehicle
              FROM (${candidates}) q CROSS JOIN (${TYPED_PARAMS}) AS typed_params WHERE ${window}`,
      params: windowParams(w),
    });
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
      windowParams(w),
    );
    return rows[0].n;
  }
}
