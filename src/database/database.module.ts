import { DynamicModule, Global, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OpenedDatabase } from './data-source';

export const OPENED_DATABASE = Symbol('OPENED_DATABASE');

@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  constructor(private readonly opened: OpenedDatabase) {}

  /** Close the pool first, then let go of the embedded PostgreSQL (stopped unless another process holds it). */
  async onApplicationShutdown() {
    if (this.opened.dataSource.isInitialized) await this.opened.dataSource.destroy();
    if (this.opened.cluster) {
      const stopped = await this.opened.cluster.stop();
      this.logger.log(
        stopped ? 'embedded PostgreSQL stopped' : 'embedded PostgreSQL left running for another process',
      );
    }
  }
}

/** Hands the already-opened DataSource (shared with the CLI) to @nestjs/typeorm. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(opened: OpenedDatabase): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => opened.dataSource.options,
          dataSourceFactory: async () => opened.dataSource,
        }),
      ],
      providers: [{ provide: DatabaseLifecycle, useFactory: () => new DatabaseLifecycle(opened) }],
    };
  }
}
