import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SendingRules, type RuleMessage } from '../messaging/sending-rules';

/**
 * A reminder of an appointment that no longer stands — the customer checked in early, or it was marked a
 * no-show while the reminder waited for the sending window — is not sent. (A move or a cancel already cancels
 * the pending reminders; this catches what happens between planning and sending.)
 */
export async function staleReminderSuppression(
  manager: EntityManager,
  message: Pick<RuleMessage, 'kind' | 'payload'>,
): Promise<string | null> {
  if (message.kind !== 'appointment_reminder' || typeof message.payload.appointmentId !== 'string')
    return null;
  const [row]: { state: string }[] = await manager.query(`SELECT state FROM appointment WHERE id = $1`, [
    message.payload.appointmentId,
  ]);
  return row && row.state !== 'booked' ? `appointment_${row.state}` : null;
}

/** Registers the rule with messaging's SendingRules. */
@Injectable()
export class AppointmentReminderRule implements OnModuleInit {
  constructor(private readonly rules: SendingRules) {}

  onModuleInit() {
    this.rules.registerSuppression('stale_appointment_reminder', staleReminderSuppression);
  }
}
