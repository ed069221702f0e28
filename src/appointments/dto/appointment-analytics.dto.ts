import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsUUID } from 'class-validator';

export class AppointmentAnalyticsQueryDto {
  @ApiPropertyOptional({
    example: '2026-06-01T00:00:00Z',
    description: 'Start (inclusive); default: 30 days before `to`',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-07-01T00:00:00Z', description: 'End (exclusive); default: now' })
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
}

export class BookingRateDto {
  @ApiProperty({ example: 'service_reminder' }) kind: string;
  @ApiProperty({ example: 'email' }) channel: string;
  @ApiProperty({ description: 'Messages of this kind sent in the period' }) sent: number;
  @ApiProperty({ description: 'Appointments booked from the link of those messages' }) booked: number;
  @ApiProperty({ nullable: true, type: Number, description: 'booked / sent' }) rate: number | null;
}

export class AppointmentCountsDto {
  @ApiProperty() booked: number;
  @ApiProperty() checkedIn: number;
  @ApiProperty() completed: number;
  @ApiProperty() cancelled: number;
  @ApiProperty() noShow: number;
}

export class AppointmentAnalyticsDto {
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({
    type: AppointmentCountsDto,
    description: 'Appointments whose slot is in the period, by state',
  })
  appointments: AppointmentCountsDto;
  @ApiProperty({ nullable: true, type: Number, description: '(checked in + completed) / (those + no-shows)' })
  showRate: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'no-shows / (checked in + completed + no-shows)',
  })
  noShowRate: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Median hours from booking to slot (not cancelled)',
  })
  medianLeadHours: number | null;
  @ApiProperty({ type: [BookingRateDto] }) bookingRates: BookingRateDto[];
  @ApiProperty({ description: 'Reminder → appointment → visit: booked from a message and checked in' })
  attributedVisits: number;
  @ApiProperty({
    example: '1250.00',
    description: 'Total of the closed visits that booked appointments opened',
  })
  bookedVisitRevenue: string;
}
