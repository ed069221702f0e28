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
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
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
  @ApiOperation({
    summary: 'Log a service visit with its lines and declined work; with `close` it is closed at once',
  })
  @ApiNotFoundResponse({ description: 'rooftopId, vehicleId or advisorId names a record you cannot see' })
  @ApiConflictResponse({ description: 'This RO number is already logged at the rooftop' })
  @ApiUnprocessableEntityResponse({
    description:
      'An item code is not an active catalogue item, the advisor is not a user of the rooftop, the odometer is implausible (when closing), or the Idempotency-Key was used with a different body',
  })
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
  @ApiOperation({ summary: 'List service visits by vehicle, customer, rooftop, period or status, paged' })
  list(@Query() query: ListServiceVisitsQueryDto, @CurrentUser() actor: AuthUser) {
    return this.visits.list(query, actor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a service visit with its lines and totals' })
  get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() actor: AuthUser) {
    return this.visits.get(id, actor);
  }

  @Post(':id/close')
  @NoBody()
  @HttpCode(200)
  @Roles('admin', 'manager', 'service_advisor')
  @ApiOperation({
    summary: 'Close a visit: records the odometer, totals the pay types, resets the maintenance it performed',
  })
  @ApiConflictResponse({ description: 'The visit is already closed, or voided' })
  @ApiUnprocessableEntityResponse({
    description: 'The visit’s odometer reading is implausible for the vehicle',
  })
  close(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() actor: AuthUser) {
    return this.visits.close(id, actor);
  }

  @Post(':id/void')
  @HttpCode(200)
  @Roles('admin', 'manager', 'service_advisor')
  @ApiOperation({ summary: 'Void a visit with a reason; what it reset and earned is reversed' })
  @ApiConflictResponse({ description: 'The visit is already voided' })
  void(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: VoidServiceVisitDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.visits.void(id, body, actor);
  }
}
