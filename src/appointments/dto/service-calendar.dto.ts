import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsISO8601,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsOptionalNotNull } from '../../common/http/validators';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class RooftopIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}

export class OpeningIntervalDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: 7,
    example: 1,
    description: 'ISO weekday: 1 = Monday … 7 = Sunday',
  })
  @IsInt()
  @Min(1)
  @Max(7)
  weekday: number;

  @ApiProperty({ example: '08:00', description: 'Local opening time, HH:MM' })
  @Matches(HHMM, { message: 'open must be a local time HH:MM' })
  open: string;

  @ApiProperty({ example: '17:00', description: 'Local closing time, HH:MM, after open' })
  @Matches(HHMM, { message: 'close must be a local time HH:MM' })
  close: string;
}

export class PutServiceCalendarDto {
  @ApiProperty({
    type: [OpeningIntervalDto],
    description: 'Opening intervals; a weekday without one is closed',
  })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => OpeningIntervalDto)
  openingHours: OpeningIntervalDto[];

  @ApiPropertyOptional({
    type: [String],
    example: ['2026-04-14'],
    description: 'Local dates the workshop is closed',
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(400)
  @Matches(DATE, { each: true, message: 'closedDates must be dates YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { each: true, message: 'closedDates must be dates YYYY-MM-DD' })
  closedDates?: string[];

  @ApiPropertyOptional({ type: 'integer', default: 30, minimum: 10, maximum: 240 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(10)
  @Max(240)
  slotMinutes?: number;

  @ApiPropertyOptional({
    type: 'integer',
    default: 2,
    minimum: 1,
    maximum: 100,
    description: 'Advisors or bays per slot',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(100)
  placesPerSlot?: number;

  @ApiPropertyOptional({
    type: 'integer',
    default: 120,
    minimum: 0,
    maximum: 10080,
    description: 'Minutes ahead a booking must be',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(10080)
  leadMinutes?: number;

  @ApiPropertyOptional({ type: 'integer', default: 60, minimum: 1, maximum: 366 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(366)
  horizonDays?: number;
}

export class ServiceCalendarDto {
  @ApiProperty({ format: 'uuid' }) rooftopId: string;
  @ApiProperty() timeZone: string;
  @ApiProperty({ type: [OpeningIntervalDto] }) openingHours: OpeningIntervalDto[];
  @ApiProperty({ type: [String] }) closedDates: string[];
  @ApiProperty() slotMinutes: number;
  @ApiProperty() placesPerSlot: number;
  @ApiProperty() leadMinutes: number;
  @ApiProperty() horizonDays: number;
  @ApiProperty() version: number;
}

export class AvailabilityQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    default: 14,
    minimum: 1,
    maximum: 62,
    description: 'Local days from today',
  })
  @IsOptionalNotNull()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(62)
  days?: number;
}

export class FreeSlotDto {
  @ApiProperty({ example: '2026-06-15T01:00:00.000Z' }) start: string;
  @ApiProperty({ example: '2026-06-15T01:30:00.000Z' }) end: string;
  @ApiProperty({ example: '2026-06-15' }) localDate: string;
  @ApiProperty({ example: '08:00' }) localTime: string;
  @ApiProperty({ example: 2 }) free: number;
}

export class AvailabilityDto {
  @ApiProperty({ format: 'uuid' }) rooftopId: string;
  @ApiProperty() timeZone: string;
  @ApiProperty({ type: [FreeSlotDto] }) slots: FreeSlotDto[];
}
