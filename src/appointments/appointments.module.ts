import { Module, OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../common/domain-events';
import { ServiceVisitsModule } from '../service-visits/service-visits.module';
import { AppointmentAnalyticsController } from './appointment-analytics.controller';
import { AppointmentAnalyticsService } from './appointment-analytics.service';
import { AppointmentMessages } from './appointment-messages';
import { AppointmentNoShowsJob } from './appointment-no-shows.job';
import { AppointmentReminderRule } from './appointment-reminder.rule';
import { AppointmentRemindersJob } from './appointment-reminders.job';
import { AppointmentsController } from './appointments.controller';
import { BookingLinkService } from './booking-links.provider';
import { BookingPageController } from './booking-page.controller';
import { BookingPageService } from './booking-page.service';
import { AppointmentsService } from './appointments.service';
import { ServiceCalendarController } from './service-calendar.controller';
import { ServiceCalendarService } from './service-calendar.service';

/** Service appointments: the calendar per rooftop, availability, booking, check-in (SPEC "Service appointments"). */
@Module({
  imports: [ServiceVisitsModule],
  controllers: [
    ServiceCalendarController,
    AppointmentsController,
    BookingPageController,
    AppointmentAnalyticsController,
  ],
  providers: [
    ServiceCalendarService,
    AppointmentsService,
    AppointmentMessages,
    BookingLinkService,
    BookingPageService,
    AppointmentRemindersJob,
    AppointmentNoShowsJob,
    AppointmentAnalyticsService,
    AppointmentReminderRule,
  ],
  exports: [AppointmentsService, ServiceCalendarService],
})
export class AppointmentsModule implements OnModuleInit {
  constructor(
    private readonly events: DomainEvents,
    private readonly appointments: AppointmentsService,
  ) {}

  /** Closing the visit a check-in opened completes the appointment, in the closing transaction. */
  onModuleInit() {
    this.events.on('service_visit.closed', (m, e) => this.appointments.completeByVisit(m, e.visitId));
    // Erasure blanks the free text the customer wrote on their appointments.
    this.events.on('customer.erased', (m, e) => this.appointments.eraseCustomer(m, e.customerId));
  }
}
