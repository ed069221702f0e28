import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export class TelegramLinkQueryDto {
  @ApiPropertyOptional({
    enum: ['json', 'png'],
    description: 'png → the QR code image itself (as with Accept: image/png)',
  })
  @IsOptional()
  @IsIn(['json', 'png'])
  format?: 'json' | 'png';
}

export class TelegramLinkDto {
  @ApiProperty({ example: 'https://t.me/dealer_crm_bot?start=AQ3x…', description: 'The deep link' })
  url: string;

  @ApiProperty({ format: 'date-time', description: 'The link stops working at this instant' })
  expiresAt: string;

  @ApiProperty({ description: 'The QR code of the link: a data:image/png;base64 URL' })
  qrPng: string;

  @ApiProperty({ description: 'The opt-in wording in the customer’s language, to print beside the QR code' })
  wording: string;
}
