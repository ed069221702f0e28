import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { JobResult } from '../jobs/job';
import { nextWindowStart } from '../messaging/sending-rules';
import { AppointmentPlannerJob } from './appointment-planner.job';
import { Appointment } from './appointment.entity';

const HOUR = 3_600_000;
/** How far ahead a run plans: an appointment within this window gets its reminders queued for their instants. */
const LOOKAHEAD_MS = 26 * HOUR;

/**
 * Job `appointment-reminders`: for each booked appointment starting within the next 26 hours, queues the reminder
 * the day before (24 h ahead, when it was booked earlier than that) and two hours before, each at its instant (the
 * dispatcher sends it then). Dedupe keys carry the invite's sequence, so a re-run or a second instance queues
 * nothing new and a moved appointment is reminded of its new time (the old reminders are cancelled on the move).
 * Served by appointment_booked_start_idx.
 */
@Injectable()
export class AppointmentRemindersJob extends AppointmentPlannerJob {
  readonly name = 'appointment-reminders' as const;

  protected async plan(m: EntityManager, asOf: Date): Promise<JobResult> {
    const due = await m
      .getRepository(Appointment)
      .createQueryBuilder('a')
      .where(`a.state = 'booked' AND a.slot_start > :asOf AND a.slot_start <= :until`, {
        asOf,
        until: new Date(asOf.getTime() + LOOKAHEAD_MS),
      })
      .orderBy('a.slot_start')
      .addOrderBy('a.id')
      .getMany();
    const windows = new Map<
      string,
      { time_zone: string; send_window_start: string; send_window_end: string }
    >(
      (
        await m.query(
          `SELECT id, time_zone, send_window_start, send_window_end FROM rooftop WHERE id = ANY ($1::uuid[])`,
          [[...new Set(due.map((a) => a.rooftopId))]],
        )
      ).map((r: { id: string; time_zone: string; send_window_start: string; send_window_end: string }) => [
        r.id,
        r,
      ]),
    );
    let dayBefore = 0;
    let twoHours = 0;
    for (const a of due) {
      const start = a.slotStart.getTime();
      const at = (hours: number) => new Date(Math.max(start - hours * HOUR, asOf.getTime()));
      // The day-before reminder only for an appointment booked more than a day ahead, and not in its last 2 hours.
      if (a.createdAt.getTime() <= start - 24 * HOUR && start - asOf.getTime() > 2 * HOUR)
        if (await this.messages.reminder(m, a, 'day_before', at(24))) dayBefore += 1;
      // Not when the rooftop's quiet hours would hold it until less than an hour before the slot (an 08:00 slot's
      // reminder at 06:00 would go out at opening time): the day-before reminder has it covered.
      const w = windows.get(a.rooftopId)!;
      const opens = nextWindowStart(at(2), w.time_zone, w.send_window_start, w.send_window_end);
      const heldTooLong = opens !== null && opens.getTime() > start - HOUR;
      if (a.createdAt.getTime() <= start - 2 * HOUR && !heldTooLong)
        if (await this.messages.reminder(m, a, 'two_hours', at(2))) twoHours += 1;
    }
    return { appointments: due.length, dayBefore, twoHours };
  }
}
