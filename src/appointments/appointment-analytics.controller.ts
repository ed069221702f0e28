import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { AppointmentAnalyticsService } from './appointment-analytics.service';
import { AppointmentAnalyticsDto, AppointmentAnalyticsQueryDto } from './dto/appointment-analytics.dto';

/** Appointment analytics, next to the other reports (managers). */
@ApiTags('analytics')
@ApiBearerAuth()
@Roles('admin', 'manager')
@Controller('analytics')
export class AppointmentAnalyticsController {
  constructor(private readonly analytics: AppointmentAnalyticsService) {}

  @Get('appointments')
  @ApiOperation({
    summary:
      'Booking rate per message kind and channel, show and no-show rates, lead time, revenue of booked visits',
  })
  @ApiOkResponse({ type: AppointmentAnalyticsDto })
  report(@Query() q: AppointmentAnalyticsQueryDto, @CurrentUser() actor: AuthUser) {
    return this.analytics.report(q, actor);
  }
}
