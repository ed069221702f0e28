import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsRepository } from './analytics.repository';
import { AnalyticsService } from './analytics.service';
import { CustomerRiskJob } from './customer-risk.job';
import { registerDashboardRoutes } from './dashboard/dashboard.routes';

/** Retention analytics API and the manager dashboard page (GET /dashboard). */
@Module({
  controllers: [AnalyticsController],
  providers: [AnalyticsService, AnalyticsRepository, CustomerRiskJob],
})
export class AnalyticsModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit() {
    // The CLI runs an application context without HTTP: nothing to register then.
    const adapter = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    if (adapter) registerDashboardRoutes(adapter.getInstance<FastifyInstance>());
  }
}
