import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNotIn,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const MAX_POINTS = 10_000_000;

export class CreateRedemptionDto {
  @ApiPropertyOptional({
    description: 'Redeem this reward (its pointsCost). Give either rewardId or points.',
    format: 'uuid',
    example: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
  })
  @ValidateIf((o: CreateRedemptionDto) => o.points === undefined || o.rewardId !== undefined)
  @IsUUID()
  rewardId?: string;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Redeem a number of points (with a reason). Give either rewardId or points.',
    example: 500,
    minimum: 1,
  })
  @ValidateIf((o: CreateRedemptionDto) => o.rewardId === undefined || o.points !== undefined)
  @IsInt()
  @Min(1)
  @Max(MAX_POINTS)
  points?: number;

  @ApiPropertyOptional({
    description: 'Required with points; an optional note with a reward.',
    example: 'Discount on the 20,000 km service',
  })
  @ValidateIf((o: CreateRedemptionDto) => o.points !== undefined || o.reason !== undefined)
  @Transform(trim)
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason?: string;
}

export class CreateAdjustmentDto {
  @ApiProperty({
    type: 'integer',
    description: 'Points to add (positive) or remove (negative); never zero',
    example: -200,
  })
  @IsInt()
  @IsNotIn([0], { message: 'points must not be zero' })
  @Min(-MAX_POINTS)
  @Max(MAX_POINTS)
  points: number;

  @ApiProperty({
    description: 'Why (mandatory; kept on the ledger and in the audit log)',
    example: 'Goodwill for the delayed delivery',
  })
  @Transform(trim)
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason: string;
}

export class CreateRewardDto {
  @ApiProperty({
    example: 'FREE-WASH',
    description: 'Unique code (case-insensitive): letters, digits, - and _',
  })
  @Transform(trim)
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{2,40}$/, { message: 'code must be 2–40 letters, digits, - or _' })
  code: string;

  @ApiProperty({ example: 'Free car wash' })
  @Transform(trim)
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  name: string;

  @ApiProperty({ type: 'integer', example: 300, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_POINTS)
  pointsCost: number;

  @ApiPropertyOptional({ example: true, default: true })
  @ValidateIf((o: CreateRewardDto) => o.active !== undefined)
  @IsBoolean()
  active?: boolean;
}

export class UpdateRewardDto extends PartialType(CreateRewardDto) {}

export class CreateReferralDto {
  @ApiProperty({
    description: 'The customer who was referred; when they buy a vehicle, the referrer earns points',
    format: 'uuid',
    example: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
  })
  @IsUUID()
  referredCustomerId: string;
}
