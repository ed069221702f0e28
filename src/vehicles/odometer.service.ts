import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import {
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
  ValidationFailedError,
} from '../common/problem/domain-error';
import { AppConfig } from '../config/app-config';
import { judgeReading, ReadingPoint } from './odometer-guard';
import { OdometerReading, OdometerSource } from './odometer-reading.entity';

export interface RecordReading {
  vehicleId: string;
  value: number;
  readAt: Date;
  source: OdometerSource;
  /** Bypasses the plausibility guard; managers and admins only, and needs a note. */
  isCorrection?: boolean;
  note?: string | null;
  /** `null` for system writes (imports, jobs). */
  actor: AuthUser | null;
  /** The request field to blame in a refusal (e.g. `odometer` for a service visit). */
  field?: string;
}

/** The SPEC limits: 2,000 km a day, or its equivalent in miles. */
export const MAX_DISTANCE_PER_DAY = { km: 2000, mi: 1243 } as const;

@Injectable()
export class OdometerService {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * Records a reading in the caller's transaction after the plausibility guard (contract C1). The
   * vehicle row is locked so that two concurrent readings are judged one after the other.
   */
  async record(manager: EntityManager, input: RecordReading): Promise<OdometerReading> {
    const field = input.field ?? 'value';
    const isCorrection = input.isCorrection ?? false;
    if (isCorrection && input.actor && !input.actor.isManager) {
      throw new ForbiddenError('Only a manager or admin may record an odometer correction');
    }
    if (isCorrection && !input.note?.trim()) {
      throw new ValidationFailedError([
        { field: 'note', message: 'note is required for a correction (say why)' },
      ]);
    }
    const locked = await manager.query(`SELECT id FROM vehicle WHERE id = $1 FOR UPDATE`, [input.vehicleId]);
    if (locked.length === 0) throw new NotFoundError('Vehicle');

    const unit = this.config.DISTANCE_UNIT;
    const [previous, next] = await this.neighbours(manager, input.vehicleId, input.readAt);
    const verdict = judgeReading({
      value: input.value,
      readAt: input.readAt,
      now: this.clock.now(),
      previous,
      next,
      maxPerDay: MAX_DISTANCE_PER_DAY[unit],
      unit,
    });
    // A correction overrides the plausibility checks, never the rule that a reading cannot be in the future.
    if (!verdict.ok && (verdict.reason === 'future' || !isCorrection)) {
      throw new UnprocessableError(
        'odometer_rejected',
        verdict.message,
        [{ field: verdict.reason === 'future' ? 'readAt' : field, message: verdict.message }],
        {
          reason: verdict.reason,
          ...(verdict.previous ? { previousReading: verdict.previous } : {}),
          ...(verdict.next ? { laterReading: verdict.next } : {}),
        },
      );
    }

    return manager.save(
      manager.create(OdometerReading, {
        vehicleId: input.vehicleId,
        value: input.value,
        readAt: input.readAt,
        source: input.source,
        isCorrection,
        note: input.note ?? null,
        recordedBy: input.actor?.id ?? null,
      }),
    );
  }

  /** The latest reading at or before `at`, and the earliest after it. */
  private async neighbours(
    manager: EntityManager,
    vehicleId: string,
    at: Date,
  ): Promise<[ReadingPoint | null, ReadingPoint | null]> {
    const rows: { value: number; read_at: Date; which: string }[] = await manager.query(
      `(SELECT value, read_at, 'prev' AS which FROM odometer_reading
          WHERE vehicle_id = $1 AND read_at <= $2 ORDER BY read_at DESC, created_at DESC LIMIT 1)
       UNION ALL
       (SELECT value, read_at, 'next' AS which FROM odometer_reading
          WHERE vehicle_id = $1 AND read_at > $2 ORDER BY read_at ASC, created_at ASC LIMIT 1)`,
      [vehicleId, at],
    );
    const point = (which: string) => {
      const row = rows.find((r) => r.which === which);
      return row ? { value: Number(row.value), readAt: new Date(row.read_at) } : null;
    };
    return [point('prev'), point('next')];
  }
}
