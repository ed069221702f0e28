import { Module } from '@nestjs/common';
import { VehiclesModule } from '../vehicles/vehicles.module';
import { LogServiceVisit } from './log-service-visit.use-case';
import { ServiceVisitsController } from './service-visits.controller';
import { ServiceVisitsErasureListener } from './service-visits-erasure.listener';
import { ServiceVisitsService } from './service-visits.service';

/** Repair orders: log, close (odometer, maintenance performed, 'service_visit.closed'), void. */
@Module({
  imports: [VehiclesModule],
  controllers: [ServiceVisitsController],
  providers: [ServiceVisitsService, LogServiceVisit, ServiceVisitsErasureListener],
  exports: [ServiceVisitsService],
})
export class ServiceVisitsModule {}
