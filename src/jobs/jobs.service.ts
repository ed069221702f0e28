import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { ConflictError, NotFoundError } from '../common/problem/domain-error';
import { AppConfig } from '../config/app-config';
import { Job, JobName, JobResult } from './job';

const CRON_SETTING: Record<JobName, keyof AppConfig> = {
  'service-reminders': 'CRON_SERVICE_REMINDERS',
  'follow-ups': 'CRON_FOLLOW_UPS',
  'outbox-dispatch': 'CRON_OUTBOX_DISPATCH',
  'complaint-sla': 'CRON_COMPLAINT_SLA',
  'loyalty-tiers': 'CRON_LOYALTY_TIERS',
  'loyalty-expiry': 'CRON_LOYALTY_EXPIRY',
  'customer-risk': 'CRON_CUSTOMER_RISK',
  'appointment-reminders': 'CRON_APPOINTMENT_REMINDERS',
  'appointment-no-shows': 'CRON_APPOINTMENT_NO_SHOWS',
};

export interface JobRun {
  job: JobName;
  asOf: string;
  startedAt: string;
  finishedAt: string;
  result: JobResult;
}

/**
 * The registry of jobs. Modules register their jobs at init; cron triggers (when JOBS_ENABLED) and the
 * on-demand endpoint/CLI all go through `run`, which takes the advisory lock for exclusive jobs.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly jobs = new Map<JobName, Job>();
  private stopping = false;

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  register(job: Job): void {
    this.jobs.set(job.name, job);
  }

  registered(): JobName[] {
    return [...this.jobs.keys()];
  }

  onApplicationBootstrap() {
    if (!this.config.JOBS_ENABLED) return;
    for (const job of this.jobs.values()) {
      const expression = String(this.config[CRON_SETTING[job.name]]);
      const cron = CronJob.from({
        cronTime: expression,
        onTick: () => this.tick(job.name),
        start: true,
        waitForCompletion: true,
      });
      this.scheduler.addCronJob(job.name, cron);
    }
    this.logger.log({ msg: 'job triggers started', jobs: this.registered() });
  }

  async onApplicationShutdown() {
    this.stopping = true;
    for (const name of this.jobs.keys()) {
      if (this.scheduler.doesExist('cron', name)) {
        await this.scheduler.getCronJob(name).stop();
        this.scheduler.deleteCronJob(name);
      }
    }
  }

  private async tick(name: JobName) {
    if (this.stopping) return;
    try {
      await this.run(name, this.clock.now(), { skipIfBusy: true });
    } catch (e) {
      this.logger.error({ msg: 'job failed', job: name, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Runs one job "as of" an instant. Exclusive jobs hold a session advisory lock while they run. */
  async run(name: JobName, asOf: Date, options: { skipIfBusy?: boolean } = {}): Promise<JobRun> {
    const job = this.jobs.get(name);
    if (!job) throw new NotFoundError(`Job ${name}`);
    const startedAt = new Date();
    let result: JobResult;
    if (job.exclusive) {
      const runner = this.db.createQueryRunner();
      await runner.connect();
      try {
        const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [
          `job:${name}`,
        ]);
        if (!locked) {
          if (options.skipIfBusy)
            return {
              job: name,
              asOf: asOf.toISOString(),
              startedAt: startedAt.toISOString(),
              finishedAt: new Date().toISOString(),
              result: { skipped: 'another instance is running this job' },
            };
          throw new ConflictError(
            'job_running',
            `Job ${name} is already running on another instance; try again shortly`,
          );
        }
        try {
          result = await job.run(asOf);
        } finally {
          await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`job:${name}`]);
        }
      } finally {
        await runner.release();
      }
    } else {
      result = await job.run(asOf);
    }
    const finishedAt = new Date();
    // Idle runs (every count zero) go to debug so that a 10-second dispatcher does not flood the log.
    const idle = Object.values(result).every((v) => v === 0 || v === null || v === false);
    const line = {
      msg: 'job ran',
      job: name,
      asOf: asOf.toISOString(),
      ms: finishedAt.getTime() - startedAt.getTime(),
      ...result,
    };
    if (idle) this.logger.debug(line);
    else this.logger.log(line);
    return {
      job: name,
      asOf: asOf.toISOString(),
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      result,
    };
  }
}
