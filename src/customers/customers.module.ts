import { Module } from '@nestjs/common';
import { Customer360Service } from './customer-360.service';
import { CustomerConsentsService } from './customer-consents.service';
import { CustomerCsvController } from './customer-csv.controller';
import { CustomerExportService } from './customer-export.service';
import { CustomerImportService } from './customer-import.service';
import { CustomerImportRepository } from './customer-import.repository';
import { CustomerSearchRepository } from './customer-search.repository';
import { CustomerTimelineController } from './customer-timeline.controller';
import { ConsentsService } from './consents.service';
import { CustomersController } from './customers.controller';
import { CustomersService } from './customers.service';
import { ContactPointsService } from './contact-points.service';
import { EmailBouncingService } from './email-bouncing.service';
import { InteractionsService } from './interactions.service';

/** Customers, consents, the CRM timeline, erasure, the 360 view and CSV import/export. */
@Module({
  controllers: [CustomerCsvController, CustomersController, CustomerTimelineController],
  providers: [
    CustomersService,
    CustomerSearchRepository,
    ConsentsService,
    CustomerConsentsService,
    InteractionsService,
    Customer360Service,
    CustomerImportService,
    CustomerImportRepository,
    CustomerExportService,
    EmailBouncingService,
    ContactPointsService,
  ],
  exports: [
    CustomersService,
    ConsentsService,
    Customer360Service,
    InteractionsService,
    CustomerImportService,
    EmailBouncingService,
    ContactPointsService,
  ],
})
export class CustomersModule {}
