import { OdometerReading } from './odometer-reading.entity';
import { VehicleOwnership } from './vehicle-ownership.entity';
import { Vehicle } from './vehicle.entity';

/** This module's entities; the composition root (src/app.entities.ts) collects them. */
export const VEHICLES_ENTITIES: Function[] = [Vehicle, VehicleOwnership, OdometerReading];
