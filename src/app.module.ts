import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AnalyticsModule } from './analytics/analytics.module';
import { AppointmentsModule } from './appointments/appointments.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { CustomersModule } from './customers/customers.module';
import { Clock } from './common/clock';
import { ClockModule } from './common/clock.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { OpenedDatabase } from './database/data-source';
import { DatabaseModule } from './database/database.module';
import { FeedbackModule } from './feedback/feedback.module';
import { FollowUpsModule } from './follow-ups/follow-ups.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { MaintenanceCatalogueModule } from './maintenance-catalogue/maintenance-catalogue.module';
import { ServiceRemindersModule } from './service-reminders/service-reminders.module';
import { LoyaltyProgramModule } from './loyalty-program/loyalty-program.module';
import { MessagingModule } from './messaging/messaging.module';
import { RooftopsModule } from './rooftops/rooftops.module';
import { TasksModule } from './tasks/tasks.module';
import { UsersModule } from './users/users.module';
import { ServiceVisitsModule } from './service-visits/service-visits.module';
import { VehiclesModule } from './vehicles/vehicles.module';

export interface AppRuntime {
  config: AppConfig;
  database: OpenedDatabase;
  clock?: Clock;
}

/** The product's modules; the folder tree under src/ mirrors this list. */
export const FEATURE_MODULES = [
  CommonModule,
  AuditModule,
  AuthModule,
  UsersModule,
  RooftopsModule,
  CustomersModule,
  HealthModule,
  JobsModule,
  MessagingModule,
  MaintenanceCatalogueModule,
  ServiceRemindersModule,
  VehiclesModule,
  ServiceVisitsModule,
  LoyaltyProgramModule,
  TasksModule,
  FollowUpsModule,
  FeedbackModule,
  AnalyticsModule,
  AppointmentsModule,
];

@Module({})
export class AppModule {
  static forRoot(runtime: AppRuntime): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(runtime.config),
        ClockModule.forRoot(runtime.clock),
        DatabaseModule.forRoot(runtime.database),
        ScheduleModule.forRoot(),
        ...FEATURE_MODULES,
      ],
    };
  }
}
