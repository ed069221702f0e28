import { APPOINTMENT_ENTITIES } from '../appointments/appointment.entities';
import { AuditEntry } from '../audit/audit-entry.entity';
import { CUSTOMER_ENTITIES } from '../customers/customer.entities';
import { ApiKey } from '../auth/api-key.entity';
import { ComplaintCase, ComplaintNote } from '../feedback/complaint-case.entity';
import { Survey } from '../feedback/survey.entity';
import { MaintenanceItemOverride } from '../maintenance-catalogue/maintenance-item-override.entity';
import { MaintenanceItem } from '../maintenance-catalogue/maintenance-item.entity';
import { Rooftop } from '../rooftops/rooftop.entity';
import { Task } from '../tasks/task.entity';
import { User } from '../users/user.entity';
import { OdometerReading } from '../vehicles/odometer-reading.entity';
import { VehicleOwnership } from '../vehicles/vehicle-ownership.entity';
import { Vehicle } from '../vehicles/vehicle.entity';
import { LOYALTY_ENTITIES } from '../loyalty-program/loyalty.entities';
import { MaintenancePerformed } from '../service-visits/maintenance-performed.entity';
import { ServiceVisitLine } from '../service-visits/service-visit-line.entity';
import { ServiceVisit } from '../service-visits/service-visit.entity';

/**
 * Every TypeORM entity, listed once so that the app, the CLI and the tests share one DataSource.
 * Add a module's entities here when the module lands.
 */
export const ENTITIES: Function[] = [Rooftop, User, ApiKey, AuditEntry, ...CUSTOMER_ENTITIES, Survey, ComplaintCase, ComplaintNote, Task, MaintenanceItem, MaintenanceItemOverride, Vehicle, VehicleOwnership, OdometerReading, ServiceVisit, ServiceVisitLine, MaintenancePerformed, ...LOYALTY_ENTITIES, ...APPOINTMENT_ENTITIES];
