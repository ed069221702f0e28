import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../common/problem/domain-error';
import { AppConfig } from '../config/app-config';
import { MaintenanceItemOverride } from '../maintenance-catalogue/maintenance-item-override.entity';
import { MaintenanceItem } from '../maintenance-catalogue/maintenance-item.entity';
import { CycleStart, DrivingRate, drivingRate, OdometerPoint, projectDue, Stage } from './due-projection';
import { effectiveInterval, EffectiveInterval, itemApplies, Powertrain } from './effective-interval';

export interface ItemDue {
  itemCode: string;
  itemName: string;
  interval: EffectiveInterval;
  /** Where the current cycle starts: the last time it was performed, else the purchase (or the record's creation). */
  lastPerformed: CycleStart;
  timeProjection: { dueDate: string | null };
  distanceProjection: {
    dueDate: string | null;
    targetOdometer: number | null;
    fromOdometer: number | null;
    fromDate: string | null;
  };
  winner: 'time' | 'distance' | null;
  dueDate: string | null;
  dueSoonDate: string | null;
  overdueDate: string | null;
  stage: Stage;
}

export interface VehicleDue {
  vehicleId: string;
  rooftopId: string;
  asOf: string;
  unit: AppConfig['DISTANCE_UNIT'];
  timeZone: string;
  drivingRate: DrivingRate;
  latestOdometer: { value: number; readAt: string } | null;
  items: ItemDue[];
}

interface VehicleRow {
  id: string;
  rooftop_id: string;
  make: string;
  model: string;
  powertrain: Powertrain;
  purchase_date: string | null;
  purchase_odometer: number;
  created_date: string;
  time_zone: string;
}

/**
 * The due list of one vehicle (contract C2), computed by the pure `projectDue`. The planner's SQL computes
 * the same for the whole fleet at once.
 */
@Injectable()
export class MaintenanceDueService {
  constructor(
    private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** The vehicle's rooftop, for scoping checks; null when the vehicle does not exist. */
  async rooftopOf(vehicleId: string): Promise<string | null> {
    const rows: { rooftop_id: string }[] = await this.db.query(
      `SELECT rooftop_id FROM vehicle WHERE id = $1`,
      [vehicleId],
    );
    return rows[0]?.rooftop_id ?? null;
  }

  /**
   * Per applicable item: both projections, the winner and the stage at `asOf`. `ignoreVisitId` leaves out what
   * that visit performed, to ask "was this item due when this visit performed it?".
   */
  async dueForVehicle(
    vehicleId: string,
    asOf: Date,
    opts: { manager?: EntityManager; ignoreVisitId?: string } = {},
  ): Promise<VehicleDue> {
    const m = opts.manager ?? this.db.manager;
    const unit = this.config.DISTANCE_UNIT;
    const [vehicle]: VehicleRow[] = await m.query(
      `SELECT v.id, v.rooftop_id, v.make, v.model, v.powertrain, v.purchase_date::text AS purchase_date, v.purchase_odometer,
              (v.created_at AT TIME ZONE r.time_zone)::date::text AS created_date, r.time_zone
         FROM vehicle v JOIN rooftop r ON r.id = v.rooftop_id WHERE v.id = $1`,
      [vehicleId],
    );
    if (!vehicle) throw new NotFoundError('Vehicle');

    const readingRows: { value: number; read_at: Date }[] = await m.query(
      `SELECT value, read_at FROM odometer_reading WHERE vehicle_id = $1 AND read_at <= $2 ORDER BY read_at, value`,
      [vehicleId, asOf],
    );
    const readings: OdometerPoint[] = readingRows.map((r) => ({ value: r.value, readAt: r.read_at }));
    const performed: { item_code: string; local_date: string; odometer: number }[] = await m.query(
      `SELECT DISTINCT ON (item_code) item_code, (performed_at AT TIME ZONE $3)::date::text AS local_date, odometer
         FROM maintenance_performed
        WHERE vehicle_id = $1 AND performed_at <= $2 AND ($4::uuid IS NULL OR service_visit_id IS DISTINCT FROM $4::uuid)
        ORDER BY item_code, performed_at DESC, odometer DESC`,
      [vehicleId, asOf, vehicle.time_zone, opts.ignoreVisitId ?? null],
    );
    const lastByItem = new Map(performed.map((p) => [p.item_code, p]));
    const items = await m.find(MaintenanceItem, { order: { code: 'ASC' } });
    const overrides = await m.find(MaintenanceItemOverride);

    const purchaseStart: CycleStart = vehicle.purchase_date
      ? { date: vehicle.purchase_date, odometer: vehicle.purchase_odometer, source: 'purchase' }
      : { date: vehicle.created_date, odometer: vehicle.purchase_odometer, source: 'created' };

    const result: ItemDue[] = [];
    for (const item of items) {
      if (!itemApplies(item, vehicle.powertrain)) continue;
      const interval = effectiveInterval(item, overrides, vehicle, unit);
      const last = lastByItem.get(item.code);
      const start: CycleStart = last
        ? { date: last.local_date, odometer: last.odometer, source: 'performed' }
        : purchaseStart;
      const p = projectDue({ asOf, timeZone: vehicle.time_zone, unit, readings, start, interval });
      result.push({
        itemCode: item.code,
        itemName: item.name,
        interval,
        lastPerformed: start,
        timeProjection: { dueDate: p.timeDueDate },
        distanceProjection: {
          dueDate: p.distanceDueDate,
          targetOdometer: p.targetOdometer,
          fromOdometer: p.base?.value ?? null,
          fromDate: p.base?.date ?? null,
        },
        winner: p.winner,
        dueDate: p.dueDate,
        dueSoonDate: p.dueSoonDate,
        overdueDate: p.overdueDate,
        stage: p.stage,
      });
    }
    const latest = readings[readings.length - 1];
    return {
      vehicleId,
      rooftopId: vehicle.rooftop_id,
      asOf: asOf.toISOString(),
      unit,
      timeZone: vehicle.time_zone,
      drivingRate: drivingRate(readings, asOf, vehicle.time_zone, unit),
      latestOdometer: latest ? { value: latest.value, readAt: latest.readAt.toISOString() } : null,
      items: result,
    };
  }
}
