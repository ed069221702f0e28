import { Module } from '@nestjs/common';
import { OdometerService } from './odometer.service';
import { VehiclesController } from './vehicles.controller';
import { VehiclesService } from './vehicles.service';

/** Vehicles, ownership history and odometer readings. OdometerService is shared with service visits. */
@Module({
  controllers: [VehiclesController],
  providers: [VehiclesService, OdometerService],
  exports: [VehiclesService, OdometerService],
})
export class VehiclesModule {}
