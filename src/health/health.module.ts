import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { HealthController } from './health.controller';
import { registerRootRoute } from './root.routes';

/** Liveness and readiness (/api/v1/health), and the landing route at / for people who open the bare address. */
@Module({ controllers: [HealthController] })
export class HealthModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit() {
    // The CLI runs an application context without HTTP: nothing to register then.
    const adapter = this.adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    if (adapter) registerRootRoute(adapter.getInstance<FastifyInstance>());
  }
}
