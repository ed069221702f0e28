import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsISO8601, IsIn } from 'class-validator';
import { Roles } from '../auth/decorators';
import { Clock } from '../common/clock';
import { IsOptionalNotNull } from '../common/http/validators';
import { JOB_NAMES, type JobName } from './job';
import { JobsService } from './jobs.service';

export class RunJobDto {
  @ApiPropertyOptional({
    example: '2026-11-23T09:00:00Z',
    description: 'The instant the job treats as now; default: the current time',
  })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true })
  asOf?: string;
}

export class JobNameParam {
  @ApiProperty({ enum: JOB_NAMES })
  @IsIn(JOB_NAMES)
  name: JobName;
}

@ApiTags('jobs')
@ApiBearerAuth()
@Roles('admin')
@Controller('jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly clock: Clock,
  ) {}

  /** Runs a job now, "as of" the given instant (back-fills and tests). */
  @Post(':name/runs')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a scheduled job now, as of a given instant (back-fills and tests)' })
  @ApiConflictResponse({ description: 'The job is already running on another instance; try again shortly' })
  run(@Param() params: JobNameParam, @Body() body: RunJobDto) {
    return this.jobs.run(params.name, body.asOf ? new Date(body.asOf) : this.clock.now());
  }
}
