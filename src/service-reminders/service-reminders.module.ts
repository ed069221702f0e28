import { Module } from '@nestjs/common';
import { MaintenanceDueController } from './maintenance-due.controller';
import { MaintenanceDueService } from './maintenance-due.service';
import { ServiceRemindersListener } from './service-reminders.listener';
import { ServiceRemindersPlanner } from './service-reminders.planner';
import { ServiceRemindersRepository } from './service-reminders.repository';

/** When maintenance is due (per vehicle and fleet-wide) and the `service-reminders` planner job. */
@Module({
  controllers: [MaintenanceDueController],
  providers: [
    MaintenanceDueService,
    ServiceRemindersRepository,
    ServiceRemindersPlanner,
    ServiceRemindersListener,
  ],
  exports: [MaintenanceDueService],
})
export class ServiceRemindersModule {}
