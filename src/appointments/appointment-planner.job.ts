import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Job, JobName, JobResult } from '../jobs/job';
import { JobsService } from '../jobs/jobs.service';
import { AppointmentMessages } from './appointment-messages';

/**
 * The shape both appointment planners share: an exclusive job (JobsService runs it under the advisory lock),
 * registered at module init, whose run as of an instant is one transaction handed to `plan`.
 */
@Injectable()
export abstract class AppointmentPlannerJob implements Job, OnModuleInit {
  abstract readonly name: JobName;
  readonly exclusive = true;

  constructor(
    private readonly jobs: JobsService,
    private readonly db: DataSource,
    protected readonly messages: AppointmentMessages,
  ) {}

  onModuleInit() {
    this.jobs.register(this);
  }

  run(asOf: Date): Promise<JobResult> {
    return this.db.transaction((m) => this.plan(m, asOf));
  }

  /** The run's work, in its transaction, with `asOf` as "now". */
  protected abstract plan(m: EntityManager, asOf: Date): Promise<JobResult>;
}
