import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Job, JobResult } from '../jobs/job';
import { JobsService } from '../jobs/jobs.service';
import { taskTitlesSql } from '../tasks/task-titles';
import { TasksService } from '../tasks/tasks.service';

/**
 * Job `complaint-sla`: for each breached deadline (first response 24 h while still open and unacknowledged;
 * resolution 7 days while open or acknowledged) marks the breach and raises ONE task per manager of the
 * rooftop (admins when it has none), through TasksService. Task keys name case × deadline (its instant) × manager, so a re-run
 * raises nothing new, and a reopened case's new resolution deadline can raise its own task.
 */
@Injectable()
export class ComplaintSlaJob implements Job, OnModuleInit {
  readonly name = 'complaint-sla' as const;
  readonly exclusive = true;

  constructor(
    private readonly jobs: JobsService,
    private readonly db: DataSource,
    private readonly tasks: TasksService,
  ) {}

  onModuleInit() {
    this.jobs.register(this);
  }

  async run(asOf: Date): Promise<JobResult> {
    return this.db.transaction(async (m) => {
      const [flags] = await m.query(
        `WITH f AS (
           UPDATE complaint_case SET breached_first_response = true, updated_at = $1
            WHERE state = 'open' AND acknowledged_at IS NULL AND first_response_due_at <= $1 AND NOT breached_first_response RETURNING 1),
         r AS (
           UPDATE complaint_case SET breached_resolution = true, updated_at = $1
            WHERE state IN ('open','acknowledged') AND resolution_due_at <= $1 AND NOT breached_resolution RETURNING 1)
         SELECT (SELECT count(*) FROM f)::int AS first_response, (SELECT count(*) FROM r)::int AS resolution`,
        [asOf],
      );
      const tasks = await this.tasks.raiseFromQuery(m, {
        sql: `WITH breached AS (
                SELECT c.id, c.rooftop_id, c.customer_id, 'first_response' AS deadline, c.first_response_due_at AS due_at
                  FROM complaint_case c
                 WHERE c.state = 'open' AND c.acknowledged_at IS NULL AND c.first_response_due_at <= $1
                UNION ALL
                SELECT c.id, c.rooftop_id, c.customer_id, 'resolution', c.resolution_due_at
                  FROM complaint_case c
                 WHERE c.state IN ('open','acknowledged') AND c.resolution_due_at <= $1),
              managers AS (
                SELECT ur.rooftop_id, u.id FROM app_user u JOIN user_rooftop ur ON ur.user_id = u.id
                 WHERE u.role = 'manager' AND u.active)
              SELECT b.rooftop_id, b.customer_id, NULL::uuid AS vehicle_id, b.id AS complaint_id,
                     'complaint_breach' AS type,
                     CASE b.deadline WHEN 'first_response' THEN ${taskTitlesSql('complaint_first_response')}
                                     ELSE ${taskTitlesSql('complaint_resolution')} END AS titles,
                     a.id AS assignee_id, b.due_at,
                     'task:complaint_breach:' || b.id || ':' || b.deadline || ':' || to_char(b.due_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS') || ':' || a.id AS dedupe_key
                FROM breached b
                CROSS JOIN LATERAL (
                  SELECT mg.id FROM managers mg WHERE mg.rooftop_id = b.rooftop_id
                  UNION ALL
                  SELECT u.id FROM app_user u
                   WHERE u.role = 'admin' AND u.active AND NOT EXISTS (SELECT 1 FROM managers mg WHERE mg.rooftop_id = b.rooftop_id)
                ) a`,
        params: [asOf],
      });
      return {
        breachedFirstResponse: flags.first_response,
        breachedResolution: flags.resolution,
        tasks,
      };
    });
  }
}
