import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsEmail,
  IsISO4217CurrencyCode,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  MinLength,
  Validate,
} from 'class-validator';
import { CHANNELS, type Channel } from '../../common/channels';
import { IsOptionalNotNull, IsTimeZone } from '../../common/http/validators';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export class CreateRooftopDto {
  @ApiProperty({ example: 'Phnom Penh Motors' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({
    example: 'Asia/Phnom_Penh',
    default: 'Asia/Phnom_Penh',
    description: 'IANA time zone',
  })
  @IsOptionalNotNull()
  @Validate(IsTimeZone)
  timeZone?: string;

  @ApiPropertyOptional({ example: 'USD', default: 'USD' })
  @IsOptionalNotNull()
  @IsISO4217CurrencyCode()
  currency?: string;

  @ApiPropertyOptional({ example: '123 Norodom Blvd, Phnom Penh' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(500)
  address?: string;

  @ApiPropertyOptional({ example: '+85523123456' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(40)
  phone?: string;

  @ApiPropertyOptional({ type: String, format: 'email', example: 'service@ppmotors.example', nullable: true })
  @IsOptional()
  @IsEmail()
  senderEmail?: string | null;

  @ApiPropertyOptional({ type: String, example: 'Phnom Penh Motors Service', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  senderName?: string | null;

  @ApiPropertyOptional({ type: String, example: 'https://ppmotors.example/book', nullable: true })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  bookingUrl?: string | null;

  @ApiPropertyOptional({
    example: '08:00',
    default: '08:00',
    description: 'Local start of the sending window',
  })
  @IsOptionalNotNull()
  @Matches(HHMM, { message: 'sendWindowStart must be HH:MM' })
  sendWindowStart?: string;

  @ApiPropertyOptional({
    example: '20:00',
    default: '20:00',
    description: 'Local end of the sending window; quiet after',
  })
  @IsOptionalNotNull()
  @Matches(HHMM, { message: 'sendWindowEnd must be HH:MM' })
  sendWindowEnd?: string;

  @ApiPropertyOptional({
    type: [String],
    enum: CHANNELS,
    example: ['telegram', 'sms', 'email'],
    default: ['telegram', 'sms', 'email'],
    description:
      "The order customer messages try channels in (a customer's preferred channel goes first); channels left out are not used",
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayNotEmpty({ message: 'channelOrder must name at least one channel' })
  @ArrayUnique({ message: 'channelOrder must not name a channel twice' })
  @IsIn(CHANNELS, { each: true, message: `channelOrder may only name ${CHANNELS.join(', ')}` })
  channelOrder?: Channel[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Per-rooftop settings (cadence offsets, on/off switches)',
    example: {},
  })
  @IsOptionalNotNull()
  @IsObject()
  settings?: Record<string, unknown>;
}

/** PATCH: a field left out keeps its value; `null` is refused except where it clears (sender, booking URL). */
export class UpdateRooftopDto extends PartialType(CreateRooftopDto, { skipNullProperties: false }) {
  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;
}
