import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsOptionalNotNull } from '../../common/http/validators';
import { CHANNELS, type Channel } from '../../common/channels';
import { PURPOSES, type Purpose } from '../consent-rules';

export class RecordConsentDto {
  @ApiProperty({ enum: PURPOSES, example: 'marketing' })
  @IsIn(PURPOSES)
  purpose: Purpose;

  @ApiPropertyOptional({
    enum: CHANNELS,
    default: 'email',
    description: 'The channel the decision is about (consent is per purpose and channel)',
  })
  @IsOptionalNotNull()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiProperty({ example: true, description: 'true = granted, false = withdrawn' })
  @IsBoolean()
  granted: boolean;

  @ApiProperty({
    example: 'showroom_form',
    description: 'Where the decision was taken (form, call, email, unsubscribe link)',
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  source: string;

  @ApiPropertyOptional({
    type: String,
    example: 'I would like to receive offers and news by email.',
    description: 'The wording shown to the customer',
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  wording?: string | null;
}

export class ConsentStateDto {
  @ApiProperty() granted: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'null for a default' })
  at: Date | null;
  @ApiProperty({ example: 'showroom_form' }) source: string;
  @ApiProperty({ description: 'true when no decision was recorded and the default applies' })
  default: boolean;
}
