import { Injectable, OnModuleInit } from '@nestjs/common';
import { Job, JobResult } from '../jobs/job';
import { JobsService } from '../jobs/jobs.service';
import { FollowUpsService } from './follow-ups.service';

/** Job `follow-ups`: plans the cadences (exclusive: one instance at a time; unique keys make re-runs no-ops). */
@Injectable()
export class FollowUpsJob implements Job, OnModuleInit {
  readonly name = 'follow-ups' as const;
  readonly exclusive = true;

  constructor(
    private readonly jobs: JobsService,
    private readonly followUps: FollowUpsService,
  ) {}

  onModuleInit() {
    this.jobs.register(this);
  }

  async run(asOf: Date): Promise<JobResult> {
    return this.followUps.plan(asOf);
  }
}
