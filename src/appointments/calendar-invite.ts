import { createEvent } from 'ics';

export interface InviteInput {
  appointmentId: string;
  /** Raised on each reschedule and on cancel, so a calendar replaces the event it already has. */
  sequence: number;
  method: 'REQUEST' | 'CANCEL';
  start: Date;
  end: Date;
  title: string;
  location: string;
  description: string;
  organizer: { name: string; email: string };
}

/** The stable UID of an appointment's calendar event: the same on the confirmation, updates and cancellation. */
export function inviteUid(appointmentId: string, domain: string): string {
  return `appointment-${appointmentId}@${domain}`;
}

/** An iCalendar (RFC 5545) event for the appointment, as the `ics` package writes it. */
export function buildInvite(input: InviteInput, domain: string): string {
  const { error, value } = createEvent({
    productId: 'dealer-crm/appointments',
    method: input.method,
    uid: inviteUid(input.appointmentId, domain),
    sequence: input.sequence,
    start: input.start.getTime(),
    startInputType: 'utc',
    startOutputType: 'utc',
    end: input.end.getTime(),
    endInputType: 'utc',
    endOutputType: 'utc',
    title: input.title,
    location: input.location,
    description: input.description,
    status: input.method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED',
    organizer: input.organizer,
  });
  if (error || !value) throw error ?? new Error('the calendar invite could not be written');
  return value;
}
