import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import {
  CreateServiceVisitDto,
  ListServiceVisitsQueryDto,
  VoidServiceVisitDto,
} from './dto/service-visit.dto';
import { ServiceVisitsService } from './service-visits.service';
import { NoBody } from '../common/http/no-body';

/** Every role reads visits; creating, closing and voiding is for the service desk and managers (SPEC). */
@ApiTags('service-visits')
@ApiBearerAuth()
@Controller('service-visits')
export class ServiceVisitsController {
  constructor(private readonly visits: ServiceVisitsService) {}

  @Post()
  @Roles('admin', 'manager', 'service_advisor')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key + same body → the same response',
  })
  async create(
    @Body() body: CreateServiceVisitDto,
    @CurrentUser() actor: AuthUser,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { visit, replayed } = await this.visits.create(body, actor, idempotencyKey);
    if (replayed) void reply.header('idempotent-replayed', 'true');
    return visit;
  }

  @Get()
  list(@Query() query: ListServiceVisitsQueryDto, @CurrentUser() actor: AuthUser) {
    return this.visits.list(query, actor);
  }

  @Get(':id')
  get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() actor: AuthUser) {
    return this.visits.get(id, actor);
  }

  @Post(':id/close')
  @NoBody()
  @HttpCode(200)
  @Roles('admin', 'manager', 'service_advisor')
  close(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() actor: AuthUser) {
    return this.visits.close(id, actor);
  }

  @Post(':id/void')
  @HttpCode(200)
  @Roles('admin', 'manager', 'service_advisor')
  void(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: VoidServiceVisitDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.visits.void(id, body, actor);
  }
}
