import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { DomainError, NotFoundError, UnprocessableError } from '../common/problem/domain-error';
import type { Language } from '../config/app-config';
import { localizedItemName } from '../maintenance-catalogue/item-names';
import { Appointment } from './appointment.entity';
import { AppointmentsService } from './appointments.service';
import { changeableUntilLead } from './availability-rules';
import { BookingClaims, BookingLinkService } from './booking-links.provider';
import { BookingPageModel } from './booking-page';
import { BookingActionDto } from './dto/booking-page.dto';
import { ServiceCalendarService } from './service-calendar.service';

const PAGE_DAYS = 14;
const MORE_ITEMS = 12;

export interface BookingOutcome {
  outcome: 'booked' | 'cancelled';
  appointment: Appointment;
  language: Language;
  timeZone: string;
  rooftopName: string;
}

/**
 * The customer's side of a booking link: the page (free slots of the next 14 days, items, note), and booking,
 * moving or cancelling — until the lead time — the appointment the link booked.
 */
@Injectable()
export class BookingPageService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly links: BookingLinkService,
    private readonly calendars: ServiceCalendarService,
    private readonly appointments: AppointmentsService,
  ) {}

  /** The link's language, for pages about a link that no longer works. */
  languageOf(token: string): Language {
    return this.links.verify(token)?.l ?? 'en';
  }

  async view(token: string): Promise<BookingPageModel> {
    const claims = await this.claimsOf(this.db.manager, token);
    return this.model(this.db.manager, token, claims);
  }

  async model(m: EntityManager, token: string, claims: BookingClaims): Promise<BookingPageModel> {
    const calendar = await this.appointments.calendarFor(m, claims.r);
    const [rooftop]: { phone: string }[] = await m.query(`SELECT phone FROM rooftop WHERE id = $1`, [
      claims.r,
    ]);
    const slots = await this.calendars.freeSlotsOf(m, calendar.rules, claims.r, PAGE_DAYS);
    const current = await this.currentAppointment(m, claims, false);
    return {
      language: claims.l,
      rooftopName: calendar.rooftopName,
      rooftopPhone: rooftop.phone,
      timeZone: calendar.rules.timeZone,
      action: `/api/v1/book/${encodeURIComponent(token)}`,
      slots,
      items: await this.items(m, claims),
      appointment: current
        ? {
            slotStart: current.slotStart,
            changeable: changeableUntilLead(calendar.rules, this.clock.now(), current.slotStart),
          }
        : null,
    };
  }

  async act(token: string, dto: BookingActionDto): Promise<BookingOutcome> {
    return this.db.transaction(async (m) => {
      const claims = await this.claimsOf(m, token);
      const calendar = await this.appointments.calendarFor(m, claims.r);
      const done = (outcome: BookingOutcome['outcome'], appointment: Appointment): BookingOutcome => ({
        outcome,
        appointment,
        language: claims.l,
        timeZone: calendar.rules.timeZone,
        rooftopName: calendar.rooftopName,
      });
      const current = await this.currentAppointment(m, claims, true);
      if (dto.action === 'book') {
        if (current)
          throw new DomainError(
            409,
            'already_booked',
            'This link already booked an appointment; move or cancel it',
          );
        const appointment = await this.appointments.bookIn(m, {
          rooftopId: claims.r,
          customerId: claims.c,
          vehicleId: claims.v,
          advisorId: null,
          slotStart: new Date(dto.slotStart!),
          itemCodes: [...new Set(dto.itemCodes ?? [])],
          note: dto.note ?? null,
          source: 'online',
          language: claims.l,
          originMessageId: claims.m,
          originKind: claims.mk,
          bookedBy: null,
        });
        await this.appointments.afterChange(m, appointment, 'booked');
        return done('booked', appointment);
      }
      if (!current) throw new NotFoundError('Appointment');
      if (!changeableUntilLead(calendar.rules, this.clock.now(), current.slotStart))
        throw new UnprocessableError(
          'too_late',
          'The appointment is inside the lead time: call the workshop',
        );
      if (dto.action === 'reschedule') {
        const before = current.version;
        const moved = await this.appointments.rescheduleIn(m, current, new Date(dto.slotStart!));
        if (moved.version !== before) await this.appointments.afterChange(m, moved, 'rescheduled');
        return done('booked', moved);
      }
      const cancelled = await this.appointments.cancelIn(m, current, 'Cancelled by the customer online');
      await this.appointments.afterChange(m, cancelled, 'cancelled');
      return done('cancelled', cancelled);
    });
  }

  private async claimsOf(m: EntityManager, token: string): Promise<BookingClaims> {
    const claims = this.links.verify(token);
    if (!claims) throw new NotFoundError('Booking link');
    const [customer]: unknown[] = await m.query(
      `SELECT 1 FROM customer WHERE id = $1 AND erased_at IS NULL`,
      [claims.c],
    );
    if (!customer) throw new NotFoundError('Booking link');
    return claims;
  }

  /** The appointment this customer has standing at the rooftop for the link's vehicle (locked when acting). */
  private async currentAppointment(
    m: EntityManager,
    claims: BookingClaims,
    lock: boolean,
  ): Promise<Appointment | null> {
    const [row]: { id: string }[] = await m.query(
      `SELECT id FROM appointment
        WHERE customer_id = $1 AND rooftop_id = $2 AND vehicle_id IS NOT DISTINCT FROM $3
          AND state = 'booked' AND slot_start > $4
        ORDER BY slot_start LIMIT 1`,
      [claims.c, claims.r, claims.v, this.clock.now()],
    );
    if (!row) return null;
    return m.findOne(Appointment, {
      where: { id: row.id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
  }

  /** The suggested items, ticked, then other active catalogue items to choose from; names in the link's language. */
  private async items(m: EntityManager, claims: BookingClaims): Promise<BookingPageModel['items']> {
    const rows: { code: string; name: string }[] = await m.query(
      `SELECT code, name FROM maintenance_item WHERE active ORDER BY code <> ALL($1::text[]), code LIMIT $2`,
      [claims.i, claims.i.length + MORE_ITEMS],
    );
    return rows.map((r) => ({
      code: r.code,
      name: localizedItemName(r.code, r.name)[claims.l],
      checked: claims.i.includes(r.code),
    }));
  }
}
