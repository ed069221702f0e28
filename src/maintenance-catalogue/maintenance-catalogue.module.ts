import { Module } from '@nestjs/common';
import { MaintenanceCatalogueController } from './maintenance-catalogue.controller';
import { MaintenanceCatalogueService } from './maintenance-catalogue.service';

@Module({
  controllers: [MaintenanceCatalogueController],
  providers: [MaintenanceCatalogueService],
  exports: [MaintenanceCatalogueService],
})
export class MaintenanceCatalogueModule {}
