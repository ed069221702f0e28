import { Module } from '@nestjs/common';
import { OdometerService } from './odometer.service';
import { VehiclesController } from './vehicles.controller';
import { VehiclesErasureListener } from './vehicles-erasure.listener';
import { VehiclesService } from './vehicles.service';

/** Vehicles, ownership history and odometer readings. OdometerService is shared with service visits. */
@Module({
  controllers: [VehiclesController],
  providers: [VehiclesService, OdometerService, VehiclesErasureListener],
  exports: [VehiclesService, OdometerService],
})
export class VehiclesModule {}
