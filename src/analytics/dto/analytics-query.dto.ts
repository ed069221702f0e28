import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsUUID, Validate } from 'class-validator';
import { IsTimeZone } from '../../common/http/validators';
import { PageQueryDto } from '../../common/http/pagination';
import { FEEDBACK_GROUP_BY, type FeedbackGroupBy } from '../analytics.queries';

export class AnalyticsQueryDto {
  @ApiPropertyOptional({
    example: '2026-01-01T00:00:00Z',
    description:
      'Start of the period (inclusive). A date or a date-time without an offset is local to `timeZone`. Default: 12 months before `to`.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    example: '2026-07-01T00:00:00Z',
    description: 'End of the period (exclusive). Default: now.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'One rooftop; default: every rooftop granted to the caller',
  })
  @IsOptional()
  @IsUUID()
  rooftopId?: string;

  @ApiPropertyOptional({
    example: 'Asia/Phnom_Penh',
    description:
      'IANA time zone of the report: local midnights for date bounds, local months for series, local dates for purchase/visit/warranty dates. Default: the time zone the rooftops in scope share, else UTC.',
  })
  @IsOptional()
  @Validate(IsTimeZone)
  timeZone?: string;
}

export const SERIES_METRICS = [
  'churnRate',
  'serviceRetention',
  'customerPayRetention',
  'nps',
  'csat',
  'responseRate',
  'complaintMedianFirstResponseHours',
  'complaintBreachRate',
  'redemptionRate',
  'reminderConversion',
] as const;
export type SeriesMetric = (typeof SERIES_METRICS)[number];

export class SeriesQueryDto extends AnalyticsQueryDto {
  @ApiProperty({ enum: SERIES_METRICS, example: 'nps' })
  @IsIn(SERIES_METRICS)
  metric: SeriesMetric;
}

export class FeedbackQueryDto extends AnalyticsQueryDto {
  @ApiPropertyOptional({ enum: FEEDBACK_GROUP_BY, default: 'rooftop' })
  @IsOptional()
  @IsIn(FEEDBACK_GROUP_BY)
  groupBy?: FeedbackGroupBy;
}

export class AtRiskQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'One rooftop; default: every rooftop granted to the caller',
  })
  @IsOptional()
  @IsUUID()
  rooftopId?: string;
}
