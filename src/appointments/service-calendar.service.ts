import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import {
  NotFoundError,
  PreconditionFailedError,
  ValidationFailedError,
} from '../common/problem/domain-error';
import type { FieldError } from '../common/problem/domain-error';
import {
  CalendarRules,
  freeSlots,
  FreeSlot,
  OpeningInterval,
  parseHhmm,
  Weekday,
  WEEKDAYS,
} from './availability-rules';
import { AvailabilityDto, PutServiceCalendarDto, ServiceCalendarDto } from './dto/service-calendar.dto';
import { ServiceCalendar } from './service-calendar.entity';

const DEFAULTS = { slotMinutes: 30, placesPerSlot: 2, leadMinutes: 120, horizonDays: 60 };

/** A rooftop's calendar with its zone, as the slot arithmetic and the booking rules read it. */
export interface RooftopCalendar {
  rules: CalendarRules;
  version: number;
  rooftopName: string;
}

/** The service calendar of each rooftop (managers edit it) and the availability computed from it. */
@Injectable()
export class ServiceCalendarService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async get(rooftopId: string, actor: AuthUser): Promise<ServiceCalendarDto> {
    actor.assertRooftop(rooftopId, 'Rooftop');
    const calendar = await this.calendarOf(this.db.manager, rooftopId);
    if (!calendar) throw new NotFoundError('Service calendar');
    return this.toDto(rooftopId, calendar);
  }

  /** Sets the whole calendar; with If-Match the change applies only to the version read (412 otherwise). */
  async put(
    rooftopId: string,
    dto: PutServiceCalendarDto,
    actor: AuthUser,
    expectedVersion?: number,
  ): Promise<ServiceCalendarDto> {
    actor.assertRooftop(rooftopId, 'Rooftop');
    const openingHours = openingHoursOf(dto);
    return this.db.transaction(async (m) => {
      const [rooftop] = await m.query(`SELECT id FROM rooftop WHERE id = $1`, [rooftopId]);
      if (!rooftop) throw new NotFoundError('Rooftop');
      const current = await m.findOne(ServiceCalendar, {
        where: { rooftopId },
        lock: { mode: 'pessimistic_write' },
      });
      if (expectedVersion !== undefined && (current?.version ?? 0) !== expectedVersion)
        throw new PreconditionFailedError(current?.version ?? 0);
      const row = current ?? m.create(ServiceCalendar, { rooftopId, ...DEFAULTS });
      Object.assign(row, {
        openingHours,
        closedDates: [...new Set(dto.closedDates ?? [])].sort(),
        slotMinutes: dto.slotMinutes ?? DEFAULTS.slotMinutes,
        placesPerSlot: dto.placesPerSlot ?? DEFAULTS.placesPerSlot,
        leadMinutes: dto.leadMinutes ?? DEFAULTS.leadMinutes,
        horizonDays: dto.horizonDays ?? DEFAULTS.horizonDays,
      });
      await m.save(row);
      await this.audit.record(m, actor, {
        action: 'service_calendar.updated',
        entityType: 'service_calendar',
        entityId: rooftopId,
        rooftopId,
      });
      return this.toDto(rooftopId, (await this.calendarOf(m, rooftopId))!);
    });
  }

  /** The free slots of the next `days` local days, counting the places taken (appointment_slot primary key). */
  async availability(rooftopId: string, days: number, actor: AuthUser): Promise<AvailabilityDto> {
    actor.assertRooftop(rooftopId, 'Rooftop');
    const calendar = await this.calendarOf(this.db.manager, rooftopId);
    if (!calendar) throw new NotFoundError('Service calendar');
    const slots = await this.freeSlotsOf(this.db.manager, calendar.rules, rooftopId, days);
    return {
      rooftopId,
      timeZone: calendar.rules.timeZone,
      slots: slots.map((s) => ({
        start: s.start.toISOString(),
        end: s.end.toISOString(),
        localDate: s.localDate,
        localTime: s.localTime,
        free: s.free,
      })),
    };
  }

  async freeSlotsOf(
    m: EntityManager,
    rules: CalendarRules,
    rooftopId: string,
    days: number,
  ): Promise<FreeSlot[]> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + (days + 1) * 86_400_000);
    const rows: { slot_start: Date; taken: number }[] = await m.query(
      `SELECT slot_start, taken FROM appointment_slot WHERE rooftop_id = $1 AND slot_start >= $2 AND slot_start < $3`,
      [rooftopId, now, until],
    );
    return freeSlots(rules, now, days, new Map(rows.map((r) => [new Date(r.slot_start).getTime(), r.taken])));
  }

  /** The calendar with the rooftop's zone, or null when the rooftop has none. */
  async calendarOf(m: EntityManager, rooftopId: string): Promise<RooftopCalendar | null> {
    const [row]: {
      time_zone: string;
      name: string;
      opening_hours: CalendarRules['openingHours'];
      closed_dates: string[];
      slot_minutes: number;
      places_per_slot: number;
      lead_minutes: number;
      horizon_days: number;
      version: number;
    }[] = await m.query(
      `SELECT r.time_zone, r.name, c.opening_hours, array(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(c.closed_dates) d) AS closed_dates,
              c.slot_minutes, c.places_per_slot, c.lead_minutes, c.horizon_days, c.version
         FROM service_calendar c JOIN rooftop r ON r.id = c.rooftop_id WHERE c.rooftop_id = $1`,
      [rooftopId],
    );
    if (!row) return null;
    return {
      version: row.version,
      rooftopName: row.name,
      rules: {
        timeZone: row.time_zone,
        openingHours: row.opening_hours,
        closedDates: row.closed_dates,
        slotMinutes: row.slot_minutes,
        placesPerSlot: row.places_per_slot,
        leadMinutes: row.lead_minutes,
        horizonDays: row.horizon_days,
      },
    };
  }

  private toDto(rooftopId: string, calendar: RooftopCalendar): ServiceCalendarDto {
    const { rules } = calendar;
    return {
      rooftopId,
      timeZone: rules.timeZone,
      openingHours: WEEKDAYS.flatMap((d) =>
        (rules.openingHours[d] ?? []).map((i) => ({ weekday: Number(d), open: i.open, close: i.close })),
      ),
      closedDates: rules.closedDates,
      slotMinutes: rules.slotMinutes,
      placesPerSlot: rules.placesPerSlot,
      leadMinutes: rules.leadMinutes,
      horizonDays: rules.horizonDays,
      version: calendar.version,
    };
  }
}

/** Opening intervals by weekday: each closes after it opens, and none overlaps another of its day (400). */
function openingHoursOf(dto: PutServiceCalendarDto): Partial<Record<Weekday, OpeningInterval[]>> {
  const errors: FieldError[] = [];
  const minutes = (hhmm: string) => {
    const t = parseHhmm(hhmm)!;
    return t.hour * 60 + t.minute;
  };
  dto.openingHours.forEach((i, n) => {
    if (minutes(i.close) <= minutes(i.open))
      errors.push({ field: `openingHours.${n}.close`, message: 'close must be after open' });
  });
  const byDay: Partial<Record<Weekday, OpeningInterval[]>> = {};
  for (const i of dto.openingHours) {
    const day = String(i.weekday) as Weekday;
    (byDay[day] ??= []).push({ open: i.open, close: i.close });
  }
  for (const [day, intervals] of Object.entries(byDay)) {
    intervals.sort((a, b) => minutes(a.open) - minutes(b.open));
    for (let k = 1; k < intervals.length; k += 1) {
      if (minutes(intervals[k].open) < minutes(intervals[k - 1].close))
        errors.push({ field: 'openingHours', message: `intervals of weekday ${day} overlap` });
    }
  }
  if (errors.length) throw new ValidationFailedError(errors);
  return byDay;
}
