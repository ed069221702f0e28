import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { JobsService } from '../jobs/jobs.service';
import { Job, JobResult } from '../jobs/job';
import { PlanCounts, PlanOptions, ServiceRemindersRepository } from './service-reminders.repository';

/**
 * The `service-reminders` job: plans maintenance reminder digests as of an instant (SPEC "When is maintenance
 * due"). Its listeners (service-reminders.listener.ts) keep pending digests honest when an item is serviced or
 * the vehicle changes hands.
 */
@Injectable()
export class ServiceRemindersPlanner implements Job, OnModuleInit {
  readonly name = 'service-reminders' as const;
  readonly exclusive = true;

  constructor(
    private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly repository: ServiceRemindersRepository,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit() {
    this.jobs.register(this);
  }

  async run(asOf: Date): Promise<JobResult> {
    return { ...(await this.plan(asOf)) };
  }

  /**
   * A daily run: one transaction, one set-based statement. A whole-fleet run: one statement per range of about
   * 250,000 vehicles, each in its own transaction, two at a time. Safe to re-run and to run concurrently (unique
   * keys; planners take turns).
   */
  async plan(asOf: Date, opts: Pick<PlanOptions, 'chunkVehicles' | 'lanes'> = {}): Promise<PlanCounts> {
    return this.repository.planDueInTransactions(
      (work) => this.db.transaction(work),
      asOf,
      this.config.DISTANCE_UNIT,
      opts,
    );
  }
}
