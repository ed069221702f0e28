import { Injectable, OnModuleInit } from '@nestjs/common';
import { Job, JobResult } from '../jobs/job';
import { JobsService } from '../jobs/jobs.service';
import { DispatcherService } from './dispatcher.service';

/**
 * 'outbox-dispatch': sends what is due as of the given instant. Not exclusive — several instances may run
 * it at once; the claim (FOR UPDATE SKIP LOCKED + lease + fence) keeps them from sending a row twice.
 */
@Injectable()
export class OutboxDispatchJob implements Job, OnModuleInit {
  readonly name = 'outbox-dispatch' as const;
  readonly exclusive = false;

  constructor(
    private readonly jobs: JobsService,
    private readonly dispatcher: DispatcherService,
  ) {}

  onModuleInit() {
    this.jobs.register(this);
  }

  async run(asOf: Date): Promise<JobResult> {
    return { ...(await this.dispatcher.dispatch(asOf)) };
  }
}
