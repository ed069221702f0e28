import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { AnalyticsService } from './analytics.service';
import {
  AnalyticsQueryDto,
  AtRiskQueryDto,
  FeedbackQueryDto,
  SeriesQueryDto,
} from './dto/analytics-query.dto';

/** Retention analytics (SPEC "Analytics"): managers and admins only, scoped to granted rooftops. */
@ApiTags('analytics')
@ApiBearerAuth()
@Roles('admin', 'manager')
@Controller('analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('summary')
  @ApiOperation({ summary: 'Churn, service retention, feedback, complaint SLA and loyalty for a period' })
  summary(@Query() q: AnalyticsQueryDto, @CurrentUser() user: AuthUser) {
    return this.analytics.summary(user, q);
  }

  @Get('series')
  @ApiOperation({ summary: 'One metric per calendar month (UTC) of the period' })
  series(@Query() q: SeriesQueryDto, @CurrentUser() user: AuthUser) {
    return this.analytics.series(user, q);
  }

  @Get('feedback')
  @ApiOperation({
    summary:
      'NPS, CSAT and response rate by rooftop, salesperson (sale surveys), advisor (service surveys) or month',
  })
  feedback(@Query() q: FeedbackQueryDto, @CurrentUser() user: AuthUser) {
    return this.analytics.feedback(user, q);
  }

  @Get('reminders')
  @ApiOperation({
    summary:
      'Reminder effectiveness per message kind: sent, visits attributed within 30 days, conversion, customer-pay revenue',
  })
  reminders(@Query() q: AnalyticsQueryDto, @CurrentUser() user: AuthUser) {
    return this.analytics.reminders(user, q);
  }

  @Get('channels')
  @ApiOperation({
    summary:
      'Per channel (email, SMS, Telegram): sent, delivered, undeliverable, failed, read (null: no channel reports reads), visits attributed within 30 days, conversion',
  })
  channels(@Query() q: AnalyticsQueryDto, @CurrentUser() user: AuthUser) {
    return this.analytics.channels(user, q);
  }

  @Get('at-risk')
  @ApiOperation({
    summary: 'At-risk customers, highest score (0–100) first, with the reasons and what caused them',
  })
  atRisk(@Query() q: AtRiskQueryDto, @CurrentUser() user: AuthUser) {
    return this.analytics.atRisk(user, q);
  }

  @Get('context')
  @ApiOperation({ summary: 'The dashboard viewer’s language and rooftops' })
  context(@CurrentUser() user: AuthUser) {
    return this.analytics.context(user);
  }
}
