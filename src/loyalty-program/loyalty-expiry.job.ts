import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Job, JobResult } from '../jobs/job';
import { JobsService } from '../jobs/jobs.service';
import { LoyaltyLedger } from './loyalty-ledger';

/**
 * Nightly: points expire 24 months after they were earned, oldest first. The open-lots index finds the
 * accounts with expired lots at asOf in one query; each account is expired in its own transaction with
 * the account locked. Keys per lot (`expire:<lot>`) make a re-run, or a run after a lazy expiry, a no-op.
 */
@Injectable()
export class LoyaltyExpiryJob implements Job, OnModuleInit {
  readonly name = 'loyalty-expiry' as const;
  readonly exclusive = true;
  private readonly logger = new Logger('LoyaltyExpiryJob');

  constructor(
    private readonly db: DataSource,
    private readonly jobs: JobsService,
    private readonly ledger: LoyaltyLedger,
  ) {}

  onModuleInit() {
    this.jobs.register(this);
  }

  async run(asOf: Date): Promise<JobResult> {
    const accounts: { customerId: string }[] = await this.db.query(
      `SELECT DISTINCT customer_id AS "customerId" FROM loyalty_entry WHERE remaining > 0 AND expires_at <= $1`,
      [asOf],
    );
    let entries = 0;
    let points = 0;
    let failed = 0;
    for (const { customerId } of accounts) {
      try {
        const written = await this.db.transaction(async (m) =>
          this.ledger.expireDue(m, await this.ledger.lock(m, customerId), asOf),
        );
        entries += written.length;
        points += written.reduce((s, e) => s - e.points, 0);
      } catch (e) {
        failed++;
        this.logger.error({
          msg: 'expiry failed',
          customerId,
          error: e instanceof Error ? e.message : String(e),
        });
      }
    }
    return { accounts: accounts.length, entries, points, failed };
  }
}
