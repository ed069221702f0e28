import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsISO4217CurrencyCode, IsObject, IsOptional, IsString, IsUrl, Matches, MaxLength, MinLength, Validate } from 'class-validator';
import { IsTimeZone } from '../../common/http/validators';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export class CreateRooftopDto {
  @ApiProperty({ example: 'Phnom Penh Motors' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'Asia/Phnom_Penh', default: 'Asia/Phnom_Penh', description: 'IANA time zone' })
  @IsOptional()
  @Validate(IsTimeZone)
  timeZone?: string;

  @ApiPropertyOptional({ example: 'USD', default: 'USD' })
  @IsOptional()
  @IsISO4217CurrencyCode()
  currency?: string;

  @ApiPropertyOptional({ example: '123 Norodom Blvd, Phnom Penh' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string;

  @ApiPropertyOptional({ example: '+85523123456' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  phone?: string;

  @ApiPropertyOptional({ example: 'service@ppmotors.example' })
  @IsOptional()
  @IsEmail()
  senderEmail?: string;

  @ApiPropertyOptional({ example: 'Phnom Penh Motors Service' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  senderName?: string;

  @ApiPropertyOptional({ example: 'https://ppmotors.example/book' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  bookingUrl?: string;

  @ApiPropertyOptional({ example: '08:00', default: '08:00', description: 'Local start of the sending window' })
  @IsOptional()
  @Matches(HHMM, { message: 'sendWindowStart must be HH:MM' })
  sendWindowStart?: string;

  @ApiPropertyOptional({ example: '20:00', default: '20:00', description: 'Local end of the sending window; quiet after' })
  @IsOptional()
  @Matches(HHMM, { message: 'sendWindowEnd must be HH:MM' })
  sendWindowEnd?: string;

  @ApiPropertyOptional({ description: 'Per-rooftop settings (cadence offsets, on/off switches)', example: {} })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;
}

export class UpdateRooftopDto extends PartialType(CreateRooftopDto) {
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}
