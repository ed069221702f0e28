import { MaintenanceItemOverride } from './maintenance-item-override.entity';
import { MaintenanceItem } from './maintenance-item.entity';

/** This module's entities; the composition root (src/app.entities.ts) collects them. */
export const MAINTENANCE_CATALOGUE_ENTITIES: Function[] = [MaintenanceItem, MaintenanceItemOverride];
