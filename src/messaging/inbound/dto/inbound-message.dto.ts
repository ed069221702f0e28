import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../../common/http/pagination';

export const INBOUND_CHANNELS = ['sms', 'telegram'] as const;
export const INBOUND_KINDS = ['reply', 'stop'] as const;

const toBool = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListInboundMessagesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: '`true`: linked to a customer; `false`: from an unknown sender, waiting for staff to match',
  })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  matched?: boolean;

  @ApiPropertyOptional({ enum: INBOUND_CHANNELS })
  @IsOptional()
  @IsIn(INBOUND_CHANNELS)
  channel?: (typeof INBOUND_CHANNELS)[number];
}

export class MatchInboundMessageDto {
  @ApiProperty({ format: 'uuid', description: 'The customer who wrote it (of a rooftop you may see)' })
  @IsUUID()
  customerId: string;
}

export class InboundMessageDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: INBOUND_CHANNELS }) channel: string;
  @ApiProperty({
    enum: INBOUND_KINDS,
    description: '`stop`: a STOP word that withdrew SMS consent (no task); `reply`: anything else',
  })
  kind: string;
  @ApiProperty({ description: 'The phone (E.164) or Telegram chat id it came from', example: '+85512345678' })
  sender: string;
  @ApiProperty({ example: 'Can I come on Saturday?' }) text: string;
  @ApiProperty({ format: 'date-time' }) receivedAt: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) customerId: string | null;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) rooftopId: string | null;
  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Its entry on the customer’s timeline',
  })
  interactionId: string | null;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'The task it raised' })
  taskId: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) matchedAt: string | null;
  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The staff member who matched it; null when matched on arrival',
  })
  matchedBy: string | null;
}

export class InboundMessagePageDto {
  @ApiProperty({ type: [InboundMessageDto] }) items: InboundMessageDto[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor: string | null;
}
