import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Job, JobResult } from '../jobs/job';
import { JobsService } from '../jobs/jobs.service';
import { isTierUp, windowStart } from './loyalty-rules';
import { LoyaltyLedger } from './loyalty-ledger';
import { TIER_THRESHOLDS, TIER_WINDOW_MONTHS } from './loyalty-settings';
import { LoyaltyService } from './loyalty.service';

/**
 * Nightly: tiers follow the trailing-12-month earnings, so points leaving the window lower a tier.
 * One set-based query finds the accounts whose stored tier is wrong at asOf; each is then fixed in its
 * own transaction with the account locked (the same code path as an earning).
 */
@Injectable()
export class LoyaltyTiersJob implements Job, OnModuleInit {
  readonly name = 'loyalty-tiers' as const;
  readonly exclusive = true;
  private readonly logger = new Logger('LoyaltyTiersJob');

  constructor(
    private readonly db: DataSource,
    private readonly jobs: JobsService,
    private readonly ledger: LoyaltyLedger,
    private readonly loyalty: LoyaltyService,
  ) {}

  onModuleInit() {
    this.jobs.register(this);
  }

  async run(asOf: Date): Promise<JobResult> {
    const rows: { customerId: string; rooftopId: string }[] = await this.db.query(
      `WITH earned AS (
         SELECT a.customer_id, a.tier,
                (SELECT COALESCE(SUM(e.points), 0) FROM loyalty_entry e
                  WHERE e.customer_id = a.customer_id AND e.type = 'earn' AND e.occurred_at > $1 AND e.occurred_at <= $2
                    AND NOT EXISTS (SELECT 1 FROM loyalty_entry r WHERE r.reverses_entry_id = e.id)) AS pts
           FROM loyalty_account a)
       SELECT earned.customer_id AS "customerId", c.home_rooftop_id AS "rooftopId"
         FROM earned JOIN customer c ON c.id = earned.customer_id
        WHERE earned.tier <> CASE WHEN pts >= $5 THEN 'platinum' WHEN pts >= $4 THEN 'gold' WHEN pts >= $3 THEN 'silver' ELSE 'bronze' END`,
      [
        windowStart(asOf, TIER_WINDOW_MONTHS),
        asOf,
        TIER_THRESHOLDS.silver,
        TIER_THRESHOLDS.gold,
        TIER_THRESHOLDS.platinum,
      ],
    );
    let up = 0;
    let down = 0;
    let failed = 0;
    for (const row of rows) {
      try {
        const change = await this.db.transaction(async (m) =>
          this.loyalty.recomputeTier(m, await this.ledger.lock(m, row.customerId), asOf, row.rooftopId),
        );
        if (change) {
          if (isTierUp(change.from, change.to)) up++;
          else down++;
        }
      } catch (e) {
        failed++;
        this.logger.error({
          msg: 'tier recompute failed',
          customerId: row.customerId,
          error: e instanceof Error ? e.message : String(e),
        });
      }
    }
    return { candidates: rows.length, tierUps: up, tierDowns: down, failed };
  }
}
