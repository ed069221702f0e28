import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { IsOptionalNotNull } from '../../common/http/validators';
import { POWERTRAINS, type Powertrain } from '../../vehicles/vehicle.entity';

export const ITEM_CODE = /^[A-Z][A-Z0-9_]{1,40}$/;
const MAX_DISTANCE = 1_000_000;
const MAX_MONTHS = 240;

/** Interval fields shared by items and overrides; null clears an interval (an item needs at least one). */
export class IntervalsDto {
  @ApiPropertyOptional({
    type: 'integer',
    example: 10000,
    nullable: true,
    description: 'Distance interval in kilometres',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DISTANCE)
  intervalKm?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    example: 6000,
    nullable: true,
    description: 'Distance interval in miles',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DISTANCE)
  intervalMi?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    example: 6,
    nullable: true,
    description: 'Time interval in calendar months',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_MONTHS)
  intervalMonths?: number | null;
}

export class CreateMaintenanceItemDto extends IntervalsDto {
  @ApiProperty({ example: 'WIPER_BLADES', pattern: ITEM_CODE.source })
  @IsString()
  @Matches(ITEM_CODE, {
    message:
      'code must be upper-case letters, digits and underscores, starting with a letter (2–41 characters)',
  })
  code: string;

  @ApiProperty({ example: 'Wiper blades' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: ['ice', 'hybrid', 'ev'], enum: POWERTRAINS, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(POWERTRAINS, { each: true })
  appliesTo: Powertrain[];

  @ApiPropertyOptional({ example: true, default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

export class UpdateMaintenanceItemDto extends IntervalsDto {
  @ApiPropertyOptional({ example: 'Wiper blades (front and rear)' })
  @ValidateIf((o: UpdateMaintenanceItemDto) => o.name !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: ['ice', 'hybrid'], enum: POWERTRAINS, isArray: true })
  @ValidateIf((o: UpdateMaintenanceItemDto) => o.appliesTo !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(POWERTRAINS, { each: true })
  appliesTo?: Powertrain[];

  @ApiPropertyOptional({ example: false })
  @ValidateIf((o: UpdateMaintenanceItemDto) => o.active !== undefined)
  @IsBoolean()
  active?: boolean;
}

export class CreateOverrideDto extends IntervalsDto {
  @ApiProperty({ example: 'Toyota' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  make: string;

  @ApiPropertyOptional({
    type: String,
    example: 'Hilux',
    nullable: true,
    description: 'Omit (or null) to cover the whole make',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  model?: string | null;

  @ApiPropertyOptional({ example: true, default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

export class UpdateOverrideDto extends IntervalsDto {
  @ApiPropertyOptional({ example: false })
  @ValidateIf((o: UpdateOverrideDto) => o.active !== undefined)
  @IsBoolean()
  active?: boolean;
}
