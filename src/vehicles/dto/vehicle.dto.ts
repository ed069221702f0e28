import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { IsOptionalNotNull } from '../../common/http/validators';
import { POWERTRAINS, PURCHASE_TYPES, VEHICLE_STATUSES } from '../vehicle.entity';
import type { Powertrain, PurchaseType, VehicleStatus } from '../vehicle.entity';
import { IsDateOnly } from './date-only';

const MAX_ODOMETER = 3_000_000;
/** Present in the body (null allowed only where the column is nullable). */
const given = (_: unknown, v: unknown) => v !== undefined;
const givenNotNull = (_: unknown, v: unknown) => v !== undefined && v !== null;

export class CreateVehicleDto {
  @ApiProperty({ format: 'uuid', description: 'Rooftop the vehicle belongs to (scoping)' })
  @IsUUID()
  rooftopId: string;

  @ApiProperty({ example: '1M8GDM9AXKP042788', description: '17 characters, no I/O/Q; upper-cased on save' })
  @IsString()
  @MaxLength(40)
  vin: string;

  @ApiProperty({ example: 'Toyota' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  make: string;

  @ApiProperty({ example: 'Camry' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  model: string;

  @ApiProperty({ type: 'integer', example: 2024, minimum: 1900, maximum: 2100 })
  @IsInt()
  @Min(1900)
  @Max(2100)
  year: number;

  @ApiProperty({ enum: POWERTRAINS, example: 'hybrid' })
  @IsIn(POWERTRAINS)
  powertrain: Powertrain;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    description: 'Current owner (a customer you can see)',
    nullable: true,
  })
  @IsOptional()
  @IsUUID()
  ownerId?: string | null;

  @ApiPropertyOptional({
    type: String,
    example: '2026-05-20',
    description: 'With ownerId: records the sale',
    nullable: true,
  })
  @IsOptional()
  @IsDateOnly()
  purchaseDate?: string | null;

  @ApiPropertyOptional({ enum: PURCHASE_TYPES, example: 'finance', nullable: true })
  @IsOptional()
  @IsIn(PURCHASE_TYPES)
  purchaseType?: PurchaseType | null;

  @ApiPropertyOptional({
    type: 'integer',
    example: 12,
    default: 0,
    description: 'Odometer at purchase (DISTANCE_UNIT)',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_ODOMETER)
  purchaseOdometer?: number;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    description: 'Salesperson (user) who sold it',
    nullable: true,
  })
  @IsOptional()
  @IsUUID()
  soldById?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  sellingRooftopId?: string | null;

  @ApiPropertyOptional({
    type: String,
    example: '2030-05-20',
    description: 'Lease or finance end date',
    nullable: true,
  })
  @IsOptional()
  @IsDateOnly()
  termEndDate?: string | null;

  @ApiPropertyOptional({ type: String, example: '2029-05-20', nullable: true })
  @IsOptional()
  @IsDateOnly()
  warrantyEndDate?: string | null;

  @ApiPropertyOptional({
    type: 'integer',
    example: 100000,
    description: 'Warranty ends at this odometer (DISTANCE_UNIT)',
    nullable: true,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_ODOMETER)
  warrantyEndDistance?: number | null;
}

/** Every field optional; `null` clears a nullable field. The owner changes only through a transfer. */
export class UpdateVehicleDto {
  @ApiPropertyOptional({ example: '1M8GDM9AXKP042788' })
  @ValidateIf(given)
  @IsString()
  @MaxLength(40)
  vin?: string;

  @ApiPropertyOptional({ example: 'Toyota' })
  @ValidateIf(given)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  make?: string;

  @ApiPropertyOptional({ example: 'Camry' })
  @ValidateIf(given)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  model?: string;

  @ApiPropertyOptional({ type: 'integer', example: 2024 })
  @ValidateIf(given)
  @IsInt()
  @Min(1900)
  @Max(2100)
  year?: number;

  @ApiPropertyOptional({ enum: POWERTRAINS })
  @ValidateIf(given)
  @IsIn(POWERTRAINS)
  powertrain?: Powertrain;

  @ApiPropertyOptional({
    enum: VEHICLE_STATUSES,
    description: 'sold_away: the owner sold it elsewhere; scrapped',
  })
  @ValidateIf(given)
  @IsIn(VEHICLE_STATUSES)
  status?: VehicleStatus;

  @ApiPropertyOptional({ type: String, example: '2026-05-20', nullable: true })
  @ValidateIf(givenNotNull)
  @IsDateOnly()
  purchaseDate?: string | null;

  @ApiPropertyOptional({ enum: PURCHASE_TYPES, nullable: true })
  @ValidateIf(givenNotNull)
  @IsIn(PURCHASE_TYPES)
  purchaseType?: PurchaseType | null;

  @ApiPropertyOptional({ type: 'integer', example: 12 })
  @ValidateIf(given)
  @IsInt()
  @Min(0)
  @Max(MAX_ODOMETER)
  purchaseOdometer?: number;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @ValidateIf(givenNotNull)
  @IsUUID()
  soldById?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @ValidateIf(givenNotNull)
  @IsUUID()
  sellingRooftopId?: string | null;

  @ApiPropertyOptional({ type: String, example: '2030-05-20', nullable: true })
  @ValidateIf(givenNotNull)
  @IsDateOnly()
  termEndDate?: string | null;

  @ApiPropertyOptional({ type: String, example: '2029-05-20', nullable: true })
  @ValidateIf(givenNotNull)
  @IsDateOnly()
  warrantyEndDate?: string | null;

  @ApiPropertyOptional({ type: 'integer', example: 100000, nullable: true })
  @ValidateIf(givenNotNull)
  @IsInt()
  @Min(0)
  @Max(MAX_ODOMETER)
  warrantyEndDistance?: number | null;
}

export class ListVehiclesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  ownerId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  rooftopId?: string;

  @ApiPropertyOptional({
    example: '1M8GDM',
    description: 'Whole VIN (exact) or at least 3 characters (contains)',
  })
  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(17)
  vin?: string;
}

export class TransferSaleDto {
  @ApiProperty({ example: '2026-06-01' })
  @IsDateOnly()
  purchaseDate: string;

  @ApiProperty({ enum: PURCHASE_TYPES, example: 'used' })
  @IsIn(PURCHASE_TYPES)
  purchaseType: PurchaseType;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  soldById?: string | null;

  @ApiProperty({ type: 'integer', example: 45210, description: 'Odometer at the sale (DISTANCE_UNIT)' })
  @IsInt()
  @Min(0)
  @Max(MAX_ODOMETER)
  odometer: number;
}

export class TransferVehicleDto {
  @ApiProperty({ format: 'uuid', description: 'The new owner (a customer you can see)' })
  @IsUUID()
  newOwnerId: string;

  @ApiPropertyOptional({
    example: '2026-06-01T09:00:00Z',
    description: 'When the ownership changed; default: the sale date (if a sale) or now',
  })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true })
  at?: string;

  @ApiPropertyOptional({ type: String, example: 'Private sale between customers', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string | null;

  @ApiPropertyOptional({ type: TransferSaleDto, description: 'Set when the dealer sold it to the new owner' })
  @IsOptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => TransferSaleDto)
  sale?: TransferSaleDto;
}

export const MANUAL_ODOMETER_SOURCES = ['staff', 'customer', 'import'] as const;

export class CreateOdometerReadingDto {
  @ApiProperty({ type: 'integer', example: 45210, description: 'In DISTANCE_UNIT' })
  @IsInt()
  @Min(0)
  @Max(MAX_ODOMETER)
  value: number;

  @ApiPropertyOptional({ example: '2026-06-14T09:00:00Z', description: 'Default: now' })
  @IsOptionalNotNull()
  @IsISO8601({ strict: true })
  readAt?: string;

  @ApiPropertyOptional({ enum: MANUAL_ODOMETER_SOURCES, default: 'staff' })
  @IsOptionalNotNull()
  @IsIn(MANUAL_ODOMETER_SOURCES)
  source?: (typeof MANUAL_ODOMETER_SOURCES)[number];

  @ApiPropertyOptional({
    default: false,
    description: 'Managers/admins only: bypasses the plausibility guard',
  })
  @IsOptionalNotNull()
  @IsBoolean()
  isCorrection?: boolean;

  @ApiPropertyOptional({
    type: String,
    example: 'Previous reading was a typo (150,000 for 15,000)',
    description: 'Required with isCorrection',
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string | null;
}
