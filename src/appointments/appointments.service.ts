import { HttpStatus, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser, notFoundIn } from '../auth/auth-user';
import { assertFiltersVisible } from '../auth/filter-ids';
import { Clock } from '../common/clock';
import { assertIdempotencyKey, requestHash } from '../common/http/idempotency-key';
import { Keyset, limitOf, Page } from '../common/http/pagination';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  PreconditionFailedError,
  UnprocessableError,
  ValidationFailedError,
} from '../common/problem/domain-error';
import { ServiceVisitsService } from '../service-visits/service-visits.service';
import { AppointmentChange, AppointmentMessages } from './appointment-messages';
import { Appointment, AppointmentSource } from './appointment.entity';
import { AppointmentSlots } from './appointment-slots';
import { refuseSlot, SlotRefusal } from './availability-rules';
import {
  AppointmentDto,
  BookAppointmentDto,
  CheckInAppointmentDto,
  ListAppointmentsQueryDto,
} from './dto/appointment.dto';
import { AppointmentIdempotency } from './idempotency';
import { RooftopCalendar, ServiceCalendarService } from './service-calendar.service';

/** What a booking needs, from the staff API or from the customer's signed link. */
export interface BookingInput {
  rooftopId: string;
  customerId: string;
  vehicleId: string | null;
  advisorId: string | null;
  slotStart: Date;
  itemCodes: string[];
  note: string | null;
  source: AppointmentSource;
  language: string;
  originMessageId?: string | null;
  originKind?: string | null;
  bookedBy: string | null;
}

const REFUSALS: Record<SlotRefusal, string> = {
  not_a_slot: 'slotStart is not the start of a slot of the service calendar',
  too_soon: 'slotStart is inside the lead time of the service calendar',
  beyond_horizon: 'slotStart is beyond the booking horizon of the service calendar',
};

/** Day lists in slot order: appointment_rooftop_start_idx (rooftop_id, slot_start, id). */
const APPOINTMENT_KEYS = new Keyset(
  [
    { sql: 'a.slot_start', type: 'timestamptz' },
    { sql: 'a.id', type: 'uuid' },
  ],
  'ASC',
);

/**
 * Service appointments: booking (a place taken in the slot's counter row, so never overbooked), reschedule,
 * cancel, check-in (opens the service visit through the service-visits module), no-show, lists.
 */
@Injectable()
export class AppointmentsService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly calendars: ServiceCalendarService,
    private readonly visits: ServiceVisitsService,
    private readonly messages: AppointmentMessages,
  ) {}

  /** What follows every booking, move and cancel, in its transaction: the customer's confirmation or cancellation. */
  async afterChange(m: EntityManager, appointment: Appointment, change: AppointmentChange): Promise<void> {
    await this.messages.changed(m, appointment, change, this.clock.now());
  }

  /** Staff booking (phone-in, walk-in). Salespeople may book only for the customers assigned to them. */
  async book(
    dto: BookAppointmentDto,
    actor: AuthUser,
    idempotencyKey?: string,
  ): Promise<{ appointment: AppointmentDto; replayed: boolean }> {
    if (idempotencyKey !== undefined) assertIdempotencyKey(idempotencyKey);
    await actor.assertUsableRooftop(this.db, dto.rooftopId, 'rooftopId');
    return this.db.transaction(async (m) => {
      if (idempotencyKey !== undefined) {
        const claim = await AppointmentIdempotency.claim(m, actor.id, idempotencyKey, requestHash(dto));
        if (claim.replay) return { appointment: claim.response as AppointmentDto, replayed: true };
      }
      const [customer]: {
        home_rooftop_id: string;
        language: string;
        assigned_salesperson_id: string | null;
      }[] = await m.query(
        `SELECT home_rooftop_id, language, assigned_salesperson_id FROM customer WHERE id = $1 AND erased_at IS NULL`,
        [dto.customerId],
      );
      actor.assertRooftopIn(customer?.home_rooftop_id, 'customerId', 'Customer');
      if (actor.role === 'salesperson' && customer.assigned_salesperson_id !== actor.id)
        throw new ForbiddenError('Salespeople may book only for the customers assigned to them');
      if (dto.vehicleId) await this.assertVehicle(m, dto.vehicleId, dto.customerId, actor);
      if (dto.advisorId) {
        const advisor = await AuthUser.namedUser(m, dto.advisorId);
        actor.assertColleague(advisor, dto.rooftopId, 'advisorId');
      }
      const appointment = await this.bookIn(m, {
        rooftopId: dto.rooftopId,
        customerId: dto.customerId,
        vehicleId: dto.vehicleId ?? null,
        advisorId: dto.advisorId ?? null,
        slotStart: new Date(dto.slotStart),
        itemCodes: [...new Set(dto.itemCodes ?? [])],
        note: dto.note ?? null,
        source: dto.source ?? 'phone',
        language: customer.language,
        bookedBy: actor.id,
      });
      await this.afterChange(m, appointment, 'booked');
      await this.audit.record(m, actor, {
        action: 'appointment.booked',
        entityType: 'appointment',
        entityId: appointment.id,
        rooftopId: appointment.rooftopId,
      });
      const view = toView(appointment);
      if (idempotencyKey !== undefined)
        await AppointmentIdempotency.complete(m, actor.id, idempotencyKey, appointment.id, view);
      return { appointment: view, replayed: false };
    });
  }

  /** Takes a place in the slot and writes the appointment, in the caller's transaction. */
  async bookIn(m: EntityManager, input: BookingInput): Promise<Appointment> {
    const calendar = await this.calendarFor(m, input.rooftopId);
    this.assertBookable(calendar, input.slotStart);
    await assertCatalogueItems(m, input.itemCodes);
    if (!(await AppointmentSlots.take(m, input.rooftopId, input.slotStart, calendar.rules.placesPerSlot)))
      throw slotFull();
    const slotEnd = new Date(input.slotStart.getTime() + calendar.rules.slotMinutes * 60_000);
    const row = m.create(Appointment, {
      ...input,
      originMessageId: input.originMessageId ?? null,
      originKind: input.originKind ?? null,
      slotEnd,
      // Business time, not the database's: the reminder job reads how far ahead the booking was made.
      createdAt: this.clock.now(),
      state: 'booked',
      icsSequence: 0,
      cancelReason: null,
      cancelledAt: null,
      checkedInAt: null,
      serviceVisitId: null,
      noShowAt: null,
    });
    return m.save(row);
  }

  /** Moves a booked appointment to another free slot (If-Match: the version read). */
  async reschedule(id: string, slotStart: Date, version: number, actor: AuthUser): Promise<AppointmentDto> {
    return this.db.transaction(async (m) => {
      const appointment = await this.lockVisible(m, id, actor);
      if (appointment.version !== version) throw new PreconditionFailedError(appointment.version);
      const moved = await this.rescheduleIn(m, appointment, slotStart);
      if (moved.version !== version) await this.afterChange(m, moved, 'rescheduled');
      await this.audit.record(m, actor, {
        action: 'appointment.rescheduled',
        entityType: 'appointment',
        entityId: id,
        rooftopId: appointment.rooftopId,
        fields: ['slotStart'],
      });
      return toView(moved);
    });
  }

  /**
   * Takes a place in the new slot and gives back the old one, the two counter rows touched in slot order so
   * that two appointments swapping slots cannot deadlock.
   */
  async rescheduleIn(m: EntityManager, appointment: Appointment, slotStart: Date): Promise<Appointment> {
    assertState(appointment, 'booked');
    if (appointment.slotStart.getTime() === slotStart.getTime()) return appointment;
    const calendar = await this.calendarFor(m, appointment.rooftopId);
    this.assertBookable(calendar, slotStart);
    const old = appointment.slotStart;
    const take = () =>
      AppointmentSlots.take(m, appointment.rooftopId, slotStart, calendar.rules.placesPerSlot);
    if (old < slotStart) {
      await AppointmentSlots.release(m, appointment.rooftopId, old);
      if (!(await take())) throw slotFull();
    } else {
      if (!(await take())) throw slotFull();
      await AppointmentSlots.release(m, appointment.rooftopId, old);
    }
    appointment.slotStart = slotStart;
    appointment.slotEnd = new Date(slotStart.getTime() + calendar.rules.slotMinutes * 60_000);
    appointment.icsSequence += 1;
    return m.save(appointment);
  }

  async cancel(id: string, reason: string, actor: AuthUser): Promise<AppointmentDto> {
    return this.db.transaction(async (m) => {
      const appointment = await this.lockVisible(m, id, actor);
      const cancelled = await this.cancelIn(m, appointment, reason);
      await this.afterChange(m, cancelled, 'cancelled');
      await this.audit.record(m, actor, {
        action: 'appointment.cancelled',
        entityType: 'appointment',
        entityId: id,
        rooftopId: appointment.rooftopId,
        reason,
      });
      return toView(cancelled);
    });
  }

  async cancelIn(m: EntityManager, appointment: Appointment, reason: string): Promise<Appointment> {
    assertState(appointment, 'booked');
    await AppointmentSlots.release(m, appointment.rooftopId, appointment.slotStart);
    appointment.state = 'cancelled';
    appointment.cancelReason = reason;
    appointment.cancelledAt = this.clock.now();
    appointment.icsSequence += 1;
    return m.save(appointment);
  }

  /**
   * Check-in at the desk opens the service visit of the appointment — its items as lines to confirm (no
   * amounts yet) — through the service-visits module, in the same transaction: both happen or neither. The
   * appointment row is locked first, so a double check-in waits and then answers 409 instead of opening a
   * second visit.
   */
  async checkIn(id: string, dto: CheckInAppointmentDto, actor: AuthUser): Promise<AppointmentDto> {
    return this.db.transaction(async (m) => {
      const appointment = await this.lockVisible(m, id, actor);
      assertState(appointment, 'booked');
      if (!appointment.vehicleId)
        throw new UnprocessableError(
          'vehicle_required',
          'The appointment names no vehicle to open a visit for',
        );
      const visit = await this.visits.openInTransaction(
        m,
        {
          rooftopId: appointment.rooftopId,
          vehicleId: appointment.vehicleId,
          roNumber: dto.roNumber,
          visitDate: this.clock.now().toISOString(),
          odometer: dto.odometer,
          ...(appointment.advisorId ? { advisorId: appointment.advisorId } : {}),
          lines: appointment.itemCodes.map((itemCode) => ({
            itemCode,
            labourAmount: 0,
            partsAmount: 0,
            payType: 'customer' as const,
          })),
        },
        actor,
      );
      appointment.state = 'checked_in';
      appointment.checkedInAt = this.clock.now();
      appointment.serviceVisitId = visit.id;
      const saved = await m.save(appointment);
      await this.audit.record(m, actor, {
        action: 'appointment.checked_in',
        entityType: 'appointment',
        entityId: id,
        rooftopId: appointment.rooftopId,
      });
      return toView(saved);
    });
  }

  /** Marks a booked appointment whose slot has begun as a no-show. */
  async noShow(id: string, actor: AuthUser | null, m?: EntityManager): Promise<AppointmentDto> {
    const run = async (tx: EntityManager) => {
      const appointment = actor
        ? await this.lockVisible(tx, id, actor)
        : await tx.findOneOrFail(Appointment, { where: { id }, lock: { mode: 'pessimistic_write' } });
      assertState(appointment, 'booked');
      const now = this.clock.now();
      if (now < appointment.slotStart)
        throw new ConflictError(
          'appointment_not_started',
          'An appointment is a no-show only once its slot began',
        );
      appointment.state = 'no_show';
      appointment.noShowAt = now;
      const saved = await tx.save(appointment);
      await this.audit.record(tx, actor, {
        action: 'appointment.no_show',
        entityType: 'appointment',
        entityId: id,
        rooftopId: appointment.rooftopId,
      });
      return toView(saved);
    };
    return m ? run(m) : this.db.transaction(run);
  }

  /** A closed visit completes the appointment that opened it (listener of 'service_visit.closed'). */
  async completeByVisit(m: EntityManager, visitId: string): Promise<void> {
    await m.query(
      `UPDATE appointment SET state = 'completed', version = version + 1, updated_at = now()
        WHERE service_visit_id = $1 AND state = 'checked_in'`,
      [visitId],
    );
  }

  async eraseCustomer(m: EntityManager, customerId: string): Promise<void> {
    await m.query(`UPDATE appointment SET note = NULL, cancel_reason = NULL WHERE customer_id = $1`, [
      customerId,
    ]);
  }

  async get(id: string, actor: AuthUser): Promise<AppointmentDto> {
    const appointment = await this.db.manager.findOne(Appointment, { where: { id } });
    if (!appointment || !actor.canSeeRooftop(appointment.rooftopId)) throw new NotFoundError('Appointment');
    return toView(appointment);
  }

  /** In slot order, scoped to the caller's rooftops; `date` is a local day of the rooftop. */
  async list(query: ListAppointmentsQueryDto, actor: AuthUser): Promise<Page<AppointmentDto>> {
    if (query.rooftopId) await actor.assertUsableRooftop(this.db, query.rooftopId, 'rooftopId');
    await assertFiltersVisible(this.db, actor, [
      { field: 'advisorId', kind: 'user', id: query.advisorId },
      { field: 'customerId', kind: 'customer', id: query.customerId },
    ]);
    if (query.date && !query.rooftopId)
      throw new ValidationFailedError([
        { field: 'date', message: 'date needs rooftopId (a day is local to it)' },
      ]);
    const limit = limitOf(query);
    const after = APPOINTMENT_KEYS.decode(query.cursor);
    const qb = this.db.getRepository(Appointment).createQueryBuilder('a');
    const scope = actor.rooftopScope();
    if (scope) qb.andWhere('a.rooftop_id = ANY(:scope)', { scope });
    if (query.rooftopId) qb.andWhere('a.rooftop_id = :rooftopId', { rooftopId: query.rooftopId });
    if (query.date) {
      const [rooftop]: { time_zone: string }[] = await this.db.query(
        `SELECT time_zone FROM rooftop WHERE id = $1`,
        [query.rooftopId],
      );
      const day = DateTime.fromISO(query.date, { zone: rooftop.time_zone });
      qb.andWhere('a.slot_start >= :from AND a.slot_start < :to', {
        from: day.toJSDate(),
        to: day.plus({ days: 1 }).toJSDate(),
      });
    }
    if (query.advisorId) qb.andWhere('a.advisor_id = :advisorId', { advisorId: query.advisorId });
    if (query.customerId) qb.andWhere('a.customer_id = :customerId', { customerId: query.customerId });
    if (query.state) qb.andWhere('a.state = :state', { state: query.state });
    const page = APPOINTMENT_KEYS.pageOf(
      await APPOINTMENT_KEYS.applyTo(qb, after, limit).getRawAndEntities(),
      limit,
    );
    return { items: page.items.map(toView), nextCursor: page.nextCursor };
  }

  async calendarFor(m: EntityManager, rooftopId: string): Promise<RooftopCalendar> {
    const calendar = await this.calendars.calendarOf(m, rooftopId);
    if (!calendar)
      throw new UnprocessableError('no_service_calendar', 'The rooftop has no service calendar yet', [
        { field: 'rooftopId', message: 'set the service calendar of this rooftop first' },
      ]);
    return calendar;
  }

  private assertBookable(calendar: RooftopCalendar, slotStart: Date): void {
    const refusal = refuseSlot(calendar.rules, this.clock.now(), slotStart);
    if (refusal)
      throw new UnprocessableError(refusal, REFUSALS[refusal], [
        { field: 'slotStart', message: REFUSALS[refusal] },
      ]);
  }

  private async assertVehicle(m: EntityManager, vehicleId: string, customerId: string, actor: AuthUser) {
    const [vehicle]: { rooftop_id: string; owner_id: string | null }[] = await m.query(
      `SELECT rooftop_id, owner_id FROM vehicle WHERE id = $1`,
      [vehicleId],
    );
    if (!vehicle) throw notFoundIn('vehicleId', 'Vehicle');
    actor.assertRooftopIn(vehicle.rooftop_id, 'vehicleId', 'Vehicle');
    if (vehicle.owner_id !== customerId)
      throw new UnprocessableError('vehicle_not_owned', 'The vehicle does not belong to the customer', [
        { field: 'vehicleId', message: 'vehicleId must be a vehicle the customer owns' },
      ]);
  }

  private async lockVisible(m: EntityManager, id: string, actor: AuthUser): Promise<Appointment> {
    const appointment = await m.findOne(Appointment, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!appointment || !actor.canSeeRooftop(appointment.rooftopId)) throw new NotFoundError('Appointment');
    return appointment;
  }
}

export function slotFull(): DomainError {
  return new DomainError(
    HttpStatus.CONFLICT,
    'slot_full',
    'Every place of this slot is taken; pick another',
    [{ field: 'slotStart', message: 'this slot is full' }],
  );
}

/** Booked items are active catalogue items, so that check-in can open the visit with them (422 naming itemCodes). */
async function assertCatalogueItems(m: EntityManager, codes: string[]): Promise<void> {
  if (codes.length === 0) return;
  const [{ known }]: { known: string[] }[] = await m.query(
    `SELECT coalesce(array_agg(code), '{}') AS known FROM maintenance_item WHERE code = ANY ($1::text[]) AND active`,
    [codes],
  );
  const unknown = codes.filter((c) => !known.includes(c));
  if (unknown.length > 0)
    throw new UnprocessableError('unknown_item', `Not in the maintenance catalogue: ${unknown.join(', ')}`, [
      {
        field: 'itemCodes',
        message: `itemCodes must be active catalogue items; unknown: ${unknown.join(', ')}`,
      },
    ]);
}

function assertState(appointment: Appointment, state: Appointment['state']): void {
  if (appointment.state !== state)
    throw new ConflictError(
      `appointment_${appointment.state}`,
      `The appointment is ${appointment.state.replace('_', ' ')}`,
      {
        state: appointment.state,
      },
    );
}

export function toView(a: Appointment): AppointmentDto {
  const { bookedBy: _b, originMessageId: _o, icsSequence: _s, ...rest } = a;
  return rest;
}
