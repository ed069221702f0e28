import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { OutboxService } from '../messaging/outbox.service';
import { localizedItemName } from '../maintenance-catalogue/item-names';
import { Appointment } from './appointment.entity';
import { buildInvite } from './calendar-invite';

export type AppointmentChange = 'booked' | 'rescheduled' | 'cancelled';
export type ReminderStage = 'day_before' | 'two_hours';

interface Context {
  rooftop_name: string;
  address: string;
  sender_email: string | null;
  vehicle: { make: string; model: string } | null;
  items: { code: string; names: { en: string; km: string; lo: string } }[];
}

/**
 * The customer's emails about an appointment, written to the outbox in the transaction of what caused them:
 * the confirmation (with its calendar invite: one UID per appointment, SEQUENCE raised on each change, METHOD
 * CANCEL on cancel), the reminders, the no-show follow-up. Dedupe keys make each at most once.
 */
@Injectable()
export class AppointmentMessages {
  constructor(
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
  ) {}

  async changed(m: EntityManager, a: Appointment, change: AppointmentChange, now: Date): Promise<void> {
    // A moved or cancelled appointment's reminders planned for the old time are void.
    if (change !== 'booked')
      await this.outbox.cancelPending(
        m,
        { customerId: a.customerId, kind: 'appointment_reminder', dedupeKeyPrefix: `appt:${a.id}:` },
        `appointment_${change}`,
      );
    // While the appointment stands, the reminders for its items pause: pending digests drop them now, and the
    // service-reminders planner skips items a booked appointment names.
    if (change !== 'cancelled' && a.vehicleId && a.itemCodes.length > 0)
      await this.outbox.removeDigestItems(
        m,
        {
          kind: 'service_reminder',
          vehicleId: a.vehicleId,
          itemCodes: a.itemCodes,
          customerId: a.customerId,
        },
        'appointment booked',
      );
    const context = await this.context(m, a);
    const method = change === 'cancelled' ? 'CANCEL' : 'REQUEST';
    const calendar = {
      method,
      content: buildInvite(
        {
          appointmentId: a.id,
          sequence: a.icsSequence,
          method,
          start: a.slotStart,
          end: a.slotEnd,
          title: `Service appointment — ${context.rooftop_name}`,
          location: `${context.rooftop_name}, ${context.address}`,
          description: context.items.map((i) => i.names.en).join(', ') || 'Service visit',
          organizer: { name: context.rooftop_name, email: context.sender_email ?? this.fromAddress() },
        },
        this.domain(),
      ),
    };
    await this.outbox.enqueue(m, {
      dedupeKey: `appt:${a.id}:${change === 'cancelled' ? 'cancel' : `confirm:${a.icsSequence}`}`,
      rooftopId: a.rooftopId,
      customerId: a.customerId,
      vehicleId: a.vehicleId,
      kind: change === 'cancelled' ? 'appointment_cancelled' : 'appointment_confirmation',
      purpose: 'transactional',
      payload: { ...this.payload(a, context), change, rescheduled: change === 'rescheduled', calendar },
      scheduledAt: now,
    });
  }

  async reminder(m: EntityManager, a: Appointment, stage: ReminderStage, at: Date): Promise<boolean> {
    const id = await this.outbox.enqueue(m, {
      dedupeKey: `appt:${a.id}:${a.icsSequence}:${stage}`,
      rooftopId: a.rooftopId,
      customerId: a.customerId,
      vehicleId: a.vehicleId,
      kind: 'appointment_reminder',
      purpose: 'transactional',
      payload: { ...this.payload(a, await this.context(m, a)), stage },
      scheduledAt: at,
    });
    return id !== null;
  }

  async noShow(m: EntityManager, a: Appointment, at: Date): Promise<boolean> {
    const id = await this.outbox.enqueue(m, {
      dedupeKey: `appt:${a.id}:no_show`,
      rooftopId: a.rooftopId,
      customerId: a.customerId,
      vehicleId: a.vehicleId,
      kind: 'appointment_no_show',
      purpose: 'service_reminders',
      payload: { ...this.payload(a, await this.context(m, a)), itemsToBook: a.itemCodes },
      scheduledAt: at,
    });
    return id !== null;
  }

  private payload(a: Appointment, context: Context): Record<string, unknown> {
    return {
      appointmentId: a.id,
      slotStart: a.slotStart.toISOString(),
      slotEnd: a.slotEnd.toISOString(),
      vehicleId: a.vehicleId,
      vehicle: context.vehicle,
      // itemCode per item, so that a booking link from this email suggests the same items again.
      items: context.items.map((i) => ({ itemCode: i.code, names: i.names, vehicleId: a.vehicleId })),
    };
  }

  private async context(m: EntityManager, a: Appointment): Promise<Context> {
    const [row]: Context[] = await m.query(
      `SELECT r.name AS rooftop_name, r.address, r.sender_email,
              (SELECT json_build_object('make', v.make, 'model', v.model) FROM vehicle v WHERE v.id = $2) AS vehicle,
              (SELECT coalesce(json_agg(json_build_object('code', mi.code, 'name', mi.name) ORDER BY mi.code), '[]')
                 FROM maintenance_item mi WHERE mi.code = ANY ($3::text[])) AS items
         FROM rooftop r WHERE r.id = $1`,
      [a.rooftopId, a.vehicleId, a.itemCodes],
    );
    const items = (row.items as unknown as { code: string; name: string }[]).map((i) => ({
      code: i.code,
      names: localizedItemName(i.code, i.name),
    }));
    return { ...row, items };
  }

  private fromAddress(): string {
    const match = /<([^>]+)>/.exec(this.config.MAIL_FROM);
    return (match ? match[1] : this.config.MAIL_FROM).trim();
  }

  private domain(): string {
    return new URL(this.config.publicBaseUrl).hostname;
  }
}
