import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { IsOptionalNotNull } from '../../common/http/validators';
import { PAY_TYPES } from '../service-visit-line.entity';
import type { PayType } from '../service-visit-line.entity';
import { VISIT_STATUSES } from '../service-visit.entity';
import type { VisitStatus } from '../service-visit.entity';

const MAX_AMOUNT = 9_999_999_999.99;
const money = { maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false };
const ITEM_CODE = /^[A-Z][A-Z0-9_]{1,40}$/;

export class PerformedLineDto {
  @ApiPropertyOptional({
    type: String,
    example: 'OIL_CHANGE',
    description: 'A maintenance item code from the catalogue; none (or null) for a free-text line',
    nullable: true,
  })
  @IsOptional()
  @Matches(ITEM_CODE, { message: 'itemCode must be a catalogue code such as OIL_CHANGE' })
  itemCode?: string | null;

  @ApiPropertyOptional({
    example: 'Oil and filter change',
    description: 'Required when there is no itemCode',
  })
  @ValidateIf((o: PerformedLineDto) => !o.itemCode || o.description !== undefined)
  @IsString({ message: 'description is required when there is no itemCode' })
  @MinLength(1, { message: 'description is required when there is no itemCode' })
  @MaxLength(500)
  description?: string;

  @ApiProperty({ example: 25.0, minimum: 0 })
  @IsNumber(money, { message: 'labourAmount must be a number with at most 2 decimals' })
  @Min(0)
  @Max(MAX_AMOUNT)
  labourAmount: number;

  @ApiProperty({ example: 38.5, minimum: 0 })
  @IsNumber(money, { message: 'partsAmount must be a number with at most 2 decimals' })
  @Min(0)
  @Max(MAX_AMOUNT)
  partsAmount: number;

  @ApiProperty({ enum: PAY_TYPES, example: 'customer' })
  @IsIn(PAY_TYPES)
  payType: PayType;
}

export class DeclinedLineDto {
  @ApiPropertyOptional({
    type: String,
    example: 'BRAKE_FLUID',
    description: 'A maintenance item code from the catalogue; none (or null) for a free-text line',
    nullable: true,
  })
  @IsOptional()
  @Matches(ITEM_CODE, { message: 'itemCode must be a catalogue code such as BRAKE_FLUID' })
  itemCode?: string | null;

  @ApiPropertyOptional({ example: 'Brake fluid flush', description: 'Required when there is no itemCode' })
  @ValidateIf((o: DeclinedLineDto) => !o.itemCode || o.description !== undefined)
  @IsString({ message: 'description is required when there is no itemCode' })
  @MinLength(1, { message: 'description is required when there is no itemCode' })
  @MaxLength(500)
  description?: string;

  @ApiProperty({ example: 45.0, minimum: 0 })
  @IsNumber(money, { message: 'estimateAmount must be a number with at most 2 decimals' })
  @Min(0)
  @Max(MAX_AMOUNT)
  estimateAmount: number;
}

export class CreateServiceVisitDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  rooftopId: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  vehicleId: string;

  @ApiProperty({ example: 'RO-10442', description: 'Repair-order number, unique per rooftop' })
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  roNumber: string;

  @ApiProperty({ example: '2026-06-14T09:30:00Z' })
  @IsISO8601({ strict: true })
  visitDate: string;

  @ApiProperty({
    type: 'integer',
    example: 45210,
    description: 'Odometer at the visit (DISTANCE_UNIT); recorded on closing',
  })
  @IsInt()
  @Min(0)
  @Max(3_000_000)
  odometer: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'Default: the caller' })
  @IsOptionalNotNull()
  @IsUUID()
  advisorId?: string;

  @ApiProperty({ type: [PerformedLineDto] })
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => PerformedLineDto)
  lines: PerformedLineDto[];

  @ApiPropertyOptional({ type: [DeclinedLineDto], description: 'Recommended work the customer declined' })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => DeclinedLineDto)
  declinedLines?: DeclinedLineDto[];

  @ApiPropertyOptional({ default: false, description: 'Close the visit in the same request' })
  @IsOptionalNotNull()
  @IsBoolean()
  close?: boolean;
}

export class VoidServiceVisitDto {
  @ApiProperty({ example: 'Logged on the wrong vehicle' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason: string;
}

export class ListServiceVisitsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  vehicleId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  rooftopId?: string;

  @ApiPropertyOptional({ example: '2026-01-01T00:00:00Z', description: 'visitDate at or after' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-07-01T00:00:00Z', description: 'visitDate before' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: VISIT_STATUSES })
  @IsOptional()
  @IsIn(VISIT_STATUSES)
  status?: VisitStatus;
}
