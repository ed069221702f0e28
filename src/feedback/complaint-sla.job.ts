import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Job, JobResult } from '../jobs/job';
import { JobsService } from '../jobs/jobs.service';
import { taskTitlesSql, titleInSql } from '../tasks/task-titles';

/**
 * Job `complaint-sla`: for each breached deadline (first response 24 h while still open and unacknowledged;
 * resolution 7 days while open or acknowledged) marks the breach and raises ONE task per manager of the
 * rooftop (admins when it has none). Task keys name case × deadline (its instant) × manager, so a re-run
 * raises nothing new, and a reopened case's new resolution deadline can raise its own task.
 */
@Injectable()
export class ComplaintSlaJob implements Job, OnModuleInit {
  readonly name = 'complaint-sla' as const;
  readonly exclusive = true;

  constructor(
    private readonly jobs: JobsService,
    private readonly db: DataSource,
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
      const tasks: unknown[] = await m.query(
        `WITH breached AS (
           SELECT c.id, c.rooftop_id, c.customer_id, 'first_response' AS deadline, c.first_response_due_at AS due_at
             FROM complaint_case c
            WHERE c.state = 'open' AND c.acknowledged_at IS NULL AND c.first_response_due_at <= $1
           UNION ALL
           SELECT c.id, c.rooftop_id, c.customer_id, 'resolution', c.resolution_due_at
             FROM complaint_case c
            WHERE c.state IN ('open','acknowledged') AND c.resolution_due_at <= $1),
         managers AS (
           SELECT ur.rooftop_id, u.id, u.language FROM app_user u JOIN user_rooftop ur ON ur.user_id = u.id
            WHERE u.role = 'manager' AND u.active)
         INSERT INTO task (rooftop_id, customer_id, complaint_id, type, title, assignee_id, due_at, status, dedupe_key)
         SELECT b.rooftop_id, b.customer_id, b.id, 'complaint_breach',
                CASE b.deadline WHEN 'first_response' THEN ${titleInSql(taskTitlesSql('complaint_first_response'), 'a.language')}
                                ELSE ${titleInSql(taskTitlesSql('complaint_resolution'), 'a.language')} END,
                a.id, b.due_at, 'open',
                'task:complaint_breach:' || b.id || ':' || b.deadline || ':' || to_char(b.due_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS') || ':' || a.id
           FROM breached b
           CROSS JOIN LATERAL (
             SELECT mg.id, mg.language FROM managers mg WHERE mg.rooftop_id = b.rooftop_id
             UNION ALL
             SELECT u.id, u.language FROM app_user u
              WHERE u.role = 'admin' AND u.active AND NOT EXISTS (SELECT 1 FROM managers mg WHERE mg.rooftop_id = b.rooftop_id)
           ) a
         ON CONFLICT (dedupe_key) DO NOTHING
         RETURNING id`,
        [asOf],
      );
      return {
        breachedFirstResponse: flags.first_response,
        breachedResolution: flags.resolution,
        tasks: tasks.length,
      };
    });
  }
}
