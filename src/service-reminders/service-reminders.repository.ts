import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { DistanceUnit } from '../config/app-config';
import { DEFAULT_RATE_PER_DAY } from './due-projection';
import { DUE_SCAN_SQL, dueScanSql } from './due-scan.sql';
import { PLAN_SQL } from './plan-reminders.sql';
import { LABELS_JSON } from './reminder-labels';

export { DUE_SCAN_SQL, dueScanSql } from './due-scan.sql';
export { PLAN_SQL } from './plan-reminders.sql';

/**
 * The service-reminders module's set-based SQL, named by intent: the due scan (due-scan.sql.ts), the planning
 * statement (plan-reminders.sql.ts) and the stage records it keeps.
 */
export interface DueScanRow {
  vehicle_id: string;
  item_code: string;
  due_date: string | null;
  time_due: string | null;
  distance_due: string | null;
  stage: string;
  cycle_key: string;
}

export interface PlanCounts {
  stagesPlanned: number;
  stagesSkipped: number;
  messagesPlanned: number;
  /** 'fleet': every vehicle was planned (first run, catalogue or time zone change, a run back in time). */
  scope: 'fleet' | 'scheduled';
  /** Vehicles whose scheduled check had come (all of them with scope 'fleet'). */
  vehiclesChecked: number;
}

@Injectable()
export class ServiceRemindersRepository {
  /**
   * The due scan alone (dates as text), for diagnostics, the bench and the SQL-equals-TypeScript test; with
   * `reachableOnly`, only the rows past the planner's prefilter that reached a stage (what the planner plans;
   * time_due and distance_due are then null).
   */
  async scanDue(
    manager: EntityManager,
    asOf: Date,
    unit: DistanceUnit,
    opts: { reachableOnly?: boolean } = {},
  ): Promise<DueScanRow[]> {
    const reachableOnly = opts.reachableOnly ?? false;
    return manager.query(
      `SELECT vehicle_id, item_code, due_date::text, time_due::text, distance_due::text, stage, cycle_key
         FROM (${reachableOnly ? dueScanSql({ reachableOnly }) : DUE_SCAN_SQL}) s
        WHERE $4::boolean IS FALSE OR s.stage <> 'ok'`,
      [asOf, unit, DEFAULT_RATE_PER_DAY[unit], reachableOnly],
    );
  }

  /**
   * Plans the stages reached as of `asOf` for the vehicles whose scheduled check has come, or for the whole
   * fleet when `fleet` is asked, the catalogue or a time zone changed since the last run, or `asOf` is earlier
   * than the last run's (the schedule looks forward only). Planners are serialised (a transaction-level lock).
   */
  async planDue(
    manager: EntityManager,
    asOf: Date,
    unit: DistanceUnit,
    opts: { fleet?: boolean } = {},
  ): Promise<PlanCounts> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('service-reminders:plan'))`);
    const [state]: { generation: string; planned_generation: string; last_as_of: Date | null }[] =
      await manager.query(
        `SELECT generation, planned_generation, last_as_of FROM service_reminder_state WHERE id = 1`,
      );
    const fleet =
      opts.fleet === true ||
      !state ||
      BigInt(state.generation) > BigInt(state.planned_generation) ||
      (state.last_as_of !== null && asOf.getTime() < new Date(state.last_as_of).getTime());
    const [row]: {
      stages_planned: number;
      stages_skipped: number;
      messages_planned: number;
      vehicles_checked: number;
    }[] = await manager.query(PLAN_SQL, [
      asOf,
      unit,
      DEFAULT_RATE_PER_DAY[unit],
      asOf.toISOString(),
      LABELS_JSON,
      fleet,
      state?.generation ?? '0',
    ]);
    return {
      stagesPlanned: row.stages_planned,
      stagesSkipped: row.stages_skipped,
      messagesPlanned: row.messages_planned,
      scope: fleet ? 'fleet' : 'scheduled',
      vehiclesChecked: row.vehicles_checked,
    };
  }

  /** Drops a customer's stage records of a vehicle (it changed hands: the new owner starts from the latest stage). */
  async forgetStages(manager: EntityManager, vehicleId: string, customerId: string): Promise<void> {
    await manager.query(`DELETE FROM service_reminder_stage WHERE vehicle_id = $1 AND customer_id = $2`, [
      vehicleId,
      customerId,
    ]);
  }
}
