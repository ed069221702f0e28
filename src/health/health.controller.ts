import { Controller, Get, HttpStatus } from '@nestjs/common';
import { ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../auth/decorators';
import { DomainError } from '../common/problem/domain-error';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly db: DataSource) {}

  /** Liveness: the process answers. */
  @Get()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  live() {
    return { status: 'ok' };
  }

  /** Readiness: the database answers and no migration is pending. */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers and no migration is pending' })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer, or migrations are pending' })
  async ready() {
    try {
      await this.db.query('SELECT 1');
      const pending = await this.db.showMigrations();
      if (pending) throw new Error('migrations pending');
    } catch (e) {
      throw new DomainError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'not_ready',
        e instanceof Error && e.message === 'migrations pending'
          ? 'Migrations are pending'
          : 'The database does not answer',
      );
    }
    return { status: 'ready' };
  }
}
