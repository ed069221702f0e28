import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { MaintenanceDueService } from '../service-reminders/maintenance-due.service';
import { isServicedOnTime, localDate } from './loyalty-rules';

/**
 * "Serviced on time" for the visit bonus: an item the visit performed was, on the visit's own date and
 * ignoring what this visit itself performed, between its due_soon date (inclusive) and its overdue date
 * (exclusive) — i.e. in stage due_soon or due — in the rooftop's local calendar (contract C2). The visit's
 * date, not when it was logged: a late entry is judged by the day the car was in the workshop, with the
 * readings known up to that day (the visit's own odometer among them).
 */
@Injectable()
export class OnTimeServiceCheck {
  constructor(private readonly due: MaintenanceDueService) {}

  /** The code of the first item serviced on time, or null. */
  async servicedOnTime(
    manager: EntityManager,
    /** itemCodes: what the visit performed (the close's event carries them). */
    visit: { visitId: string; vehicleId: string; rooftopId: string; visitDate: Date; itemCodes: string[] },
  ): Promise<string | null> {
    const performed = visit.itemCodes;
    if (performed.length === 0) return null;
    const codes = new Set(performed);
    const due = await this.due.dueForVehicle(visit.vehicleId, visit.visitDate, {
      manager,
      ignoreVisitId: visit.visitId,
    });
    const servicedOn = localDate(visit.visitDate, due.timeZone);
    for (const item of due.items) {
      if (!codes.has(item.itemCode) || !item.dueSoonDate || !item.overdueDate) continue;
      if (isServicedOnTime(servicedOn, item.dueSoonDate, item.overdueDate)) return item.itemCode;
    }
    return null;
  }
}
