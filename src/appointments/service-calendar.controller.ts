import { Body, Controller, Get, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { etag, OptionalIfMatch } from '../common/http/if-match';
import {
  AvailabilityDto,
  AvailabilityQueryDto,
  PutServiceCalendarDto,
  RooftopIdParam,
  ServiceCalendarDto,
} from './dto/service-calendar.dto';
import { ServiceCalendarService } from './service-calendar.service';

/** A rooftop's service calendar (managers edit it) and its free slots (every role reads them). */
@ApiTags('appointments')
@ApiBearerAuth()
@Controller('rooftops')
export class ServiceCalendarController {
  constructor(private readonly calendars: ServiceCalendarService) {}

  @Get(':id/service-calendar')
  @ApiOperation({
    summary: "The rooftop's service calendar: opening hours (local), closed dates, slots, places",
  })
  @ApiOkResponse({ type: ServiceCalendarDto })
  async get(
    @Param() params: RooftopIdParam,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const calendar = await this.calendars.get(params.id, actor);
    void reply.header('etag', etag(calendar.version));
    return calendar;
  }

  @Put(':id/service-calendar')
  @Roles('admin', 'manager')
  @ApiOperation({
    summary: 'Set the service calendar (managers); If-Match with the version read, when there is one',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version you read ("0" when none yet)' })
  @ApiOkResponse({ type: ServiceCalendarDto })
  async put(
    @Param() params: RooftopIdParam,
    @Body() body: PutServiceCalendarDto,
    @OptionalIfMatch() version: number | undefined,
    @CurrentUser() actor: AuthUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const calendar = await this.calendars.put(params.id, body, actor, version);
    void reply.header('etag', etag(calendar.version));
    return calendar;
  }

  @Get(':id/availability')
  @ApiOperation({ summary: "Free slots of the next days in the rooftop's time, after the lead time" })
  @ApiOkResponse({ type: AvailabilityDto })
  availability(
    @Param() params: RooftopIdParam,
    @Query() query: AvailabilityQueryDto,
    @CurrentUser() actor: AuthUser,
  ) {
    return this.calendars.availability(params.id, query.days ?? 14, actor);
  }
}
