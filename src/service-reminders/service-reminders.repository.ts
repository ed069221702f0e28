import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { DistanceUnit } from '../config/app-config';
import { DEFAULT_RATE_PER_DAY } from './due-projection';
import { DUE_SCAN_SQL, dueScanSql } from './due-scan.sql';
import { PlanScope, planSql } from './plan-reminders.sql';

export { DUE_SCAN_SQL, dueScanSql } from './due-scan.sql';
export { PLAN_SQL, planSql } from './plan-reminders.sql';

/** A whole-fleet run plans about this many vehicles per statement (whole customers: see ownerRanges). */
export const FLEET_CHUNK_VEHICLES = 250_000;
/** work_mem of a planning statement (SET LOCAL): one planner runs at a time, with at most FLEET_LANES statements. */
export const PLAN_WORK_MEM = '256MB';
/**
 * Ranges of a whole-fleet run planned at once, each on a connection of its own (the work is PostgreSQL's: one
 * statement keeps one core busy while the app waits).
 */
export const FLEET_LANES = 2;

export interface PlanOptions {
  /** Plan every vehicle, whatever the schedule says. */
  fleet?: boolean;
  /** Vehicles per statement of a whole-fleet run (FLEET_CHUNK_VEHICLES). */
  chunkVehicles?: number;
  /** Ranges of a whole-fleet run planned at once (FLEET_LANES); always 1 in the caller's transaction. */
  lanes?: number;
}

/** Runs `work` in a transaction (DataSource.transaction), or in the caller's. */
export type InTransaction = <T>(work: (manager: EntityManager) => Promise<T>) => Promise<T>;

/** Vehicles whose owner id is in (after, upTo]; null is open (the last range also has the ownerless ones). */
interface OwnerRange {
  after: string | null;
  upTo: string | null;
}

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
   * than the last run's (the schedule looks forward only). Everything in the caller's transaction, one range after
   * the other.
   */
  async planDue(
    manager: EntityManager,
    asOf: Date,
    unit: DistanceUnit,
    opts: PlanOptions = {},
  ): Promise<PlanCounts> {
    return this.plan((work) => work(manager), asOf, unit, { ...opts, lanes: 1 });
  }

  /**
   * As `planDue`, but each range of a whole-fleet run in a transaction of its own (`inTransaction`), FLEET_LANES of
   * them at once, so that no schedule row stays locked for the whole run (a reading recorded meanwhile would wait
   * for it). The run's first transaction holds the planners' lock until every range has committed and only then
   * marks the catalogue generation planned: a run cut short (any range failing, a crash) leaves it unplanned, the
   * next run plans the whole fleet again, and what was already planned inserts nothing.
   */
  async planDueInTransactions(
    inTransaction: InTransaction,
    asOf: Date,
    unit: DistanceUnit,
    opts: PlanOptions = {},
  ): Promise<PlanCounts> {
    return this.plan(inTransaction, asOf, unit, opts);
  }

  private async plan(
    inTransaction: InTransaction,
    asOf: Date,
    unit: DistanceUnit,
    opts: PlanOptions,
  ): Promise<PlanCounts> {
    const params = (scope: PlanScope) => [
      asOf,
      unit,
      DEFAULT_RATE_PER_DAY[unit],
      asOf.toISOString(),
      ...(scope.kind === 'scheduled' ? [false] : [scope.after, scope.upTo]),
    ];
    // The run's transaction: it takes the planners' lock, decides the scope, and for a whole-fleet run stays open
    // (idle, holding the lock and no row) while the ranges are planned in transactions of their own.
    return inTransaction(async (m) => {
      const state = await this.lockState(m);
      const fleet =
        opts.fleet === true ||
        !state ||
        BigInt(state.generation) > BigInt(state.planned_generation) ||
        (state.last_as_of !== null && asOf.getTime() < new Date(state.last_as_of).getTime());
      const generation = state?.generation ?? '0';
      if (!fleet) {
        const scope: PlanScope = { kind: 'scheduled' };
        const counts = await this.runPlan(m, planSql({ scope, antiJoin: true }), params(scope));
        await this.markPlanned(m, asOf, generation);
        return { ...counts, scope: 'scheduled' as const };
      }
      const ranges = await this.ownerRanges(m, opts.chunkVehicles);
      const total = await inLanes(ranges, opts.lanes ?? FLEET_LANES, async (range) => {
        // The run's own connection is still there (so is its lock) before each range starts.
        await m.query(`SELECT 1`);
        return inTransaction(async (r) => {
          const scope: PlanScope = { kind: 'owners', ...range };
          const antiJoin = await this.stagesRecorded(r, range);
          return this.runPlan(r, planSql({ scope, antiJoin }), params(scope));
        });
      });
      // Every range has committed: only now is this generation planned.
      await this.markPlanned(m, asOf, generation);
      return { ...total, scope: 'fleet' as const };
    });
  }

  /**
   * Serialises planners (for the rest of the caller's transaction; a whole-fleet run's ranges, in transactions of
   * their own, are covered by the run's transaction holding it) and reads the catalogue generation planned.
   */
  private async lockState(m: EntityManager) {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('service-reminders:plan'))`);
    const [state]: { generation: string; planned_generation: string; last_as_of: Date | null }[] =
      await m.query(
        `SELECT generation, planned_generation, last_as_of FROM service_reminder_state WHERE id = 1`,
      );
    return state as typeof state | undefined;
  }

  private async markPlanned(m: EntityManager, asOf: Date, generation: string) {
    await m.query(
      `UPDATE service_reminder_state
          SET planned_generation = greatest(planned_generation, $2::bigint), last_as_of = $1::timestamptz
        WHERE id = 1`,
      [asOf, generation],
    );
  }

  private async runPlan(m: EntityManager, sql: string, params: unknown[]) {
    // Each statement's rows (a range of ~250,000 vehicles) are sorted and hashed in memory, not spilled to disk.
    await m.query(`SET LOCAL work_mem = '${PLAN_WORK_MEM}'`);
    const [row]: {
      stages_planned: number;
      stages_skipped: number;
      messages_planned: number;
      vehicles_checked: number;
    }[] = await m.query(sql, params);
    return {
      stagesPlanned: row.stages_planned,
      stagesSkipped: row.stages_skipped,
      messagesPlanned: row.messages_planned,
      vehiclesChecked: row.vehicles_checked,
    };
  }

  /**
   * The whole fleet cut into owner id ranges of about `chunkVehicles` vehicles (a customer's vehicles always in
   * the same range: one digest per customer per run), read off vehicle_owner_idx in one pass.
   */
  private async ownerRanges(m: EntityManager, chunkVehicles = FLEET_CHUNK_VEHICLES): Promise<OwnerRange[]> {
    const rows: { bound: string }[] = await m.query(
      `SELECT owner_id AS bound FROM (
         SELECT owner_id, row_number() OVER (ORDER BY owner_id) AS n FROM vehicle WHERE owner_id IS NOT NULL
       ) x WHERE n % $1 = 0 GROUP BY owner_id ORDER BY owner_id`,
      [chunkVehicles],
    );
    const bounds = rows.map((r) => r.bound);
    return [...bounds, null].map((upTo, k) => ({ after: k === 0 ? null : bounds[k - 1], upTo }));
  }

  /** Whether any stage row of the range's customers exists (a back-fill range has none: no anti-join needed). */
  private async stagesRecorded(m: EntityManager, range: OwnerRange): Promise<boolean> {
    const [{ found }]: { found: boolean }[] = await m.query(
      `SELECT EXISTS (SELECT 1 FROM service_reminder_stage
                       WHERE ($1::uuid IS NULL OR customer_id > $1::uuid)
                         AND ($2::uuid IS NULL OR customer_id <= $2::uuid)) AS found`,
      [range.after, range.upTo],
    );
    return found;
  }

  /** Drops a customer's stage records of a vehicle (it changed hands: the new owner starts from the latest stage). */
  async forgetStages(manager: EntityManager, vehicleId: string, customerId: string): Promise<void> {
    await manager.query(`DELETE FROM service_reminder_stage WHERE vehicle_id = $1 AND customer_id = $2`, [
      vehicleId,
      customerId,
    ]);
  }
}

type RangeCounts = Omit<PlanCounts, 'scope'>;

/**
 * Plans `ranges` with `lanes` of them in flight at once, summing their counts. After a failure no further range
 * starts; the ranges in flight finish (or fail) before the first failure is thrown.
 */
async function inLanes<R>(
  ranges: R[],
  lanes: number,
  planRange: (range: R) => Promise<RangeCounts>,
): Promise<RangeCounts> {
  const total: RangeCounts = { stagesPlanned: 0, stagesSkipped: 0, messagesPlanned: 0, vehiclesChecked: 0 };
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < ranges.length) {
      try {
        const counts = await planRange(ranges[next++]);
        total.stagesPlanned += counts.stagesPlanned;
        total.stagesSkipped += counts.stagesSkipped;
        total.messagesPlanned += counts.messagesPlanned;
        total.vehiclesChecked += counts.vehiclesChecked;
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, lanes) }, lane));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return total;
}
