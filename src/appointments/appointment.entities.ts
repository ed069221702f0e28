import { Appointment } from './appointment.entity';
import { ServiceCalendar } from './service-calendar.entity';

/** The appointments module's entities (the composition root collects them). */
export const APPOINTMENT_ENTITIES = [ServiceCalendar, Appointment];
