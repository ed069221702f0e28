import { MaintenancePerformed } from './maintenance-performed.entity';
import { ServiceVisitLine } from './service-visit-line.entity';
import { ServiceVisit } from './service-visit.entity';

/** This module's entities; the composition root (src/app.entities.ts) collects them. */
export const SERVICE_VISITS_ENTITIES: Function[] = [ServiceVisit, ServiceVisitLine, MaintenancePerformed];
