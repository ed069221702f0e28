import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { OptionalIdempotencyKey } from '../common/http/idempotency-key';
import { etag, IfMatchVersion } from '../common/http/if-match';
import { NoBody } from '../common/http/no-body';
import { AppointmentsService } from './appointments.service';
import {
  AppointmentDto,
  AppointmentIdParam,
  AppointmentPageDto,
  BookAppointmentDto,
  CancelAppointmentDto,
  CheckInAppointmentDto,
  ListAppointmentsQueryDto,
  RescheduleAppointmentDto,
} from './dto/appointment.dto';

const DESK = ['admin', 'manager', 'service_advisor'] as const;

/** Staff API: the service desk and managers manage appointments; salespeople may book for their customers. */
@ApiTags('appointments')
@ApiBearerAuth()
@Controller('appointments')
export class AppointmentsController {
  constructor(private readonly appointments: AppointmentsService) {}

  @Post()
  @ApiOperation({ summary: 'Book a slot for a customer (phone-in, walk-in)' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key + same body → the same answer',
  })
  @ApiCreatedResponse({ type: AppointmentDto })
  @ApiConflictResponse({ description: 'slot_full: every place of the slot is taken' })
  @ApiUnprocessableEntityResponse({
    description: 'not_a_slot, too_soon, beyond_horizon, no_service_calendar',
  })
  async book(
    @Body() body: BookAppointmentDto,
    @OptionalIdempotencyKey() idempotencyKey: string | undefined,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { appointment, replayed } = await this.appointments.book(body, actor, idempotencyKey);
    if (replayed) void reply.header('idempotent-replayed', 'true');
    void reply.header('etag', etag(appointment.version));
    return appointment;
  }

  @Get()
  @ApiOperation({ summary: 'Appointments in slot order, by day, advisor, customer and state' })
  @ApiOkResponse({ type: AppointmentPageDto })
  list(@Query() query: ListAppointmentsQueryDto, @CurrentUser() actor: AuthUser) {
    return this.appointments.list(query, actor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One appointment' })
  @ApiOkResponse({ type: AppointmentDto })
  async get(
    @Param() params: AppointmentIdParam,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const appointment = await this.appointments.get(params.id, actor);
    void reply.header('etag', etag(appointment.version));
    return appointment;
  }

  @Post(':id/reschedule')
  @HttpCode(200)
  @Roles(...DESK)
  @ApiOperation({ summary: 'Move a booked appointment to another free slot (If-Match)' })
  @ApiHeader({ name: 'If-Match', required: true, description: 'The version you read, e.g. "3"' })
  @ApiOkResponse({ type: AppointmentDto })
  @ApiConflictResponse({ description: 'slot_full, or the appointment is no longer booked' })
  async reschedule(
    @Param() params: AppointmentIdParam,
    @Body() body: RescheduleAppointmentDto,
    @IfMatchVersion() version: number,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const appointment = await this.appointments.reschedule(
      params.id,
      new Date(body.slotStart),
      version,
      actor,
    );
    void reply.header('etag', etag(appointment.version));
    return appointment;
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles(...DESK)
  @ApiOperation({ summary: 'Cancel a booked appointment with a reason; its place is free again' })
  @ApiOkResponse({ type: AppointmentDto })
  @ApiConflictResponse({ description: 'The appointment is no longer booked' })
  cancel(
    @Param() params: AppointmentIdParam,
    @Body() body: CancelAppointmentDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.appointments.cancel(params.id, body.reason, actor);
  }

  @Post(':id/check-in')
  @HttpCode(200)
  @Roles(...DESK)
  @ApiOperation({ summary: 'Check the customer in: opens the service visit with the booked items as lines' })
  @ApiOkResponse({ type: AppointmentDto })
  @ApiConflictResponse({ description: 'The appointment is not booked, or the RO number is taken' })
  checkIn(
    @Param() params: AppointmentIdParam,
    @Body() body: CheckInAppointmentDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.appointments.checkIn(params.id, body, actor);
  }

  @Post(':id/no-show')
  @NoBody()
  @HttpCode(200)
  @Roles(...DESK)
  @ApiOperation({ summary: 'Mark a booked appointment whose slot began as a no-show' })
  @ApiOkResponse({ type: AppointmentDto })
  @ApiConflictResponse({ description: 'Not booked, or its slot has not begun' })
  noShow(@Param() params: AppointmentIdParam, @CurrentUser() actor: AuthUser) {
    return this.appointments.noShow(params.id, actor);
  }
}
