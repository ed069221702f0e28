import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { JobResult } from '../jobs/job';
import { AppointmentPlannerJob } from './appointment-planner.job';
import { Appointment } from './appointment.entity';

/** SPEC: no check-in 30 minutes after the slot ends → no-show. */
const GRACE_MS = 30 * 60_000;

/**
 * Job `appointment-no-shows`: marks every booked appointment without a check-in 30 minutes after its slot ended as
 * a no-show (one conditional UPDATE, so a second instance or a re-run finds nothing left) and queues the customer's
 * follow-up with a link to book again.
 */
@Injectable()
export class AppointmentNoShowsJob extends AppointmentPlannerJob {
  readonly name = 'appointment-no-shows' as const;

  protected async plan(m: EntityManager, asOf: Date): Promise<JobResult> {
    const [rows]: [{ id: string }[], number] = await m.query(
      `UPDATE appointment SET state = 'no_show', no_show_at = $1, version = version + 1, updated_at = now()
          WHERE state = 'booked' AND slot_end <= $2 RETURNING id`,
      [asOf, new Date(asOf.getTime() - GRACE_MS)],
    );
    let followUps = 0;
    for (const { id } of rows) {
      const a = await m.findOneByOrFail(Appointment, { id });
      if (await this.messages.noShow(m, a, asOf)) followUps += 1;
    }
    return { noShows: rows.length, followUps };
  }
}
