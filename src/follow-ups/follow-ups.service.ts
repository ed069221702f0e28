import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { managersOf } from '../tasks/assignees';
import { resolveFollowUpSettings } from './follow-up-settings';
import { FollowUpsPlanner, PlanCounts } from './follow-ups.planner';

const DAY_MS = 86_400_000;

/**
 * Plans every follow-up cadence "as of" an instant. A run fires the moments in (asOf − lookbackDays, asOf]:
 * a missed day (or week) is caught up by the next run, while a first run after installation does not replay
 * sales and visits from years ago. Each rooftop is planned in its own transaction with its own settings.
 */
@Injectable()
export class FollowUpsService {
  constructor(
    private readonly db: DataSource,
    private readonly planner: FollowUpsPlanner,
    private readonly config: AppConfig,
  ) {}

  async plan(asOf: Date): Promise<PlanCounts> {
    const rooftops: { id: string; time_zone: string; settings: unknown }[] = await this.db.query(
      `SELECT id, time_zone, settings FROM rooftop WHERE active ORDER BY id`,
    );
    const totals: PlanCounts = { rooftops: rooftops.length };
    for (const rooftop of rooftops) {
      const settings = resolveFollowUpSettings(rooftop.settings, this.config.DISTANCE_UNIT);
      const counts = await this.db.transaction(async (m) => {
        const [fallback] = await managersOf(m, rooftop.id);
        return this.planner.planRooftop(m, {
          rooftopId: rooftop.id,
          timeZone: rooftop.time_zone,
          from: new Date(asOf.getTime() - settings.lookbackDays * DAY_MS),
          asOf,
          settings,
          unit: this.config.DISTANCE_UNIT,
          fallbackAssigneeId: fallback ?? null,
        });
      });
      for (const [k, v] of Object.entries(counts)) totals[k] = (totals[k] ?? 0) + v;
    }
    return totals;
  }
}
