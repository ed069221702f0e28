import { APPOINTMENT_ENTITIES } from './appointments/appointment.entities';
import { AUDIT_ENTITIES } from './audit/audit.entities';
import { AUTH_ENTITIES } from './auth/auth.entities';
import { CUSTOMER_ENTITIES } from './customers/customer.entities';
import { FEEDBACK_ENTITIES } from './feedback/feedback.entities';
import { LOYALTY_ENTITIES } from './loyalty-program/loyalty.entities';
import { MAINTENANCE_CATALOGUE_ENTITIES } from './maintenance-catalogue/maintenance-catalogue.entities';
import { ROOFTOPS_ENTITIES } from './rooftops/rooftops.entities';
import { SERVICE_VISITS_ENTITIES } from './service-visits/service-visits.entities';
import { TASKS_ENTITIES } from './tasks/tasks.entities';
import { USERS_ENTITIES } from './users/users.entities';
import { VEHICLES_ENTITIES } from './vehicles/vehicles.entities';

/**
 * The composition root's list of TypeORM entities: each module exports its own (`<module>.entities.ts`)
 * and they are collected here, so that the app, the CLI and the tests share one DataSource
 * (src/database/data-source.ts). A new module adds its list here, next to FEATURE_MODULES.
 */
export const ENTITIES: Function[] = [
  ...ROOFTOPS_ENTITIES,
  ...USERS_ENTITIES,
  ...AUTH_ENTITIES,
  ...AUDIT_ENTITIES,
  ...CUSTOMER_ENTITIES,
  ...FEEDBACK_ENTITIES,
  ...TASKS_ENTITIES,
  ...MAINTENANCE_CATALOGUE_ENTITIES,
  ...VEHICLES_ENTITIES,
  ...SERVICE_VISITS_ENTITIES,
  ...LOYALTY_ENTITIES,
  ...APPOINTMENT_ENTITIES,
];
