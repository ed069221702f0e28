import { Injectable, OnModuleInit } from '@nestjs/common';
import { Customer360Service, isoSql } from '../customers/customer-360.service';

/** The newest 20 of each list, as the feedback, task and complaint endpoints show them. */
const LIST = 20;

const list = (json: string, from: string, orderBy: string) => `(
  SELECT coalesce(json_agg(x.j ORDER BY x.n), '[]'::json)
    FROM (SELECT ${json} AS j, row_number() OVER (ORDER BY ${orderBy}) AS n ${from} ORDER BY ${orderBy} LIMIT ${LIST}) x)`;

/** toFeedbackItem (feedback.service.ts) in SQL; the NPS category as npsCategory. */
const SURVEYS_SQL = list(
  `json_build_object('id', s.id, 'kind', s.kind, 'rooftopId', s.rooftop_id, 'customerId', s.customer_id,
     'vehicleId', s.vehicle_id, 'serviceVisitId', s.service_visit_id, 'salespersonId', s.salesperson_id,
     'advisorId', s.advisor_id, 'nps', s.nps, 'csat', s.csat,
     'category', CASE WHEN s.nps IS NULL THEN NULL WHEN s.nps >= 9 THEN 'promoter' WHEN s.nps >= 7 THEN 'passive' ELSE 'detractor' END,
     'comment', s.comment, 'issuedAt', ${isoSql('s.issued_at')}, 'answeredAt', ${isoSql('s.answered_at')},
     'expiresAt', ${isoSql('s.expires_at')}, 'language', s.language)`,
  'FROM survey s WHERE s.customer_id = c.id',
  's.issued_at DESC, s.id DESC',
);

/** toTaskDto (tasks.service.ts) in SQL. */
const TASKS_SQL = list(
  `json_build_object('id', t.id, 'rooftopId', t.rooftop_id, 'customerId', t.customer_id, 'vehicleId', t.vehicle_id,
     'complaintId', t.complaint_id, 'type', t.type, 'title', t.title, 'assigneeId', t.assignee_id,
     'dueAt', ${isoSql('t.due_at')}, 'status', t.status, 'outcome', t.outcome, 'snoozedUntil', ${isoSql('t.snoozed_until')},
     'createdAt', ${isoSql('t.created_at')}, 'completedAt', ${isoSql('t.completed_at')}, 'version', t.version)`,
  'FROM task t WHERE t.customer_id = c.id',
  't.created_at DESC, t.id DESC',
);

/** toComplaintDto (complaints.service.ts, without notes) in SQL. */
const COMPLAINTS_SQL = list(
  `json_build_object('id', k.id, 'rooftopId', k.rooftop_id, 'customerId', k.customer_id, 'surveyId', k.survey_id,
     'source', k.source, 'severity', k.severity, 'summary', k.summary, 'ownerId', k.owner_id, 'state', k.state,
     'openedAt', ${isoSql('k.opened_at')}, 'firstResponseDueAt', ${isoSql('k.first_response_due_at')},
     'resolutionDueAt', ${isoSql('k.resolution_due_at')}, 'acknowledgedAt', ${isoSql('k.acknowledged_at')},
     'resolvedAt', ${isoSql('k.resolved_at')}, 'closedAt', ${isoSql('k.closed_at')}, 'resolution', k.resolution,
     'apologySent', k.apology_sent, 'goodwillPoints', k.goodwill_points,
     'breachedFirstResponse', k.breached_first_response, 'breachedResolution', k.breached_resolution,
     'version', k.version)`,
  'FROM complaint_case k WHERE k.customer_id = c.id',
  'k.opened_at DESC, k.id DESC',
);

/**
 * Adds surveys, tasks and complaints to the customer 360 (and so to the timeline a salesperson reads): SQL
 * sections of the view's one statement, each item as its own endpoint shows it.
 */
@Injectable()
export class Feedback360Section implements OnModuleInit {
  constructor(private readonly c360: Customer360Service) {}

  onModuleInit() {
    this.c360.registerSection('surveys', { sql: SURVEYS_SQL });
    this.c360.registerSection('tasks', { sql: TASKS_SQL });
    this.c360.registerSection('complaints', { sql: COMPLAINTS_SQL });
  }
}
