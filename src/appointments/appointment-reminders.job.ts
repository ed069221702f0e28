import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Job, JobResult } from '../jobs/job';
import { JobsService } from '../jobs/jobs.service';
import { AppointmentMessages } from './appointment-messages';
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
export class AppointmentRemindersJob implements Job, OnModuleInit {
  readonly name = 'appointment-reminders' as const;
  readonly exclusive = true;

  constructor(
    private readonly jobs: JobsService,
    private readonly db: DataSource,
    private readonly messages: AppointmentMessages,
  ) {}

  onModuleInit() {
    this.jobs.register(this);
  }

  async run(asOf: Date): Promise<JobResult> {
    return this.db.transaction(async (m) => {
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
      let dayBefore = 0;
      let twoHours = 0;
      for (const a of due) {
        const start = a.slotStart.getTime();
        const at = (hours: number) => new Date(Math.max(start - hours * HOUR, asOf.getTime()));
        // The day-before reminder only for an appointment booked more than a day ahead, and not in its last 2 hours.
        if (a.createdAt.getTime() <= start - 24 * HOUR && start - asOf.getTime() > 2 * HOUR)
          if (await this.messages.reminder(m, a, 'day_before', at(24))) dayBefore += 1;
        if (a.createdAt.getTime() <= start - 2 * HOUR)
          if (await this.messages.reminder(m, a, 'two_hours', at(2))) twoHours += 1;
      }
      return { appointments: due.length, dayBefore, twoHours };
    });
  }
}
