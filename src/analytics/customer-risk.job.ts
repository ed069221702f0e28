import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../common/domain-events';
import { Job, JobResult } from '../jobs/job';
import { JobsService } from '../jobs/jobs.service';
import { AnalyticsRepository } from './analytics.repository';

/**
 * `customer-risk` (hourly by default): scores every customer as of `asOf` and replaces the stored at-risk
 * list that GET /analytics/at-risk pages through. Scoring reads the whole fleet (tens of seconds at a million
 * vehicles), so it is done here rather than per request.
 */
@Injectable()
export class CustomerRiskJob implements Job, OnModuleInit {
  readonly name = 'customer-risk' as const;
  readonly exclusive = true;
  private readonly logger = new Logger('CustomerRiskJob');

  constructor(
    private readonly jobs: JobsService,
    private readonly repo: AnalyticsRepository,
    private readonly events: DomainEvents,
  ) {}

  onModuleInit() {
    this.jobs.register(this);
    // An erased customer leaves the stored list at once, in the erasure's transaction.
    this.events.on('customer.erased', (m, e) =>
      m.query(`DELETE FROM customer_risk WHERE customer_id = $1`, [e.customerId]).then(() => undefined),
    );
  }

  async run(asOf: Date): Promise<JobResult> {
    const result = await this.repo.refreshAtRisk(asOf);
    this.logger.log({ msg: 'at-risk list refreshed', ...result });
    return result;
  }
}
